// SHOPLINE simulator: plays the SHOPLINE Admin API (orders.json) and SHOPLINE's webhook sender for tests
// and the sandbox. One host serves every store, so Admin API paths start with the store handle:
//   GET  /:handle/admin/openapi/:version/orders.json   Bearer token; 401 {"errors":...} when wrong
//        (fulfillment_status default unshipped, strict; name=, status=open|closed|cancelled|any, limit ≤ 100)
//   GET  /:handle/admin/openapi/:version/customers/:id/orders.json   status (required) open|cancelled|any,
//        created_at_min/max (ISO), limit ≤ 100, page_info (Link: <…>; rel="next"), newest first
//   GET  /:handle/admin/openapi/:version/customers/v2/search.json   query_param (fuzzy: e-mail, name, phone digits), limit ≤ 250
//   POST /:handle/admin/openapi/:version/customers.json             {"customer":{first_name,last_name,email,phone}} → 201
// The adapter's baseUrlFor(handle) is then `${sim.baseUrl}/${handle}/admin/openapi/v20260301`.
// Control API (besides the base /_sim routes):
//   POST /_sim/stores                        {handle, accessToken, appSecret, subscriptions:[{topic,address}]}
//   GET  /_sim/stores
//   POST /_sim/orders                        {handle, order?}  → places an order, delivers orders/create
//   POST /_sim/customers                     {handle, customer:{first_name?,last_name?,email?,phone?}} → 201
//   GET  /_sim/customers?handle=
//   POST /_sim/webhooks                      {handle, topic, payload, badSignature?}
//   GET  /_sim/deliveries?handle=&topic=
//   POST /_sim/deliveries/:id/redeliver      same bytes, same X-Shopline-Webhook-Id
import { createHmac, randomBytes } from 'node:crypto';
import { SimInputError, Simulator, deliverWebhook, jsonBody, requireString } from '../../../sandbox/simulator.js';
import type { SimRequest, SimResponse } from '../../../sandbox/simulator.js';

/** The Admin API version the simulated stores serve by default (developer.shopline.com, v20260301). */
const SHOPLINE_API_VERSION = 'v20260301';

/** Delays before retries 1..3. SHOPLINE's real schedule is undocumented; short so tests stay fast. */
export const SHOPLINE_RETRY_DELAYS_MS: readonly number[] = [50, 100, 200];

export interface ShoplineSimulatorOptions {
  retryDelaysMs?: readonly number[];
  /** Per-attempt deadline for a 2xx. */
  timeoutMs?: number;
  apiVersion?: string;
}

export interface ShoplineSubscription {
  topic: string;
  address: string;
}

export interface ShoplineStoreInput {
  handle: string;
  accessToken: string;
  appSecret: string;
  subscriptions?: ShoplineSubscription[];
  currency?: string;
}

export interface ShoplineStore {
  handle: string;
  shopId: string;
  merchantId: string;
  domain: string;
  currency: string;
  subscriptions: ShoplineSubscription[];
}

export interface ShoplineDeliveryAttempt {
  attempt: number;
  trigger: 'initial' | 'retry' | 'redeliver';
  at: number;
  /** HTTP status, or null when no response came. */
  status: number | null;
  error: string | null;
}

export interface ShoplineDelivery {
  webhookId: string;
  handle: string;
  topic: string;
  address: string;
  /** The exact bytes sent on every attempt (UTF-8). */
  body: string;
  headers: Record<string, string>;
  createdAt: number;
  state: 'pending' | 'delivered' | 'failed';
  attempts: ShoplineDeliveryAttempt[];
}

export interface ShoplineSendOptions {
  /** Sign with a wrong key so verification must fail. */
  badSignature?: boolean;
  /** Extra headers, or overrides of the SHOPLINE ones. */
  headers?: Record<string, string>;
}

export interface ShoplineAddress {
  first_name: string | null;
  last_name: string | null;
  name: string | null;
  address1: string | null;
  address2: string | null;
  city: string | null;
  province: string | null;
  province_code: string | null;
  zip: string | null;
  country: string | null;
  country_code: string | null;
  phone: string | null;
}

