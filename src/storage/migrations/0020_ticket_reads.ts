// Inbox read marks: when each user last opened each ticket, so the inbox shows what is new to them.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('ticket_reads')
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
    .addColumn('ticket_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('read_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('ticket_reads_pk', ['workspace_id', 'ticket_id', 'user_id'])
    .execute();
  await db.schema.createIndex('ticket_reads_user').on('ticket_reads').columns(['workspace_id', 'user_id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('ticket_reads').ifExists().execute();
}
