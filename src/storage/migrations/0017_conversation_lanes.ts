// Conversations: a serial lane per conversation (who holds it, until when) and a running number for the replies,
// so the turns of one chat run one at a time and their answers go out in order; a log of one-time code sends,
// so send limits count real sends per destination and per conversation; and when each customer identity was
// last active, so notifications go to the chat the customer uses now.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('conversations').addColumn('reply_seq', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('conversations').addColumn('lane_holder', 'text').execute();
  await db.schema.alterTable('conversations').addColumn('lane_until', 'bigint').execute();
  await db.schema.alterTable('customer_identities').addColumn('last_active_at', 'bigint').execute();
  await db.schema
    .createTable('otp_sends')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    .addColumn('code_id', 'text', (c) => c.notNull())
    // A MAC of the phone number or e-mail address: the log counts sends per destination without storing it.
    .addColumn('destination_hash', 'text', (c) => c.notNull())
    // The inbound message whose turn sent the code: a turn that runs again does not send (or count) twice.
    .addColumn('trigger_key', 'text', (c) => c.notNull())
    .addColumn('sent_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('otp_sends_trigger').on('otp_sends').columns(['workspace_id', 'trigger_key']).unique().execute();
  await db.schema.createIndex('otp_sends_destination').on('otp_sends').columns(['workspace_id', 'destination_hash', 'sent_at']).execute();
  await db.schema.createIndex('otp_sends_conversation').on('otp_sends').columns(['workspace_id', 'conversation_id', 'sent_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('otp_sends').ifExists().execute();
  await db.schema.alterTable('customer_identities').dropColumn('last_active_at').execute();
  await db.schema.alterTable('conversations').dropColumn('lane_until').execute();
  await db.schema.alterTable('conversations').dropColumn('lane_holder').execute();
  await db.schema.alterTable('conversations').dropColumn('reply_seq').execute();
}
