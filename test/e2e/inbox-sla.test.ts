// Service levels in Chromium: an admin sets a queue's business hours and SLA policy on the Service levels page;
// a chat handed to an agent lands in that queue, and the inbox list shows its SLA state. The page passes axe-core
// and fits a 375 px wide screen.
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { TestHub } from '../support/hub.js';
import { startTestHub } from '../support/hub.js';
import { waitFor } from '../support/services.js';
import { axeViolations, describeViolations, horizontalOverflow } from '../support/axe.js';
import { launchChromium } from '../support/browser.js';

const SHOTS = path.resolve('test-results/screenshots');
const hex = (n: number) => randomBytes(n).toString('hex');

describe('service levels in Chromium', () => {
  let t: TestHub;
  let browser: Browser;
  let key = '';
  let queueId = '';
  const password = 'e2e correct horse battery';
  const channel = { channelAccessToken: `line_${hex(16)}`, channelSecret: hex(16), botUserId: `U${hex(16)}`, displayName: 'Kawa LINE' };

  const checkState = async (page: Page, name: string) => {
    expect(describeViolations(await axeViolations(page)), name).toBe('');
    await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
    const size = page.viewportSize()!;
    await page.setViewportSize({ width: 375, height: 800 });
    await page.waitForTimeout(150);
    expect(await horizontalOverflow(page), `${name} at 375 px`).toBe(0);
    await page.setViewportSize(size);
  };

  beforeAll(async () => {
    if (!fs.existsSync(path.resolve('console/dist/index.html'))) throw new Error('the console is not built: run `npm run build:console`');
    fs.mkdirSync(SHOTS, { recursive: true });
    t = await startTestHub({ name: 'sqlite', db: 'sqlite', redis: false });
    const ws = await t.hub.workspaces.createWorkspace('Kawiarnia');
    key = (await t.hub.workspaces.createApiKey(ws.id, 'e2e')).key;
    await t.hub.users.create(ws.id, { email: 'ada@kawa.example', name: 'Ada Admin', role: 'admin', password });
    queueId = (await t.api<{ id: string }>('POST', '/v1/queues', key, { name: 'Support' })).body.id;
    await t.api('POST', '/v1/queues', key, { name: 'Wholesale' });
    t.line.addChannel(channel);
    const line = (await t.api<{ webhook_url: string }>('POST', '/v1/channel-accounts', key, { channel: 'line', provider: 'line', channel_access_token: channel.channelAccessToken, channel_secret: channel.channelSecret })).body;
    t.line.addChannel({ ...channel, webhookUrl: line.webhook_url });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('an admin sets business hours and an SLA policy on a queue; the inbox list shows the SLA state', async () => {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true })).newPage();
    await page.goto(`${t.hub.url}/`);
    await page.getByTestId('signin-email').fill('ada@kawa.example');
    await page.getByTestId('signin-password').fill(password);
    await page.getByTestId('signin-submit').click();
    await page.getByTestId('nav-service-levels').click();
    await page.getByTestId('bh-save').waitFor();
    await expect.poll(() => page.getByTestId('sla-queue').inputValue()).toBe(queueId);
    await checkState(page, 'service-levels-empty');

    // Business hours: Warsaw, weekdays 08:00–18:00 and Saturday 10:00–14:00, a holiday, a reply when closed.
    await page.getByTestId('bh-time-zone').fill('Europe/Warsaw');
    for (let day = 1; day <= 5; day++) {
      await page.getByTestId(`bh-start-${day}`).fill('08:00');
      await page.getByTestId(`bh-end-${day}`).fill('18:00');
    }
    await page.getByTestId('bh-open-6').check();
    await page.getByTestId('bh-start-6').fill('10:00');
    await page.getByTestId('bh-end-6').fill('14:00');
    await page.getByTestId('bh-holidays').fill('2026-12-24\n2026-12-25');
    await page.getByTestId('bh-reply').fill('Thanks for writing! We are closed now and will answer when we open.');
    await page.getByTestId('bh-save').click();
    await page.getByTestId('bh-saved').waitFor();
    const hours = (await t.api<{ time_zone: string; intervals: Array<{ day: number; start: string; end: string }>; holidays: string[]; outside_hours_reply: string }>('GET', `/v1/queues/${queueId}/business-hours`, key)).body;
    expect(hours).toMatchObject({ time_zone: 'Europe/Warsaw', holidays: ['2026-12-24', '2026-12-25'], outside_hours_reply: 'Thanks for writing! We are closed now and will answer when we open.' });
    expect(hours.intervals).toEqual([...[1, 2, 3, 4, 5].map((day) => ({ day, start: '08:00', end: '18:00' })), { day: 6, start: '10:00', end: '14:00' }]);

    // A bad policy is refused with the reason on the page; a good one is saved.
    await page.getByTestId('sla-first-response').fill('');
    await page.getByTestId('sla-save').click();
    await page.getByText(/first-response or a resolution target/).waitFor();
    await page.getByTestId('sla-name').fill('Chats');
    await page.getByTestId('sla-first-response').fill('30');
    await page.getByTestId('sla-resolution').fill('480');
    await page.getByTestId('sla-save').click();
    await page.getByTestId('sla-saved').waitFor();
    const policies = (await t.api<{ data: Array<{ name: string; scope: { id: string }; first_response_minutes: number; resolution_minutes: number; business_hours: boolean; warning_percent: number }> }>('GET', '/v1/sla-policies', key)).body.data;
    expect(policies).toEqual([expect.objectContaining({ name: 'Chats', scope: { kind: 'queue', id: queueId }, first_response_minutes: 30, resolution_minutes: 480, business_hours: false, warning_percent: 80 })]);
    await checkState(page, 'service-levels-saved');

    // A LINE chat handed to an agent opens a ticket in the queue: the list shows its SLA on track.
    const user = `U${hex(16)}`;
    await t.line.emitInbound({ userId: user, botUserId: channel.botUserId, text: 'agent' });
    const ticket = await waitFor(async () => (await t.api<{ data: Array<{ id: string; queue_id: string; sla: { state: string } | null }> }>('GET', '/v1/tickets?source=LINE', key)).body.data[0] ?? null, { what: 'the LINE ticket' });
    expect(ticket.queue_id).toBe(queueId);
    await page.getByTestId('nav-inbox').click();
    const badge = page.getByTestId('ticket-row-sla').first();
    await badge.waitFor();
    expect(await badge.getAttribute('data-state')).toBe('ok');
    expect(await badge.textContent()).toContain('SLA on track');
    await page.getByTestId('ticket-row').first().click();
    await page.getByTestId('ticket-sla').waitFor();
    expect(await page.getByTestId('ticket-sla-badge').getAttribute('data-state')).toBe('ok');
    expect(await page.getByTestId('ticket-sla').textContent()).toContain('First reply due');
    // Answered and resolved in time: met.
    expect((await t.api('POST', `/v1/tickets/${ticket.id}/messages`, key, { body: 'Hello, how can we help?' })).status).toBe(201);
    expect((await t.api('PATCH', `/v1/tickets/${ticket.id}`, key, { status: 'closed' })).status).toBe(200);
    await page.reload();
    await expect.poll(async () => page.getByTestId('ticket-row-sla').first().getAttribute('data-state'), { timeout: 10_000 }).toBe('met');
    await checkState(page, 'inbox-sla');
  }, 120_000);
});
