// Data at rest: the schedule of recurring maintenance (the retention prune), the record of customer erasures
// (ids and counts only, no personal data), and indexes on the expiry times that pruning looks rows up by.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('maintenance_runs')
    .addColumn('name', 'text', (c) => c.primaryKey())
    /** The current chain's token: a job carrying another one is a stray copy and stops. */
    .addColumn('token', 'text', (c) => c.notNull())
    .addColumn('next_run_at', 'bigint', (c) => c.notNull())
    .addColumn('last_run_at', 'bigint')
    .addColumn('last_result', 'text')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('customer_erasures')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('requested_by', 'text')
    .addColumn('counts', 'text', (c) => c.notNull())
    .addColumn('erased_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('customer_erasures_ws').on('customer_erasures').columns(['workspace_id', 'erased_at']).execute();
  await db.schema.createIndex('inbound_webhooks_received').on('inbound_webhooks').column('received_at').execute();
  await db.schema.createIndex('sessions_expires').on('sessions').column('expires_at').execute();
  await db.schema.createIndex('verification_codes_expires').on('verification_codes').column('expires_at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('verification_codes_expires').ifExists().execute();
  await db.schema.dropIndex('sessions_expires').ifExists().execute();
  await db.schema.dropIndex('inbound_webhooks_received').ifExists().execute();
  await db.schema.dropTable('customer_erasures').ifExists().execute();
  await db.schema.dropTable('maintenance_runs').ifExists().execute();
}
