// 91APP (Taiwan) store adapter. 91APP has no public order webhooks, so the hub polls
// POST /ec/V2/SalesOrder/GetList by UpdateDateTime and turns each order's current status into one event.
// Protocol facts: /work/shared/reference/store-apis.md §3 (Admin API: POST + JSON, x-api-key, ShopId in
// the body, {"Status","Data","ErrorMessage"} envelope, windows of at most 7 days, Position/Count paging).
//
// ORDER FIELD NAMES ARE [UNVERIFIED]: the reference does not document the order body. The names below are
// the one place to change them (NINETYONEAPP_FIELDS; the simulator's NinetyOneAppOrder type mirrors them).
//   Order:  TGCode (order group, the number the buyer sees), TMCode (main order), OrderDateTime,
//           UpdateDateTime, FinishDateTime, OrderStatus, TotalPayment, PayType, MemberId, MemberName,
//           MemberEmail, MemberCellphone, ReceiverName, ReceiverMobile, ReceiverAddress, ReceiverCity,
//           ReceiverZipCode, SalesOrderSlaveList
//   Line:   TSCode, SkuId, OuterId, ProductName, Qty, Price
//   List:   Data.List and Data.TotalCount
import type { RawWebhook } from '../../../core/channels/ports.js';
import { ProviderError } from '../../../core/errors.js';
import type { EventType, NormalizedEvent, OrderAddress, OrderLine, OrderSnapshot } from '../../../core/events/model.js';
import type {
  OrderPollPage,
  OrderPollWindow,
  ParsedStoreWebhook,
  StoreAdapter,
  StoreConnectionCredentials,
  StoreCustomer,
  VerifiedStore,
} from '../../../core/stores/ports.js';
import type { HttpResponse } from '../../http-client.js';
import { classifyHttpFailure, httpRequest, parseJson } from '../../http-client.js';
import type { Json } from '../rest-order.js';
import { isJson, num, obj, text } from '../rest-order.js';

/** Field names of 91APP order bodies ([UNVERIFIED], see the header comment). */
export const NINETYONEAPP_FIELDS = {
  tgCode: 'TGCode',
  tmCode: 'TMCode',
  orderDateTime: 'OrderDateTime',
  updateDateTime: 'UpdateDateTime',
  finishDateTime: 'FinishDateTime',
  orderStatus: 'OrderStatus',
  totalPayment: 'TotalPayment',
  payType: 'PayType',
  memberId: 'MemberId',
  memberName: 'MemberName',
  memberEmail: 'MemberEmail',
  memberCellphone: 'MemberCellphone',
  receiverName: 'ReceiverName',
  receiverMobile: 'ReceiverMobile',
  receiverAddress: 'ReceiverAddress',
  receiverCity: 'ReceiverCity',
  receiverZipCode: 'ReceiverZipCode',
  lines: 'SalesOrderSlaveList',
  tsCode: 'TSCode',
  skuId: 'SkuId',
  outerId: 'OuterId',
  productName: 'ProductName',
  qty: 'Qty',
  price: 'Price',
  list: 'List',
  totalCount: 'TotalCount',
} as const;
const F = NINETYONEAPP_FIELDS;

export const NINETYONEAPP_PATHS = {
  getShipping: '/ec/V1/Shop/GetShipping',
  getOrderList: '/ec/V2/SalesOrder/GetList',
  getOrder: '/ec/V2/SalesOrder/Get',
  /** Member Connect Cloud (memberApiUrl), header ny-api-token (store-apis.md §3c). */
  members: '/v1/members/api/members',
} as const;

export const NINETYONEAPP_MEMBER_API = 'https://member-api.91app.com';

/**
 * Member Connect Cloud answer field names. [UNVERIFIED]: the reference gives the query (cellphone, email,
 * memberId, page, pageSize) but not the answer; camelCase like the query, list under `data`.
 */
export const NINETYONEAPP_MEMBER_FIELDS = {
  list: 'data',
  memberId: 'memberId',
  name: 'name',
  email: 'email',
  cellphone: 'cellphone',
} as const;

