// Eshopbox simulator: plays Eshopbox's auth host, account API host, warehouse (NDR) host and webhook sender
// for tests and the sandbox. All three hosts are this one server, so the adapter's authUrl, wmsUrl and
// apiBaseFor(workspace) all point at `sim.baseUrl`; the Bearer token tells which account a call is for.
//   POST /api/v1/generateToken      {client_id, client_secret, grant_type:"refresh_token", refresh_token} → {access_token, expires_in}
//   GET  /api/v1/orders/erp?page=   Bearer
//   POST /api/v1/webhook            Bearer + ProxyHost: <workspace>; registers {resource, eventType, eventSubType?, version,
//                                   externalChannelID?, webhookUrl, webhookMethod:"POST", webhookHeaders?}
//   POST /api/v2/ndrResolution      Bearer; one resolution per failed delivery attempt
// Control API (besides the base /_sim routes):
//   POST /_sim/accounts                       {workspace, clientId, clientSecret, refreshToken, externalChannelId?}
//   GET  /_sim/accounts
//   POST /_sim/webhooks                       {workspace, resource, webhookUrl, eventSubType?, webhookHeaders?}  (no token needed)
//   GET  /_sim/webhooks?workspace=
//   POST /_sim/shipments                      {workspace, shipment?}  → a shipment in state "created" (no webhook)
//   GET  /_sim/shipments?workspace=
//   POST /_sim/shipments/:id/advance          {subType, resource?:"shipment"|"returnShipment", remarks?, timestamp?}
//                                             → sets the state and sends the webhook to every matching registration
//   GET  /_sim/resolutions?workspace=
//   GET  /_sim/deliveries?workspace=&resource=
//   POST /_sim/deliveries/:id/redeliver       the same bytes and headers again (a duplicate)
//   POST /_sim/tokens/expire                  every issued token becomes invalid (tests the adapter's 401 renewal)
// The webhook payload shape is this project's assumption; see the top of adapter.ts.
import { randomBytes } from 'node:crypto';
import { SimInputError, Simulator, deliverWebhook, jsonBody, requireString } from '../../../sandbox/simulator.js';
import type { SimRequest, SimResponse } from '../../../sandbox/simulator.js';

/** An Indian mobile number's 10 national digits, with or without +91 / 91 / 0 and separators; null otherwise. */
function nationalMobile(raw: string): string | null {
  const m = /^(?:\+?91|0)?([6-9]\d{9})$/.exec(raw.replace(/[\s().-]/g, ''));
  return m?.[1] ?? null;
}

export interface EshopboxSimulatorOptions {
  /** Lifetime of issued access tokens. */
  tokenTtlSeconds?: number;
  /** Per-attempt deadline for the receiver's answer. */
  timeoutMs?: number;
  /** Clock, so tests can check "date in the past" deterministically. */
  now?: () => number;
}

export interface EshopboxAccountInput {
  workspace: string;
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  externalChannelId?: string;
}

export interface EshopboxAccount {
  workspace: string;
  clientId: string;
  externalChannelId: string;
}

export type EshopboxResource = 'channel_inventory' | 'shipment' | 'returnShipment';

export interface EshopboxWebhookRegistration {
  id: string;
  workspace: string;
  resource: EshopboxResource;
  eventType: 'POST' | 'PUT';
  /** Null: every sub type of the resource. */
  eventSubType: string | null;
  version: string;
  externalChannelID: string | null;
  webhookUrl: string;
  webhookMethod: 'POST';
  webhookHeaders: Record<string, string>;
}

export interface EshopboxAddress {
  customerName: string;
  addressLine1: string;
  addressLine2: string;
  city: string;
  state: string;
  postalCode: string;
  countryCode: string;
  contactPhone: string;
  email: string;
}

export interface EshopboxItem {
  orderItemID: string;
  sku: string;
  productName: string;
  quantity: number;
  customerPrice: number;
  ean?: string;
  upc?: string;
  gtin?: string;
  brand?: string;
}

export interface EshopboxShipment {
  shipmentId: string;
  customerOrderNumber: string;
  trackingId: string;
  courierName: string;
  trackingUrl: string;
  status: string;
  returnStatus: string | null;
  remarks: string | null;
  /** Failed delivery attempts so far. */
  attempts: number;
  expectedDeliveryDate: string | null;
  orderDate: string;
  invoiceNumber: string;
  invoiceTotal: number;
  isCOD: boolean;
  paymentMethod: string;
  shippingAddress: EshopboxAddress;
  items: EshopboxItem[];
}

