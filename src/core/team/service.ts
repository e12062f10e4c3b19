// The support team: admins invite users by a one-time link that expires (the user sets their name and
// password), set roles, capacities and queue membership, and deactivate users (their sessions end at once,
// sign-in is refused, their open tickets go to colleagues or wait unassigned). The last active admin can be
// neither demoted nor deactivated. Agents set their own availability; collision notice shows who else has a
// ticket open.
import { createHash, randomBytes } from 'node:crypto';
import { AppError, DuplicateError, invalidField, notFound } from '../errors.js';
import type { UnitOfWork } from '../repos.js';
import type { Availability, User, UserRole } from '../users/repo.js';
import type { UserService } from '../users/service.js';
import type { AssignmentMode, Queue } from '../tickets/model.js';
import type { Assigner } from './assignment.js';
import type { Invite } from './repo.js';

export const INVITE_TTL_MS = 7 * 24 * 3600_000;
/** A viewer counts as present this long after their last heartbeat (the console sends one every 10 s). */
export const PRESENCE_TTL_MS = 30_000;
export const MAX_CAPACITY = 500;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

export type InviteState = 'pending' | 'accepted' | 'expired' | 'revoked';

export interface TeamMember extends User {
  queueIds: string[];
}

export interface Viewer {
  userId: string;
  name: string;
  seenAt: number;
}

export class TeamService {
  private readonly now: () => number;
  private lastPrune = 0;

  constructor(
    private readonly uow: UnitOfWork,
    private readonly users: UserService,
    private readonly assigner: Assigner,
    private readonly publicUrl: string,
    opts: { now?: () => number } = {},
  ) {
    this.now = opts.now ?? Date.now;
  }

  inviteState(invite: Invite): InviteState {
    if (invite.acceptedAt) return 'accepted';
    if (invite.revokedAt) return 'revoked';
    return invite.expiresAt <= this.now() ? 'expired' : 'pending';
  }

  private async checkQueues(workspaceId: string, queueIds: string[], field: string): Promise<string[]> {
    const known = new Set((await this.uow.repos.queues.list(workspaceId)).map((q) => q.id));
    const unique = [...new Set(queueIds)];
    unique.forEach((id, i) => {
      if (!known.has(id)) throw invalidField(`${field}[${i}]`, `no queue ${id} in this workspace`);
    });
    return unique;
  }

  // ---- invitations

  /** An invitation and its one-time link (shown in this answer only; the hub keeps a hash of it). */
  async invite(workspaceId: string, invitedBy: string | null, input: { email: string; role: UserRole; queueIds: string[] }): Promise<{ invite: Invite; url: string }> {
    const email = input.email.trim().toLowerCase();
    if (!EMAIL.test(email)) throw invalidField('email', 'is not a valid e-mail address');
    if (await this.uow.repos.users.resolveByEmail(email)) throw new AppError('conflict', `a user with the e-mail ${email} exists`);
    const queueIds = await this.checkQueues(workspaceId, input.queueIds, 'queue_ids');
    const token = randomBytes(32).toString('base64url');
    const invite = await this.uow.repos.invites.create(workspaceId, { email, role: input.role, queueIds, invitedBy, expiresAt: this.now() + INVITE_TTL_MS, tokenHash: hashToken(token) });
    // The token travels in the fragment: browsers do not send it to the server, so it stays out of access logs.
    return { invite, url: `${this.publicUrl.replace(/\/$/, '')}/invite#${token}` };
  }

  async revokeInvite(workspaceId: string, id: string): Promise<void> {
    const invite = await this.uow.repos.invites.get(workspaceId, id);
    if (!invite) throw notFound('invite', id);
    if (!(await this.uow.repos.invites.revoke(workspaceId, id, this.now()))) throw new AppError('conflict', `the invitation was already ${this.inviteState(invite)}`);
  }