/** GetList refuses wider windows (store-apis.md §3b); the poller splits longer ranges. */
export const NINETYONEAPP_MAX_WINDOW_MS = 7 * 24 * 60 * 60 * 1000;
/** The documented page maximum. */
export const NINETYONEAPP_PAGE_SIZE = 100;

export const orderStatuses = ['WaitingForPayment', 'WaitingForShipping', 'Shipping', 'Finish', 'Cancel'] as const;
export type NinetyOneAppOrderStatus = (typeof orderStatuses)[number];

const statusEvents: Record<NinetyOneAppOrderStatus, EventType> = {
  WaitingForPayment: 'order.placed',
  WaitingForShipping: 'order.paid',
  Shipping: 'order.shipped',
  Finish: 'order.delivered',
  Cancel: 'order.cancelled',
};

export interface NinetyOneAppAdapterOptions {
  /** The Admin API origin, without a trailing slash. Tests and the sandbox point it at the simulator. */
  baseUrl?: string;
  /** The Member Connect Cloud origin (member lookup); https://member-api.91app.com by default. */
  memberApiUrl?: string;
  timeoutMs?: number;
}

interface Credentials {
  shopId: number;
  apiKey: string;
  storeUrl: string | null;
}

interface Envelope {
  status: string | null;
  data: unknown;
  errorMessage: string | null;
}

// 91APP's error texts are not catalogued; these are the words an auth refusal plausibly uses (EN and zh-TW).
const AUTH_MESSAGE = /unauthori[sz]ed|forbidden|permission|api[ -]?key|access denied|authenticat|權限|授權|金鑰/i;
const NOT_FOUND_MESSAGE = /not found|not exist|查無|不存在/i;

export class NinetyOneAppAdapter implements StoreAdapter {
  readonly platform = '91app' as const;
  readonly maxPollWindowMs = NINETYONEAPP_MAX_WINDOW_MS;
  private readonly baseUrl: string;
  private readonly memberApiUrl: string;
  private readonly timeoutMs: number;

