import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import * as rs from '../response-schemas.js';
import type { HttpDeps } from '../deps.js';
import { monthRange, usageCsv, usageTotals } from '../../core/usage/report.js';
import { agent } from '../roles.js';

export const usageRoutes = (deps: HttpDeps): FastifyPluginAsyncZod => async (app) => {
  app.get(
    '/usage',
    {
      config: agent,
      schema: {
        tags: ['usage'],
        summary: 'Billable sends per month, channel, sending account, owner and category (JSON or CSV)',
        response: { 200: rs.UsageOrCsv },
        querystring: z.object({ from: z.string().max(7).optional(), to: z.string().max(7).optional(), format: z.enum(['json', 'csv']).default('json') }),
      },
    },
    async (req, reply) => {
      const range = monthRange(req.query.from, req.query.to);
      const rows = await deps.uow.repos.usage.summary(req.auth.workspaceId, range.from, range.to);
      const accounts = new Map((await deps.uow.repos.channelAccounts.list(req.auth.workspaceId)).map((a) => [a.id, a.displayName ?? a.name]));
      if (req.query.format === 'csv') {
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="usage-${range.from}-${range.to}.csv"`)
          .send(usageCsv(rows, false, accounts));
      }
      const totals = usageTotals(rows);
      return {
        from: range.from,
        to: range.to,
        data: rows.map((r) => ({ month: r.month, channel: r.channel, channel_account_id: r.channelAccountId, channel_account_name: accounts.get(r.channelAccountId) ?? null, provider: r.provider, owner: r.owner, category: r.category, messages: r.messages })),
        totals: { messages: totals.messages, by_owner: totals.byOwner, by_channel: totals.byChannel },
      };
    },
  );
};
