// Outbound webhooks: signed deliveries of message and activity events, retried until the receiver accepts,
// visible with their responses.
import http from 'node:http';
import { createHmac } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MerchantSetup, TestHub } from './support/hub.js';
import { setUpMerchant, startTestHub } from './support/hub.js';
import { waitFor } from './support/services.js';

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
}

describe('outbound webhooks', () => {
  let t: TestHub;
  let m: MerchantSetup;
  let receiver: http.Server;
  let url: string;
  const received: Received[] = [];
  let failFirst = 1;

  beforeAll(async () => {
    t = await startTestHub({ name: 'sqlite', db: 'sqlite', redis: false });
    m = await setUpMerchant(t);
    receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        if (failFirst > 0) {
          failFirst -= 1;
          res.writeHead(500).end('try later');
          return;
        }
        received.push({ headers: req.headers, body });
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
    url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
  });
  afterAll(async () => {
    receiver?.closeAllConnections();
    await new Promise((r) => receiver?.close(r));
    await t?.close();
  });

  it('delivers signed message and activity events, retrying a refused delivery', async () => {
    const bad = await t.api<{ error: { message: string } }>('POST', '/v1/webhook-subscriptions', m.key, { url: 'not a url', events: ['message.status'] });
    expect(bad.status).toBe(400);
    const sub = await t.api<{ id: string; secret: string }>('POST', '/v1/webhook-subscriptions', m.key, { url, events: ['message.status', 'activity.created'] });
    expect(sub.status).toBe(201);
    expect(sub.body.secret).toMatch(/^whsec_/);
    const listed = await t.api<{ data: Array<Record<string, unknown>> }>('GET', '/v1/webhook-subscriptions', m.key);
    expect(JSON.stringify(listed.body)).not.toContain(sub.body.secret);

    await t.shopify.placeOrder(m.shop, { phone: '+1 555-010-9191' });
    const sent = await waitFor(() => received.find((r) => r.headers['shoptalk-event'] === 'message.status' && JSON.parse(r.body).data.status === 'sent'), { timeoutMs: 20_000, what: 'message.status sent' });
    const [tPart, vPart] = String(sent.headers['shoptalk-signature']).split(',');
    const timestamp = tPart!.slice(2);
    const expected = createHmac('sha256', sub.body.secret).update(`${timestamp}.${sent.body}`).digest('hex');
    expect(vPart).toBe(`v1=${expected}`);
    const event = JSON.parse(sent.body) as { id: string; type: string; data: { channel: string; template: string } };
    expect(event).toMatchObject({ type: 'message.status', data: { channel: 'whatsapp', template: 'order_placed' } });
    await waitFor(() => received.some((r) => r.headers['shoptalk-event'] === 'activity.created'), { what: 'activity.created' });

    const deliveries = await waitFor(async () => {
      const res = await t.api<{ data: Array<{ status: string; attempts: number; response_status: number; error: string | null }> }>('GET', `/v1/webhook-subscriptions/${sub.body.id}/deliveries`, m.key);
      return res.body.data.some((d) => d.attempts === 2 && d.status === 'delivered') ? res.body.data : null;
    }, { timeoutMs: 20_000, what: 'a delivery that succeeded on its second attempt' });
    expect(deliveries.every((d) => d.status === 'delivered' || d.status === 'pending')).toBe(true);
    expect(deliveries.find((d) => d.attempts === 2)).toMatchObject({ response_status: 200, error: null });

    const other = await setUpMerchant(t, { enable: false });
    expect((await t.api('GET', `/v1/webhook-subscriptions/${sub.body.id}/deliveries`, other.key)).status).toBe(404);
    expect((await t.api('DELETE', `/v1/webhook-subscriptions/${sub.body.id}`, m.key)).status).toBe(204);
  });
});
