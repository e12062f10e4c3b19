// One contract suite, run against every driver and database: SQL driver on SQLite and PostgreSQL, and the
// BullMQ driver (Redis) fed from the PostgreSQL and the SQLite outbox.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProviderError } from '../core/errors.js';
import type { JobHandler } from '../core/jobs.js';
import { PermanentJobError } from '../core/jobs.js';
import type { JobQueueDriver as JobQueue } from './port.js';
import { backoffDelay, decideRetry } from './port.js';
import { enqueue } from '../storage/outbox.js';
import { SqlJobQueue } from './sql-driver.js';
import { BullJobQueue } from './bullmq-driver.js';
import { MemoryRateLimiter } from './rate-limiter.js';
import type { TestDatabase } from '../../test/support/services.js';
import {
  TEST_REDIS_URL,
  createTestDatabase,
  postgresAvailable,
  redisAvailable,
  uniqueRedisPrefix,
  waitFor,
} from '../../test/support/services.js';

interface Variant {
  name: string;
  db: 'sqlite' | 'postgres';
  driver: 'sql' | 'bullmq';
  enabled: boolean;
}

const variants: Variant[] = [
  { name: 'sql driver on SQLite', db: 'sqlite', driver: 'sql', enabled: true },
  { name: 'sql driver on PostgreSQL', db: 'postgres', driver: 'sql', enabled: postgresAvailable },
  { name: 'bullmq driver on PostgreSQL + Redis', db: 'postgres', driver: 'bullmq', enabled: postgresAvailable && redisAvailable },
  { name: 'bullmq driver on SQLite + Redis', db: 'sqlite', driver: 'bullmq', enabled: redisAvailable },
];

