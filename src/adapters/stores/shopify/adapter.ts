// Shopify store adapter: verifies and maps Shopify webhooks (REST resource JSON) to normalized events.
// Protocol facts: /work/shared/reference/messaging-apis.md §5 and store-apis.md §6.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { RawWebhook } from '../../../core/channels/ports.js';
import type { EventType, NormalizedEvent, OrderSnapshot } from '../../../core/events/model.js';
import type { ParsedStoreWebhook, StoreAdapter, StoreConnectionCredentials } from '../../../core/stores/ports.js';
import type { Json } from '../rest-order.js';
import { addressName, idText, isJson, nonEmpty, num, obj, orderAddress, orderLine, parseJsonBody, personName, sumDecimals, text } from '../rest-order.js';


/** fulfillments/update shipment_status → event type. Statuses not listed produce no event. */
const shipmentStatusEvents: Record<string, EventType> = {
  label_printed: 'shipment.updated',
  label_purchased: 'shipment.updated',
  confirmed: 'shipment.updated',
  in_transit: 'shipment.updated',
  carrier_picked_up: 'shipment.updated',
  ready_for_pickup: 'shipment.updated',
  delayed: 'shipment.updated',
  out_for_delivery: 'order.out_for_delivery',
  delivered: 'order.delivered',
  attempted_delivery: 'order.delivery_failed',
  failure: 'order.delivery_failed',
};

const orderTopicEvents: Record<string, EventType> = {
  'orders/create': 'order.placed',
  'orders/paid': 'order.paid',
  'orders/fulfilled': 'order.shipped',
  'orders/cancelled': 'order.cancelled',
};

const BASE64_SHA256 = /^[A-Za-z0-9+/]{43}=$/;

export class ShopifyAdapter implements StoreAdapter {
  readonly platform = 'shopify' as const;

  verifyWebhook(connection: StoreConnectionCredentials, webhook: RawWebhook): boolean {
    const given = webhook.headers['x-shopify-hmac-sha256']?.trim();
    if (!given || !BASE64_SHA256.test(given)) return false;
    const expectedShop = normalizeShopDomain(connection.settings['shopDomain']);
    const headerShop = webhook.headers['x-shopify-shop-domain'];
    if (headerShop !== undefined && expectedShop && normalizeShopDomain(headerShop) !== expectedShop) return false;
    const provided = Buffer.from(given, 'base64');
    // A rotated secret takes up to an hour to apply at Shopify, so the previous one is accepted meanwhile.
    const secrets = [connection.secrets['webhookSecret'], connection.secrets['previousWebhookSecret']];
    let ok = false;
    for (const secret of secrets) {
      if (!secret) continue;
      const expected = createHmac('sha256', secret).update(webhook.body).digest();
      // No early exit: both comparisons run so timing does not reveal which secret matched.
      if (expected.length === provided.length && timingSafeEqual(expected, provided)) ok = true;
    }
    return ok;
  }

  deliveryId(webhook: RawWebhook): string | null {
    return nonEmpty(webhook.headers['x-shopify-webhook-id']);
  }

  parseWebhook(webhook: RawWebhook): ParsedStoreWebhook {
    const topic = (webhook.headers['x-shopify-topic'] ?? '').trim().toLowerCase();
    const body = parseJsonBody(webhook.body, 'Shopify', topic);
    const shop = normalizeShopDomain(webhook.headers['x-shopify-shop-domain']) ?? 'unknown-shop';
    const triggeredAt = parseTime(webhook.headers['x-shopify-triggered-at']);
    const deliveryId =
      this.deliveryId(webhook) ??
      nonEmpty(webhook.headers['x-shopify-event-id']) ??
      // Without Shopify's ids, identical bytes on the same topic are the same delivery.
      'sha256:' + createHash('sha256').update(topic).update('\n').update(webhook.body).digest('hex');
    const ctx: Context = { shop, triggeredAt };

    let events: NormalizedEvent[] = [];
    const orderEvent = orderTopicEvents[topic];
    if (orderEvent) events = [orderToEvent(orderEvent, body, ctx)];
    else if (topic === 'refunds/create') events = [refundToEvent(body, ctx)];
    else if (topic === 'fulfillments/create' || topic === 'fulfillments/update') events = fulfillmentToEvents(topic, body, ctx);
    return { deliveryId, topic, events };
  }
}

interface Context {
  shop: string;
  triggeredAt: number | null;
}

