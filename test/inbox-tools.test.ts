// The inbox tools, on SQLite and PostgreSQL, for an EmpikPlace thread, a LINE chat and a Messenger chat: canned replies with a
// closed list of variables (unknown ones refused when saved, values filled in per ticket, never expanded twice)
// that agents search and send through the normal reply path; labels on tickets and contacts, and the lists
// filtered by them; private notes that never reach the customer, whose @mentions notify users of the workspace
// (and only of the workspace) until they read them. Admins keep the replies and labels; nothing crosses workspaces.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestHub } from './support/hub.js';
import { startTestHub } from './support/hub.js';
import { waitFor } from './support/services.js';
import { hubVariants } from './support/variants.js';
import { connectMessenger } from './support/chat.js';

const hex = (n: number) => randomBytes(n).toString('hex');

interface Label {
  id: string;
  name: string;
  colour: string;
}
interface Ticket {
  id: string;
  source: string;
  customer_external_id: string | null;
  order: { id: string; url: string | null } | null;
  labels: Label[];
  updated_at: string;
  messages?: Array<{ id: string; kind: string; body: string; status: string; author: string | null }>;
}
interface Rendered {
  id: string;
  name: string;
  body: string;
  variables: string[];
  text: string;
  missing: string[];
}
interface ErrorBody {
  error: { code: string; message: string };
}
interface Mention {
  id: string;
  ticket_id: string;
  ticket_title: string | null;
  message_id: string;
  author: string | null;
  excerpt: string;
  read_at: string | null;
}

