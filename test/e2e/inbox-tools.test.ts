// The inbox tools in Chromium: an admin adds a canned reply and a label in Inbox settings; an agent types "/" in
// the reply box, picks the reply with the keyboard (Escape closes the list, Enter inserts it rendered for the
// ticket's customer) and sends it to the customer on LINE; labels the ticket and filters the inbox by the label
// (and a contact, and the contacts list);
// writes a private note mentioning a colleague with "@", who sees the mention in the top bar and opens it.
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

describe('the inbox tools in Chromium', () => {
  let t: TestHub;
  let browser: Browser;
  let key = '';
  const password = 'e2e tools correct horse';
  const lineUser = `U${hex(16)}`;
  const otherUser = `U${hex(16)}`;
  let ticketId = '';
  let otherTicketId = '';

  const signIn = async (email: string): Promise<Page> => {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true })).newPage();
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
    const ws = await t.hub.workspaces.createWorkspace('Tools Tea');
    key = (await t.hub.workspaces.createApiKey(ws.id, 'e2e')).key;
    await t.api('PATCH', '/v1/workspace', key, { brand_name: 'Tea House' });
    await t.hub.users.create(ws.id, { email: 'ada@tools.example', name: 'Ada Admin', role: 'admin', password });
    await t.hub.users.create(ws.id, { email: 'ben@tools.example', name: 'Ben Agent', role: 'agent', password });
    await t.hub.users.create(ws.id, { email: 'cy@tools.example', name: 'Cy Agent', role: 'agent', password });
    const channel = { channelAccessToken: `line_${hex(16)}`, channelSecret: hex(16), botUserId: `U${hex(16)}`, displayName: 'Tools LINE' };
    t.line.addChannel(channel);
    const line = (await t.api<{ id: string; webhook_url: string }>('POST', '/v1/channel-accounts', key, { channel: 'line', provider: 'line', channel_access_token: channel.channelAccessToken, channel_secret: channel.channelSecret })).body;
    t.line.addChannel({ ...channel, webhookUrl: line.webhook_url });
    await t.api('POST', '/v1/customers', key, { name: 'Lin Mei', identities: [{ kind: 'line', value: lineUser, channel_account_id: line.id }] });
    await t.api('POST', '/v1/customers', key, { name: 'Wang Wei', identities: [{ kind: 'line', value: otherUser, channel_account_id: line.id }] });
    await t.api('POST', '/v1/contacts', key, { name: 'Anna Contact', email: 'anna@tools.example' });
    await t.api('POST', '/v1/contacts', key, { name: 'Jan Contact', email: 'jan@tools.example' });
    await t.line.emitInbound({ userId: lineUser, botUserId: channel.botUserId, text: 'agent' });
    await t.line.emitInbound({ userId: otherUser, botUserId: channel.botUserId, text: 'agent' });
    const rows = await waitFor(async () => {
      const data = (await t.api<{ data: Array<{ id: string; customer_external_id: string }> }>('GET', '/v1/tickets?source=LINE', key)).body.data;
      return data.length >= 2 ? data : null;
    }, { what: 'the two chat tickets' });
    ticketId = rows.find((r) => r.customer_external_id === lineUser)!.id;
    otherTicketId = rows.find((r) => r.customer_external_id === otherUser)!.id;
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('lets an admin add a canned reply and a label, refusing an unknown variable', async () => {
    const page = await signIn('ada@tools.example');
    await page.getByTestId('nav-inbox-settings').click();
    await page.getByTestId('canned-name').fill('thanks');
    await page.getByTestId('canned-body').fill('Hi {{customer.phone}}');
    await page.getByTestId('canned-save').click();
    await expect.poll(async () => page.locator('main').innerText(), { timeout: 10_000 }).toContain('{{customer.phone}}');
    expect(await page.getByTestId('canned-item').count()).toBe(0);
    await page.getByTestId('canned-body').fill('Thank you {{customer.first_name}}, your tea is on its way. {{agent.name}}, {{shop.name}}');
    await page.getByTestId('canned-save').click();
    await page.getByTestId('canned-item').first().waitFor();
    await page.getByTestId('label-name').fill('VIP');
    await page.getByTestId('label-save').click();
    await page.getByTestId('label-item').first().waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'inbox-settings.png'), fullPage: true });
    expect(describeViolations(await axeViolations(page)), 'inbox settings').toBe('');
  }, 60_000);

  it('lets an agent insert a canned reply with "/" and the keyboard, and send it', async () => {
    const page = await signIn('ben@tools.example');
    expect(await page.getByTestId('nav-inbox-settings').count()).toBe(0);
    await page.goto(`${t.hub.url}/inbox/${ticketId}`);
    const box = page.getByTestId('reply-body');
    await box.click();
    await box.pressSequentially('/tha');
    const list = page.getByTestId('canned-list');
    await list.waitFor();
    await expect.poll(async () => list.innerText(), { timeout: 10_000 }).toContain('Thank you Lin, your tea is on its way. Ben Agent, Tea House');
    await page.screenshot({ path: path.join(SHOTS, 'canned-list.png'), fullPage: true });
    expect(describeViolations(await axeViolations(page)), 'the canned reply list').toBe('');
    // Escape closes the list and leaves the text as typed.
    await box.press('Escape');
    await list.waitFor({ state: 'detached' });
    expect(await box.inputValue()).toBe('/tha');
    // "/" again, the arrows, and Enter inserts the reply rendered for this customer.
    await box.fill('');
    await box.pressSequentially('/');
    await list.waitFor();
    await expect.poll(async () => page.getByTestId('composer-option').count(), { timeout: 10_000 }).toBe(1);
    await box.press('ArrowDown');
    await box.press('ArrowUp');
    expect(await page.getByTestId('composer-option').first().getAttribute('aria-selected')).toBe('true');
    await box.press('Enter');
    await list.waitFor({ state: 'detached' });
    expect(await box.inputValue()).toBe('Thank you Lin, your tea is on its way. Ben Agent, Tea House');
    await page.getByTestId('reply-send').click();
    await waitFor(() => t.line.messages(lineUser).find((m) => m.text === 'Thank you Lin, your tea is on its way. Ben Agent, Tea House') ?? null, { what: 'the canned reply on LINE' });
    await expect.poll(async () => (await page.getByTestId('ticket-message').allInnerTexts()).join('\n'), { timeout: 10_000 }).toContain('your tea is on its way');
  }, 60_000);

  it('lets an agent label the ticket and filter the inbox by the label', async () => {
    const page = await signIn('ben@tools.example');
    await page.goto(`${t.hub.url}/inbox/${ticketId}`);
    const labels = page.getByTestId('ticket-labels');
    await labels.getByTestId('label-add').selectOption({ label: 'VIP' });
    await labels.getByTestId('label-chip').filter({ hasText: 'VIP' }).waitFor();
    await expect.poll(async () => (await t.api<{ labels: Array<{ name: string }> }>('GET', `/v1/tickets/${ticketId}`, key)).body.labels.map((l) => l.name), { timeout: 10_000 }).toEqual(['VIP']);
    await expect.poll(async () => page.getByTestId('ticket-row').count(), { timeout: 10_000 }).toBe(2);
    await page.getByTestId('filter-label').selectOption({ label: 'VIP' });
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect.poll(async () => page.getByTestId('ticket-row').count(), { timeout: 10_000 }).toBe(1);
    expect(page.url()).toContain('label_id=');
    expect(await page.getByTestId('ticket-row').first().getAttribute('href')).toContain(ticketId);
    expect(await page.getByTestId('ticket-row').first().innerText()).toContain('VIP');
    expect(await page.locator(`a[href*="${otherTicketId}"]`).count()).toBe(0);
    await page.screenshot({ path: path.join(SHOTS, 'inbox-label-filter.png'), fullPage: true });
    expect(describeViolations(await axeViolations(page)), 'labelled ticket and filtered inbox').toBe('');

    // Contacts: label one, and filter the list by the label.
    await page.getByTestId('nav-contacts').click();
    await expect.poll(async () => page.getByTestId('contact-row').count(), { timeout: 10_000 }).toBe(2);
    const anna = page.getByTestId('contact-row').filter({ hasText: 'Anna Contact' });
    await anna.getByTestId('label-add').selectOption({ label: 'VIP' });
    await anna.getByTestId('label-chip').filter({ hasText: 'VIP' }).waitFor();
    await page.getByTestId('filter-label').selectOption({ label: 'VIP' });
    await page.getByTestId('contacts-filter').click();
    await expect.poll(async () => page.getByTestId('contact-row').count(), { timeout: 10_000 }).toBe(1);
    expect(await page.getByTestId('contact-row').first().innerText()).toContain('Anna Contact');
    expect(describeViolations(await axeViolations(page)), 'contacts filtered by label').toBe('');
  }, 60_000);

  it('lets an agent mention a colleague in a private note; the colleague sees it and opens it', async () => {
    const page = await signIn('ben@tools.example');
    await page.goto(`${t.hub.url}/inbox/${ticketId}`);
    const before = t.line.messages(lineUser).length;
    await page.getByTestId('reply-internal').check();
    const box = page.getByTestId('reply-body');
    await box.click();
    await box.pressSequentially('Please call her back @cy');
    const people = page.getByTestId('mention-list');
    await people.waitFor();
    await expect.poll(async () => people.innerText(), { timeout: 10_000 }).toContain('Cy Agent');
    await box.press('Enter');
    await people.waitFor({ state: 'detached' });
    await box.pressSequentially('today.');
    expect(await box.inputValue()).toBe('Please call her back @cy@tools.example today.');
    await page.getByTestId('reply-send').click();
    const note = page.getByTestId('ticket-message').filter({ hasText: 'Please call her back' });
    await note.waitFor();
    expect(await note.innerText()).toContain('Private note');
    expect(await note.getAttribute('class')).toContain('msg-internal');
    // Never sent to the customer.
    await new Promise((r) => setTimeout(r, 1000));
    expect(t.line.messages(lineUser).length).toBe(before);

    const cy = await signIn('cy@tools.example');
    await expect.poll(async () => cy.getByTestId('mentions-unread').innerText().catch(() => ''), { timeout: 20_000 }).toContain('1');
    await cy.getByTestId('nav-mentions').click();
    const row = cy.getByTestId('mention-row').first();
    await row.waitFor();
    expect(await row.getAttribute('data-unread')).toBe('true');
    expect(await row.innerText()).toContain('Ben Agent');
    expect(await row.innerText()).toContain('Please call her back @cy@tools.example today.');
    await cy.screenshot({ path: path.join(SHOTS, 'mentions.png'), fullPage: true });
    expect(describeViolations(await axeViolations(cy)), 'mentions').toBe('');
    await row.click();
    await cy.waitForURL(`**/inbox/${ticketId}`);
    await cy.getByTestId('ticket-message').filter({ hasText: 'Please call her back' }).waitFor();
    await expect.poll(async () => cy.getByTestId('mentions-unread').count(), { timeout: 20_000 }).toBe(0);
    const mentions = await t.hub.http!.inject({ method: 'GET', url: '/v1/mentions', headers: { cookie: (await cy.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ') } });
    expect(JSON.parse(mentions.body)).toMatchObject({ unread: 0 });
  }, 90_000);
});