export type EshopboxShipmentOverrides = Partial<Omit<EshopboxShipment, 'shippingAddress'>> & { shippingAddress?: Partial<EshopboxAddress> };

export interface EshopboxResolution {
  ndrResolutionId: string;
  workspace: string;
  shipmentId: string;
  /** The failed attempt (1-based) this resolution answers. */
  attempt: number;
  at: number;
  body: Record<string, unknown>;
}

export interface EshopboxDelivery {
  id: string;
  workspace: string;
  registrationId: string;
  resource: 'shipment' | 'returnShipment';
  eventSubType: string;
  url: string;
  body: string;
  headers: Record<string, string>;
  attempts: Array<{ at: number; status: number | null; error: string | null }>;
  state: 'delivered' | 'failed';
}

export interface EshopboxAdvanceOptions {
  resource?: 'shipment' | 'returnShipment';
  remarks?: string;
  /** ISO timestamp for the payload; defaults to now. */
  timestamp?: string;
}

// Sub types per resource (reference §4, Webhooks).
export const SHIPMENT_SUB_TYPES: readonly string[] = [
  'created', 'packed', 'ready_to_ship', 'dispatched', 'pickup_pending', 'out_for_pickup', 'pickup_failed', 'picked_up',
  'intransit', 'out_for_delivery', 'delivered', 'failed_delivery', 'ndr_resolution_submitted', 'rto', 'rto_created',
  'rto_intransit', 'rto_out_for_delivery', 'rto_delivered', 'rto_failed', 'rto_contact_customer_care', 'shipment_delayed',
  'shipment_held', 'unhold', 'return_expected', 'cancelled_order', 'damage', 'lost',
];
export const RETURN_SUB_TYPES: readonly string[] = [
  'created', 'pickup_pending', 'out_for_pickup', 'pickup_cancelled', 'pickup_failed', 'picked_up', 'intransit',
  'out_for_delivery', 'delivered', 'delivered_warehouse', 'failed_delivery', 'complete', 'return_cancelled', 'approved', 'lost',
];

const RESOURCES: readonly EshopboxResource[] = ['channel_inventory', 'shipment', 'returnShipment'];
const NDR_CODES: readonly string[] = ['ACTF001', 'ACTF002', 'ACTF003', 'ACTF004'];
const SHIPPING_DETAIL_CODES: readonly string[] = ['ACTF001', 'ACTF003', 'ACTF004'];
const IST_OFFSET_MS = 330 * 60_000;

interface AccountState extends EshopboxAccount {
  clientSecret: string;
  refreshToken: string;
  webhooks: EshopboxWebhookRegistration[];
  shipments: Map<string, EshopboxShipment>;
}

export class EshopboxSimulator extends Simulator {
  readonly name = 'eshopbox';
  private readonly tokenTtlSeconds: number;
  private readonly timeoutMs: number;
  private readonly now: () => number;
  private accounts = new Map<string, AccountState>();
  private tokens = new Map<string, { workspace: string; expiresAt: number }>();
  private resolutionList: EshopboxResolution[] = [];
  private deliveryRecords = new Map<string, EshopboxDelivery>();
  private idSeq = 0;

  constructor(options: EshopboxSimulatorOptions = {}) {
    super();
    this.tokenTtlSeconds = options.tokenTtlSeconds ?? 3600;
    this.timeoutMs = options.timeoutMs ?? 5_000;
    this.now = options.now ?? Date.now;
    this.route('POST', '/api/v1/generateToken', (req) => this.generateToken(req));
    this.route('GET', '/api/v1/orders/erp', (req) => this.listOrders(req));
    this.route('POST', '/api/v1/webhook', (req) => this.registerWebhookRoute(req));
    this.route('POST', '/api/v2/ndrResolution', (req) => this.ndrResolution(req));
    this.registerControlRoutes();
  }

  // ---------------------------------------------------------------------------------------------
  // State, callable from tests

