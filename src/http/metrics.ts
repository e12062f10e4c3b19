// Prometheus metrics for /metrics: HTTP traffic, webhooks, sends and queue depth.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

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
  readonly queueDepth = new Gauge({ name: 'shoptalk_jobs', help: 'Jobs by state', labelNames: ['state'], registers: [this.registry] });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'shoptalk_' });
  }
}
