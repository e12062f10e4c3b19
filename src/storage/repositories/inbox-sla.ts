// Service levels: business hours per queue, outside-hours replies, SLA policies, ticket targets, CSAT.
import type { Selectable } from 'kysely';
import type { Db } from '../database.js';
import type { CsatSurveysTable, SlaPoliciesTable, TicketSlasTable } from '../schema.js';
import type { BusinessHoursRepo, CsatRepo, SlaPoliciesRepo, TicketSlasRepo } from '../../core/inbox-sla/repo.js';
import type { CsatSurvey, CsatSurveyStatus, SlaPolicy, SlaScopeKind, TicketSla } from '../../core/inbox-sla/model.js';
import { newId } from '../../core/ids.js';
import { decodeCursor, encodeCursor } from './cursor.js';

const changed = (res: { numInsertedOrUpdatedRows?: bigint; numUpdatedRows?: bigint }) => Number(res.numInsertedOrUpdatedRows ?? res.numUpdatedRows ?? 0) > 0;
const num = (v: number | string | null): number | null => (v === null ? null : Number(v));
const flag = (v: number | null): boolean | null => (v === null ? null : Number(v) === 1);

export function businessHoursRepo(db: Db): BusinessHoursRepo {
  return {
    async get(workspaceId, queueId) {
      const r = await db.selectFrom('queue_business_hours').selectAll().where('workspace_id', '=', workspaceId).where('queue_id', '=', queueId).executeTakeFirst();
      if (!r) return null;
      return { queueId: r.queue_id, timeZone: r.time_zone, intervals: JSON.parse(r.intervals), holidays: JSON.parse(r.holidays), outsideHoursReply: r.outside_hours_reply, updatedAt: Number(r.updated_at) };
    },
    async set(workspaceId, queueId, hours) {
      const row = { time_zone: hours.timeZone, intervals: JSON.stringify(hours.intervals), holidays: JSON.stringify(hours.holidays), outside_hours_reply: hours.outsideHoursReply, updated_at: Date.now() };
      await db
        .insertInto('queue_business_hours')
        .values({ workspace_id: workspaceId, queue_id: queueId, ...row })
        .onConflict((oc) => oc.columns(['workspace_id', 'queue_id']).doUpdateSet(row))
        .execute();
    },
    async remove(workspaceId, queueId) {
      const res = await db.deleteFrom('queue_business_hours').where('workspace_id', '=', workspaceId).where('queue_id', '=', queueId).executeTakeFirst();
      return Number(res.numDeletedRows) > 0;
    },
    async claimOutsideHoursReply(workspaceId, ticketId, periodStart) {
      const res = await db
        .insertInto('ticket_outside_hours_replies')
        .values({ workspace_id: workspaceId, ticket_id: ticketId, period_start: periodStart, created_at: Date.now() })
        .onConflict((oc) => oc.columns(['workspace_id', 'ticket_id', 'period_start']).doNothing())
        .executeTakeFirst();
      return changed(res);
    },
  };
}

const policyFrom = (r: Selectable<SlaPoliciesTable>): SlaPolicy => ({
  id: r.id,
  name: r.name,
  scopeKind: r.scope_kind as SlaScopeKind,
  scopeId: r.scope_id,
  firstResponseMinutes: num(r.first_response_minutes),
  resolutionMinutes: num(r.resolution_minutes),
  businessHours: Number(r.business_hours) === 1,
  warningPercent: Number(r.warning_percent),
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
});

