// The support inbox: custom fields, contacts, queues, categories, tickets and their messages.
import { sql } from 'kysely';
import type { Selectable } from 'kysely';
import type { Db } from '../database.js';
import type { TicketMessagesTable, TicketsTable } from '../schema.js';
import type { CategoriesRepo, ContactsRepo, CustomFieldsRepo, QueuesRepo, TicketMessagesRepo, TicketReadsRepo, TicketsRepo } from '../../core/tickets/repo.js';
import type { AssignmentMode, Contact, Queue, Ticket, TicketContext, TicketMessage, TicketStatus, TicketSummary } from '../../core/tickets/model.js';
import { newId } from '../../core/ids.js';
import { decodeCursor, encodeCursor } from './cursor.js';

const inserted = (res: { numInsertedOrUpdatedRows?: bigint }) => Number(res.numInsertedOrUpdatedRows ?? 0) > 0;

export function customFieldsRepo(db: Db): CustomFieldsRepo {
  const from = (r: { id: string; name: string; type: string; created_at: number }) => ({ id: r.id, name: r.name, type: 'text' as const, createdAt: r.created_at });
  return {
    async create(workspaceId, input) {
      const row = { id: newId('cf'), workspace_id: workspaceId, name: input.name, type: 'text', created_at: Date.now() };
      await db.insertInto('custom_fields').values(row).execute();
      return from(row);
    },
    async get(workspaceId, id) {
      const r = await db.selectFrom('custom_fields').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
      return r ? from(r) : null;
    },
    async list(workspaceId) {
      return (await db.selectFrom('custom_fields').selectAll().where('workspace_id', '=', workspaceId).orderBy('created_at').execute()).map(from);
    },
  };
}

