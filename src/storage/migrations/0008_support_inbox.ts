// The support inbox: CRM contacts with custom fields, queues with auto-replies, categories, tickets from
// marketplace threads and chats, and their messages (customer, shop panel, operator, agent, internal).
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('custom_fields')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('custom_fields_name').on('custom_fields').columns(['workspace_id', 'name']).unique().execute();
  await db.schema
    .createTable('contacts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text')
    .addColumn('email', 'text')
    .addColumn('phone', 'text')
    .addColumn('fields', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('contacts_ws').on('contacts').columns(['workspace_id', 'created_at']).execute();
  // One contact per value of a field (the EmpikPlace customer id): lookups, and creation that cannot race.
  await db.schema
    .createTable('contact_field_values')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('field_id', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('contact_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('contact_field_values_pk', ['workspace_id', 'field_id', 'value'])
    .execute();
  await db.schema
    .createTable('queues')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('auto_reply', 'text')
    .addColumn('signature', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('queues_name').on('queues').columns(['workspace_id', 'name']).unique().execute();
  await db.schema
    .createTable('categories')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('categories_name').on('categories').columns(['workspace_id', 'name']).unique().execute();
  await db.schema
    .createTable('tickets')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('source_ref', 'text', (c) => c.notNull())
    .addColumn('external_id', 'text', (c) => c.notNull())
    .addColumn('queue_id', 'text')
    .addColumn('category_id', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('assignee', 'text')
    .addColumn('contact_id', 'text')
    .addColumn('customer_external_id', 'text')
    .addColumn('customer_name', 'text')
    .addColumn('subject', 'text')
    .addColumn('context', 'text', (c) => c.notNull())
    .addColumn('auto_replied_at', 'bigint')
    .addColumn('last_message_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('tickets_external').on('tickets').columns(['workspace_id', 'source_ref', 'external_id']).unique().execute();
  await db.schema.createIndex('tickets_list').on('tickets').columns(['workspace_id', 'updated_at']).execute();
  await db.schema
    .createTable('ticket_messages')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('ticket_id', 'text', (c) => c.notNull())
    .addColumn('external_id', 'text')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('author', 'text')
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('attachments', 'text', (c) => c.notNull())
    .addColumn('attachment_bytes', 'bigint', (c) => c.notNull())
    // Files of a reply waiting to be sent (JSON, base64), cleared once sent: nothing is lost across processes.
    .addColumn('files', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('error', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('ticket_messages_external').on('ticket_messages').columns(['workspace_id', 'ticket_id', 'external_id']).unique().execute();
  await db.schema.createIndex('ticket_messages_ticket').on('ticket_messages').columns(['ticket_id', 'created_at']).execute();
  await db.schema.createIndex('ticket_messages_updates').on('ticket_messages').columns(['workspace_id', 'updated_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['ticket_messages', 'tickets', 'categories', 'queues', 'contact_field_values', 'contacts', 'custom_fields']) await db.schema.dropTable(t).ifExists().execute();
}
