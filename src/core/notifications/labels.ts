// Names a merchant reads in activity entries and skip reasons.
import type { EventType } from '../events/model.js';
import { channelProfile } from '../channels/profile.js';

const eventLabels: Record<EventType, string> = {
  'order.placed': 'Order placed',
  'order.paid': 'Order paid',
  'order.packed': 'Order packed',
  'order.shipped': 'Order shipped',
  'order.out_for_delivery': 'Out for delivery',
  'order.delivery_failed': 'Failed delivery',
  'order.delivered': 'Order delivered',
  'order.cancelled': 'Order cancelled',
  'order.refunded': 'Order refunded',
  'return.created': 'Return created',
  'return.restocked': 'Return restocked',
  'shipment.updated': 'Shipping status update',
  'points.earned': 'Points received',
  'points.spent': 'Points used',
  'credits.earned': 'Reward credits received',
  'credits.spent': 'Reward credits used',
  'coupon.issued': 'Coupon received',
  'account.linked': 'Account linked',
};

export const eventLabel = (type: EventType): string => eventLabels[type];
export const channelLabel = (channel: string): string => channelProfile(channel)?.label ?? channel;

const platformLabels: Record<string, string> = {
  shopify: 'Shopify',
  shopline: 'SHOPLINE',
  cyberbiz: 'Cyberbiz',
  '91app': '91APP',
  eshopbox: 'Eshopbox',
  empikplace: 'EmpikPlace',
  generic: 'The generic webhook source',
  loyalty: 'The loyalty programme',
};

export const platformLabel = (platform: string): string => platformLabels[platform] ?? platform;
