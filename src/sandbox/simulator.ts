// The common shell of every provider simulator: an HTTP server that speaks the provider's wire format
// (routes supplied by each simulator) plus a control API under /_sim for tests, the sandbox and the console:
//   GET    /_sim/requests         what the simulator received (newest last)
//   DELETE /_sim/requests         forget it
//   GET    /_sim/faults           the faults waiting to fire
//   POST   /_sim/faults           inject one: {"kind":"status","status":429,"retryAfter":2,"times":3}
//                                 {"kind":"status","status":503,"times":1} {"kind":"delay","ms":3000,"times":1}
//                                 {"kind":"invalid_recipient","recipient":"15550000000"}
//   DELETE /_sim/faults           clear them
//   POST   /_sim/reset            clear requests, faults and simulator state
// Simulators add their own control routes (emit a webhook, set templates...) under /_sim as well.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SimRequest {
  seq: number;
  at: number;
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  /** The body decoded as UTF-8: for JSON, forms and text. Bytes that are not UTF-8 come back as U+FFFD. */
  body: string;
  /** The body exactly as received: sizes and binary content (images, files) are measured on these bytes. */
  raw: Buffer;
  json: unknown;
}

export type Fault =
  | { kind: 'status'; status: number; retryAfter?: number; body?: unknown; times?: number; path?: string }
  | { kind: 'delay'; ms: number; times?: number; path?: string }
  | { kind: 'invalid_recipient'; recipient: string };

export interface SimResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** Bad input to a simulator (control API or provider route): answered with its status, never a 500. */
export class SimInputError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'SimInputError';
  }
}

/** The JSON object body of a control request, or a 400. */
export function jsonBody(req: SimRequest): Record<string, unknown> {
  const j = req.json;
  if (j === null || typeof j !== 'object' || Array.isArray(j)) throw new SimInputError(400, 'expected a JSON object body (content-type: application/json)');
  return j as Record<string, unknown>;
}

export function requireString(b: Record<string, unknown>, field: string): string {
  const v = b[field];
  if (typeof v !== 'string' || v.trim() === '') throw new SimInputError(400, `${field} is required`);
  return v;
}

export type SimHandler = (req: SimRequest, params: Record<string, string>) => Promise<SimResponse> | SimResponse;

interface Route {
  method: string;
  pattern: RegExp;
  keys: string[];
  handler: SimHandler;
  recorded: boolean;
}

const MAX_RECORDED = 50_000;

export abstract class Simulator {
  abstract readonly name: string;
  readonly received: SimRequest[] = [];
  /** Off in benchmarks: recording every request costs memory the measurement should not include. */
  recordRequests = true;
  protected faults: Array<Fault & { remaining: number }> = [];
  private routes: Route[] = [];
  private server: http.Server | null = null;
  private seq = 0;
  private baseUrlValue: string | null = null;

  constructor() {
    this.route('GET', '/_sim/requests', (req) => ({ status: 200, body: this.filterRequests(req.query) }), false);
    this.route('DELETE', '/_sim/requests', () => {
      this.received.length = 0;
      return { status: 204 };
    }, false);
    this.route('GET', '/_sim/faults', () => ({ status: 200, body: this.faults }), false);
    this.route('POST', '/_sim/faults', (req) => {
      const fault = req.json as Fault | null;
      if (!fault || typeof fault !== 'object' || !['status', 'delay', 'invalid_recipient'].includes(fault.kind)) {
        return { status: 400, body: { error: 'kind must be one of status, delay, invalid_recipient' } };
      }
      this.injectFault(fault);
      return { status: 201, body: fault };
    }, false);
    this.route('DELETE', '/_sim/faults', () => {
      this.faults = [];
      return { status: 204 };
    }, false);
    this.route('POST', '/_sim/reset', () => {
      this.reset();
      return { status: 204 };
    }, false);
  }

  /** Registers a route; `:name` segments become params. Control routes are not recorded. */
  protected route(method: string, path: string, handler: SimHandler, recorded = true): void {
    const keys: string[] = [];
    const pattern = new RegExp(
      '^' +
        path.replace(/[.*+?^${}()|[\]\\]/g, (c) => (c === ':' ? c : '\\' + c)).replace(/:([A-Za-z_]+)/g, (_m, key: string) => {
          keys.push(key);
          return '([^/]+)';
        }) +
        '$',
    );
    this.routes.push({ method, pattern, keys, handler, recorded });
  }

  /** A control route (not recorded, no faults). */
  protected control(method: string, path: string, handler: SimHandler): void {
    this.route(method, path, handler, false);
  }

  injectFault(fault: Fault): void {
    const times = 'times' in fault && fault.times != null ? fault.times : fault.kind === 'invalid_recipient' ? Infinity : 1;
    this.faults.push({ ...fault, remaining: times });
  }

  isInvalidRecipient(recipient: string): boolean {
    return this.faults.some((f) => f.kind === 'invalid_recipient' && f.recipient === recipient);
  }

  reset(): void {
    this.received.length = 0;
    this.faults = [];
    this.resetState();
  }

  protected resetState(): void {}

  get baseUrl(): string {
    if (!this.baseUrlValue) throw new Error(`${this.name} simulator is not listening`);
    return this.baseUrlValue;
  }

