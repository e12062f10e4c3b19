// Opens the database (SQLite by default, PostgreSQL when configured), runs migrations, and provides
// transactions. On SQLite, concurrent transactions are group-committed: every unit that arrives while a
// commit is in flight joins the next one as a savepoint, so one fsync makes a whole batch durable.
import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { CompiledQuery, Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from 'kysely';
import type { Migration, MigrationProvider } from 'kysely';
import pg from 'pg';
import type { Config } from '../config/index.js';
import type { Database } from './schema.js';
import { dropNulFromParameters } from './pg-text.js';
import { DATA_DIR_MODE, createPrivateFile, tightenIfExists } from './file-modes.js';
import * as m0001 from './migrations/0001_foundation.js';
import * as m0002 from './migrations/0002_channel_selection.js';
import * as m0003 from './migrations/0003_usage.js';
import * as m0004 from './migrations/0004_variable_samples.js';
import * as m0005 from './migrations/0005_outbound_webhooks.js';
import * as m0006 from './migrations/0006_customers_and_policy.js';
import * as m0007 from './migrations/0007_conversations.js';
import * as m0008 from './migrations/0008_support_inbox.js';
import * as m0009 from './migrations/0009_users_sessions.js';
import * as m0010 from './migrations/0010_workspace_foreign_keys.js';
import * as m0011 from './migrations/0011_webhook_delivery_attempts.js';
import * as m0012 from './migrations/0012_sign_in_failures.js';
import * as m0013 from './migrations/0013_retention_and_erasure.js';
import * as m0014 from './migrations/0014_delivery_outcomes.js';
import * as m0015 from './migrations/0015_chat_profiles.js';
import * as m0017 from './migrations/0017_conversation_lanes.js';
import * as m0018 from './migrations/0018_workspace_brand.js';
import * as m0019 from './migrations/0019_workspace_locale.js';
import * as m0020 from './migrations/0020_ticket_reads.js';
import * as m0021 from './migrations/0021_inbox_tools.js';
import * as m0022 from './migrations/0022_inbox_team.js';
import * as m0023 from './migrations/0023_business_hours_sla_csat.js';
import * as m0024 from './migrations/0024_job_trace_context.js';
import * as m0025 from './migrations/0025_reports.js';

export type Db = Kysely<Database>;
export type DialectKind = 'sqlite' | 'postgres';

/** Every migration of this version by name (the migration table records which ran, and when). */
export const migrations: Record<string, Migration> = {
  '0001_foundation': m0001,
  '0002_channel_selection': m0002,
  '0003_usage': m0003,
  '0004_variable_samples': m0004,
  '0005_outbound_webhooks': m0005,
  '0006_customers_and_policy': m0006,
  '0007_conversations': m0007,
  '0008_support_inbox': m0008,
  '0009_users_sessions': m0009,
  '0010_workspace_foreign_keys': m0010,
  '0011_webhook_delivery_attempts': m0011,
  '0012_sign_in_failures': m0012,
  '0013_retention_and_erasure': m0013,
  '0014_delivery_outcomes': m0014,
  '0015_chat_profiles': m0015,
  '0017_conversation_lanes': m0017,
  '0018_workspace_brand': m0018,
  '0019_workspace_locale': m0019,
  '0020_ticket_reads': m0020,
  '0021_inbox_tools': m0021,
  '0022_inbox_team': m0022,
  '0023_business_hours_sla_csat': m0023,
  '0024_job_trace_context': m0024,
  '0025_reports': m0025,
};

class StaticMigrations implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    return migrations;
  }
}

// node-postgres returns int8 as strings; every bigint here is epoch milliseconds, well within 2^53.
pg.types.setTypeParser(20, (v) => Number(v));

/**
 * 'sync': on disk before the transaction resolves (inbound webhooks: they are acknowledged right after).
 * 'relaxed': durable against a process crash at once, and against an OS crash within RELAXED_WINDOW_MS
 * (the worker's own state changes, which a lost write would only make it redo).
 */
export type Durability = 'sync' | 'relaxed';

const RELAXED_WINDOW_MS = 100;

/**
 * Flushes SQLite's WAL file to disk from libuv's thread pool, so the event loop never waits on an fsync.
 * SQLite runs with synchronous=NORMAL (commits write the WAL without syncing it; checkpoints sync); a sync
 * transaction resolves only after an fdatasync of the WAL that started after its commit. Requests that
 * arrive while one is in flight share the next one.
 */
class WalSyncer {
  private fd: number | null = null;
  private inFlight: Promise<void> | null = null;
  private next: Promise<void> | null = null;

  constructor(private readonly walFile: string) {}

  sync(): Promise<void> {
    if (!this.inFlight) {
      this.inFlight = this.run().finally(() => (this.inFlight = null));
      return this.inFlight;
    }
    // The running sync may have started before our commit: wait for the one after it.
    this.next ??= this.inFlight.then(() => {
      this.next = null;
      return this.sync();
    });
    return this.next;
  }

