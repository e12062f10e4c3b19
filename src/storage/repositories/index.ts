// Builds the repositories over a database handle (the root one or a transaction) and the unit of work.
import type { Db, Storage } from '../database.js';
import type { Repos, UnitOfWork } from '../../core/repos.js';
import { apiKeysRepo, channelAccountsRepo, storeConnectionsRepo, workspacesRepo } from './accounts.js';
import { customersRepo, optOutsRepo } from './customers.js';
import { sessionsRepo, signInFailuresRepo, usersRepo } from './users.js';
import { categoriesRepo, contactsRepo, customFieldsRepo, queuesRepo, ticketMessagesRepo, ticketReadsRepo, ticketsRepo } from './tickets.js';
import { chatSettingsRepo, conversationsRepo, flowModulesRepo, loyaltyRepo, ndrCasesRepo, verificationCodesRepo } from './conversations.js';
import { eventsRepo, ordersRepo, webhooksRepo } from './commerce.js';
import { webhookDeliveriesRepo, webhookSubscriptionsRepo } from './webhooks-out.js';
import { maintenanceRepo } from './maintenance.js';
import { erasureRepo } from './erasure.js';
import { activitiesRepo, channelSelectionsRepo, jobsRepo, messagesRepo, settingsRepo, usageRepo, variableSamplesRepo } from './messaging.js';

export function createRepos(db: Db, defaultMaxAttempts: number): Repos {
  return {
    workspaces: workspacesRepo(db),
    apiKeys: apiKeysRepo(db),
    users: usersRepo(db),
    sessions: sessionsRepo(db),
    signInFailures: signInFailuresRepo(db),
    storeConnections: storeConnectionsRepo(db),
    channelAccounts: channelAccountsRepo(db),
    webhooks: webhooksRepo(db),
    orders: ordersRepo(db),
    events: eventsRepo(db),
    settings: settingsRepo(db),
    messages: messagesRepo(db),
    channelSelections: channelSelectionsRepo(db),
    usage: usageRepo(db),
    variableSamples: variableSamplesRepo(db),
    webhookSubscriptions: webhookSubscriptionsRepo(db),
    webhookDeliveries: webhookDeliveriesRepo(db),
    customers: customersRepo(db),
    optOuts: optOutsRepo(db),
    conversations: conversationsRepo(db),
    flowModules: flowModulesRepo(db),
    chatSettings: chatSettingsRepo(db),
    verificationCodes: verificationCodesRepo(db),
    ndrCases: ndrCasesRepo(db),
    loyalty: loyaltyRepo(db),
    customFields: customFieldsRepo(db),
    contacts: contactsRepo(db),
    queues: queuesRepo(db),
    categories: categoriesRepo(db),
    tickets: ticketsRepo(db),
    ticketMessages: ticketMessagesRepo(db),
    ticketReads: ticketReadsRepo(db),
    activities: activitiesRepo(db),
    jobs: jobsRepo(db, defaultMaxAttempts),
    maintenance: maintenanceRepo(db),
    erasure: erasureRepo(db),
  };
}

/** A unit of work over the storage; afterCommit runs once a transaction that enqueued jobs has committed. */
export function createUnitOfWork(storage: Storage, opts: { defaultMaxAttempts: number; afterCommit?: () => void }): UnitOfWork {
  return {
    repos: createRepos(storage.db, opts.defaultMaxAttempts),
    async transaction(fn, durability) {
      let enqueued = false;
      const result = await storage.transaction((tx) => {
        const repos = createRepos(tx, opts.defaultMaxAttempts);
        const enqueue = repos.jobs.enqueue.bind(repos.jobs);
        repos.jobs.enqueue = (spec) => {
          enqueued = true;
          return enqueue(spec);
        };
        return fn(repos);
      }, durability);
      // Only a commit that wrote jobs wakes the dispatcher (each wake-up is a query for due jobs).
      if (enqueued) opts.afterCommit?.();
      return result;
    },
    write(fn) {
      return storage.relaxedWrite((db) => fn(createRepos(db, opts.defaultMaxAttempts)));
    },
  };
}
