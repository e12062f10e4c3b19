// The Notifications page and the Chat & loyalty page in Chromium, driven as a merchant would: the editor opens
// beside the matrix by keyboard and closes with Escape, only approved templates are offered, placeholders are
// mapped with pickers, the preview shows the shop's currency before the notification is on, a live one asks before
// it is switched off, and "n/a" is explained once. Then account linking, loyalty, a flow module with buttons that a
// customer's chat shows, and the menu answer to text the bot does not understand. Every state passes axe-core and
// fits a 375 px wide screen.
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { MerchantSetup, TestHub } from '../support/hub.js';
import { setUpMerchant, startTestHub } from '../support/hub.js';
import { waitFor } from '../support/services.js';
import { axeViolations, describeViolations, horizontalOverflow } from '../support/axe.js';
import { launchChromium } from '../support/browser.js';

const SHOTS = path.resolve('test-results/screenshots');
const hex = (n: number) => randomBytes(n).toString('hex');

describe('notifications and chat settings in Chromium', () => {
  let t: TestHub;
  let m: MerchantSetup;
  let browser: Browser;
  let page: Page;
  const password = 'e2e correct horse battery';
  const lineChannel = { channelAccessToken: `line_${hex(16)}`, channelSecret: hex(16), botUserId: `U${hex(16)}`, displayName: 'Tea LINE' };

  const shot = (name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
  const accessible = async (state: string) => {
    expect(describeViolations(await axeViolations(page)), state).toBe('');
  };
  const fitsPhone = async (state: string) => {
    const size = page.viewportSize()!;
    await page.setViewportSize({ width: 375, height: 800 });
    await page.waitForTimeout(50);
    expect(await horizontalOverflow(page), `${state} at 375 px`).toBe(0);
    await accessible(`${state} at 375 px`);
    await page.setViewportSize(size);
  };
  const activeTestId = () => page.evaluate<string | null>('document.activeElement && document.activeElement.getAttribute("data-testid")');
  const focusInDialog = () => page.evaluate<boolean>('Boolean(document.activeElement && document.activeElement.closest("[role=dialog]"))');
  const setting = async (eventType: string, channel: string) =>
    (await t.api<{ data: Array<{ event_type: string; channel: string; enabled: boolean }> }>('GET', '/v1/notification-settings', m.key)).body.data.find((s) => s.event_type === eventType && s.channel === channel)!;

  beforeAll(async () => {
    if (!fs.existsSync(path.resolve('console/dist/index.html'))) throw new Error('the console is not built: run `npm run build:console`');
    fs.mkdirSync(SHOTS, { recursive: true });
    t = await startTestHub({ name: 'sqlite', db: 'sqlite', redis: false });
    m = await setUpMerchant(t, { enable: false });
    await t.hub.users.create(m.workspaceId, { email: 'owner@tea.example', name: 'Tess Owner', role: 'admin', password });
    await t.hub.users.create(m.workspaceId, { email: 'agent@tea.example', name: 'Arlo Agent', role: 'agent', password });
    t.wa.upsertTemplate(m.wabaId, { name: 'spring_sale', language: 'en_US', status: 'PENDING', category: 'MARKETING', bodyText: 'Spring sale, {{1}}!' });
    t.line.addChannel(lineChannel);
    const line = (await t.api<{ id: string; webhook_url: string }>('POST', '/v1/channel-accounts', m.key, { channel: 'line', provider: 'line', channel_access_token: lineChannel.channelAccessToken, channel_secret: lineChannel.channelSecret })).body;
    t.line.addChannel({ ...lineChannel, webhookUrl: line.webhook_url });
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true })).newPage();
    await page.goto(`${t.hub.url}/`);
    await page.getByTestId('signin-email').fill('owner@tea.example');
    await page.getByTestId('signin-password').fill(password);
    await page.getByTestId('signin-submit').click();
    await page.getByTestId('nav-notifications').waitFor({ timeout: 30_000 });
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('names events in words, explains n/a once, and keeps the shop’s currency', async () => {
    await page.getByTestId('nav-notifications').click();
    const row = page.getByTestId('event-order.placed');
    await row.waitFor();
    expect(await row.innerText()).toMatch(/Order placed\s*order\.placed/);
    // The reasons are listed once under the table, not repeated in the cells.
    const reasons = page.getByTestId('na-reason');
    expect(await reasons.count()).toBeGreaterThan(0);
    expect(await reasons.count()).toBeLessThanOrEqual(2);
    expect(await page.locator('.matrix').innerText()).not.toMatch(/promotional|store platform/i);
    expect(await page.getByTestId('na-legend').innerText()).toMatch(/Meta forbids promotional content/);
    await page.getByTestId('shop-currency').fill('TWD');
    await page.getByTestId('shop-locale-save').click();
    await page.getByText('Saved.').first().waitFor();
    expect((await t.api<{ currency: string }>('GET', '/v1/workspace', m.key)).body.currency).toBe('TWD');
    await page.getByTestId('shop-currency').fill('XX1');
    await page.getByTestId('shop-locale-save').click();
    await page.locator('.shop-locale .error-text').waitFor();
    expect(await page.locator('.shop-locale .error-text').innerText()).toMatch(/not a currency code/);
    await accessible('notifications with a currency error');
    await page.getByTestId('shop-currency').fill('TWD');
    await page.getByTestId('shop-locale-save').click();
    await accessible('notifications');
    await shot('notifications-matrix');
    await fitsPhone('notifications');
  }, 60_000);

  it('opens the editor beside the cell by keyboard; Escape closes it and returns the focus', async () => {
    await page.getByTestId('notif-order.placed-whatsapp').focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    expect(await dialog.getAttribute('aria-labelledby')).toBeTruthy();
    expect(await page.locator(`#${await dialog.getAttribute('aria-labelledby')}`).innerText()).toBe('Order placed on WhatsApp');
    expect(await focusInDialog()).toBe(true);
    // Tab moves through the panel and stays in it.
    for (let i = 0; i < 8; i += 1) await page.keyboard.press('Tab');
    expect(await focusInDialog()).toBe(true);
    await page.getByTestId('notif-template').waitFor();
    await accessible('notification editor open');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(activeTestId).toBe('notif-order.placed-whatsapp');
  }, 30_000);

  it('offers only approved templates, maps placeholders with pickers, and previews in the shop’s currency before turning on', async () => {
    await page.keyboard.press('Enter');
    const select = page.getByTestId('notif-template');
    await expect.poll(async () => (await select.locator('option').allInnerTexts()).join('|'), { timeout: 10_000 }).toContain('order_placed (en_US)');
    expect((await select.locator('option').allInnerTexts()).join('|')).not.toContain('spring_sale');
    expect(await page.getByTestId('notif-unapproved').innerText()).toMatch(/spring_sale \(en_US, pending\)/);
    await select.selectOption('order_placed|en_US');
    await page.getByTestId('notif-var-3').waitFor();
    // The hub's defaults fill the pickers; the merchant changes one.
    await expect.poll(() => page.getByTestId('notif-var-1').inputValue()).toBe('customer_name');
    await page.getByTestId('notif-var-2').selectOption('invoice');
    await expect.poll(() => page.getByTestId('notif-preview-text').innerText().catch(() => ''), { timeout: 10_000 }).toContain('INV-2024-00042');
    const preview = await page.getByTestId('notif-preview-text').innerText();
    expect(preview).toContain('NT$998.00');
    expect(await page.getByTestId('notif-preview-meta').innerText()).toMatch(/amounts in TWD/);
    expect((await setting('order.placed', 'whatsapp')).enabled).toBe(false);
    await page.getByTestId('notif-var-2').selectOption('customer_order_id');
    await expect.poll(() => page.getByTestId('notif-preview-text').innerText()).toContain('ORD123456');
    await accessible('editor with template, pickers and preview');
    await shot('notifications-editor-preview');
    await fitsPhone('notification editor');
    await page.getByTestId('notif-save').click();
    await page.getByTestId('notif-saved').waitFor();
    expect((await setting('order.placed', 'whatsapp')).enabled).toBe(true);
  }, 60_000);

  it('asks before switching a live notification off', async () => {
    await page.getByTestId('notif-turn-off').click();
    const confirm = page.getByTestId('notif-confirm-off');
    await confirm.waitFor();
    expect(await confirm.getAttribute('role')).toBe('alertdialog');
    await expect.poll(activeTestId).toBe('notif-confirm-off-no');
    await accessible('confirm turning off');
    await shot('notifications-confirm-off');
    await page.keyboard.press('Escape');
    await confirm.waitFor({ state: 'detached' });
    expect((await setting('order.placed', 'whatsapp')).enabled).toBe(true);
    await page.getByTestId('notif-turn-off').click();
    await page.getByTestId('notif-confirm-off-yes').click();
    await expect.poll(async () => (await setting('order.placed', 'whatsapp')).enabled).toBe(false);
    await page.getByTestId('notif-close').click();
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    expect(await page.getByTestId('notif-order.placed-whatsapp').innerText()).toBe('Off');
    await accessible('notifications after turning off');
  }, 30_000);

  it('saves account linking and the loyalty programme, with field errors in words', async () => {
    await page.getByTestId('nav-chat-settings').click();
    await page.getByTestId('linking').waitFor();
    await accessible('chat settings');
    await page.getByTestId('linking-store').selectOption(m.connection.id);
    await page.getByTestId('linking-email').check();
    await page.getByTestId('linking-terms').fill('tea terms');
    await page.getByTestId('linking-save').click();
    const termsError = page.getByTestId('linking').getByTestId('field-error');
    await termsError.waitFor();
    expect(await termsError.innerText()).toBe('Enter a web address starting with https://, or leave it empty');
    await accessible('linking with a field error');
    await page.getByTestId('linking-terms').fill('https://tea.example/terms');
    // Edited, the field loses its problem.
    expect(await page.getByTestId('linking').getByTestId('field-error').count()).toBe(0);
    await page.getByTestId('linking-save').click();
    await page.getByTestId('linking').getByText('Saved.').waitFor();

    await page.getByTestId('loyalty-enabled').check();
    await page.getByTestId('loyalty-rate').fill('0.5');
    await page.getByTestId('loyalty-bonus').fill('lots');
    await page.getByTestId('prize-add').click();
    await page.getByTestId('prize-name').fill('Tote bag');
    await page.getByTestId('prize-cost').fill('200');
    await page.getByTestId('prize-value').fill('TOTE-2026');
    await page.getByTestId('loyalty-save').click();
    await page.getByTestId('loyalty').getByTestId('field-error').waitFor();
    expect(await page.getByTestId('loyalty').getByTestId('field-error').innerText()).toMatch(/whole number of points/);
    await page.getByTestId('loyalty-bonus').fill('20');
    await page.getByTestId('loyalty-save').click();
    await page.getByTestId('loyalty').getByText('Saved.').waitFor();
    const s = (await t.api<{ linking: Record<string, unknown>; loyalty: { enabled: boolean; points_per_unit: string; signup_bonus: number; prizes: Array<{ name: string; cost: number; reward: unknown }> } }>('GET', '/v1/chat-settings', m.key)).body;
    expect(s.linking).toEqual({ store_connection_id: m.connection.id, verify_by: 'email', terms_url: 'https://tea.example/terms' });
    expect(s.loyalty).toMatchObject({ enabled: true, points_per_unit: '0.5', signup_bonus: 20 });
    expect(s.loyalty.prizes).toEqual([{ id: 'tote-bag', name: 'Tote bag', cost: 200, reward: { kind: 'code', code: 'TOTE-2026' } }]);
    await accessible('chat settings saved');
    await shot('chat-settings');
    await fitsPhone('chat settings');
  }, 60_000);

  it('creates a flow module with buttons that the customer’s chat shows, and answers unknown text with it', async () => {
    await page.getByTestId('module-new').focus();
    await page.keyboard.press('Enter');
    const editor = page.getByTestId('module-editor');
    await editor.waitFor();
    expect(await focusInDialog()).toBe(true);
    await page.getByTestId('module-name').fill('Main menu');
    await page.getByTestId('module-text').fill('Welcome to the tea house! What would you like to do?');
    await page.getByTestId('module-add-button').click();
    await page.getByTestId('module-add-button').click();
    await page.getByTestId('module-save').click();
    // Buttons without a label: errors next to them, nothing saved.
    await editor.getByTestId('field-error').first().waitFor();
    expect(await editor.getByTestId('field-error').first().innerText()).toBe('Give the button a label');
    await accessible('module editor with errors');
    const titles = page.getByTestId('module-button-title');
    await titles.nth(0).fill('My orders');
    await page.getByTestId('module-button-target').nth(0).selectOption('my_orders');
    await titles.nth(1).fill('Our shop');
    await page.getByTestId('module-button-kind').nth(1).selectOption('url');
    await page.getByTestId('module-button-target').nth(1).fill('https://tea.example/');
    await accessible('module editor open');
    await shot('chat-settings-module-editor');
    await fitsPhone('module editor');
    await page.getByTestId('module-save').click();
    await editor.waitFor({ state: 'detached' });
    await expect.poll(activeTestId).toBe('module-new');
    await page.getByTestId('module-row').first().waitFor();
    expect(await page.getByTestId('module-row').first().innerText()).toMatch(/Main menu[\s\S]*My orders[\s\S]*Our shop/);

    await page.getByTestId('welcome-module').selectOption({ label: 'Main menu' });
    expect(await page.getByTestId('unknown-menu').isChecked()).toBe(true);
    await page.getByTestId('escalate-after').fill('10');
    await page.getByTestId('bot-answers-save').click();
    await page.getByTestId('bot-answers').getByText('Saved.').waitFor();

    const user = `U${hex(16)}`;
    const out = () => t.line.messages(user);
    const says = async (text: string) => {
      const before = out().length;
      await t.line.emitInbound({ userId: user, botUserId: lineChannel.botUserId, text });
      return waitFor(() => (out().length > before ? out().slice(before) : null), { what: `a reply to ${text}` });
    };
    const hello = await says('hi');
    expect(hello.map((x) => x.text).join('\n')).toContain('Welcome to the tea house!');
    expect(JSON.stringify(hello.map((x) => x.message))).toContain('My orders');
    expect((await says('do you sell oolong')).map((x) => x.text).join('\n')).toContain('Welcome to the tea house!');

    await page.getByTestId('unknown-nothing').check();
    await page.getByTestId('bot-answers-save').click();
    await expect.poll(async () => (await t.api<{ unknown_text: string }>('GET', '/v1/chat-settings', m.key)).body.unknown_text).toBe('nothing');
    const before = out().length;
    await t.line.emitInbound({ userId: user, botUserId: lineChannel.botUserId, text: 'still about oolong' });
    await waitFor(
      async () => {
        const msgs = await t.api<{ data: Array<{ direction: string; status: string; content: { text?: string } }> }>('GET', '/v1/messages?limit=50', m.key);
        return msgs.body.data.some((x) => x.direction === 'inbound' && x.content.text === 'still about oolong' && x.status === 'read') ? true : null;
      },
      { what: 'the message handled' },
    );
    expect(out().length).toBe(before);

    // Deleting asks first.
    await page.getByRole('button', { name: 'Delete module Main menu' }).waitFor();
    expect(await page.getByRole('button', { name: 'Delete module Main menu' }).isDisabled()).toBe(true);
    await accessible('chat settings with a module');
    await shot('chat-settings-modules');
  }, 90_000);

  it('shows an agent which notifications are on, without the controls only admins can use', async () => {
    const agentPage = await (await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true })).newPage();
    await agentPage.goto(`${t.hub.url}/`);
    await agentPage.getByTestId('signin-email').fill('agent@tea.example');
    await agentPage.getByTestId('signin-password').fill(password);
    await agentPage.getByTestId('signin-submit').click();
    await agentPage.getByTestId('nav-notifications').click({ timeout: 30_000 });
    await agentPage.getByTestId('event-order.placed').waitFor();
    expect(await agentPage.getByTestId('nav-chat-settings').count()).toBe(0);
    expect(await agentPage.locator('.matrix button').count()).toBe(0);
    expect(await agentPage.getByTestId('shop-currency').count()).toBe(0);
    expect(await agentPage.getByTestId('notif-order.placed-whatsapp').innerText()).toBe('Off');
    expect(describeViolations(await axeViolations(agentPage))).toBe('');
    await agentPage.context().close();
  }, 60_000);
});
