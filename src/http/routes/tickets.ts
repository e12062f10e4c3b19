import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import * as rs from '../response-schemas.js';
import type { HttpDeps } from '../deps.js';
import { idParams, iso, pageQuery } from '../views.js';
import { AppError, invalidField, notFound } from '../../core/errors.js';
import type { Contact, Queue, Ticket, TicketMessage } from '../../core/tickets/model.js';
import { ticketStatuses } from '../../core/tickets/model.js';
import { admin, agent } from '../roles.js';
import { inboxTickets } from '../../core/tickets/inbox-list.js';
import type { InboxTicket } from '../../core/tickets/inbox-list.js';
import type { Label } from '../../core/inbox-tools/model.js';
import { labelView } from '../inbox-tools-views.js';
import type { SlaView } from '../../core/inbox-sla/service.js';
import { viewerChanges } from '../viewer-events.js';

const HTML = /<\s*\/?\s*[a-z][a-z0-9-]*(\s[^<>]*)?>/i;

const contactView = (c: Contact, labels: Label[]) => ({ id: c.id, name: c.name, email: c.email, phone: c.phone, fields: c.fields, labels: labels.map(labelView), created_at: iso(c.createdAt), updated_at: iso(c.updatedAt) });

const queueView = (q: Queue) => ({ id: q.id, name: q.name, auto_reply: q.autoReply, signature: q.signature });

const ticketView = (t: Ticket) => ({
  id: t.id,
  source: t.source,
  queue_id: t.queueId,
  category_id: t.categoryId,
  status: t.status,
  assignee: t.assignee,
  contact_id: t.contactId,
  // A buyer outside the CRM is shown by the marketplace's customer id.
  customer_external_id: t.customerExternalId,
  customer_name: t.customerName,
  subject: t.subject,
  order: t.context.orderId ? { id: t.context.orderId, url: t.context.orderUrl, products: t.context.products } : null,
  conversation_url: t.context.conversationUrl,
  conversation_id: t.context.conversationId ?? null,
  last_message_at: iso(t.lastMessageAt),
  created_at: iso(t.createdAt),
  updated_at: iso(t.updatedAt),
});

/** A ticket as the inbox lists it: the ticket, plus names, the newest message and the reader's unread state. */
const slaView = (s: SlaView) => ({ policy_id: s.policyId, first_response_due_at: iso(s.firstResponseDueAt), resolution_due_at: iso(s.resolutionDueAt), first_response_at: iso(s.firstResponseAt), resolved_at: iso(s.resolvedAt), state: s.state });

const inboxView = (r: InboxTicket, sla: SlaView | null) => ({
  ...ticketView(r.ticket),
  // The name the inbox shows: the marketplace's buyer name, the CRM contact, or the customer behind the chat.
  customer_name: r.customerName,
  customer_id: r.customerId,
  title: r.subject,
  assignee_name: r.assigneeName,
  last_message: r.lastMessage ? { kind: r.lastMessage.kind, author: r.lastMessage.author, body: r.lastMessage.body.slice(0, 280), created_at: iso(r.lastMessage.createdAt) } : null,
  unread: r.unread,
  labels: r.labels.map(labelView),
  sla: sla ? slaView(sla) : null,
});

const ticketMessageView = (m: TicketMessage) => ({
  id: m.id,
  ticket_id: m.ticketId,
  kind: m.kind,
  author: m.author,
  body: m.body,
  attachments: m.attachments,
  status: m.status,
  error: m.error,
  created_at: iso(m.createdAt),
});

const plainText = (field: string) =>
  z
    .string()
    .max(2000)
    .refine((v) => !HTML.test(v), `${field} must be plain text, without HTML`);

