// The scale-out JobQueue driver: a relay moves committed jobs from the `jobs` outbox table to BullMQ on
// Redis (BullMQ job id = outbox row id, so a relay that dies between add and delete cannot double-enqueue),
// and BullMQ workers in any number of processes run them. Retries, Retry-After, permanent failures and
// rate limits follow the same rules as the SQL driver; dead jobs are written back to the table.
import { DelayedError, Queue, UnrecoverableError, Worker } from 'bullmq';
import type { Job } from 'bullmq';
import { Redis } from 'ioredis';
import type { Storage } from '../storage/database.js';
import { newId } from '../core/ids.js';
import type { JobsTable } from '../storage/schema.js';
import type { DeadJob, JobHandler, QueueStats } from '../core/jobs.js';
import type { LocalClaim } from '../storage/outbox.js';
import type { JobQueueDriver } from './port.js';
import { decideRetry, parseRateKey, withTimeout } from './port.js';
import { Waker } from './waker.js';
import { acquireToken, RedisRateLimiter } from './rate-limiter.js';
import { listDeadJobs, queueStats, redriveDeadJob } from './sql-driver.js';
import { LocalJobRunner } from './local-runner.js';

export interface BullQueueOptions {
  redisUrl: string;
  concurrency: number;
  pollMs: number;
  /** Separates installations (and test runs) sharing one Redis. */
  prefix?: string;
  jobTimeoutMs?: number;
  /** First retry delay; later ones double (with jitter). */
  backoffBaseMs?: number;
  onError?: (err: unknown, job: { id: string; type: string }) => void;
}

interface BullJobData {
  type: string;
  payload: string;
  workspaceId: string | null;
  rateKey: string | null;
  maxAttempts: number;
  /** Attempts already made (retries are scheduled by us, not by BullMQ's counter). */
  attempts: number;
  createdAt: number;
  /** When the next attempt is due (epoch ms); absent on jobs relayed before it was recorded. */
  runAt?: number;
  /** W3C traceparent of the span that enqueued the job (tracing on). */
  traceParent?: string | null;
}

const QUEUE_NAME = 'shoptalk-jobs';
const RELAY_BATCH = 500;
/** How many delayed jobs stats() reads to count retries. */
const RETRY_SCAN = 1000;
const RELAY_LEASE_MS = 30_000;
const RELAY_COALESCE_MS = 5;
/** Lease of a job claimed at write time, renewed while it waits or runs (as BullMQ's lock). */
const LOCAL_LEASE_MS = 15_000;

export class BullJobQueue implements JobQueueDriver {
  readonly driver = 'bullmq' as const;
  private readonly relayId = newId('rly');
  private readonly connection: Redis;
  private readonly queue: Queue<BullJobData>;
  private readonly limiter: RedisRateLimiter;
  private worker: Worker<BullJobData> | null = null;
  private relaying = false;
  private relayDone: Promise<void> | null = null;
  private readonly waker = new Waker();
  private readonly prefix: string;
  private lastReclaim = 0;
  private wakeTimer: NodeJS.Timeout | null = null;
  /** Jobs this worker process's own transactions write, run here without the trip through Redis. */
  private readonly local: LocalJobRunner;

  constructor(
    private readonly storage: Storage,
    private readonly opts: BullQueueOptions,
  ) {
    this.prefix = opts.prefix ?? 'shoptalk';
    this.connection = new Redis(opts.redisUrl, { maxRetriesPerRequest: null, lazyConnect: false });
    this.connection.on('error', (err) => opts.onError?.(err, { id: '-', type: 'redis' }));
    this.queue = new Queue<BullJobData>(QUEUE_NAME, { connection: this.connection, prefix: this.prefix });
    // Without a listener, an error event (e.g. "Connection is closed" while shutting down) would crash the process.
    this.queue.on('error', (err) => opts.onError?.(err, { id: '-', type: 'queue' }));
    this.limiter = new RedisRateLimiter(this.connection, `${this.prefix}:rate:`);
    this.local = new LocalJobRunner(storage, newId('wrk'), {
      concurrency: opts.concurrency,
      leaseMs: LOCAL_LEASE_MS,
      jobTimeoutMs: opts.jobTimeoutMs ?? 60_000,
      backoffBaseMs: opts.backoffBaseMs,
      rateLimiter: this.limiter,
      onError: opts.onError,
    });
  }

  async startDispatch(): Promise<void> {
    if (this.relaying) return;
    this.relaying = true;
    this.relayDone = this.relayLoop();
  }