describe.each(hubVariants('sql'))('inbox tools ($name)', (variant) => {
  let t: TestHub;
  let key = '';
  let otherKey = '';
  const password = 'inbox tools correct horse';
  const jars: Record<string, string> = {};
  const shopId = String(2000 + Math.floor(Math.random() * 7000));
  const miraklKey = hex(16);
  const channel = { channelAccessToken: `line_${hex(16)}`, channelSecret: hex(16), botUserId: `U${hex(16)}`, displayName: 'Tools LINE' };
  const ada = `ada-${hex(3)}@tools.example`;
  const ben = `ben-${hex(3)}@tools.example`;
  const cy = `cy-${hex(3)}@tools.example`;
  const zed = `zed-${hex(3)}@elsewhere.example`;
  let empik: Ticket;
  let chat: Ticket;
  let messengerTicket: Ticket;
  const psid = String(7_000_000_000_000_000 + Math.floor(Math.random() * 999_999_999));
  const fbPage = { pageId: String(1487925400000000 + Math.floor(Math.random() * 99999)), name: 'Tools Page', pageAccessToken: `EAAP${hex(12)}`, appSecret: hex(12) };
  let lineUser = '';
  let threadId = '';
  let otherTicketId = '';

  const as = async <T>(who: string, method: string, url: string, body?: unknown) => {
    const jar = jars[who]!;
    const csrf = jar.match(/shoptalk_csrf=([^;]+)/)![1]!;
    const res = await t.hub.http!.inject({ method: method as 'GET', url, headers: { cookie: jar, ...(method !== 'GET' ? { 'x-csrf-token': csrf } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, payload: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.statusCode, body: (res.body ? JSON.parse(res.body) : null) as T };
  };
  const signIn = async (email: string) => {
    const res = await t.hub.http!.inject({ method: 'POST', url: '/v1/session', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ email, password }) });
    expect(res.statusCode).toBe(200);
    jars[email] = ([] as string[]).concat(res.headers['set-cookie'] as string[]).map((c) => c.split(';')[0]).join('; ');
  };
  const ticket = async (id: string) => (await t.api<Ticket>('GET', `/v1/tickets/${id}`, key)).body;

  beforeAll(async () => {
    t = await startTestHub(variant);
    const ws = await t.hub.workspaces.createWorkspace('Tools Books');
    key = (await t.hub.workspaces.createApiKey(ws.id, 'tests')).key;
    expect((await t.api('PATCH', '/v1/workspace', key, { brand_name: 'Pod Sową' })).status).toBe(200);
    await t.hub.users.create(ws.id, { email: ada, name: 'Ada Admin', role: 'admin', password });
    await t.hub.users.create(ws.id, { email: ben, name: 'Ben Agent', role: 'agent', password });
    await t.hub.users.create(ws.id, { email: cy, name: 'Cy Agent', role: 'agent', password });
    const other = await t.hub.workspaces.createWorkspace('Elsewhere');
    otherKey = (await t.hub.workspaces.createApiKey(other.id, 'tests')).key;
    await t.hub.users.create(other.id, { email: zed, name: 'Zed Elsewhere', role: 'admin', password });
    for (const who of [ada, ben, cy, zed]) await signIn(who);

    // An EmpikPlace thread about an order.
    t.mirakl.addShop({ apiKey: miraklKey, shopId, shopName: 'Pod Sową' });
    const field = (await t.api<{ id: string }>('POST', '/v1/custom-fields', key, { name: 'Empik ID' })).body;
    const queue = (await t.api<{ id: string }>('POST', '/v1/queues', key, { name: 'EmpikPlace' })).body;
    const category = (await t.api<{ id: string }>('POST', '/v1/categories', key, { name: 'Marketplace' })).body;
    const connection = await t.api<{ id: string }>('POST', '/v1/store-connections', key, { platform: 'empikplace', name: 'EmpikPlace', api_key: miraklKey, customer_id_field_id: field.id, queue_id: queue.id, category_id: category.id });
    expect(connection.status).toBe(201);
    const order = t.mirakl.createOrder({ shopId, customer: { id: `CUST-${hex(3)}`, firstname: 'Anna', lastname: 'Nowak' } });
    threadId = t.mirakl.createThread({ orderId: order.order_id, body: 'Kiedy wyślecie moją książkę?' }).id;
    const listed = await waitFor(async () => (await t.api<{ data: Ticket[] }>('GET', '/v1/tickets?source=EmpikPlace&limit=100', key)).body.data.find((x) => x.order?.id === order.order_id) ?? null, { what: 'the EmpikPlace ticket', timeoutMs: 15_000 });
    empik = await ticket(listed.id);

    // A LINE chat handed to an agent, from a customer whose name looks like a variable.
    t.line.addChannel(channel);
    const line = (await t.api<{ id: string; webhook_url: string }>('POST', '/v1/channel-accounts', key, { channel: 'line', provider: 'line', channel_access_token: channel.channelAccessToken, channel_secret: channel.channelSecret })).body;
    t.line.addChannel({ ...channel, webhookUrl: line.webhook_url });
    lineUser = `U${hex(16)}`;
    expect((await t.api('POST', '/v1/customers', key, { name: 'Mei {{agent.name}}', identities: [{ kind: 'line', value: lineUser, channel_account_id: line.id }] })).status).toBe(201);
    await t.line.emitInbound({ userId: lineUser, botUserId: channel.botUserId, text: 'agent' });
    const chatRow = await waitFor(async () => (await t.api<{ data: Ticket[] }>('GET', '/v1/tickets?limit=100', key)).body.data.find((x) => x.customer_external_id === lineUser) ?? null, { what: 'the LINE ticket' });
    chat = await ticket(chatRow.id);

    // A Messenger chat handed to an agent.
    await connectMessenger(t, key, fbPage);
    await t.messenger.emitInbound({ pageId: fbPage.pageId, psid, text: 'agent' });
    const fbRow = await waitFor(async () => (await t.api<{ data: Ticket[] }>('GET', '/v1/tickets?source=Messenger&limit=100', key)).body.data[0] ?? null, { what: 'the Messenger ticket' });
    messengerTicket = await ticket(fbRow.id);

    // A ticket of another workspace (a chat there).
    const otherLine = { channelAccessToken: `line_${hex(16)}`, channelSecret: hex(16), botUserId: `U${hex(16)}`, displayName: 'Other LINE' };
    t.line.addChannel(otherLine);
    const ol = (await t.api<{ id: string; webhook_url: string }>('POST', '/v1/channel-accounts', otherKey, { channel: 'line', provider: 'line', channel_access_token: otherLine.channelAccessToken, channel_secret: otherLine.channelSecret })).body;
    t.line.addChannel({ ...otherLine, webhookUrl: ol.webhook_url });
    const otherUser = `U${hex(16)}`;
    await t.line.emitInbound({ userId: otherUser, botUserId: otherLine.botUserId, text: 'agent' });
    otherTicketId = (await waitFor(async () => (await t.api<{ data: Ticket[] }>('GET', '/v1/tickets?limit=100', otherKey)).body.data[0] ?? null, { what: 'the other workspace’s ticket' })).id;
  }, 90_000);
  afterAll(async () => {
    await t?.close();
  });

  describe('canned replies', () => {
    it('are kept by admins, with only the listed variables; anything else is refused by name', async () => {
      const vars = await as<{ data: Array<{ name: string }> }>(ben, 'GET', '/v1/canned-replies/variables');
      expect(vars.body.data.map((v) => v.name)).toEqual(['customer.name', 'customer.first_name', 'order.number', 'order.url', 'agent.name', 'shop.name']);

      const unknown = await as<ErrorBody>(ada, 'POST', '/v1/canned-replies', { name: 'bad', body: 'Hi {{customer.name}}, your phone is {{ customer.phone }} and {{constructor}}' });
      expect(unknown.status).toBe(400);
      expect(unknown.body.error.message).toContain('body: unknown variables {{customer.phone}}, {{constructor}};');
      const stray = await as<ErrorBody>(ada, 'POST', '/v1/canned-replies', { name: 'bad', body: 'Hi {{customer.name}, see {{order.url}}' });
      expect(stray.status).toBe(400);
      expect(stray.body.error.message).toMatch(/body: .*\{\{/);
      const html = await as<ErrorBody>(ada, 'POST', '/v1/canned-replies', { name: 'bad', body: 'Hi <b>{{customer.name}}</b>' });
      expect(html.status).toBe(400);
      expect(html.body.error.message).toMatch(/plain text/);
      const long = await as<ErrorBody>(ada, 'POST', '/v1/canned-replies', { name: 'bad', body: 'x'.repeat(5001) });
      expect(long.status).toBe(400);
      const nul = await as<ErrorBody>(ada, 'POST', '/v1/canned-replies', { name: 'bad', body: 'a\u0000b' });
      expect(nul.status).toBe(400);
      expect((await as<{ data: unknown[] }>(ada, 'GET', '/v1/canned-replies?query=bad')).body.data).toHaveLength(0);

      // Agents may not keep them.
      expect((await as(ben, 'POST', '/v1/canned-replies', { name: 'mine', body: 'Hello' })).status).toBe(403);

      const created = await as<Rendered>(ada, 'POST', '/v1/canned-replies', { name: 'order-status', body: 'Hi {{ customer.first_name }}, order {{order.number}} is on its way: {{order.url}}\n{{agent.name}}, {{shop.name}}' });
      expect(created.status).toBe(201);
      expect(created.body.variables).toEqual(['customer.first_name', 'order.number', 'order.url', 'agent.name', 'shop.name']);
      expect((await as<ErrorBody>(ada, 'POST', '/v1/canned-replies', { name: 'order-status', body: 'Again' })).status).toBe(409);
      expect((await as(ada, 'POST', '/v1/canned-replies', { name: 'Thanks', body: 'Thank you {{customer.name}} for writing to {{shop.name}} (100% of us read it).' })).status).toBe(201);
      const temp = await as<Rendered>(ada, 'POST', '/v1/canned-replies', { name: 'temporary', body: 'To remove' });
      const renamed = await as<Rendered>(ada, 'PATCH', `/v1/canned-replies/${temp.body.id}`, { name: 'temporary-2', body: 'Still {{ order.number }}' });
      expect(renamed.body).toMatchObject({ name: 'temporary-2', body: 'Still {{ order.number }}', variables: ['order.number'] });
      expect((await as<ErrorBody>(ada, 'PATCH', `/v1/canned-replies/${temp.body.id}`, { body: '{{order.total}}' })).body.error.message).toContain('{{order.total}}');
      expect((await as<ErrorBody>(ada, 'PATCH', `/v1/canned-replies/${temp.body.id}`, { name: 'Thanks' })).status).toBe(409);
      expect((await as(ben, 'DELETE', `/v1/canned-replies/${temp.body.id}`)).status).toBe(403);
      expect((await as(ada, 'DELETE', `/v1/canned-replies/${temp.body.id}`)).status).toBe(204);
      expect((await as(ada, 'DELETE', `/v1/canned-replies/${temp.body.id}`)).status).toBe(404);
    });

    it('are searched by agents, by name or text, without pattern characters leaking', async () => {
      const names = async (query: string) => (await as<{ data: Rendered[] }>(ben, 'GET', `/v1/canned-replies?query=${encodeURIComponent(query)}`)).body.data.map((c) => c.name);
      expect(await names('')).toEqual(['Thanks', 'order-status']);
      expect(await names('ORDER')).toEqual(['order-status']);
      expect(await names('thank')).toEqual(['Thanks']);
      expect(await names('on its way')).toEqual(['order-status']);
      expect(await names('100%')).toEqual(['Thanks']);
      expect(await names('%')).toEqual(['Thanks']);
      expect(await names('_')).toEqual(['order-status']);
      // Another workspace has none of them.
      expect((await t.api<{ data: unknown[] }>('GET', '/v1/canned-replies', otherKey)).body.data).toHaveLength(0);
    });

    it('are rendered for a ticket with its customer and order, and a value is never expanded again', async () => {
      const forEmpik = (await as<{ data: Rendered[] }>(ben, 'GET', `/v1/tickets/${empik.id}/canned-replies?query=order`)).body.data;
      expect(forEmpik).toHaveLength(1);
      expect(forEmpik[0]!.text).toBe(`Hi Anna, order ${empik.order!.id} is on its way: ${empik.order!.url}\nBen Agent, Pod Sową`);
      expect(forEmpik[0]!.missing).toEqual([]);
      // The chat has no linked order: those variables are empty and said to be missing.
      const forChat = (await as<{ data: Rendered[] }>(ben, 'GET', `/v1/tickets/${chat.id}/canned-replies`)).body.data;
      const status = forChat.find((c) => c.name === 'order-status')!;
      expect(status.text).toBe('Hi Mei, order  is on its way: \nBen Agent, Pod Sową');
      expect(status.missing).toEqual(['order.number', 'order.url']);
      // The customer's name holds "{{agent.name}}": it stays as written.
      expect(forChat.find((c) => c.name === 'Thanks')!.text).toBe('Thank you Mei {{agent.name}} for writing to Pod Sową (100% of us read it).');
      // With an API key there is no agent.
      expect((await t.api<{ data: Rendered[] }>('GET', `/v1/tickets/${empik.id}/canned-replies?query=order`, key)).body.data[0]!.missing).toEqual(['agent.name']);
      // Another workspace's ticket is not found.
      expect((await as(ben, 'GET', `/v1/tickets/${otherTicketId}/canned-replies`)).status).toBe(404);
      expect((await t.api('GET', `/v1/tickets/${empik.id}/canned-replies`, otherKey)).status).toBe(404);
    });

    it('are sent through the ticket’s own reply path: EmpikPlace (M12) and the LINE chat', async () => {
      const empikText = (await as<{ data: Rendered[] }>(ben, 'GET', `/v1/tickets/${empik.id}/canned-replies?query=order`)).body.data[0]!.text;
      expect((await as(ben, 'POST', `/v1/tickets/${empik.id}/messages`, { body: empikText })).status).toBe(201);
      await waitFor(() => t.mirakl.shopReplies(threadId).find((r) => r.body.startsWith('Hi Anna, order')) ?? null, { what: 'the canned reply on EmpikPlace' });
      const chatText = (await as<{ data: Rendered[] }>(ben, 'GET', `/v1/tickets/${chat.id}/canned-replies?query=thanks`)).body.data[0]!.text;
      expect((await as(ben, 'POST', `/v1/tickets/${chat.id}/messages`, { body: chatText })).status).toBe(201);
      await waitFor(() => t.line.messages(lineUser).find((m) => m.text === chatText) ?? null, { what: 'the canned reply on LINE' });
      const fbText = (await as<{ data: Rendered[] }>(ben, 'GET', `/v1/tickets/${messengerTicket.id}/canned-replies?query=thanks`)).body.data[0]!.text;
      expect(fbText).toBe('Thank you  for writing to Pod Sową (100% of us read it).');
      expect((await as(ben, 'POST', `/v1/tickets/${messengerTicket.id}/messages`, { body: fbText })).status).toBe(201);
      await waitFor(() => t.messenger.messages(psid).find((m) => m.renderedText === fbText) ?? null, { what: 'the canned reply on Messenger' });
      const sent = await waitFor(async () => {
        const v = await ticket(empik.id);
        return v.messages!.find((m) => m.body.startsWith('Hi Anna') && m.status === 'sent') ?? null;
      }, { what: 'the EmpikPlace reply sent' });
      expect(sent.kind).toBe('agent');
      expect(t.mirakl.shopReplies(threadId).filter((r) => r.body.startsWith('Hi Anna, order'))).toHaveLength(1);
    });
  });

  describe('labels', () => {
    let vip: Label;
    let late: Label;

    it('are a workspace set that admins keep', async () => {
      expect((await as(ben, 'POST', '/v1/labels', { name: 'VIP', colour: '#aa00ff' })).status).toBe(403);
      const bad = await as<ErrorBody>(ada, 'POST', '/v1/labels', { name: 'VIP', colour: 'purple' });
      expect(bad.status).toBe(400);
      expect(bad.body.error.message).toContain('colour');
      expect((await as<ErrorBody>(ada, 'POST', '/v1/labels', { name: '  ', colour: '#aa00ff' })).body.error.message).toContain('name');
      vip = (await as<Label>(ada, 'POST', '/v1/labels', { name: 'VIP', colour: '#AA00FF' })).body;
      expect(vip).toMatchObject({ name: 'VIP', colour: '#aa00ff' });
      late = (await as<Label>(ada, 'POST', '/v1/labels', { name: 'Late delivery', colour: '#ff8800' })).body;
      expect((await as(ada, 'POST', '/v1/labels', { name: 'VIP', colour: '#000000' })).status).toBe(409);
      expect((await as<Label>(ada, 'PATCH', `/v1/labels/${late.id}`, { colour: '#ff0000' })).body.colour).toBe('#ff0000');
      expect((await as<{ data: Label[] }>(ben, 'GET', '/v1/labels')).body.data.map((l) => l.name)).toEqual(['Late delivery', 'VIP']);
      expect((await t.api<{ data: Label[] }>('GET', '/v1/labels', otherKey)).body.data).toHaveLength(0);
    });

    it('go on and off tickets of every source, and filter the ticket list', async () => {
      const on = await as<{ data: Label[] }>(ben, 'PUT', `/v1/tickets/${empik.id}/labels/${vip.id}`);
      expect(on.status).toBe(200);
      expect(on.body.data.map((l) => l.name)).toEqual(['VIP']);
      // Twice is once.
      expect((await as<{ data: Label[] }>(ben, 'PUT', `/v1/tickets/${empik.id}/labels/${vip.id}`)).body.data).toHaveLength(1);
      await as(ben, 'PUT', `/v1/tickets/${empik.id}/labels/${late.id}`);
      const changedAt = (await ticket(chat.id)).updated_at;
      await new Promise((r) => setTimeout(r, 5));
      await as(ben, 'PUT', `/v1/tickets/${chat.id}/labels/${late.id}`);
      // Labelling changes the ticket: open inboxes hear of it on the live stream.
      expect(Date.parse((await ticket(chat.id)).updated_at)).toBeGreaterThan(Date.parse(changedAt));
      await as(ben, 'PUT', `/v1/tickets/${messengerTicket.id}/labels/${vip.id}`);
      expect((await ticket(empik.id)).labels.map((l) => l.name)).toEqual(['Late delivery', 'VIP']);
      const ids = async (label: string) => (await as<{ data: Ticket[] }>(ben, 'GET', `/v1/tickets?limit=100&label_id=${label}`)).body.data.map((x) => x.id).sort();
      expect(await ids(vip.id)).toEqual([empik.id, messengerTicket.id].sort());
      expect(await ids(late.id)).toEqual([chat.id, empik.id].sort());
      // Rows of the list carry their labels.
      const rows = (await as<{ data: Ticket[] }>(ben, 'GET', `/v1/tickets?limit=100&label_id=${late.id}&source=LINE`)).body.data;
      expect(rows.map((r) => r.id)).toEqual([chat.id]);
      expect(rows[0]!.labels.map((l) => l.name)).toEqual(['Late delivery']);
      const off = await as<{ data: Label[] }>(ben, 'DELETE', `/v1/tickets/${empik.id}/labels/${late.id}`);
      expect(off.body.data.map((l) => l.name)).toEqual(['VIP']);
      expect(await ids(late.id)).toEqual([chat.id]);
      // An unknown label is named, not an empty list; another workspace's label and ticket are not found.
      const unknown = await as<ErrorBody>(ben, 'GET', '/v1/tickets?label_id=lb_nope');
      expect(unknown.status).toBe(400);
      expect(unknown.body.error.message).toContain('label_id');
      const theirs = (await t.api<Label>('POST', '/v1/labels', otherKey, { name: 'Theirs', colour: '#123456' })).body;
      expect((await as(ben, 'PUT', `/v1/tickets/${empik.id}/labels/${theirs.id}`)).status).toBe(404);
      expect((await t.api('PUT', `/v1/tickets/${empik.id}/labels/${theirs.id}`, otherKey)).status).toBe(404);
      expect((await as(ben, 'PUT', `/v1/tickets/${otherTicketId}/labels/${vip.id}`)).status).toBe(404);
      expect((await t.api('GET', `/v1/tickets?label_id=${vip.id}`, otherKey)).status).toBe(400);
    });

    it('go on contacts, filter the contacts list, and leave everything when removed', async () => {
      const anna = (await t.api<{ id: string }>('POST', '/v1/contacts', key, { name: 'Anna Label' })).body;
      const jan = (await t.api<{ id: string }>('POST', '/v1/contacts', key, { name: 'Jan Label' })).body;
      const put = await as<{ data: Label[] }>(ben, 'PUT', `/v1/contacts/${anna.id}/labels/${vip.id}`);
      expect(put.body.data.map((l) => l.name)).toEqual(['VIP']);
      const contact = (await as<{ labels: Label[] }>(ben, 'GET', `/v1/contacts/${anna.id}`)).body;
      expect(contact.labels.map((l) => l.id)).toEqual([vip.id]);
      const listed = (await as<{ data: Array<{ id: string; labels: Label[] }> }>(ben, 'GET', `/v1/contacts?label_id=${vip.id}`)).body.data;
      expect(listed.map((c) => c.id)).toEqual([anna.id]);
      expect((await as<{ data: Array<{ id: string }> }>(ben, 'GET', '/v1/contacts?limit=200')).body.data.map((c) => c.id)).toContain(jan.id);
      expect((await as<ErrorBody>(ben, 'GET', '/v1/contacts?label_id=lb_nope')).status).toBe(400);
      expect((await as(ben, 'DELETE', `/v1/contacts/${anna.id}/labels/${vip.id}`)).status).toBe(200);
      expect((await as<{ data: unknown[] }>(ben, 'GET', `/v1/contacts?label_id=${vip.id}`)).body.data).toHaveLength(0);
      await as(ben, 'PUT', `/v1/contacts/${jan.id}/labels/${vip.id}`);

      // Removing a label takes it off tickets and contacts at once.
      expect((await as(ben, 'DELETE', `/v1/labels/${vip.id}`)).status).toBe(403);
      expect((await as(ada, 'DELETE', `/v1/labels/${vip.id}`)).status).toBe(204);
      expect((await ticket(empik.id)).labels).toEqual([]);
      expect((await as<{ labels: Label[] }>(ben, 'GET', `/v1/contacts/${jan.id}`)).body.labels).toEqual([]);
      expect((await as(ada, 'DELETE', `/v1/labels/${vip.id}`)).status).toBe(404);
    });
  });

  describe('private notes and mentions', () => {
    it('notify the users they mention, are never sent, and show as notes on the ticket', async () => {
      const repliesBefore = t.mirakl.shopReplies(threadId).length;
      const lineBefore = t.line.messages(lineUser).length;
      const fbBefore = t.messenger.messages(psid).length;
      expect((await as(cy, 'POST', `/v1/tickets/${messengerTicket.id}/notes`, { body: 'Only for us: refund approved' })).status).toBe(201);
      const note = await as<{ message: { id: string; kind: string; status: string; author: string }; mentioned: Array<{ email: string }> }>(ada, 'POST', `/v1/tickets/${empik.id}/notes`, { body: `@${ben} can you check the parcel? cc @${cy.toUpperCase()}.` });
      expect(note.status).toBe(201);
      expect(note.body.message).toMatchObject({ kind: 'internal', status: 'internal', author: 'Ada Admin' });
      expect(note.body.mentioned.map((u) => u.email)).toEqual([ben, cy]);
      // And one on the chat through the messages route, as internal.
      expect((await as(ada, 'POST', `/v1/tickets/${chat.id}/messages`, { body: `Private: @${ben} this one is yours`, internal: true })).status).toBe(201);

      const bens = await as<{ data: Mention[]; unread: number }>(ben, 'GET', '/v1/mentions');
      expect(bens.body.unread).toBe(2);
      expect(bens.body.data.map((m) => m.ticket_id)).toEqual([chat.id, empik.id]);
      expect(bens.body.data[1]).toMatchObject({ message_id: note.body.message.id, author: 'Ada Admin', read_at: null, ticket_title: expect.any(String) });
      expect(bens.body.data[1]!.excerpt).toContain('can you check the parcel?');
      expect((await as<{ unread: number }>(cy, 'GET', '/v1/mentions')).body.unread).toBe(1);
      // The author is not notified; neither is anyone not mentioned.
      expect((await as<{ data: Mention[] }>(ada, 'GET', '/v1/mentions')).body.data).toHaveLength(0);

      // Shown as notes in the timeline.
      const messages = (await ticket(empik.id)).messages!;
      expect(messages.find((m) => m.id === note.body.message.id)).toMatchObject({ kind: 'internal' });
      // Nothing reached the customer, on either source, and the list's preview does not show notes.
      await new Promise((r) => setTimeout(r, 1500));
      expect(t.mirakl.shopReplies(threadId).length).toBe(repliesBefore);
      expect(t.mirakl.shopReplies(threadId).some((r) => r.body.includes('parcel'))).toBe(false);
      expect(t.line.messages(lineUser).length).toBe(lineBefore);
      expect(t.messenger.messages(psid).length).toBe(fbBefore);
      // The chat's own transcript (what the customer's conversation holds) has no note either.
      const conversationId = (await t.api<{ conversation_id: string }>('GET', `/v1/tickets/${chat.id}`, key)).body.conversation_id;
      const transcript = await t.api<Record<string, unknown>>('GET', `/v1/conversations/${conversationId}`, key);
      expect(transcript.status).toBe(200);
      expect(JSON.stringify(transcript.body)).not.toContain('this one is yours');
      expect(JSON.stringify(transcript.body)).toContain('agent');
      const row = (await as<{ data: Array<Ticket & { last_message: { kind: string } | null }> }>(ben, 'GET', '/v1/tickets?limit=100')).body.data.find((r) => r.id === empik.id)!;
      expect(row.last_message?.kind).not.toBe('internal');
    });

    it('refuse users outside the workspace, naming them, and write nothing', async () => {
      const before = (await ticket(empik.id)).messages!.length;
      const outside = await as<ErrorBody>(ada, 'POST', `/v1/tickets/${empik.id}/notes`, { body: `@${ben} and @${zed} please look` });
      expect(outside.status).toBe(400);
      expect(outside.body.error.message).toContain(zed);
      expect(outside.body.error.message).not.toContain(ben);
      const nobody = await as<ErrorBody>(ada, 'POST', `/v1/tickets/${empik.id}/messages`, { body: 'see @nobody@tools.example', internal: true });
      expect(nobody.status).toBe(400);
      expect(nobody.body.error.message).toContain('nobody@tools.example');
      expect((await ticket(empik.id)).messages!.length).toBe(before);
      expect((await as<{ unread: number }>(ben, 'GET', '/v1/mentions')).body.unread).toBe(2);
      // An e-mail address written without "@" in front is text, not a mention.
      expect((await as(ada, 'POST', `/v1/tickets/${empik.id}/notes`, { body: `the buyer wrote from ${zed}` })).status).toBe(201);
      // Other workspaces' tickets are not found.
      expect((await as(zed, 'POST', `/v1/tickets/${empik.id}/notes`, { body: 'hello' })).status).toBe(404);
      expect((await as<ErrorBody>(ada, 'POST', `/v1/tickets/${empik.id}/notes`, { body: '   ' })).status).toBe(400);
    });

    it('are read once opened, by their own user only', async () => {
      const list = (await as<{ data: Mention[] }>(ben, 'GET', '/v1/mentions?unread=true')).body.data;
      expect(list).toHaveLength(2);
      const onChat = list.find((m) => m.ticket_id === chat.id)!;
      expect((await as(cy, 'POST', `/v1/mentions/${onChat.id}/read`)).status).toBe(404);
      expect((await as(zed, 'POST', `/v1/mentions/${onChat.id}/read`)).status).toBe(404);
      expect((await as(ben, 'POST', `/v1/mentions/${onChat.id}/read`)).status).toBe(204);
      const after = await as<{ data: Mention[]; unread: number }>(ben, 'GET', '/v1/mentions');
      expect(after.body.unread).toBe(1);
      expect(after.body.data.find((m) => m.id === onChat.id)!.read_at).not.toBeNull();
      expect((await as<{ data: Mention[] }>(ben, 'GET', '/v1/mentions?unread=true')).body.data.map((m) => m.ticket_id)).toEqual([empik.id]);
      // Opening the ticket reads its mentions.
      expect((await as<{ marked: number }>(ben, 'POST', `/v1/tickets/${empik.id}/mentions/read`)).body.marked).toBe(1);
      expect((await as<{ unread: number }>(ben, 'GET', '/v1/mentions')).body.unread).toBe(0);
      expect((await as<{ unread: number }>(cy, 'GET', '/v1/mentions')).body.unread).toBe(1);
      // Agents see whom they can mention: the users of their workspace only.
      const mentionable = (await as<{ data: Array<{ email: string; name: string | null }> }>(ben, 'GET', '/v1/mentions/users')).body.data.map((u) => u.email).sort();
      expect(mentionable).toEqual([ada, ben, cy].sort());
      // Mentions belong to a signed-in user.
      const byKey = await t.api<ErrorBody>('GET', '/v1/mentions', key);
      expect(byKey.status).toBe(400);
      expect(byKey.body.error.message).toMatch(/signed-in user/);
    });
  });
});
