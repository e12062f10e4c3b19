// One contract for every channel adapter, run against each provider's simulator over real HTTP (SMTP for
// e-mail): what the hub relies on whatever the provider (account checks, send results and error kinds,
// template listing, webhook authenticity, inbound messages and delivery statuses). Provider specifics live
// in the adapters' own tests; a fixture per provider (fixtures/) supplies the simulator, adapter and inputs.
import { describe, expect, it } from 'vitest';
import type { SendRequest } from '../../src/core/channels/ports.js';
import { templateStatuses } from '../../src/core/channels/ports.js';
import type { ChannelContractCase, ChannelFixture, ChannelHarness } from './fixture.js';
import { tamperOneByte, useHarness } from './fixture.js';
import { expectProviderError } from '../support/provider-error.js';
import { emailSmtpFixture } from './fixtures/email-smtp.js';
import { gupshupFixture } from './fixtures/gupshup.js';
import { lineFixture } from './fixtures/line.js';
import { messengerFixture } from './fixtures/messenger.js';
import { twilioSmsFixture } from './fixtures/twilio-sms.js';
import { whatsappCloudFixture } from './fixtures/whatsapp-cloud.js';

const fixtures: ChannelFixture[] = [whatsappCloudFixture, gupshupFixture, messengerFixture, lineFixture, twilioSmsFixture, emailSmtpFixture];

let sendCounter = 0;

type SkipContext = { skip: (note?: string) => void };

