// Turns of one conversation run in a serial lane: a burst of messages in one chat is answered in order, each
// message exactly once, without turns conflicting and retrying. Conflicts are counted through the job metrics
// (a turn that loses the race fails and retries); times are printed, never asserted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MerchantSetup, TestHub } from './support/hub.js';
import { setUpMerchant, startTestHub } from './support/hub.js';
import { waitFor } from './support/services.js';
import { hubVariants } from './support/variants.js';

const variants = hubVariants('redis');

const BURST = 50;

describe.each(variants)('a burst of messages in one chat ($name)', (variant) => {
  let t: TestHub;
  let m: MerchantSetup;

  beforeAll(async () => {
    t = await startTestHub(variant);
    m = await setUpMerchant(t, { enable: false });
    const settings = await t.api('PUT', '/v1/chat-settings', m.key, { loyalty: { enabled: true, points_per_unit: '1', signup_bonus: 0, prizes: [] } });
    expect(settings.status).toBe(200);
  });
  afterAll(async () => {
    await t?.close();
  });

  /** Conversation turns that failed (a conflict makes a turn fail and run again). */
  const failedTurns = async (): Promise<number> => {
    const res = await t.hub.http!.inject({ method: 'GET', url: '/metrics' });
    const line = res.body.split('\n').find((l) => l.startsWith('shoptalk_jobs_finished_total{') && l.includes('type="conversation.turn"') && l.includes('outcome="failed"'));
    return line ? Number(line.split(' ').pop()) : 0;
  };

  it(`answers ${BURST} quick messages in order, each once, with few turn conflicts`, async () => {
    const from = '919800012345';
    const conflictsBefore = await failedTurns();
    const started = Date.now();
    const answers = () => t.wa.messages(from).filter((x) => x.renderedText.includes('To collect points for order'));
    const firstAnswer = waitFor(() => answers()[0] ?? null, { what: 'the first answer', timeoutMs: 60_000, intervalMs: 5 }).then((a) => ({ a, at: Date.now() }));
    for (let i = 1; i <= BURST; i++) await t.wa.emitInbound({ phoneNumberId: m.phoneNumberId, from, text: `CLAIM A${i}` });
    const allSentAt = Date.now();
    const { a: first, at: firstAt } = await firstAnswer;
    await waitFor(() => answers().length >= BURST || null, { what: `${BURST} answers`, timeoutMs: 120_000 });
    const lastAt = Date.now();
    // Nothing more arrives: every message is answered exactly once.
    await new Promise((r) => setTimeout(r, 300));
    const order = answers().map((x) => /order (A\d+),/.exec(x.renderedText)?.[1]);
    const conflicts = (await failedTurns()) - conflictsBefore;
    // Measured once and printed for the record; never asserted.
    console.log(`[${variant.name}] ${BURST} messages in one chat (sent within ${allSentAt - started} ms): first answer after ${firstAt - started} ms, last after ${lastAt - started} ms; turn conflicts: ${conflicts}`);
    if (order.join() !== Array.from({ length: BURST }, (_, i) => `A${i + 1}`).join()) console.log(order.join(' '));
    expect(order).toEqual(Array.from({ length: BURST }, (_, i) => `A${i + 1}`));
    expect(first.renderedText).toContain('order A1,');
    expect(conflicts).toBeLessThanOrEqual(2);
  }, 180_000);

  it('sends each reply once when the next turn commits while the previous reply is still being sent', async () => {
    const from = '919800012399';
    const n = 12;
    // A merchant whose WhatsApp number takes 3 sends a second, with every send waiting at WhatsApp: replies wait
    // for the rate limit while the next turns commit, so a turn finds the previous reply queued or sending.
    const slow = await setUpMerchant(t, { enable: false });
    await t.db.storage.db.updateTable('channel_accounts').set({ rate_limit_per_second: 3 }).where('id', '=', slow.account.id).execute();
    expect((await t.api('PUT', '/v1/chat-settings', slow.key, { loyalty: { enabled: true, points_per_unit: '1', signup_bonus: 0, prizes: [] } })).status).toBe(200);
    t.wa.injectFault({ kind: 'delay', ms: 150, times: n * 2, path: `/v23.0/${slow.phoneNumberId}/messages` });
    const answers = () => t.wa.messages(from).filter((x) => x.renderedText.includes('To collect points for order'));
    for (let i = 1; i <= n; i++) {
      await t.wa.emitInbound({ phoneNumberId: slow.phoneNumberId, from, text: `CLAIM B${i}` });
      await new Promise((r) => setTimeout(r, 40));
    }
    await waitFor(() => answers().length >= n || null, { what: `${n} answers`, timeoutMs: 60_000 });
    await new Promise((r) => setTimeout(r, 500));
    expect(answers().map((x) => /order (B\d+),/.exec(x.renderedText)?.[1])).toEqual(Array.from({ length: n }, (_, i) => `B${i + 1}`));
    // No reply was queued twice: a second send job would find it `sending` and record it as unknown.
    const unknown = await t.api<{ data: Array<{ recipient: string | null }> }>('GET', '/v1/messages?status=unknown&limit=200', slow.key);
    expect(unknown.body.data.filter((x) => x.recipient === from)).toEqual([]);
  }, 120_000);
});
