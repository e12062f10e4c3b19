// Erasing a customer for a GDPR request: admins only (an agent answers customers; erasing one is the
// workspace owner's decision).
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { HttpDeps } from '../deps.js';
import { idParams } from '../views.js';
import { admin } from '../roles.js';
import { AppError } from '../../core/errors.js';
import { CustomerErasure } from '../../core/customers/erasure.js';

const receipt = z.object({ id: z.string(), customer_id: z.string(), erased_at: z.string(), counts: z.record(z.string(), z.number()) });

export const erasureRoutes = (deps: HttpDeps): FastifyPluginAsyncZod => async (app) => {
  const erasure = new CustomerErasure(deps.uow, deps.outbound);
  app.post(
    '/customers/:id/erase',
    {
      config: admin,
      schema: {
        tags: ['customers'],
        summary:
          'Erase a customer (GDPR): deletes them, their identities, conversations and messages, loyalty membership; scrubs their e-mail, phone, name and chat ids from orders, events, webhooks, notifications, tickets and contacts; keeps opt-outs as hashes. Admin only.',
        params: idParams,
        response: { 200: receipt },
      },
    },
    async (req) => {
      if (req.auth.role !== 'admin') throw new AppError('forbidden', 'only an admin of the workspace can erase a customer');
      const r = await erasure.erase(req.auth.workspaceId, req.params.id, req.auth.apiKeyId);
      return { id: r.id, customer_id: r.customerId, erased_at: new Date(r.erasedAt).toISOString(), counts: r.counts };
    },
  );
};
