// Eshopbox adapter + simulator over real HTTP: the simulator plays the auth, API and WMS hosts and delivers
// webhooks to a local receiver; the adapter gets tokens, verifies and parses what arrived, and resolves
// failed deliveries (seed 002's journey).
import { beforeEach, describe, expect, it } from 'vitest';
import type { RawWebhook } from '../../../core/channels/ports.js';
import type { FailedDeliveryRequest, StoreConnectionCredentials } from '../../../core/stores/ports.js';
import { EshopboxAdapter } from './index.js';
import { EshopboxSimulator } from './simulator.js';
import type { EshopboxDelivery, EshopboxShipment } from './simulator.js';
import { expectProviderError } from '../../../../test/support/provider-error.js';
import { RawWebhookReceiver } from '../../../../test/support/receiver.js';
import { serveSimulator } from '../../../../test/support/simulator-tests.js';

const WS = 'kapaskraft';
const CLIENT_ID = 'client-123';
const CLIENT_SECRET = 'client-secret-xyz';
const REFRESH = 'refresh-token-abc';
const KEY = 'hub-generated-webhook-key-0123456789';

const dayInIndia = (offsetDays: number): string => new Date(Date.now() + 330 * 60_000 + offsetDays * 86_400_000).toISOString().slice(0, 10);

