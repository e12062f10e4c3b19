import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import * as rs from '../response-schemas.js';
import type { HttpDeps } from '../deps.js';
import { notFound } from '../../core/errors.js';
import { idParams, iso, messageView, pageQuery } from '../views.js';
import { integratedActions } from '../../core/conversations/model.js';
import type { ChatSettings, Conversation, FlowModule, LedgerEntry } from '../../core/conversations/model.js';
import type { OrderHistory } from '../../core/conversations/history.js';
import { admin, agent } from '../roles.js';
import { httpUrl } from '../url-fields.js';


const onClick = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('module'), module_id: z.string().min(1).max(100) }),
  z.object({ kind: z.literal('url'), url: httpUrl(2000) }),
  z.object({ kind: z.literal('action'), action: z.enum(integratedActions) }),
]);

const moduleBody = z.object({
  name: z.string().trim().min(1).max(100),
  text: z.string().max(1024),
  buttons: z.array(z.object({ id: z.string().max(40), title: z.string().max(100), on_click: onClick })).max(20).default([]),
  keywords: z.array(z.string().max(100)).max(20).default([]),
});

const toModule = (b: z.infer<typeof moduleBody>) => ({
  name: b.name,
  text: b.text,
  keywords: b.keywords,
  buttons: b.buttons.map((x) => ({
    id: x.id,
    title: x.title,
    onClick: x.on_click.kind === 'module' ? { kind: 'module' as const, moduleId: x.on_click.module_id } : x.on_click.kind === 'url' ? { kind: 'url' as const, url: x.on_click.url } : { kind: 'action' as const, action: x.on_click.action },
  })),
});

const moduleView = (m: FlowModule) => ({
  id: m.id,
  name: m.name,
  text: m.text,
  keywords: m.keywords,
  buttons: m.buttons.map((b) => ({
    id: b.id,
    title: b.title,
    on_click: b.onClick.kind === 'module' ? { kind: 'module' as const, module_id: b.onClick.moduleId } : b.onClick.kind === 'url' ? { kind: 'url' as const, url: b.onClick.url } : { kind: 'action' as const, action: b.onClick.action },
  })),
  created_at: iso(m.createdAt),
  updated_at: iso(m.updatedAt),
});

const prize = z.object({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, 'must be 1 to 40 letters, digits, _ or -'),
  name: z.string().trim().min(1).max(100),
  cost: z.number().int().min(1).max(10_000_000),
  reward: z.discriminatedUnion('kind', [z.object({ kind: z.literal('store_coupon'), value: z.string().min(1).max(100) }), z.object({ kind: z.literal('code'), code: z.string().min(1).max(100) })]),
});

const settingsBody = z.object({
  welcome_module_id: z.string().max(100).nullish(),
  incorrect_reply: z.object({ enabled: z.boolean().optional(), text: z.string().max(1000).optional() }).optional(),
  unknown_text: z.enum(['menu', 'nothing']).optional(),
  escalate_after: z.number().int().min(1).max(20).optional(),
  state_ttl_minutes: z.number().int().min(1).max(24 * 60).optional(),
  linking: z.object({ store_connection_id: z.string().max(100).nullish(), verify_by: z.enum(['sms', 'email']).optional(), terms_url: httpUrl(2000).nullish() }).optional(),
  loyalty: z.object({ enabled: z.boolean().optional(), points_per_unit: z.string().max(20).optional(), signup_bonus: z.number().int().min(0).max(1_000_000).optional(), prizes: z.array(prize).max(50).optional() }).optional(),
});

const settingsView = (s: ChatSettings) => ({
  welcome_module_id: s.welcomeModuleId,
  incorrect_reply: s.incorrectReply,
  unknown_text: s.unknownText,
  escalate_after: s.escalateAfter,
  state_ttl_minutes: s.stateTtlMinutes,
  linking: { store_connection_id: s.linking.storeConnectionId, verify_by: s.linking.verifyBy, terms_url: s.linking.termsUrl },
  loyalty: { enabled: s.loyalty.enabled, points_per_unit: s.loyalty.pointsPerUnit, signup_bonus: s.loyalty.signupBonus, prizes: s.loyalty.prizes },
});

const conversationView = (c: Conversation) => ({
  id: c.id,
  channel: c.channel,
  channel_account_id: c.channelAccountId,
  address: c.address,
  customer_id: c.customerId,
  mode: c.mode,
  step: c.state && c.state.flow !== 'menu' ? `${c.state.flow}:${'step' in c.state ? c.state.step : ''}` : null,
  handed_over_at: iso(c.handedOverAt),
  handover_reason: c.handoverReason,
  last_inbound_at: iso(c.lastInboundAt),
  created_at: iso(c.createdAt),
  updated_at: iso(c.updatedAt),
});

