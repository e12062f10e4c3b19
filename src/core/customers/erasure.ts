// Erasing a customer on request (GDPR art. 17): the customer, their identities, conversations and the
// messages in them, loyalty membership and ledger are deleted; every other place their e-mail, phone, name or
// chat ids appear in the workspace (orders, events, raw webhooks, notifications, activities, tickets and
// contacts, outbound webhook payloads) is scrubbed; opt-outs stay, as hashes, so the address stays
// suppressed. The erasure is recorded with ids and counts only. Running it again after an interruption
// finishes the job: the customer row goes last. Subscribers of the customer.erased outbound webhook are told.
import { notFound } from '../errors.js';
import type { ErasureTarget } from './repo.js';
import type { UnitOfWork } from '../repos.js';
import { e164Digits } from '../phone.js';
import { channelsAddressedBy } from '../channels/profile.js';
import type { OutboundWebhooks } from '../webhooks/outbound.js';

/** Tables scrubbed page by page, each page in its own transaction (a large workspace never holds a long lock). */
const SCRUBBED_TABLES = ['inbound_webhooks', 'events', 'orders', 'messages', 'activities', 'webhook_deliveries', 'tickets', 'ticket_messages', 'contacts', 'ndr_cases', 'conversations', 'loyalty_ledger', 'jobs'];
const PAGE = 200;
/** Identities that hold phone digits: phones, and the chat ids of channels addressed by phone number. */
const phoneKinds: ReadonlySet<string> = new Set(['phone', ...channelsAddressedBy('phone')]);

export interface ErasureReceipt {
  id: string;
  customerId: string;
  erasedAt: number;
  counts: Record<string, number>;
}

export class CustomerErasure {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly outbound: OutboundWebhooks,
  ) {}

  async erase(workspaceId: string, customerId: string, requestedBy: string | null): Promise<ErasureReceipt> {
    const customer = await this.uow.repos.customers.get(workspaceId, customerId);
    if (!customer) throw notFound('customer', customerId);
    const member = await this.uow.repos.loyalty.member(workspaceId, customerId);
    const emails = new Set<string>();
    const phones = new Set<string>();
    const addresses = new Set<string>();
    if (customer.email) emails.add(customer.email.toLowerCase());
    if (customer.phone) phones.add(e164Digits(customer.phone));
    if (member?.email) emails.add(member.email.toLowerCase());
    for (const i of customer.identities) {
      if (i.kind === 'email') emails.add(i.value.toLowerCase());
      else if (phoneKinds.has(i.kind)) phones.add(e164Digits(i.value));
      addresses.add(i.value);
    }
    for (const p of phones) {
      addresses.add(p);
      addresses.add(`+${p}`);
    }
    for (const e of emails) addresses.add(e);
    const target: ErasureTarget = { customerId, emails: [...emails], phones: [...phones], names: customer.name ? [customer.name] : [], addresses: [...addresses] };

    const counts: Record<string, number> = {};
    for (const table of SCRUBBED_TABLES) {
      let after: string | null = null;
      let scrubbed = 0;
      do {
        const page: { scrubbed: number; lastId: string | null } = await this.uow.transaction((tx) => tx.erasure.scrubPage(workspaceId, table, target, after, PAGE));
        scrubbed += page.scrubbed;
        after = page.lastId;
      } while (after);
      if (scrubbed) counts[`${table}_scrubbed`] = scrubbed;
    }
    return this.uow.transaction(async (tx) => {
      for (const [table, n] of Object.entries(await tx.erasure.deleteLinked(workspaceId, target))) if (n) counts[table] = (counts[table] ?? 0) + n;
      const record = await tx.erasure.record(workspaceId, { customerId, requestedBy, counts });
      // The merchant's own systems hear of it by id, to erase their copies too.
      await this.outbound.emit(tx, workspaceId, 'customer.erased', { customer_id: customerId, erasure_id: record.id, erased_at: new Date(record.erasedAt).toISOString() });
      return { id: record.id, customerId, erasedAt: record.erasedAt, counts };
    });
  }
}
