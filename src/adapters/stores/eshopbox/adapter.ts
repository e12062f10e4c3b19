// Eshopbox (India, fulfilment/logistics platform) store adapter: OAuth-style access tokens from a refresh
// token, shipment and return webhooks mapped to normalized events, and failed-delivery (NDR) resolution.
// Protocol facts: /work/shared/reference/store-apis.md §4.
//
// Webhook payload. Eshopbox's delivered sample is not published (reference: "[UNVERIFIED, page truncated]"),
// so this adapter and the simulator agree on a plausible shape built from the documented registration and
// shipping-wrapper fields. Change `EshopboxWebhookPayload` and the readers below if the live shape differs:
//   {
//     "resource": "shipment" | "returnShipment",
//     "eventType": "POST" | "PUT",
//     "eventSubType": "failed_delivery",              // see the sub-type lists in the reference
//     "version": "v1",
//     "externalChannelID": "CH-1001",
//     "accountSlug": "kapaskraft",                    // our addition: names the account in idempotency keys
//     "timestamp": "2026-05-04T10:15:00.000Z",
//     "data": {
//       "customerOrderNumber": "DR-903", "shipmentId": "SHP-1", "trackingId": "82616846149",
//       "courierName": "Delhivery", "trackingUrl": "https://…", "status": "failed_delivery",
//       "remarks": "Customer not available", "attempts": 1, "expectedDeliveryDate": "2026-05-06",
//       "orderDate": "2026-05-01 09:00:00", "invoiceNumber": "INV-1", "invoiceTotal": 998, "isCOD": true,
//       "paymentMethod": "COD",
//       "shippingAddress": {"customerName","addressLine1","addressLine2","city","state","postalCode",
//                           "countryCode","contactPhone","email"},
//       "items": [{"orderItemID","sku","productName","quantity","customerPrice","ean","upc","gtin","brand"}]
//     }
//   }
// Eshopbox does not sign webhooks: authenticity is the static key the merchant registers as a webhook header
// (x-api-key) or that the hub puts in the callback URL (?key=).
import { createHash, timingSafeEqual } from 'node:crypto';
import type { RawWebhook } from '../../../core/channels/ports.js';
import { ProviderError } from '../../../core/errors.js';
import type { EventType, NormalizedEvent, OrderAddress, OrderLine, OrderSnapshot } from '../../../core/events/model.js';
import type {
  FailedDeliveryAction,
  FailedDeliveryRequest,
  FailedDeliveryResult,
  ParsedStoreWebhook,
  StoreAdapter,
  StoreConnectionCredentials,
  VerifiedStore,
} from '../../../core/stores/ports.js';
import type { HttpRequest, HttpResponse } from '../../http-client.js';
import { classifyHttpFailure, httpRequest, parseJson } from '../../http-client.js';
import type { Json } from '../rest-order.js';
import { isJson, num, obj, parseJsonBody, text } from '../rest-order.js';

export interface EshopboxAdapterOptions {
  /** Token host, without a trailing slash. Default https://auth.myeshopbox.com. */
  authUrl?: string;
  /** The account's API host. Default https://{workspace}.myeshopbox.com. */
  apiBaseFor?: (workspace: string) => string;
  /** The warehouse host that takes NDR resolutions. Default https://wms.eshopbox.com. */
  wmsUrl?: string;
  timeoutMs?: number;
  /** Clock, injectable so token expiry and "date in the past" checks can be tested. */
  now?: () => number;
}

/** The codes of POST /api/v2/ndrResolution (reference §4, Failed delivery). */
export const NDR_CODES = { reattempt: 'ACTF001', reschedule: 'ACTF002', cancel: 'ACTF003' } as const;

/** Who performed the action, as Eshopbox shows it in the order activity (seed 002: "the mode via which the action is taken"). */
export const ESHOPBOX_ACTION_SOURCE = 'Shoptalk WhatsApp';

const shipmentEvents: Record<string, EventType> = {
  created: 'order.placed',
  packed: 'order.packed',
  dispatched: 'order.shipped',
  out_for_delivery: 'order.out_for_delivery',
  failed_delivery: 'order.delivery_failed',
  delivered: 'order.delivered',
  cancelled_order: 'order.cancelled',
};

const returnEvents: Record<string, EventType> = {
  created: 'return.created',
  complete: 'return.restocked',
  delivered_warehouse: 'return.restocked',
};

