// Eshopbox as a provider: OAuth refresh-token credentials; webhooks authenticated by a generated key.
import { z } from 'zod';
import { defineStore } from '../../../core/connections/definition.js';
import { credential, field, nameField } from '../../../core/connections/fields.js';
import { invalidField } from '../../../core/errors.js';
import { EshopboxAdapter } from './adapter.js';

export const eshopboxProvider = defineStore({
  id: 'eshopbox',
  kind: 'store',
  label: 'Eshopbox',
  title: 'Eshopbox',
  credentials: z.object({
    name: nameField(),
    workspace: field(z.string().trim().min(1).max(100), { label: 'Workspace', help: 'the account slug: acme for acme.myeshopbox.com', example: 'acme' }),
    external_channel_id: field(credential(0, 100, { trim: true }), { label: 'External channel id', example: 'CH1234' }).optional(),
    client_id: field(credential(4, 500), { label: 'Client id', example: 'acme-client' }),
    client_secret: field(credential(8, 500), { label: 'Client secret', secret: true }),
    refresh_token: field(credential(8, 4000), { label: 'Refresh token', secret: true }),
  }),
  webhooks: { paths: ['eshopbox'], published: 'eshopbox', signature: 'none: x-api-key header (or ?key=) with a key generated at connect, returned once' },
  baseUrls: [
    { env: 'SHOPTALK_ESHOPBOX_AUTH_URL', key: 'eshopboxAuthUrl', default: 'https://auth.myeshopbox.com' },
    // {workspace} is replaced by the account slug; a URL without it serves every account (a proxy, a simulator).
    { env: 'SHOPTALK_ESHOPBOX_API_URL', key: 'eshopboxApiUrl', default: 'https://{workspace}.myeshopbox.com' },
    { env: 'SHOPTALK_ESHOPBOX_WMS_URL', key: 'eshopboxWmsUrl', default: 'https://wms.eshopbox.com' },
  ],
  create: (ctx) =>
    new EshopboxAdapter({
      authUrl: ctx.url('eshopboxAuthUrl'),
      apiBaseFor: (ws) => ctx.url('eshopboxApiUrl').replace('{workspace}', ws),
      wmsUrl: ctx.url('eshopboxWmsUrl'),
    }),
  /**
   * Eshopbox does not sign webhooks: they are registered with a header (x-api-key) holding a key generated here,
   * returned once; the callback URL may carry it as ?key= instead.
   */
  async connect(input, ctx) {
    const ws = input.workspace.trim().toLowerCase().replace(/\.my?eshopbox\.com$/, '');
    if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(ws)) throw invalidField('workspace', 'must be the Eshopbox account slug, e.g. acme for acme.myeshopbox.com');
    const webhookKey = ctx.randomToken();
    const settings: Record<string, string> = { workspace: ws };
    if (input.external_channel_id) settings['externalChannelId'] = input.external_channel_id.trim();
    const credentials = { settings, secrets: { clientId: input.client_id, clientSecret: input.client_secret, refreshToken: input.refresh_token, webhookKey } };
    const verified = await ctx.verify((a) => a.verifyConnection!(credentials));
    return {
      externalId: ws,
      ...credentials,
      verified,
      once: (webhookUrl) => ({ webhook_headers: { 'x-api-key': webhookKey }, callback_url: `${webhookUrl}?key=${encodeURIComponent(webhookKey)}` }),
    };
  },
});
