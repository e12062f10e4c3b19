// The channels the hub messages customers on, and the rules each one sets, described once: how a customer is
// addressed, how long the customer-service window lasts and what may go out after it, which tags carry what,
// button and text limits, opt-out words, and where promotions are allowed (DESIGN.md, "Policies the hub enforces
// before it sends"). Notifications, opt-outs, recipients and conversations read their channel rules from here;
// adapters keep only the limits of their own wire formats.
import type { EventType } from '../events/model.js';
import { orderJourney } from '../events/model.js';

export const channelIds = ['whatsapp', 'messenger', 'line', 'sms', 'email'] as const;
export type ChannelId = (typeof channelIds)[number];

/** How a channel's customer is addressed. */
export type ChannelAddress =
  /** A phone number, kept as E.164 digits without '+'. */
  | { kind: 'phone' }
  /** An e-mail address, kept lower-cased. */
  | { kind: 'email' }
  /**
   * An id the provider gives a user for one account only (a PSID per Facebook page, a LINE user id per LINE
   * channel): only that account can write to it. `account` names that account for a merchant.
   */
  | { kind: 'account-user-id'; name: string; account: string };

/** A message tag, and the notifications it may carry outside the customer-service window. */
export interface MessageTag {
  tag: string;
  events: readonly EventType[];
}

export interface ChannelProfile {
  id: ChannelId;
  /** The channel's name in texts a merchant reads. */
  label: string;
  address: ChannelAddress;
  /** What a valid address looks like, for an error about one. */
  addressHint: string;
  /**
   * What a notification's content is: a template the provider approved ('provider-template', WhatsApp), or text
   * the hub renders from the built-in or the merchant's own template ('text').
   */
  notificationContent: 'provider-template' | 'text';
  /**
   * The customer-service window: for this long after the customer's last message the business may write
   * freely; after it only approved templates (WhatsApp) or tagged messages (Messenger). Null: no window, any
   * message at any time (LINE, SMS, e-mail).
   */
  serviceWindow: { ms: number; outside: 'approved-templates' | 'message-tags' } | null;
  /** The tags an automated notification may go out with after the window, each for the events it names. */
  messageTags: readonly MessageTag[];
  /** The tag a human agent answers with after the window, and until when (Messenger HUMAN_AGENT). */
  humanAgent: { tag: string; windowMs: number } | null;
  /** Whether notifications may be promotional (points, credits, coupons); Meta forbids it under a tag. */
  promotionalNotifications: boolean;
  /** The longest text one notification may be, in characters; null where there is no practical limit. */
  maxTextLength: number | null;
  /**
   * Choices in one message: how many, and the longest title. Null where choices are numbered lines in the
   * text (SMS, e-mail) and have no limit of their own.
   */
  choices: { max: number; titleMax: number } | null;
  /** Whole-message keywords (upper case) that opt the sender out of, or back into, messages on the channel. */
  optOutWords: ReadonlySet<string>;
  optInWords: ReadonlySet<string>;
  /** Messages have a subject line. */
  subject: boolean;
  /** Notifications carry a one-click unsubscribe link (RFC 8058). */
  unsubscribeLink: boolean;
  /** A hard bounce (a permanent 5xx refusal of the address) opts the address out. */
  hardBounceOptsOut: boolean;
  /** Inbound messages bring a short-lived reply token; a reply with it is preferred over a push (quota). */
  replyToken: boolean;
  /** Seed 002: a failed-delivery notification opens a case the customer answers in the chat. */
  failedDeliveryAnswers: boolean;
}

const HOUR = 3600_000;
const DAY = 24 * HOUR;

// Chat channels take only unambiguous words: "cancel" or "yes" are answers in a conversation (a failed
// delivery, a question). SMS adds the carriers' standard keywords, which the carriers act on anyway.
const chatOptOut = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'OPTOUT', 'OPT-OUT', '退訂', '取消訂閱', 'WYPISZ', 'REZYGNUJĘ', 'REZYGNUJE']);
const smsOptOut = new Set([...chatOptOut, 'CANCEL', 'END', 'QUIT', 'REVOKE', 'STOP SMS']);
const chatOptIn = new Set(['START', 'UNSTOP', 'SUBSCRIBE', '訂閱']);
const smsOptIn = new Set([...chatOptIn, 'YES']);

