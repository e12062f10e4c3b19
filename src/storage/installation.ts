// The installation's identity: a random id written by a migration, the same for every process that uses
// the database and different for every database, so installations sharing one Redis never share keys.
import type { Storage } from './database.js';

export async function installationId(storage: Storage): Promise<string> {
  const row = await storage.db.selectFrom('installation').select('id').orderBy('created_at').limit(1).executeTakeFirst();
  if (!row) throw new Error('the installation table is empty: run `shoptalk migrate`');
  return row.id;
}

/** The Redis key prefix of this installation: the configured one, else `shoptalk-<installation id>`. */
export async function redisPrefixFor(storage: Storage, configured: string | null): Promise<string> {
  return configured ?? `shoptalk-${await installationId(storage)}`;
}
