// Chat tests through LINE: what a customer sees is the LINE simulator's outbox for their user id.
import type { TestHub } from './hub.js';
import { waitFor } from './services.js';

/** The customer writes (or taps a postback) to the bot botUserId; resolves with the replies that follow. */
export async function sayOnLine(t: TestHub, botUserId: string, user: string, input: { text?: string; postbackData?: string }) {
  const out = () => t.line.messages(user);
  const before = out().length;
  await t.line.emitInbound({ userId: user, botUserId, ...input });
  return waitFor(() => (out().length > before ? out().slice(before) : null), { what: `a LINE reply to ${JSON.stringify(input)}` });
}

/** Replies as one text: text messages as they are, the others (flex, templates) as their JSON. */
export function texts(ms: Array<{ text: string | null; message: Record<string, unknown> }>): string {
  return ms.map((m) => m.text ?? JSON.stringify(m.message)).join('\n');
}

export interface ConnectedAccount {
  id: string;
  webhook_url: string;
}

/** Connects the LINE channel through the API (the simulator knows its token first) and points its webhooks at the hub. */
export async function connectLine(t: TestHub, key: string, channel: Parameters<TestHub['line']['addChannel']>[0] & { channelAccessToken: string; channelSecret: string }): Promise<ConnectedAccount> {
  t.line.addChannel(channel);
  const body = { channel: 'line', provider: 'line', channel_access_token: channel.channelAccessToken, channel_secret: channel.channelSecret };
  const account = (await t.api<ConnectedAccount>('POST', '/v1/channel-accounts', key, body)).body;
  t.line.addChannel({ ...channel, webhookUrl: account.webhook_url });
  return account;
}

/** Connects the Messenger page through the API (the simulator knows it first) and points its webhooks at the hub. */
export async function connectMessenger(t: TestHub, key: string, page: Parameters<TestHub['messenger']['addPage']>[0] & { pageId: string; pageAccessToken: string; appSecret: string }): Promise<ConnectedAccount> {
  t.messenger.addPage(page);
  const body = { channel: 'messenger', provider: 'meta-messenger', page_id: page.pageId, page_access_token: page.pageAccessToken, app_secret: page.appSecret };
  const account = (await t.api<ConnectedAccount>('POST', '/v1/channel-accounts', key, body)).body;
  t.messenger.addPage({ ...page, webhookUrl: account.webhook_url });
  return account;
}

/** Waits until the hub has handled (marked read) the inbound message with this text, whether it answered or not. */
export async function waitForHandled(t: TestHub, key: string, text: string, what: string): Promise<void> {
  await waitFor(
    async () => {
      const msgs = await t.api<{ data: Array<{ direction: string; status: string; content: { text?: string } }> }>('GET', '/v1/messages?limit=50', key);
      return msgs.body.data.some((x) => x.direction === 'inbound' && x.content.text === text && x.status === 'read') ? true : null;
    },
    { what },
  );
}