  async start(handlers: Record<string, JobHandler>): Promise<void> {
    await this.startDispatch();
    if (this.worker) return;
    await this.sweepFailed();
    this.worker = new Worker<BullJobData>(QUEUE_NAME, (job, token) => this.process(handlers, job, token), {
      connection: this.connection.duplicate(),
      prefix: this.prefix,
      concurrency: this.opts.concurrency,
      // A worker that dies releases its jobs when the lock expires; they are retried, not lost.
      lockDuration: 15_000,
      // Stalled jobs are found by a periodic check; two checks must see the lock gone, so keep it short.
      stalledInterval: 5_000,
      maxStalledCount: 10,
      removeOnComplete: { age: 3600, count: 100_000 },
      removeOnFail: { count: 100_000 },
    });
    this.worker.on('error', (err) => this.opts.onError?.(err, { id: '-', type: 'worker' }));
    this.local.start(handlers);
    this.worker.on('failed', (job, err) => {
      if (job) void this.recordDead(job, err.message);
    });
  }

  /** In a worker process, the jobs its own transactions write run here (see LocalJobRunner). */
  localClaim(): LocalClaim | null {
    return this.worker ? this.local.claim() : null;
  }

  runClaimed(rows: JobsTable[]): void {
    this.local.accept(rows);
  }