const contactFrom = (r: { id: string; workspace_id: string; name: string | null; email: string | null; phone: string | null; fields: string; created_at: number; updated_at: number }): Contact => ({
  id: r.id,
  workspaceId: r.workspace_id,
  name: r.name,
  email: r.email,
  phone: r.phone,
  fields: JSON.parse(r.fields) as Record<string, string>,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export function contactsRepo(db: Db): ContactsRepo {
  // The contacts with a label (label_links: see the inbox tools, migration 0021).
  const labelled = (workspaceId: string, kind: 'contact', labelId: string) =>
    db.selectFrom('label_links').select('target_id').where('workspace_id', '=', workspaceId).where('target_kind', '=', kind).where('label_id', '=', labelId);
  const get = async (workspaceId: string, id: string) => {
    const r = await db.selectFrom('contacts').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
    return r ? contactFrom(r) : null;
  };
  return {
    async create(workspaceId, input) {
      const now = Date.now();
      const row = { id: newId('ct'), workspace_id: workspaceId, name: input.name, email: input.email, phone: input.phone, fields: JSON.stringify(input.fields), created_at: now, updated_at: now };
      await db.insertInto('contacts').values(row).execute();
      return contactFrom(row);
    },
    get,
    async update(workspaceId, id, patch) {
      const set: Record<string, unknown> = { updated_at: Date.now() };
      if (patch.name !== undefined) set['name'] = patch.name;
      if (patch.email !== undefined) set['email'] = patch.email;
      if (patch.phone !== undefined) set['phone'] = patch.phone;
      if (patch.fields !== undefined) set['fields'] = JSON.stringify(patch.fields);
      await db.updateTable('contacts').set(set).where('workspace_id', '=', workspaceId).where('id', '=', id).execute();
    },
    async list(workspaceId, opts) {
      let q = db.selectFrom('contacts').selectAll().where('workspace_id', '=', workspaceId);
      const after = decodeCursor(opts.cursor);
      if (after) q = q.where('id', '<', after);
      if (opts.labelId) q = q.where('id', 'in', labelled(workspaceId, 'contact', opts.labelId));
      const query = opts.query?.trim();
      if (query) {
        q = q.where((eb) =>
          eb.or([
            eb('name', '=', query),
            eb('email', '=', query.toLowerCase()),
            eb('phone', '=', query),
            eb('id', 'in', eb.selectFrom('contact_field_values').select('contact_id').where('workspace_id', '=', workspaceId).where('value', '=', query)),
          ]),
        );
      }
      const rows = await q.orderBy('id', 'desc').limit(opts.limit + 1).execute();
      const items = rows.slice(0, opts.limit).map(contactFrom);
      return { items, nextCursor: rows.length > opts.limit ? encodeCursor(items[items.length - 1]!.id) : null };
    },
    async findByField(workspaceId, fieldId, value) {
      const r = await db.selectFrom('contact_field_values').select('contact_id').where('workspace_id', '=', workspaceId).where('field_id', '=', fieldId).where('value', '=', value).executeTakeFirst();
      return r ? get(workspaceId, r.contact_id) : null;
    },
    async claimFieldValue(workspaceId, fieldId, value, contactId) {
      const res = await db
        .insertInto('contact_field_values')
        .values({ workspace_id: workspaceId, field_id: fieldId, value, contact_id: contactId })
        .onConflict((oc) => oc.columns(['workspace_id', 'field_id', 'value']).doNothing())
        .executeTakeFirst();
      return inserted(res);
    },
    async releaseFieldValues(workspaceId, contactId) {
      await db.deleteFrom('contact_field_values').where('workspace_id', '=', workspaceId).where('contact_id', '=', contactId).execute();
    },
    async remove(workspaceId, id) {
      await db.deleteFrom('contact_field_values').where('workspace_id', '=', workspaceId).where('contact_id', '=', id).execute();
      const res = await db.deleteFrom('contacts').where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
      return Number(res.numDeletedRows) > 0;
    },
  };
}

export function queuesRepo(db: Db): QueuesRepo {
  const from = (r: { id: string; name: string; auto_reply: string | null; signature: string | null; created_at: number; assignment: string; last_assigned_user_id: string | null }): Queue => ({
    id: r.id,
    name: r.name,
    autoReply: r.auto_reply,
    signature: r.signature,
    createdAt: r.created_at,
    assignment: r.assignment as AssignmentMode,
    lastAssignedUserId: r.last_assigned_user_id,
  });
  return {
    async create(workspaceId, input) {
      // The assignment columns take their defaults (off, none), so this insert also serves a database before 0022.
      const row = { id: newId('q'), workspace_id: workspaceId, name: input.name, auto_reply: input.autoReply, signature: input.signature, created_at: Date.now() };
      await db.insertInto('queues').values(row).execute();
      return from({ ...row, assignment: 'off', last_assigned_user_id: null });
    },
    async get(workspaceId, id) {
      const r = await db.selectFrom('queues').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
      return r ? from(r) : null;
    },
    async list(workspaceId) {
      return (await db.selectFrom('queues').selectAll().where('workspace_id', '=', workspaceId).orderBy('created_at').execute()).map(from);
    },
    async update(workspaceId, id, patch) {
      const set: Record<string, unknown> = {};
      if (patch.name !== undefined) set['name'] = patch.name;
      if (patch.autoReply !== undefined) set['auto_reply'] = patch.autoReply;
      if (patch.signature !== undefined) set['signature'] = patch.signature;
      if (patch.assignment !== undefined) set['assignment'] = patch.assignment;
      if (patch.lastAssignedUserId !== undefined) set['last_assigned_user_id'] = patch.lastAssignedUserId;
      if (Object.keys(set).length) await db.updateTable('queues').set(set).where('workspace_id', '=', workspaceId).where('id', '=', id).execute();
    },
  };
}

export function categoriesRepo(db: Db): CategoriesRepo {
  const from = (r: { id: string; name: string; created_at: number }) => ({ id: r.id, name: r.name, createdAt: r.created_at });
  return {
    async create(workspaceId, input) {
      const row = { id: newId('cat'), workspace_id: workspaceId, name: input.name, created_at: Date.now() };
      await db.insertInto('categories').values(row).execute();
      return from(row);
    },
    async get(workspaceId, id) {
      const r = await db.selectFrom('categories').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
      return r ? from(r) : null;
    },
    async list(workspaceId) {
      return (await db.selectFrom('categories').selectAll().where('workspace_id', '=', workspaceId).orderBy('created_at').execute()).map(from);
    },
  };
}

export const ticketFrom = (r: Selectable<TicketsTable>): Ticket => ({
  id: r.id,
  workspaceId: r.workspace_id,
  source: r.source,
  sourceRef: r.source_ref,
  externalId: r.external_id,
  queueId: r.queue_id,
  categoryId: r.category_id,
  status: r.status as TicketStatus,
  assignee: r.assignee,
  contactId: r.contact_id,
  customerExternalId: r.customer_external_id,
  customerName: r.customer_name,
  subject: r.subject,
  context: JSON.parse(r.context) as TicketContext,
  autoRepliedAt: r.auto_replied_at,
  lastMessageAt: r.last_message_at,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export function ticketsRepo(db: Db): TicketsRepo {
  // The tickets with a label (label_links: see the inbox tools, migration 0021).
  const labelled = (workspaceId: string, kind: 'ticket', labelId: string) =>
    db.selectFrom('label_links').select('target_id').where('workspace_id', '=', workspaceId).where('target_kind', '=', kind).where('label_id', '=', labelId);
  const findByExternal = async (workspaceId: string, sourceRef: string, externalId: string) => {
    const r = await db.selectFrom('tickets').selectAll().where('workspace_id', '=', workspaceId).where('source_ref', '=', sourceRef).where('external_id', '=', externalId).executeTakeFirst();
    return r ? ticketFrom(r) : null;
  };
  return {
    async createIfNew(workspaceId, input) {
      const now = Date.now();
      const row = {
        id: newId('tk'),
        workspace_id: workspaceId,
        source: input.source,
        source_ref: input.sourceRef,
        external_id: input.externalId,
        queue_id: input.queueId,
        category_id: input.categoryId,
        status: input.status,
        assignee: input.assignee,
        contact_id: input.contactId,
        customer_external_id: input.customerExternalId,
        customer_name: input.customerName,
        subject: input.subject,
        context: JSON.stringify(input.context),
        auto_replied_at: null,
        last_message_at: null,
        resolved_at: input.status === 'closed' ? now : null,
        created_at: now,
        updated_at: now,
      };
      const res = await db
        .insertInto('tickets')
        .values(row)
        .onConflict((oc) => oc.columns(['workspace_id', 'source_ref', 'external_id']).doNothing())
        .executeTakeFirst();
      if (inserted(res)) return { ticket: ticketFrom(row), created: true };
      return { ticket: (await findByExternal(workspaceId, input.sourceRef, input.externalId))!, created: false };
    },
    async get(workspaceId, id) {
      const r = await db.selectFrom('tickets').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
      return r ? ticketFrom(r) : null;
    },
    findByExternal,
    async latestForSource(workspaceId, sourceRef) {
      const r = await db.selectFrom('tickets').selectAll().where('workspace_id', '=', workspaceId).where('source_ref', '=', sourceRef).orderBy('created_at', 'desc').limit(1).executeTakeFirst();
      return r ? ticketFrom(r) : null;
    },
    async openForSource(workspaceId, sourceRef) {
      const r = await db
        .selectFrom('tickets')
        .selectAll()
        .where('workspace_id', '=', workspaceId)
        .where('source_ref', '=', sourceRef)
        .where('status', '!=', 'closed')
        .orderBy('created_at', 'desc')
        .limit(1)
        .executeTakeFirst();
      return r ? ticketFrom(r) : null;
    },
    async update(workspaceId, id, patch) {
      const set: Record<string, unknown> = { updated_at: Date.now() };
      const columns = { status: 'status', assignee: 'assignee', queueId: 'queue_id', categoryId: 'category_id', contactId: 'contact_id', autoRepliedAt: 'auto_replied_at', lastMessageAt: 'last_message_at', subject: 'subject' } as const;
      for (const [key, column] of Object.entries(columns)) {
        const value = patch[key as keyof typeof columns];
        if (value !== undefined) set[column] = value;
      }
      if (patch.context !== undefined) set['context'] = JSON.stringify(patch.context);
      // Resolution time for reports: set when the ticket closes, cleared when it opens again.
      if (patch.status !== undefined) set['resolved_at'] = patch.status === 'closed' ? sql`coalesce(resolved_at, ${set['updated_at'] as number})` : null;
      await db.updateTable('tickets').set(set).where('workspace_id', '=', workspaceId).where('id', '=', id).execute();
    },
    async list(workspaceId, f) {
      let q = db.selectFrom('tickets').selectAll().where('workspace_id', '=', workspaceId);
      if (f.source) q = q.where('source', '=', f.source);
      if (f.queueId) q = q.where('queue_id', '=', f.queueId);
      if (f.categoryId) q = q.where('category_id', '=', f.categoryId);
      if (f.status) q = q.where('status', '=', f.status);
      if (f.assignee) q = q.where('assignee', '=', f.assignee);
      if (f.labelId) q = q.where('id', 'in', labelled(workspaceId, 'ticket', f.labelId));
      const after = decodeCursor(f.cursor);
      if (after) q = q.where('id', '<', after);
      const rows = await q.orderBy('id', 'desc').limit(f.limit + 1).execute();
      const items = rows.slice(0, f.limit).map(ticketFrom);
      return { items, nextCursor: rows.length > f.limit ? encodeCursor(items[items.length - 1]!.id) : null };
    },
    async changedSince(workspaceId, since, limit) {
      const rows = await db.selectFrom('tickets').selectAll().where('workspace_id', '=', workspaceId).where('updated_at', '>', since).orderBy('updated_at').orderBy('id').limit(limit).execute();
      return rows.map(ticketFrom);
    },
  };
}

const messageFrom = (r: Selectable<TicketMessagesTable>): TicketMessage => ({
  id: r.id,
  ticketId: r.ticket_id,
  externalId: r.external_id,
  kind: r.kind as TicketMessage['kind'],
  author: r.author,
  body: r.body,
  attachments: JSON.parse(r.attachments) as TicketMessage['attachments'],
  attachmentBytes: Number(r.attachment_bytes),
  status: r.status as TicketMessage['status'],
  error: r.error,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export function ticketMessagesRepo(db: Db): TicketMessagesRepo {
  return {
    async addIfNew(workspaceId, input) {
      const now = Date.now();
      const row = {
        id: newId('tm'),
        workspace_id: workspaceId,
        ticket_id: input.ticketId,
        external_id: input.externalId,
        kind: input.kind,
        author: input.author,
        body: input.body,
        attachments: JSON.stringify(input.attachments),
        attachment_bytes: input.attachmentBytes,
        files: input.files?.length ? JSON.stringify(input.files.map((f) => ({ name: f.name, contentType: f.contentType, data: f.data.toString('base64') }))) : null,
        status: input.status,
        error: input.error,
        created_at: input.createdAt ?? now,
        updated_at: now,
      };
      const res = await db
        .insertInto('ticket_messages')
        .values(row)
        .onConflict((oc) => oc.columns(['workspace_id', 'ticket_id', 'external_id']).doNothing())
        .executeTakeFirst();
      return inserted(res) ? messageFrom(row) : null;
    },
    async get(workspaceId, id) {
      const r = await db.selectFrom('ticket_messages').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
      return r ? messageFrom(r) : null;
    },
    async update(workspaceId, id, patch) {
      const set: Record<string, unknown> = { updated_at: Date.now() };
      if (patch.status !== undefined) set['status'] = patch.status;
      if (patch.error !== undefined) set['error'] = patch.error;
      if (patch.externalId !== undefined) set['external_id'] = patch.externalId;
      if (patch.clearFiles) set['files'] = null;
      await db.updateTable('ticket_messages').set(set).where('workspace_id', '=', workspaceId).where('id', '=', id).execute();
    },
    async files(workspaceId, id) {
      const r = await db.selectFrom('ticket_messages').select('files').where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
      if (!r?.files) return [];
      return (JSON.parse(r.files) as Array<{ name: string; contentType: string; data: string }>).map((f) => ({ name: f.name, contentType: f.contentType, data: Buffer.from(f.data, 'base64') }));
    },
    async listForTicket(workspaceId, ticketId) {
      return (await db.selectFrom('ticket_messages').selectAll().where('workspace_id', '=', workspaceId).where('ticket_id', '=', ticketId).orderBy('created_at').orderBy('id').execute()).map(messageFrom);
    },
    async findByExternal(workspaceId, ticketId, externalId) {
      const r = await db.selectFrom('ticket_messages').selectAll().where('workspace_id', '=', workspaceId).where('ticket_id', '=', ticketId).where('external_id', '=', externalId).executeTakeFirst();
      return r ? messageFrom(r) : null;
    },
    async remove(workspaceId, id) {
      await db.deleteFrom('ticket_messages').where('workspace_id', '=', workspaceId).where('id', '=', id).execute();
    },
    async attachmentBytes(workspaceId, ticketId) {
      const r = await db
        .selectFrom('ticket_messages')
        .select((eb) => eb.fn.sum<number>('attachment_bytes').as('n'))
        .where('workspace_id', '=', workspaceId)
        .where('ticket_id', '=', ticketId)
        .where('status', '!=', 'failed')
        .executeTakeFirst();
      return Number(r?.n ?? 0);
    },
    async summaries(workspaceId, ticketIds) {
      const out = new Map<string, TicketSummary>(ticketIds.map((id) => [id, { last: null, firstCustomer: null, lastCustomerAt: null }]));
      if (ticketIds.length === 0) return out;
      // The newest message of each ticket (internal comments aside), and the first one from the customer.
      const edge = (fn: 'max' | 'min', kinds: 'visible' | 'customer') =>
        db
          .selectFrom('ticket_messages as m')
          .selectAll('m')
          .where('m.workspace_id', '=', workspaceId)
          .where('m.ticket_id', 'in', ticketIds)
          .where('m.kind', kinds === 'customer' ? '=' : '!=', kinds === 'customer' ? 'customer' : 'internal')
          .where('m.created_at', '=', (eb) =>
            eb
              .selectFrom('ticket_messages as m2')
              .select((e) => (fn === 'max' ? e.fn.max('m2.created_at') : e.fn.min('m2.created_at')).as('at'))
              .where('m2.workspace_id', '=', workspaceId)
              .whereRef('m2.ticket_id', '=', 'm.ticket_id')
              .where('m2.kind', kinds === 'customer' ? '=' : '!=', kinds === 'customer' ? 'customer' : 'internal'),
          )
          .orderBy('m.id')
          .execute();
      const [last, first, lastCustomer] = await Promise.all([
        edge('max', 'visible'),
        edge('min', 'customer'),
        db
          .selectFrom('ticket_messages')
          .select((eb) => ['ticket_id', eb.fn.max('created_at').as('at')])
          .where('workspace_id', '=', workspaceId)
          .where('ticket_id', 'in', ticketIds)
          .where('kind', '=', 'customer')
          .groupBy('ticket_id')
          .execute(),
      ]);
      for (const r of last) out.get(r.ticket_id)!.last = messageFrom(r);
      for (const r of first) {
        const s = out.get(r.ticket_id)!;
        if (!s.firstCustomer) s.firstCustomer = messageFrom(r);
      }
      for (const r of lastCustomer) out.get(r.ticket_id)!.lastCustomerAt = Number(r.at);
      return out;
    },
    async changedSince(workspaceId, since, limit) {
      const rows = await db.selectFrom('ticket_messages').selectAll().where('workspace_id', '=', workspaceId).where('updated_at', '>', since).orderBy('updated_at').orderBy('id').limit(limit).execute();
      return rows.map(messageFrom);
    },
  };
}

export function ticketReadsRepo(db: Db): TicketReadsRepo {
  return {
    async markRead(workspaceId, ticketId, userId, at) {
      await db
        .insertInto('ticket_reads')
        .values({ workspace_id: workspaceId, ticket_id: ticketId, user_id: userId, read_at: at })
        .onConflict((oc) => oc.columns(['workspace_id', 'ticket_id', 'user_id']).doUpdateSet({ read_at: at }))
        .execute();
    },
    async markUnread(workspaceId, ticketId, userId) {
      await db.deleteFrom('ticket_reads').where('workspace_id', '=', workspaceId).where('ticket_id', '=', ticketId).where('user_id', '=', userId).execute();
    },
    async readAt(workspaceId, userId, ticketIds) {
      if (ticketIds.length === 0) return new Map();
      const rows = await db.selectFrom('ticket_reads').select(['ticket_id', 'read_at']).where('workspace_id', '=', workspaceId).where('user_id', '=', userId).where('ticket_id', 'in', ticketIds).execute();
      return new Map(rows.map((r) => [r.ticket_id, Number(r.read_at)]));
    },
  };
}
