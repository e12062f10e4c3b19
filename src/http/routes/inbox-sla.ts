// Business hours per queue, SLA policies and CSAT (settings, scores per ticket and per agent).
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import * as rs from '../response-schemas.js';
import * as ss from '../inbox-sla-schemas.js';
import type { HttpDeps } from '../deps.js';
import { idParams, iso, pageQuery } from '../views.js';
import { notFound } from '../../core/errors.js';
import type { CsatSurvey, QueueBusinessHours, SlaPolicy } from '../../core/inbox-sla/model.js';
import { isOpen } from '../../core/inbox-sla/business-hours.js';
import { admin, agent } from '../roles.js';

const hoursView = (h: QueueBusinessHours, now: number) => ({
  queue_id: h.queueId,
  time_zone: h.timeZone,
  intervals: h.intervals,
  holidays: h.holidays,
  outside_hours_reply: h.outsideHoursReply,
  open_now: isOpen(h, now),
  updated_at: iso(h.updatedAt),
});

const policyView = (p: SlaPolicy) => ({
  id: p.id,
  name: p.name,
  scope: { kind: p.scopeKind, id: p.scopeId },
  first_response_minutes: p.firstResponseMinutes,
  resolution_minutes: p.resolutionMinutes,
  business_hours: p.businessHours,
  warning_percent: p.warningPercent,
  created_at: iso(p.createdAt),
  updated_at: iso(p.updatedAt),
});

export const surveyView = (s: CsatSurvey) => ({ id: s.id, ticket_id: s.ticketId, channel: s.channel, status: s.status, reason: s.reason, agent: s.agent, score: s.score, sent_at: iso(s.sentAt), answered_at: iso(s.answeredAt) });

const minutes = z.number().int().min(1).max(366 * 24 * 60).nullable();

