// The shared test helpers do what the adapter and hub tests rely on: a received request becomes the RawWebhook
// the hub's route would hand an adapter, receivers answer as told and start clean, and the hub variants are
// SQLite plus, where reachable, PostgreSQL.
import { describe, expect, it } from 'vitest';
import { RawWebhookReceiver, WebhookReceiver, rawWebhook } from './receiver.js';
import { storageKinds } from './services.js';
import { hubVariants } from './variants.js';

describe('test receivers', () => {
  it('turn a request into a RawWebhook: joined headers, query from the path, url only when asked', async () => {
    const receiver = new WebhookReceiver('/webhooks/x?token=t1');
    await receiver.listen();
    try {
      await fetch(receiver.url, { method: 'POST', headers: { 'x-sig': 'abc' }, body: '{"a":1}' });
      const [request] = await receiver.waitFor(1);
      const webhook = rawWebhook(request!);
      expect(webhook.body.toString()).toBe('{"a":1}');
      expect(webhook.headers['x-sig']).toBe('abc');
      expect(webhook.query).toEqual({ token: 't1' });
      expect(webhook.url).toBeUndefined();
      expect(rawWebhook(request!, receiver.url).url).toBe(receiver.url);
    } finally {
      await receiver.close();
    }
  });

  it('answer with what respond says (or not at all), and forget it all on clear()', async () => {
    const receiver = new RawWebhookReceiver('/webhooks/y');
    await receiver.listen();
    try {
      receiver.respond = (n) => (n === 0 ? 503 : 'hang');
      expect((await fetch(receiver.url, { method: 'POST', body: 'first' })).status).toBe(503);
      // The hanging request fails once close() drops the connection; that is expected.
      const second = fetch(receiver.url, { method: 'POST', body: 'second' }).then(() => 'answered', () => 'dropped');
      const hanging = await Promise.race([second, new Promise((r) => setTimeout(() => r('hung'), 200))]);
      expect(hanging).toBe('hung');
      expect(receiver.received.map((w) => w.body.toString())).toEqual(['first', 'second']);
      receiver.clear();
      expect(receiver.received).toEqual([]);
      expect((await fetch(receiver.url, { method: 'POST', body: 'third' })).status).toBe(200);
    } finally {
      await receiver.close();
    }
  });
});

describe('hubVariants', () => {
  it('is SQLite, and PostgreSQL where the test database is reachable, with Redis only for the redis queue', () => {
    const postgres = storageKinds.includes('postgres');
    expect(hubVariants('redis').map((v) => [v.name, v.db, v.redis])).toEqual([
      ['SQLite, SQL jobs', 'sqlite', false],
      ...(postgres ? [['PostgreSQL, BullMQ on Redis', 'postgres', true]] : []),
    ]);
    expect(hubVariants('sql', { sandboxPhone: true }).map((v) => [v.name, v.db, v.redis, v.sandboxPhone])).toEqual([
      ['SQLite', 'sqlite', false, true],
      ...(postgres ? [['PostgreSQL', 'postgres', false, true]] : []),
    ]);
  });
});