export interface ShoplineLineItem {
  id: string;
  product_id: string;
  variant_id: string;
  title: string;
  sku: string | null;
  quantity: number;
  price: string;
}

export interface ShoplineCustomer {
  id: string;
  email: string | null;
  phone: string | null;
  first_name: string | null;
  last_name: string | null;
}

/** The Shopify-like order body SHOPLINE sends (fields per store-apis.md §1a). */
export interface ShoplineOrder {
  id: string;
  name: string;
  order_number: number;
  email: string | null;
  phone: string | null;
  currency: string;
  total_price: string;
  subtotal_price: string;
  total_tax: string;
  total_discounts: string;
  total_shipping_price: string;
  financial_status: string;
  fulfillment_status: string | null;
  cancel_reason: string | null;
  cancelled_at: string | null;
  customer: ShoplineCustomer | null;
  billing_address: ShoplineAddress | null;
  shipping_address: ShoplineAddress | null;
  line_items: ShoplineLineItem[];
  shipping_lines: Array<{ title: string; price: string }>;
  created_at: string;
  updated_at: string;
}

export type ShoplineOrderOverrides = Partial<ShoplineOrder>;

export interface ShoplineCustomerInput {
  first_name?: string | null;
  last_name?: string | null;
  email?: string | null;
  phone?: string | null;
}

interface StoreState extends ShoplineStore {
  accessToken: string;
  appSecret: string;
  orders: ShoplineOrder[];
  customers: ShoplineCustomer[];
}

/** What a page_info cursor carries: the filters of the first request and where the next page starts. */
interface PageCursor {
  offset: number;
  customerId: string;
  status: string;
  min: number | null;
  max: number | null;
}


/** Base64 HMAC-SHA256 of the raw body with the app secret, as SHOPLINE's doc example shows. */
export function signShoplineBody(appSecret: string, body: string | Buffer): string {
  return createHmac('sha256', appSecret).update(body).digest('base64');
}

export class ShoplineSimulator extends Simulator {
  readonly name = 'shopline';
  private readonly retryDelaysMs: readonly number[];
  private readonly timeoutMs: number;
  private readonly apiVersion: string;
  private stores = new Map<string, StoreState>();
  private records = new Map<string, ShoplineDelivery>();
  private idSeq = 0;

  constructor(options: ShoplineSimulatorOptions = {}) {
    super();
    this.retryDelaysMs = options.retryDelaysMs ?? SHOPLINE_RETRY_DELAYS_MS;
    this.timeoutMs = options.timeoutMs ?? 5_000;
    this.apiVersion = options.apiVersion ?? SHOPLINE_API_VERSION;
    this.route('GET', '/:handle/admin/openapi/:version/orders.json', (req, p) => this.withStore(req, p['handle']!, (store) => this.listOrders(req, store)));
    this.route('GET', '/:handle/admin/openapi/:version/customers/v2/search.json', (req, p) =>
      this.withStore(req, p['handle']!, (store) => this.searchCustomers(req, store)),
    );
    this.route('GET', '/:handle/admin/openapi/:version/customers/:id/orders.json', (req, p) =>
      this.withStore(req, p['handle']!, (store) => this.customerOrders(req, store, p['id']!)),
    );
    this.route('POST', '/:handle/admin/openapi/:version/customers.json', (req, p) => this.withStore(req, p['handle']!, (store) => this.postCustomer(req, store)));
    this.registerControlRoutes();
  }

