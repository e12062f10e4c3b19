import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import * as rs from '../response-schemas.js';
import type { HttpDeps } from '../deps.js';
import type { SandboxPhone } from '../../core/sandbox-phone.js';
import { agent } from '../roles.js';

const channel = z.enum(['whatsapp', 'line', 'messenger']);

// The sandbox phone and demo order: present only when the hub runs with its simulators.
export const sandboxRoutes = (_deps: HttpDeps, phone: SandboxPhone): FastifyPluginAsyncZod => async (app) => {
  app.get('/sandbox/phone', { config: agent, schema: { tags: ['sandbox'], summary: 'The simulated chat accounts the sandbox phone can play', response: { 200: rs.SandboxPhone } } }, async (req) => ({
    enabled: true,
    channels: (await phone.channels(req.auth.workspaceId)).map((c) => ({ channel: c.channel, account_id: c.accountId, label: c.label })),
  }));
  app.get(
    '/sandbox/phone/:channel/messages',
    { config: agent, schema: { tags: ['sandbox'], summary: 'What the customer at an address sees', params: z.object({ channel }), querystring: z.object({ address: z.string().min(3).max(100) }), response: { 200: rs.PhoneMessageList } } },
    async (req) => (await phone.messages(req.auth.workspaceId, req.params.channel, req.query.address)).map((m) => ({ ...m, at: new Date(m.at).toISOString() })),
  );
  app.post(
    '/sandbox/phone/:channel/messages',
    { config: agent, schema: { tags: ['sandbox'], summary: 'The customer sends a text or taps a button', params: z.object({ channel }), body: z.object({ address: z.string().min(3).max(100), text: z.string().max(2000).optional(), payload: z.string().max(1000).optional() }), response: { 202: rs.PhoneMessageAccepted } } },
    async (req, reply) => {
      await phone.send(req.auth.workspaceId, req.params.channel, req.body.address, { text: req.body.text, payload: req.body.payload });
      return reply.status(202).send({ accepted: true });
    },
  );
  app.post('/sandbox/demo-order', { config: agent, schema: { tags: ['sandbox'], summary: 'Place an order in the simulated Shopify store', body: z.object({ phone: z.string().max(40).optional() }).default({}), response: { 201: rs.DemoOrder } } }, async (req, reply) => {
    const r = await phone.demoOrder(req.auth.workspaceId, req.body.phone);
    return reply.status(201).send({ order_name: r.orderName, phone: r.phone });
  });
};
