// Inbound webhooks from store platforms and channels. The body is kept as raw bytes: signatures are
// computed over exactly what the provider sent. A stored delivery is acknowledged with 200 at once.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { WebhookReceipt } from '../core/notifications/ingress.js';
import type { RawWebhook } from '../core/channels/ports.js';
import { AppError } from '../core/errors.js';
import type { HttpDeps } from './deps.js';
import { channelWebhookPath } from './views.js';

function rawWebhook(req: FastifyRequest, publicUrl: string): RawWebhook {
  const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
  const headers: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : v;
  // The URL as the provider called it: the configured public base (a proxy may sit in front) + path and query.
  return { body, headers, query: req.query as Record<string, string | undefined>, url: publicUrl + req.url };
}

interface Target {
  Params: { id: string };
}

export async function webhookRoutes(app: FastifyInstance, deps: HttpDeps): Promise<void> {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  // Stores the delivery (or recognises a duplicate), counts the outcome, and acknowledges with 200.
  const receive = async (source: string, reply: FastifyReply, work: () => Promise<WebhookReceipt>) => {
    try {
      const receipt = await work();
      deps.metrics.webhooks.inc({ source, outcome: receipt.duplicate ? 'duplicate' : 'stored' });
      return reply.status(200).send({ received: true, duplicate: receipt.duplicate });
    } catch (err) {
      deps.metrics.webhooks.inc({ source, outcome: err instanceof AppError ? err.code : 'error' });
      throw err;
    }
  };

  for (const platform of ['shopify', 'shopline']) {
    app.post<Target>(`/webhooks/${platform}/:id`, { schema: { hide: true } }, (req, reply) =>
      receive(platform, reply, () => deps.ingress.receiveStoreWebhook(platform, req.params.id, rawWebhook(req, deps.config.http.publicUrl))),
    );
  }

  // Meta's subscription handshake, for the WhatsApp Cloud API and Messenger webhooks.
  for (const [path, provider] of Object.entries({ whatsapp: 'meta', messenger: 'meta-messenger' })) {
    app.get<Target>(`/webhooks/${path}/:id`, { schema: { hide: true } }, async (req, reply) => {
      const challenge = await deps.ingress.verifyChannelSubscription(provider, req.params.id, req.query as Record<string, string | undefined>);
      return reply.status(200).type('text/plain').send(challenge);
    });
  }

  for (const [provider, path] of Object.entries(channelWebhookPath)) {
    app.post<Target>(`/webhooks/${path}/:id`, { schema: { hide: true } }, (req, reply) =>
      receive(path, reply, () => deps.ingress.receiveChannelWebhook(provider, req.params.id, rawWebhook(req, deps.config.http.publicUrl))),
    );
  }
}
