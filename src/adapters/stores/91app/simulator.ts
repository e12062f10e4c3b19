// 91APP simulator: plays the 91APP Admin API order endpoints for tests and the sandbox. 91APP sends no order
// webhooks, so there is no sender here: orders sit in memory with an UpdateDateTime and the hub polls them.
// Every API call is POST + JSON with ShopId in the body and header x-api-key; answers use the envelope
// {"Status":"Success"|"Error","Data":…,"ErrorMessage":…}:
//   POST /ec/V1/Shop/GetShipping        {ShopId}
//   POST /ec/V2/SalesOrder/GetList      {ShopId, DateType, StartDate, EndDate, Position, Count, OrderStatus?}
//   POST /ec/V2/SalesOrder/Get          {ShopId, TMCode | TGCode}
// Member Connect Cloud (the adapter's memberApiUrl points here too), header ny-api-token (the shop's
// memberApiToken, or its apiKey), 401 {"message"} when wrong:
//   GET  /v1/members/api/members?cellphone=&email=&memberId=&page=&pageSize=   → {data:[…], page, pageSize, totalCount}
// A wrong or missing x-api-key is HTTP 401, a ShopId the key does not own 403, a bad body 400 with
// Status "Error" ([UNVERIFIED]: 91APP's HTTP codes for these are not documented).
// Control API (besides the base /_sim routes):
//   POST /_sim/shops                    {shopId, apiKey, shopName?}
//   GET  /_sim/shops
//   POST /_sim/orders                   {shopId, order?}            → creates an order (defaults for everything)
//   GET  /_sim/orders?shopId=&status=
//   POST /_sim/orders/:code/status      {status, at?}               → TMCode or TGCode; bumps UpdateDateTime
//   POST /_sim/members                  {shopId, member:{memberId?, name?, email?, cellphone?}} → 201
//   GET  /_sim/members?shopId=
import { SimInputError, Simulator, jsonBody, requireString } from '../../../sandbox/simulator.js';
import type { SimRequest, SimResponse } from '../../../sandbox/simulator.js';
import type { NinetyOneAppOrderStatus } from './adapter.js';

// The simulator's own copies of 91APP's wire facts (store-apis.md §3), so it never agrees with the adapter
// by sharing its code: paths, order states, the 7-day window, the page size and Taipei date-times.
const NINETYONEAPP_PATHS = {
  getShipping: '/ec/V1/Shop/GetShipping',
  getOrderList: '/ec/V2/SalesOrder/GetList',
  getOrder: '/ec/V2/SalesOrder/Get',
  members: '/v1/members/api/members',
} as const;
const orderStatuses = ['WaitingForPayment', 'WaitingForShipping', 'Shipping', 'Finish', 'Cancel'] as const;
const NINETYONEAPP_MAX_WINDOW_MS = 7 * 24 * 60 * 60 * 1000;
const NINETYONEAPP_PAGE_SIZE = 100;
const TAIPEI_MS = 8 * 60 * 60 * 1000;

/** Epoch ms → "yyyy-MM-ddTHH:mm:ss" in Taipei time (UTC+8, no daylight saving). */
function toTaipeiDateTime(ms: number): string {
  return new Date(ms + TAIPEI_MS).toISOString().slice(0, 19);
}

/** "yyyy-MM-ddTHH:mm:ss" (or a bare date, or with an explicit offset) → epoch ms; null for anything else. */
function parseTaipeiDateTime(v: unknown): number | null {
  if (typeof v !== 'string') return null;
  const m = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2}:\d{2})(?:\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})?$/.exec(v.trim());
  if (!m) return null;
  const ms = Date.parse(`${m[1]}T${m[2] ?? '00:00:00'}${m[3] ?? '+08:00'}`);
  return Number.isFinite(ms) ? ms : null;
}

export interface NinetyOneAppShopInput {
  /** Numeric, as 91APP shop ids are. */
  shopId: string | number;
  apiKey: string;
  /** Optional: GetShipping reports it when set, so both adapter paths (named or not) can be tested. */
  shopName?: string | null;
  /** Member Connect Cloud token; the apiKey is accepted there too. */
  memberApiToken?: string | null;
}