const historyView = (h: OrderHistory) => ({
  store_connection_id: h.storeConnectionId,
  platform: h.platform,
  window_days: h.windowDays,
  source: h.source,
  store_url: h.storeUrl,
  orders: h.orders.map((o) => ({
    external_id: o.externalId,
    name: o.name,
    total: o.total,
    financial_status: o.financialStatus,
    fulfillment_status: o.fulfillmentStatus,
    status_url: o.statusUrl,
    created_at: o.createdAt,
    lines: o.lines,
  })),
});

const ledgerView = (e: LedgerEntry) => ({ id: e.id, delta: e.delta, balance_after: e.balanceAfter, reason: e.reason, reference: e.reference, details: e.details, created_at: iso(e.createdAt) });

export const conversationRoutes = (deps: HttpDeps): FastifyPluginAsyncZod => async (app) => {
  const { chat } = deps;

  app.get('/flow-modules', { config: agent, schema: { tags: ['conversations'], summary: 'Flow modules: messages with buttons', response: { 200: rs.FlowModuleList } } }, async (req) => ({ data: (await deps.uow.repos.flowModules.list(req.auth.workspaceId)).map(moduleView) }));
  app.post('/flow-modules', { config: admin, schema: { tags: ['conversations'], summary: 'Create a flow module', body: moduleBody, response: { 201: rs.FlowModule } } }, async (req, reply) =>
    reply.status(201).send(moduleView(await chat.createModule(req.auth.workspaceId, toModule(req.body)))),
  );
  app.get('/flow-modules/:id', { config: agent, schema: { tags: ['conversations'], params: idParams, response: { 200: rs.FlowModule } } }, async (req) => {
    const m = await deps.uow.repos.flowModules.get(req.auth.workspaceId, req.params.id);
    if (!m) throw notFound('module', req.params.id);
    return moduleView(m);
  });
  app.put('/flow-modules/:id', { config: admin, schema: { tags: ['conversations'], params: idParams, body: moduleBody, response: { 200: rs.FlowModule } } }, async (req) => moduleView(await chat.updateModule(req.auth.workspaceId, req.params.id, toModule(req.body))));
  app.delete('/flow-modules/:id', { config: admin, schema: { tags: ['conversations'], params: idParams, response: { 204: rs.NoContent } } }, async (req, reply) => {
    await chat.removeModule(req.auth.workspaceId, req.params.id);
    return reply.status(204).send();
  });

  app.get('/chat-settings', { config: agent, schema: { tags: ['conversations'], summary: 'Welcome module, unexpected replies, account linking and the loyalty programme', response: { 200: rs.ChatSettings } } }, async (req) =>
    settingsView(await chat.settings(req.auth.workspaceId)),
  );
  app.put('/chat-settings', { config: admin, schema: { tags: ['conversations'], body: settingsBody, response: { 200: rs.ChatSettings } } }, async (req) => {
    const b = req.body;
    const patch: Partial<ChatSettings> = {};
    if (b.welcome_module_id !== undefined) patch.welcomeModuleId = b.welcome_module_id ?? null;
    if (b.unknown_text !== undefined) patch.unknownText = b.unknown_text;
    if (b.escalate_after !== undefined) patch.escalateAfter = b.escalate_after;
    if (b.state_ttl_minutes !== undefined) patch.stateTtlMinutes = b.state_ttl_minutes;
    const current = await chat.settings(req.auth.workspaceId);
    if (b.incorrect_reply) patch.incorrectReply = { enabled: b.incorrect_reply.enabled ?? current.incorrectReply.enabled, text: b.incorrect_reply.text ?? current.incorrectReply.text };
    if (b.linking) {
      patch.linking = {
        storeConnectionId: b.linking.store_connection_id !== undefined ? (b.linking.store_connection_id ?? null) : current.linking.storeConnectionId,
        verifyBy: b.linking.verify_by ?? current.linking.verifyBy,
        termsUrl: b.linking.terms_url !== undefined ? (b.linking.terms_url ?? null) : current.linking.termsUrl,
      };
    }
    if (b.loyalty) {
      patch.loyalty = {
        enabled: b.loyalty.enabled ?? current.loyalty.enabled,
        pointsPerUnit: b.loyalty.points_per_unit ?? current.loyalty.pointsPerUnit,
        signupBonus: b.loyalty.signup_bonus ?? current.loyalty.signupBonus,
        prizes: b.loyalty.prizes ?? current.loyalty.prizes,
      };
    }
    return settingsView(await chat.updateSettings(req.auth.workspaceId, patch));
  });

  app.put(
    '/channel-accounts/:id/menu',
    {
      config: admin,
      schema: {
        tags: ['conversations'],
        summary: 'Install the LINE rich menu or Messenger persistent menu: items open a module, run an action or a URL',
        params: idParams,
        body: z.object({
          chat_bar_text: z.string().trim().min(1).max(14).default('Menu'),
          items: z
            .array(z.union([z.object({ title: z.string().trim().min(1).max(30), module_id: z.string().max(100) }), z.object({ title: z.string().trim().min(1).max(30), action: z.string().max(40) }), z.object({ title: z.string().trim().min(1).max(30), url: httpUrl(1000) })]))
            .min(1)
            .max(20),
        }),
        response: { 200: rs.InstalledMenu },
      },
    },
    async (req) => {
      const items = req.body.items.map((i) => ('module_id' in i ? { title: i.title, moduleId: i.module_id } : 'action' in i ? { title: i.title, action: i.action } : { title: i.title, url: i.url }));
      const r = await chat.setMenu(req.auth.workspaceId, req.params.id, { chatBarText: req.body.chat_bar_text, items });
      return { menu_id: r.menuId, items: r.items };
    },
  );

  app.get('/conversations', { config: agent, schema: { tags: ['conversations'], summary: 'Conversations; mode=agent is the agent inbox', querystring: pageQuery.extend({ mode: z.enum(['agent', 'bot']).optional() }), response: { 200: rs.ConversationPage } } }, async (req) => {
    const page = await chat.list(req.auth.workspaceId, { mode: req.query.mode ?? null, limit: req.query.limit, cursor: req.query.cursor ?? null });
    return { data: page.items.map(conversationView), next_cursor: page.nextCursor };
  });
  app.get('/conversations/:id', { config: agent, schema: { tags: ['conversations'], params: idParams, response: { 200: rs.ConversationDetail } } }, async (req) => {
    const { conversation, messages } = await chat.conversation(req.auth.workspaceId, req.params.id);
    return { ...conversationView(conversation), messages: messages.map(messageView) };
  });
  app.post(
    '/conversations/:id/messages',
    {
      config: agent,
      schema: {
        tags: ['conversations'],
        summary: 'An agent’s reply, sent through the conversation’s channel within its rules (the same Idempotency-Key sends once)',
        params: idParams,
        body: z.object({ text: z.string().max(4096) }),
        headers: z.object({ 'idempotency-key': z.string().min(1).max(200).optional() }).passthrough(),
        response: { 202: rs.Message },
      },
    },
    async (req, reply) => reply.status(202).send(messageView(await chat.reply(req.auth.workspaceId, req.params.id, req.body.text, req.headers['idempotency-key'] ?? randomUUID()))),
  );
  app.post('/conversations/:id/handover', { config: agent, schema: { tags: ['conversations'], summary: 'Take the conversation over: automated replies pause', params: idParams, body: z.object({ reason: z.string().max(300).optional() }).default({}), response: { 200: rs.Conversation } } }, async (req) =>
    conversationView(await chat.setMode(req.auth.workspaceId, req.params.id, 'agent', req.body.reason ?? null)),
  );
  app.post('/conversations/:id/release', { config: agent, schema: { tags: ['conversations'], summary: 'Give the conversation back to the automated flows', params: idParams, response: { 200: rs.Conversation } } }, async (req) =>
    conversationView(await chat.setMode(req.auth.workspaceId, req.params.id, 'bot', null)),
  );

  app.get('/customers/:id/orders', { config: agent, schema: { tags: ['customers'], summary: 'The customer’s orders within each store’s window (CYBERBIZ, SHOPLINE 90 days, 91APP 14), for agents', params: idParams, response: { 200: rs.OrderHistoryList } } }, async (req) => ({
    data: (await deps.history.forCustomer(req.auth.workspaceId, req.params.id)).map(historyView),
  }));
  app.get('/customers/:id/loyalty', { config: agent, schema: { tags: ['customers'], summary: 'Loyalty balance and ledger', params: idParams, response: { 200: rs.Loyalty } } }, async (req) => {
    await deps.customers.get(req.auth.workspaceId, req.params.id);
    const r = await deps.loyalty.ledger(req.auth.workspaceId, req.params.id);
    return { member: r.balance != null, email: r.email, balance: r.balance, ledger: r.entries.map(ledgerView) };
  });
};
