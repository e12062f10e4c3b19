// POST /v1/push takes seed 001's request bodies as they are written and answers with seed 001's bodies.
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { PushService } from '../../core/push/service.js';
import { AppError } from '../../core/errors.js';
import { admin } from '../roles.js';
import * as rs from '../response-schemas.js';
import { httpUrl } from '../url-fields.js';

const money = z.number().finite();

const receipt = z.object({
  recipient_name: z.string().min(1).max(200),
  order_number: z.string().min(1).max(200),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as USD'),
  payment_method: z.string().min(1).max(200),
  order_url: httpUrl().optional(),
  timestamp: z.union([z.number().int().nonnegative(), z.string().regex(/^\d+$/)]).optional(),
  address: z
    .object({ street_1: z.string().min(1), street_2: z.string().optional(), city: z.string().min(1), postal_code: z.string().min(1), state: z.string().min(1), country: z.string().min(1) })
    .optional(),
  summary: z.object({ subtotal: money.optional(), shipping_cost: money.optional(), total_tax: money.optional(), total_cost: money }),
  adjustments: z.array(z.object({ name: z.string().min(1), amount: money })).optional(),
  elements: z
    .array(z.object({ title: z.string().min(1).max(80), subtitle: z.string().max(80).optional(), quantity: z.number().int().min(0).optional(), price: money, currency: z.string().regex(/^[A-Z]{3}$/).optional(), image_url: httpUrl().optional() }))
    .max(100)
    .optional(),
});

const shipping = z.object({
  package_number: z.string().min(1).max(100),
  package_status: z.string().min(1).max(50),
  package_status_description: z.string().min(1).max(640),
  image_url: httpUrl().optional(),
  detailed_tracking_url: httpUrl().optional(),
  fb_first_name: z.string().max(100).optional(),
});

const body = z.object({
  request: z.object({
    method: z.literal('send_template'),
    id: z.string().min(1).max(200),
    page_id: z.string().regex(/^\d{5,25}$/, 'must be the numeric page id'),
    template_name: z.enum(['Order Receipt Push', 'Shipping Status Update Push']),
  }),
  recipient: z.object({ id: z.string().min(1).max(100) }),
  params: z.record(z.string(), z.unknown()),
});

/** Validates params for the named template, naming the first bad field (params.receipt.currency, ...). */
function parseParams<T>(schema: z.ZodType<T>, params: unknown): T {
  const parsed = schema.safeParse(params);
  if (parsed.success) return parsed.data;
  const fields = parsed.error.issues.map((i) => ({ field: ['params', ...i.path.map(String)].join('.'), message: i.message }));
  throw new AppError('validation_failed', fields.map((f) => `${f.field}: ${f.message}`).join('; '), { fields });
}

export const pushRoutes = (push: PushService): FastifyPluginAsyncZod => async (app) => {
  app.post(
    '/push',
    { config: admin, schema: { tags: ['push'], summary: 'Push an "Order Receipt Push" or "Shipping Status Update Push" to a Messenger PSID (seed 001)', body, response: { 200: rs.PushAccepted, 404: rs.PushRecipientNotFound } } },
    async (req, reply) => {
      const b = req.body;
      const common = { requestId: b.request.id, pageId: b.request.page_id, psid: b.recipient.id };
      const result =
        b.request.template_name === 'Order Receipt Push'
          ? await push.sendTemplate(req.auth.workspaceId, { ...common, template: 'Order Receipt Push', params: parseParams(z.object({ receipt }), b.params) })
          : await push.sendTemplate(req.auth.workspaceId, { ...common, template: 'Shipping Status Update Push', params: parseParams(shipping, b.params) });
      if (result.kind === 'recipient_not_found') {
        return reply.status(404).send({ error: { code: 10010, error_subcode: 0, type: '', message: 'Recipient not found', request_id: result.requestId } });
      }
      return reply.status(200).send({ request_id: result.requestId, recipient_id: result.recipientId });
    },
  );
};
