// The throughput benchmark (npm run bench): N signed Shopify order webhooks in, N WhatsApp messages out.
//
// Processes: the WhatsApp simulator (bench/simulator-process.ts), the hub (`node --import tsx
// src/cli/main.ts start --role all`, so that its pid is the node process whose peak RSS is read), and the
// load generator (bench/loadgen.ts) each run in their own process; this one only orchestrates.
// The same load generator and simulator also drive bench/relay.ts, a stateless relay that makes the same
// provider call per webhook with no verification, storage or queue: the ceiling of this machine.
//
// Per configuration it reports messages/s (N / first webhook sent → N-th message received), webhook
// acknowledgement latency, event-to-send latency (simulator receive time − load generator send time),
// peak RSS (VmHWM) of the server process, and hub/relay.
//
//   npm run bench -- [--n 10000] [--db sqlite|postgres|both|none] [--concurrency 32] [--rate <webhooks/s>]
//                    [--warmup 500] [--worker-concurrency 128] [--hub-env KEY=VALUE]... [--profile]
//                    [--no-relay] [--out bench/results/<timestamp>.json]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { fork, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { Redis } from 'ioredis';
import { ShopifySimulator } from '../src/adapters/stores/shopify/index.js';
import type { LoadFile, LoadReport, PreparedWebhook, ReceivedMessage, RelayFile, SimCommand, SimReply, SimRequest } from './common.js';
import { REPO_ROOT, cpuByCommand, cpuTimeMs, peakRss, percentile, sortedNumbers, systemBusyMs } from './common.js';
import { formatSummary, summariseProfile } from './profile-summary.js';

// -------------------------------------------------------------------------------------------------
// Options

const DEFAULT_PG_URL = 'postgres://postgres@127.0.0.1:5432/test';
const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
// The API caps an account's rate limit at 10,000/s (src/http/routes/connections.ts); far above the target.
const ACCOUNT_RATE_LIMIT = 10_000;
const SHOP = 'bench-store.myshopify.com';

const { values: args } = parseArgs({
  args: process.argv.slice(2),
  options: {
    // 10,000 keeps `npm run bench` (relay, SQLite, PostgreSQL + Redis) within about three minutes here.
    n: { type: 'string', default: '10000' },
    warmup: { type: 'string', default: '500' },
    db: { type: 'string' },
    concurrency: { type: 'string', default: '32' },
    rate: { type: 'string' },
    'worker-concurrency': { type: 'string', default: '128' },
    'hub-env': { type: 'string', multiple: true, default: [] },
    'pg-url': { type: 'string', default: DEFAULT_PG_URL },
    'redis-url': { type: 'string' },
    profile: { type: 'boolean', default: false },
    'no-relay': { type: 'boolean', default: false },
    out: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (args.help) {
  // The header comment is the usage text.
  const source = fs.readFileSync(new URL(import.meta.url), 'utf8').split('\n');
  const header = source.slice(0, source.findIndex((l) => !l.startsWith('//')));
  process.stdout.write(header.map((l) => l.replace(/^\/\/ ?/, '')).join('\n') + '\nSee bench/README.md for every option.\n');
  process.exit(0);
}

function positiveInt(name: string, value: string | undefined): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) fail(`--${name} must be a positive whole number (got ${value})`);
  return n;
}

function fail(message: string): never {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(2);
}

const N = positiveInt('n', args.n);
const WARMUP = positiveInt('warmup', args.warmup);
const CONCURRENCY = positiveInt('concurrency', args.concurrency);
const RATE = args.rate === undefined ? null : positiveInt('rate', args.rate);
const WORKER_CONCURRENCY = positiveInt('worker-concurrency', args['worker-concurrency']);
const HUB_ENV: Record<string, string> = {};
for (const kv of args['hub-env']) {
  const i = kv.indexOf('=');
  if (i <= 0) fail(`--hub-env wants KEY=VALUE (got ${kv})`);
  HUB_ENV[kv.slice(0, i)] = kv.slice(i + 1);
}
if (args.db !== undefined && !['sqlite', 'postgres', 'both', 'none'].includes(args.db)) fail(`--db must be sqlite, postgres, both or none (got ${args.db})`);

const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const OUT = path.resolve(REPO_ROOT, args.out ?? `bench/results/${stamp}.json`);

// -------------------------------------------------------------------------------------------------
// Cleanup: every child, temp dir, database and Redis DB is registered here as soon as it exists, and
// released in reverse order on success, error, Ctrl-C or SIGTERM.

const cleanups: Array<{ what: string; run: () => Promise<void> | void }> = [];
let cleaning: Promise<void> | null = null;

function onCleanup(what: string, run: () => Promise<void> | void): () => Promise<void> {
  const entry = { what, run };
  cleanups.push(entry);
  // Releasing early (a hub between configurations) takes it off the list.
  return async () => {
    const i = cleanups.indexOf(entry);
    if (i < 0) return;
    cleanups.splice(i, 1);
    await run();
  };
}

function cleanupAll(): Promise<void> {
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

let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    interrupted = true;
    process.stderr.write(`\nbench: ${signal}, cleaning up...\n`);
    void cleanupAll().finally(() => process.exit(130));
  });
}
for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
  process.on(event, (err: unknown) => {
    if (!interrupted) process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    void cleanupAll().finally(() => process.exit(interrupted ? 130 : 1));
  });
}

