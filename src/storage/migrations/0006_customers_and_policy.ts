// Customers with their identities, the poll position of polled stores, (chat ids, addresses, store customer ids), opt-outs per channel and
// address, the merchant's own text for notifications on channels without provider templates, and an index
// for "when did this address last write to this account" (the 24-hour windows).
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('customers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text')
    .addColumn('email', 'text')
    .addColumn('phone', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('customers_ws').on('customers').columns(['workspace_id', 'created_at']).execute();
  await db.schema
    .createTable('customer_identities')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    // The channel account (LINE user ids and PSIDs are per channel/page) or store connection; '' when global.
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('customer_identities_unique').on('customer_identities').columns(['workspace_id', 'kind', 'scope', 'value']).unique().execute();
  await db.schema.createIndex('customer_identities_customer').on('customer_identities').columns(['workspace_id', 'customer_id']).execute();
  await db.schema
    .createTable('opt_outs')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('opt_outs_pk', ['workspace_id', 'channel', 'address'])
    .execute();
  await db.schema.alterTable('notification_settings').addColumn('custom_template', 'text').execute();
  // Stores without order webhooks are polled: where the poll stands, and its last error.
  await db.schema.alterTable('store_connections').addColumn('poll_state', 'text').execute();
  await db.schema.alterTable('store_connections').addColumn('last_error', 'text').execute();
  await db.schema.createIndex('messages_inbound_from').on('messages').columns(['channel_account_id', 'recipient', 'direction', 'created_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('messages_inbound_from').ifExists().execute();
  await db.schema.alterTable('store_connections').dropColumn('last_error').execute();
  await db.schema.alterTable('store_connections').dropColumn('poll_state').execute();
  await db.schema.alterTable('notification_settings').dropColumn('custom_template').execute();
  await db.schema.dropTable('opt_outs').ifExists().execute();
  await db.schema.dropTable('customer_identities').ifExists().execute();
  await db.schema.dropTable('customers').ifExists().execute();
}