  private async run(): Promise<void> {
    this.fd ??= fs.openSync(this.walFile, 'r+');
    const fd = this.fd;
    await new Promise<void>((resolve, reject) => fs.fdatasync(fd, (err) => (err ? reject(err) : resolve())));
  }

  close(): void {
    if (this.fd != null) fs.closeSync(this.fd);
    this.fd = null;
  }
}

interface PendingUnit {
  fn: (tx: Db) => Promise<unknown>;
  durability: Durability;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

/** The group commit's own statements, compiled once (they run several times per message). */
const TX = {
  begin: CompiledQuery.raw('BEGIN IMMEDIATE'),
  savepoint: CompiledQuery.raw('SAVEPOINT unit'),
  release: CompiledQuery.raw('RELEASE unit'),
  rollbackTo: CompiledQuery.raw('ROLLBACK TO unit'),
  commit: CompiledQuery.raw('COMMIT'),
  rollback: CompiledQuery.raw('ROLLBACK'),
};

const MAX_GROUP = 512;
const MAX_RELAXED_PER_GROUP = 96;

export class Storage {
  readonly db: Db;
  readonly dialect: DialectKind;
  private readonly sqlite: BetterSqlite3.Database | null;
  private queue: PendingUnit[] = [];
  private flushing = false;
  private closed = false;
  /** SQLite only: the WAL syncer, and whether relaxed commits are waiting for a sync. */
  private readonly walSyncer: WalSyncer | null;
  private unsyncedSince: number | null = null;
  private syncTimer: NodeJS.Timeout | null = null;

  /** PostgreSQL only: connections with synchronous_commit off, for relaxed transactions. */
  private readonly relaxedDb: Db | null;

  private constructor(db: Db, dialect: DialectKind, sqlite: BetterSqlite3.Database | null, relaxedDb: Db | null = null) {
    this.db = db;
    this.dialect = dialect;
    this.sqlite = sqlite;
    this.relaxedDb = relaxedDb;
    this.walSyncer = sqlite ? new WalSyncer(`${sqlite.name}-wal`) : null;
  }

