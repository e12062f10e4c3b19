// Process plumbing of the benches (bench/run.ts, bench/mixed.ts): every child, temp dir, database and Redis
// DB is registered for cleanup as soon as it exists and released in reverse order on success, error, Ctrl-C
// or SIGTERM; children are `node --import tsx <script>` so that their pid is the node process; the storage
// backends a hub runs on (SQLite, or a fresh PostgreSQL database with an empty Redis DB).
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { fork, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import pg from 'pg';
import { Redis } from 'ioredis';
import { REPO_ROOT } from './common.js';
import type { StorageProbe } from './costs.js';
import { pgDatabaseBytes, redisUsedMemory, sqliteBytes } from './costs.js';

// -------------------------------------------------------------------------------------------------
// Cleanup

const cleanups: Array<{ what: string; run: () => Promise<void> | void }> = [];
let cleaning: Promise<void> | null = null;
let interruptedFlag = false;

export function interrupted(): boolean {
  return interruptedFlag;
}

/** Registers a release; the returned function runs it early (a hub between configurations) and takes it off the list. */
export function onCleanup(what: string, run: () => Promise<void> | void): () => Promise<void> {
  const entry = { what, run };
  cleanups.push(entry);
  return async () => {
    const i = cleanups.indexOf(entry);
    if (i < 0) return;
    cleanups.splice(i, 1);
    await run();
  };
}

export function cleanupAll(): Promise<void> {
  cleaning ??= (async () => {
    while (cleanups.length > 0) {
      const entry = cleanups.pop()!;
      try {
        await entry.run();
      } catch (err) {
        process.stderr.write(`bench: cleanup of ${entry.what} failed: ${String(err)}\n`);
      }
    }
  })();
  return cleaning;
}

export function installSignalHandlers(): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      interruptedFlag = true;
      process.stderr.write(`\nbench: ${signal}, cleaning up...\n`);
      void cleanupAll().finally(() => process.exit(130));
    });
  }
  for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
    process.on(event, (err: unknown) => {
      if (!interruptedFlag) process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      void cleanupAll().finally(() => process.exit(interruptedFlag ? 130 : 1));
    });
  }
}

// -------------------------------------------------------------------------------------------------
// Children

/** Stops a child: SIGTERM, then SIGKILL if it has not exited after `graceMs`. */
export async function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

export function tail(file: string, lines = 30): string {
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n') : '';
}

export function exitedEarly(child: ChildProcess, what: string, logFile?: string): Promise<never> {
  return new Promise((_resolve, reject) => {
    child.once('exit', (code, signal) => {
      const log = logFile ? `\n--- last lines of ${logFile} ---\n${tail(logFile)}` : '';
      reject(new Error(`${what} exited (code ${code}, signal ${signal})${log}`));
    });
  });
}

/**
 * `node --import tsx <script>` without a tsx CLI wrapper in between: the child's pid is the node process.
 * nodeArgs go before the script (e.g. --cpu-prof), preload modules are imported after tsx.
 */
export function nodeTs(
  script: string,
  scriptArgs: string[],
  opts: { env?: NodeJS.ProcessEnv; nodeArgs?: string[]; preload?: string[]; logFile?: string } = {},
): ChildProcess {
  const log = opts.logFile ? fs.openSync(opts.logFile, 'a') : null;
  const preload = (opts.preload ?? []).flatMap((p) => ['--import', p]);
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), '--import', 'tsx', ...preload, script, ...scriptArgs], {
    cwd: REPO_ROOT,
    env: opts.env ?? process.env,
    stdio: ['ignore', log ?? 'pipe', log ?? 'pipe'],
  });
  if (log !== null) fs.closeSync(log);
  // Spawn failures surface through 'exit' and the callers' checks; an unhandled 'error' would kill the bench.
  child.on('error', (err) => process.stderr.write(`bench: ${script}: ${err.message}\n`));
  return child;
}

export async function runToEnd(child: ChildProcess, what: string): Promise<string> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  if (code !== 0) throw new Error(`${what} failed (exit ${code}):\n${stderr || stdout}`);
  return stdout;
}

/**
 * A simulator process forked with an IPC channel: once listening it posts a { type: 'ready' } message, then
 * answers each request with a reply carrying the request's reqId.
 */
export class IpcChild<Request extends { type: string }, Reply extends { type: string }> {
  private seq = 0;
  private pending = new Map<number, { resolve: (reply: Reply) => void; reject: (err: Error) => void }>();

  private constructor(readonly child: ChildProcess) {
    child.on('message', (msg: Reply) => {
      const reqId = (msg as { reqId?: number }).reqId;
      if (reqId === undefined) return;
      const waiter = this.pending.get(reqId);
      this.pending.delete(reqId);
      waiter?.resolve(msg);
    });
    // A simulator process that dies (Ctrl-C reaches the whole process group) fails whatever waits on it.
    child.on('exit', (code, signal) => {
      for (const waiter of this.pending.values()) waiter.reject(new Error(`the simulator process exited (code ${code}, signal ${signal})`));
      this.pending.clear();
    });
  }