/** Stops a child: SIGTERM, then SIGKILL if it has not exited after `graceMs`. */
async function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

function exitedEarly(child: ChildProcess, what: string, logFile?: string): Promise<never> {
  return new Promise((_resolve, reject) => {
    child.once('exit', (code, signal) => {
      const tail = logFile && fs.existsSync(logFile) ? `\n--- last lines of ${logFile} ---\n${fs.readFileSync(logFile, 'utf8').split('\n').slice(-30).join('\n')}` : '';
      reject(new Error(`${what} exited (code ${code}, signal ${signal})${tail}`));
    });
  });
}

// -------------------------------------------------------------------------------------------------
// Child processes

/** `node --import tsx <script>` without a tsx CLI wrapper in between: the child's pid is the node process. */
function nodeTs(
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

async function runToEnd(child: ChildProcess, what: string): Promise<string> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  if (code !== 0) throw new Error(`${what} failed (exit ${code}):\n${stderr || stdout}`);
  return stdout;
}

class SimulatorProcess {
  private seq = 0;
  private pending = new Map<number, { resolve: (reply: SimReply) => void; reject: (err: Error) => void }>();
  private constructor(
    readonly child: ChildProcess,
    readonly url: string,
  ) {
    child.on('message', (msg: SimReply) => {
      if (!('reqId' in msg)) return;
      const waiter = this.pending.get(msg.reqId);
      this.pending.delete(msg.reqId);
      waiter?.resolve(msg);
    });
    // A simulator that dies (Ctrl-C reaches the whole process group) fails whatever waits on it.
    child.on('exit', (code, signal) => {
      for (const waiter of this.pending.values()) waiter.reject(new Error(`the simulator process exited (code ${code}, signal ${signal})`));
      this.pending.clear();
    });
  }

