// CYBERBIZ simulator: plays the CYBERBIZ App Store API (one host for every shop, the Bearer token picks the
// shop) and CYBERBIZ's app-webhook sender, for tests and the sandbox.
//   GET  /shop                      {"shop_info":{id,name,primary_domain,email,currency,...}}
//   GET  /v1/orders?page=&per_page=  per_page ≤ 50; X-Page/X-Per-Page/X-Offset/X-Total/X-Total-Pages/X-Next-Page/X-Prev-Page
//                                    optional updated_at_start_time / updated_at_end_time ("YYYY-MM-DD HH:MM:SS", inclusive),
//                                    created_at_start_time / created_at_end_time, customer_id, order_number
//                                    (names [UNVERIFIED], see CYBERBIZ_QUERY below; unknown params are ignored)
//   GET  /v1/customers?email=&mobile=&page=&per_page=   customers, paged like orders (206 [] when none match)
//   POST /v1/customers              {name?, email?, mobile?, country_calling_code?} → 201 the customer; 422 on a taken e-mail
//   GET  /v1/orders/:id             the order, or `200 null` for an unknown id (a CYBERBIZ quirk)
// Every API route wants `Authorization: Bearer <token>` of a registered shop: 401 {"error":"…"} otherwise; with
// rateLimitPerSecond set, a token bucket per token answers 429 {"error":"…"} + Retry-After past the limit.
// Control API (besides the base /_sim routes):
//   POST  /_sim/shops                        {domain, name, accessToken, appSecret, webhookUrl?, storefrontDomain?}
//   GET   /_sim/shops
//   PUT   /_sim/rate-limit                   {perSecond: number | null}
//   POST  /_sim/orders                       {domain, order?}   → 201 the order (no webhook; emit one separately)
//   PATCH /_sim/orders/:id                   {order}            → merges the fields, bumps updated_at
//   GET   /_sim/orders?domain=
//   POST  /_sim/customers                    {domain, customer: {name?, email?, mobile?, country_calling_code?}} → 201
//   GET   /_sim/customers?domain=
//   POST  /_sim/webhooks                     {domain, event, orderId? | bonusPoint? | coupon? | payload?,
//                                             encoding?: "hex"|"base64", badSignature?, refundAmount?, tracking?}
//   GET   /_sim/deliveries?domain=&event=
//   POST  /_sim/deliveries/:id/redeliver     the same bytes and headers again (a duplicate, as a retry would be)
import { createHmac, randomBytes } from 'node:crypto';
import { SimInputError, Simulator, deliverWebhook, jsonBody, requireString } from '../../../sandbox/simulator.js';
import type { SimRequest, SimResponse } from '../../../sandbox/simulator.js';

// Query parameter names, the simulator's own copy ([UNVERIFIED] at CYBERBIZ; unknown params are ignored).
const CYBERBIZ_QUERY = {
  orderCustomer: 'customer_id',
  createdFrom: 'created_at_start_time',
  createdTo: 'created_at_end_time',
  orderNumber: 'order_number',
  customerEmail: 'email',
  customerMobile: 'mobile',
} as const;

export const CYBERBIZ_WEBHOOK_USER_AGENT = 'CyberbizAppWebhook/1.0';
const MAX_PER_PAGE = 50;

export interface CyberbizSimulatorOptions {
  /** Requests per second per token (CYBERBIZ: 5). Null (the default) turns the limit off so tests run fast. */
  rateLimitPerSecond?: number | null;
  /** Per-delivery deadline for the receiver's answer. */
  timeoutMs?: number;
}

export interface CyberbizShopInput {
  /** The CYBERBIZ-issued host, e.g. "example.cyberbiz.co" (X-Cyberbiz-Domain). */
  domain: string;
  name: string;
  accessToken: string;
  appSecret: string;
  webhookUrl?: string | null;
  /** The custom storefront host (X-Cyberbiz-Shop-Domain, /shop primary_domain); defaults to `domain`. */
  storefrontDomain?: string;
}

export interface CyberbizShop {
  id: number;
  domain: string;
  name: string;
  storefrontDomain: string;
  webhookUrl: string | null;
}

export type SignatureEncoding = 'hex' | 'base64';

export interface CyberbizEmitOptions {
  /** Production sends hex (the default); CYBERBIZ's docs describe base64. */
  encoding?: SignatureEncoding;
  badSignature?: boolean;
  /** orders/refunded, orders/partial_refunded: the refund recorded in return_histories (default: what is left). */
  refundAmount?: number;
  /** orders/fulfilled: the fulfilment to add. */
  tracking?: { number?: string; company?: string; url?: string | null };
}

export interface CyberbizDelivery {
  id: string;
  domain: string;
  event: string;
  url: string;
  body: string;
  headers: Record<string, string>;
  attempts: Array<{ at: number; status: number | null; error: string | null }>;
  state: 'delivered' | 'failed';
}

export interface CyberbizDetailAddress {
  zip: string | null;
  country: string | null;
  province: string | null;
  city: string | null;
  district: string | null;
  address1: string | null;
  address2: string | null;
}

export interface CyberbizLineItem {
  id: number;
  product_id: number;
  product_variant_id: number;
  title: string;
  variant_title: string | null;
  sku: string | null;
  price: number;
  quantity: number;
  total_price_after_discounts: number;
  return_status: string;
}

