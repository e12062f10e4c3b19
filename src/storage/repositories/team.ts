// The support team: invitations, queue membership, ticket viewers and automatic assignment's bookkeeping.
import { sql } from 'kysely';
import type { Db } from '../database.js';
import type { AssignmentRepo, Invite, InvitesRepo, QueueMembersRepo, TicketViewersRepo } from '../../core/team/repo.js';
import type { UserRole } from '../../core/users/repo.js';
import { newId } from '../../core/ids.js';
import { ticketFrom } from './tickets.js';

const updated = (res: { numUpdatedRows?: bigint }) => Number(res.numUpdatedRows ?? 0) > 0;

const inviteFrom = (r: { id: string; workspace_id: string; email: string; role: string; queue_ids: string; invited_by: string | null; expires_at: number; accepted_at: number | null; revoked_at: number | null; created_at: number }): Invite => ({
  id: r.id,
  workspaceId: r.workspace_id,
  email: r.email,
  role: r.role as UserRole,
  queueIds: JSON.parse(r.queue_ids) as string[],
  invitedBy: r.invited_by,
  expiresAt: Number(r.expires_at),
  acceptedAt: r.accepted_at == null ? null : Number(r.accepted_at),
  revokedAt: r.revoked_at == null ? null : Number(r.revoked_at),
  createdAt: Number(r.created_at),
});

export function invitesRepo(db: Db): InvitesRepo {
  return {
    async create(workspaceId, input) {
      const row = {
        id: newId('inv'),
        workspace_id: workspaceId,
        email: input.email,
        role: input.role,
        queue_ids: JSON.stringify(input.queueIds),
        token_hash: input.tokenHash,
        invited_by: input.invitedBy,
        expires_at: input.expiresAt,
        accepted_at: null,
        revoked_at: null,
        created_at: Date.now(),
      };
      await db.insertInto('user_invites').values(row).execute();
      return inviteFrom(row);
    },
    async get(workspaceId, id) {
      const r = await db.selectFrom('user_invites').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
      return r ? inviteFrom(r) : null;
    },
    async list(workspaceId) {
      return (await db.selectFrom('user_invites').selectAll().where('workspace_id', '=', workspaceId).orderBy('created_at', 'desc').limit(200).execute()).map(inviteFrom);
    },
    async resolveByTokenHash(tokenHash) {
      const r = await db.selectFrom('user_invites').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
      return r ? inviteFrom(r) : null;
    },
    async markAccepted(workspaceId, id, at) {
      const res = await db.updateTable('user_invites').set({ accepted_at: at }).where('workspace_id', '=', workspaceId).where('id', '=', id).where('accepted_at', 'is', null).where('revoked_at', 'is', null).executeTakeFirst();
      return updated(res);
    },
    async revoke(workspaceId, id, at) {
      const res = await db.updateTable('user_invites').set({ revoked_at: at }).where('workspace_id', '=', workspaceId).where('id', '=', id).where('accepted_at', 'is', null).where('revoked_at', 'is', null).executeTakeFirst();
      return updated(res);
    },
  };
}

export function queueMembersRepo(db: Db): QueueMembersRepo {
  return {
    async list(workspaceId) {
      const rows = await db.selectFrom('queue_members').select(['queue_id', 'user_id']).where('workspace_id', '=', workspaceId).orderBy('created_at').orderBy('user_id').execute();
      return rows.map((r) => ({ queueId: r.queue_id, userId: r.user_id }));
    },
    async setForUser(workspaceId, userId, queueIds) {
      const now = Date.now();
      const current = new Set((await db.selectFrom('queue_members').select('queue_id').where('workspace_id', '=', workspaceId).where('user_id', '=', userId).execute()).map((r) => r.queue_id));
      const wanted = new Set(queueIds);
      const gone = [...current].filter((q) => !wanted.has(q));
      const added = [...wanted].filter((q) => !current.has(q));
      if (gone.length) await db.deleteFrom('queue_members').where('workspace_id', '=', workspaceId).where('user_id', '=', userId).where('queue_id', 'in', gone).execute();
      if (added.length) {
        await db
          .insertInto('queue_members')
          .values(added.map((queueId) => ({ workspace_id: workspaceId, queue_id: queueId, user_id: userId, created_at: now })))
          .onConflict((oc) => oc.columns(['workspace_id', 'queue_id', 'user_id']).doNothing())
          .execute();
      }
    },
  };
}

