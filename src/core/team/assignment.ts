// Automatic assignment: each queue whose mode is round-robin or least-open gives its waiting tickets (not closed,
// unassigned) to its members who are online, active and below their capacity (open tickets). A run assigns
// every waiting ticket it can, oldest first; tickets wait when nobody has room and are given out by the next run,
// which starts whenever that could change: a ticket arrives or is reopened, an agent comes online, a ticket is
// closed or handed back, membership, capacity or a queue's mode changes. An agent who goes offline (or is
// deactivated) hands their open tickets back: each goes to another agent or waits unassigned.
//
// Runs of one workspace are serialized (AssignmentRepo.lock, the first statement of the run's transaction), so
// two runs cannot both fill an agent's last free place.
import type { Repos, UnitOfWork } from '../repos.js';
import type { Queue, Ticket } from '../tickets/model.js';
import type { User } from '../users/repo.js';

/** Tickets one run looks at, at most (the next run takes the rest). */
const RUN_LIMIT = 500;

export interface Assigned {
  ticketId: string;
  queueId: string;
  userId: string;
}

/** The member who gets the ticket, or null when none has room. Pure: the tests of the modes drive it. */
export function pickAgent(queue: Queue, members: User[], counts: Map<string, number>): User | null {
  const room = (u: User) => u.capacity == null || (counts.get(u.email) ?? 0) < u.capacity;
  // The rotation starts after the member who got the queue's last ticket.
  const at = queue.lastAssignedUserId ? members.findIndex((m) => m.id === queue.lastAssignedUserId) : -1;
  const rotation = [...members.slice(at + 1), ...members.slice(0, at + 1)].filter(room);
  if (rotation.length === 0) return null;
  if (queue.assignment === 'round_robin') return rotation[0]!;
  // least_open: the fewest open tickets; a tie goes to whoever's turn comes first.
  let best = rotation[0]!;
  for (const u of rotation) if ((counts.get(u.email) ?? 0) < (counts.get(best.email) ?? 0)) best = u;
  return best;
}

export class Assigner {
  constructor(private readonly uow: UnitOfWork) {}

  /** One run in its own transaction (callers outside a transaction). */
  async run(workspaceId: string): Promise<Assigned[]> {
    if (!(await this.hasAutomaticQueues(this.uow.repos, workspaceId))) return [];
    return this.uow.transaction((tx) => this.assignWaiting(tx, workspaceId));
  }

  private async hasAutomaticQueues(repos: Repos, workspaceId: string): Promise<boolean> {
    return (await repos.queues.list(workspaceId)).some((q) => q.assignment !== 'off');
  }

  /** Gives out the waiting tickets of the workspace's automatic queues, inside the caller's transaction. */
  async assignWaiting(tx: Repos, workspaceId: string): Promise<Assigned[]> {
    await tx.assignment.lock(workspaceId);
    const queues = (await tx.queues.list(workspaceId)).filter((q) => q.assignment !== 'off');
    if (queues.length === 0) return [];
    const waiting = await tx.assignment.waiting(workspaceId, queues.map((q) => q.id), RUN_LIMIT);
    if (waiting.length === 0) return [];
    const users = new Map((await tx.users.list(workspaceId)).filter((u) => !u.deactivatedAt && u.availability === 'online').map((u) => [u.id, u]));
    if (users.size === 0) return [];
    const memberships = await tx.queueMembers.list(workspaceId);
    const membersOf = new Map<string, User[]>();
    for (const m of memberships) {
      const u = users.get(m.userId);
      if (u) membersOf.set(m.queueId, [...(membersOf.get(m.queueId) ?? []), u]);
    }
    // Members in a stable order (by when they joined the workspace), so the rotation is the same every run.
    for (const list of membersOf.values()) list.sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
    const counts = await tx.assignment.openCounts(workspaceId, [...users.values()].map((u) => u.email));
    const byId = new Map(queues.map((q) => [q.id, { ...q }]));
    const moved = new Set<string>();
    const out: Assigned[] = [];
    for (const ticket of waiting) {
      const queue = byId.get(ticket.queueId!)!;
      const agent = pickAgent(queue, membersOf.get(queue.id) ?? [], counts);
      if (!agent) continue;
      if (!(await tx.assignment.assignIfUnassigned(workspaceId, ticket.id, agent.email))) continue;
      counts.set(agent.email, (counts.get(agent.email) ?? 0) + 1);
      queue.lastAssignedUserId = agent.id;
      moved.add(queue.id);
      out.push({ ticketId: ticket.id, queueId: queue.id, userId: agent.id });
    }
    for (const id of moved) await tx.queues.update(workspaceId, id, { lastAssignedUserId: byId.get(id)!.lastAssignedUserId });
    return out;
  }

  /**
   * The user no longer takes tickets (offline or deactivated): their open tickets are unassigned, then given
   * to other agents where the queue assigns automatically and someone has room. Inside the caller's transaction.
   */
  async handBack(tx: Repos, workspaceId: string, user: User): Promise<{ released: Ticket[]; assigned: Assigned[] }> {
    await tx.assignment.lock(workspaceId);
    const held = await tx.assignment.heldBy(workspaceId, user.email);
    const released: Ticket[] = [];
    for (const t of held) if (await tx.assignment.unassignIfHeldBy(workspaceId, t.id, user.email)) released.push(t);
    const assigned = await this.assignWaiting(tx, workspaceId);
    return { released, assigned };
  }
}
