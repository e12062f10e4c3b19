// The Jobs page in a real browser: the queue's counts, a dead job listed with the reason it failed, and
// "Run again" re-driving it; the page passes the accessibility checks.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { TestHub } from '../support/hub.js';
import { startTestHub } from '../support/hub.js';
import { axeViolations, describeViolations } from '../support/axe.js';
import { launchChromium } from '../support/browser.js';


describe('Jobs page: dead jobs and re-drive', () => {
  let t: TestHub;
  let browser: Browser;
  let page: Page;
  const password = 'e2e jobs password';

  beforeAll(async () => {
    if (!fs.existsSync('console/dist/index.html')) throw new Error('the console is not built: run `npm run build:console`');
    t = await startTestHub({ name: 'sqlite', db: 'sqlite', redis: false });
    browser = await launchChromium();
    // axe-core is injected as an inline script, which the console's CSP refuses.
    page = await (await browser.newContext({ viewport: { width: 1280, height: 860 }, bypassCSP: true })).newPage();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('lists a dead job with its reason, and runs it again with the button', async () => {
    const ws = await t.hub.workspaces.createWorkspace('Jobs Shop');
    await t.hub.users.create(ws.id, { email: 'jobs@e2e.example', name: 'Jobs Admin', role: 'admin', password });
    // A job that failed for good. Run again, it finds its run superseded (a stale token) and finishes.
    const now = Date.now();
    const jobId = 'job_e2e_dead_1';
    await t.hub.storage.db
      .insertInto('jobs')
      .values({
        id: jobId,
        type: 'retention.prune',
        workspace_id: ws.id,
        payload: JSON.stringify({ token: 'stale-token' }),
        status: 'dead',
        run_at: now - 60_000,
        attempts: 8,
        max_attempts: 8,
        rate_key: null,
        locked_by: null,
        locked_until: null,
        last_error: 'gave up after 8 attempts: the store answered HTTP 503',
        created_at: now - 3_600_000,
        updated_at: now - 60_000,
      })
      .execute();

    await page.goto(`${t.hub.url}/`);
    await page.getByTestId('signin-email').fill('jobs@e2e.example');
    await page.getByTestId('signin-password').fill(password);
    await page.getByTestId('signin-submit').click();
    await page.getByTestId('nav-jobs').click();
    expect(await page.title()).toBe('Jobs · Shoptalk');

    expect(Number(await page.getByTestId('job-stat-dead').innerText())).toBeGreaterThanOrEqual(1);
    const rows = page.getByTestId('dead-job');
    await expect.poll(async () => rows.count()).toBe(1);
    expect(await rows.first().innerText()).toContain('retention.prune');
    expect(await rows.first().getByTestId('dead-job-reason').innerText()).toBe('gave up after 8 attempts: the store answered HTTP 503');
    expect(describeViolations(await axeViolations(page)), 'jobs page with a dead job').toBe('');

    await rows.first().getByRole('button', { name: `Run again: retention.prune ${jobId}` }).click();
    expect(await page.getByTestId('job-redriven').innerText()).toContain(jobId);
    // It ran and finished: no longer dead, and no longer in the table.
    await expect
      .poll(async () => {
        await page.getByTestId('jobs-refresh').click();
        return page.getByTestId('dead-jobs-empty').count();
      }, { timeout: 15_000 })
      .toBe(1);
    await expect.poll(async () => (await t.hub.storage.db.selectFrom('jobs').select('status').where('id', '=', jobId).executeTakeFirst())?.status ?? 'gone', { timeout: 15_000 }).not.toBe('dead');
    expect(describeViolations(await axeViolations(page)), 'jobs page without dead jobs').toBe('');
  }, 60_000);
});
