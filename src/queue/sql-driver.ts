// The default JobQueue driver: jobs live in the `jobs` table and workers claim them with a lease.
// A worker that dies leaves its leases to expire; the jobs are then claimed again (at-least-once).
import { sql } from 'kysely';
import type { Storage } from '../storage/database.js';
import type { JobsTable } from '../storage/schema.js';
import { newId } from '../core/ids.js';
import type { DeadJob, JobHandler, QueueStats } from '../core/jobs.js';
import type { LocalClaim } from '../storage/outbox.js';
import type { JobQueueDriver } from './port.js';
import { decideRetry, parseRateKey, withTimeout } from './port.js';
import { Waker } from './waker.js';
import { FinishedJobs, renewLeases } from './leases.js';

import { acquireToken } from './rate-limiter.js';
import type { RateLimiter } from './rate-limiter.js';

export interface SqlQueueOptions {
  concurrency: number;
  pollMs: number;
  /** How long a claim holds a job before another worker may take it; renewed while the job runs. */
  leaseMs?: number;
  /** Longest a handler may run. */
  jobTimeoutMs?: number;
  /** First retry delay; later ones double (with jitter). */
  backoffBaseMs?: number;
  rateLimiter: RateLimiter;
  onError?: (err: unknown, job: { id: string; type: string }) => void;
}

const CLAIM_BATCH = 128;
const RECLAIM_EVERY_MS = 1000;

export class SqlJobQueue implements JobQueueDriver {
  readonly driver = 'sql' as const;
  private readonly workerId = newId('wrk');
  private handlers: Record<string, JobHandler> = {};
  private running = false;
  private inFlight = 0;
  private readonly waker = new Waker();
  private loopDone: Promise<void> | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private readonly finished: FinishedJobs;
  private lastReclaim = 0;
  private readonly leaseMs: number;
  private readonly jobTimeoutMs: number;
  /** Jobs written already claimed by this worker (localClaim), waiting for a free slot. */
  private claimed: JobsTable[] = [];

  constructor(
    private readonly storage: Storage,
    private readonly opts: SqlQueueOptions,
  ) {
    this.leaseMs = opts.leaseMs ?? 15_000;
    this.jobTimeoutMs = opts.jobTimeoutMs ?? 60_000;
    this.finished = new FinishedJobs(storage, this.workerId, opts.onError);
  }

  async start(handlers: Record<string, JobHandler>): Promise<void> {
    if (this.running) return;
    this.handlers = handlers;
    this.running = true;
    this.heartbeat = setInterval(() => void this.renewLeases(), Math.max(500, Math.floor(this.leaseMs / 3)));
    this.loopDone = this.loop();
  }

  /** With the SQL driver the table is the queue: nothing to relay. */
  async startDispatch(): Promise<void> {}

  notify(): void {
    this.waker.notify();
  }

  /**
   * Claims jobs for this worker at write time while it has room: a backlog of twice its concurrency at most, so
   * that under a burst the rest stays pending for any worker (and this one's leases stay few).
   */
  localClaim(): LocalClaim | null {
    if (!this.running || this.claimed.length + this.inFlight >= 2 * this.opts.concurrency) return null;
    return { workerId: this.workerId, leaseMs: this.leaseMs };
  }

  runClaimed(rows: JobsTable[]): void {
    const mine = rows.filter((r) => r.locked_by === this.workerId);
    if (mine.length === 0) return;
    this.claimed.push(...mine);
    this.notify();
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.notify();
    if (this.heartbeat) clearInterval(this.heartbeat);
    await this.loopDone;
    while (this.inFlight > 0) await new Promise((r) => setTimeout(r, 10));
    await this.finished.flush();
    await this.releaseClaimed();
  }

  /** Jobs claimed at write time that never started go back to the queue for the next worker. */
  private async releaseClaimed(): Promise<void> {
    const ids = this.claimed.map((j) => j.id);
    this.claimed = [];
    if (ids.length === 0) return;
    const now = Date.now();
    await this.storage
      .transaction(
        (tx) =>
          tx
            .updateTable('jobs')
            .set({ status: 'pending', attempts: sql<number>`attempts - 1`, locked_by: null, locked_until: null, updated_at: now })
            .where('id', 'in', ids)
            .where('locked_by', '=', this.workerId)
            .execute(),
        'relaxed',
      )
      .catch((err: unknown) => this.opts.onError?.(err, { id: ids.join(','), type: 'release' }));
  }

  private async loop(): Promise<void> {
    while (this.running) {
      const free = this.opts.concurrency - this.inFlight;
      if (free <= 0) {
        await this.waker.sleep(this.opts.pollMs);
        continue;
      }
      let jobs: JobsTable[] = [];
      try {
        // Jobs this process wrote already claimed come first; the table is polled when there are none.
        if (this.claimed.length > 0) jobs = this.claimed.splice(0, free);
        else jobs = await this.claim(Math.min(free, CLAIM_BATCH));
      } catch (err) {
        this.opts.onError?.(err, { id: '-', type: 'claim' });
        await this.waker.sleep(this.opts.pollMs);
        continue;
      }
      if (jobs.length === 0) {
        await this.waker.sleep(this.opts.pollMs);
        continue;
      }
      for (const job of jobs) {
        this.inFlight += 1;
        void this.run(job).finally(() => {
          this.inFlight -= 1;
          this.notify();
        });
      }
    }
  }

