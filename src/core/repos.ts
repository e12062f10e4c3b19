// The persistence port of the domain: models and the repositories the services use. The storage layer
// implements it. Every method that touches merchant data takes the workspace id; the few `resolve*`
// methods find the workspace from an unguessable id (API key hash, webhook URL id) and say so by name.
import type { JobSpec } from './jobs.js';
import type { EventType, NormalizedEvent, OrderSnapshot } from './events/model.js';
import type { Category, Contact, CustomField, Queue, Ticket, TicketMessage, TicketStatus, TicketSummary } from './tickets/model.js';
import type { ChatSettings, Conversation, ConversationMode, ConversationPatch, FlowModule, LedgerEntry, LoyaltyMember, NdrCase, VerificationCode } from './conversations/model.js';

export interface Workspace {
  id: string;
  name: string;
  /** The brand customers see; null until set (the workspace's name is internal and never shown to them). */
  brandName: string | null;
  /** The currency the shop sells in (ISO 4217), for previews and sample values; null until set. */
  currency: string | null;
  /** The language of its customer texts (en, zh-Hant, pl); null until set. */
  language: string | null;
  createdAt: number;
}

export type UserRole = 'admin' | 'agent';

export interface User {
  id: string;
  workspaceId: string;
  email: string;
  name: string | null;
  role: UserRole;
  createdAt: number;
}

export interface Session {
  id: string;
  userId: string;
  workspaceId: string;
  csrfToken: string;
  expiresAt: number;
}

export interface ApiKeyRecord {
  id: string;
  workspaceId: string;
  name: string;
  prefix: string;
  createdAt: number;
  revokedAt: number | null;
  lastUsedAt: number | null;
}

export interface StoreConnection {
  id: string;
  workspaceId: string;
  platform: string;
  name: string;
  externalId: string;
  settings: Record<string, string>;
  /** Sealed secrets; open them with the SecretBox only where a provider call needs them. */
  sealedSecrets: string;
  status: string;
  verifiedAt: number | null;
  createdAt: number;
  updatedAt: number;
  /** Polled platforms only: where the poll stands. */
  pollState: PollState | null;
  lastError: string | null;
}

/** The position of a store poll: the window being read, the page within it, and the live poll chain's token. */
export interface PollState {
  since: number;
  /** The end of the window being paged through; null between windows. */
  until: number | null;
  cursor: string | null;
  /** Only the poll job carrying this token continues the chain; any other copy stops. */
  token: string;
  /** Consecutive failed polls, for backing off. */
  failures: number;
  lastPolledAt: number | null;
}

