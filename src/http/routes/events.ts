import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { eventTypes } from '../../core/events/model.js';
import type { NormalizedEvent } from '../../core/events/model.js';
import type { NotificationPlanner } from '../../core/notifications/planner.js';
import { invalidField } from '../../core/errors.js';

const address = z.object({
  name: z.string().max(200).nullish(),
  line1: z.string().max(500).nullish(),
  line2: z.string().max(500).nullish(),
  city: z.string().max(200).nullish(),
  state: z.string().max(200).nullish(),
  postal_code: z.string().max(50).nullish(),
  country: z.string().max(100).nullish(),
  phone: z.string().max(50).nullish(),
});

const order = z.object({
  id: z.string().min(1).max(200),
  name: z.string().min(1).max(200),
  customer_id: z.string().max(200).nullish(),
  customer_name: z.string().max(200).nullish(),
  email: z.string().email().max(320).nullish(),
  phone: z.string().max(50).nullish(),
  total: z.object({ amount: z.string().regex(/^-?\d+(\.\d+)?$/, 'must be a decimal number as a string'), currency: z.string().length(3) }).nullish(),
  financial_status: z.string().max(50).nullish(),
  fulfillment_status: z.string().max(50).nullish(),
  payment_method: z.string().max(200).nullish(),
  status_url: z.string().url().max(2000).nullish(),
  shipping_address: address.nullish(),
  lines: z.array(z.object({ sku: z.string().max(200).nullish(), title: z.string().min(1).max(500), quantity: z.number().int().min(0), price: z.string().max(50).nullish() })).max(500).default([]),
  created_at: z.string().datetime({ offset: true }).nullish(),
});

const pushedEvent = z.object({
  store_connection_id: z.string().min(1).max(100),
  type: z.enum(eventTypes),
  idempotency_key: z.string().min(1).max(200).optional(),
  occurred_at: z.string().datetime({ offset: true }).optional(),
  order: order.optional(),
  data: z.record(z.string(), z.unknown()).default({}),
});

export const eventRoutes = (planner: NotificationPlanner): FastifyPluginAsyncZod => async (app) => {
  app.post(
    '/events',
    {
      schema: {
        tags: ['events'],
        summary: 'Push a commerce event; the same idempotency key (body field or Idempotency-Key header) is recorded once',
        body: pushedEvent,
        headers: z.object({ 'idempotency-key': z.string().min(1).max(200).optional() }).passthrough(),
      },
    },
    async (req, reply) => {
      const b = req.body;
      const key = b.idempotency_key ?? req.headers['idempotency-key'];
      if (!key) throw invalidField('idempotency_key', 'required, in the body or as an Idempotency-Key header');
      const o = b.order;
      const event: NormalizedEvent = {
        type: b.type,
        idempotencyKey: `api:${b.store_connection_id}:${key}`,
        occurredAt: b.occurred_at ? Date.parse(b.occurred_at) : Date.now(),
        order: o
          ? {
              externalId: o.id,
              name: o.name,
              customerExternalId: o.customer_id ?? null,
              customerName: o.customer_name ?? null,
              email: o.email ?? null,
              phone: o.phone ?? null,
              total: o.total ?? null,
              financialStatus: o.financial_status ?? null,
              fulfillmentStatus: o.fulfillment_status ?? null,
              paymentMethod: o.payment_method ?? null,
              statusUrl: o.status_url ?? null,
              shippingAddress: o.shipping_address
                ? {
                    name: o.shipping_address.name ?? null,
                    line1: o.shipping_address.line1 ?? null,
                    line2: o.shipping_address.line2 ?? null,
                    city: o.shipping_address.city ?? null,
                    state: o.shipping_address.state ?? null,
                    postalCode: o.shipping_address.postal_code ?? null,
                    country: o.shipping_address.country ?? null,
                    phone: o.shipping_address.phone ?? null,
                  }
                : null,
              lines: o.lines.map((l) => ({ sku: l.sku ?? null, title: l.title, quantity: l.quantity, price: l.price ?? null })),
              createdAt: o.created_at ?? null,
            }
          : null,
        data: b.data,
      };
      const stored = await planner.recordPushedEvent(req.auth.workspaceId, b.store_connection_id, event);
      if (!stored) return reply.status(200).send({ duplicate: true, idempotency_key: key });
      return reply.status(201).send({ id: stored.id, type: stored.type, order_id: stored.orderId, duplicate: false, idempotency_key: key });
    },
  );
};