  constructor(options: NinetyOneAppAdapterOptions = {}) {
    // The real host per merchant is unverified (store-apis.md §3); api.91app.com is the documented example.
    this.baseUrl = (options.baseUrl ?? 'https://api.91app.com').replace(/\/+$/, '');
    this.memberApiUrl = (options.memberApiUrl ?? NINETYONEAPP_MEMBER_API).replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  /**
   * The member's orders placed in [since, now), newest first, at most `limit`. GetList takes windows of at
   * most 7 days, so the range is walked backwards from now one window at a time (14 days → two windows),
   * stopping once `limit` orders are found: every later window is older.
   */
  async customerOrders(connection: StoreConnectionCredentials, query: { customer: StoreCustomer; since: number; limit: number }): Promise<OrderSnapshot[]> {
    const creds = readCredentials(connection);
    if (query.limit <= 0) return [];
    const found = new Map<string, OrderSnapshot>();
    for (const window of historyWindows(query.since, Date.now())) {
      for (const order of await this.ordersPlacedIn(creds, window)) {
        const snap = orderSnapshot(order, creds.storeUrl);
        const at = snap.createdAt ? Date.parse(snap.createdAt) : NaN;
        if (at >= query.since && isMembersOrder(snap, query.customer)) found.set(snap.externalId, snap);
      }
      if (found.size >= query.limit) break;
    }
    return [...found.values()].sort((a, b) => Date.parse(b.createdAt ?? '') - Date.parse(a.createdAt ?? '')).slice(0, query.limit);
  }

  /**
   * The member with this e-mail or phone through Member Connect Cloud (ny-api-token: secrets.memberApiToken,
   * else the apiKey); null when unknown or when no token is configured.
   */
  async findCustomer(connection: StoreConnectionCredentials, query: { email?: string | null; phone?: string | null }): Promise<StoreCustomer | null> {
    const token = connection.secrets['memberApiToken']?.trim() || connection.secrets['apiKey']?.trim();
    if (!token) return null;
    const email = query.email?.trim().toLowerCase() || null;
    const phone = query.phone?.trim() || null;
    if (email) {
      const hit = await this.searchMembers(token, { email }, (m) => text(m[MF.email])?.toLowerCase() === email);
      if (hit) return hit;
    }
    if (phone) {
      const wanted = taiwanPhoneToE164(phone);
      return this.searchMembers(token, { cellphone: taiwanLocalPhone(phone) }, (m) => taiwanPhoneToE164(text(m[MF.cellphone])) === wanted);
    }
    return null;
  }

  /** The order group the buyer sees (TGCode, e.g. "TG260105K00001"); null when 91APP does not know it. */
  async findOrderByNumber(connection: StoreConnectionCredentials, orderNumber: string): Promise<OrderSnapshot | null> {
    const creds = readCredentials(connection);
    const tgCode = orderNumber.trim().replace(/^#/, '');
    if (!/^[0-9A-Za-z-]{1,40}$/.test(tgCode)) return null;
    const envelope = await this.call(creds, NINETYONEAPP_PATHS.getOrder, { TGCode: tgCode }, 'SalesOrder/Get');
    if (envelope.status === 'Error' && NOT_FOUND_MESSAGE.test(envelope.errorMessage ?? '')) return null;
    const data = obj(requireSuccess(envelope, creds, 'SalesOrder/Get'));
    const list = data?.[F.list];
    const order = Array.isArray(list) ? obj(list[0]) : data;
    return order && text(order[F.tgCode]) === tgCode ? orderSnapshot(order, creds.storeUrl) : null;
  }

  /** Every order placed in one ≤7-day window, following Position until the window is exhausted. */
  private async ordersPlacedIn(creds: Credentials, window: { start: number; end: number }): Promise<Json[]> {
    const orders: Json[] = [];
    let position: number | null = 0;
    while (position !== null) {
      const envelope = await this.call(
        creds,
        NINETYONEAPP_PATHS.getOrderList,
        { DateType: 'OrderDateTime', StartDate: toTaipeiDateTime(window.start), EndDate: toTaipeiDateTime(window.end), Position: position, Count: NINETYONEAPP_PAGE_SIZE },
        'SalesOrder/GetList',
      );
      const data = obj(requireSuccess(envelope, creds, 'SalesOrder/GetList'));
      const list = data?.[F.list];
      if (!Array.isArray(list)) throw new ProviderError('retryable', '91APP SalesOrder/GetList answered without Data.List');
      orders.push(...list.map(obj).filter(isJson));
      const next = nextCursor(position, list.length, num(data?.[F.totalCount]));
      position = next === null ? null : Number(next);
    }
    return orders;
  }

  private async searchMembers(token: string, filter: Record<string, string>, matches: (m: Json) => boolean): Promise<StoreCustomer | null> {
    const params = new URLSearchParams({ ...filter, page: '1', pageSize: '20' });
    const res = await httpRequest({
      method: 'GET',
      url: `${this.memberApiUrl}${NINETYONEAPP_PATHS.members}?${params.toString()}`,
      headers: { 'ny-api-token': token, accept: 'application/json' },
      timeoutMs: this.timeoutMs,
    });
    const body = parseJson(res.text);
    const reason = memberErrorText(body);
    if (res.status === 404) return null;
    if (res.status === 401 || res.status === 403) {
      throw new ProviderError('permanent', `91APP Member Connect Cloud refused the member API token (HTTP ${res.status})${reason ? `: ${reason}` : ''}`, { httpStatus: res.status });
    }
    if (res.status < 200 || res.status > 299) throw httpFailure(res, 'members', reason);
    const b = obj(body);
    const raw = Array.isArray(body) ? body : b?.[MF.list];
    const members = (Array.isArray(raw) ? raw : []).map(obj).filter(isJson);
    // Matched exactly here: a lookup that ignored a filter would answer a page of every member.
    const hit = members.find(matches);
    return hit ? memberToCustomer(hit) : null;
  }

  async verifyConnection(connection: StoreConnectionCredentials): Promise<VerifiedStore> {
    const creds = readCredentials(connection);
    const envelope = await this.call(creds, NINETYONEAPP_PATHS.getShipping, {}, 'GetShipping');
    const data = requireSuccess(envelope, creds, 'GetShipping');
    const shop = obj(data);
    const shippings = Array.isArray(data) ? data : shop && Array.isArray(shop[F.list]) ? shop[F.list] : null;
    const name = shop ? (text(shop['ShopName']) ?? text(shop['Name'])) : null;
    return {
      displayName: name ?? `91APP shop ${creds.shopId}`,
      details: {
        shopId: String(creds.shopId),
        storeUrl: creds.storeUrl,
        apiBase: this.baseUrl,
        shippingMethods: Array.isArray(shippings) ? shippings.length : null,
      },
    };
  }

  /** 91APP sends no order webhooks, so no webhook can be genuine. */
  verifyWebhook(_connection: StoreConnectionCredentials, _webhook: RawWebhook): boolean {
    return false;
  }

  deliveryId(_webhook: RawWebhook): string | null {
    return null;
  }

  parseWebhook(_webhook: RawWebhook): ParsedStoreWebhook {
    throw new Error('91APP has no order webhooks; orders are polled');
  }

  async pollOrders(connection: StoreConnectionCredentials, window: OrderPollWindow): Promise<OrderPollPage> {
    assertWindow(window);
    const creds = readCredentials(connection);
    const position = parseCursor(window.cursor);
    if (window.until <= window.since) return { events: [], cursor: null };
    const envelope = await this.call(
      creds,
      NINETYONEAPP_PATHS.getOrderList,
      {
        DateType: 'UpdateDateTime',
        StartDate: toTaipeiDateTime(window.since),
        EndDate: inclusiveEndDate(window.until),
        Position: position,
        Count: NINETYONEAPP_PAGE_SIZE,
      },
      'SalesOrder/GetList',
    );
    const data = obj(requireSuccess(envelope, creds, 'SalesOrder/GetList'));
    const list = data?.[F.list];
    if (!Array.isArray(list)) throw new ProviderError('retryable', '91APP SalesOrder/GetList answered without Data.List');
    const orders = list.map(obj).filter(isJson);
    const events = orders.map((o) => orderToEvent(o, creds)).filter((e): e is NormalizedEvent => e !== null);
    return { events, cursor: nextCursor(position, list.length, num(data?.[F.totalCount])) };
  }

  /** One order by its TMCode (main order code); null when 91APP does not know it. */
  async fetchOrder(connection: StoreConnectionCredentials, code: string): Promise<OrderSnapshot | null> {
    const creds = readCredentials(connection);
    const tmCode = code.trim();
    if (!tmCode) throw new Error('91APP order code (TMCode) is required');
    const envelope = await this.call(creds, NINETYONEAPP_PATHS.getOrder, { TMCode: tmCode }, 'SalesOrder/Get');
    if (envelope.status === 'Error' && NOT_FOUND_MESSAGE.test(envelope.errorMessage ?? '')) return null;
    const data = requireSuccess(envelope, creds, 'SalesOrder/Get');
    // Get may answer the order itself or a one-element List; both shapes are accepted ([UNVERIFIED]).
    const holder = obj(data);
    const list = holder?.[F.list];
    const listed = Array.isArray(list) ? obj(list[0]) : null;
    const order = listed ?? (holder && (text(holder[F.tmCode]) || text(holder[F.tgCode])) ? holder : null);
    return order ? orderSnapshot(order, creds.storeUrl) : null;
  }

  /** POSTs one Admin API call and settles HTTP-level failures; the envelope is left to the caller. */
  private async call(creds: Credentials, path: string, payload: Json, what: string): Promise<Envelope> {
    const res = await httpRequest({
      method: 'POST',
      url: `${this.baseUrl}${path}`,
      headers: { 'x-api-key': creds.apiKey, 'content-type': 'application/json; charset=utf-8', accept: 'application/json' },
      body: JSON.stringify({ ShopId: creds.shopId, ...payload }),
      timeoutMs: this.timeoutMs,
    });
    const envelope = readEnvelope(parseJson(res.text));
    if (res.status === 401 || res.status === 403) throw refused(creds, envelope.errorMessage, res.status);
    if (res.status < 200 || res.status > 299) throw httpFailure(res, what, envelope.errorMessage);
    return envelope;
  }
}

// ---------------------------------------------------------------------------------------------
// History and members

const MF = NINETYONEAPP_MEMBER_FIELDS;

/** [since, until] as ≤7-day windows, newest first; windows end one second before the next one starts. */
export function historyWindows(since: number, until: number): Array<{ start: number; end: number }> {
  const windows: Array<{ start: number; end: number }> = [];
  let end = until;
  while (end >= since) {
    // The window spans at most 7 days inclusive of its last second, as GetList checks EndDate − StartDate.
    const start = Math.max(since, end - NINETYONEAPP_MAX_WINDOW_MS);
    windows.push({ start, end });
    end = start - 1000;
  }
  return windows;
}

function isMembersOrder(order: OrderSnapshot, customer: StoreCustomer): boolean {
  if (order.customerExternalId !== null) return order.customerExternalId === customer.externalId;
  const email = customer.email?.toLowerCase() ?? null;
  return (email !== null && order.email?.toLowerCase() === email) || (customer.phone !== null && order.phone === taiwanPhoneToE164(customer.phone));
}

function memberToCustomer(m: Json): StoreCustomer | null {
  const externalId = text(m[MF.memberId]);
  if (!externalId) return null;
  return { externalId, name: text(m[MF.name]), email: text(m[MF.email]), phone: taiwanPhoneToE164(text(m[MF.cellphone])) };
}

function memberErrorText(body: unknown): string | null {
  const b = obj(body);
  return b ? (text(b['message']) ?? text(b['error']) ?? text(b['ErrorMessage'])) : null;
}

/** "+886912345678" → "0912345678", the form 91APP members' cellphones are kept in; others as given. */
export function taiwanLocalPhone(phone: string): string {
  const compact = phone.replace(/[\s().-]/g, '');
  const tw = /^(?:\+|00)886(9\d{8})$/.exec(compact);
  return tw ? `0${tw[1]}` : compact;
}

// ---------------------------------------------------------------------------------------------
// Envelope and errors

function readEnvelope(body: unknown): Envelope {
  const b = obj(body);
  return { status: b ? text(b['Status']) : null, data: b ? b['Data'] : null, errorMessage: b ? text(b['ErrorMessage']) : null };
}

/** The envelope's Data, or a ProviderError: Status=Error is a refusal 91APP will repeat, so permanent. */
function requireSuccess(envelope: Envelope, creds: Credentials, what: string): unknown {
  if (envelope.status === 'Success') return envelope.data;
  if (envelope.status === 'Error') {
    const reason = envelope.errorMessage ?? 'no ErrorMessage';
    if (AUTH_MESSAGE.test(reason)) throw refused(creds, reason, null);
    throw new ProviderError('permanent', `91APP ${what} returned an error: ${reason}`);
  }
  throw new ProviderError('retryable', `91APP ${what} answered without the Status envelope`);
}

function refused(creds: Credentials, reason: string | null, httpStatus: number | null): ProviderError {
  const how = httpStatus === null ? '' : ` (HTTP ${httpStatus})`;
  return new ProviderError('permanent', `91APP refused the API key for shop ${creds.shopId}${how}${reason ? `: ${reason}` : ''}`, { httpStatus });
}

function httpFailure(res: HttpResponse, what: string, reason: string | null): ProviderError {
  return classifyHttpFailure(res, `91APP ${what} answered HTTP ${res.status}${reason ? `: ${reason}` : ''}`);
}

function readCredentials(connection: StoreConnectionCredentials): Credentials {
  const rawShopId = connection.settings['shopId']?.trim() ?? '';
  const shopId = /^\d{1,15}$/.test(rawShopId) ? Number(rawShopId) : NaN;
  if (!Number.isSafeInteger(shopId) || shopId <= 0) throw new ProviderError('permanent', '91APP shop id is missing or not a number (settings.shopId, e.g. "12345")');
  const apiKey = connection.secrets['apiKey']?.trim();
  if (!apiKey) throw new ProviderError('permanent', '91APP API key is missing (secrets.apiKey)');
  return { shopId, apiKey, storeUrl: normalizeStoreUrl(connection.settings['storeUrl']) };
}

function normalizeStoreUrl(v: string | undefined): string | null {
  const t = v?.trim();
  if (!t) return null;
  try {
    const url = new URL(/^https?:\/\//i.test(t) ? t : `https://${t}`);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.origin : null;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// Poll window and paging

function assertWindow(window: OrderPollWindow): void {
  if (!Number.isFinite(window.since) || !Number.isFinite(window.until)) throw new Error('91APP poll window needs finite since and until');
  if (window.until - window.since > NINETYONEAPP_MAX_WINDOW_MS) {
    throw new Error('91APP poll window is longer than 7 days; split it into windows of at most maxPollWindowMs');
  }
}

function parseCursor(cursor: string | null): number {
  if (cursor === null) return 0;
  if (!/^\d{1,9}$/.test(cursor)) throw new Error(`91APP poll cursor "${cursor}" is not a position`);
  return Number(cursor);
}

/** The next Position, or null once a short page or the reported total shows the window is done. */
function nextCursor(position: number, received: number, totalCount: number | null): string | null {
  const next = position + received;
  if (received < NINETYONEAPP_PAGE_SIZE) return null;
  if (totalCount !== null && next >= totalCount) return null;
  return String(next);
}

// ---------------------------------------------------------------------------------------------
// Taipei time: 91APP dates carry no offset and are Taiwan time (UTC+8, no daylight saving).

const TAIPEI_OFFSET_MS = 8 * 60 * 60 * 1000;
const LOCAL_DATE_TIME = /^(\d{4})[-/](\d{2})[-/](\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,7})?)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** Epoch ms → "YYYY-MM-DDTHH:mm:ss" in Taipei time. */
export function toTaipeiDateTime(ms: number): string {
  return new Date(ms + TAIPEI_OFFSET_MS).toISOString().slice(0, 19);
}

/** A 91APP date ("2026-01-02T10:00:00", "2026/01/02 10:00", with or without an offset) → epoch ms. */
export function parseTaipeiDateTime(v: unknown): number | null {
  const t = text(v)?.trim();
  const m = t ? LOCAL_DATE_TIME.exec(t) : null;
  if (!m) return null;
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '', zone] = m;
  const offset = zone === undefined ? '+08:00' : zone === 'Z' ? 'Z' : zone.includes(':') ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`;
  const ms = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s}${frac.slice(0, 4)}${offset}`);
  return Number.isFinite(ms) ? ms : null;
}

/** EndDate is inclusive and to the second: the last second that starts before `until`. */
function inclusiveEndDate(until: number): string {
  return toTaipeiDateTime(Math.ceil(until / 1000) * 1000 - 1000);
}

// ---------------------------------------------------------------------------------------------
// Orders

function orderToEvent(order: Json, creds: Credentials): NormalizedEvent | null {
  const status = text(order[F.orderStatus]);
  const type = status && isOrderStatus(status) ? statusEvents[status] : null;
  // Statuses outside the documented five carry no notification the hub knows how to send.
  if (!type || !status) return null;
  const snapshot = orderSnapshot(order, creds.storeUrl);
  const tgCode = text(order[F.tgCode]);
  const tmCode = text(order[F.tmCode]);
  // TMCode first: one TG (checkout) can split into several TMs whose statuses move separately.
  const code = tmCode ?? tgCode;
  return {
    type,
    // The same order in the same status gives the same key, so re-polling the window is harmless.
    idempotencyKey: `91app:${creds.shopId}:${code}:${status}`,
    occurredAt: parseTaipeiDateTime(order[F.updateDateTime]) ?? parseTaipeiDateTime(order[F.orderDateTime]) ?? Date.now(),
    order: snapshot,
    data: {
      tgCode,
      tmCode,
      orderStatus: status,
      finishedAt: isoOrNull(parseTaipeiDateTime(order[F.finishDateTime])),
    },
  };
}

function isOrderStatus(s: string): s is NinetyOneAppOrderStatus {
  return (orderStatuses as readonly string[]).includes(s);
}

/** The hub's view of a 91APP order. `storeUrl` (the shop's public origin) builds the buyer's order link. */
export function orderSnapshot(order: Json, storeUrl: string | null = null): OrderSnapshot {
  const tgCode = text(order[F.tgCode]);
  const tmCode = text(order[F.tmCode]);
  const externalId = tmCode ?? tgCode;
  if (!externalId) throw new Error('91APP order has neither TMCode nor TGCode');
  const status = text(order[F.orderStatus]);
  const total = text(order[F.totalPayment]);
  const shipping = receiverAddress(order);
  return {
    externalId,
    // The buyer sees the TG code on 91APP order pages.
    name: tgCode ?? externalId,
    customerExternalId: text(order[F.memberId]),
    customerName: text(order[F.memberName]) ?? shipping?.name ?? null,
    email: text(order[F.memberEmail]),
    phone: taiwanPhoneToE164(text(order[F.memberCellphone])) ?? shipping?.phone ?? null,
    // 91APP shops sell in TWD; amounts come as numbers and are kept as decimal strings.
    total: total !== null ? { amount: total, currency: 'TWD' } : null,
    financialStatus: financialStatus(status),
    fulfillmentStatus: fulfillmentStatus(status),
    paymentMethod: text(order[F.payType]),
    // The member-centre order page path is [UNVERIFIED]; it follows the URLs 91APP shops show buyers.
    statusUrl: storeUrl && tgCode ? `${storeUrl}/V2/TradesOrder/TradesOrderDetail/${encodeURIComponent(tgCode)}` : null,
    shippingAddress: shipping,
    lines: arrayOf(order[F.lines]).map(obj).filter(isJson).map(orderLine),
    createdAt: isoOrNull(parseTaipeiDateTime(order[F.orderDateTime])),
  };
}

function receiverAddress(order: Json): OrderAddress | null {
  const address: OrderAddress = {
    name: text(order[F.receiverName]),
    line1: text(order[F.receiverAddress]),
    line2: null,
    city: text(order[F.receiverCity]),
    state: null,
    postalCode: text(order[F.receiverZipCode]),
    country: 'TW',
    phone: taiwanPhoneToE164(text(order[F.receiverMobile])),
  };
  return address.name || address.line1 || address.phone ? address : null;
}

function orderLine(line: Json): OrderLine {
  return {
    sku: text(line[F.outerId]) ?? text(line[F.skuId]),
    title: text(line[F.productName]) ?? 'Item',
    quantity: num(line[F.qty]) ?? 1,
    price: text(line[F.price]),
  };
}

function financialStatus(status: string | null): string | null {
  if (status === 'WaitingForPayment') return 'pending';
  if (status === 'WaitingForShipping' || status === 'Shipping' || status === 'Finish') return 'paid';
  return null;
}

function fulfillmentStatus(status: string | null): string | null {
  if (status === 'Shipping') return 'shipped';
  if (status === 'Finish') return 'delivered';
  if (status === 'Cancel') return 'cancelled';
  return status === null ? null : 'unfulfilled';
}

/** Taiwan mobiles as members type them ("0912-345-678") → E.164; anything else is kept as given. */
export function taiwanPhoneToE164(phone: string | null): string | null {
  if (phone === null) return null;
  const compact = phone.replace(/[\s().-]/g, '');
  if (/^09\d{8}$/.test(compact)) return `+886${compact.slice(1)}`;
  if (/^(?:\+|00)?8869\d{8}$/.test(compact)) return `+886${compact.slice(-9)}`;
  return phone;
}

function arrayOf(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

function isoOrNull(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}
