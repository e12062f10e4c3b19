// Recurring maintenance chains and the retention prunes. Each prune deletes one bounded batch (by primary
// key, so both dialects delete exactly the rows selected) and is safe to run from several workers at once.
import type { Db } from '../database.js';
import type { MaintenanceRepo } from '../../core/retention/repo.js';

export function maintenanceRepo(db: Db): MaintenanceRepo {
  return {
    async get(name) {
      const r = await db.selectFrom('maintenance_runs').selectAll().where('name', '=', name).executeTakeFirst();
      return r ? { name: r.name, token: r.token, nextRunAt: r.next_run_at, lastRunAt: r.last_run_at, lastResult: r.last_result ? (JSON.parse(r.last_result) as Record<string, number>) : null } : null;
    },
    async swapToken(name, expected, next) {
      const now = Date.now();
      if (expected === null) {
        const res = await db
          .insertInto('maintenance_runs')
          .values({ name, token: next.token, next_run_at: next.nextRunAt, last_run_at: next.lastRunAt ?? null, last_result: next.lastResult ? JSON.stringify(next.lastResult) : null, updated_at: now })
          .onConflict((oc) => oc.column('name').doNothing())
          .executeTakeFirst();
        return Number(res.numInsertedOrUpdatedRows ?? 0) > 0;
      }
      const res = await db
        .updateTable('maintenance_runs')
        .set({
          token: next.token,
          next_run_at: next.nextRunAt,
          ...(next.lastRunAt !== undefined ? { last_run_at: next.lastRunAt } : {}),
          ...(next.lastResult !== undefined ? { last_result: JSON.stringify(next.lastResult) } : {}),
          updated_at: now,
        })
        .where('name', '=', name)
        .where('token', '=', expected)
        .executeTakeFirst();
      return Number(res.numUpdatedRows) > 0;
    },
    async pruneInboundWebhooks(receivedBefore, limit) {
      // Deliveries still waiting for their job are kept whatever their age.
      const ids = db.selectFrom('inbound_webhooks').select('id').where('received_at', '<', receivedBefore).where('status', '!=', 'received').limit(limit);
      const res = await db.deleteFrom('inbound_webhooks').where('id', 'in', ids).executeTakeFirst();
      return Number(res.numDeletedRows);
    },
    async pruneSessions(expiredBefore, limit) {
      const ids = db.selectFrom('sessions').select('id').where('expires_at', '<', expiredBefore).limit(limit);
      const res = await db.deleteFrom('sessions').where('id', 'in', ids).executeTakeFirst();
      return Number(res.numDeletedRows);
    },
    async pruneVerificationCodes(expiredBefore, limit) {
      const ids = db.selectFrom('verification_codes').select('id').where('expires_at', '<', expiredBefore).limit(limit);
      const res = await db.deleteFrom('verification_codes').where('id', 'in', ids).executeTakeFirst();
      return Number(res.numDeletedRows);
    },
    async pruneDeadJobs(updatedBefore, limit) {
      const ids = db.selectFrom('jobs').select('id').where('status', '=', 'dead').where('updated_at', '<', updatedBefore).limit(limit);
      const res = await db.deleteFrom('jobs').where('id', 'in', ids).executeTakeFirst();
      return Number(res.numDeletedRows);
    },
  };
}
