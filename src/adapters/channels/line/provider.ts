// The LINE Messaging API as a provider.
import { z } from 'zod';
import { defineChannel } from '../../../core/connections/definition.js';
import { credential, field, nameField, ownerField } from '../../../core/connections/fields.js';
import { LineAdapter } from './adapter.js';

export const lineProvider = defineChannel({
  id: 'line',
  kind: 'channel',
  channel: 'line',
  label: 'LINE',
  title: 'LINE',
  credentials: z.object({
    name: nameField(),
    channel_id: field(credential(0, 50, { trim: true }), { label: 'Channel id', example: '1656123456' }).optional(),
    channel_access_token: field(credential(10, 2000), { label: 'Channel access token', secret: true, help: 'a long-lived channel access token' }),
    channel_secret: field(credential(8, 200), { label: 'Channel secret', secret: true, help: 'signs the channel’s webhooks' }),
    owner: ownerField(),
  }),
  // 2,000 requests per second per channel.
  rateLimitPerSecond: 2000,
  webhooks: { paths: ['line'], published: 'line', signature: 'X-Line-Signature: <base64 HMAC-SHA256 of the body with the channel secret>' },
  baseUrls: [{ env: 'SHOPTALK_LINE_API_URL', key: 'lineApiUrl', default: 'https://api.line.me' }],
  create: (ctx) => new LineAdapter({ baseUrl: ctx.url('lineApiUrl'), timeoutMs: ctx.timeoutMs }),
  async connect(input, ctx) {
    const settings: Record<string, string> = input.channel_id ? { channelId: input.channel_id } : {};
    const secrets = { channelAccessToken: input.channel_access_token, channelSecret: input.channel_secret };
    const verified = await ctx.verify((a) => a.verifyAccount({ settings, secrets }));
    // The bot's user id (the webhooks' destination) identifies the channel.
    const botUserId = String(verified.details['userId'] ?? input.channel_id ?? verified.displayName);
    return { externalId: botUserId, settings, secrets, verified };
  },
});
