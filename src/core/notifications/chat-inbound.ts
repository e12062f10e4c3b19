// Inbound chat traffic from a channel webhook, past the signature check: which account each item is for, and
// how each inbound item is recorded and whether the conversation engine answers it.
//
// Routing: Meta sends every number and page of one app to the app's one callback URL, so a delivery can carry
// several accounts' changes. Each status and message names its account (WhatsApp metadata.phone_number_id,
// Messenger page id) and goes to the account of the workspace with that id and the same app (same app secret,
// which signed the delivery). An id of no such account is refused and logged; the rest is processed.
//
// Recording: a message or postback from a 1:1 chat is recorded and handed to the engine. LINE adds events the
// engine must not answer — standby mode (another channel or module is active), group and room chats (not 1:1:
// no turn, so no reply and no private push to a group member), unfollow (the user blocked the account) — which
// are recorded as skipped with the reason, and follow, recorded with its customer and answered with the welcome
// module when the merchant set one.
import type { ChannelAdapter, DeliveryStatusUpdate, InboundChatMessage, ParsedChannelWebhook } from '../channels/ports.js';
import type { ChannelAccount } from '../connections/repo.js';
import type { Message } from './repo.js';
import type { Repos } from '../repos.js';
import type { SecretBox } from '../secrets/secret-box.js';
import type { OptOutService } from './opt-outs.js';

/** The source recorded on the opt-out a LINE unfollow (block) creates; a later follow removes only this one. */
export const LINE_UNFOLLOW_SOURCE = 'line:unfollow';
/** A chat profile is asked for at most once a day per identity. */
export const PROFILE_TTL_MS = 24 * 3600_000;

export interface RoutedItems {
  account: ChannelAccount;
  statuses: DeliveryStatusUpdate[];
  messages: InboundChatMessage[];
}

export interface Refusal {
  /** The provider id the items named (null: none, or inconsistent ones). */
  externalId: string | null;
  items: number;
}

/**
 * Splits a parsed delivery by the account each item names. `target` is the account whose URL (or whose app
 * secret, on the workspace's Meta URL) verified the delivery. Providers without shared app URLs keep every item
 * on the target.
 */
export async function routeByAccount(
  repos: Repos,
  secrets: SecretBox,
  adapter: ChannelAdapter,
  target: ChannelAccount,
  parsed: ParsedChannelWebhook,
): Promise<{ groups: RoutedItems[]; refused: Refusal[] }> {
  const field = adapter.appSecretField;
  if (!field) return { groups: [{ account: target, statuses: parsed.statuses, messages: parsed.messages }], refused: [] };
  const appSecret = secrets.open(target.sealedSecrets)[field];
  const accounts = new Map<string, ChannelAccount | null>();
  const accountFor = async (externalId: string): Promise<ChannelAccount | null> => {
    if (!accounts.has(externalId)) {
      const found = externalId === target.externalId ? target : await repos.channelAccounts.findByExternalId(target.workspaceId, target.provider, externalId);
      // Same workspace (the lookup is scoped) and same app: the delivery's signature was made with its secret.
      const sameApp = found !== null && (found.id === target.id || (appSecret !== undefined && secrets.open(found.sealedSecrets)[field] === appSecret));
      accounts.set(externalId, sameApp ? found : null);
    }
    return accounts.get(externalId) ?? null;
  };
  const groups = new Map<string, RoutedItems>();
  const refused = new Map<string, Refusal>();
  const place = async (externalId: string | null | undefined, add: (g: RoutedItems) => void) => {
    const account = externalId ? await accountFor(externalId) : null;
    if (!account) {
      const key = externalId ?? '';
      const r = refused.get(key) ?? { externalId: externalId ?? null, items: 0 };
      r.items += 1;
      refused.set(key, r);
      return;
    }
    let g = groups.get(account.id);
    if (!g) groups.set(account.id, (g = { account, statuses: [], messages: [] }));
    add(g);
  };
  for (const s of parsed.statuses) await place(s.accountExternalId, (g) => g.statuses.push(s));
  for (const m of parsed.messages) await place(m.accountExternalId, (g) => g.messages.push(m));
  return { groups: [...groups.values()], refused: [...refused.values()] };
}

export interface RecordedInbound {
  message: Message;
  /** Whether the conversation engine answers it (a conversation.turn job was queued). */
  answered: boolean;
}

/**
 * Records one inbound item inside the webhook's transaction, applies what it means (opt-out keywords, a LINE
 * block or unblock, the customer of a follow) and queues the engine's turn when it is answerable. Null for a
 * duplicate (the same provider id was recorded before).
 */
