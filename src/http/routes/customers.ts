import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import * as rs from '../response-schemas.js';
import type { HttpDeps } from '../deps.js';
import { customerView, idParams, optOutView, pageQuery } from '../views.js';
import { identityKinds } from '../../core/repos.js';
import { channelIds } from '../../core/channels/profile.js';
import { agent } from '../roles.js';

const identity = z.object({
  kind: z.enum(identityKinds),
  value: z.string().trim().min(1).max(320),
  channel_account_id: z.string().max(100).optional(),
  store_connection_id: z.string().max(100).optional(),
});

const contact = {
  name: z.string().trim().max(200).nullish(),
  email: z.string().trim().max(320).nullish(),
  phone: z.string().trim().max(40).nullish(),
};

const toIdentity = (i: z.infer<typeof identity>) => ({ kind: i.kind, value: i.value, channelAccountId: i.channel_account_id, storeConnectionId: i.store_connection_id });

export const customerRoutes = (deps: HttpDeps): FastifyPluginAsyncZod => async (app) => {
  app.post(
    '/customers',
    {
      config: agent,
      schema: {
        tags: ['customers'],
        summary: 'Create a customer with identities (LINE user id and Messenger PSID per account, store customer id per store connection, e-mail, phone)',
        body: z.object({ ...contact, identities: z.array(identity).max(50).default([]) }),
        response: { 201: rs.Customer },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const created = await deps.customers.create(req.auth.workspaceId, { name: b.name, email: b.email, phone: b.phone, identities: b.identities.map(toIdentity) });
      return reply.status(201).send(customerView(created));
    },
  );

  app.get('/customers', { config: agent, schema: { tags: ['customers'], summary: 'Customers, newest first; query matches parts of the name, e-mail, an identity, or a phone number in any format', querystring: pageQuery.extend({ query: z.string().max(320).optional() }), response: { 200: rs.CustomerPage } } }, async (req) => {
    const page = await deps.uow.repos.customers.list(req.auth.workspaceId, { limit: req.query.limit, cursor: req.query.cursor ?? null, query: req.query.query ?? null });
    return { data: page.items.map(customerView), next_cursor: page.nextCursor };
  });

  app.get('/customers/:id', { config: agent, schema: { tags: ['customers'], params: idParams, response: { 200: rs.Customer } } }, async (req) => customerView(await deps.customers.get(req.auth.workspaceId, req.params.id)));

  app.patch('/customers/:id', { config: agent, schema: { tags: ['customers'], params: idParams, body: z.object(contact), response: { 200: rs.Customer } } }, async (req) =>
    customerView(await deps.customers.update(req.auth.workspaceId, req.params.id, req.body)),
  );

  app.delete('/customers/:id', { config: agent, schema: { tags: ['customers'], params: idParams, response: { 204: rs.NoContent } } }, async (req, reply) => {
    await deps.customers.remove(req.auth.workspaceId, req.params.id);
    return reply.status(204).send();
  });

  app.post('/customers/:id/identities', { config: agent, schema: { tags: ['customers'], summary: 'Link one more identity to the customer', params: idParams, body: identity, response: { 201: rs.Customer } } }, async (req, reply) =>
    reply.status(201).send(customerView(await deps.customers.addIdentity(req.auth.workspaceId, req.params.id, toIdentity(req.body)))),
  );

  app.delete(
    '/customers/:id/identities/:identity_id',
    { config: agent, schema: { tags: ['customers'], summary: 'Unlink an identity', params: z.object({ id: z.string().max(100), identity_id: z.string().max(100) }), response: { 204: rs.NoContent } } },
    async (req, reply) => {
      await deps.customers.removeIdentity(req.auth.workspaceId, req.params.id, req.params.identity_id);
      return reply.status(204).send();
    },
  );

  app.get('/opt-outs', { config: agent, schema: { tags: ['customers'], summary: 'Addresses that asked not to be messaged, per channel', querystring: pageQuery.extend({ channel: z.string().max(20).optional() }), response: { 200: rs.OptOutPage } } }, async (req) => {
    const page = await deps.optOuts.list(req.auth.workspaceId, { channel: req.query.channel ?? null, limit: req.query.limit, cursor: req.query.cursor ?? null });
    return { data: page.items.map(optOutView), next_cursor: page.nextCursor };
  });

  app.post(
    '/opt-outs',
    { config: agent, schema: { tags: ['customers'], summary: 'Record an opt-out (e.g. from your own unsubscribe list)', body: z.object({ channel: z.enum(channelIds), address: z.string().trim().min(1).max(320) }), response: { 201: rs.OptOutResult, 200: rs.OptOutResult } } },
    async (req, reply) => {
      const r = await deps.optOuts.add(req.auth.workspaceId, req.body.channel, req.body.address, 'api');
      return reply.status(r.created ? 201 : 200).send({ channel: r.channel, address: r.address, created: r.created });
    },
  );

  app.delete(
    '/opt-outs/:channel/:address',
    { config: agent, schema: { tags: ['customers'], summary: 'Remove an opt-out (the customer asked to be messaged again)', params: z.object({ channel: z.string().max(20), address: z.string().max(320) }), response: { 204: rs.NoContent } } },
    async (req, reply) => {
      await deps.optOuts.remove(req.auth.workspaceId, req.params.channel, req.params.address);
      return reply.status(204).send();
    },
  );
};
