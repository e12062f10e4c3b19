import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import * as rs from '../response-schemas.js';
import type { HttpDeps } from '../deps.js';
import { channelAccountView, idParams, storeConnectionView, templateView } from '../views.js';
import { admin, agent } from '../roles.js';
import { providerCatalogue } from '../../adapters/registry.js';
import { AppError } from '../../core/errors.js';
import { describeProvider } from '../../core/connections/definition.js';

// The request bodies, made from the providers' definitions: a store (or marketplace) body is its form's fields
// with `platform`; a channel account body adds `channel` and `provider`.
const [firstStore, ...otherStores] = providerCatalogue.stores().map((d) => z.object({ platform: z.literal(d.id), ...d.credentials.shape }));
const storeConnection = z.discriminatedUnion('platform', [firstStore!, ...otherStores]);
const [firstChannel, ...otherChannels] = providerCatalogue.channels().map((d) => z.object({ channel: z.literal(d.channel), provider: z.literal(d.id), ...d.credentials.shape }));
const channelAccount = z.discriminatedUnion('provider', [firstChannel!, ...otherChannels]);

export const connectionRoutes = (deps: HttpDeps): FastifyPluginAsyncZod => async (app) => {
  // Read at request time: with PORT=0 the public URL is known only once the server listens.
  const storeView = (c: Parameters<typeof storeConnectionView>[0]) => storeConnectionView(c, deps.connections.maskedSecrets(c.sealedSecrets), deps.config.http.publicUrl);
  const accountView = (a: Parameters<typeof channelAccountView>[0]) => channelAccountView(a, deps.connections.maskedSecrets(a.sealedSecrets), deps.config.http.publicUrl);

  app.post(
    '/store-connections',
    { config: admin, schema: { tags: ['connections'], summary: 'Connect a store; the response has the webhook URL to register with it', body: storeConnection, response: { 201: rs.CreatedStoreConnection } } },
    async (req, reply) => {
      const { platform, ...input } = req.body;
      const created = await deps.connections.connect(req.auth.workspaceId, platform, input);
      if (created.kind !== 'store') throw new AppError('validation_failed', `platform: ${platform} is not a store`);
      const view = storeView(created.connection);
      // Shown once: generated secrets (a signing secret, a webhook key) and the URLs that carry them.
      return reply.status(201).send({ ...view, ...created.once });
    },
  );

  // Every provider with its connect form, from the registry: the console renders its forms from this.
  app.get('/providers', { config: agent, schema: { tags: ['connections'], summary: 'The providers a workspace can connect, and the fields of each connect form', response: { 200: rs.ProviderList } } }, async () => ({
    data: providerCatalogue.all.map((d) => {
      const fixed: Record<string, string> = d.kind === 'channel' ? { channel: d.channel, provider: d.id } : { platform: d.id };
      return { ...describeProvider(d), connect: { method: 'POST', path: d.kind === 'channel' ? '/v1/channel-accounts' : '/v1/store-connections', fixed } };
    }),
  }));

  app.get('/store-connections', { config: admin, schema: { tags: ['connections'], summary: 'List store connections', response: { 200: rs.StoreConnectionList } } }, async (req) => ({
    data: (await deps.connections.listStoreConnections(req.auth.workspaceId)).map(storeView),
  }));

  app.get('/store-connections/:id', { config: admin, schema: { tags: ['connections'], params: idParams, response: { 200: rs.StoreConnection } } }, async (req) =>
    storeView(await deps.connections.getStoreConnection(req.auth.workspaceId, req.params.id)),
  );

  app.post('/store-connections/:id/verify', { config: admin, schema: { tags: ['connections'], summary: 'Re-verify the stored credentials with the store platform', params: idParams, response: { 200: rs.StoreConnection } } }, async (req) => {
    const connection = await deps.connections.getStoreConnection(req.auth.workspaceId, req.params.id);
    if (providerCatalogue.get(connection.platform)?.kind === 'marketplace') {
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
        body: channelAccount,
      },
    },
    async (req, reply) => {
      const { channel: _channel, provider, ...input } = req.body;
      const created = await deps.connections.connect(req.auth.workspaceId, provider, input);
      if (created.kind !== 'channel') throw new AppError('validation_failed', `provider: ${provider} is not a channel provider`);
      // Shown once: generated secrets (a callback token, a webhook secret) and the URLs that carry them.
      return reply.status(201).send({ ...accountView(created.account), ...created.once });
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
