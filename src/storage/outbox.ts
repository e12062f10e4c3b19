// The transactional outbox: a job is a row written with the transaction of the write that causes it.
import type { Db } from './database.js';
import type { JobsTable } from './schema.js';
import { newId } from '../core/ids.js';
import type { JobSpec } from '../core/jobs.js';
import { jobMaxAttempts } from '../core/jobs.js';
import { insertRow } from './prepared.js';

/**
 * A row of the outbox, of any type: the queue drivers run whatever they are handed. Domain code enqueues through
 * the unit of work's `jobs.enqueue`, which takes only catalogued job types with their payloads (JobSpec).
 */
export type OutboxJob = Omit<JobSpec, 'type' | 'payload'> & { type: string; payload: unknown };

/** Where a job is written from: a worker that takes it at once, and the trace it continues. */
export interface EnqueueContext {
  claim?: LocalClaim | null;
  /** W3C traceparent of the span that caused the job (src/tracing.ts); the job's span continues it. */
  traceParent?: string | null;
}

/**
 * A worker in this process that takes the job straight after the commit: the row is written already claimed
 * (running, leased to that worker), so no other worker claims it and no claim query is needed. Should this
 * process die before the job finishes, the lease runs out and the job is claimed again like any other.
 */
export interface LocalClaim {
  workerId: string;
  leaseMs: number;
}

/**
 * Writes a job into the outbox. Call it with the transaction of the write that causes the job. Its retry budget:
 * the spec's own, else its type's in the job catalogue, else `defaultMaxAttempts`.
 */
export async function enqueue(tx: Db, spec: OutboxJob, defaultMaxAttempts = 8, from: EnqueueContext = {}): Promise<JobsTable> {
  const now = Date.now();
  const claim = from.claim ?? null;
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
    max_attempts: spec.maxAttempts ?? jobMaxAttempts(spec.type, defaultMaxAttempts),
    rate_key: spec.rateLimit ? `${spec.rateLimit.perSecond}|${spec.rateLimit.key}` : null,
    locked_by: claimed ? claimed.workerId : null,
    locked_until: claimed ? now + claimed.leaseMs : null,
    last_error: null,
    trace_parent: from.traceParent ?? null,
    created_at: now,
    updated_at: now,
  };
  await insertRow(tx, 'jobs', row);
  return row;
}
