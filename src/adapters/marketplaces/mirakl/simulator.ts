// Mirakl (EmpikPlace) seller-API simulator for tests and the sandbox. Every call needs `Authorization: <raw
// shop API key>` (401 {"status":401,"message":"Unauthorized"} otherwise); `shop_id`, when given, must be the
// key's shop. Errors use Mirakl's body {"status":n,"message":"…"}.
//   GET  /api/account                              A01: shop_id, shop_name, shop_state, currency_iso_code, …
//   GET  /api/inbox/threads                        M11: updated_since (ISO), entity_type + entity_id (csv),
//        with_messages=true (last 100 messages), limit (default 50, ≤ 100), page_token; threads ordered by
//        date_updated then id; {"data":[…],"next_page_token":"…"} (the token is absent on the last page)
//   GET  /api/inbox/threads/:thread_id             M10: one thread with its messages
//   POST /api/inbox/threads/:thread_id/message     M12: multipart/form-data, part `message_input` (JSON
//        {body, to:[{type:CUSTOMER,id}|{type:OPERATOR}], topic?}) + repeatable `files` parts → 201
//        {message_id, thread_id}; max 1000 messages per thread, ≤ 30 MB of attachments per message, ≤ 50
//        attachments across the threads of one entity. The reply is appended as a SHOP_USER message.
//   GET  /api/orders                               OR11: order_ids (csv), offset, max (default 10, ≤ 100) →
//        {"orders":[…],"total_count":n}
// Control API (besides the base /_sim routes):
//   POST /_sim/shops                      {apiKey, shopId, shopName, currency?} → 201
//   GET  /_sim/shops
//   POST /_sim/orders                     {shopId, orderId?, commercialId?, state?, currency?, shippingPrice?,
//                                          customer?:{id?,firstname?,lastname?}, lines?:[{title,sku?,quantity?,unitPrice?}]}
//   GET  /_sim/orders?shopId=
//   POST /_sim/threads                    {orderId, body, topic?, attachments?:[{name,size}]} → thread with a first customer message
//   GET  /_sim/threads?shopId=
//   POST /_sim/threads/:id/messages       {author: customer|shop|operator, body, attachments?} (shop = SHOP_USER
//                                          written in the marketplace's own panel)
//   GET  /_sim/replies?threadId=          what the shop sent through M12, with attachment names and sizes
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { SimInputError, Simulator, jsonBody, requireString } from '../../../sandbox/simulator.js';
import type { SimRequest, SimResponse } from '../../../sandbox/simulator.js';

export const MIRAKL_MAX_MESSAGES_PER_THREAD = 1000;
/** OR43: "Each message has a 30 Megabyte size limit" (applied to the sum of a message's attachments). */
export const MIRAKL_MAX_MESSAGE_ATTACHMENT_BYTES = 30 * 1024 * 1024;
export const MIRAKL_MAX_ATTACHMENTS_PER_ENTITY = 50;
const THREADS_DEFAULT_LIMIT = 50;
const THREADS_MAX_LIMIT = 100;
const MESSAGES_RETURNED = 100;
/** OR11's `max` default and ceiling are not stated in the spec ([UNVERIFIED]); 10 and 100 are Mirakl's usual values. */
const ORDERS_DEFAULT_MAX = 10;
const ORDERS_MAX_MAX = 100;
const ENTITY_TYPES = ['MMP_ORDER', 'MMP_OFFER', 'MPS_ORDER', 'MPS_SERVICE', 'SELLER_OPERATOR'];
const OPERATOR_NAME = 'Empik';

export interface MiraklSimulatorOptions {
  /** Clock for dates the simulator stamps itself. */
  now?: () => number;
  /** Attachment bytes allowed per M12 message; lowered in tests so the limit is cheap to reach. */
  maxMessageAttachmentBytes?: number;
}

export interface MiraklShopInput {
  apiKey: string;
  shopId: string;
  shopName: string;
  currency?: string;
}

export interface MiraklShop {
  shopId: string;
  shopName: string;
  currency: string;
  dateCreated: string;
}

export interface MiraklOrderLine {
  order_line_id: string;
  order_line_index: number;
  order_line_state: string;
  offer_sku: string | null;
  product_sku: string | null;
  product_shop_sku: string | null;
  product_title: string;
  quantity: number;
  price_unit: number;
  price: number;
  shipping_price: number;
  total_price: number;
}

export interface MiraklCustomer {
  customer_id: string;
  firstname: string | null;
  lastname: string | null;
  civility: string | null;
  locale: string | null;
  shipping_address: Record<string, string | null> | null;
  billing_address: Record<string, string | null> | null;
}

/** An OR11 order (fields per store-apis.md §5). */
export interface MiraklOrder {
  order_id: string;
  commercial_id: string;
  created_date: string;
  last_updated_date: string;
  order_state: string;
  currency_iso_code: string;
  price: number;
  shipping_price: number;
  total_price: number;
  customer: MiraklCustomer;
  customer_notification_email: string;
  has_customer_message: boolean;
  order_lines: MiraklOrderLine[];
}

