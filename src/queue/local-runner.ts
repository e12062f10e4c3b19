// Runs, in the process that wrote them, the jobs a worker process's own transactions enqueue (a planned
// message's send after the order was processed, the next reply of a conversation): with the BullMQ driver they
// would otherwise travel to Redis and back (relay query, add, BullMQ's own round trips, delete) to end up in a
// worker like this one. The rows are written already leased to this runner (see LocalClaim); should the
// process die, the relay finds the lease run out and sends them through Redis like any other job.
import { sql } from 'kysely';
import type { Storage } from '../storage/database.js';
import type { JobsTable } from '../storage/schema.js';
import type { JobHandler } from '../core/jobs.js';
import type { LocalClaim } from '../storage/outbox.js';
import { decideRetry, parseRateKey, withTimeout } from './port.js';
import type { RateLimiter } from './rate-limiter.js';
import { acquireToken } from './rate-limiter.js';
import { FinishedJobs, renewLeases } from './leases.js';

export interface LocalRunnerOptions {
  concurrency: number;
  leaseMs: number;
  jobTimeoutMs: number;
  backoffBaseMs?: number;
  rateLimiter: RateLimiter;
  onError?: (err: unknown, job: { id: string; type: string }) => void;
}

export class LocalJobRunner {
  private handlers: Record<string, JobHandler> | null = null;
  private backlog: JobsTable[] = [];
  private inFlight = 0;
  private heartbeat: NodeJS.Timeout | null = null;
  private readonly finished: FinishedJobs;
  private idle: Array<() => void> = [];

  constructor(
    private readonly storage: Storage,
    private readonly workerId: string,
    private readonly opts: LocalRunnerOptions,
  ) {
    this.finished = new FinishedJobs(storage, workerId, opts.onError);
  }

  start(handlers: Record<string, JobHandler>): void {
    this.handlers = handlers;
    this.heartbeat ??= setInterval(() => {
      if (this.inFlight > 0 || this.backlog.length > 0) void renewLeases(this.storage, this.workerId, this.opts.leaseMs, this.opts.onError);
    }, Math.max(500, Math.floor(this.opts.leaseMs / 3)));
  }

  /** The claim for a transaction's jobs while this runner has room; null sends them through the queue. */
  claim(): LocalClaim | null {
    if (!this.handlers || this.backlog.length + this.inFlight >= 2 * this.opts.concurrency) return null;
    return { workerId: this.workerId, leaseMs: this.opts.leaseMs };
  }

  accept(rows: JobsTable[]): void {
    for (const row of rows) if (row.locked_by === this.workerId) this.backlog.push(row);
    this.pump();
  }

  /** Stops taking jobs, lets the running ones finish and gives the ones that never started back to the queue. */
  async stop(): Promise<void> {
    this.handlers = null;
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    const waiting = this.backlog;
    this.backlog = [];
    if (this.inFlight > 0) await new Promise<void>((resolve) => this.idle.push(resolve));
    await this.finished.flush();
    if (waiting.length > 0) await this.putBack(waiting.map((j) => j.id), 0, null, true);
  }

  private pump(): void {
    while (this.handlers && this.inFlight < this.opts.concurrency && this.backlog.length > 0) {
      const job = this.backlog.shift()!;
      this.inFlight += 1;
      void this.run(job, this.handlers).finally(() => {
        this.inFlight -= 1;
        if (this.inFlight === 0) for (const resolve of this.idle.splice(0)) resolve();
        this.pump();
      });
    }
  }

  private async run(job: JobsTable, handlers: Record<string, JobHandler>): Promise<void> {
    try {
      const handler = handlers[job.type];
      if (!handler) throw new Error(`no handler for job type ${job.type}`);
      const rate = parseRateKey(job.rate_key);
      if (rate && !(await acquireToken(this.opts.rateLimiter, rate.key, rate.perSecond))) {
        // Over the account's rate: back to the queue, without counting the attempt.
        await this.putBack([job.id], 1000 + Math.floor(Math.random() * 500), null, true);
        return;
      }
      await withTimeout(
        handler(JSON.parse(job.payload) as unknown, { id: job.id, type: job.type, workspaceId: job.workspace_id, attempt: job.attempts, maxAttempts: job.max_attempts, dueAt: job.run_at, traceParent: job.trace_parent }),
        this.opts.jobTimeoutMs,
        `job ${job.type}`,
      );
      this.finished.add(job.id);
    } catch (err) {
      this.opts.onError?.(err, job);
      const decision = decideRetry(err, job.attempts, job.max_attempts, this.opts.backoffBaseMs);
      const write =
        decision.kind === 'dead'
          ? this.storage.transaction(
              (tx) =>
                tx
                  .updateTable('jobs')
                  .set({ status: 'dead', locked_by: null, locked_until: null, last_error: decision.reason.slice(0, 2000), updated_at: Date.now() })
                  .where('id', '=', job.id)
                  .where('locked_by', '=', this.workerId)
                  .execute(),
              'relaxed',
            )
          : this.putBack([job.id], decision.delayMs, decision.reason, false);
      await write.catch((e: unknown) => this.opts.onError?.(e, job));
    }
  }

  /** Returns jobs to the queue (the relay moves them on), due after delayMs. */
  private async putBack(ids: string[], delayMs: number, reason: string | null, uncount: boolean): Promise<void> {
    const now = Date.now();
    await this.storage.transaction(
      (tx) =>
        tx
          .updateTable('jobs')
          .set({
            status: 'pending',
            run_at: now + delayMs,
            locked_by: null,
            locked_until: null,
            updated_at: now,
            ...(uncount ? { attempts: sql<number>`attempts - 1` } : {}),
            ...(reason ? { last_error: reason.slice(0, 2000) } : {}),
          })
          .where('id', 'in', ids)
          .where('locked_by', '=', this.workerId)
          .execute(),
      'relaxed',
    );
  }

}
