// The persistence port of the support team: invitations, queue membership, who has a ticket open, and the
// bookkeeping of automatic assignment.
import type { UserRole } from '../users/repo.js';
import type { Ticket } from '../tickets/model.js';

export interface Invite {
  id: string;
  workspaceId: string;
  email: string;
  role: UserRole;
  /** Queues the user joins on accepting. */
  queueIds: string[];
  invitedBy: string | null;
  expiresAt: number;
  acceptedAt: number | null;
  revokedAt: number | null;
  createdAt: number;
}

export interface InvitesRepo {
  create(workspaceId: string, input: Pick<Invite, 'email' | 'role' | 'queueIds' | 'invitedBy' | 'expiresAt'> & { tokenHash: string }): Promise<Invite>;
  get(workspaceId: string, id: string): Promise<Invite | null>;
  list(workspaceId: string): Promise<Invite[]>;
  /** The invitation of a link: the workspace comes from the unguessable token. */
  resolveByTokenHash(tokenHash: string): Promise<Invite | null>;
  /** Marks it used; false when it was used or revoked already (of two accepts at once, one wins). */
  markAccepted(workspaceId: string, id: string, at: number): Promise<boolean>;
  /** Revokes it; false when it was used or revoked already. */
  revoke(workspaceId: string, id: string, at: number): Promise<boolean>;
}

export interface QueueMembersRepo {
  /** Every membership of the workspace, oldest first. */
  list(workspaceId: string): Promise<Array<{ queueId: string; userId: string }>>;
  /** Replaces the user's queues. */
  setForUser(workspaceId: string, userId: string, queueIds: string[]): Promise<void>;
}

export interface TicketViewersRepo {
  /** The user has the ticket open (a heartbeat). */
  touch(workspaceId: string, ticketId: string, userId: string, at: number): Promise<void>;
  leave(workspaceId: string, ticketId: string, userId: string): Promise<void>;
  /** Who was seen since a time, by ticket (ticketIds: only these; null: all tickets). */
  seenSince(workspaceId: string, since: number, ticketIds: string[] | null): Promise<Array<{ ticketId: string; userId: string; seenAt: number }>>;
  /** Forgets heartbeats older than a time. */
  prune(workspaceId: string, before: number): Promise<void>;
}

export interface AssignmentRepo {
  /** Serializes the workspace's assignment runs: the first statement of each run's transaction. */
  lock(workspaceId: string): Promise<void>;
  /** Tickets that are not closed, by assignee (the user's e-mail address), for the assignees given. */
  openCounts(workspaceId: string, assignees: string[]): Promise<Map<string, number>>;
  /** Unassigned tickets that are not closed, in the queues given, oldest first. */
  waiting(workspaceId: string, queueIds: string[], limit: number): Promise<Ticket[]>;
  /** The tickets an assignee holds that are not closed. */
  heldBy(workspaceId: string, assignee: string): Promise<Ticket[]>;
  /** Sets the assignee only while the ticket has none; false when someone took it meanwhile. */
  assignIfUnassigned(workspaceId: string, ticketId: string, assignee: string): Promise<boolean>;
  /** Clears the assignee only while it is still this one. */
  unassignIfHeldBy(workspaceId: string, ticketId: string, assignee: string): Promise<boolean>;
}

/** The repositories of this module, as the unit of work hands them out. */
export interface TeamRepos {
  invites: InvitesRepo;
  queueMembers: QueueMembersRepo;
  ticketViewers: TicketViewersRepo;
  assignment: AssignmentRepo;
}