  addStore(input: ShoplineStoreInput): ShoplineStore {
    const handle = String(input.handle ?? '').trim().toLowerCase();
    if (!/^[a-z0-9-]+$/.test(handle)) throw new SimInputError(400, 'handle must be letters, digits and dashes');
    if (!input.accessToken || !input.appSecret) throw new SimInputError(400, 'accessToken and appSecret are required');
    const store: StoreState = {
      handle,
      shopId: String(1_600_000_000 + this.stores.size),
      merchantId: String(4_200_000_000 + this.stores.size),
      domain: `${handle}.myshopline.com`,
      currency: input.currency ?? 'USD',
      subscriptions: (input.subscriptions ?? []).map((s) => ({ topic: s.topic.toLowerCase(), address: s.address })),
      accessToken: input.accessToken,
      appSecret: input.appSecret,
      orders: [],
      customers: [],
    };
    this.stores.set(handle, store);
    return publicStore(store);
  }

  storeList(): ShoplineStore[] {
    return [...this.stores.values()].map(publicStore);
  }

  orders(handle: string): ShoplineOrder[] {
    return this.store(handle).orders;
  }

  customers(handle: string): ShoplineCustomer[] {
    return this.store(handle).customers;
  }

  /** Adds a customer; SHOPLINE refuses an e-mail another customer of the store already has (422). */
  addCustomer(handle: string, input: ShoplineCustomerInput): ShoplineCustomer {
    const store = this.store(handle);
    const email = optionalText(input.email, 'email')?.toLowerCase() ?? null;
    const phone = optionalText(input.phone, 'phone');
    if (email === null && phone === null) throw new SimInputError(422, 'email or phone is required');
    if (email !== null && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) throw new SimInputError(422, 'email is invalid');
    if (phone !== null && !/^\+?[\d\s().-]{6,20}$/.test(phone)) throw new SimInputError(422, 'phone is invalid');
    if (email !== null && store.customers.some((c) => c.email === email)) throw new SimInputError(422, 'email has already been taken');
    const customer: ShoplineCustomer = {
      id: this.nextId(),
      email,
      phone,
      first_name: optionalText(input.first_name, 'first_name'),
      last_name: optionalText(input.last_name, 'last_name'),
    };
    store.customers.push(customer);
    return customer;
  }

  /** Creates an order in the store and delivers orders/create to its subscribers. */
  async placeOrder(handle: string, overrides: ShoplineOrderOverrides = {}): Promise<{ order: ShoplineOrder; deliveries: ShoplineDelivery[] }> {
    const store = this.store(handle);
    const order = this.buildOrder(store, overrides);
    store.orders.push(order);
    const deliveries = await this.sendWebhook(handle, 'orders/create', order);
    return { order, deliveries };
  }

  /**
   * Delivers `payload` on `topic` to the store's subscriptions of that topic. A string or Buffer is sent
   * as-is, anything else as JSON. Resolves once every delivery has succeeded or used up its retries.
   */
  async sendWebhook(handle: string, topic: string, payload: unknown, options: ShoplineSendOptions = {}): Promise<ShoplineDelivery[]> {
    const store = this.store(handle);
    const normalizedTopic = topic.toLowerCase();
    const targets = store.subscriptions.filter((s) => s.topic === normalizedTopic);
    const body = Buffer.isBuffer(payload) ? payload.toString('utf8') : typeof payload === 'string' ? payload : JSON.stringify(payload);
    const secret = options.badSignature ? `${store.appSecret}:not-the-secret` : store.appSecret;
    const hmac = signShoplineBody(secret, body);
    const records = targets.map((target) => {
      // 24 hex characters, like the doc's example id b54557e48a5fbf7d70bcd043.
      const webhookId = randomBytes(12).toString('hex');
      const record: ShoplineDelivery = {
        webhookId,
        handle: store.handle,
        topic: normalizedTopic,
        address: target.address,
        body,
        headers: {
          'Content-Type': 'application/json',
          'X-Shopline-Topic': normalizedTopic,
          'X-Shopline-Hmac-Sha256': hmac,
          'X-Shopline-Shop-Domain': store.domain,
          'X-Shopline-Shop-Id': store.shopId,
          'X-Shopline-Merchant-Id': store.merchantId,
          'X-Shopline-API-Version': this.apiVersion,
          'X-Shopline-Webhook-Id': webhookId,
          ...(options.headers ?? {}),
        },
        createdAt: Date.now(),
        state: 'pending',
        attempts: [],
      };
      this.records.set(webhookId, record);
      return record;
    });
    await Promise.all(records.map((r) => this.run(r, 'initial')));
    return records;
  }

