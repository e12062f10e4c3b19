// The inbox list says what each ticket is: the customer by name, the newest message and its time, whether it is
// new to the signed-in user (until they open it), who handles it by name, and a subject in the customer's words.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestHub } from './support/hub.js';
import { startTestHub } from './support/hub.js';
import { waitFor } from './support/services.js';
import { hubVariants } from './support/variants.js';

const hex = (n: number) => randomBytes(n).toString('hex');
const variants = hubVariants('sql');

interface Row {
  id: string;
  subject: string | null;
  title: string;
  customer_name: string | null;
  customer_external_id: string | null;
  assignee: string | null;
  assignee_name: string | null;
  unread: boolean | null;
  last_message: { kind: string; body: string; created_at: string } | null;
}

describe.each(variants)('the inbox list ($name)', (variant) => {
  let t: TestHub;
  let key = '';
  const password = 'inbox correct horse battery';
  const channel = { channelAccessToken: `line_${hex(16)}`, channelSecret: hex(16), botUserId: `U${hex(16)}`, displayName: 'Inbox LINE' };
  let lineId = '';
  const jars: Record<string, string> = {};

  const inject = async <T>(method: string, url: string, who: string, body?: unknown) => {
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
  const rowOf = async (who: string, user: string) => (await inject<{ data: Row[] }>('GET', '/v1/tickets?limit=100', who)).body.data.find((r) => r.customer_external_id === user) ?? null;

  beforeAll(async () => {
    t = await startTestHub(variant);
    const ws = await t.hub.workspaces.createWorkspace('Inbox Tea');
    key = (await t.hub.workspaces.createApiKey(ws.id, 'tests')).key;
    await t.hub.users.create(ws.id, { email: 'ada@inbox.example', name: 'Ada Admin', role: 'admin', password });
    await t.hub.users.create(ws.id, { email: 'ben@inbox.example', name: 'Ben Agent', role: 'agent', password });
    await signIn('ada@inbox.example');
    await signIn('ben@inbox.example');
    t.line.addChannel(channel);
    const line = (await t.api<{ id: string; webhook_url: string }>('POST', '/v1/channel-accounts', key, { channel: 'line', provider: 'line', channel_access_token: channel.channelAccessToken, channel_secret: channel.channelSecret })).body;
    lineId = line.id;
    t.line.addChannel({ ...channel, webhookUrl: line.webhook_url });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  it('names the customer, shows the newest message, and takes the subject from the customer’s question', async () => {
    const user = `U${hex(16)}`;
    expect((await t.api('POST', '/v1/customers', key, { name: 'Lin Mei', identities: [{ kind: 'line', value: user, channel_account_id: lineId }] })).status).toBe(201);
    await t.line.emitInbound({ userId: user, botUserId: channel.botUserId, text: 'agent' });
    const first = await waitFor(() => rowOf('ada@inbox.example', user), { what: 'the hand-over ticket' });
    expect(first.customer_name).toBe('Lin Mei');
    // "agent" is not a subject; until the customer says more, the ticket says why it is there.
    expect(first.subject).toBeNull();
    expect(first.title).toBe('The customer asked for an agent');
    await t.line.emitInbound({ userId: user, botUserId: channel.botUserId, text: 'Where is my order #1001? It was due yesterday.' });
    await waitFor(async () => {
      const r = await rowOf('ada@inbox.example', user);
      return r?.last_message?.body.includes('#1001') ? r : null;
    }, { what: 'the second message' });
    // Read again: the list reads tickets and their newest messages in two queries, so a read that raced the commit
    // can see the message without the subject it set.
    const named = (await rowOf('ada@inbox.example', user))!;
    expect(named.subject).toBe('Where is my order #1001? It was due yesterday.');
    expect(named.title).toBe(named.subject);
    expect(named.last_message).toMatchObject({ kind: 'customer', body: 'Where is my order #1001? It was due yesterday.' });
    expect(Number.isNaN(Date.parse(named.last_message!.created_at))).toBe(false);
    // A later message does not rename the ticket.
    await t.line.emitInbound({ userId: user, botUserId: channel.botUserId, text: 'Hello?' });
    const later = await waitFor(async () => {
      const r = await rowOf('ada@inbox.example', user);
      return r?.last_message?.body === 'Hello?' ? r : null;
    }, { what: 'the third message' });
    expect(later.subject).toBe(named.subject);
  });

  it('is unread for each user until they open it, and again after a new customer message', async () => {
    const user = `U${hex(16)}`;
    await t.line.emitInbound({ userId: user, botUserId: channel.botUserId, text: 'agent' });
    const row = await waitFor(() => rowOf('ada@inbox.example', user), { what: 'the ticket' });
    expect(row.unread).toBe(true);
    expect((await rowOf('ben@inbox.example', user))!.unread).toBe(true);
    expect((await inject('POST', `/v1/tickets/${row.id}/read`, 'ada@inbox.example')).status).toBe(204);
    expect((await rowOf('ada@inbox.example', user))!.unread).toBe(false);
    expect((await rowOf('ben@inbox.example', user))!.unread).toBe(true);
    expect((await inject<{ unread: boolean }>('GET', `/v1/tickets/${row.id}`, 'ada@inbox.example')).body.unread).toBe(false);
    // An agent's reply does not make it unread; the customer's next message does.
    expect((await inject('POST', `/v1/tickets/${row.id}/messages`, 'ada@inbox.example', { body: 'Hi, how can I help?' })).status).toBe(201);
    expect((await rowOf('ada@inbox.example', user))!.unread).toBe(false);
    await t.line.emitInbound({ userId: user, botUserId: channel.botUserId, text: 'My parcel is late' });
    await waitFor(async () => ((await rowOf('ada@inbox.example', user))?.unread ? true : null), { what: 'unread after the customer’s message' });
    // Marked unread again by hand.
    expect((await inject('POST', `/v1/tickets/${row.id}/read`, 'ada@inbox.example')).status).toBe(204);
    expect((await inject('DELETE', `/v1/tickets/${row.id}/read`, 'ada@inbox.example')).status).toBe(204);
    expect((await rowOf('ada@inbox.example', user))!.unread).toBe(true);
    // An API key has no read marks.
    const byKey = (await t.api<{ data: Row[] }>('GET', '/v1/tickets?limit=100', key)).body.data.find((r) => r.id === row.id)!;
    expect(byKey.unread).toBeNull();
    const noUser = await t.api<{ error: { message: string } }>('POST', `/v1/tickets/${row.id}/read`, key);
    expect(noUser.status).toBe(400);
    expect(noUser.body.error.message).toMatch(/signed-in user/);
    expect((await inject('POST', '/v1/tickets/tk_missing/read', 'ada@inbox.example')).status).toBe(404);
  });

  it('assigns to the signed-in user and shows the assignee by name', async () => {
    const user = `U${hex(16)}`;
    await t.line.emitInbound({ userId: user, botUserId: channel.botUserId, text: 'agent' });
    const row = await waitFor(() => rowOf('ben@inbox.example', user), { what: 'the ticket' });
    expect(row.assignee).toBeNull();
    const assigned = await inject<Row>('PATCH', `/v1/tickets/${row.id}`, 'ben@inbox.example', { assignee: 'me' });
    expect(assigned.status).toBe(200);
    expect(assigned.body).toMatchObject({ assignee: 'ben@inbox.example', assignee_name: 'Ben Agent' });
    expect((await rowOf('ada@inbox.example', user))!.assignee_name).toBe('Ben Agent');
    const mine = await inject<{ data: Row[] }>('GET', '/v1/tickets?assignee=me&limit=100', 'ben@inbox.example');
    expect(mine.body.data.map((r) => r.id)).toContain(row.id);
    expect((await inject<{ data: Row[] }>('GET', '/v1/tickets?assignee=me&limit=100', 'ada@inbox.example')).body.data.map((r) => r.id)).not.toContain(row.id);
    const byKey = await t.api<{ error: { message: string } }>('PATCH', `/v1/tickets/${row.id}`, key, { assignee: 'me' });
    expect(byKey.status).toBe(400);
    // An integration may name someone who is not a user: shown as written.
    expect((await t.api<Row>('PATCH', `/v1/tickets/${row.id}`, key, { assignee: 'Night shift' })).body.assignee_name).toBe('Night shift');
  });
});
