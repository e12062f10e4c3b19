// The facts reports aggregate (src/core/reports/model.ts), read for a time range, and the message prices.
import type { Db } from '../database.js';
import { labelsRepo } from './inbox-tools.js';
import type { CsatFact, MessageFact, MessagePrice, ReportsRepo, SlaFact, TicketFact } from '../../core/reports/repo.js';

const num = (v: number | string | bigint | null): number | null => (v === null ? null : Number(v));

/** The smallest id newId(prefix) can make at time t: ids sort by creation time (src/core/ids.ts). */
const idAt = (prefix: string, t: number) => `${prefix}_${Math.max(0, t).toString(36).padStart(9, '0')}`;

export function reportsRepo(db: Db): ReportsRepo {
  return {
    async ticketFacts(workspaceId, from, to, alsoIds = []) {
      const rows = await db
        .selectFrom('tickets as t')
        .select((eb) => [
          't.id',
          't.created_at',
          't.resolved_at',
          't.queue_id',
          't.source',
          't.assignee',
          eb
            .selectFrom('ticket_messages as m')
            .select((m) => m.fn.min('m.created_at').as('first'))
            .whereRef('m.ticket_id', '=', 't.id')
            .where('m.workspace_id', '=', workspaceId)
            .where('m.kind', '=', 'agent')
            .as('first_response_at'),
        ])
        .where('t.workspace_id', '=', workspaceId)
        .where((eb) =>
          eb.or([
            eb.and([eb('t.created_at', '>=', from), eb('t.created_at', '<', to)]),
            eb.and([eb('t.resolved_at', '>=', from), eb('t.resolved_at', '<', to)]),
            ...(alsoIds.length > 0 ? [eb('t.id', 'in', alsoIds)] : []),
          ]),
        )
        .execute();
      // Their labels (the inbox tools' lookup), a chunk of tickets at a time.
      const labels = new Map<string, string[]>();
      const ids = rows.map((r) => r.id);
      for (let i = 0; i < ids.length; i += 500) {
        for (const [id, on] of await labelsRepo(db).on(workspaceId, 'ticket', ids.slice(i, i + 500))) labels.set(id, on.map((l) => l.id));
      }
      return rows.map(
        (r): TicketFact => ({
          id: r.id,
          createdAt: Number(r.created_at),
          resolvedAt: num(r.resolved_at),
          firstResponseAt: num(r.first_response_at as number | string | null),
          queueId: r.queue_id,
          source: r.source,
          assignee: r.assignee,
          labels: (labels.get(r.id) ?? []).sort(),
        }),
      );
    },

    async slaFacts(workspaceId, from, to) {
      const rows = await db
        .selectFrom('ticket_slas')
        .select(['ticket_id', 'started_at', 'first_response_at', 'first_response_breached', 'resolved_at', 'resolution_breached'])
        .where('workspace_id', '=', workspaceId)
        .where('started_at', '>=', from)
        .where('started_at', '<', to)
        .execute();
      const flag = (v: number | string | null) => (v === null ? null : Number(v) === 1);
      return rows.map(
        (r): SlaFact => ({
          ticketId: r.ticket_id,
          startedAt: Number(r.started_at),
          firstResponseAt: num(r.first_response_at),
          firstResponseBreached: flag(r.first_response_breached),
          resolvedAt: num(r.resolved_at),
          resolutionBreached: flag(r.resolution_breached),
        }),
      );
    },

    async csatFacts(workspaceId, from, to) {
      const rows = await db
        .selectFrom('csat_surveys')
        .select(['ticket_id', 'score', 'answered_at', 'agent'])
        .where('workspace_id', '=', workspaceId)
        .where('answered_at', '>=', from)
        .where('answered_at', '<', to)
        .where('score', 'is not', null)
        .execute();
      return rows.map((r): CsatFact => ({ ticketId: r.ticket_id, score: Number(r.score), answeredAt: Number(r.answered_at), agent: r.agent }));
    },

    async messageFacts(workspaceId, from, to) {
      const rows = await db
        .selectFrom('messages as m')
        .leftJoin('events as e', (j) => j.onRef('e.id', '=', 'm.event_id').on('e.workspace_id', '=', workspaceId))
        .leftJoin('usage_records as u', 'u.message_id', 'm.id')
        .select(['m.created_at', 'm.channel', 'm.channel_account_id', 'e.type as event_type', 'm.status', 'm.delivered_at', 'm.read_at', 'u.category as billed_category'])
        .where('m.workspace_id', '=', workspaceId)
        // The primary key's range first (ids sort by creation time), then the exact bounds.
        .where('m.id', '>=', idAt('msg', from - 1000))
        .where('m.id', '<', idAt('msg', to + 1000))
        .where('m.created_at', '>=', from)
        .where('m.created_at', '<', to)
        .where('m.direction', '=', 'outbound')
        .execute();
      return rows.map(
        (r): MessageFact => ({
          createdAt: Number(r.created_at),
          channel: r.channel,
          channelAccountId: r.channel_account_id,
          eventType: r.event_type ?? null,
          status: r.status,
          delivered: r.delivered_at !== null || r.status === 'delivered' || r.status === 'read',
          read: r.read_at !== null || r.status === 'read',
          billedCategory: r.billed_category ?? null,
        }),
      );
    },

    async prices(workspaceId) {
      const rows = await db.selectFrom('message_prices').selectAll().where('workspace_id', '=', workspaceId).orderBy('channel_account_id').orderBy('category').execute();
      return rows.map((r): MessagePrice => ({ channelAccountId: r.channel_account_id, category: r.category, priceMicros: Number(r.price_micros) }));
    },

    async setPrices(workspaceId, prices) {
      const now = Date.now();
      await db.deleteFrom('message_prices').where('workspace_id', '=', workspaceId).execute();
      if (prices.length === 0) return;
      await db
        .insertInto('message_prices')
        .values(prices.map((p) => ({ workspace_id: workspaceId, channel_account_id: p.channelAccountId, category: p.category, price_micros: p.priceMicros, updated_at: now })))
        .execute();
    },
  };
}
