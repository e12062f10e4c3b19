// Reports: when a ticket was resolved (kept on the ticket; cleared when it reopens), indexes for the ticket ranges
// reports read, and the workspace's message prices (per sending account and pricing category, "*" for any).
// Messages get no new index (it would cost every send): their ids sort by creation time, so a range of days is a
// range of the primary key.
import { sql } from 'kysely';
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('tickets').addColumn('resolved_at', 'bigint').execute();
  // Tickets closed before this column existed: their last change is the best record of when.
  await sql`update tickets set resolved_at = updated_at where status = 'closed'`.execute(db);
  await db.schema.createIndex('tickets_created').on('tickets').columns(['workspace_id', 'created_at']).execute();
  await db.schema.createIndex('tickets_resolved').on('tickets').columns(['workspace_id', 'resolved_at']).execute();
  await db.schema
    .createTable('message_prices')
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
    .addColumn('channel_account_id', 'text', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('price_micros', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('message_prices_pk', ['workspace_id', 'channel_account_id', 'category'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('message_prices').ifExists().execute();
  await db.schema.dropIndex('tickets_resolved').ifExists().execute();
  await db.schema.dropIndex('tickets_created').ifExists().execute();
  await db.schema.alterTable('tickets').dropColumn('resolved_at').execute();
}
