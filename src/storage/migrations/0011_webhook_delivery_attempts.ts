// Outbound webhook deliveries retry for about a day: each delivery keeps when its next attempt is due, and every
// attempt (automatic or a manual redelivery) is recorded with its outcome.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('webhook_deliveries').addColumn('next_attempt_at', 'bigint').execute();
  await db.schema.createIndex('webhook_deliveries_status').on('webhook_deliveries').columns(['workspace_id', 'subscription_id', 'status', 'created_at']).execute();
  await db.schema
    .createTable('webhook_delivery_attempts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
    .addColumn('delivery_id', 'text', (c) => c.notNull().references('webhook_deliveries.id').onDelete('cascade'))
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('trigger', 'text', (c) => c.notNull())
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    .addColumn('response_status', 'integer')
    .addColumn('response_excerpt', 'text')
    .addColumn('error', 'text')
    .execute();
  await db.schema.createIndex('webhook_delivery_attempts_delivery').on('webhook_delivery_attempts').columns(['delivery_id', 'attempt']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('webhook_delivery_attempts').ifExists().execute();
  await db.schema.dropIndex('webhook_deliveries_status').ifExists().execute();
  await db.schema.alterTable('webhook_deliveries').dropColumn('next_attempt_at').execute();
}
