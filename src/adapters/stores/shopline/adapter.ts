// SHOPLINE (global, developer.shopline.com) store adapter: checks the Admin API token, verifies and maps
// SHOPLINE webhooks (Shopify-like order JSON) to normalized events.
// Protocol facts: /work/shared/reference/store-apis.md §1a.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { RawWebhook } from '../../../core/channels/ports.js';
import { ProviderError } from '../../../core/errors.js';
import type { EventType, NormalizedEvent, OrderSnapshot } from '../../../core/events/model.js';
import type { ParsedStoreWebhook, StoreAdapter, StoreConnectionCredentials, VerifiedStore } from '../../../core/stores/ports.js';
import { classifyHttpFailure, httpRequest, parseJson } from '../../http-client.js';
// SHOPLINE order ids are long integers like Shopify's, and refunds carry decimal strings: the Shopify
// helpers already handle both exactly, so they are shared rather than copied.
import type { Json } from '../rest-order.js';
import { addressName, idText, isJson, nonEmpty, obj, orderAddress, orderLine, parseJsonBody, personName, sumDecimals, text } from '../rest-order.js';


export const SHOPLINE_API_VERSION = 'v20260301';

export interface ShoplineAdapterOptions {
  /** The Admin API base for a store handle, without a trailing slash. Tests and the sandbox point it at the simulator. */
  baseUrlFor?: (handle: string) => string;
  apiVersion?: string;
  timeoutMs?: number;
}

const orderTopicEvents: Record<string, EventType> = {
  'orders/create': 'order.placed',
  'orders/paid': 'order.paid',
  // Assumed Shopify-like: SHOPLINE's list of fulfilment topics is not documented (store-apis.md §1a).
  'orders/fulfilled': 'order.shipped',
  'orders/cancelled': 'order.cancelled',
};

// The doc's example signature is base64; a third-party SDK compares hex. Which one is live is unverified,
// so both encodings of the 32-byte digest are accepted.
const BASE64_SHA256 = /^[A-Za-z0-9+/]{43}=$/;
const HEX_SHA256 = /^[0-9a-fA-F]{64}$/;
// The handle becomes a host name label; anything else could redirect the token to another host.
const HANDLE = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;
const SHOP_DOMAIN_SUFFIX = '.myshopline.com';

export class ShoplineAdapter implements StoreAdapter {
  readonly platform = 'shopline' as const;
  private readonly baseUrlFor: (handle: string) => string;
  private readonly timeoutMs: number;

