// Canned replies, labels, and private notes with @mentions, for tickets from every source. Notes are ticket
// messages of kind "internal": no send path picks them up (ticket.send and chat replies take agent messages only).
import { AppError, DuplicateError, invalidField, notFound } from '../errors.js';
import type { Repos, UnitOfWork } from '../repos.js';
import type { TicketMessage } from '../tickets/model.js';
import { inboxTickets } from '../tickets/inbox-list.js';
import type { User } from '../users/repo.js';
import type { CannedReply, Label, LabelTarget, Mention } from './model.js';
import type { CannedValues, CannedVariable } from './canned-text.js';
import { cannedTextProblem, renderCanned } from './canned-text.js';

const HTML = /<\s*\/?\s*[a-z][a-z0-9-]*(\s[^<>]*)?>|&[a-z]+;|&#\d+;/i;
const COLOUR = /^#[0-9a-f]{6}$/i;
/** "@" and a user's e-mail address, not inside a word or another address. */
const MENTION = /(?<![\w.@+-])@([A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})/g;

export const MAX_CANNED_BODY = 5000;
export const MAX_NOTE_BODY = 20_000;

export interface RenderedCannedReply {
  reply: CannedReply;
  text: string;
  missing: CannedVariable[];
}

export interface MentionView {
  mention: Mention;
  ticketTitle: string | null;
  excerpt: string;
}

/** The e-mail addresses mentioned in a note, lower-cased, in order of first mention. */
export function mentionedEmails(body: string): string[] {
  return [...new Set([...body.matchAll(MENTION)].map((m) => m[1]!.toLowerCase()))];
}

/** What other modules do, in the same transaction, when labels change (SLA policies scoped by label). */
export interface LabelHooks {
  /** A ticket's labels changed. */
  ticketLabelsChanged?(tx: Repos, workspaceId: string, ticketId: string): Promise<void>;
  /** A label was deleted; `ticketIds`: the open tickets that had it. */
  labelRemoved?(tx: Repos, workspaceId: string, labelId: string, ticketIds: string[]): Promise<void>;
}

