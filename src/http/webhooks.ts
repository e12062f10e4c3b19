// Inbound webhooks from store platforms and channels. The body is kept as raw bytes: signatures are
// computed over exactly what the provider sent. A stored delivery is acknowledged with 200 at once.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { WebhookReceipt } from '../core/notifications/ingress.js';
import type { RawWebhook } from '../core/channels/ports.js';
import { AppError } from '../core/errors.js';
import type { HttpDeps } from './deps.js';
import { providerCatalogue } from '../adapters/registry.js';
import { htmlPage } from './security-headers.js';
import { inSpan, SpanKind } from '../tracing.js';

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
  const receive = async (source: string, reply: FastifyReply, work: () => Promise<WebhookReceipt>, answer: 'json' | 'twiml' = 'json') => {
    try {
      // With tracing on, the root of the trace that follows this delivery through its jobs to the sends. A trace
      // header on the request is not followed: the caller is outside the installation.
      const receipt = await inSpan(`webhook ${source}`, { kind: SpanKind.SERVER, parent: null, attributes: { 'shoptalk.webhook.source': source } }, async (span) => {
        const r = await work();
        span?.setAttribute('shoptalk.webhook.duplicate', r.duplicate);
        return r;
      });
      deps.metrics.webhooks.inc({ source, outcome: receipt.duplicate ? 'duplicate' : 'stored' });
      // Twilio reads the answer to an inbound SMS as TwiML: an empty Response sends no auto-reply.
      if (answer === 'twiml') return reply.status(200).type('text/xml').send('<?xml version="1.0" encoding="UTF-8"?><Response></Response>');
      return reply.status(200).send({ received: true, duplicate: receipt.duplicate });
    } catch (err) {
      deps.metrics.webhooks.inc({ source, outcome: err instanceof AppError ? err.code : 'error' });
      throw err;
    }
  };

  // Each provider's webhooks, from its definition: POST /webhooks/<segment>/<id> on the provider id and on the
  // old names kept as aliases (/webhooks/sms for Twilio), plus Meta's subscription handshake where it has one.
  // The metrics count them under the segment the API hands out, as before.
  for (const definition of providerCatalogue.all) {
    const hooks = definition.webhooks;
    if (!hooks || definition.kind === 'marketplace') continue;
    const id = definition.id;
    for (const segment of hooks.paths) {
      if (definition.kind === 'store') {
        app.post<Target>(`/webhooks/${segment}/:id`, { schema: { hide: true } }, (req, reply) =>
          receive(hooks.published, reply, () => deps.ingress.receiveStoreWebhook(id, req.params.id, rawWebhook(req, deps.config.http.publicUrl)), hooks.reply),
        );
        continue;
      }
      if (hooks.handshake) {
        app.get<Target>(`/webhooks/${segment}/:id`, { schema: { hide: true } }, async (req, reply) => {
          const challenge = await deps.ingress.verifyChannelSubscription(id, req.params.id, req.query as Record<string, string | undefined>);
          return reply.status(200).type('text/plain').send(challenge);
        });
      }
      app.post<Target>(`/webhooks/${segment}/:id`, { schema: { hide: true } }, (req, reply) =>
        receive(hooks.published, reply, () => deps.ingress.receiveChannelWebhook(id, req.params.id, rawWebhook(req, deps.config.http.publicUrl)), hooks.reply),
      );
    }
  }

  // The workspace's Meta URL: one callback per Meta app serves all its WhatsApp numbers and Messenger pages.
  app.get<{ Params: { workspaceId: string } }>('/webhooks/meta/:workspaceId', { schema: { hide: true } }, async (req, reply) => {
    const challenge = await deps.ingress.verifyAppSubscription(req.params.workspaceId, req.query as Record<string, string | undefined>);
    return reply.status(200).type('text/plain').send(challenge);
  });
  app.post<{ Params: { workspaceId: string } }>('/webhooks/meta/:workspaceId', { schema: { hide: true } }, (req, reply) =>
    receive('meta', reply, () => deps.ingress.receiveAppWebhook(req.params.workspaceId, rawWebhook(req, deps.config.http.publicUrl))),
  );

  // E-mail unsubscribe links. GET shows a confirmation (mail scanners follow links; they must not unsubscribe
  // anyone); POST unsubscribes, which is also what a mail client's one-click List-Unsubscribe sends (RFC 8058).
  const page = htmlPage;
  app.get<{ Params: { token: string } }>('/unsubscribe/:token', { schema: { hide: true } }, async (req, reply) => {
    const t = deps.optOuts.readUnsubscribeToken(req.params.token);
    if (!t) return reply.status(404).type('text/html').send(page('Link not valid', '<h1>This link is not valid</h1><p>It may have been copied incompletely.</p>'));
    return reply
      .type('text/html')
      .send(page('Unsubscribe', `<h1>Unsubscribe</h1><p>Stop notification e-mails to this address?</p><form method="post"><button type="submit">Unsubscribe</button></form>`));
  });
  app.post<{ Params: { token: string } }>('/unsubscribe/:token', { schema: { hide: true } }, async (req, reply) => {
    const done = await deps.optOuts.unsubscribe(req.params.token);
    if (!done) return reply.status(404).type('text/html').send(page('Link not valid', '<h1>This link is not valid</h1>'));
    return reply.type('text/html').send(page('Unsubscribed', '<h1>You are unsubscribed</h1><p>You will not receive these e-mails any more.</p>'));
  });
}