export interface MiraklOrderInput {
  shopId: string;
  orderId?: string;
  commercialId?: string;
  state?: string;
  currency?: string;
  createdAt?: number;
  shippingPrice?: number;
  customer?: { id?: string; firstname?: string; lastname?: string };
  lines?: Array<{ title: string; sku?: string; quantity?: number; unitPrice?: number }>;
}

export interface MiraklParticipant {
  type: 'CUSTOMER' | 'SHOP' | 'OPERATOR';
  id?: string;
  display_name: string;
}

export interface MiraklAttachment {
  id: string;
  name: string;
  size: number;
}

export type MiraklSenderType = 'CUSTOMER_USER' | 'SHOP_USER' | 'OPERATOR_USER';

export interface MiraklMessage {
  id: string;
  body: string;
  date_created: string;
  from: { type: MiraklSenderType; display_name: string; organization_details: { id?: string; display_name: string; type: MiraklParticipant['type'] } };
  to: Array<{ type: MiraklParticipant['type']; id?: string; display_name: string }>;
  attachments: MiraklAttachment[];
}

/** An M11/M10 thread (fields per store-apis.md §5). */
export interface MiraklThread {
  id: string;
  date_created: string;
  date_updated: string;
  entities: Array<{ id: string; label: string; type: string }>;
  topic: { type: 'FREE_TEXT' | 'REASON_CODE'; value: string };
  authorized_participants: MiraklParticipant[];
  current_participants: MiraklParticipant[];
  customer_organization: { id: string; display_name: string } | null;
  metadata: { last_message_date: string; last_sender: { display_name: string; type: MiraklSenderType }; shop_reply_needed_since: string | null; total_count: number };
  messages: MiraklMessage[];
}

export type MiraklAuthorKind = 'customer' | 'shop' | 'operator';

export interface MiraklThreadInput {
  orderId: string;
  body: string;
  topic?: string;
  attachments?: Array<{ name: string; size: number }>;
  at?: number;
}

/** What the shop sent through M12, as received. */
export interface MiraklShopReply {
  threadId: string;
  messageId: string;
  at: number;
  body: string;
  to: Array<{ type: string; id?: string }>;
  topic: unknown;
  attachments: Array<{ name: string; contentType: string; size: number }>;
}

interface ShopState extends MiraklShop {
  apiKeyDigest: Buffer;
}

interface ThreadState {
  shopId: string;
  thread: MiraklThread;
  updatedAt: number;
}

interface FormPart {
  name: string;
  filename: string | null;
  contentType: string | null;
  /** The part's bytes as sent: a file's size is its length, whatever the file holds. */
  content: Buffer;
}

const senderOf: Record<MiraklAuthorKind, MiraklSenderType> = { customer: 'CUSTOMER_USER', shop: 'SHOP_USER', operator: 'OPERATOR_USER' };

export class MiraklSimulator extends Simulator {
  readonly name = 'mirakl';
  private readonly now: () => number;
  private readonly maxMessageAttachmentBytes: number;
  private readonly shops = new Map<string, ShopState>();
  private readonly orderList: Array<{ shopId: string; order: MiraklOrder }> = [];
  private readonly threads = new Map<string, ThreadState>();
  private readonly replies: MiraklShopReply[] = [];
  private idSeq = 0;

  constructor(options: MiraklSimulatorOptions = {}) {
    super();
    this.now = options.now ?? Date.now;
    this.maxMessageAttachmentBytes = options.maxMessageAttachmentBytes ?? MIRAKL_MAX_MESSAGE_ATTACHMENT_BYTES;
    this.route('GET', '/api/account', (req) => this.account(req));
    this.route('GET', '/api/inbox/threads', (req) => this.listThreadsRoute(req));
    this.route('GET', '/api/inbox/threads/:thread_id', (req, p) => this.getThreadRoute(req, p['thread_id']!));
    this.route('POST', '/api/inbox/threads/:thread_id/message', (req, p) => this.postMessageRoute(req, p['thread_id']!));
    this.route('GET', '/api/orders', (req) => this.ordersRoute(req));
    this.registerControlRoutes();
  }

  protected override resetState(): void {
    this.shops.clear();
    this.orderList.length = 0;
    this.threads.clear();
    this.replies.length = 0;
  }

  protected override faultBody(status: number): unknown {
    return { status, message: status === 429 ? 'Too Many Requests' : `simulated ${status}` };
  }

  // ---------------------------------------------------------------------------------------------
  // State, usable directly from tests

  addShop(input: MiraklShopInput): MiraklShop {
    for (const field of ['apiKey', 'shopId', 'shopName'] as const) {
      if (typeof input[field] !== 'string' || input[field].trim() === '') throw new SimInputError(400, `${field} is required`);
    }
    if ([...this.shops.values()].some((s) => s.shopId === input.shopId)) throw new SimInputError(409, `shop ${input.shopId} already exists`);
    const shop: ShopState = {
      shopId: input.shopId,
      shopName: input.shopName,
      currency: input.currency ?? 'PLN',
      dateCreated: new Date(this.now()).toISOString(),
      apiKeyDigest: digest(input.apiKey),
    };
    this.shops.set(input.shopId, shop);
    return publicShop(shop);
  }