  constructor(options: ShoplineAdapterOptions = {}) {
    const version = options.apiVersion ?? SHOPLINE_API_VERSION;
    this.baseUrlFor = options.baseUrlFor ?? ((handle) => `https://${handle}.myshopline.com/admin/openapi/${version}`);
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  async verifyConnection(connection: StoreConnectionCredentials): Promise<VerifiedStore> {
    const handle = normalizeHandle(connection.settings['handle']);
    if (!handle) throw new ProviderError('permanent', 'SHOPLINE store handle is missing or invalid (e.g. "open001" for open001.myshopline.com)');
    const token = connection.secrets['accessToken']?.trim();
    if (!token) throw new ProviderError('permanent', 'SHOPLINE access token is missing');
    // The cheapest authorised call; fulfillment_status is sent because SHOPLINE validates it strictly
    // and defaults it anyway.
    const url = `${this.baseUrlFor(handle).replace(/\/+$/, '')}/orders.json?limit=1&fulfillment_status=unshipped`;
    const res = await httpRequest({
      method: 'GET',
      url,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json; charset=utf-8', accept: 'application/json' },
      timeoutMs: this.timeoutMs,
    });
    const body = parseJson(res.text);
    const reason = errorText(body);
    if (res.status === 401) {
      throw new ProviderError('permanent', `SHOPLINE refused the access token${reason ? `: ${reason}` : ''}`, { httpStatus: 401 });
    }
    if (res.status === 402) {
      throw new ProviderError('permanent', `SHOPLINE store ${handle} is frozen${reason ? `: ${reason}` : ''}`, { httpStatus: 402 });
    }
    if (res.status < 200 || res.status > 299) {
      throw classifyHttpFailure(res, `SHOPLINE orders.json answered HTTP ${res.status}${reason ? `: ${reason}` : ''}`);
    }
    const orders = obj(body)?.['orders'];
    if (!Array.isArray(orders)) throw new ProviderError('retryable', 'SHOPLINE orders.json answered without an orders list');
    // No shop-info endpoint is verified for SHOPLINE, so the handle is the best name available.
    return { displayName: handle, details: { handle, shopDomain: `${handle}${SHOP_DOMAIN_SUFFIX}`, apiBase: this.baseUrlFor(handle) } };
  }

  verifyWebhook(connection: StoreConnectionCredentials, webhook: RawWebhook): boolean {
    const given = webhook.headers['x-shopline-hmac-sha256']?.trim();
    if (!given) return false;
    let provided: Buffer;
    if (HEX_SHA256.test(given)) provided = Buffer.from(given, 'hex');
    else if (BASE64_SHA256.test(given)) provided = Buffer.from(given, 'base64');
    else return false;
    const handle = normalizeHandle(connection.settings['handle']);
    const headerShop = webhook.headers['x-shopline-shop-domain'];
    if (headerShop !== undefined && (!handle || normalizeDomain(headerShop) !== `${handle}${SHOP_DOMAIN_SUFFIX}`)) return false;
    const secret = connection.secrets['appSecret'];
    if (!secret) return false;
    const expected = createHmac('sha256', secret).update(webhook.body).digest();
    return expected.length === provided.length && timingSafeEqual(expected, provided);
  }

  deliveryId(webhook: RawWebhook): string | null {
    return nonEmpty(webhook.headers['x-shopline-webhook-id']);
  }

  parseWebhook(webhook: RawWebhook): ParsedStoreWebhook {
    const topic = (webhook.headers['x-shopline-topic'] ?? '').trim().toLowerCase();
    const body = parseJsonBody(webhook.body, 'SHOPLINE', topic);
    const domain = normalizeDomain(webhook.headers['x-shopline-shop-domain']);
    const shop = (domain?.endsWith(SHOP_DOMAIN_SUFFIX) ? domain.slice(0, -SHOP_DOMAIN_SUFFIX.length) : domain) ?? 'unknown-shop';
    const deliveryId =
      this.deliveryId(webhook) ??
      // Without SHOPLINE's id, identical bytes on the same topic are the same delivery.
      'sha256:' + createHash('sha256').update(topic).update('\n').update(webhook.body).digest('hex');

    let events: NormalizedEvent[] = [];
    const orderEvent = orderTopicEvents[topic];
    if (orderEvent) events = [orderToEvent(orderEvent, body, shop)];
    else if (topic === 'refunds/create') events = [refundToEvent(body, shop)];
    return { deliveryId, topic, events };
  }
}

// ---------------------------------------------------------------------------------------------
// Topic mappers

function orderToEvent(type: EventType, order: Json, shop: string): NormalizedEvent {
  const snapshot = orderSnapshot(order);
  const data: Json = {
    orderNumber: order['order_number'] ?? null,
    note: text(order['note']),
  };
  if (type === 'order.cancelled') {
    data['cancelReason'] = text(order['cancel_reason']);
    data['cancelledAt'] = text(order['cancelled_at']);
  }
  if (type === 'order.shipped') {
    // The newest fulfillment has the tracking the buyer wants.
    const fulfillments = Array.isArray(order['fulfillments']) ? order['fulfillments'] : [];
    const latest = obj(fulfillments[fulfillments.length - 1]);
    Object.assign(data, {
      fulfillmentId: latest ? idText(latest['id']) : null,
      trackingNumber: latest ? text(latest['tracking_number']) : null,
      trackingCompany: latest ? text(latest['tracking_company']) : null,
      trackingUrl: latest ? text(latest['tracking_url']) : null,
    });
  }
  return {
    type,
    idempotencyKey: `shopline:${shop}:order:${snapshot.externalId}:${type}`,
    occurredAt: occurredAt(type === 'order.placed' ? [order['created_at']] : [order['updated_at'], order['created_at']]),
    order: snapshot,
    data,
  };
}

function refundToEvent(refund: Json, shop: string): NormalizedEvent {
  const refundId = idText(refund['id']);
  if (!refundId) throw new Error('SHOPLINE refunds/create body has no refund id');
  const transactions = (Array.isArray(refund['transactions']) ? refund['transactions'] : []).map(obj).filter(isJson);
  // Failed or errored refund transactions moved no money.
  const refunded = transactions.filter((t) => (text(t['kind']) ?? 'refund') === 'refund' && !['failure', 'error'].includes(text(t['status']) ?? ''));
  const orderId = idText(refund['order_id']);
  return {
    type: 'order.refunded',
    idempotencyKey: `shopline:${shop}:refund:${refundId}`,
    occurredAt: occurredAt([refund['processed_at'], refund['created_at']]),
    order: null,
    data: {
      orderExternalId: orderId,
      orderId,
      refundId,
      refundAmount: sumDecimals(refunded.map((t) => text(t['amount']) ?? '0')),
      currency: refunded.map((t) => text(t['currency'])).find((c) => c !== null) ?? null,
      note: text(refund['note']),
    },
  };
}

/** The hub's view of a SHOPLINE order (Shopify-like fields). */
export function orderSnapshot(order: Json): OrderSnapshot {
  const externalId = idText(order['id']);
  if (!externalId) throw new Error('SHOPLINE order body has no id');
  const customer = obj(order['customer']);
  const shipping = obj(order['shipping_address']);
  const billing = obj(order['billing_address']);
  const orderNumber = text(order['order_number']);
  const totalPrice = text(order['total_price']);
  const currency = text(order['currency']);
  return {
    externalId,
    name: text(order['name']) ?? (orderNumber ? `#${orderNumber}` : externalId),
    customerExternalId: customer ? idText(customer['id']) : null,
    customerName: (customer ? personName(customer) : null) ?? addressName(shipping) ?? addressName(billing),
    email: text(order['email']) ?? (customer ? text(customer['email']) : null),
    // Kept as the store gave it; normalization happens in the hub.
    phone:
      text(order['phone']) ??
      (customer ? text(customer['phone']) : null) ??
      (shipping ? text(shipping['phone']) : null) ??
      (billing ? text(billing['phone']) : null),
    total: totalPrice !== null && currency !== null ? { amount: totalPrice, currency } : null,
    financialStatus: text(order['financial_status']),
    fulfillmentStatus: text(order['fulfillment_status']),
    paymentMethod: text(order['gateway']),
    statusUrl: text(order['order_status_url']),
    shippingAddress: shipping ? orderAddress(shipping) : null,
    lines: (Array.isArray(order['line_items']) ? order['line_items'] : []).map(obj).filter(isJson).map(orderLine),
    createdAt: text(order['created_at']),
  };
}

/** SHOPLINE error bodies are `{"errors":"..."}` (a string, sometimes an object or list). */
function errorText(body: unknown): string | null {
  const errors = obj(body)?.['errors'];
  if (errors === undefined || errors === null) return null;
  return typeof errors === 'string' ? errors : JSON.stringify(errors);
}

function normalizeHandle(v: string | undefined): string | null {
  let t = v?.trim().toLowerCase() ?? '';
  // Accept the full domain too, since that is what merchants see in their admin.
  t = t.replace(/^https?:\/\//, '').replace(/\/+$/, '');
  if (t.endsWith(SHOP_DOMAIN_SUFFIX)) t = t.slice(0, -SHOP_DOMAIN_SUFFIX.length);
  return HANDLE.test(t) ? t : null;
}

function normalizeDomain(v: string | undefined): string | null {
  const t = v
    ?.trim()
    .toLowerCase()
    .replace(/^https?:\/\//, '')
    .replace(/\/+$/, '');
  return t ? t : null;
}

function occurredAt(fallbacks: unknown[]): number {
  for (const f of fallbacks) {
    if (typeof f !== 'string' || f.trim() === '') continue;
    const ms = Date.parse(f);
    if (Number.isFinite(ms)) return ms;
  }
  return Date.now();
}