  /** Sends the delivery's exact bytes and headers again, with the same webhook id (as SHOPLINE's resend does). */
  async redeliver(webhookId: string): Promise<ShoplineDelivery> {
    const record = this.records.get(webhookId);
    if (!record) throw new SimInputError(404, `delivery ${webhookId} not found`);
    record.state = 'pending';
    await this.run(record, 'redeliver');
    return record;
  }

  deliveries(filter: { handle?: string; topic?: string } = {}): ShoplineDelivery[] {
    const handle = filter.handle?.toLowerCase();
    const topic = filter.topic?.toLowerCase();
    return [...this.records.values()].filter((d) => (!handle || d.handle === handle) && (!topic || d.topic === topic));
  }

  protected override resetState(): void {
    this.stores.clear();
    this.records.clear();
  }

  /** SHOPLINE's error body shape, so injected faults look like the real API. */
  protected override faultBody(status: number): unknown {
    return { errors: status === 429 ? 'Too many request' : `simulated ${status}` };
  }

  // ---------------------------------------------------------------------------------------------
  // Admin API

  /** Checks the store and its Bearer token, then runs the endpoint; bad input answers {"errors":…}. */
  private withStore(req: SimRequest, handle: string, handler: (store: StoreState) => SimResponse): SimResponse {
    const store = this.stores.get(handle.toLowerCase());
    if (!store) return { status: 404, body: { errors: 'Not Found' } };
    const auth = req.headers['authorization'] ?? '';
    if (!auth.startsWith('Bearer ')) return { status: 401, body: { errors: 'access token is missing' } };
    if (auth.slice('Bearer '.length).trim() !== store.accessToken) return { status: 401, body: { errors: 'Invalid access token or expired' } };
    try {
      return handler(store);
    } catch (err) {
      if (!(err instanceof SimInputError)) throw err;
      return { status: err.status, body: { errors: err.message } };
    }
  }

  private listOrders(req: SimRequest, store: StoreState): SimResponse {
    const status = req.query['fulfillment_status'] ?? 'unshipped';
    if (!['unshipped', 'partial', 'shipped'].includes(status)) return { status: 400, body: { errors: 'fulfillment_status is invalid' } };
    const limit = req.query['limit'] === undefined ? 50 : Number(req.query['limit']);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) return { status: 400, body: { errors: 'limit must be between 1 and 100' } };
    const orderStatus = req.query['status'];
    if (orderStatus !== undefined && !['open', 'closed', 'cancelled', 'any'].includes(orderStatus)) return { status: 400, body: { errors: 'status is invalid' } };
    const name = req.query['name']?.trim().replace(/^#/, '') || null;
    const matching = store.orders
      .filter((o) => (o.fulfillment_status ?? 'unshipped') === status)
      .filter((o) => name === null || o.name.replace(/^#/, '') === name)
      .filter((o) => matchesStatus(o, orderStatus ?? 'open'));
    return { status: 200, body: { orders: matching.slice(0, limit) } };
  }

  /** GET customers/{id}/orders.json: the customer's orders (by customer id, or e-mail/phone), newest first. */
  private customerOrders(req: SimRequest, store: StoreState, customerId: string): SimResponse {
    const limit = intParam(req.query['limit'], 'limit', 50, 100);
    const cursor = req.query['page_info'] ? decodeCursor(req.query['page_info']) : this.firstCursor(req, customerId);
    const customer = store.customers.find((c) => c.id === cursor.customerId) ?? null;
    const matching = store.orders
      .filter((o) => belongsTo(o, cursor.customerId, customer))
      .filter((o) => matchesStatus(o, cursor.status))
      .filter((o) => (cursor.min === null || Date.parse(o.created_at) >= cursor.min) && (cursor.max === null || Date.parse(o.created_at) <= cursor.max))
      .sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at) || b.id.localeCompare(a.id));
    const page = matching.slice(cursor.offset, cursor.offset + limit);
    const headers: Record<string, string> = {};
    if (cursor.offset + limit < matching.length) {
      const next = encodeCursor({ ...cursor, offset: cursor.offset + limit });
      headers['link'] = `<http://${req.headers['host'] ?? 'localhost'}${req.path}?limit=${limit}&page_info=${next}>; rel="next"`;
    }
    return { status: 200, body: { orders: page }, headers };
  }

