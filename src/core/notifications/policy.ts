// Channel rules checked before a send (DESIGN.md, "Policies the hub enforces"). Pure functions: each answers
// how a message may go out, or why it may not, in words a merchant understands.
import type { EventType } from '../events/model.js';

export const CUSTOMER_SERVICE_WINDOW_MS = 24 * 60 * 60 * 1000;

/** Meta's limits on WhatsApp interactive reply buttons. */
export const WHATSAPP_MAX_REPLY_BUTTONS = 3;
export const WHATSAPP_MAX_BUTTON_TITLE = 20;
/** The longest SMS body a Twilio-style API accepts (it is split into segments by the carrier). */
export const SMS_MAX_LENGTH = 1600;
/** LINE text messages and Messenger text both stop at these lengths. */
export const LINE_MAX_TEXT = 5000;
export const MESSENGER_MAX_TEXT = 2000;

export type MessengerDelivery = { messagingType: 'RESPONSE' } | { messagingType: 'MESSAGE_TAG'; tag: 'POST_PURCHASE_UPDATE' | 'ACCOUNT_UPDATE' };

/**
 * Inside the 24-hour window a business may answer freely; outside it only with a message tag, and a tag only
 * for what it names: order and delivery updates (POST_PURCHASE_UPDATE) and account changes (ACCOUNT_UPDATE).
 * Promotional content is never allowed under a tag.
 */
export function messengerDelivery(type: EventType, lastInboundAt: number | null, now: number): MessengerDelivery | { refused: string } {
  if (lastInboundAt != null && now - lastInboundAt < CUSTOMER_SERVICE_WINDOW_MS) return { messagingType: 'RESPONSE' };
  if (type === 'account.linked') return { messagingType: 'MESSAGE_TAG', tag: 'ACCOUNT_UPDATE' };
  if (type.startsWith('order.') || type.startsWith('return.') || type === 'shipment.updated') return { messagingType: 'MESSAGE_TAG', tag: 'POST_PURCHASE_UPDATE' };
  return { refused: 'Messenger allows it only within 24 hours of the customer’s last message, and the customer has not written in that time' };
}

/** Whether free-form (non-template) WhatsApp messages may be sent: only inside the customer-service window. */
export function whatsappFreeFormAllowed(lastInboundAt: number | null, now: number): boolean {
  return lastInboundAt != null && now - lastInboundAt < CUSTOMER_SERVICE_WINDOW_MS;
}

/** Checks WhatsApp reply buttons; returns the problem or null. */
export function whatsappButtonsProblem(titles: string[]): string | null {
  if (titles.length === 0) return 'at least one button is needed';
  if (titles.length > WHATSAPP_MAX_REPLY_BUTTONS) return `WhatsApp allows at most ${WHATSAPP_MAX_REPLY_BUTTONS} reply buttons (got ${titles.length}); use a list instead`;
  const long = titles.find((t) => [...t].length > WHATSAPP_MAX_BUTTON_TITLE);
  if (long) return `WhatsApp button titles are at most ${WHATSAPP_MAX_BUTTON_TITLE} characters ("${long}" has ${[...long].length})`;
  const empty = titles.find((t) => t.trim() === '');
  if (empty !== undefined) return 'button titles must not be empty';
  if (new Set(titles).size !== titles.length) return 'button titles must be different from each other';
  return null;
}

/** The longest text a channel takes in one message, or null when it has no practical limit (e-mail). */
export function maxTextLength(channel: string): number | null {
  if (channel === 'sms') return SMS_MAX_LENGTH;
  if (channel === 'line') return LINE_MAX_TEXT;
  if (channel === 'messenger') return MESSENGER_MAX_TEXT;
  return null;
}

/** A text too long for the channel, explained; null when it fits. */
export function textLengthProblem(channel: string, label: string, text: string): string | null {
  const max = maxTextLength(channel);
  const length = [...text].length;
  return max != null && length > max ? `the text is ${length} characters and ${label} takes at most ${max}` : null;
}