export function slaPoliciesRepo(db: Db): SlaPoliciesRepo {
  const get = async (workspaceId: string, id: string) => {
    const r = await db.selectFrom('sla_policies').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
    return r ? policyFrom(r) : null;
  };
  return {
    async create(workspaceId, input) {
      const now = Date.now();
      const row = {
        id: newId('sla'),
        workspace_id: workspaceId,
        name: input.name,
        scope_kind: input.scopeKind,
        scope_id: input.scopeId,
        first_response_minutes: input.firstResponseMinutes,
        resolution_minutes: input.resolutionMinutes,
        business_hours: input.businessHours ? 1 : 0,
        warning_percent: input.warningPercent,
        created_at: now,
        updated_at: now,
      };
      await db.insertInto('sla_policies').values(row).execute();
      return policyFrom(row);
    },
    get,
    async forScope(workspaceId, scopeKind, scopeId) {
      const r = await db.selectFrom('sla_policies').selectAll().where('workspace_id', '=', workspaceId).where('scope_kind', '=', scopeKind).where('scope_id', '=', scopeId).executeTakeFirst();
      return r ? policyFrom(r) : null;
    },
    async list(workspaceId) {
      return (await db.selectFrom('sla_policies').selectAll().where('workspace_id', '=', workspaceId).orderBy('created_at').orderBy('id').execute()).map(policyFrom);
    },
    async update(workspaceId, id, patch) {
      const set: Record<string, unknown> = { updated_at: Date.now() };
      if (patch.name !== undefined) set['name'] = patch.name;
      if (patch.firstResponseMinutes !== undefined) set['first_response_minutes'] = patch.firstResponseMinutes;
      if (patch.resolutionMinutes !== undefined) set['resolution_minutes'] = patch.resolutionMinutes;
      if (patch.businessHours !== undefined) set['business_hours'] = patch.businessHours ? 1 : 0;
      if (patch.warningPercent !== undefined) set['warning_percent'] = patch.warningPercent;
      await db.updateTable('sla_policies').set(set).where('workspace_id', '=', workspaceId).where('id', '=', id).execute();
    },
    async remove(workspaceId, id) {
      const res = await db.deleteFrom('sla_policies').where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
      return Number(res.numDeletedRows) > 0;
    },
  };
}

const ticketSlaFrom = (r: Selectable<TicketSlasTable>): TicketSla => ({
  ticketId: r.ticket_id,
  policyId: r.policy_id,
  queueId: r.queue_id,
  startedAt: Number(r.started_at),
  firstResponseDueAt: num(r.first_response_due_at),
  firstResponseWarnAt: num(r.first_response_warn_at),
  resolutionDueAt: num(r.resolution_due_at),
  resolutionWarnAt: num(r.resolution_warn_at),
  firstResponseAt: num(r.first_response_at),
  firstResponseBreached: flag(r.first_response_breached),
  resolvedAt: num(r.resolved_at),
  resolutionBreached: flag(r.resolution_breached),
  updatedAt: Number(r.updated_at),
});

export function ticketSlasRepo(db: Db): TicketSlasRepo {
  return {
    async upsert(workspaceId, row) {
      const targets = {
        policy_id: row.policyId,
        queue_id: row.queueId,
        started_at: row.startedAt,
        first_response_due_at: row.firstResponseDueAt,
        first_response_warn_at: row.firstResponseWarnAt,
        resolution_due_at: row.resolutionDueAt,
        resolution_warn_at: row.resolutionWarnAt,
        updated_at: Date.now(),
      };
      await db
        .insertInto('ticket_slas')
        .values({ workspace_id: workspaceId, ticket_id: row.ticketId, ...targets, first_response_at: null, first_response_breached: null, resolved_at: null, resolution_breached: null })
        .onConflict((oc) => oc.columns(['workspace_id', 'ticket_id']).doUpdateSet(targets))
        .execute();
    },
    async get(workspaceId, ticketId) {
      const r = await db.selectFrom('ticket_slas').selectAll().where('workspace_id', '=', workspaceId).where('ticket_id', '=', ticketId).executeTakeFirst();
      return r ? ticketSlaFrom(r) : null;
    },
    async forTickets(workspaceId, ticketIds) {
      if (ticketIds.length === 0) return new Map();
      const rows = await db.selectFrom('ticket_slas').selectAll().where('workspace_id', '=', workspaceId).where('ticket_id', 'in', ticketIds).execute();
      return new Map(rows.map((r) => [r.ticket_id, ticketSlaFrom(r)]));
    },
    async recordFirstResponse(workspaceId, ticketId, at, breached) {
      const res = await db
        .updateTable('ticket_slas')
        .set({ first_response_at: at, first_response_breached: breached ? 1 : 0, updated_at: Date.now() })
        .where('workspace_id', '=', workspaceId)
        .where('ticket_id', '=', ticketId)
        .where('first_response_at', 'is', null)
        .executeTakeFirst();
      return Number(res.numUpdatedRows) > 0;
    },
    async recordResolution(workspaceId, ticketId, at, breached) {
      const res = await db
        .updateTable('ticket_slas')
        .set({ resolved_at: at, resolution_breached: breached ? 1 : 0, updated_at: Date.now() })
        .where('workspace_id', '=', workspaceId)
        .where('ticket_id', '=', ticketId)
        .where('resolved_at', 'is', null)
        .executeTakeFirst();
      return Number(res.numUpdatedRows) > 0;
    },
    async removeIfUntouched(workspaceId, ticketId) {
      await db.deleteFrom('ticket_slas').where('workspace_id', '=', workspaceId).where('ticket_id', '=', ticketId).where('first_response_at', 'is', null).where('resolved_at', 'is', null).execute();
    },
  };
}