/** A member as Member Connect Cloud answers it (field names [UNVERIFIED], mirroring NINETYONEAPP_MEMBER_FIELDS). */
export interface NinetyOneAppMember {
  memberId: string;
  name: string | null;
  email: string | null;
  /** Local form, "0912345678". */
  cellphone: string | null;
}

export interface NinetyOneAppMemberInput {
  memberId?: string | null;
  name?: string | null;
  email?: string | null;
  cellphone?: string | null;
}

export interface NinetyOneAppShop {
  shopId: string;
  shopName: string | null;
  orderCount: number;
}

export interface NinetyOneAppOrderLine {
  TSCode: string;
  SkuId: number;
  OuterId: string | null;
  ProductName: string;
  Qty: number;
  Price: number;
}

/** A 91APP order as the simulator serves it (field names [UNVERIFIED], mirroring NINETYONEAPP_FIELDS). */
export interface NinetyOneAppOrder {
  TGCode: string;
  TMCode: string;
  ShopId: number;
  /** Taipei time, "YYYY-MM-DDTHH:mm:ss". */
  OrderDateTime: string;
  UpdateDateTime: string;
  FinishDateTime: string | null;
  OrderStatus: NinetyOneAppOrderStatus;
  TotalPayment: number;
  PayType: string;
  OrderDeliverType: string;
  MemberId: string | null;
  MemberName: string | null;
  MemberEmail: string | null;
  MemberCellphone: string | null;
  ReceiverName: string | null;
  ReceiverMobile: string | null;
  ReceiverAddress: string | null;
  ReceiverCity: string | null;
  ReceiverZipCode: string | null;
  SalesOrderSlaveList: NinetyOneAppOrderLine[];
}

export type NinetyOneAppOrderOverrides = Partial<NinetyOneAppOrder>;

export interface SetStatusOptions {
  /** When the change happened (epoch ms); defaults to now. */
  at?: number;
}

interface ShopState {
  shopId: string;
  apiKey: string;
  memberApiToken: string | null;
  shopName: string | null;
  orders: NinetyOneAppOrder[];
  members: NinetyOneAppMember[];
}

const dateTypes = ['OrderDateTime', 'FinishDateTime', 'UpdateDateTime'] as const;
type DateType = (typeof dateTypes)[number];

/** A refusal the API answers in 91APP's envelope rather than the simulator's control-API shape. */
class ApiRefusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export class NinetyOneAppSimulator extends Simulator {
  readonly name = '91app';
  private shops = new Map<string, ShopState>();
  private codeSeq = 0;

  constructor() {
    super();
    this.route('POST', NINETYONEAPP_PATHS.getShipping, (req) => this.api(req, (shop) => this.getShipping(shop)));
    this.route('POST', NINETYONEAPP_PATHS.getOrderList, (req) => this.api(req, (shop, body) => this.getOrderList(shop, body)));
    this.route('POST', NINETYONEAPP_PATHS.getOrder, (req) => this.api(req, (shop, body) => this.getOrder(shop, body)));
    this.route('GET', NINETYONEAPP_PATHS.members, (req) => this.listMembers(req));
    this.registerControlRoutes();
  }

  addShop(input: NinetyOneAppShopInput): NinetyOneAppShop {
    const shopId = String(input.shopId ?? '').trim();
    if (!/^\d{1,15}$/.test(shopId) || Number(shopId) <= 0) throw new SimInputError(400, 'shopId must be a positive number, e.g. "12345"');
    const apiKey = typeof input.apiKey === 'string' ? input.apiKey.trim() : '';
    if (!apiKey) throw new SimInputError(400, 'apiKey is required');
    const clash = [...this.shops.values()].find((s) => s.apiKey === apiKey && s.shopId !== shopId);
    if (clash) throw new SimInputError(409, `apiKey is already registered for shop ${clash.shopId}`);
    const previous = this.shops.get(shopId);
    const shop: ShopState = {
      shopId,
      apiKey,
      memberApiToken: input.memberApiToken?.trim() || null,
      shopName: input.shopName?.trim() || null,
      orders: previous?.orders ?? [],
      members: previous?.members ?? [],
    };
    this.shops.set(shopId, shop);
    return publicShop(shop);
  }

  shopList(): NinetyOneAppShop[] {
    return [...this.shops.values()].map(publicShop);
  }

