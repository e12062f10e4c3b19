// Service levels of the inbox: business hours per queue (and the outside-hours replies sent, one per ticket and
// closed period), SLA policies (scoped by queue; scope_kind leaves room for labels), each ticket's targets and
// outcomes (one row per ticket, for reports), CSAT settings and surveys with their answers.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('queue_business_hours')
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
    .addColumn('queue_id', 'text', (c) => c.notNull())
    .addColumn('time_zone', 'text', (c) => c.notNull())
    .addColumn('intervals', 'text', (c) => c.notNull())
    .addColumn('holidays', 'text', (c) => c.notNull())
    .addColumn('outside_hours_reply', 'text')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('queue_business_hours_pk', ['workspace_id', 'queue_id'])
    .execute();
  await db.schema
    .createTable('ticket_outside_hours_replies')
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
    .addColumn('ticket_id', 'text', (c) => c.notNull())
    .addColumn('period_start', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('ticket_outside_hours_replies_pk', ['workspace_id', 'ticket_id', 'period_start'])
    .execute();
  await db.schema
    .createTable('sla_policies')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('scope_kind', 'text', (c) => c.notNull())
    .addColumn('scope_id', 'text', (c) => c.notNull())
    .addColumn('first_response_minutes', 'integer')
    .addColumn('resolution_minutes', 'integer')
    .addColumn('business_hours', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('warning_percent', 'integer', (c) => c.notNull().defaultTo(80))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('sla_policies_scope', ['workspace_id', 'scope_kind', 'scope_id'])
    .execute();
  await db.schema
    .createTable('ticket_slas')
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
    .addColumn('ticket_id', 'text', (c) => c.notNull())
    .addColumn('policy_id', 'text', (c) => c.notNull())
    .addColumn('queue_id', 'text')
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('first_response_due_at', 'bigint')
    .addColumn('first_response_warn_at', 'bigint')
    .addColumn('resolution_due_at', 'bigint')
    .addColumn('resolution_warn_at', 'bigint')
    .addColumn('first_response_at', 'bigint')
    .addColumn('first_response_breached', 'integer')
    .addColumn('resolved_at', 'bigint')
    .addColumn('resolution_breached', 'integer')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('ticket_slas_pk', ['workspace_id', 'ticket_id'])
    .execute();
  await db.schema.createIndex('ticket_slas_started').on('ticket_slas').columns(['workspace_id', 'started_at']).execute();
  await db.schema
    .createTable('csat_settings')
    .addColumn('workspace_id', 'text', (c) => c.primaryKey().references('workspaces.id'))
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('question', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('csat_surveys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
    .addColumn('ticket_id', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('agent', 'text')
    .addColumn('score', 'integer')
    .addColumn('sent_at', 'bigint', (c) => c.notNull())
    .addColumn('answered_at', 'bigint')
    .addUniqueConstraint('csat_surveys_ticket', ['workspace_id', 'ticket_id'])
    .execute();
  await db.schema.createIndex('csat_surveys_agent').on('csat_surveys').columns(['workspace_id', 'agent']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['csat_surveys', 'csat_settings', 'ticket_slas', 'sla_policies', 'ticket_outside_hours_replies', 'queue_business_hours']) await db.schema.dropTable(table).ifExists().execute();
}
