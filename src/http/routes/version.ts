import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import * as rs from '../response-schemas.js';
import type { HttpDeps } from '../deps.js';
import { agent } from '../roles.js';

// Any signed-in user or API key may read it (support asks for it); it is not open, so the hub does not tell
// anonymous callers which version, and so which known bugs, it runs.
export const versionRoutes = (deps: HttpDeps): FastifyPluginAsyncZod => async (app) => {
  app.get(
    '/version',
    {
      config: agent,
      schema: { tags: ['operations'], summary: 'The hub’s version, Node.js version, database, job queue and migrations', response: { 200: rs.VersionInfo } },
    },
    async () => deps.version(),
  );
};
