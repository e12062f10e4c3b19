// Events pushed by a merchant's own systems: through POST /v1/events, or as signed webhooks from the generic
// source. One schema and one mapping to the normalized event for both.
import { z } from 'zod';
import { eventTypes } from './model.js';
import type { NormalizedEvent } from './model.js';
import { httpUrl } from '../url-fields.js';

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
  status_url: httpUrl(2000).nullish(),
  shipping_address: address.nullish(),
  lines: z.array(z.object({ sku: z.string().max(200).nullish(), title: z.string().min(1).max(500), quantity: z.number().int().min(0), price: z.string().max(50).nullish() })).max(500).default([]),
  created_at: z.string().datetime({ offset: true }).nullish(),
});

export const pushedEventFields = z.object({
  type: z.enum(eventTypes),
  idempotency_key: z.string().min(1).max(200).optional(),
  occurred_at: z.string().datetime({ offset: true }).optional(),
  order: order.optional(),
  data: z.record(z.string(), z.unknown()).default({}),
});


export const pushedEvent = pushedEventFields.extend({ store_connection_id: z.string().min(1).max(100) });

export type PushedEventBody = z.infer<typeof pushedEventFields>;

/** The normalized event for a pushed body; keyPrefix scopes the merchant's idempotency key to its source. */
export function pushedToEvent(b: PushedEventBody, key: string, keyPrefix: string): NormalizedEvent {
  const o = b.order;
  return {
    type: b.type,
    idempotencyKey: `${keyPrefix}:${key}`,
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
}
