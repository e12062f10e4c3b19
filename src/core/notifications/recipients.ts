// Who a notification goes to on each channel, by how the channel's profile addresses customers: the order's phone
// (WhatsApp, SMS) or e-mail, or the chat identity the customer linked (LINE user id, Messenger PSID) on the very
// account that sends. Each miss is a reason a merchant understands.
import type { ChannelAccount } from '../connections/repo.js';
import type { Customer, CustomerIdentity } from '../customers/repo.js';
import type { Order } from '../events/repo.js';
import type { Repos } from '../repos.js';
import { e164Digits, maskPhone, toE164 } from '../phone.js';
import { maskEmail, maskTail } from '../mask.js';
import { normalizeAddress } from './opt-outs.js';
import { channelLabel } from './labels.js';
import { channelProfile } from '../channels/profile.js';

export type RecipientLookup = { address: string; customerId: string | null } | { missing: string };

/** For activity texts: an address with most of it hidden. */
export function maskAddress(channel: string, address: string): string {
  const kind = channelProfile(channel)?.address.kind;
  if (kind === 'phone') return maskPhone(address);
  if (kind === 'email') return maskEmail(address);
  return maskTail(address, 4);
}

/** The store customer behind an order: by the store's customer id, else by the order's e-mail or phone. */
async function customerOfOrder(tx: Repos, workspaceId: string, order: Order): Promise<Customer | null> {
  const external = order.snapshot.customerExternalId;
  if (external) {
    const byStore = await tx.customers.findByIdentity(workspaceId, 'store', order.storeConnectionId, external);
    if (byStore) return byStore;
  }
  const email = order.email ? normalizeAddress('email', order.email) : null;
  if (email) {
    const byEmail = await tx.customers.findByIdentity(workspaceId, 'email', '', email);
    if (byEmail) return byEmail;
  }
  const phone = toE164(order.phone, order.snapshot.shippingAddress?.country ?? null);
  if (phone) return tx.customers.findByIdentity(workspaceId, 'phone', '', e164Digits(phone));
  return null;
}

/**
 * The customer's chat identity to write to on this channel (and account, for LINE and Messenger): when they have
 * several, the one they wrote from most recently, else the one linked last.
 */
export function latestChatIdentity(customer: Customer, channel: string, scope: string | null): CustomerIdentity | null {
  const candidates = customer.identities.filter((i) => i.kind === channel && (scope === null || i.scope === scope));
  const rank = (i: CustomerIdentity) => [i.lastActiveAt ?? -1, i.createdAt] as const;
  return candidates.reduce<CustomerIdentity | null>((best, i) => {
    if (!best) return i;
    const [a, b] = [rank(i), rank(best)];
    return a[0] > b[0] || (a[0] === b[0] && a[1] >= b[1]) ? i : best;
  }, null);
}

/**
 * The recipient of a notification about a customer rather than an order (account linked, points): their chat
 * identity on the sending account, or their phone or e-mail. An event raised in a chat (account linked) names
 * that chat, and goes there while the chat is still the customer's.
 */
export async function findCustomerRecipient(tx: Repos, workspaceId: string, channel: string, account: ChannelAccount, customerId: string, data: Record<string, unknown> = {}): Promise<RecipientLookup> {
  const customer = await tx.customers.get(workspaceId, customerId);
  if (!customer) return { missing: 'the customer no longer exists' };
  const chat = data['chatAccountId'] === account.id && typeof data['chatAddress'] === 'string' ? customer.identities.find((i) => i.kind === channel && i.value === data['chatAddress']) : undefined;
  if (chat) return { address: chat.value, customerId };
  const kind = channelProfile(channel)?.address.kind;
  if (kind === 'account-user-id') {
    const identity = latestChatIdentity(customer, channel, account.id);
    return identity ? { address: identity.value, customerId } : { missing: `the customer has not linked a ${channelLabel(channel)} account on ${account.name}` };
  }
  if (kind === 'email') {
    const email = customer.email ?? customer.identities.find((i) => i.kind === 'email')?.value ?? null;
    return email ? { address: email, customerId } : { missing: 'the customer has no e-mail address' };
  }
  const phone = latestChatIdentity(customer, channel, null)?.value ?? (customer.phone ? e164Digits(customer.phone) : null) ?? customer.identities.find((i) => i.kind === 'phone')?.value ?? null;
  return phone ? { address: phone, customerId } : { missing: 'the customer has no phone number' };
}

export async function findRecipient(tx: Repos, workspaceId: string, channel: string, account: ChannelAccount, order: Order): Promise<RecipientLookup> {
  const kind = channelProfile(channel)?.address.kind;
  if (kind === 'phone') {
    const phone = toE164(order.phone, order.snapshot.shippingAddress?.country ?? null);
    if (phone) return { address: e164Digits(phone), customerId: null };
    const customer = order.phone ? null : await customerOfOrder(tx, workspaceId, order);
    const fallback = customer?.phone ? toE164(customer.phone) : null;
    if (fallback) return { address: e164Digits(fallback), customerId: customer!.id };
    return { missing: order.phone ? `the order's phone number (${maskPhone(order.phone)}) is not a valid phone number` : 'the order has no phone number' };
  }
  if (kind === 'email') {
    const email = order.email ? normalizeAddress('email', order.email) : null;
    if (email) return { address: email, customerId: null };
    return { missing: order.email ? 'the order’s e-mail address is not valid' : 'the order has no e-mail address' };
  }
  // LINE user ids and PSIDs exist per LINE channel / Facebook page: only an id known to this account works.
  const customer = await customerOfOrder(tx, workspaceId, order);
  if (!customer) return { missing: `the customer has not linked a ${channelLabel(channel)} account to their store account` };
  const identity = latestChatIdentity(customer, channel, account.id);
  if (!identity) return { missing: `the customer has not linked a ${channelLabel(channel)} account on ${account.name}` };
  return { address: identity.value, customerId: customer.id };
}