  /** Coalesces wake-ups for a few milliseconds so that each relay round moves a batch, not a single job. */
  notify(): void {
    if (this.wakeTimer) return;
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = null;
      this.waker.notify();
    }, RELAY_COALESCE_MS);
  }

  async stop(): Promise<void> {
    await this.local.stop();
    this.relaying = false;
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.waker.notify();
    await this.relayDone;
    if (this.worker) {
      await this.worker.close();
      this.worker = null;
    }
    // Let the queue finish connecting before closing it, and quit Redis gracefully: a connection dropped
    // under a command still in flight rejects it ("Connection is closed") with nobody to catch it.
    await this.queue.waitUntilReady().catch(() => undefined);
    await this.queue.close();
    await this.connection.quit().catch(() => this.connection.disconnect());
  }

  private async relayLoop(): Promise<void> {
    while (this.relaying) {
      let moved = 0;
      try {
        moved = await this.relayOnce();
      } catch (err) {
        this.opts.onError?.(err, { id: '-', type: 'relay' });
      }
      if (moved < RELAY_BATCH) await this.waker.sleep(this.opts.pollMs);
    }
  }

  /** Moves one batch of committed jobs to BullMQ. Returns how many. */
  async relayOnce(): Promise<number> {
    const now = Date.now();
    const pg = this.storage.dialect === 'postgres';
    const rows = await this.storage.transaction(async (tx) => {
      if (now - this.lastReclaim > RELAY_LEASE_MS / 3) {
        this.lastReclaim = now;
        // Rows a relay claimed but never deleted (it died between claim and delete), and rows a worker process
        // claimed at write time but did not finish (it died), are due again.
        await tx
          .updateTable('jobs')
          .set({ status: 'pending', locked_by: null, locked_until: null })
          .where('status', 'in', ['relaying', 'running'])
          .where('locked_until', '<', now)
          .execute();
      }
      // Future run_at rows go too (BullMQ delays them); a range scan on (status, run_at) keeps this cheap.
      let due = tx.selectFrom('jobs').select('id').where('status', '=', 'pending').orderBy('run_at').limit(RELAY_BATCH);
      if (pg) due = due.forUpdate().skipLocked();
      return tx
        .updateTable('jobs')
        .set({ status: 'relaying', locked_by: this.relayId, locked_until: now + RELAY_LEASE_MS, updated_at: now })
        .where('id', 'in', due)
        .returningAll()
        .execute();
    }, 'relaxed');
    if (rows.length === 0) return 0;
    await this.queue.addBulk(
      rows.map((r) => ({
        name: r.type,
        data: {
          type: r.type,
          payload: r.payload,
          workspaceId: r.workspace_id,
          rateKey: r.rate_key,
          maxAttempts: r.max_attempts,
          attempts: r.attempts,
          createdAt: r.created_at,
          runAt: r.run_at,
          ...(r.trace_parent ? { traceParent: r.trace_parent } : {}),
        },
        opts: { jobId: r.id, delay: Math.max(0, r.run_at - now) },
      })),
    );
    const ids = rows.map((r) => r.id);
    await this.storage.transaction((tx) => tx.deleteFrom('jobs').where('id', 'in', ids).where('locked_by', '=', this.relayId).execute(), 'relaxed');
    return rows.length;
  }

  private async process(handlers: Record<string, JobHandler>, job: Job<BullJobData>, token: string | undefined): Promise<void> {
    const data = job.data;
    const handler = handlers[data.type];
    if (!handler) throw new UnrecoverableError(`no handler for job type ${data.type}`);
    const rate = parseRateKey(data.rateKey);
    if (rate && !(await acquireToken(this.limiter, rate.key, rate.perSecond))) {
      await job.moveToDelayed(Date.now() + 1000 + Math.floor(Math.random() * 500), token);
      throw new DelayedError();
    }
    const attempt = data.attempts + 1;
    try {
      await withTimeout(
        handler(JSON.parse(data.payload) as unknown, {
          id: job.id ?? '',
          type: data.type,
          workspaceId: data.workspaceId,
          attempt,
          maxAttempts: data.maxAttempts,
          ...(data.runAt !== undefined ? { dueAt: data.runAt } : {}),
          traceParent: data.traceParent ?? null,
        }),
        this.opts.jobTimeoutMs ?? 60_000,
        `job ${data.type}`,
      );
    } catch (err) {
      this.opts.onError?.(err, { id: job.id ?? '', type: data.type });
      const decision = decideRetry(err, attempt, data.maxAttempts, this.opts.backoffBaseMs);
      const runAt = Date.now() + decision.delayMs;
      await job.updateData({ ...data, attempts: attempt, runAt });
      if (decision.kind === 'dead') throw new UnrecoverableError(decision.reason);
      await job.moveToDelayed(runAt, token);
      throw new DelayedError();
    }
  }

  /** A job BullMQ gave up on is written back to the table as dead, then removed from Redis. */
  private async recordDead(job: Job<BullJobData>, reason: string): Promise<void> {
    const data = job.data;
    const now = Date.now();
    const id = job.id ?? newId('job');
    try {
      await this.storage.transaction(async (tx) => {
        await tx
          .insertInto('jobs')
          .values({
            id,
            type: data.type,
            workspace_id: data.workspaceId,
            payload: data.payload,
            status: 'dead',
            run_at: now,
            attempts: data.attempts,
            max_attempts: data.maxAttempts,
            rate_key: data.rateKey,
            locked_by: null,
            locked_until: null,
            last_error: reason.slice(0, 2000),
            trace_parent: data.traceParent ?? null,
            created_at: data.createdAt,
            updated_at: now,
          })
          .onConflict((oc) => oc.column('id').doUpdateSet({ status: 'dead', last_error: reason.slice(0, 2000), updated_at: now }))
          .execute();
      });
      await job.remove().catch(() => undefined);
    } catch (err) {
      this.opts.onError?.(err, { id, type: data.type });
    }
  }

  /** Failed jobs left in Redis by a process that died before recording them are recorded now. */
  private async sweepFailed(): Promise<void> {
    const failed = await this.queue.getFailed(0, 1000);
    for (const job of failed) await this.recordDead(job, job.failedReason || 'failed');
  }

  async deadJobs(workspaceId: string | null, limit = 100): Promise<DeadJob[]> {
    return listDeadJobs(this.storage, workspaceId, limit);
  }

  async redrive(jobId: string, workspaceId: string | null): Promise<boolean> {
    const ok = await redriveDeadJob(this.storage, jobId, workspaceId);
    if (ok) this.notify();
    return ok;
  }

  async stats(): Promise<QueueStats> {
    const [table, counts, delayed] = await Promise.all([
      queueStats(this.storage),
      this.queue.getJobCounts('waiting', 'delayed', 'active', 'prioritized'),
      // Retries wait as delayed jobs that have made attempts; only the first RETRY_SCAN are looked at, so a
      // scrape stays cheap when many jobs are delayed.
      this.queue.getDelayed(0, RETRY_SCAN - 1),
    ]);
    return {
      pending: table.pending + (counts['waiting'] ?? 0) + (counts['delayed'] ?? 0) + (counts['prioritized'] ?? 0),
      retrying: table.retrying + delayed.filter((j) => (j.data?.attempts ?? 0) > 0).length,
      running: (counts['active'] ?? 0) + table.running,
      dead: table.dead,
      outbox: table.outbox,
    };
  }

  /** For tests: drops every job of this prefix from Redis. */
  async obliterate(): Promise<void> {
    await this.queue.obliterate({ force: true });
  }
}
