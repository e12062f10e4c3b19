// The JobQueue port. Jobs are always written to the `jobs` table inside the transaction of the write that
// causes them (a transactional outbox); a driver then runs them: the SQL driver claims them from the table,
// the BullMQ driver relays them to Redis and runs them from there.
import { ProviderError } from '../core/errors.js';
import type { JobsTable } from '../storage/schema.js';

export interface JobSpec {
  type: string;
  payload: unknown;
  workspaceId?: string | null;
  /** Earliest start, epoch ms. */
  runAt?: number;
  /** Jobs sharing a rate limit, with its rate: the provider's throughput for a sending account. */
  rateLimit?: { key: string; perSecond: number } | null;
  maxAttempts?: number;
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

export interface JobContext {
  id: string;
  type: string;
  workspaceId: string | null;
  /** 1 on the first run. */
  attempt: number;
  maxAttempts: number;
}

export type JobHandler = (payload: unknown, ctx: JobContext) => Promise<void>;

export interface DeadJob {
  id: string;
  type: string;
  workspaceId: string | null;
  payload: unknown;
  attempts: number;
  lastError: string | null;
  diedAt: number;
}

export interface QueueStats {
  pending: number;
  running: number;
  dead: number;
}

export interface JobQueue {
  readonly driver: 'sql' | 'bullmq';
  /** Starts consuming jobs with these handlers (the worker role). */
  start(handlers: Record<string, JobHandler>): Promise<void>;
  /** Starts moving committed jobs from the outbox to the runner, without running them (the api role). */
  startDispatch(): Promise<void>;
  /** Wakes the dispatcher after a commit in this process, so jobs start without waiting for the next poll. */
  notify(): void;
  /**
   * When this process runs jobs and has room, the claim under which a transaction writes its jobs so that this
   * process runs them right after the commit (see runClaimed); null when they go through the queue as usual.
   */
  localClaim(): LocalClaim | null;
  /** Runs jobs that a committed transaction wrote under localClaim(). */
  runClaimed(rows: JobsTable[]): void;
  stop(): Promise<void>;
  deadJobs(workspaceId: string | null, limit?: number): Promise<DeadJob[]>;
  /** Puts a dead job back to run from its first attempt. False when no such dead job exists. */
  redrive(jobId: string, workspaceId: string | null): Promise<boolean>;
  stats(): Promise<QueueStats>;
}

/** Errors that say "do not try again": the job is marked dead at once with this reason. */
export class PermanentJobError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentJobError';
  }
}

/**
 * The record a job works on does not exist (a job of another installation, a row erased meanwhile): never
 * dropped in silence; the job dies with this reason, is logged as an error and counted.
 */
export class MissingRecordError extends PermanentJobError {
  constructor(what: string, id: string) {
    super(`${what} ${id} does not exist`);
    this.name = 'MissingRecordError';
  }
}

/** An expected wait (e.g. for a record another job is still writing): retried like any error, logged quietly. */
export class RetryLaterError extends Error {
  /** When the wait has a known length: the next attempt after this many ms instead of the usual backoff. */
  constructor(
    message: string,
    readonly delayMs: number | null = null,
  ) {
    super(message);
    this.name = 'RetryLaterError';
  }
}

export interface RetryDecision {
  kind: 'retry' | 'dead';
  delayMs: number;
  reason: string;
}

const BASE_DELAY_MS = 1000;
const MAX_DELAY_MS = 10 * 60 * 1000;

/** Exponential backoff with jitter: the nth retry waits between half and all of base·2^(n-1), capped. */
export function backoffDelay(attempt: number, baseMs = BASE_DELAY_MS, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_DELAY_MS, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** What to do after a failed attempt: retry later (honouring Retry-After), or give up. */
export function decideRetry(err: unknown, attempt: number, maxAttempts: number, backoffBaseMs = BASE_DELAY_MS): RetryDecision {
  const reason = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  if (err instanceof PermanentJobError) return { kind: 'dead', delayMs: 0, reason };
  if (err instanceof ProviderError && err.kind === 'permanent') return { kind: 'dead', delayMs: 0, reason };
  if (attempt >= maxAttempts) return { kind: 'dead', delayMs: 0, reason: `gave up after ${attempt} attempts: ${reason}` };
  if (err instanceof RetryLaterError && err.delayMs != null) return { kind: 'retry', delayMs: Math.max(err.delayMs, 1), reason };
  if (err instanceof ProviderError && err.kind === 'retry_after' && err.retryAfterMs != null) {
    return { kind: 'retry', delayMs: Math.max(err.retryAfterMs, 1), reason };
  }
  return { kind: 'retry', delayMs: backoffDelay(attempt, backoffBaseMs), reason };
}

export function parseRateKey(rateKey: string | null): { key: string; perSecond: number } | null {
  if (!rateKey) return null;
  const bar = rateKey.indexOf('|');
  if (bar < 0) return null;
  const perSecond = Number(rateKey.slice(0, bar));
  if (!Number.isFinite(perSecond) || perSecond <= 0) return null;
  return { key: rateKey.slice(bar + 1), perSecond };
}

export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
