// Subscribers of stored events, on SQLite and PostgreSQL: the planner tells each subscriber once per event it
// stores, inside that event's transaction, with the order and the notifications it queued; a second delivery of
// the event reaches no one; a subscriber that throws takes the event back with it. The hub's own subscribers: a
// failed delivery notified on WhatsApp opens the case the customer answers, an order that moves on closes it, and
// a refund takes back the points claimed for the order as a follow-up event of the same store connection.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUnitOfWork } from '../src/storage/repositories/index.js';
import { NotificationPlanner } from '../src/core/notifications/planner.js';
import { OptOutService } from '../src/core/notifications/opt-outs.js';
import { OutboundWebhooks } from '../src/core/webhooks/outbound.js';
import { SecretBox } from '../src/core/secrets/secret-box.js';
import { createLogger } from '../src/logger.js';
import { failedDeliveryCases } from '../src/core/conversations/failed-delivery-cases.js';
import { loyaltyRefunds } from '../src/core/conversations/loyalty-refunds.js';
import type { EventSubscriber, StoredEventContext } from '../src/core/events/subscribers.js';
import type { NormalizedEvent, OrderSnapshot } from '../src/core/events/model.js';
import type { ChannelAccount, UnitOfWork } from '../src/core/repos.js';
import type { StoredEvent } from '../src/core/events/repo.js';
import type { Providers } from '../src/core/providers.js';
import type { TestDatabase } from './support/services.js';
import { createTestDatabase, storageKinds } from './support/services.js';

const noProviders: Providers = { channel: () => null, store: () => null, marketplace: () => null, close: () => {} };

/** Remembers what it heard, as it was at the time. */
class Recorder implements EventSubscriber {
  heard: Array<{ event: StoredEvent; order: string | null; queued: string[] }> = [];
  async onEvent(_tx: unknown, event: StoredEvent, ctx: StoredEventContext): Promise<void> {
    this.heard.push({ event, order: ctx.order?.externalId ?? null, queued: ctx.queued.map((m) => `${m.channel}:${m.recipient}`) });
  }
}

const order = (externalId: string): OrderSnapshot => ({
  externalId,
  name: `#${externalId}`,
  customerExternalId: null,
  customerName: 'Ada',
  email: 'ada@example.com',
  phone: '+14155550123',
  total: { amount: '100.00', currency: 'USD' },
  financialStatus: 'paid',
  fulfillmentStatus: null,
  paymentMethod: null,
  statusUrl: null,
  shippingAddress: null,
  lines: [],
  createdAt: null,
});

const event = (type: NormalizedEvent['type'], key: string, externalId: string, data: Record<string, unknown> = {}): NormalizedEvent => ({ type, idempotencyKey: key, occurredAt: Date.now(), order: order(externalId), data });

