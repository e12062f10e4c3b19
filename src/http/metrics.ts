// Prometheus metrics for /metrics: HTTP traffic, webhooks, sends, provider calls, jobs (lag, outcomes, queue
// states, outbox), conversation turns and inbox streams. The README's "Metrics" section lists them.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { JobQueue } from '../core/jobs.js';
import type { Providers } from '../core/providers.js';
import { endSpan, SpanKind, startSpanAt } from '../tracing.js';

export class Metrics {
  readonly registry = new Registry();
  readonly httpRequests = new Counter({ name: 'shoptalk_http_requests_total', help: 'HTTP requests', labelNames: ['method', 'route', 'status'], registers: [this.registry] });
  readonly httpDuration = new Histogram({
    name: 'shoptalk_http_request_duration_seconds',
    help: 'HTTP request duration',
    labelNames: ['method', 'route'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly webhooks = new Counter({ name: 'shoptalk_webhooks_received_total', help: 'Inbound webhooks by source and outcome', labelNames: ['source', 'outcome'], registers: [this.registry] });
  readonly jobs = new Counter({ name: 'shoptalk_jobs_finished_total', help: 'Jobs finished by type and outcome', labelNames: ['type', 'outcome'], registers: [this.registry] });
  readonly sendOutcomes = new Counter({
    name: 'shoptalk_send_outcomes_total',
    help: 'Recorded outcomes of outbound sends by channel and status (sent, failed, unknown: may or may not have reached the customer)',
    labelNames: ['channel', 'status'],
    registers: [this.registry],
  });
  readonly sends = new Counter({
    name: 'shoptalk_sends_total',
    help: 'Recorded outcomes of outbound sends by channel, provider and outcome (sent, failed, unknown)',
    labelNames: ['channel', 'provider', 'outcome'],
    registers: [this.registry],
  });
  readonly providerCalls = new Histogram({
    name: 'shoptalk_provider_call_duration_seconds',
    help: 'Calls to providers (channels, stores, marketplaces) by provider, operation (the adapter method) and outcome (ok, error)',
    labelNames: ['provider', 'operation', 'outcome'],
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  readonly jobLag = new Histogram({
    name: 'shoptalk_job_start_lag_seconds',
    help: 'How long after it was due a job attempt started, by job type',
    labelNames: ['type'],
    buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 1800],
    registers: [this.registry],
  });
  readonly queueDepth = new Gauge({
    name: 'shoptalk_jobs',
    help: 'Jobs by state: ready (waiting, never tried), retrying (waiting for another attempt), pending (ready + retrying), running, dead',
    labelNames: ['state'],
    registers: [this.registry],
  });
  readonly outbox = new Gauge({ name: 'shoptalk_outbox_jobs', help: 'Committed jobs in the jobs table not yet taken by a runner (with Redis: not yet relayed to BullMQ)', registers: [this.registry] });
  readonly turns = new Counter({ name: 'shoptalk_conversation_turns_total', help: 'Conversation turns (answers to inbound chat messages) by outcome (done, failed)', labelNames: ['outcome'], registers: [this.registry] });
  readonly inboxClients = new Gauge({ name: 'shoptalk_inbox_stream_clients', help: 'Open inbox event streams (server-sent events) in this process', registers: [this.registry] });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'shoptalk_' });
  }

  /** Reads the queue's counts into the job gauges (on each scrape; the counts are installation-wide). */
  async collectQueue(queue: JobQueue): Promise<void> {
    const stats = await queue.stats().catch(() => null);
    if (!stats) return;
    this.queueDepth.set({ state: 'ready' }, stats.pending - stats.retrying);
    this.queueDepth.set({ state: 'retrying' }, stats.retrying);
    this.queueDepth.set({ state: 'pending' }, stats.pending);
    this.queueDepth.set({ state: 'running' }, stats.running);
    this.queueDepth.set({ state: 'dead' }, stats.dead);
    this.outbox.set(stats.outbox);
  }

  /** Times every promise-returning method of a provider adapter, as provider calls. */
  instrument<T extends object>(provider: string, adapter: T): T {
    const histogram = this.providerCalls;
    // One timed function per method, made on first use: a send reads its method once per message.
    const timed = new Map<string, (...args: unknown[]) => unknown>();
    return new Proxy(adapter, {
      get(target, key, receiver) {
        const value: unknown = Reflect.get(target, key, receiver);
        if (typeof value !== 'function' || typeof key !== 'string' || key === 'constructor') return value;
        const known = timed.get(key);
        if (known) return known;
        const fn = function (this: unknown, ...args: unknown[]) {
          const started = performance.now();
          const startedAt = Date.now();
          const result: unknown = (value as (...a: unknown[]) => unknown).apply(target, args);
          if (!(result instanceof Promise)) return result;
          // With tracing on, the call is a client span of the job that made it (src/tracing.ts).
          const span = startSpanAt(`${provider} ${key}`, { kind: SpanKind.CLIENT, attributes: { 'shoptalk.provider': provider, 'shoptalk.provider.operation': key } }, startedAt);
          const observe = (outcome: string) => histogram.observe({ provider, operation: key, outcome }, (performance.now() - started) / 1000);
          return result.then(
            (v: unknown) => {
              observe('ok');
              endSpan(span);
              return v;
            },
            (err: unknown) => {
              observe('error');
              endSpan(span, err);
              throw err;
            },
          );
        };
        timed.set(key, fn);
        return fn;
      },
    });
  }
}

/** The providers with every adapter's calls timed (shoptalk_provider_call_duration_seconds). */
export function instrumentProviders(providers: Providers, metrics: Metrics): Providers {
  const wrapped = new Map<object, object>();
  const wrap = <T extends object>(id: string, adapter: T | null): T | null => {
    if (!adapter) return null;
    let w = wrapped.get(adapter);
    if (!w) wrapped.set(adapter, (w = metrics.instrument(id, adapter)));
    return w as T;
  };
  return {
    channel: (provider) => wrap(provider, providers.channel(provider)),
    store: (platform) => wrap(platform, providers.store(platform)),
    marketplace: (platform) => wrap(platform, providers.marketplace(platform)),
    close: () => providers.close(),
  };
}