  /** Forks `script` (a repository path, run with tsx), registers it for cleanup and waits for its ready message. */
  static async fork<Request extends { type: string }, Reply extends { type: string }>(
    script: string,
    scriptArgs: string[],
  ): Promise<{ ipc: IpcChild<Request, Reply>; ready: Extract<Reply, { type: 'ready' }> }> {
    const child = fork(path.join(REPO_ROOT, script), scriptArgs, { cwd: REPO_ROOT, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.on('error', (err) => process.stderr.write(`bench: simulator process: ${err.message}\n`));
    onCleanup('simulator process', () => stopChild(child, 3000));
    const ready = await Promise.race([
      new Promise<Extract<Reply, { type: 'ready' }>>((resolve) => {
        const onMessage = (msg: Reply) => {
          if (msg.type !== 'ready') return;
          child.off('message', onMessage);
          resolve(msg as Extract<Reply, { type: 'ready' }>);
        };
        child.on('message', onMessage);
      }),
      exitedEarly(child, 'the simulator process'),
    ]);
    return { ipc: new IpcChild<Request, Reply>(child), ready };
  }

  /** Sends the request and resolves with the reply of the same reqId. */
  ask(request: Request): Promise<Reply> {
    const reqId = ++this.seq;
    return new Promise((resolve, reject) => {
      if (!this.child.connected) {
        reject(new Error('the simulator process is gone'));
        return;
      }
      this.pending.set(reqId, { resolve, reject });
      this.child.send({ ...request, reqId }, (err) => {
        if (!err) return;
        this.pending.delete(reqId);
        reject(err);
      });
    });
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export async function waitForHealth(url: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`the hub did not answer ${url}/healthz within 60 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

// -------------------------------------------------------------------------------------------------
// Backends

export interface Backend {
  name: 'sqlite' | 'postgres+redis';
  env: Record<string, string>;
  /** Command-line fragments of the database processes whose CPU is charged to the run (bench/mixed.ts). */
  processes: string[];
  /** The PostgreSQL backends of the bench database (their process title carries its name), and redis-server: what CPU per message counts (bench/costs.ts). */
  dbNeedles: string[];
  redisNeedles: string[];
  storage: StorageProbe;
}

export function sqliteBackend(dataDir: string): Backend {
  fs.mkdirSync(dataDir, { recursive: true });
  return { name: 'sqlite', env: { SHOPTALK_DATA_DIR: dataDir }, processes: [], dbNeedles: [], redisNeedles: [], storage: { database: async () => sqliteBytes(dataDir), redis: null } };
}

export interface PostgresOptions {
  dataDir: string;
  pgUrl: string;
  /** The Redis server whose first empty DB from 5 up is used, unless redisUrl names one. */
  redisBaseUrl: string;
  redisUrl: string | undefined;
  /** The database is `<prefix>_<random>`. */
  databasePrefix: string;
}

/** A fresh PostgreSQL database and an empty, flushed Redis DB; both released on cleanup. */
export async function postgresBackend({ dataDir, pgUrl, redisBaseUrl, redisUrl: redisUrlOverride, databasePrefix }: PostgresOptions): Promise<Backend> {
  const dbName = `${databasePrefix}_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: pgUrl, connectionTimeoutMillis: 3000 });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName} TEMPLATE template0`);
  await admin.end();
  onCleanup(`database ${dbName}`, async () => {
    const c = new pg.Client({ connectionString: pgUrl, connectionTimeoutMillis: 3000 });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await c.end();
  });
  const url = new URL(pgUrl);
  url.pathname = `/${dbName}`;

  const redisUrl = redisUrlOverride ?? (await pickRedisDb(redisBaseUrl));
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, connectTimeout: 3000 });
  // The hub's BullMQ key prefix is not configurable from the environment: a Redis DB of its own keeps the
  // run apart from anything else on the server, and FLUSHDB before and after leaves it as it was found.
  await redis.flushdb();
  onCleanup(`Redis ${redisUrl}`, async () => {
    await redis.flushdb();
    redis.disconnect();
  });
  fs.mkdirSync(dataDir, { recursive: true });
  return {
    name: 'postgres+redis',
    env: { SHOPTALK_DATA_DIR: dataDir, DATABASE_URL: url.toString(), REDIS_URL: redisUrl, SHOPTALK_MASTER_KEY: randomBytes(32).toString('base64') },
    processes: [` ${dbName} `, ': walwriter', ': checkpointer', ': background writer', 'redis-server'],
    dbNeedles: [` ${dbName} `],
    redisNeedles: ['redis-server'],
    storage: { database: () => pgDatabaseBytes(pgUrl, dbName), redis: () => redisUsedMemory(redisUrl) },
  };
}

/** The first empty DB from 5 up on the server (never a DB in use). */
async function pickRedisDb(baseUrl: string): Promise<string> {
  for (let db = 5; db <= 15; db++) {
    const url = `${baseUrl}/${db}`;
    const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2000 });
    await r.connect();
    const size = await r.dbsize();
    r.disconnect();
    if (size === 0) return url;
  }
  throw new Error(`no empty Redis DB among 5..15 on ${baseUrl}; pass --redis-url`);
}

export async function reachable(check: () => Promise<void>): Promise<boolean> {
  try {
    await check();
    return true;
  } catch {
    return false;
  }
}