export interface ChannelAccount {
  id: string;
  workspaceId: string;
  channel: string;
  provider: string;
  name: string;
  externalId: string;
  owner: 'merchant' | 'platform';
  settings: Record<string, string>;
  sealedSecrets: string;
  status: string;
  displayName: string | null;
  rateLimitPerSecond: number;
  verifiedAt: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface InboundWebhook {
  id: string;
  workspaceId: string;
  source: string;
  targetId: string;
  dedupeKey: string;
  topic: string | null;
  headers: Record<string, string>;
  body: string;
  status: 'received' | 'processed' | 'failed';
  error: string | null;
  receivedAt: number;
  processedAt: number | null;
}

export interface Order {
  id: string;
  workspaceId: string;
  storeConnectionId: string;
  externalId: string;
  name: string;
  customerName: string | null;
  email: string | null;
  phone: string | null;
  totalAmount: string | null;
  currency: string | null;
  status: string | null;
  snapshot: OrderSnapshot;
  createdAt: number;
  updatedAt: number;
}

export interface StoredEvent {
  id: string;
  workspaceId: string;
  type: EventType;
  idempotencyKey: string;
  source: string;
  storeConnectionId: string | null;
  orderId: string | null;
  occurredAt: number;
  payload: NormalizedEvent;
  createdAt: number;
}

export interface TemplateBinding {
  parameterFormat: 'POSITIONAL' | 'NAMED';
  /** Placeholder name → variable key from the variable catalogue, in body order. */
  parameters: Array<{ placeholder: string; variable: string }>;
}

export interface NotificationSetting {
  id: string;
  workspaceId: string;
  eventType: EventType;
  channel: string;
  enabled: boolean;
  channelAccountId: string | null;
  templateName: string | null;
  templateLanguage: string | null;
  templateId: string | null;
  binding: TemplateBinding;
  /** For the platform's shared account: when and by whom the extra charge was confirmed. */
  chargesConfirmedAt: number | null;
  chargesConfirmedBy: string | null;
  /** The merchant's own Liquid text, for channels without provider templates (null: the built-in text). */
  customTemplate: CustomTemplate | null;
  updatedAt: number;
}

export interface CustomTemplate {
  /** E-mail only. */
  subject: string | null;
  body: string;
}

/** The kinds of identity a customer can have; chat ids are scoped to the channel account that knows them. */
export const identityKinds = ['whatsapp', 'messenger', 'line', 'sms', 'email', 'phone', 'store'] as const;
export type IdentityKind = (typeof identityKinds)[number];

export interface CustomerIdentity {
  id: string;
  customerId: string;
  kind: IdentityKind;
  /** Channel account id (LINE user ids, Messenger PSIDs) or store connection id (store customer ids); '' when global. */
  scope: string;
  value: string;
  createdAt: number;
  /** When the customer last wrote from this identity (chat identities); null when never seen. */
  lastActiveAt: number | null;
  /** The name the channel reports for a chat user (LINE profile API), when known. */
  displayName?: string | null;
  /** When the channel's profile was last asked for; null when never. */
  profileCheckedAt?: number | null;
}

export interface Customer {
  id: string;
  workspaceId: string;
  name: string | null;
  email: string | null;
  phone: string | null;
  identities: CustomerIdentity[];
  createdAt: number;
  updatedAt: number;
}

export interface OptOut {
  channel: string;
  address: string;
  /** Where it came from: "sms:STOP", "email:unsubscribe", "api"... */
  source: string;
  createdAt: number;
}

/**
 * `sending`: handed to the provider, outcome not recorded yet. `unknown`: the provider may or may not have
 * taken it (a timeout after the request was written, a worker that died mid-send) and it has no retry key,
 * so it is not sent again; the reason says so.
 */
export type MessageStatus = 'queued' | 'sending' | 'sent' | 'delivered' | 'read' | 'failed' | 'skipped' | 'unknown';

export const messageStatuses: readonly MessageStatus[] = ['queued', 'sending', 'sent', 'delivered', 'read', 'failed', 'skipped', 'unknown'];

export interface Message {
  id: string;
  workspaceId: string;
  direction: 'outbound' | 'inbound';
  channel: string;
  channelAccountId: string | null;
  eventId: string | null;
  orderId: string | null;
  idempotencyKey: string;
  recipient: string | null;
  templateName: string | null;
  /** Billing category of an outbound notification: utility (transactional) or marketing. */
  category: string | null;
  content: unknown;
  status: MessageStatus;
  reason: string | null;
  errorCode: string | null;
  providerMessageId: string | null;
  attempts: number;
  createdAt: number;
  updatedAt: number;
  sentAt: number | null;
  deliveredAt: number | null;
  readAt: number | null;
  failedAt: number | null;
  /** The chat conversation the message belongs to, if any. */
  conversationId: string | null;
  /** When the send was last handed to the provider. */
  sendStartedAt: number | null;
  /** The outcome is recorded; its activity, usage and outbound webhooks are still to be written. */
  bookkeepingDue: boolean;
}

export interface Activity {
  id: string;
  workspaceId: string;
  orderId: string | null;
  messageId: string | null;
  kind: string;
  summary: string;
  data: Record<string, unknown>;
  createdAt: number;
}

export type NewMessage = Omit<Message, 'id' | 'workspaceId' | 'createdAt' | 'updatedAt' | 'attempts' | 'sentAt' | 'deliveredAt' | 'readAt' | 'failedAt' | 'providerMessageId' | 'errorCode' | 'conversationId' | 'sendStartedAt' | 'bookkeepingDue'> & {
  conversationId?: string | null;
};

export type MessagePatch = Partial<
  Pick<Message, 'status' | 'reason' | 'errorCode' | 'providerMessageId' | 'attempts' | 'sentAt' | 'deliveredAt' | 'readAt' | 'failedAt' | 'content' | 'conversationId' | 'sendStartedAt' | 'bookkeepingDue'>
>;

export interface UsageRow {
  workspaceId: string;
  month: string;
  channel: string;
  channelAccountId: string;
  provider: string;
  owner: string;
  category: string;
  messages: number;
}

export interface WebhookSubscription {
  id: string;
  workspaceId: string;
  url: string;
  events: string[];
  sealedSecret: string;
  createdAt: number;
}

export interface WebhookDelivery {
  id: string;
  workspaceId: string;
  subscriptionId: string;
  event: string;
  payload: unknown;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  responseStatus: number | null;
  responseBody: string | null;
  error: string | null;
  createdAt: number;
  deliveredAt: number | null;
  /** When the next automatic attempt is due, while the delivery is pending a retry. */
  nextAttemptAt: number | null;
}

export interface WebhookDeliveryAttempt {
  id: string;
  deliveryId: string;
  attempt: number;
  trigger: 'automatic' | 'manual';
  startedAt: number;
  durationMs: number;
  responseStatus: number | null;
  responseExcerpt: string | null;
  error: string | null;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface Repos {
  workspaces: {
    create(name: string): Promise<Workspace>;
    get(workspaceId: string): Promise<Workspace | null>;
    list(): Promise<Workspace[]>;
    update(workspaceId: string, input: { name?: string; brandName?: string | null; currency?: string | null; language?: string | null }): Promise<Workspace | null>;
  };
  apiKeys: {
    create(workspaceId: string, input: { name: string; prefix: string; hash: string }): Promise<ApiKeyRecord>;
    list(workspaceId: string): Promise<ApiKeyRecord[]>;
    revoke(workspaceId: string, id: string): Promise<boolean>;
    touch(workspaceId: string, id: string, at: number): Promise<void>;
    /** Finds the workspace of a presented key by its hash. */
    resolveByHash(hash: string): Promise<ApiKeyRecord | null>;
  };
  users: {
    create(workspaceId: string, input: { email: string; name: string | null; role: UserRole; passwordHash: string }): Promise<User>;
    get(workspaceId: string, id: string): Promise<User | null>;
    list(workspaceId: string): Promise<User[]>;
    remove(workspaceId: string, id: string): Promise<boolean>;
    /** Sign-in finds the user (and workspace) by e-mail; returns the stored hash too. */
    resolveByEmail(email: string): Promise<(User & { passwordHash: string }) | null>;
    /** Replaces the stored password hash (a cost upgrade at sign-in). */
    setPasswordHash(workspaceId: string, id: string, passwordHash: string): Promise<void>;
  };
  /** Failed sign-ins by key (a hashed e-mail address or trusted device id), shared by every process. */
  signInFailures: {
    record(key: string, at: number): Promise<void>;
    count(key: string, since: number): Promise<number>;
    oldest(key: string, since: number): Promise<number | null>;
    clear(key: string): Promise<void>;
  };
  sessions: {
    create(input: { tokenHash: string; userId: string; workspaceId: string; csrfToken: string; expiresAt: number }): Promise<Session>;
    /** Finds a live session by the hash of its token. */
    resolveByTokenHash(tokenHash: string, now: number): Promise<Session | null>;
    remove(id: string): Promise<void>;
    removeForUser(workspaceId: string, userId: string): Promise<void>;
  };
  storeConnections: {
    create(workspaceId: string, input: Pick<StoreConnection, 'platform' | 'name' | 'externalId' | 'settings' | 'sealedSecrets' | 'status' | 'verifiedAt'> & { pollState?: PollState | null }): Promise<StoreConnection>;
    get(workspaceId: string, id: string): Promise<StoreConnection | null>;
    update(workspaceId: string, id: string, patch: Partial<Pick<StoreConnection, 'status' | 'verifiedAt' | 'pollState' | 'lastError' | 'name'>>): Promise<void>;
    list(workspaceId: string): Promise<StoreConnection[]>;
    remove(workspaceId: string, id: string): Promise<boolean>;
    /** Finds a connection by the id in its webhook URL. */
    resolveForWebhook(id: string): Promise<StoreConnection | null>;
  };
  channelAccounts: {
    create(workspaceId: string, input: Pick<ChannelAccount, 'channel' | 'provider' | 'name' | 'externalId' | 'owner' | 'settings' | 'sealedSecrets' | 'status' | 'displayName' | 'rateLimitPerSecond' | 'verifiedAt'>): Promise<ChannelAccount>;
    get(workspaceId: string, id: string): Promise<ChannelAccount | null>;
    list(workspaceId: string, channel?: string): Promise<ChannelAccount[]>;
    /** The channels with at least one installed account. */
    installedChannels(workspaceId: string): Promise<string[]>;
    update(workspaceId: string, id: string, patch: Partial<Pick<ChannelAccount, 'status' | 'displayName' | 'verifiedAt' | 'sealedSecrets' | 'rateLimitPerSecond' | 'name' | 'settings'>>): Promise<void>;
    remove(workspaceId: string, id: string): Promise<boolean>;
    resolveForWebhook(id: string): Promise<ChannelAccount | null>;
    findByExternalId(workspaceId: string, provider: string, externalId: string): Promise<ChannelAccount | null>;
  };
  webhooks: {
    /** Stores a delivery unless one with the same target and dedupe key exists. Null when it was a duplicate. */
    insertIfNew(workspaceId: string, input: Pick<InboundWebhook, 'source' | 'targetId' | 'dedupeKey' | 'topic' | 'headers' | 'body'>): Promise<InboundWebhook | null>;
    get(workspaceId: string, id: string): Promise<InboundWebhook | null>;
    finish(workspaceId: string, id: string, status: 'processed' | 'failed', error: string | null): Promise<void>;
  };
  orders: {
    upsert(workspaceId: string, storeConnectionId: string, snapshot: OrderSnapshot): Promise<Order>;
    get(workspaceId: string, id: string): Promise<Order | null>;
    findByExternalId(workspaceId: string, storeConnectionId: string, externalId: string): Promise<Order | null>;
    list(workspaceId: string, opts: { limit: number; cursor: string | null; query?: string | null }): Promise<Page<Order>>;
    /** A customer's orders from one store received since a time (by the order's e-mail or phone), newest first. */
    listForCustomer(workspaceId: string, storeConnectionId: string, who: { emails: string[]; phones: string[] }, since: number, limit: number): Promise<Order[]>;
  };
  events: {
    /** Null when an event with the same idempotency key exists in the workspace. */
    insertIfNew(workspaceId: string, input: Pick<StoredEvent, 'type' | 'idempotencyKey' | 'source' | 'storeConnectionId' | 'orderId' | 'occurredAt' | 'payload'>): Promise<StoredEvent | null>;
    get(workspaceId: string, id: string): Promise<StoredEvent | null>;
  };
  settings: {
    get(workspaceId: string, eventType: string, channel: string): Promise<NotificationSetting | null>;
    list(workspaceId: string): Promise<NotificationSetting[]>;
    /** The settings of one event type on every channel, in one read. */
    listForEvent(workspaceId: string, eventType: string): Promise<NotificationSetting[]>;
    upsert(workspaceId: string, input: Omit<NotificationSetting, 'id' | 'workspaceId' | 'updatedAt'>): Promise<NotificationSetting>;
  };
  messages: {
    /** Null when a message with the same idempotency key exists in the workspace. */
    insertIfNew(workspaceId: string, input: NewMessage): Promise<Message | null>;
    get(workspaceId: string, id: string): Promise<Message | null>;
    update(workspaceId: string, id: string, patch: MessagePatch): Promise<void>;
    /** Applies the patch only while the message is in one of these statuses; false when it was not. */
    updateIf(workspaceId: string, id: string, fromStatuses: MessageStatus[], patch: MessagePatch): Promise<boolean>;
    /** Clears bookkeepingDue; false when it was already clear (another run wrote the bookkeeping). */
    clearBookkeeping(workspaceId: string, id: string): Promise<boolean>;
    findByProviderId(workspaceId: string, channelAccountId: string, providerMessageId: string): Promise<Message | null>;
    findByIdempotencyKey(workspaceId: string, idempotencyKey: string): Promise<Message | null>;
    /** Whether this address has ever written to the account (e.g. a PSID that messaged the page). */
    hasInboundFrom(workspaceId: string, channelAccountId: string, from: string): Promise<boolean>;
    /** When this address last wrote to the account (the start of its 24-hour window), or null. */
    lastInboundAt(workspaceId: string, channelAccountId: string, from: string): Promise<number | null>;
    list(workspaceId: string, opts: { orderId?: string | null; status?: string | null; limit: number; cursor: string | null }): Promise<Page<Message>>;
    /** A conversation's messages, oldest first, the newest `limit`. */
    listForConversation(workspaceId: string, conversationId: string, limit: number): Promise<Message[]>;
  };
  channelSelections: {
    /** The account the merchant explicitly selected for the channel, if any. */
    get(workspaceId: string, channel: string): Promise<{ channelAccountId: string; selectedAt: number } | null>;
    set(workspaceId: string, channel: string, channelAccountId: string): Promise<void>;
  };
  variableSamples: {
    /** The workspace's own sample values, by variable key. */
    list(workspaceId: string): Promise<Record<string, string>>;
    set(workspaceId: string, values: Record<string, string>): Promise<void>;
  };
  webhookSubscriptions: {
    create(workspaceId: string, input: { url: string; events: string[]; sealedSecret: string }): Promise<WebhookSubscription>;
    list(workspaceId: string): Promise<WebhookSubscription[]>;
    get(workspaceId: string, id: string): Promise<WebhookSubscription | null>;
    remove(workspaceId: string, id: string): Promise<boolean>;
  };
  webhookDeliveries: {
    create(workspaceId: string, input: { subscriptionId: string; event: string; payload: unknown }): Promise<WebhookDelivery>;
    get(workspaceId: string, id: string): Promise<WebhookDelivery | null>;
    update(workspaceId: string, id: string, patch: Partial<Pick<WebhookDelivery, 'status' | 'attempts' | 'responseStatus' | 'responseBody' | 'error' | 'deliveredAt' | 'nextAttemptAt'>>): Promise<void>;
    /** Newest first; with a status, only deliveries in it; `before` pages by (created_at, id) of the last one seen. */
    listForSubscription(workspaceId: string, subscriptionId: string, limit: number, filter?: { status?: WebhookDelivery['status']; before?: { createdAt: number; id: string } }): Promise<WebhookDelivery[]>;
    /** Moves a failed or delivered delivery back to pending for a manual redelivery; false when it was not in either state. */
    reopen(workspaceId: string, id: string, at: number): Promise<boolean>;
    recordAttempt(workspaceId: string, input: Omit<WebhookDeliveryAttempt, 'id'>): Promise<void>;
    listAttempts(workspaceId: string, deliveryId: string): Promise<WebhookDeliveryAttempt[]>;
  };
  usage: {
    /** Records a billable send once per message. */
    record(workspaceId: string, input: { messageId: string; channel: string; channelAccountId: string; provider: string; owner: string; category: string; at: number }): Promise<void>;
    summary(workspaceId: string, fromMonth: string, toMonth: string): Promise<UsageRow[]>;
    /** Every workspace: the operator's billing report. */
    report(fromMonth: string, toMonth: string): Promise<UsageRow[]>;
  };
  customers: {
    create(workspaceId: string, input: { name: string | null; email: string | null; phone: string | null }): Promise<Customer>;
    get(workspaceId: string, id: string): Promise<Customer | null>;
    update(workspaceId: string, id: string, patch: Partial<{ name: string | null; email: string | null; phone: string | null }>): Promise<void>;
    list(workspaceId: string, opts: { limit: number; cursor: string | null; query?: string | null }): Promise<Page<Customer>>;
    /** Adds an identity; null when the same identity already belongs to a customer (see findByIdentity). */
    addIdentity(workspaceId: string, customerId: string, input: { kind: IdentityKind; scope: string; value: string }): Promise<CustomerIdentity | null>;
    removeIdentity(workspaceId: string, customerId: string, identityId: string): Promise<boolean>;
    findByIdentity(workspaceId: string, kind: IdentityKind, scope: string, value: string): Promise<Customer | null>;
    /** Records that the customer wrote from this identity at `at` (if the identity exists). */
    touchIdentity(workspaceId: string, kind: IdentityKind, scope: string, value: string, at: number): Promise<void>;
    /** Records what the channel's profile API said of a chat identity (a null name keeps the one known). */
    setIdentityProfile(workspaceId: string, identityId: string, profile: { displayName: string | null; checkedAt: number }): Promise<void>;
    remove(workspaceId: string, id: string): Promise<boolean>;
  };
  optOuts: {
    /** Records an opt-out; false when it was already recorded. */
    add(workspaceId: string, input: { channel: string; address: string; source: string }): Promise<boolean>;
    remove(workspaceId: string, channel: string, address: string): Promise<boolean>;
    has(workspaceId: string, channel: string, address: string): Promise<boolean>;
    /** Removes an opt-out only if it came from this source (e.g. a LINE unfollow, undone by a follow). */
    removeIfSource(workspaceId: string, channel: string, address: string, source: string): Promise<boolean>;
    list(workspaceId: string, opts: { channel?: string | null; limit: number; cursor: string | null }): Promise<Page<OptOut>>;
  };
  conversations: {
    /** The conversation of an address on an account, created on first contact. */
    getOrCreate(workspaceId: string, input: { channel: string; channelAccountId: string; address: string }): Promise<Conversation>;
    get(workspaceId: string, id: string): Promise<Conversation | null>;
    /** Applies the patch if the conversation is still at `version`; false when someone else changed it first. */
    update(workspaceId: string, id: string, version: number, patch: ConversationPatch): Promise<boolean>;
    list(workspaceId: string, opts: { mode?: ConversationMode | null; limit: number; cursor: string | null }): Promise<Page<Conversation>>;
    /** Takes the conversation's serial lane until `until` when it is free, expired, or held by `holder` already. */
    acquireLane(workspaceId: string, id: string, holder: string, until: number, now: number): Promise<boolean>;
    releaseLane(workspaceId: string, id: string, holder: string): Promise<void>;
    /**
     * Inbound messages of the conversation's address not answered yet, in the order they arrived: by the time
     * their webhook was received and their place in it, then by when they were recorded.
     */
    pendingInbound(workspaceId: string, channelAccountId: string, address: string, limit: number): Promise<Array<{ id: string; receivedAt: number }>>;
    /** True when a webhook to this channel account received within `windowMs` before `before` is not processed yet. */
    earlierWebhookPending(workspaceId: string, channelAccountId: string, before: number, windowMs: number): Promise<boolean>;
    /**
     * The status of the outbound message with this key, read under a row lock (so a send settling it at the same
     * time either finishes first or sees what this transaction writes next); null when there is none.
     */
    lockedReplyStatus(workspaceId: string, idempotencyKey: string): Promise<string | null>;
  };
  flowModules: {
    create(workspaceId: string, input: Omit<FlowModule, 'id' | 'workspaceId' | 'createdAt' | 'updatedAt'>): Promise<FlowModule>;
    get(workspaceId: string, id: string): Promise<FlowModule | null>;
    list(workspaceId: string): Promise<FlowModule[]>;
    update(workspaceId: string, id: string, input: Omit<FlowModule, 'id' | 'workspaceId' | 'createdAt' | 'updatedAt'>): Promise<FlowModule | null>;
    remove(workspaceId: string, id: string): Promise<boolean>;
  };
  chatSettings: {
    get(workspaceId: string): Promise<ChatSettings | null>;
    set(workspaceId: string, settings: ChatSettings): Promise<void>;
  };
  verificationCodes: {
    create(workspaceId: string, input: Omit<VerificationCode, 'id' | 'consumedAt'>): Promise<VerificationCode>;
    get(workspaceId: string, id: string): Promise<VerificationCode | null>;
    update(workspaceId: string, id: string, patch: Partial<Pick<VerificationCode, 'attempts' | 'sends' | 'consumedAt' | 'codeHash' | 'expiresAt'>>): Promise<void>;
    /** The newest unused code of a conversation for this purpose and destination, created since `since`. */
    openFor(workspaceId: string, conversationId: string, purpose: string, target: string, since: number): Promise<VerificationCode | null>;
    /** The phone numbers and e-mail addresses codes were sent to from one chat (the sandbox phone shows them). */
    targetsForChat(workspaceId: string, channelAccountId: string, address: string): Promise<string[]>;
    /** Counts a wrong try, atomically; the tries after it, or null when `max` tries were used already. */
    addAttempt(workspaceId: string, id: string, max: number): Promise<number | null>;
    /** Logs a code sent; false when this trigger (an inbound message) sent one already. */
    logSend(workspaceId: string, input: { conversationId: string; codeId: string; destinationHash: string; triggerKey: string; sentAt: number }): Promise<boolean>;
    /** Sends logged since `since`, to a destination or in a conversation, with the time of the oldest of them. */
    sendsSince(workspaceId: string, by: { destinationHash: string } | { conversationId: string }, since: number): Promise<{ count: number; oldest: number | null }>;
  };
  ndrCases: {
    create(workspaceId: string, input: Omit<NdrCase, 'id' | 'workspaceId' | 'status' | 'action' | 'reference' | 'createdAt' | 'resolvedAt'>): Promise<NdrCase>;
    get(workspaceId: string, id: string): Promise<NdrCase | null>;
    /** The newest case for an address on an account, open or not. */
    latestFor(workspaceId: string, channelAccountId: string, address: string): Promise<NdrCase | null>;
    /** Marks an open case resolved; false when it was no longer open (another answer won). */
    resolve(workspaceId: string, id: string, input: { action: string; reference: string | null }): Promise<boolean>;
    /** Opens a resolved case again (the store refused the action). */
    reopen(workspaceId: string, id: string): Promise<void>;
    setReference(workspaceId: string, id: string, reference: string | null): Promise<void>;
    /** Closes the open cases of an order (it moved on: delivered, cancelled, a new attempt). */
    closeForOrder(workspaceId: string, orderId: string): Promise<void>;
  };
  loyalty: {
    member(workspaceId: string, customerId: string): Promise<LoyaltyMember | null>;
    memberByEmail(workspaceId: string, email: string): Promise<LoyaltyMember | null>;
    /** False when the customer was a member already. */
    join(workspaceId: string, customerId: string, email: string): Promise<boolean>;
    /**
     * Changes a balance and appends the ledger entry, atomically in the caller's transaction. With
     * `requireCover`, the change only happens when the balance stays at or above zero; null when it would not.
     */
    apply(workspaceId: string, customerId: string, entry: { delta: number; reason: LedgerEntry['reason']; reference: string | null; details: Record<string, unknown>; requireCover?: boolean }): Promise<LedgerEntry | null>;
    ledger(workspaceId: string, customerId: string, limit: number): Promise<LedgerEntry[]>;
    /** Records the claim of an order; false when the order was claimed before (by anyone). */
    claim(workspaceId: string, input: { storeConnectionId: string; orderExternalId: string; customerId: string; points: number }): Promise<boolean>;
    /** Marks a claim reversed (refund) and returns it; null when there was none or it was reversed already. */
    reverseClaim(workspaceId: string, storeConnectionId: string, orderExternalId: string): Promise<{ customerId: string; points: number } | null>;
    /** Moves a membership (balance, ledger, claims) to another customer who is not a member; false when it could not. */
    transfer(workspaceId: string, fromCustomerId: string, toCustomerId: string): Promise<boolean>;
  };
  customFields: {
    create(workspaceId: string, input: { name: string }): Promise<CustomField>;
    get(workspaceId: string, id: string): Promise<CustomField | null>;
    list(workspaceId: string): Promise<CustomField[]>;
  };
  contacts: {
    create(workspaceId: string, input: Pick<Contact, 'name' | 'email' | 'phone' | 'fields'>): Promise<Contact>;
    get(workspaceId: string, id: string): Promise<Contact | null>;
    update(workspaceId: string, id: string, patch: Partial<Pick<Contact, 'name' | 'email' | 'phone' | 'fields'>>): Promise<void>;
    list(workspaceId: string, opts: { limit: number; cursor: string | null; query?: string | null }): Promise<Page<Contact>>;
    /** The contact whose field holds the value. */
    findByField(workspaceId: string, fieldId: string, value: string): Promise<Contact | null>;
    /** Claims a field value for a contact; false when another contact holds it already. */
    claimFieldValue(workspaceId: string, fieldId: string, value: string, contactId: string): Promise<boolean>;
    releaseFieldValues(workspaceId: string, contactId: string): Promise<void>;
    remove(workspaceId: string, id: string): Promise<boolean>;
  };
  queues: {
    create(workspaceId: string, input: { name: string; autoReply: string | null; signature: string | null }): Promise<Queue>;
    get(workspaceId: string, id: string): Promise<Queue | null>;
    list(workspaceId: string): Promise<Queue[]>;
    update(workspaceId: string, id: string, patch: { name?: string; autoReply?: string | null; signature?: string | null }): Promise<void>;
  };
  categories: {
    create(workspaceId: string, input: { name: string }): Promise<Category>;
    get(workspaceId: string, id: string): Promise<Category | null>;
    list(workspaceId: string): Promise<Category[]>;
  };
  tickets: {
    /** Creates the ticket unless one exists for the same source and external id; returns it and whether it is new. */
    createIfNew(workspaceId: string, input: Omit<Ticket, 'id' | 'workspaceId' | 'createdAt' | 'updatedAt' | 'autoRepliedAt' | 'lastMessageAt'>): Promise<{ ticket: Ticket; created: boolean }>;
    get(workspaceId: string, id: string): Promise<Ticket | null>;
    findByExternal(workspaceId: string, sourceRef: string, externalId: string): Promise<Ticket | null>;
    /** The newest ticket from a source that is not closed (a chat's open hand-over). */
    openForSource(workspaceId: string, sourceRef: string): Promise<Ticket | null>;
    /** The newest ticket from a source, whatever its status. */
    latestForSource(workspaceId: string, sourceRef: string): Promise<Ticket | null>;
    update(workspaceId: string, id: string, patch: Partial<Pick<Ticket, 'status' | 'assignee' | 'queueId' | 'categoryId' | 'contactId' | 'autoRepliedAt' | 'lastMessageAt' | 'context' | 'subject'>>): Promise<void>;
    list(workspaceId: string, filter: { source?: string | null; queueId?: string | null; categoryId?: string | null; status?: TicketStatus | null; assignee?: string | null; limit: number; cursor: string | null }): Promise<Page<Ticket>>;
    /** Tickets changed after a time (live updates), oldest change first. */
    changedSince(workspaceId: string, since: number, limit: number): Promise<Ticket[]>;
  };
  ticketMessages: {
    /** Adds a message unless one with the same external id is in the ticket; null when it was. */
    addIfNew(workspaceId: string, input: Omit<TicketMessage, 'id' | 'createdAt' | 'updatedAt'> & { createdAt?: number; files?: Array<{ name: string; contentType: string; data: Buffer }> }): Promise<TicketMessage | null>;
    /** The files of a reply waiting to be sent. */
    files(workspaceId: string, id: string): Promise<Array<{ name: string; contentType: string; data: Buffer }>>;
    get(workspaceId: string, id: string): Promise<TicketMessage | null>;
    /** `clearFiles` drops the stored files once they were sent or the send failed for good. */
    update(workspaceId: string, id: string, patch: Partial<Pick<TicketMessage, 'status' | 'error' | 'externalId'>> & { clearFiles?: boolean }): Promise<void>;
    listForTicket(workspaceId: string, ticketId: string): Promise<TicketMessage[]>;
    findByExternal(workspaceId: string, ticketId: string, externalId: string): Promise<TicketMessage | null>;
    remove(workspaceId: string, id: string): Promise<void>;
    attachmentBytes(workspaceId: string, ticketId: string): Promise<number>;
    changedSince(workspaceId: string, since: number, limit: number): Promise<TicketMessage[]>;
    /** For the inbox list: each ticket's newest message (internal comments aside) and its first customer message. */
    summaries(workspaceId: string, ticketIds: string[]): Promise<Map<string, TicketSummary>>;
  };
  /** When each user last opened each ticket (what is unread for them). */
  ticketReads: {
    markRead(workspaceId: string, ticketId: string, userId: string, at: number): Promise<void>;
    markUnread(workspaceId: string, ticketId: string, userId: string): Promise<void>;
    readAt(workspaceId: string, userId: string, ticketIds: string[]): Promise<Map<string, number>>;
  };
  activities: {
    add(workspaceId: string, input: Omit<Activity, 'id' | 'workspaceId' | 'createdAt'> & { createdAt?: number }): Promise<Activity>;
    listForOrder(workspaceId: string, orderId: string): Promise<Activity[]>;
  };
  jobs: {
    /** Writes the job to the outbox of the current transaction. */
    enqueue(spec: JobSpec): Promise<string>;
  };
  maintenance: MaintenanceRepo;
  erasure: ErasureRepo;
}

/** A recurring maintenance chain (the retention prune): one row per name, whose token names the live chain. */
export interface MaintenanceRun {
  name: string;
  token: string;
  nextRunAt: number;
  lastRunAt: number | null;
  lastResult: Record<string, number> | null;
}

export interface MaintenanceRepo {
  get(name: string): Promise<MaintenanceRun | null>;
  /**
   * Moves the chain to a new token if it still has `expected` (null: only if the row does not exist yet);
   * false when another worker changed it first.
   */
  swapToken(name: string, expected: string | null, next: { token: string; nextRunAt: number; lastRunAt?: number; lastResult?: Record<string, number> }): Promise<boolean>;
  /** Each prune deletes at most `limit` rows and returns how many it deleted; callers repeat until fewer. */
  pruneInboundWebhooks(receivedBefore: number, limit: number): Promise<number>;
  pruneSessions(expiredBefore: number, limit: number): Promise<number>;
  pruneVerificationCodes(expiredBefore: number, limit: number): Promise<number>;
  pruneDeadJobs(updatedBefore: number, limit: number): Promise<number>;
}

/** What identifies one customer in stored text, for erasure. */
export interface ErasureTarget {
  customerId: string;
  /** Lower-case e-mail addresses. */
  emails: string[];
  /** Phone numbers as digits with country code. */
  phones: string[];
  names: string[];
  /** Every identity value (chat ids, store customer ids, addresses) as stored. */
  addresses: string[];
}

export interface ErasureRepo {
  /** Scrubs one page (by id, after `afterId`) of `table`'s text in the workspace; returns the last id seen, null at the end. */
  scrubPage(workspaceId: string, table: string, target: ErasureTarget, afterId: string | null, limit: number): Promise<{ scrubbed: number; lastId: string | null }>;
  /** Deletes the customer and the rows that exist only for them; opt-outs are kept as hashes. Returns counts per table. */
  deleteLinked(workspaceId: string, target: ErasureTarget): Promise<Record<string, number>>;
  record(workspaceId: string, input: { customerId: string; requestedBy: string | null; counts: Record<string, number> }): Promise<{ id: string; erasedAt: number }>;
}

export interface UnitOfWork {
  /** Repositories outside any transaction, for reads and single writes. */
  readonly repos: Repos;
  /**
   * Runs fn atomically; jobs enqueued inside start only if it commits. 'sync' (the default) is on disk when
   * it resolves; 'relaxed' survives a process crash at once and an OS crash within a fraction of a second,
   * for state the workers would only redo if it were lost.
   */
  transaction<T>(fn: (repos: Repos) => Promise<T>, durability?: 'sync' | 'relaxed'): Promise<T>;
  /**
   * One write with relaxed durability, in as few round trips as the database allows (no BEGIN/COMMIT on
   * PostgreSQL; a unit of the next group commit on SQLite), for a worker's state that must not queue behind
   * other bookkeeping. It enqueues no jobs.
   */
  write<T>(fn: (repos: Repos) => Promise<T>): Promise<T>;
}