const surveyFrom = (r: Selectable<CsatSurveysTable>): CsatSurvey => ({
  id: r.id,
  ticketId: r.ticket_id,
  channel: r.channel,
  status: r.status as CsatSurveyStatus,
  reason: r.reason,
  agent: r.agent,
  score: num(r.score),
  sentAt: Number(r.sent_at),
  answeredAt: num(r.answered_at),
});

export function csatRepo(db: Db): CsatRepo {
  return {
    async settings(workspaceId) {
      const r = await db.selectFrom('csat_settings').selectAll().where('workspace_id', '=', workspaceId).executeTakeFirst();
      return r ? { enabled: Number(r.enabled) === 1, question: r.question, updatedAt: Number(r.updated_at) } : null;
    },
    async setSettings(workspaceId, settings) {
      const row = { enabled: settings.enabled ? 1 : 0, question: settings.question, updated_at: Date.now() };
      await db
        .insertInto('csat_settings')
        .values({ workspace_id: workspaceId, ...row })
        .onConflict((oc) => oc.column('workspace_id').doUpdateSet(row))
        .execute();
    },
    async createIfNew(workspaceId, input) {
      const row = { id: newId('csat'), workspace_id: workspaceId, ticket_id: input.ticketId, channel: input.channel, status: input.status, reason: input.reason, agent: input.agent, score: null, sent_at: Date.now(), answered_at: null };
      const res = await db
        .insertInto('csat_surveys')
        .values(row)
        .onConflict((oc) => oc.columns(['workspace_id', 'ticket_id']).doNothing())
        .executeTakeFirst();
      return changed(res) ? surveyFrom(row) : null;
    },
    async get(workspaceId, id) {
      const r = await db.selectFrom('csat_surveys').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
      return r ? surveyFrom(r) : null;
    },
    async forTicket(workspaceId, ticketId) {
      const r = await db.selectFrom('csat_surveys').selectAll().where('workspace_id', '=', workspaceId).where('ticket_id', '=', ticketId).executeTakeFirst();
      return r ? surveyFrom(r) : null;
    },
    async markSkipped(workspaceId, id, reason) {
      await db.updateTable('csat_surveys').set({ status: 'skipped', reason }).where('workspace_id', '=', workspaceId).where('id', '=', id).execute();
    },
    async answer(workspaceId, id, score, at) {
      const res = await db
        .updateTable('csat_surveys')
        .set({ score, answered_at: at, status: 'answered' })
        .where('workspace_id', '=', workspaceId)
        .where('id', '=', id)
        .where('status', '=', 'sent')
        .executeTakeFirst();
      return Number(res.numUpdatedRows) > 0;
    },
    async scoreCounts(workspaceId) {
      const rows = await db
        .selectFrom('csat_surveys')
        .select(['agent', 'score', (eb) => eb.fn.countAll<number | string>().as('n')])
        .where('workspace_id', '=', workspaceId)
        .where('status', '=', 'answered')
        .groupBy(['agent', 'score'])
        .execute();
      return rows.map((r) => ({ agent: r.agent, score: Number(r.score), count: Number(r.n) }));
    },
    async list(workspaceId, opts) {
      let q = db.selectFrom('csat_surveys').selectAll().where('workspace_id', '=', workspaceId);
      if (opts.agent) q = q.where('agent', '=', opts.agent);
      const after = decodeCursor(opts.cursor);
      if (after) q = q.where('id', '<', after);
      const rows = await q.orderBy('id', 'desc').limit(opts.limit + 1).execute();
      const items = rows.slice(0, opts.limit).map(surveyFrom);
      return { items, nextCursor: rows.length > opts.limit ? encodeCursor(items[items.length - 1]!.id) : null };
    },
  };
}