  addAccount(input: EshopboxAccountInput): EshopboxAccount {
    const workspace = String(input.workspace ?? '').trim().toLowerCase();
    if (!/^[a-z0-9-]+$/.test(workspace)) throw new SimInputError(400, 'workspace must be letters, digits and dashes');
    for (const field of ['clientId', 'clientSecret', 'refreshToken'] as const) {
      if (typeof input[field] !== 'string' || input[field].trim() === '') throw new SimInputError(400, `${field} is required`);
    }
    const account: AccountState = {
      workspace,
      clientId: input.clientId,
      clientSecret: input.clientSecret,
      refreshToken: input.refreshToken,
      externalChannelId: input.externalChannelId ?? `CH-${workspace.toUpperCase()}`,
      webhooks: [],
      shipments: new Map(),
    };
    this.accounts.set(workspace, account);
    return publicAccount(account);
  }

  accountList(): EshopboxAccount[] {
    return [...this.accounts.values()].map(publicAccount);
  }

  /** Registers a webhook as POST /api/v1/webhook does, without needing a token. */
  registerWebhook(workspace: string, input: Record<string, unknown>): EshopboxWebhookRegistration {
    const account = this.account(workspace);
    const registration = parseRegistration(account.workspace, input, `WH-${++this.idSeq}`);
    account.webhooks.push(registration);
    return registration;
  }

  webhooks(workspace?: string): EshopboxWebhookRegistration[] {
    return [...this.accounts.values()].filter((a) => !workspace || a.workspace === workspace.toLowerCase()).flatMap((a) => a.webhooks);
  }

  createShipment(workspace: string, overrides: EshopboxShipmentOverrides = {}): EshopboxShipment {
    const account = this.account(workspace);
    const shipment = buildShipment(account.shipments.size, ++this.idSeq, overrides);
    if (account.shipments.has(shipment.shipmentId)) throw new SimInputError(409, `shipment ${shipment.shipmentId} already exists`);
    account.shipments.set(shipment.shipmentId, shipment);
    return shipment;
  }

  shipments(workspace: string): EshopboxShipment[] {
    return [...this.account(workspace).shipments.values()];
  }

  /** Moves a shipment (or its return) to a sub type and sends the webhook to every matching registration. */
  async advance(workspace: string, shipmentId: string, subType: string, options: EshopboxAdvanceOptions = {}): Promise<EshopboxDelivery[]> {
    const account = this.account(workspace);
    const shipment = this.shipment(account, shipmentId);
    const resource = options.resource ?? 'shipment';
    if (resource !== 'shipment' && resource !== 'returnShipment') throw new SimInputError(400, 'resource must be shipment or returnShipment');
    const allowed = resource === 'shipment' ? SHIPMENT_SUB_TYPES : RETURN_SUB_TYPES;
    if (!allowed.includes(subType)) throw new SimInputError(400, `subType ${subType} is not a ${resource} sub type (one of: ${allowed.join(', ')})`);
    const timestamp = options.timestamp ?? new Date(this.now()).toISOString();
    if (Number.isNaN(Date.parse(timestamp))) throw new SimInputError(400, 'timestamp must be an ISO date-time');
    if (resource === 'shipment') {
      shipment.status = subType;
      if (subType === 'failed_delivery') shipment.attempts += 1;
    } else {
      shipment.returnStatus = subType;
    }
    shipment.remarks = options.remarks ?? (subType === 'failed_delivery' ? 'Customer not available' : null);
    const payload = {
      resource,
      eventType: 'PUT',
      eventSubType: subType,
      version: 'v1',
      externalChannelID: account.externalChannelId,
      accountSlug: account.workspace,
      timestamp,
      data: { ...shipment, status: resource === 'shipment' ? shipment.status : (shipment.returnStatus ?? subType) },
    };
    const targets = account.webhooks.filter((w) => w.resource === resource && (w.eventSubType === null || w.eventSubType === subType));
    const body = JSON.stringify(payload);
    const records = targets.map((target) => {
      const record: EshopboxDelivery = {
        id: `DLV-${++this.idSeq}`,
        workspace: account.workspace,
        registrationId: target.id,
        resource,
        eventSubType: subType,
        url: target.webhookUrl,
        body,
        headers: { 'content-type': 'application/json', ...target.webhookHeaders },
        attempts: [],
        state: 'failed',
      };
      this.deliveryRecords.set(record.id, record);
      return record;
    });
    await Promise.all(records.map((r) => this.send(r)));
    return records;
  }

