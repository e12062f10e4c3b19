// Reports (JSON or CSV): the support inbox and the notifications over a range of days, grouped by one
// dimension, and the message prices their cost column uses.
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import * as rs from '../response-schemas.js';
import type { HttpDeps } from '../deps.js';
import { admin, agent } from '../roles.js';
import { invalidField } from '../../core/errors.js';
import type { InboxReportRow, NotificationReportRow, ReportRange } from '../../core/reports/model.js';
import { amountToMicros, inboxDimensions, inboxReport, microsToAmount, notificationDimensions, notificationReport, reportRange, toCsv } from '../../core/reports/model.js';
import type { MessagePrice } from '../../core/reports/repo.js';

const rangeQuery = {
  from: z.string().max(10).optional().describe('First day, YYYY-MM-DD (default: 29 days before `to`)'),
  to: z.string().max(10).optional().describe('Last day, included, YYYY-MM-DD (default: today)'),
  tz: z.string().max(64).optional().describe('IANA time zone the days are in (default UTC)'),
  format: z.enum(['json', 'csv']).default('json'),
};

const CATEGORY = /^(\*|[a-z][a-z_]{0,39})$/;

const inboxRowView = (r: InboxReportRow, name: string | null) => ({
  key: r.key,
  name,
  tickets_opened: r.ticketsOpened,
  tickets_resolved: r.ticketsResolved,
  first_response: { count: r.firstResponse.count, avg_seconds: r.firstResponse.avgSeconds, median_seconds: r.firstResponse.medianSeconds },
  resolution: { count: r.resolution.count, avg_seconds: r.resolution.avgSeconds, median_seconds: r.resolution.medianSeconds },
  sla: {
    first_response_met: r.sla.firstResponseMet,
    first_response_breached: r.sla.firstResponseBreached,
    resolution_met: r.sla.resolutionMet,
    resolution_breached: r.sla.resolutionBreached,
    attainment_percent: r.sla.attainmentPercent,
  },
  csat: { responses: r.csat.responses, average: r.csat.average, satisfied_percent: r.csat.satisfiedPercent },
});

const notificationRowView = (r: NotificationReportRow, name: string | null) => ({
  key: r.key,
  name,
  messages: r.messages,
  sent: r.sent,
  delivered: r.delivered,
  read: r.read,
  failed: r.failed,
  unknown: r.unknown,
  skipped: r.skipped,
  pending: r.pending,
  billed: r.billed,
  unpriced: r.unpriced,
  cost: microsToAmount(r.costMicros),
});

const fileName = (kind: string, range: ReportRange, by: string) => `shoptalk-${kind}-${by}-${range.fromDate}-${range.toDate}.csv`;