export function ticketViewersRepo(db: Db): TicketViewersRepo {
  return {
    async touch(workspaceId, ticketId, userId, at) {
      await db
        .insertInto('ticket_viewers')
        .values({ workspace_id: workspaceId, ticket_id: ticketId, user_id: userId, seen_at: at })
        .onConflict((oc) => oc.columns(['workspace_id', 'ticket_id', 'user_id']).doUpdateSet({ seen_at: at }))
        .execute();
    },
    async leave(workspaceId, ticketId, userId) {
      await db.deleteFrom('ticket_viewers').where('workspace_id', '=', workspaceId).where('ticket_id', '=', ticketId).where('user_id', '=', userId).execute();
    },
    async seenSince(workspaceId, since, ticketIds) {
      if (ticketIds && ticketIds.length === 0) return [];
      let q = db.selectFrom('ticket_viewers').select(['ticket_id', 'user_id', 'seen_at']).where('workspace_id', '=', workspaceId).where('seen_at', '>', since);
      if (ticketIds) q = q.where('ticket_id', 'in', ticketIds);
      const rows = await q.orderBy('ticket_id').orderBy('seen_at').limit(2000).execute();
      return rows.map((r) => ({ ticketId: r.ticket_id, userId: r.user_id, seenAt: Number(r.seen_at) }));
    },
    async prune(workspaceId, before) {
      await db.deleteFrom('ticket_viewers').where('workspace_id', '=', workspaceId).where('seen_at', '<', before).execute();
    },
  };
}

export function assignmentRepo(db: Db): AssignmentRepo {
  return {
    async lock(workspaceId) {
      await db
        .insertInto('assignment_runs')
        .values({ workspace_id: workspaceId, runs: 1 })
        .onConflict((oc) => oc.column('workspace_id').doUpdateSet({ runs: sql<number>`assignment_runs.runs + 1` }))
        .execute();
    },
    async openCounts(workspaceId, assignees) {
      const out = new Map<string, number>(assignees.map((a) => [a, 0]));
      if (assignees.length === 0) return out;
      const rows = await db
        .selectFrom('tickets')
        .select((eb) => ['assignee', eb.fn.countAll<number>().as('n')])
        .where('workspace_id', '=', workspaceId)
        .where('assignee', 'in', assignees)
        .where('status', '!=', 'closed')
        .groupBy('assignee')
        .execute();
      for (const r of rows) if (r.assignee) out.set(r.assignee, Number(r.n));
      return out;
    },
    async waiting(workspaceId, queueIds, limit) {
      if (queueIds.length === 0) return [];
      const rows = await db
        .selectFrom('tickets')
        .selectAll()
        .where('workspace_id', '=', workspaceId)
        .where('queue_id', 'in', queueIds)
        .where('status', '!=', 'closed')
        .where('assignee', 'is', null)
        .orderBy('created_at')
        .orderBy('id')
        .limit(limit)
        .execute();
      return rows.map(ticketFrom);
    },
    async heldBy(workspaceId, assignee) {
      const rows = await db.selectFrom('tickets').selectAll().where('workspace_id', '=', workspaceId).where('assignee', '=', assignee).where('status', '!=', 'closed').orderBy('created_at').orderBy('id').execute();
      return rows.map(ticketFrom);
    },
    async assignIfUnassigned(workspaceId, ticketId, assignee) {
      const res = await db.updateTable('tickets').set({ assignee, updated_at: Date.now() }).where('workspace_id', '=', workspaceId).where('id', '=', ticketId).where('assignee', 'is', null).executeTakeFirst();
      return updated(res);
    },
    async unassignIfHeldBy(workspaceId, ticketId, assignee) {
      const res = await db.updateTable('tickets').set({ assignee: null, updated_at: Date.now() }).where('workspace_id', '=', workspaceId).where('id', '=', ticketId).where('assignee', '=', assignee).executeTakeFirst();
      return updated(res);
    },
  };
}
