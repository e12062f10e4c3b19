// A chat handed to an agent comes back: closing its ticket gives the conversation back to the bot (unless the
// agent keeps it), asking for an agent again opens a new ticket, and a message to a kept chat reopens its ticket.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestHub } from './support/hub.js';
import { startTestHub } from './support/hub.js';
import { waitFor } from './support/services.js';
import { hubVariants } from './support/variants.js';

const hex = (n: number) => randomBytes(n).toString('hex');
const variants = hubVariants('redis');

interface TicketDetail {
  id: string;
  status: string;
  messages: Array<{ kind: string; body: string }>;
}

describe.each(variants)('chat hand-back ($name)', (variant) => {
  let t: TestHub;
  let key = '';
  const channel = { channelAccessToken: `line_${hex(16)}`, channelSecret: hex(16), botUserId: `U${hex(16)}`, displayName: 'Back LINE' };

  beforeAll(async () => {
    t = await startTestHub(variant);
    const ws = await t.hub.workspaces.createWorkspace('Hand back');
    key = (await t.hub.workspaces.createApiKey(ws.id, 'tests')).key;
    t.line.addChannel(channel);
    const line = (await t.api<{ webhook_url: string }>('POST', '/v1/channel-accounts', key, { channel: 'line', provider: 'line', channel_access_token: channel.channelAccessToken, channel_secret: channel.channelSecret })).body;
    t.line.addChannel({ ...channel, webhookUrl: line.webhook_url });
  });
  afterAll(async () => {
    await t?.close();
  });

  const says = async (user: string, text: string) => {
    const before = t.line.messages(user).length;
    await t.line.emitInbound({ userId: user, botUserId: channel.botUserId, text });
    return before;
  };
  const ticketsOf = async (user: string) => {
    const list = await t.api<{ data: Array<{ id: string; status: string; customer_external_id: string | null }> }>('GET', '/v1/tickets?source=LINE&limit=100', key);
    return list.body.data.filter((x) => x.customer_external_id === user);
  };
  const detail = async (id: string) => (await t.api<TicketDetail>('GET', `/v1/tickets/${id}`, key)).body;

  it('closing the ticket gives the chat back to the bot; "agent" again opens a new ticket', async () => {
    const user = `U${hex(16)}`;
    await says(user, 'agent');
    const first = await waitFor(async () => (await ticketsOf(user))[0] ?? null, { what: 'the hand-over ticket' });
    const closed = await t.api<{ status: string }>('PATCH', `/v1/tickets/${first.id}`, key, { status: 'closed' });
    expect(closed.body.status).toBe('closed');
    // The bot answers again.
    const before = await says(user, 'hello');
    await waitFor(() => (t.line.messages(user).length > before ? true : null), { what: 'the bot answering after the hand-back' });
    await says(user, 'agent');
    await waitFor(async () => ((await ticketsOf(user)).length === 2 ? true : null), { what: 'a new ticket' });
    const tickets = await ticketsOf(user);
    expect(tickets.filter((x) => x.status === 'open')).toHaveLength(1);
  });

  it('a chat the agent kept reopens its ticket with the customer’s next message', async () => {
    const user = `U${hex(16)}`;
    await says(user, 'agent');
    const ticket = await waitFor(async () => (await ticketsOf(user))[0] ?? null, { what: 'the hand-over ticket' });
    expect((await t.api('PATCH', `/v1/tickets/${ticket.id}`, key, { status: 'closed', hand_back: false })).status).toBe(200);
    await says(user, 'are you still there?');
    const reopened = await waitFor(async () => {
      const d = await detail(ticket.id);
      return d.status === 'open' && d.messages.some((m) => m.body === 'are you still there?') ? d : null;
    }, { what: 'the reopened ticket with the message' });
    expect(reopened.messages.filter((m) => m.kind === 'customer').map((m) => m.body)).toContain('are you still there?');
    expect(await ticketsOf(user)).toHaveLength(1);
  });
});
