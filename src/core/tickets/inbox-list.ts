// What the inbox shows of each ticket beyond its own row: who the customer is by name, the newest message,
// whether it is new to the signed-in user, who handles it by name, and a subject that says something.
import type { Repos } from '../repos.js';
import type { User } from '../users/repo.js';
import type { Ticket, TicketMessage, TicketSummary } from './model.js';
import { displaySubject } from './subject.js';
import { channelProfile } from '../channels/profile.js';
import type { Label } from '../inbox-tools/model.js';

export interface InboxTicket {
  ticket: Ticket;
  subject: string;
  customerName: string | null;
  /** The customer behind a chat or an order thread, when the hub knows them. */
  customerId: string | null;
  lastMessage: TicketMessage | null;
  /** Null when nobody is signed in (an API key has no read marks). */
  unread: boolean | null;
  assigneeName: string | null;
  labels: Label[];
}

/** The customer a chat ticket is with: the one in the ticket's context, else the one linked to the chat identity. */
async function chatCustomerId(repos: Repos, ws: string, ticket: Ticket): Promise<string | null> {
  if (ticket.context.customerId) return ticket.context.customerId;
  const conversationId = ticket.context.conversationId ?? null;
  const conversation = conversationId ? await repos.conversations.get(ws, conversationId) : null;
  if (!conversation) return null;
  const scope = channelProfile(conversation.channel)?.address.kind === 'account-user-id' ? conversation.channelAccountId : '';
  return (await repos.customers.findByIdentity(ws, conversation.channel as 'line', scope, conversation.address))?.id ?? null;
}

/** A user by id, e-mail or name (an assignee is stored as the user's e-mail; integrations may write a name). */
function userNamed(users: User[], assignee: string | null): User | null {
  if (!assignee) return null;
  const a = assignee.trim().toLowerCase();
  return users.find((u) => u.id === assignee || u.email.toLowerCase() === a || (u.name ?? '').toLowerCase() === a) ?? null;
}

export async function inboxTickets(repos: Repos, ws: string, tickets: Ticket[], userId: string | null): Promise<InboxTicket[]> {
  const ids = tickets.map((t) => t.id);
  const [summaries, reads, users, labels] = await Promise.all([repos.ticketMessages.summaries(ws, ids), userId ? repos.ticketReads.readAt(ws, userId, ids) : Promise.resolve(null), repos.users.list(ws), repos.labels.on(ws, 'ticket', ids)]);
  const names = new Map<string, Promise<{ id: string | null; name: string | null }>>();
  const customerOf = (t: Ticket) => {
    const key = t.contactId ? `contact:${t.contactId}` : `ticket:${t.id}`;
    if (!names.has(key)) names.set(key, resolveCustomer(repos, ws, t));
    return names.get(key)!;
  };
  return Promise.all(
    tickets.map(async (t) => {
      const summary: TicketSummary = summaries.get(t.id) ?? { last: null, firstCustomer: null, lastCustomerAt: null };
      const who = await customerOf(t);
      const readAt = reads?.get(t.id) ?? null;
      const assignee = userNamed(users, t.assignee);
      return {
        ticket: t,
        subject: displaySubject(t, summary),
        customerName: t.customerName ?? who.name,
        customerId: who.id,
        lastMessage: summary.last,
        unread: reads ? summary.lastCustomerAt != null && (readAt == null || summary.lastCustomerAt > readAt) : null,
        assigneeName: assignee ? (assignee.name ?? assignee.email) : t.assignee,
        labels: labels.get(t.id) ?? [],
      };
    }),
  );
}

async function resolveCustomer(repos: Repos, ws: string, t: Ticket): Promise<{ id: string | null; name: string | null }> {
  const contact = t.contactId ? await repos.contacts.get(ws, t.contactId) : null;
  const customerId = await chatCustomerId(repos, ws, t);
  const customer = customerId ? await repos.customers.get(ws, customerId) : null;
  // A LINE or Messenger profile name, when the channel told us.
  const profile = customer?.identities.find((i) => i.displayName)?.displayName ?? null;
  return { id: customerId, name: contact?.name ?? customer?.name ?? profile ?? null };
}
