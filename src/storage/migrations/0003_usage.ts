// Usage records: one per billable send, with who owns the sending account, so an operator can bill merchants
// for messages that went through the platform's shared accounts (seed 002). Messages carry their category.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('usage_records')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('message_id', 'text', (c) => c.notNull().unique())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('channel_account_id', 'text', (c) => c.notNull())
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('month', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('usage_records_ws_month').on('usage_records').columns(['workspace_id', 'month']).execute();
  await db.schema.createIndex('usage_records_month').on('usage_records').column('month').execute();
  await db.schema.alterTable('messages').addColumn('category', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('messages').dropColumn('category').execute();
  await db.schema.dropTable('usage_records').ifExists().execute();
}
