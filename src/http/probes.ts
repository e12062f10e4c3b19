// Health, readiness and metrics: served by every role, the api (and all) on the API's port and the worker on
// its own (SHOPTALK_WORKER_PORT), so an orchestrator and Prometheus can watch each process.
import Fastify, { LogController } from 'fastify';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { AppLogger } from '../logger.js';
import type { JobQueue } from '../core/jobs.js';
import { errorBody } from './errors.js';
import type { Metrics } from './metrics.js';
import { open } from './roles.js';

export interface ProbeDeps {
  queue: JobQueue;
  metrics: Metrics;
  /** Resolves when the database (and Redis, where configured) answer; throws otherwise. */
  ready: () => Promise<void>;
}

/** Registers GET /healthz, /readyz and /metrics on an app. */
export function registerProbes(app: FastifyInstance, deps: ProbeDeps): void {
  app.get('/healthz', { config: open, schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { config: open, schema: { hide: true } }, async (req, reply) => {
    try {
      await deps.ready();
      return { status: 'ready' };
    } catch (err) {
      req.log.warn({ err }, 'not ready');
      return reply.status(503).send(errorBody('not_ready', `a dependency is not answering: ${(err as Error).message}`, req.id));
    }
  });
  app.get('/metrics', { config: open, schema: { hide: true } }, async (_req, reply) => {
    await deps.metrics.collectQueue(deps.queue);
    return reply.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });
}

/** The worker role's HTTP server: only the probes, on the worker port. */
export function buildProbeApp(deps: ProbeDeps, logger: AppLogger): FastifyInstance {
  const app = Fastify({ loggerInstance: logger as FastifyBaseLogger, logController: new LogController({ disableRequestLogging: true }) });
  app.setNotFoundHandler((req, reply) => {
    void reply.status(404).send(errorBody('not_found', `no route ${req.method} ${req.url.split('?')[0]}`, req.id));
  });
  registerProbes(app, deps);
  return app;
}
