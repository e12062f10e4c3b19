// SHOPLINE (global, developer.shopline.com) store adapter: checks the Admin API token, verifies and maps
// SHOPLINE webhooks (Shopify-like order JSON) to normalized events.
// Protocol facts: /work/shared/reference/store-apis.md §1a.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { RawWebhook } from '../../../core/channels/ports.js';
import { ProviderError } from '../../../core/errors.js';
import type { EventType, NormalizedEvent, OrderSnapshot } from '../../../core/events/model.js';
import type { ParsedStoreWebhook, StoreAdapter, StoreConnectionCredentials, StoreCustomer, VerifiedStore } from '../../../core/stores/ports.js';
import type { HttpResponse } from '../../http-client.js';
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
  /** `limit` for list calls (SHOPLINE's maximum, 100, by default); tests lower it to exercise paging. */
  pageSize?: number;
  /** The most pages one history query reads. */
  maxHistoryPages?: number;
}

/**
 * The Admin API paths the history and account-linking helpers use, in one place (store-apis.md §1a):
 * per-customer orders and the v2 customer search are [OFF]; POST customers.json is [3P].
 */
export const SHOPLINE_PATHS = {
  customerOrders: (customerId: string) => `/customers/${encodeURIComponent(customerId)}/orders.json`,
  customerSearch: '/customers/v2/search.json',
  customers: '/customers.json',
  orders: '/orders.json',
} as const;

