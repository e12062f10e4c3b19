// Shopify simulator: plays Shopify's webhook sender for tests, the sandbox and benchmarks. It keeps shops
// (secret + subscriptions) and their orders, and POSTs signed REST-resource JSON to subscribed addresses
// with Shopify's headers, 5 s timeout and 8 exponential retries (scaled by `retryScale`).
// Control API (besides the base /_sim routes):
//   POST /_sim/shops                          {domain, webhookSecret, subscriptions:[{topic,address,name?}], currency?, utcOffsetMinutes?}
//   GET  /_sim/shops
//   POST /_sim/orders                         {shop, order?}  → places an order, delivers orders/create
//   GET  /_sim/orders?shop=
//   POST /_sim/orders/:id/pay                 {shop}                           → orders/paid
//   POST /_sim/orders/:id/fulfill             {shop, shipmentStatus?, topic?, trackingNumber?, trackingCompany?, trackingUrl?, newFulfillment?}
//   POST /_sim/orders/:id/cancel              {shop, reason?}                  → orders/cancelled
//   POST /_sim/orders/:id/refund              {shop, amount?, note?}           → refunds/create
//   POST /_sim/webhooks                       {shop, topic, payload, badSignature?, signWith?, address?}
//   GET  /_sim/deliveries?shop=&topic=&limit=
//   GET  /_sim/deliveries/:id
//   POST /_sim/deliveries/:id/redeliver       same bytes, same X-Shopify-Webhook-Id
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { Agent, request } from 'undici';
import { SimInputError, Simulator, jsonBody, requireString } from '../../../sandbox/simulator.js';

export const SHOPIFY_API_VERSION = '2025-07';

/** Delays before retries 1..8: doubling from 56.25 s to 2 h, about 4 h in total (Shopify: 8 retries over 4 h). */
export const SHOPIFY_RETRY_DELAYS_MS: readonly number[] = Array.from({ length: 8 }, (_, k) => 56_250 * 2 ** k);

export interface ShopifySimulatorOptions {
  /** Multiplies the retry schedule: 1 = real time (about 4 h), 0.001 = about 14 s. */
  retryScale?: number;
  /** Per-attempt deadline for a 2xx; Shopify allows 5 s. Not scaled. */
  timeoutMs?: number;
  apiVersion?: string;
  /** Delivery records kept for inspection (oldest dropped first). */
  maxDeliveriesKept?: number;
}

export interface ShopifySubscription {
  topic: string;
  address: string;
  /** Sent as X-Shopify-Name when set. */
  name?: string;
}

export interface ShopifyShopInput {
  domain: string;
  webhookSecret: string;
  subscriptions?: ShopifySubscription[];
  currency?: string;
  /** The shop's timezone offset, used for timestamps in payloads (Shopify sends local time with offset). */
  utcOffsetMinutes?: number;
}

export interface ShopifyShop {
  domain: string;
  shopId: number;
  subscriptions: ShopifySubscription[];
  currency: string;
  utcOffsetMinutes: number;
}

export interface ShopifyDeliveryAttempt {
  attempt: number;
  trigger: 'initial' | 'retry' | 'redeliver';
  at: number;
  durationMs: number;
  /** HTTP status, or null when no response came (timeout, connection refused). */
  status: number | null;
  error: string | null;
}

export type ShopifyDeliveryState = 'pending' | 'delivered' | 'failed' | 'cancelled';

export interface ShopifyDelivery {
  webhookId: string;
  eventId: string;
  shop: string;
  topic: string;
  address: string;
  /** The exact bytes sent on every attempt (UTF-8). */
  body: string;
  headers: Record<string, string>;
  createdAt: number;
  state: ShopifyDeliveryState;
  attempts: ShopifyDeliveryAttempt[];
  nextAttemptAt: number | null;
}

export interface SendWebhookOptions {
  /** Sign with a wrong key so verification must fail. */
  badSignature?: boolean;
  /** Sign with this secret instead of the shop's. */
  signWith?: string;
  /** Deliver to this address only instead of the topic's subscriptions. */
  address?: string;
  /** Extra headers, or overrides of the Shopify ones. */
  headers?: Record<string, string>;
}

export interface SignedDelivery {
  body: string;
  headers: Record<string, string>;
}

// ---------------------------------------------------------------------------------------------
// REST resource shapes the simulator produces (the subset of fields Shopify sends that matter here).

export interface ShopifyMoneySet {
  shop_money: { amount: string; currency_code: string };
  presentment_money: { amount: string; currency_code: string };
}

