import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { notFound } from '../../core/errors.js';
import * as rs from '../response-schemas.js';
import type { HttpDeps } from '../deps.js';
import { activityView, idParams, messageView, orderView, pageQuery } from '../views.js';
import { agent } from '../roles.js';

export const orderRoutes = (deps: HttpDeps): FastifyPluginAsyncZod => async (app) => {
  const { repos } = deps.uow;
  const storeNames = async (ws: string) => new Map((await repos.storeConnections.list(ws)).map((s) => [s.id, s.name]));

  app.get('/orders', { config: agent, schema: { tags: ['orders'], summary: 'Orders, newest first; query matches parts of the order number (with or without #), the customer’s name, e-mail or phone in any format', querystring: pageQuery.extend({ query: z.string().max(200).optional() }), response: { 200: rs.OrderPage } } }, async (req) => {
    const ws = req.auth.workspaceId;
    const [page, stores] = await Promise.all([repos.orders.list(ws, { limit: req.query.limit, cursor: req.query.cursor ?? null, query: req.query.query ?? null }), storeNames(ws)]);
    // Two stores may both have an order #1001: each order names its store.
    return { data: page.items.map((o) => ({ ...orderView(o), store_name: stores.get(o.storeConnectionId) ?? null })), next_cursor: page.nextCursor };
  });

  app.get('/orders/:id', { config: agent, schema: { tags: ['orders'], params: idParams, response: { 200: rs.Order } } }, async (req) => {
    const order = await repos.orders.get(req.auth.workspaceId, req.params.id);
    if (!order) throw notFound('order', req.params.id);
    return { ...orderView(order), store_name: (await storeNames(req.auth.workspaceId)).get(order.storeConnectionId) ?? null };
  });

  app.get('/orders/:id/activity', { config: agent, schema: { tags: ['orders'], summary: 'What was sent for the order, or why not', params: idParams, response: { 200: rs.OrderActivity } } }, async (req) => {
    const order = await repos.orders.get(req.auth.workspaceId, req.params.id);
    if (!order) throw notFound('order', req.params.id);
    return { order_id: order.id, data: (await repos.activities.listForOrder(req.auth.workspaceId, order.id)).map(activityView) };
  });

  app.get(
    '/messages',
    { config: agent, schema: { tags: ['messages'], querystring: pageQuery.extend({ order_id: z.string().max(100).optional(), status: z.enum(['queued', 'sending', 'sent', 'delivered', 'read', 'failed', 'skipped', 'unknown']).optional() }), response: { 200: rs.MessagePage } } },
    async (req) => {
      const page = await repos.messages.list(req.auth.workspaceId, {
        orderId: req.query.order_id ?? null,
        status: req.query.status ?? null,
        limit: req.query.limit,
        cursor: req.query.cursor ?? null,
      });
      return { data: page.items.map(messageView), next_cursor: page.nextCursor };
    },
  );

  app.get('/messages/:id', { config: agent, schema: { tags: ['messages'], params: idParams, response: { 200: rs.Message } } }, async (req) => {
    const message = await repos.messages.get(req.auth.workspaceId, req.params.id);
    if (!message) throw notFound('message', req.params.id);
    return messageView(message);
  });
};
