// Composition root: builds storage, queue, adapters, services and the HTTP app from one Config, and runs
// the roles asked for (api, worker, or all).
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import type { Config, Role } from './config/index.js';
import { ConfigError } from './config/index.js';
import { createLogger } from './logger.js';
import type { AppLogger } from './logger.js';
import { Storage } from './storage/database.js';
import { secureDataDir } from './storage/file-modes.js';
import { redisPrefixFor } from './storage/installation.js';
import { migrationStatus, summarise } from './storage/migration-status.js';
import { packageVersion } from './storage/release.js';
import { createUnitOfWork } from './storage/repositories/index.js';
import { annotateSpan, inSpan, SpanKind, startTracing } from './tracing.js';
import type { InboundWebhook, Message, UnitOfWork } from './core/repos.js';
import { Handoff } from './core/handoff.js';
import { SecretBox } from './core/secrets/secret-box.js';
import { OptOutService } from './core/notifications/opt-outs.js';
import type { Providers } from './core/providers.js';
import type { ChannelAdapter } from './core/channels/ports.js';
import type { StoreAdapter } from './core/stores/ports.js';
import type { MarketplaceAdapter } from './core/tickets/ports.js';
import { WorkspaceService } from './core/workspaces/service.js';
import { ConnectionService } from './core/connections/service.js';
import { NotificationSettingsService } from './core/notifications/settings.js';
import { WebhookIngress } from './core/notifications/ingress.js';
import { NotificationPlanner } from './core/notifications/planner.js';
import { MessageSender } from './core/notifications/sender.js';
import { ChatProfiles } from './core/customers/chat-profiles.js';
import { PushService } from './core/push/service.js';
import { OutboundWebhooks } from './core/webhooks/outbound.js';
import type { OutboundHttp } from './core/webhooks/outbound.js';
import { DestinationHttp } from './adapters/http-client.js';
import { DestinationGuard } from './core/net/destinations.js';
import type { AddressClass, ResolveHost } from './core/net/destinations.js';
import { systemResolve } from './adapters/net/pinned.js';
import { jobCatalogue } from './core/jobs.js';
import type { JobType } from './core/jobs.js';
import type { JobHandler, JobQueue } from './core/jobs.js';
import { MissingRecordError, PermanentJobError, RetryLaterError } from './core/jobs.js';
import type { JobQueueDriver } from './queue/port.js';
import { SqlJobQueue } from './queue/sql-driver.js';
import { BullJobQueue } from './queue/bullmq-driver.js';
import { MemoryRateLimiter } from './queue/rate-limiter.js';
import { providerCatalogue } from './adapters/registry.js';
import type { ProviderCatalogue } from './core/connections/definition.js';
import { StorePoller } from './core/stores/poller.js';
import { CustomerService } from './core/customers/service.js';
import { RetentionService } from './core/retention/service.js';
import { ConversationEngine } from './core/conversations/engine.js';
import { LoyaltyService } from './core/conversations/loyalty.js';
import { failedDeliveryCases } from './core/conversations/failed-delivery-cases.js';
import { loyaltyRefunds } from './core/conversations/loyalty-refunds.js';
import { OrderHistoryService } from './core/conversations/history.js';
import { ChatService } from './core/conversations/chat-service.js';
import { UserService } from './core/users/service.js';
import type { SandboxPhone } from './core/sandbox-phone.js';
import { TicketService } from './core/tickets/service.js';
import { InboxToolsService } from './core/inbox-tools/service.js';
import { InboxSlaService } from './core/inbox-sla/service.js';
import { TicketOrderLinks } from './core/tickets/order-link.js';
import { Assigner } from './core/team/assignment.js';
import { TeamService } from './core/team/service.js';
import { buildHttpApp } from './http/app.js';
import { Metrics, instrumentProviders } from './http/metrics.js';
import { buildProbeApp } from './http/probes.js';

/** How long a shutdown waits for open HTTP connections before closing them. */
const SHUTDOWN_GRACE_MS = 3000;