describe('Eshopbox adapter with the simulator', () => {
  const sim = new EshopboxSimulator();
  const receiver = new RawWebhookReceiver('/webhooks/eshopbox');
  let adapter: EshopboxAdapter;
  const connection: StoreConnectionCredentials = {
    settings: { workspace: WS, externalChannelId: 'CH-KK' },
    secrets: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, refreshToken: REFRESH, webhookKey: KEY },
  };
  const withSecrets = (secrets: Record<string, string>): StoreConnectionCredentials => ({ ...connection, secrets: { ...connection.secrets, ...secrets } });

  serveSimulator(sim, [receiver], {
    seed: () => {
      // A new adapter each test: none inherits another's cached access token.
      adapter = new EshopboxAdapter({ authUrl: sim.baseUrl, apiBaseFor: () => sim.baseUrl, wmsUrl: sim.baseUrl });
      sim.addAccount({ workspace: WS, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, refreshToken: REFRESH, externalChannelId: 'CH-KK' });
      for (const resource of ['shipment', 'returnShipment']) sim.registerWebhook(WS, { resource, webhookUrl: receiver.url, webhookHeaders: { 'x-api-key': KEY } });
    },
  });

  /** Advances the shipment and returns what the receiver got for it. */
  async function advance(shipment: EshopboxShipment, subType: string, opts: { resource?: 'shipment' | 'returnShipment'; timestamp?: string } = {}): Promise<RawWebhook> {
    const before = receiver.received.length;
    const deliveries = await sim.advance(WS, shipment.shipmentId, subType, opts);
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]!.state).toBe('delivered');
    expect(receiver.received).toHaveLength(before + 1);
    return receiver.received.at(-1)!;
  }

  describe('verifyConnection and tokens', () => {
    it('gets a token from the refresh token, reads orders/erp and caches the token', async () => {
      const verified = await adapter.verifyConnection(connection);
      expect(verified.displayName).toBe(WS);
      const [tokenReq] = sim.requests('/api/v1/generateToken');
      expect(tokenReq?.json).toEqual({ client_id: CLIENT_ID, client_secret: CLIENT_SECRET, grant_type: 'refresh_token', refresh_token: REFRESH });
      const [ordersReq] = sim.requests('/api/v1/orders/erp');
      expect(ordersReq?.query).toEqual({ page: '1' });
      expect(ordersReq?.headers['authorization']).toMatch(/^Bearer ebx_/);
      await adapter.verifyConnection(connection);
      expect(sim.requests('/api/v1/generateToken')).toHaveLength(1);
    });

    it('reports refused credentials as permanent without leaking them', async () => {
      const err = await expectProviderError(adapter.verifyConnection(withSecrets({ clientSecret: 'wrong-secret' })));
      expect(err.kind).toBe('permanent');
      expect(err.httpStatus).toBe(401);
      expect(err.message).toContain('Eshopbox refused the client id/secret or refresh token');
      expect(err.message).not.toContain('wrong-secret');
      expect(err.message).not.toContain(REFRESH);
    });

    it('refuses a missing workspace or secrets without calling out', async () => {
      const noWs = await expectProviderError(adapter.verifyConnection({ ...connection, settings: { workspace: 'evil.com/x' } }));
      expect(noWs.kind).toBe('permanent');
      const noSecret = await expectProviderError(adapter.verifyConnection(withSecrets({ refreshToken: '' })));
      expect(noSecret.message).toContain('refresh token');
      expect(sim.requests()).toHaveLength(0);
    });

    it('drops a token the API refuses (401) and retries once with a fresh one', async () => {
      await adapter.verifyConnection(connection);
      sim.expireTokens();
      await adapter.verifyConnection(connection);
      expect(sim.requests('/api/v1/generateToken')).toHaveLength(2);
      // ok, refused (401), ok with the new token
      expect(sim.requests('/api/v1/orders/erp')).toHaveLength(3);

      sim.injectFault({ kind: 'status', status: 401, times: 2, path: '/api/v1/orders/erp' });
      const refused = await expectProviderError(adapter.verifyConnection(connection));
      expect(refused.kind).toBe('permanent');
      expect(refused.message).toContain('Eshopbox refused a fresh access token');
      expect(sim.requests('/api/v1/generateToken')).toHaveLength(3);
    });

    it('renews a token shortly before it expires', async () => {
      let now = Date.now();
      const clocked = new EshopboxAdapter({ authUrl: sim.baseUrl, apiBaseFor: () => sim.baseUrl, wmsUrl: sim.baseUrl, now: () => now });
      await clocked.verifyConnection(connection);
      now += 3_550_000; // within the renewal margin of the simulator's 3600 s tokens
      await clocked.verifyConnection(connection);
      expect(sim.requests('/api/v1/generateToken')).toHaveLength(2);
    });

    it('waits on 429 with Retry-After and retries on 5xx', async () => {
      sim.injectFault({ kind: 'status', status: 429, retryAfter: 3, path: '/api/v1/orders/erp' });
      const limited = await expectProviderError(adapter.verifyConnection(connection));
      expect(limited.kind).toBe('retry_after');
      expect(limited.retryAfterMs).toBe(3000);
      expect(limited.message).toContain('Too many requests');

      sim.injectFault({ kind: 'status', status: 503, path: '/api/v1/orders/erp' });
      const down = await expectProviderError(adapter.verifyConnection(connection));
      expect(down.kind).toBe('retryable');
      expect(down.httpStatus).toBe(503);

      sim.injectFault({ kind: 'status', status: 502, path: '/api/v1/generateToken' });
      const authDown = await expectProviderError(new EshopboxAdapter({ authUrl: sim.baseUrl, apiBaseFor: () => sim.baseUrl }).verifyConnection(connection));
      expect(authDown.kind).toBe('retryable');
    });
  });

  describe('webhooks', () => {
    it('delivers a shipment created webhook that verifies and maps to order.placed with the full snapshot', async () => {
      const shipment = sim.createShipment(WS);
      const raw = await advance(shipment, 'created', { timestamp: '2026-05-01T03:30:00.000Z' });
      expect(raw.headers['x-api-key']).toBe(KEY);
      expect(adapter.verifyWebhook(connection, raw)).toBe(true);
      const parsed = adapter.parseWebhook(raw);
      expect(parsed.topic).toBe('shipment/created');
      expect(parsed.deliveryId).toBe(adapter.deliveryId(raw));
      expect(parsed.deliveryId).toMatch(/^eshopbox:[0-9a-f]{64}$/);
      const [event] = parsed.events;
      expect(event?.type).toBe('order.placed');
      expect(event?.idempotencyKey).toBe(`eshopbox:${WS}:shipment:${shipment.trackingId}:created:2026-05-01T03:30:00.000Z`);
      expect(event?.occurredAt).toBe(Date.parse('2026-05-01T03:30:00.000Z'));
      expect(event?.order).toMatchObject({
        externalId: shipment.customerOrderNumber,
        name: shipment.customerOrderNumber,
        customerName: 'Asha Verma',
        phone: '+919876543210',
        email: 'asha.verma@example.in',
        total: { amount: '499.00', currency: 'INR' },
        paymentMethod: 'COD',
        createdAt: '2026-05-01T09:00:00+05:30',
        shippingAddress: { line1: '12 MG Road', line2: 'Flat 4B', city: 'Bengaluru', state: 'Karnataka', postalCode: '560001', country: 'IN', phone: '+919876543210' },
        lines: [{ sku: 'KK-TSHIRT-M-WHT', title: 'Classic White T-Shirt', quantity: 1, price: '499.00' }],
      });
      expect(event?.data).toMatchObject({
        brand: 'KapasKraft',
        ean: '4006381333931',
        upc: '012345678905',
        gtin: '00012345678905',
        invoice: shipment.invoiceNumber,
        invoiceTotal: '499.00',
        paymentMethod: 'COD',
        trackingNumber: shipment.trackingId,
        trackingUrl: shipment.trackingUrl,
        courierName: 'Delhivery',
      });
    });

    it('maps every shipment and return sub type', async () => {
      const shipment = sim.createShipment(WS);
      const cases: Array<['shipment' | 'returnShipment', string, string]> = [
        ['shipment', 'packed', 'order.packed'],
        ['shipment', 'dispatched', 'order.shipped'],
        ['shipment', 'out_for_delivery', 'order.out_for_delivery'],
        ['shipment', 'failed_delivery', 'order.delivery_failed'],
        ['shipment', 'delivered', 'order.delivered'],
        ['shipment', 'cancelled_order', 'order.cancelled'],
        ['shipment', 'intransit', 'shipment.updated'],
        ['shipment', 'shipment_delayed', 'shipment.updated'],
        ['shipment', 'rto_intransit', 'shipment.updated'],
        ['shipment', 'lost', 'shipment.updated'],
        ['returnShipment', 'created', 'return.created'],
        ['returnShipment', 'complete', 'return.restocked'],
        ['returnShipment', 'delivered_warehouse', 'return.restocked'],
        ['returnShipment', 'picked_up', 'shipment.updated'],
      ];
      for (const [resource, subType, type] of cases) {
        const raw = await advance(shipment, subType, { resource });
        const [event] = adapter.parseWebhook(raw).events;
        expect(event?.type, `${resource}/${subType}`).toBe(type);
        expect(event?.idempotencyKey.startsWith(`eshopbox:${WS}:${resource}:${shipment.trackingId}:${subType}:`)).toBe(true);
        if (type === 'shipment.updated') expect(event?.data['status']).toBe(subType);
      }
    });

    it('puts the reason and attempt count on order.delivery_failed', async () => {
      const shipment = sim.createShipment(WS);
      await sim.advance(WS, shipment.shipmentId, 'failed_delivery', { remarks: 'Door locked' });
      const [event] = adapter.parseWebhook(receiver.received.at(-1)!).events;
      expect(event?.type).toBe('order.delivery_failed');
      expect(event?.data).toMatchObject({ trackingId: shipment.trackingId, reason: 'Door locked', remarks: 'Door locked', attempts: 1 });
    });

    it('ignores resources the hub does not act on', () => {
      const body = Buffer.from(JSON.stringify({ resource: 'channel_inventory', eventSubType: 'updated', timestamp: '2026-05-01T00:00:00Z', data: { sku: 'X' } }));
      const parsed = adapter.parseWebhook({ body, headers: {}, query: {} });
      expect(parsed.topic).toBe('channel_inventory/updated');
      expect(parsed.events).toEqual([]);
      expect(parsed.deliveryId).toMatch(/^sha256:/);
    });

    it('accepts the key as header or query parameter and refuses anything else', async () => {
      const raw = await advance(sim.createShipment(WS), 'packed');
      const headers = { ...raw.headers };
      delete headers['x-api-key'];
      expect(adapter.verifyWebhook(connection, { ...raw, headers })).toBe(false);
      expect(adapter.verifyWebhook(connection, { ...raw, headers, query: { key: KEY } })).toBe(true);
      expect(adapter.verifyWebhook(connection, { ...raw, headers: { ...headers, 'x-api-key': `${KEY}x` } })).toBe(false);
      expect(adapter.verifyWebhook(connection, { ...raw, headers: { ...headers, 'x-api-key': 'short' } })).toBe(false);
      expect(adapter.verifyWebhook(withSecrets({ webhookKey: '' }), raw)).toBe(false);
      expect(adapter.verifyWebhook(withSecrets({ webhookKey: 'another-key' }), raw)).toBe(false);
    });

    it('delivers the key registered in the callback URL', async () => {
      sim.reset();
      sim.addAccount({ workspace: WS, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, refreshToken: REFRESH });
      sim.registerWebhook(WS, { resource: 'shipment', eventSubType: 'delivered', webhookUrl: `${receiver.url}?key=${KEY}` });
      const shipment = sim.createShipment(WS);
      expect(await sim.advance(WS, shipment.shipmentId, 'packed')).toHaveLength(0);
      const raw = await advance(shipment, 'delivered');
      expect(raw.query['key']).toBe(KEY);
      expect(adapter.verifyWebhook(connection, raw)).toBe(true);
    });

    it('gives a redelivery the same delivery id and idempotency key, and a new event a new one', async () => {
      const shipment = sim.createShipment(WS);
      const first = await advance(shipment, 'failed_delivery');
      const [delivery] = sim.deliveries({ workspace: WS });
      await sim.redeliver(delivery!.id);
      const again = receiver.received.at(-1)!;
      expect(again.body.equals(first.body)).toBe(true);
      expect(adapter.deliveryId(again)).toBe(adapter.deliveryId(first));
      expect(adapter.parseWebhook(again).events[0]!.idempotencyKey).toBe(adapter.parseWebhook(first).events[0]!.idempotencyKey);

      const second = await advance(shipment, 'failed_delivery', { timestamp: '2030-01-01T00:00:00.000Z' });
      expect(adapter.deliveryId(second)).not.toBe(adapter.deliveryId(first));
      expect(adapter.parseWebhook(second).events[0]!.data['attempts']).toBe(2);
    });

    it('explains a body that is not JSON', () => {
      const raw: RawWebhook = { body: Buffer.from('not json{'), headers: { 'x-api-key': KEY }, query: {} };
      expect(adapter.deliveryId(raw)).toBeNull();
      expect(() => adapter.parseWebhook(raw)).toThrow(/Eshopbox webhook body .* is not valid JSON/);
    });
  });

  describe('resolveFailedDelivery (seed 002)', () => {
    let shipment: EshopboxShipment;
    const request = (action: FailedDeliveryRequest['action'], overrides: Partial<FailedDeliveryRequest> = {}): FailedDeliveryRequest => ({
      orderName: shipment.customerOrderNumber,
      trackingId: shipment.trackingId,
      phone: '+919876543210',
      customerName: 'Asha Verma',
      action,
      remarks: null,
      ...overrides,
    });

    beforeEach(async () => {
      shipment = sim.createShipment(WS);
      await sim.advance(WS, shipment.shipmentId, 'failed_delivery');
    });

    it('re-attempts with ACTF001, the order phone and the action source, once per failed attempt', async () => {
      const result = await adapter.resolveFailedDelivery(connection, request({ kind: 'reattempt' }));
      expect(result.reference).toMatch(/^NDR-\d+$/);
      const [resolution] = sim.resolutions(WS);
      expect(resolution?.body).toMatchObject({
        customerOrderNumber: shipment.customerOrderNumber,
        trackingId: shipment.trackingId,
        resolutionCode: 'ACTF001',
        contactPhoneNumber: '9876543210',
        actionSource: 'Shoptalk WhatsApp',
        remarks: 'Customer asked for another delivery attempt on WhatsApp',
      });
      const [req] = sim.requests('/api/v2/ndrResolution');
      expect(req?.headers['authorization']).toMatch(/^Bearer /);
      expect(sim.shipments(WS)[0]!.status).toBe('ndr_resolution_submitted');

      const dup = await expectProviderError(adapter.resolveFailedDelivery(connection, request({ kind: 'cancel' })));
      expect(dup.kind).toBe('permanent');
      expect(dup.httpStatus).toBe(409);
      expect(dup.message).toContain('already submitted');

      // A new failed attempt may be resolved again.
      await sim.advance(WS, shipment.shipmentId, 'failed_delivery');
      await adapter.resolveFailedDelivery(connection, request({ kind: 'cancel' }, { remarks: 'no longer needed' }));
      expect(sim.resolutions(WS).map((r) => [r.attempt, r.body['resolutionCode'], r.body['remarks']])).toEqual([
        [1, 'ACTF001', 'Customer asked for another delivery attempt on WhatsApp'],
        [2, 'ACTF003', 'no longer needed'],
      ]);
    });

    it('reschedules with ACTF002 and a yyyy-mm-dd date, refusing bad or past dates before calling', async () => {
      const tomorrow = dayInIndia(1);
      await adapter.resolveFailedDelivery(connection, request({ kind: 'reschedule', date: tomorrow }));
      expect(sim.resolutions(WS)[0]?.body).toMatchObject({ resolutionCode: 'ACTF002', deferredDate: tomorrow });
      expect(sim.shipments(WS)[0]!.expectedDeliveryDate).toBe(tomorrow);

      const calls = sim.requests('/api/v2/ndrResolution').length;
      const past = await expectProviderError(adapter.resolveFailedDelivery(connection, request({ kind: 'reschedule', date: dayInIndia(-2) })));
      expect(past.kind).toBe('permanent');
      expect(past.message).toContain('in the past');
      for (const date of ['05-06-2026', '2026-02-30', 'tomorrow']) {
        const bad = await expectProviderError(adapter.resolveFailedDelivery(connection, request({ kind: 'reschedule', date })));
        expect(bad.message).toContain('yyyy-mm-dd');
      }
      expect(sim.requests('/api/v2/ndrResolution')).toHaveLength(calls);
    });

    it('sends an address update as ACTF001 with shippingDetails', async () => {
      await adapter.resolveFailedDelivery(connection, request({ kind: 'update_address', address: '45 Residency Road, Flat 2A', landmark: 'Near the park' }));
      expect(sim.resolutions(WS)[0]?.body).toMatchObject({
        resolutionCode: 'ACTF001',
        shippingDetails: { name: 'Asha Verma', updatedAddress: '45 Residency Road, Flat 2A', landmark: 'Near the park' },
      });
      expect(sim.shipments(WS)[0]!.shippingAddress.addressLine1).toBe('45 Residency Road, Flat 2A');
    });

    it('sends a phone update as ACTF001 with the new number in the notes', async () => {
      await adapter.resolveFailedDelivery(connection, request({ kind: 'update_phone', phone: '+919811122233' }));
      const details = sim.resolutions(WS)[0]?.body['shippingDetails'] as Record<string, string>;
      expect(details['notes']).toContain('+919811122233');
      expect(sim.resolutions(WS)[0]?.body['contactPhoneNumber']).toBe('9876543210');
    });

    it("maps Eshopbox's 4xx message to permanent: wrong phone, unknown shipment, missing fields", async () => {
      const wrongPhone = await expectProviderError(adapter.resolveFailedDelivery(connection, request({ kind: 'reattempt' }, { phone: '9000000000' })));
      expect(wrongPhone.kind).toBe('permanent');
      expect(wrongPhone.httpStatus).toBe(400);
      expect(wrongPhone.message).toContain('contactPhoneNumber does not match the phone number on the order');

      const unknown = await expectProviderError(adapter.resolveFailedDelivery(connection, request({ kind: 'reattempt' }, { trackingId: '1' })));
      expect(unknown.kind).toBe('permanent');
      expect(unknown.message).toContain('no shipment');

      const noTracking = await expectProviderError(adapter.resolveFailedDelivery(connection, request({ kind: 'reattempt' }, { trackingId: null })));
      expect(noTracking.message).toContain('tracking id');
      expect(sim.resolutions(WS)).toHaveLength(0);
    });

    it('classifies 429 and 5xx', async () => {
      sim.injectFault({ kind: 'status', status: 429, retryAfter: 7, path: '/api/v2/ndrResolution' });
      const limited = await expectProviderError(adapter.resolveFailedDelivery(connection, request({ kind: 'reattempt' })));
      expect(limited.kind).toBe('retry_after');
      expect(limited.retryAfterMs).toBe(7000);
      sim.injectFault({ kind: 'status', status: 500, path: '/api/v2/ndrResolution' });
      expect((await expectProviderError(adapter.resolveFailedDelivery(connection, request({ kind: 'reattempt' })))).kind).toBe('retryable');
      expect(sim.resolutions(WS)).toHaveLength(0);
    });
  });

  describe('simulator API', () => {
    const post = async (path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> =>
      fetch(`${sim.baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });

    it('registers webhooks through POST /api/v1/webhook with a token and ProxyHost', async () => {
      const tokenRes = await post('/api/v1/generateToken', { client_id: CLIENT_ID, client_secret: CLIENT_SECRET, grant_type: 'refresh_token', refresh_token: REFRESH });
      const { access_token: token, expires_in: expiresIn } = (await tokenRes.json()) as { access_token: string; expires_in: number };
      expect(expiresIn).toBe(3600);
      const auth = { authorization: `Bearer ${token}` };
      const registration = { resource: 'shipment', eventType: 'PUT', eventSubType: 'failed_delivery', version: 'v1', webhookUrl: receiver.url, webhookMethod: 'POST', webhookHeaders: { 'x-api-key': 'k2' } };
      expect((await post('/api/v1/webhook', registration, { ...auth, proxyhost: WS })).status).toBe(201);
      expect((await post('/api/v1/webhook', registration, auth)).status).toBe(400);
      expect((await post('/api/v1/webhook', registration, { ...auth, proxyhost: 'other' })).status).toBe(403);
      expect((await post('/api/v1/webhook', registration, { proxyhost: WS })).status).toBe(401);
      const bad = await post('/api/v1/webhook', { ...registration, resource: 'orders' }, { ...auth, proxyhost: WS });
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { error: string }).error).toContain('resource must be one of');
      expect((await post('/api/v1/webhook', { ...registration, webhookUrl: 'ftp://x' }, { ...auth, proxyhost: WS })).status).toBe(400);
      expect((await post('/api/v1/generateToken', { client_id: CLIENT_ID, client_secret: 'no', grant_type: 'refresh_token', refresh_token: REFRESH })).status).toBe(401);
      expect((await post('/api/v1/generateToken', { client_id: CLIENT_ID, grant_type: 'password' })).status).toBe(400);

      const shipment = sim.createShipment(WS);
      await sim.advance(WS, shipment.shipmentId, 'failed_delivery');
      // Both the beforeEach registration and this one get the failed delivery, each with its own headers.
      expect(receiver.received.map((r) => r.headers['x-api-key']).sort()).toEqual([KEY, 'k2'].sort());
    });

    it('refuses bad NDR bodies with 400 and a message', async () => {
      const token = ((await (await post('/api/v1/generateToken', { client_id: CLIENT_ID, client_secret: CLIENT_SECRET, grant_type: 'refresh_token', refresh_token: REFRESH })).json()) as { access_token: string }).access_token;
      const shipment = sim.createShipment(WS);
      const auth = { authorization: `Bearer ${token}` };
      const base = { customerOrderNumber: shipment.customerOrderNumber, trackingId: shipment.trackingId, contactPhoneNumber: '9876543210', resolutionCode: 'ACTF001' };
      const message = async (res: Response): Promise<string> => ((await res.json()) as { message: string }).message;
      const notFailed = await post('/api/v2/ndrResolution', base, auth);
      expect(notFailed.status).toBe(400);
      expect(await message(notFailed)).toContain('not in failed delivery');
      await sim.advance(WS, shipment.shipmentId, 'failed_delivery');
      const cases: Array<[Record<string, unknown>, string]> = [
        [{ ...base, trackingId: undefined }, 'trackingId is required'],
        [{ ...base, resolutionCode: 'ACTF999' }, 'resolutionCode must be one of'],
        [{ ...base, resolutionCode: 'ACTF002' }, 'deferredDate is required'],
        [{ ...base, resolutionCode: 'ACTF002', deferredDate: '06-05-2026' }, 'yyyy-mm-dd'],
        [{ ...base, resolutionCode: 'ACTF002', deferredDate: '2000-01-01' }, 'in the past'],
        [{ ...base, deferredDate: '2099-01-01' }, 'only accepted with ACTF002'],
        [{ ...base, resolutionCode: 'ACTF002', deferredDate: '2099-01-01', shippingDetails: { name: 'A' } }, 'shippingDetails is only accepted'],
        [{ ...base, shippingDetails: { name: 1 } }, 'object of strings'],
      ];
      for (const [body, expected] of cases) {
        const res = await post('/api/v2/ndrResolution', body, auth);
        expect(res.status, expected).toBe(400);
        expect(await message(res)).toContain(expected);
      }
      expect((await post('/api/v2/ndrResolution', base)).status).toBe(401);
      expect((await post('/api/v2/ndrResolution', base, auth)).status).toBe(200);
    });

    it('answers bad control input with 4xx, never 500', async () => {
      expect((await post('/_sim/accounts', { workspace: 'shop2' })).status).toBe(400);
      expect((await post('/_sim/accounts', 'not json')).status).toBe(400);
      expect((await post('/_sim/accounts', { workspace: 'bad ws!', clientId: 'a', clientSecret: 'b', refreshToken: 'c' })).status).toBe(400);
      expect((await post('/_sim/shipments', { workspace: 'nope' })).status).toBe(404);
      expect((await post('/_sim/shipments', { workspace: WS, shipment: 'x' })).status).toBe(400);
      expect((await post('/_sim/webhooks', { workspace: WS, resource: 'shipment' })).status).toBe(400);
      expect((await post('/_sim/webhooks', { workspace: WS, resource: 'shipment', webhookUrl: receiver.url, eventSubType: 'teleported' })).status).toBe(400);
      expect((await post('/_sim/webhooks', { workspace: WS, resource: 'shipment', webhookUrl: receiver.url, webhookHeaders: { a: 1 } })).status).toBe(400);
      const created = await post('/_sim/shipments', { workspace: WS, shipment: { customerOrderNumber: 'DR-1', shippingAddress: { contactPhone: '09812345678' } } });
      expect(created.status).toBe(201);
      const shipment = (await created.json()) as EshopboxShipment;
      expect(shipment.shippingAddress.city).toBe('Bengaluru');
      expect((await post(`/_sim/shipments/${shipment.shipmentId}/advance`, { workspace: WS, subType: 'teleported' })).status).toBe(400);
      expect((await post(`/_sim/shipments/${shipment.shipmentId}/advance`, { workspace: WS, subType: 'created', resource: 'orders' })).status).toBe(400);
      expect((await post(`/_sim/shipments/${shipment.shipmentId}/advance`, { workspace: WS, subType: 'created', timestamp: 'yesterday' })).status).toBe(400);
      expect((await post('/_sim/shipments/SHP-0/advance', { workspace: WS, subType: 'created' })).status).toBe(404);
      expect((await post('/_sim/deliveries/nope/redeliver', {})).status).toBe(404);

      const advanced = await post(`/_sim/shipments/${shipment.shipmentId}/advance`, { workspace: WS, subType: 'dispatched' });
      expect(advanced.status).toBe(201);
      const [delivery] = (await advanced.json()) as EshopboxDelivery[];
      expect(delivery?.state).toBe('delivered');
      const event = adapter.parseWebhook(receiver.received.at(-1)!).events[0]!;
      expect(event.order?.phone).toBe('+919812345678');
      expect(event.order?.name).toBe('DR-1');
      const listed = (await (await fetch(`${sim.baseUrl}/_sim/deliveries?workspace=${WS}`)).json()) as EshopboxDelivery[];
      expect(listed).toHaveLength(1);
      expect((await fetch(`${sim.baseUrl}/_sim/resolutions?workspace=${WS}`)).status).toBe(200);
      expect((await post('/_sim/tokens/expire', {})).status).toBe(204);
    });
  });
});

// Eshopbox does not sign webhooks: it sends back the headers registered with the subscription
// (webhookHeaders{x-api-key,...}, eshop.gitbook.io "Registering webhook for tracking shipment"). The known
// answer is therefore the key itself, compared exactly.
describe('Eshopbox webhook key (known answer)', () => {
  const adapter = new EshopboxAdapter({ authUrl: 'http://127.0.0.1:1', apiBaseFor: () => 'http://127.0.0.1:1', wmsUrl: 'http://127.0.0.1:1' });
  const conn: StoreConnectionCredentials = { settings: { workspace: 'kapaskraft' }, secrets: { webhookKey: 'whk_3f9a7c1e' } };
  const hook = (headers: Record<string, string>, query: Record<string, string> = {}): RawWebhook => ({ body: Buffer.from('{}'), headers, query });

  it('accepts exactly the registered key, in x-api-key or ?key=', () => {
    expect(adapter.verifyWebhook(conn, hook({ 'x-api-key': 'whk_3f9a7c1e' }))).toBe(true);
    expect(adapter.verifyWebhook(conn, hook({}, { key: 'whk_3f9a7c1e' }))).toBe(true);
    for (const wrong of ['WHK_3F9A7C1E', 'whk_3f9a7c1e ', 'whk_3f9a7c1', 'Bearer whk_3f9a7c1e', '']) {
      expect(adapter.verifyWebhook(conn, hook({ 'x-api-key': wrong }))).toBe(false);
    }
    expect(adapter.verifyWebhook(conn, hook({ authorization: 'whk_3f9a7c1e' }))).toBe(false);
  });
});
