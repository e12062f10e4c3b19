// Console users and their sessions.
import type { Db } from '../database.js';
import type { Availability, SessionsRepo, SignInFailuresRepo, User, UserRole, UsersRepo } from '../../core/users/repo.js';
import { newId } from '../../core/ids.js';
import { insertUnique } from './insert-unique.js';

const userFrom = (r: { id: string; workspace_id: string; email: string; name: string | null; role: string; created_at: number; deactivated_at: number | null; availability: string; capacity: number | null }): User => ({
  id: r.id,
  workspaceId: r.workspace_id,
  email: r.email,
  name: r.name,
  role: r.role as UserRole,
  createdAt: r.created_at,
  deactivatedAt: r.deactivated_at == null ? null : Number(r.deactivated_at),
  availability: r.availability as Availability,
  capacity: r.capacity == null ? null : Number(r.capacity),
});

export function usersRepo(db: Db): UsersRepo {
  return {
    async create(workspaceId, input) {
      // Availability, capacity and deactivation take their defaults (offline, no limit, active).
      const row = { id: newId('usr'), workspace_id: workspaceId, email: input.email, name: input.name, role: input.role, password_hash: input.passwordHash, created_at: Date.now() };
      await insertUnique('user', () => db.insertInto('users').values(row).execute());
      return userFrom({ ...row, deactivated_at: null, availability: 'offline', capacity: null });
    },
    async get(workspaceId, id) {
      const r = await db.selectFrom('users').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
      return r ? userFrom(r) : null;
    },
    async list(workspaceId) {
      return (await db.selectFrom('users').selectAll().where('workspace_id', '=', workspaceId).orderBy('created_at').execute()).map(userFrom);
    },
    async remove(workspaceId, id) {
      await db.deleteFrom('sessions').where('workspace_id', '=', workspaceId).where('user_id', '=', id).execute();
      await db.deleteFrom('ticket_reads').where('workspace_id', '=', workspaceId).where('user_id', '=', id).execute();
      await db.deleteFrom('mentions').where('workspace_id', '=', workspaceId).where('user_id', '=', id).execute();
      await db.deleteFrom('queue_members').where('workspace_id', '=', workspaceId).where('user_id', '=', id).execute();
      await db.deleteFrom('ticket_viewers').where('workspace_id', '=', workspaceId).where('user_id', '=', id).execute();
      const res = await db.deleteFrom('users').where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
      return Number(res.numDeletedRows) > 0;
    },
    async update(workspaceId, id, patch) {
      const set: Record<string, unknown> = {};
      if (patch.name !== undefined) set['name'] = patch.name;
      if (patch.role !== undefined) set['role'] = patch.role;
      if (patch.availability !== undefined) set['availability'] = patch.availability;
      if (patch.capacity !== undefined) set['capacity'] = patch.capacity;
      if (patch.deactivatedAt !== undefined) set['deactivated_at'] = patch.deactivatedAt;
      if (Object.keys(set).length) await db.updateTable('users').set(set).where('workspace_id', '=', workspaceId).where('id', '=', id).execute();
    },
    async resolveByEmail(email) {
      const r = await db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
      return r ? { ...userFrom(r), passwordHash: r.password_hash } : null;
    },
    async setPasswordHash(workspaceId, id, passwordHash) {
      await db.updateTable('users').set({ password_hash: passwordHash }).where('workspace_id', '=', workspaceId).where('id', '=', id).execute();
    },
  };
}

/** How long failed sign-ins are kept: far longer than any lock-out window. */
const FAILURES_KEPT_MS = 24 * 3600_000;

export function signInFailuresRepo(db: Db): SignInFailuresRepo {
  let lastPrune = 0;
  return {
    async record(key, at) {
      await db.insertInto('sign_in_failures').values({ key, failed_at: at }).execute();
      // Old rows go now and then, so a flood of made-up addresses cannot grow the table without end.
      if (at - lastPrune > 60_000) {
        lastPrune = at;
        await db.deleteFrom('sign_in_failures').where('failed_at', '<', at - FAILURES_KEPT_MS).execute();
      }
    },
    async count(key, since) {
      const r = await db.selectFrom('sign_in_failures').select((eb) => eb.fn.countAll<number>().as('n')).where('key', '=', key).where('failed_at', '>', since).executeTakeFirst();
      return Number(r?.n ?? 0);
    },
    async oldest(key, since) {
      const r = await db.selectFrom('sign_in_failures').select((eb) => eb.fn.min<number>('failed_at').as('at')).where('key', '=', key).where('failed_at', '>', since).executeTakeFirst();
      return r?.at == null ? null : Number(r.at);
    },
    async clear(key) {
      await db.deleteFrom('sign_in_failures').where('key', '=', key).execute();
    },
  };
}

export function sessionsRepo(db: Db): SessionsRepo {
  return {
    async create(input) {
      const row = { id: newId('ses'), token_hash: input.tokenHash, user_id: input.userId, workspace_id: input.workspaceId, csrf_token: input.csrfToken, created_at: Date.now(), expires_at: input.expiresAt };
      await db.insertInto('sessions').values(row).execute();
      return { id: row.id, userId: row.user_id, workspaceId: row.workspace_id, csrfToken: row.csrf_token, expiresAt: row.expires_at };
    },
    async resolveByTokenHash(tokenHash, now) {
      const r = await db.selectFrom('sessions').selectAll().where('token_hash', '=', tokenHash).where('expires_at', '>', now).executeTakeFirst();
      return r ? { id: r.id, userId: r.user_id, workspaceId: r.workspace_id, csrfToken: r.csrf_token, expiresAt: r.expires_at } : null;
    },
    async remove(id) {
      await db.deleteFrom('sessions').where('id', '=', id).execute();
    },
    async removeForUser(workspaceId, userId) {
      await db.deleteFrom('sessions').where('workspace_id', '=', workspaceId).where('user_id', '=', userId).execute();
    },
  };
}
