// First run: where the workspace stands on the way to its first notification, read from its real state.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import * as rs from '../response-schemas.js';
import type { HttpDeps } from '../deps.js';
import { admin } from '../roles.js';

const DELIVERED = ['sent', 'delivered', 'read'] as const;

export const setupRoutes = (deps: HttpDeps): FastifyPluginAsyncZod => async (app) => {
  app.get(
    '/setup',
    { config: admin, schema: { tags: ['workspace'], summary: 'First-run checklist: a store, a channel, a notification switched on, a message sent', response: { 200: rs.SetupState } } },
    async (req) => {
      const ws = req.auth.workspaceId;
      const [stores, accounts, settings] = await Promise.all([deps.connections.listStoreConnections(ws), deps.connections.listChannelAccounts(ws), deps.settings.list(ws)]);
      let sent = false;
      for (const status of DELIVERED) {
        const page = await deps.uow.repos.messages.list(ws, { status, limit: 20, cursor: null });
        if (page.items.some((m) => m.direction === 'outbound')) {
          sent = true;
          break;
        }
      }
      const enabled = settings.filter((s) => s.enabled);
      return {
        store_connected: stores.length > 0,
        stores: stores.length,
        channel_connected: accounts.length > 0,
        channels: accounts.length,
        notification_enabled: enabled.length > 0,
        notifications_enabled: enabled.length,
        message_sent: sent,
      };
    },
  );
};