export const ticketRoutes = (deps: HttpDeps): FastifyPluginAsyncZod => async (app) => {
  const { repos } = deps.uow;
  const { tickets, inboxTools } = deps;
  // Contacts as the API shows them: with their labels.
  const contactViews = async (ws: string, contacts: Contact[]) => {
    const labels = await inboxTools.labelsOn(ws, 'contact', contacts.map((c) => c.id));
    return contacts.map((c) => contactView(c, labels.get(c.id) ?? []));
  };
  const oneContact = async (ws: string, c: Contact) => (await contactViews(ws, [c]))[0]!;

  app.get('/custom-fields', { config: agent, schema: { tags: ['inbox'], summary: 'CRM custom fields', response: { 200: rs.CustomFieldList } } }, async (req) => ({ data: await repos.customFields.list(req.auth.workspaceId) }));
  app.post('/custom-fields', { config: admin, schema: { tags: ['inbox'], body: z.object({ name: z.string().trim().min(1).max(100), type: z.literal('text').default('text') }), response: { 201: rs.CustomField } } }, async (req, reply) => {
    try {
      return reply.status(201).send(await repos.customFields.create(req.auth.workspaceId, { name: req.body.name }));
    } catch (err) {
      if (String(err).match(/unique|duplicate/i)) throw new AppError('conflict', `a custom field named ${req.body.name} exists`);
      throw err;
    }
  });

  app.get('/queues', { config: agent, schema: { tags: ['inbox'], response: { 200: rs.QueueList } } }, async (req) => ({ data: (await repos.queues.list(req.auth.workspaceId)).map(queueView) }));
  app.post(
    '/queues',
    {
      config: admin,
      schema: {
        tags: ['inbox'],
        summary: 'A ticket queue, with an optional plain-text auto-reply sent once per new ticket and a plain-text signature for replies',
        body: z.object({ name: z.string().trim().min(1).max(100), auto_reply: plainText('auto_reply').nullish(), signature: plainText('signature').nullish() }),
        response: { 201: rs.Queue },
      },
    },
    async (req, reply) => {
    try {
      const q = await repos.queues.create(req.auth.workspaceId, { name: req.body.name, autoReply: req.body.auto_reply?.trim() || null, signature: req.body.signature?.trim() || null });
      return reply.status(201).send(queueView(q));
    } catch (err) {
      if (String(err).match(/unique|duplicate/i)) throw new AppError('conflict', `a queue named ${req.body.name} exists`);
      throw err;
    }
  },
  );
  app.patch('/queues/:id', { config: admin, schema: { tags: ['inbox'], params: idParams, body: z.object({ name: z.string().trim().min(1).max(100).optional(), auto_reply: plainText('auto_reply').nullish(), signature: plainText('signature').nullish() }), response: { 200: rs.Queue } } }, async (req) => {
    if (!(await repos.queues.get(req.auth.workspaceId, req.params.id))) throw notFound('queue', req.params.id);
    await repos.queues.update(req.auth.workspaceId, req.params.id, {
      ...(req.body.name ? { name: req.body.name } : {}),
      ...(req.body.auto_reply !== undefined ? { autoReply: req.body.auto_reply?.trim() || null } : {}),
      ...(req.body.signature !== undefined ? { signature: req.body.signature?.trim() || null } : {}),
    });
    return queueView((await repos.queues.get(req.auth.workspaceId, req.params.id))!);
  });

  app.get('/categories', { config: agent, schema: { tags: ['inbox'], response: { 200: rs.CategoryList } } }, async (req) => ({ data: await repos.categories.list(req.auth.workspaceId) }));
  app.post('/categories', { config: admin, schema: { tags: ['inbox'], body: z.object({ name: z.string().trim().min(1).max(100) }), response: { 201: rs.Category } } }, async (req, reply) => {
    try {
      return reply.status(201).send(await repos.categories.create(req.auth.workspaceId, { name: req.body.name }));
    } catch (err) {
      if (String(err).match(/unique|duplicate/i)) throw new AppError('conflict', `a category named ${req.body.name} exists`);
      throw err;
    }
  });

  const contactBody = z.object({ name: z.string().max(200).nullish(), email: z.string().max(320).nullish(), phone: z.string().max(40).nullish(), fields: z.record(z.string().max(100), z.string().max(500)).optional() });
  app.get('/contacts', { config: agent, schema: { tags: ['inbox'], summary: 'CRM contacts; query matches name, e-mail, phone or a custom field value; label_id keeps those with the label', querystring: pageQuery.extend({ query: z.string().max(320).optional(), label_id: z.string().max(100).optional() }), response: { 200: rs.ContactPage } } }, async (req) => {
    const ws = req.auth.workspaceId;
    const labelId = req.query.label_id ? await inboxTools.checkLabelId(ws, 'label_id', req.query.label_id) : null;
    const page = await repos.contacts.list(ws, { limit: req.query.limit, cursor: req.query.cursor ?? null, query: req.query.query ?? null, labelId });
    return { data: await contactViews(ws, page.items), next_cursor: page.nextCursor };
  });
  app.post('/contacts', { config: agent, schema: { tags: ['inbox'], body: contactBody, response: { 201: rs.Contact } } }, async (req, reply) => reply.status(201).send(await oneContact(req.auth.workspaceId, await tickets.saveContact(req.auth.workspaceId, null, req.body))));
  app.get('/contacts/:id', { config: agent, schema: { tags: ['inbox'], params: idParams, response: { 200: rs.Contact } } }, async (req) => {
    const c = await repos.contacts.get(req.auth.workspaceId, req.params.id);
    if (!c) throw notFound('contact', req.params.id);
    return oneContact(req.auth.workspaceId, c);
  });
  app.patch('/contacts/:id', { config: agent, schema: { tags: ['inbox'], params: idParams, body: contactBody, response: { 200: rs.Contact } } }, async (req) => oneContact(req.auth.workspaceId, await tickets.saveContact(req.auth.workspaceId, req.params.id, req.body)));

  app.get(
    '/tickets',
    {
      config: agent,
      schema: {
        tags: ['inbox'],
        summary: 'Tickets, filtered by source (EmpikPlace, WhatsApp…), queue, category, status, assignee and label',
        response: { 200: rs.TicketPage },
        querystring: pageQuery.extend({ source: z.string().max(40).optional(), queue_id: z.string().max(100).optional(), category_id: z.string().max(100).optional(), status: z.enum(ticketStatuses).optional(), assignee: z.string().max(200).optional(), label_id: z.string().max(100).optional() }),
      },
    },
    async (req) => {
      const q = req.query;
      const ws = req.auth.workspaceId;
      const assignee = q.assignee === 'me' ? await myAssigneeName(ws, req.auth.userId) : (q.assignee ?? null);
      const labelId = q.label_id ? await inboxTools.checkLabelId(ws, 'label_id', q.label_id) : null;
      const page = await repos.tickets.list(ws, { source: q.source ?? null, queueId: q.queue_id ?? null, categoryId: q.category_id ?? null, status: q.status ?? null, assignee, labelId, limit: q.limit, cursor: q.cursor ?? null });
      const slas = await deps.sla.views(ws, page.items.map((t) => t.id));
      return { data: (await inboxTickets(repos, ws, page.items, req.auth.userId)).map((r) => inboxView(r, slas.get(r.ticket.id) ?? null)), next_cursor: page.nextCursor };
    },
  );
  // "me": the signed-in user, by e-mail (an assignee is stored as the user's e-mail address).
  const myAssigneeName = async (ws: string, userId: string | null): Promise<string> => {
    const me = userId ? await repos.users.get(ws, userId) : null;
    if (!me) throw invalidField('assignee', '"me" needs a signed-in user; with an API key, name the assignee');
    return me.email;
  };

  app.get('/tickets/:id', { config: agent, schema: { tags: ['inbox'], summary: 'A ticket with its messages, contact and context (order, products, links; a chat’s customer orders)', params: idParams, response: { 200: rs.TicketDetail } } }, async (req) => {
    const ws = req.auth.workspaceId;
    const t = await repos.tickets.get(ws, req.params.id);
    if (!t) throw notFound('ticket', req.params.id);
    const contact = t.contactId ? await repos.contacts.get(ws, t.contactId) : null;
    const [row] = await inboxTickets(repos, ws, [t], req.auth.userId);
    const customerId = row!.customerId;
    const orders = customerId ? (await deps.history.forCustomer(ws, customerId)).flatMap((h) => h.orders.map((o) => ({ name: o.name, status: o.fulfillmentStatus ?? o.financialStatus, total: o.total, url: o.statusUrl, created_at: o.createdAt }))) : [];
    const sla = (await deps.sla.views(ws, [t.id])).get(t.id) ?? null;
    return { ...inboxView(row!, sla), handover_reason: t.context.handoverReason ?? null, contact: contact ? await oneContact(ws, contact) : null, customer_orders: orders, messages: (await repos.ticketMessages.listForTicket(ws, t.id)).map(ticketMessageView) };
  });
  app.patch(
    '/tickets/:id',
    { config: agent, schema: { tags: ['inbox'], params: idParams, body: z.object({ status: z.enum(ticketStatuses).optional(), assignee: z.string().max(200).nullish().describe('"me" assigns the ticket to the signed-in user'), queue_id: z.string().max(100).nullish(), category_id: z.string().max(100).nullish(), contact_id: z.string().max(100).nullish(), hand_back: z.boolean().optional().describe('Closing a chat ticket gives the chat back to the bot unless false'), order_id: z.string().min(1).max(100).optional().describe('Links a chat ticket to an order of its customer (GET /v1/tickets/{id}/orders); the order’s timeline then shows the ticket') }), response: { 200: rs.Ticket } } },
    async (req) => {
      const b = req.body;
      const patch: Parameters<typeof tickets.update>[2] = {};
      if (b.status !== undefined) patch.status = b.status;
      if (b.assignee !== undefined) patch.assignee = b.assignee === 'me' ? await myAssigneeName(req.auth.workspaceId, req.auth.userId) : (b.assignee?.trim() || null);
      if (b.queue_id !== undefined) patch.queueId = b.queue_id ?? null;
      if (b.category_id !== undefined) patch.categoryId = b.category_id ?? null;
      if (b.contact_id !== undefined) patch.contactId = b.contact_id ?? null;
      // The order is checked before anything is written (src/core/tickets/order-link.ts).
      if (b.order_id !== undefined) await deps.orderLinks.check(req.auth.workspaceId, req.params.id, b.order_id);
      // The agent who resolves a ticket is the signed-in user (CSAT scores are counted per agent); else its assignee.
      const resolvedBy = b.status === 'closed' && req.auth.userId ? await myAssigneeName(req.auth.workspaceId, req.auth.userId) : null;
      let updated = await tickets.update(req.auth.workspaceId, req.params.id, patch, { handBack: b.hand_back, resolvedBy });
      if (b.order_id !== undefined) {
        await deps.orderLinks.link(req.auth.workspaceId, req.params.id, b.order_id);
        updated = (await repos.tickets.get(req.auth.workspaceId, req.params.id)) ?? updated;
      }
      const sla = (await deps.sla.views(req.auth.workspaceId, [updated.id])).get(updated.id) ?? null;
      return inboxView((await inboxTickets(repos, req.auth.workspaceId, [updated], req.auth.userId))[0]!, sla);
    },
  );
  // Read marks are per signed-in user: the inbox shows a ticket as unread until they open it.
  const readMark = async (ws: string, ticketId: string, userId: string | null) => {
    if (!userId) throw invalidField('session', 'read marks belong to a signed-in user; an API key has none');
    if (!(await repos.tickets.get(ws, ticketId))) throw notFound('ticket', ticketId);
    return userId;
  };
  app.post('/tickets/:id/read', { config: agent, schema: { tags: ['inbox'], summary: 'Mark the ticket as read by the signed-in user', params: idParams, response: { 204: rs.NoContent } } }, async (req, reply) => {
    const ws = req.auth.workspaceId;
    const userId = await readMark(ws, req.params.id, req.auth.userId);
    const summary = (await repos.ticketMessages.summaries(ws, [req.params.id])).get(req.params.id);
    // Read up to now, and at least up to the newest customer message (their clocks may run ahead of ours).
    await repos.ticketReads.markRead(ws, req.params.id, userId, Math.max(Date.now(), summary?.lastCustomerAt ?? 0));
    return reply.status(204).send();
  });
  app.delete('/tickets/:id/read', { config: agent, schema: { tags: ['inbox'], summary: 'Mark the ticket as unread for the signed-in user', params: idParams, response: { 204: rs.NoContent } } }, async (req, reply) => {
    const ws = req.auth.workspaceId;
    await repos.ticketReads.markUnread(ws, req.params.id, await readMark(ws, req.params.id, req.auth.userId));
    return reply.status(204).send();
  });
  app.post(
    '/tickets/:id/messages',
    {
      config: agent,
      bodyLimit: 16 * 1024 * 1024,
      schema: {
        tags: ['inbox'],
        summary: 'An agent reply (sent to the customer, plain text) or an internal comment (never sent); attachments up to 10 MB per conversation',
        response: { 201: rs.TicketMessage },
        params: idParams,
        body: z.object({
          body: z.string().max(20_000),
          internal: z.boolean().default(false),
          // Only for API keys (an integration names who writes); a signed-in user is always the author.
          author: z.string().max(200).nullish(),
          attachments: z.array(z.object({ name: z.string().min(1).max(255), content_type: z.string().max(100).default('application/octet-stream'), data: z.string().max(15_000_000) })).max(20).default([]),
        }),
      },
    },
    async (req, reply) => {
      const attachments = req.body.attachments.map((a, i) => {
        if (!/^[A-Za-z0-9+/]*={0,2}$/.test(a.data)) throw invalidField(`attachments[${i}].data`, 'must be base64');
        return { name: a.name, contentType: a.content_type, data: Buffer.from(a.data, 'base64') };
      });
      const author = req.auth.userId ? await deps.users.displayName(req.auth.workspaceId, req.auth.userId) : (req.body.author?.trim() || null);
      // An internal comment is a private note: its @mentions notify colleagues (the inbox tools), nothing is sent.
      const m = req.body.internal
        ? (await inboxTools.addNote(req.auth.workspaceId, req.params.id, { body: req.body.body, author, authorUserId: req.auth.userId })).message
        : await tickets.reply(req.auth.workspaceId, req.params.id, { body: req.body.body, internal: false, author, attachments });
      return reply.status(201).send(ticketMessageView(m));
    },
  );

  // Live updates: tickets and messages as they change, as server-sent events (works across processes: it reads
  // the database, which every api and worker process shares).
  app.get('/inbox/stream', { config: agent, schema: { tags: ['inbox'], summary: 'Server-sent events: ticket and ticket.message as they change', response: { 200: rs.InboxEvents } } }, async (req, reply) => {
    const ws = req.auth.workspaceId;
    reply.raw.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    reply.raw.write(': connected\n\n');
    let since = Date.now() - 1000;
    const seen = new Set<string>();
    const lastViewers = new Map<string, string>();
    let closed = false;
    req.raw.on('close', () => {
      closed = true;
    });
    const send = (event: string, data: unknown) => reply.raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    deps.metrics.inboxClients.inc();
    try {
      while (!closed) {
        // A change committed with a slightly older timestamp is still caught: the window overlaps by two seconds.
        const from = since - 2000;
        const [changedTickets, changedMessages] = await Promise.all([repos.tickets.changedSince(ws, from, 200), repos.ticketMessages.changedSince(ws, from, 200)]);
        for (const t of changedTickets) {
          const key = `t:${t.id}:${t.updatedAt}`;
          if (!seen.has(key)) send('ticket', ticketView(t));
          seen.add(key);
          since = Math.max(since, t.updatedAt);
        }
        for (const m of changedMessages) {
          const key = `m:${m.id}:${m.updatedAt}`;
          if (!seen.has(key)) send('ticket.message', ticketMessageView(m));
          seen.add(key);
          since = Math.max(since, m.updatedAt);
        }
        if (seen.size > 5000) seen.clear();
        // Collision notice: who has which ticket open, sent when it changes (src/http/routes/team.ts).
        for (const [ticketId, viewers] of await deps.team.viewers(ws, null).then((v) => viewerChanges(lastViewers, v))) send('ticket.viewers', { ticket_id: ticketId, viewers });
        reply.raw.write(': ping\n\n');
        await new Promise((r) => setTimeout(r, 500));
      }
    } finally {
      deps.metrics.inboxClients.dec();
    }
    return reply;
  });
};