  shopList(): MiraklShop[] {
    return [...this.shops.values()].map(publicShop);
  }

  createOrder(input: MiraklOrderInput): MiraklOrder {
    const shop = this.shop(input.shopId);
    const n = ++this.idSeq;
    const commercialId = input.commercialId ?? String(10_000_000 + n);
    const orderId = input.orderId ?? `${commercialId}-A`;
    if (this.orderList.some((o) => o.order.order_id === orderId)) throw new SimInputError(409, `order ${orderId} already exists`);
    const person = samplePeople[n % samplePeople.length]!;
    const lines = (input.lines && input.lines.length > 0 ? input.lines : [sampleLines[n % sampleLines.length]!]).map((l, i) => orderLine(orderId, i, l));
    const at = new Date(input.createdAt ?? this.now()).toISOString();
    const shippingCents = toCents(input.shippingPrice ?? 9.99, 'shippingPrice');
    const priceCents = lines.reduce((sum, l) => sum + Math.round(l.price * 100), 0);
    const order: MiraklOrder = {
      order_id: orderId,
      commercial_id: commercialId,
      created_date: at,
      last_updated_date: at,
      order_state: input.state ?? 'SHIPPING',
      currency_iso_code: input.currency ?? shop.currency,
      price: priceCents / 100,
      shipping_price: shippingCents / 100,
      total_price: (priceCents + shippingCents) / 100,
      customer: {
        customer_id: input.customer?.id ?? `CUST-${String(n).padStart(6, '0')}`,
        firstname: input.customer?.firstname ?? person.firstname,
        lastname: input.customer?.lastname ?? person.lastname,
        civility: null,
        locale: 'pl_PL',
        shipping_address: null,
        billing_address: null,
      },
      // Mirakl anonymises the buyer's address (store-apis.md §5).
      customer_notification_email: `${randomUUID().slice(0, 12)}@marketplace.invalid`,
      has_customer_message: false,
      order_lines: lines,
    };
    this.orderList.push({ shopId: shop.shopId, order });
    return order;
  }

  orders(shopId?: string): MiraklOrder[] {
    return this.orderList.filter((o) => !shopId || o.shopId === shopId).map((o) => o.order);
  }

  /** A buyer opens a thread on an order with a first message (what OR43 does on the customer side). */
  createThread(input: MiraklThreadInput): MiraklThread {
    if (typeof input.body !== 'string' || input.body.trim() === '') throw new SimInputError(400, 'body is required');
    const entry = this.orderList.find((o) => o.order.order_id === input.orderId);
    if (!entry) throw new SimInputError(404, `order ${input.orderId} not found`);
    const shop = this.shop(entry.shopId);
    const { order } = entry;
    const at = input.at ?? this.now();
    const customerName = [order.customer.firstname, order.customer.lastname].filter(Boolean).join(' ');
    const participants: MiraklParticipant[] = [
      { type: 'CUSTOMER', id: order.customer.customer_id, display_name: customerName },
      { type: 'SHOP', id: shop.shopId, display_name: shop.shopName },
      { type: 'OPERATOR', display_name: OPERATOR_NAME },
    ];
    const iso = new Date(at).toISOString();
    const thread: MiraklThread = {
      id: randomUUID(),
      date_created: iso,
      date_updated: iso,
      entities: [{ id: order.order_id, label: order.commercial_id, type: 'MMP_ORDER' }],
      topic: { type: 'FREE_TEXT', value: input.topic ?? `Zamówienie ${order.commercial_id}` },
      authorized_participants: participants,
      current_participants: participants,
      customer_organization: null,
      metadata: { last_message_date: iso, last_sender: { display_name: customerName, type: 'CUSTOMER_USER' }, shop_reply_needed_since: iso, total_count: 0 },
      messages: [],
    };
    this.threads.set(thread.id, { shopId: shop.shopId, thread, updatedAt: at });
    order.has_customer_message = true;
    this.addMessage(thread.id, 'customer', input.body, input.attachments ?? [], { at });
    return thread;
  }

  /** A message written in the marketplace itself: by the buyer, by shop staff in the panel, or by the operator. */
  addMessage(threadId: string, author: MiraklAuthorKind, body: string, attachments: Array<{ name: string; size: number }> = [], options: { at?: number } = {}): MiraklMessage {
    if (!(author in senderOf)) throw new SimInputError(400, 'author must be customer, shop or operator');
    if (typeof body !== 'string' || body.trim() === '') throw new SimInputError(400, 'body is required');
    const state = this.threadState(threadId);
    const to = author === 'customer'
      ? state.thread.current_participants.filter((p) => p.type === 'SHOP')
      : state.thread.current_participants.filter((p) => p.type === 'CUSTOMER');
    return this.append(state, author, body, to, attachments.map(checkAttachment), options.at ?? this.now());
  }

