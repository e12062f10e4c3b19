// Facebook Messenger (Meta) as a provider: stored as provider `meta-messenger`.
import { z } from 'zod';
import { defineChannel } from '../../../core/connections/definition.js';
import { credential, field, nameField, ownerField } from '../../../core/connections/fields.js';
import { MessengerAdapter } from './adapter.js';

export const messengerProvider = defineChannel({
  id: 'meta-messenger',
  kind: 'channel',
  channel: 'messenger',
  label: 'Messenger',
  title: 'Messenger',
  credentials: z.object({
    name: nameField(),
    page_id: field(z.string().trim().regex(/^\d{5,25}$/, 'must be the numeric Facebook Page id'), { label: 'Page id', example: '104922312345678' }),
    page_access_token: field(credential(10, 2000), { label: 'Page access token', secret: true }),
    app_secret: field(credential(8, 500), { label: 'App secret', secret: true, help: 'the Meta app’s secret, which signs its webhooks' }),
    verify_token: field(credential(8, 200), { label: 'Verify token', secret: true, help: 'for Meta’s webhook handshake; generated when empty' }).optional(),
    owner: ownerField(),
  }),
  // The Send API allows 300 calls per second per Page for text.
  rateLimitPerSecond: 300,
  webhooks: { paths: ['meta-messenger', 'messenger'], published: 'messenger', signature: 'X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body with the app secret>', handshake: true, metaApp: true },
  baseUrls: [{ env: 'SHOPTALK_MESSENGER_API_URL', key: 'messengerApiUrl', default: 'https://graph.facebook.com/v25.0', simulatorPath: '/v25.0' }],
  create: (ctx) => new MessengerAdapter({ baseUrl: ctx.url('messengerApiUrl'), timeoutMs: ctx.timeoutMs }),
  async connect(input, ctx) {
    const settings = { pageId: input.page_id };
    const secrets = { pageAccessToken: input.page_access_token, appSecret: input.app_secret, verifyToken: input.verify_token ?? ctx.randomToken() };
    const verified = await ctx.verify((a) => a.verifyAccount({ settings, secrets }));
    return { externalId: input.page_id, settings, secrets, verified };
  },
});