  orders(shopId: string | number): NinetyOneAppOrder[] {
    return this.shop(shopId).orders;
  }

  members(shopId: string | number): NinetyOneAppMember[] {
    return this.shop(shopId).members;
  }

  /** Adds a member; the cellphone is kept in local form ("0912345678") as 91APP shows it. */
  addMember(shopId: string | number, input: NinetyOneAppMemberInput): NinetyOneAppMember {
    const shop = this.shop(shopId);
    const email = optionalText(input.email, 'email')?.toLowerCase() ?? null;
    const rawPhone = optionalText(input.cellphone, 'cellphone');
    const cellphone = rawPhone === null ? null : localCellphone(rawPhone);
    if (email === null && cellphone === null) throw new SimInputError(400, 'email or cellphone is required');
    if (email !== null && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) throw new SimInputError(400, 'email is invalid');
    if (cellphone !== null && !/^09\d{8}$/.test(cellphone)) throw new SimInputError(400, 'cellphone must be a Taiwan mobile, e.g. 0912345678 or +886912345678');
    const memberId = optionalText(input.memberId, 'memberId') ?? String(800_000 + shop.members.length + 1);
    if (shop.members.some((m) => m.memberId === memberId)) throw new SimInputError(409, `member ${memberId} already exists`);
    const member: NinetyOneAppMember = { memberId, name: optionalText(input.name, 'name'), email, cellphone };
    shop.members.push(member);
    return member;
  }

  /** Creates an order (WaitingForPayment unless overridden) with plausible defaults for every field. */
  createOrder(shopId: string | number, overrides: NinetyOneAppOrderOverrides = {}): NinetyOneAppOrder {
    const shop = this.shop(shopId);
    if (overrides.OrderStatus !== undefined) requireStatus(overrides.OrderStatus);
    const order = { ...this.buildOrder(shop), ...overrides };
    shop.orders.push(order);
    return order;
  }

  /** Moves an order (by TMCode or TGCode) to a status and bumps its UpdateDateTime, as 91APP's back office does. */
  setOrderStatus(code: string, status: string, options: SetStatusOptions = {}): NinetyOneAppOrder {
    const next = requireStatus(status);
    const at = options.at ?? Date.now();
    if (!Number.isFinite(at)) throw new SimInputError(400, 'at must be epoch milliseconds');
    const order = this.findOrder(code);
    if (!order) throw new SimInputError(404, `order ${code} not found`);
    order.OrderStatus = next;
    order.UpdateDateTime = toTaipeiDateTime(at);
    if (next === 'Finish') order.FinishDateTime = order.UpdateDateTime;
    return order;
  }

  protected override resetState(): void {
    this.shops.clear();
    this.codeSeq = 0;
  }

  /** 91APP's envelope, so injected faults look like the real API. */
  protected override faultBody(status: number): unknown {
    return envelopeError(status === 429 ? 'Too Many Requests' : `simulated ${status}`);
  }

  // ---------------------------------------------------------------------------------------------
  // Admin API

  /** Checks x-api-key and ShopId, then runs the endpoint; refusals come back in the envelope. */
  private api(req: SimRequest, handler: (shop: ShopState, body: Record<string, unknown>) => SimResponse): SimResponse {
    try {
      const key = req.headers['x-api-key']?.trim();
      const shop = key ? [...this.shops.values()].find((s) => s.apiKey === key) : undefined;
      if (!shop) throw new ApiRefusal(401, 'Unauthorized: x-api-key is missing or invalid');
      const body = req.json;
      if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new ApiRefusal(400, 'Request body must be a JSON object');
      const b = body as Record<string, unknown>;
      const shopId = typeof b['ShopId'] === 'number' || typeof b['ShopId'] === 'string' ? String(b['ShopId']).trim() : '';
      if (!shopId) throw new ApiRefusal(400, 'ShopId is required');
      if (shopId !== shop.shopId) throw new ApiRefusal(403, `Forbidden: this x-api-key has no permission for ShopId ${shopId}`);
      return handler(shop, b);
    } catch (err) {
      if (!(err instanceof ApiRefusal)) throw err;
      return { status: err.status, body: envelopeError(err.message) };
    }
  }

