// The console in Chromium for everyday work: search that finds orders and customers the way they are typed, an
// inbox that says who wrote what and what is new, a sandbox phone that looks like a phone, and a usage chart that
// fits one month or forty. Every page state passes axe-core and fits a 375 px wide screen.
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

describe('the console in Chromium: search, inbox, sandbox phone and usage', () => {
  let t: TestHub;
  let browser: Browser;
  let key = '';
  let workspaceId = '';
  let lineAccountId = '';
  let ticketId = '';
  const password = 'e2e correct horse battery';
  const customerLine = `U${hex(16)}`;
  const phoneUser = `U${hex(16)}`;
  const channel = { channelAccessToken: `line_${hex(16)}`, channelSecret: hex(16), botUserId: `U${hex(16)}`, displayName: 'Sunrise LINE' };
  const sms = { accountSid: `AC${hex(16)}`, authToken: hex(16), from: '+15005550009' };
  const question = 'Where is my order #1001? It was due yesterday.';

  const signIn = async (email: string, width = 1280): Promise<Page> => {
    const page = await (await browser.newContext({ viewport: { width, height: 860 }, bypassCSP: true })).newPage();
    await page.goto(`${t.hub.url}/`);
    await page.getByTestId('signin-email').fill(email);
    await page.getByTestId('signin-password').fill(password);
    await page.getByTestId('signin-submit').click();
    await page.getByTestId('nav-inbox').waitFor();
    return page;
  };

  /** Zero axe violations, here and at 375 px, where nothing may scroll sideways; screenshots of both. */
  const checkState = async (page: Page, name: string) => {
    expect(describeViolations(await axeViolations(page)), name).toBe('');
    await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
    const size = page.viewportSize()!;
    await page.setViewportSize({ width: 375, height: 800 });
    await page.waitForTimeout(150);
    const wide = await page.evaluate<string>(
      '[...document.querySelectorAll("body *")].filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5).slice(-6).map((e) => e.tagName + "." + e.className + " " + Math.round(e.getBoundingClientRect().right)).join("; ")',
    );
    expect(await horizontalOverflow(page), `${name} at 375 px: ${wide}`).toBe(0);
    expect(describeViolations(await axeViolations(page)), `${name} at 375 px`).toBe('');
    await page.screenshot({ path: path.join(SHOTS, `${name}-375.png`), fullPage: true });
    await page.setViewportSize(size);
  };

  const poll = <T>(fn: () => Promise<T>, message?: string) => expect.poll(fn, { timeout: 20_000, ...(message ? { message } : {}) });

  beforeAll(async () => {
    if (!fs.existsSync(path.resolve('console/dist/index.html'))) throw new Error('the console is not built: run `npm run build:console`');
    fs.mkdirSync(SHOTS, { recursive: true });
    t = await startTestHub({ name: 'sqlite', db: 'sqlite', redis: false, sandboxPhone: true });
    const ws = await t.hub.workspaces.createWorkspace('Sunrise Tea');
    workspaceId = ws.id;
    key = (await t.hub.workspaces.createApiKey(ws.id, 'e2e')).key;
    await t.hub.users.create(ws.id, { email: 'ada@sunrise.example', name: 'Ada Admin', role: 'admin', password });
    await t.hub.users.create(ws.id, { email: 'ben@sunrise.example', name: 'Ben Agent', role: 'agent', password });
    const empty = await t.hub.workspaces.createWorkspace('Empty Tea');
    await t.hub.users.create(empty.id, { email: 'eve@empty.example', name: 'Eve Empty', role: 'admin', password });

    // Two stores, each with an order #1001.
    const stores: string[] = [];
    for (const name of ['Taipei Shop', 'Tainan Shop']) stores.push((await t.api<{ id: string }>('POST', '/v1/store-connections', key, { platform: 'generic', name })).body.id);
    const push = async (store: string, order: Record<string, unknown>) =>
      expect((await t.api('POST', '/v1/events', key, { store_connection_id: store, type: 'order.placed', idempotency_key: `e2e-${hex(6)}`, order })).status).toBe(201);
    await push(stores[0]!, { id: 'tp-1001', name: '#1001', customer_name: 'Lin Mei', email: 'mei.lin@example.com', phone: '0912-000-777', total: { amount: '880', currency: 'TWD' } });
    await push(stores[1]!, { id: 'tn-1001', name: '#1001', customer_name: 'Chen Wei', email: 'wei@example.com', phone: '+886 933 111 222', total: { amount: '450', currency: 'TWD' } });
    await push(stores[0]!, { id: 'tp-2050', name: '#2050', customer_name: 'Linda Park', email: 'linda@example.org', total: { amount: '1200', currency: 'TWD' } });

    // A LINE account, an SMS account for one-time codes, and a store to link chat users to.
    t.line.addChannel(channel);
    const line = (await t.api<{ id: string; webhook_url: string }>('POST', '/v1/channel-accounts', key, { channel: 'line', provider: 'line', channel_access_token: channel.channelAccessToken, channel_secret: channel.channelSecret })).body;
    lineAccountId = line.id;
    t.line.addChannel({ ...channel, webhookUrl: line.webhook_url });
    t.twilio.addAccount({ accountSid: sms.accountSid, authToken: sms.authToken, numbers: [sms.from] });
    expect((await t.api('POST', '/v1/channel-accounts', key, { channel: 'sms', provider: 'twilio', account_sid: sms.accountSid, auth_token: sms.authToken, from: sms.from })).status).toBe(201);
    const domain = `sunrise-${hex(3)}.cyberbiz.co`;
    const token = `eyJ${hex(16)}`;
    const secret = hex(16);
    t.cyberbiz.addShop({ domain, name: 'Sunrise Tea', accessToken: token, appSecret: secret });
    const cyberbiz = (await t.api<{ id: string }>('POST', '/v1/store-connections', key, { platform: 'cyberbiz', shop_domain: domain, access_token: token, app_secret: secret })).body;
    t.cyberbiz.addCustomer(domain, { name: 'Wang Hao', email: 'hao@example.tw', mobile: '0912000111' });
    expect((await t.api('PUT', '/v1/chat-settings', key, { linking: { store_connection_id: cyberbiz.id, verify_by: 'sms', terms_url: 'https://sunrise.example/terms' } })).status).toBe(200);

    // Customers, one of them on LINE, who asks for a person and then says what it is about.
    for (const c of [
      { name: 'Lin Mei', email: 'mei.lin@example.com', phone: '+886912000777', identities: [{ kind: 'line', value: customerLine, channel_account_id: line.id }] },
      { name: 'Linda Park', email: 'linda@example.org', phone: '+14155550123', identities: [] },
    ]) {
      expect((await t.api('POST', '/v1/customers', key, c)).status).toBe(201);
    }
    await t.line.emitInbound({ userId: customerLine, botUserId: channel.botUserId, text: 'agent' });
    ticketId = (await waitFor(async () => (await t.api<{ data: Array<{ id: string }> }>('GET', '/v1/tickets?source=LINE', key)).body.data[0] ?? null, { what: 'the chat ticket' })).id;
    await t.line.emitInbound({ userId: customerLine, botUserId: channel.botUserId, text: question });
    await waitFor(async () => ((await t.api<{ subject: string | null }>('GET', `/v1/tickets/${ticketId}`, key)).body.subject === question ? true : null), { what: 'the ticket named by the question' });

    // Usage over forty months (January 2023 to April 2026), more in some months than others.
    for (let i = 0; i < 40; i++) {
      const at = Date.UTC(2023, i, 10);
      for (let n = 0; n < 1 + ((i * 7) % 13); n++) {
        await t.hub.uow.repos.usage.record(workspaceId, { messageId: `msg_e2e${i}x${n}`, channel: n % 3 === 0 ? 'sms' : 'line', channelAccountId: lineAccountId, provider: 'line', owner: 'merchant', category: 'utility', at });
      }
    }
    browser = await launchChromium();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('finds orders by number with or without #, names each order’s store, and finds them by phone in any format', async () => {
    const page = await signIn('ada@sunrise.example');
    await page.goto(`${t.hub.url}/orders`);
    await page.getByTestId('orders-search').fill('1001');
    await page.getByTestId('orders-search').press('Enter');
    await poll(async () => page.getByTestId('order-row').count()).toBe(2);
    expect((await page.getByTestId('order-row-store').allInnerTexts()).sort()).toEqual(['Tainan Shop', 'Taipei Shop']);
    expect(await page.title()).toBe('Orders matching “1001” · Shoptalk');
    await checkState(page, 'orders-search');

    await page.getByTestId('orders-search').fill('#1001');
    await page.getByTestId('orders-search').press('Enter');
    await poll(async () => page.getByTestId('orders-result-count').innerText()).toMatch(/^2 orders match “#1001”/);
    for (const phone of ['+886 912-000-777', '0912000777', '912000777']) {
      await page.getByTestId('orders-search').fill(phone);
      await page.getByTestId('orders-search').press('Enter');
      await poll(async () => (await page.getByTestId('order-row').allInnerTexts()).join('|'), phone).toMatch(/^#1001[\s\S]*Lin Mei[^|]*$/);
    }
    await page.getByTestId('orders-search').fill('LINDA@');
    await page.getByTestId('orders-search').press('Enter');
    await poll(async () => (await page.getByTestId('order-row').allInnerTexts()).join('|')).toMatch(/^#2050[\s\S]*Linda Park[^|]*$/);
    await page.getByTestId('order-row').first().click();
    await poll(async () => page.title()).toBe('Order #2050 · Shoptalk');
    expect(await page.locator('.detail-pane').innerText()).toContain('Store: Taipei Shop');
  }, 90_000);

  it('finds customers by part of a name, an e-mail, or a phone written any way', async () => {
    const page = await signIn('ada@sunrise.example');
    await page.goto(`${t.hub.url}/customers`);
    const search = async (q: string) => {
      await page.getByTestId('customers-search').fill(q);
      await page.getByTestId('customers-search').press('Enter');
      await page.getByTestId('customers-result-count').filter({ hasText: q }).waitFor();
      return (await page.getByTestId('customer-row').locator('strong').allInnerTexts()).sort();
    };
    expect(await search('lin')).toEqual(['Lin Mei', 'Linda Park']);
    expect(await search('+886 912-000-777')).toEqual(['Lin Mei']);
    expect(await search('0912000777')).toEqual(['Lin Mei']);
    expect(await search('EXAMPLE.ORG')).toEqual(['Linda Park']);
    expect(await search('50%_')).toEqual([]);
    expect(await search('lin')).toEqual(['Lin Mei', 'Linda Park']);
    expect(await page.title()).toBe('Customers matching “lin” · Shoptalk');
    await checkState(page, 'customers-search');
  }, 90_000);

  it('lists tickets with the customer’s name, the newest message and its time, unread state and assignee', async () => {
    const page = await signIn('ben@sunrise.example');
    await page.goto(`${t.hub.url}/inbox`);
    const row = page.getByTestId('ticket-row').first();
    await row.waitFor();
    await poll(async () => page.title()).toBe('Inbox · Shoptalk');
    expect(await row.getByTestId('ticket-row-customer').innerText()).toContain('Lin Mei');
    expect(await row.getByTestId('ticket-row-title').innerText()).toBe(question);
    expect(await row.getByTestId('ticket-row-last').innerText()).toBe(question);
    expect(await row.getByTestId('ticket-row-time').getAttribute('datetime')).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(await row.getAttribute('data-unread')).toBe('true');
    expect(await row.innerText()).toContain('Unread');
    expect(await row.getByTestId('ticket-row-assignee').innerText()).toBe('Unassigned');
    expect(await page.getByTestId('inbox-unread-count').innerText()).toBe('1 new for you');
    await checkState(page, 'inbox-list');
  }, 90_000);

  it('opens a ticket with the focus on its heading, marks it read, and assigns it to me', async () => {
    const page = await signIn('ben@sunrise.example');
    await page.goto(`${t.hub.url}/inbox`);
    await page.getByTestId('ticket-row').first().click();
    await page.getByTestId('ticket-heading').waitFor();
    await poll(async () => page.evaluate<string | null>('document.activeElement && document.activeElement.getAttribute("data-testid")')).toBe('ticket-heading');
    expect(await page.getByTestId('ticket-heading').innerText()).toBe(question);
    expect(await page.getByTestId('ticket-customer-link').getByRole('link', { name: 'Lin Mei' }).getAttribute('href')).toMatch(/^\/customers\/cus_/);
    await poll(async () => page.title()).toBe(`Ticket: ${question} · Shoptalk`);
    // Read for Ben now; still new for Ada.
    await poll(async () => page.getByTestId('ticket-row').first().getAttribute('data-unread')).toBe('false');
    const forAda = await signIn('ada@sunrise.example');
    await forAda.goto(`${t.hub.url}/inbox`);
    await poll(async () => forAda.getByTestId('ticket-row').first().getAttribute('data-unread')).toBe('true');

    await page.getByTestId('assign-to-me').click();
    await poll(async () => page.getByTestId('ticket-assignee').innerText()).toBe('Assigned to you');
    await poll(async () => page.getByTestId('ticket-row').first().getByTestId('ticket-row-assignee').innerText()).toBe('Assigned to you');
    expect(await page.getByTestId('assign-to-me').count()).toBe(0);
    await forAda.reload();
    await poll(async () => forAda.getByTestId('ticket-row').first().getByTestId('ticket-row-assignee').innerText()).toBe('Assigned to Ben Agent');
    // "Assigned to me" lists it for Ben.
    await page.goto(`${t.hub.url}/inbox?assignee=me`);
    await poll(async () => page.getByTestId('ticket-row').count()).toBe(1);
    await page.goto(`${t.hub.url}/inbox/${ticketId}`);
    await page.getByTestId('ticket-heading').waitFor();
    await checkState(page, 'inbox-ticket');
  }, 90_000);

  it('shows the phone like a phone: mine on the right, buttons by label, newest in view, codes sent by text message', async () => {
    const page = await signIn('ada@sunrise.example');
    await page.goto(`${t.hub.url}/phone`);
    await poll(async () => page.title()).toBe('Sandbox phone · Shoptalk');
    await page.getByTestId('phone-channel').selectOption('line');
    await page.getByTestId('phone-address').fill(phoneUser);
    const say = async (text: string) => {
      await page.getByTestId('phone-input').fill(text);
      await page.getByTestId('phone-send').click();
    };
    const tap = async (label: string) => {
      await page.getByTestId('phone-button').filter({ hasText: label }).last().click();
    };
    await say('hi');
    await page.getByTestId('phone-button').filter({ hasText: 'Link' }).first().waitFor();
    // The customer (you) on the right, the business on the left.
    const mine = await page.locator('[data-testid="phone-message"][data-direction="out"]').first().boundingBox();
    const theirs = await page.locator('[data-testid="phone-message"][data-direction="in"]').first().boundingBox();
    expect(mine!.x + mine!.width).toBeGreaterThan(theirs!.x + theirs!.width + 20);
    expect(mine!.x).toBeGreaterThan(theirs!.x);

    const linkLabel = await page.getByTestId('phone-button').filter({ hasText: 'Link' }).first().innerText();
    await tap(linkLabel);
    await poll(async () => (await page.locator('[data-testid="phone-message"][data-direction="out"]').allInnerTexts()).join('\n')).toContain(linkLabel);
    expect((await page.locator('[data-testid="phone-message"][data-direction="out"]').allInnerTexts()).join('\n')).not.toMatch(/a:link_account/);
    await page.getByTestId('phone-button').filter({ hasText: /accept|agree/i }).first().waitFor();
    await tap((await page.getByTestId('phone-button').filter({ hasText: /accept|agree/i }).last().innerText()).trim());
    await poll(async () => (await page.locator('[data-testid="phone-message"][data-direction="in"]').allInnerTexts()).join('\n')).toMatch(/mobile number/);
    await say('+886 912 000 111');
    // The code the hub sent by SMS shows in the phone.
    const code = page.getByTestId('phone-code').first();
    await code.waitFor({ timeout: 20_000 });
    expect(await code.getAttribute('data-via')).toBe('sms');
    expect(await code.innerText()).toMatch(/Text message[\s\S]*\b\d{6}\b is your/);
    const sent = t.twilio.messages('+886912000111').at(-1)!;
    expect(await code.innerText()).toContain(/\b(\d{6})\b/.exec(sent.body)![1]);
    // Scrolled to the newest message.
    await poll(async () => page.evaluate<boolean>('(() => { const el = document.querySelector("[data-testid=phone-messages]"); return el.scrollHeight > el.clientHeight && el.scrollTop + el.clientHeight >= el.scrollHeight - 4; })()')).toBe(true);
    await checkState(page, 'phone-messages');
  }, 120_000);

  it('shows how to connect a channel on the phone of a workspace without one', async () => {
    const page = await signIn('eve@empty.example');
    await page.goto(`${t.hub.url}/phone`);
    await page.getByTestId('phone-no-channel').waitFor();
    expect(await page.getByTestId('phone-no-channel').innerText()).toMatch(/Integrations/);
    expect(await page.getByTestId('phone-no-channel').getByRole('link', { name: 'Integrations' }).getAttribute('href')).toBe('/integrations');
    expect(await page.locator('.error, [role="alert"]').count()).toBe(0);
    await checkState(page, 'phone-empty-workspace');
  }, 60_000);

  it('scales the usage chart to one month and to forty, and names the accounts', async () => {
    const usage = await t.api<{ data: Array<{ channel_account_id: string; channel_account_name: string | null }> }>('GET', '/v1/usage?from=2023-01&to=2026-04', key);
    expect(usage.body.data.every((r) => r.channel_account_name === 'Sunrise LINE')).toBe(true);

    const page = await signIn('ada@sunrise.example');
    await page.goto(`${t.hub.url}/usage`);
    await poll(async () => page.title()).toBe('Usage · Shoptalk');
    const show = async (from: string, to: string) => {
      await page.locator('input[type="month"]').nth(0).fill(from);
      await page.locator('input[type="month"]').nth(1).fill(to);
      await page.getByRole('button', { name: 'Show' }).click();
      await page.locator(`[data-testid="usage-chart"]`).waitFor();
    };
    const fits = async () => page.evaluate<boolean>('(() => { const el = document.querySelector("[data-testid=usage-chart]"); return el.scrollWidth <= el.clientWidth + 1; })()');
    // Labels do not overlap: each starts after the one before ends.
    const labelsApart = async () =>
      page.evaluate<boolean>(
        '(() => { const boxes = [...document.querySelectorAll(".uc-label:not(.uc-skip)")].map((e) => { const r = document.createRange(); r.selectNodeContents(e); return r.getBoundingClientRect(); }); return boxes.every((b, i) => i === 0 || b.left >= boxes[i - 1].right); })()',
      );

    await show('2024-05', '2024-05');
    await poll(async () => page.getByTestId('usage-chart').getAttribute('data-months')).toBe('1');
    expect(await page.getByTestId('usage-bar').count()).toBe(1);
    expect(await page.locator('.uc-label:not(.uc-skip)').allInnerTexts()).toEqual(['May']);
    expect(new Set(await page.getByTestId('usage-account').allInnerTexts())).toEqual(new Set(['Sunrise LINE']));
    expect(await page.getByTestId('usage-table').innerText()).not.toContain(lineAccountId);
    expect(await fits()).toBe(true);
    await checkState(page, 'usage-1-month');

    await show('2023-01', '2026-04');
    await poll(async () => page.getByTestId('usage-chart').getAttribute('data-months')).toBe('40');
    expect(await page.getByTestId('usage-bar').count()).toBe(40);
    const labels = await page.locator('.uc-label:not(.uc-skip)').allInnerTexts();
    expect(labels.length).toBeLessThanOrEqual(6);
    expect(labels[0]).toBe('Jan ’23');
    expect(await fits()).toBe(true);
    expect(await labelsApart()).toBe(true);
    // The chart is a picture with a summary; no scrolling region to reach by keyboard.
    expect(await page.getByTestId('usage-chart').locator('[role="img"]').getAttribute('aria-label')).toMatch(/from Jan 2023 to Apr 2026/);
    await checkState(page, 'usage-40-months');
    await page.setViewportSize({ width: 375, height: 800 });
    expect(await fits()).toBe(true);
    expect(await labelsApart()).toBe(true);
  }, 90_000);
});
