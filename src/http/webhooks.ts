// Inbound webhooks from store platforms and channels. The body is kept as raw bytes: signatures are
// computed over exactly what the provider sent. A stored delivery is acknowledged with 200 at once.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RawWebhook } from '../core/channels/ports.js';
import { AppError } from '../core/errors.js';
import type { HttpDeps } from './deps.js';

function rawWebhook(req: FastifyRequest): RawWebhook {
  const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
  const headers: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : v;
  return { body, headers, query: req.query as Record<string, string | undefined> };
}

interface Target {
  Params: { id: string };
}

export async function webhookRoutes(app: FastifyInstance, deps: HttpDeps): Promise<void> {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  const count = (source: string, outcome: string) => deps.metrics.webhooks.inc({ source, outcome });

  app.post<Target>('/webhooks/shopify/:id', { schema: { hide: true } }, async (req, reply) => {
    try {
      const receipt = await deps.ingress.receiveStoreWebhook('shopify', req.params.id, rawWebhook(req));
      count('shopify', receipt.duplicate ? 'duplicate' : 'stored');
      return reply.status(200).send({ received: true, duplicate: receipt.duplicate });
    } catch (err) {
      count('shopify', err instanceof AppError ? err.code : 'error');
      throw err;
    }
  });

  app.get<Target>('/webhooks/whatsapp/:id', { schema: { hide: true } }, async (req, reply) => {
    const challenge = await deps.ingress.verifyChannelSubscription('meta', req.params.id, req.query as Record<string, string | undefined>);
    return reply.status(200).type('text/plain').send(challenge);
  });

  app.post<Target>('/webhooks/whatsapp/:id', { schema: { hide: true } }, async (req, reply) => {
    try {
      const receipt = await deps.ingress.receiveChannelWebhook('meta', req.params.id, rawWebhook(req));
      count('whatsapp', receipt.duplicate ? 'duplicate' : 'stored');
      return reply.status(200).send({ received: true, duplicate: receipt.duplicate });
    } catch (err) {
      count('whatsapp', err instanceof AppError ? err.code : 'error');
      throw err;
    }
  });
}