  static async start(phone: { phoneNumberId: string; wabaId: string; accessToken: string; appSecret: string }, maxOutbox: number): Promise<SimulatorProcess> {
    const child = fork(
      path.join(REPO_ROOT, 'bench/simulator-process.ts'),
      ['--phone-number-id', phone.phoneNumberId, '--waba-id', phone.wabaId, '--access-token', phone.accessToken, '--app-secret', phone.appSecret, '--max-outbox', String(maxOutbox)],
      { cwd: REPO_ROOT, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
    );
    child.on('error', (err) => process.stderr.write(`bench: simulator process: ${err.message}\n`));
    onCleanup('simulator process', () => stopChild(child, 3000));
    const url = await Promise.race([
      new Promise<string>((resolve) => {
        const onMessage = (msg: SimReply) => {
          if (msg.type !== 'ready') return;
          child.off('message', onMessage);
          resolve(msg.url);
        };
        child.on('message', onMessage);
      }),
      exitedEarly(child, 'the simulator process'),
    ]);
    return new SimulatorProcess(child, url);
  }

  private ask(request: SimRequest): Promise<SimReply> {
    const reqId = ++this.seq;
    const command: SimCommand = { ...request, reqId };
    return new Promise((resolve, reject) => {
      if (!this.child.connected) {
        reject(new Error('the simulator process is gone'));
        return;
      }
      this.pending.set(reqId, { resolve, reject });
      this.child.send(command, (err) => {
        if (!err) return;
        this.pending.delete(reqId);
        reject(err);
      });
    });
  }

  async count(): Promise<number> {
    const r = await this.ask({ type: 'count' });
    return r.type === 'count' ? r.count : 0;
  }

  async collect(clear: boolean): Promise<ReceivedMessage[]> {
    const r = await this.ask({ type: 'collect', clear });
    return r.type === 'collect' ? r.messages : [];
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

// -------------------------------------------------------------------------------------------------
// Workload

interface Workload {
  warmupFile: string;
  measuredFile: string;
  relayFile: string;
  warmup: PreparedWebhook[];
  measured: PreparedWebhook[];
  webhookSecret: string;
}

/**
 * Realistic orders from the Shopify simulator, signed like Shopify signs them, each with its own buyer
 * phone number (the simulator's sample buyers include numbers no channel would accept) and webhook id.
 */
async function buildWorkload(dir: string, phone: { phoneNumberId: string; accessToken: string }): Promise<Workload> {
  const shopify = new ShopifySimulator();
  const webhookSecret = randomBytes(24).toString('hex');
  // No subscriptions: placeOrder only builds and keeps the order; nothing is delivered from here.
  shopify.addShop({ domain: SHOP, webhookSecret });
  const all: PreparedWebhook[] = [];
  const sends: Record<string, string> = {};
  for (let i = 0; i < WARMUP + N; i++) {
    const buyerPhone = `+1 415 ${String(2_000_000 + i).slice(0, 3)} ${String(2_000_000 + i).slice(3)}`;
    const { order } = await shopify.placeOrder(SHOP, {
      phone: buyerPhone,
      customer: { phone: buyerPhone },
      shipping_address: { phone: buyerPhone },
      billing_address: { phone: buyerPhone },
    });
    const signed = shopify.signedDelivery(SHOP, 'orders/create', order);
    const webhookId = signed.headers['x-shopify-webhook-id']!;
    all.push({ webhookId, orderName: order.name, body: signed.body, headers: signed.headers });
    // The send the hub makes for this order (adapter.ts sendPayload with the default order_placed binding).
    sends[webhookId] = JSON.stringify({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: buyerPhone.replace(/\D/g, ''),
      type: 'template',
      template: {
        name: 'order_placed',
        language: { code: 'en_US' },
        components: [
          {
            type: 'body',
            parameters: [
              { type: 'text', text: `${order.customer?.first_name ?? ''} ${order.customer?.last_name ?? ''}`.trim() },
              { type: 'text', text: order.name },
              { type: 'text', text: `${order.total_price} ${order.currency}` },
            ],
          },
        ],
      },
    });
  }
  const warmup = all.slice(0, WARMUP);
  const measured = all.slice(WARMUP);
  const warmupFile = path.join(dir, 'warmup.json');
  const measuredFile = path.join(dir, 'measured.json');
  const relayFile = path.join(dir, 'relay.json');
  fs.writeFileSync(warmupFile, JSON.stringify({ webhooks: warmup } satisfies LoadFile));
  fs.writeFileSync(measuredFile, JSON.stringify({ webhooks: measured } satisfies LoadFile));
  fs.writeFileSync(relayFile, JSON.stringify({ phoneNumberId: phone.phoneNumberId, accessToken: phone.accessToken, sends } satisfies RelayFile));
  return { warmupFile, measuredFile, relayFile, warmup, measured, webhookSecret };
}

// -------------------------------------------------------------------------------------------------
// One phase: load generator run, then wait until the simulator has every message (or stops receiving).

interface PhaseResult {
  load: LoadReport;
  messages: ReceivedMessage[];
  drainedAfterMs: number;
  /** CPU ms used during the phase by the server under test and by the simulator. */
  serverCpuMs: number | null;
  simulatorCpuMs: number | null;
  /** CPU ms of the PostgreSQL backends serving the bench database and of redis-server. */
  dbCpuMs: number | null;
  /**
   * Cores used by every other process on the machine over the phase (PostgreSQL's shared background
   * processes included): anything else running at the same time takes CPU from the processes under test.
   */
  otherCores: number | null;
}

const STALL_MS = 20_000;

async function runPhase(sim: SimulatorProcess, serverPid: number, targetUrl: string, file: string, expected: number, dbProcesses: string[] = []): Promise<PhaseResult> {
  const db0 = cpuByCommand(dbProcesses);
  const serverCpu0 = cpuTimeMs(serverPid);
  const simCpu0 = cpuTimeMs(sim.child.pid!);
  const system0 = systemBusyMs();
  const own0 = process.cpuUsage();
  const window0 = Date.now();
  const loadArgs = ['--file', file, '--url', targetUrl, '--connections', String(CONCURRENCY), ...(RATE ? ['--rate', String(RATE)] : [])];
  const child = nodeTs('bench/loadgen.ts', loadArgs);
  const release = onCleanup('load generator', () => stopChild(child, 2000));
  const stdout = await runToEnd(child, 'the load generator');
  await release();
  const load = JSON.parse(stdout.trim().split('\n').pop()!) as LoadReport;

  const loadDone = Date.now();
  let last = -1;
  let lastChange = Date.now();
  for (;;) {
    const count = await sim.count();
    if (count >= expected) break;
    if (count !== last) {
      last = count;
      lastChange = Date.now();
    } else if (Date.now() - lastChange > STALL_MS) {
      process.stderr.write(`bench: the simulator received ${count} of ${expected} messages and nothing more for ${STALL_MS / 1000} s; going on\n`);
      break;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  // A short settle: a duplicate send arriving just after the N-th message still gets counted.
  await new Promise((r) => setTimeout(r, 300));
  const serverCpu1 = cpuTimeMs(serverPid);
  const simCpu1 = cpuTimeMs(sim.child.pid!);
  const system1 = systemBusyMs();
  const own = process.cpuUsage(own0);
  const windowMs = Date.now() - window0;
  const messages = await sim.collect(true);
  const serverCpuMs = serverCpu0 !== null && serverCpu1 !== null ? serverCpu1 - serverCpu0 : null;
  const simulatorCpuMs = simCpu0 !== null && simCpu1 !== null ? simCpu1 - simCpu0 : null;
  let dbCpuMs: number | null = null;
  if (dbProcesses.length > 0) {
    dbCpuMs = 0;
    // Backends started during the phase count from zero.
    for (const [pid, ms] of cpuByCommand(dbProcesses)) dbCpuMs += ms - (db0.get(pid) ?? 0);
  }
  const ours = (serverCpuMs ?? 0) + (simulatorCpuMs ?? 0) + (dbCpuMs ?? 0) + load.cpuTotalMs + (own.user + own.system) / 1000;
  return {
    load,
    messages,
    drainedAfterMs: Date.now() - loadDone,
    serverCpuMs,
    simulatorCpuMs,
    dbCpuMs,
    otherCores: system0 !== null && system1 !== null ? Math.max(0, system1 - system0 - ours) / windowMs : null,
  };
}

interface RunStats {
  n: number;
  delivered: number;
  missing: number;
  duplicates: number;
  unexpected: number;
  webhookErrors: number;
  webhookFailures: Record<string, number>;
  messagesPerSecond: number;
  webhooksAckedPerSecond: number;
  durationMs: number;
  ackMs: { p50: number; p99: number; max: number };
  eventToSendMs: { p50: number; p99: number; max: number };
  /** CPU used per process during the run, in cores (CPU seconds per second of the run). */
  cpuCores: { server: number | null; database: number | null; simulator: number | null; loadGenerator: number; otherProcesses: number | null };
}

function analyse(webhooks: PreparedWebhook[], phase: PhaseResult): RunStats {
  const indexByName = new Map(webhooks.map((w, i) => [w.orderName, i]));
  const seen = new Uint8Array(webhooks.length);
  let delivered = 0;
  let duplicates = 0;
  let unexpected = 0;
  let lastAt = 0;
  const e2s: number[] = [];
  for (const m of phase.messages) {
    // Whichever template parameter carries the order name maps the message to its webhook.
    let index: number | undefined;
    for (const v of m.values) {
      index = indexByName.get(v);
      if (index !== undefined) break;
    }
    if (index === undefined) {
      unexpected++;
      continue;
    }
    if (seen[index]) {
      duplicates++;
      continue;
    }
    seen[index] = 1;
    delivered++;
    lastAt = Math.max(lastAt, m.at);
    const sentAt = phase.load.sendAt[index];
    if (sentAt != null) e2s.push(m.at - sentAt);
  }
  const durationMs = lastAt - phase.load.firstSendAt;
  const ack = sortedNumbers(phase.load.ackMs);
  const e2sSorted = sortedNumbers(e2s);
  return {
    n: webhooks.length,
    delivered,
    missing: webhooks.length - delivered,
    duplicates,
    unexpected,
    webhookErrors: phase.load.errors,
    webhookFailures: phase.load.failures,
    messagesPerSecond: delivered > 0 ? delivered / (durationMs / 1000) : 0,
    webhooksAckedPerSecond: phase.load.ok / ((phase.load.lastAckAt - phase.load.firstSendAt) / 1000),
    durationMs,
    ackMs: { p50: percentile(ack, 50), p99: percentile(ack, 99), max: ack[ack.length - 1] ?? NaN },
    eventToSendMs: { p50: percentile(e2sSorted, 50), p99: percentile(e2sSorted, 99), max: e2sSorted[e2sSorted.length - 1] ?? NaN },
    cpuCores: {
      server: phase.serverCpuMs === null ? null : phase.serverCpuMs / durationMs,
      database: phase.dbCpuMs === null ? null : phase.dbCpuMs / durationMs,
      simulator: phase.simulatorCpuMs === null ? null : phase.simulatorCpuMs / durationMs,
      loadGenerator: phase.load.cpuMs / durationMs,
      otherProcesses: phase.otherCores,
    },
  };
}

function checkWarmup(name: string, webhooks: PreparedWebhook[], phase: PhaseResult): void {
  const s = analyse(webhooks, phase);
  if (s.delivered !== webhooks.length || s.webhookErrors > 0) {
    throw new Error(
      `${name}: warm-up delivered ${s.delivered} of ${webhooks.length} messages (${s.webhookErrors} webhooks not acknowledged: ${JSON.stringify(s.webhookFailures)}); the setup is broken`,
    );
  }
}

// -------------------------------------------------------------------------------------------------
// Configurations

interface ConfigResult {
  name: string;
  kind: 'relay' | 'hub';
  db: 'sqlite' | 'postgres+redis' | null;
  stats: RunStats;
  peakRssBytes: number | null;
  ratioToRelay: number | null;
  hubWarnings: number | null;
  /** Where the hub's log was kept (only when it logged warnings). */
  hubLog: string | null;
  profile: string | null;
}

async function runRelay(sim: SimulatorProcess, work: Workload, dir: string): Promise<ConfigResult> {
  const logFile = path.join(dir, 'relay.log');
  const child = nodeTs('bench/relay.ts', ['--file', work.relayFile, '--sim', sim.url]);
  const release = onCleanup('relay', () => stopChild(child, 3000));
  const url = await Promise.race([
    new Promise<string>((resolve) => {
      let buf = '';
      child.stdout!.on('data', (d: Buffer) => {
        buf += d.toString('utf8');
        const m = /listening (\S+)/.exec(buf);
        if (m) resolve(m[1]!);
      });
      child.stderr!.on('data', (d: Buffer) => fs.appendFileSync(logFile, d));
    }),
    exitedEarly(child, 'the relay', logFile),
  ]);
  const target = `${url}/webhooks/shopify/relay`;
  checkWarmup('relay', work.warmup, await runPhase(sim, child.pid!, target, work.warmupFile, work.warmup.length));
  const measured = await runPhase(sim, child.pid!, target, work.measuredFile, work.measured.length);
  const peak = peakRss(child.pid!);
  await release();
  return { name: 'relay (ceiling)', kind: 'relay', db: null, stats: analyse(work.measured, measured), peakRssBytes: peak, ratioToRelay: null, hubWarnings: null, hubLog: null, profile: null };
}

interface Backend {
  name: 'sqlite' | 'postgres+redis';
  env: Record<string, string>;
  /** Command-line fragments of the database processes whose CPU is charged to this configuration. */
  processes: string[];
}

async function sqliteBackend(dir: string): Promise<Backend> {
  const dataDir = path.join(dir, 'sqlite-data');
  fs.mkdirSync(dataDir, { recursive: true });
  return { name: 'sqlite', env: { SHOPTALK_DATA_DIR: dataDir }, processes: [] };
}

async function postgresBackend(dir: string): Promise<Backend> {
  const dbName = `shoptalk_bench_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: args['pg-url'], connectionTimeoutMillis: 3000 });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName} TEMPLATE template0`);
  await admin.end();
  onCleanup(`database ${dbName}`, async () => {
    const c = new pg.Client({ connectionString: args['pg-url'], connectionTimeoutMillis: 3000 });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await c.end();
  });
  const url = new URL(args['pg-url']);
  url.pathname = `/${dbName}`;

  const redisUrl = await pickRedisDb();
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, connectTimeout: 3000 });
  // The hub's BullMQ key prefix is not configurable from the environment: a Redis DB of its own keeps the
  // run apart from anything else on the server, and FLUSHDB before and after leaves it as it was found.
  await redis.flushdb();
  onCleanup(`Redis ${redisUrl}`, async () => {
    await redis.flushdb();
    redis.disconnect();
  });
  const dataDir = path.join(dir, 'pg-data');
  fs.mkdirSync(dataDir, { recursive: true });
  return {
    name: 'postgres+redis',
    env: { SHOPTALK_DATA_DIR: dataDir, DATABASE_URL: url.toString(), REDIS_URL: redisUrl, SHOPTALK_MASTER_KEY: randomBytes(32).toString('base64') },
    // PostgreSQL backends carry the database name in their process title; the WAL writer, checkpointer and
    // background writer are shared with other databases, but during the run the bench is what keeps them busy.
    processes: [` ${dbName} `, ': walwriter', ': checkpointer', ': background writer', 'redis-server'],
  };
}

/** --redis-url as given, else the first empty DB from 5 up on the default server (never a DB in use). */
async function pickRedisDb(): Promise<string> {
  if (args['redis-url']) return args['redis-url'];
  for (let db = 5; db <= 15; db++) {
    const url = `${DEFAULT_REDIS_URL}/${db}`;
    const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2000 });
    await r.connect();
    const size = await r.dbsize();
    r.disconnect();
    if (size === 0) return url;
  }
  throw new Error(`no empty Redis DB among 5..15 on ${DEFAULT_REDIS_URL}; pass --redis-url`);
}