export async function recordInbound(
  tx: Repos,
  account: ChannelAccount,
  inbound: InboundChatMessage,
  optOuts: OptOutService,
  arrival: { receivedAt: number; position: number },
): Promise<RecordedInbound | null> {
  const workspaceId = account.workspaceId;
  const event = inbound.event ?? 'message';
  let skipped = skipReason(inbound);
  // A follow is answered with the welcome module only: without one it is just recorded, and the customer's
  // first message still gets the first-contact welcome.
  if (!skipped && event === 'follow' && !(await tx.chatSettings.get(workspaceId))?.welcomeModuleId) {
    skipped = 'a new follower, recorded; no welcome module is set, so nothing is sent';
  }
  const recorded = await tx.messages.insertIfNew(workspaceId, {
    direction: 'inbound',
    channel: account.channel,
    channelAccountId: account.id,
    eventId: null,
    orderId: null,
    idempotencyKey: `${account.provider}:${inbound.providerMessageId}`,
    recipient: inbound.from,
    templateName: null,
    category: null,
    content: {
      text: inbound.text,
      payload: inbound.payload,
      profileName: inbound.profileName,
      ...(event !== 'message' ? { event } : {}),
      ...(inbound.noReply ? { chat: inbound.noReply } : {}),
      ...(inbound.replyToken && !skipped ? { replyToken: inbound.replyToken } : {}),
      ...(inbound.referral ? { referral: inbound.referral } : {}),
      // The conversation's serial lane answers its messages in this order.
      arrival,
    },
    // Skipped: recorded for the record, never answered (the engine takes only 'delivered' inbound messages).
    status: skipped ? 'skipped' : 'delivered',
    reason: skipped,
  });
  if (!recorded) return null;
  // A block and an unblock are facts whatever the mode: nothing is pushed to a user who blocked the account,
  // and following again undoes the block (not an opt-out the customer asked for with a keyword).
  if (event === 'unfollow') {
    await tx.optOuts.add(workspaceId, { channel: account.channel, address: inbound.from, source: LINE_UNFOLLOW_SOURCE });
    return { message: recorded, answered: false };
  }
  if (event === 'follow') await tx.optOuts.removeIfSource(workspaceId, account.channel, inbound.from, LINE_UNFOLLOW_SOURCE);
  if (skipped) return { message: recorded, answered: false };
  // STOP / START: honoured on every channel, recorded once per inbound message.
  if (event === 'message') await optOuts.applyKeyword(tx, workspaceId, account.channel, inbound.from, inbound.text);
  // The conversation engine answers it, in its conversation's serial lane, in the order of `arrival`.
  await tx.jobs.enqueue({ type: 'conversation.turn', workspaceId, payload: { messageId: recorded.id } });
  return { message: recorded, answered: true };
}

function skipReason(inbound: InboundChatMessage): string | null {
  if (inbound.event === 'unfollow') return 'the customer blocked the account (LINE unfollow): no messages are pushed to them until they follow again';
  switch (inbound.noReply?.reason) {
    case 'standby':
      return 'LINE standby mode: another channel or module answers this chat; recorded without a reply';
    case 'group':
      return 'said in a LINE group chat, not a 1:1 conversation; recorded without a reply';
    case 'room':
      return 'said in a LINE multi-person chat, not a 1:1 conversation; recorded without a reply';
    default:
      return null;
  }
}

/**
 * A 1:1 chat user of a channel with a profile API (LINE) who writes or follows is a customer: recorded, and
 * their display name asked for in its own job when it is due (the ask is recorded now, so one job a day at most).
 */
export async function recordChatUser(tx: Repos, account: ChannelAccount, inbound: InboundChatMessage, now: number): Promise<void> {
  const inGroup = inbound.noReply?.reason === 'group' || inbound.noReply?.reason === 'room';
  if (inGroup || inbound.event === 'unfollow') return;
  const who = await recordChatCustomer(tx, account, inbound.from, now);
  if (!who.profileDue) return;
  await tx.customers.setIdentityProfile(account.workspaceId, who.identityId, { displayName: null, checkedAt: now });
  await tx.jobs.enqueue({
    type: 'chat-profile.fetch',
    workspaceId: account.workspaceId,
    payload: { channelAccountId: account.id, customerId: who.customerId, identityId: who.identityId, userId: inbound.from },
  });
}

/**
 * The customer behind a 1:1 LINE chat user: found by the identity (LINE user id on this account), else recorded
 * as a new customer with that identity. Returns the identity's id and whether its profile is due for a refresh.
 */
async function recordChatCustomer(tx: Repos, account: ChannelAccount, userId: string, now: number): Promise<{ customerId: string; identityId: string; profileDue: boolean }> {
  const ws = account.workspaceId;
  const kind = 'line' as const;
  const find = async () => {
    const customer = await tx.customers.findByIdentity(ws, kind, account.id, userId);
    const identity = customer?.identities.find((i) => i.kind === kind && i.scope === account.id && i.value === userId);
    return customer && identity ? { customer, identity } : null;
  };
  let found = await find();
  if (!found) {
    const customer = await tx.customers.create(ws, { name: null, email: null, phone: null });
    // Another delivery may have recorded the same user meanwhile: then that customer is the one.
    if (!(await tx.customers.addIdentity(ws, customer.id, { kind, scope: account.id, value: userId }))) await tx.customers.remove(ws, customer.id);
    found = await find();
    if (!found) throw new Error('the LINE identity could not be recorded');
  }
  const checked = found.identity.profileCheckedAt ?? null;
  return { customerId: found.customer.id, identityId: found.identity.id, profileDue: checked === null || now - checked >= PROFILE_TTL_MS };
}
