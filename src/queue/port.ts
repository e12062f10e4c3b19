// What the queue drivers share: the driver side of the core's JobQueue port (jobs its own transactions write,
// run in this process right after the commit) and the retry policy. The port itself, the job catalogue and the
// job errors are the core's (src/core/jobs.ts).
import { ProviderError } from '../core/errors.js';
import type { JobQueue } from '../core/jobs.js';
import { PermanentJobError, RetryLaterError } from '../core/jobs.js';
import type { LocalClaim } from '../storage/outbox.js';
import type { JobsTable } from '../storage/schema.js';

/** A JobQueue driver, with the write-time claim the unit of work uses (see LocalClaim). */
export interface JobQueueDriver extends JobQueue {
  /**
   * When this process runs jobs and has room, the claim under which a transaction writes its jobs so that this
   * process runs them right after the commit (see runClaimed); null when they go through the queue as usual.
   */
  localClaim(): LocalClaim | null;
  /** Runs jobs that a committed transaction wrote under localClaim(). */
  runClaimed(rows: JobsTable[]): void;
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
