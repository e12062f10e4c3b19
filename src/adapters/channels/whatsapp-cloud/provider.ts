// The WhatsApp Cloud API (Meta) as a provider: stored as provider `meta`.
import { z } from 'zod';
import { defineChannel } from '../../../core/connections/definition.js';
import { credential, field, nameField, ownerField, rateLimitField } from '../../../core/connections/fields.js';
import { WhatsAppCloudAdapter } from './adapter.js';

/** Meta's default throughput for a business phone number (messages per second). */
export const WHATSAPP_DEFAULT_MPS = 80;

export const whatsappCloudProvider = defineChannel({
  id: 'meta',
  kind: 'channel',
  channel: 'whatsapp',
  label: 'WhatsApp',
  title: 'WhatsApp (Meta Cloud API)',
  credentials: z.object({
    name: nameField(),
    phone_number_id: field(z.string().trim().regex(/^\d{5,25}$/, 'must be the numeric phone number id from WhatsApp Manager'), { label: 'Phone number id', example: '106540352242922' }),
    waba_id: field(z.string().trim().regex(/^\d{5,25}$/, 'must be the numeric WhatsApp Business Account id'), { label: 'WhatsApp Business Account id', example: '102290129340398' }),
    access_token: field(credential(10, 2000), { label: 'Access token', secret: true, help: 'a system user token with whatsapp_business_messaging' }),
    app_secret: field(credential(8, 500), { label: 'App secret', secret: true, help: 'the Meta app’s secret, which signs its webhooks' }),
    verify_token: field(credential(8, 200), { label: 'Verify token', secret: true, help: 'for Meta’s webhook handshake; generated when empty' }).optional(),
    owner: ownerField(),
    rate_limit_per_second: rateLimitField(),
  }),
  rateLimitPerSecond: WHATSAPP_DEFAULT_MPS,
  // /webhooks/meta/<workspace> is the workspace's Meta app URL (every number and page of the app), so the
  // per-account path keeps the channel's name.
  webhooks: { paths: ['whatsapp'], published: 'whatsapp', signature: 'X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body with the app secret>', handshake: true, metaApp: true },
  baseUrls: [{ env: 'SHOPTALK_WHATSAPP_API_URL', key: 'whatsappApiUrl', default: 'https://graph.facebook.com/v23.0', simulatorPath: '/v23.0' }],
  create: (ctx) => new WhatsAppCloudAdapter({ baseUrl: ctx.url('whatsappApiUrl'), timeoutMs: ctx.timeoutMs }),
  async connect(input, ctx) {
    const settings = { phoneNumberId: input.phone_number_id, wabaId: input.waba_id };
    const secrets = { accessToken: input.access_token, appSecret: input.app_secret, verifyToken: input.verify_token ?? ctx.randomToken() };
    const verified = await ctx.verify((a) => a.verifyAccount({ settings, secrets }));
    return { externalId: input.phone_number_id, settings, secrets, verified };
  },
});
