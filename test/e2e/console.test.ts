// The console in a real browser (Debian's Chromium driven by playwright-core) against a hub with its simulators:
// sign in, connect a WhatsApp number, enable a notification, place a sandbox order and see the message on the
// sandbox phone and in the order's activity, answer a chat ticket. Screenshots of the main pages go to
// test-results/screenshots/.
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { TestHub } from '../support/hub.js';
import { startTestHub } from '../support/hub.js';
import { axeViolations, describeViolations } from '../support/axe.js';
import { launchChromium } from '../support/browser.js';

const SHOTS = path.resolve('test-results/screenshots');
const hex = (n: number) => randomBytes(n).toString('hex');

describe('the console in Chromium', () => {
  let t: TestHub;
  let browser: Browser;
  let page: Page;
  const password = 'e2e correct horse battery';
  const wa = { phoneNumberId: '106540352241234', wabaId: '102290129341234', accessToken: `EAAG${hex(16)}`, appSecret: hex(16) };
  let workspaceId = '';
  let key = '';

  // Every state the walk-through saves is also checked with axe-core: no violations.
  const shot = async (name: string) => {
    await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
    expect(describeViolations(await axeViolations(page)), name).toBe('');
  };

  beforeAll(async () => {
    if (!fs.existsSync(path.resolve('console/dist/index.html'))) throw new Error('the console is not built: run `npm run build:console`');
    fs.mkdirSync(SHOTS, { recursive: true });
    t = await startTestHub({ name: 'sqlite', db: 'sqlite', redis: false, sandboxPhone: true });
    const ws = await t.hub.workspaces.createWorkspace('E2E Shop');
    workspaceId = ws.id;
    key = (await t.hub.workspaces.createApiKey(ws.id, 'e2e')).key;
    await t.hub.users.create(ws.id, { email: 'admin@e2e.example', name: 'Ada Admin', role: 'admin', password });
    // The store is connected through the API; the channel through the console below.
    const shop = `e2e-${hex(3)}.myshopify.com`;
    const secret = hex(16);
    const store = await t.api<{ webhook_url: string }>('POST', '/v1/store-connections', key, { platform: 'shopify', shop_domain: shop, webhook_secret: secret });
    t.shopify.addShop({ domain: shop, webhookSecret: secret, subscriptions: [{ topic: 'orders/create', address: store.body.webhook_url }] });
    t.wa.addPhoneNumber({ ...wa, displayPhoneNumber: '15550781234', webhookUrl: null });
    browser = await launchChromium();
    // The page's CSP would refuse the injected axe-core script (test/e2e/csp.test.ts checks the CSP itself).
    page = await (await browser.newContext({ viewport: { width: 1280, height: 860 }, bypassCSP: true })).newPage();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('signs in', async () => {
    await page.goto(`${t.hub.url}/`);
    await page.getByTestId('signin-email').fill('admin@e2e.example');
    await page.getByTestId('signin-password').fill('wrong password!');
    await page.getByTestId('signin-submit').click();
    // Checking a password takes a scrypt at OWASP's cost (128 MiB, up to seconds on a busy machine).
    await expect.poll(async () => (await page.locator('[role="alert"]').allInnerTexts()).join(' '), { timeout: 20_000 }).toMatch(/not right/);
    await page.getByTestId('signin-password').fill(password);
    await shot('sign-in');
    await page.getByTestId('signin-submit').click();
    await page.getByTestId('nav-integrations').waitFor();
  }, 60_000);

  it('connects a WhatsApp number, verified with the provider', async () => {
    await page.getByTestId('nav-integrations').click();
    await page.getByTestId('connect-kind').selectOption('wa-meta');
    await page.getByTestId('connect-phone_number_id').fill(wa.phoneNumberId);
    await page.getByTestId('connect-waba_id').fill(wa.wabaId);
    await page.getByTestId('connect-access_token').fill(wa.accessToken);
    await page.getByTestId('connect-app_secret').fill(wa.appSecret);
    await page.getByTestId('connect-submit').click();
    await page.getByTestId('connection-created').waitFor();
    await page.getByTestId('account-row').first().waitFor();
    await shot('integrations');
    const accounts = await t.api<{ data: Array<{ webhook_url: string }> }>('GET', '/v1/channel-accounts', key);
    t.wa.setWebhookUrl(wa.phoneNumberId, accounts.body.data[0]!.webhook_url);
  }, 30_000);

  it('enables the order-placed notification with an approved template and shows the preview', async () => {
    await page.getByTestId('nav-notifications').click();
    await page.getByTestId('notif-order.placed-whatsapp').click();
    const template = page.getByTestId('notif-template');
    await expect.poll(async () => (await template.locator('option').allInnerTexts()).join('|'), { timeout: 10_000 }).toContain('order_placed (en_US)');
    await template.selectOption('order_placed|en_US');
    await expect.poll(async () => (await page.getByTestId('notif-preview').innerText().catch(() => '')).toLowerCase(), { timeout: 10_000 }).toContain('thank you for your order');
    await page.getByTestId('notif-save').click();
    await page.getByTestId('notif-saved').waitFor();
    await page.getByTestId('notif-close').click();
    await shot('notifications');
  }, 30_000);

  it('places a sandbox order and sees the WhatsApp message on the sandbox phone and in the order’s activity', async () => {
    await page.getByTestId('nav-phone').click();
    await page.getByTestId('phone-channel').selectOption('whatsapp').catch(() => undefined);
    await page.getByTestId('phone-address').fill('447700900321');
    await page.getByTestId('demo-order').click();
    await expect.poll(async () => (await page.getByTestId('phone-message').allInnerTexts()).join('\n'), { timeout: 20_000 }).toMatch(/thank you for your order/i);
    await shot('sandbox-phone');

    await page.getByTestId('nav-orders').click();
    await page.getByTestId('order-row').first().click();
    await expect.poll(async () => (await page.getByTestId('activity-entry').allInnerTexts()).join('\n'), { timeout: 20_000 }).toMatch(/sent/i);
    await shot('order-activity');
  }, 60_000);

  it('answers a chat the customer handed to an agent, from the inbox', async () => {
    await page.getByTestId('nav-phone').click();
    await page.getByTestId('phone-address').fill('447700900321');
    await page.getByTestId('phone-input').fill('agent');
    await page.getByTestId('phone-send').click();
    await expect
      .poll(async () => (await t.api<{ data: unknown[] }>('GET', '/v1/tickets?source=WhatsApp', key)).body.data.length, { timeout: 20_000 })
      .toBeGreaterThan(0);
    await page.getByTestId('nav-inbox').click();
    await page.getByTestId('ticket-row').first().click();
    await page.getByTestId('reply-body').fill('Hello from the support team!');
    await page.getByTestId('reply-send').click();
    await expect.poll(async () => (await page.getByTestId('ticket-message').allInnerTexts()).join('\n'), { timeout: 20_000 }).toContain('Hello from the support team!');
    await shot('inbox');
    await page.getByTestId('nav-phone').click();
    await page.getByTestId('phone-address').fill('447700900321');
    await expect.poll(async () => (await page.getByTestId('phone-message').allInnerTexts()).join('\n'), { timeout: 20_000 }).toContain('Hello from the support team!');
  }, 60_000);

  it('shows the other pages, and works at phone width', async () => {
    for (const name of ['customers', 'usage', 'developers']) {
      await page.getByTestId(`nav-${name}`).click();
      await page.locator('h1').first().waitFor();
      await page.waitForTimeout(300);
      await shot(name);
    }
    await page.setViewportSize({ width: 375, height: 780 });
    await page.getByTestId('nav-inbox').click({ timeout: 2000 }).catch(async () => {
      // On a narrow screen the navigation may sit behind a menu button.
      await page.getByRole('button', { name: /menu/i }).click();
      await page.getByTestId('nav-inbox').click();
    });
    await page.locator('h1').first().waitFor();
    await page.waitForTimeout(300);
    await shot('inbox-phone-width');
    // Nothing wider than the screen: no sideways scrolling.
    const overflow = (await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')) as number;
    expect(overflow).toBeLessThanOrEqual(1);
    void workspaceId;
  }, 60_000);
});