  private getShipping(shop: ShopState): SimResponse {
    const list = [
      { ShippingProfileTypeDef: 'Home', Name: '宅配', Fee: 100 },
      { ShippingProfileTypeDef: 'FamilyMartPickup', Name: '全家取貨', Fee: 60 },
    ];
    const data: Record<string, unknown> = { ShopId: Number(shop.shopId), List: list };
    if (shop.shopName) data['ShopName'] = shop.shopName;
    return success(data);
  }

  private getOrderList(shop: ShopState, b: Record<string, unknown>): SimResponse {
    const dateType = b['DateType'];
    if (typeof dateType !== 'string' || !(dateTypes as readonly string[]).includes(dateType)) {
      throw new ApiRefusal(400, `DateType must be one of ${dateTypes.join(', ')}`);
    }
    const { start, end } = readWindow(b);
    const position = readInteger(b, 'Position', 0, 0, Number.MAX_SAFE_INTEGER);
    const count = readInteger(b, 'Count', NINETYONEAPP_PAGE_SIZE, 1, NINETYONEAPP_PAGE_SIZE);
    const status = b['OrderStatus'];
    if (status !== undefined && status !== null && (typeof status !== 'string' || !(orderStatuses as readonly string[]).includes(status))) {
      throw new ApiRefusal(400, `OrderStatus must be one of ${orderStatuses.join(', ')}`);
    }
    const matching = shop.orders
      .map((order) => ({ order, at: parseTaipeiDateTime(order[dateType as DateType]) }))
      .filter((o): o is { order: NinetyOneAppOrder; at: number } => o.at !== null && o.at >= start && o.at <= end)
      .filter((o) => !status || o.order.OrderStatus === status)
      // A stable order so Position paging neither skips nor repeats.
      .sort((a, b2) => a.at - b2.at || a.order.TMCode.localeCompare(b2.order.TMCode))
      .map((o) => o.order);
    return success({ TotalCount: matching.length, List: matching.slice(position, position + count) });
  }

  /** Member Connect Cloud lookup: ny-api-token picks the shop; filters are exact, unknown ones ignored. */
  private listMembers(req: SimRequest): SimResponse {
    const token = (req.headers['ny-api-token'] ?? req.headers['n1-api-key'] ?? '').trim();
    const shop = token ? [...this.shops.values()].find((s) => s.memberApiToken === token || s.apiKey === token) : undefined;
    if (!shop) return { status: 401, body: { message: 'Unauthorized: ny-api-token is missing or invalid' } };
    const page = queryInt(req.query['page'], 'page', 1, 1_000_000);
    const pageSize = queryInt(req.query['pageSize'], 'pageSize', 20, 100);
    if (typeof page === 'string') return { status: 400, body: { message: page } };
    if (typeof pageSize === 'string') return { status: 400, body: { message: pageSize } };
    const email = req.query['email']?.trim().toLowerCase() || null;
    const phone = req.query['cellphone']?.trim() || null;
    const memberId = req.query['memberId']?.trim() || null;
    const matching = shop.members.filter(
      (m) => (email === null || m.email === email) && (phone === null || m.cellphone === localCellphone(phone)) && (memberId === null || m.memberId === memberId),
    );
    return { status: 200, body: { data: matching.slice((page - 1) * pageSize, page * pageSize), page, pageSize, totalCount: matching.length } };
  }

  private getOrder(shop: ShopState, b: Record<string, unknown>): SimResponse {
    const tm = typeof b['TMCode'] === 'string' ? b['TMCode'].trim() : '';
    const tg = typeof b['TGCode'] === 'string' ? b['TGCode'].trim() : '';
    if (!tm && !tg) throw new ApiRefusal(400, 'TMCode or TGCode is required');
    const order = shop.orders.find((o) => (tm ? o.TMCode === tm : o.TGCode === tg));
    // [UNVERIFIED] how 91APP answers an unknown code; a Status "Error" envelope is the plausible shape.
    if (!order) return { status: 200, body: envelopeError(`SalesOrder not found: ${tm || tg}`) };
    return success(order);
  }

  // ---------------------------------------------------------------------------------------------
  // Orders

