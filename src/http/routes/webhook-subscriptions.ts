import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import * as rs from '../response-schemas.js';
import type { HttpDeps } from '../deps.js';
import type { WebhookDelivery, WebhookDeliveryAttempt, WebhookSubscription } from '../../core/repos.js';
import { ERROR_CHARS, outboundEvents, responseExcerpt } from '../../core/webhooks/outbound.js';
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
        response: { 201: rs.CreatedWebhookSubscription },
        body: z.object({ url: httpUrl(2000), events: z.array(z.enum(outboundEvents)).min(1) }),
      },
    },
    async (req, reply) => {
      const { subscription, secret } = await deps.outbound.subscribe(req.auth.workspaceId, req.body);
      return reply.status(201).send({ ...view(subscription), secret });
    },
  );

  app.get('/webhook-subscriptions', { config: admin, schema: { tags: ['webhooks'], response: { 200: rs.WebhookSubscriptionList } } }, async (req) => ({ data: (await deps.outbound.list(req.auth.workspaceId)).map(view) }));

  app.delete('/webhook-subscriptions/:id', { config: admin, schema: { tags: ['webhooks'], params: idParams, response: { 204: rs.NoContent } } }, async (req, reply) => {
    await deps.outbound.remove(req.auth.workspaceId, req.params.id);
    return reply.status(204).send();
  });

  const deliveryParams = z.object({ id: z.string().min(1).max(100), deliveryId: z.string().min(1).max(100) });

  app.get(
    '/webhook-subscriptions/:id/deliveries',
    {
      config: admin,
      schema: {
        tags: ['webhooks'],
        summary: 'Deliveries, newest first, with their attempts count and last response; ?status=failed lists those that gave up',
        response: { 200: rs.WebhookDeliveryPage },
        params: idParams,
        querystring: z.object({
          status: z.enum(['pending', 'delivered', 'failed']).optional(),
          limit: z.coerce.number().int().min(1).max(200).default(100),
          before: z.string().min(1).max(100).optional().describe('the id of the last delivery of the previous page'),
        }),
      },
    },
    async (req) => {
      const items = await deps.outbound.deliveries(req.auth.workspaceId, req.params.id, { status: req.query.status, limit: req.query.limit, before: req.query.before });
      return { data: items.map(deliveryView), next_before: items.length === req.query.limit ? (items[items.length - 1]?.id ?? null) : null };
    },
  );

  app.get(
    '/webhook-subscriptions/:id/deliveries/:deliveryId',
    { config: admin, schema: { tags: ['webhooks'], summary: 'One delivery with every attempt made', params: deliveryParams, response: { 200: rs.WebhookDeliveryDetail } } },
    async (req) => {
      const { delivery, attempts } = await deps.outbound.delivery(req.auth.workspaceId, req.params.id, req.params.deliveryId);
      return { ...deliveryView(delivery), attempt_log: attempts.map(attemptView) };
    },
  );

  app.post(
    '/webhook-subscriptions/:id/deliveries/:deliveryId/redeliver',
    {
      config: admin,
      schema: {
        tags: ['webhooks'],
        summary: 'Send a failed (or delivered) delivery again now, once, with the same webhook-id; 409 while it is still being retried',
        response: { 202: rs.WebhookDelivery },
        params: deliveryParams,
      },
    },
    async (req, reply) => {
      const delivery = await deps.outbound.redeliver(req.auth.workspaceId, req.params.id, req.params.deliveryId);
      return reply.status(202).send(deliveryView(delivery));
    },
  );
};

const deliveryView = (d: WebhookDelivery) => ({
  id: d.id,
  event: d.event,
  status: d.status,
  attempts: d.attempts,
  response_status: d.responseStatus,
  // Only a short, cleaned excerpt of what the receiver answered (rows from before excerpts are cut here too).
  response_body: responseExcerpt(d.responseBody),
  error: responseExcerpt(d.error, ERROR_CHARS),
  payload: d.payload,
  created_at: iso(d.createdAt),
  delivered_at: iso(d.deliveredAt),
  next_attempt_at: iso(d.nextAttemptAt),
});

const attemptView = (a: WebhookDeliveryAttempt) => ({
  attempt: a.attempt,
  trigger: a.trigger,
  started_at: iso(a.startedAt),
  duration_ms: a.durationMs,
  response_status: a.responseStatus,
  response_body: a.responseExcerpt,
  error: a.error,
});