  /** Sends a delivery's exact bytes and headers again: a duplicate the hub must recognise. */
  async redeliver(id: string): Promise<EshopboxDelivery> {
    const record = this.deliveryRecords.get(id);
    if (!record) throw new SimInputError(404, `delivery ${id} not found`);
    await this.send(record);
    return record;
  }

  deliveries(filter: { workspace?: string; resource?: string } = {}): EshopboxDelivery[] {
    return [...this.deliveryRecords.values()].filter(
      (d) => (!filter.workspace || d.workspace === filter.workspace.toLowerCase()) && (!filter.resource || d.resource === filter.resource),
    );
  }

  resolutions(workspace?: string): EshopboxResolution[] {
    return this.resolutionList.filter((r) => !workspace || r.workspace === workspace.toLowerCase());
  }

  /** Invalidates every issued token, as if they had expired early. */
  expireTokens(): void {
    this.tokens.clear();
  }

  protected override resetState(): void {
    this.accounts.clear();
    this.tokens.clear();
    this.resolutionList = [];
    this.deliveryRecords.clear();
  }

  /** Eshopbox-like error body, so injected faults read like the real API. */
  protected override faultBody(status: number): unknown {
    return { status: 'error', message: status === 429 ? 'Too many requests' : `simulated ${status}` };
  }

  // ---------------------------------------------------------------------------------------------
  // Provider routes

  private generateToken(req: SimRequest): SimResponse {
    const b = obj(req.json);
    if (!b) return fail(400, 'expected a JSON body');
    if (b['grant_type'] !== 'refresh_token') return fail(400, 'grant_type must be refresh_token');
    const account = [...this.accounts.values()].find((a) => a.clientId === b['client_id']);
    if (!account || account.clientSecret !== b['client_secret'] || account.refreshToken !== b['refresh_token']) {
      return fail(401, 'Invalid client credentials or refresh token');
    }
    const accessToken = `ebx_${randomBytes(16).toString('hex')}`;
    this.tokens.set(accessToken, { workspace: account.workspace, expiresAt: this.now() + this.tokenTtlSeconds * 1000 });
    return { status: 200, body: { access_token: accessToken, expires_in: this.tokenTtlSeconds, token_type: 'Bearer' } };
  }

  private listOrders(req: SimRequest): SimResponse {
    const account = this.authenticate(req);
    if (!account) return fail(401, 'Unauthorized');
    const page = req.query['page'] === undefined ? 1 : Number(req.query['page']);
    if (!Number.isInteger(page) || page < 1) return fail(400, 'page must be a positive integer');
    const perPage = 20;
    const all = [...account.shipments.values()];
    const orders = all.slice((page - 1) * perPage, page * perPage).map((s) => ({ customerOrderNumber: s.customerOrderNumber, orderDate: s.orderDate, status: s.status }));
    return { status: 200, body: { page, perPage, total: all.length, orders } };
  }

  private registerWebhookRoute(req: SimRequest): SimResponse {
    const account = this.authenticate(req);
    if (!account) return fail(401, 'Unauthorized');
    const proxyHost = req.headers['proxyhost'];
    if (!proxyHost) return fail(400, 'ProxyHost header (the account slug) is required');
    if (proxyHost.toLowerCase() !== account.workspace) return fail(403, `ProxyHost ${proxyHost} does not match the token's account`);
    const b = obj(req.json);
    if (!b) return fail(400, 'expected a JSON body');
    return { status: 201, body: this.registerWebhook(account.workspace, b) };
  }

