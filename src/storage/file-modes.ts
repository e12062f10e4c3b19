// The data folder holds the SQLite database, the master key and the sandbox state: readable by the owner
// only. New files are created that way; files and folders left looser by an older version or a copy are
// tightened at start-up.
import fs from 'node:fs';
import path from 'node:path';

export const DATA_DIR_MODE = 0o700;
export const DATA_FILE_MODE = 0o600;

/** Creates dir (when asked) as 0700 and tightens it and every file directly in it to 0700 / 0600. */
export function secureDataDir(dir: string, opts: { create: boolean }): void {
  if (opts.create) fs.mkdirSync(dir, { recursive: true, mode: DATA_DIR_MODE });
  else if (!fs.existsSync(dir)) return;
  tighten(dir, DATA_DIR_MODE);
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.isFile()) tighten(path.join(dir, entry.name), DATA_FILE_MODE);
  }
}

/** Creates file empty with mode 0600 if it does not exist, so whatever opens it next keeps that mode. */
export function createPrivateFile(file: string): void {
  fs.closeSync(fs.openSync(file, 'a', DATA_FILE_MODE));
  tighten(file, DATA_FILE_MODE);
}

/** Tightens an existing database side file (-wal, -shm) to 0600. */
export function tightenIfExists(file: string): void {
  if (fs.existsSync(file)) tighten(file, DATA_FILE_MODE);
}

function tighten(target: string, mode: number): void {
  const stat = fs.statSync(target);
  // Only bits are taken away: a folder the operator made stricter stays so.
  if ((stat.mode & 0o777 & ~mode) !== 0) fs.chmodSync(target, stat.mode & 0o777 & mode);
}
