// The transactional outbox: a job is a row written with the transaction of the write that causes it.
import type { Db } from '../storage/database.js';
import { newId } from '../core/ids.js';
import type { JobSpec } from './port.js';

/** Writes a job into the outbox. Call it with the transaction of the write that causes the job. */
export async function enqueue(tx: Db, spec: JobSpec, defaultMaxAttempts = 8): Promise<string> {
  const id = newId('job');
  const now = Date.now();
  await tx
    .insertInto('jobs')
    .values({
      id,
      type: spec.type,
      workspace_id: spec.workspaceId ?? null,
      payload: JSON.stringify(spec.payload ?? null),
      status: 'pending',
      run_at: spec.runAt ?? now,
      attempts: 0,
      max_attempts: spec.maxAttempts ?? defaultMaxAttempts,
      rate_key: spec.rateLimit ? `${spec.rateLimit.perSecond}|${spec.rateLimit.key}` : null,
      locked_by: null,
      locked_until: null,
      last_error: null,
      created_at: now,
      updated_at: now,
    })
    .execute();
  return id;
}

