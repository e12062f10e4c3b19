// The team in Chromium: an admin invites a user from the Team page; the user opens the one-time link, chooses
// their name and password, signs in and goes online; the admin adds them to a queue with automatic assignment;
// a new chat ticket lands assigned to them, and their inbox says so; when the admin opens it too, each sees the
// other's name. A used link says it was used. The Team
// page and the invitation page pass axe-core and fit a 375 px wide screen.
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

describe('the team in Chromium: invite, accept, queue with automatic assignment', () => {
  let t: TestHub;
  let browser: Browser;
  let key = '';
  let lineId = '';
  const password = 'e2e correct horse battery';
  const invitedPassword = 'invited correct horse battery';
  const invitedEmail = `nia-${hex(3)}@team.example`;
  const channel = { channelAccessToken: `line_${hex(16)}`, channelSecret: hex(16), botUserId: `U${hex(16)}`, displayName: 'Team LINE' };

  const newPage = async (width = 1280): Promise<Page> => (await browser.newContext({ viewport: { width, height: 860 }, bypassCSP: true })).newPage();
  const signIn = async (page: Page, email: string, pw: string) => {
    await page.getByTestId('signin-email').fill(email);
    await page.getByTestId('signin-password').fill(pw);
    await page.getByTestId('signin-submit').click();
    await page.getByTestId('nav-inbox').waitFor();
  };

  /** Zero axe violations, here and at 375 px, where nothing may scroll sideways; screenshots of both. */
  const checkState = async (page: Page, name: string) => {
    expect(describeViolations(await axeViolations(page)), name).toBe('');
    await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
    const size = page.viewportSize()!;
    await page.setViewportSize({ width: 375, height: 800 });
    await page.waitForTimeout(150);
    expect(await horizontalOverflow(page), `${name} at 375 px`).toBe(0);
    expect(describeViolations(await axeViolations(page)), `${name} at 375 px`).toBe('');
    await page.screenshot({ path: path.join(SHOTS, `${name}-375.png`), fullPage: true });
    await page.setViewportSize(size);
  };

  beforeAll(async () => {
    if (!fs.existsSync(path.resolve('console/dist/index.html'))) throw new Error('the console is not built: run `npm run build:console`');
    fs.mkdirSync(SHOTS, { recursive: true });
    t = await startTestHub({ name: 'sqlite', db: 'sqlite', redis: false });
    const ws = await t.hub.workspaces.createWorkspace('Harbour Tea');
    key = (await t.hub.workspaces.createApiKey(ws.id, 'e2e')).key;
    await t.hub.users.create(ws.id, { email: 'ada@harbour.example', name: 'Ada Admin', role: 'admin', password });
    t.line.addChannel(channel);
    const line = (await t.api<{ id: string; webhook_url: string }>('POST', '/v1/channel-accounts', key, { channel: 'line', provider: 'line', channel_access_token: channel.channelAccessToken, channel_secret: channel.channelSecret })).body;
    t.line.addChannel({ ...channel, webhookUrl: line.webhook_url });
    lineId = line.id;
    expect((await t.api('POST', '/v1/queues', key, { name: 'Support' })).status).toBe(201);
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('an invited user accepts, signs in, goes online, and gets the next ticket of the queue they were added to', async () => {
    // The admin invites from the Team page.
    const admin = await newPage();
    await admin.goto(`${t.hub.url}/`);
    await signIn(admin, 'ada@harbour.example', password);
    await admin.getByTestId('nav-team').click();
    await admin.getByRole('heading', { name: 'Team', level: 1 }).waitFor();
    await admin.getByTestId('invite-email').fill(invitedEmail);
    await admin.getByTestId('invite-role').selectOption('agent');
    await admin.getByTestId('invite-submit').click();
    const created = admin.getByTestId('invite-created');
    await created.waitFor();
    const link = new URL((await created.locator('code').innerText()).trim());
    expect(`${link.pathname}${link.hash}`).toMatch(/^\/invite#[A-Za-z0-9_-]{40,}$/);
    // The link is made from the configured public URL; this hub listens on a port chosen at start.
    const url = `${t.hub.url}${link.pathname}${link.hash}`;
    await admin.getByTestId('invite-row').filter({ hasText: invitedEmail }).getByText('pending').waitFor();
    await checkState(admin, 'team-invited');

    // The invited user opens the link, chooses name and password.
    const nia = await newPage();
    await nia.goto(url);
    await nia.getByTestId('accept-invite').waitFor();
    await expect.poll(() => nia.getByTestId('invite-email-shown').innerText()).toBe(invitedEmail);
    await checkState(nia, 'invite-accept');
    await nia.getByTestId('accept-name').fill('Nia Newcomer');
    await nia.getByTestId('accept-password').fill(invitedPassword);
    await nia.getByTestId('accept-password-again').fill(invitedPassword);
    await nia.getByTestId('accept-submit').click();
    await nia.getByTestId('invite-accepted').waitFor();
    expect(new URL(nia.url()).hash).toBe('');
    await signIn(nia, invitedEmail, invitedPassword);
    expect(await nia.getByTestId('user-name').innerText()).toBe('Nia Newcomer');
    // In the inbox, they go online.
    await nia.getByTestId('my-availability').selectOption('online');
    await expect.poll(async () => (await t.api<{ data: Array<{ email: string; availability: string }> }>('GET', '/v1/team', key)).body.data.find((m) => m.email === invitedEmail)?.availability).toBe('online');

    // The link works once.
    const again = await newPage();
    await again.goto(url);
    await again.getByTestId('invite-error').getByText(/already been used/).waitFor();

    // The admin adds them to the queue and turns on round-robin.
    await admin.reload();
    const row = admin.locator(`[data-testid="team-member"][data-email="${invitedEmail}"]`);
    await row.waitFor();
    await row.locator('[data-testid="queue-choice"][data-queue="Support"]').check();
    await row.getByTestId('member-capacity').fill('3');
    await row.getByTestId('member-save').click();
    await expect.poll(async () => (await t.api<{ data: Array<{ email: string; queue_ids: string[]; capacity: number | null }> }>('GET', '/v1/team', key)).body.data.find((m) => m.email === invitedEmail)).toMatchObject({ capacity: 3, queue_ids: [expect.any(String)] });
    await admin.locator('[data-testid="queue-assignment"][data-queue="Support"]').getByTestId('queue-assignment-mode').selectOption('round_robin');
    await expect.poll(async () => (await t.api<{ data: Array<{ name: string; assignment: string }> }>('GET', '/v1/queue-assignment', key)).body.data.find((q) => q.name === 'Support')?.assignment).toBe('round_robin');
    await checkState(admin, 'team-queue-assignment');

    // A customer (with an order in the store) asks for an agent: the new ticket is Nia's, and her inbox shows it as hers.
    const user = `U${hex(16)}`;
    const store = (await t.api<{ id: string }>('POST', '/v1/store-connections', key, { platform: 'generic', name: 'Harbour Shop' })).body.id;
    expect((await t.api('POST', '/v1/customers', key, { name: 'Kim Park', email: 'kim@buyers.example', identities: [{ kind: 'line', value: user, channel_account_id: lineId }] })).status).toBe(201);
    const order = await t.api<{ order_id: string }>('POST', '/v1/events', key, { store_connection_id: store, type: 'order.placed', idempotency_key: `e2e-${hex(6)}`, order: { id: 'hb-77', name: '#HB77', customer_name: 'Kim Park', email: 'kim@buyers.example', total: { amount: '320', currency: 'TWD' } } });
    expect(order.status).toBe(201);
    await t.line.emitInbound({ userId: user, botUserId: channel.botUserId, text: 'agent' });
    const ticket = await waitFor(async () => (await t.api<{ data: Array<{ id: string; customer_external_id: string; assignee: string | null }> }>('GET', '/v1/tickets?limit=100', key)).body.data.find((r) => r.customer_external_id === user), { what: 'the ticket' });
    await expect.poll(async () => (await t.api<{ assignee: string | null }>('GET', `/v1/tickets/${ticket.id}`, key)).body.assignee, { timeout: 20_000 }).toBe(invitedEmail);
    await nia.getByTestId('nav-inbox').click();
    await expect.poll(() => nia.getByTestId('ticket-row').first().getByTestId('ticket-row-assignee').innerText(), { timeout: 20_000 }).toBe('Assigned to you');
    await nia.getByTestId('ticket-row').first().click();
    await expect.poll(() => nia.getByTestId('ticket-assignee').innerText()).toBe('Assigned to you');
    // The admin opens the same ticket: each sees the other's name.
    await admin.goto(`${t.hub.url}/inbox/${ticket.id}`);
    await expect.poll(() => admin.getByTestId('collision-notice').innerText(), { timeout: 20_000 }).toContain('Nia Newcomer');
    await expect.poll(() => nia.getByTestId('collision-notice').innerText(), { timeout: 20_000 }).toContain('Ada Admin');
    await checkState(nia, 'inbox-assigned-online');
    // The admin leaves the ticket: the notice goes.
    await admin.getByTestId('nav-orders').click();
    await expect.poll(() => nia.getByTestId('collision-notice').count(), { timeout: 20_000 }).toBe(0);

    // Nia links the chat to the customer's order; the order's timeline then shows the ticket.
    await nia.getByTestId('order-link-select').selectOption(order.body.order_id);
    await nia.getByTestId('order-link-submit').click();
    await expect.poll(async () => (await t.api<{ order: { id: string } | null }>('GET', `/v1/tickets/${ticket.id}`, key)).body.order?.id).toBe('#HB77');
    await nia.getByTestId('nav-orders').click();
    await nia.getByTestId('order-row').filter({ hasText: '#HB77' }).click();
    const entry = nia.getByTestId('activity-entry').filter({ hasText: 'ticket.linked' });
    await entry.waitFor();
    await entry.getByTestId('activity-ticket').click();
    await expect.poll(() => new URL(nia.url()).pathname).toBe(`/inbox/${ticket.id}`);
    // A chat without a subject of its own is now named by its order.
    await expect.poll(() => nia.getByTestId('ticket-heading').innerText()).toBe('Order #HB77');
  }, 120_000);
});
