// Normalized commerce events: every store platform's webhook, poll result or API push becomes one of these.

export const eventTypes = [
  'order.placed',
  'order.paid',
  'order.packed',
  'order.shipped',
  'order.out_for_delivery',
  'order.delivery_failed',
  'order.delivered',
  'order.cancelled',
  'order.refunded',
  'return.created',
  'return.restocked',
  'shipment.updated',
  'points.earned',
  'points.spent',
  'credits.earned',
  'credits.spent',
  'coupon.issued',
  'account.linked',
] as const;

export type EventType = (typeof eventTypes)[number];

/** The order and return journey: the events about an order, its return or its shipment. */
export const orderJourney: readonly EventType[] = eventTypes.filter((t) => t.startsWith('order.') || t.startsWith('return.') || t === 'shipment.updated');

export interface Money {
  amount: string;
  currency: string;
}

export interface OrderAddress {
  name: string | null;
  line1: string | null;
  line2: string | null;
  city: string | null;
  state: string | null;
  postalCode: string | null;
  country: string | null;
  phone: string | null;
}

export interface OrderLine {
  sku: string | null;
  title: string;
  quantity: number;
  price: string | null;
}

/** The store's order as the hub keeps it: enough to address the buyer and fill template variables. */
export interface OrderSnapshot {
  externalId: string;
  /** The number the buyer sees ("#1001"). */
  name: string;
  customerExternalId: string | null;
  customerName: string | null;
  email: string | null;
  /** The buyer's phone as the store gave it (not yet normalized). */
  phone: string | null;
  total: Money | null;
  financialStatus: string | null;
  fulfillmentStatus: string | null;
  paymentMethod: string | null;
  statusUrl: string | null;
  shippingAddress: OrderAddress | null;
  lines: OrderLine[];
  createdAt: string | null;
}

export interface NormalizedEvent {
  type: EventType;
  /** Unique per workspace: the same fact delivered twice carries the same key. */
  idempotencyKey: string;
  occurredAt: number;
  order: OrderSnapshot | null;
  /** Platform-specific extra facts (tracking number, refund amount...). */
  data: Record<string, unknown>;
}