  private ndrResolution(req: SimRequest): SimResponse {
    const account = this.authenticate(req);
    if (!account) return fail(401, 'Unauthorized');
    const b = obj(req.json);
    if (!b) return fail(400, 'expected a JSON body');
    const problem = ndrProblem(b, this.now());
    if (problem) return fail(400, problem);
    const shipment = [...account.shipments.values()].find((s) => s.customerOrderNumber === b['customerOrderNumber'] && s.trackingId === b['trackingId']);
    if (!shipment) return fail(404, `no shipment with customerOrderNumber ${String(b['customerOrderNumber'])} and trackingId ${String(b['trackingId'])}`);
    const given = nationalMobile(String(b['contactPhoneNumber'])) ?? String(b['contactPhoneNumber']);
    const onOrder = nationalMobile(shipment.shippingAddress.contactPhone) ?? shipment.shippingAddress.contactPhone;
    if (given !== onOrder) return fail(400, 'contactPhoneNumber does not match the phone number on the order');
    if (shipment.attempts === 0 || !['failed_delivery', 'ndr_resolution_submitted'].includes(shipment.status)) {
      return fail(400, `shipment ${shipment.shipmentId} is not in failed delivery (status ${shipment.status})`);
    }
    if (this.resolutionList.some((r) => r.workspace === account.workspace && r.shipmentId === shipment.shipmentId && r.attempt === shipment.attempts)) {
      return fail(409, `a resolution was already submitted for failed delivery attempt ${shipment.attempts} of ${shipment.trackingId}`);
    }
    const resolution: EshopboxResolution = {
      ndrResolutionId: `NDR-${String(++this.idSeq).padStart(6, '0')}`,
      workspace: account.workspace,
      shipmentId: shipment.shipmentId,
      attempt: shipment.attempts,
      at: this.now(),
      body: b,
    };
    this.resolutionList.push(resolution);
    applyResolution(shipment, b);
    return { status: 200, body: { status: 'success', message: 'NDR resolution submitted successfully', ndrResolutionId: resolution.ndrResolutionId } };
  }

  private authenticate(req: SimRequest): AccountState | null {
    const auth = req.headers['authorization'] ?? '';
    if (!auth.startsWith('Bearer ')) return null;
    const token = this.tokens.get(auth.slice('Bearer '.length).trim());
    if (!token || token.expiresAt <= this.now()) return null;
    return this.accounts.get(token.workspace) ?? null;
  }

  // ---------------------------------------------------------------------------------------------
  // Delivery

  private async send(record: EshopboxDelivery): Promise<void> {
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
    // Eshopbox's retry policy is not documented; one attempt per send, and redeliver() plays a retry.
    record.attempts.push({ at, status, error });
    record.state = error === null ? 'delivered' : 'failed';
  }

  private account(workspace: string): AccountState {
    const account = this.accounts.get(String(workspace ?? '').toLowerCase());
    if (!account) throw new SimInputError(404, `account ${workspace} not found`);
    return account;
  }

  private shipment(account: AccountState, shipmentId: string): EshopboxShipment {
    const shipment = account.shipments.get(shipmentId) ?? [...account.shipments.values()].find((s) => s.trackingId === shipmentId);
    if (!shipment) throw new SimInputError(404, `shipment ${shipmentId} not found in ${account.workspace}`);
    return shipment;
  }

  // ---------------------------------------------------------------------------------------------
  // Control API

