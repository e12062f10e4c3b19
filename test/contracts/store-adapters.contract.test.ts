// One contract for every store adapter, run against each platform's simulator over real HTTP: what the hub
// relies on whatever the platform (credential checks and their error kinds, webhook authenticity and
// de-duplication, well-formed normalized events, stable poll keys). Platform specifics live in the
// adapters' own tests; a fixture per platform (fixtures/) supplies the simulator, adapter and inputs.
import { describe, expect, it } from 'vitest';
import type { NormalizedEvent } from '../../src/core/events/model.js';
import { eventTypes } from '../../src/core/events/model.js';
import type { StoreConnectionCredentials } from '../../src/core/stores/ports.js';
import type { StoreContractCase, StoreFixture, StoreHarness, StorePollSource, StoreWebhookSource } from './fixture.js';
import { tamperOneByte, useHarness } from './fixture.js';
import { expectProviderError } from '../support/provider-error.js';
import { cyberbizFixture } from './fixtures/cyberbiz.js';
import { eshopboxFixture } from './fixtures/eshopbox.js';
import { ninetyOneAppFixture } from './fixtures/91app.js';
import { shopifyFixture } from './fixtures/shopify.js';
import { shoplineFixture } from './fixtures/shopline.js';

const fixtures: StoreFixture[] = [shopifyFixture, shoplineFixture, cyberbizFixture, ninetyOneAppFixture, eshopboxFixture];

/** What every normalized event must look like, whatever produced it. */
function expectWellFormedEvent(event: NormalizedEvent): void {
  expect(eventTypes).toContain(event.type);
  expect(typeof event.idempotencyKey).toBe('string');
  expect(event.idempotencyKey.trim()).not.toBe('');
  expect(Number.isFinite(event.occurredAt)).toBe(true);
  expect(event.data).toBeTypeOf('object');
  if (event.order !== null) expectOrderSnapshot(event);
}

function expectOrderSnapshot(event: NormalizedEvent): void {
  expect(event.order, `${event.type} carries an order snapshot`).not.toBeNull();
  const order = event.order!;
  expect(order.externalId.trim()).not.toBe('');
  expect(order.name.trim()).not.toBe('');
  expect(Array.isArray(order.lines)).toBe(true);
  expect(order.lines.length).toBeGreaterThan(0);
  for (const line of order.lines) {
    expect(line.title.trim()).not.toBe('');
    expect(Number.isFinite(line.quantity)).toBe(true);
  }
}

const keysOf = (events: NormalizedEvent[]): string[] => events.map((e) => e.idempotencyKey);