for (const variant of variants) {
  describe.skipIf(!variant.enabled)(`JobQueue contract: ${variant.name}`, () => {
    let tdb: TestDatabase;
    const queues: JobQueue[] = [];
    let prefix: string;

    const makeQueue = (extra: { concurrency?: number } = {}): JobQueue => {
      const common = { concurrency: extra.concurrency ?? 8, pollMs: 20, backoffBaseMs: 20, jobTimeoutMs: 5000 };
      const q =
        variant.driver === 'sql'
          ? new SqlJobQueue(tdb.storage, { ...common, rateLimiter: new MemoryRateLimiter() })
          : new BullJobQueue(tdb.storage, { ...common, redisUrl: TEST_REDIS_URL, prefix });
      queues.push(q);
      return q;
    };

    const add = async (type: string, payload: unknown, extra: Parameters<typeof enqueue>[1] extends infer S ? Partial<S> : never = {}) => {
      const { id } = await tdb.storage.transaction((tx) => enqueue(tx, { type, payload, workspaceId: 'ws_test', ...extra }, 5));
      for (const q of queues) q.notify();
      return id;
    };

    beforeEach(async () => {
      tdb = await createTestDatabase(variant.db);
      prefix = uniqueRedisPrefix();
    });

    afterEach(async () => {
      for (const q of queues.splice(0)) {
        if (q instanceof BullJobQueue) await q.obliterate().catch(() => undefined);
        await q.stop();
      }
      await tdb.destroy();
    });

    it('runs a job enqueued in a committed transaction exactly once, and never one whose transaction rolled back', async () => {
      const seen: unknown[] = [];
      const q = makeQueue();
      await q.start({ echo: async (payload) => void seen.push(payload) });
      await add('echo', { n: 1 });
      await tdb.storage
        .transaction(async (tx) => {
          await enqueue(tx, { type: 'echo', payload: { n: 2 } });
          throw new Error('roll back');
        })
        .catch(() => undefined);
      await add('echo', { n: 3 });
      await waitFor(() => seen.length >= 2, { what: 'two jobs' });
      await new Promise((r) => setTimeout(r, 150));
      // Jobs run concurrently: compare as a set.
      expect([...seen].sort((a, b) => (a as { n: number }).n - (b as { n: number }).n)).toEqual([{ n: 1 }, { n: 3 }]);
      await waitFor(async () => (await q.stats()).pending === 0 && (await q.stats()).running === 0, { what: 'queue drained' });
    });

    it('runs the jobs a started worker claims at write time in its own process, with retries through the queue', async () => {
      const attempts: Array<{ n: number; attempt: number }> = [];
      const q = makeQueue();
      expect(q.localClaim()).toBeNull();
      await q.start({
        local: async (p, ctx) => {
          attempts.push({ n: (p as { n: number }).n, attempt: ctx.attempt });
          if ((p as { n: number }).n === 2 && ctx.attempt === 1) throw new Error('temporary');
        },
      });
      const claim = q.localClaim();
      expect(claim).not.toBeNull();
      const rows = await tdb.storage.transaction(async (tx) => [
        await enqueue(tx, { type: 'local', payload: { n: 1 }, workspaceId: 'ws_test' }, 5, { claim }),
        await enqueue(tx, { type: 'local', payload: { n: 2 }, workspaceId: 'ws_test' }, 5, { claim }),
        // Not due yet: written for the queue, not claimed.
        await enqueue(tx, { type: 'local', payload: { n: 3 }, workspaceId: 'ws_test', runAt: Date.now() + 100 }, 5, { claim }),
      ]);
      expect(rows.map((r) => r.status)).toEqual(['running', 'running', 'pending']);
      q.runClaimed(rows);
      q.notify();
      await waitFor(() => attempts.length === 4, { what: 'three jobs, one retried', timeoutMs: 20_000 });
      expect(attempts.filter((a) => a.n === 1)).toEqual([{ n: 1, attempt: 1 }]);
      expect(attempts.filter((a) => a.n === 2)).toEqual([{ n: 2, attempt: 1 }, { n: 2, attempt: 2 }]);
      expect(attempts.filter((a) => a.n === 3)).toEqual([{ n: 3, attempt: 1 }]);
      await waitFor(async () => (await tdb.storage.db.selectFrom('jobs').select('id').where('type', '=', 'local').execute()).length === 0, { what: 'finished jobs removed' });
    });

    it('runs a job claimed at write time by a worker that died once its lease has run out', async () => {
      const attempts: number[] = [];
      const q = makeQueue();
      await q.start({ orphan: async (_p, ctx) => void attempts.push(ctx.attempt) });
      // Claimed by a process that died before it ran the job (the rows are never handed to a runner).
      await tdb.storage.transaction((tx) => enqueue(tx, { type: 'orphan', payload: {}, workspaceId: 'ws_test' }, 5, { claim: { workerId: 'wrk_gone', leaseMs: 50 } }));
      await waitFor(() => attempts.length === 1, { what: 'the orphaned job', timeoutMs: 30_000 });
      expect(attempts).toEqual([2]);
    }, 40_000);

    it('gives jobs claimed at write time that never started back to the queue when it stops', async () => {
      const first = makeQueue({ concurrency: 1 });
      let release: () => void = () => undefined;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const ran: string[] = [];
      await first.start({ slow: async () => gate, quick: async () => void ran.push('first') });
      const claim = first.localClaim();
      const rows = await tdb.storage.transaction(async (tx) => [
        await enqueue(tx, { type: 'slow', payload: {}, workspaceId: 'ws_test' }, 5, { claim }),
        await enqueue(tx, { type: 'quick', payload: {}, workspaceId: 'ws_test' }, 5, { claim }),
      ]);
      first.runClaimed(rows);
      const stopping = first.stop();
      release();
      await stopping;
      queues.splice(queues.indexOf(first), 1);
      const pending = await tdb.storage.db.selectFrom('jobs').select(['type', 'status', 'attempts', 'locked_by']).execute();
      const quick = pending.filter((j) => j.type === 'quick').map((j) => ({ ...j }));
      if (ran.length > 0) expect(quick).toEqual([]);
      // Not run: back in the outbox, unclaimed. With Redis a relay pass still under way as the queue stopped may
      // already have moved it on to BullMQ (the row is then gone); either way the next queue runs it, once.
      else if (quick.length > 0 || variant.driver === 'sql') expect(quick).toEqual([{ type: 'quick', status: 'pending', attempts: 0, locked_by: null }]);
      const second = makeQueue();
      await second.start({ slow: async () => undefined, quick: async (_p, ctx) => void ran.push(`second:${ctx.attempt}`) });
      await waitFor(() => ran.length === 1, { what: 'the quick job', timeoutMs: 20_000 });
      expect(ran).toEqual([expect.stringMatching(/^(first|second:1)$/)]);
    });

    it('retries a failing job with backoff and passes the attempt number', async () => {
      const attempts: number[] = [];
      const q = makeQueue();
      await q.start({
        flaky: async (_p, ctx) => {
          attempts.push(ctx.attempt);
          if (ctx.attempt < 3) throw new Error('temporary');
        },
      });
      await add('flaky', {});
      await waitFor(() => attempts.length === 3, { what: 'three attempts' });
      expect(attempts).toEqual([1, 2, 3]);
      expect(await q.deadJobs(null)).toEqual([]);
    });

    it('honours Retry-After from a provider before the next attempt', async () => {
      const starts: number[] = [];
      const q = makeQueue();
      await q.start({
        limited: async (_p, ctx) => {
          starts.push(Date.now());
          if (ctx.attempt === 1) throw new ProviderError('retry_after', 'slow down', { httpStatus: 429, retryAfterMs: 400 });
        },
      });
      await add('limited', {});
      await waitFor(() => starts.length === 2, { what: 'second attempt' });
      expect(starts[1]! - starts[0]!).toBeGreaterThanOrEqual(380);
    });

    it('does not retry a permanent error, keeps the dead job with its reason, and re-drives it', async () => {
      let calls = 0;
      let heal = false;
      const q = makeQueue();
      await q.start({
        doomed: async () => {
          calls += 1;
          if (!heal) throw new ProviderError('permanent', 'invalid recipient', { providerCode: 131026, httpStatus: 400 });
        },
      });
      const id = await add('doomed', { to: 'x' });
      const dead = await waitFor(async () => (await q.deadJobs('ws_test')).find((d) => d.id === id), { what: 'dead job' });
      expect(calls).toBe(1);
      expect(dead.lastError).toContain('invalid recipient');
      expect(dead.payload).toEqual({ to: 'x' });
      expect(await q.deadJobs('ws_other')).toEqual([]);
      expect(await q.redrive(id, 'ws_other')).toBe(false);

      heal = true;
      expect(await q.redrive(id, 'ws_test')).toBe(true);
      q.notify();
      await waitFor(() => calls === 2, { what: 're-driven run' });
      await waitFor(async () => (await q.deadJobs(null)).length === 0, { what: 'dead list empty' });
      expect(await q.redrive(id, 'ws_test')).toBe(false);
    });

    it('gives up after the maximum attempts and says so', async () => {
      let calls = 0;
      const q = makeQueue();
      await q.start({ always: async () => void (calls += 1, (() => { throw new Error('still broken'); })()) });
      const id = await add('always', {}, { maxAttempts: 3 });
      const dead = await waitFor(async () => (await q.deadJobs(null)).find((d) => d.id === id), { what: 'dead job' });
      expect(calls).toBe(3);
      expect(dead.lastError).toMatch(/gave up after 3 attempts.*still broken/);
      expect(dead.attempts).toBe(3);
    });

    it('gives a job type with its own retry budget in the catalogue that many attempts, others the default', async () => {
      let calls = 0;
      const q = makeQueue();
      await q.start({
        'chat-profile.fetch': async () => void (calls += 1, (() => { throw new Error('profile API down'); })()),
        'store.poll': async () => { throw new PermanentJobError('stop'); },
      });
      // chat-profile.fetch has a budget of 3 in the catalogue; `add` writes with a default of 5.
      const id = await add('chat-profile.fetch', { channelAccountId: 'ca_1', customerId: 'cus_1', identityId: 'idn_1', userId: 'U1' });
      const dead = await waitFor(async () => (await q.deadJobs(null)).find((d) => d.id === id), { what: 'dead job' });
      expect(calls).toBe(3);
      expect(dead.attempts).toBe(3);
      expect(dead.lastError).toMatch(/gave up after 3 attempts.*profile API down/);
      const other = await add('store.poll', { connectionId: 'sc_1', token: 't' });
      const row = await tdb.storage.db.selectFrom('jobs').select('max_attempts').where('id', '=', other).executeTakeFirstOrThrow();
      expect(row.max_attempts).toBe(5);
    });

    it('a PermanentJobError goes straight to the dead list', async () => {
      const q = makeQueue();
      await q.start({ bad: async () => { throw new PermanentJobError('payload refers to a deleted account'); } });
      const id = await add('bad', {});
      const dead = await waitFor(async () => (await q.deadJobs(null)).find((d) => d.id === id), { what: 'dead job' });
      expect(dead.attempts).toBe(1);
    });

    it('keeps jobs of one rate key within its rate', async () => {
      const starts: number[] = [];
      const q = makeQueue({ concurrency: 16 });
      await q.start({ send: async () => void starts.push(Date.now()) });
      await tdb.storage.transaction(async (tx) => {
        for (let i = 0; i < 25; i++) await enqueue(tx, { type: 'send', payload: { i }, rateLimit: { key: 'acct_1', perSecond: 10 } });
      });
      q.notify();
      await waitFor(() => starts.length === 25, { timeoutMs: 20_000, what: '25 rate-limited jobs' });
      starts.sort((a, b) => a - b);
      // A bucket of 10 tokens refilled at 10/s: within any one second at most 10 + 10 jobs may start.
      for (let i = 0; i < starts.length; i++) {
        const inWindow = starts.filter((t) => t >= starts[i]! && t < starts[i]! + 1000).length;
        expect(inWindow).toBeLessThanOrEqual(20);
      }
    });

    it('two consumers on one database run every job exactly once', async () => {
      const seen = new Map<number, number>();
      const handler: JobHandler = async (p) => {
        const n = (p as { n: number }).n;
        seen.set(n, (seen.get(n) ?? 0) + 1);
      };
      const a = makeQueue();
      const b = makeQueue();
      await a.start({ count: handler });
      await b.start({ count: handler });
      await tdb.storage.transaction(async (tx) => {
        for (let n = 0; n < 200; n++) await enqueue(tx, { type: 'count', payload: { n } });
      });
      a.notify();
      b.notify();
      await waitFor(() => seen.size === 200, { timeoutMs: 20_000, what: '200 jobs' });
      await new Promise((r) => setTimeout(r, 200));
      expect([...seen.values()].every((c) => c === 1)).toBe(true);
    });
  });
}

describe('retry policy', () => {
  it('backs off exponentially with jitter, capped', () => {
    expect(backoffDelay(1, 1000, () => 0)).toBe(500);
    expect(backoffDelay(1, 1000, () => 1)).toBe(1000);
    expect(backoffDelay(4, 1000, () => 1)).toBe(8000);
    expect(backoffDelay(30, 1000, () => 1)).toBe(600_000);
  });

  it('classifies errors', () => {
    expect(decideRetry(new ProviderError('permanent', 'no'), 1, 5).kind).toBe('dead');
    expect(decideRetry(new ProviderError('retry_after', 'wait', { retryAfterMs: 2000 }), 1, 5)).toMatchObject({ kind: 'retry', delayMs: 2000 });
    expect(decideRetry(new Error('x'), 5, 5).kind).toBe('dead');
    expect(decideRetry(new Error('x'), 2, 5).kind).toBe('retry');
  });
});