  private firstCursor(req: SimRequest, customerId: string): PageCursor {
    const status = req.query['status'];
    if (status === undefined) throw new SimInputError(400, 'status is required');
    if (!['open', 'cancelled', 'any'].includes(status)) throw new SimInputError(400, 'status must be one of open, cancelled, any');
    return { offset: 0, customerId, status, min: isoParam(req.query['created_at_min'], 'created_at_min'), max: isoParam(req.query['created_at_max'], 'created_at_max') };
  }

  private searchCustomers(req: SimRequest, store: StoreState): SimResponse {
    const limit = intParam(req.query['limit'], 'limit', 50, 250);
    const term = req.query['query_param']?.trim().toLowerCase() ?? '';
    const termDigits = phoneDigits(term);
    const matching = store.customers.filter((c) => {
      if (term === '') return true;
      const name = `${c.first_name ?? ''} ${c.last_name ?? ''}`.toLowerCase();
      if ((c.email ?? '').includes(term) || name.includes(term)) return true;
      return termDigits.length >= 6 && c.phone !== null && phoneDigits(c.phone).includes(termDigits);
    });
    return { status: 200, body: { customers: matching.slice(0, limit) } };
  }

  private postCustomer(req: SimRequest, store: StoreState): SimResponse {
    const body = req.json;
    const customer = body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>)['customer'] : undefined;
    if (customer === null || typeof customer !== 'object' || Array.isArray(customer)) throw new SimInputError(400, 'customer is required');
    return { status: 201, body: { customer: this.addCustomer(store.handle, customer as ShoplineCustomerInput) } };
  }

  // ---------------------------------------------------------------------------------------------
  // Delivery

  private async run(record: ShoplineDelivery, trigger: 'initial' | 'redeliver'): Promise<void> {
    for (let retry = 0; ; retry++) {
      const at = Date.now();
      let status: number | null = null;
      let error: string | null = null;
      try {
        const res = await deliverWebhook(record.address, record.body, record.headers, this.timeoutMs);
        status = res.status;
        if (status < 200 || status > 299) error = `HTTP ${status}`;
      } catch (err) {
        error = err instanceof Error ? err.message || err.name : String(err);
      }
      record.attempts.push({ attempt: record.attempts.length + 1, trigger: retry === 0 ? trigger : 'retry', at, status, error });
      if (error === null) {
        record.state = 'delivered';
        return;
      }
      const delay = this.retryDelaysMs[retry];
      if (delay === undefined) {
        record.state = 'failed';
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Orders

  private buildOrder(store: StoreState, overrides: ShoplineOrderOverrides): ShoplineOrder {
    const n = store.orders.length;
    const person = samplePeople[n % samplePeople.length]!;
    const product = sampleProducts[n % sampleProducts.length]!;
    const now = new Date().toISOString();
    const addr: ShoplineAddress = {
      first_name: person.first,
      last_name: person.last,
      name: `${person.first} ${person.last}`,
      address1: person.address1,
      address2: null,
      city: person.city,
      province: person.province,
      province_code: person.provinceCode,
      zip: person.zip,
      country: person.country,
      country_code: person.countryCode,
      phone: person.phone,
    };
    const quantity = 1 + (n % 2);
    const subtotal = (Number(product.price) * quantity).toFixed(2);
    const shipping = '5.00';
    const order: ShoplineOrder = {
      // SHOPLINE ids are long digit strings; kept as strings so no precision is lost anywhere.
      id: this.nextId(),
      name: `#${1001 + n}`,
      order_number: 1001 + n,
      email: person.email,
      phone: person.phone,
      currency: store.currency,
      total_price: (Number(subtotal) + Number(shipping)).toFixed(2),
      subtotal_price: subtotal,
      total_tax: '0.00',
      total_discounts: '0.00',
      total_shipping_price: shipping,
      financial_status: 'pending',
      fulfillment_status: null,
      cancel_reason: null,
      cancelled_at: null,
      customer: { id: this.nextId(), email: person.email, phone: person.phone, first_name: person.first, last_name: person.last },
      billing_address: addr,
      shipping_address: { ...addr },
      line_items: [
        { id: this.nextId(), product_id: this.nextId(), variant_id: this.nextId(), title: product.title, sku: product.sku, quantity, price: product.price },
      ],
      shipping_lines: [{ title: 'Standard', price: shipping }],
      created_at: now,
      updated_at: now,
    };
    return { ...order, ...overrides };
  }

  private nextId(): string {
    this.idSeq++;
    return `2107${String(Date.now()).slice(-9)}${String(this.idSeq).padStart(7, '0')}`;
  }

  private store(handle: string): StoreState {
    const store = this.stores.get(String(handle ?? '').toLowerCase());
    if (!store) throw new SimInputError(404, `store ${handle} not found`);
    return store;
  }

  // ---------------------------------------------------------------------------------------------
  // Control API

  private registerControlRoutes(): void {
    this.control('POST', '/_sim/stores', (req) => {
      const b = jsonBody(req);
      const subscriptions = Array.isArray(b['subscriptions']) ? b['subscriptions'] : [];
      const store = this.addStore({
        handle: requireString(b, 'handle'),
        accessToken: requireString(b, 'accessToken'),
        appSecret: requireString(b, 'appSecret'),
        currency: typeof b['currency'] === 'string' ? b['currency'] : undefined,
        subscriptions: subscriptions.map((s: unknown) => {
          const sub = s !== null && typeof s === 'object' ? (s as Record<string, unknown>) : {};
          return { topic: requireString(sub, 'topic'), address: requireString(sub, 'address') };
        }),
      });
      return { status: 201, body: store };
    });
    this.control('GET', '/_sim/stores', () => ({ status: 200, body: this.storeList() }));
    this.control('POST', '/_sim/orders', async (req) => {
      const b = jsonBody(req);
      const order = b['order'];
      const overrides = order !== null && typeof order === 'object' && !Array.isArray(order) ? (order as ShoplineOrderOverrides) : {};
      return { status: 201, body: await this.placeOrder(requireString(b, 'handle'), overrides) };
    });
    this.control('POST', '/_sim/customers', (req) => {
      const b = jsonBody(req);
      const customer = b['customer'];
      if (customer === null || typeof customer !== 'object' || Array.isArray(customer)) throw new SimInputError(400, 'customer (an object with first_name, email, phone) is required');
      return { status: 201, body: this.addCustomer(requireString(b, 'handle'), customer as ShoplineCustomerInput) };
    });
    this.control('GET', '/_sim/customers', (req) => ({ status: 200, body: this.customers(req.query['handle'] ?? '') }));
    this.control('POST', '/_sim/webhooks', async (req) => {
      const b = jsonBody(req);
      if (!('payload' in b)) throw new SimInputError(400, 'payload is required');
      const deliveries = await this.sendWebhook(requireString(b, 'handle'), requireString(b, 'topic'), b['payload'], {
        badSignature: b['badSignature'] === true,
      });
      return { status: 201, body: deliveries };
    });
    this.control('GET', '/_sim/deliveries', (req) => ({
      status: 200,
      body: this.deliveries({ handle: req.query['handle'], topic: req.query['topic'] }),
    }));
    this.control('POST', '/_sim/deliveries/:id/redeliver', async (_req, p) => ({ status: 200, body: await this.redeliver(p['id']!) }));
  }
}

function matchesStatus(o: ShoplineOrder, status: string): boolean {
  if (status === 'any') return true;
  if (status === 'cancelled') return o.cancelled_at !== null;
  // "closed" orders are not modelled; open means not cancelled.
  return status === 'open' ? o.cancelled_at === null : false;
}

function belongsTo(o: ShoplineOrder, customerId: string, customer: ShoplineCustomer | null): boolean {
  if (o.customer?.id === customerId) return true;
  if (!customer) return false;
  const email = o.email ?? o.customer?.email ?? null;
  const phone = o.phone ?? o.customer?.phone ?? null;
  return (customer.email !== null && email?.toLowerCase() === customer.email) || (customer.phone !== null && phone !== null && phoneDigits(phone) === phoneDigits(customer.phone));
}

/** Digits of a phone without the Taiwan country code or trunk 0, so "+886 912…" and "0912-…" compare equal. */
function phoneDigits(phone: string): string {
  return phone.replace(/\D/g, '').replace(/^886/, '').replace(/^0+/, '');
}

function intParam(v: string | undefined, field: string, fallback: number, max: number): number {
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new SimInputError(400, `${field} must be between 1 and ${max}`);
  return n;
}

function isoParam(v: string | undefined, field: string): number | null {
  if (v === undefined || v === '') return null;
  const ms = Date.parse(v);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(v) || !Number.isFinite(ms)) throw new SimInputError(400, `${field} must be an ISO 8601 time, e.g. 2021-08-04T23:59:59+08:00`);
  return ms;
}

function encodeCursor(c: PageCursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

function decodeCursor(raw: string): PageCursor {
  try {
    const c = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Partial<PageCursor>;
    if (typeof c.offset === 'number' && typeof c.customerId === 'string' && typeof c.status === 'string') {
      return { offset: c.offset, customerId: c.customerId, status: c.status, min: c.min ?? null, max: c.max ?? null };
    }
  } catch {
    // falls through to the refusal
  }
  throw new SimInputError(400, 'page_info is invalid');
}

function optionalText(v: unknown, field: string): string | null {
  if (v === undefined || v === null || v === '') return null;
  if (typeof v !== 'string') throw new SimInputError(422, `${field} must be a string`);
  return v.trim() || null;
}

function publicStore(s: StoreState): ShoplineStore {
  return { handle: s.handle, shopId: s.shopId, merchantId: s.merchantId, domain: s.domain, currency: s.currency, subscriptions: s.subscriptions };
}



// Sample buyers in several phone formats, since stores pass phones through as the buyer typed them.
const samplePeople = [
  { first: 'Mei-Ling', last: 'Wang', email: 'meiling.wang@example.com', phone: '0912-345-678', address1: 'No. 7, Sec. 5, Xinyi Rd', city: 'Taipei', province: 'Taipei City', provinceCode: 'TPE', zip: '110', country: 'Taiwan', countryCode: 'TW' },
  { first: 'Avery', last: 'Chen', email: 'avery.chen@example.com', phone: '+1 555-010-1234', address1: '1200 SW Main St', city: 'Portland', province: 'Oregon', provinceCode: 'OR', zip: '97205', country: 'United States', countryCode: 'US' },
  { first: 'Siti', last: 'Rahman', email: 'siti.rahman@example.my', phone: '+60 12-345 6789', address1: '10 Jalan Ampang', city: 'Kuala Lumpur', province: 'Wilayah Persekutuan', provinceCode: 'KUL', zip: '50450', country: 'Malaysia', countryCode: 'MY' },
] as const;

const sampleProducts = [
  { title: 'Classic Cotton Tee', sku: 'TEE-BLK-M', price: '25.00' },
  { title: 'Ceramic Pour-Over Set', sku: 'POUR-SET-01', price: '48.00' },
  { title: 'Merino Wool Socks', sku: 'SOCK-GRY-L', price: '14.50' },
] as const;