  /** The invitation of a link, if it can still be accepted; otherwise an error that says why not. */
  async openInvite(token: string): Promise<{ invite: Invite; workspaceName: string }> {
    const invite = token && token.length <= 200 ? await this.uow.repos.invites.resolveByTokenHash(hashToken(token)) : null;
    if (!invite) throw new AppError('not_found', 'this invitation link is not valid: check that it was copied whole, or ask an admin for a new one');
    const state = this.inviteState(invite);
    if (state === 'accepted') throw new AppError('conflict', 'this invitation link has already been used; sign in with the password chosen then, or ask an admin for a new link', { reason: 'used' });
    if (state === 'revoked') throw new AppError('conflict', 'this invitation was withdrawn by an admin; ask them for a new link', { reason: 'revoked' });
    if (state === 'expired') throw new AppError('conflict', `this invitation link expired on ${new Date(invite.expiresAt).toISOString()}; ask an admin for a new one`, { reason: 'expired' });
    const workspace = await this.uow.repos.workspaces.get(invite.workspaceId);
    return { invite, workspaceName: workspace?.name ?? '' };
  }

  /** Accepts an invitation: the user is created with their name and password, in the invited queues. Once. */
  async accept(token: string, input: { name: string; password: string }): Promise<User> {
    const { invite } = await this.openInvite(token);
    const name = input.name.trim();
    if (!name) throw invalidField('name', 'must not be empty');
    const passwordHash = await this.users.hashNewPassword(input.password);
    if (await this.uow.repos.users.resolveByEmail(invite.email)) throw new AppError('conflict', `a user with the e-mail ${invite.email} exists`);
    const ws = invite.workspaceId;
    const queues = new Set((await this.uow.repos.queues.list(ws)).map((q) => q.id));
    try {
      return await this.uow.transaction(async (tx) => {
      // Of two accepts at once, one marks it: the other finds it used and nothing is written.
      if (!(await tx.invites.markAccepted(ws, invite.id, this.now()))) throw new AppError('conflict', 'this invitation link has already been used', { reason: 'used' });
      const user = await tx.users.create(ws, { email: invite.email, name, role: invite.role, passwordHash });
      await tx.queueMembers.setForUser(ws, user.id, invite.queueIds.filter((q) => queues.has(q)));
      return user;
      });
    } catch (err) {
      if (err instanceof DuplicateError) throw new AppError('conflict', `a user with the e-mail ${invite.email} exists`);
      throw err;
    }
  }

  // ---- members

  async members(workspaceId: string): Promise<TeamMember[]> {
    const [users, memberships] = await Promise.all([this.uow.repos.users.list(workspaceId), this.uow.repos.queueMembers.list(workspaceId)]);
    return users.map((u) => ({ ...u, queueIds: memberships.filter((m) => m.userId === u.id).map((m) => m.queueId) }));
  }

  async member(workspaceId: string, id: string): Promise<TeamMember> {
    const found = (await this.members(workspaceId)).find((m) => m.id === id);
    if (!found) throw notFound('user', id);
    return found;
  }

  private async activeAdmins(workspaceId: string): Promise<User[]> {
    return (await this.uow.repos.users.list(workspaceId)).filter((u) => u.role === 'admin' && !u.deactivatedAt);
  }

  /** Role, name, capacity and queues; the last active admin keeps their role. */
  async updateMember(workspaceId: string, id: string, patch: { name?: string | null; role?: UserRole; capacity?: number | null; queueIds?: string[] }): Promise<TeamMember> {
    const user = await this.uow.repos.users.get(workspaceId, id);
    if (!user) throw notFound('user', id);
    if (patch.role === 'agent' && user.role === 'admin' && !user.deactivatedAt && (await this.activeAdmins(workspaceId)).length <= 1) {
      throw new AppError('conflict', 'the last active admin of the workspace cannot be made an agent: make someone else an admin first');
    }
    if (patch.capacity != null && (!Number.isInteger(patch.capacity) || patch.capacity < 0 || patch.capacity > MAX_CAPACITY)) throw invalidField('capacity', `must be a whole number from 0 to ${MAX_CAPACITY}, or null for no limit`);
    const queueIds = patch.queueIds ? await this.checkQueues(workspaceId, patch.queueIds, 'queue_ids') : null;
    await this.uow.transaction(async (tx) => {
      await tx.users.update(workspaceId, id, {
        ...(patch.name !== undefined ? { name: patch.name?.trim() || null } : {}),
        ...(patch.role !== undefined ? { role: patch.role } : {}),
        ...(patch.capacity !== undefined ? { capacity: patch.capacity } : {}),
      });
      if (queueIds) await tx.queueMembers.setForUser(workspaceId, id, queueIds);
    });
    // More room or a new queue: waiting tickets may go to them now.
    if (patch.capacity !== undefined || queueIds) await this.assigner.run(workspaceId);
    return this.member(workspaceId, id);
  }