  private buildOrder(shop: ShopState): NinetyOneAppOrder {
    const n = shop.orders.length;
    const person = samplePeople[n % samplePeople.length]!;
    const product = sampleProducts[n % sampleProducts.length]!;
    const now = toTaipeiDateTime(Date.now());
    const day = now.slice(2, 10).replace(/-/g, '');
    const seq = ++this.codeSeq;
    const qty = 1 + (n % 2);
    const shippingFee = 100;
    return {
      TGCode: `TG${day}K${String(seq).padStart(5, '0')}`,
      TMCode: `TM${day}K${String(seq).padStart(5, '0')}`,
      ShopId: Number(shop.shopId),
      OrderDateTime: now,
      UpdateDateTime: now,
      FinishDateTime: null,
      OrderStatus: 'WaitingForPayment',
      TotalPayment: product.price * qty + shippingFee,
      PayType: 'CreditCardOnce',
      OrderDeliverType: 'Home',
      MemberId: String(900_000 + seq),
      MemberName: person.name,
      MemberEmail: person.email,
      MemberCellphone: person.cellphone,
      ReceiverName: person.name,
      ReceiverMobile: person.cellphone,
      ReceiverAddress: person.address,
      ReceiverCity: person.city,
      ReceiverZipCode: person.zip,
      SalesOrderSlaveList: [
        { TSCode: `TS${day}K${String(seq).padStart(5, '0')}01`, SkuId: product.skuId, OuterId: product.outerId, ProductName: product.name, Qty: qty, Price: product.price },
      ],
    };
  }

  private findOrder(code: string): NinetyOneAppOrder | undefined {
    const c = String(code ?? '').trim();
    for (const shop of this.shops.values()) {
      const found = shop.orders.find((o) => o.TMCode === c) ?? shop.orders.find((o) => o.TGCode === c);
      if (found) return found;
    }
    return undefined;
  }

  private shop(shopId: string | number): ShopState {
    const shop = this.shops.get(String(shopId ?? '').trim());
    if (!shop) throw new SimInputError(404, `shop ${shopId} not found`);
    return shop;
  }

  // ---------------------------------------------------------------------------------------------
  // Control API

  private registerControlRoutes(): void {
    this.control('POST', '/_sim/shops', (req) => {
      const b = jsonBody(req);
      const shopId = typeof b['shopId'] === 'number' ? String(b['shopId']) : requireString(b, 'shopId');
      const shopName = b['shopName'];
      if (shopName !== undefined && shopName !== null && typeof shopName !== 'string') throw new SimInputError(400, 'shopName must be a string');
      const memberApiToken = b['memberApiToken'];
      if (memberApiToken !== undefined && memberApiToken !== null && typeof memberApiToken !== 'string') throw new SimInputError(400, 'memberApiToken must be a string');
      return { status: 201, body: this.addShop({ shopId, apiKey: requireString(b, 'apiKey'), shopName: shopName ?? null, memberApiToken: memberApiToken ?? null }) };
    });
    this.control('GET', '/_sim/shops', () => ({ status: 200, body: this.shopList() }));
    this.control('POST', '/_sim/orders', (req) => {
      const b = jsonBody(req);
      const shopId = typeof b['shopId'] === 'number' ? String(b['shopId']) : requireString(b, 'shopId');
      const order = b['order'];
      if (order !== undefined && (order === null || typeof order !== 'object' || Array.isArray(order))) throw new SimInputError(400, 'order must be an object of field overrides');
      return { status: 201, body: this.createOrder(shopId, (order ?? {}) as NinetyOneAppOrderOverrides) };
    });
    this.control('POST', '/_sim/members', (req) => {
      const b = jsonBody(req);
      const shopId = typeof b['shopId'] === 'number' ? String(b['shopId']) : requireString(b, 'shopId');
      const member = b['member'];
      if (member === null || typeof member !== 'object' || Array.isArray(member)) throw new SimInputError(400, 'member (an object with name, email, cellphone) is required');
      return { status: 201, body: this.addMember(shopId, member as NinetyOneAppMemberInput) };
    });
    this.control('GET', '/_sim/members', (req) => ({ status: 200, body: this.members(req.query['shopId'] ?? '') }));
    this.control('GET', '/_sim/orders', (req) => {
      const shopId = req.query['shopId'];
      const status = req.query['status'];
      if (status) requireStatus(status);
      const orders = shopId ? this.orders(shopId) : [...this.shops.values()].flatMap((s) => s.orders);
      return { status: 200, body: status ? orders.filter((o) => o.OrderStatus === status) : orders };
    });
    this.control('POST', '/_sim/orders/:code/status', (req, p) => {
      const b = jsonBody(req);
      const at = b['at'];
      if (at !== undefined && typeof at !== 'number') throw new SimInputError(400, 'at must be epoch milliseconds');
      return { status: 200, body: this.setOrderStatus(p['code']!, requireString(b, 'status'), { at }) };
    });
  }
}

