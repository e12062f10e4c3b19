// CYBERBIZ (Taiwan) store adapter: checks the app token against GET /shop, verifies and maps CYBERBIZ app
// webhooks (the resource object itself, no envelope) to normalized events, and reads one order back.
// Protocol facts: /work/shared/reference/store-apis.md §2 (webhook details from actinc/cyberbiz-sdk, 3P).
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { RawWebhook } from '../../../core/channels/ports.js';
import { ProviderError } from '../../../core/errors.js';
import type { EventType, NormalizedEvent, OrderAddress, OrderLine, OrderSnapshot } from '../../../core/events/model.js';
import type { ParsedStoreWebhook, StoreAdapter, StoreConnectionCredentials, StoreCustomer, VerifiedStore } from '../../../core/stores/ports.js';
import type { HttpResponse } from '../../http-client.js';
import { classifyHttpFailure, httpRequest, parseJson } from '../../http-client.js';
// CYBERBIZ order bodies are untyped JSON like Shopify's; the same readers apply, and sumDecimals adds the
// refund amounts exactly once they are decimal strings.
import type { Json } from '../rest-order.js';
import { idText, isJson, num, obj, parseJsonBody, parseJsonKeepingLongIntegers, sumDecimals, text } from '../rest-order.js';

export const CYBERBIZ_API_BASE = 'https://app-store-api.cyberbiz.io';
/** CYBERBIZ shops sell in TWD; webhook bodies carry no currency field. */
export const CYBERBIZ_CURRENCY = 'TWD';

export interface CyberbizAdapterOptions {
  /** The App Store API base, without a trailing slash. Tests and the sandbox point it at the simulator. */
  baseUrl?: string;
  timeoutMs?: number;
  /** per_page for list calls (CYBERBIZ's maximum, 50, by default); tests lower it to exercise paging. */
  pageSize?: number;
  /** The most list pages one history query reads, so a huge customer cannot stall a chat reply. */
  maxHistoryPages?: number;
}

/**
 * Query parameter names for the list endpoints, kept in one place. [UNVERIFIED] store-apis.md §2 could not
 * confirm the order-list filters or the customer lookup; these follow the naming the order list already
 * uses for its updated-at window (updated_at_start_time / updated_at_end_time).
 */
export const CYBERBIZ_QUERY = {
  orderCustomer: 'customer_id',
  createdFrom: 'created_at_start_time',
  createdTo: 'created_at_end_time',
  orderNumber: 'order_number',
  customerEmail: 'email',
  customerMobile: 'mobile',
} as const;

/** CYBERBIZ's documented per_page maximum. */
export const CYBERBIZ_MAX_PER_PAGE = 50;

const orderEventTypes: Record<string, EventType> = {
  'orders/create': 'order.placed',
  'orders/paid': 'order.paid',
  'orders/preparing': 'order.packed',
  'orders/fulfilled': 'order.shipped',
  // CYBERBIZ's "arrived" means the parcel reached the convenience/pickup store: the last step before the
  // buyer collects it, which is what out_for_delivery tells them. data.atPickupStore says so.
  'orders/arrived': 'order.out_for_delivery',
  'orders/received': 'order.delivered',
  'orders/cancelled': 'order.cancelled',
  'orders/refunded': 'order.refunded',
  'orders/partial_refunded': 'order.refunded',
  'orders/request_return': 'return.created',
  // orders/returned fires when the return is complete (goods back with the merchant, return_status
  // "returned"); the request itself already arrived as orders/request_return → return.created, so mapping
  // this one to return.created too would announce the same return twice.
  'orders/returned': 'return.restocked',
};

const TRACKED_EVENTS: ReadonlySet<EventType> = new Set(['order.shipped', 'order.out_for_delivery', 'order.delivered']);

const BASE64_SHA256 = /^[A-Za-z0-9+/]{43}=$/;
const HEX_SHA256 = /^[0-9a-fA-F]{64}$/;
const ORDER_ID = /^[0-9]{1,20}$/;
const REFUSED_TOKEN = 'CYBERBIZ refused the access token, or the plan has no API access (API needs the Enterprise or PLUS+API plan)';
// "YYYY-MM-DD HH:MM:SS" without a zone, as CYBERBIZ sends every timestamp (seconds optional, date alone allowed).
const NAIVE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/;
// Taiwan has kept UTC+8 without daylight saving since 1979, so a fixed offset is exact for every order.
const TAIPEI_OFFSET_MS = 8 * 60 * 60 * 1000;

