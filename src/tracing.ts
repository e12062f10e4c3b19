// Optional OpenTelemetry tracing. With an OTLP endpoint configured (OTEL_EXPORTER_OTLP_ENDPOINT), the hub exports
// spans of webhook intake, of every job it runs and of every provider call, over OTLP/HTTP (JSON). A job's span
// continues the trace of the request or job that enqueued it: the W3C traceparent of the enqueuing span is kept
// on the job's row, so one trace follows a webhook to its processing job, the send job it plans and the provider
// call that sends, across processes and restarts. Without an endpoint nothing is loaded beyond the OpenTelemetry
// API, whose calls are then no-ops; the helpers below return at once.
import { context, isSpanContextValid, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, TraceFlags } from '@opentelemetry/api';
import type { Attributes, Span, SpanContext } from '@opentelemetry/api';
import { maskPii } from './core/pii.js';

export { SpanKind };
export type { Attributes, Span };

export interface TracingOptions {
  /** Full URL the spans are posted to (…/v1/traces). */
  url: string;
  headers: Record<string, string>;
  serviceName: string;
  serviceVersion: string;
  /** The process's role (all, api, worker), recorded on every span as shoptalk.role. */
  role: string;
  /** Spans are sent in batches; the longest a finished span waits (default: OTEL_BSP_SCHEDULE_DELAY, else 5 s). */
  exportDelayMs?: number;
}

export interface Tracing {
  /** Sends every finished span now. */
  flush(): Promise<void>;
  /** Sends what is left and stops exporting. */
  shutdown(): Promise<void>;
}

let enabled = false;
let activeTracing: Tracing | null = null;
const TRACER = 'shoptalk';

/** True once startTracing has run in this process. */
export function tracingEnabled(): boolean {
  return enabled;
}

/**
 * Starts exporting spans in this process (once; a second call returns the first's handle). The SDK is loaded
 * here, on demand, so that a hub without tracing never loads it.
 */
export async function startTracing(opts: TracingOptions): Promise<Tracing> {
  if (activeTracing) return activeTracing;
  const [{ NodeTracerProvider }, { BatchSpanProcessor }, { OTLPTraceExporter }, { resourceFromAttributes }] = await Promise.all([
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/resources'),
  ]);
  const exporter = new OTLPTraceExporter({ url: opts.url, headers: opts.headers });
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({
      'service.name': opts.serviceName,
      'service.version': opts.serviceVersion,
      'service.instance.id': `${process.pid}`,
      'shoptalk.role': opts.role,
    }),
    spanProcessors: [new BatchSpanProcessor(exporter, opts.exportDelayMs !== undefined ? { scheduledDelayMillis: opts.exportDelayMs } : {})],
  });
  // Registers the provider, the AsyncLocalStorage context manager (the active span follows async calls) and the
  // W3C trace-context propagator.
  provider.register();
  enabled = true;
  activeTracing = {
    flush: () => provider.forceFlush(),
    shutdown: async () => {
      enabled = false;
      activeTracing = null;
      await provider.shutdown();
      trace.disable();
      context.disable();
    },
  };
  return activeTracing;
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** The W3C traceparent of the span active here, or null (tracing off, or no span). */
export function currentTraceParent(): string | null {
  if (!enabled) return null;
  const sc = trace.getSpanContext(context.active());
  if (!sc || !isSpanContextValid(sc)) return null;
  return `00-${sc.traceId}-${sc.spanId}-${(sc.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED ? '01' : '00'}`;
}

/** A stored traceparent as a remote parent span context; null when absent or malformed. */
export function parseTraceParent(value: string | null | undefined): SpanContext | null {
  if (!value) return null;
  const m = TRACEPARENT.exec(value);
  if (!m) return null;
  const sc: SpanContext = { traceId: m[1]!, spanId: m[2]!, traceFlags: parseInt(m[3]!, 16) & TraceFlags.SAMPLED, isRemote: true };
  return isSpanContextValid(sc) ? sc : null;
}

export interface SpanOptions {
  kind?: SpanKind;
  attributes?: Attributes;
  /**
   * The traceparent to continue (a job's, kept on its row). Absent: the span is a child of the active span.
   * null: a new trace (a request from outside, whose trace headers are not trusted).
   */
  parent?: string | null;
}

/**
 * Runs fn inside a span named name: the span is active for fn's async calls, ends when fn settles, and records
 * fn's error (its type, and its message with personal data masked as in the logs). With tracing off, runs fn alone.
 */
export function inSpan<T>(name: string, opts: SpanOptions, fn: (span: Span | null) => Promise<T>): Promise<T> {
  if (!enabled) return fn(null);
  let parentContext = context.active();
  if (opts.parent === null) parentContext = ROOT_CONTEXT;
  else if (opts.parent !== undefined) {
    const remote = parseTraceParent(opts.parent);
    parentContext = remote ? trace.setSpanContext(ROOT_CONTEXT, remote) : ROOT_CONTEXT;
  }
  const tracer = trace.getTracer(TRACER);
  return tracer.startActiveSpan(name, { kind: opts.kind ?? SpanKind.INTERNAL, attributes: opts.attributes ?? {} }, parentContext, async (span) => {
    try {
      return await fn(span);
    } catch (err) {
      markFailed(span, err);
      throw err;
    } finally {
      span.end();
    }
  });
}

/**
 * A span for work that started at startTime (epoch ms) in the active context and is not run through inSpan
 * (a provider call timed after the fact). Null with tracing off. End it with endSpan.
 */
export function startSpanAt(name: string, opts: Omit<SpanOptions, 'parent'>, startTime: number): Span | null {
  if (!enabled) return null;
  return trace.getTracer(TRACER).startSpan(name, { kind: opts.kind ?? SpanKind.INTERNAL, attributes: opts.attributes ?? {}, startTime }, context.active());
}

/** Ends a span from startSpanAt, recording err as inSpan does. */
export function endSpan(span: Span | null, err?: unknown): void {
  if (!span) return;
  if (err !== undefined) markFailed(span, err);
  span.end();
}

function markFailed(span: Span, err: unknown): void {
  const e = err instanceof Error ? err : new Error(String(err));
  span.setAttribute('error.type', e.name);
  span.setStatus({ code: SpanStatusCode.ERROR, message: maskPii(e.message).slice(0, 500) });
}

/** Adds attributes to the active span (a job's: what it did), when tracing is on. */
export function annotateSpan(attributes: Attributes): void {
  if (!enabled) return;
  trace.getActiveSpan()?.setAttributes(attributes);
}
