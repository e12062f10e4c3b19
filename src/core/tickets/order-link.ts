// A chat ticket linked to one of its customer's orders: the order shows beside the conversation, and the
// ticket appears on the order's timeline (an activity that links to it). Only an order of the same customer
// may be linked: by the store's customer id where both have one, else by the order's e-mail or phone.
import { AppError, invalidField, notFound } from '../errors.js';
import type { Customer } from '../customers/repo.js';
import type { Order } from '../events/repo.js';
import type { UnitOfWork } from '../repos.js';
import { channelsAddressedBy } from '../channels/profile.js';
import { inboxTickets } from './inbox-list.js';
import type { Ticket } from './model.js';

const phoneKinds: ReadonlySet<string> = new Set(['phone', ...channelsAddressedBy('phone')]);
const digits = (v: string | null | undefined): string => (v ?? '').replace(/\D/g, '');
/** Orders the console offers to link, at most. */
const LINKABLE = 50;

/** Whether the order is the customer's. */
export function orderBelongsTo(customer: Customer, order: Order): boolean {
  const storeId = customer.identities.find((i) => i.kind === 'store' && i.scope === order.storeConnectionId)?.value ?? null;
  const orderCustomer = order.snapshot.customerExternalId;
  if (storeId && orderCustomer) return storeId === orderCustomer;
  const emails = new Set([customer.email, ...customer.identities.filter((i) => i.kind === 'email').map((i) => i.value)].filter((e): e is string => !!e).map((e) => e.toLowerCase()));
  if (order.email && emails.has(order.email.toLowerCase())) return true;
  const phones = new Set([digits(customer.phone), ...customer.identities.filter((i) => phoneKinds.has(i.kind)).map((i) => digits(i.value))].filter((p) => p.length >= 6));
  return phones.has(digits(order.phone));
}

export class TicketOrderLinks {
  constructor(private readonly uow: UnitOfWork) {}

  private async chatCustomer(workspaceId: string, ticket: Ticket): Promise<Customer> {
    if (!ticket.context.conversationId) throw new AppError('conflict', `only chat tickets are linked to orders; a ${ticket.source} ticket comes with its own order`);
    const [row] = await inboxTickets(this.uow.repos, workspaceId, [ticket], null);
    const customer = row?.customerId ? await this.uow.repos.customers.get(workspaceId, row.customerId) : null;
    if (!customer) throw invalidField('order_id', 'the chat’s customer is not known yet (link the chat to a customer first), so none of their orders can be linked');
    return customer;
  }

  /** Checks that the order can be linked to the ticket, writing nothing. */
  async check(workspaceId: string, ticketId: string, orderId: string): Promise<{ ticket: Ticket; order: Order }> {
    const ticket = await this.uow.repos.tickets.get(workspaceId, ticketId);
    if (!ticket) throw notFound('ticket', ticketId);
    const customer = await this.chatCustomer(workspaceId, ticket);
    const order = await this.uow.repos.orders.get(workspaceId, orderId);
    if (!order) throw invalidField('order_id', `no order ${orderId} in this workspace`);
    if (!orderBelongsTo(customer, order)) throw invalidField('order_id', `order ${order.name} is not an order of this chat’s customer`);
    return { ticket, order };
  }

  /** Links the order (after `check`): the ticket shows it, and the order's timeline shows the ticket. */
  async link(workspaceId: string, ticketId: string, orderId: string): Promise<void> {
    const { ticket, order } = await this.check(workspaceId, ticketId, orderId);
    const previous = ticket.context.linkedOrderId ?? null;
    if (previous === order.id) return;
    await this.uow.transaction(async (tx) => {
      await tx.tickets.update(workspaceId, ticket.id, {
        context: {
          ...ticket.context,
          linkedOrderId: order.id,
          orderId: order.name,
          orderUrl: order.snapshot.statusUrl,
          products: order.snapshot.lines.map((l) => ({ sku: l.sku ?? null, title: l.title, quantity: l.quantity, price: l.price ?? null })),
        },
      });
      const about = ticket.subject ? `: ${ticket.subject}` : '';
      if (previous) await tx.activities.add(workspaceId, { orderId: previous, messageId: null, kind: 'ticket.unlinked', summary: `Ticket linked to order ${order.name} instead${about}`, data: { ticketId: ticket.id, source: ticket.source } });
      await tx.activities.add(workspaceId, { orderId: order.id, messageId: null, kind: 'ticket.linked', summary: `${ticket.source} chat linked to this order${about}`, data: { ticketId: ticket.id, source: ticket.source } });
    });
  }

  /** The customer's orders the hub has, newest first, and which one is linked. */
  async linkable(workspaceId: string, ticketId: string): Promise<{ linkedOrderId: string | null; orders: Order[] }> {
    const ticket = await this.uow.repos.tickets.get(workspaceId, ticketId);
    if (!ticket) throw notFound('ticket', ticketId);
    const customer = await this.chatCustomer(workspaceId, ticket);
    const emails = [customer.email, ...customer.identities.filter((i) => i.kind === 'email').map((i) => i.value)].filter((e): e is string => !!e).map((e) => e.toLowerCase());
    const phoneDigits = [customer.phone, ...customer.identities.filter((i) => phoneKinds.has(i.kind)).map((i) => i.value)].map(digits).filter((p) => p.length >= 6);
    const phones = [...new Set(phoneDigits.flatMap((d) => [d, `+${d}`]))];
    const out: Order[] = [];
    for (const connection of await this.uow.repos.storeConnections.list(workspaceId)) {
      const found = await this.uow.repos.orders.listForCustomer(workspaceId, connection.id, { emails: [...new Set(emails)], phones }, 0, LINKABLE);
      out.push(...found.filter((o) => orderBelongsTo(customer, o)));
    }
    const linkedOrderId = ticket.context.linkedOrderId ?? null;
    if (linkedOrderId && !out.some((o) => o.id === linkedOrderId)) {
      const linked = await this.uow.repos.orders.get(workspaceId, linkedOrderId);
      if (linked) out.push(linked);
    }
    return { linkedOrderId, orders: out.sort((a, b) => b.createdAt - a.createdAt).slice(0, LINKABLE) };
  }
}