  /** Ends the user's sessions at once, refuses their sign-in, and hands their open tickets on. */
  async deactivate(workspaceId: string, id: string): Promise<TeamMember> {
    const user = await this.uow.repos.users.get(workspaceId, id);
    if (!user) throw notFound('user', id);
    if (user.deactivatedAt) return this.member(workspaceId, id);
    if (user.role === 'admin' && (await this.activeAdmins(workspaceId)).length <= 1) throw new AppError('conflict', 'the last active admin of the workspace cannot be deactivated');
    await this.uow.transaction(async (tx) => {
      await tx.assignment.lock(workspaceId);
      await tx.users.update(workspaceId, id, { deactivatedAt: this.now(), availability: 'offline' });
      await tx.sessions.removeForUser(workspaceId, id);
      await this.assigner.handBack(tx, workspaceId, user);
    });
    return this.member(workspaceId, id);
  }

  async reactivate(workspaceId: string, id: string): Promise<TeamMember> {
    const user = await this.uow.repos.users.get(workspaceId, id);
    if (!user) throw notFound('user', id);
    // Back as offline: they take tickets once they say they are online.
    if (user.deactivatedAt) await this.uow.repos.users.update(workspaceId, id, { deactivatedAt: null, availability: 'offline' });
    return this.member(workspaceId, id);
  }

  /** Set by the agent themselves. Online: waiting tickets may come to them; offline: theirs go to others. */
  async setAvailability(workspaceId: string, userId: string, availability: Availability): Promise<TeamMember> {
    const user = await this.uow.repos.users.get(workspaceId, userId);
    if (!user) throw notFound('user', userId);
    await this.uow.transaction(async (tx) => {
      await tx.assignment.lock(workspaceId);
      await tx.users.update(workspaceId, userId, { availability });
      if (availability === 'offline' && user.availability !== 'offline') await this.assigner.handBack(tx, workspaceId, user);
      if (availability === 'online') await this.assigner.assignWaiting(tx, workspaceId);
    });
    return this.member(workspaceId, userId);
  }

  async setQueueAssignment(workspaceId: string, queueId: string, mode: AssignmentMode): Promise<Queue> {
    if (!(await this.uow.repos.queues.get(workspaceId, queueId))) throw notFound('queue', queueId);
    await this.uow.repos.queues.update(workspaceId, queueId, { assignment: mode });
    if (mode !== 'off') await this.assigner.run(workspaceId);
    return (await this.uow.repos.queues.get(workspaceId, queueId))!;
  }

  // ---- collision notice

  /** A heartbeat: the user has the ticket open. Answers who else has it open. */
  async viewing(workspaceId: string, ticketId: string, userId: string): Promise<Viewer[]> {
    if (!(await this.uow.repos.tickets.get(workspaceId, ticketId))) throw notFound('ticket', ticketId);
    const now = this.now();
    await this.uow.repos.ticketViewers.touch(workspaceId, ticketId, userId, now);
    // Heartbeats of closed browsers (which never said they left) go after a while.
    if (now - this.lastPrune > PRESENCE_TTL_MS) {
      this.lastPrune = now;
      await this.uow.repos.ticketViewers.prune(workspaceId, now - 10 * PRESENCE_TTL_MS);
    }
    return (await this.viewers(workspaceId, [ticketId])).get(ticketId)?.filter((v) => v.userId !== userId) ?? [];
  }

  async leave(workspaceId: string, ticketId: string, userId: string): Promise<void> {
    await this.uow.repos.ticketViewers.leave(workspaceId, ticketId, userId);
  }

  /** Who has each ticket open now (null: every ticket someone has open), by name. */
  async viewers(workspaceId: string, ticketIds: string[] | null): Promise<Map<string, Viewer[]>> {
    const rows = await this.uow.repos.ticketViewers.seenSince(workspaceId, this.now() - PRESENCE_TTL_MS, ticketIds);
    const out = new Map<string, Viewer[]>();
    if (rows.length === 0) return out;
    const users = new Map((await this.uow.repos.users.list(workspaceId)).map((u) => [u.id, u]));
    for (const r of rows) {
      const u = users.get(r.userId);
      if (!u || u.deactivatedAt) continue;
      out.set(r.ticketId, [...(out.get(r.ticketId) ?? []), { userId: u.id, name: u.name ?? u.email, seenAt: r.seenAt }]);
    }
    return out;
  }
}
