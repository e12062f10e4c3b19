// The transactional outbox: a job is a row written with the transaction of the write that causes it.
import type { Db } from '../storage/database.js';
import type { JobsTable } from '../storage/schema.js';
import { newId } from '../core/ids.js';
import type { JobSpec, LocalClaim } from './port.js';
import { insertRow } from '../storage/prepared.js';

/** Writes a job into the outbox. Call it with the transaction of the write that causes the job. */
export async function enqueue(tx: Db, spec: JobSpec, defaultMaxAttempts = 8, claim: LocalClaim | null = null): Promise<JobsTable> {
  const now = Date.now();
  const runAt = spec.runAt ?? now;
  const claimed = claim && runAt <= now ? claim : null;
  const row: JobsTable = {
    id: newId('job'),
    type: spec.type,
    workspace_id: spec.workspaceId ?? null,
    payload: JSON.stringify(spec.payload ?? null),
    status: claimed ? 'running' : 'pending',
    run_at: runAt,
    attempts: claimed ? 1 : 0,
    max_attempts: spec.maxAttempts ?? defaultMaxAttempts,
    rate_key: spec.rateLimit ? `${spec.rateLimit.perSecond}|${spec.rateLimit.key}` : null,
    locked_by: claimed ? claimed.workerId : null,
    locked_until: claimed ? now + claimed.leaseMs : null,
    last_error: null,
    created_at: now,
    updated_at: now,
  };
  await insertRow(tx, 'jobs', row);
  return row;
}
