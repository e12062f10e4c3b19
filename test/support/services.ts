// Real databases for tests: a fresh SQLite file, a fresh PostgreSQL database, a unique Redis prefix.
// Outside CI an unreachable PostgreSQL or Redis skips those suites with a notice; in CI it fails them.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { Redis } from 'ioredis';
import { Storage } from '../../src/storage/database.js';

export const TEST_PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const inCI = process.env.CI === 'true' || process.env.CI === '1';

async function reachable(check: () => Promise<void>): Promise<boolean> {
  try {
    await check();
    return true;
  } catch (err) {
    if (inCI) throw err;
    return false;
  }
}

export const postgresAvailable = await reachable(async () => {
  const client = new pg.Client({ connectionString: TEST_PG_URL, connectionTimeoutMillis: 2000 });
  await client.connect();
  await client.end();
});

export const redisAvailable = await reachable(async () => {
  const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2000 });
  await redis.connect();
  await redis.ping();
  redis.disconnect();
});

if (!postgresAvailable) console.warn(`[tests] PostgreSQL at ${TEST_PG_URL} is unreachable: PostgreSQL suites are skipped`);
if (!redisAvailable) console.warn(`[tests] Redis at ${TEST_REDIS_URL} is unreachable: Redis suites are skipped`);

export interface TestDatabase {
  kind: 'sqlite' | 'postgres';
  storage: Storage;
  /** The configuration a hub process would need to open the same database. */
  database: { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string; poolSize: number };
  dataDir: string;
  destroy(): Promise<void>;
}

export function tempDir(label = 'shoptalk-test'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `${label}-`));
}

export async function createTestDatabase(kind: 'sqlite' | 'postgres'): Promise<TestDatabase> {
  const dataDir = tempDir();
  if (kind === 'sqlite') {
    const database = { kind: 'sqlite' as const, file: path.join(dataDir, 'shoptalk.db') };
    const storage = Storage.open(database);
    await storage.migrate();
    return {
      kind,
      storage,
      database,
      dataDir,
      async destroy() {
        await storage.close();
        fs.rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }
  const name = `shoptalk_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_PG_URL });
  await admin.connect();
  // template0 takes no connections, so test files creating databases at the same time do not collide on
  // template1 ("source database is being accessed by other users"); retry anyway on a busy template.
  for (let attempt = 1; ; attempt++) {
    try {
      await admin.query(`CREATE DATABASE ${name} TEMPLATE template0`);
      break;
    } catch (err) {
      if (attempt >= 5 || !String((err as Error).message).includes('being accessed by other users')) throw err;
      await new Promise((r) => setTimeout(r, 200 * attempt));
    }
  }
  await admin.end();
  const url = new URL(TEST_PG_URL);
  url.pathname = `/${name}`;
  const database = { kind: 'postgres' as const, url: url.toString(), poolSize: 10 };
  const storage = Storage.open(database);
  await storage.migrate();
  return {
    kind,
    storage,
    database,
    dataDir,
    async destroy() {
      await storage.close();
      const c = new pg.Client({ connectionString: TEST_PG_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The storage kinds a suite should run on: SQLite always, PostgreSQL when reachable. */
export const storageKinds: Array<'sqlite' | 'postgres'> = postgresAvailable ? ['sqlite', 'postgres'] : ['sqlite'];

export function uniqueRedisPrefix(): string {
  return `shoptalk-test-${randomBytes(5).toString('hex')}`;
}

export async function waitFor<T>(fn: () => Promise<T | null | undefined | false> | T | null | undefined | false, opts: { timeoutMs?: number; intervalMs?: number; what?: string } = {}): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 15_000);
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${opts.what ?? 'condition'}`);
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 20));
  }
}
