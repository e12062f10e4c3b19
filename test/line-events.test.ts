// LINE events beyond 1:1 messages, end to end through the LINE simulator: standby mode and group or room chats
// are recorded but never answered (no reply, no push to a group member); a follow records the customer with the
// display name from LINE's profile API and gets the welcome module when one is set; an unfollow (a block) stops
// pushes until the next follow; a failing profile API does not hold up the conversation.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestHub } from './support/hub.js';
import { startTestHub } from './support/hub.js';
import { waitFor } from './support/services.js';
import { hubVariants } from './support/variants.js';

const hex = (n: number) => randomBytes(n).toString('hex');
const userId = () => `U${hex(16)}`;

interface Msg {
  id: string;
  direction: string;
  recipient: string;
  status: string;
  reason: string | null;
  content: { text?: string | null; event?: string; chat?: { reason: string } };
}
interface Customer {
  id: string;
  name: string | null;
  identities: Array<{ kind: string; value: string; channel_account_id: string | null; display_name: string | null }>;
}

const variants = hubVariants('redis');

describe.each(variants)('LINE follow, unfollow, standby and group events ($name)', (variant) => {
  let t: TestHub;
  let key: string;
  const channel = { channelAccessToken: `line_${hex(16)}`, channelSecret: hex(16), botUserId: `U${hex(16)}`, displayName: 'Tea LINE' };
  let account: { id: string; webhook_url: string };

  const inbound = async (recipient: string) => (await t.api<{ data: Msg[] }>('GET', '/v1/messages?limit=100', key)).body.data.filter((m) => m.direction === 'inbound' && m.recipient === recipient);
  const customerOf = async (lineUser: string) => (await t.api<{ data: Customer[] }>('GET', `/v1/customers?query=${lineUser}`, key)).body.data[0] ?? null;
  const common = (source: Record<string, unknown>, mode = 'active') => ({ timestamp: Date.now(), mode, webhookEventId: `01J${hex(12).toUpperCase().slice(0, 23)}`, deliveryContext: { isRedelivery: false }, source });

  beforeAll(async () => {
    t = await startTestHub(variant);
    const ws = await t.hub.workspaces.createWorkspace('Tea House');
    key = (await t.hub.workspaces.createApiKey(ws.id, 'tests')).key;
    t.line.addChannel(channel);
    account = (await t.api<typeof account>('POST', '/v1/channel-accounts', key, { channel: 'line', provider: 'line', channel_access_token: channel.channelAccessToken, channel_secret: channel.channelSecret })).body;
    t.line.addChannel({ ...channel, webhookUrl: account.webhook_url });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('records a standby message without answering it', async () => {
    const user = userId();
    const status = await t.line.emitEvents([{ type: 'message', ...common({ type: 'user', userId: user }, 'standby'), message: { type: 'text', id: '9001', text: 'hello?' } }]);
    expect(status).toBe(200);
    const [msg] = await waitFor(async () => ((await inbound(user)).length ? inbound(user) : null), { what: 'the standby message recorded' });
    expect(msg).toMatchObject({ status: 'skipped', content: { text: 'hello?' } });
    expect(msg!.reason).toContain('standby');
    // Skipped messages never reach the engine: no reply, no conversation.
    expect(t.line.messages(user)).toEqual([]);
    const conversations = (await t.api<{ data: Array<{ address: string }> }>('GET', '/v1/conversations', key)).body.data;
    expect(conversations.some((c) => c.address === user)).toBe(false);
  });

  it('records group and room messages without treating them as 1:1 chats', async () => {
    const member = userId();
    const group = `C${hex(16)}`;
    const room = `R${hex(16)}`;
    // A reply token comes with them, as on LINE; the hub must use neither it nor a push to the member.
    const status = await t.line.emitEvents([
      { type: 'message', ...common({ type: 'group', groupId: group, userId: member }), replyToken: hex(16), message: { type: 'text', id: '9002', text: 'my orders' } },
      { type: 'message', ...common({ type: 'room', roomId: room }), replyToken: hex(16), message: { type: 'text', id: '9003', text: 'hi all' } },
    ]);
    expect(status).toBe(200);
    const [fromGroup] = await waitFor(async () => ((await inbound(member)).length ? inbound(member) : null), { what: 'the group message recorded' });
    expect(fromGroup).toMatchObject({ status: 'skipped', content: { chat: { reason: 'group' } } });
    const [fromRoom] = await waitFor(async () => ((await inbound(room)).length ? inbound(room) : null), { what: 'the room message recorded' });
    expect(fromRoom).toMatchObject({ status: 'skipped', content: { chat: { reason: 'room' } } });
    expect(t.line.messages(member)).toEqual([]);
    expect(t.line.messages(group)).toEqual([]);
    expect(t.line.messages(room)).toEqual([]);
    // Not a customer either: a group member has not talked to the merchant.
    expect(await customerOf(member)).toBeNull();
  });

  it('records a follower as a customer with their LINE name, and sends nothing when no welcome module is set', async () => {
    const user = userId();
    t.line.addUser({ userId: user, displayName: 'Mei Lin', language: 'zh-TW' });
    await t.line.emitFollow({ userId: user });
    const customer = await waitFor(async () => {
      const c = await customerOf(user);
      return c?.name ? c : null;
    }, { what: 'the follower recorded with a name' });
    expect(customer.name).toBe('Mei Lin');
    expect(customer.identities).toEqual([expect.objectContaining({ kind: 'line', value: user, channel_account_id: account.id, display_name: 'Mei Lin' })]);
    // The follow is recorded without any answer.
    const [follow] = await inbound(user);
    expect(follow).toMatchObject({ status: 'skipped', content: { event: 'follow' } });
    expect(follow!.reason).toContain('no welcome module');
    expect(t.line.messages(user)).toEqual([]);
    // The first message still gets the first-contact welcome; the profile is cached, not asked again.
    const asked = () => t.line.requests('/v2/bot/profile/').length;
    const before = asked();
    await t.line.emitInbound({ userId: user, text: 'where is my parcel' });
    const first = await waitFor(() => t.line.messages(user)[0] ?? null, { what: 'the answer' });
    expect(first.text).toContain('How can we help you on LINE');
    expect(asked()).toBe(before);
  });

  it('sends the welcome module to a new follower as a reply; a block stops pushes until the next follow', async () => {
    const module = await t.api<{ id: string }>('POST', '/v1/flow-modules', key, { name: 'Welcome', text: 'Welcome to Tea House!', buttons: [{ id: 'orders', title: 'My orders', on_click: { kind: 'action', action: 'my_orders' } }] });
    expect(module.status).toBe(201);
    expect((await t.api('PUT', '/v1/chat-settings', key, { welcome_module_id: module.body.id })).status).toBe(200);
    const user = userId();
    t.line.addUser({ userId: user, displayName: 'Ken' });
    await t.line.emitFollow({ userId: user });
    const welcome = await waitFor(() => t.line.messages(user)[0] ?? null, { what: 'the welcome module' });
    expect(welcome).toMatchObject({ via: 'reply', text: 'Welcome to Tea House!' });

    await t.line.emitUnfollow({ userId: user });
    const optOuts = async () => (await t.api<{ data: Array<{ channel: string; address: string; source: string }> }>('GET', '/v1/opt-outs?channel=line', key)).body.data.filter((o) => o.address === user);
    await waitFor(async () => ((await optOuts()).length ? true : null), { what: 'the block recorded' });
    expect(await optOuts()).toEqual([expect.objectContaining({ source: 'line:unfollow' })]);
    const unfollow = (await inbound(user)).find((m) => m.content.event === 'unfollow');
    expect(unfollow).toMatchObject({ status: 'skipped' });

    // Unblocked while another module is active (standby): the block is lifted, but the hub does not answer.
    await t.line.emitEvents([{ type: 'follow', ...common({ type: 'user', userId: user }, 'standby'), replyToken: hex(16), follow: { isUnblocked: true } }]);
    await waitFor(async () => ((await optOuts()).length === 0 ? true : null), { what: 'the block lifted' });
    const standbyFollow = (await inbound(user)).filter((m) => m.content.event === 'follow');
    expect(standbyFollow.map((m) => m.status).sort()).toEqual(['read', 'skipped']);
    expect(standbyFollow.find((m) => m.status === 'skipped')?.reason).toContain('standby');
    expect(t.line.messages(user)).toHaveLength(1);

    await t.line.emitUnfollow({ userId: user });
    await waitFor(async () => ((await optOuts()).length ? true : null), { what: 'blocked again' });
    await t.line.emitFollow({ userId: user, unblocked: true });
    await waitFor(() => t.line.messages(user)[1] ?? null, { what: 'the welcome module again' });
    await waitFor(async () => ((await optOuts()).length === 0 ? true : null), { what: 'the block lifted again' });
  });

  it('a follower who joins the rewards programme keeps one customer; the typed e-mail stays on the membership, unproven', async () => {
    expect((await t.api('PUT', '/v1/chat-settings', key, { loyalty: { enabled: true, points_per_unit: '1', signup_bonus: 10, prizes: [] } })).status).toBe(200);
    const user = userId();
    t.line.addUser({ userId: user, displayName: 'Ana' });
    await t.line.emitFollow({ userId: user });
    const recorded = await waitFor(async () => {
      const c = await customerOf(user);
      return c?.name ? c : null;
    }, { what: 'the follower recorded' });
    await t.line.emitInbound({ userId: user, postbackData: 'a:loyalty_join' });
    await waitFor(() => t.line.messages(user).find((m) => m.text?.includes('e-mail')) ?? null, { what: 'the e-mail question' });
    const email = `ana-${hex(3)}@example.com`;
    await t.line.emitInbound({ userId: user, text: email });
    await waitFor(() => t.line.messages(user).find((m) => m.text?.includes('balance is 10')) ?? null, { what: 'the welcome to the programme' });
    const member = await customerOf(user);
    expect(member?.id).toBe(recorded.id);
    expect(member?.name).toBe('Ana');
    // An e-mail typed in chat proves nothing: it is the membership's, not an identity of the customer.
    expect(member?.identities.map((i) => i.kind)).toEqual(['line']);
    const loyalty = await t.api<{ email: string | null; balance: number | null }>('GET', `/v1/customers/${recorded.id}/loyalty`, key);
    expect(loyalty.body).toMatchObject({ email, balance: 10 });
  });

  it('answers a chat while the profile API fails', async () => {
    // No profile for this user at LINE: the profile API answers 404.
    const user = userId();
    await t.line.emitInbound({ userId: user, text: 'hi' });
    const reply = await waitFor(() => t.line.messages(user)[0] ?? null, { what: 'the answer' });
    expect(reply.text).toBe('Welcome to Tea House!');
    const customer = await waitFor(() => customerOf(user), { what: 'the chat customer' });
    expect(customer.name).toBeNull();
    expect(customer.identities[0]?.display_name).toBeNull();
  });
});
