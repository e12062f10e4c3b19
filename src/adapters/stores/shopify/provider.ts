// Shopify as a provider: order webhooks signed with the shop's webhook secret; no API calls.
import { z } from 'zod';
import { defineStore } from '../../../core/connections/definition.js';
import { credential, field, nameField } from '../../../core/connections/fields.js';
import { AppError } from '../../../core/errors.js';
import { ShopifyAdapter } from './adapter.js';

export const shopifyProvider = defineStore({
  id: 'shopify',
  kind: 'store',
  label: 'Shopify',
  title: 'Shopify',
  credentials: z.object({
    name: nameField(),
    shop_domain: field(z.string().trim().min(1).max(255), { label: 'Shop domain', example: 'acme.myshopify.com' }),
    webhook_secret: field(credential(8, 500, { tooShort: 'must be the webhook signing secret shown by Shopify' }), {
      label: 'Webhook signing secret',
      secret: true,
      help: 'Settings › Notifications › Webhooks in the Shopify admin',
    }),
  }),
  webhooks: { paths: ['shopify'], published: 'shopify', signature: 'X-Shopify-Hmac-Sha256: <base64 HMAC-SHA256 of the body with the webhook secret>' },
  create: () => new ShopifyAdapter(),
  async connect(input) {
    const shopDomain = input.shop_domain.trim().toLowerCase();
    if (!/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/.test(shopDomain)) {
      throw new AppError('validation_failed', 'shop_domain: must be the shop’s myshopify.com domain, e.g. acme.myshopify.com', {
        fields: [{ field: 'shop_domain', message: 'must look like acme.myshopify.com' }],
      });
    }
    return { externalId: shopDomain, name: input.name?.trim() || shopDomain, settings: { shopDomain }, secrets: { webhookSecret: input.webhook_secret }, verified: null };
  },
});
