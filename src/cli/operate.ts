// The operator's commands around the data: backup, restore and master-key rotation.
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/index.js';
import { resolveMasterKey } from '../app.js';
import { SecretBox } from '../core/secrets/secret-box.js';
import { Storage } from '../storage/database.js';
import { BackupError, backupSqlite, restoreSqlite } from '../storage/backup.js';
import { rotateSecrets } from '../storage/secret-rotation.js';
import type { RotationCount } from '../storage/secret-rotation.js';

type Out = (text: string) => void;

/** backup and restore with PostgreSQL: the database's own tools do it, and the command says how. */
export const EXIT_USE_PG_TOOLS = 2;

const keyAdvice = (config: Config) =>
  config.masterKey
    ? 'The secrets in it (provider credentials, webhook secrets) are sealed under SHOPTALK_MASTER_KEY: keep that key\n' +
      'as well, stored apart from the backup. Without it they cannot be decrypted.\n'
    : `The secrets in it (provider credentials, webhook secrets) are sealed under the master key in\n` +
      `${path.join(config.dataDir, 'master.key')}: back that file up as well, stored apart from the backup. Without it they cannot\n` +
      'be decrypted.\n';

const pgRoute = (config: Config) => {
  const url = config.database.kind === 'postgres' ? new URL(config.database.url) : null;
  const target = url ? `${url.protocol}//${url.username ? `${url.username}@` : ''}${url.host}${url.pathname}` : 'DATABASE_URL';
  return (
    `With PostgreSQL (${target}) back up and restore with PostgreSQL's own tools:\n` +
    '  pg_dump --format=custom --file=shoptalk.dump "$DATABASE_URL"\n' +
    '  pg_restore --clean --if-exists --no-owner --dbname="$DATABASE_URL" shoptalk.dump   (with the hub stopped)\n'
  );
};

export async function backup(config: Config, file: string, out: Out): Promise<number> {
  if (config.database.kind === 'postgres') {
    out(pgRoute(config) + keyAdvice(config));
    return EXIT_USE_PG_TOOLS;
  }
  try {
    const result = await backupSqlite(config.database.file, file);
    out(`Backed up ${config.database.file} to ${result.file} (${result.bytes} bytes, ${result.migrations} migrations; readable by its owner only).\n` + keyAdvice(config));
    return 0;
  } catch (err) {
    if (err instanceof BackupError) {
      process.stderr.write(`shoptalk backup: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

export async function restore(config: Config, file: string, out: Out): Promise<number> {
  if (config.database.kind === 'postgres') {
    out(pgRoute(config));
    return EXIT_USE_PG_TOOLS;
  }
  let result: ReturnType<typeof restoreSqlite>;
  try {
    result = restoreSqlite(file, config.database.file);
  } catch (err) {
    if (err instanceof BackupError) {
      process.stderr.write(`shoptalk restore: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
  out(`Restored ${path.resolve(file)} into ${config.database.file} (${result.migrations} migrations).\n`);
  if (result.previous) out(`The database that was there is now ${result.previous}.\n`);
  const keyFile = path.join(config.dataDir, 'master.key');
  if (!config.masterKey && !fs.existsSync(keyFile)) {
    out(`There is no master key in ${config.dataDir}: copy the master.key that belongs to this backup there before starting\nthe hub, or the stored secrets cannot be decrypted.\n`);
    return 0;
  }
  // Whether the configured key opens the restored secrets (a backup of another installation would not).
  const storage = Storage.open(config.database);
  try {
    const counts = await rotateSecrets(storage, new SecretBox(resolveMasterKey(config), config.previousMasterKeys), { dryRun: true });
    const unreadable = counts.reduce((n, c) => n + c.unreadable, 0);
    if (unreadable) out(`Warning: ${unreadable} stored secret(s) do not open under the configured master key; use the master key of the installation the backup came from.\n`);
    else out('Every stored secret opens under the configured master key.\n');
  } finally {
    await storage.close();
  }
  return 0;
}

export async function rotate(config: Config, opts: { previousKeyFile: string | null; batchSize?: number }, out: Out): Promise<number> {
  const keyFile = path.join(config.dataDir, 'master.key');
  if (!config.masterKey && (config.database.kind === 'postgres' || !fs.existsSync(keyFile))) {
    process.stderr.write(`shoptalk secrets rotate: no current master key: set SHOPTALK_MASTER_KEY or write the new key to ${keyFile}\n`);
    return 1;
  }
  const previous = [...(config.previousMasterKeys ?? [])];
  if (opts.previousKeyFile) previous.push(fs.readFileSync(opts.previousKeyFile, 'utf8').trim());
  let box: SecretBox;
  try {
    box = new SecretBox(resolveMasterKey(config), previous);
  } catch (err) {
    process.stderr.write(`shoptalk secrets rotate: ${(err as Error).message}\n`);
    return 1;
  }
  const storage = Storage.open(config.database);
  let counts: RotationCount[];
  try {
    counts = await rotateSecrets(storage, box, { batchSize: opts.batchSize });
  } finally {
    await storage.close();
  }
  for (const c of counts) out(`${c.table}.${c.column}: ${c.scanned} read, ${c.resealed} re-sealed, ${c.current} already under the current key, ${c.unreadable} unreadable\n`);
  const total = (k: keyof Pick<RotationCount, 'scanned' | 'resealed' | 'current' | 'unreadable'>) => counts.reduce((n, c) => n + c[k], 0);
  if (box.previousKeyCount === 0) out('No previous key was given (SHOPTALK_MASTER_KEY_PREVIOUS or --previous-key-file): nothing could be re-sealed.\n');
  if (total('unreadable')) {
    process.stderr.write(`shoptalk secrets rotate: ${total('unreadable')} secret(s) open under none of the keys given; they were left as they were.\n`);
    return 1;
  }
  out(
    `Done: ${total('resealed')} secret(s) re-sealed, ${total('current')} already under the current key.\n` +
      'Keep the previous key in SHOPTALK_MASTER_KEY_PREVIOUS on every process for as long as what it signed must keep\n' +
      'working (unsubscribe links in e-mails already sent, trusted-device cookies), then remove it.\n',
  );
  return 0;
}