  private registerControlRoutes(): void {
    this.control('POST', '/_sim/accounts', (req) => {
      const b = jsonBody(req);
      const account = this.addAccount({
        workspace: requireString(b, 'workspace'),
        clientId: requireString(b, 'clientId'),
        clientSecret: requireString(b, 'clientSecret'),
        refreshToken: requireString(b, 'refreshToken'),
        externalChannelId: optionalString(b, 'externalChannelId'),
      });
      return { status: 201, body: account };
    });
    this.control('GET', '/_sim/accounts', () => ({ status: 200, body: this.accountList() }));
    this.control('POST', '/_sim/webhooks', (req) => {
      const b = jsonBody(req);
      return { status: 201, body: this.registerWebhook(requireString(b, 'workspace'), { eventType: 'PUT', version: 'v1', webhookMethod: 'POST', ...b }) };
    });
    this.control('GET', '/_sim/webhooks', (req) => ({ status: 200, body: this.webhooks(req.query['workspace']) }));
    this.control('POST', '/_sim/shipments', (req) => {
      const b = jsonBody(req);
      const overrides = b['shipment'] === undefined ? {} : obj(b['shipment']);
      if (!overrides) throw new SimInputError(400, 'shipment must be an object of field overrides');
      return { status: 201, body: this.createShipment(requireString(b, 'workspace'), overrides as EshopboxShipmentOverrides) };
    });
    this.control('GET', '/_sim/shipments', (req) => ({ status: 200, body: this.shipments(req.query['workspace'] ?? '') }));
    this.control('POST', '/_sim/shipments/:id/advance', async (req, p) => {
      const b = jsonBody(req);
      const resource = optionalString(b, 'resource');
      if (resource !== undefined && resource !== 'shipment' && resource !== 'returnShipment') throw new SimInputError(400, 'resource must be shipment or returnShipment');
      const deliveries = await this.advance(requireString(b, 'workspace'), p['id']!, requireString(b, 'subType'), {
        resource,
        remarks: optionalString(b, 'remarks'),
        timestamp: optionalString(b, 'timestamp'),
      });
      return { status: 201, body: deliveries };
    });
    this.control('GET', '/_sim/resolutions', (req) => ({ status: 200, body: this.resolutions(req.query['workspace']) }));
    this.control('GET', '/_sim/deliveries', (req) => ({
      status: 200,
      body: this.deliveries({ workspace: req.query['workspace'], resource: req.query['resource'] }),
    }));
    this.control('POST', '/_sim/deliveries/:id/redeliver', async (_req, p) => ({ status: 200, body: await this.redeliver(p['id']!) }));
    this.control('POST', '/_sim/tokens/expire', () => {
      this.expireTokens();
      return { status: 204 };
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Validation

function parseRegistration(workspace: string, b: Record<string, unknown>, id: string): EshopboxWebhookRegistration {
  const resource = b['resource'];
  if (typeof resource !== 'string' || !RESOURCES.includes(resource as EshopboxResource)) {
    throw new SimInputError(400, `resource must be one of ${RESOURCES.join(', ')}`);
  }
  const eventType = b['eventType'] ?? 'PUT';
  if (eventType !== 'POST' && eventType !== 'PUT') throw new SimInputError(400, 'eventType must be POST or PUT');
  const version = b['version'] ?? 'v1';
  if (version !== 'v1') throw new SimInputError(400, 'version must be v1');
  const webhookMethod = b['webhookMethod'] ?? 'POST';
  if (webhookMethod !== 'POST') throw new SimInputError(400, 'webhookMethod must be POST');
  const webhookUrl = requireString(b, 'webhookUrl');
  if (!/^https?:\/\/[^\s]+$/.test(webhookUrl) || !URL.canParse(webhookUrl)) throw new SimInputError(400, 'webhookUrl must be an http(s) URL');
  const eventSubType = optionalString(b, 'eventSubType') ?? null;
  const subTypes = resource === 'shipment' ? SHIPMENT_SUB_TYPES : resource === 'returnShipment' ? RETURN_SUB_TYPES : null;
  if (eventSubType !== null && subTypes && !subTypes.includes(eventSubType)) throw new SimInputError(400, `eventSubType ${eventSubType} is not a ${resource} sub type`);
  return {
    id,
    workspace,
    resource: resource as EshopboxResource,
    eventType,
    eventSubType,
    version,
    externalChannelID: optionalString(b, 'externalChannelID') ?? null,
    webhookUrl,
    webhookMethod,
    webhookHeaders: stringRecord(b['webhookHeaders'], 'webhookHeaders'),
  };
}

/** What is wrong with an ndrResolution body, or null. */
function ndrProblem(b: Record<string, unknown>, now: number): string | null {
  for (const field of ['customerOrderNumber', 'resolutionCode', 'trackingId', 'contactPhoneNumber']) {
    if (typeof b[field] !== 'string' || (b[field] as string).trim() === '') return `${field} is required`;
  }
  for (const field of ['actionSource', 'remarks', 'deferredDate']) {
    if (b[field] !== undefined && typeof b[field] !== 'string') return `${field} must be a string`;
  }
  const code = b['resolutionCode'] as string;
  if (!NDR_CODES.includes(code)) return `resolutionCode must be one of ${NDR_CODES.join(', ')}`;
  const deferred = b['deferredDate'] as string | undefined;
  if (code === 'ACTF002') {
    if (!deferred) return 'deferredDate is required for ACTF002';
    if (!isCalendarDate(deferred)) return 'deferredDate must be a date in yyyy-mm-dd format';
    if (deferred < new Date(now + IST_OFFSET_MS).toISOString().slice(0, 10)) return 'deferredDate cannot be in the past';
  } else if (deferred !== undefined) {
    return 'deferredDate is only accepted with ACTF002';
  }
  if (b['shippingDetails'] !== undefined) {
    if (!SHIPPING_DETAIL_CODES.includes(code)) return `shippingDetails is only accepted with ${SHIPPING_DETAIL_CODES.join(', ')}`;
    const details = obj(b['shippingDetails']);
    if (!details || Object.values(details).some((v) => typeof v !== 'string')) return 'shippingDetails must be an object of strings';
  }
  return null;
}

function applyResolution(shipment: EshopboxShipment, b: Record<string, unknown>): void {
  shipment.status = 'ndr_resolution_submitted';
  const details = obj(b['shippingDetails']);
  const updated = details ? details['updatedAddress'] : undefined;
  if (typeof updated === 'string' && updated.trim() !== '') shipment.shippingAddress.addressLine1 = updated;
  if (typeof b['deferredDate'] === 'string') shipment.expectedDeliveryDate = b['deferredDate'];
  if (b['resolutionCode'] === 'ACTF003') shipment.remarks = 'Cancellation requested by the customer';
}

function isCalendarDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))).toISOString().slice(0, 10) === s;
}