/** orders.json filters fulfillment_status (default unshipped) strictly, so a lookup by name tries each value. */
const FULFILLMENT_STATUSES = ['unshipped', 'partial', 'shipped'] as const;
const MAX_LIMIT = 100;

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
  private readonly pageSize: number;
  private readonly maxHistoryPages: number;

  constructor(options: ShoplineAdapterOptions = {}) {
    const version = options.apiVersion ?? SHOPLINE_API_VERSION;
    this.baseUrlFor = options.baseUrlFor ?? ((handle) => `https://${handle}.myshopline.com/admin/openapi/${version}`);
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.pageSize = Math.min(MAX_LIMIT, Math.max(1, Math.floor(options.pageSize ?? MAX_LIMIT)));
    this.maxHistoryPages = Math.max(1, options.maxHistoryPages ?? 10);
  }

  /**
   * The customer's orders created in [since, now), newest first, at most `limit`, from the documented
   * per-customer endpoint (status=any so cancelled orders count too). Pages follow the Link header's
   * page_info; the window and customer are re-checked here in case a filter is ignored.
   */
  async customerOrders(connection: StoreConnectionCredentials, query: { customer: StoreCustomer; since: number; limit: number }): Promise<OrderSnapshot[]> {
    if (query.limit <= 0) return [];
    const path = SHOPLINE_PATHS.customerOrders(query.customer.externalId);
    // [UNVERIFIED] created_at_min on the per-customer endpoint: documented for orders.json only.
    let params: URLSearchParams | null = new URLSearchParams({ status: 'any', limit: String(this.pageSize), created_at_min: new Date(query.since).toISOString() });
    const orders: Json[] = [];
    for (let read = 0; params !== null && read < this.maxHistoryPages; read++) {
      const { res, body } = await this.call(connection, 'GET', `${path}?${params.toString()}`);
      orders.push(...listOf(body, 'orders'));
      const pageInfo = nextPageInfo(res);
      // With page_info only limit (and the required status) may accompany it, as on Shopify.
      params = pageInfo ? new URLSearchParams({ status: 'any', limit: String(this.pageSize), page_info: pageInfo }) : null;
    }
    return orders
      .map(orderSnapshot)
      .filter((o) => (o.customerExternalId === null || o.customerExternalId === query.customer.externalId) && createdMs(o) >= query.since)
      .sort((a, b) => createdMs(b) - createdMs(a))
      .slice(0, query.limit);
  }

  /** The customer with this e-mail (tried first) or phone, through the v2 search; null when unknown. */
  async findCustomer(connection: StoreConnectionCredentials, query: { email?: string | null; phone?: string | null }): Promise<StoreCustomer | null> {
    const email = query.email?.trim().toLowerCase() || null;
    const phone = query.phone?.trim() || null;
    if (email) {
      const hit = await this.searchCustomer(connection, email, (c) => text(c['email'])?.toLowerCase() === email);
      if (hit) return hit;
    }
    if (phone) {
      const wanted = comparablePhone(phone);
      return this.searchCustomer(connection, taiwanLocalPhone(phone), (c) => comparablePhone(text(c['phone']) ?? '') === wanted);
    }
    return null;
  }

  /** Creates a customer (POST customers.json); the phone goes in E.164 as the Shopify-like API expects. */
  async createCustomer(connection: StoreConnectionCredentials, input: { name: string | null; email: string | null; phone: string | null }): Promise<StoreCustomer> {
    // The full name goes in first_name: splitting Chinese names (family name first) would garble them.
    const customer: Json = { first_name: input.name, last_name: null, email: input.email, phone: input.phone };
    const { res, body } = await this.call(connection, 'POST', SHOPLINE_PATHS.customers, { customer });
    const created = obj(obj(body)?.['customer']);
    const result = created ? storeCustomer(created) : null;
    if (!result) throw new ProviderError('retryable', 'SHOPLINE customers.json answered without a customer id', { httpStatus: res.status });
    return result;
  }

  /** The order named "#1001" (or "1001"); null when none has that name. */
  async findOrderByNumber(connection: StoreConnectionCredentials, orderNumber: string): Promise<OrderSnapshot | null> {
    const wanted = orderNumber.trim().replace(/^#/, '');
    if (!/^[0-9A-Za-z-]{1,40}$/.test(wanted)) return null;
    for (const fulfillment of FULFILLMENT_STATUSES) {
      const params = new URLSearchParams({ name: wanted, status: 'any', fulfillment_status: fulfillment, limit: '5' });
      const { body } = await this.call(connection, 'GET', `${SHOPLINE_PATHS.orders}?${params.toString()}`);
      const hit = listOf(body, 'orders').find((o) => text(o['name'])?.replace(/^#/, '') === wanted || text(o['order_number']) === wanted);
      if (hit) return orderSnapshot(hit);
    }
    return null;
  }

  /** One Admin API call; refusals become ProviderErrors (401/402 permanent, 429 retry_after, 5xx retryable). */
  private async call(connection: StoreConnectionCredentials, method: 'GET' | 'POST', pathAndQuery: string, json?: Json): Promise<{ res: HttpResponse; body: unknown }> {
    const handle = normalizeHandle(connection.settings['handle']);
    if (!handle) throw new ProviderError('permanent', 'SHOPLINE store handle is missing or invalid (e.g. "open001" for open001.myshopline.com)');
    const token = connection.secrets['accessToken']?.trim();
    if (!token) throw new ProviderError('permanent', 'SHOPLINE access token is missing');
    const res = await httpRequest({
      method,
      url: `${this.baseUrlFor(handle).replace(/\/+$/, '')}${pathAndQuery}`,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json; charset=utf-8', accept: 'application/json' },
      body: json === undefined ? undefined : JSON.stringify(json),
      timeoutMs: this.timeoutMs,
    });
    const body = parseJson(res.text);
    if (res.status >= 200 && res.status <= 299) return { res, body };
    const reason = errorText(body);
    const what = `SHOPLINE ${method} ${pathAndQuery.split('?')[0]}`;
    if (res.status === 401) throw new ProviderError('permanent', `SHOPLINE refused the access token${reason ? `: ${reason}` : ''}`, { httpStatus: 401 });
    if (res.status === 402) throw new ProviderError('permanent', `SHOPLINE store ${handle} is frozen${reason ? `: ${reason}` : ''}`, { httpStatus: 402 });
    throw classifyHttpFailure(res, `${what} answered HTTP ${res.status}${reason ? `: ${reason}` : ''}`);
  }

  private async searchCustomer(connection: StoreConnectionCredentials, term: string, matches: (c: Json) => boolean): Promise<StoreCustomer | null> {
    const params = new URLSearchParams({ query_param: term, limit: '50' });
    const { body } = await this.call(connection, 'GET', `${SHOPLINE_PATHS.customerSearch}?${params.toString()}`);
    // query_param is a fuzzy match over phone, e-mail, name and address: only an exact match counts.
    const hit = listOf(body, 'customers').find(matches);
    return hit ? storeCustomer(hit) : null;
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
    const key = `shopline:${shop}:${topic}:${deliveryId}`;
    if (orderEvent) events = [orderToEvent(orderEvent, body, shop)];
    else if (topic === 'refunds/create') events = [refundToEvent(body, shop)];
    else if (MEMBER_POINTS_TOPICS.has(topic)) events = pointsToEvents(body, key);
    else if (MEMBER_CREDIT_TOPICS.has(topic)) events = creditsToEvents(body, key);
    else if (topic === 'fulfillments/update' || topic === 'fulfillments/create') events = fulfillmentToEvents(body, shop);
    else if (topic === 'user_coupon/create') events = couponToEvents(body, key);
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

// The member-system topics (developer.shopline.com/docs/webhook/member-system/points-updated and
// store-credits-updated): the docs name the event "app_memberSystem_points/challenged" (sic); "changed" is
// accepted too. X-Shopline-Topic is lower-cased above.
const MEMBER_POINTS_TOPICS = new Set(['app_membersystem_points/challenged', 'app_membersystem_points/changed']);
const MEMBER_CREDIT_TOPICS = new Set(['app_membersystem_shoppingcredit/challenged', 'app_membersystem_shoppingcredit/changed']);

const epochOr = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : Date.now());
const wholeNumber = (v: unknown): number | null => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v) : NaN;
  return Number.isSafeInteger(n) ? n : null;
};

/** Points updated: buyer_id, points_balance, update_type INCREASE|DECREASE, updated_at (ms), updated_scene. */
function pointsToEvents(body: Json, key: string): NormalizedEvent[] {
  const buyer = idText(body['buyer_id']);
  if (!buyer) throw new Error('SHOPLINE points update has no buyer_id');
  const type = text(body['update_type'])?.toUpperCase();
  if (type !== 'INCREASE' && type !== 'DECREASE') return [];
  // update_value is documented for store credits and gift cards; for points it is [UNVERIFIED], so the change may be unknown.
  const changed = wholeNumber(body['update_value']) ?? wholeNumber(body['update_points']);
  return [
    {
      type: type === 'INCREASE' ? 'points.earned' : 'points.spent',
      idempotencyKey: key,
      occurredAt: epochOr(body['updated_at']),
      order: null,
      data: {
        customerExternalId: buyer,
        points: changed === null ? null : Math.abs(changed),
        pointsBalance: wholeNumber(body['points_balance']),
        scene: text(body['updated_scene']),
        expiresAt: typeof body['points_expiry_time'] === 'number' ? new Date(body['points_expiry_time']).toISOString() : null,
      },
    },
  ];
}

/** Store credits updated: amounts are in cents ("$10.00 will return 1000"). */
function creditsToEvents(body: Json, key: string): NormalizedEvent[] {
  const buyer = idText(body['buyer_id']);
  if (!buyer) throw new Error('SHOPLINE store credits update has no buyer_id');
  const type = text(body['update_type'])?.toUpperCase();
  if (type !== 'INCREASE' && type !== 'DECREASE') return [];
  const cents = (v: unknown) => {
    const n = wholeNumber(v);
    return n === null ? null : `${n < 0 ? '-' : ''}${Math.floor(Math.abs(n) / 100)}.${String(Math.abs(n) % 100).padStart(2, '0')}`;
  };
  return [
    {
      type: type === 'INCREASE' ? 'credits.earned' : 'credits.spent',
      idempotencyKey: key,
      occurredAt: epochOr(body['updated_at']),
      order: null,
      data: {
        customerExternalId: buyer,
        creditAmount: cents(body['update_value']),
        creditBalance: cents(body['current_balance']),
        reason: text(body['store_credits_update_reason']),
        expiresAt: typeof body['store_credits_expiry_date'] === 'number' ? new Date(body['store_credits_expiry_date']).toISOString() : null,
      },
    },
  ];
}

/**
 * fulfillments/create|update (developer.shopline.com/docs/webhook/order/fulfillment-updated). A fulfillment whose
 * shipment_status is "delivered" is the order delivered; the field and its values are Shopify's and [UNVERIFIED]
 * for SHOPLINE, whose page lists the fulfillment's fields without the delivery status.
 */
function fulfillmentToEvents(body: Json, shop: string): NormalizedEvent[] {
  const status = text(body['shipment_status'])?.toLowerCase();
  const orderId = idText(body['order_id']);
  const fulfillmentId = idText(body['id']);
  if (status !== 'delivered' || !orderId || !fulfillmentId) return [];
  return [
    {
      type: 'order.delivered',
      idempotencyKey: `shopline:${shop}:delivered:${fulfillmentId}`,
      occurredAt: occurredAt([body['updated_at'], body['created_at']]),
      order: null,
      data: {
        orderExternalId: orderId,
        fulfillmentId,
        trackingNumber: text(body['tracking_number']),
        trackingUrl: text(body['tracking_url']),
        trackingCompany: text(body['tracking_company']),
      },
    },
  ];
}

/**
 * user_coupon/create: a coupon given to one customer. The topic is the SHOPLINE (Taiwan) Open API's; its payload
 * is [UNVERIFIED], so the customer id and code are read from the names its other resources use.
 */
function couponToEvents(body: Json, key: string): NormalizedEvent[] {
  const coupon = obj(body['user_coupon']) ?? obj(body['coupon']) ?? body;
  const promotion = obj(coupon['promotion']);
  const customer = idText(coupon['user_id']) ?? idText(coupon['customer_id']) ?? idText(coupon['buyer_id']);
  const code = text(coupon['code']) ?? text(coupon['coupon_code']) ?? text(promotion?.['code']);
  if (!customer || !code) throw new Error('SHOPLINE user_coupon/create has no customer or coupon code');
  return [
    {
      type: 'coupon.issued',
      idempotencyKey: key,
      occurredAt: occurredAt([coupon['created_at']]),
      order: null,
      data: {
        customerExternalId: customer,
        code,
        title: text(coupon['title']) ?? text(promotion?.['title']),
        value: text(coupon['discount_value']) ?? text(promotion?.['discount_percentage']) ?? text(promotion?.['discount_amount']),
        validUntil: text(coupon['end_at']) ?? text(coupon['expired_at']) ?? text(promotion?.['end_at']),
      },
    },
  ];
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

// ---------------------------------------------------------------------------------------------
// Customers and paging

function listOf(body: unknown, key: string): Json[] {
  const list = obj(body)?.[key];
  return Array.isArray(list) ? list.map(obj).filter(isJson) : [];
}

/** The page_info of the Link header's rel="next", or null at the end. */
function nextPageInfo(res: HttpResponse): string | null {
  const raw = res.headers['link'];
  const header = Array.isArray(raw) ? raw.join(', ') : (raw ?? '');
  for (const part of header.split(',')) {
    const m = /<([^>]+)>\s*;\s*rel="?next"?/.exec(part);
    if (!m) continue;
    try {
      return new URL(m[1]!, 'http://link.invalid').searchParams.get('page_info');
    } catch {
      return null;
    }
  }
  return null;
}

function storeCustomer(c: Json): StoreCustomer | null {
  const externalId = idText(c['id']);
  if (!externalId) return null;
  return { externalId, name: personName(c), email: text(c['email']), phone: text(c['phone']) };
}

function createdMs(o: OrderSnapshot): number {
  const ms = o.createdAt ? Date.parse(o.createdAt) : NaN;
  return Number.isFinite(ms) ? ms : -Infinity;
}

/** "+886912345678" → "0912345678": Taiwanese shoppers' numbers as SHOPLINE TW stores keep them. Others as given. */
export function taiwanLocalPhone(phone: string): string {
  const compact = phone.replace(/[\s\-().]/g, '');
  const tw = /^(?:\+|00)886(9\d{8})$/.exec(compact);
  return tw ? `0${tw[1]}` : compact;
}

/** A phone reduced to compare equal across "+886 912-345-678", "0912345678" and "+886912345678". */
function comparablePhone(phone: string): string {
  const d = phone.replace(/\D/g, '');
  if (/^09\d{8}$/.test(d)) return `886${d.slice(1)}`;
  return d;
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