export interface CyberbizFulfillment {
  id: number;
  tracking_company: string | null;
  tracking_number: string | null;
  tracking_url: string | null;
  fulfilled_at: string | null;
  received_at: string | null;
  status: string;
}

/** The order object CYBERBIZ posts and GET /v1/orders/{id} returns (the fields the hub reads, per webhooks.md). */
export interface CyberbizOrder {
  id: number;
  token: string;
  order_number: string;
  order_name: string;
  customer: { id: number; name: string; email: string | null; mobile: string | null; country_calling_code: string | null; bonus_remain: number } | null;
  buyer: { email: string | null; mobile: string | null } | null;
  receiver: {
    name: string;
    country_calling_code: string | null;
    phone: string | null;
    address: string | null;
    detail_address: CyberbizDetailAddress | null;
    cvs_store_id: string | null;
  } | null;
  line_items: CyberbizLineItem[];
  shipping_type: string;
  shipping_name: string;
  fulfillments: CyberbizFulfillment[];
  payment_name: string;
  payment_method: string;
  prices: {
    total_line_items_price: number;
    shipping_rate_price: number;
    discounts: { coupon_discounts: Array<{ code: string; amount: number; coupon_id: number }>; bonus_consumed: number };
    total_price: number;
  };
  statuses: { order_status: string; financial_status: string; fulfillment_status: string; return_status: string };
  timings: Record<'request_return_at' | 'return_at' | 'refund_at' | 'closed_at' | 'cancelled_at' | 'expired_at' | 'confirmed_at', string | null>;
  return_histories: Array<{ body: string; price: number; refunded_at: string }>;
  note: string | null;
  branch_store: { store_no: string; name: string; address: string } | null;
  shipping_status: string | null;
  created_at: string;
  updated_at: string;
}

export type CyberbizOrderOverrides = Partial<CyberbizOrder>;

/** A customer as GET /v1/customers lists it (the fields the hub reads). */
export interface CyberbizCustomer {
  id: number;
  name: string | null;
  email: string | null;
  mobile: string | null;
  country_calling_code: string | null;
  bonus_remain: number;
  created_at: string;
  updated_at: string;
}

export interface CyberbizCustomerInput {
  name?: string | null;
  email?: string | null;
  mobile?: string | null;
  country_calling_code?: string | null;
}

export interface CyberbizBonusPoint {
  id: number;
  title: string;
  points: number;
  unused_points: number;
  consumption_price: number;
  deadline: string | null;
  customer_id: number | null;
  source: string;
  order_id: number | null;
}

export interface CyberbizCoupon {
  customer_id: number | null;
  title: string;
  code: string;
  coupon_type_name: string;
  coupon_value: string;
  order_price_threshold: number;
  start_date: string;
  end_date: string | null;
  coupon_status: string;
  valid: boolean;
}

interface ShopState extends CyberbizShop {
  accessToken: string;
  appSecret: string;
}

interface Bucket {
  tokens: number;
  at: number;
}

/** HMAC-SHA256 of `data` with the app secret: hex as production sends it, base64 as CYBERBIZ documents it. */
export function signCyberbiz(appSecret: string, data: string | Buffer, encoding: SignatureEncoding = 'hex'): string {
  return createHmac('sha256', appSecret).update(data).digest(encoding);
}

/** Now (or `ms`) in CYBERBIZ's timestamp format: "YYYY-MM-DD HH:MM:SS", Asia/Taipei, no zone. */
export function taipeiTimestamp(ms = Date.now()): string {
  return new Date(ms + 8 * 60 * 60 * 1000).toISOString().slice(0, 19).replace('T', ' ');
}

export class CyberbizSimulator extends Simulator {
  readonly name = 'cyberbiz';
  private rateLimit: number | null;
  private readonly timeoutMs: number;
  private shops = new Map<string, ShopState>();
  private orderStore = new Map<number, { domain: string; order: CyberbizOrder }>();
  private customerStore = new Map<number, { domain: string; customer: CyberbizCustomer }>();
  private records = new Map<string, CyberbizDelivery>();
  private buckets = new Map<string, Bucket>();
  private idSeq = 0;

  constructor(options: CyberbizSimulatorOptions = {}) {
    super();
    this.rateLimit = null;
    this.setRateLimit(options.rateLimitPerSecond ?? null);
    this.timeoutMs = options.timeoutMs ?? 5_000;
    this.route('GET', '/shop', (req) => this.withShop(req, (shop) => ({ status: 200, body: { shop_info: shopInfo(shop) } })));
    this.route('GET', '/v1/orders', (req) => this.withShop(req, (shop) => this.listOrders(req, shop)));
    this.route('GET', '/v1/orders/:id', (req, p) => this.withShop(req, (shop) => this.getOrder(shop, p['id']!)));
    this.route('GET', '/v1/customers', (req) => this.withShop(req, (shop) => this.listCustomers(req, shop)));
    this.route('POST', '/v1/customers', (req) => this.withShop(req, (shop) => this.postCustomer(req, shop)));
    this.registerControlRoutes();
  }

  // ---------------------------------------------------------------------------------------------
  // State

