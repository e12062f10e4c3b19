// Delivery outcomes: a random installation id (it names this installation's keys in a shared Redis), and
// per message the moment its send was handed to the provider and whether the outcome's bookkeeping
// (activity, usage, outbound webhooks) is still to be written.
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('installation')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  const k = db as unknown as Kysely<{ installation: { id: string; created_at: number } }>;
  await k.insertInto('installation').values({ id: randomBytes(8).toString('hex'), created_at: Date.now() }).execute();
  await db.schema.alterTable('messages').addColumn('send_started_at', 'bigint').execute();
  await db.schema.alterTable('messages').addColumn('bookkeeping_due', 'integer', (c) => c.notNull().defaultTo(0)).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('messages').dropColumn('bookkeeping_due').execute();
  await db.schema.alterTable('messages').dropColumn('send_started_at').execute();
  await db.schema.dropTable('installation').ifExists().execute();
}