// The workspace becomes a host name label; anything else could send the token to another host.
const WORKSPACE = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
// Eshopbox order dates look like "2024-01-01 09:00:00" (SDK example), without a zone.
const LOCAL_DATE_TIME = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(?::\d{2})?)$/;
// India Standard Time, UTC+05:30, has no daylight saving.
const IST_OFFSET_MS = 330 * 60_000;
// Tokens are renewed this long before Eshopbox says they expire, so a request never carries a dying token.
const TOKEN_RENEW_MARGIN_MS = 60_000;

interface CachedToken {
  accessToken: string;
  expiresAt: number;
}

export class EshopboxAdapter implements StoreAdapter {
  readonly platform = 'eshopbox' as const;
  private readonly authUrl: string;
  private readonly apiBaseFor: (workspace: string) => string;
  private readonly wmsUrl: string;
  private readonly timeoutMs: number;
  private readonly now: () => number;
  private readonly tokens = new Map<string, CachedToken>();
  private readonly pendingTokens = new Map<string, Promise<CachedToken>>();

  constructor(options: EshopboxAdapterOptions = {}) {
    this.authUrl = trimSlash(options.authUrl ?? 'https://auth.myeshopbox.com');
    this.apiBaseFor = options.apiBaseFor ?? ((workspace) => `https://${workspace}.myeshopbox.com`);
    this.wmsUrl = trimSlash(options.wmsUrl ?? 'https://wms.eshopbox.com');
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  async verifyConnection(connection: StoreConnectionCredentials): Promise<VerifiedStore> {
    const workspace = requireWorkspace(connection);
    // UNVERIFIED choice: Eshopbox has no documented shop-info endpoint, so the cheapest authorised read
    // (the first page of the ERP order list) proves the token works for this workspace.
    const url = `${trimSlash(this.apiBaseFor(workspace))}/api/v1/orders/erp?page=1`;
    const res = await this.authorized(connection, { method: 'GET', url });
    if (res.status < 200 || res.status > 299) {
      throw classifyHttpFailure(res, `Eshopbox orders/erp answered HTTP ${res.status}${reasonSuffix(res)}`);
    }
    return {
      displayName: workspace,
      details: { workspace, externalChannelId: connection.settings['externalChannelId'] ?? null, apiBase: this.apiBaseFor(workspace) },
    };
  }

  verifyWebhook(connection: StoreConnectionCredentials, webhook: RawWebhook): boolean {
    const expected = connection.secrets['webhookKey'];
    if (!expected) return false;
    const candidates = [webhook.headers['x-api-key'], webhook.query['key']];
    // Both candidates are always compared so the time taken does not reveal which one was present.
    let ok = false;
    for (const given of candidates) if (sameSecret(given, expected)) ok = true;
    return ok;
  }

  deliveryId(webhook: RawWebhook): string | null {
    // Eshopbox sends no delivery id header; a retry carries the same resource, sub type, shipment and
    // timestamp, so their hash identifies the delivery (reference §4, Webhooks).
    let body: Json;
    try {
      body = parseJsonBody(webhook.body, 'Eshopbox', 'unknown');
    } catch {
      return null;
    }
    return deliveryIdOf(body);
  }

  parseWebhook(webhook: RawWebhook): ParsedStoreWebhook {
    const body = parseJsonBody(webhook.body, 'Eshopbox', 'unknown');
    const resource = text(body['resource']) ?? 'unknown';
    const subType = (text(body['eventSubType']) ?? 'unknown').toLowerCase();
    const topic = `${resource}/${subType}`;
    const deliveryId = deliveryIdOf(body) ?? 'sha256:' + createHash('sha256').update(webhook.body).digest('hex');
    if (resource !== 'shipment' && resource !== 'returnShipment') return { deliveryId, topic, events: [] };
    return { deliveryId, topic, events: [shipmentToEvent(body, resource, subType)] };
  }

  async resolveFailedDelivery(connection: StoreConnectionCredentials, request: FailedDeliveryRequest): Promise<FailedDeliveryResult> {
    requireWorkspace(connection);
    const body = ndrBody(request, this.now());
    const res = await this.authorized(connection, { method: 'POST', url: `${this.wmsUrl}/api/v2/ndrResolution`, body: JSON.stringify(body) });
    if (res.status < 200 || res.status > 299) {
      throw classifyHttpFailure(res, `Eshopbox refused the failed-delivery resolution (HTTP ${res.status})${reasonSuffix(res)}`);
    }
    // UNVERIFIED response shape: {"status":"success","message":…,"ndrResolutionId":…}.
    const json = obj(parseJson(res.text));
    const status = text(json?.['status'])?.toLowerCase();
    if (status && !['success', 'ok', 'true'].includes(status)) {
      throw new ProviderError('permanent', `Eshopbox refused the failed-delivery resolution${reasonSuffix(res)}`, { httpStatus: res.status });
    }
    const reference = json ? (text(json['ndrResolutionId']) ?? text(json['id']) ?? text(json['resolutionId'])) : null;
    return { reference };
  }

  // ---------------------------------------------------------------------------------------------
  // Tokens

  /** Sends an API call with a Bearer token; a 401 means the token died early, so it is renewed once. */
  private async authorized(connection: StoreConnectionCredentials, req: Omit<HttpRequest, 'headers' | 'timeoutMs'>): Promise<HttpResponse> {
    const workspace = requireWorkspace(connection);
    for (let attempt = 0; ; attempt++) {
      const token = await this.accessToken(connection);
      const res = await httpRequest({
        ...req,
        headers: {
          authorization: `Bearer ${token.accessToken}`,
          // Documented for webhook registration; sent on every call since the shared hosts (wms) need to
          // know the account too. UNVERIFIED for the other endpoints.
          proxyhost: workspace,
          accept: 'application/json',
          ...(req.body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        timeoutMs: this.timeoutMs,
      });
      if (res.status !== 401) return res;
      this.forgetToken(connection, token);
      if (attempt >= 1) {
        throw new ProviderError('permanent', `Eshopbox refused a fresh access token (HTTP 401)${reasonSuffix(res)}`, { httpStatus: 401 });
      }
    }
  }

  private async accessToken(connection: StoreConnectionCredentials): Promise<CachedToken> {
    const creds = requireOAuth(connection);
    const key = tokenKey(creds.clientId, creds.refreshToken);
    const cached = this.tokens.get(key);
    if (cached && cached.expiresAt > this.now()) return cached;
    // Concurrent calls for the same account share one token request.
    let pending = this.pendingTokens.get(key);
    if (!pending) {
      pending = this.generateToken(creds).finally(() => this.pendingTokens.delete(key));
      this.pendingTokens.set(key, pending);
    }
    const token = await pending;
    this.tokens.set(key, token);
    return token;
  }

  private forgetToken(connection: StoreConnectionCredentials, token: CachedToken): void {
    const creds = requireOAuth(connection);
    const key = tokenKey(creds.clientId, creds.refreshToken);
    if (this.tokens.get(key)?.accessToken === token.accessToken) this.tokens.delete(key);
  }

  private async generateToken(creds: OAuthCredentials): Promise<CachedToken> {
    const res = await httpRequest({
      method: 'POST',
      url: `${this.authUrl}/api/v1/generateToken`,
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({
        client_id: creds.clientId,
        client_secret: creds.clientSecret,
        grant_type: 'refresh_token',
        refresh_token: creds.refreshToken,
      }),
      timeoutMs: this.timeoutMs,
    });
    if (res.status === 400 || res.status === 401 || res.status === 403) {
      throw new ProviderError('permanent', `Eshopbox refused the client id/secret or refresh token${reasonSuffix(res)}`, { httpStatus: res.status });
    }
    if (res.status < 200 || res.status > 299) throw classifyHttpFailure(res, `Eshopbox generateToken answered HTTP ${res.status}${reasonSuffix(res)}`);
    const body = obj(parseJson(res.text));
    const accessToken = body ? text(body['access_token']) : null;
    if (!accessToken) throw new ProviderError('retryable', 'Eshopbox generateToken answered without an access_token');
    const expiresInMs = (num(body?.['expires_in']) ?? 3600) * 1000;
    const margin = Math.min(TOKEN_RENEW_MARGIN_MS, expiresInMs / 2);
    return { accessToken, expiresAt: this.now() + expiresInMs - margin };
  }
}

// ---------------------------------------------------------------------------------------------
// Credentials

interface OAuthCredentials {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
}

function requireWorkspace(connection: StoreConnectionCredentials): string {
  const workspace = connection.settings['workspace']?.trim().toLowerCase() ?? '';
  if (!WORKSPACE.test(workspace)) {
    throw new ProviderError('permanent', 'Eshopbox workspace is missing or invalid (the account slug, e.g. "kapaskraft" for kapaskraft.myeshopbox.com)');
  }
  return workspace;
}

function requireOAuth(connection: StoreConnectionCredentials): OAuthCredentials {
  const clientId = connection.secrets['clientId']?.trim();
  const clientSecret = connection.secrets['clientSecret']?.trim();
  const refreshToken = connection.secrets['refreshToken']?.trim();
  if (!clientId || !clientSecret || !refreshToken) {
    throw new ProviderError('permanent', 'Eshopbox client id, client secret and refresh token are all required (Apps → Manual App)');
  }
  return { clientId, clientSecret, refreshToken };
}

/** Cache key for a token: hashed so the map never holds the refresh token itself. */
function tokenKey(clientId: string, refreshToken: string): string {
  return createHash('sha256').update(clientId).update('\n').update(refreshToken).digest('hex');
}

/** Constant-time comparison of a presented key with the expected one (hashed first so lengths match). */
function sameSecret(given: string | undefined, expected: string): boolean {
  const a = createHash('sha256').update(given ?? '').digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b) && given !== undefined;
}

// ---------------------------------------------------------------------------------------------
// Webhook mapping

function deliveryIdOf(body: Json): string | null {
  const data = obj(body['data']);
  const resource = text(body['resource']);
  const subType = text(body['eventSubType']);
  const shipment = data ? (text(data['trackingId']) ?? text(data['shipmentId'])) : null;
  const timestamp = text(body['timestamp']);
  if (!resource || !subType || !shipment || !timestamp) return null;
  const digest = createHash('sha256').update([resource, subType.toLowerCase(), shipment, timestamp].join('\n')).digest('hex');
  return `eshopbox:${digest}`;
}

function eventTypeOf(resource: 'shipment' | 'returnShipment', subType: string): EventType {
  const table = resource === 'shipment' ? shipmentEvents : returnEvents;
  return table[subType] ?? 'shipment.updated';
}

function shipmentToEvent(body: Json, resource: 'shipment' | 'returnShipment', subType: string): NormalizedEvent {
  const data = obj(body['data']);
  if (!data) throw new Error(`Eshopbox ${resource}/${subType} webhook has no data object`);
  const shipmentRef = text(data['trackingId']) ?? text(data['shipmentId']);
  if (!shipmentRef) throw new Error(`Eshopbox ${resource}/${subType} webhook has neither trackingId nor shipmentId`);
  const timestamp = text(body['timestamp']) ?? '';
  const account = text(body['accountSlug']) ?? text(body['externalChannelID']) ?? 'unknown';
  const type = eventTypeOf(resource, subType);
  const eventData = eventDataOf(body, data, resource, subType);
  if (type === 'order.delivery_failed') {
    eventData['reason'] = text(data['remarks']);
    eventData['attempts'] = num(data['attempts']);
  }
  if (type === 'order.cancelled') eventData['cancelReason'] = text(data['remarks']);
  // For catch-all updates the sub type is the news (rto, lost, shipment_delayed...); Eshopbox's own status stays beside it.
  if (type === 'shipment.updated') eventData['status'] = subType;
  const occurred = Date.parse(timestamp);
  return {
    type,
    idempotencyKey: `eshopbox:${account}:${resource}:${shipmentRef}:${subType}:${timestamp}`,
    occurredAt: Number.isFinite(occurred) ? occurred : Date.now(),
    order: text(data['customerOrderNumber']) ? orderSnapshot(data) : null,
    data: eventData,
  };
}

function eventDataOf(body: Json, data: Json, resource: string, subType: string): Json {
  const items = itemsOf(data);
  // Seed 002's variable catalogue reads brand/EAN/UPC/GTIN from the event; the first item that has one wins.
  const firstWith = (field: string): string | null => items.map((i) => text(i[field])).find((v) => v !== null) ?? null;
  const trackingId = text(data['trackingId']);
  return {
    resource,
    eventSubType: subType,
    status: text(data['status']),
    shipmentId: text(data['shipmentId']),
    trackingId,
    trackingNumber: trackingId,
    trackingUrl: text(data['trackingUrl']),
    courierName: text(data['courierName']),
    remarks: text(data['remarks']),
    expectedDeliveryDate: text(data['expectedDeliveryDate']),
    externalChannelId: text(body['externalChannelID']),
    brand: firstWith('brand'),
    ean: firstWith('ean'),
    upc: firstWith('upc'),
    gtin: firstWith('gtin'),
    invoice: text(data['invoiceNumber']),
    invoiceTotal: moneyText(data['invoiceTotal']),
    paymentMethod: paymentMethodOf(data),
    isCOD: typeof data['isCOD'] === 'boolean' ? data['isCOD'] : null,
  };
}

/** The hub's view of the order an Eshopbox shipment belongs to. */
export function orderSnapshot(data: Json): OrderSnapshot {
  const orderNumber = text(data['customerOrderNumber']);
  if (!orderNumber) throw new Error('Eshopbox shipment has no customerOrderNumber');
  const address = obj(data['shippingAddress']);
  const total = moneyText(data['invoiceTotal']);
  const shippingAddress = address ? addressOf(address) : null;
  return {
    externalId: orderNumber,
    name: orderNumber,
    customerExternalId: null,
    customerName: shippingAddress?.name ?? null,
    email: address ? text(address['email']) : null,
    phone: shippingAddress?.phone ?? null,
    // Eshopbox is an Indian platform; the wrapper API has no currency field.
    total: total !== null ? { amount: total, currency: 'INR' } : null,
    financialStatus: null,
    fulfillmentStatus: text(data['status']),
    paymentMethod: paymentMethodOf(data),
    statusUrl: text(data['trackingUrl']),
    shippingAddress,
    lines: itemsOf(data).map(lineOf),
    createdAt: isoDateTime(text(data['orderDate'])),
  };
}

function itemsOf(data: Json): Json[] {
  return (Array.isArray(data['items']) ? data['items'] : []).map(obj).filter(isJson);
}

function lineOf(item: Json): OrderLine {
  return {
    sku: text(item['sku']),
    title: text(item['productName']) ?? 'Item',
    quantity: num(item['quantity']) ?? 1,
    price: moneyText(item['customerPrice']),
  };
}

function addressOf(a: Json): OrderAddress {
  return {
    name: text(a['customerName']),
    line1: text(a['addressLine1']),
    line2: text(a['addressLine2']),
    city: text(a['city']),
    state: text(a['state']),
    postalCode: text(a['postalCode']),
    country: text(a['countryCode']) ?? 'IN',
    phone: indianPhone(text(a['contactPhone'])),
  };
}

function paymentMethodOf(data: Json): string | null {
  const given = text(data['paymentMethod']);
  if (given) return given;
  if (data['isCOD'] === true) return 'COD';
  return data['isCOD'] === false ? 'Prepaid' : null;
}

/**
 * Indian phones arrive as the buyer typed them, mostly 10-digit mobiles without a country code; those
 * become +91…, so the hub can address them on WhatsApp. Anything else is kept as given.
 */
export function indianPhone(raw: string | null): string | null {
  if (!raw) return null;
  const national = indianNationalNumber(raw);
  return national ? `+91${national}` : raw;
}

/** The 10-digit national number of an Indian phone (9876543210, 09876543210, +91 98765 43210), else null. */
export function indianNationalNumber(raw: string): string | null {
  const digits = raw.replace(/[\s().-]/g, '');
  const m = /^(?:\+?91|0)?([6-9]\d{9})$/.exec(digits);
  return m ? m[1]! : null;
}

/** A money amount as a decimal string with at least 2 decimals (998 → "998.00", "12.5" → "12.50"). */
function moneyText(v: unknown): string | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v.toFixed(2) : null;
  const s = text(v)?.trim();
  const m = s ? /^(-?\d+)(?:\.(\d+))?$/.exec(s) : null;
  if (!m) return null;
  return `${m[1]}.${(m[2] ?? '').padEnd(2, '0')}`;
}

/** "2024-01-01 09:00:00" (Eshopbox local time, assumed IST) → ISO 8601; ISO input is kept. */
function isoDateTime(v: string | null): string | null {
  if (!v) return null;
  const m = LOCAL_DATE_TIME.exec(v.trim());
  if (!m) return v;
  const time = m[2]!.length === 5 ? `${m[2]}:00` : m[2];
  return `${m[1]}T${time}+05:30`;
}

// ---------------------------------------------------------------------------------------------
// Failed delivery (NDR)

interface NdrBody {
  customerOrderNumber: string;
  resolutionCode: string;
  trackingId: string;
  contactPhoneNumber: string;
  actionSource: string;
  remarks: string;
  deferredDate?: string;
  shippingDetails?: Record<string, string>;
}

function ndrBody(request: FailedDeliveryRequest, now: number): NdrBody {
  const customerOrderNumber = request.orderName.trim().replace(/^#/, '');
  if (!customerOrderNumber) throw new ProviderError('permanent', 'Eshopbox needs the order number (customerOrderNumber) to resolve a failed delivery');
  const trackingId = request.trackingId?.trim();
  if (!trackingId) throw new ProviderError('permanent', 'Eshopbox needs the shipment tracking id to resolve a failed delivery');
  const phone = request.phone?.trim();
  if (!phone) throw new ProviderError('permanent', "Eshopbox needs the order's contact phone number to resolve a failed delivery");
  return {
    customerOrderNumber,
    trackingId,
    // Eshopbox compares this with the order's phone; its orders hold 10-digit national numbers (SDK
    // example), so a +91 number the hub normalized is sent back in that form. UNVERIFIED.
    contactPhoneNumber: indianNationalNumber(phone) ?? phone,
    actionSource: ESHOPBOX_ACTION_SOURCE,
    remarks: request.remarks?.trim() || defaultRemarks(request.action),
    ...actionFields(request, now),
  };
}

function actionFields(request: FailedDeliveryRequest, now: number): Pick<NdrBody, 'resolutionCode' | 'deferredDate' | 'shippingDetails'> {
  const action = request.action;
  const name = request.customerName?.trim() ?? '';
  switch (action.kind) {
    case 'reattempt':
      return { resolutionCode: NDR_CODES.reattempt };
    case 'reschedule':
      return { resolutionCode: NDR_CODES.reschedule, deferredDate: checkDeferredDate(action.date, now) };
    case 'update_address':
      return {
        resolutionCode: NDR_CODES.reattempt,
        shippingDetails: { name, updatedAddress: action.address.trim(), landmark: action.landmark?.trim() ?? '', notes: 'Address updated by the customer on WhatsApp' },
      };
    case 'update_phone':
      return {
        resolutionCode: NDR_CODES.reattempt,
        // UNVERIFIED: shippingDetails has no documented phone field, and contactPhoneNumber must stay the
        // order's phone, so the new number goes in the notes the courier reads, plus a contactNumber field.
        shippingDetails: { name, notes: `Customer's new contact number: ${action.phone.trim()}`, contactNumber: action.phone.trim() },
      };
    case 'cancel':
      return { resolutionCode: NDR_CODES.cancel };
  }
}

function defaultRemarks(action: FailedDeliveryAction): string {
  const labels: Record<FailedDeliveryAction['kind'], string> = {
    reattempt: 'Customer asked for another delivery attempt',
    reschedule: 'Customer asked to reschedule the delivery',
    update_address: 'Customer updated the delivery address',
    update_phone: 'Customer updated the contact number',
    cancel: 'Customer asked to cancel the order',
  };
  return `${labels[action.kind]} on WhatsApp`;
}

/** The reschedule date must be a real yyyy-mm-dd date, today or later in India. */
function checkDeferredDate(date: string, now: number): string {
  const m = ISO_DATE.exec(date.trim());
  const asDate = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : null;
  if (!m || !asDate || asDate.toISOString().slice(0, 10) !== date.trim()) {
    throw new ProviderError('permanent', `the reschedule date must be a calendar date in yyyy-mm-dd form (got "${date}")`);
  }
  const todayInIndia = new Date(now + IST_OFFSET_MS).toISOString().slice(0, 10);
  if (date.trim() < todayInIndia) throw new ProviderError('permanent', `the reschedule date ${date} is in the past (today is ${todayInIndia} in India)`);
  return date.trim();
}

// ---------------------------------------------------------------------------------------------
// Helpers

/** ": <Eshopbox's message>" when the error body has one (message, error or errors), else "". */
function reasonSuffix(res: HttpResponse): string {
  const body = obj(parseJson(res.text));
  if (!body) return '';
  for (const field of ['message', 'error', 'errors']) {
    const v = body[field];
    if (typeof v === 'string' && v.trim() !== '') return `: ${v}`;
    const nested = obj(v);
    if (nested && typeof nested['message'] === 'string') return `: ${nested['message']}`;
  }
  return '';
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