// ---------------------------------------------------------------------------------------------
// Topic mappers

function orderToEvent(type: EventType, order: Json, ctx: Context): NormalizedEvent {
  const snapshot = orderSnapshot(order);
  const data: Json = {
    orderNumber: order['order_number'] ?? null,
    tags: splitTags(order['tags']),
    note: text(order['note']),
    test: order['test'] === true,
    sourceName: text(order['source_name']),
  };
  if (type === 'order.cancelled') {
    data['cancelReason'] = text(order['cancel_reason']);
    data['cancelledAt'] = text(order['cancelled_at']);
  }
  if (type === 'order.shipped') {
    // orders/fulfilled carries the fulfillments; the newest one has the tracking the buyer wants.
    const fulfillments = Array.isArray(order['fulfillments']) ? order['fulfillments'] : [];
    const latest = obj(fulfillments[fulfillments.length - 1]);
    Object.assign(data, {
      fulfillmentId: latest ? resourceId(latest) : null,
      trackingNumber: latest ? text(latest['tracking_number']) : null,
      trackingCompany: latest ? text(latest['tracking_company']) : null,
      trackingUrl: latest ? text(latest['tracking_url']) : null,
    });
  }
  return {
    type,
    idempotencyKey: `shopify:${ctx.shop}:order:${snapshot.externalId}:${type}`,
    occurredAt: occurredAt(ctx, type === 'order.placed' ? [order['created_at']] : [order['updated_at'], order['created_at']]),
    order: snapshot,
    data,
  };
}

function refundToEvent(refund: Json, ctx: Context): NormalizedEvent {
  const refundId = resourceId(refund);
  if (!refundId) throw new Error('Shopify refunds/create body has no refund id');
  const transactions = (Array.isArray(refund['transactions']) ? refund['transactions'] : []).map(obj).filter(isJson);
  // Failed or errored refund transactions moved no money.
  const refunded = transactions.filter(
    (t) => text(t['kind']) === 'refund' && !['failure', 'error'].includes(text(t['status']) ?? ''),
  );
  const currency =
    refunded.map((t) => text(t['currency'])).find((c) => c !== null) ??
    firstLineItemCurrency(refund['refund_line_items']) ??
    null;
  const orderId = idText(refund['order_id']);
  const lineItems = (Array.isArray(refund['refund_line_items']) ? refund['refund_line_items'] : [])
    .map(obj)
    .filter(isJson)
    .map((r) => {
      const item = obj(r['line_item']);
      return {
        sku: item ? text(item['sku']) : null,
        title: item ? text(item['title']) : null,
        quantity: num(r['quantity']),
      };
    });
  return {
    type: 'order.refunded',
    idempotencyKey: `shopify:${ctx.shop}:refund:${refundId}`,
    occurredAt: occurredAt(ctx, [refund['processed_at'], refund['created_at']]),
    order: null,
    data: {
      orderExternalId: orderId,
      orderId,
      refundId,
      refundAmount: sumDecimals(refunded.map((t) => text(t['amount']) ?? '0')),
      currency,
      note: text(refund['note']),
      restock: refund['restock'] === true,
      lineItems,
    },
  };
}

function fulfillmentToEvents(topic: string, f: Json, ctx: Context): NormalizedEvent[] {
  const fulfillmentId = resourceId(f);
  if (!fulfillmentId) throw new Error(`Shopify ${topic} body has no fulfillment id`);
  const status = text(f['status']);
  // A cancelled or errored fulfillment is not a shipment the buyer should hear about.
  if (status === 'cancelled' || status === 'error') return [];
  const shipmentStatus = text(f['shipment_status']);
  let type: EventType | undefined;
  let keySuffix: string;
  if (topic === 'fulfillments/create') {
    type = 'order.shipped';
    keySuffix = 'order.shipped';
  } else {
    type = shipmentStatus ? shipmentStatusEvents[shipmentStatus] : undefined;
    keySuffix = shipmentStatus ?? '';
  }
  if (!type) return [];
  const orderId = idText(f['order_id']);
  const trackingNumbers = stringList(f['tracking_numbers']);
  const trackingUrls = stringList(f['tracking_urls']);
  const destination = obj(f['destination']);
  return [
    {
      type,
      idempotencyKey: `shopify:${ctx.shop}:fulfillment:${fulfillmentId}:${keySuffix}`,
      occurredAt: occurredAt(ctx, [f['updated_at'], f['created_at']]),
      order: null,
      data: {
        orderExternalId: orderId,
        orderId,
        fulfillmentId,
        fulfillmentName: text(f['name']),
        status,
        shipmentStatus,
        trackingNumber: text(f['tracking_number']) ?? trackingNumbers[0] ?? null,
        trackingNumbers,
        trackingCompany: text(f['tracking_company']),
        trackingUrl: text(f['tracking_url']) ?? trackingUrls[0] ?? null,
        trackingUrls,
        email: text(f['email']),
        destinationPhone: destination ? text(destination['phone']) : null,
      },
    },
  ];
}