for (const fixture of fixtures) {
  describe(`StoreAdapter contract: ${fixture.name}`, () => {
    let h: StoreHarness;
    useHarness(fixture, (started) => (h = started));

    describe('verifyConnection', () => {
      const verify = (connection: StoreConnectionCredentials) => {
        const call = h.adapter.verifyConnection;
        if (!call) throw new Error(`${fixture.name} has no verifyConnection`);
        return call.call(h.adapter, connection);
      };
      const skipUnlessPresent = (fn: () => Promise<void>) => async (ctx: { skip: (note?: string) => void }) => {
        // Platforms whose connections are signed webhooks only (Shopify) have no API credentials to check.
        if (!h.adapter.verifyConnection) return ctx.skip('no verifyConnection on this platform');
        await fn();
      };

      it(
        'resolves with a non-empty displayName for valid credentials',
        skipUnlessPresent(async () => {
          const verified = await verify(h.valid);
          expect(typeof verified.displayName).toBe('string');
          expect(verified.displayName.trim()).not.toBe('');
        }),
      );

      it(
        "rejects refused credentials with ProviderError kind 'permanent'",
        skipUnlessPresent(async () => {
          expect((await expectProviderError(verify(h.refused))).kind).toBe('permanent');
        }),
      );

      it(
        "turns 429 with Retry-After into 'retry_after' with retryAfterMs",
        skipUnlessPresent(async () => {
          h.simulator.injectFault({ kind: 'status', status: 429, retryAfter: 2 });
          const err = await expectProviderError(verify(h.valid));
          expect(err.kind).toBe('retry_after');
          expect(err.retryAfterMs).toBe(2000);
        }),
      );

      it(
        "turns 503 into 'retryable'",
        skipUnlessPresent(async () => {
          h.simulator.injectFault({ kind: 'status', status: 503 });
          expect((await expectProviderError(verify(h.valid))).kind).toBe('retryable');
        }),
      );
    });

    describe('webhooks', () => {
      const source = (): StoreWebhookSource => h.webhooks!;
      const skipUnlessWebhooks = (fn: () => Promise<void> | void) => async (ctx: { skip: (note?: string) => void }) => {
        if (!h.webhooks) return ctx.skip('polled platform: no order webhooks');
        await fn();
      };

      it(
        'verifies a genuine delivery',
        skipUnlessWebhooks(async () => {
          const { webhook } = await source().orderDelivery();
          expect(h.adapter.verifyWebhook(h.valid, webhook)).toBe(true);
        }),
      );

      // A fixture may name this case a known defect; it then runs as it.fails (see fixture.knownFailures).
      const tamperCase: StoreContractCase = 'tampered body does not verify';
      (fixture.knownFailures?.[tamperCase] ? it.fails : it)(
        tamperCase,
        skipUnlessWebhooks(async () => {
          const { webhook } = await source().orderDelivery();
          const tampered = tamperOneByte(webhook.body);
          expect(tampered.equals(webhook.body)).toBe(false);
          expect(h.adapter.verifyWebhook(h.valid, { ...webhook, body: tampered })).toBe(false);
        }),
      );

      it(
        "does not verify with another connection's secret",
        skipUnlessWebhooks(async () => {
          const { webhook } = await source().orderDelivery();
          expect(h.adapter.verifyWebhook({ settings: h.valid.settings, secrets: source().otherSecrets }, webhook)).toBe(false);
        }),
      );

      it(
        'keeps the delivery id for a redelivery and changes it for a different delivery',
        skipUnlessWebhooks(async () => {
          const first = await source().orderDelivery();
          const again = await first.redeliver();
          const other = await source().orderDelivery();
          const id = h.adapter.deliveryId(first.webhook);
          expect(id).toBeTypeOf('string');
          expect(id!.trim()).not.toBe('');
          expect(h.adapter.verifyWebhook(h.valid, again)).toBe(true);
          expect(h.adapter.deliveryId(again)).toBe(id);
          expect(h.adapter.deliveryId(other.webhook)).not.toBe(id);
          expect(h.adapter.parseWebhook(first.webhook).deliveryId).toBe(id);
        }),
      );

      it(
        'parses an order event into well-formed events with an order snapshot',
        skipUnlessWebhooks(async () => {
          const { webhook } = await source().orderDelivery();
          const parsed = h.adapter.parseWebhook(webhook);
          expect(parsed.topic.trim()).not.toBe('');
          expect(parsed.events.length).toBeGreaterThan(0);
          for (const event of parsed.events) {
            expectWellFormedEvent(event);
            // The fixture's delivery is a new order, so each event it maps to must carry the order.
            expectOrderSnapshot(event);
          }
        }),
      );

      it(
        'gives identical idempotency keys when the same delivery is parsed twice or redelivered',
        skipUnlessWebhooks(async () => {
          const delivery = await source().orderDelivery();
          const keys = keysOf(h.adapter.parseWebhook(delivery.webhook).events);
          expect(keys.length).toBeGreaterThan(0);
          expect(keysOf(h.adapter.parseWebhook(delivery.webhook).events)).toEqual(keys);
          expect(keysOf(h.adapter.parseWebhook(await delivery.redeliver()).events)).toEqual(keys);
        }),
      );
    });

    describe('polling', () => {
      const poll = (): StorePollSource => h.polling!;
      const skipUnlessPolled = (fn: () => Promise<void> | void) => async (ctx: { skip: (note?: string) => void }) => {
        if (!h.polling) return ctx.skip('webhook platform: not polled');
        await fn();
      };

      it('has pollOrders and maxPollWindowMs exactly when the platform is polled', () => {
        expect(typeof h.adapter.pollOrders === 'function').toBe(h.polling !== null);
        if (h.polling) {
          expect(Number.isFinite(h.adapter.maxPollWindowMs)).toBe(true);
          expect(h.adapter.maxPollWindowMs).toBeGreaterThan(0);
        }
      });

      it(
        'yields well-formed events with the same keys across two polls of the same window',
        skipUnlessPolled(async () => {
          poll().seedOrders();
          const window = poll().window();
          const first = await h.adapter.pollOrders!(h.valid, window);
          const second = await h.adapter.pollOrders!(h.valid, window);
          expect(first.events.length).toBeGreaterThan(0);
          for (const event of first.events) expectWellFormedEvent(event);
          expect(keysOf(second.events)).toEqual(keysOf(first.events));
          expect(new Set(keysOf(first.events)).size).toBe(first.events.length);
        }),
      );

      it(
        'refuses a window larger than maxPollWindowMs',
        skipUnlessPolled(async () => {
          const until = Date.now();
          const since = until - h.adapter.maxPollWindowMs! - 60_000;
          await expect(h.adapter.pollOrders!(h.valid, { since, until, cursor: null })).rejects.toThrow();
        }),
      );
    });
  });
}
