import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import * as rs from '../response-schemas.js';
import type { HttpDeps } from '../deps.js';
import { apiKeyView, idParams, iso } from '../views.js';
import type { Workspace } from '../../core/repos.js';
import { admin, agent } from '../roles.js';

export const workspaceRoutes = (deps: HttpDeps): FastifyPluginAsyncZod => async (app) => {
  const workspaceView = (ws: Workspace) => ({ id: ws.id, name: ws.name, brand_name: ws.brandName, currency: ws.currency, language: ws.language, created_at: iso(ws.createdAt) });

  app.get('/workspace', { config: agent, schema: { tags: ['workspace'], summary: 'The workspace of the API key', response: { 200: rs.Workspace } } }, async (req) => workspaceView(await deps.workspaces.getWorkspace(req.auth.workspaceId)));

  app.patch(
    '/workspace',
    {
      config: admin,
      schema: {
        tags: ['workspace'],
        summary: 'Rename the workspace, set the brand customers see ({{ brand }}), or the currency and language previews use; the name is internal and never shown to customers',
        body: z.object({
          name: z.string().max(200).optional(),
          brand_name: z.string().max(100).nullable().optional(),
          currency: z.string().max(3).nullable().optional(),
          language: z.string().max(10).nullable().optional(),
        }),
        response: { 200: rs.Workspace },
      },
    },
    async (req) => workspaceView(await deps.workspaces.updateWorkspace(req.auth.workspaceId, { name: req.body.name, brandName: req.body.brand_name, currency: req.body.currency, language: req.body.language })),
  );

  app.get('/api-keys', { config: admin, schema: { tags: ['workspace'], summary: 'List API keys (never their secret part)', response: { 200: rs.ApiKeyList } } }, async (req) => ({
    data: (await deps.workspaces.listApiKeys(req.auth.workspaceId)).map(apiKeyView),
  }));

  app.post(
    '/api-keys',
    { config: admin, schema: { tags: ['workspace'], summary: 'Create an API key; the key is in this response only', response: { 201: rs.CreatedApiKey }, body: z.object({ name: z.string().trim().min(1).max(100) }) } },
    async (req, reply) => {
      const { key, record } = await deps.workspaces.createApiKey(req.auth.workspaceId, req.body.name);
      return reply.status(201).send({ ...apiKeyView(record), key });
    },
  );

  app.delete('/api-keys/:id', { config: admin, schema: { tags: ['workspace'], summary: 'Revoke an API key', params: idParams, response: { 204: rs.NoContent } } }, async (req, reply) => {
    await deps.workspaces.revokeApiKey(req.auth.workspaceId, req.params.id);
    return reply.status(204).send();
  });
};
