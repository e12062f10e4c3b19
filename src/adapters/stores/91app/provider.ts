// 91APP as a provider: no order webhooks, so a connection starts a poll of its orders.
import { z } from 'zod';
import { defineStore } from '../../../core/connections/definition.js';
import { credential, field, nameField } from '../../../core/connections/fields.js';
import { invalidField } from '../../../core/errors.js';
import { checkDestinationUrl } from '../../../core/net/destinations.js';
import { httpUrl } from '../../../core/url-fields.js';
import { NinetyOneAppAdapter } from './adapter.js';

export const ninetyOneAppProvider = defineStore({
  id: '91app',
  kind: 'store',
  label: '91APP',
  title: '91APP',
  credentials: z.object({
    name: nameField(),
    shop_id: field(z.string().trim().min(1).max(12), { label: 'Shop id', example: '40123' }),
    api_key: field(credential(8, 500), { label: 'API key', secret: true }),
    store_url: field(httpUrl(500), { label: 'Store URL', format: 'url', help: 'the shop’s public URL, for order links', example: 'https://shop.example.com' }).optional(),
  }),
  baseUrls: [
    { env: 'SHOPTALK_91APP_API_URL', key: 'ninetyOneAppApiUrl', default: 'https://api.91app.com' },
    // Member Connect Cloud (member lookup for account linking), a host of its own.
    { env: 'SHOPTALK_91APP_MEMBER_API_URL', key: 'ninetyOneAppMemberApiUrl', default: 'https://member-api.91app.com' },
  ],
  create: (ctx) => new NinetyOneAppAdapter({ baseUrl: ctx.url('ninetyOneAppApiUrl'), memberApiUrl: ctx.url('ninetyOneAppMemberApiUrl') }),
  async connect(input, ctx) {
    const shopId = input.shop_id.trim();
    if (!/^\d{1,12}$/.test(shopId)) throw invalidField('shop_id', 'must be the numeric 91APP shop id');
    const settings: Record<string, string> = { shopId };
    // Buyers are sent to this URL: only a public http(s) origin.
    if (input.store_url) {
      checkDestinationUrl('store_url', input.store_url, ctx.destinations);
      settings['storeUrl'] = input.store_url.trim();
    }
    const credentials = { settings, secrets: { apiKey: input.api_key } };
    const verified = await ctx.verify((a) => a.verifyConnection!(credentials));
    return { externalId: shopId, ...credentials, verified };
  },
});