export const reportRoutes = (deps: HttpDeps): FastifyPluginAsyncZod => async (app) => {
  const repos = deps.uow.repos;

  app.get(
    '/reports/inbox',
    {
      config: agent,
      schema: {
        tags: ['reports'],
        summary: 'Support inbox report: tickets opened and resolved, first response and resolution times, SLA attainment and CSAT, by day, queue, source, agent or label (JSON or CSV)',
        querystring: z.object({ ...rangeQuery, group_by: z.enum(inboxDimensions).default('day') }),
        response: { 200: rs.InboxReportOrCsv },
      },
    },
    async (req, reply) => {
      const ws = req.auth.workspaceId;
      const range = reportRange(req.query.from, req.query.to, req.query.tz);
      const by = req.query.group_by;
      const [slas, csat] = await Promise.all([repos.reports.slaFacts(ws, range.from, range.to), repos.reports.csatFacts(ws, range.from, range.to)]);
      const tickets = await repos.reports.ticketFacts(ws, range.from, range.to, [...new Set([...slas.map((f) => f.ticketId), ...csat.map((f) => f.ticketId)])]);
      const report = inboxReport(range, by, tickets, slas, csat);
      const names = new Map<string, string>();
      if (by === 'queue') for (const q of await repos.queues.list(ws)) names.set(q.id, q.name);
      // Tickets name their assignee by e-mail address.
      if (by === 'agent') for (const u of await repos.users.list(ws)) names.set(u.email, u.name ?? u.email);
      if (by === 'label') for (const l of await repos.labels.list(ws)) names.set(l.id, l.name);
      const nameOf = (key: string | null) => (key !== null ? (names.get(key) ?? null) : null);
      if (req.query.format === 'csv') {
        const header = ['group', 'name', 'tickets_opened', 'tickets_resolved', 'first_response_count', 'first_response_avg_seconds', 'first_response_median_seconds', 'resolution_count', 'resolution_avg_seconds', 'resolution_median_seconds', 'sla_first_response_met', 'sla_first_response_breached', 'sla_resolution_met', 'sla_resolution_breached', 'sla_attainment_percent', 'csat_responses', 'csat_average', 'csat_satisfied_percent'];
        const line = (r: InboxReportRow, key: string | null, name: string | null) => [key, name, r.ticketsOpened, r.ticketsResolved, r.firstResponse.count, r.firstResponse.avgSeconds, r.firstResponse.medianSeconds, r.resolution.count, r.resolution.avgSeconds, r.resolution.medianSeconds, r.sla.firstResponseMet, r.sla.firstResponseBreached, r.sla.resolutionMet, r.sla.resolutionBreached, r.sla.attainmentPercent, r.csat.responses, r.csat.average, r.csat.satisfiedPercent];
        const rows = [...report.rows.map((r) => line(r, r.key, nameOf(r.key))), line(report.totals, 'total', null)];
        return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${fileName('inbox', range, by)}"`).send(toCsv(header, rows));
      }
      return { from: range.fromDate, to: range.toDate, tz: range.tz, group_by: by, rows: report.rows.map((r) => inboxRowView(r, nameOf(r.key))), totals: inboxRowView(report.totals, null) };
    },
  );

  app.get(
    '/reports/notifications',
    {
      config: agent,
      schema: {
        tags: ['reports'],
        summary: 'Notification report: messages sent, delivered, read, failed and their cost, by day, event type, channel or sending account (JSON or CSV)',
        querystring: z.object({ ...rangeQuery, group_by: z.enum(notificationDimensions).default('day') }),
        response: { 200: rs.NotificationReportOrCsv },
      },
    },
    async (req, reply) => {
      const ws = req.auth.workspaceId;
      const range = reportRange(req.query.from, req.query.to, req.query.tz);
      const by = req.query.group_by;
      const [messages, prices, workspace, accounts] = await Promise.all([repos.reports.messageFacts(ws, range.from, range.to), repos.reports.prices(ws), repos.workspaces.get(ws), repos.channelAccounts.list(ws)]);
      const report = notificationReport(range, by, messages, prices);
      const names = new Map(by === 'account' ? accounts.map((a) => [a.id, a.displayName ?? a.name]) : []);
      const nameOf = (key: string | null) => (key !== null ? (names.get(key) ?? null) : null);
      if (req.query.format === 'csv') {
        const header = ['group', 'name', 'messages', 'sent', 'delivered', 'read', 'failed', 'unknown', 'skipped', 'pending', 'billed', 'unpriced', 'cost', 'currency'];
        const line = (r: NotificationReportRow, key: string | null, name: string | null) => [key, name, r.messages, r.sent, r.delivered, r.read, r.failed, r.unknown, r.skipped, r.pending, r.billed, r.unpriced, microsToAmount(r.costMicros), workspace?.currency ?? null];
        const rows = [...report.rows.map((r) => line(r, r.key, nameOf(r.key))), line(report.totals, 'total', null)];
        return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${fileName('notifications', range, by)}"`).send(toCsv(header, rows));
      }
      return {
        from: range.fromDate,
        to: range.toDate,
        tz: range.tz,
        group_by: by,
        currency: workspace?.currency ?? null,
        rows: report.rows.map((r) => notificationRowView(r, nameOf(r.key))),
        totals: notificationRowView(report.totals, null),
      };
    },
  );

  const pricesView = async (ws: string) => {
    const [prices, workspace, accounts] = await Promise.all([repos.reports.prices(ws), repos.workspaces.get(ws), repos.channelAccounts.list(ws)]);
    const names = new Map(accounts.map((a) => [a.id, a.displayName ?? a.name]));
    return {
      currency: workspace?.currency ?? null,
      data: prices.map((p) => ({ channel_account_id: p.channelAccountId, channel_account_name: names.get(p.channelAccountId) ?? null, category: p.category, price: microsToAmount(p.priceMicros) })),
    };
  };

  app.get(
    '/message-prices',
    {
      config: agent,
      schema: { tags: ['reports'], summary: 'What one billable message costs, per sending account and pricing category, in the workspace’s currency', response: { 200: rs.MessagePrices } },
    },
    async (req) => pricesView(req.auth.workspaceId),
  );

  app.put(
    '/message-prices',
    {
      config: admin,
      schema: {
        tags: ['reports'],
        summary: 'Replace the message prices the notification report’s cost uses (category "*": any category of that account)',
        body: z.object({
          prices: z
            .array(z.object({ channel_account_id: z.string().min(1).max(100), category: z.string().min(1).max(40), price: z.string().min(1).max(20).describe('A decimal amount, up to 6 decimals: "0.0425"') }).strict())
            .max(500),
        }),
        response: { 200: rs.MessagePrices },
      },
    },
    async (req) => {
      const ws = req.auth.workspaceId;
      const accounts = new Set((await repos.channelAccounts.list(ws)).map((a) => a.id));
      const seen = new Set<string>();
      const prices: MessagePrice[] = req.body.prices.map((p, i) => {
        if (!accounts.has(p.channel_account_id)) throw invalidField(`prices[${i}].channel_account_id`, 'is not a sending account of this workspace');
        if (!CATEGORY.test(p.category)) throw invalidField(`prices[${i}].category`, 'must be a pricing category (lowercase letters and _, e.g. marketing, utility, authentication, service) or "*"');
        const micros = amountToMicros(p.price);
        if (micros === null) throw invalidField(`prices[${i}].price`, 'must be a non-negative decimal amount with at most 6 decimals, e.g. "0.0425"');
        const key = `${p.channel_account_id}|${p.category}`;
        if (seen.has(key)) throw invalidField(`prices[${i}]`, 'repeats a price for the same account and category');
        seen.add(key);
        return { channelAccountId: p.channel_account_id, category: p.category, priceMicros: micros };
      });
      await deps.uow.transaction((tx) => tx.reports.setPrices(ws, prices));
      return pricesView(ws);
    },
  );
};
