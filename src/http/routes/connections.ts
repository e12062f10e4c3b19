import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import * as rs from '../response-schemas.js';
import type { HttpDeps } from '../deps.js';
import { channelAccountView, idParams, storeConnectionView, templateView } from '../views.js';
import { admin, agent } from '../roles.js';
import { httpUrl } from '../url-fields.js';
import { credential, providerText } from '../credential-fields.js';

const shopifyConnection = z.object({
  platform: z.literal('shopify'),
  name: z.string().trim().min(1).max(200).optional(),
  shop_domain: z.string().trim().min(1).max(255),
  webhook_secret: credential(8, 500, { tooShort: 'must be the webhook signing secret shown by Shopify' }),
});

const shoplineConnection = z.object({
  platform: z.literal('shopline'),
  name: z.string().trim().min(1).max(200).optional(),
  handle: z.string().trim().min(1).max(100),
  access_token: credential(10, 4000),
  app_secret: credential(8, 500),
});

const cyberbizConnection = z.object({
  platform: z.literal('cyberbiz'),
  name: z.string().trim().min(1).max(200).optional(),
  shop_domain: z.string().trim().min(3).max(255),
  access_token: credential(10, 4000),
  app_secret: credential(8, 500),
});

const ninetyOneAppConnection = z.object({
  platform: z.literal('91app'),
  name: z.string().trim().min(1).max(200).optional(),
  shop_id: z.string().trim().min(1).max(12),
  api_key: credential(8, 500),
  store_url: httpUrl(500).optional(),
});

const eshopboxConnection = z.object({
  platform: z.literal('eshopbox'),
  name: z.string().trim().min(1).max(200).optional(),
  workspace: z.string().trim().min(1).max(100),
  external_channel_id: credential(0, 100, { trim: true }).optional(),
  client_id: credential(4, 500),
  client_secret: credential(8, 500),
  refresh_token: credential(8, 4000),
});

const genericSource = z.object({
  platform: z.literal('generic'),
  name: z.string().trim().min(1).max(200),
});

const empikplaceConnection = z.object({
  platform: z.literal('empikplace'),
  name: z.string().trim().min(1).max(200),
  api_key: credential(8, 500),
  shop_id: credential(0, 40, { trim: true }).optional(),
  customer_id_field_id: z.string().max(100),
  queue_id: z.string().max(100),
  category_id: z.string().max(100),
});

const storeConnection = z.discriminatedUnion('platform', [shopifyConnection, shoplineConnection, cyberbizConnection, ninetyOneAppConnection, eshopboxConnection, genericSource, empikplaceConnection]);

const twilioSmsAccount = z.object({
  channel: z.literal('sms'),
  provider: z.literal('twilio'),
  name: z.string().trim().min(1).max(200).optional(),
  account_sid: credential(1, 64, { trim: true }),
  auth_token: credential(8, 500),
  from: z.string().trim().max(20).optional(),
  messaging_service_sid: z.string().trim().regex(/^MG[0-9a-fA-F]{32}$/, 'must be a Messaging Service SID (MG followed by 32 hex characters)').optional(),
  owner: z.enum(['merchant', 'platform']).default('merchant'),
  rate_limit_per_second: z.number().int().min(1).max(10_000).optional(),
});

const smtpEmailAccount = z.object({
  channel: z.literal('email'),
  provider: z.literal('smtp'),
  name: z.string().trim().min(1).max(200).optional(),
  host: z.string().trim().min(1).max(255),
  port: z.number().int().min(1).max(65535),
  security: z.enum(['tls', 'starttls', 'none']),
  username: providerText(320).optional(),
  password: providerText(500).optional(),
  from_address: z.string().trim().max(320),
  from_name: providerText(200).trim().optional(),
  reply_to: z.string().trim().email().max(320).optional(),
  owner: z.enum(['merchant', 'platform']).default('merchant'),
  rate_limit_per_second: z.number().int().min(1).max(10_000).optional(),
});

const gupshupAccount = z.object({
  channel: z.literal('whatsapp'),
  provider: z.literal('gupshup'),
  name: z.string().trim().min(1).max(200).optional(),
  app_name: credential(1, 100, { trim: true }),
  source_number: z.string().trim().regex(/^\+?\d{8,15}$/, 'must be the registered WhatsApp number with country code'),
  api_key: credential(8, 500),
  owner: z.enum(['merchant', 'platform']).default('merchant'),
  rate_limit_per_second: z.number().int().min(1).max(10_000).optional(),
});