export class CyberbizAdapter implements StoreAdapter {
  readonly platform = 'cyberbiz' as const;
  private readonly baseUrl: string;
  private readonly timeoutMs: number;
  private readonly pageSize: number;
  private readonly maxHistoryPages: number;

  constructor(options: CyberbizAdapterOptions = {}) {
    this.baseUrl = (options.baseUrl ?? CYBERBIZ_API_BASE).replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.pageSize = Math.min(CYBERBIZ_MAX_PER_PAGE, Math.max(1, Math.floor(options.pageSize ?? CYBERBIZ_MAX_PER_PAGE)));
    this.maxHistoryPages = Math.max(1, options.maxHistoryPages ?? 20);
  }

  async verifyConnection(connection: StoreConnectionCredentials): Promise<VerifiedStore> {
    const shopDomain = requireShopDomain(connection);
    const { res, body } = await this.get(connection, '/shop');
    if (res.status < 200 || res.status > 299) throw failure(res, body, 'GET /shop');
    // The SDK reads {"shop_info":{...}}; a bare object is accepted too in case the envelope is dropped.
    const root = obj(body);
    const shop = obj(root?.['shop_info']) ?? root;
    if (!shop) throw new ProviderError('retryable', 'CYBERBIZ GET /shop answered without a shop profile', { httpStatus: res.status });
    const reported = reportedShopDomain(shop);
    if (reported !== null && reported !== shopDomain) {
      throw new ProviderError('permanent', `CYBERBIZ access token belongs to shop ${reported}, not the configured shop ${shopDomain}`, {
        httpStatus: res.status,
      });
    }
    return {
      displayName: text(shop['name']) ?? shopDomain,
      details: {
        domain: shopDomain,
        shopId: idText(shop['id']),
        primaryDomain: text(shop['primary_domain']),
        email: text(shop['email']),
        currency: text(shop['currency']),
        apiBase: this.baseUrl,
      },
    };
  }

  /**
   * Reads one order (GET /v1/orders/{id}); null when CYBERBIZ does not have it, which it answers as 404,
   * `200 null` or `206 []` depending on the endpoint's mood.
   */
  async fetchOrder(connection: StoreConnectionCredentials, id: string): Promise<OrderSnapshot | null> {
    requireShopDomain(connection);
    const orderId = id.trim();
    if (!ORDER_ID.test(orderId)) throw new ProviderError('permanent', `CYBERBIZ order id must be digits, got "${id.slice(0, 40)}"`);
    const { res, body } = await this.get(connection, `/v1/orders/${orderId}`);
    if (res.status === 404) return null;
    if (res.status < 200 || res.status > 299) throw failure(res, body, `GET /v1/orders/${orderId}`);
    const order = Array.isArray(body) ? obj(body[0]) : (obj(obj(body)?.['order']) ?? obj(body));
    return order && idText(order['id']) !== null ? orderSnapshot(order) : null;
  }

  /**
   * The customer's orders created in [since, now), newest first, at most `limit`. CYBERBIZ's sort order for
   * the list is not documented, so every page of the window is read (up to maxHistoryPages) before sorting;
   * orders outside the window or of another customer are dropped here too, in case a filter is ignored.
   */
  async customerOrders(connection: StoreConnectionCredentials, query: { customer: StoreCustomer; since: number; limit: number }): Promise<OrderSnapshot[]> {
    requireShopDomain(connection);
    if (query.limit <= 0) return [];
    const params = new URLSearchParams({
      [CYBERBIZ_QUERY.orderCustomer]: query.customer.externalId,
      [CYBERBIZ_QUERY.createdFrom]: taipeiTimestampOf(query.since),
      [CYBERBIZ_QUERY.createdTo]: taipeiTimestampOf(Date.now()),
    });
    const orders = await this.listAll(connection, '/v1/orders', params);
    return orders
      .filter((o) => belongsTo(o, query.customer) && (taipeiToEpochMs(o['created_at']) ?? -Infinity) >= query.since)
      .map(orderSnapshot)
      .sort((a, b) => (taipeiToEpochMs(b.createdAt) ?? 0) - (taipeiToEpochMs(a.createdAt) ?? 0))
      .slice(0, query.limit);
  }

