// First run and accessibility in Chromium: an admin of an empty workspace signs in with the keyboard only, lands
// on Home, whose checklist follows the workspace as it is set up (store → channel → notification → test send);
// a refused store form says what is wrong in words next to the field; an expired session says so on the sign-in
// page; every page state here has zero axe-core violations, the tab title follows the page, and no page of the
// console scrolls sideways at 375 px, where the navigation sits behind a keyboard-operable menu.
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { TestHub } from '../support/hub.js';
import { startTestHub } from '../support/hub.js';
import { axeViolations, describeViolations, horizontalOverflow } from '../support/axe.js';
import { launchChromium } from '../support/browser.js';

const SHOTS = path.resolve('test-results/screenshots');
const hex = (n: number) => randomBytes(n).toString('hex');

describe('first run and accessibility in Chromium', () => {
  let t: TestHub;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let key = '';
  const password = 'e2e correct horse battery';
  const wa = { phoneNumberId: '106540352249876', wabaId: '102290129349876', accessToken: `EAAG${hex(16)}`, appSecret: hex(16) };
  const shop = `first-${hex(3)}.myshopify.com`;

  const shot = (name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
  const expectNoAxeViolations = async (state: string) => {
    const v = await axeViolations(page);
    expect(describeViolations(v), state).toBe('');
  };
  const active = () => page.evaluate<string>('document.activeElement?.getAttribute("data-testid") ?? document.activeElement?.tagName ?? ""');
  /** Presses Tab until the element with this test id has focus (a keyboard user's way there). */
  const tabTo = async (testid: string, max = 60) => {
    for (let i = 0; i < max; i++) {
      if ((await active()) === testid) return;
      await page.keyboard.press('Tab');
    }
    throw new Error(`${testid} was not reached with Tab`);
  };
  const stepDone = (id: string) => page.getByTestId(`step-${id}`).getAttribute('data-done');
  const openHome = async () => {
    await page.goto(`${t.hub.url}/`);
    await page.getByTestId('step-store').waitFor();
  };

  beforeAll(async () => {
    if (!fs.existsSync(path.resolve('console/dist/index.html'))) throw new Error('the console is not built: run `npm run build:console`');
    fs.mkdirSync(SHOTS, { recursive: true });
    t = await startTestHub({ name: 'sqlite', db: 'sqlite', redis: false, sandboxPhone: true });
    const ws = await t.hub.workspaces.createWorkspace('First Run Tea');
    key = (await t.hub.workspaces.createApiKey(ws.id, 'e2e')).key;
    await t.hub.users.create(ws.id, { email: 'owner@first.example', name: 'Olive Owner', role: 'admin', password });
    t.wa.addPhoneNumber({ ...wa, displayPhoneNumber: '15550789876', webhookUrl: null });
    browser = await launchChromium();
    // axe-core is injected as a script; the hub's CSP (tested on its own) would refuse it.
    context = await browser.newContext({ viewport: { width: 1280, height: 860 }, bypassCSP: true });
    page = await context.newPage();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('signs in with the keyboard only and lands on Home, with nothing done yet', async () => {
    await page.goto(`${t.hub.url}/`);
    await page.getByTestId('signin-email').waitFor();
    expect(await page.title()).toBe('Sign in · Shoptalk');
    await expectNoAxeViolations('sign-in');
    // The other sign-in states: an API key instead of a password, and a refused password.
    await page.getByTestId('signin-use-key').click();
    await page.getByTestId('signin-apikey').waitFor();
    await expectNoAxeViolations('sign-in with an API key');
    await page.getByTestId('signin-use-key').click();
    await page.getByTestId('signin-email').fill('owner@first.example');
    await page.getByTestId('signin-password').fill('not the password');
    await page.getByTestId('signin-submit').click();
    await page.locator('[role="alert"]').first().waitFor({ timeout: 20_000 });
    await expectNoAxeViolations('sign-in, password refused');
    await page.reload();
    await page.getByTestId('signin-email').waitFor();
    await tabTo('signin-email');
    await page.keyboard.type('owner@first.example');
    await page.keyboard.press('Tab');
    expect(await active()).toBe('signin-password');
    await page.keyboard.type(password);
    await page.keyboard.press('Enter');
    await page.getByTestId('step-store').waitFor({ timeout: 20_000 });
    expect(new URL(page.url()).pathname).toBe('/');
    expect(await page.title()).toBe('Home · Shoptalk');
    expect(await page.getByTestId('nav-home').getAttribute('aria-current')).toBe('page');
    for (const id of ['store', 'channel', 'notification', 'test']) expect(await stepDone(id), id).toBe('false');
    expect(await page.getByTestId('setup-progress').innerText()).toContain('0 of 4');
    await expectNoAxeViolations('home, nothing done');
    await shot('home-first-run');
  }, 60_000);

  it('skips to the main content from the first Tab', async () => {
    await page.locator('body').focus();
    await page.keyboard.press('Tab');
    expect(await page.evaluate<string>('document.activeElement?.textContent ?? ""')).toBe('Skip to content');
    expect(await page.evaluate<boolean>('getComputedStyle(document.activeElement).outlineStyle !== "none"')).toBe(true);
    await page.keyboard.press('Enter');
    expect(await page.evaluate<string>('document.activeElement?.id ?? ""')).toBe('main');
  }, 30_000);

  it('connects a store from the checklist with the keyboard; a refused field says what is wrong, in words, beside it', async () => {
    await tabTo('step-store-link');
    await page.keyboard.press('Enter');
    await page.getByTestId('stores-empty').waitFor();
    expect(await page.title()).toBe('Integrations · Shoptalk');
    // The form is ready: the service list has focus.
    await expect.poll(active).toBe('connect-kind');
    await expectNoAxeViolations('integrations, nothing connected');
    await shot('integrations-empty');

    await page.keyboard.press('ArrowDown');
    expect(await page.getByTestId('connect-kind').inputValue()).toBe('shopify');
    await tabTo('connect-shop_domain');
    await page.keyboard.type('first-tea.example.com');
    await page.keyboard.press('Tab');
    expect(await active()).toBe('connect-webhook_secret');
    const secret = hex(16);
    await page.keyboard.type(secret);
    await page.keyboard.press('Enter');

    const error = page.getByTestId('connect-shop_domain-error');
    await error.waitFor({ timeout: 20_000 });
    expect(await error.innerText()).toBe('Shop domain must look like acme.myshopify.com');
    expect(await page.getByTestId('connect-shop_domain').getAttribute('aria-invalid')).toBe('true');
    await expect.poll(active).toBe('connect-shop_domain');
    const text = await page.locator('main').innerText();
    expect(text).not.toMatch(/shop_domain|\(internal\)|\/v1\/|validation_failed/);
    await expectNoAxeViolations('integrations, a refused store form');
    await shot('integrations-field-error');

    await page.keyboard.press('Control+A');
    await page.keyboard.type(shop);
    await page.keyboard.press('Enter');
    await page.getByTestId('connection-created').waitFor({ timeout: 20_000 });
    await page.getByTestId('store-row').first().waitFor();
    await expectNoAxeViolations('integrations, a store connected');
  }, 60_000);

  it('turns a schema-checked field error into words too', async () => {
    await page.getByTestId('connect-kind').selectOption('cyberbiz');
    await page.getByTestId('connect-shop_domain').fill('ab');
    await page.getByTestId('connect-access_token').fill(`eyJ${hex(8)}`);
    await page.getByTestId('connect-app_secret').fill(hex(8));
    await page.getByTestId('connect-submit').click();
    const error = page.getByTestId('connect-shop_domain-error');
    await error.waitFor({ timeout: 20_000 });
    expect(await error.innerText()).toBe('Shop domain needs at least 3 characters');
    expect(await page.locator('main').innerText()).not.toMatch(/shop_domain|Too small|>=/);
    await page.getByTestId('connect-kind').selectOption('');
  }, 30_000);

  it('ticks the checklist off as the workspace is set up', async () => {
    await openHome();
    expect(await stepDone('store')).toBe('true');
    expect(await stepDone('channel')).toBe('false');
    expect(await page.getByTestId('setup-progress').innerText()).toContain('1 of 4');
    expect(await page.getByTestId('step-channel-link').getAttribute('href')).toBe('/integrations?connect=channel');
    await expectNoAxeViolations('home, a store connected');

    const account = await t.api<{ id: string; webhook_url: string }>('POST', '/v1/channel-accounts', key, {
      channel: 'whatsapp',
      provider: 'meta',
      phone_number_id: wa.phoneNumberId,
      waba_id: wa.wabaId,
      access_token: wa.accessToken,
      app_secret: wa.appSecret,
    });
    expect(account.status).toBe(201);
    t.wa.setWebhookUrl(wa.phoneNumberId, account.body.webhook_url);
    await openHome();
    expect(await stepDone('channel')).toBe('true');
    expect(await stepDone('notification')).toBe('false');

    const enabled = await t.api('PUT', '/v1/notification-settings/order.placed/whatsapp', key, { enabled: true, template: { name: 'order_placed', language: 'en_US' } });
    expect(enabled.status).toBe(200);
    await openHome();
    expect(await stepDone('notification')).toBe('true');
    expect(await stepDone('test')).toBe('false');
    await expectNoAxeViolations('home, three steps done');
    await shot('home-three-done');

    const sent = await t.api<{ status: string }>('POST', '/v1/notification-settings/order.placed/whatsapp/test-send', key, { to: '+447700900321' });
    expect(sent.body.status).toBe('sent');
    await openHome();
    for (const id of ['store', 'channel', 'notification', 'test']) expect(await stepDone(id), id).toBe('true');
    expect(await page.getByTestId('setup-progress').innerText()).toMatch(/set up/);
    await expectNoAxeViolations('home, all done');
    await shot('home-all-done');
  }, 60_000);

  it('shows the Developers page with its empty webhook list and the next action', async () => {
    await page.getByTestId('nav-developers').click();
    await page.getByTestId('webhooks-empty').waitFor();
    expect(await page.title()).toBe('Developers · Shoptalk');
    await expectNoAxeViolations('developers, no webhooks');
    await page.getByTestId('webhooks-empty').getByRole('button').click();
    expect(await active()).toBe('webhook-url');
    await shot('developers-empty-webhooks');
  }, 30_000);

  it('says the session expired on the sign-in page, and returns to the same page after signing in again', async () => {
    await page.getByTestId('nav-integrations').click();
    await page.getByTestId('store-row').first().waitFor();
    // The session ends on the server (it expired, or was signed out elsewhere).
    await context.clearCookies();
    await page.getByTestId('nav-developers').click();
    const notice = page.getByTestId('session-expired');
    await notice.waitFor({ timeout: 20_000 });
    expect(await notice.innerText()).toContain('Your session expired — sign in again');
    expect(await page.title()).toBe('Sign in · Shoptalk');
    await expectNoAxeViolations('sign-in, session expired');
    await shot('sign-in-session-expired');
    await page.getByTestId('signin-email').fill('owner@first.example');
    await page.getByTestId('signin-password').fill(password);
    await page.getByTestId('signin-submit').click();
    await page.getByRole('heading', { name: 'Developers', level: 1 }).waitFor({ timeout: 20_000 });
    expect(new URL(page.url()).pathname).toBe('/developers');
    expect(await page.getByTestId('session-expired').count()).toBe(0);
  }, 60_000);

  it('at 375 px: the navigation is a keyboard-operable menu and no page scrolls sideways', async () => {
    await page.setViewportSize({ width: 375, height: 780 });
    await openHome();
    expect(await page.getByTestId('nav-home').isVisible()).toBe(false);
    await expectNoAxeViolations('home at 375 px, menu closed');

    // The menu opens with the keyboard, moves focus into it, and Escape closes it and returns focus.
    await page.getByTestId('menu-toggle').focus();
    await page.keyboard.press('Enter');
    expect(await page.getByTestId('menu-toggle').getAttribute('aria-expanded')).toBe('true');
    await expect.poll(active).toBe('nav-home');
    await expectNoAxeViolations('home at 375 px, menu open');
    await shot('home-375-menu');
    await page.keyboard.press('Escape');
    expect(await page.getByTestId('menu-toggle').getAttribute('aria-expanded')).toBe('false');
    expect(await active()).toBe('menu-toggle');

    const pages = ['home', 'integrations', 'notifications', 'orders', 'inbox', 'customers', 'usage', 'developers', 'phone'];
    const overflow: Record<string, number> = {};
    for (const name of pages) {
      await page.getByTestId('menu-toggle').click();
      await page.getByTestId(`nav-${name}`).click();
      await page.locator('main h1').first().waitFor();
      // Let the page's data arrive and lay out.
      await page.waitForLoadState('networkidle').catch(() => undefined);
      await page.waitForTimeout(300);
      overflow[name] = await horizontalOverflow(page);
      await page.screenshot({ path: path.join(SHOTS, `375-${name}.png`), fullPage: true });
    }
    expect(overflow).toEqual(Object.fromEntries(pages.map((p) => [p, 0])));

    await page.getByTestId('menu-toggle').click();
    await page.getByTestId('nav-integrations').click();
    await page.getByTestId('store-row').first().waitFor();
    await expectNoAxeViolations('integrations at 375 px');
    await page.getByTestId('menu-toggle').click();
    await page.getByTestId('nav-home').click();
    await page.getByTestId('step-store').waitFor();
    await expectNoAxeViolations('home at 375 px');
  }, 120_000);
});
