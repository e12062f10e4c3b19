import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { NotificationPlanner } from '../../core/notifications/planner.js';
import { invalidField } from '../../core/errors.js';
import { pushedEvent, pushedToEvent } from '../../core/events/pushed.js';
import { admin } from '../roles.js';
import * as rs from '../response-schemas.js';

export const eventRoutes = (planner: NotificationPlanner): FastifyPluginAsyncZod => async (app) => {
  app.post(
    '/events',
    {
      config: admin,
      schema: {
        tags: ['events'],
        summary: 'Push a commerce event; the same idempotency key (body field or Idempotency-Key header) is recorded once',
        body: pushedEvent,
        headers: z.object({ 'idempotency-key': z.string().min(1).max(200).optional() }).passthrough(),
        response: { 201: rs.RecordedEvent, 200: rs.DuplicateEvent },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const key = b.idempotency_key ?? req.headers['idempotency-key'];
      if (!key) throw invalidField('idempotency_key', 'required, in the body or as an Idempotency-Key header');
      const event = pushedToEvent(b, key, `api:${b.store_connection_id}`);
      const stored = await planner.recordPushedEvent(req.auth.workspaceId, b.store_connection_id, event);
      if (!stored) return reply.status(200).send({ duplicate: true, idempotency_key: key });
      return reply.status(201).send({ id: stored.id, type: stored.type, order_id: stored.orderId, duplicate: false, idempotency_key: key });
    },
  );
};
