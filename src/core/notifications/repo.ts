// The persistence port of notifications and messaging: settings per event and channel, messages, the
// workspace's sample values and opt-outs.
import type { EventType } from '../events/model.js';
import type { Page } from '../page.js';

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

export type NewMessage = Omit<Message, 'id' | 'workspaceId' | 'createdAt' | 'updatedAt' | 'attempts' | 'sentAt' | 'deliveredAt' | 'readAt' | 'failedAt' | 'providerMessageId' | 'errorCode' | 'conversationId' | 'sendStartedAt' | 'bookkeepingDue'> & {
  conversationId?: string | null;
};

export type MessagePatch = Partial<
  Pick<Message, 'status' | 'reason' | 'errorCode' | 'providerMessageId' | 'attempts' | 'sentAt' | 'deliveredAt' | 'readAt' | 'failedAt' | 'content' | 'conversationId' | 'sendStartedAt' | 'bookkeepingDue'>
>;

export interface NotificationSettingsRepo {
  get(workspaceId: string, eventType: string, channel: string): Promise<NotificationSetting | null>;
  list(workspaceId: string): Promise<NotificationSetting[]>;
  /** The settings of one event type on every channel, in one read. */
  listForEvent(workspaceId: string, eventType: string): Promise<NotificationSetting[]>;
  upsert(workspaceId: string, input: Omit<NotificationSetting, 'id' | 'workspaceId' | 'updatedAt'>): Promise<NotificationSetting>;
}

export interface MessagesRepo {
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
}

export interface VariableSamplesRepo {
  /** The workspace's own sample values, by variable key. */
  list(workspaceId: string): Promise<Record<string, string>>;
  set(workspaceId: string, values: Record<string, string>): Promise<void>;
}

export interface OptOutsRepo {
  /** Records an opt-out; false when it was already recorded. */
  add(workspaceId: string, input: { channel: string; address: string; source: string }): Promise<boolean>;
  remove(workspaceId: string, channel: string, address: string): Promise<boolean>;
  has(workspaceId: string, channel: string, address: string): Promise<boolean>;
  /** Removes an opt-out only if it came from this source (e.g. a LINE unfollow, undone by a follow). */
  removeIfSource(workspaceId: string, channel: string, address: string, source: string): Promise<boolean>;
  list(workspaceId: string, opts: { channel?: string | null; limit: number; cursor: string | null }): Promise<Page<OptOut>>;
}

/** The repositories of this module, as the unit of work hands them out. */
export interface NotificationRepos {
  settings: NotificationSettingsRepo;
  messages: MessagesRepo;
  variableSamples: VariableSamplesRepo;
  optOuts: OptOutsRepo;
}