describe.each(storageKinds)('event subscribers (%s)', (kind) => {
  let db: TestDatabase;
  let uow: UnitOfWork;
  let workspaceId: string;
  let storeId: string;
  let whatsapp: ChannelAccount;
  const recorder = new Recorder();
  const secrets = new SecretBox(SecretBox.generateKey());
  const plannerWith = (subscribers: EventSubscriber[]) =>
    new NotificationPlanner(uow, noProviders, createLogger('silent'), new OutboundWebhooks(uow, secrets, { post: async () => ({ status: 200, text: '', location: null }) }), new OptOutService(uow, secrets, () => 'http://hub.test'), subscribers);
  let planner: NotificationPlanner;

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    uow = createUnitOfWork(db.storage, { defaultMaxAttempts: 3 });
    planner = plannerWith([recorder, failedDeliveryCases, loyaltyRefunds]);
    workspaceId = (await uow.repos.workspaces.create('Subscribers')).id;
    storeId = (await uow.repos.storeConnections.create(workspaceId, { platform: 'generic', name: 'Shop', externalId: 'shop', settings: {}, sealedSecrets: '', status: 'verified', verifiedAt: Date.now() })).id;
    whatsapp = await uow.repos.channelAccounts.create(workspaceId, {
      channel: 'whatsapp',
      provider: 'meta',
      name: 'WhatsApp',
      externalId: 'pn-1',
      owner: 'merchant',
      settings: {},
      sealedSecrets: '',
      status: 'verified',
      displayName: null,
      rateLimitPerSecond: 10,
      verifiedAt: Date.now(),
    });
    await uow.repos.settings.upsert(workspaceId, {
      eventType: 'order.delivery_failed',
      channel: 'whatsapp',
      enabled: true,
      channelAccountId: whatsapp.id,
      templateName: 'delivery_failed',
      templateLanguage: 'en_US',
      templateId: null,
      binding: { parameterFormat: 'POSITIONAL', parameters: [] },
      chargesConfirmedAt: null,
      chargesConfirmedBy: null,
      customTemplate: null,
    });
  });

  afterAll(async () => {
    await db?.destroy();
  });

  it('hear each stored event once, with its order and queued notifications; a failed delivery on WhatsApp opens a case', async () => {
    const before = recorder.heard.length;
    const stored = await planner.recordPushedEvent(workspaceId, storeId, event('order.delivery_failed', 'ndr-1', 'A1', { trackingId: 'TRK-1' }));
    expect(stored).not.toBeNull();
    expect(recorder.heard.slice(before)).toEqual([{ event: stored, order: 'A1', queued: ['whatsapp:14155550123'] }]);
    const opened = await uow.repos.ndrCases.latestFor(workspaceId, whatsapp.id, '14155550123');
    expect(opened).toMatchObject({ status: 'open', trackingId: 'TRK-1', storeConnectionId: storeId });

    // The same fact delivered again: no event, no subscriber, no second case.
    expect(await planner.recordPushedEvent(workspaceId, storeId, event('order.delivery_failed', 'ndr-1', 'A1', { trackingId: 'TRK-1' }))).toBeNull();
    expect(recorder.heard.length).toBe(before + 1);
    expect((await uow.repos.ndrCases.latestFor(workspaceId, whatsapp.id, '14155550123'))?.id).toBe(opened!.id);
  });

  it('close the open failed-delivery case when the order moves on', async () => {
    await planner.recordPushedEvent(workspaceId, storeId, event('order.delivery_failed', 'ndr-2', 'A2', { trackingId: 'TRK-2' }));
    const opened = await uow.repos.ndrCases.latestFor(workspaceId, whatsapp.id, '14155550123');
    expect(opened).toMatchObject({ status: 'open', trackingId: 'TRK-2' });
    await planner.recordPushedEvent(workspaceId, storeId, event('order.out_for_delivery', 'ofd-2', 'A2'));
    expect((await uow.repos.ndrCases.get(workspaceId, opened!.id))?.status).toBe('closed');
  });

  it('take back the points of a refunded order once, as a follow-up event of the same store connection', async () => {
    const customer = await uow.repos.customers.create(workspaceId, { name: 'Ada', email: 'ada@example.com', phone: null });
    await uow.transaction(async (tx) => {
      await tx.loyalty.join(workspaceId, customer.id, 'ada@example.com');
      await tx.loyalty.apply(workspaceId, customer.id, { delta: 100, reason: 'order_claim', reference: `${storeId}:R1`, details: {} });
      await tx.loyalty.claim(workspaceId, { storeConnectionId: storeId, orderExternalId: 'R1', customerId: customer.id, points: 100 });
    });
    const before = recorder.heard.length;
    await planner.recordPushedEvent(workspaceId, storeId, event('order.refunded', 'refund-1', 'R1'));
    expect((await uow.repos.loyalty.member(workspaceId, customer.id))?.balance).toBe(0);
    const followUp = recorder.heard.slice(before).find((h) => h.event.type === 'points.spent');
    expect(followUp?.event).toMatchObject({ source: 'loyalty', storeConnectionId: storeId, idempotencyKey: `loyalty:refund:${storeId}:R1` });
    expect(followUp?.event.payload.data).toMatchObject({ customerId: customer.id, points: 100, pointsBalance: 0, refundedOrder: '#R1' });

    // A second refund of the same order (a partial refund, another webhook) takes nothing more.
    await planner.recordPushedEvent(workspaceId, storeId, event('order.refunded', 'refund-2', 'R1'));
    expect((await uow.repos.loyalty.member(workspaceId, customer.id))?.balance).toBe(0);
    expect((await uow.repos.loyalty.ledger(workspaceId, customer.id, 10)).filter((e) => e.reason === 'refund_reversal')).toHaveLength(1);
  });

  it('take the event back with them when they throw', async () => {
    const failing: EventSubscriber = {
      onEvent: async () => {
        throw new Error('subscriber failed');
      },
    };
    await expect(plannerWith([failing]).recordPushedEvent(workspaceId, storeId, event('order.delivery_failed', 'ndr-3', 'A3', { trackingId: 'TRK-3' }))).rejects.toThrow('subscriber failed');
    expect((await uow.repos.ndrCases.latestFor(workspaceId, whatsapp.id, '14155550123'))?.trackingId).toBe('TRK-2');
    // Nothing of it was kept: the same event is new to a planner whose subscribers succeed.
    expect(await planner.recordPushedEvent(workspaceId, storeId, event('order.delivery_failed', 'ndr-3', 'A3', { trackingId: 'TRK-3' }))).not.toBeNull();
    expect((await uow.repos.ndrCases.latestFor(workspaceId, whatsapp.id, '14155550123'))?.trackingId).toBe('TRK-3');
  });
});
