// SHOPLINE as a provider: the Admin API per store handle, webhooks signed with the app secret.
import { z } from 'zod';
import { defineStore } from '../../../core/connections/definition.js';
import { credential, field, nameField } from '../../../core/connections/fields.js';
import { AppError } from '../../../core/errors.js';
import { ShoplineAdapter } from './adapter.js';

export const shoplineProvider = defineStore({
  id: 'shopline',
  kind: 'store',
  label: 'SHOPLINE',
  title: 'SHOPLINE',
  credentials: z.object({
    name: nameField(),
    handle: field(z.string().trim().min(1).max(100), { label: 'Store handle', help: 'open001 for open001.myshopline.com', example: 'open001' }),
    access_token: field(credential(10, 4000), { label: 'Access token', secret: true }),
    app_secret: field(credential(8, 500), { label: 'App secret', secret: true, help: 'the app secret SHOPLINE signs webhooks with' }),
  }),
  webhooks: { paths: ['shopline'], published: 'shopline', signature: 'X-Shopline-Hmac-Sha256: <hex or base64 HMAC-SHA256 of the body with the app secret>' },
  baseUrls: [
    {
      env: 'SHOPTALK_SHOPLINE_API_URL',
      key: 'shoplineApiUrl',
      default: 'https://{handle}.myshopline.com/admin/openapi/v20260301',
      requires: '{handle}',
      simulatorPath: '/{handle}/admin/openapi/v20260301',
    },
  ],
  create: (ctx) => new ShoplineAdapter({ baseUrlFor: (handle) => ctx.url('shoplineApiUrl').replace('{handle}', handle) }),
  async connect(input, ctx) {
    const handle = input.handle.trim().toLowerCase().replace(/\.myshopline\.com$/, '');
    if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(handle)) {
      throw new AppError('validation_failed', 'handle: must be the store handle, e.g. open001 for open001.myshopline.com', { fields: [{ field: 'handle', message: 'not a store handle' }] });
    }
    const credentials = { settings: { handle }, secrets: { accessToken: input.access_token, appSecret: input.app_secret } };
    const verified = await ctx.verify((a) => a.verifyConnection!(credentials));
    return { externalId: handle, ...credentials, verified };
  },
});
