// CYBERBIZ as a provider: the App Store API with the shop's token, webhooks signed with the app secret.
import { z } from 'zod';
import { defineStore } from '../../../core/connections/definition.js';
import { credential, field, nameField } from '../../../core/connections/fields.js';
import { invalidField } from '../../../core/errors.js';
import { CyberbizAdapter } from './adapter.js';

export const cyberbizProvider = defineStore({
  id: 'cyberbiz',
  kind: 'store',
  label: 'CYBERBIZ',
  title: 'CYBERBIZ',
  credentials: z.object({
    name: nameField(),
    shop_domain: field(z.string().trim().min(3).max(255), { label: 'Shop domain', help: 'the X-Cyberbiz-Domain of its webhooks', example: 'acme.cyberbiz.co' }),
    access_token: field(credential(10, 4000), { label: 'Access token', secret: true }),
    app_secret: field(credential(8, 500), { label: 'App secret', secret: true }),
  }),
  webhooks: { paths: ['cyberbiz'], published: 'cyberbiz', signature: 'X-Cyberbiz-Hmac-Sha256: <HMAC-SHA256 of the body with the app secret>, for the shop in X-Cyberbiz-Domain' },
  baseUrls: [{ env: 'SHOPTALK_CYBERBIZ_API_URL', key: 'cyberbizApiUrl', default: 'https://app-store-api.cyberbiz.io' }],
  create: (ctx) => new CyberbizAdapter({ baseUrl: ctx.url('cyberbizApiUrl') }),
  async connect(input, ctx) {
    const shopDomain = input.shop_domain.trim().toLowerCase().replace(/^https?:\/\//, '').replace(/\/.*$/, '');
    if (!/^[a-z0-9][a-z0-9.-]*\.[a-z]{2,}$/.test(shopDomain)) throw invalidField('shop_domain', 'must be the shop’s CYBERBIZ domain, e.g. example.cyberbiz.co');
    const credentials = { settings: { shopDomain }, secrets: { accessToken: input.access_token, appSecret: input.app_secret } };
    const verified = await ctx.verify((a) => a.verifyConnection!(credentials));
    return { externalId: shopDomain, ...credentials, verified };
  },
});
