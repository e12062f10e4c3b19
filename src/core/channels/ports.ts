// The channel port: what the hub needs from a messaging provider. One adapter per provider implements it,
// speaking the provider's documented HTTP API against an injectable base URL.
import type { ChannelId } from './profile.js';

/** The approval states providers report for a template (Meta's names; other providers are mapped to them). */
export const templateStatuses = ['APPROVED', 'PENDING', 'REJECTED', 'PAUSED', 'DISABLED', 'IN_APPEAL', 'PENDING_DELETION', 'ARCHIVED'] as const;

export type TemplateStatus = (typeof templateStatuses)[number] | 'UNKNOWN';

export interface ProviderTemplate {
  /** The provider's id for the template (Meta template id, Gupshup uuid). */
  id: string;
  name: string;
  language: string;
  status: TemplateStatus;
  category: string | null;
  /** The body text with its placeholders ({{1}} or {{name}}), used for previews. */
  bodyText: string | null;
  /** Placeholder names in body order: "1","2"... for positional templates, names for NAMED ones. */
  placeholders: string[];
  parameterFormat: 'POSITIONAL' | 'NAMED';
}

/** Decrypted credentials and settings of one channel account, as the adapter needs them. */
export interface ChannelAccountCredentials {
  /** Provider-specific public settings, e.g. { phoneNumberId, wabaId }. */
  settings: Record<string, string>;
  /** Provider-specific secrets, e.g. { accessToken, appSecret }. */
  secrets: Record<string, string>;
}

export interface VerifiedAccount {
  /** A human label for the account as the provider reports it (display phone number, page name...). */
  displayName: string;
  details: Record<string, unknown>;
}

export interface TemplateParameter {
  /** Placeholder name: "1","2"... or a NAMED parameter's name. */
  name: string;
  value: string;
}

export type OutboundContent =
  | {
      kind: 'template';
      templateName: string;
      language: string;
      /** Provider template id where the provider addresses templates by id (Gupshup). */
      templateId?: string | null;
      parameters: TemplateParameter[];
      parameterFormat: 'POSITIONAL' | 'NAMED';
    }
  | {
      kind: 'text';
      text: string;
      /** E-mail only: the subject line, and an HTML alternative of the text. */
      subject?: string;
      html?: string;
      /** E-mail only: the one-click unsubscribe link (List-Unsubscribe, RFC 8058). */
      unsubscribeUrl?: string;
      /** LINE: a reply token still valid for this conversation. */
      replyToken?: string | null;
    }
  | InteractiveContent;

/** A choice the customer can tap; its id comes back as the inbound message's payload. */
export interface ChatButton {
  id: string;
  title: string;
}

/** A card in a carousel or list (an order in the order history...). */
export interface ChatCard {
  title: string;
  subtitle: string;
  url: string | null;
  /** The label of the card's link button ("View order"). */
  linkTitle?: string;
}

/**
 * A message with choices, rendered by each adapter in its channel's own form: WhatsApp reply buttons (≤3) or a
 * list (≤10), Messenger a button template or quick replies, LINE quick replies and flex carousels, SMS and
 * e-mail numbered options in the text. The hub checks the channel's limits before it builds one.
 */
export interface InteractiveContent {
  kind: 'interactive';
  text: string;
  buttons: ChatButton[];
  /** Links shown as URL buttons where the channel has them, else appended to the text. */
  links?: Array<{ title: string; url: string }>;
  cards?: ChatCard[];
  /** LINE: a reply token still valid for this conversation; replies do not count against the push quota. */
  replyToken?: string | null;
}

/** A persistent chat menu (LINE rich menu, Messenger persistent menu); items open a module or run an action. */
export interface ChatMenu {
  name: string;
  /** Chat bar label (LINE). */
  chatBarText: string;
  items: Array<{ title: string; payload: string } | { title: string; url: string }>;
}

/** A message as the hub stores it before sending: portable content, or a provider-native body (sendNative). */
export type StoredContent = OutboundContent | { kind: 'native'; text: string; body: Record<string, unknown> };

export interface SendRequest {
  /** Recipient address in the channel's form; for WhatsApp, E.164 digits without '+'. */
  to: string;
  content: OutboundContent;
  /** A stable key for this send; passed to providers that support idempotent retries. */
  idempotencyKey: string;
}

export interface SendResult {
  providerMessageId: string;
  /** Raw acceptance status when the provider gives one (e.g. "accepted"). */
  providerStatus: string | null;
}