  static open(database: Config['database']): Storage {
    if (database.kind === 'postgres') {
      const pool = new pg.Pool({ connectionString: database.url, max: database.poolSize });
      // Relaxed transactions get their own connections with the setting made once per session, rather than
      // a SET LOCAL round trip per transaction. PostgreSQL's WAL writer flushes them within wal_writer_delay.
      const relaxedPool = new pg.Pool({ connectionString: database.url, max: database.poolSize, options: '-c synchronous_commit=off' });
      // A dropped connection must not crash the process; the pool replaces it.
      pool.on('error', () => undefined);
      relaxedPool.on('error', () => undefined);
      dropNulFromParameters(pool);
      dropNulFromParameters(relaxedPool);
      return new Storage(
        new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }),
        'postgres',
        null,
        new Kysely<Database>({ dialect: new PostgresDialect({ pool: relaxedPool }) }),
      );
    }
    fs.mkdirSync(path.dirname(database.file), { recursive: true, mode: DATA_DIR_MODE });
    // SQLite gives the -wal and -shm files the mode of the database file.
    createPrivateFile(database.file);
    const sqlite = new BetterSqlite3(database.file);
    sqlite.pragma('journal_mode = WAL');
    for (const suffix of ['-wal', '-shm']) tightenIfExists(database.file + suffix);
    // NORMAL: commits do not fsync on the event loop; WalSyncer makes sync transactions durable instead.
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('busy_timeout = 10000');
    // A larger page cache keeps hot index pages in memory; rarer, larger checkpoints write each hot page
    // once per checkpoint instead of many times.
    sqlite.pragma('cache_size = -16384');
    sqlite.pragma('wal_autocheckpoint = 4000');
    sqlite.pragma('temp_store = MEMORY');
    sqlite.pragma('foreign_keys = ON');
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
    return new Storage(db, 'sqlite', sqlite);
  }

  async migrate(): Promise<string[]> {
    // Migrations are independent of each other's order past 0009; a database that ran a later-numbered one first
    // (from a development branch) still gets the ones it misses.
    const migrator = new Migrator({ db: this.db, provider: new StaticMigrations(), allowUnorderedMigrations: true });
    const { error, results } = await migrator.migrateToLatest();
    if (error) throw error instanceof Error ? error : new Error(String(error));
    return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
  }

  /**
   * Runs fn in a transaction. Keep external I/O out of fn: on SQLite it shares the commit with its
   * neighbours. A failing unit rolls back alone; the others still commit.
   */
  transaction<T>(fn: (tx: Db) => Promise<T>, durability: Durability = 'sync'): Promise<T> {
    if (this.dialect === 'postgres') return (durability === 'relaxed' && this.relaxedDb ? this.relaxedDb : this.db).transaction().execute(fn);
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, durability, resolve: resolve as (v: unknown) => void, reject });
      if (!this.flushing) {
        this.flushing = true;
        // Let units created in the same tick join this commit.
        setImmediate(() => void this.flush());
      }
    });
  }

  /**
   * A single write with relaxed durability: on PostgreSQL one autocommit statement on a relaxed connection
   * (no BEGIN/COMMIT round trips), on SQLite a unit of the next group commit.
   */
  relaxedWrite<T>(fn: (db: Db) => Promise<T>): Promise<T> {
    if (this.dialect === 'postgres' && this.relaxedDb) return fn(this.relaxedDb);
    return this.transaction(fn, 'relaxed');
  }

  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.takeBatch();
      const outcomes: Array<{ ok: boolean; value: unknown }> = [];
      try {
        await this.db.connection().execute(async (conn) => {
          await conn.executeQuery(TX.begin);
          try {
            for (const unit of batch) {
              await conn.executeQuery(TX.savepoint);
              try {
                const value = await unit.fn(conn);
                await conn.executeQuery(TX.release);
                outcomes.push({ ok: true, value });
              } catch (err) {
                await conn.executeQuery(TX.rollbackTo);
                await conn.executeQuery(TX.release);
                outcomes.push({ ok: false, value: err });
              }
            }
            await conn.executeQuery(TX.commit);
          } catch (err) {
            await conn.executeQuery(TX.rollback).catch(() => undefined);
            throw err;
          }
        });
      } catch (err) {
        for (const unit of batch) unit.reject(err);
        continue;
      }
      const settle = () =>
        batch.forEach((unit, i) => {
          const outcome = outcomes[i]!;
          if (outcome.ok) unit.resolve(outcome.value);
          else unit.reject(outcome.value);
        });
      if (batch.some((u) => u.durability === 'sync')) {
        // The next batch runs while this one's fsync is under way; its units settle once it is on disk.
        this.unsyncedSince = null;
        this.walSyncer!.sync().then(settle, (err: unknown) => batch.forEach((unit) => unit.reject(err)));
      } else {
        this.unsyncedSince ??= Date.now();
        this.scheduleSync();
        settle();
      }
      // Give the event loop a turn (HTTP, job results) before the next batch.
      if (this.queue.length > 0) await new Promise((r) => setImmediate(r));
    }
    this.flushing = false;
  }

  /**
   * The next batch: every waiting sync unit (acknowledgements wait on them) and a bounded number of relaxed
   * ones, so that one batch never holds the connection (and the event loop) for long.
   */
  private takeBatch(): PendingUnit[] {
    const batch: PendingUnit[] = [];
    const rest: PendingUnit[] = [];
    let relaxed = 0;
    for (const unit of this.queue) {
      if (batch.length >= MAX_GROUP) rest.push(unit);
      else if (unit.durability === 'sync') batch.push(unit);
      else if (relaxed < MAX_RELAXED_PER_GROUP) {
        batch.push(unit);
        relaxed += 1;
      } else rest.push(unit);
    }
    this.queue = rest;
    return batch;
  }

  /** Makes relaxed commits durable within RELAXED_WINDOW_MS when no sync transaction does it first. */
  private scheduleSync(): void {
    if (this.syncTimer || !this.walSyncer) return;
    this.syncTimer = setTimeout(() => {
      this.syncTimer = null;
      if (this.unsyncedSince == null || this.closed) return;
      this.unsyncedSince = null;
      this.walSyncer!.sync().catch(() => undefined);
    }, RELAXED_WINDOW_MS);
    this.syncTimer.unref();
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    while (this.flushing) await new Promise((r) => setTimeout(r, 5));
    if (this.syncTimer) clearTimeout(this.syncTimer);
    if (this.walSyncer) {
      await this.walSyncer.sync().catch(() => undefined);
      this.walSyncer.close();
    }
    await this.db.destroy();
    await this.relaxedDb?.destroy();
    this.sqlite?.close();
  }
}

/**
 * Kysely prepares a statement for every query; better-sqlite3 statements are reusable, so a small cache
 * keyed by SQL text saves the parse on hot paths. Execution is synchronous and serialized, so reuse is safe.
 */
function withStatementCache(db: BetterSqlite3.Database): BetterSqlite3.Database {
  const cache = new Map<string, BetterSqlite3.Statement>();
  const prepare = db.prepare.bind(db);
  return new Proxy(db, {
    get(target, prop, receiver) {
      if (prop === 'prepare') {
        return (source: string) => {
          let stmt = cache.get(source);
          if (!stmt) {
            stmt = prepare(source);
            if (cache.size > 500) cache.clear();
            cache.set(source, stmt);
          }
          return stmt;
        };
      }
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** True when err is a unique-constraint violation on either dialect. */
export function isUniqueViolation(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false;
  const e = err as { code?: string; message?: string };
  return e.code === '23505' || e.code === 'SQLITE_CONSTRAINT_UNIQUE' || e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
