import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { notFound } from '../../core/errors.js';
import type { HttpDeps } from '../deps.js';
import { idParams, iso } from '../views.js';
import { admin } from '../roles.js';
import * as rs from '../response-schemas.js';

export const jobRoutes = (deps: HttpDeps): FastifyPluginAsyncZod => async (app) => {
  app.get(
    '/jobs/dead',
    { config: admin, schema: { tags: ['jobs'], summary: 'Jobs that failed for good, with the reason', querystring: z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) }), response: { 200: rs.DeadJobList } } },
    async (req) => ({
      data: (await deps.queue.deadJobs(req.auth.workspaceId, req.query.limit)).map((j) => ({
        id: j.id,
        type: j.type,
        attempts: j.attempts,
        last_error: j.lastError,
        payload: j.payload,
        died_at: iso(j.diedAt),
      })),
    }),
  );

  app.get('/jobs/stats', { config: admin, schema: { tags: ['jobs'], summary: 'How many jobs of the installation are ready, retrying, running, dead and in the outbox', response: { 200: rs.JobStats } } }, async () => {
    const stats = await deps.queue.stats();
    return { ready: stats.pending - stats.retrying, retrying: stats.retrying, running: stats.running, dead: stats.dead, outbox: stats.outbox };
  });

  app.post('/jobs/:id/redrive', { config: admin, schema: { tags: ['jobs'], summary: 'Run a dead job again from its first attempt', params: idParams, response: { 202: rs.RedrivenJob } } }, async (req, reply) => {
    if (!(await deps.queue.redrive(req.params.id, req.auth.workspaceId))) throw notFound('dead job', req.params.id);
    return reply.status(202).send({ id: req.params.id, status: 'pending' });
  });
};