export interface Hub {
  config: Config;
  role: Role;
  logger: AppLogger;
  storage: Storage;
  uow: UnitOfWork;
  queue: JobQueue;
  secrets: SecretBox;
  workspaces: WorkspaceService;
  connections: ConnectionService;
  settings: NotificationSettingsService;
  users: UserService;
  http: FastifyInstance | null;
  /** The address the HTTP server listens on, once started. */
  url: string | null;
  /** The worker role's address for /healthz, /readyz and /metrics (SHOPTALK_WORKER_PORT), once started. */
  workerUrl: string | null;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface HubOptions {
  config: Config;
  /** The sandbox phone, when the hub runs with its simulators. */
  sandbox?: SandboxPhone | null;
  role?: Role;
  logger?: AppLogger;
  /** Redis key prefix for the BullMQ driver and rate limits; default SHOPTALK_REDIS_PREFIX, else from the installation id. */
  queuePrefix?: string;
  /**
   * Tests only: the resolver and address classifier the destination guard uses, so a local test server can play a
   * public host. Not configurable from the environment.
   */
  destinations?: { resolve?: ResolveHost; classify?: (address: string) => AddressClass };
  /** The conversations' clock (code expiry and send windows); tests move it instead of sleeping. */
  clock?: () => number;
}

/**
 * The master key for secrets at rest: from the environment, or with embedded SQLite generated once into
 * the data folder (readable by the owner only).
 */
export function resolveMasterKey(config: Config): string {
  if (config.masterKey) return config.masterKey;
  if (config.database.kind === 'postgres') throw new ConfigError(['SHOPTALK_MASTER_KEY: required when DATABASE_URL is set']);
  const file = path.join(config.dataDir, 'master.key');
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  fs.mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const key = SecretBox.generateKey();
  fs.writeFileSync(file, key + '\n', { mode: 0o600, flag: 'wx' });
  return key;
}

/** Builds every provider's adapter from its definition (src/adapters/registry.ts) and the config. */
export function createProviders(config: Config, guard?: DestinationGuard, catalogue: ProviderCatalogue = providerCatalogue): Providers {
  const guardFor = guard ?? destinationGuard(config);
  const channels = new Map<string, ChannelAdapter>();
  const stores = new Map<string, StoreAdapter>();
  const marketplaces = new Map<string, MarketplaceAdapter>();
  for (const definition of catalogue.all) {
    const ctx = {
      url: (key: string) => {
        const url = config.providers.baseUrls[key];
        if (url === undefined) throw new Error(`${definition.id}: no base URL setting ${key}`);
        return url;
      },
      // How long a provider may take to answer before a send's outcome is unknown (SHOPTALK_PROVIDER_TIMEOUT_MS[S]).
      timeoutMs: config.providers.timeouts[definition.id] ?? config.providers.timeoutMs,
      guard: guardFor,
    };
    if (definition.kind === 'channel') channels.set(definition.id, definition.create(ctx));
    else if (definition.kind === 'store') stores.set(definition.id, definition.create(ctx));
    else marketplaces.set(definition.id, definition.create(ctx));
  }
  return {
    channel: (provider) => channels.get(provider) ?? null,
    store: (platform) => stores.get(platform) ?? null,
    marketplace: (platform) => marketplaces.get(platform) ?? null,
    // Releases pooled connections (SMTP).
    close: () => {
      for (const adapter of [...channels.values(), ...stores.values(), ...marketplaces.values()]) (adapter as { close?: () => void }).close?.();
    },
  };
}

/** The guard for destinations workspaces choose, under the operator's policy. */
export function destinationGuard(config: Config, overrides: HubOptions['destinations'] = {}): DestinationGuard {
  return new DestinationGuard({ policy: { allowPrivate: config.destinations.allowPrivate }, resolve: overrides.resolve ?? systemResolve, classify: overrides.classify });
}

export async function createHub(opts: HubOptions): Promise<Hub> {
  const config = opts.config;
  const role = opts.role ?? 'all';
  const logger = opts.logger ?? createLogger(config.logLevel);
  secureDataDir(config.dataDir, { create: config.database.kind === 'sqlite' });
  const secrets = new SecretBox(resolveMasterKey(config), config.previousMasterKeys);
  // Optional OpenTelemetry tracing: loaded only when an OTLP endpoint is configured.
  const tracing = config.tracing ? await startTracing({ ...config.tracing, serviceVersion: packageVersion(), role }) : null;
  const storage = Storage.open(config.database);
  await storage.migrate();

  const onJobError = (err: unknown, job: { id: string; type: string }) => {
    if (err instanceof RetryLaterError) logger.debug({ jobId: job.id, jobType: job.type, reason: err.message }, 'job will retry');
    else logger.warn({ err, jobId: job.id, jobType: job.type }, 'job attempt failed');
  };
  const queue: JobQueueDriver = config.redisUrl
    ? new BullJobQueue(storage, {
        redisUrl: config.redisUrl,
        concurrency: config.worker.concurrency,
        pollMs: config.worker.pollMs,
        prefix: opts.queuePrefix ?? (await redisPrefixFor(storage, config.redisPrefix)),
        onError: onJobError,
      })
    : new SqlJobQueue(storage, {
        concurrency: config.worker.concurrency,
        pollMs: config.worker.pollMs,
        rateLimiter: new MemoryRateLimiter(),
        onError: onJobError,
      });

  const uow = createUnitOfWork(storage, {
    defaultMaxAttempts: config.worker.maxAttempts,
    afterCommit: () => queue.notify(),
    // Where this process also runs jobs, the jobs its own transactions write start right after the commit.
    localJobs: { claim: () => queue.localClaim(), run: (rows) => queue.runClaimed(rows) },
  });
  const guard = destinationGuard(config, opts.destinations);
  const metrics = new Metrics();
  const providers = instrumentProviders(createProviders(config, guard), metrics);
  const workspaces = new WorkspaceService(uow);
  const publicUrl = () => config.http.publicUrl;
  const connections = new ConnectionService(uow, providers, providerCatalogue, secrets, publicUrl, guard.policy);
  const customers = new CustomerService(uow);
  const users = new UserService(uow, { secrets, hashConcurrency: config.http.signIn.hashConcurrency });
  const settings = new NotificationSettingsService(uow, connections);
  const handoff = { webhooks: new Handoff<InboundWebhook>(), messages: new Handoff<Message>() };
  // Only a process that also runs the processing jobs takes what its ingress stored (an api process would only
  // fill the hand-off).
  const ingress = new WebhookIngress(uow, providers, secrets, role === 'all' ? handoff.webhooks : null);
  const destinationHttp = new DestinationHttp(guard, 10_000);
  const outboundHttp: OutboundHttp = {
    post: async (url, body, headers) => {
      const res = await destinationHttp.request({ method: 'POST', url, body, headers });
      return { status: res.status, text: res.text, location: typeof res.headers['location'] === 'string' ? res.headers['location'] : null };
    },
  };
  const outbound = new OutboundWebhooks(uow, secrets, outboundHttp, guard.policy);
  const optOuts = new OptOutService(uow, secrets, publicUrl);
  const planner = new NotificationPlanner(uow, providers, logger, outbound, optOuts, [failedDeliveryCases, loyaltyRefunds], handoff);
  const onSend = (status: string, message: Message, provider: string | null) => {
    metrics.sendOutcomes.inc({ channel: message.channel, status });
    metrics.sends.inc({ channel: message.channel, provider: provider ?? 'none', outcome: status });
    annotateSpan({ 'shoptalk.message.id': message.id, 'shoptalk.channel': message.channel, 'shoptalk.provider': provider ?? 'none', 'shoptalk.send.outcome': status });
  };
  const sender = new MessageSender(uow, providers, secrets, logger, outbound, optOuts, onSend, handoff.messages);
  const push = new PushService(uow, providers, secrets);
  const poller = new StorePoller(uow, providers, secrets, planner, logger, config.providers.storePollMs);
  const loyalty = new LoyaltyService(uow, providers, secrets, planner);
  const history = new OrderHistoryService(uow, providers, secrets);
  const chat = new ChatService(uow, providers, connections, loyalty);
  const tickets = new TicketService(uow, providers, secrets, chat, logger, config.providers.marketplacePollMs);
  chat.inbox = tickets;
  const sla = new InboxSlaService(uow, secrets, publicUrl, opts.clock ?? Date.now);
  tickets.sla = sla;
  const assigner = new Assigner(uow);
  tickets.assigner = assigner;
  const team = new TeamService(uow, users, assigner, config.http.publicUrl, opts.clock ? { now: opts.clock } : {});
  const orderLinks = new TicketOrderLinks(uow);
  const engine = new ConversationEngine({ uow, providers, secrets, connections, planner, loyalty, history, log: logger, inbox: tickets, ...(opts.clock ? { now: opts.clock } : {}) });
  const retention = new RetentionService(uow, config.retention);
  const chatProfiles = new ChatProfiles(uow, providers, secrets, logger);

  const implementations: { [T in JobType]: (payload: never, ctx: Parameters<JobHandler>[1]) => Promise<void> } = {
    'store-webhook.process': (p, ctx) => planner.processStoreWebhook(p, ctx),
    'channel-webhook.process': (p, ctx) => sender.processChannelWebhook(p, ctx),
    'message.send': (p, ctx) => sender.sendMessage(p, ctx),
    'webhook.deliver': (p, ctx) => outbound.deliver(p, ctx),
    'store.poll': (p, ctx) => poller.poll(p, ctx),
    'conversation.turn': (p, ctx) => engine.handleInbound(p, ctx),
    'marketplace.poll': (p, ctx) => tickets.poll(p, ctx),
    'ticket.send': (p, ctx) => tickets.send(p, ctx),
    'ticket.assign': async (_p, ctx) => {
      if (ctx.workspaceId) await assigner.run(ctx.workspaceId);
    },
    'retention.prune': (p, ctx) => retention.run(p, ctx),
    'chat-profile.fetch': (p, ctx) => chatProfiles.refresh(p, ctx),
  };
  const handlers: Record<string, JobHandler> = {};
  for (const type of Object.keys(jobCatalogue) as JobType[]) {
    const schema = jobCatalogue[type].payload;
    const run = implementations[type] as (payload: unknown, ctx: Parameters<JobHandler>[1]) => Promise<void>;
    const runJob: JobHandler = async (payload, ctx) => {
      const parsed = schema.safeParse(payload);
      if (ctx.dueAt !== undefined) metrics.jobLag.observe({ type }, Math.max(0, Date.now() - ctx.dueAt) / 1000);
      if (!parsed.success) throw new PermanentJobError(`invalid ${type} payload: ${parsed.error.message}`);
      try {
        await run(parsed.data, ctx);
        metrics.jobs.inc({ type, outcome: 'done' });
        if (type === 'conversation.turn') metrics.turns.inc({ outcome: 'done' });
      } catch (err) {
        if (type === 'conversation.turn') metrics.turns.inc({ outcome: 'failed' });
        if (err instanceof MissingRecordError) {
          // A job for a record this installation does not have: loud, counted, and kept as a dead job.
          logger.error({ jobId: ctx.id, jobType: type, workspaceId: ctx.workspaceId, reason: err.message }, 'job refers to a record that does not exist');
          metrics.jobs.inc({ type, outcome: 'missing_record' });
        } else metrics.jobs.inc({ type, outcome: 'failed' });
        throw err;
      }
    };
    // Each run is a span continuing the trace of what enqueued the job (src/tracing.ts); a no-op with tracing off.
    handlers[type] = (payload, ctx) =>
      inSpan(
        `job ${type}`,
        {
          kind: SpanKind.CONSUMER,
          parent: ctx.traceParent ?? null,
          attributes: { 'shoptalk.job.id': ctx.id, 'shoptalk.job.type': type, 'shoptalk.job.attempt': ctx.attempt, 'shoptalk.workspace.id': ctx.workspaceId ?? '' },
        },
        () => runJob(payload, ctx),
      );
  }

  let readinessRedis: Redis | null = null;
  const ready = async () => {
    await storage.ping();
    if (config.redisUrl) {
      readinessRedis ??= new Redis(config.redisUrl, { lazyConnect: false, maxRetriesPerRequest: 1 });
      await readinessRedis.ping();
    }
  };

  const version = async () => {
    const m = summarise(await migrationStatus(storage));
    return { version: packageVersion(), node: process.versions.node, database: storage.dialect, queue: config.redisUrl ? ('bullmq' as const) : ('sql' as const), migrations: { known: m.known, applied: m.applied, pending: m.pending, last_applied: m.lastApplied } };
  };
  // The worker answers health, readiness and metrics on its own port.
  const probes = role === 'worker' ? buildProbeApp({ queue, metrics, ready }, logger) : null;
  const http = role === 'worker' ? null : await buildHttpApp({ config, uow, workspaces, connections, customers, settings, ingress, planner, push, outbound, optOuts, chat, history, loyalty, tickets, inboxTools: new InboxToolsService(uow, { ticketLabelsChanged: (tx, ws, id) => sla.labelsChanged(tx, ws, id), labelRemoved: (tx, ws, id, tickets) => sla.labelRemoved(tx, ws, id, tickets) }), sla, team, orderLinks, users, sandbox: opts.sandbox ?? null, queue, metrics, ready, version }, logger);

  const hub: Hub = {
    config,
    role,
    logger,
    storage,
    uow,
    queue,
    secrets,
    workspaces,
    connections,
    settings,
    users,
    http,
    url: null,
    workerUrl: null,
    async start() {
      if (role === 'worker' || role === 'all') {
        await queue.start(handlers);
        await retention.ensureScheduled();
      } else await queue.startDispatch();
      if (http) {
        const address = await http.listen({ host: config.http.host, port: config.http.port });
        hub.url = address.replace('[::1]', '127.0.0.1');
        // With a port picked by the system, the public URL is only known now.
        if (config.http.port === 0) config.http.publicUrl = hub.url;
      }
      if (probes) hub.workerUrl = (await probes.listen({ host: config.http.host, port: config.worker.port })).replace('[::1]', '127.0.0.1');
    },
    async stop() {
      await probes?.close();
      if (http) {
        // Requests in progress may finish; a client that keeps a connection open does not hold the shutdown up.
        const force = setTimeout(() => http.server.closeAllConnections(), SHUTDOWN_GRACE_MS);
        await http.close();
        clearTimeout(force);
      }
      await queue.stop();
      providers.close();
      await destinationHttp.close();
      readinessRedis?.disconnect();
      await storage.close();
      await tracing?.shutdown().catch((err: unknown) => logger.warn({ err }, 'could not export the last spans'));
    },
  };
  return hub;
}