function publicShop(s: ShopState): NinetyOneAppShop {
  return { shopId: s.shopId, shopName: s.shopName, orderCount: s.orders.length };
}

function requireStatus(status: unknown): NinetyOneAppOrderStatus {
  if (typeof status !== 'string' || !(orderStatuses as readonly string[]).includes(status)) {
    throw new SimInputError(400, `status must be one of ${orderStatuses.join(', ')}`);
  }
  return status as NinetyOneAppOrderStatus;
}

function optionalText(v: unknown, field: string): string | null {
  if (v === undefined || v === null || v === '') return null;
  if (typeof v !== 'string') throw new SimInputError(400, `${field} must be a string`);
  return v.trim() || null;
}

/** "+886 912-345-678" → "0912345678"; anything that is not a Taiwan mobile is returned compacted. */
function localCellphone(phone: string): string {
  const compact = phone.replace(/[\s().-]/g, '');
  const tw = /^(?:\+|00)?886(9\d{8})$/.exec(compact);
  return tw ? `0${tw[1]}` : compact;
}

/** A query integer in [min, max], the fallback when absent, or the refusal message. */
function queryInt(v: string | undefined, field: string, fallback: number, max: number): number | string {
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  return Number.isInteger(n) && n >= 1 && n <= max ? n : `${field} must be an integer from 1 to ${max}`;
}

function success(data: unknown): SimResponse {
  return { status: 200, body: { Status: 'Success', Data: data, ErrorMessage: null } };
}

function envelopeError(message: string): unknown {
  return { Status: 'Error', Data: null, ErrorMessage: message };
}

/** StartDate/EndDate as Taipei times; a date-only EndDate covers its whole day. The span is at most 7 days. */
function readWindow(b: Record<string, unknown>): { start: number; end: number } {
  const start = parseTaipeiDateTime(b['StartDate']);
  let end = parseTaipeiDateTime(b['EndDate']);
  if (start === null) throw new ApiRefusal(400, 'StartDate is required, as yyyy-MM-ddTHH:mm:ss');
  if (end === null) throw new ApiRefusal(400, 'EndDate is required, as yyyy-MM-ddTHH:mm:ss');
  if (/^\d{4}-\d{2}-\d{2}$/.test(String(b['EndDate']).trim())) end += 24 * 60 * 60 * 1000 - 1;
  if (end < start) throw new ApiRefusal(400, 'EndDate must not be earlier than StartDate');
  if (end - start > NINETYONEAPP_MAX_WINDOW_MS) throw new ApiRefusal(400, 'The range between StartDate and EndDate must not exceed 7 days');
  return { start, end };
}

function readInteger(b: Record<string, unknown>, field: string, fallback: number, min: number, max: number): number {
  const v = b[field];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new ApiRefusal(400, `${field} must be an integer from ${min} to ${max}`);
  return v;
}

// Sample members with mobiles in the formats buyers type them.
const samplePeople = [
  { name: '王美玲', email: 'meiling.wang@example.com.tw', cellphone: '0912345678', address: '信義路五段7號', city: '台北市', zip: '110' },
  { name: '陳志明', email: 'chihming.chen@example.com.tw', cellphone: '0922-123-456', address: '中正路100號', city: '台中市', zip: '400' },
  { name: '林怡君', email: 'yichun.lin@example.com.tw', cellphone: '+886 933 456 789', address: '成功路88號', city: '高雄市', zip: '800' },
] as const;

const sampleProducts = [
  { name: '經典棉質T恤', skuId: 1_001_001, outerId: 'TEE-BLK-M', price: 590 },
  { name: '陶瓷手沖咖啡組', skuId: 1_001_002, outerId: 'POUR-SET-01', price: 1280 },
  { name: '羊毛襪', skuId: 1_001_003, outerId: null, price: 350 },
] as const;
