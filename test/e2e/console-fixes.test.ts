// The console in Chromium where it used to break: a customer (and a chat ticket) whose store account is linked
// shows the store's orders with their amounts instead of a blank page, a failing page keeps the navigation, and
// an agent created without a name (as `shoptalk user create` allows) signs in and replies as themselves.
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { TestHub } from '../support/hub.js';
import { startTestHub } from '../support/hub.js';
import { waitFor } from '../support/services.js';
import { axeViolations, describeViolations } from '../support/axe.js';
import { launchChromium } from '../support/browser.js';

const SHOTS = path.resolve('test-results/screenshots');
const hex = (n: number) => randomBytes(n).toString('hex');

describe('the console in Chromium, linked customers and agents', () => {
  let t: TestHub;
  let browser: Browser;
  let key = '';
  let customerId = '';
  let ticketId = '';
  const password = 'e2e correct horse battery';
  const lineUser = `U${hex(16)}`;
  let botUserId = '';

  const signIn = async (email: string): Promise<Page> => {
    // bypassCSP: the page's CSP would refuse the injected axe-core script (test/e2e/csp.test.ts checks the CSP).
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 860 }, bypassCSP: true })).newPage();
    await page.goto(`${t.hub.url}/`);
    await page.getByTestId('signin-email').fill(email);
    await page.getByTestId('signin-password').fill(password);
    await page.getByTestId('signin-submit').click();
    await page.getByTestId('nav-inbox').waitFor();
    return page;
  };

  beforeAll(async () => {
    if (!fs.existsSync(path.resolve('console/dist/index.html'))) throw new Error('the console is not built: run `npm run build:console`');
    fs.mkdirSync(SHOTS, { recursive: true });
    t = await startTestHub({ name: 'sqlite', db: 'sqlite', redis: false });
    const ws = await t.hub.workspaces.createWorkspace('Linked Tea');
    key = (await t.hub.workspaces.createApiKey(ws.id, 'e2e')).key;
    await t.hub.users.create(ws.id, { email: 'admin@linked.example', name: 'Ada Admin', role: 'admin', password });
    // As the README shows it: no --name.
    await t.hub.users.create(ws.id, { email: 'agent@linked.example', role: 'agent', password });

    const domain = `linked-${hex(3)}.cyberbiz.co`;
    const token = `eyJ${hex(16)}`;
    const secret = hex(16);
    t.cyberbiz.addShop({ domain, name: 'Linked Tea', accessToken: token, appSecret: secret });
    const store = (await t.api<{ id: string }>('POST', '/v1/store-connections', key, { platform: 'cyberbiz', shop_domain: domain, access_token: token, app_secret: secret })).body;
    const channel = { channelAccessToken: `line_${hex(16)}`, channelSecret: hex(16), botUserId: `U${hex(16)}`, displayName: 'Linked LINE' };
    botUserId = channel.botUserId;
    t.line.addChannel(channel);
    const line = (await t.api<{ id: string; webhook_url: string }>('POST', '/v1/channel-accounts', key, { channel: 'line', provider: 'line', channel_access_token: channel.channelAccessToken, channel_secret: channel.channelSecret })).body;
    t.line.addChannel({ ...channel, webhookUrl: line.webhook_url });

    const storeCustomer = t.cyberbiz.addCustomer(domain, { name: 'Lin Mei', email: 'mei@linked.example', mobile: '0912000777' });
    const template = t.cyberbiz.createOrder(domain).customer!;
    t.cyberbiz.createOrder(domain, { customer: { ...template, id: storeCustomer.id, email: 'mei@linked.example', mobile: '0912000777', name: 'Lin Mei' } });
    const created = await t.api<{ id: string }>('POST', '/v1/customers', key, {
      name: 'Lin Mei',
      identities: [
        { kind: 'store', value: String(storeCustomer.id), store_connection_id: store.id },
        { kind: 'line', value: lineUser, channel_account_id: line.id },
      ],
    });
    customerId = created.body.id;
    // The linked customer asks for an agent on LINE: a chat ticket with their store orders.
    await t.line.emitInbound({ userId: lineUser, botUserId: channel.botUserId, text: 'agent' });
    const tickets = await waitFor(async () => {
      const res = await t.api<{ data: Array<{ id: string }> }>('GET', '/v1/tickets?source=LINE', key);
      return res.body.data[0] ?? null;
    }, { what: 'the chat ticket' });
    ticketId = tickets.id;
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('shows a linked customer’s store orders with their amounts, also after a reload', async () => {
    const page = await signIn('admin@linked.example');
    await page.goto(`${t.hub.url}/customers/${customerId}`);
    await page.getByText('Lin Mei').first().waitFor();
    await expect.poll(async () => page.locator('main').innerText(), { timeout: 20_000 }).toMatch(/(NT\$|TWD)\s?[\d,]+/);
    await page.reload();
    await expect.poll(async () => page.locator('main').innerText(), { timeout: 20_000 }).toMatch(/(NT\$|TWD)\s?[\d,]+/);
    expect(await page.getByTestId('page-error').count()).toBe(0);
    await page.screenshot({ path: path.join(SHOTS, 'customer-linked.png'), fullPage: true });
    expect(describeViolations(await axeViolations(page)), 'linked customer').toBe('');
  }, 60_000);

  it('opens the linked customer’s chat ticket with their orders', async () => {
    const page = await signIn('admin@linked.example');
    await page.goto(`${t.hub.url}/inbox/${ticketId}`);
    await expect.poll(async () => page.locator('main').innerText(), { timeout: 20_000 }).toMatch(/Customer orders[\s\S]*(NT\$|TWD)\s?[\d,]+/);
    expect(await page.getByTestId('nav-inbox').isVisible()).toBe(true);
    await page.screenshot({ path: path.join(SHOTS, 'inbox-linked.png'), fullPage: true });
    expect(describeViolations(await axeViolations(page)), 'linked customer’s chat ticket').toBe('');
  }, 60_000);

  it('lets an agent created without a name reply, signed with their e-mail address', async () => {
    const page = await signIn('agent@linked.example');
    expect(await page.getByTestId('user-name').innerText()).toBe('agent@linked.example');
    await page.goto(`${t.hub.url}/inbox/${ticketId}`);
    await page.getByTestId('reply-body').fill('Hi Lin Mei, I am looking at your order.');
    await page.getByTestId('reply-send').click();
    await expect.poll(async () => (await page.getByTestId('ticket-message').allInnerTexts()).join('\n'), { timeout: 20_000 }).toMatch(/agent@linked\.example[\s\S]*|I am looking at your order/);
    const ticket = await t.api<{ messages: Array<{ body: string; author: string | null }> }>('GET', `/v1/tickets/${ticketId}`, key);
    expect(ticket.body.messages.find((m) => m.body.includes('I am looking at your order'))?.author).toBe('agent@linked.example');
    await waitFor(() => t.line.messages(lineUser).find((m) => (m.text ?? '').includes('I am looking at your order')) ?? null, { what: 'the reply on LINE' });

    // Closing the ticket gives the chat back to the bot: the customer's next message gets an automated answer.
    await page.getByTestId('ticket-status').selectOption('closed');
    await expect.poll(async () => (await t.api<{ status: string }>('GET', `/v1/tickets/${ticketId}`, key)).body.status, { timeout: 20_000 }).toBe('closed');
    const before = t.line.messages(lineUser).length;
    await t.line.emitInbound({ userId: lineUser, botUserId: botUserId, text: 'hi' });
    await waitFor(() => (t.line.messages(lineUser).length > before ? true : null), { what: 'the bot answering again' });
  }, 60_000);
});
