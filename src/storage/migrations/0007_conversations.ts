// Conversations in chat: flow modules and the workspace's chat settings, one conversation per customer address
// and channel account (its state survives restarts), one-time codes for account linking, failed-delivery cases,
// and the loyalty programme (members, an append-only ledger, one claim per order, prizes).
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('flow_modules')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('definition', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('flow_modules_ws_name').on('flow_modules').columns(['workspace_id', 'name']).unique().execute();
  await db.schema
    .createTable('chat_settings')
    .addColumn('workspace_id', 'text', (c) => c.primaryKey())
    .addColumn('settings', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('conversations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('channel_account_id', 'text', (c) => c.notNull())
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'text')
    .addColumn('mode', 'text', (c) => c.notNull())
    .addColumn('state', 'text')
    .addColumn('state_expires_at', 'bigint')
    .addColumn('unexpected_count', 'integer', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('last_inbound_at', 'bigint')
    .addColumn('handed_over_at', 'bigint')
    .addColumn('handover_reason', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('conversations_address').on('conversations').columns(['workspace_id', 'channel_account_id', 'address']).unique().execute();
  await db.schema.createIndex('conversations_mode').on('conversations').columns(['workspace_id', 'mode', 'updated_at']).execute();
  await db.schema.alterTable('messages').addColumn('conversation_id', 'text').execute();
  await db.schema.createIndex('messages_conversation').on('messages').columns(['conversation_id', 'created_at']).execute();
  await db.schema
    .createTable('verification_codes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('code_hash', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('sends', 'integer', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('consumed_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('verification_codes_conversation').on('verification_codes').columns(['workspace_id', 'conversation_id', 'created_at']).execute();
  await db.schema
    .createTable('ndr_cases')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('order_id', 'text', (c) => c.notNull())
    .addColumn('store_connection_id', 'text', (c) => c.notNull())
    .addColumn('channel_account_id', 'text', (c) => c.notNull())
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('tracking_id', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('action', 'text')
    .addColumn('reference', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('resolved_at', 'bigint')
    .execute();
  await db.schema.createIndex('ndr_cases_open').on('ndr_cases').columns(['workspace_id', 'channel_account_id', 'address', 'status']).execute();
  await db.schema.createIndex('ndr_cases_order').on('ndr_cases').columns(['workspace_id', 'order_id']).execute();
  await db.schema
    .createTable('loyalty_members')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('balance', 'bigint', (c) => c.notNull())
    .addColumn('joined_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('loyalty_members_pk', ['workspace_id', 'customer_id'])
    .execute();
  await db.schema
    .createTable('loyalty_ledger')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('delta', 'bigint', (c) => c.notNull())
    .addColumn('balance_after', 'bigint', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('reference', 'text')
    .addColumn('details', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('loyalty_ledger_member').on('loyalty_ledger').columns(['workspace_id', 'customer_id', 'created_at']).execute();
  // One claim per order, whoever claims it and however many claims race: the primary key decides.
  await db.schema
    .createTable('loyalty_claims')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('store_connection_id', 'text', (c) => c.notNull())
    .addColumn('order_external_id', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('points', 'bigint', (c) => c.notNull())
    .addColumn('reversed_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('loyalty_claims_pk', ['workspace_id', 'store_connection_id', 'order_external_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['loyalty_claims', 'loyalty_ledger', 'loyalty_members', 'ndr_cases', 'verification_codes']) await db.schema.dropTable(t).ifExists().execute();
  await db.schema.dropIndex('messages_conversation').ifExists().execute();
  await db.schema.alterTable('messages').dropColumn('conversation_id').execute();
  for (const t of ['conversations', 'chat_settings', 'flow_modules']) await db.schema.dropTable(t).ifExists().execute();
}