for (const fixture of fixtures) {
  describe(`ChannelAdapter contract: ${fixture.name}`, () => {
    let h: ChannelHarness;
    useHarness(fixture, (started) => (h = started));

    const request = (to = h.recipient): SendRequest => {
      sendCounter += 1;
      return { to, content: h.content(), idempotencyKey: `contract-${fixture.name}-${sendCounter}` };
    };

    describe('verifyAccount', () => {
      it('resolves with a non-empty displayName for valid credentials', async () => {
        const verified = await h.adapter.verifyAccount(h.account);
        expect(typeof verified.displayName).toBe('string');
        expect(verified.displayName.trim()).not.toBe('');
      });

      it("rejects refused credentials with ProviderError kind 'permanent'", async () => {
        expect((await expectProviderError(h.adapter.verifyAccount(h.refused))).kind).toBe('permanent');
      });
    });

    describe('send', () => {
      it('returns a non-empty providerMessageId for the simplest content', async () => {
        const result = await h.adapter.send(h.account, request());
        expect(typeof result.providerMessageId).toBe('string');
        expect(result.providerMessageId.trim()).not.toBe('');
      });

      it("turns a rate limit with Retry-After into 'retry_after' with retryAfterMs", async (ctx: SkipContext) => {
        const fault = h.faults.rateLimited;
        // SMTP has no Retry-After; its rate limits are plain transient replies, covered by the next case.
        if (!fault) return ctx.skip('the protocol has no rate limit with Retry-After');
        h.simulator.injectFault(fault);
        const err = await expectProviderError(h.adapter.send(h.account, request()));
        expect(err.kind).toBe('retry_after');
        expect(err.retryAfterMs).toBe((fault.kind === 'status' ? (fault.retryAfter ?? 0) : 0) * 1000);
      });

      it("turns a transient server failure (5xx) into 'retryable'", async () => {
        h.simulator.injectFault(h.faults.unavailable);
        expect((await expectProviderError(h.adapter.send(h.account, request()))).kind).toBe('retryable');
      });

      it("reports an invalid recipient as 'permanent' (or, where the provider accepts first, as a failed status)", async (ctx: SkipContext) => {
        const invalid = h.invalidRecipient;
        if (!invalid) return ctx.skip('the simulator has no invalid_recipient fault');
        h.simulator.injectFault({ kind: 'invalid_recipient', recipient: invalid.recipient });
        if (invalid.behaviour === 'refused_on_send') {
          expect((await expectProviderError(h.adapter.send(h.account, request(invalid.recipient)))).kind).toBe('permanent');
          return;
        }
        // WhatsApp Cloud and Gupshup accept the request and report the failure asynchronously.
        const sent = await h.adapter.send(h.account, request(invalid.recipient));
        if (!h.statusWebhook) throw new Error('failed_status behaviour needs a status webhook');
        const webhook = await h.statusWebhook(sent.providerMessageId);
        expect(h.adapter.verifyWebhook(h.account, webhook)).toBe(true);
        const statuses = h.adapter.parseWebhook(webhook.body).statuses.filter((s) => s.providerMessageId === sent.providerMessageId);
        expect(statuses.map((s) => s.state)).toEqual(['failed']);
      });
    });

    describe('listTemplates', () => {
      it("returns an array whose statuses are templateStatuses or 'UNKNOWN'", async () => {
        const templates = await h.adapter.listTemplates(h.account);
        expect(Array.isArray(templates)).toBe(true);
        if (!h.hasTemplates) expect(templates).toEqual([]);
        else expect(templates.length).toBeGreaterThan(0);
        const allowed: string[] = [...templateStatuses, 'UNKNOWN'];
        for (const template of templates) {
          expect(allowed).toContain(template.status);
          expect(template.name.trim()).not.toBe('');
        }
      });
    });

    describe('webhooks', () => {
      it('verifies a genuine inbound webhook', async () => {
        const { webhook } = await h.inboundWebhook();
        expect(h.adapter.verifyWebhook(h.account, webhook)).toBe(true);
      });

      // A fixture may name this case a known defect; it then runs as it.fails (see fixture.knownFailures).
      const tamperCase: ChannelContractCase = 'tampered body does not verify';
      (fixture.knownFailures?.[tamperCase] ? it.fails : it)(tamperCase, async () => {
        const { webhook } = await h.inboundWebhook();
        const tampered = tamperOneByte(webhook.body);
        expect(tampered.equals(webhook.body)).toBe(false);
        expect(h.adapter.verifyWebhook(h.account, { ...webhook, body: tampered })).toBe(false);
      });

      it("does not verify with another account's secrets", async () => {
        const { webhook } = await h.inboundWebhook();
        expect(h.adapter.verifyWebhook({ settings: h.account.settings, secrets: h.otherSecrets }, webhook)).toBe(false);
      });

      it('parses the inbound webhook into one message with from and text', async () => {
        const inbound = await h.inboundWebhook();
        const parsed = h.adapter.parseWebhook(inbound.webhook.body);
        expect(parsed.statuses).toEqual([]);
        expect(parsed.messages).toHaveLength(1);
        const [message] = parsed.messages;
        expect(message).toMatchObject({ from: inbound.from, text: inbound.text });
        expect(message!.providerMessageId.trim()).not.toBe('');
        expect(Number.isFinite(message!.occurredAt)).toBe(true);
      });

      it('parses a status webhook for a sent message into a status with the id send returned', async (ctx: SkipContext) => {
        const statusWebhook = h.statusWebhook;
        if (!statusWebhook) return ctx.skip('the provider posts no delivery statuses');
        const sent = await h.adapter.send(h.account, request());
        const webhook = await statusWebhook(sent.providerMessageId);
        expect(h.adapter.verifyWebhook(h.account, webhook)).toBe(true);
        const parsed = h.adapter.parseWebhook(webhook.body);
        expect(parsed.messages).toEqual([]);
        expect(parsed.statuses.length).toBeGreaterThan(0);
        const status = parsed.statuses.find((s) => s.providerMessageId === sent.providerMessageId);
        expect(status, `a status for ${sent.providerMessageId}`).toBeDefined();
        expect(['sent', 'delivered', 'read', 'failed']).toContain(status!.state);
        expect(Number.isFinite(status!.occurredAt)).toBe(true);
      });
    });
  });
}