  private claim(limit: number): Promise<JobsTable[]> {
    const now = Date.now();
    const pg = this.storage.dialect === 'postgres';
    return this.storage.transaction(async (tx) => {
      if (now - this.lastReclaim > RECLAIM_EVERY_MS) {
        this.lastReclaim = now;
        // Jobs of a worker that died: their lease ran out, so they are due again.
        await tx
          .updateTable('jobs')
          .set({ status: 'pending', locked_by: null, locked_until: null, updated_at: now })
          .where('status', '=', 'running')
          .where('locked_until', '<', now)
          .execute();
      }
      // A range scan on (status, run_at): the cost does not grow with the backlog.
      let due = tx.selectFrom('jobs').select('id').where('status', '=', 'pending').where('run_at', '<=', now).orderBy('run_at').limit(limit);
      if (pg) due = due.forUpdate().skipLocked();
      return tx
        .updateTable('jobs')
        .set({
          status: 'running',
          locked_by: this.workerId,
          locked_until: now + this.leaseMs,
          attempts: sql<number>`attempts + 1`,
          updated_at: now,
        })
        .where('id', 'in', due)
        .returningAll()
        .execute();
    }, 'relaxed');
  }

  private async renewLeases(): Promise<void> {
    if (this.inFlight === 0 && this.claimed.length === 0) return;
    await renewLeases(this.storage, this.workerId, this.leaseMs, this.opts.onError);
  }

  private async run(job: JobsTable): Promise<void> {
    const handler = this.handlers[job.type];
    try {
      if (!handler) throw new Error(`no handler for job type ${job.type}`);
      const rate = parseRateKey(job.rate_key);
      if (rate && !(await acquireToken(this.opts.rateLimiter, rate.key, rate.perSecond))) {
        await this.defer(job, 1000 + Math.floor(Math.random() * 500));
        return;
      }
      await withTimeout(
        handler(JSON.parse(job.payload) as unknown, {
          id: job.id,
          type: job.type,
          workspaceId: job.workspace_id,
          attempt: job.attempts,
          maxAttempts: job.max_attempts,
          dueAt: job.run_at,
          traceParent: job.trace_parent,
        }),
        this.jobTimeoutMs,
        `job ${job.type}`,
      );
      this.finished.add(job.id);
    } catch (err) {
      this.opts.onError?.(err, job);
      await this.fail(job, err).catch((e: unknown) => this.opts.onError?.(e, job));
    }
  }

  /** Puts a job back without counting the attempt (it never ran: the rate limit said wait). */
  private defer(job: JobsTable, delayMs: number): Promise<void> {
    const now = Date.now();
    return this.storage.transaction(async (tx) => {
      await tx
        .updateTable('jobs')
        .set({ status: 'pending', run_at: now + delayMs, attempts: sql<number>`attempts - 1`, locked_by: null, locked_until: null, updated_at: now })
        .where('id', '=', job.id)
        .where('locked_by', '=', this.workerId)
        .execute();
    }, 'relaxed');
  }

  private fail(job: JobsTable, err: unknown): Promise<void> {
    const decision = decideRetry(err, job.attempts, job.max_attempts, this.opts.backoffBaseMs);
    const now = Date.now();
    return this.storage.transaction(async (tx) => {
      await tx
        .updateTable('jobs')
        .set({
          status: decision.kind === 'dead' ? 'dead' : 'pending',
          run_at: decision.kind === 'dead' ? now : now + decision.delayMs,
          locked_by: null,
          locked_until: null,
          last_error: decision.reason.slice(0, 2000),
          updated_at: now,
        })
        .where('id', '=', job.id)
        .where('locked_by', '=', this.workerId)
        .execute();
    }, 'relaxed');
  }

  async deadJobs(workspaceId: string | null, limit = 100): Promise<DeadJob[]> {
    return listDeadJobs(this.storage, workspaceId, limit);
  }

  async redrive(jobId: string, workspaceId: string | null): Promise<boolean> {
    return redriveDeadJob(this.storage, jobId, workspaceId);
  }

  async stats(): Promise<QueueStats> {
    return queueStats(this.storage);
  }
}

// Dead jobs are kept in the table by both drivers, so listing and re-driving is the same code.

export async function listDeadJobs(storage: Storage, workspaceId: string | null, limit: number): Promise<DeadJob[]> {
  let q = storage.db.selectFrom('jobs').selectAll().where('status', '=', 'dead').orderBy('updated_at', 'desc').limit(limit);
  if (workspaceId) q = q.where('workspace_id', '=', workspaceId);
  const rows = await q.execute();
  return rows.map((r) => ({
    id: r.id,
    type: r.type,
    workspaceId: r.workspace_id,
    payload: JSON.parse(r.payload) as unknown,
    attempts: r.attempts,
    lastError: r.last_error,
    diedAt: r.updated_at,
  }));
}

export async function redriveDeadJob(storage: Storage, jobId: string, workspaceId: string | null): Promise<boolean> {
  const now = Date.now();
  const result = await storage.transaction(async (tx) => {
    let q = tx
      .updateTable('jobs')
      .set({ status: 'pending', attempts: 0, run_at: now, locked_by: null, locked_until: null, updated_at: now })
      .where('id', '=', jobId)
      .where('status', '=', 'dead');
    if (workspaceId) q = q.where('workspace_id', '=', workspaceId);
    return q.executeTakeFirst();
  });
  return Number(result.numUpdatedRows) > 0;
}

export async function queueStats(storage: Storage): Promise<QueueStats> {
  const rows = await storage.db
    .selectFrom('jobs')
    .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy('status')
    .execute();
  const get = (s: string) => Number(rows.find((r) => r.status === s)?.n ?? 0);
  const retrying = await storage.db
    .selectFrom('jobs')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('status', '=', 'pending')
    .where('attempts', '>', 0)
    .executeTakeFirst();
  return { pending: get('pending'), retrying: Number(retrying?.n ?? 0), running: get('running'), dead: get('dead'), outbox: get('pending') };
}
