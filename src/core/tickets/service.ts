// The support inbox (seed 003): EmpikPlace threads become tickets in the connection's queue and category, with
// the buyer's CRM contact (matched or created by the customer-id field), the order and its products beside the
// conversation; chats handed over to agents become tickets too. Replies are plain text; a conversation's
// attachments total at most 10 MB; internal comments are never sent.
import { randomBytes } from 'node:crypto';
import { AppError, ProviderError, invalidField, notFound } from '../errors.js';
import { checkStoredSecrets } from '../connections/credential-text.js';
import type { JobContext } from '../jobs.js';
import { MissingRecordError, PermanentJobError } from '../jobs.js';
import type { Logger, Providers } from '../providers.js';
import type { PollState, StoreConnection } from '../connections/repo.js';
import type { Repos, UnitOfWork } from '../repos.js';
import type { SecretBox } from '../secrets/secret-box.js';
import type { Conversation } from '../conversations/model.js';
import type { ChatService } from '../conversations/chat-service.js';
import { channelLabel } from '../notifications/labels.js';
import type { MarketplaceAdapter, MarketplaceThread, OutgoingAttachment } from './ports.js';
import type { Contact, Ticket, TicketContext, TicketMessage, TicketMessageKind, TicketStatus } from './model.js';
import { MAX_CONVERSATION_ATTACHMENT_BYTES } from './model.js';
import { ticketSubject } from './subject.js';
import type { InboxSlaService } from '../inbox-sla/service.js';
import type { Assigner } from '../team/assignment.js';

export const EMPIKPLACE = 'empikplace';
const SOURCE_LABEL: Record<string, string> = { empikplace: 'EmpikPlace' };
/** Threads are re-read this far back, so a message written while a poll ran is not missed. */
const OVERLAP_MS = 60_000;
const PAGE = 50;
const MAX_BACKOFF_MS = 15 * 60_000;

const newToken = (): string => randomBytes(12).toString('base64url');
const HTML = /<\s*\/?\s*[a-z][a-z0-9-]*(\s[^<>]*)?>|&[a-z]+;|&#\d+;/i;

export interface ReplyInput {
  body: string;
  internal: boolean;
  author: string | null;
  attachments: OutgoingAttachment[];
}

export class TicketService {
  /** Service levels (business hours, SLA, CSAT), set once they exist: they hear of opened, answered and resolved tickets. */
  sla: InboxSlaService | null = null;

  constructor(
    private readonly uow: UnitOfWork,
    private readonly providers: Providers,
    private readonly secrets: SecretBox,
    private readonly chat: ChatService,
    private readonly log: Logger,
    private readonly pollMs: number,
  ) {}

  private marketplace(platform: string): MarketplaceAdapter {
    const adapter = this.providers.marketplace(platform);
    if (!adapter) throw new AppError('validation_failed', `platform: ${platform} is not supported`);
    return adapter;
  }

  // ---- the EmpikPlace connection (connected by its provider definition, ConnectionService.connect)

  /** Checks the stored key again; a connection whose key works again resumes importing. */
  async reverify(workspaceId: string, connection: StoreConnection): Promise<void> {
    const adapter = this.marketplace(connection.platform);
    checkStoredSecrets(this.secrets.open(connection.sealedSecrets));
    try {
      await this.verify(() => adapter.verifyAccount({ settings: connection.settings, secrets: this.secrets.open(connection.sealedSecrets) }));
    } catch (err) {
      if (err instanceof AppError && err.code === 'provider_rejected_credentials') await this.uow.repos.storeConnections.update(workspaceId, connection.id, { status: 'invalid_credentials', lastError: err.message });
      throw err;
    }
    const state: PollState = { ...(connection.pollState ?? { since: Date.now(), until: null, cursor: null, failures: 0, lastPolledAt: null, token: '' }), token: newToken(), failures: 0 };
    await this.uow.transaction(async (tx) => {
      await tx.storeConnections.update(workspaceId, connection.id, { status: 'verified', verifiedAt: Date.now(), lastError: null, pollState: state });
      await tx.jobs.enqueue({ type: 'marketplace.poll', workspaceId, payload: { connectionId: connection.id, token: state.token } });
    });
  }

