// The storage suite, run on SQLite and on PostgreSQL: migrations, repositories, tenancy, dedupe keys and
// transactions (including SQLite's group commit, where a failing unit must roll back alone).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DuplicateError } from '../core/errors.js';
import type { OrderSnapshot } from '../core/events/model.js';
import type { TestDatabase } from '../../test/support/services.js';
import { createTestDatabase, storageKinds } from '../../test/support/services.js';
import { createRepos, createUnitOfWork } from './repositories/index.js';

const snapshot = (externalId: string, phone: string | null = '+15550101234'): OrderSnapshot => ({
  externalId,
  name: `#${externalId}`,
  customerExternalId: null,
  customerName: 'Avery Chen',
  email: 'avery@example.com',
  phone,
  total: { amount: '10.00', currency: 'USD' },
  financialStatus: 'paid',
  fulfillmentStatus: null,
  paymentMethod: 'card',
  statusUrl: null,
  shippingAddress: null,
  lines: [],
  createdAt: null,
});

for (const kind of storageKinds) {
  describe(`storage on ${kind}`, () => {
    let tdb: TestDatabase;
    beforeEach(async () => {
      tdb = await createTestDatabase(kind);
    });
    afterEach(async () => {
      await tdb.destroy();
    });

    it('applies migrations once', async () => {
      expect(await tdb.storage.migrate()).toEqual([]);
    });

    it('scopes every read and write to the workspace', async () => {
      const repos = createRepos(tdb.storage.db, 5);
      const a = await repos.workspaces.create('A');
      const b = await repos.workspaces.create('B');
      const conn = await repos.storeConnections.create(a.id, { platform: 'shopify', name: 's', externalId: 'a.myshopify.com', settings: {}, sealedSecrets: 'v1.x', status: 'active', verifiedAt: null });
      expect(await repos.storeConnections.get(b.id, conn.id)).toBeNull();
      expect(await repos.storeConnections.list(b.id)).toEqual([]);
      expect(await repos.storeConnections.remove(b.id, conn.id)).toBe(false);
      expect((await repos.storeConnections.get(a.id, conn.id))?.id).toBe(conn.id);
      await expect(repos.storeConnections.create(a.id, { platform: 'shopify', name: 's', externalId: 'a.myshopify.com', settings: {}, sealedSecrets: 'v1.x', status: 'active', verifiedAt: null })).rejects.toBeInstanceOf(DuplicateError);
      // The same shop may be connected by another workspace.
      await repos.storeConnections.create(b.id, { platform: 'shopify', name: 's', externalId: 'a.myshopify.com', settings: {}, sealedSecrets: 'v1.x', status: 'active', verifiedAt: null });

      const order = await repos.orders.upsert(a.id, conn.id, snapshot('1001'));
      const again = await repos.orders.upsert(a.id, conn.id, snapshot('1001', '+15550109999'));
      expect(again.id).toBe(order.id);
      expect(again.phone).toBe('+15550109999');
      expect(await repos.orders.get(b.id, order.id)).toBeNull();
    });

    it('drops duplicates by their keys: webhooks, events, messages', async () => {
      const repos = createRepos(tdb.storage.db, 5);
      const ws = await repos.workspaces.create('W');
      const hook = { source: 'shopify', targetId: 'sc_1', dedupeKey: 'wh-1', topic: 'orders/create', headers: {}, body: '{}' };
      expect(await repos.webhooks.insertIfNew(ws.id, hook)).not.toBeNull();
      expect(await repos.webhooks.insertIfNew(ws.id, hook)).toBeNull();
      const event = { type: 'order.placed' as const, idempotencyKey: 'k1', source: 'shopify', storeConnectionId: null, orderId: null, occurredAt: 1, payload: { type: 'order.placed' as const, idempotencyKey: 'k1', occurredAt: 1, order: null, data: {} } };
      expect(await repos.events.insertIfNew(ws.id, event)).not.toBeNull();
      expect(await repos.events.insertIfNew(ws.id, event)).toBeNull();
      const msg = { direction: 'outbound' as const, channel: 'whatsapp', channelAccountId: 'ca_1', eventId: null, orderId: null, idempotencyKey: 'm1', recipient: '1555', templateName: null, category: 'utility', content: null, status: 'queued' as const, reason: null };
      const first = await repos.messages.insertIfNew(ws.id, msg);
      expect(first).not.toBeNull();
      expect(await repos.messages.insertIfNew(ws.id, msg)).toBeNull();
      await repos.messages.update(ws.id, first!.id, { status: 'sent', providerMessageId: 'wamid.1', sentAt: 5 });
      expect((await repos.messages.findByProviderId(ws.id, 'ca_1', 'wamid.1'))?.status).toBe('sent');
      expect(await repos.messages.findByProviderId('ws_other', 'ca_1', 'wamid.1')).toBeNull();
    });

    it('a failed transaction leaves nothing behind, jobs included, while concurrent ones commit', async () => {
      const uow = createUnitOfWork(tdb.storage, { defaultMaxAttempts: 5 });
      const ws = await uow.repos.workspaces.create('W');
      const results = await Promise.allSettled(
        Array.from({ length: 50 }, (_, i) =>
          uow.transaction(async (repos) => {
            await repos.activities.add(ws.id, { orderId: 'o', messageId: null, kind: 'test', summary: `n${i}`, data: {} });
            await repos.jobs.enqueue({ type: 'retention.prune', payload: { token: `n${i}` }, workspaceId: ws.id });
            if (i % 10 === 3) throw new Error(`unit ${i} fails`);
            return i;
          }),
        ),
      );
      expect(results.filter((r) => r.status === 'rejected')).toHaveLength(5);
      const activities = await uow.repos.activities.listForOrder(ws.id, 'o');
      expect(activities).toHaveLength(45);
      expect(activities.some((a) => a.summary === 'n3')).toBe(false);
      const jobs = await tdb.storage.db.selectFrom('jobs').select('payload').execute();
      expect(jobs).toHaveLength(45);
      expect(jobs.some((j) => JSON.parse(j.payload).token === 'n13')).toBe(false);
    });
  });
}