async function reachable(check: () => Promise<void>): Promise<boolean> {
  try {
    await check();
    return true;
  } catch {
    return false;
  }
}

async function runHub(sim: SimulatorProcess, work: Workload, backend: Backend, dir: string, phone: PhoneIdentity, profileDir: string | null): Promise<ConfigResult> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...backend.env,
    HOST: '127.0.0.1',
    PORT: String(port),
    LOG_LEVEL: 'warn',
    SHOPTALK_WHATSAPP_API_URL: `${sim.url}/v23.0`,
    SHOPTALK_WORKER_CONCURRENCY: String(WORKER_CONCURRENCY),
    ...HUB_ENV,
  };
  delete env['SHOPTALK_SANDBOX'];

  // Workspace and API key through the CLI (the only public way to mint the first key). These commands only
  // touch the database, and without REDIS_URL: with it, the CLI's short-lived hub sometimes crashes on exit
  // with an unhandled ioredis "Connection is closed" error from BullMQ (seen under load; see the report).
  const cliEnv: NodeJS.ProcessEnv = { ...env };
  delete cliEnv['REDIS_URL'];
  const cli = (cliArgs: string[]) => runToEnd(nodeTs('src/cli/main.ts', cliArgs, { env: cliEnv }), `shoptalk ${cliArgs.join(' ')}`);
  const workspaceId = (await cli(['workspace', 'create', 'Bench Store'])).split('\t')[0]!.trim();
  const apiKey = (await cli(['api-key', 'create', '--workspace', workspaceId, '--name', 'bench'])).split('\n')[1]!.trim();

  const logFile = path.join(dir, `hub-${backend.name}.log`);
  const nodeArgs: string[] = [];
  const preload: string[] = [];
  if (profileDir) {
    fs.mkdirSync(profileDir, { recursive: true });
    nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${profileDir}`);
    // Source maps for the profile's line numbers, and per-statement SQL timings (bench/hub-instrument.ts).
    preload.push('./bench/hub-instrument.ts');
    env['BENCH_INSTRUMENT_DIR'] = profileDir;
  }
  const child = nodeTs('src/cli/main.ts', ['start', '--role', 'all'], { env, nodeArgs, preload, logFile });
  const release = onCleanup(`hub (${backend.name})`, () => stopChild(child, 15_000));
  const hubUrl = `http://127.0.0.1:${port}`;
  await Promise.race([waitForHealth(hubUrl), exitedEarly(child, 'the hub', logFile)]);

  // Everything else through the HTTP API, as a merchant's admin would.
  const api = async (method: string, route: string, body: unknown) => {
    const res = await fetch(`${hubUrl}/v1${route}`, {
      method,
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const json = (await res.json()) as Record<string, unknown>;
    if (!res.ok) throw new Error(`${method} /v1${route}: HTTP ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  const store = await api('POST', '/store-connections', { platform: 'shopify', name: 'Bench Store', shop_domain: SHOP, webhook_secret: work.webhookSecret });
  const account = await api('POST', '/channel-accounts', {
    channel: 'whatsapp',
    provider: 'meta',
    name: 'Bench WhatsApp',
    phone_number_id: phone.phoneNumberId,
    waba_id: phone.wabaId,
    access_token: phone.accessToken,
    app_secret: phone.appSecret,
    rate_limit_per_second: ACCOUNT_RATE_LIMIT,
  });
  await api('PUT', '/notification-settings/order.placed/whatsapp', {
    enabled: true,
    channel_account_id: account['id'],
    template: { name: 'order_placed', language: 'en_US' },
  });
  const target = String(store['webhook_url']);

  checkWarmup(`hub ${backend.name}`, work.warmup, await runPhase(sim, child.pid!, target, work.warmupFile, work.warmup.length, backend.processes));
  const measured = await runPhase(sim, child.pid!, target, work.measuredFile, work.measured.length, backend.processes);
  const peak = peakRss(child.pid!);
  await release();
  const log = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '';
  const warnings = log.split('\n').filter((l) => l.includes('"level":40') || l.includes('"level":50')).length;
  let keptLog: string | null = null;
  if (warnings > 0) {
    // The temp dir goes away at the end; a log with warnings is worth keeping next to the results.
    keptLog = OUT.replace(/\.json$/, `-hub-${backend.name}.log`);
    fs.mkdirSync(path.dirname(keptLog), { recursive: true });
    fs.copyFileSync(logFile, keptLog);
  }

  let profile: string | null = null;
  if (profileDir) {
    const file = fs.readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile'));
    profile = file ? path.join(profileDir, file) : null;
  }
  return { name: `hub ${backend.name}`, kind: 'hub', db: backend.name, stats: analyse(work.measured, measured), peakRssBytes: peak, ratioToRelay: null, hubWarnings: warnings, hubLog: keptLog, profile };
}

async function waitForHealth(url: string): Promise<void> {
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
// Report

function fmt(n: number | null, digits = 1): string {
  return n === null || !Number.isFinite(n) ? '-' : n.toFixed(digits);
}

function formatTable(results: ConfigResult[]): string {
  const header = ['configuration', 'messages/s', 'acked/s', 'ack p50', 'ack p99', 'e2s p50', 'e2s p99', 'peak RSS', 'CPU hub/db/sim/load/other', 'delivered', 'missing', 'dup', 'hub/relay'];
  const rows = results.map((r) => [
    r.name,
    fmt(r.stats.messagesPerSecond, 0),
    fmt(r.stats.webhooksAckedPerSecond, 0),
    `${fmt(r.stats.ackMs.p50)} ms`,
    `${fmt(r.stats.ackMs.p99)} ms`,
    `${fmt(r.stats.eventToSendMs.p50)} ms`,
    `${fmt(r.stats.eventToSendMs.p99)} ms`,
    r.peakRssBytes === null ? '-' : `${(r.peakRssBytes / 1024 / 1024).toFixed(0)} MB`,
    [r.stats.cpuCores.server, r.stats.cpuCores.database, r.stats.cpuCores.simulator, r.stats.cpuCores.loadGenerator, r.stats.cpuCores.otherProcesses]
      .map((c) => fmt(c, 2))
      .join('/'),
    `${r.stats.delivered}/${r.stats.n}`,
    String(r.stats.missing),
    String(r.stats.duplicates),
    r.ratioToRelay === null ? '' : r.ratioToRelay.toFixed(2),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

function targetChecks(r: ConfigResult): string[] {
  const mark = (ok: boolean) => (ok ? 'ok  ' : 'MISS');
  const s = r.stats;
  return [
    `  ${mark(s.messagesPerSecond >= 3000)} messages/s ≥ 3,000 (${fmt(s.messagesPerSecond, 0)})`,
    `  ${mark(r.ratioToRelay === null || r.ratioToRelay >= 0.3)} hub/relay ≥ 0.3 (${r.ratioToRelay === null ? (RATE ? 'not comparable at a fixed --rate' : 'no relay run') : r.ratioToRelay.toFixed(2)})`,
    `  ${mark(s.ackMs.p99 < 25)} ack p99 < 25 ms (${fmt(s.ackMs.p99)} ms)`,
    `  ${mark(r.peakRssBytes !== null && r.peakRssBytes < 300 * 1024 * 1024)} peak RSS < 300 MB (${r.peakRssBytes === null ? '-' : (r.peakRssBytes / 1024 / 1024).toFixed(0)} MB)`,
    `  ${mark(s.missing === 0 && s.duplicates === 0 && s.unexpected === 0 && s.webhookErrors === 0)} exactly N messages (missing ${s.missing}, duplicates ${s.duplicates}, unexpected ${s.unexpected}, webhooks not acknowledged ${s.webhookErrors})`,
  ];
}

// -------------------------------------------------------------------------------------------------

interface PhoneIdentity {
  phoneNumberId: string;
  wabaId: string;
  accessToken: string;
  appSecret: string;
}

async function main(): Promise<void> {
  const started = Date.now();
  const pgReachable = await reachable(async () => {
    const c = new pg.Client({ connectionString: args['pg-url'], connectionTimeoutMillis: 2000 });
    await c.connect();
    await c.end();
  });
  const redisReachable = await reachable(async () => {
    const r = new Redis(args['redis-url'] ?? DEFAULT_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2000 });
    try {
      await r.connect();
      await r.ping();
    } finally {
      r.disconnect();
    }
  });
  const dbChoice = args.db ?? (pgReachable && redisReachable ? 'both' : 'sqlite');
  if (args.db === undefined && dbChoice === 'sqlite') process.stdout.write('PostgreSQL or Redis is not reachable: running SQLite only.\n');
  if ((dbChoice === 'postgres' || dbChoice === 'both') && !(pgReachable && redisReachable)) {
    throw new Error(`--db ${dbChoice} needs PostgreSQL (${args['pg-url']}: ${pgReachable ? 'ok' : 'unreachable'}) and Redis (${redisReachable ? 'ok' : 'unreachable'})`);
  }
  // `none` runs the relay alone: a check of the harness and of the machine's ceiling.
  const backends: Array<'sqlite' | 'postgres'> = dbChoice === 'both' ? ['sqlite', 'postgres'] : dbChoice === 'none' ? [] : [dbChoice as 'sqlite' | 'postgres'];
  if (dbChoice === 'none' && args['no-relay']) fail('--db none with --no-relay leaves nothing to run');

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shoptalk-bench-'));
  onCleanup(`temp dir ${dir}`, () => fs.rmSync(dir, { recursive: true, force: true }));

  const reproduce = [
    'npm run bench --',
    `--n ${N}`,
    `--warmup ${WARMUP}`,
    `--db ${dbChoice}`,
    `--concurrency ${CONCURRENCY}`,
    ...(RATE ? [`--rate ${RATE}`] : []),
    `--worker-concurrency ${WORKER_CONCURRENCY}`,
    ...Object.entries(HUB_ENV).map(([k, v]) => `--hub-env ${k}=${v}`),
    ...(args.profile ? ['--profile'] : []),
    ...(args['no-relay'] ? ['--no-relay'] : []),
  ].join(' ');

  process.stdout.write(
    [
      `Shoptalk benchmark: ${N} signed Shopify orders/create webhooks in, ${N} WhatsApp messages out (after ${WARMUP} warm-up orders).`,
      `Machine: ${os.cpus().length} CPU × ${os.cpus()[0]?.model ?? '?'}, ${(os.totalmem() / 1024 ** 3).toFixed(0)} GB, Node ${process.version}.`,
      `Load: ${RATE ? `open loop at ${RATE} webhooks/s` : 'closed loop'} over ${CONCURRENCY} connections. Hub worker concurrency ${WORKER_CONCURRENCY}.`,
      `The channel account's rate limit is set to ${ACCOUNT_RATE_LIMIT}/s (the API's maximum): at Meta's default of 80 messages/s per number the`,
      `run would measure that limit, not the hub.`,
      '',
    ].join('\n'),
  );

  const phone: PhoneIdentity = {
    phoneNumberId: '106540352242922',
    wabaId: '102290129340398',
    accessToken: `EAAG${randomBytes(24).toString('hex')}`,
    appSecret: randomBytes(16).toString('hex'),
  };
  const t0 = Date.now();
  const work = await buildWorkload(dir, phone);
  process.stdout.write(`Built and signed ${WARMUP + N} orders in ${((Date.now() - t0) / 1000).toFixed(1)} s.\n`);
  const sim = await SimulatorProcess.start(phone, Math.max(200_000, WARMUP + N + 1000));
  process.stdout.write(`WhatsApp simulator at ${sim.url} (pid ${sim.child.pid}).\n`);

  const results: ConfigResult[] = [];
  // The relay runs before and after the hubs and the better run is the ceiling: it takes seconds, and one
  // run disturbed by something else on the machine would otherwise flatter every ratio.
  const relayRuns: ConfigResult[] = [];
  const runRelayOnce = async (when: string) => {
    process.stdout.write(`Running the relay (ceiling), ${when}...\n`);
    relayRuns.push(await runRelay(sim, work, dir));
  };
  if (!args['no-relay']) await runRelayOnce('first run');
  const profileRoot = args.profile ? path.join(path.dirname(OUT), `profiles-${stamp}`) : null;
  for (const kind of backends) {
    const backend = kind === 'sqlite' ? await sqliteBackend(dir) : await postgresBackend(dir);
    process.stdout.write(`Running the hub on ${backend.name}...\n`);
    results.push(await runHub(sim, work, backend, dir, phone, profileRoot ? path.join(profileRoot, backend.name) : null));
  }
  if (!args['no-relay'] && backends.length > 0) await runRelayOnce('second run');
  const relay = relayRuns.reduce<ConfigResult | null>((best, r) => (best && best.stats.messagesPerSecond >= r.stats.messagesPerSecond ? best : r), null);
  if (relay) {
    if (relayRuns.length > 1) relay.name = `relay (ceiling, best of ${relayRuns.length})`;
    results.unshift(relay);
    for (const r of results) {
      // At a fixed --rate both sides just keep up with the rate: the ratio of two equal rates says nothing.
      if (r.kind === 'hub' && !RATE && relay.stats.messagesPerSecond > 0) r.ratioToRelay = r.stats.messagesPerSecond / relay.stats.messagesPerSecond;
    }
  }

  process.stdout.write('\n' + formatTable(results) + '\n\n');
  process.stdout.write(
    'messages/s = N / (first webhook sent → N-th message received by the simulator); acked/s = webhooks acknowledged per second;\n' +
      'ack = webhook acknowledgement latency at the load generator; e2s = event-to-send, simulator receive time − webhook send time\n' +
      '(the simulator stamps receipt with Date.now(), 1 ms resolution); peak RSS = VmHWM of the server process (hub or relay);\n' +
      'CPU = cores used over the run by the server (hub or relay), its database (PostgreSQL backends of the bench database and\n' +
      `redis-server), the simulator, the load generator, and every other process on the machine (${os.cpus().length} cores in all).\n\n`,
  );
  const busy = results.filter((r) => (r.stats.cpuCores.otherProcesses ?? 0) > 0.25);
  if (busy.length > 0) {
    process.stdout.write(
      `WARNING: other processes kept ${busy.map((r) => `${fmt(r.stats.cpuCores.otherProcesses, 2)} cores busy during "${r.name}"`).join(', ')}.\n` +
        'The figures are lower than this machine gives when idle; run again when it is quiet.\n\n',
    );
  }
  for (const r of results.filter((x) => x.kind === 'hub')) {
    process.stdout.write(`Targets, ${r.name}:\n${targetChecks(r).join('\n')}\n`);
    if (r.hubWarnings) process.stdout.write(`  note: the hub logged ${r.hubWarnings} warnings/errors: ${r.hubLog ? path.relative(process.cwd(), r.hubLog) : ''}\n`);
    const failures = Object.entries(r.stats.webhookFailures);
    if (failures.length) process.stdout.write(`  webhook failures: ${failures.map(([k, v]) => `${k} ×${v}`).join(', ')}\n`);
  }

  const profiles: Record<string, unknown> = {};
  for (const r of results) {
    if (!r.profile) continue;
    const summary = summariseProfile(r.profile, 25);
    profiles[r.name] = summary;
    process.stdout.write(`\n${r.name}: ${formatSummary(summary)}\n`);
    process.stdout.write('(The profiler and the SQL timing slow the hub and add memory: take the figures from a run without --profile.)\n');
  }

  fs.mkdirSync(path.dirname(OUT), { recursive: true });
  fs.writeFileSync(
    OUT,
    JSON.stringify(
      {
        at: new Date().toISOString(),
        command: reproduce,
        machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model ?? null, memoryBytes: os.totalmem(), node: process.version },
        options: { n: N, warmup: WARMUP, db: dbChoice, concurrency: CONCURRENCY, rate: RATE, workerConcurrency: WORKER_CONCURRENCY, hubEnv: HUB_ENV },
        results,
        relayRuns: relayRuns.map((r) => ({ messagesPerSecond: r.stats.messagesPerSecond, ackMs: r.stats.ackMs, cpuCores: r.stats.cpuCores })),
        profiles,
      },
      null,
      2,
    ) + '\n',
  );
  process.stdout.write(`\nResults: ${path.relative(process.cwd(), OUT)}   (whole run ${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
  process.stdout.write(`Reproduce: ${reproduce}\n`);
}

try {
  await main();
  await cleanupAll();
  process.exit(0);
} catch (err) {
  // After Ctrl-C the children die first and main() fails on them: that is not worth a stack trace.
  if (!interrupted) process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  await cleanupAll();
  process.exit(interrupted ? 130 : 1);
}