  /** The customer with this e-mail (tried first) or phone; null when CYBERBIZ knows neither. */
  async findCustomer(connection: StoreConnectionCredentials, query: { email?: string | null; phone?: string | null }): Promise<StoreCustomer | null> {
    requireShopDomain(connection);
    const email = query.email?.trim().toLowerCase() || null;
    const phone = query.phone?.trim() || null;
    if (email) {
      const found = await this.searchCustomers(connection, CYBERBIZ_QUERY.customerEmail, email, (c) => text(c['email'])?.toLowerCase() === email);
      if (found) return found;
    }
    if (phone) {
      const wanted = joinPhone('+886', phone);
      return this.searchCustomers(connection, CYBERBIZ_QUERY.customerMobile, localMobile(phone), (c) => customerPhone(c) === wanted);
    }
    return null;
  }

  /** Creates a customer (POST /v1/customers); the mobile goes in CYBERBIZ's local form with its calling code. */
  async createCustomer(connection: StoreConnectionCredentials, input: { name: string | null; email: string | null; phone: string | null }): Promise<StoreCustomer> {
    requireShopDomain(connection);
    // [UNVERIFIED] body field names: those of the customer object the API returns (name, email, mobile, country_calling_code).
    const body: Json = { name: input.name, email: input.email };
    if (input.phone) Object.assign(body, { mobile: localMobile(input.phone), country_calling_code: callingCode(input.phone) });
    const { res, body: answer } = await this.request(connection, 'POST', '/v1/customers', body);
    if (res.status < 200 || res.status > 299) throw failure(res, answer, 'POST /v1/customers');
    const created = obj(obj(answer)?.['customer']) ?? obj(answer);
    const customer = created ? storeCustomer(created) : null;
    if (!customer) throw new ProviderError('retryable', 'CYBERBIZ POST /v1/customers answered without a customer id', { httpStatus: res.status });
    return customer;
  }