  /** Requests to the provider API (control calls excluded), optionally only those to a path prefix. */
  requests(pathPrefix?: string): SimRequest[] {
    return pathPrefix ? this.received.filter((r) => r.path.startsWith(pathPrefix)) : this.received;
  }

  /** The control API's view: the raw bytes are left out (their UTF-8 text is in body) and their size given. */
  private filterRequests(query: Record<string, string>): Array<Omit<SimRequest, 'raw'> & { size: number }> {
    const since = query['since'] ? Number(query['since']) : 0;
    const prefix = query['path'];
    return this.received
      .filter((r) => r.seq > since && (!prefix || r.path.startsWith(prefix)))
      .map(({ raw, ...rest }) => ({ ...rest, size: raw.length }));
  }

  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: String(err) }));
      });
    });
    this.server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, host, () => resolve());
    });
    const address = this.server.address() as AddressInfo;
    this.baseUrlValue = `http://${host}:${address.port}`;
    return this.baseUrlValue;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const body = raw.toString('utf8');
    const url = new URL(req.url ?? '/', 'http://sim');
    const method = req.method ?? 'GET';
    const path = url.pathname;
    let json: unknown = null;
    if (body && String(req.headers['content-type'] ?? '').includes('json')) {
      try {
        json = JSON.parse(body);
      } catch {
        json = null;
      }
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : (v ?? '');
    const simReq: SimRequest = {
      seq: 0,
      at: Date.now(),
      method,
      path,
      query: Object.fromEntries(url.searchParams),
      headers,
      body,
      raw,
      json,
    };
    // Kept off the control API's JSON listing of requests (the text body is there already).
    Object.defineProperty(simReq, 'raw', { enumerable: false });

    let matched: { route: Route; params: Record<string, string> } | null = null;
    for (const route of this.routes) {
      if (route.method !== method) continue;
      const m = route.pattern.exec(path);
      if (!m) continue;
      const params: Record<string, string> = {};
      route.keys.forEach((k, i) => (params[k] = decodeURIComponent(m[i + 1] ?? '')));
      matched = { route, params };
      break;
    }

    if (matched?.route.recorded) {
      const fault = this.takeFault(path);
      if (fault?.kind === 'delay') await new Promise((r) => setTimeout(r, fault.ms));
      if (fault?.kind === 'status') {
        const extra: Record<string, string> = fault.retryAfter != null ? { 'retry-after': String(fault.retryAfter) } : {};
        return this.write(res, { status: fault.status, body: fault.body ?? this.faultBody(fault.status), headers: extra });
      }
      simReq.seq = ++this.seq;
      if (this.recordRequests) {
        this.received.push(simReq);
        // Trim in chunks so the cost is not paid on every request.
        if (this.received.length > MAX_RECORDED + 5_000) this.received.splice(0, this.received.length - MAX_RECORDED);
      }
    }
    // The control API answers {error}; the provider's routes answer in the provider's own error shape.
    const refusal = (status: number, message: string): unknown =>
      (matched ? !matched.route.recorded : path.startsWith('/_sim/')) ? { error: message } : this.errorBody(status, message);
    if (!matched) return this.write(res, { status: 404, body: refusal(404, `no route ${method} ${path}`) });
    try {
      this.write(res, await matched.route.handler(simReq, matched.params));
    } catch (err) {
      if (!(err instanceof SimInputError)) throw err;
      this.write(res, { status: err.status, body: refusal(err.status, err.message) });
    }
  }

  /** The body of a refusal on a provider route (unknown route, bad input); simulators override it to answer in the provider's shape. */
  protected errorBody(_status: number, message: string): unknown {
    return { error: message };
  }

  /** The body a provider returns with an injected status; simulators override to match the provider. */
  protected faultBody(status: number): unknown {
    return { error: { message: `simulated ${status}`, code: status } };
  }

  private takeFault(path: string): (Fault & { remaining: number }) | null {
    const idx = this.faults.findIndex((f) => f.kind !== 'invalid_recipient' && (!('path' in f) || !f.path || path.startsWith(f.path)));
    if (idx < 0) return null;
    const fault = this.faults[idx]!;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.faults.splice(idx, 1);
    return fault;
  }

  private write(res: http.ServerResponse, out: SimResponse): void {
    const headers: Record<string, string> = { ...(out.headers ?? {}) };
    let payload = '';
    if (out.body !== undefined) {
      if (typeof out.body === 'string') {
        payload = out.body;
        headers['content-type'] ??= 'text/plain';
      } else {
        payload = JSON.stringify(out.body);
        headers['content-type'] ??= 'application/json';
      }
    }
    res.writeHead(out.status, headers);
    res.end(payload);
  }
}

/** Posts a webhook to the hub exactly as a provider would: raw bytes, provider headers. */
export async function deliverWebhook(
  url: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs = 10_000,
): Promise<{ status: number; text: string }> {
  // Header names are case-insensitive: a provider's own Content-Type replaces the default, never joins it.
  const merged = new Headers({ 'content-type': 'application/json' });
  for (const [name, value] of Object.entries(headers)) merged.set(name, value);
  const res = await fetch(url, {
    method: 'POST',
    headers: merged,
    body,
    signal: AbortSignal.timeout(timeoutMs),
  });
  return { status: res.status, text: await res.text() };
}