export class InboxToolsService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly hooks: LabelHooks = {},
  ) {}

  // ---- canned replies

  private checkCanned(input: { name?: string; body?: string }): { name?: string; body?: string } {
    const out: { name?: string; body?: string } = {};
    if (input.name !== undefined) {
      const name = input.name.trim();
      if (name === '') throw invalidField('name', 'must not be empty');
      if (name.length > 60) throw invalidField('name', 'must be at most 60 characters');
      if (/[\r\n]/.test(name)) throw invalidField('name', 'must be one line');
      out.name = name;
    }
    if (input.body !== undefined) {
      const body = input.body.trim();
      if (body === '') throw invalidField('body', 'must not be empty');
      if (body.length > MAX_CANNED_BODY) throw invalidField('body', `must be at most ${MAX_CANNED_BODY} characters`);
      if (HTML.test(body)) throw invalidField('body', 'must be plain text: HTML (tags or entities) cannot be sent on EmpikPlace or in chats');
      const problem = cannedTextProblem(body);
      if (problem) throw invalidField('body', problem);
      out.body = body;
    }
    return out;
  }

  private async named<T>(what: string, name: string | undefined, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      if (err instanceof DuplicateError) throw new AppError('conflict', `${what} named ${name ?? ''} exists`, { fields: [{ field: 'name', message: 'is taken' }] });
      throw err;
    }
  }

  async createCanned(workspaceId: string, input: { name: string; body: string }): Promise<CannedReply> {
    const checked = this.checkCanned(input) as { name: string; body: string };
    return this.named('a canned reply', checked.name, () => this.uow.repos.cannedReplies.create(workspaceId, checked));
  }

  async updateCanned(workspaceId: string, id: string, patch: { name?: string; body?: string }): Promise<CannedReply> {
    const checked = this.checkCanned(patch);
    if (!(await this.uow.repos.cannedReplies.get(workspaceId, id))) throw notFound('canned reply', id);
    await this.named('a canned reply', checked.name, () => this.uow.repos.cannedReplies.update(workspaceId, id, checked));
    return (await this.uow.repos.cannedReplies.get(workspaceId, id))!;
  }

  async removeCanned(workspaceId: string, id: string): Promise<void> {
    if (!(await this.uow.repos.cannedReplies.remove(workspaceId, id))) throw notFound('canned reply', id);
  }

  listCanned(workspaceId: string, opts: { query: string | null; limit: number }): Promise<CannedReply[]> {
    return this.uow.repos.cannedReplies.list(workspaceId, { query: opts.query?.trim() || null, limit: opts.limit });
  }

  /** The values of the variables for a ticket: its customer and linked order, the agent, the shop's brand. */
  async valuesFor(workspaceId: string, ticketId: string, agentName: string | null): Promise<CannedValues> {
    const repos = this.uow.repos;
    const ticket = await repos.tickets.get(workspaceId, ticketId);
    if (!ticket) throw notFound('ticket', ticketId);
    const [[row], workspace] = await Promise.all([inboxTickets(repos, workspaceId, [ticket], null), repos.workspaces.get(workspaceId)]);
    const name = row?.customerName?.trim() || null;
    return {
      'customer.name': name,
      'customer.first_name': name ? name.split(/\s+/)[0]! : null,
      'order.number': ticket.context.orderId ?? null,
      'order.url': ticket.context.orderUrl ?? null,
      'agent.name': agentName,
      'shop.name': workspace?.brandName ?? null,
    };
  }

  /** Canned replies matching a search, each rendered for a ticket. */
  async renderForTicket(workspaceId: string, ticketId: string, opts: { query: string | null; limit: number; agentName: string | null }): Promise<RenderedCannedReply[]> {
    const values = await this.valuesFor(workspaceId, ticketId, opts.agentName);
    return (await this.listCanned(workspaceId, opts)).map((reply) => ({ reply, ...renderCanned(reply.body, values) }));
  }

  // ---- labels

  private checkLabel(input: { name?: string; colour?: string }): { name?: string; colour?: string } {
    const out: { name?: string; colour?: string } = {};
    if (input.name !== undefined) {
      const name = input.name.trim();
      if (name === '') throw invalidField('name', 'must not be empty');
      if (name.length > 50) throw invalidField('name', 'must be at most 50 characters');
      out.name = name;
    }
    if (input.colour !== undefined) {
      if (!COLOUR.test(input.colour)) throw invalidField('colour', 'must be a colour as #rrggbb');
      out.colour = input.colour.toLowerCase();
    }
    return out;
  }

  async createLabel(workspaceId: string, input: { name: string; colour: string }): Promise<Label> {
    const checked = this.checkLabel(input) as { name: string; colour: string };
    return this.named('a label', checked.name, () => this.uow.repos.labels.create(workspaceId, checked));
  }

  async updateLabel(workspaceId: string, id: string, patch: { name?: string; colour?: string }): Promise<Label> {
    const checked = this.checkLabel(patch);
    if (!(await this.uow.repos.labels.get(workspaceId, id))) throw notFound('label', id);
    await this.named('a label', checked.name, () => this.uow.repos.labels.update(workspaceId, id, checked));
    return (await this.uow.repos.labels.get(workspaceId, id))!;
  }

  async removeLabel(workspaceId: string, id: string): Promise<void> {
    const removed = await this.uow.transaction(async (tx) => {
      // The open tickets that have it, for what depends on their labels (their SLA policy).
      const ticketIds: string[] = [];
      for (const status of ['open', 'pending'] as const) {
        let cursor: string | null = null;
        do {
          const page = await tx.tickets.list(workspaceId, { labelId: id, status, limit: 200, cursor });
          ticketIds.push(...page.items.map((t) => t.id));
          cursor = page.nextCursor;
        } while (cursor);
      }
      const done = await tx.labels.remove(workspaceId, id);
      if (done) await this.hooks.labelRemoved?.(tx, workspaceId, id, ticketIds);
      return done;
    });
    if (!removed) throw notFound('label', id);
  }

  /** Puts a label on (or takes it off) a ticket or contact; returns the labels now there. */
  async setLabel(workspaceId: string, target: LabelTarget, targetId: string, labelId: string, on: boolean): Promise<Label[]> {
    const repos = this.uow.repos;
    const exists = target === 'ticket' ? await repos.tickets.get(workspaceId, targetId) : await repos.contacts.get(workspaceId, targetId);
    if (!exists) throw notFound(target, targetId);
    if (!(await repos.labels.get(workspaceId, labelId))) throw notFound('label', labelId);
    await this.uow.transaction(async (tx) => {
      if (on) await tx.labels.attach(workspaceId, labelId, target, targetId);
      else await tx.labels.detach(workspaceId, labelId, target, targetId);
      // The ticket counts as changed, so open inboxes (the live stream) show its labels at once.
      if (target === 'ticket') {
        await tx.tickets.update(workspaceId, targetId, {});
        await this.hooks.ticketLabelsChanged?.(tx, workspaceId, targetId);
      }
    });
    return (await repos.labels.on(workspaceId, target, [targetId])).get(targetId) ?? [];
  }

  labelsOn(workspaceId: string, target: LabelTarget, targetIds: string[]): Promise<Map<string, Label[]>> {
    return this.uow.repos.labels.on(workspaceId, target, targetIds);
  }

  /** A label's id checked against the workspace (for list filters): an unknown label is a 400, not an empty list. */
  async checkLabelId(workspaceId: string, field: string, labelId: string): Promise<string> {
    if (!(await this.uow.repos.labels.get(workspaceId, labelId))) throw invalidField(field, `no label ${labelId} in this workspace; see GET /v1/labels`);
    return labelId;
  }

  // ---- private notes and mentions

  /**
   * Adds a private note to a ticket. Each "@e-mail" names a user of the workspace, who gets a mention; an
   * address that is not a user of this workspace refuses the whole note.
   */
  async addNote(workspaceId: string, ticketId: string, input: { body: string; author: string | null; authorUserId: string | null }): Promise<{ message: TicketMessage; mentioned: User[] }> {
    const ticket = await this.uow.repos.tickets.get(workspaceId, ticketId);
    if (!ticket) throw notFound('ticket', ticketId);
    const body = input.body.trim();
    if (body === '') throw invalidField('body', 'must not be empty');
    if (body.length > MAX_NOTE_BODY) throw invalidField('body', `must be at most ${MAX_NOTE_BODY} characters`);
    if (HTML.test(body)) throw invalidField('body', 'must be plain text: HTML (tags or entities) is not accepted');
    const emails = mentionedEmails(body);
    const users = emails.length ? await this.uow.repos.users.list(workspaceId) : [];
    const byEmail = new Map(users.map((u) => [u.email.toLowerCase(), u]));
    const strangers = emails.filter((e) => !byEmail.has(e));
    if (strangers.length) throw new AppError('validation_failed', `mentions: ${strangers.join(', ')} ${strangers.length > 1 ? 'are not users' : 'is not a user'} of this workspace`, { fields: [{ field: 'mentions', message: `not users of this workspace: ${strangers.join(', ')}` }] });
    const mentioned = emails.map((e) => byEmail.get(e)!);
    return this.uow.transaction(async (tx: Repos) => {
      const message = (await tx.ticketMessages.addIfNew(workspaceId, { ticketId, externalId: null, kind: 'internal', author: input.author, body, attachments: [], attachmentBytes: 0, status: 'internal', error: null }))!;
      // Writing your own address is not a notification to yourself.
      for (const user of mentioned) {
        if (user.id === input.authorUserId) continue;
        await tx.mentions.add(workspaceId, { userId: user.id, ticketId, messageId: message.id, author: input.author, createdAt: message.createdAt });
      }
      return { message, mentioned };
    });
  }

  /** A signed-in user's mentions, newest first, with the ticket's title and the note's start. */
  async mentionsFor(workspaceId: string, userId: string, opts: { unreadOnly: boolean; limit: number }): Promise<{ items: MentionView[]; unread: number }> {
    const repos = this.uow.repos;
    const [mentions, unread] = await Promise.all([repos.mentions.listForUser(workspaceId, userId, opts), repos.mentions.unreadCount(workspaceId, userId)]);
    const ticketIds = [...new Set(mentions.map((m) => m.ticketId))];
    const tickets = (await Promise.all(ticketIds.map((id) => repos.tickets.get(workspaceId, id)))).filter((t) => t !== null);
    const rows = new Map((await inboxTickets(repos, workspaceId, tickets, null)).map((r) => [r.ticket.id, r.subject]));
    const items = await Promise.all(
      mentions.map(async (mention) => {
        const note = await repos.ticketMessages.get(workspaceId, mention.messageId);
        return { mention, ticketTitle: rows.get(mention.ticketId) ?? null, excerpt: (note?.body ?? '').slice(0, 280) };
      }),
    );
    return { items, unread };
  }

  async markMentionRead(workspaceId: string, userId: string, id: string): Promise<void> {
    const mention = await this.uow.repos.mentions.get(workspaceId, id);
    // Another user's mention is not found either: nobody reads or changes someone else's notifications.
    if (!mention || mention.userId !== userId) throw notFound('mention', id);
    await this.uow.repos.mentions.markRead(workspaceId, userId, [id], Date.now());
  }

  /** Marks the user's mentions on a ticket read (they opened the ticket); returns how many were unread. */
  async markTicketMentionsRead(workspaceId: string, userId: string, ticketId: string): Promise<number> {
    if (!(await this.uow.repos.tickets.get(workspaceId, ticketId))) throw notFound('ticket', ticketId);
    return this.uow.repos.mentions.markRead(workspaceId, userId, { ticketId }, Date.now());
  }
}
