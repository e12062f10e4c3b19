// The support team and assignment, on SQLite and PostgreSQL: invitations (a one-time link that expires),
// deactivation (sessions end at once, sign-in refused, tickets handed on; the last admin stays), automatic
// assignment per queue (round-robin and least-open among online members, within their capacity; tickets wait
// when nobody has room and go out when someone comes online or frees a place), reassignment when an agent goes
// offline, collision notice (who else has a ticket open, on the inbox stream and by heartbeat, with expiry), and
// chat tickets linked to one of their customer's orders (and only theirs), shown on the order's timeline.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestHub } from './support/hub.js';
import { setUpMerchant, startTestHub } from './support/hub.js';
import { waitFor } from './support/services.js';
import { hubVariants } from './support/variants.js';

const hex = (n: number) => randomBytes(n).toString('hex');
const DAY = 24 * 3600_000;
let offset = 0;
// Many users sign in here: the per-address sign-in limit is raised for this file.
const variants = hubVariants('sql', { clock: () => Date.now() + offset, env: { SHOPTALK_SIGNIN_PER_IP_PER_MINUTE: '1000', SHOPTALK_SIGNIN_PER_MINUTE: '1000' } });

interface Row {
  id: string;
  assignee: string | null;
  status: string;
  customer_external_id: string | null;
  queue_id: string | null;
}
interface Member {
  id: string;
  email: string;
  role: string;
  availability: string;
  capacity: number | null;
  queue_ids: string[];
  active: boolean;
}
type Res<T> = { status: number; body: T };
type ErrorRes = { error: { code: string; message: string; details: { reason?: string; fields?: Array<{ field: string }> } | null } };

