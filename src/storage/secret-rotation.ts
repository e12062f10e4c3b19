// Master-key rotation: every sealed column re-sealed under the box's current key. Rows a previous key sealed are
// re-sealed in batches, each in its own transaction; a row already under the current key is left as it is, so
// running the rotation again (or after an interruption) is harmless. A row changed meanwhile by a running hub
// keeps its new value (the update matches the old sealed text).
import { sql } from 'kysely';
import type { SecretBox } from '../core/secrets/secret-box.js';
import type { Storage } from './database.js';

/** Every column that holds secrets sealed with the SecretBox (src/storage/schema.ts). */
export const SEALED_COLUMNS = [
  { table: 'store_connections', column: 'secrets' },
  { table: 'channel_accounts', column: 'secrets' },
  { table: 'webhook_subscriptions', column: 'secret' },
] as const;

export interface RotationCount {
  table: string;
  column: string;
  /** Rows read. */
  scanned: number;
  /** Rows re-sealed under the current key by this run. */
  resealed: number;
  /** Rows that were already under the current key. */
  current: number;
  /** Rows no key of the ring opens (left unchanged). */
  unreadable: number;
}

/** dryRun: count only (which rows the current key opens, which need re-sealing, which no key opens). */
export async function rotateSecrets(storage: Storage, box: SecretBox, opts: { batchSize?: number; dryRun?: boolean } = {}): Promise<RotationCount[]> {
  const batchSize = opts.batchSize ?? 200;
  const counts: RotationCount[] = [];
  for (const { table, column } of SEALED_COLUMNS) {
    const count: RotationCount = { table, column, scanned: 0, resealed: 0, current: 0, unreadable: 0 };
    counts.push(count);
    let after = '';
    for (;;) {
      const last = await storage.transaction(async (tx) => {
        const { rows } = await sql<{ id: string; sealed: string }>`select id, ${sql.ref(column)} as sealed from ${sql.table(table)} where id > ${after} order by id limit ${batchSize}`.execute(tx);
        for (const row of rows) {
          count.scanned += 1;
          let resealed: string | null;
          try {
            resealed = box.reseal(row.sealed);
          } catch {
            count.unreadable += 1;
            continue;
          }
          if (resealed === null) {
            count.current += 1;
            continue;
          }
          if (!opts.dryRun) await sql`update ${sql.table(table)} set ${sql.ref(column)} = ${resealed} where id = ${row.id} and ${sql.ref(column)} = ${row.sealed}`.execute(tx);
          count.resealed += 1;
        }
        return rows.length < batchSize ? null : rows.at(-1)!.id;
      });
      if (last === null) break;
      after = last;
    }
  }
  return counts;
}