  threadList(shopId?: string): MiraklThread[] {
    return [...this.threads.values()].filter((t) => !shopId || t.shopId === shopId).map((t) => t.thread);
  }

  /** What the shop sent through M12 (all threads, or one), oldest first. */
  shopReplies(threadId?: string): MiraklShopReply[] {
    return this.replies.filter((r) => !threadId || r.threadId === threadId);
  }

  private append(state: ThreadState, author: MiraklAuthorKind, body: string, to: MiraklParticipant[], attachments: MiraklAttachment[], at: number): MiraklMessage {
    const { thread } = state;
    if (thread.messages.length >= MIRAKL_MAX_MESSAGES_PER_THREAD) {
      throw new SimInputError(400, `thread ${thread.id} has reached the maximum of ${MIRAKL_MAX_MESSAGES_PER_THREAD} messages`);
    }
    const from = this.sender(state, author);
    const iso = new Date(at).toISOString();
    const message: MiraklMessage = {
      id: randomUUID(),
      body,
      date_created: iso,
      from,
      to: to.map((p) => ({ type: p.type, ...(p.id === undefined ? {} : { id: p.id }), display_name: p.display_name })),
      attachments,
    };
    thread.messages.push(message);
    // A thread never moves back in time, even when a test stamps a message earlier than the last one.
    state.updatedAt = Math.max(state.updatedAt, at);
    thread.date_updated = new Date(state.updatedAt).toISOString();
    thread.metadata = {
      last_message_date: iso,
      last_sender: { display_name: from.display_name, type: from.type },
      shop_reply_needed_since: author === 'customer' ? (thread.metadata.shop_reply_needed_since ?? iso) : author === 'shop' ? null : thread.metadata.shop_reply_needed_since,
      total_count: thread.messages.length,
    };
    return message;
  }

  private sender(state: ThreadState, author: MiraklAuthorKind): MiraklMessage['from'] {
    const type = senderOf[author];
    if (author === 'customer') {
      const c = state.thread.current_participants.find((p) => p.type === 'CUSTOMER');
      return { type, display_name: c?.display_name ?? 'Klient', organization_details: { id: c?.id, display_name: c?.display_name ?? 'Klient', type: 'CUSTOMER' } };
    }
    if (author === 'shop') {
      const shop = this.shop(state.shopId);
      return { type, display_name: `Obsługa ${shop.shopName}`, organization_details: { id: shop.shopId, display_name: shop.shopName, type: 'SHOP' } };
    }
    return { type, display_name: `Operator ${OPERATOR_NAME}`, organization_details: { display_name: OPERATOR_NAME, type: 'OPERATOR' } };
  }

  private shop(shopId: string): ShopState {
    const shop = this.shops.get(String(shopId ?? ''));
    if (!shop) throw new SimInputError(404, `shop ${shopId} not found`);
    return shop;
  }

  private threadState(threadId: string): ThreadState {
    const state = this.threads.get(String(threadId ?? ''));
    if (!state) throw new SimInputError(404, `thread ${threadId} not found`);
    return state;
  }

  // ---------------------------------------------------------------------------------------------
  // Seller API

  /** The shop the Authorization key belongs to (and that shop_id names, when given), or an error response. */
  private authenticate(req: SimRequest): ShopState | SimResponse {
    const key = req.headers['authorization'] ?? '';
    const given = digest(key);
    let found: ShopState | null = null;
    // Every shop is compared, in constant time, so the timing does not tell which key was close.
    for (const shop of this.shops.values()) if (timingSafeEqual(shop.apiKeyDigest, given) && key !== '') found = shop;
    if (!found) return fail(401, 'Unauthorized');
    const shopId = req.query['shop_id'];
    if (shopId !== undefined && shopId !== found.shopId) return fail(403, `The API key is not linked to shop ${shopId}`);
    return found;
  }

  private account(req: SimRequest): SimResponse {
    const shop = this.authenticate(req);
    if (!isShop(shop)) return shop;
    return {
      status: 200,
      body: {
        shop_id: Number.isSafeInteger(Number(shop.shopId)) ? Number(shop.shopId) : shop.shopId,
        shop_name: shop.shopName,
        shop_state: 'OPEN',
        currency_iso_code: shop.currency,
        date_created: shop.dateCreated,
        contact_informations: { email: `kontakt@${slug(shop.shopName)}.example.pl`, country: 'POL' },
        channels: [],
      },
    };
  }