const messengerAccount = z.object({
  channel: z.literal('messenger'),
  provider: z.literal('meta-messenger'),
  name: z.string().trim().min(1).max(200).optional(),
  page_id: z.string().trim().regex(/^\d{5,25}$/, 'must be the numeric Facebook Page id'),
  page_access_token: credential(10, 2000),
  app_secret: credential(8, 500),
  verify_token: credential(8, 200).optional(),
  owner: z.enum(['merchant', 'platform']).default('merchant'),
});

const lineAccount = z.object({
  channel: z.literal('line'),
  provider: z.literal('line'),
  name: z.string().trim().min(1).max(200).optional(),
  channel_id: credential(0, 50, { trim: true }).optional(),
  channel_access_token: credential(10, 2000),
  channel_secret: credential(8, 200),
  owner: z.enum(['merchant', 'platform']).default('merchant'),
});

const whatsappCloudAccount = z.object({
  channel: z.literal('whatsapp'),
  provider: z.literal('meta'),
  name: z.string().trim().min(1).max(200).optional(),
  phone_number_id: z.string().trim().regex(/^\d{5,25}$/, 'must be the numeric phone number id from WhatsApp Manager'),
  waba_id: z.string().trim().regex(/^\d{5,25}$/, 'must be the numeric WhatsApp Business Account id'),
  access_token: credential(10, 2000),
  app_secret: credential(8, 500),
  verify_token: credential(8, 200).optional(),
  owner: z.enum(['merchant', 'platform']).default('merchant'),
  rate_limit_per_second: z.number().int().min(1).max(10_000).optional(),
});

