// The Fastify application: public API under /v1 (API keys), inbound webhooks, health, metrics, OpenAPI.
import Fastify, { LogController } from 'fastify';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { createHash } from 'node:crypto';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import { Redis } from 'ioredis';
import { createJsonSchemaTransform, createJsonSchemaTransformObject, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppLogger } from '../logger.js';
import { AppError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { HttpDeps } from './deps.js';
import { errorBody, handleError } from './errors.js';
import { webhookRoutes } from './webhooks.js';
import { guardRequestText } from './input-guard.js';
import { workspaceRoutes } from './routes/workspace.js';
import { connectionRoutes } from './routes/connections.js';
import { notificationRoutes } from './routes/notifications.js';
import { orderRoutes } from './routes/orders.js';
import { jobRoutes } from './routes/jobs.js';
import { eventRoutes } from './routes/events.js';
import { usageRoutes } from './routes/usage.js';
import { reportRoutes } from './routes/reports.js';
import { pushRoutes } from './routes/push.js';
import { webhookSubscriptionRoutes } from './routes/webhook-subscriptions.js';
import { customerRoutes } from './routes/customers.js';
import { erasureRoutes } from './routes/erasure.js';
import { conversationRoutes } from './routes/conversations.js';
import { ticketRoutes } from './routes/tickets.js';
import { inboxToolRoutes } from './routes/inbox-tools.js';
import { inboxSlaRoutes } from './routes/inbox-sla.js';
import { csatPageRoutes } from './csat-page.js';
import { teamRoutes } from './routes/team.js';
import { setupRoutes } from './routes/setup.js';
import { versionRoutes } from './routes/version.js';
import { SESSION_COOKIE, sessionRoutes } from './routes/session.js';
import { consoleRoutes } from './console.js';
import { sandboxRoutes } from './routes/sandbox.js';
import { safeEqual } from '../core/secrets/secret-box.js';
import { openScope, requiredRole, trackRoutes } from './roles.js';
import { docsCsp, registerSecurityHeaders } from './security-headers.js';
import { apiSchemas } from './response-schemas.js';
import { declareErrors, finishDocument } from './contract.js';
import { registerProbes } from './probes.js';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** A hop count trusts that many proxies in front; Fastify's option takes it as a function. */
const trustProxy = (v: boolean | number | string) => (typeof v === 'number' ? (_addr: string, hop: number) => hop < v : v);

export async function buildHttpApp(deps: HttpDeps, logger: AppLogger): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    bodyLimit: deps.config.http.bodyLimit,
    // Unsubscribe tokens carry the address they unsubscribe, signed: longer than Fastify's default of 100.
    routerOptions: { maxParamLength: 1000 },
    // Request lines are left out: the webhook path runs thousands of times a second; errors are logged.
    logController: new LogController({ disableRequestLogging: true }),
    requestIdHeader: 'x-request-id',
    trustProxy: trustProxy(deps.config.http.trustProxy),
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : newId('req');
    },
  }).withTypeProvider<ZodTypeProvider>();

  trackRoutes(app);
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(handleError);
  app.setNotFoundHandler((req, reply) => {
    void reply.status(404).send(errorBody('not_found', `no route ${req.method} ${req.url.split('?')[0]}`, req.id));
  });

  app.addHook('onRequest', async (req, reply) => {
    void reply.header('x-request-id', req.id);
  });
  guardRequestText(app);
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    deps.metrics.httpRequests.inc({ method: req.method, route, status: String(reply.statusCode) });
    deps.metrics.httpDuration.observe({ method: req.method, route }, reply.elapsedTime / 1000);
    if (reply.statusCode >= 500) req.log.warn({ method: req.method, route, status: reply.statusCode, requestId: req.id }, 'request failed');
  });

  await registerSecurityHeaders(app, deps.config.http.publicUrl);
  // Cookies are parsed once, leniently: a malformed Cookie header is an unauthenticated request, never a 500.
  await app.register(cookie);
  // Limits are checked where a route asks for them (sign-in), never globally: webhooks are not limited here.
  // With Redis they are counted there, so they hold across every API process of the installation.
  const limiterRedis = deps.config.redisUrl ? new Redis(deps.config.redisUrl, { connectTimeout: 1000, maxRetriesPerRequest: 1, enableOfflineQueue: false }) : null;
  limiterRedis?.on('error', (err) => logger.warn({ err }, 'rate-limit store: Redis error'));
  const installation = createHash('sha256').update(deps.config.database.kind === 'postgres' ? deps.config.database.url : deps.config.database.file).digest('hex').slice(0, 12);
  await app.register(rateLimit, { global: false, skipOnError: true, ...(limiterRedis ? { redis: limiterRedis, nameSpace: `shoptalk:${installation}:ratelimit:` } : {}) });
  if (limiterRedis) app.addHook('onClose', async () => limiterRedis.disconnect());

  const transformObject = createJsonSchemaTransformObject({ schemaRegistry: apiSchemas });
  await app.register(swagger, {
    openapi: {
      info: { title: 'Shoptalk API', version: '1', description: 'Conversational-commerce hub: stores, channels, notifications.' },
      components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'A workspace API key (stk_...)' } } },
      security: [{ apiKey: [] }],
    },
    transform: createJsonSchemaTransform({ schemaRegistry: apiSchemas }),
    transformObject: (input) => finishDocument(transformObject(input)),
  });
  await app.register(async (docs) => {
    openScope(docs);
    await docs.register(swaggerUi, { routePrefix: '/docs', staticCSP: docsCsp(deps.config.http.publicUrl) });
  });

  registerProbes(app, deps);

  // Inbound webhooks authenticate by their providers' signatures (and unsubscribe links by their own MAC).
  await app.register(async (scope) => {
    openScope(scope);
    await webhookRoutes(scope, deps);
    // CSAT rating pages authenticate by their link's MAC.
    await csatPageRoutes(scope, deps);
  });

  await app.register(
    async (v1) => {
      // Every operation lists the errors it can answer with in the OpenAPI document (src/http/contract.ts).
      declareErrors(v1);
      // Every route declares who may call it (config.role); undeclared routes are for admins only.
      v1.addHook('onRequest', async (req) => {
        const role = requiredRole(req.routeOptions.config);
        if (role === 'open') return;
        const header = req.headers.authorization;
        if (header) {
          const match = /^Bearer\s+(\S+)$/i.exec(header);
          if (!match) throw new AppError('unauthenticated', 'the Authorization header must be "Bearer <key>"');
          const auth = await deps.workspaces.authenticate(match[1]!);
          if (!auth) throw new AppError('unauthenticated', 'the API key is not valid or has been revoked');
          // An API key acts as an admin of its workspace.
          req.auth = { ...auth, role: 'admin', userId: null, sessionId: null };
          return;
        }
        const token = req.cookies[SESSION_COOKIE];
        const signedIn = token ? await deps.users.resolve(token) : null;
        if (!signedIn) throw new AppError('unauthenticated', 'sign in, or send a workspace API key as "Authorization: Bearer <key>"');
        // Cookies travel with requests other sites make: every change must carry the session's CSRF token.
        if (!SAFE_METHODS.has(req.method) && !safeEqual(String(req.headers['x-csrf-token'] ?? ''), signedIn.session.csrfToken)) {
          throw new AppError('forbidden', 'missing or wrong x-csrf-token header (send the value of the shoptalk_csrf cookie)');
        }
        req.auth = { workspaceId: signedIn.user.workspaceId, apiKeyId: `user:${signedIn.user.id}`, role: signedIn.user.role, userId: signedIn.user.id, sessionId: signedIn.session.id };
        // Agents answer customers and work the inbox; reading or changing how the workspace is set up is for admins.
        if (role === 'admin' && signedIn.user.role !== 'admin') throw new AppError('forbidden', 'only an admin of the workspace can do this');
      });
      await v1.register(sessionRoutes(deps));
      await v1.register(workspaceRoutes(deps));
      await v1.register(connectionRoutes(deps));
      await v1.register(notificationRoutes(deps));
      await v1.register(orderRoutes(deps));
      await v1.register(jobRoutes(deps));
      await v1.register(eventRoutes(deps.planner));
      await v1.register(usageRoutes(deps));
      await v1.register(reportRoutes(deps));
      await v1.register(pushRoutes(deps.push));
      await v1.register(webhookSubscriptionRoutes(deps));
      await v1.register(customerRoutes(deps));
      await v1.register(erasureRoutes(deps));
      await v1.register(conversationRoutes(deps));
      await v1.register(ticketRoutes(deps));
      await v1.register(inboxToolRoutes(deps));
      await v1.register(inboxSlaRoutes(deps));
      await v1.register(teamRoutes(deps));
      await v1.register(setupRoutes(deps));
      await v1.register(versionRoutes(deps));
      if (deps.sandbox) await v1.register(sandboxRoutes(deps, deps.sandbox));
    },
    { prefix: '/v1' },
  );
  await app.register(async (scope) => {
    openScope(scope);
    await consoleRoutes(scope);
  });

  return app;
}