export interface ShopifyAddress {
  first_name: string | null;
  last_name: string | null;
  name: string | null;
  company: string | null;
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

export interface ShopifyCustomer {
  id: number;
  admin_graphql_api_id: string;
  email: string | null;
  phone: string | null;
  first_name: string | null;
  last_name: string | null;
  state: string;
  verified_email: boolean;
  tags: string;
  currency: string;
  created_at: string;
  updated_at: string;
  default_address: (ShopifyAddress & { id: number; customer_id: number; default: boolean }) | null;
}

export interface ShopifyLineItem {
  id: number;
  admin_graphql_api_id: string;
  product_id: number;
  variant_id: number;
  title: string;
  variant_title: string | null;
  name: string;
  sku: string | null;
  vendor: string;
  quantity: number;
  current_quantity: number;
  fulfillable_quantity: number;
  fulfillment_status: string | null;
  price: string;
  price_set: ShopifyMoneySet;
  total_discount: string;
  grams: number;
  requires_shipping: boolean;
  taxable: boolean;
  gift_card: boolean;
}

export interface ShopifyFulfillment {
  id: number;
  admin_graphql_api_id: string;
  order_id: number;
  name: string;
  status: string;
  shipment_status: string | null;
  service: string;
  tracking_company: string | null;
  tracking_number: string | null;
  tracking_numbers: string[];
  tracking_url: string | null;
  tracking_urls: string[];
  email: string | null;
  destination: ShopifyAddress | null;
  line_items: ShopifyLineItem[];
  created_at: string;
  updated_at: string;
}

export interface ShopifyTransaction {
  id: number;
  admin_graphql_api_id: string;
  order_id: number;
  kind: string;
  status: string;
  amount: string;
  currency: string;
  gateway: string;
  parent_id: number | null;
  created_at: string;
  processed_at: string;
}

export interface ShopifyRefund {
  id: number;
  admin_graphql_api_id: string;
  order_id: number;
  note: string | null;
  restock: boolean;
  user_id: number | null;
  created_at: string;
  processed_at: string;
  refund_line_items: Array<{
    id: number;
    line_item_id: number;
    quantity: number;
    restock_type: string;
    subtotal: string;
    subtotal_set: ShopifyMoneySet;
    line_item: ShopifyLineItem;
  }>;
  transactions: ShopifyTransaction[];
  order_adjustments: unknown[];
}

export interface ShopifyOrder {
  id: number;
  admin_graphql_api_id: string;
  name: string;
  order_number: number;
  number: number;
  token: string;
  checkout_token: string;
  confirmation_number: string;
  confirmed: boolean;
  test: boolean;
  email: string | null;
  contact_email: string | null;
  phone: string | null;
  buyer_accepts_marketing: boolean;
  customer_locale: string;
  created_at: string;
  updated_at: string;
  processed_at: string;
  cancelled_at: string | null;
  cancel_reason: string | null;
  closed_at: string | null;
  currency: string;
  presentment_currency: string;
  subtotal_price: string;
  total_line_items_price: string;
  total_discounts: string;
  total_tax: string;
  total_price: string;
  total_outstanding: string;
  total_weight: number;
  taxes_included: boolean;
  subtotal_price_set: ShopifyMoneySet;
  total_price_set: ShopifyMoneySet;
  total_tax_set: ShopifyMoneySet;
  total_discounts_set: ShopifyMoneySet;
  total_shipping_price_set: ShopifyMoneySet;
  financial_status: string;
  fulfillment_status: string | null;
  gateway: string;
  payment_gateway_names: string[];
  source_name: string;
  tags: string;
  note: string | null;
  note_attributes: Array<{ name: string; value: string }>;
  discount_codes: unknown[];
  order_status_url: string;
  customer: ShopifyCustomer | null;
  billing_address: ShopifyAddress | null;
  shipping_address: ShopifyAddress | null;
  line_items: ShopifyLineItem[];
  shipping_lines: Array<{ id: number; title: string; code: string; price: string; source: string }>;
  fulfillments: ShopifyFulfillment[];
  refunds: ShopifyRefund[];
}

/** placeOrder overrides: top-level fields replace the generated ones; customer and addresses merge. */
export type ShopifyOrderOverrides = Partial<Omit<ShopifyOrder, 'customer' | 'shipping_address' | 'billing_address' | 'line_items'>> & {
  customer?: Partial<ShopifyCustomer> | null;
  shipping_address?: Partial<ShopifyAddress> | null;
  billing_address?: Partial<ShopifyAddress> | null;
  /** Line items; missing fields are generated and the totals recomputed unless total_price is given. */
  line_items?: Array<Partial<ShopifyLineItem>>;
} & Record<string, unknown>;

export interface FulfillOptions {
  topic?: 'fulfillments/update' | 'fulfillments/create';
  trackingNumber?: string;
  trackingCompany?: string;
  trackingUrl?: string;
  /** Create another fulfillment even when the order has one (split shipments). */
  newFulfillment?: boolean;
}

/** Shopify's webhook signature: base64 HMAC-SHA256 of the exact body bytes. */
export function signShopifyBody(secret: string, body: string | Buffer): string {
  return createHmac('sha256', secret).update(body).digest('base64');
}


interface ShopState extends ShopifyShop {
  webhookSecret: string;
  orderCount: number;
  orders: Map<string, ShopifyOrder>;
}

interface DeliveryRun {
  bytes: Buffer;
  retriesUsed: number;
  timer: NodeJS.Timeout | null;
}

const DEFAULT_TIMEOUT_MS = 5_000;
const DEFAULT_KEPT = 10_000;

export class ShopifySimulator extends Simulator {
  readonly name = 'shopify';
  private readonly retryScale: number;
  private readonly timeoutMs: number;
  private readonly apiVersion: string;
  private readonly maxKept: number;
  private shops = new Map<string, ShopState>();
  private records = new Map<string, ShopifyDelivery>();
  private runs = new Map<string, DeliveryRun>();
  private agent = newAgent();
  // Attempts in flight, so stop() can abort them.
  private inFlight = new Set<AbortController>();
  // Bumped by stop(): attempts that were in flight then must not schedule retries.
  private generation = 0;
  private idSeq = 5_900_000_000_000 + Math.floor(Math.random() * 90_000_000_000);

