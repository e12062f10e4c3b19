// The jobs port, owned by the core: the job catalogue (each job type, its payload schema and, where it has one,
// its own retry budget), what a job handler receives, the errors by which a handler tells the queue what to do
// next, and the JobQueue the queue drivers (src/queue) implement.
import { z } from 'zod';

/** A catalogue entry. Types without their own retry budget use the installation's (SHOPTALK_JOB_MAX_ATTEMPTS). */
interface JobDefinition {
  description: string;
  payload: z.ZodType;
  maxAttempts?: number;
}

export const jobCatalogue = {
  'store-webhook.process': {
    description: 'Normalize a stored store-platform webhook into events and plan its notifications',
    payload: z.object({ webhookId: z.string() }),
  },
  'channel-webhook.process': {
    description: 'Apply delivery statuses and inbound messages from a stored channel webhook',
    payload: z.object({ webhookId: z.string() }),
  },
  'webhook.deliver': {
    description: 'Make one attempt at an outbound webhook delivery; a failure schedules the next attempt (about a day of retries)',
    // attempt: attempts made when this one was scheduled (absent on jobs queued before retries were scheduled);
    // manual: a redelivery asked for by the merchant, one attempt without a schedule.
    payload: z.object({ deliveryId: z.string(), attempt: z.number().int().min(0).optional(), manual: z.boolean().optional() }),
  },
  'message.send': {
    description: 'Send one queued outbound message through its channel account',
    payload: z.object({ messageId: z.string() }),
  },
  'conversation.turn': {
    description: 'Answer one inbound chat message: flows, account linking, order history, failed delivery, loyalty, hand-over',
    payload: z.object({ messageId: z.string() }),
  },
  'marketplace.poll': {
    description: 'Import one page of marketplace message threads (EmpikPlace) into tickets, and schedule the next poll',
    payload: z.object({ connectionId: z.string(), token: z.string() }),
  },
  'ticket.send': {
    description: 'Send an agent reply or auto-reply of a ticket to the marketplace thread',
    payload: z.object({ messageId: z.string() }),
  },
  'ticket.assign': {
    description: 'Give the waiting tickets of queues with automatic assignment to online agents with room (a ticket arrived or reopened)',
    payload: z.object({ ticketId: z.string().optional() }),
  },
  'chat-profile.fetch': {
    description: 'Read a chat user’s display name from the channel’s profile API (LINE) onto their customer identity',
    payload: z.object({ channelAccountId: z.string(), customerId: z.string(), identityId: z.string(), userId: z.string() }),
    // A best-effort extra: a failing profile API is not asked for long.
    maxAttempts: 3,
  },
  'store.poll': {
    description: 'Read one page of a polled store’s changed orders, record their events, and schedule the next poll',
    payload: z.object({ connectionId: z.string(), token: z.string() }),
  },
  'retention.prune': {
    description: 'Delete data past its retention period (processed webhook bodies, expired sessions and codes, dead jobs), and schedule the next run',
    payload: z.object({ token: z.string() }),
  },
} as const satisfies Record<string, JobDefinition>;

export type JobType = keyof typeof jobCatalogue;
export type JobPayload<T extends JobType> = z.infer<(typeof jobCatalogue)[T]['payload']>;

/**
 * Attempts before a job of this type is declared dead: the type's own budget from the catalogue, else the
 * installation's default (SHOPTALK_JOB_MAX_ATTEMPTS). Both queue drivers read it from the job's row, where the
 * outbox writes it.
 */
export function jobMaxAttempts(type: string, defaultMaxAttempts: number): number {
  const definitions: Readonly<Record<string, JobDefinition>> = jobCatalogue;
  return (Object.hasOwn(definitions, type) ? definitions[type]?.maxAttempts : undefined) ?? defaultMaxAttempts;
}

/** A job to enqueue: a type from the catalogue with that type's payload. */
export type JobSpec<T extends JobType = JobType> = T extends JobType
  ? {
      type: T;
      payload: JobPayload<T>;
      workspaceId?: string | null;
      /** Earliest start, epoch ms. */
      runAt?: number;
      /** Jobs sharing a rate limit, with its rate: the provider's throughput for a sending account. */
      rateLimit?: { key: string; perSecond: number } | null;
      /** Overrides the type's retry budget for this one job. */
      maxAttempts?: number;
    }
  : never;

export interface JobContext {
  id: string;
  type: string;
  workspaceId: string | null;
  /** 1 on the first run. */
  attempt: number;
  maxAttempts: number;
  /** When this attempt was due to start (epoch ms), where the driver knows it: the job's start lag is measured from it. */
  dueAt?: number;
  /** The W3C traceparent of the span that enqueued the job, when tracing was on: the job's span continues it. */
  traceParent?: string | null;
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
  /** Waiting to run, retries included. */
  pending: number;
  /** Of pending: jobs that failed at least once and wait for their next attempt. */
  retrying: number;
  running: number;
  dead: number;
  /** Committed jobs still in the jobs table, not yet taken by a runner (with BullMQ: not yet relayed to Redis). */
  outbox: number;
}

/**
 * The JobQueue port. Jobs are always written to the `jobs` table inside the transaction of the write that
 * causes them (a transactional outbox, src/storage/outbox.ts); a driver then runs them: the SQL driver claims
 * them from the table, the BullMQ driver relays them to Redis and runs them from there.
 */
export interface JobQueue {
  readonly driver: 'sql' | 'bullmq';
  /** Starts consuming jobs with these handlers (the worker role). */
  start(handlers: Record<string, JobHandler>): Promise<void>;
  /** Starts moving committed jobs from the outbox to the runner, without running them (the api role). */
  startDispatch(): Promise<void>;
  /** Wakes the dispatcher after a commit in this process, so jobs start without waiting for the next poll. */
  notify(): void;
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
