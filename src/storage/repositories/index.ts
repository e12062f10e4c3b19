// Builds the repositories over a database handle (the root one or a transaction) and the unit of work.
import type { Db, Storage } from '../database.js';
import type { JobsTable } from '../schema.js';
import { enqueue } from '../outbox.js';
import type { LocalClaim } from '../outbox.js';
import type { Repos, UnitOfWork } from '../../core/repos.js';
import { apiKeysRepo, workspacesRepo } from './workspaces.js';
import { sessionsRepo, signInFailuresRepo, usersRepo } from './users.js';
import { channelAccountsRepo, channelSelectionsRepo, storeConnectionsRepo } from './connections.js';
import { activitiesRepo, eventsRepo, ordersRepo, webhooksRepo } from './events.js';
import { messagesRepo, optOutsRepo, settingsRepo, variableSamplesRepo } from './notifications.js';
import { usageRepo } from './usage.js';
import { reportsRepo } from './reports.js';
import { webhookDeliveriesRepo, webhookSubscriptionsRepo } from './webhooks.js';
import { customersRepo, erasureRepo } from './customers.js';
import { chatSettingsRepo, conversationsRepo, flowModulesRepo, loyaltyRepo, ndrCasesRepo, verificationCodesRepo } from './conversations.js';
import { categoriesRepo, contactsRepo, customFieldsRepo, queuesRepo, ticketMessagesRepo, ticketReadsRepo, ticketsRepo } from './tickets.js';
import { maintenanceRepo } from './retention.js';
import { currentTraceParent } from '../../tracing.js';
import { cannedRepliesRepo, labelsRepo, mentionsRepo } from './inbox-tools.js';
import { businessHoursRepo, csatRepo, slaPoliciesRepo, ticketSlasRepo } from './inbox-sla.js';
import { assignmentRepo, invitesRepo, queueMembersRepo, ticketViewersRepo } from './team.js';

/** The transaction's outbox: a job written here starts once the transaction has committed. */
function jobsRepo(db: Db, defaultMaxAttempts: number): Repos['jobs'] {
  return { enqueue: async (spec) => (await enqueue(db, spec, defaultMaxAttempts, { traceParent: currentTraceParent() })).id };
}

const factories: { [K in keyof Repos]: (db: Db, defaultMaxAttempts: number) => Repos[K] } = {
  workspaces: workspacesRepo,
  apiKeys: apiKeysRepo,
  users: usersRepo,
  sessions: sessionsRepo,
  signInFailures: signInFailuresRepo,
  storeConnections: storeConnectionsRepo,
  channelAccounts: channelAccountsRepo,
  webhooks: webhooksRepo,
  orders: ordersRepo,
  events: eventsRepo,
  settings: settingsRepo,
  messages: messagesRepo,
  channelSelections: channelSelectionsRepo,
  usage: usageRepo,
  reports: reportsRepo,
  variableSamples: variableSamplesRepo,
  webhookSubscriptions: webhookSubscriptionsRepo,
  webhookDeliveries: webhookDeliveriesRepo,
  customers: customersRepo,
  optOuts: optOutsRepo,
  conversations: conversationsRepo,
  flowModules: flowModulesRepo,
  chatSettings: chatSettingsRepo,
  verificationCodes: verificationCodesRepo,
  ndrCases: ndrCasesRepo,
  loyalty: loyaltyRepo,
  customFields: customFieldsRepo,
  contacts: contactsRepo,
  queues: queuesRepo,
  categories: categoriesRepo,
  tickets: ticketsRepo,
  ticketMessages: ticketMessagesRepo,
  ticketReads: ticketReadsRepo,
  cannedReplies: cannedRepliesRepo,
  labels: labelsRepo,
  mentions: mentionsRepo,
  businessHours: businessHoursRepo,
  slaPolicies: slaPoliciesRepo,
  ticketSlas: ticketSlasRepo,
  csat: csatRepo,
  invites: invitesRepo,
  queueMembers: queueMembersRepo,
  ticketViewers: ticketViewersRepo,
  assignment: assignmentRepo,
  activities: activitiesRepo,
  jobs: jobsRepo,
  maintenance: maintenanceRepo,
  erasure: erasureRepo,
};

/**
 * The repositories over one database handle. Each is built on first use: a transaction touches a handful of
 * the thirty-odd, and one is opened per unit of work on the hot path.
 */
class LazyRepos {
  constructor(
    readonly db: Db,
    readonly defaultMaxAttempts: number,
  ) {}
}
for (const name of Object.keys(factories) as Array<keyof Repos>) {
  Object.defineProperty(LazyRepos.prototype, name, {
    configurable: true,
    enumerable: true,
    get(this: LazyRepos) {
      const repo = factories[name](this.db, this.defaultMaxAttempts);
      Object.defineProperty(this, name, { value: repo, writable: true, enumerable: true, configurable: true });
      return repo;
    },
  });
}

export function createRepos(db: Db, defaultMaxAttempts: number): Repos {
  return new LazyRepos(db, defaultMaxAttempts) as unknown as Repos;
}

export interface UnitOfWorkOptions {
  defaultMaxAttempts: number;
  /** Runs once a transaction that enqueued jobs for the queue has committed (wakes the dispatcher). */
  afterCommit?: () => void;
  /** A worker in this process that takes jobs at write time (JobQueue.localClaim / runClaimed). */
  localJobs?: { claim: () => LocalClaim | null; run: (rows: JobsTable[]) => void };
}

/** A unit of work over the storage. Jobs a transaction enqueues start once it has committed. */
export function createUnitOfWork(storage: Storage, opts: UnitOfWorkOptions): UnitOfWork {
  return {
    repos: createRepos(storage.db, opts.defaultMaxAttempts),
    async transaction(fn, durability) {
      let queued = false;
      let claimedRows: JobsTable[] = [];
      // Read here, in the caller's context: on SQLite the unit runs inside the group commit's.
      const traceParent = currentTraceParent();
      const result = await storage.transaction((tx) => {
        const repos = createRepos(tx, opts.defaultMaxAttempts);
        // A unit may run again (a retried group commit): only this run's jobs count.
        const rows: JobsTable[] = [];
        claimedRows = rows;
        const claim = opts.localJobs?.claim() ?? null;
        repos.jobs.enqueue = async (spec) => {
          const row = await enqueue(tx, spec, opts.defaultMaxAttempts, { claim, traceParent });
          if (row.locked_by) rows.push(row);
          else queued = true;
          return row.id;
        };
        return fn(repos);
      }, durability);
      if (claimedRows.length > 0) opts.localJobs!.run(claimedRows);
      // Only a commit that wrote jobs for the queue wakes the dispatcher (each wake-up is a query for due jobs).
      if (queued) opts.afterCommit?.();
      return result;
    },
    write(fn) {
      return storage.relaxedWrite((db) => fn(createRepos(db, opts.defaultMaxAttempts)));
    },
  };
}
