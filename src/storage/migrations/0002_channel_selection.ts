// The sending account a merchant selected per channel (seed 002, "Define your communication channel"), and
// who confirmed the extra charge of a notification sent through the platform's shared account.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('channel_selections')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('channel_account_id', 'text', (c) => c.notNull())
    .addColumn('selected_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('channel_selections_pk', ['workspace_id', 'channel'])
    .execute();
  await db.schema.alterTable('notification_settings').addColumn('charges_confirmed_at', 'bigint').execute();
  await db.schema.alterTable('notification_settings').addColumn('charges_confirmed_by', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('notification_settings').dropColumn('charges_confirmed_by').execute();
  await db.schema.alterTable('notification_settings').dropColumn('charges_confirmed_at').execute();
  await db.schema.dropTable('channel_selections').ifExists().execute();
}
