import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { HttpDeps } from '../deps.js';
import type { WebhookSubscription } from '../../core/repos.js';
import { outboundEvents } from '../../core/webhooks/outbound.js';
import { idParams, iso } from '../views.js';
import { admin } from '../roles.js';
import { httpUrl } from '../url-fields.js';

const view = (s: WebhookSubscription) => ({ id: s.id, url: s.url, events: s.events, created_at: iso(s.createdAt) });

export const webhookSubscriptionRoutes = (deps: HttpDeps): FastifyPluginAsyncZod => async (app) => {
  app.post(
    '/webhook-subscriptions',
    {
      config: admin,
      schema: {
        tags: ['webhooks'],
        summary: 'Subscribe a URL to message and activity events; the signing secret is in this response only',
        body: z.object({ url: httpUrl(2000), events: z.array(z.enum(outboundEvents)).min(1) }),
      },
    },
    async (req, reply) => {
      const { subscription, secret } = await deps.outbound.subscribe(req.auth.workspaceId, req.body);
      return reply.status(201).send({ ...view(subscription), secret });
    },
  );

  app.get('/webhook-subscriptions', { config: admin, schema: { tags: ['webhooks'] } }, async (req) => ({ data: (await deps.outbound.list(req.auth.workspaceId)).map(view) }));

  app.delete('/webhook-subscriptions/:id', { config: admin, schema: { tags: ['webhooks'], params: idParams } }, async (req, reply) => {
    await deps.outbound.remove(req.auth.workspaceId, req.params.id);
    return reply.status(204).send();
  });

  app.get('/webhook-subscriptions/:id/deliveries', { config: admin, schema: { tags: ['webhooks'], summary: 'Recent deliveries with their attempts and last response', params: idParams } }, async (req) => ({
    data: (await deps.outbound.deliveries(req.auth.workspaceId, req.params.id)).map((d) => ({
      id: d.id,
      event: d.event,
      status: d.status,
      attempts: d.attempts,
      response_status: d.responseStatus,
      response_body: d.responseBody,
      error: d.error,
      payload: d.payload,
      created_at: iso(d.createdAt),
      delivered_at: iso(d.deliveredAt),
    })),
  }));
};
