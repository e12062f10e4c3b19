// The "ticket.viewers" frames of the inbox stream: for each ticket whose set of viewers changed since the last
// frame (someone opened it, closed it, or their heartbeat expired), who has it open now.
import type { Viewer } from '../core/team/service.js';
import { iso } from './views.js';

export interface ViewerFrame {
  user_id: string;
  name: string;
  seen_at: string;
}

/** The changes from `last` (ticket id → a key of its viewers, updated in place) to `now`. */
export function viewerChanges(last: Map<string, string>, now: Map<string, Viewer[]>): Array<[string, ViewerFrame[]]> {
  const out: Array<[string, ViewerFrame[]]> = [];
  for (const [ticketId, viewers] of now) {
    const key = viewers.map((v) => v.userId).sort().join(',');
    if (last.get(ticketId) === key) continue;
    last.set(ticketId, key);
    out.push([ticketId, viewers.map((v) => ({ user_id: v.userId, name: v.name, seen_at: iso(v.seenAt) }))]);
  }
  for (const ticketId of [...last.keys()]) {
    if (now.has(ticketId)) continue;
    last.delete(ticketId);
    out.push([ticketId, []]);
  }
  return out;
}