  private async verify<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      if (err instanceof ProviderError) {
        if (err.kind === 'permanent') throw new AppError('provider_rejected_credentials', err.message);
        throw new AppError('provider_unavailable', `EmpikPlace did not answer: ${err.message}`);
      }
      throw err;
    }
  }

  // ---- import (the marketplace.poll job)

  async poll(payload: { connectionId: string; token: string }, ctx: JobContext): Promise<void> {
    const workspaceId = ctx.workspaceId;
    if (!workspaceId) throw new PermanentJobError('marketplace.poll needs a workspace');
    const connection = await this.uow.repos.storeConnections.get(workspaceId, payload.connectionId);
    const state = connection?.pollState;
    // Removed, refused, or superseded by another chain (two workers, a retry after commit): this copy stops.
    if (!connection || !state || state.token !== payload.token || connection.status === 'invalid_credentials') return;
    const adapter = this.marketplace(connection.platform);
    const credentials = { settings: connection.settings, secrets: this.secrets.open(connection.sealedSecrets) };
    const startedAt = Date.now();
    let page;
    try {
      page = await adapter.listThreads(credentials, { updatedSince: Math.max(0, state.since - OVERLAP_MS), pageToken: state.cursor, limit: PAGE });
    } catch (err) {
      return this.pollFailed(connection, state, err);
    }
    const enabledAt = Number(connection.settings['enabledAt'] ?? 0);
    // Seed 003: only conversations with a message after the integration was enabled are imported.
    const fresh = page.threads.filter((t) => t.messages.some((m) => m.createdAt > enabledAt));
    const orders = await this.ordersFor(adapter, credentials, fresh);
    const next: PollState = page.nextPageToken
      ? { ...state, cursor: page.nextPageToken, failures: 0, lastPolledAt: startedAt, token: newToken() }
      : { since: Math.max(state.since, ...page.threads.map((t) => t.updatedAt), startedAt - OVERLAP_MS), until: null, cursor: null, failures: 0, lastPolledAt: startedAt, token: newToken() };
    await this.uow.transaction(async (tx) => {
      for (const thread of fresh) await this.importThread(tx, connection, adapter, credentials, thread, orders.get(thread.orderId ?? '') ?? null);
      await tx.storeConnections.update(workspaceId, connection.id, { pollState: next, lastError: null });
      await tx.jobs.enqueue({ type: 'marketplace.poll', workspaceId, payload: { connectionId: connection.id, token: next.token }, runAt: Date.now() + (page.nextPageToken ? 0 : this.pollMs) });
    });
  }

  private async ordersFor(adapter: MarketplaceAdapter, credentials: { settings: Record<string, string>; secrets: Record<string, string> }, threads: MarketplaceThread[]) {
    const ids = [...new Set(threads.map((t) => t.orderId).filter((id): id is string => !!id))];
    const byId = new Map<string, Awaited<ReturnType<MarketplaceAdapter['orders']>>[number]>();
    if (ids.length === 0) return byId;
    try {
      for (const order of await adapter.orders(credentials, ids)) byId.set(order.id, order);
    } catch (err) {
      // The order context is a help, not a condition: tickets come in without it when OR11 fails.
      if (!(err instanceof ProviderError)) throw err;
      this.log.warn({ reason: err.message }, 'EmpikPlace orders could not be read for ticket context');
    }
    return byId;
  }

  private async importThread(
    tx: Repos,
    connection: StoreConnection,
    adapter: MarketplaceAdapter,
    credentials: { settings: Record<string, string>; secrets: Record<string, string> },
    thread: MarketplaceThread,
    order: Awaited<ReturnType<MarketplaceAdapter['orders']>>[number] | null,
  ): Promise<void> {
    const ws = connection.workspaceId;
    const s = connection.settings;
    const contact = thread.customer ? await this.contactFor(tx, ws, s['customerIdFieldId']!, thread.customer) : null;
    const context: TicketContext = {
      orderId: thread.orderId,
      orderUrl: thread.orderId ? adapter.orderUrl(credentials, thread.orderId) : null,
      conversationUrl: adapter.threadUrl(credentials, thread.id),
      products: order?.lines ?? [],
    };
    const { ticket, created } = await tx.tickets.createIfNew(ws, {
      source: SOURCE_LABEL[connection.platform] ?? connection.platform,
      sourceRef: connection.id,
      externalId: thread.id,
      queueId: s['queueId'] ?? null,
      categoryId: s['categoryId'] ?? null,
      status: 'open',
      assignee: null,
      contactId: contact?.id ?? null,
      customerExternalId: thread.customer?.id ?? null,
      customerName: thread.customer?.name ?? null,
      subject: thread.topic ?? (thread.orderId ? `Order ${order?.commercialId ?? thread.orderId}` : null),
      context,
    });
    let newest = ticket.lastMessageAt ?? 0;
    let customerWrote = false;
    const customerTimes: number[] = [];
    for (const m of thread.messages) {
      const kind: TicketMessageKind = m.author === 'customer' ? 'customer' : m.author === 'operator' ? 'operator' : 'shop_panel';
      // Our own replies come back in the thread as shop messages: their id is already on the agent's message.
      if (kind === 'shop_panel' && (await tx.ticketMessages.findByExternal(ws, ticket.id, m.id))) continue;
      const added = await tx.ticketMessages.addIfNew(ws, {
        ticketId: ticket.id,
        externalId: m.id,
        kind,
        author: m.authorName,
        body: m.body,
        attachments: m.attachments.map((a) => ({ name: a.name, size: a.size })),
        attachmentBytes: m.attachments.reduce((n, a) => n + a.size, 0),
        status: 'received',
        error: null,
        createdAt: m.createdAt,
      });
      if (added) {
        newest = Math.max(newest, m.createdAt);
        if (kind === 'customer') {
          customerWrote = true;
          customerTimes.push(m.createdAt);
        }
      }
    }
    const patch: Partial<Ticket> = {};
    if (newest !== (ticket.lastMessageAt ?? 0)) patch.lastMessageAt = newest;
    // A buyer writing again reopens a closed ticket.
    if (customerWrote && !created && ticket.status === 'closed') patch.status = 'open';
    if (!created && context.products.length && ticket.context.products.length === 0) patch.context = context;
    if (Object.keys(patch).length) await tx.tickets.update(ws, ticket.id, patch);
    // Service levels: the ticket's due times, and the outside-hours reply for each closed period a buyer wrote in,
    // which takes the place of the queue's auto-reply for a ticket opened while the queue is closed.
    if (created) await this.sla?.ticketOpened(tx, ticket);
    let outsideHours = false;
    for (const at of customerTimes) outsideHours = ((await this.sla?.customerWrote(tx, ticket, at)) ?? false) || outsideHours;
    if (created && !outsideHours) await this.autoReply(tx, ws, ticket);
    if (created || patch.status === 'open') await this.assignLater(tx, ws, ticket);
    // The marketplace order joins the hub's orders, and its timeline shows the ticket (Orders > Activity).
    if (order) {
      const stored = await tx.orders.upsert(ws, connection.id, {
        externalId: order.id,
        name: order.commercialId ?? order.id,
        customerExternalId: order.customer?.id ?? null,
        customerName: order.customer?.name ?? null,
        email: null,
        phone: null,
        total: order.total,
        financialStatus: null,
        fulfillmentStatus: order.state,
        paymentMethod: null,
        statusUrl: context.orderUrl,
        shippingAddress: null,
        lines: order.lines,
        createdAt: order.createdAt ? new Date(order.createdAt).toISOString() : null,
      });
      if (created) {
        await tx.activities.add(ws, {
          orderId: stored.id,
          messageId: null,
          kind: 'ticket.opened',
          summary: `Ticket opened from ${ticket.source}${ticket.subject ? `: ${ticket.subject}` : ''}`,
          data: { ticketId: ticket.id, source: ticket.source, customer: thread.customer?.name ?? null },
        });
      }
    }
  }

  /** The queue's auto-reply, once per new ticket. */
  private async autoReply(tx: Repos, ws: string, ticket: Ticket): Promise<void> {
    const queue = ticket.queueId ? await tx.queues.get(ws, ticket.queueId) : null;
    if (!queue?.autoReply) return;
    const message = await tx.ticketMessages.addIfNew(ws, {
      ticketId: ticket.id,
      externalId: null,
      kind: 'auto_reply',
      author: queue.name,
      body: queue.autoReply,
      attachments: [],
      attachmentBytes: 0,
      status: 'queued',
      error: null,
    });
    await tx.tickets.update(ws, ticket.id, { autoRepliedAt: Date.now() });
    if (message) await tx.jobs.enqueue({ type: 'ticket.send', workspaceId: ws, payload: { messageId: message.id } });
  }

  /** The contact whose customer-id field matches; created with the field filled when none does (race-safe). */
  private async contactFor(tx: Repos, ws: string, fieldId: string, customer: { id: string; name: string | null }): Promise<Contact> {
    const existing = await tx.contacts.findByField(ws, fieldId, customer.id);
    if (existing) return existing;
    const contact = await tx.contacts.create(ws, { name: customer.name, email: null, phone: null, fields: { [fieldId]: customer.id } });
    if (await tx.contacts.claimFieldValue(ws, fieldId, customer.id, contact.id)) return contact;
    await tx.contacts.remove(ws, contact.id);
    return (await tx.contacts.findByField(ws, fieldId, customer.id))!;
  }

  private async pollFailed(connection: StoreConnection, state: PollState, err: unknown): Promise<void> {
    const message = err instanceof Error ? err.message : String(err);
    if (err instanceof ProviderError && err.kind === 'permanent') {
      this.log.warn({ connectionId: connection.id, reason: message }, 'EmpikPlace import refused; it stops until the connection is re-verified');
      await this.uow.repos.storeConnections.update(connection.workspaceId, connection.id, { status: 'invalid_credentials', lastError: message });
      return;
    }
    const failures = state.failures + 1;
    const wait = err instanceof ProviderError && err.kind === 'retry_after' ? (err.retryAfterMs ?? this.pollMs) : Math.min(MAX_BACKOFF_MS, this.pollMs * 2 ** Math.min(failures - 1, 10));
    const next = { ...state, failures, token: newToken() };
    await this.uow.transaction(async (tx) => {
      await tx.storeConnections.update(connection.workspaceId, connection.id, { pollState: next, lastError: message });
      await tx.jobs.enqueue({ type: 'marketplace.poll', workspaceId: connection.workspaceId, payload: { connectionId: connection.id, token: next.token }, runAt: Date.now() + wait });
    });
  }

  // ---- agents

  async reply(workspaceId: string, ticketId: string, input: ReplyInput): Promise<TicketMessage> {
    const ticket = await this.uow.repos.tickets.get(workspaceId, ticketId);
    if (!ticket) throw notFound('ticket', ticketId);
    const body = input.body.trim();
    if (body === '') throw invalidField('body', 'must not be empty');
    if (HTML.test(body)) throw invalidField('body', 'must be plain text: HTML (tags or entities) is not accepted by EmpikPlace or chats');
    const bytes = input.attachments.reduce((n, a) => n + a.data.length, 0);
    if (input.internal) {
      return (await this.uow.repos.ticketMessages.addIfNew(workspaceId, { ticketId, externalId: null, kind: 'internal', author: input.author, body, attachments: [], attachmentBytes: 0, status: 'internal', error: null }))!;
    }
    if (ticket.source !== 'EmpikPlace') return this.replyInChat(workspaceId, ticket, body, input);
    const queue = ticket.queueId ? await this.uow.repos.queues.get(workspaceId, ticket.queueId) : null;
    const signed = queue?.signature ? `${body}\n\n--\n${queue.signature}` : body;
    const used = await this.uow.repos.ticketMessages.attachmentBytes(workspaceId, ticketId);
    if (used + bytes > MAX_CONVERSATION_ATTACHMENT_BYTES) {
      throw invalidField('attachments', `the conversation's attachments may total at most 10 MB; ${(used / 1048576).toFixed(1)} MB are used and these add ${(bytes / 1048576).toFixed(1)} MB`);
    }
    return this.uow.transaction(async (tx) => {
      const message = (await tx.ticketMessages.addIfNew(workspaceId, {
        ticketId,
        externalId: null,
        kind: 'agent',
        author: input.author,
        body: signed,
        attachments: input.attachments.map((a) => ({ name: a.name, size: a.data.length, contentType: a.contentType })),
        attachmentBytes: bytes,
        status: 'queued',
        error: null,
        files: input.attachments,
      }))!;
      await tx.tickets.update(workspaceId, ticketId, { lastMessageAt: Date.now(), ...(ticket.status === 'closed' ? { status: 'open' as const } : {}) });
      await tx.jobs.enqueue({ type: 'ticket.send', workspaceId, payload: { messageId: message.id } });
      await this.sla?.agentReplied(tx, workspaceId, ticketId);
      return message;
    });
  }

  private async replyInChat(workspaceId: string, ticket: Ticket, body: string, input: ReplyInput): Promise<TicketMessage> {
    if (input.attachments.length) throw invalidField('attachments', `attachments can be sent on EmpikPlace tickets; this ticket is a ${ticket.source} chat`);
    const conversationId = ticket.context.conversationId;
    if (!conversationId) throw new AppError('conflict', 'this ticket has no conversation to answer in');
    const sent = await this.chat.reply(workspaceId, conversationId, body, `ticket:${ticket.id}:${Date.now()}`);
    const message = (await this.uow.repos.ticketMessages.addIfNew(workspaceId, {
      ticketId: ticket.id,
      externalId: `msg:${sent.id}`,
      kind: 'agent',
      author: input.author,
      body,
      attachments: [],
      attachmentBytes: 0,
      status: 'sent',
      error: null,
    }))!;
    await this.uow.repos.tickets.update(workspaceId, ticket.id, { lastMessageAt: Date.now() });
    await this.sla?.agentReplied(this.uow.repos, workspaceId, ticket.id);
    return message;
  }

  /** Job handler for ticket.send. */
  async send(payload: { messageId: string }, ctx: JobContext): Promise<void> {
    const workspaceId = ctx.workspaceId;
    if (!workspaceId) throw new PermanentJobError('ticket.send needs a workspace');
    const message = await this.uow.repos.ticketMessages.get(workspaceId, payload.messageId);
    if (!message) throw new MissingRecordError('ticket message', payload.messageId);
    if (message.status !== 'queued') return;
    const ticket = await this.uow.repos.tickets.get(workspaceId, message.ticketId);
    const connection = ticket ? await this.uow.repos.storeConnections.get(workspaceId, ticket.sourceRef) : null;
    if (!ticket || !connection) {
      await this.uow.repos.ticketMessages.update(workspaceId, message.id, { status: 'failed', error: 'the EmpikPlace connection was removed' });
      return;
    }
    const adapter = this.marketplace(connection.platform);
    const files = await this.uow.repos.ticketMessages.files(workspaceId, message.id);
    try {
      const sent = await adapter.reply(
        { settings: connection.settings, secrets: this.secrets.open(connection.sealedSecrets) },
        { threadId: ticket.externalId, body: message.body, customerId: ticket.customerExternalId, toOperator: !ticket.customerExternalId, attachments: files },
      );
      await this.uow.transaction(async (tx) => {
        // An import that ran between the send and now saw our message as a shop message: keep one.
        const echo = await tx.ticketMessages.findByExternal(workspaceId, ticket.id, sent.messageId);
        if (echo && echo.id !== message.id) await tx.ticketMessages.remove(workspaceId, echo.id);
        await tx.ticketMessages.update(workspaceId, message.id, { status: 'sent', externalId: sent.messageId, error: null, clearFiles: true });
      });
    } catch (err) {
      if (err instanceof ProviderError && err.kind === 'permanent') {
        await this.uow.repos.ticketMessages.update(workspaceId, message.id, { status: 'failed', error: err.message, clearFiles: true });
        return;
      }
      if (ctx.attempt >= ctx.maxAttempts) {
        await this.uow.repos.ticketMessages.update(workspaceId, message.id, { status: 'failed', error: `gave up after ${ctx.attempt} attempts: ${(err as Error).message}`, clearFiles: true });
        return;
      }
      throw err;
    }
  }

  /**
   * Changes a ticket. Closing a chat ticket hands its conversation back to the bot unless `handBack` is false
   * (the agent keeps it: the customer's next message reopens the ticket).
   */
  async update(
    workspaceId: string,
    ticketId: string,
    patch: { status?: TicketStatus; assignee?: string | null; queueId?: string | null; categoryId?: string | null; contactId?: string | null },
    options: { handBack?: boolean; resolvedBy?: string | null } = {},
  ): Promise<Ticket> {
    const ticket = await this.uow.repos.tickets.get(workspaceId, ticketId);
    if (!ticket) throw notFound('ticket', ticketId);
    if (patch.contactId !== undefined && ticket.source === 'EmpikPlace') {
      // Seed 003: the CRM contact of a marketplace ticket cannot be changed once the ticket exists.
      throw new AppError('conflict', 'the contact of an EmpikPlace ticket cannot be changed: it follows the buyer’s EmpikPlace customer id');
    }
    if (patch.queueId && !(await this.uow.repos.queues.get(workspaceId, patch.queueId))) throw invalidField('queue_id', `no queue ${patch.queueId}`);
    if (patch.categoryId && !(await this.uow.repos.categories.get(workspaceId, patch.categoryId))) throw invalidField('category_id', `no category ${patch.categoryId}`);
    if (patch.contactId && !(await this.uow.repos.contacts.get(workspaceId, patch.contactId))) throw invalidField('contact_id', `no contact ${patch.contactId}`);
    await this.uow.repos.tickets.update(workspaceId, ticketId, patch);
    const conversationId = ticket.context.conversationId ?? null;
    if (patch.status === 'closed' && ticket.status !== 'closed' && conversationId && options.handBack !== false) await this.handBack(workspaceId, conversationId);
    const updated = (await this.uow.repos.tickets.get(workspaceId, ticketId))!;
    // Service levels: a queue change brings the new queue's targets; closing resolves (SLA outcome, CSAT survey).
    const sla = this.sla;
    if (sla && patch.queueId !== undefined && patch.queueId !== ticket.queueId) await this.uow.transaction((tx) => sla.ticketOpened(tx, updated));
    if (sla && patch.status === 'closed' && ticket.status !== 'closed') await sla.resolved(updated, options.resolvedBy ?? updated.assignee);
    // A closed, handed-back or moved ticket may free an agent's place or wait in a queue that assigns automatically.
    if (this.assigner && (patch.status !== undefined || patch.assignee !== undefined || patch.queueId !== undefined)) {
      await this.assigner.run(workspaceId);
      return (await this.uow.repos.tickets.get(workspaceId, ticketId))!;
    }
    return updated;
  }

  /** Gives a chat back to the bot: automated replies resume, and "agent" opens a new ticket. */
  private async handBack(workspaceId: string, conversationId: string): Promise<void> {
    for (let i = 0; i < 5; i++) {
      const c = await this.uow.repos.conversations.get(workspaceId, conversationId);
      if (!c || c.mode !== 'agent') return;
      const patch = { mode: 'bot' as const, handedOverAt: null, handoverReason: null, unexpectedCount: 0, state: null, stateExpiresAt: null };
      if (await this.uow.repos.conversations.update(workspaceId, conversationId, c.version, patch)) return;
    }
    throw new AppError('conflict', 'the conversation is changing; close the ticket again');
  }

  // ---- CRM contacts

  /** Creates or updates a contact; a custom field value (an EmpikPlace customer id) belongs to one contact. */
  async saveContact(workspaceId: string, id: string | null, input: { name?: string | null; email?: string | null; phone?: string | null; fields?: Record<string, string> }): Promise<Contact> {
    const fields = input.fields ?? {};
    for (const [fieldId, value] of Object.entries(fields)) {
      if (!(await this.uow.repos.customFields.get(workspaceId, fieldId))) throw invalidField(`fields.${fieldId}`, 'is not a custom field of this workspace; see GET /v1/custom-fields');
      if (value.length > 500) throw invalidField(`fields.${fieldId}`, 'must be at most 500 characters');
    }
    if (input.email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(input.email)) throw invalidField('email', 'is not a valid e-mail address');
    return this.uow.transaction(async (tx) => {
      let contact = id ? await tx.contacts.get(workspaceId, id) : null;
      if (id && !contact) throw notFound('contact', id);
      if (!contact) contact = await tx.contacts.create(workspaceId, { name: input.name ?? null, email: input.email?.toLowerCase() ?? null, phone: input.phone ?? null, fields: {} });
      const merged = { ...contact.fields, ...fields };
      await tx.contacts.releaseFieldValues(workspaceId, contact.id);
      for (const [fieldId, value] of Object.entries(merged)) {
        if (value === '') continue;
        if (!(await tx.contacts.claimFieldValue(workspaceId, fieldId, value, contact.id))) throw new AppError('conflict', `fields.${fieldId}: the value ${value} belongs to another contact`);
      }
      await tx.contacts.update(workspaceId, contact.id, {
        ...(input.name !== undefined ? { name: input.name } : {}),
        ...(input.email !== undefined ? { email: input.email?.toLowerCase() ?? null } : {}),
        ...(input.phone !== undefined ? { phone: input.phone } : {}),
        fields: Object.fromEntries(Object.entries(merged).filter(([, v]) => v !== '')),
      });
      return (await tx.contacts.get(workspaceId, contact.id))!;
    });
  }

  // ---- chats handed over to agents

  /** Opens a ticket for a conversation an agent takes over, inside the caller's transaction. */
  async openForChat(tx: Repos, conversation: Conversation, reason: string | null, orderId: string | null = null): Promise<void> {
    const ws = conversation.workspaceId;
    if (await tx.tickets.openForSource(ws, conversation.id)) return;
    const queue = (await tx.queues.list(ws))[0] ?? null;
    const order = orderId ? await tx.orders.get(ws, orderId) : null;
    const { ticket, created } = await tx.tickets.createIfNew(ws, {
      source: channelLabel(conversation.channel),
      sourceRef: conversation.id,
      externalId: `${conversation.id}:${Date.now()}`,
      queueId: queue?.id ?? null,
      categoryId: null,
      status: 'open',
      assignee: null,
      contactId: null,
      customerExternalId: conversation.address,
      customerName: null,
      // Named by the order it is about, else by the customer's first question (see chatMessage), never by why
      // it was handed over.
      subject: order ? ticketSubject(`Order ${order.name}${reason ? `: ${reason}` : ''}`) : null,
      context: {
        orderId: order?.name ?? null,
        orderUrl: order?.snapshot.statusUrl ?? null,
        conversationUrl: null,
        products: (order?.snapshot.lines ?? []).map((l) => ({ sku: l.sku ?? null, title: l.title, quantity: l.quantity, price: l.price ?? null })),
        conversationId: conversation.id,
        customerId: conversation.customerId,
        channel: conversation.channel,
        handoverReason: reason,
      },
    });
    if (created) await this.sla?.ticketOpened(tx, ticket);
    await this.assignLater(tx, ws, ticket);
  }

  /** Mirrors a customer's chat message into the conversation's open ticket. */
  async chatMessage(tx: Repos, conversation: Conversation, messageId: string, text: string | null, at: number, subject: string | null = null): Promise<void> {
    let ticket = await tx.tickets.openForSource(conversation.workspaceId, conversation.id);
    if (!ticket) {
      // The agent kept the chat when the ticket was closed: the customer's message reopens it, so it is never unseen.
      const last = await tx.tickets.latestForSource(conversation.workspaceId, conversation.id);
      if (!last) return;
      await tx.tickets.update(conversation.workspaceId, last.id, { status: 'open' });
      await this.assignLater(tx, conversation.workspaceId, last);
      ticket = last;
    }
    const added = await tx.ticketMessages.addIfNew(conversation.workspaceId, { ticketId: ticket.id, externalId: `msg:${messageId}`, kind: 'customer', author: null, body: text ?? '(non-text message)', attachments: [], attachmentBytes: 0, status: 'received', error: null, createdAt: at });
    await tx.tickets.update(conversation.workspaceId, ticket.id, { lastMessageAt: at, ...(!ticket.subject && subject ? { subject: ticketSubject(subject) } : {}) });
    if (added) await this.sla?.customerWrote(tx, ticket, at);
  }

  /** An agent answered a chat; see InboxHooks.agentAnswered. */
  async agentAnswered(workspaceId: string, conversationId: string): Promise<void> {
    const ticket = await this.uow.repos.tickets.openForSource(workspaceId, conversationId);
    if (ticket && this.sla) await this.sla.agentReplied(this.uow.repos, workspaceId, ticket.id);
  }

  /** A tapped CSAT survey button in a chat; see InboxHooks.surveyAnswer. */
  async surveyAnswer(workspaceId: string, conversationId: string, payload: string | null): Promise<string | null> {
    return this.sla ? this.sla.answerFromChat(workspaceId, conversationId, payload) : null;
  }

  // ---- automatic assignment (src/core/team/assignment.ts)

  /** Set by the app: runs automatic assignment after an agent changes a ticket. */
  assigner: Assigner | null = null;

  /** A ticket arrived or reopened unassigned in a queue that assigns automatically: assigned once this commits. */
  private async assignLater(tx: Repos, ws: string, ticket: Pick<Ticket, 'id' | 'queueId' | 'assignee'>): Promise<void> {
    if (ticket.assignee || !ticket.queueId) return;
    const queue = await tx.queues.get(ws, ticket.queueId);
    if (queue && queue.assignment !== 'off') await tx.jobs.enqueue({ type: 'ticket.assign', workspaceId: ws, payload: { ticketId: ticket.id } });
  }
}