  /** The order the buyer calls "1004" or "#1004"; null when none has that number. */
  async findOrderByNumber(connection: StoreConnectionCredentials, orderNumber: string): Promise<OrderSnapshot | null> {
    requireShopDomain(connection);
    const wanted = orderNumber.trim().replace(/^#/, '');
    if (!/^[0-9A-Za-z-]{1,40}$/.test(wanted)) return null;
    const params = new URLSearchParams({ [CYBERBIZ_QUERY.orderNumber]: wanted, page: '1', per_page: String(this.pageSize) });
    const { res, body } = await this.request(connection, 'GET', `/v1/orders?${params.toString()}`);
    if (res.status === 404) return null;
    if (res.status < 200 || res.status > 299) throw failure(res, body, 'GET /v1/orders');
    // The number is checked here as well: an API that ignored the filter would hand back the whole list.
    const hit = listOf(body).find((o) => text(o['order_number']) === wanted || text(o['order_name'])?.replace(/^#/, '') === wanted);
    return hit ? orderSnapshot(hit) : null;
  }

  verifyWebhook(connection: StoreConnectionCredentials, webhook: RawWebhook): boolean {
    const provided = decodeDigest(webhook.headers['x-cyberbiz-hmac-sha256']);
    if (!provided) return false;
    const shopDomain = normalizeDomain(connection.settings['shopDomain']);
    // The domain header says which shop sent it; a delivery for another shop must not pass even when the
    // same app secret (one per app, not per shop) signed it.
    if (!shopDomain || normalizeDomain(webhook.headers['x-cyberbiz-domain']) !== shopDomain) return false;
    const secret = connection.secrets['appSecret'];
    if (!secret) return false;
    const expected = createHmac('sha256', secret).update(webhook.body).digest();
    // X-Cyberbiz-Domain-Hmac-Sha256 is not checked: it signs only the domain, adds nothing once the body
    // signature and domain match, and how CYBERBIZ encodes it is unverified.
    return expected.length === provided.length && timingSafeEqual(expected, provided);
  }

  /**
   * CYBERBIZ sends no delivery id, so one is derived from (shop, event, payload id, updated_at) as the 3P
   * SDK advises; payloads without id and updated_at (coupons) fall back to the body bytes. Null when the
   * body is not JSON.
   */
  deliveryId(webhook: RawWebhook): string | null {
    let body: Json | null;
    try {
      body = obj(parseJsonKeepingLongIntegers(webhook.body.toString('utf8')));
    } catch {
      return null;
    }
    if (!body) return null;
    const hash = createHash('sha256')
      .update(normalizeDomain(webhook.headers['x-cyberbiz-domain']) ?? '')
      .update('\n')
      .update(eventOf(webhook));
    const id = idText(body['id']);
    const updatedAt = text(body['updated_at']);
    if (id === null && updatedAt === null) hash.update('\nbody\n').update(webhook.body);
    else hash.update(`\n${id ?? ''}\n${updatedAt ?? ''}`);
    return 'sha256:' + hash.digest('hex');
  }

  parseWebhook(webhook: RawWebhook): ParsedStoreWebhook {
    const topic = eventOf(webhook);
    const body = parseJsonBody(webhook.body, 'CYBERBIZ', topic);
    const shop = normalizeDomain(webhook.headers['x-cyberbiz-domain']) ?? 'unknown-shop';
    // Never null here: the body parsed as a JSON object.
    const deliveryId = this.deliveryId(webhook) ?? 'sha256:' + createHash('sha256').update(webhook.body).digest('hex');
    return { deliveryId, topic, events: eventsFor(topic, body, shop) };
  }

  private async get(connection: StoreConnectionCredentials, path: string): Promise<{ res: HttpResponse; body: unknown }> {
    return this.request(connection, 'GET', path);
  }

  private async request(connection: StoreConnectionCredentials, method: 'GET' | 'POST', path: string, json?: Json): Promise<{ res: HttpResponse; body: unknown }> {
    const token = connection.secrets['accessToken']?.trim();
    if (!token) throw new ProviderError('permanent', 'CYBERBIZ access token is missing');
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'application/json' };
    if (json !== undefined) headers['content-type'] = 'application/json';
    const res = await httpRequest({
      method,
      url: `${this.baseUrl}${path}`,
      headers,
      body: json === undefined ? undefined : JSON.stringify(json),
      timeoutMs: this.timeoutMs,
    });
    return { res, body: parseJson(res.text) };
  }

  /** Every object of a paged list, following X-Next-Page until it is absent or maxHistoryPages is reached. */
  private async listAll(connection: StoreConnectionCredentials, path: string, params: URLSearchParams): Promise<Json[]> {
    const all: Json[] = [];
    let page: string | null = '1';
    for (let read = 0; page !== null && read < this.maxHistoryPages; read++) {
      params.set('page', page);
      params.set('per_page', String(this.pageSize));
      const { res, body } = await this.request(connection, 'GET', `${path}?${params.toString()}`);
      // 206 [] is CYBERBIZ's "nothing matched" for some lookups.
      if (res.status < 200 || res.status > 299) throw failure(res, body, `GET ${path}`);
      all.push(...listOf(body));
      page = nextPage(res, page);
    }
    return all;
  }

  private async searchCustomers(connection: StoreConnectionCredentials, param: string, value: string, matches: (c: Json) => boolean): Promise<StoreCustomer | null> {
    const params = new URLSearchParams({ [param]: value, page: '1', per_page: String(this.pageSize) });
    const { res, body } = await this.request(connection, 'GET', `/v1/customers?${params.toString()}`);
    if (res.status === 404) return null;
    if (res.status < 200 || res.status > 299) throw failure(res, body, 'GET /v1/customers');
    // Matched here too: an API that ignored the filter would answer its first page of every customer.
    const hit = listOf(body).find(matches);
    return hit ? storeCustomer(hit) : null;
  }
}

// ---------------------------------------------------------------------------------------------
// Event mapping

function eventsFor(topic: string, body: Json, shop: string): NormalizedEvent[] {
  const orderType = orderEventTypes[topic];
  if (orderType) return [orderEvent(orderType, topic, body, shop)];
  if (topic === 'bonus_points/create') return bonusPointsEvents(topic, body, shop);
  if (topic === 'coupons/create') return [couponEvent(topic, body, shop)];
  return [];
}

function orderEvent(type: EventType, topic: string, order: Json, shop: string): NormalizedEvent {
  const snapshot = orderSnapshot(order);
  const statuses = obj(order['statuses']);
  const timings = obj(order['timings']);
  const data: Json = {
    cyberbizEvent: topic,
    orderNumber: text(order['order_number']),
    orderName: text(order['order_name']),
    note: text(order['note']),
    orderStatus: statuses ? text(statuses['order_status']) : null,
    returnStatus: statuses ? text(statuses['return_status']) : null,
    shippingName: text(order['shipping_name']),
  };
  const fulfillment = latestFulfillment(order);
  if (TRACKED_EVENTS.has(type)) Object.assign(data, trackingData(fulfillment));
  if (type === 'order.out_for_delivery') Object.assign(data, pickupStoreData(order));
  if (type === 'order.cancelled') {
    data['cancelledAt'] = taipeiToIso(timings?.['cancelled_at']);
    data['cancelReason'] = text(obj(order['customer_cancel_reason_detail'])?.['reason_detail']);
  }
  if (type === 'order.refunded') Object.assign(data, refundData(topic, order));
  if (type === 'return.created' || type === 'return.restocked') Object.assign(data, returnData(order));
  return {
    type,
    idempotencyKey: idempotencyKey(shop, topic, snapshot.externalId, order),
    occurredAt: occurredAt([...eventTimes(type, timings, fulfillment), order['updated_at'], order['created_at']]),
    order: snapshot,
    data,
  };
}

/** The timestamp of the fact itself, tried before updated_at. */
function eventTimes(type: EventType, timings: Json | null, fulfillment: Json | null): unknown[] {
  switch (type) {
    case 'order.placed':
      return [];
    case 'order.shipped':
      return [fulfillment?.['fulfilled_at']];
    case 'order.delivered':
      return [fulfillment?.['received_at']];
    case 'order.cancelled':
      return [timings?.['cancelled_at']];
    case 'order.refunded':
      return [timings?.['refund_at']];
    case 'return.created':
      return [timings?.['request_return_at']];
    case 'return.restocked':
      return [timings?.['return_at']];
    default:
      return [];
  }
}

function latestFulfillment(order: Json): Json | null {
  const fulfillments = (Array.isArray(order['fulfillments']) ? order['fulfillments'] : []).map(obj).filter(isJson);
  // The newest fulfillment carries the tracking number the buyer is waiting for.
  return fulfillments[fulfillments.length - 1] ?? null;
}

function trackingData(f: Json | null): Json {
  return {
    fulfillmentId: f ? idText(f['id']) : null,
    trackingNumber: f ? text(f['tracking_number']) : null,
    trackingCompany: f ? text(f['tracking_company']) : null,
    trackingUrl: f ? text(f['tracking_url']) : null,
    fulfilledAt: taipeiToIso(f?.['fulfilled_at']),
    receivedAt: taipeiToIso(f?.['received_at']),
  };
}

function pickupStoreData(order: Json): Json {
  const store = obj(order['branch_store']);
  const receiver = obj(order['receiver']);
  return {
    atPickupStore: true,
    pickupStoreId: (store ? text(store['store_no']) : null) ?? (receiver ? text(receiver['cvs_store_id']) : null),
    pickupStoreName: store ? text(store['name']) : null,
    pickupStoreAddress: (store ? text(store['address']) : null) ?? (receiver ? text(receiver['address']) : null),
  };
}

/**
 * The refund in this delivery: the newest return_histories entry (CYBERBIZ appends one per refund), or the
 * order total for a full refund without history. refundedTotal sums every refund so far.
 */
function refundData(topic: string, order: Json): Json {
  const histories = (Array.isArray(order['return_histories']) ? order['return_histories'] : []).map(obj).filter(isJson);
  const amounts = histories.map((h) => money(h['price'])).filter((a): a is string => a !== null);
  const latest = amounts[amounts.length - 1] ?? null;
  const total = money(obj(order['prices'])?.['total_price']);
  const refundAmount = latest ?? (topic === 'orders/refunded' ? total : null);
  return {
    refundAmount,
    refundedTotal: amounts.length > 0 ? sumDecimals(amounts) : refundAmount,
    currency: CYBERBIZ_CURRENCY,
    partial: topic === 'orders/partial_refunded',
    refundNote: text(histories[histories.length - 1]?.['body']),
    refundedAt: taipeiToIso(obj(order['timings'])?.['refund_at']),
  };
}

function returnData(order: Json): Json {
  const timings = obj(order['timings']);
  const items = (Array.isArray(order['line_items']) ? order['line_items'] : []).map(obj).filter(isJson);
  const returning = items.filter((i) => !['no_need', ''].includes(text(i['return_status']) ?? ''));
  return {
    requestedAt: taipeiToIso(timings?.['request_return_at']),
    returnedAt: taipeiToIso(timings?.['return_at']),
    // Items whose return_status moved; when CYBERBIZ leaves them unset the whole order is being returned.
    returnLines: returning.map(orderLine),
  };
}

function bonusPointsEvents(topic: string, body: Json, shop: string): NormalizedEvent[] {
  const id = idText(body['id']);
  if (!id) throw new Error(`CYBERBIZ ${topic} body has no id`);
  const points = num(body['points']);
  // A zero or missing amount moved no points: nothing to tell the customer.
  if (points === null || points === 0) return [];
  const customerExternalId = idText(body['customer_id']);
  return [
    {
      type: points > 0 ? 'points.earned' : 'points.spent',
      idempotencyKey: idempotencyKey(shop, topic, id, body),
      occurredAt: occurredAt([body['updated_at'], body['created_at']]),
      order: null,
      data: {
        bonusPointId: id,
        // Positive either way, so templates can say "you earned/spent {{points}}"; delta keeps the sign.
        points: Math.abs(points),
        pointsDelta: points,
        unusedPoints: num(body['unused_points']),
        deadline: taipeiToIso(body['deadline']) ?? text(body['deadline']),
        title: text(body['title']),
        source: text(body['source']),
        orderExternalId: idText(body['order_id']),
        customerExternalId,
      },
    },
  ];
}

function couponEvent(topic: string, body: Json, shop: string): NormalizedEvent {
  const code = text(body['code']);
  if (!code) throw new Error(`CYBERBIZ ${topic} body has no coupon code`);
  const customerExternalId = idText(body['customer_id']);
  // Coupon payloads carry no id: one code given to one customer is one fact.
  const key = idText(body['id']) ?? `${code}:${customerExternalId ?? 'shop'}`;
  return {
    type: 'coupon.issued',
    idempotencyKey: idempotencyKey(shop, topic, key, body),
    occurredAt: occurredAt([body['updated_at'], body['created_at'], body['start_date']]),
    order: null,
    data: {
      code,
      title: text(body['title']),
      // coupon_value is an amount or a percentage depending on coupon_type_name, so it stays as given.
      value: text(body['coupon_value']),
      valueType: text(body['coupon_type_name']),
      minimumOrder: money(body['order_price_threshold']),
      validFrom: taipeiToIso(body['start_date']) ?? text(body['start_date']),
      validUntil: taipeiToIso(body['end_date']) ?? text(body['end_date']),
      customerExternalId,
      currency: CYBERBIZ_CURRENCY,
    },
  };
}

/** `cyberbiz:<shop>:<event>:<id>:<updated_at>`: the same event on the same resource version is the same fact. */
function idempotencyKey(shop: string, topic: string, id: string, body: Json): string {
  return `cyberbiz:${shop}:${topic}:${id}:${text(body['updated_at']) ?? text(body['created_at']) ?? ''}`;
}

// ---------------------------------------------------------------------------------------------
// Order snapshot

/** The hub's view of a CYBERBIZ order (webhook body or GET /v1/orders/{id}). */
export function orderSnapshot(order: Json): OrderSnapshot {
  const externalId = idText(order['id']);
  if (!externalId) throw new Error('CYBERBIZ order body has no id');
  const customer = obj(order['customer']);
  const buyer = obj(order['buyer']);
  const receiver = obj(order['receiver']);
  const statuses = obj(order['statuses']);
  const total = money(obj(order['prices'])?.['total_price']);
  const customerCode = customer ? text(customer['country_calling_code']) : null;
  return {
    externalId,
    name: text(order['order_number']) ?? text(order['order_name']) ?? externalId,
    customerExternalId: customer ? idText(customer['id']) : null,
    customerName: (customer ? text(customer['name']) : null) ?? (receiver ? text(receiver['name']) : null),
    email: (customer ? text(customer['email']) : null) ?? (buyer ? text(buyer['email']) : null),
    phone:
      (customer ? joinPhone(customerCode, customer['mobile']) : null) ??
      // The buyer object has no calling code of its own; the customer's is the best guess for it.
      (buyer ? joinPhone(customerCode, buyer['mobile']) : null) ??
      (receiver ? joinPhone(text(receiver['country_calling_code']), receiver['phone']) : null),
    total: total !== null ? { amount: total, currency: text(order['currency']) ?? CYBERBIZ_CURRENCY } : null,
    financialStatus: statuses ? text(statuses['financial_status']) : null,
    fulfillmentStatus: statuses ? text(statuses['fulfillment_status']) : null,
    paymentMethod: text(order['payment_method']) ?? text(order['payment_name']),
    statusUrl: null,
    shippingAddress: receiver ? receiverAddress(receiver) : null,
    lines: (Array.isArray(order['line_items']) ? order['line_items'] : []).map(obj).filter(isJson).map(orderLine),
    createdAt: taipeiToIso(order['created_at']),
  };
}

function orderLine(item: Json): OrderLine {
  const title = text(item['title']) ?? 'Item';
  const variant = text(item['variant_title']);
  return {
    sku: text(item['sku']),
    title: variant ? `${title} (${variant})` : title,
    quantity: num(item['quantity']) ?? 1,
    price: money(item['price']),
  };
}

function receiverAddress(r: Json): OrderAddress {
  const d = obj(r['detail_address']);
  return {
    name: text(r['name']),
    line1: (d ? text(d['address1']) : null) ?? text(r['address']),
    line2: d ? text(d['address2']) : null,
    city: d ? text(d['city']) : null,
    // Taiwanese addresses are city (縣市) + district (鄉鎮市區); the district is the next level down and
    // the only other one CYBERBIZ fills, so it takes the state slot.
    state: d ? (text(d['district']) ?? text(d['province'])) : null,
    postalCode: d ? text(d['zip']) : null,
    country: d ? text(d['country']) : null,
    phone: joinPhone(text(r['country_calling_code']), r['phone']),
  };
}

/**
 * A mobile number with its calling code: "+886" + "0912-345-678" → "+886912345678" (the national trunk 0
 * goes). Numbers already in international form, or without a code, are kept as the store gave them.
 */
export function joinPhone(callingCode: string | null, mobile: unknown): string | null {
  const number = text(mobile)?.trim() ?? null;
  if (number === null) return null;
  const code = callingCode?.replace(/[^\d]/g, '') ?? '';
  if (number.startsWith('+') || code === '') return number;
  const national = number.replace(/[\s\-().]/g, '');
  if (!/^\d+$/.test(national)) return number;
  if (national.startsWith(code) && national.length > code.length + 8) return `+${national}`;
  return `+${code}${national.replace(/^0+/, '')}`;
}

// ---------------------------------------------------------------------------------------------
// Customers and lists

function listOf(body: unknown): Json[] {
  if (Array.isArray(body)) return body.map(obj).filter(isJson);
  // Tolerates an enveloped list ({"orders":[…]} / {"customers":[…]}) in case an endpoint wraps it.
  const b = obj(body);
  const inner = b ? (b['orders'] ?? b['customers']) : null;
  return Array.isArray(inner) ? inner.map(obj).filter(isJson) : [];
}

function nextPage(res: HttpResponse, current: string): string | null {
  const raw = res.headers['x-next-page'];
  const next = (Array.isArray(raw) ? raw[0] : raw)?.trim();
  // A next page that does not move forward would loop forever.
  return next && /^\d+$/.test(next) && Number(next) > Number(current) ? next : null;
}

function storeCustomer(c: Json): StoreCustomer | null {
  const externalId = idText(c['id']);
  if (!externalId) return null;
  return { externalId, name: text(c['name']), email: text(c['email']), phone: customerPhone(c) };
}

function customerPhone(c: Json): string | null {
  return joinPhone(text(c['country_calling_code']) ?? '+886', c['mobile']);
}

/** Whether an order listed for a customer really is theirs: by customer id, else by e-mail or phone. */
function belongsTo(order: Json, customer: StoreCustomer): boolean {
  const c = obj(order['customer']);
  const id = c ? idText(c['id']) : null;
  if (id !== null) return id === customer.externalId;
  const snap = orderSnapshot(order);
  return (customer.email !== null && snap.email?.toLowerCase() === customer.email.toLowerCase()) || (customer.phone !== null && snap.phone === customer.phone);
}

/** "+886912345678" → "0912345678": CYBERBIZ keeps Taiwanese mobiles in local form beside a calling code. */
export function localMobile(phone: string): string {
  const compact = phone.replace(/[\s\-().]/g, '');
  const tw = /^(?:\+|00)886(\d{9})$/.exec(compact);
  if (tw) return `0${tw[1]}`;
  return compact;
}

function callingCode(phone: string): string {
  const compact = phone.replace(/[\s\-().]/g, '');
  return /^(?:\+|00)886/.test(compact) || /^0\d{9}$/.test(compact) ? '+886' : '';
}

// ---------------------------------------------------------------------------------------------
// Money and time

/**
 * A CYBERBIZ money float (9999.0 arrives as the JS number 9999) as an exact decimal string with at least two
 * decimals, like the other adapters' prices: 9999 → "9999.00", 12.5 → "12.50". String(n) is the shortest
 * text that round-trips, so no float noise (0.1 stays "0.10"); decimal strings are normalized the same way.
 */
export function money(v: unknown): string | null {
  let raw: string;
  if (typeof v === 'number' && Number.isFinite(v)) raw = Math.abs(v) >= 1e21 || Math.abs(v) < 1e-6 ? v.toFixed(2) : String(v);
  else if (typeof v === 'string' && v.trim() !== '') raw = v.trim();
  else return null;
  const m = /^([+-]?)(\d+)(?:\.(\d*))?$/.exec(raw);
  if (!m) return null;
  const [, sign = '', int = '0', frac = ''] = m;
  return `${sign === '-' ? '-' : ''}${int}.${frac.padEnd(2, '0')}`;
}

/** A CYBERBIZ timestamp ("YYYY-MM-DD HH:MM:SS", Asia/Taipei, no zone) as epoch ms; strings with a zone as given. */
export function taipeiToEpochMs(v: unknown): number | null {
  if (typeof v !== 'string' || v.trim() === '') return null;
  const m = NAIVE_TIME.exec(v.trim());
  if (!m) {
    const ms = Date.parse(v);
    return Number.isFinite(ms) ? ms : null;
  }
  const [y, mo, d, h, mi, s] = m.slice(1).map((part) => Number(part ?? 0)) as [number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi, s) - TAIPEI_OFFSET_MS;
  return Number.isFinite(ms) ? ms : null;
}

/** Epoch ms → "YYYY-MM-DD HH:MM:SS" in Asia/Taipei, as CYBERBIZ's query parameters take times. */
function taipeiTimestampOf(ms: number): string {
  return new Date(ms + TAIPEI_OFFSET_MS).toISOString().slice(0, 19).replace('T', ' ');
}

/** The same instant as ISO 8601 with the +08:00 offset the shop meant: "2026-01-05 14:03:09" → "2026-01-05T14:03:09+08:00". */
export function taipeiToIso(v: unknown): string | null {
  const ms = taipeiToEpochMs(v);
  if (ms === null) return null;
  return new Date(ms + TAIPEI_OFFSET_MS).toISOString().slice(0, 19) + '+08:00';
}

function occurredAt(candidates: unknown[]): number {
  for (const c of candidates) {
    const ms = taipeiToEpochMs(c);
    if (ms !== null) return ms;
  }
  return Date.now();
}

// ---------------------------------------------------------------------------------------------
// Helpers

function eventOf(webhook: RawWebhook): string {
  return (webhook.headers['x-cyberbiz-event'] ?? '').trim().toLowerCase();
}

function decodeDigest(header: string | undefined): Buffer | null {
  const given = header?.trim();
  if (!given) return null;
  // Production sends hex; CYBERBIZ's own docs say base64. Both encodings of the 32-byte digest are accepted.
  if (HEX_SHA256.test(given)) return Buffer.from(given, 'hex');
  if (BASE64_SHA256.test(given)) return Buffer.from(given, 'base64');
  return null;
}

function requireShopDomain(connection: StoreConnectionCredentials): string {
  const domain = normalizeDomain(connection.settings['shopDomain']);
  if (!domain) throw new ProviderError('permanent', 'CYBERBIZ shop domain is missing (e.g. "example.cyberbiz.co")');
  return domain;
}

/**
 * The CYBERBIZ-issued domain in the /shop profile, when it carries one. [UNVERIFIED] The 3P SDK's profile
 * has only primary_domain, which is the storefront's custom domain when the shop has one; it is compared
 * only when it is a *.cyberbiz.co host. shop_domain/domain are read first in case the live API adds them.
 */
function reportedShopDomain(shop: Json): string | null {
  const explicit = normalizeDomain(text(shop['shop_domain']) ?? text(shop['domain']) ?? undefined);
  if (explicit) return explicit;
  const primary = normalizeDomain(text(shop['primary_domain']) ?? undefined);
  return primary?.endsWith('.cyberbiz.co') ? primary : null;
}

function normalizeDomain(v: string | undefined): string | null {
  const t = v
    ?.trim()
    .toLowerCase()
    .replace(/^https?:\/\//, '')
    .replace(/\/+$/, '');
  return t ? t : null;
}

function failure(res: HttpResponse, body: unknown, what: string): ProviderError {
  const reason = errorText(body);
  // 401 is both a bad token and "the plan does not include the API": the merchant has to fix either.
  if (res.status === 401) return new ProviderError('permanent', `${REFUSED_TOKEN}${reason ? `: ${reason}` : ''}`, { httpStatus: 401 });
  return classifyHttpFailure(res, `CYBERBIZ ${what} answered HTTP ${res.status}${reason ? `: ${reason}` : ''}`);
}

/** CYBERBIZ errors come as {"error":["…"]}, {"error":"…"}, {"message":…} or {"messages":…}. */
function errorText(body: unknown): string | null {
  const b = obj(body);
  if (!b) return null;
  for (const key of ['error', 'message', 'messages', 'errors']) {
    const v = b[key];
    if (v === undefined || v === null) continue;
    if (typeof v === 'string') return v;
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v.join('; ');
    return JSON.stringify(v);
  }
  return null;
}