export const connectionRoutes = (deps: HttpDeps): FastifyPluginAsyncZod => async (app) => {
  // Read at request time: with PORT=0 the public URL is known only once the server listens.
  const storeView = (c: Parameters<typeof storeConnectionView>[0]) => storeConnectionView(c, deps.connections.maskedSecrets(c.sealedSecrets), deps.config.http.publicUrl);
  const accountView = (a: Parameters<typeof channelAccountView>[0]) => channelAccountView(a, deps.connections.maskedSecrets(a.sealedSecrets), deps.config.http.publicUrl);

  app.post(
    '/store-connections',
    { config: admin, schema: { tags: ['connections'], summary: 'Connect a store; the response has the webhook URL to register with it', body: storeConnection, response: { 201: rs.CreatedStoreConnection } } },
    async (req, reply) => {
      const b = req.body;
      const ws = req.auth.workspaceId;
      switch (b.platform) {
        case 'shopify':
          return reply.status(201).send(storeView(await deps.connections.createShopifyConnection(ws, { name: b.name, shopDomain: b.shop_domain, webhookSecret: b.webhook_secret })));
        case 'shopline':
          return reply.status(201).send(storeView(await deps.connections.createShoplineConnection(ws, { name: b.name, handle: b.handle, accessToken: b.access_token, appSecret: b.app_secret })));
        case 'cyberbiz':
          return reply.status(201).send(storeView(await deps.connections.createCyberbizConnection(ws, { name: b.name, shopDomain: b.shop_domain, accessToken: b.access_token, appSecret: b.app_secret })));
        case '91app':
          return reply.status(201).send(storeView(await deps.connections.createNinetyOneAppConnection(ws, { name: b.name, shopId: b.shop_id, apiKey: b.api_key, storeUrl: b.store_url })));
        case 'eshopbox': {
          const { connection, webhookKey } = await deps.connections.createEshopboxConnection(ws, {
            name: b.name,
            workspace: b.workspace,
            externalChannelId: b.external_channel_id,
            clientId: b.client_id,
            clientSecret: b.client_secret,
            refreshToken: b.refresh_token,
          });
          const view = storeView(connection);
          // Shown once: Eshopbox does not sign webhooks; register them with this header (or use the callback URL).
          return reply.status(201).send({ ...view, webhook_headers: { 'x-api-key': webhookKey }, callback_url: `${view.webhook_url}?key=${encodeURIComponent(webhookKey)}` });
        }
        case 'empikplace': {
          const connection = await deps.tickets.connectEmpikPlace(ws, {
            name: b.name,
            apiKey: b.api_key,
            shopId: b.shop_id,
            customerIdFieldId: b.customer_id_field_id,
            queueId: b.queue_id,
            categoryId: b.category_id,
          });
          return reply.status(201).send(storeView(connection));
        }
        case 'generic': {
          const { connection, signingSecret } = await deps.connections.createGenericSource(ws, { name: b.name });
          // Shown once: sign each post with it (Shoptalk-Signature: t=…,v1=HMAC-SHA256(secret, "t.body")).
          return reply.status(201).send({ ...storeView(connection), signing_secret: signingSecret });
        }
      }
    },
  );

  app.get('/store-connections', { config: admin, schema: { tags: ['connections'], summary: 'List store connections', response: { 200: rs.StoreConnectionList } } }, async (req) => ({
    data: (await deps.connections.listStoreConnections(req.auth.workspaceId)).map(storeView),
  }));

  app.get('/store-connections/:id', { config: admin, schema: { tags: ['connections'], params: idParams, response: { 200: rs.StoreConnection } } }, async (req) =>
    storeView(await deps.connections.getStoreConnection(req.auth.workspaceId, req.params.id)),
  );

  app.post('/store-connections/:id/verify', { config: admin, schema: { tags: ['connections'], summary: 'Re-verify the stored credentials with the store platform', params: idParams, response: { 200: rs.StoreConnection } } }, async (req) => {
    const connection = await deps.connections.getStoreConnection(req.auth.workspaceId, req.params.id);
    if (connection.platform === 'empikplace') {
      await deps.tickets.reverify(req.auth.workspaceId, connection);
      return storeView(await deps.connections.getStoreConnection(req.auth.workspaceId, req.params.id));
    }
    return storeView(await deps.connections.reverifyStoreConnection(req.auth.workspaceId, req.params.id));
  });

  app.delete('/store-connections/:id', { config: admin, schema: { tags: ['connections'], params: idParams, response: { 204: rs.NoContent } } }, async (req, reply) => {
    await deps.connections.removeStoreConnection(req.auth.workspaceId, req.params.id);
    return reply.status(204).send();
  });

  app.post(
    '/channel-accounts',
    {
      config: admin,
      schema: {
        tags: ['connections'],
        summary: 'Connect a channel account; it is verified against the provider first',
        response: { 201: rs.CreatedChannelAccount },
        body: z.discriminatedUnion('provider', [whatsappCloudAccount, gupshupAccount, messengerAccount, lineAccount, twilioSmsAccount, smtpEmailAccount]),
      },
    },
    async (req, reply) => {
      const b = req.body;
      if (b.provider === 'gupshup') {
        const { account, callbackToken } = await deps.connections.createGupshupAccount(req.auth.workspaceId, {
          name: b.name,
          appName: b.app_name,
          sourceNumber: b.source_number,
          apiKey: b.api_key,
          owner: b.owner,
          rateLimitPerSecond: b.rate_limit_per_second,
        });
        const view = accountView(account);
        // Shown once: Gupshup does not sign callbacks, so this URL's token is what authenticates them.
        return reply.status(201).send({ ...view, callback_url: `${view.webhook_url}?token=${encodeURIComponent(callbackToken)}` });
      }
      if (b.provider === 'twilio') {
        const created = await deps.connections.createTwilioSmsAccount(req.auth.workspaceId, {
          name: b.name,
          accountSid: b.account_sid,
          authToken: b.auth_token,
          from: b.from,
          messagingServiceSid: b.messaging_service_sid,
          owner: b.owner,
          rateLimitPerSecond: b.rate_limit_per_second,
        });
        return reply.status(201).send(accountView(created));
      }
      if (b.provider === 'smtp') {
        const { account, webhookSecret } = await deps.connections.createSmtpEmailAccount(req.auth.workspaceId, {
          name: b.name,
          host: b.host,
          port: b.port,
          security: b.security,
          username: b.username,
          password: b.password,
          fromAddress: b.from_address,
          fromName: b.from_name,
          replyTo: b.reply_to,
          owner: b.owner,
          rateLimitPerSecond: b.rate_limit_per_second,
        });
        // Shown once: the mail relay signs inbound mail and bounce reports with it.
        return reply.status(201).send({ ...accountView(account), webhook_secret: webhookSecret });
      }
      if (b.provider === 'meta-messenger') {
        const created = await deps.connections.createMessengerAccount(req.auth.workspaceId, {
          name: b.name,
          pageId: b.page_id,
          pageAccessToken: b.page_access_token,
          appSecret: b.app_secret,
          verifyToken: b.verify_token,
          owner: b.owner,
        });
        return reply.status(201).send(accountView(created));
      }
      if (b.provider === 'line') {
        const created = await deps.connections.createLineAccount(req.auth.workspaceId, {
          name: b.name,
          channelId: b.channel_id,
          channelAccessToken: b.channel_access_token,
          channelSecret: b.channel_secret,
          owner: b.owner,
        });
        return reply.status(201).send(accountView(created));
      }
      const created = await deps.connections.createWhatsAppCloudAccount(req.auth.workspaceId, {
        name: b.name,
        phoneNumberId: b.phone_number_id,
        wabaId: b.waba_id,
        accessToken: b.access_token,
        appSecret: b.app_secret,
        verifyToken: b.verify_token,
        owner: b.owner,
        rateLimitPerSecond: b.rate_limit_per_second,
      });
      return reply.status(201).send(accountView(created));
    },
  );

  app.get('/channel-accounts', { config: admin, schema: { tags: ['connections'], querystring: z.object({ channel: z.string().optional() }), response: { 200: rs.ChannelAccountList } } }, async (req) => ({
    data: (await deps.connections.listChannelAccounts(req.auth.workspaceId, req.query.channel)).map(accountView),
  }));

  app.get('/channel-accounts/:id', { config: admin, schema: { tags: ['connections'], params: idParams, response: { 200: rs.ChannelAccount } } }, async (req) =>
    accountView(await deps.connections.getChannelAccount(req.auth.workspaceId, req.params.id)),
  );

  app.post('/channel-accounts/:id/verify', { config: admin, schema: { tags: ['connections'], summary: 'Re-verify the stored credentials with the provider', params: idParams, response: { 200: rs.ChannelAccount } } }, async (req) =>
    accountView(await deps.connections.reverifyChannelAccount(req.auth.workspaceId, req.params.id)),
  );

  app.get('/channel-accounts/:id/templates', { config: admin, schema: { tags: ['connections'], summary: 'Templates with their approval status, live from the provider', params: idParams, response: { 200: rs.TemplateList } } }, async (req) => ({
    data: (await deps.connections.listTemplates(req.auth.workspaceId, req.params.id)).map(templateView),
  }));

  const channels = ['whatsapp', 'messenger', 'line', 'sms', 'email'] as const;

  app.get('/channel-selection', { config: agent, schema: { tags: ['connections'], summary: 'The sending account of each channel, and how it was chosen', response: { 200: rs.ChannelSelectionList } } }, async (req) => ({
    data: await Promise.all(
      channels.map(async (channel) => {
        const s = await deps.connections.sendingAccount(req.auth.workspaceId, channel);
        return {
          channel,
          channel_account_id: s.account?.id ?? null,
          how: s.how,
          accounts: s.installed.map((a) => ({ id: a.id, name: a.name, owner: a.owner, provider: a.provider, installed_at: new Date(a.createdAt).toISOString() })),
          install: s.how === 'none' ? { method: 'POST', path: '/v1/channel-accounts', message: `no ${channel} account is installed` } : null,
        };
      }),
    ),
  }));

  app.put(
    '/channel-selection/:channel',
    {
      config: admin,
      schema: {
        tags: ['connections'],
        summary: 'Select the account that sends for a channel',
        response: { 200: rs.ChannelSelected },
        params: z.object({ channel: z.enum(channels) }),
        body: z.object({ channel_account_id: z.string().min(1).max(100) }),
      },
    },
    async (req) => {
      await deps.connections.selectSendingAccount(req.auth.workspaceId, req.params.channel, req.body.channel_account_id);
      const s = await deps.connections.sendingAccount(req.auth.workspaceId, req.params.channel);
      return { channel: req.params.channel, channel_account_id: s.account?.id ?? null, how: s.how };
    },
  );

  app.delete('/channel-accounts/:id', { config: admin, schema: { tags: ['connections'], params: idParams, response: { 204: rs.NoContent } } }, async (req, reply) => {
    await deps.connections.removeChannelAccount(req.auth.workspaceId, req.params.id);
    return reply.status(204).send();
  });
};