  constructor(options: ShopifySimulatorOptions = {}) {
    super();
    this.retryScale = options.retryScale ?? 1;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.apiVersion = options.apiVersion ?? SHOPIFY_API_VERSION;
    this.maxKept = options.maxDeliveriesKept ?? DEFAULT_KEPT;
    if (!(this.retryScale >= 0)) throw new Error('retryScale must be a number >= 0');
    this.registerControlRoutes();
  }

  // ---------------------------------------------------------------------------------------------
  // Shops and orders

  addShop(input: ShopifyShopInput): ShopifyShop {
    const domain = normalizeDomain(input.domain);
    if (!domain) throw new SimInputError(400, 'domain is required');
    if (!input.webhookSecret) throw new SimInputError(400, 'webhookSecret is required');
    const subscriptions = (input.subscriptions ?? []).map((s) => {
      if (!s || typeof s.topic !== 'string' || typeof s.address !== 'string') {
        throw new SimInputError(400, 'each subscription needs a topic and an address');
      }
      if (!/^https?:\/\//.test(s.address)) throw new SimInputError(400, `subscription address must be an http(s) URL: ${s.address}`);
      return { topic: s.topic.toLowerCase(), address: s.address, ...(s.name ? { name: s.name } : {}) };
    });
    const existing = this.shops.get(domain);
    // Re-adding a shop updates its secret and subscriptions but keeps its orders and numbering.
    const shop: ShopState = {
      domain,
      shopId: existing?.shopId ?? 10_000_000 + Math.floor(Math.random() * 89_999_999),
      subscriptions,
      currency: input.currency ?? existing?.currency ?? 'USD',
      utcOffsetMinutes: input.utcOffsetMinutes ?? existing?.utcOffsetMinutes ?? -240,
      webhookSecret: input.webhookSecret,
      orderCount: existing?.orderCount ?? 0,
      orders: existing?.orders ?? new Map(),
    };
    this.shops.set(domain, shop);
    return publicShop(shop);
  }

  shopList(): ShopifyShop[] {
    return [...this.shops.values()].map(publicShop);
  }

  orders(domain: string): ShopifyOrder[] {
    return [...this.shop(domain).orders.values()];
  }

  order(domain: string, orderId: string | number): ShopifyOrder {
    const order = this.shop(domain).orders.get(String(orderId));
    if (!order) throw new SimInputError(404, `order ${orderId} not found in ${domain}`);
    return order;
  }

  /** Creates a realistic REST Order, stores it and delivers orders/create; resolves after the first attempts. */
  async placeOrder(domain: string, overrides: ShopifyOrderOverrides = {}): Promise<{ order: ShopifyOrder; deliveries: ShopifyDelivery[] }> {
    const shop = this.shop(domain);
    const order = this.buildOrder(shop, overrides);
    shop.orders.set(String(order.id), order);
    const deliveries = await this.sendWebhook(shop.domain, 'orders/create', order);
    return { order, deliveries };
  }

  async payOrder(domain: string, orderId: string | number): Promise<{ order: ShopifyOrder; deliveries: ShopifyDelivery[] }> {
    const shop = this.shop(domain);
    const order = this.order(domain, orderId);
    order.financial_status = 'paid';
    order.total_outstanding = '0.00';
    order.updated_at = this.now(shop);
    return { order, deliveries: await this.sendWebhook(shop.domain, 'orders/paid', order) };
  }

  async cancelOrder(domain: string, orderId: string | number, reason = 'customer'): Promise<{ order: ShopifyOrder; deliveries: ShopifyDelivery[] }> {
    const shop = this.shop(domain);
    const order = this.order(domain, orderId);
    const now = this.now(shop);
    order.cancelled_at = now;
    order.cancel_reason = reason;
    order.closed_at = now;
    order.updated_at = now;
    return { order, deliveries: await this.sendWebhook(shop.domain, 'orders/cancelled', order) };
  }

  /** Ships the order (or moves its latest fulfillment to a new shipment status) and delivers fulfillments/update. */
  async fulfillOrder(
    domain: string,
    orderId: string | number,
    shipmentStatus: string | null = 'in_transit',
    options: FulfillOptions = {},
  ): Promise<{ order: ShopifyOrder; fulfillment: ShopifyFulfillment; deliveries: ShopifyDelivery[] }> {
    const shop = this.shop(domain);
    const order = this.order(domain, orderId);
    const now = this.now(shop);
    let fulfillment = options.newFulfillment ? undefined : order.fulfillments[order.fulfillments.length - 1];
    if (!fulfillment) {
      const trackingNumber = options.trackingNumber ?? '1Z' + randomBytes(8).toString('hex').toUpperCase();
      const trackingUrl = options.trackingUrl ?? `https://www.ups.com/WebTracking?loc=en_US&requester=ST&trackNums=${trackingNumber}`;
      const id = this.nextId();
      fulfillment = {
        id,
        admin_graphql_api_id: `gid://shopify/Fulfillment/${id}`,
        order_id: order.id,
        name: `${order.name}.${order.fulfillments.length + 1}`,
        status: 'success',
        shipment_status: shipmentStatus,
        service: 'manual',
        tracking_company: options.trackingCompany ?? 'UPS',
        tracking_number: trackingNumber,
        tracking_numbers: [trackingNumber],
        tracking_url: trackingUrl,
        tracking_urls: [trackingUrl],
        email: order.email,
        destination: order.shipping_address,
        line_items: order.line_items.map((li) => ({ ...li, fulfillment_status: 'fulfilled', fulfillable_quantity: 0 })),
        created_at: now,
        updated_at: now,
      };
      order.fulfillments.push(fulfillment);
      order.fulfillment_status = 'fulfilled';
      for (const li of order.line_items) {
        li.fulfillment_status = 'fulfilled';
        li.fulfillable_quantity = 0;
      }
    } else {
      fulfillment.shipment_status = shipmentStatus;
      fulfillment.updated_at = now;
      if (options.trackingNumber) {
        fulfillment.tracking_number = options.trackingNumber;
        fulfillment.tracking_numbers = [options.trackingNumber];
      }
      if (options.trackingCompany) fulfillment.tracking_company = options.trackingCompany;
      if (options.trackingUrl) {
        fulfillment.tracking_url = options.trackingUrl;
        fulfillment.tracking_urls = [options.trackingUrl];
      }
    }
    order.updated_at = now;
    const deliveries = await this.sendWebhook(shop.domain, options.topic ?? 'fulfillments/update', fulfillment);
    return { order, fulfillment, deliveries };
  }

  /** Refunds `amount` (default: the whole order) and delivers refunds/create. */
  async refundOrder(
    domain: string,
    orderId: string | number,
    options: { amount?: string; note?: string } = {},
  ): Promise<{ order: ShopifyOrder; refund: ShopifyRefund; deliveries: ShopifyDelivery[] }> {
    const shop = this.shop(domain);
    const order = this.order(domain, orderId);
    const now = this.now(shop);
    const full = options.amount === undefined || toCents(options.amount) >= toCents(order.total_price);
    const amount = options.amount ?? order.total_price;
    const refundId = this.nextId();
    const transactionId = this.nextId();
    const refund: ShopifyRefund = {
      id: refundId,
      admin_graphql_api_id: `gid://shopify/Refund/${refundId}`,
      order_id: order.id,
      note: options.note ?? null,
      restock: false,
      user_id: null,
      created_at: now,
      processed_at: now,
      refund_line_items: full
        ? order.line_items.map((li) => {
            const subtotal = fromCents(toCents(li.price) * li.quantity);
            return {
              id: this.nextId(),
              line_item_id: li.id,
              quantity: li.quantity,
              restock_type: 'no_restock',
              subtotal,
              subtotal_set: moneySet(subtotal, order.currency),
              line_item: li,
            };
          })
        : [],
      transactions: [
        {
          id: transactionId,
          admin_graphql_api_id: `gid://shopify/OrderTransaction/${transactionId}`,
          order_id: order.id,
          kind: 'refund',
          status: 'success',
          amount,
          currency: order.currency,
          gateway: order.gateway,
          parent_id: null,
          created_at: now,
          processed_at: now,
        },
      ],
      order_adjustments: [],
    };
    order.refunds.push(refund);
    order.financial_status = full ? 'refunded' : 'partially_refunded';
    order.updated_at = now;
    const deliveries = await this.sendWebhook(shop.domain, 'refunds/create', refund);
    return { order, refund, deliveries };
  }

  // ---------------------------------------------------------------------------------------------
  // Deliveries

  /**
   * Delivers `payload` on `topic` to the shop's subscriptions of that topic (or to options.address).
   * A string or Buffer payload is sent as-is; anything else as JSON. Resolves after the first attempts.
   */
  async sendWebhook(domain: string, topic: string, payload: unknown, options: SendWebhookOptions = {}): Promise<ShopifyDelivery[]> {
    const shop = this.shop(domain);
    const normalizedTopic = topic.toLowerCase();
    const targets: ShopifySubscription[] = options.address
      ? [{ topic: normalizedTopic, address: options.address }]
      : shop.subscriptions.filter((s) => s.topic === normalizedTopic);
    if (targets.length === 0) return [];
    const bytes = toBytes(payload);
    const body = bytes.toString('utf8');
    const secret = options.badSignature ? `${options.signWith ?? shop.webhookSecret}:not-the-secret` : (options.signWith ?? shop.webhookSecret);
    const hmac = signShopifyBody(secret, bytes);
    // One event, one delivery (and webhook id) per subscription, as Shopify does.
    const eventId = randomUUID();
    const triggeredAt = new Date().toISOString();
    const deliveries = targets.map((target) => {
      const webhookId = randomUUID();
      const headers: Record<string, string> = {
        'Content-Type': 'application/json',
        'User-Agent': 'Shopify-Captain-Hook',
        'X-Shopify-Topic': normalizedTopic,
        'X-Shopify-Hmac-Sha256': hmac,
        'X-Shopify-Shop-Domain': shop.domain,
        'X-Shopify-API-Version': this.apiVersion,
        'X-Shopify-Webhook-Id': webhookId,
        'X-Shopify-Event-Id': eventId,
        'X-Shopify-Triggered-At': triggeredAt,
        ...(target.name ? { 'X-Shopify-Name': target.name } : {}),
        ...(options.headers ?? {}),
      };
      const record: ShopifyDelivery = {
        webhookId,
        eventId,
        shop: shop.domain,
        topic: normalizedTopic,
        address: target.address,
        body,
        headers,
        createdAt: Date.now(),
        state: 'pending',
        attempts: [],
        nextAttemptAt: null,
      };
      const run: DeliveryRun = { bytes, retriesUsed: 0, timer: null };
      this.keep(record, run);
      return { record, run };
    });
    await Promise.all(deliveries.map((d) => this.attempt(d.record, d.run, 'initial')));
    return deliveries.map((d) => d.record);
  }

  /** Body and headers of a signed delivery without sending it, for load generators. */
  signedDelivery(domain: string, topic: string, payload: unknown, options: Pick<SendWebhookOptions, 'badSignature' | 'signWith'> = {}): SignedDelivery {
    const shop = this.shop(domain);
    const body = typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : JSON.stringify(payload);
    const secret = options.badSignature ? `${options.signWith ?? shop.webhookSecret}:not-the-secret` : (options.signWith ?? shop.webhookSecret);
    const eventId = randomUUID();
    return {
      body,
      headers: {
        'content-type': 'application/json',
        'x-shopify-topic': topic.toLowerCase(),
        'x-shopify-hmac-sha256': signShopifyBody(secret, body),
        'x-shopify-shop-domain': shop.domain,
        'x-shopify-api-version': this.apiVersion,
        'x-shopify-webhook-id': randomUUID(),
        'x-shopify-event-id': eventId,
        'x-shopify-triggered-at': new Date().toISOString(),
      },
    };
  }

  /** Sends the delivery's exact bytes and headers again, with the same webhook id (retries follow on failure). */
  async redeliver(webhookId: string): Promise<ShopifyDelivery> {
    const record = this.records.get(webhookId);
    const run = this.runs.get(webhookId);
    if (!record || !run) throw new SimInputError(404, `delivery ${webhookId} not found`);
    if (run.timer) clearTimeout(run.timer);
    run.timer = null;
    run.retriesUsed = 0;
    record.state = 'pending';
    record.nextAttemptAt = null;
    await this.attempt(record, run, 'redeliver');
    return record;
  }

  deliveries(filter: { shop?: string; topic?: string } = {}): ShopifyDelivery[] {
    const shop = filter.shop ? normalizeDomain(filter.shop) : null;
    const topic = filter.topic?.toLowerCase();
    return [...this.records.values()].filter((d) => (!shop || d.shop === shop) && (!topic || d.topic === topic));
  }

  delivery(webhookId: string): ShopifyDelivery | null {
    return this.records.get(webhookId) ?? null;
  }

  /** Cancels pending retries and aborts attempts in flight. The simulator stays usable. */
  stop(): void {
    this.generation++;
    for (const controller of this.inFlight) controller.abort();
    this.inFlight.clear();
    for (const [webhookId, run] of this.runs) {
      if (!run.timer) continue;
      clearTimeout(run.timer);
      run.timer = null;
      const record = this.records.get(webhookId);
      if (record && record.state === 'pending') {
        record.state = 'cancelled';
        record.nextAttemptAt = null;
      }
    }
  }

  override async close(): Promise<void> {
    this.stop();
    const agent = this.agent;
    this.agent = newAgent();
    await Promise.all([super.close(), agent.close().catch(() => undefined)]);
  }

  protected override resetState(): void {
    this.stop();
    this.shops.clear();
    this.records.clear();
    this.runs.clear();
  }

  private keep(record: ShopifyDelivery, run: DeliveryRun): void {
    this.records.set(record.webhookId, record);
    this.runs.set(record.webhookId, run);
    // Maps iterate in insertion order, so the first keys are the oldest records.
    while (this.records.size > this.maxKept) {
      const oldest = this.records.keys().next().value;
      if (oldest === undefined) break;
      const oldRun = this.runs.get(oldest);
      if (oldRun?.timer) clearTimeout(oldRun.timer);
      this.records.delete(oldest);
      this.runs.delete(oldest);
    }
  }

  private async attempt(record: ShopifyDelivery, run: DeliveryRun, trigger: ShopifyDeliveryAttempt['trigger']): Promise<void> {
    const generation = this.generation;
    const started = Date.now();
    let status: number | null = null;
    let error: string | null = null;
    // One controller and timer per attempt (cheaper than AbortSignal.timeout + any at thousands/s).
    const controller = new AbortController();
    let timedOut = false;
    const deadline = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.timeoutMs);
    this.inFlight.add(controller);
    try {
      const res = await request(record.address, {
        method: 'POST',
        headers: record.headers,
        body: run.bytes,
        dispatcher: this.agent,
        signal: controller.signal,
      });
      status = res.statusCode;
      await res.body.dump();
      if (status < 200 || status > 299) error = `HTTP ${status}`;
    } catch (err) {
      if (timedOut) {
        status = null;
        error = `no response within ${this.timeoutMs} ms`;
      } else {
        error = err instanceof Error ? err.message || err.name : String(err);
      }
    } finally {
      clearTimeout(deadline);
      this.inFlight.delete(controller);
    }
    record.attempts.push({ attempt: record.attempts.length + 1, trigger, at: started, durationMs: Date.now() - started, status, error });
    if (error === null) {
      record.state = 'delivered';
      record.nextAttemptAt = null;
      return;
    }
    if (generation !== this.generation) {
      record.state = 'cancelled';
      record.nextAttemptAt = null;
      return;
    }
    const delay = SHOPIFY_RETRY_DELAYS_MS[run.retriesUsed];
    if (delay === undefined) {
      record.state = 'failed';
      record.nextAttemptAt = null;
      return;
    }
    run.retriesUsed++;
    const wait = delay * this.retryScale;
    record.state = 'pending';
    record.nextAttemptAt = Date.now() + wait;
    run.timer = setTimeout(() => {
      run.timer = null;
      void this.attempt(record, run, 'retry');
    }, wait);
    // Real-time schedules span hours; they must not keep the process alive on their own.
    run.timer.unref();
  }

