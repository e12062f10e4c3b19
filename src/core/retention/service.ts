// Retention: raw inbound webhook bodies, expired sessions and one-time codes, and dead jobs are deleted once
// they are older than the configured periods. One chain of retention.prune jobs runs through the job queue:
// each run prunes, then hands the chain to a new token and enqueues the next run, in one transaction. A copy
// of a job whose token is no longer current (a retry after commit, a second chain) stops at once, so any
// number of workers may start the chain and only one runs it.
import { randomBytes } from 'node:crypto';
import type { JobContext } from '../jobs.js';
import type { UnitOfWork } from '../repos.js';

const DAY_MS = 86_400_000;
const CHAIN = 'retention';
const BATCH = 500;
/** Batches per kind per run: a huge backlog is worked off over several runs rather than in one long job. */
const MAX_BATCHES = 200;

export interface RetentionPolicy {
  intervalMs: number;
  /** Processed inbound webhooks (raw bodies) are kept this many days; 0 keeps them forever. */
  webhookDays: number;
  /** Sessions and one-time codes are deleted this many days after they expire. */
  expiredDays: number;
  /** Dead jobs are kept this many days after they died; 0 keeps them forever. */
  deadJobDays: number;
}

export type PruneResult = Record<'inboundWebhooks' | 'sessions' | 'verificationCodes' | 'deadJobs', number>;

const newToken = (): string => randomBytes(12).toString('base64url');

export class RetentionService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly policy: RetentionPolicy,
    private readonly clock: () => number = Date.now,
  ) {}

  /**
   * Starts the chain when there is none, or when the current one is long overdue (its job died or was lost).
   * Called by every worker at start-up; the token swap lets exactly one of them enqueue.
   */
  async ensureScheduled(): Promise<void> {
    const now = this.clock();
    await this.uow.transaction(async (tx) => {
      const run = await tx.maintenance.get(CHAIN);
      if (run && run.nextRunAt > now - this.policy.intervalMs - DAY_MS / 24) return;
      const token = newToken();
      if (await tx.maintenance.swapToken(CHAIN, run?.token ?? null, { token, nextRunAt: now })) {
        await tx.jobs.enqueue({ type: 'retention.prune', workspaceId: null, payload: { token }, runAt: now });
      }
    });
  }

  /** Job handler for retention.prune. */
  async run(payload: { token: string }, _ctx?: JobContext): Promise<void> {
    const current = await this.uow.repos.maintenance.get(CHAIN);
    if (!current || current.token !== payload.token) return;
    const now = this.clock();
    const result = await this.pruneOnce(now);
    const token = newToken();
    const nextRunAt = now + this.policy.intervalMs;
    await this.uow.transaction(async (tx) => {
      if (!(await tx.maintenance.swapToken(CHAIN, payload.token, { token, nextRunAt, lastRunAt: now, lastResult: result }))) return;
      await tx.jobs.enqueue({ type: 'retention.prune', workspaceId: null, payload: { token }, runAt: nextRunAt });
    });
  }

  /** Deletes everything past its retention period as of `now`. Idempotent. */
  async pruneOnce(now: number = this.clock()): Promise<PruneResult> {
    const repo = this.uow.repos.maintenance;
    const { webhookDays, expiredDays, deadJobDays } = this.policy;
    const expired = now - expiredDays * DAY_MS;
    return {
      inboundWebhooks: webhookDays > 0 ? await drain((n) => repo.pruneInboundWebhooks(now - webhookDays * DAY_MS, n)) : 0,
      sessions: await drain((n) => repo.pruneSessions(expired, n)),
      verificationCodes: await drain((n) => repo.pruneVerificationCodes(expired, n)),
      deadJobs: deadJobDays > 0 ? await drain((n) => repo.pruneDeadJobs(now - deadJobDays * DAY_MS, n)) : 0,
    };
  }
}

async function drain(prune: (limit: number) => Promise<number>): Promise<number> {
  let total = 0;
  for (let i = 0; i < MAX_BATCHES; i++) {
    const n = await prune(BATCH);
    total += n;
    if (n < BATCH) break;
  }
  return total;
}