  private listThreadsRoute(req: SimRequest): SimResponse {
    const shop = this.authenticate(req);
    if (!isShop(shop)) return shop;
    const limit = parseLimit(req.query['limit'], THREADS_DEFAULT_LIMIT, THREADS_MAX_LIMIT, 'limit');
    if (typeof limit === 'string') return fail(400, limit);
    const filter = req.query['page_token'] !== undefined ? decodeToken(req.query['page_token']) : threadFilter(req.query);
    if (typeof filter === 'string') return fail(400, filter);
    const matching = [...this.threads.values()]
      .filter((t) => t.shopId === shop.shopId && t.updatedAt >= filter.since && matchesEntity(t.thread, filter))
      .sort(byUpdate)
      .filter((t) => !filter.after || byUpdate(t, { updatedAt: filter.after.at, thread: { id: filter.after.id } }) > 0);
    const page = matching.slice(0, limit);
    const last = page[page.length - 1];
    const withMessages = req.query['with_messages'] === 'true';
    const body: Record<string, unknown> = { data: page.map((t) => threadView(t.thread, withMessages)) };
    if (last && matching.length > limit) body['next_page_token'] = encodeToken({ ...filter, after: { at: last.updatedAt, id: last.thread.id } });
    return { status: 200, body };
  }

  private getThreadRoute(req: SimRequest, threadId: string): SimResponse {
    const shop = this.authenticate(req);
    if (!isShop(shop)) return shop;
    const state = this.threads.get(threadId);
    if (!state || state.shopId !== shop.shopId) return fail(404, `Thread ${threadId} not found`);
    return { status: 200, body: threadView(state.thread, true) };
  }

  private postMessageRoute(req: SimRequest, threadId: string): SimResponse {
    const shop = this.authenticate(req);
    if (!isShop(shop)) return shop;
    const state = this.threads.get(threadId);
    if (!state || state.shopId !== shop.shopId) return fail(404, `Thread ${threadId} not found`);
    const parts = parseMultipart(req);
    if (typeof parts === 'string') return fail(400, parts);
    const input = messageInput(parts);
    if (typeof input === 'string') return fail(400, input);
    const to = recipients(state.thread, input['to']);
    if (typeof to === 'string') return fail(400, to);
    const files = parts.filter((p) => p.name === 'files');
    const problem = this.attachmentProblem(state, files);
    if (problem) return fail(400, problem);
    if (state.thread.messages.length >= MIRAKL_MAX_MESSAGES_PER_THREAD) {
      return fail(400, `Thread ${threadId} has reached the maximum of ${MIRAKL_MAX_MESSAGES_PER_THREAD} messages`);
    }
    const attachments = files.map((f) => ({ id: randomUUID(), name: f.filename ?? 'file', size: partSize(f) }));
    const message = this.append(state, 'shop', input['body'] as string, to, attachments, this.now());
    this.replies.push({
      threadId,
      messageId: message.id,
      at: this.now(),
      body: message.body,
      to: (input['to'] as Array<{ type: string; id?: string }>).map((t) => ({ type: t.type, ...(t.id === undefined ? {} : { id: t.id }) })),
      topic: input['topic'] ?? null,
      attachments: files.map((f) => ({ name: f.filename ?? 'file', contentType: f.contentType ?? 'application/octet-stream', size: partSize(f) })),
    });
    return { status: 201, body: { message_id: message.id, thread_id: threadId } };
  }

  private attachmentProblem(state: ThreadState, files: FormPart[]): string | null {
    if (files.some((f) => f.filename === null)) return 'files parts must have a filename';
    const total = files.reduce((sum, f) => sum + partSize(f), 0);
    if (total > this.maxMessageAttachmentBytes) return `attachments total ${total} bytes, above the ${this.maxMessageAttachmentBytes} bytes allowed per message`;
    const entityIds = new Set(state.thread.entities.map((e) => `${e.type}:${e.id}`));
    let onEntity = 0;
    for (const other of this.threads.values()) {
      if (!other.thread.entities.some((e) => entityIds.has(`${e.type}:${e.id}`))) continue;
      for (const m of other.thread.messages) onEntity += m.attachments.length;
    }
    if (files.length > 0 && onEntity + files.length > MIRAKL_MAX_ATTACHMENTS_PER_ENTITY) {
      return `at most ${MIRAKL_MAX_ATTACHMENTS_PER_ENTITY} attachments are allowed across the threads of the same entity`;
    }
    return null;
  }

  private ordersRoute(req: SimRequest): SimResponse {
    const shop = this.authenticate(req);
    if (!isShop(shop)) return shop;
    const max = parseLimit(req.query['max'], ORDERS_DEFAULT_MAX, ORDERS_MAX_MAX, 'max');
    if (typeof max === 'string') return fail(400, max);
    const offset = req.query['offset'] === undefined ? 0 : Number(req.query['offset']);
    if (!Number.isInteger(offset) || offset < 0) return fail(400, 'offset must be a non-negative integer');
    const ids = req.query['order_ids'] === undefined ? null : new Set(req.query['order_ids'].split(',').map((s) => s.trim()).filter(Boolean));
    const matching = this.orderList.filter((o) => o.shopId === shop.shopId && (!ids || ids.has(o.order.order_id))).map((o) => o.order);
    return { status: 200, body: { orders: matching.slice(offset, offset + max), total_count: matching.length } };
  }