  // ---------------------------------------------------------------------------------------------
  // Order building

  private buildOrder(shop: ShopState, overrides: ShopifyOrderOverrides): ShopifyOrder {
    const n = shop.orderCount++;
    const orderNumber = 1001 + n;
    const id = this.nextId();
    const now = this.now(shop);
    const currency = typeof overrides.currency === 'string' ? overrides.currency : shop.currency;
    const person = samplePeople[n % samplePeople.length]!;
    const customerId = this.nextId();
    const address: ShopifyAddress = {
      first_name: person.first,
      last_name: person.last,
      name: `${person.first} ${person.last}`,
      company: null,
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
    const customer: ShopifyCustomer = {
      id: customerId,
      admin_graphql_api_id: `gid://shopify/Customer/${customerId}`,
      email: person.email,
      phone: person.phone,
      first_name: person.first,
      last_name: person.last,
      state: 'enabled',
      verified_email: true,
      tags: '',
      currency,
      created_at: now,
      updated_at: now,
      default_address: { ...address, id: this.nextId(), customer_id: customerId, default: true },
    };
    const picks = n % 2 === 0 ? [{ p: n % sampleProducts.length, q: 1 }, { p: (n + 1) % sampleProducts.length, q: 2 }] : [{ p: n % sampleProducts.length, q: 1 }];
    const generatedItems = picks.map(({ p, q }) => {
      const product = sampleProducts[p]!;
      return this.lineItem({ title: product.title, variant_title: product.variantTitle, sku: product.sku, price: product.price, grams: product.grams, quantity: q }, currency);
    });

    const token = randomBytes(16).toString('hex');
    const gateway = 'shopify_payments';
    const order: ShopifyOrder = {
      id,
      admin_graphql_api_id: `gid://shopify/Order/${id}`,
      name: `#${orderNumber}`,
      order_number: orderNumber,
      number: orderNumber - 1000,
      token,
      checkout_token: randomBytes(16).toString('hex'),
      confirmation_number: randomBytes(5).toString('hex').toUpperCase().slice(0, 9),
      confirmed: true,
      test: false,
      email: person.email,
      contact_email: person.email,
      phone: person.phone,
      buyer_accepts_marketing: n % 3 === 0,
      customer_locale: person.locale,
      created_at: now,
      updated_at: now,
      processed_at: now,
      cancelled_at: null,
      cancel_reason: null,
      closed_at: null,
      currency,
      presentment_currency: currency,
      subtotal_price: '0.00',
      total_line_items_price: '0.00',
      total_discounts: '0.00',
      total_tax: '0.00',
      total_price: '0.00',
      total_outstanding: '0.00',
      total_weight: 0,
      taxes_included: false,
      subtotal_price_set: moneySet('0.00', currency),
      total_price_set: moneySet('0.00', currency),
      total_tax_set: moneySet('0.00', currency),
      total_discounts_set: moneySet('0.00', currency),
      total_shipping_price_set: moneySet('5.00', currency),
      financial_status: 'paid',
      fulfillment_status: null,
      gateway,
      payment_gateway_names: [gateway],
      source_name: 'web',
      tags: '',
      note: null,
      note_attributes: [],
      discount_codes: [],
      order_status_url: `https://${shop.domain}/${shop.shopId}/orders/${token}/authenticate?key=${randomBytes(16).toString('hex')}`,
      customer,
      billing_address: { ...address },
      shipping_address: { ...address },
      line_items: generatedItems,
      shipping_lines: [{ id: this.nextId(), title: 'Standard Shipping', code: 'Standard', price: '5.00', source: 'shopify' }],
      fulfillments: [],
      refunds: [],
    };

    const { customer: customerOverride, shipping_address: shipOverride, billing_address: billOverride, line_items: itemsOverride, ...rest } = overrides;
    if (itemsOverride) order.line_items = itemsOverride.map((li) => this.lineItem(li, currency));
    recomputeTotals(order);
    Object.assign(order, rest);
    if (customerOverride !== undefined) order.customer = customerOverride === null ? null : { ...customer, ...customerOverride };
    if (shipOverride !== undefined) order.shipping_address = shipOverride === null ? null : { ...address, ...shipOverride };
    if (billOverride !== undefined) order.billing_address = billOverride === null ? null : { ...address, ...billOverride };
    // Keep the gids and money sets in step with explicitly overridden ids and totals.
    if (rest.id !== undefined && rest.admin_graphql_api_id === undefined) order.admin_graphql_api_id = `gid://shopify/Order/${order.id}`;
    if (order.customer && customerOverride?.id !== undefined && customerOverride.admin_graphql_api_id === undefined) {
      order.customer.admin_graphql_api_id = `gid://shopify/Customer/${order.customer.id}`;
    }
    if (rest.total_price !== undefined && rest.total_price_set === undefined) order.total_price_set = moneySet(order.total_price, order.currency);
    return order;
  }

  private lineItem(input: Partial<ShopifyLineItem>, currency: string): ShopifyLineItem {
    const id = input.id ?? this.nextId();
    const title = input.title ?? 'Item';
    const variantTitle = input.variant_title ?? null;
    const quantity = input.quantity ?? 1;
    const price = input.price ?? '10.00';
    return {
      id,
      admin_graphql_api_id: `gid://shopify/LineItem/${id}`,
      product_id: input.product_id ?? this.nextId(),
      variant_id: input.variant_id ?? this.nextId(),
      title,
      variant_title: variantTitle,
      name: input.name ?? (variantTitle ? `${title} - ${variantTitle}` : title),
      sku: input.sku ?? null,
      vendor: input.vendor ?? 'Shoptalk Demo',
      quantity,
      current_quantity: input.current_quantity ?? quantity,
      fulfillable_quantity: input.fulfillable_quantity ?? quantity,
      fulfillment_status: input.fulfillment_status ?? null,
      price,
      price_set: input.price_set ?? moneySet(price, currency),
      total_discount: input.total_discount ?? '0.00',
      grams: input.grams ?? 0,
      requires_shipping: input.requires_shipping ?? true,
      taxable: input.taxable ?? true,
      gift_card: input.gift_card ?? false,
    };
  }

  private nextId(): number {
    return ++this.idSeq;
  }

  private now(shop: ShopifyShop): string {
    return isoWithOffset(Date.now(), shop.utcOffsetMinutes);
  }

  private shop(domain: string): ShopState {
    const shop = this.shops.get(normalizeDomain(domain));
    if (!shop) throw new SimInputError(404, `shop ${domain} not found; add it with POST /_sim/shops`);
    return shop;
  }

  // ---------------------------------------------------------------------------------------------
  // Control API

  private registerControlRoutes(): void {
    this.control('POST', '/_sim/shops', (req) => {
      const b = jsonBody(req);
      const shop = this.addShop({
        domain: requireString(b, 'domain'),
        webhookSecret: requireString(b, 'webhookSecret'),
        subscriptions: Array.isArray(b['subscriptions']) ? (b['subscriptions'] as ShopifySubscription[]) : [],
        ...(typeof b['currency'] === 'string' ? { currency: b['currency'] } : {}),
        ...(typeof b['utcOffsetMinutes'] === 'number' ? { utcOffsetMinutes: b['utcOffsetMinutes'] } : {}),
      });
      return { status: 201, body: shop };
    });
    this.control('GET', '/_sim/shops', () => ({ status: 200, body: this.shopList() }));
    this.control('POST', '/_sim/orders', async (req) => {
      const b = jsonBody(req);
      const overrides = b['order'] === undefined || b['order'] === null ? {} : objectField(b, 'order');
      return { status: 201, body: await this.placeOrder(requireString(b, 'shop'), overrides as ShopifyOrderOverrides) };
    });
    this.control('GET', '/_sim/orders', (req) => {
      const shop = req.query['shop'];
      const list = shop ? this.orders(shop) : [...this.shops.values()].flatMap((s) => [...s.orders.values()]);
      return { status: 200, body: list };
    });
    this.control('POST', '/_sim/orders/:id/pay', async (req, p) => ({
      status: 200,
      body: await this.payOrder(requireString(jsonBody(req), 'shop'), p['id']!),
    }));
    this.control('POST', '/_sim/orders/:id/cancel', async (req, p) => {
      const b = jsonBody(req);
      return { status: 200, body: await this.cancelOrder(requireString(b, 'shop'), p['id']!, optionalString(b, 'reason') ?? 'customer') };
    });
    this.control('POST', '/_sim/orders/:id/fulfill', async (req, p) => {
      const b = jsonBody(req);
      const topic = optionalString(b, 'topic');
      if (topic !== undefined && topic !== 'fulfillments/update' && topic !== 'fulfillments/create') {
        throw new SimInputError(400, 'topic must be fulfillments/update or fulfillments/create');
      }
      const shipmentStatus = b['shipmentStatus'] === null ? null : (optionalString(b, 'shipmentStatus') ?? 'in_transit');
      const options: FulfillOptions = {};
      if (topic) options.topic = topic;
      const trackingNumber = optionalString(b, 'trackingNumber');
      const trackingCompany = optionalString(b, 'trackingCompany');
      const trackingUrl = optionalString(b, 'trackingUrl');
      if (trackingNumber) options.trackingNumber = trackingNumber;
      if (trackingCompany) options.trackingCompany = trackingCompany;
      if (trackingUrl) options.trackingUrl = trackingUrl;
      if (b['newFulfillment'] === true) options.newFulfillment = true;
      return { status: 200, body: await this.fulfillOrder(requireString(b, 'shop'), p['id']!, shipmentStatus, options) };
    });
    this.control('POST', '/_sim/orders/:id/refund', async (req, p) => {
      const b = jsonBody(req);
      const amount = optionalString(b, 'amount');
      const note = optionalString(b, 'note');
      return {
        status: 200,
        body: await this.refundOrder(requireString(b, 'shop'), p['id']!, { ...(amount ? { amount } : {}), ...(note ? { note } : {}) }),
      };
    });
    this.control('POST', '/_sim/webhooks', async (req) => {
      const b = jsonBody(req);
      if (!('payload' in b)) throw new SimInputError(400, 'payload is required');
      const options: SendWebhookOptions = {};
      if (b['badSignature'] === true) options.badSignature = true;
      const signWith = optionalString(b, 'signWith');
      const address = optionalString(b, 'address');
      if (signWith) options.signWith = signWith;
      if (address) options.address = address;
      const deliveries = await this.sendWebhook(requireString(b, 'shop'), requireString(b, 'topic'), b['payload'], options);
      return { status: 201, body: { deliveries } };
    });
    this.control('GET', '/_sim/deliveries', (req) => {
      const filter: { shop?: string; topic?: string } = {};
      if (req.query['shop']) filter.shop = req.query['shop'];
      if (req.query['topic']) filter.topic = req.query['topic'];
      const list = this.deliveries(filter);
      const limit = Number(req.query['limit'] ?? 0);
      return { status: 200, body: limit > 0 ? list.slice(-limit) : list };
    });
    this.control('GET', '/_sim/deliveries/:id', (_req, p) => {
      const record = this.delivery(p['id']!);
      if (!record) throw new SimInputError(404, `delivery ${p['id']} not found`);
      return { status: 200, body: record };
    });
    this.control('POST', '/_sim/deliveries/:id/redeliver', async (_req, p) => ({ status: 200, body: await this.redeliver(p['id']!) }));
  }
}

// ---------------------------------------------------------------------------------------------
// Helpers

function newAgent(): Agent {
  return new Agent({ keepAliveTimeout: 10_000, connections: 256 });
}

function publicShop(s: ShopState): ShopifyShop {
  return { domain: s.domain, shopId: s.shopId, subscriptions: s.subscriptions, currency: s.currency, utcOffsetMinutes: s.utcOffsetMinutes };
}

function normalizeDomain(domain: string): string {
  return String(domain ?? '')
    .trim()
    .toLowerCase()
    .replace(/^https?:\/\//, '')
    .replace(/\/+$/, '');
}

function toBytes(payload: unknown): Buffer {
  if (Buffer.isBuffer(payload)) return payload;
  return Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload), 'utf8');
}



function optionalString(b: Record<string, unknown>, field: string): string | undefined {
  const v = b[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new SimInputError(400, `${field} must be a string`);
  return v;
}

function objectField(b: Record<string, unknown>, field: string): Record<string, unknown> {
  const v = b[field];
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new SimInputError(400, `${field} must be an object`);
  return v as Record<string, unknown>;
}

function moneySet(amount: string, currency: string): ShopifyMoneySet {
  return { shop_money: { amount, currency_code: currency }, presentment_money: { amount, currency_code: currency } };
}

function toCents(amount: string): number {
  return Math.round(Number(amount) * 100);
}

function fromCents(cents: number): string {
  return (cents / 100).toFixed(2);
}

function recomputeTotals(order: ShopifyOrder): void {
  const items = order.line_items.reduce((sum, li) => sum + toCents(li.price) * li.quantity, 0);
  const shipping = order.shipping_lines.reduce((sum, s) => sum + toCents(s.price), 0);
  const total = fromCents(items + shipping);
  order.total_line_items_price = fromCents(items);
  order.subtotal_price = fromCents(items);
  order.total_price = total;
  order.total_weight = order.line_items.reduce((sum, li) => sum + li.grams * li.quantity, 0);
  order.subtotal_price_set = moneySet(order.subtotal_price, order.currency);
  order.total_price_set = moneySet(total, order.currency);
  order.total_shipping_price_set = moneySet(fromCents(shipping), order.currency);
}

/** ISO 8601 local time with offset, as Shopify writes shop timestamps: 2025-07-01T09:30:00-04:00. */
export function isoWithOffset(ms: number, offsetMinutes: number): string {
  const local = new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, 19);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

// Sample buyers in several phone formats, since stores pass phones through as the buyer typed them.
const samplePeople = [
  { first: 'Avery', last: 'Chen', email: 'avery.chen@example.com', phone: '+1 555-010-1234', locale: 'en', address1: '1200 SW Main St', city: 'Portland', province: 'Oregon', provinceCode: 'OR', zip: '97205', country: 'United States', countryCode: 'US' },
  { first: 'Mei-Ling', last: 'Wang', email: 'meiling.wang@example.com', phone: '0912-345-678', locale: 'zh-TW', address1: 'No. 7, Sec. 5, Xinyi Rd', city: 'Taipei', province: 'Taipei City', provinceCode: 'TPE', zip: '110', country: 'Taiwan', countryCode: 'TW' },
  { first: 'Oliver', last: 'Smith', email: 'oliver.smith@example.co.uk', phone: '+44 7700 900123', locale: 'en', address1: '221B Baker Street', city: 'London', province: 'England', provinceCode: 'ENG', zip: 'NW1 6XE', country: 'United Kingdom', countryCode: 'GB' },
  { first: 'Jordan', last: 'Lee', email: 'jordan.lee@example.com', phone: '(555) 010-4567', locale: 'en', address1: '500 Congress Ave', city: 'Austin', province: 'Texas', provinceCode: 'TX', zip: '78701', country: 'United States', countryCode: 'US' },
  { first: 'Priya', last: 'Nair', email: 'priya.nair@example.in', phone: '+91 98765 43210', locale: 'en', address1: '12 MG Road', city: 'Bengaluru', province: 'Karnataka', provinceCode: 'KA', zip: '560001', country: 'India', countryCode: 'IN' },
] as const;

const sampleProducts = [
  { title: 'Classic Cotton Tee', variantTitle: 'Black / M', sku: 'TEE-BLK-M', price: '25.00', grams: 180 },
  { title: 'Ceramic Pour-Over Set', variantTitle: null, sku: 'POUR-SET-01', price: '48.00', grams: 900 },
  { title: 'Merino Wool Socks', variantTitle: 'Grey / L', sku: 'SOCK-GRY-L', price: '14.50', grams: 80 },
  { title: 'Canvas Tote Bag', variantTitle: 'Natural', sku: 'TOTE-NAT', price: '19.99', grams: 250 },
] as const;