/** The hub's view of a Shopify REST Order. Exported for the poller and the simulator's tests. */
export function orderSnapshot(order: Json): OrderSnapshot {
  const externalId = resourceId(order);
  if (!externalId) throw new Error('Shopify order body has no id');
  const customer = obj(order['customer']);
  const shipping = obj(order['shipping_address']);
  const billing = obj(order['billing_address']);
  const defaultAddress = customer ? obj(customer['default_address']) : null;
  const orderNumber = text(order['order_number']);
  const totalPrice = text(order['total_price']);
  const currency = text(order['currency']) ?? setCurrency(order['total_price_set']);
  const gateways = stringList(order['payment_gateway_names']);
  return {
    externalId,
    name: text(order['name']) ?? (orderNumber ? `#${orderNumber}` : externalId),
    customerExternalId: customer ? resourceId(customer) : null,
    customerName: (customer ? personName(customer) : null) ?? addressName(shipping) ?? addressName(billing),
    email: text(order['email']) ?? text(order['contact_email']) ?? (customer ? text(customer['email']) : null),
    phone:
      text(order['phone']) ??
      (customer ? text(customer['phone']) : null) ??
      (shipping ? text(shipping['phone']) : null) ??
      (billing ? text(billing['phone']) : null) ??
      (defaultAddress ? text(defaultAddress['phone']) : null),
    total: totalPrice !== null && currency !== null ? { amount: totalPrice, currency } : null,
    financialStatus: text(order['financial_status']),
    fulfillmentStatus: text(order['fulfillment_status']),
    paymentMethod: gateways.length > 0 ? gateways.join(', ') : text(order['gateway']),
    statusUrl: text(order['order_status_url']),
    shippingAddress: shipping ? orderAddress(shipping) : null,
    lines: (Array.isArray(order['line_items']) ? order['line_items'] : []).map(obj).filter(isJson).map(orderLine),
    createdAt: text(order['created_at']),
  };
}

/** The resource id; falls back to the GraphQL gid when the numeric id is missing or lost precision. */
function resourceId(r: Json): string | null {
  const id = idText(r['id']);
  if (id) return id;
  const gid = text(r['admin_graphql_api_id']);
  return (gid ? /^gid:\/\/shopify\/[A-Za-z]+\/(\d+)/.exec(gid)?.[1] : undefined) ?? null;
}

function stringList(v: unknown): string[] {
  return Array.isArray(v) ? v.map(text).filter((s): s is string => s !== null) : [];
}

function splitTags(v: unknown): string[] {
  if (Array.isArray(v)) return stringList(v);
  const s = text(v);
  return s ? s.split(',').map((t) => t.trim()).filter((t) => t !== '') : [];
}

function setCurrency(v: unknown): string | null {
  const shopMoney = obj(obj(v)?.['shop_money']);
  return shopMoney ? text(shopMoney['currency_code']) : null;
}

function firstLineItemCurrency(v: unknown): string | null {
  if (!Array.isArray(v)) return null;
  for (const r of v) {
    const c = setCurrency(obj(r)?.['subtotal_set']);
    if (c) return c;
  }
  return null;
}

function normalizeShopDomain(v: string | undefined): string | null {
  const t = v
    ?.trim()
    .toLowerCase()
    .replace(/^https?:\/\//, '')
    .replace(/\/+$/, '');
  return t ? t : null;
}

function parseTime(v: unknown): number | null {
  if (typeof v !== 'string' || v.trim() === '') return null;
  const ms = Date.parse(v);
  return Number.isFinite(ms) ? ms : null;
}

function occurredAt(ctx: Context, fallbacks: unknown[]): number {
  if (ctx.triggeredAt !== null) return ctx.triggeredAt;
  for (const f of fallbacks) {
    const ms = parseTime(f);
    if (ms !== null) return ms;
  }
  return Date.now();
}
