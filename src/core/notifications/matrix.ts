// Which notification types each store platform supports on which channel, as data (seed 000's table for
// LINE and Messenger, seed 002's order and return journey for WhatsApp, and the order journey everywhere
// a platform sends order events). A channel whose profile forbids promotional notifications (Messenger: Meta
// forbids promotional content in tagged messages) never gets points, credits or coupon notifications.
import type { EventType } from '../events/model.js';
import { orderJourney } from '../events/model.js';
import type { ChannelId } from '../channels/profile.js';
import { channelProfile } from '../channels/profile.js';

interface MatrixRow {
  types: EventType[];
  platforms: string[];
  channels: ChannelId[];
}

/** The source of events raised by the hub's own loyalty programme (not a store platform). */
export const LOYALTY_SOURCE = 'loyalty';

export const supportMatrix: MatrixRow[] = [
  // Seed 000: LINE and Messenger for the Taiwanese platforms.
  { types: ['account.linked'], platforms: ['91app', 'cyberbiz', 'shopline'], channels: ['line', 'messenger'] },
  { types: ['order.placed', 'order.shipped', 'order.delivered', 'order.refunded'], platforms: ['cyberbiz', 'shopline'], channels: ['line', 'messenger'] },
  { types: ['points.earned', 'points.spent'], platforms: ['cyberbiz', 'shopline'], channels: ['line'] },
  { types: ['credits.earned', 'credits.spent'], platforms: ['shopline'], channels: ['line'] },
  { types: ['coupon.issued'], platforms: ['cyberbiz', 'shopline'], channels: ['line'] },
  // Seed 002 and the platforms that send order webhooks: the order and return journey on WhatsApp, SMS, e-mail.
  { types: [...orderJourney], platforms: ['eshopbox', 'shopify', 'shopline', 'cyberbiz', '91app', 'generic'], channels: ['whatsapp', 'sms', 'email'] },
  // Seed 004: the hub runs its own loyalty programme, so its point and coupon changes are the hub's events and go
  // wherever the channel's rules allow: not on Messenger.
  { types: ['points.earned', 'points.spent', 'coupon.issued'], platforms: [LOYALTY_SOURCE], channels: ['whatsapp', 'line', 'sms', 'email'] },
];

const promotional = new Set<EventType>(['points.earned', 'points.spent', 'credits.earned', 'credits.spent', 'coupon.issued']);

/** A promotional notification on a channel that forbids them. */
const forbiddenPromotion = (type: EventType, channel: string): boolean => promotional.has(type) && channelProfile(channel)?.promotionalNotifications === false;

export function isSupported(platform: string, type: EventType, channel: string): boolean {
  if (forbiddenPromotion(type, channel)) return false;
  return supportMatrix.some((row) => row.types.includes(type) && row.platforms.includes(platform) && (row.channels as string[]).includes(channel));
}

/** Platforms on which a type is supported on a channel; empty when none. */
export function supportingPlatforms(type: EventType, channel: string): string[] {
  const out = new Set<string>();
  for (const row of supportMatrix) {
    if (row.types.includes(type) && (row.channels as string[]).includes(channel)) for (const p of row.platforms) if (isSupported(p, type, channel)) out.add(p);
  }
  return [...out].sort();
}

/** Why a combination is not supported, in words a merchant understands; null when it is. */
export function unsupportedReason(platform: string, type: EventType, channel: string, labels: { event: string; channel: string; platform: string }): string | null {
  if (isSupported(platform, type, channel)) return null;
  if (forbiddenPromotion(type, channel)) {
    return `${labels.channel} does not allow promotional content such as ${labels.event.toLowerCase()} in notifications`;
  }
  return `${labels.platform} does not support ${labels.event.toLowerCase()} notifications on ${labels.channel}`;
}

/** The billing category of a notification: promotional types are marketing, the rest transactional. */
export const billingCategory = (type: EventType): 'utility' | 'marketing' => (promotional.has(type) ? 'marketing' : 'utility');
