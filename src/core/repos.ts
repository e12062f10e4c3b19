// The persistence port of the domain, composed: each module declares its records and repositories in its own
// `repo.ts`, and `Repos` is their aggregate, as a unit of work hands it out. The storage layer implements it.
// Every method that touches merchant data takes the workspace id; the few `resolve*` methods find the
// workspace from an unguessable id (API key hash, webhook URL id) and say so by name.
import type { JobSpec } from './jobs.js';
import type { ConnectionRepos } from './connections/repo.js';
import type { ConversationRepos } from './conversations/repo.js';
import type { CustomerRepos } from './customers/repo.js';
import type { EventRepos } from './events/repo.js';
import type { NotificationRepos } from './notifications/repo.js';
import type { ReportRepos } from './reports/repo.js';
import type { RetentionRepos } from './retention/repo.js';
import type { TeamRepos } from './team/repo.js';
import type { TicketRepos } from './tickets/repo.js';
import type { InboxToolRepos } from './inbox-tools/repo.js';
import type { InboxSlaRepos } from './inbox-sla/repo.js';
import type { UsageRepos } from './usage/repo.js';
import type { UserRepos } from './users/repo.js';
import type { WebhookRepos } from './webhooks/repo.js';
import type { WorkspaceRepos } from './workspaces/repo.js';

// For the layers outside the core (storage, http, app), which name these records from here.
export type { ApiKeyRecord, Workspace } from './workspaces/repo.js';
export type { User } from './users/repo.js';
export type { ChannelAccount, StoreConnection } from './connections/repo.js';
export type { Activity, InboundWebhook, Order } from './events/repo.js';
export type { Message, OptOut } from './notifications/repo.js';
export type { Customer } from './customers/repo.js';
export type { WebhookDelivery, WebhookDeliveryAttempt, WebhookSubscription } from './webhooks/repo.js';
export { identityKinds } from './customers/repo.js';

/** Every module's repositories, and the transaction's outbox. */
export interface Repos
  extends WorkspaceRepos,
    UserRepos,
    ConnectionRepos,
    EventRepos,
    NotificationRepos,
    UsageRepos,
    WebhookRepos,
    CustomerRepos,
    ConversationRepos,
    TicketRepos,
    ReportRepos,
    InboxToolRepos,
    InboxSlaRepos,
    TeamRepos,
    RetentionRepos {
  jobs: {
    /** Writes the job to the outbox of the current transaction. */
    enqueue(spec: JobSpec): Promise<string>;
  };
}

export interface UnitOfWork {
  /** Repositories outside any transaction, for reads and single writes. */
  readonly repos: Repos;
  /**
   * Runs fn atomically; jobs enqueued inside start only if it commits. 'sync' (the default) is on disk when
   * it resolves; 'relaxed' survives a process crash at once and an OS crash within a fraction of a second,
   * for state the workers would only redo if it were lost.
   */
  transaction<T>(fn: (repos: Repos) => Promise<T>, durability?: 'sync' | 'relaxed'): Promise<T>;
  /**
   * One write with relaxed durability, in as few round trips as the database allows (no BEGIN/COMMIT on
   * PostgreSQL; a unit of the next group commit on SQLite), for a worker's state that must not queue behind
   * other bookkeeping. It enqueues no jobs.
   */
  write<T>(fn: (repos: Repos) => Promise<T>): Promise<T>;
}
