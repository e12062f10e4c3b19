// The support team: invitations (a one-time link, stored as a hash), deactivated users, agent availability and
// capacity, queue membership and each queue's automatic assignment, and who has a ticket open (collision notice).
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('users').addColumn('deactivated_at', 'bigint').execute();
  await db.schema.alterTable('users').addColumn('availability', 'text', (c) => c.notNull().defaultTo('offline')).execute();
  // Open tickets an agent may hold at once under automatic assignment; null is no limit.
  await db.schema.alterTable('users').addColumn('capacity', 'integer').execute();
  await db.schema.alterTable('queues').addColumn('assignment', 'text', (c) => c.notNull().defaultTo('off')).execute();
  await db.schema.alterTable('queues').addColumn('last_assigned_user_id', 'text').execute();
  await db.schema
    .createTable('queue_members')
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
    .addColumn('queue_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('queue_members_pk', ['workspace_id', 'queue_id', 'user_id'])
    .execute();
  await db.schema.createIndex('queue_members_user').on('queue_members').columns(['workspace_id', 'user_id']).execute();
  await db.schema
    .createTable('user_invites')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('queue_ids', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull())
    .addColumn('invited_by', 'text')
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('accepted_at', 'bigint')
    .addColumn('revoked_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('user_invites_token').on('user_invites').column('token_hash').unique().execute();
  await db.schema.createIndex('user_invites_ws').on('user_invites').columns(['workspace_id', 'created_at']).execute();
  await db.schema
    .createTable('ticket_viewers')
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
    .addColumn('ticket_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('seen_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('ticket_viewers_pk', ['workspace_id', 'ticket_id', 'user_id'])
    .execute();
  await db.schema.createIndex('ticket_viewers_seen').on('ticket_viewers').columns(['workspace_id', 'seen_at']).execute();
  // One row per workspace, updated first by every assignment run: it serializes them (a row lock on PostgreSQL;
  // SQLite runs one writer at a time anyway), so two runs cannot both fill an agent's last free place.
  await db.schema
    .createTable('assignment_runs')
    .addColumn('workspace_id', 'text', (c) => c.primaryKey().references('workspaces.id'))
    .addColumn('runs', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('tickets_assignee').on('tickets').columns(['workspace_id', 'assignee', 'status']).execute();
  await db.schema.createIndex('tickets_waiting').on('tickets').columns(['workspace_id', 'queue_id', 'status']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('tickets_waiting').ifExists().execute();
  await db.schema.dropIndex('tickets_assignee').ifExists().execute();
  await db.schema.dropTable('assignment_runs').ifExists().execute();
  await db.schema.dropTable('ticket_viewers').ifExists().execute();
  await db.schema.dropTable('user_invites').ifExists().execute();
  await db.schema.dropTable('queue_members').ifExists().execute();
  await db.schema.alterTable('queues').dropColumn('last_assigned_user_id').execute();
  await db.schema.alterTable('queues').dropColumn('assignment').execute();
  await db.schema.alterTable('users').dropColumn('capacity').execute();
  await db.schema.alterTable('users').dropColumn('availability').execute();
  await db.schema.alterTable('users').dropColumn('deactivated_at').execute();
}