  addShop(input: CyberbizShopInput): CyberbizShop {
    const domain = hostName(input.domain, 'domain');
    if (!input.accessToken || !input.appSecret) throw new SimInputError(400, 'accessToken and appSecret are required');
    if (!input.name || input.name.trim() === '') throw new SimInputError(400, 'name is required');
    const webhookUrl = input.webhookUrl ?? null;
    if (webhookUrl !== null && !/^https?:\/\//.test(webhookUrl)) throw new SimInputError(400, 'webhookUrl must be an http(s) URL');
    for (const other of this.shops.values()) {
      if (other.accessToken === input.accessToken && other.domain !== domain) throw new SimInputError(409, 'accessToken is already used by another shop');
    }
    const shop: ShopState = {
      id: 1000 + this.shops.size + 1,
      domain,
      name: input.name,
      storefrontDomain: input.storefrontDomain ? hostName(input.storefrontDomain, 'storefrontDomain') : domain,
      webhookUrl,
      accessToken: input.accessToken,
      appSecret: input.appSecret,
    };
    this.shops.set(domain, shop);
    return publicShop(shop);
  }

  /** Requests per second per token, or null to turn the limit off; buckets start full again. */
  setRateLimit(perSecond: number | null): void {
    if (perSecond !== null && (typeof perSecond !== 'number' || !(perSecond > 0) || !Number.isFinite(perSecond))) {
      throw new SimInputError(400, 'perSecond must be a positive number or null');
    }
    this.rateLimit = perSecond;
    this.buckets.clear();
  }

  shopList(): CyberbizShop[] {
    return [...this.shops.values()].map(publicShop);
  }

  orders(domain: string): CyberbizOrder[] {
    const shop = this.shop(domain);
    return [...this.orderStore.values()].filter((o) => o.domain === shop.domain).map((o) => o.order);
  }

  order(id: number | string): CyberbizOrder {
    const entry = this.orderStore.get(Number(id));
    if (!entry) throw new SimInputError(404, `order ${id} not found`);
    return entry.order;
  }

  /** Creates an order with sample Taiwanese defaults; `overrides` replace whole top-level fields. */
  createOrder(domain: string, overrides: CyberbizOrderOverrides = {}): CyberbizOrder {
    const shop = this.shop(domain);
    const order = { ...this.buildOrder(shop), ...overrides };
    checkOrderShape(order);
    if (this.orderStore.has(order.id)) throw new SimInputError(409, `order ${order.id} already exists`);
    this.orderStore.set(order.id, { domain: shop.domain, order });
    return order;
  }

  /** Merges top-level fields into an order and bumps updated_at (unless the changes set it). */
  updateOrder(id: number | string, changes: CyberbizOrderOverrides): CyberbizOrder {
    const entry = this.orderStore.get(Number(id));
    if (!entry) throw new SimInputError(404, `order ${id} not found`);
    if (changes.id !== undefined && changes.id !== entry.order.id) throw new SimInputError(400, 'order.id cannot change');
    const updated = { ...entry.order, updated_at: taipeiTimestamp(), ...changes };
    checkOrderShape(updated);
    entry.order = updated;
    return entry.order;
  }

  customers(domain: string): CyberbizCustomer[] {
    const shop = this.shop(domain);
    return [...this.customerStore.values()].filter((c) => c.domain === shop.domain).map((c) => c.customer);
  }

  /** Adds a customer to a shop; refuses an e-mail another customer of the shop already has (as CYBERBIZ does). */
  addCustomer(domain: string, input: CyberbizCustomerInput): CyberbizCustomer {
    const shop = this.shop(domain);
    const email = optionalText(input.email, 'email')?.toLowerCase() ?? null;
    const mobile = optionalText(input.mobile, 'mobile');
    if (email === null && mobile === null) throw new SimInputError(422, 'email or mobile is required');
    if (email !== null && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) throw new SimInputError(422, 'email is invalid');
    if (mobile !== null && !/^\+?[\d\s-]{6,20}$/.test(mobile)) throw new SimInputError(422, 'mobile is invalid');
    if (email !== null && this.customers(shop.domain).some((c) => c.email === email)) throw new SimInputError(422, 'email has already been taken');
    const now = taipeiTimestamp();
    const customer: CyberbizCustomer = {
      id: this.nextId(),
      name: optionalText(input.name, 'name'),
      email,
      mobile,
      country_calling_code: optionalText(input.country_calling_code, 'country_calling_code') ?? (mobile ? '+886' : null),
      bonus_remain: 0,
      created_at: now,
      updated_at: now,
    };
    this.customerStore.set(customer.id, { domain: shop.domain, customer });
    return customer;
  }

  deliveries(filter: { domain?: string; event?: string } = {}): CyberbizDelivery[] {
    const domain = filter.domain?.toLowerCase();
    return [...this.records.values()].filter((d) => (!domain || d.domain === domain) && (!filter.event || d.event === filter.event));
  }

  protected override resetState(): void {
    this.shops.clear();
    this.orderStore.clear();
    this.customerStore.clear();
    this.records.clear();
    this.buckets.clear();
  }

  /** CYBERBIZ's `{"error":"…"}` shape, so injected faults look like the real API. */
  protected override faultBody(status: number): unknown {
    return { error: status === 429 ? 'Too Many Requests' : `simulated ${status}` };
  }

  // ---------------------------------------------------------------------------------------------
  // Webhooks

  /**
   * Applies an order event to the stored order the way CYBERBIZ's state would move (paid, shipped, refunded…),
   * bumps updated_at and posts the order to the shop's webhook URL.
   */
  async emitOrderEvent(orderId: number | string, event: string, options: CyberbizEmitOptions = {}): Promise<CyberbizDelivery> {
    const entry = this.orderStore.get(Number(orderId));
    if (!entry) throw new SimInputError(404, `order ${orderId} not found`);
    if (!event.startsWith('orders/')) throw new SimInputError(400, `event ${event} is not an order event (orders/...)`);
    entry.order = applyOrderEvent(entry.order, event, options, () => this.nextId());
    return this.emitWebhook(entry.domain, event, entry.order, options);
  }

  /** Posts a bonus-point record (bonus_points/create by default); negative points are points spent. */
  async emitBonusPoints(domain: string, overrides: Partial<CyberbizBonusPoint> = {}, event = 'bonus_points/create', options: CyberbizEmitOptions = {}): Promise<CyberbizDelivery> {
    const payload: CyberbizBonusPoint = {
      id: this.nextId(),
      title: '購物回饋',
      points: 100,
      unused_points: 100,
      consumption_price: 1000,
      deadline: taipeiTimestamp(Date.now() + 365 * 86_400_000),
      customer_id: this.anyCustomerId(domain),
      source: 'order',
      order_id: null,
      ...overrides,
    };
    if (typeof payload.points !== 'number' || !Number.isFinite(payload.points)) throw new SimInputError(400, 'bonusPoint.points must be a number');
    return this.emitWebhook(domain, event, payload, options);
  }

  /** Posts a coupon given to a customer (coupons/create by default). */
  async emitCoupon(domain: string, overrides: Partial<CyberbizCoupon> = {}, event = 'coupons/create', options: CyberbizEmitOptions = {}): Promise<CyberbizDelivery> {
    const payload: CyberbizCoupon = {
      customer_id: this.anyCustomerId(domain),
      title: '會員生日禮',
      code: `BDAY-${randomBytes(3).toString('hex').toUpperCase()}`,
      coupon_type_name: 'amount',
      coupon_value: '100',
      order_price_threshold: 500,
      start_date: taipeiTimestamp(),
      end_date: taipeiTimestamp(Date.now() + 30 * 86_400_000),
      coupon_status: 'has_expire_date',
      valid: true,
      ...overrides,
    };
    if (typeof payload.code !== 'string' || payload.code === '') throw new SimInputError(400, 'coupon.code must be a non-empty string');
    return this.emitWebhook(domain, event, payload, options);
  }

  /**
   * Posts `payload` (a string is sent as-is, anything else as JSON) for `event` with CYBERBIZ's headers, signed
   * with the shop's app secret. One attempt: CYBERBIZ's retry policy is undocumented; use redeliver() for a retry.
   */
  async emitWebhook(domain: string, event: string, payload: unknown, options: CyberbizEmitOptions = {}): Promise<CyberbizDelivery> {
    const shop = this.shop(domain);
    if (!/^[a-z_]+\/[a-z_]+$/.test(event)) throw new SimInputError(400, 'event must look like resource/action, e.g. orders/paid');
    if (!shop.webhookUrl) throw new SimInputError(409, `shop ${shop.domain} has no webhookUrl`);
    const encoding = options.encoding ?? 'hex';
    if (encoding !== 'hex' && encoding !== 'base64') throw new SimInputError(400, 'encoding must be hex or base64');
    const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
    const secret = options.badSignature ? `${shop.appSecret}:not-the-secret` : shop.appSecret;
    const record: CyberbizDelivery = {
      id: randomBytes(8).toString('hex'),
      domain: shop.domain,
      event,
      url: shop.webhookUrl,
      body,
      headers: {
        'Content-Type': 'application/json',
        'User-Agent': CYBERBIZ_WEBHOOK_USER_AGENT,
        'X-Cyberbiz-Domain': shop.domain,
        'X-Cyberbiz-Shop-Domain': shop.storefrontDomain,
        'X-Cyberbiz-Event': event,
        'X-Cyberbiz-Hmac-Sha256': signCyberbiz(secret, body, encoding),
        'X-Cyberbiz-Domain-Hmac-Sha256': signCyberbiz(secret, shop.domain, encoding),
      },
      attempts: [],
      state: 'failed',
    };
    this.records.set(record.id, record);
    await this.attempt(record);
    return record;
  }

  /** Sends a delivery's exact bytes and headers again: the duplicate a CYBERBIZ retry would be. */
  async redeliver(id: string): Promise<CyberbizDelivery> {
    const record = this.records.get(id);
    if (!record) throw new SimInputError(404, `delivery ${id} not found`);
    await this.attempt(record);
    return record;
  }

  private async attempt(record: CyberbizDelivery): Promise<void> {
    const at = Date.now();
    let status: number | null = null;
    let error: string | null = null;
    try {
      const res = await deliverWebhook(record.url, record.body, record.headers, this.timeoutMs);
      status = res.status;
      if (status < 200 || status > 299) error = `HTTP ${status}`;
    } catch (err) {
      error = err instanceof Error ? err.message || err.name : String(err);
    }
    record.attempts.push({ at, status, error });
    record.state = error === null ? 'delivered' : 'failed';
  }

  // ---------------------------------------------------------------------------------------------
  // App Store API

  private withShop(req: SimRequest, handler: (shop: ShopState) => SimResponse): SimResponse {
    const auth = req.headers['authorization'] ?? '';
    if (!/^Bearer\s+\S/i.test(auth)) return { status: 401, body: { error: 'Authorization: Bearer <access_token> is required' } };
    const token = auth.replace(/^Bearer\s+/i, '').trim();
    const shop = [...this.shops.values()].find((s) => s.accessToken === token);
    if (!shop) return { status: 401, body: { error: 'invalid access token or the plan has no API access' } };
    const waitSeconds = this.takeToken(token);
    if (waitSeconds !== null) return { status: 429, body: { error: 'Too Many Requests' }, headers: { 'retry-after': String(waitSeconds) } };
    return handler(shop);
  }

  /** A token bucket per access token; null when the request may go, else the whole seconds to wait. */
  private takeToken(token: string): number | null {
    if (this.rateLimit === null) return null;
    const now = Date.now();
    const bucket = this.buckets.get(token) ?? { tokens: this.rateLimit, at: now };
    bucket.tokens = Math.min(this.rateLimit, bucket.tokens + ((now - bucket.at) / 1000) * this.rateLimit);
    bucket.at = now;
    this.buckets.set(token, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return null;
    }
    // [UNVERIFIED] whether CYBERBIZ sends Retry-After on 429; the simulator does so adapters can honour it.
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.rateLimit));
  }

  private listOrders(req: SimRequest, shop: ShopState): SimResponse {
    const { page, perPage } = pageParams(req);
    const from = timeParam(req.query['updated_at_start_time'], 'updated_at_start_time');
    const to = timeParam(req.query['updated_at_end_time'], 'updated_at_end_time');
    const createdFrom = timeParam(req.query[CYBERBIZ_QUERY.createdFrom], CYBERBIZ_QUERY.createdFrom);
    const createdTo = timeParam(req.query[CYBERBIZ_QUERY.createdTo], CYBERBIZ_QUERY.createdTo);
    const ofCustomer = this.customerFilter(req.query[CYBERBIZ_QUERY.orderCustomer], shop);
    const number = req.query[CYBERBIZ_QUERY.orderNumber]?.trim().replace(/^#/, '') || null;
    // The naive timestamps share one format and zone, so string order is time order.
    const matching = this.orders(shop.domain)
      .filter((o) => (from === null || o.updated_at >= from) && (to === null || o.updated_at <= to))
      .filter((o) => (createdFrom === null || o.created_at >= createdFrom) && (createdTo === null || o.created_at <= createdTo))
      .filter((o) => number === null || o.order_number === number)
      .filter(ofCustomer)
      .sort((a, b) => a.id - b.id);
    return paged(matching, page, perPage);
  }

  /** customer_id → a filter matching the customer's orders by id, or by their e-mail or mobile. */
  private customerFilter(raw: string | undefined, shop: ShopState): (o: CyberbizOrder) => boolean {
    if (raw === undefined || raw === '') return () => true;
    if (!/^\d+$/.test(raw)) throw new SimInputError(400, 'customer_id must be an integer');
    const id = Number(raw);
    const entry = this.customerStore.get(id);
    const customer = entry && entry.domain === shop.domain ? entry.customer : null;
    return (o) => {
      if (o.customer?.id === id) return true;
      if (!customer) return false;
      const email = o.customer?.email ?? o.buyer?.email ?? null;
      const mobile = o.customer?.mobile ?? o.buyer?.mobile ?? null;
      return (customer.email !== null && email?.toLowerCase() === customer.email) || (customer.mobile !== null && mobile !== null && digits(mobile) === digits(customer.mobile));
    };
  }

  private listCustomers(req: SimRequest, shop: ShopState): SimResponse {
    const { page, perPage } = pageParams(req);
    const email = req.query[CYBERBIZ_QUERY.customerEmail]?.trim().toLowerCase() || null;
    const mobile = req.query[CYBERBIZ_QUERY.customerMobile]?.trim() || null;
    const matching = this.customers(shop.domain)
      .filter((c) => email === null || c.email === email)
      .filter((c) => mobile === null || (c.mobile !== null && digits(c.mobile) === digits(mobile)))
      .sort((a, b) => a.id - b.id);
    // CYBERBIZ answers some empty lookups with 206 [] rather than 200 [].
    if (matching.length === 0 && (email !== null || mobile !== null)) return { status: 206, body: [] };
    return paged(matching, page, perPage);
  }

  private postCustomer(req: SimRequest, shop: ShopState): SimResponse {
    const b = req.json;
    if (b === null || typeof b !== 'object' || Array.isArray(b)) throw new SimInputError(422, 'request body must be a JSON object');
    const fields = b as Record<string, unknown>;
    const input = obj(fields['customer']) ?? fields;
    return { status: 201, body: this.addCustomer(shop.domain, input as CyberbizCustomerInput) };
  }

  private getOrder(shop: ShopState, id: string): SimResponse {
    if (!/^\d+$/.test(id)) return { status: 400, body: { error: ['id must be an integer'] } };
    const entry = this.orderStore.get(Number(id));
    // CYBERBIZ answers an unknown (or another shop's) order with 200 null rather than 404.
    if (!entry || entry.domain !== shop.domain) return { status: 200, body: 'null', headers: { 'content-type': 'application/json' } };
    return { status: 200, body: entry.order };
  }

  // ---------------------------------------------------------------------------------------------
  // Sample data

  private buildOrder(shop: ShopState): CyberbizOrder {
    const n = this.orders(shop.domain).length;
    const person = samplePeople[n % samplePeople.length]!;
    const product = sampleProducts[n % sampleProducts.length]!;
    const quantity = 1 + (n % 2);
    const itemsTotal = product.price * quantity;
    const shipping = 80;
    const now = taipeiTimestamp();
    return {
      id: this.nextId(),
      token: randomBytes(16).toString('hex'),
      order_number: String(1001 + n),
      order_name: `#${1001 + n}`,
      customer: { id: this.nextId(), name: person.name, email: person.email, mobile: person.mobile, country_calling_code: '+886', bonus_remain: 0 },
      buyer: { email: person.email, mobile: person.mobile },
      receiver: {
        name: person.name,
        country_calling_code: '+886',
        phone: person.mobile,
        address: `${person.city}${person.district}${person.address1}`,
        detail_address: { zip: person.zip, country: '台灣', province: null, city: person.city, district: person.district, address1: person.address1, address2: null },
        cvs_store_id: null,
      },
      line_items: [
        {
          id: this.nextId(),
          product_id: this.nextId(),
          product_variant_id: this.nextId(),
          title: product.title,
          variant_title: product.variant,
          sku: product.sku,
          price: product.price,
          quantity,
          total_price_after_discounts: itemsTotal,
          return_status: 'no_need',
        },
      ],
      shipping_type: 'home_delivery',
      shipping_name: '宅配',
      fulfillments: [],
      payment_name: 'credit_card',
      payment_method: '信用卡',
      prices: { total_line_items_price: itemsTotal, shipping_rate_price: shipping, discounts: { coupon_discounts: [], bonus_consumed: 0 }, total_price: itemsTotal + shipping },
      statuses: { order_status: 'open', financial_status: 'pending', fulfillment_status: 'unshipped', return_status: 'no_need' },
      timings: { request_return_at: null, return_at: null, refund_at: null, closed_at: null, cancelled_at: null, expired_at: null, confirmed_at: null },
      return_histories: [],
      note: null,
      branch_store: null,
      shipping_status: null,
      created_at: now,
      updated_at: now,
    };
  }

  private anyCustomerId(domain: string): number | null {
    return this.orders(domain)[0]?.customer?.id ?? null;
  }

  private nextId(): number {
    this.idSeq++;
    return 10_000_000 + this.idSeq;
  }

  private shop(domain: string): ShopState {
    const shop = this.shops.get(String(domain ?? '').trim().toLowerCase());
    if (!shop) throw new SimInputError(404, `shop ${domain} not found`);
    return shop;
  }

  // ---------------------------------------------------------------------------------------------
  // Control API

  private registerControlRoutes(): void {
    this.control('POST', '/_sim/shops', (req) => {
      const b = jsonBody(req);
      const shop = this.addShop({
        domain: requireString(b, 'domain'),
        name: requireString(b, 'name'),
        accessToken: requireString(b, 'accessToken'),
        appSecret: requireString(b, 'appSecret'),
        webhookUrl: optionalString(b, 'webhookUrl'),
        storefrontDomain: optionalString(b, 'storefrontDomain') ?? undefined,
      });
      return { status: 201, body: shop };
    });
    this.control('GET', '/_sim/shops', () => ({ status: 200, body: this.shopList() }));
    this.control('PUT', '/_sim/rate-limit', (req) => {
      const perSecond = jsonBody(req)['perSecond'];
      if (perSecond !== null && typeof perSecond !== 'number') throw new SimInputError(400, 'perSecond must be a positive number or null');
      this.setRateLimit(perSecond);
      return { status: 200, body: { perSecond } };
    });
    this.control('POST', '/_sim/orders', (req) => {
      const b = jsonBody(req);
      return { status: 201, body: this.createOrder(requireString(b, 'domain'), optionalObject<CyberbizOrderOverrides>(b, 'order') ?? {}) };
    });
    this.control('PATCH', '/_sim/orders/:id', (req, p) => {
      const changes = optionalObject<CyberbizOrderOverrides>(jsonBody(req), 'order');
      if (!changes) throw new SimInputError(400, 'order (an object of fields to change) is required');
      return { status: 200, body: this.updateOrder(p['id']!, changes) };
    });
    this.control('GET', '/_sim/orders', (req) => ({ status: 200, body: this.orders(req.query['domain'] ?? '') }));
    this.control('POST', '/_sim/customers', (req) => {
      const b = jsonBody(req);
      const customer = optionalObject<CyberbizCustomerInput>(b, 'customer');
      if (!customer) throw new SimInputError(400, 'customer (an object with name, email, mobile) is required');
      return { status: 201, body: this.addCustomer(requireString(b, 'domain'), customer) };
    });
    this.control('GET', '/_sim/customers', (req) => ({ status: 200, body: this.customers(req.query['domain'] ?? '') }));
    this.control('POST', '/_sim/webhooks', async (req) => ({ status: 201, body: await this.emitFromControl(jsonBody(req)) }));
    this.control('GET', '/_sim/deliveries', (req) => ({ status: 200, body: this.deliveries({ domain: req.query['domain'], event: req.query['event'] }) }));
    this.control('POST', '/_sim/deliveries/:id/redeliver', async (_req, p) => ({ status: 200, body: await this.redeliver(p['id']!) }));
  }

  private async emitFromControl(b: Record<string, unknown>): Promise<CyberbizDelivery> {
    const domain = requireString(b, 'domain');
    const event = requireString(b, 'event');
    const options = emitOptions(b);
    if ('payload' in b) return this.emitWebhook(domain, event, b['payload'], options);
    if (event.startsWith('orders/')) {
      const orderId = b['orderId'];
      if (typeof orderId !== 'number' && typeof orderId !== 'string') throw new SimInputError(400, 'orderId is required for order events');
      if (this.orderStore.get(Number(orderId))?.domain !== this.shop(domain).domain) throw new SimInputError(404, `order ${String(orderId)} not found in shop ${domain}`);
      return this.emitOrderEvent(orderId, event, options);
    }
    if (event.startsWith('bonus_points/') || event === 'comment_bonus/create') {
      return this.emitBonusPoints(domain, optionalObject<Partial<CyberbizBonusPoint>>(b, 'bonusPoint') ?? {}, event, options);
    }
    if (event.startsWith('coupons/')) return this.emitCoupon(domain, optionalObject<Partial<CyberbizCoupon>>(b, 'coupon') ?? {}, event, options);
    throw new SimInputError(400, `payload is required for event ${event}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Order state changes

/** The order as CYBERBIZ would post it after `event`; unknown order events only bump updated_at. */
function applyOrderEvent(order: CyberbizOrder, event: string, options: CyberbizEmitOptions, nextId: () => number): CyberbizOrder {
  const now = taipeiTimestamp();
  const o: CyberbizOrder = { ...order, statuses: { ...order.statuses }, timings: { ...order.timings }, updated_at: now };
  switch (event) {
    case 'orders/paid':
      o.statuses.financial_status = 'paid';
      o.timings.confirmed_at ??= now;
      break;
    case 'orders/preparing':
      o.statuses.fulfillment_status = 'preparing';
      break;
    case 'orders/fulfilled': {
      const t = options.tracking ?? {};
      const fulfillment: CyberbizFulfillment = {
        id: nextId(),
        tracking_company: t.company ?? '黑貓宅急便',
        tracking_number: t.number ?? `9${String(nextId()).padStart(11, '0')}`,
        tracking_url: t.url ?? null,
        fulfilled_at: now,
        received_at: null,
        status: 'fulfilled',
      };
      o.fulfillments = [...order.fulfillments, fulfillment];
      o.statuses.fulfillment_status = 'fulfilled';
      break;
    }
    case 'orders/arrived':
      o.statuses.fulfillment_status = 'arrived';
      break;
    case 'orders/received':
      o.statuses.fulfillment_status = 'received';
      o.fulfillments = order.fulfillments.map((f, i) => (i === order.fulfillments.length - 1 ? { ...f, received_at: now, status: 'received' } : f));
      break;
    case 'orders/cancelled':
      o.statuses.order_status = 'cancelled';
      o.timings.cancelled_at = now;
      break;
    case 'orders/refunded':
    case 'orders/partial_refunded':
      return refund(o, event === 'orders/partial_refunded', options.refundAmount, now);
    case 'orders/request_return':
      o.statuses.return_status = 'request_return';
      o.timings.request_return_at = now;
      break;
    case 'orders/returned':
      o.statuses.return_status = 'returned';
      o.timings.return_at = now;
      break;
    case 'orders/closed':
      o.statuses.order_status = 'closed';
      o.timings.closed_at = now;
      break;
  }
  return o;
}

/** Overrides replace whole fields, so a wrong type there would break later events; refuse it up front. */
function checkOrderShape(order: CyberbizOrder): void {
  if (!Number.isSafeInteger(order.id) || order.id <= 0) throw new SimInputError(400, 'order.id must be a positive integer');
  for (const field of ['line_items', 'fulfillments', 'return_histories'] as const) {
    if (!Array.isArray(order[field])) throw new SimInputError(400, `order.${field} must be an array`);
  }
  for (const field of ['prices', 'statuses', 'timings'] as const) {
    const v: unknown = order[field];
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new SimInputError(400, `order.${field} must be an object`);
  }
  if (typeof order.prices.total_price !== 'number') throw new SimInputError(400, 'order.prices.total_price must be a number');
  if (typeof order.updated_at !== 'string' || typeof order.created_at !== 'string') throw new SimInputError(400, 'order.created_at and updated_at must be "YYYY-MM-DD HH:MM:SS" strings');
}

function refund(o: CyberbizOrder, partial: boolean, amount: number | undefined, now: string): CyberbizOrder {
  const refunded = o.return_histories.reduce((sum, h) => sum + h.price, 0);
  const left = Math.max(0, o.prices.total_price - refunded);
  const price = amount ?? (partial ? Math.round(left / 2) : left);
  if (!Number.isFinite(price) || price <= 0) throw new SimInputError(400, 'refundAmount must be a positive number');
  o.return_histories = [...o.return_histories, { body: partial ? '部分退款' : '全額退款', price, refunded_at: now }];
  o.statuses.financial_status = partial ? 'partial_refunded' : 'refunded';
  o.timings.refund_at = now;
  return o;
}

// ---------------------------------------------------------------------------------------------
// Helpers

function shopInfo(s: ShopState): Record<string, unknown> {
  // Field set of the 3P SDK's ShopInfo; primary_domain is the storefront host.
  return { id: s.id, name: s.name, primary_domain: s.storefrontDomain, email: `owner@${s.domain}`, currency: 'TWD', language: 'zh-TW', sms_prefix: '+886', merchant_location: 'TW', market_location: 'TW' };
}

function publicShop(s: ShopState): CyberbizShop {
  return { id: s.id, domain: s.domain, name: s.name, storefrontDomain: s.storefrontDomain, webhookUrl: s.webhookUrl };
}

function hostName(v: string, field: string): string {
  const t = String(v ?? '').trim().toLowerCase();
  if (!/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/.test(t)) throw new SimInputError(400, `${field} must be a host name like example.cyberbiz.co`);
  return t;
}

function positiveInt(v: string | undefined, field: string, fallback: number): number {
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new SimInputError(400, `${field} must be a positive integer`);
  return n;
}

function pageParams(req: SimRequest): { page: number; perPage: number } {
  const page = positiveInt(req.query['page'], 'page', 1);
  const perPage = positiveInt(req.query['per_page'], 'per_page', MAX_PER_PAGE);
  if (perPage > MAX_PER_PAGE) throw new SimInputError(400, `per_page must be at most ${MAX_PER_PAGE}`);
  return { page, perPage };
}

/** One page of a list with CYBERBIZ's paging headers. */
function paged<T>(matching: T[], page: number, perPage: number): SimResponse {
  const totalPages = Math.ceil(matching.length / perPage);
  const offset = (page - 1) * perPage;
  const headers: Record<string, string> = {
    'x-page': String(page),
    'x-per-page': String(perPage),
    'x-offset': String(offset),
    'x-total': String(matching.length),
    'x-total-pages': String(totalPages),
  };
  if (page < totalPages) headers['x-next-page'] = String(page + 1);
  if (page > 1) headers['x-prev-page'] = String(page - 1);
  return { status: 200, body: matching.slice(offset, offset + perPage), headers };
}

/** A Taiwanese mobile in comparable form: "0912-345-678" and "+886 912 345 678" both become "912345678". */
function digits(mobile: string): string {
  return mobile.replace(/\D/g, '').replace(/^886/, '').replace(/^0+/, '');
}

function optionalText(v: unknown, field: string): string | null {
  if (v === undefined || v === null || v === '') return null;
  if (typeof v !== 'string') throw new SimInputError(422, `${field} must be a string`);
  return v.trim() || null;
}

function obj(v: unknown): Record<string, unknown> | null {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

function timeParam(v: string | undefined, field: string): string | null {
  if (v === undefined || v === '') return null;
  if (!/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(v)) throw new SimInputError(400, `${field} must be "YYYY-MM-DD HH:MM:SS"`);
  return v;
}

function optionalString(b: Record<string, unknown>, field: string): string | null {
  const v = b[field];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') throw new SimInputError(400, `${field} must be a string`);
  return v;
}

function optionalObject<T>(b: Record<string, unknown>, field: string): T | null {
  const v = b[field];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'object' || Array.isArray(v)) throw new SimInputError(400, `${field} must be an object`);
  return v as T;
}

function emitOptions(b: Record<string, unknown>): CyberbizEmitOptions {
  const encoding = b['encoding'] ?? 'hex';
  if (encoding !== 'hex' && encoding !== 'base64') throw new SimInputError(400, 'encoding must be hex or base64');
  const refundAmount = b['refundAmount'];
  if (refundAmount !== undefined && (typeof refundAmount !== 'number' || !(refundAmount > 0))) throw new SimInputError(400, 'refundAmount must be a positive number');
  const tracking = optionalObject<CyberbizEmitOptions['tracking']>(b, 'tracking') ?? undefined;
  return { encoding, badSignature: b['badSignature'] === true, refundAmount, tracking };
}

const samplePeople = [
  { name: '王小明', email: 'xiaoming.wang@example.com.tw', mobile: '0912345678', city: '台北市', district: '信義區', address1: '信義路五段7號', zip: '110' },
  { name: '陳美玲', email: 'meiling.chen@example.com.tw', mobile: '0987-654-321', city: '台中市', district: '西屯區', address1: '台灣大道三段99號', zip: '407' },
] as const;

const sampleProducts = [
  { title: '手工陶瓷馬克杯', variant: '霧白', sku: 'MUG-WHT-01', price: 680 },
  { title: '有機高山烏龍茶', variant: '150g', sku: 'TEA-OOL-150', price: 1200 },
] as const;
