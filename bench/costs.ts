// What a configuration costs per message, read from the operating system rather than estimated: CPU time
// (utime + stime from /proc) of the hub's processes, of the PostgreSQL backends serving the bench database and
// of redis-server, and how much the database grows. Shared by bench/run.ts and bench/mixed.ts.
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { Redis } from 'ioredis';
import { cpuTimeMs, processesMatching } from './common.js';

/** CPU ms since the meter started, split by who used it. */
export interface CpuSplit {
  hub: number;
  db: number;
  redis: number;
}

export function cpuTotal(c: CpuSplit): number {
  return c.hub + c.db + c.redis;
}

/**
 * Cumulative CPU of the processes that serve one configuration. The hub's pids are known; the database's
 * processes are found by command line: PostgreSQL backends carry the database name in their process title
 * (`postgres: user db 127.0.0.1(port) idle`), redis-server its own name. Backends that connect later count
 * from zero. The PostgreSQL processes shared by every database (WAL writer, checkpointer, background writer)
 * are not charged: other databases on the server keep them busy too.
 */
export class CpuMeter {
  private readonly needles: string[];
  private readonly kinds: Array<'db' | 'redis'>;
  private hubBase = new Map<number, number>();
  private otherBase = new Map<number, number>();
  /** Pid → group, refreshed every `rescanEvery` reads (a /proc scan costs a few ms). */
  private known = new Map<number, number>();
  private reads = 0;

  constructor(
    private readonly hubPids: number[],
    dbNeedles: string[],
    redisNeedles: string[],
    private readonly rescanEvery = 10,
  ) {
    this.needles = [...dbNeedles, ...redisNeedles];
    this.kinds = [...dbNeedles.map(() => 'db' as const), ...redisNeedles.map(() => 'redis' as const)];
  }

  /** Starts (or restarts) counting from now. */
  start(): void {
    this.hubBase = new Map(this.hubPids.map((pid) => [pid, cpuTimeMs(pid) ?? 0]));
    this.known = processesMatching(this.needles);
    this.otherBase = new Map([...this.known.keys()].map((pid) => [pid, cpuTimeMs(pid) ?? 0]));
    this.reads = 0;
  }

  /** CPU ms used since start(). */
  read(): CpuSplit {
    if (++this.reads % this.rescanEvery === 0) this.known = processesMatching(this.needles);
    const out: CpuSplit = { hub: 0, db: 0, redis: 0 };
    for (const [pid, base] of this.hubBase) out.hub += Math.max(0, (cpuTimeMs(pid) ?? base) - base);
    for (const [pid, group] of this.known) {
      const ms = cpuTimeMs(pid);
      if (ms === null) continue;
      out[this.kinds[group]!] += Math.max(0, ms - (this.otherBase.get(pid) ?? 0));
    }
    return out;
  }

  /** A final read that scans /proc first, so that no backend started meanwhile is missed. */
  readFinal(): CpuSplit {
    this.known = processesMatching(this.needles);
    this.reads = 0;
    return this.read();
  }
}

/** Bytes the SQLite database takes on disk: the database file and its write-ahead log. */
export function sqliteBytes(dataDir: string): number {
  let total = 0;
  for (const name of ['shoptalk.db', 'shoptalk.db-wal']) {
    try {
      total += fs.statSync(path.join(dataDir, name)).size;
    } catch {
      // No WAL right after a checkpoint that truncated it.
    }
  }
  return total;
}

export async function pgDatabaseBytes(adminUrl: string, dbName: string): Promise<number | null> {
  const c = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 3000 });
  try {
    await c.connect();
    const r = await c.query<{ size: string }>('SELECT pg_database_size($1)::text AS size', [dbName]);
    return Number(r.rows[0]?.size ?? NaN);
  } catch {
    return null;
  } finally {
    await c.end().catch(() => undefined);
  }
}

/** used_memory of the Redis server (the whole server: other DBs on it count too). */
export async function redisUsedMemory(redisUrl: string): Promise<number | null> {
  const r = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2000 });
  try {
    await r.connect();
    const info = await r.info('memory');
    const m = /^used_memory:(\d+)/m.exec(info);
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  } finally {
    r.disconnect();
  }
}

/** Where a configuration keeps its data, to measure growth per message. */
export interface StorageProbe {
  database: () => Promise<number | null>;
  redis: (() => Promise<number | null>) | null;
}

export interface StorageSample {
  database: number | null;
  redis: number | null;
}

export async function sampleStorage(probe: StorageProbe | null): Promise<StorageSample> {
  if (!probe) return { database: null, redis: null };
  return { database: await probe.database(), redis: probe.redis ? await probe.redis() : null };
}

/** Growth per message between two samples, in bytes. */
export function bytesPerMessage(before: StorageSample, after: StorageSample, n: number): StorageSample {
  const per = (a: number | null, b: number | null) => (a === null || b === null || n <= 0 ? null : (b - a) / n);
  return { database: per(before.database, after.database), redis: per(before.redis, after.redis) };
}

/** One sample of a run in progress: messages the simulator holds, and the CPU used so far. */
export interface ProgressSample {
  count: number;
  cpu: CpuSplit;
}

/** The CPU used by the time the simulator held `count` messages, interpolated linearly between samples. */
export function cpuAtCount(samples: ProgressSample[], count: number): number | null {
  if (samples.length === 0) return null;
  let prev: ProgressSample | null = null;
  for (const s of samples) {
    if (s.count >= count) {
      if (!prev || s.count === prev.count) return cpuTotal(s.cpu);
      const f = (count - prev.count) / (s.count - prev.count);
      return cpuTotal(prev.cpu) + f * (cpuTotal(s.cpu) - cpuTotal(prev.cpu));
    }
    prev = s;
  }
  return null;
}
