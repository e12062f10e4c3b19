// The Developers page in a real browser: a webhook delivery that gave up is listed under "Failed" and the
// "Redeliver" button sends it again.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { TestHub } from '../support/hub.js';
import { startTestHub } from '../support/hub.js';
import { launchChromium } from '../support/browser.js';


describe('Developers page: failed webhook deliveries', () => {
  let t: TestHub;
  let browser: Browser;
  let page: Page;
  let receiver: http.Server;
  const received: string[] = [];
  const password = 'e2e developers password';

  beforeAll(async () => {
    if (!fs.existsSync('console/dist/index.html')) throw new Error('the console is not built: run `npm run build:console`');
    t = await startTestHub({ name: 'sqlite', db: 'sqlite', redis: false });
    receiver = http.createServer((req, res) => {
      received.push(String(req.headers['webhook-id']));
      res.writeHead(200).end('thanks');
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    receiver?.closeAllConnections();
    await new Promise((r) => receiver?.close(r));
    await t?.close();
  });

  it('lists a failed delivery and redelivers it with the button', async () => {
    const ws = await t.hub.workspaces.createWorkspace('Dev Shop');
    const { key } = await t.hub.workspaces.createApiKey(ws.id, 'e2e');
    await t.hub.users.create(ws.id, { email: 'dev@e2e.example', name: 'Dev Admin', role: 'admin', password });
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
    const sub = await t.api<{ id: string }>('POST', '/v1/webhook-subscriptions', key, { url, events: ['activity.created'] });
    // A delivery that already gave up (its eight attempts are tested elsewhere), and one that went through.
    const failed = await t.hub.uow.repos.webhookDeliveries.create(ws.id, { subscriptionId: sub.body.id, event: 'activity.created', payload: { id: 'act_1' } });
    await t.hub.uow.repos.webhookDeliveries.update(ws.id, failed.id, { status: 'failed', attempts: 8, responseStatus: 503, responseBody: 'down for maintenance', error: 'answered HTTP 503' });
    const ok = await t.hub.uow.repos.webhookDeliveries.create(ws.id, { subscriptionId: sub.body.id, event: 'activity.created', payload: { id: 'act_2' } });
    await t.hub.uow.repos.webhookDeliveries.update(ws.id, ok.id, { status: 'delivered', attempts: 1, responseStatus: 200, deliveredAt: Date.now() });

    await page.goto(`${t.hub.url}/`);
    await page.getByTestId('signin-email').fill('dev@e2e.example');
    await page.getByTestId('signin-password').fill(password);
    await page.getByTestId('signin-submit').click();
    await page.getByTestId('nav-developers').click();
    await page.getByTestId('webhook-row').getByRole('button', { name: 'Deliveries' }).click();
    await page.getByTestId('deliveries-filter').selectOption('failed');
    const rows = page.getByTestId('delivery-row');
    await expect.poll(async () => rows.count()).toBe(1);
    expect(await rows.first().getAttribute('data-status')).toBe('failed');
    expect(await rows.first().innerText()).toContain('answered HTTP 503');

    await rows.first().getByTestId('delivery-redeliver').click();
    await expect.poll(() => received.includes(failed.id), { timeout: 15_000 }).toBe(true);
    await expect
      .poll(async () => {
        await page.getByRole('button', { name: 'Refresh' }).click();
        return rows.count();
      }, { timeout: 15_000 })
      .toBe(0);
    await page.getByTestId('deliveries-filter').selectOption('delivered');
    await expect.poll(async () => rows.count()).toBe(2);
    const detail = await t.api<{ status: string; attempts: number; attempt_log: Array<{ trigger: string }> }>('GET', `/v1/webhook-subscriptions/${sub.body.id}/deliveries/${failed.id}`, key);
    expect(detail.body).toMatchObject({ status: 'delivered', attempts: 9, attempt_log: [{ trigger: 'manual' }] });
  }, 60_000);
});