  // ---------------------------------------------------------------------------------------------
  // Control API

  private registerControlRoutes(): void {
    this.control('POST', '/_sim/shops', (req) => {
      const b = jsonBody(req);
      const currency = optionalString(b, 'currency');
      const shop = this.addShop({ apiKey: requireString(b, 'apiKey'), shopId: requireString(b, 'shopId'), shopName: requireString(b, 'shopName'), ...(currency ? { currency } : {}) });
      return { status: 201, body: shop };
    });
    this.control('GET', '/_sim/shops', () => ({ status: 200, body: this.shopList() }));
    this.control('POST', '/_sim/orders', (req) => ({ status: 201, body: this.createOrder(orderInput(jsonBody(req))) }));
    this.control('GET', '/_sim/orders', (req) => ({ status: 200, body: this.orders(req.query['shopId']) }));
    this.control('POST', '/_sim/threads', (req) => {
      const b = jsonBody(req);
      const topic = optionalString(b, 'topic');
      const at = optionalNumber(b, 'at');
      const thread = this.createThread({
        orderId: requireString(b, 'orderId'),
        body: requireString(b, 'body'),
        attachments: attachmentsInput(b['attachments']),
        ...(topic ? { topic } : {}),
        ...(at === undefined ? {} : { at }),
      });
      return { status: 201, body: thread };
    });
    this.control('GET', '/_sim/threads', (req) => ({ status: 200, body: this.threadList(req.query['shopId']) }));
    this.control('POST', '/_sim/threads/:id/messages', (req, p) => {
      const b = jsonBody(req);
      const author = requireString(b, 'author');
      if (author !== 'customer' && author !== 'shop' && author !== 'operator') throw new SimInputError(400, 'author must be customer, shop or operator');
      const at = optionalNumber(b, 'at');
      const message = this.addMessage(p['id']!, author, requireString(b, 'body'), attachmentsInput(b['attachments']), at === undefined ? {} : { at });
      return { status: 201, body: message };
    });
    this.control('GET', '/_sim/replies', (req) => ({ status: 200, body: this.shopReplies(req.query['threadId']) }));
  }
}

// ---------------------------------------------------------------------------------------------
// M11 filters and seek tokens

interface ThreadFilter {
  since: number;
  entityType: string | null;
  entityIds: string[] | null;
  after: { at: number; id: string } | null;
}

function threadFilter(q: Record<string, string>): ThreadFilter | string {
  let since = 0;
  if (q['updated_since'] !== undefined) {
    since = Date.parse(q['updated_since']);
    if (Number.isNaN(since)) return 'updated_since must be an ISO 8601 date-time';
  }
  const entityType = q['entity_type'] ?? null;
  if (entityType !== null && !ENTITY_TYPES.includes(entityType)) return `entity_type must be one of ${ENTITY_TYPES.join(', ')}`;
  const entityIds = q['entity_id'] === undefined ? null : q['entity_id'].split(',').map((s) => s.trim()).filter(Boolean);
  if (entityIds && !entityType) return 'entity_id requires entity_type';
  return { since, entityType, entityIds, after: null };
}

function matchesEntity(thread: MiraklThread, f: ThreadFilter): boolean {
  if (!f.entityType) return true;
  return thread.entities.some((e) => e.type === f.entityType && (!f.entityIds || f.entityIds.includes(e.id)));
}

function byUpdate(a: { updatedAt: number; thread: { id: string } }, b: { updatedAt: number; thread: { id: string } }): number {
  return a.updatedAt - b.updatedAt || (a.thread.id < b.thread.id ? -1 : a.thread.id > b.thread.id ? 1 : 0);
}

/** Opaque to clients: the filter and the last row seen, so the next page continues the same listing. */
function encodeToken(f: ThreadFilter): string {
  return Buffer.from(JSON.stringify(f), 'utf8').toString('base64url');
}

function decodeToken(token: string): ThreadFilter | string {
  try {
    const f = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as ThreadFilter;
    if (typeof f.since === 'number' && f.after && typeof f.after.at === 'number' && typeof f.after.id === 'string') return f;
  } catch {
    // falls through to the error below
  }
  return 'page_token is invalid';
}

function threadView(thread: MiraklThread, withMessages: boolean): Record<string, unknown> {
  const { messages, ...rest } = thread;
  // Newest first, at most 100 ([UNVERIFIED] order: the spec only says "last 100"; the adapter sorts anyway).
  return withMessages ? { ...rest, messages: messages.slice(-MESSAGES_RETURNED).reverse() } : rest;
}

// ---------------------------------------------------------------------------------------------
// M12 multipart

/**
 * The form parts of a multipart/form-data body, split on the raw request bytes: a binary file (a PNG, a
 * PDF) keeps its exact bytes and size, as Mirakl measures them.
 */