// What a channel has unless its entry says otherwise: no window or tags, promotions allowed, the chat keywords.
const defaults = {
  serviceWindow: null,
  messageTags: [],
  humanAgent: null,
  promotionalNotifications: true,
  subject: false,
  unsubscribeLink: false,
  hardBounceOptsOut: false,
  replyToken: false,
  failedDeliveryAnswers: false,
  optOutWords: chatOptOut,
  optInWords: chatOptIn,
} satisfies Partial<ChannelProfile>;

export const channelProfiles: { readonly [C in ChannelId]: ChannelProfile & { id: C } } = {
  whatsapp: {
    ...defaults,
    id: 'whatsapp',
    label: 'WhatsApp',
    address: { kind: 'phone' },
    addressHint: 'must be a phone number with its country code, e.g. +14155550123',
    notificationContent: 'provider-template',
    serviceWindow: { ms: 24 * HOUR, outside: 'approved-templates' },
    // Templates are the provider's; a free-form text body stops at 4096 characters.
    maxTextLength: 4096,
    // Up to 3 reply buttons, or a list of up to 10 rows; reply-button titles at most 20 characters.
    choices: { max: 10, titleMax: 20 },
    failedDeliveryAnswers: true,
  },
  messenger: {
    ...defaults,
    id: 'messenger',
    label: 'Messenger',
    address: { kind: 'account-user-id', name: 'PSID', account: 'Facebook page' },
    addressHint: 'must be a Messenger user id',
    notificationContent: 'text',
    serviceWindow: { ms: 24 * HOUR, outside: 'message-tags' },
    // Each tag only for what it names: account changes, and order, return and delivery updates.
    messageTags: [
      { tag: 'ACCOUNT_UPDATE', events: ['account.linked'] },
      { tag: 'POST_PURCHASE_UPDATE', events: orderJourney },
    ],
    humanAgent: { tag: 'HUMAN_AGENT', windowMs: 7 * DAY },
    promotionalNotifications: false,
    maxTextLength: 2000,
    // Quick replies: up to 13, titles at most 20 characters.
    choices: { max: 13, titleMax: 20 },
  },
  line: {
    ...defaults,
    id: 'line',
    label: 'LINE',
    address: { kind: 'account-user-id', name: 'LINE user id', account: 'LINE channel' },
    addressHint: 'must be a LINE user id',
    notificationContent: 'text',
    maxTextLength: 5000,
    // Quick-reply items: up to 13, labels at most 20 characters.
    choices: { max: 13, titleMax: 20 },
    replyToken: true,
  },
  sms: {
    ...defaults,
    id: 'sms',
    label: 'SMS',
    address: { kind: 'phone' },
    addressHint: 'must be a phone number with its country code, e.g. +14155550123',
    notificationContent: 'text',
    // The longest body a Twilio-style API accepts (the carrier splits it into segments).
    maxTextLength: 1600,
    choices: null,
    optOutWords: smsOptOut,
    optInWords: smsOptIn,
  },
  email: {
    ...defaults,
    id: 'email',
    label: 'e-mail',
    address: { kind: 'email' },
    addressHint: 'must be an e-mail address',
    notificationContent: 'text',
    maxTextLength: null,
    choices: null,
    subject: true,
    unsubscribeLink: true,
    hardBounceOptsOut: true,
  },
};

export const isChannelId = (channel: string): channel is ChannelId => (channelIds as readonly string[]).includes(channel);

/** The profile of a channel; null for a name that is not one. */
export const channelProfile = (channel: string): ChannelProfile | null => (isChannelId(channel) ? channelProfiles[channel] : null);

/** The channels whose customers are addressed in a way (their identities hold phone digits, e-mails or user ids). */
export const channelsAddressedBy = (kind: ChannelAddress['kind']): ChannelId[] => channelIds.filter((id) => channelProfiles[id].address.kind === kind);

/** The smallest value of a limit over the channels that have one, and the channels that set it. */
function tightest(limit: (p: ChannelProfile) => number | undefined): { value: number; channels: ChannelProfile[] } {
  const values = channelIds.flatMap((id) => {
    const value = limit(channelProfiles[id]);
    return value === undefined ? [] : [{ value, channel: channelProfiles[id] }];
  });
  const value = Math.min(...values.map((v) => v.value));
  return { value, channels: values.filter((v) => v.value === value).map((v) => v.channel) };
}

/**
 * Choices that must fit every channel (a flow module's buttons, shown wherever the customer writes from): the
 * fewest choices and the shortest title any channel takes.
 */
export const choicesOnEveryChannel = {
  max: tightest((p) => p.choices?.max),
  titleMax: tightest((p) => p.choices?.titleMax),
};