export type DeliveryState = 'sent' | 'delivered' | 'read' | 'failed';

export interface DeliveryStatusUpdate {
  providerMessageId: string;
  state: DeliveryState;
  occurredAt: number;
  recipient: string | null;
  errorCode: string | null;
  errorDetail: string | null;
  /** Pricing category where the provider reports it (utility, marketing...). */
  category: string | null;
  /**
   * The provider's id of the sending identity the status belongs to (WhatsApp metadata.phone_number_id,
   * Messenger page id), where one webhook can carry several accounts' events; the hub routes by it.
   */
  accountExternalId?: string | null;
}

export interface InboundChatMessage {
  providerMessageId: string;
  from: string;
  occurredAt: number;
  text: string | null;
  /** Button payload or postback data when the customer tapped a button. */
  payload: string | null;
  profileName: string | null;
  replyToProviderMessageId: string | null;
  /** LINE: the reply token of the event (valid for a short time, single use). */
  replyToken?: string | null;
  /** Messenger m.me links (?ref=) and similar deep links: the ref the conversation was opened with. */
  referral?: string | null;
  /** As for statuses: the provider's id of the account the message was addressed to, where it can vary. */
  accountExternalId?: string | null;
  /**
   * What happened: a message or postback (the default), or the customer following (adding, unblocking) or
   * unfollowing (blocking) the account (LINE).
   */
  event?: 'message' | 'follow' | 'unfollow';
  /**
   * Set when the hub must record the event but not answer it as a 1:1 chat: LINE's standby mode (another
   * channel or module answers), or a message said in a LINE group or multi-person chat.
   */
  noReply?: { reason: 'standby' | 'group' | 'room'; chatId?: string | null } | null;
}

/** A chat user's public profile, as the provider reports it (LINE profile API). */
export interface ChatProfile {
  displayName: string | null;
  pictureUrl: string | null;
  language: string | null;
}

export interface ParsedChannelWebhook {
  statuses: DeliveryStatusUpdate[];
  messages: InboundChatMessage[];
}

export interface RawWebhook {
  /** Exact request bytes, as received; signatures are computed over these. */
  body: Buffer;
  /** Lower-cased header names. */
  headers: Record<string, string | undefined>;
  query: Record<string, string | undefined>;
  /** The full URL the provider called (public base + path + query), for signatures computed over it (Twilio). */
  url?: string;
}

/** A message in the provider's own shape (e.g. Messenger's messaging_type, tag and message object). */
export interface NativeSend {
  to: string;
  body: Record<string, unknown>;
}

export interface ChannelAdapter {
  readonly channel: ChannelId;
  readonly provider: string;
  /** Calls the provider with the credentials; throws ProviderError (permanent) when refused. */
  verifyAccount(account: ChannelAccountCredentials): Promise<VerifiedAccount>;
  listTemplates(account: ChannelAccountCredentials): Promise<ProviderTemplate[]>;
  send(account: ChannelAccountCredentials, request: SendRequest): Promise<SendResult>;
  /**
   * True when sending this request again with the same idempotencyKey cannot deliver it twice, because the
   * provider deduplicates on a key we send (LINE's X-Line-Retry-Key). Absent: no provider-side dedupe, so a
   * send whose outcome is unknown is reported rather than repeated.
   */
  dedupesRetries?(request: Pick<SendRequest, 'content'>): boolean;
  /** Sends a provider-native message (rich templates, tagged updates); absent where there is none. */
  sendNative?(account: ChannelAccountCredentials, request: NativeSend): Promise<SendResult>;
  /** Installs a persistent menu for every user of the account (LINE rich menu, Messenger persistent menu). */
  setMenu?(account: ChannelAccountCredentials, menu: ChatMenu): Promise<{ menuId: string | null }>;
  /**
   * The secret that identifies the provider app behind an account, where one app's callback URL receives the
   * events of all its accounts (Meta: appSecret). Accounts of a workspace with the same value form one app.
   */
  readonly appSecretField?: string;
  /** A chat user's profile (display name...); throws ProviderError. Absent where the provider has none. */
  getProfile?(account: ChannelAccountCredentials, userId: string): Promise<ChatProfile>;
  /** Verifies the webhook's signature with the account's secrets, in constant time. */
  verifyWebhook(account: ChannelAccountCredentials, webhook: RawWebhook): boolean;
  parseWebhook(body: Buffer): ParsedChannelWebhook;
}