function parseMultipart(req: SimRequest): FormPart[] | string {
  const type = req.headers['content-type'] ?? '';
  if (!/^multipart\/form-data\b/i.test(type)) return 'Content-Type must be multipart/form-data';
  const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(type);
  const marker = boundary?.[1] ?? boundary?.[2];
  if (!marker) return 'multipart/form-data needs a boundary';
  const delimiter = Buffer.from(`--${marker}`, 'latin1');
  const chunks: Buffer[] = [];
  let from = 0;
  for (let at = req.raw.indexOf(delimiter, from); at >= 0; at = req.raw.indexOf(delimiter, from)) {
    chunks.push(req.raw.subarray(from, at));
    from = at + delimiter.length;
  }
  chunks.push(req.raw.subarray(from));
  if (chunks.length < 2 || !startsWith(chunks[chunks.length - 1]!, '--')) return 'multipart body is not terminated by its closing boundary';
  const parts: FormPart[] = [];
  for (const chunk of chunks.slice(1, -1)) {
    const part = parsePart(chunk);
    if (typeof part === 'string') return part;
    parts.push(part);
  }
  return parts;
}

const CRLF = Buffer.from('\r\n', 'latin1');
const HEADER_END = Buffer.from('\r\n\r\n', 'latin1');

function startsWith(b: Buffer, text: string): boolean {
  return b.subarray(0, text.length).equals(Buffer.from(text, 'latin1'));
}

function parsePart(chunk: Buffer): FormPart | string {
  if (chunk.length < 4 || !chunk.subarray(0, 2).equals(CRLF) || !chunk.subarray(-2).equals(CRLF)) return 'malformed multipart part';
  const inner = chunk.subarray(2, -2);
  const split = inner.indexOf(HEADER_END);
  if (split < 0) return 'multipart part without headers';
  const headers = new Map<string, string>();
  // Part headers are UTF-8 text (RFC 7578 allows UTF-8 file names); the content after them stays bytes.
  for (const line of inner.subarray(0, split).toString('utf8').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  const disposition = headers.get('content-disposition') ?? '';
  const name = /\bname="([^"]*)"/i.exec(disposition)?.[1];
  if (!/^form-data\b/i.test(disposition) || name === undefined) return 'each part needs Content-Disposition: form-data; name="…"';
  const filename = /\bfilename="([^"]*)"/i.exec(disposition)?.[1];
  return { name: unquote(name), filename: filename === undefined ? null : unquote(filename), contentType: headers.get('content-type') ?? null, content: inner.subarray(split + 4) };
}

function unquote(v: string): string {
  return v.replace(/%22/g, '"').replace(/%0D/g, '\r').replace(/%0A/g, '\n');
}

function partSize(p: FormPart): number {
  return p.content.length;
}

function messageInput(parts: FormPart[]): Record<string, unknown> | string {
  const part = parts.find((p) => p.name === 'message_input');
  if (!part) return 'message_input is required';
  let input: unknown;
  try {
    input = JSON.parse(part.content.toString('utf8'));
  } catch {
    return 'message_input must be JSON';
  }
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return 'message_input must be a JSON object';
  const o = input as Record<string, unknown>;
  if (typeof o['body'] !== 'string' || o['body'].trim() === '') return 'message_input.body is required';
  if (!Array.isArray(o['to']) || o['to'].length === 0) return 'message_input.to is required';
  return o;
}

