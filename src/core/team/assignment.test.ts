// Who gets the next ticket of a queue: the rotation, capacity, and the fewest-open rule with its tie-break.
import { describe, expect, it } from 'vitest';
import { pickAgent } from './assignment.js';
import type { Queue } from '../tickets/model.js';
import type { User } from '../users/repo.js';

const user = (id: string, capacity: number | null = null): User => ({ id, workspaceId: 'ws', email: `${id}@x.example`, name: id, role: 'agent', createdAt: 0, deactivatedAt: null, availability: 'online', capacity });
const queue = (assignment: Queue['assignment'], lastAssignedUserId: string | null): Queue => ({ id: 'q', name: 'Q', autoReply: null, signature: null, createdAt: 0, assignment, lastAssignedUserId });
const counts = (c: Record<string, number>) => new Map(Object.entries(c).map(([id, n]) => [`${id}@x.example`, n]));

describe('pickAgent', () => {
  const [a, b, c] = [user('a', 2), user('b', 2), user('c')];

  it('round-robin goes on after the last member who got a ticket, wrapping, and skips the full', () => {
    expect(pickAgent(queue('round_robin', null), [a, b, c], counts({}))?.id).toBe('a');
    expect(pickAgent(queue('round_robin', 'a'), [a, b, c], counts({}))?.id).toBe('b');
    expect(pickAgent(queue('round_robin', 'c'), [a, b, c], counts({}))?.id).toBe('a');
    expect(pickAgent(queue('round_robin', 'a'), [a, b, c], counts({ b: 2 }))?.id).toBe('c');
    // The last one left the queue: the rotation starts from the top.
    expect(pickAgent(queue('round_robin', 'gone'), [a, b], counts({}))?.id).toBe('a');
  });

  it('least-open takes the fewest open tickets; a tie goes to whoever’s turn comes first; nobody with room is null', () => {
    expect(pickAgent(queue('least_open', null), [a, b, c], counts({ a: 1, b: 0, c: 3 }))?.id).toBe('b');
    expect(pickAgent(queue('least_open', 'a'), [a, b, c], counts({ a: 1, b: 1, c: 1 }))?.id).toBe('b');
    expect(pickAgent(queue('least_open', 'b'), [a, b], counts({ a: 2, b: 2 }))).toBeNull();
    // No limit (null capacity) always has room.
    expect(pickAgent(queue('least_open', null), [a, b, c], counts({ a: 2, b: 2, c: 40 }))?.id).toBe('c');
  });
});