function stringRecord(v: unknown, field: string): Record<string, string> {
  if (v === undefined || v === null) return {};
  const o = obj(v);
  if (!o || Object.values(o).some((x) => typeof x !== 'string')) throw new SimInputError(400, `${field} must be an object of string header values`);
  return o as Record<string, string>;
}

function optionalString(b: Record<string, unknown>, field: string): string | undefined {
  const v = b[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new SimInputError(400, `${field} must be a string`);
  return v;
}

function obj(v: unknown): Record<string, unknown> | null {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

function fail(status: number, message: string): SimResponse {
  return { status, body: { status: 'error', message } };
}

function publicAccount(a: AccountState): EshopboxAccount {
  return { workspace: a.workspace, clientId: a.clientId, externalChannelId: a.externalChannelId };
}

// ---------------------------------------------------------------------------------------------
// Sample data (Indian buyers, seed 002's KapasKraft-like catalogue)

const samplePeople = [
  { name: 'Asha Verma', line1: '12 MG Road', line2: 'Flat 4B', city: 'Bengaluru', state: 'Karnataka', pin: '560001', phone: '9876543210', email: 'asha.verma@example.in' },
  { name: 'Rohan Mehta', line1: '221 Linking Road', line2: 'Bandra West', city: 'Mumbai', state: 'Maharashtra', pin: '400050', phone: '+91 98200 12345', email: 'rohan.mehta@example.in' },
] as const;

const sampleItems = [
  { sku: 'KK-TSHIRT-M-WHT', productName: 'Classic White T-Shirt', customerPrice: 499, brand: 'KapasKraft', ean: '4006381333931', upc: '012345678905', gtin: '00012345678905' },
  { sku: 'KK-KURTA-L-BLU', productName: 'Indigo Cotton Kurta', customerPrice: 1299, brand: 'KapasKraft', ean: '4006381333948', upc: '012345678912', gtin: '00012345678912' },
] as const;

function buildShipment(n: number, seq: number, overrides: EshopboxShipmentOverrides): EshopboxShipment {
  const person = samplePeople[n % samplePeople.length]!;
  const item = sampleItems[n % sampleItems.length]!;
  const quantity = 1 + (n % 2);
  const trackingId = String(82_616_846_149 + seq);
  const shipment: EshopboxShipment = {
    shipmentId: `SHP-${100_000 + seq}`,
    customerOrderNumber: `DR-${903 + n}`,
    trackingId,
    courierName: 'Delhivery',
    trackingUrl: `https://www.delhivery.com/track/package/${trackingId}`,
    status: 'created',
    returnStatus: null,
    remarks: null,
    attempts: 0,
    expectedDeliveryDate: null,
    orderDate: '2026-05-01 09:00:00',
    invoiceNumber: `INV-2026-${String(42 + n).padStart(5, '0')}`,
    invoiceTotal: item.customerPrice * quantity,
    isCOD: n % 2 === 0,
    paymentMethod: n % 2 === 0 ? 'COD' : 'Prepaid',
    shippingAddress: {
      customerName: person.name,
      addressLine1: person.line1,
      addressLine2: person.line2,
      city: person.city,
      state: person.state,
      postalCode: person.pin,
      countryCode: 'IN',
      contactPhone: person.phone,
      email: person.email,
    },
    items: [{ orderItemID: `OI-${seq}`, quantity, ...item }],
  };
  const { shippingAddress, ...rest } = overrides;
  return { ...shipment, ...rest, shippingAddress: { ...shipment.shippingAddress, ...(shippingAddress ?? {}) } };
}