describe.each(variants)('the support team and assignment ($name)', (variant) => {
  let t: TestHub;
  const password = 'team correct horse battery';
  const jars: Record<string, string> = {};

  const inject = async <T>(method: string, url: string, who: string | null, body?: unknown): Promise<Res<T>> => {
    const jar = who ? jars[who]! : '';
    const csrf = jar.match(/shoptalk_csrf=([^;]+)/)?.[1] ?? '';
    const res = await t.hub.http!.inject({
      method: method as 'GET',
      url,
      headers: { ...(jar ? { cookie: jar } : {}), ...(method !== 'GET' && csrf ? { 'x-csrf-token': csrf } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      payload: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.statusCode, body: (res.body ? JSON.parse(res.body) : null) as T };
  };
  const signIn = async (email: string, pw = password) => {
    const res = await t.hub.http!.inject({ method: 'POST', url: '/v1/session', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ email, password: pw }) });
    if (res.statusCode === 200) jars[email] = ([] as string[]).concat(res.headers['set-cookie'] as string[]).map((c) => c.split(';')[0]).join('; ');
    return { status: res.statusCode, body: JSON.parse(res.body) as ErrorRes };
  };

  /** A workspace with an admin, agents, a LINE channel and a first queue (where handed-over chats land). */
  const team = async (agents: string[]) => {
    const tag = hex(4);
    const ws = await t.hub.workspaces.createWorkspace(`Team ${tag}`);
    const key = (await t.hub.workspaces.createApiKey(ws.id, 'tests')).key;
    const admin = `admin-${tag}@team.example`;
    await t.hub.users.create(ws.id, { email: admin, name: `Admin ${tag}`, role: 'admin', password });
    await signIn(admin);
    const emails: Record<string, string> = {};
    for (const a of agents) {
      emails[a] = `${a.toLowerCase()}-${tag}@team.example`;
      await t.hub.users.create(ws.id, { email: emails[a], name: a, role: 'agent', password });
      await signIn(emails[a]);
    }
    const channel = { channelAccessToken: `line_${hex(16)}`, channelSecret: hex(16), botUserId: `U${hex(16)}`, displayName: 'Team LINE' };
    t.line.addChannel(channel);
    const line = (await t.api<{ id: string; webhook_url: string }>('POST', '/v1/channel-accounts', key, { channel: 'line', provider: 'line', channel_access_token: channel.channelAccessToken, channel_secret: channel.channelSecret })).body;
    t.line.addChannel({ ...channel, webhookUrl: line.webhook_url });
    const queue = (await t.api<{ id: string }>('POST', '/v1/queues', key, { name: 'Support' })).body;
    const members = (await inject<{ data: Member[] }>('GET', '/v1/team', admin)).body.data;
    const idOf = (name: string) => members.find((m) => m.email === emails[name])!.id;
    /** A chat handed over to an agent: a new ticket in the first queue. */
    const newTicket = async (): Promise<{ user: string; row: () => Promise<Row> }> => {
      const user = `U${hex(16)}`;
      await t.line.emitInbound({ userId: user, botUserId: channel.botUserId, text: 'agent' });
      const find = async () => (await t.api<{ data: Row[] }>('GET', '/v1/tickets?limit=100', key)).body.data.find((r) => r.customer_external_id === user) ?? null;
      await waitFor(find, { what: 'the hand-over ticket' });
      return { user, row: async () => (await find())! };
    };
    return { ws, key, admin, emails, idOf, queue, line, channel, newTicket };
  };
  type Team = Awaited<ReturnType<typeof team>>;
  const assignedTo = async (tm: Team, ticket: { row: () => Promise<Row> }, who: string | null) =>
    waitFor(async () => {
      const r = await ticket.row();
      return r.assignee === (who ? tm.emails[who] : null) ? r : null;
    }, { what: `the ticket ${who ? `assigned to ${who}` : 'unassigned'}` });
  /** Lets queued assignment runs finish, so a ticket that should stay unassigned is seen after them. */
  const settle = () => new Promise((r) => setTimeout(r, 400));

  beforeAll(async () => {
    t = await startTestHub(variant);
  }, 60_000);
  afterAll(async () => {
    offset = 0;
    await t?.close();
  });

  it('invites a user by a one-time link: they choose name and password, join the queues, and sign in; a used, expired or withdrawn link says so', async () => {
    const tm = await team(['Ben']);
    const email = `new-${hex(4)}@team.example`;
    // Agents cannot invite.
    expect((await inject('POST', '/v1/invites', tm.emails['Ben']!, { email, role: 'agent' })).status).toBe(403);
    expect((await inject<ErrorRes>('POST', '/v1/invites', tm.admin, { email: 'not-an-address', role: 'agent' })).body.error.details?.fields?.[0]?.field).toBe('email');
    expect((await inject<ErrorRes>('POST', '/v1/invites', tm.admin, { email, role: 'agent', queue_ids: ['q_missing'] })).body.error.details?.fields?.[0]?.field).toBe('queue_ids[0]');
    expect((await inject('POST', '/v1/invites', tm.admin, { email: tm.emails['Ben'], role: 'agent' })).status).toBe(409);

    const created = await inject<{ id: string; url: string; state: string; email: string }>('POST', '/v1/invites', tm.admin, { email: email.toUpperCase(), role: 'agent', queue_ids: [tm.queue.id] });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ email, state: 'pending' });
    expect(created.body.url).toMatch(/\/invite#[A-Za-z0-9_-]{40,}$/);
    const token = created.body.url.split('#')[1]!;
    // The link is shown once: the list has no URL.
    const listed = (await inject<{ data: Array<Record<string, unknown>> }>('GET', '/v1/invites', tm.admin)).body.data.find((i) => i['id'] === created.body.id)!;
    expect(listed['state']).toBe('pending');
    expect(listed).not.toHaveProperty('url');

    const check = await inject<{ email: string; role: string; workspace_name: string }>('POST', '/v1/invite/check', null, { token });
    expect(check.status).toBe(200);
    expect(check.body).toMatchObject({ email, role: 'agent', workspace_name: tm.ws.name });
    expect((await inject<ErrorRes>('POST', '/v1/invite/check', null, { token: 'x'.repeat(43) })).status).toBe(404);

    // A short password is refused and nothing is written: the link still works.
    const weak = await inject<ErrorRes>('POST', '/v1/invite/accept', null, { token, name: 'Nia New', password: 'short' });
    expect(weak.status).toBe(400);
    expect(weak.body.error.message).toMatch(/password/);
    expect((await inject<ErrorRes>('POST', '/v1/invite/accept', null, { token, name: '  ', password })).status).toBe(400);
    expect((await inject('POST', '/v1/invite/check', null, { token })).status).toBe(200);

    const accepted = await inject<{ id: string; email: string; name: string; role: string }>('POST', '/v1/invite/accept', null, { token, name: 'Nia New', password });
    expect(accepted.status).toBe(201);
    expect(accepted.body).toMatchObject({ email, name: 'Nia New', role: 'agent' });
    expect((await signIn(email)).status).toBe(200);
    expect((await inject<{ user: { email: string } }>('GET', '/v1/session', email)).body.user.email).toBe(email);
    const member = (await inject<{ data: Member[] }>('GET', '/v1/team', tm.admin)).body.data.find((m) => m.email === email)!;
    expect(member).toMatchObject({ role: 'agent', queue_ids: [tm.queue.id], availability: 'offline', active: true });

    // Used: once.
    const again = await inject<ErrorRes>('POST', '/v1/invite/accept', null, { token, name: 'Someone Else', password });
    expect(again.status).toBe(409);
    expect(again.body.error.details?.reason).toBe('used');
    expect(again.body.error.message).toMatch(/already been used/);
    expect((await inject<ErrorRes>('POST', '/v1/invite/check', null, { token })).body.error.details?.reason).toBe('used');
    expect((await inject<{ data: Array<{ id: string; state: string }> }>('GET', '/v1/invites', tm.admin)).body.data.find((i) => i.id === created.body.id)!.state).toBe('accepted');

    // Expired: seven days later the link is refused, and says so.
    const lateEmail = `late-${hex(4)}@team.example`;
    const late = await inject<{ id: string; url: string }>('POST', '/v1/invites', tm.admin, { email: lateEmail, role: 'admin' });
    const lateToken = late.body.url.split('#')[1]!;
    offset = 7 * DAY + 60_000;
    try {
      const expired = await inject<ErrorRes>('POST', '/v1/invite/accept', null, { token: lateToken, name: 'Lee Late', password });
      expect(expired.status).toBe(409);
      expect(expired.body.error.details?.reason).toBe('expired');
      expect(expired.body.error.message).toMatch(/expired/);
      expect((await inject<{ data: Array<{ id: string; state: string }> }>('GET', '/v1/invites', tm.admin)).body.data.find((i) => i.id === late.body.id)!.state).toBe('expired');
    } finally {
      offset = 0;
    }
    expect((await inject<{ data: Member[] }>('GET', '/v1/team', tm.admin)).body.data.map((m) => m.email)).not.toContain(lateEmail);

    // Withdrawn by an admin.
    const withdrawn = await inject<{ id: string; url: string }>('POST', '/v1/invites', tm.admin, { email: `gone-${hex(4)}@team.example`, role: 'agent' });
    expect((await inject('DELETE', `/v1/invites/${withdrawn.body.id}`, tm.admin)).status).toBe(204);
    expect((await inject('DELETE', `/v1/invites/${withdrawn.body.id}`, tm.admin)).status).toBe(409);
    expect((await inject<ErrorRes>('POST', '/v1/invite/accept', null, { token: withdrawn.body.url.split('#')[1], name: 'Gil Gone', password })).body.error.details?.reason).toBe('revoked');
  });

  it('deactivates a user: their session ends at once, sign-in is refused, their open tickets are handed on; the last admin stays an admin', async () => {
    const tm = await team(['Ben', 'Cy']);
    const ben = tm.emails['Ben']!;
    const ticket = await tm.newTicket();
    const row = await ticket.row();
    expect((await inject('PATCH', `/v1/tickets/${row.id}`, ben, { assignee: 'me' })).status).toBe(200);
    expect((await inject('GET', '/v1/session', ben)).status).toBe(200);

    // Agents cannot deactivate anyone.
    expect((await inject('POST', `/v1/team/${tm.idOf('Cy')}/deactivate`, ben)).status).toBe(403);
    const off = await inject<Member>('POST', `/v1/team/${tm.idOf('Ben')}/deactivate`, tm.admin);
    expect(off.status).toBe(200);
    expect(off.body).toMatchObject({ active: false, availability: 'offline' });
    // The session that was signed in is refused on its next request.
    expect((await inject('GET', '/v1/session', ben)).status).toBe(401);
    expect((await inject('GET', '/v1/tickets', ben)).status).toBe(401);
    const refused = await signIn(ben);
    expect(refused.status).toBe(401);
    expect(refused.body.error.message).toMatch(/deactivated/);
    // A wrong password does not learn that the account exists.
    expect((await signIn(ben, 'not the password at all')).body.error.message).not.toMatch(/deactivated/);
    // The ticket is no longer theirs (the queue does not assign automatically: it waits unassigned).
    expect((await ticket.row()).assignee).toBeNull();

    // Reactivated: signs in again, starting offline.
    expect((await inject<Member>('POST', `/v1/team/${tm.idOf('Ben')}/reactivate`, tm.admin)).body).toMatchObject({ active: true, availability: 'offline' });
    expect((await signIn(ben)).status).toBe(200);

    // The last active admin can be neither demoted nor deactivated.
    const adminId = (await inject<{ data: Member[] }>('GET', '/v1/team', tm.admin)).body.data.find((m) => m.email === tm.admin)!.id;
    const demote = await inject<ErrorRes>('PATCH', `/v1/team/${adminId}`, tm.admin, { role: 'agent' });
    expect(demote.status).toBe(409);
    expect(demote.body.error.message).toMatch(/last active admin/);
    expect((await inject<ErrorRes>('POST', `/v1/team/${adminId}/deactivate`, tm.admin)).status).toBe(409);
    // With a second admin, the first may step down.
    expect((await inject<Member>('PATCH', `/v1/team/${tm.idOf('Cy')}`, tm.admin, { role: 'admin' })).body.role).toBe('admin');
    expect((await inject<Member>('PATCH', `/v1/team/${adminId}`, tm.admin, { role: 'agent' })).body.role).toBe('agent');
    // Cy is now the only admin (their session has the new role at once).
    expect((await inject<ErrorRes>('POST', `/v1/team/${tm.idOf('Cy')}/deactivate`, tm.emails['Cy']!)).status).toBe(409);
  });

  it('round-robin: online members in turn, within their capacity; tickets wait when nobody has room and go out when someone comes online or frees a place; an agent going offline hands theirs on', async () => {
    const tm = await team(['Ann', 'Bob', 'Cat']);
    for (const a of ['Ann', 'Bob', 'Cat']) expect((await inject<Member>('PATCH', `/v1/team/${tm.idOf(a)}`, tm.admin, { queue_ids: [tm.queue.id], capacity: 2 })).status).toBe(200);
    expect((await inject<{ assignment: string }>('PUT', `/v1/queues/${tm.queue.id}/assignment`, tm.admin, { mode: 'round_robin' })).body.assignment).toBe('round_robin');
    // Nobody online yet: a new ticket waits.
    const t1 = await tm.newTicket();
    await settle();
    expect((await t1.row()).assignee).toBeNull();
    // Ann comes online: the waiting ticket is hers.
    expect((await inject<Member>('PUT', '/v1/availability', tm.emails['Ann']!, { availability: 'online' })).body.availability).toBe('online');
    await assignedTo(tm, t1, 'Ann');
    expect((await inject('PUT', '/v1/availability', tm.emails['Bob']!, { availability: 'online' })).status).toBe(200);
    // In turn: Bob, Ann (her second: full), Bob (full).
    const t2 = await tm.newTicket();
    await assignedTo(tm, t2, 'Bob');
    const t3 = await tm.newTicket();
    await assignedTo(tm, t3, 'Ann');
    const t4 = await tm.newTicket();
    await assignedTo(tm, t4, 'Bob');
    // Both full: the next waits. Away members (Cat) get nothing.
    expect((await inject('PUT', '/v1/availability', tm.emails['Cat']!, { availability: 'away' })).status).toBe(200);
    const t5 = await tm.newTicket();
    await settle();
    expect((await t5.row()).assignee).toBeNull();
    // Ann closes a ticket: her free place takes the waiting one.
    expect((await inject('PATCH', `/v1/tickets/${(await t1.row()).id}`, tm.emails['Ann']!, { status: 'closed' })).status).toBe(200);
    await assignedTo(tm, t5, 'Ann');
    // Bob goes offline: his two tickets go to Cat once she is online with room; before that they wait.
    expect((await inject<Member>('PUT', '/v1/availability', tm.emails['Bob']!, { availability: 'offline' })).status).toBe(200);
    expect((await t2.row()).assignee).toBeNull();
    expect((await t4.row()).assignee).toBeNull();
    expect((await inject('PUT', '/v1/availability', tm.emails['Cat']!, { availability: 'online' })).status).toBe(200);
    await assignedTo(tm, t2, 'Cat');
    await assignedTo(tm, t4, 'Cat');
    // Cat goes offline with Ann online but full: Cat's tickets are unassigned.
    expect((await inject('PUT', '/v1/availability', tm.emails['Cat']!, { availability: 'offline' })).status).toBe(200);
    expect((await t2.row()).assignee).toBeNull();
    // Ann gets more room: the waiting tickets are hers up to it.
    expect((await inject('PATCH', `/v1/team/${tm.idOf('Ann')}`, tm.admin, { capacity: 4 })).status).toBe(200);
    await assignedTo(tm, t2, 'Ann');
    await assignedTo(tm, t4, 'Ann');
    const agents = (await inject<{ data: Array<{ email: string; availability: string; open_tickets: number }> }>('GET', '/v1/agents', tm.emails['Bob']!)).body.data;
    expect(agents.find((a) => a.email === tm.emails['Ann'])).toMatchObject({ availability: 'online', open_tickets: 4 });
    expect(agents.find((a) => a.email === tm.emails['Bob'])).toMatchObject({ availability: 'offline', open_tickets: 0 });
    // Bad input is named.
    expect((await inject<ErrorRes>('PUT', '/v1/availability', tm.emails['Ann']!, { availability: 'busy' })).status).toBe(400);
    expect((await inject<ErrorRes>('PUT', `/v1/queues/${tm.queue.id}/assignment`, tm.admin, { mode: 'random' })).status).toBe(400);
    expect((await inject<ErrorRes>('PUT', `/v1/queues/q_missing/assignment`, tm.admin, { mode: 'least_open' })).status).toBe(404);
    expect((await inject('PUT', `/v1/queues/${tm.queue.id}/assignment`, tm.emails['Ann']!, { mode: 'off' })).status).toBe(403);
    expect((await t.api('PUT', '/v1/availability', tm.key, { availability: 'online' })).status).toBe(400);
  });

  it('least-open: the member with the fewest open tickets, within capacity; manual assignment keeps working beside it', async () => {
    const tm = await team(['Dan', 'Eve']);
    for (const a of ['Dan', 'Eve']) {
      expect((await inject('PATCH', `/v1/team/${tm.idOf(a)}`, tm.admin, { queue_ids: [tm.queue.id], capacity: 3 })).status).toBe(200);
      expect((await inject('PUT', '/v1/availability', tm.emails[a]!, { availability: 'online' })).status).toBe(200);
    }
    // Assignment off: tickets wait, and are assigned by hand.
    const m1 = await tm.newTicket();
    const m2 = await tm.newTicket();
    await settle();
    expect((await m1.row()).assignee).toBeNull();
    for (const m of [m1, m2]) expect((await inject<Row>('PATCH', `/v1/tickets/${(await m.row()).id}`, tm.emails['Dan']!, { assignee: 'me' })).body.assignee).toBe(tm.emails['Dan']);
    // Least-open: Eve (0) before Dan (2), until they are level; then in turn; then both full.
    expect((await inject('PUT', `/v1/queues/${tm.queue.id}/assignment`, tm.admin, { mode: 'least_open' })).status).toBe(200);
    const a1 = await tm.newTicket();
    await assignedTo(tm, a1, 'Eve');
    const a2 = await tm.newTicket();
    await assignedTo(tm, a2, 'Eve');
    const a3 = await tm.newTicket();
    const third = await waitFor(async () => ((await a3.row()).assignee ? a3.row() : null), { what: 'the third ticket assigned' });
    expect([tm.emails['Dan'], tm.emails['Eve']]).toContain(third.assignee);
    const a4 = await tm.newTicket();
    const fourth = await waitFor(async () => ((await a4.row()).assignee ? a4.row() : null), { what: 'the fourth ticket assigned' });
    expect(fourth.assignee).not.toBe(third.assignee);
    const a5 = await tm.newTicket();
    await settle();
    expect((await a5.row()).assignee).toBeNull();
    // Dan hands one back by hand: the waiting one may go to whoever has fewest (Dan now, at 2).
    expect((await inject('PATCH', `/v1/tickets/${(await m1.row()).id}`, tm.emails['Dan']!, { assignee: null })).status).toBe(200);
    // The handed-back ticket and the waiting one: one of them is Dan's again, the other waits (both full).
    await waitFor(async () => {
      const rows = await Promise.all([m1.row(), a5.row()]);
      return rows.filter((r) => r.assignee === tm.emails['Dan']).length === 1 && rows.filter((r) => r.assignee === null).length === 1;
    }, { what: 'Dan back at capacity' });
    // A manual assignment beyond capacity is the agent's choice: it is kept.
    const waitingRow = (await Promise.all([m1.row(), a5.row()])).find((r) => r.assignee === null)!;
    expect((await inject<Row>('PATCH', `/v1/tickets/${waitingRow.id}`, tm.emails['Eve']!, { assignee: 'me' })).body.assignee).toBe(tm.emails['Eve']);
  });

  it('a reopened unassigned ticket is assigned when the customer writes again', async () => {
    const tm = await team(['Hal']);
    expect((await inject('PATCH', `/v1/team/${tm.idOf('Hal')}`, tm.admin, { queue_ids: [tm.queue.id] })).status).toBe(200);
    expect((await inject('PUT', '/v1/availability', tm.emails['Hal']!, { availability: 'online' })).status).toBe(200);
    expect((await inject('PUT', `/v1/queues/${tm.queue.id}/assignment`, tm.admin, { mode: 'round_robin' })).status).toBe(200);
    const ticket = await tm.newTicket();
    await assignedTo(tm, ticket, 'Hal');
    // Closed and handed back to nobody, the agent keeping the chat: a closed ticket is not given out.
    const closed = await inject<Row>('PATCH', `/v1/tickets/${(await ticket.row()).id}`, tm.admin, { status: 'closed', assignee: null, hand_back: false });
    expect(closed.body).toMatchObject({ status: 'closed', assignee: null });
    await settle();
    expect((await ticket.row()).assignee).toBeNull();
    // The customer writes again: the ticket reopens and is assigned.
    await t.line.emitInbound({ userId: ticket.user, botUserId: tm.channel.botUserId, text: 'Hello again?' });
    const reopened = await assignedTo(tm, ticket, 'Hal');
    expect(reopened.status).toBe('open');
  });

  it('collision notice: each agent sees who else has the ticket open, by heartbeat and on the inbox stream, until they leave or it expires', async () => {
    const tm = await team(['Fay', 'Gus']);
    const ticket = await tm.newTicket();
    const id = (await ticket.row()).id;
    const fay = tm.emails['Fay']!;
    const gus = tm.emails['Gus']!;
    // Fay listens to the inbox stream.
    const controller = new AbortController();
    const stream = await fetch(`${t.hub.url}/v1/inbox/stream`, { headers: { cookie: jars[fay]! }, signal: controller.signal });
    expect(stream.status).toBe(200);
    const frames: string[] = [];
    const reading = (async () => {
      const decoder = new TextDecoder();
      try {
        for await (const chunk of stream.body as unknown as AsyncIterable<Uint8Array>) frames.push(...decoder.decode(chunk).split('\n\n'));
      } catch {
        // aborted
      }
    })();
    try {
      expect((await inject<{ viewers: unknown[] }>('POST', `/v1/tickets/${id}/viewing`, fay)).body.viewers).toEqual([]);
      const seen = await inject<{ viewers: Array<{ name: string }> }>('POST', `/v1/tickets/${id}/viewing`, gus);
      expect(seen.body.viewers.map((v) => v.name)).toEqual(['Fay']);
      expect((await inject<{ viewers: Array<{ name: string }> }>('POST', `/v1/tickets/${id}/viewing`, fay)).body.viewers.map((v) => v.name)).toEqual(['Gus']);
      expect((await inject<{ viewers: Array<{ name: string }> }>('GET', `/v1/tickets/${id}/viewers`, fay)).body.viewers.map((v) => v.name)).toEqual(['Gus']);
      // The stream says who has the ticket open.
      await waitFor(() => frames.some((f) => f.startsWith('event: ticket.viewers') && f.includes(id) && f.includes('"Fay"') && f.includes('"Gus"')), { what: 'a ticket.viewers frame with both' });
      // Gus closes it: Fay sees nobody else, on the stream too.
      expect((await inject('DELETE', `/v1/tickets/${id}/viewing`, gus)).status).toBe(204);
      expect((await inject<{ viewers: unknown[] }>('GET', `/v1/tickets/${id}/viewers`, fay)).body.viewers).toEqual([]);
      await waitFor(() => frames.some((f) => f.startsWith('event: ticket.viewers') && f.includes(id) && !f.includes('"Gus"')), { what: 'a ticket.viewers frame without Gus' });
      // A heartbeat that stops expires: Gus opens it again, then nothing for 30 seconds.
      await inject('POST', `/v1/tickets/${id}/viewing`, gus);
      offset = 31_000;
      expect((await inject<{ viewers: unknown[] }>('GET', `/v1/tickets/${id}/viewers`, fay)).body.viewers).toEqual([]);
    } finally {
      offset = 0;
      controller.abort();
      await reading;
    }
    expect((await inject('POST', '/v1/tickets/tk_missing/viewing', fay)).status).toBe(404);
    expect((await t.api('POST', `/v1/tickets/${id}/viewing`, tm.key)).status).toBe(400);
  });

  it('links a chat ticket to one of its customer’s orders, which then shows the ticket on its timeline; another customer’s order is refused', async () => {
    const m = await setUpMerchant(t, { enable: false });
    const admin = `admin-${hex(4)}@orders.example`;
    await t.hub.users.create(m.workspaceId, { email: admin, name: 'Ord Admin', role: 'admin', password });
    await signIn(admin);
    const channel = { channelAccessToken: `line_${hex(16)}`, channelSecret: hex(16), botUserId: `U${hex(16)}`, displayName: 'Orders LINE' };
    t.line.addChannel(channel);
    const line = (await t.api<{ id: string; webhook_url: string }>('POST', '/v1/channel-accounts', m.key, { channel: 'line', provider: 'line', channel_access_token: channel.channelAccessToken, channel_secret: channel.channelSecret })).body;
    t.line.addChannel({ ...channel, webhookUrl: line.webhook_url });
    const user = `U${hex(16)}`;
    const email = `kim-${hex(3)}@buyers.example`;
    expect((await t.api('POST', '/v1/customers', m.key, { name: 'Kim Park', email, identities: [{ kind: 'line', value: user, channel_account_id: line.id }] })).status).toBe(201);
    const order = async (name: string, buyer: string) => {
      const res = await t.api<{ order_id: string }>('POST', '/v1/events', m.key, { store_connection_id: m.connection.id, type: 'order.placed', idempotency_key: `evt-${name}`, order: { id: `ext-${name}`, name, customer_name: 'Someone', email: buyer, total: { amount: '10.00', currency: 'EUR' } } });
      expect(res.status).toBe(201);
      return res.body.order_id;
    };
    const mine = await order(`K-${hex(2)}`, email);
    const theirs = await order(`O-${hex(2)}`, `other-${hex(3)}@buyers.example`);
    await t.line.emitInbound({ userId: user, botUserId: channel.botUserId, text: 'agent' });
    const ticket = await waitFor(async () => (await t.api<{ data: Row[] }>('GET', '/v1/tickets?limit=100', m.key)).body.data.find((r) => r.customer_external_id === user), { what: 'the chat ticket' });

    const offered = await inject<{ linked_order_id: string | null; data: Array<{ id: string; linked: boolean }> }>('GET', `/v1/tickets/${ticket.id}/orders`, admin);
    expect(offered.status).toBe(200);
    expect(offered.body.data.map((o) => o.id)).toEqual([mine]);
    expect(offered.body.linked_order_id).toBeNull();

    // Another customer's order: refused, naming the field, and nothing changes.
    const refused = await inject<ErrorRes>('PATCH', `/v1/tickets/${ticket.id}`, admin, { order_id: theirs, status: 'pending' });
    expect(refused.status).toBe(400);
    expect(refused.body.error.details?.fields?.[0]?.field).toBe('order_id');
    expect(refused.body.error.message).toMatch(/not an order of this chat’s customer/);
    const unchanged = await inject<{ status: string; order: unknown }>('GET', `/v1/tickets/${ticket.id}`, admin);
    expect(unchanged.body).toMatchObject({ status: 'open', order: null });
    expect((await inject<ErrorRes>('PATCH', `/v1/tickets/${ticket.id}`, admin, { order_id: 'ord_missing' })).status).toBe(400);
    expect((await t.api<{ data: Array<{ kind: string }> }>('GET', `/v1/orders/${theirs}/activity`, m.key)).body.data.map((a) => a.kind)).not.toContain('ticket.linked');

    const linked = await inject<{ order: { id: string } | null }>('PATCH', `/v1/tickets/${ticket.id}`, admin, { order_id: mine });
    expect(linked.status).toBe(200);
    expect(linked.body.order?.id).toMatch(/^K-/);
    expect((await inject<{ linked_order_id: string }>('GET', `/v1/tickets/${ticket.id}/orders`, admin)).body.linked_order_id).toBe(mine);
    // The order's timeline (API) shows the ticket.
    const timeline = (await t.api<{ data: Array<{ kind: string; data: { ticketId?: string } | null }> }>('GET', `/v1/orders/${mine}/activity`, m.key)).body.data;
    expect(timeline.find((a) => a.kind === 'ticket.linked')?.data?.ticketId).toBe(ticket.id);

    // Another workspace's order is not found here.
    const other = await setUpMerchant(t, { enable: false });
    const foreign = await t.api<{ order_id: string }>('POST', '/v1/events', other.key, { store_connection_id: other.connection.id, type: 'order.placed', idempotency_key: 'evt-foreign', order: { id: 'ext-f', name: 'F-1', email, total: { amount: '1.00', currency: 'EUR' } } });
    const cross = await inject<ErrorRes>('PATCH', `/v1/tickets/${ticket.id}`, admin, { order_id: foreign.body.order_id });
    expect(cross.status).toBe(400);
    expect(cross.body.error.message).toMatch(/no order/);
  });
});
