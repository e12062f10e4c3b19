// The Content-Security-Policy in a real browser: the console, the API docs (Swagger UI) and the unsubscribe
// page load and work with no CSP violation, and an inline script injected into the console is refused.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { TestHub } from '../support/hub.js';
import { startTestHub } from '../support/hub.js';
import { OptOutService } from '../../src/core/notifications/opt-outs.js';
import { launchChromium } from '../support/browser.js';


describe('the CSP in Chromium', () => {
  let t: TestHub;
  let browser: Browser;
  let page: Page;
  const violations: string[] = [];
  let unsubscribe = '';

  beforeAll(async () => {
    if (!fs.existsSync(path.resolve('console/dist/index.html'))) throw new Error('the console is not built: run `npm run build:console`');
    t = await startTestHub({ name: 'sqlite', db: 'sqlite', redis: false });
    const ws = await t.hub.workspaces.createWorkspace('CSP Shop');
    unsubscribe = new OptOutService(t.hub.uow, t.hub.secrets, () => t.hub.config.http.publicUrl).unsubscribeUrl(ws.id, 'email', 'buyer@example.com');
    browser = await launchChromium();
    page = await browser.newPage();
    page.on('console', (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(`${page.url()}: ${m.text()}`);
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('loads the console (sign-in page) without a violation, and refuses an injected inline script', async () => {
    await page.goto(`${t.hub.url}/`);
    await page.getByTestId('signin-email').waitFor();
    expect(violations).toEqual([]);
    // Runs in the page (a string: the test itself is compiled without the DOM's types).
    const ran = await page.evaluate(`(async () => {
      const s = document.createElement('script');
      s.textContent = 'window.__injected = true';
      document.body.appendChild(s);
      await new Promise((r) => setTimeout(r, 50));
      return window.__injected === true;
    })()`);
    expect(ran).toBe(false);
    await expect.poll(() => violations.length).toBeGreaterThan(0);
    violations.length = 0;
  }, 30_000);

  it('renders the API docs (Swagger UI) without a violation', async () => {
    await page.goto(`${t.hub.url}/docs`);
    await page.locator('.swagger-ui .info .title').waitFor({ timeout: 20_000 });
    await page.locator('.opblock').first().waitFor();
    expect(await page.locator('.opblock').count()).toBeGreaterThan(20);
    expect(violations).toEqual([]);
  }, 40_000);

  it('shows the styled unsubscribe page and unsubscribes, without a violation', async () => {
    await page.goto(unsubscribe);
    await page.getByRole('button', { name: 'Unsubscribe' }).waitFor();
    expect(await page.evaluate('getComputedStyle(document.body).maxWidth')).not.toBe('none');
    await page.getByRole('button', { name: 'Unsubscribe' }).click();
    await page.getByRole('heading', { name: 'You are unsubscribed' }).waitFor();
    expect(violations).toEqual([]);
  }, 30_000);
});
