// Gupshup (WhatsApp) as a provider.
import { z } from 'zod';
import { defineChannel } from '../../../core/connections/definition.js';
import { credential, field, nameField, ownerField, rateLimitField } from '../../../core/connections/fields.js';
import { GupshupAdapter } from './adapter.js';

export const gupshupProvider = defineChannel({
  id: 'gupshup',
  kind: 'channel',
  channel: 'whatsapp',
  label: 'Gupshup',
  title: 'WhatsApp (Gupshup)',
  credentials: z.object({
    name: nameField(),
    app_name: field(credential(1, 100, { trim: true }), { label: 'App name', example: 'AcmeShop' }),
    source_number: field(z.string().trim().regex(/^\+?\d{8,15}$/, 'must be the registered WhatsApp number with country code'), { label: 'Registered number (with country code)', example: '+919876543210' }),
    api_key: field(credential(8, 500), { label: 'API key', secret: true }),
    owner: ownerField(),
    rate_limit_per_second: rateLimitField(),
  }),
  rateLimitPerSecond: 80,
  webhooks: { paths: ['gupshup'], published: 'gupshup', signature: 'none: the callback URL carries a secret token (?token=), returned once' },
  baseUrls: [{ env: 'SHOPTALK_GUPSHUP_API_URL', key: 'gupshupApiUrl', default: 'https://api.gupshup.io' }],
  create: (ctx) => new GupshupAdapter({ baseUrl: ctx.url('gupshupApiUrl'), timeoutMs: ctx.timeoutMs }),
  /** Gupshup does not sign callbacks: the callback URL carries a secret token, returned once. */
  async connect(input, ctx) {
    const callbackToken = ctx.randomToken();
    const appName = input.app_name.trim();
    // Gupshup has no API that tells which number an app sends from: the number stays unverified until a send
    // from it is accepted (the test send is that check).
    const settings = { appName, sourceNumber: input.source_number.replace(/\D/g, ''), numberCheck: 'unverified' };
    const secrets = { apiKey: input.api_key, callbackToken };
    const verified = await ctx.verify((a) => a.verifyAccount({ settings, secrets }));
    return {
      externalId: appName,
      settings,
      secrets,
      verified,
      // Gupshup does not sign callbacks, so this URL's token is what authenticates them.
      once: (webhookUrl) => ({ callback_url: `${webhookUrl}?token=${encodeURIComponent(callbackToken)}` }),
    };
  },
});
