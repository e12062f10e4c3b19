// The Reports page in a real browser: an admin sees an order notification sent through the simulators in the
// notification report, sets a price for the sending account and sees the cost, switches to the support inbox
// report grouped by source; the page passes the accessibility checks.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { MerchantSetup, TestHub } from '../support/hub.js';
import { setUpMerchant, startTestHub } from '../support/hub.js';
import { waitFor } from '../support/services.js';
import { axeViolations, describeViolations } from '../support/axe.js';
import { launchChromium } from '../support/browser.js';

describe('Reports page', () => {
  let t: TestHub;
  let m: MerchantSetup;
  let browser: Browser;
  let page: Page;
  const password = 'e2e reports password';

  beforeAll(async () => {
    if (!fs.existsSync('console/dist/index.html')) throw new Error('the console is not built: run `npm run build:console`');
    t = await startTestHub({ name: 'sqlite', db: 'sqlite', redis: false });
    m = await setUpMerchant(t);
    await t.hub.users.create(m.workspaceId, { email: 'reports@e2e.example', name: 'Reports Admin', role: 'admin', password });
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true, timezoneId: 'UTC' })).newPage();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('shows sends and their cost once a price is set, and the inbox report by source', async () => {
    await t.shopify.placeOrder(m.shop, { phone: '+44 7700 900555' });
    await waitFor(() => t.wa.messages('447700900555').length === 1, { what: 'the WhatsApp message' });
    await waitFor(async () => (await t.hub.storage.db.selectFrom('usage_records').select('id').where('workspace_id', '=', m.workspaceId).execute()).length === 1, { what: 'the usage record' });
    const patched = await t.api('PATCH', '/v1/workspace', m.key, { currency: 'EUR' });
    expect(patched.status).toBe(200);

    await page.goto(`${t.hub.url}/`);
    await page.getByTestId('signin-email').fill('reports@e2e.example');
    await page.getByTestId('signin-password').fill(password);
    await page.getByTestId('signin-submit').click();
    await page.getByTestId('nav-reports').click();
    expect(await page.title()).toBe('Reports · Shoptalk');
    await expect.poll(async () => page.getByTestId('inbox-totals').count()).toBe(1);

    await page.getByTestId('report-tab-notifications').click();
    const totals = page.getByTestId('notification-totals');
    await expect.poll(async () => (await totals.count()) && (await totals.innerText())).toContain('Sent\n1');
    expect(await page.getByText('1 billable messages have no price').count()).toBe(1);

    // A price for the WhatsApp account, for any category.
    await page.getByRole('button', { name: 'Add a price' }).click();
    await page.getByLabel('Category of price 1').fill('*');
    await page.getByLabel('Price 1', { exact: true }).fill('0.0305');
    await page.getByRole('button', { name: 'Save prices' }).click();
    await expect.poll(async () => (await t.api<{ data: unknown[] }>('GET', '/v1/message-prices', m.key)).body.data.length).toBe(1);
    await page.getByTestId('report-show').click();
    await expect.poll(async () => page.getByTestId('notification-cost').innerText()).toMatch(/0\.0305/);
    await expect.poll(async () => page.getByText('have no price').count()).toBe(0);
    expect(describeViolations(await axeViolations(page)), 'notification report').toBe('');

    // Grouped by channel: one row, WhatsApp.
    await page.getByTestId('report-group-by').selectOption('channel');
    await page.getByTestId('report-show').click();
    const rows = page.getByTestId('notification-report').locator('tbody tr');
    await expect.poll(async () => rows.count()).toBe(1);
    expect(await rows.first().innerText()).toMatch(/^WhatsApp\t1\t1\t/);

    await page.getByTestId('report-tab-inbox').click();
    await page.getByTestId('report-group-by').selectOption('source');
    await page.getByTestId('report-show').click();
    await expect.poll(async () => page.getByTestId('inbox-report').count()).toBe(1);
    expect(describeViolations(await axeViolations(page)), 'inbox report').toBe('');
  }, 90_000);
});