export const inboxSlaRoutes = (deps: HttpDeps): FastifyPluginAsyncZod => async (app) => {
  const { sla } = deps;

  app.get('/queues/:id/business-hours', { config: agent, schema: { tags: ['inbox'], summary: 'The queue’s business hours', params: idParams, response: { 200: ss.BusinessHours } } }, async (req) => {
    const hours = await sla.businessHours(req.auth.workspaceId, req.params.id);
    if (!hours) throw notFound('business hours of queue', req.params.id);
    return hoursView(hours, sla.now());
  });
  app.put(
    '/queues/:id/business-hours',
    {
      config: admin,
      schema: {
        tags: ['inbox'],
        summary: 'Sets the queue’s business hours (time zone, weekly intervals, holidays) and its outside-hours reply',
        params: idParams,
        body: z.object({
          time_zone: z.string().min(1).max(64),
          intervals: z.array(z.object({ day: z.number().int().min(1).max(7), start: z.string().max(5), end: z.string().max(5) })).max(50),
          holidays: z.array(z.string().max(10)).max(366).default([]),
          outside_hours_reply: z.string().max(1000).nullish(),
        }),
        response: { 200: ss.BusinessHours },
      },
    },
    async (req) => {
      const b = req.body;
      const hours = await sla.setBusinessHours(req.auth.workspaceId, req.params.id, { timeZone: b.time_zone, intervals: b.intervals, holidays: b.holidays, outsideHoursReply: b.outside_hours_reply ?? null });
      return hoursView(hours, sla.now());
    },
  );
  app.delete('/queues/:id/business-hours', { config: admin, schema: { tags: ['inbox'], summary: 'Removes the queue’s business hours (it is then always open)', params: idParams, response: { 204: rs.NoContent } } }, async (req, reply) => {
    await sla.removeBusinessHours(req.auth.workspaceId, req.params.id);
    return reply.status(204).send();
  });

  app.get('/sla-policies', { config: agent, schema: { tags: ['inbox'], summary: 'SLA policies', response: { 200: ss.SlaPolicyList } } }, async (req) => ({ data: (await sla.listPolicies(req.auth.workspaceId)).map(policyView) }));
  app.post(
    '/sla-policies',
    {
      config: admin,
      schema: {
        tags: ['inbox'],
        summary: 'An SLA policy for a queue or a label: first-response and resolution targets in minutes, optionally in business hours; its open tickets take it at once. A ticket takes the strictest of its labels’ policies, else its queue’s',
        body: z.object({
          name: z.string().trim().min(1).max(100),
          queue_id: z.string().min(1).max(100).optional().describe('the queue whose tickets it applies to (or label_id)'),
          label_id: z.string().min(1).max(100).optional().describe('the label whose tickets it applies to (or queue_id)'),
          first_response_minutes: minutes.default(null),
          resolution_minutes: minutes.default(null),
          business_hours: z.boolean().default(false),
          warning_percent: z.number().int().min(1).max(99).default(80),
        }),
        response: { 201: ss.SlaPolicy },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const policy = await sla.createPolicy(req.auth.workspaceId, { name: b.name, queueId: b.queue_id ?? null, labelId: b.label_id ?? null, firstResponseMinutes: b.first_response_minutes, resolutionMinutes: b.resolution_minutes, businessHours: b.business_hours, warningPercent: b.warning_percent });
      return reply.status(201).send(policyView(policy));
    },
  );
  app.patch(
    '/sla-policies/:id',
    {
      config: admin,
      schema: {
        tags: ['inbox'],
        params: idParams,
        body: z.object({ name: z.string().trim().min(1).max(100).optional(), first_response_minutes: minutes.optional(), resolution_minutes: minutes.optional(), business_hours: z.boolean().optional(), warning_percent: z.number().int().min(1).max(99).optional() }),
        response: { 200: ss.SlaPolicy },
      },
    },
    async (req) => {
      const b = req.body;
      const policy = await sla.updatePolicy(req.auth.workspaceId, req.params.id, {
        ...(b.name !== undefined ? { name: b.name } : {}),
        ...(b.first_response_minutes !== undefined ? { firstResponseMinutes: b.first_response_minutes } : {}),
        ...(b.resolution_minutes !== undefined ? { resolutionMinutes: b.resolution_minutes } : {}),
        ...(b.business_hours !== undefined ? { businessHours: b.business_hours } : {}),
        ...(b.warning_percent !== undefined ? { warningPercent: b.warning_percent } : {}),
      });
      return policyView(policy);
    },
  );
  app.delete('/sla-policies/:id', { config: admin, schema: { tags: ['inbox'], params: idParams, response: { 204: rs.NoContent } } }, async (req, reply) => {
    await sla.removePolicy(req.auth.workspaceId, req.params.id);
    return reply.status(204).send();
  });

  app.get('/csat/settings', { config: agent, schema: { tags: ['inbox'], summary: 'CSAT survey settings (off by default)', response: { 200: ss.CsatSettings } } }, async (req) => {
    const s = await sla.csatSettings(req.auth.workspaceId);
    return { enabled: s.enabled, question: s.question };
  });
  app.put(
    '/csat/settings',
    { config: admin, schema: { tags: ['inbox'], summary: 'Turns the CSAT survey on or off and sets its question (plain text)', body: z.object({ enabled: z.boolean().optional(), question: z.string().max(500).optional() }), response: { 200: ss.CsatSettings } } },
    async (req) => {
      const s = await sla.setCsatSettings(req.auth.workspaceId, req.body);
      return { enabled: s.enabled, question: s.question };
    },
  );
  app.get('/tickets/:id/csat', { config: agent, schema: { tags: ['inbox'], summary: 'The ticket’s CSAT survey and its score', params: idParams, response: { 200: ss.CsatTicket } } }, async (req) => {
    if (!(await deps.uow.repos.tickets.get(req.auth.workspaceId, req.params.id))) throw notFound('ticket', req.params.id);
    const survey = await sla.survey(req.auth.workspaceId, req.params.id);
    return { survey: survey ? surveyView(survey) : null };
  });
  app.get('/csat/surveys', { config: agent, schema: { tags: ['inbox'], summary: 'CSAT surveys, newest first, optionally of one resolving agent', querystring: pageQuery.extend({ agent: z.string().max(200).optional() }), response: { 200: ss.CsatSurveyPage } } }, async (req) => {
    const page = await sla.listSurveys(req.auth.workspaceId, { agent: req.query.agent ?? null, limit: req.query.limit, cursor: req.query.cursor ?? null });
    return { data: page.items.map(surveyView), next_cursor: page.nextCursor };
  });
  app.get('/csat/agents', { config: agent, schema: { tags: ['inbox'], summary: 'CSAT scores per resolving agent: responses, average and distribution', response: { 200: ss.CsatAgentScores } } }, async (req) => ({ data: await sla.scoresByAgent(req.auth.workspaceId) }));
};
