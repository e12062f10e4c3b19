// Outbound webhooks retry for about a day on a fixed schedule (tested by moving due times, not by waiting), every
// attempt is recorded, a delivery that gave up is listed as failed and can be redelivered from the API, and the
// receiver sees Standard Webhooks headers. On SQLite and PostgreSQL.
import http from 'node:http';
import { createHmac } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MerchantSetup, TestHub } from './support/hub.js';
import { setUpMerchant, startTestHub } from './support/hub.js';
import { storageKinds, waitFor } from './support/services.js';
import { RETRY_SCHEDULE_MS } from '../src/core/webhooks/outbound.js';

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
}

interface Attempt {
  attempt: number;
  trigger: string;
  started_at: string;
  duration_ms: number;
  response_status: number | null;
  response_body: string | null;
  error: string | null;
}

interface Delivery {
  id: string;
  status: string;
  attempts: number;
  next_attempt_at: string | null;
  response_status: number | null;
  response_body: string | null;
  error: string | null;
  attempt_log: Attempt[];
}

for (const kind of storageKinds) {
  describe(`outbound webhook retries and redelivery (${kind})`, () => {
    let t: TestHub;
    let m: MerchantSetup;
    let receiver: http.Server;
    let url: string;
    const received: Received[] = [];
    let answer: 'fail' | 'ok' = 'fail';

    beforeAll(async () => {
      t = await startTestHub({ name: kind, db: kind, redis: false });
      m = await setUpMerchant(t, { enable: false });
      receiver = http.createServer((req, res) => {
        let body = '';
        req.on('data', (c: Buffer) => (body += c.toString()));
        req.on('end', () => {
          received.push({ headers: req.headers, body });
          if (answer === 'ok') res.writeHead(204).end();
          // A long answer with control characters: only a short clean excerpt may be kept and shown.
          else res.writeHead(503, { 'content-type': 'text/plain' }).end(`\u001b[31mdown\u0000 for maintenance\r\n${'stack frame; '.repeat(100)}`);
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

    /** Queues one delivery the way an activity does (in a transaction with its job). */
    const queueDelivery = (subscriptionId: string) =>
      t.hub.uow.transaction(async (tx) => {
        const d = await tx.webhookDeliveries.create(m.workspaceId, { subscriptionId, event: 'activity.created', payload: { id: 'act_test', kind: 'test' } });
        await tx.jobs.enqueue({ type: 'webhook.deliver', workspaceId: m.workspaceId, payload: { deliveryId: d.id, attempt: 0 } });
        return d.id;
      });

    const detail = async (subscriptionId: string, deliveryId: string) => (await t.api<Delivery>('GET', `/v1/webhook-subscriptions/${subscriptionId}/deliveries/${deliveryId}`, m.key)).body;

    /** Makes the scheduled attempt of this delivery due now: the clock is not waited for. */
    const makeDue = async (deliveryId: string) => {
      const moved = await t.hub.storage.db
        .updateTable('jobs')
        .set({ run_at: Date.now() })
        .where('type', '=', 'webhook.deliver')
        .where('status', '=', 'pending')
        .where('payload', 'like', `%${deliveryId}%`)
        .executeTakeFirst();
      expect(Number(moved.numUpdatedRows)).toBe(1);
      t.hub.queue.notify();
    };

    it('retries on the schedule, records every attempt, gives up after eight, and is redelivered on request', async () => {
      const sub = await t.api<{ id: string; secret: string }>('POST', '/v1/webhook-subscriptions', m.key, { url, events: ['activity.created'] });
      expect(sub.status).toBe(201);
      expect(sub.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
      const deliveryId = await queueDelivery(sub.body.id);

      for (let n = 1; n <= 8; n++) {
        const d = await waitFor(async () => {
          const x = await detail(sub.body.id, deliveryId);
          return x.attempts === n ? x : null;
        }, { timeoutMs: 15_000, what: `attempt ${n}` });
        expect(d.attempt_log).toHaveLength(n);
        const last = d.attempt_log[n - 1]!;
        expect(last).toMatchObject({ attempt: n, trigger: 'automatic', response_status: 503, error: 'answered HTTP 503' });
        expect(last.response_body!.length).toBeLessThanOrEqual(200);
        expect(last.response_body).toMatch(/^\[31mdown for maintenance stack frame;/);
        expect([...last.response_body!].some((c) => c.charCodeAt(0) < 0x20)).toBe(false);
        if (n < 8) {
          expect(d.status).toBe('pending');
          // The next attempt is due exactly the scheduled wait after this one finished.
          const finished = Date.parse(last.started_at) + last.duration_ms;
          expect(Date.parse(d.next_attempt_at!) - finished).toBe(RETRY_SCHEDULE_MS[n - 1]);
          const job = await t.hub.storage.db.selectFrom('jobs').select(['run_at']).where('type', '=', 'webhook.deliver').where('status', '=', 'pending').where('payload', 'like', `%${deliveryId}%`).executeTakeFirstOrThrow();
          expect(job.run_at).toBe(Date.parse(d.next_attempt_at!));
          await makeDue(deliveryId);
        } else {
          expect(d).toMatchObject({ status: 'failed', next_attempt_at: null, response_status: 503 });
        }
      }
      expect(RETRY_SCHEDULE_MS.reduce((a, b) => a + b, 0)).toBe(27 * 3_600_000 + 35 * 60_000 + 5_000);
      const mine = () => received.filter((r) => r.headers['webhook-id'] === deliveryId);
      expect(mine()).toHaveLength(8);

      // Listed among the failed ones; the subscription is not disabled.
      const failed = await t.api<{ data: Array<{ id: string; status: string; response_body: string }> }>('GET', `/v1/webhook-subscriptions/${sub.body.id}/deliveries?status=failed`, m.key);
      expect(failed.body.data.map((d) => d.id)).toContain(deliveryId);
      expect(failed.body.data.every((d) => d.status === 'failed' && d.response_body.length <= 200)).toBe(true);
      expect((await t.api<{ data: unknown[] }>('GET', `/v1/webhook-subscriptions/${sub.body.id}/deliveries?status=delivered`, m.key)).body.data).toHaveLength(0);
      expect((await t.api('GET', `/v1/webhook-subscriptions/${sub.body.id}/deliveries?status=lost`, m.key)).status).toBe(400);
      expect((await t.api<{ data: Array<{ id: string }> }>('GET', '/v1/webhook-subscriptions', m.key)).body.data.map((s) => s.id)).toContain(sub.body.id);

      // Another workspace can neither see nor redeliver it.
      const other = await setUpMerchant(t, { enable: false });
      expect((await t.api('POST', `/v1/webhook-subscriptions/${sub.body.id}/deliveries/${deliveryId}/redeliver`, other.key)).status).toBe(404);
      expect((await t.api('GET', `/v1/webhook-subscriptions/${sub.body.id}/deliveries/${deliveryId}`, other.key)).status).toBe(404);

      answer = 'ok';
      const again = await t.api<{ status: string }>('POST', `/v1/webhook-subscriptions/${sub.body.id}/deliveries/${deliveryId}/redeliver`, m.key);
      expect(again.status).toBe(202);
      // The attempt may already have run by the time the answer is read.
      expect(['pending', 'delivered']).toContain(again.body.status);
      const delivered = await waitFor(async () => {
        const x = await detail(sub.body.id, deliveryId);
        return x.status === 'delivered' ? x : null;
      }, { timeoutMs: 15_000, what: 'the redelivery' });
      expect(delivered.attempts).toBe(9);
      expect(delivered.attempt_log[8]).toMatchObject({ attempt: 9, trigger: 'manual', response_status: 204, error: null });
      expect(mine()).toHaveLength(9);

      // Every attempt carried the same webhook-id and a Standard Webhooks signature over id.timestamp.body.
      const key = Buffer.from(sub.body.secret.slice('whsec_'.length), 'base64');
      for (const r of mine()) {
        const ts = String(r.headers['webhook-timestamp']);
        expect(ts).toMatch(/^\d{10}$/);
        const expected = createHmac('sha256', key).update(`${deliveryId}.${ts}.${r.body}`).digest('base64');
        expect(r.headers['webhook-signature']).toBe(`v1,${expected}`);
        // The earlier header stays for receivers that check it.
        expect(r.headers['shoptalk-signature']).toBe(`t=${ts},v1=${createHmac('sha256', sub.body.secret).update(`${ts}.${r.body}`).digest('hex')}`);
        expect(JSON.parse(r.body)).toMatchObject({ id: deliveryId, type: 'activity.created', data: { id: 'act_test' } });
      }
    });

    it('refuses to redeliver a delivery that is still being retried', async () => {
      answer = 'fail';
      const sub = await t.api<{ id: string }>('POST', '/v1/webhook-subscriptions', m.key, { url, events: ['message.status'] });
      const deliveryId = await queueDelivery(sub.body.id);
      await waitFor(async () => (await detail(sub.body.id, deliveryId)).attempts === 1, { what: 'the first attempt' });
      const res = await t.api<{ error: { code: string; message: string } }>('POST', `/v1/webhook-subscriptions/${sub.body.id}/deliveries/${deliveryId}/redeliver`, m.key);
      expect(res.status).toBe(409);
      expect(res.body.error.message).toMatch(/still pending; the next attempt is due at/);
      // A stale job for an attempt already made does nothing (a crashed worker's job run again). The real next
      // attempt is pushed an hour away so that only the stale job can run now.
      await t.hub.storage.db.updateTable('jobs').set({ run_at: Date.now() + 3_600_000 }).where('type', '=', 'webhook.deliver').where('status', '=', 'pending').where('payload', 'like', `%${deliveryId}%`).execute();
      await t.hub.uow.repos.jobs.enqueue({ type: 'webhook.deliver', workspaceId: m.workspaceId, payload: { deliveryId, attempt: 0 } });
      const before = received.filter((r) => r.headers['webhook-id'] === deliveryId).length;
      t.hub.queue.notify();
      await waitFor(async () => {
        const n = await t.hub.storage.db.selectFrom('jobs').select('id').where('type', '=', 'webhook.deliver').where('payload', 'like', `%"attempt":0%`).where('payload', 'like', `%${deliveryId}%`).where('status', '=', 'pending').execute();
        return n.length === 0;
      }, { what: 'the stale job to run' });
      expect(received.filter((r) => r.headers['webhook-id'] === deliveryId).length).toBe(before);
      expect((await detail(sub.body.id, deliveryId)).attempts).toBe(1);
    });
  });
}
