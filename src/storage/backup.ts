// Backups of the embedded SQLite database. `backup` copies a consistent snapshot through SQLite's online backup
// API while the hub keeps running; `restore` puts a backup in place of the data folder's database while no
// process has it open, keeping the previous file aside. PostgreSQL has its own tools (pg_dump, pg_restore).
import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { DATA_FILE_MODE } from './file-modes.js';

export class BackupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackupError';
  }
}

/** Tables every Shoptalk database has from its first migration on. */
const SHOPTALK_TABLES = ['kysely_migration', 'installation', 'workspaces'];

export interface BackupResult {
  file: string;
  bytes: number;
  /** Migrations the backup has run (a restore needs a Shoptalk version that knows them all). */
  migrations: number;
}

/** Copies the live database at dbFile to target (which must not exist yet), readable by the owner only. */
export async function backupSqlite(dbFile: string, target: string): Promise<BackupResult> {
  if (!fs.existsSync(dbFile)) throw new BackupError(`there is no database at ${dbFile}`);
  const out = path.resolve(target);
  if (fs.existsSync(out)) throw new BackupError(`${out} already exists; choose a new file name`);
  // The copy is written beside its final name, owner-only from the start, and renamed once complete.
  const partial = `${out}.partial`;
  fs.rmSync(partial, { force: true });
  fs.closeSync(fs.openSync(partial, 'wx', DATA_FILE_MODE));
  fs.chmodSync(partial, DATA_FILE_MODE);
  const source = new BetterSqlite3(dbFile, { readonly: true, fileMustExist: true, timeout: 10_000 });
  try {
    await source.backup(partial);
  } catch (err) {
    fs.rmSync(partial, { force: true });
    throw err;
  } finally {
    source.close();
  }
  let migrations: number;
  try {
    // The copy keeps the live database's WAL mode in its header; as a single self-contained file it needs none.
    const copy = new BetterSqlite3(partial, { fileMustExist: true });
    try {
      copy.pragma('journal_mode = DELETE');
    } finally {
      copy.close();
    }
    migrations = inspect(partial).migrations;
  } catch (err) {
    fs.rmSync(partial, { force: true });
    throw err;
  }
  fs.renameSync(partial, out);
  return { file: out, bytes: fs.statSync(out).size, migrations };
}

/** Checks that file is an intact Shoptalk SQLite database; returns how many migrations it has run. */
export function inspect(file: string): { migrations: number } {
  let db: BetterSqlite3.Database;
  try {
    db = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
  } catch (err) {
    throw new BackupError(`${file} cannot be opened as a SQLite database: ${(err as Error).message}`);
  }
  try {
    let tables: string[];
    try {
      tables = (db.prepare(`select name from sqlite_master where type = 'table'`).all() as Array<{ name: string }>).map((r) => r.name);
    } catch {
      throw new BackupError(`${file} is not a SQLite database`);
    }
    const missing = SHOPTALK_TABLES.filter((t) => !tables.includes(t));
    if (missing.length) throw new BackupError(`${file} is not a Shoptalk database (no ${missing.join(', ')} table)`);
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new BackupError(`${file} is damaged: ${String(check)}`);
    const { n } = db.prepare('select count(*) as n from kysely_migration').get() as { n: number };
    return { migrations: n };
  } finally {
    db.close();
  }
}

export interface RestoreResult {
  /** Where the database that was in place now is; null when there was none. */
  previous: string | null;
  migrations: number;
}

/**
 * Replaces the database at dbFile with the backup at source. Refuses when source is not a Shoptalk database
 * or when a process (a running hub) has dbFile open; the database that was there is renamed aside.
 */
export function restoreSqlite(source: string, dbFile: string, now = new Date()): RestoreResult {
  const from = path.resolve(source);
  if (!fs.existsSync(from)) throw new BackupError(`there is no file ${from}`);
  const { migrations } = inspect(from);
  fs.mkdirSync(path.dirname(dbFile), { recursive: true, mode: 0o700 });

  let previous: string | null = null;
  if (fs.existsSync(dbFile)) {
    if (path.resolve(dbFile) === from) throw new BackupError('the backup is the database itself');
    ensureNotInUse(dbFile);
    previous = `${dbFile}.before-restore-${now.toISOString().replace(/[:.]/g, '-')}`;
    fs.renameSync(dbFile, previous);
  }
  // A checkpointed database leaves no -wal/-shm; any left over belong to the old file, not the backup.
  for (const suffix of ['-wal', '-shm']) {
    if (fs.existsSync(dbFile + suffix)) fs.renameSync(dbFile + suffix, (previous ?? `${dbFile}.stale`) + suffix);
  }
  const partial = `${dbFile}.restoring`;
  fs.rmSync(partial, { force: true });
  fs.copyFileSync(from, partial, fs.constants.COPYFILE_EXCL);
  fs.chmodSync(partial, DATA_FILE_MODE);
  fs.renameSync(partial, dbFile);
  return { previous, migrations };
}

/**
 * Throws when another connection has dbFile open. An exclusive lock taken before the first access is refused
 * while any other connection (of this process or another) uses the WAL; closing it then checkpoints the WAL
 * into the file.
 */
function ensureNotInUse(dbFile: string): void {
  const db = new BetterSqlite3(dbFile, { fileMustExist: true, timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
    db.exec('COMMIT');
  } catch (err) {
    db.close();
    if ((err as { code?: string }).code?.startsWith('SQLITE_BUSY')) throw new BackupError(`${dbFile} is in use: stop the hub (every process using this data folder) before restoring`);
    throw err;
  }
  db.close();
}