/** The thread participants a reply goes to; only the buyer on the thread and the operator can be named. */
function recipients(thread: MiraklThread, to: unknown): MiraklParticipant[] | string {
  const out: MiraklParticipant[] = [];
  for (const entry of to as unknown[]) {
    const t = entry !== null && typeof entry === 'object' ? (entry as Record<string, unknown>) : {};
    if (t['type'] === 'OPERATOR') {
      out.push(thread.current_participants.find((p) => p.type === 'OPERATOR') ?? { type: 'OPERATOR', display_name: OPERATOR_NAME });
    } else if (t['type'] === 'CUSTOMER') {
      const customer = thread.current_participants.find((p) => p.type === 'CUSTOMER' && p.id === t['id']);
      if (!customer) return `message_input.to: customer ${String(t['id'])} is not a participant of thread ${thread.id}`;
      out.push(customer);
    } else {
      return 'message_input.to: type must be CUSTOMER or OPERATOR';
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Input helpers

function orderInput(b: Record<string, unknown>): MiraklOrderInput {
  const input: MiraklOrderInput = { shopId: requireString(b, 'shopId') };
  for (const field of ['orderId', 'commercialId', 'state', 'currency'] as const) {
    const v = optionalString(b, field);
    if (v !== undefined) input[field] = v;
  }
  const shippingPrice = optionalNumber(b, 'shippingPrice');
  if (shippingPrice !== undefined) input.shippingPrice = shippingPrice;
  const createdAt = optionalNumber(b, 'createdAt');
  if (createdAt !== undefined) input.createdAt = createdAt;
  if (b['customer'] !== undefined) {
    const c = objectOf(b['customer'], 'customer');
    input.customer = {};
    for (const field of ['id', 'firstname', 'lastname'] as const) {
      const v = optionalString(c, field);
      if (v !== undefined) input.customer[field] = v;
    }
  }
  if (b['lines'] !== undefined) {
    if (!Array.isArray(b['lines'])) throw new SimInputError(400, 'lines must be a list');
    input.lines = b['lines'].map((raw, i) => {
      const l = objectOf(raw, `lines[${i}]`);
      const line: { title: string; sku?: string; quantity?: number; unitPrice?: number } = { title: requireString(l, 'title') };
      const sku = optionalString(l, 'sku');
      if (sku !== undefined) line.sku = sku;
      const quantity = optionalNumber(l, 'quantity');
      if (quantity !== undefined) line.quantity = quantity;
      const unitPrice = optionalNumber(l, 'unitPrice');
      if (unitPrice !== undefined) line.unitPrice = unitPrice;
      return line;
    });
  }
  return input;
}

function orderLine(orderId: string, index: number, l: { title: string; sku?: string; quantity?: number; unitPrice?: number }): MiraklOrderLine {
  if (typeof l.title !== 'string' || l.title.trim() === '') throw new SimInputError(400, `lines[${index}].title is required`);
  const quantity = l.quantity ?? 1;
  if (!Number.isInteger(quantity) || quantity < 1) throw new SimInputError(400, `lines[${index}].quantity must be a positive integer`);
  const unitCents = toCents(l.unitPrice ?? 49.99, `lines[${index}].unitPrice`);
  return {
    order_line_id: `${orderId}-${index + 1}`,
    order_line_index: index + 1,
    order_line_state: 'SHIPPING',
    offer_sku: l.sku ?? `OFFER-${index + 1}`,
    product_sku: null,
    product_shop_sku: l.sku ?? null,
    product_title: l.title,
    quantity,
    price_unit: unitCents / 100,
    price: (unitCents * quantity) / 100,
    shipping_price: 0,
    total_price: (unitCents * quantity) / 100,
  };
}

function toCents(v: number, field: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new SimInputError(400, `${field} must be a non-negative number`);
  return Math.round(v * 100);
}

function checkAttachment(a: { name: string; size: number }, i: number): MiraklAttachment {
  if (typeof a?.name !== 'string' || a.name.trim() === '') throw new SimInputError(400, `attachments[${i}].name is required`);
  if (!Number.isInteger(a.size) || a.size < 0) throw new SimInputError(400, `attachments[${i}].size must be a non-negative integer`);
  return { id: randomUUID(), name: a.name, size: a.size };
}

function attachmentsInput(v: unknown): Array<{ name: string; size: number }> {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new SimInputError(400, 'attachments must be a list of {name, size}');
  return v.map((raw, i) => {
    const a = objectOf(raw, `attachments[${i}]`);
    return { name: requireString(a, 'name'), size: optionalNumber(a, 'size') ?? 0 };
  });
}

function parseLimit(raw: string | undefined, fallback: number, ceiling: number, field: string): number | string {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) return `${field} must be a positive integer`;
  if (n > ceiling) return `${field} must be at most ${ceiling}`;
  return n;
}

function objectOf(v: unknown, field: string): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new SimInputError(400, `${field} must be an object`);
  return v as Record<string, unknown>;
}

function optionalString(b: Record<string, unknown>, field: string): string | undefined {
  const v = b[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new SimInputError(400, `${field} must be a string`);
  return v;
}

function optionalNumber(b: Record<string, unknown>, field: string): number | undefined {
  const v = b[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new SimInputError(400, `${field} must be a number`);
  return v;
}

function isShop(v: ShopState | SimResponse): v is ShopState {
  return 'apiKeyDigest' in v;
}

function digest(v: string): Buffer {
  return createHash('sha256').update(v, 'utf8').digest();
}

function fail(status: number, message: string): SimResponse {
  return { status, body: { status, message } };
}

function publicShop(s: ShopState): MiraklShop {
  return { shopId: s.shopId, shopName: s.shopName, currency: s.currency, dateCreated: s.dateCreated };
}

function slug(v: string): string {
  return v.toLowerCase().normalize('NFD').replace(/[^a-z0-9]+/g, '') || 'sklep';
}

// ---------------------------------------------------------------------------------------------
// Sample data (Polish buyers, a small bookshop-like catalogue)

const samplePeople = [
  { firstname: 'Anna', lastname: 'Kowalska' },
  { firstname: 'Piotr', lastname: 'Wiśniewski' },
  { firstname: 'Katarzyna', lastname: 'Wójcik' },
] as const;

const sampleLines = [
  { title: 'Lalka — Bolesław Prus, wydanie kolekcjonerskie', sku: 'KS-LALKA-01', quantity: 1, unitPrice: 59.9 },
  { title: 'Słuchawki bezprzewodowe X200', sku: 'EL-SLU-X200', quantity: 1, unitPrice: 249 },
  { title: 'Kubek termiczny 450 ml', sku: 'DOM-KUB-450', quantity: 2, unitPrice: 39.99 },
] as const;
