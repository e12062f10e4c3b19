// A stand-in for the hub's webhook endpoint in adapter tests: records each request and answers 200 (or what
// the test sets in `respond`). WebhookReceiver keeps the request's URL, headers and raw bytes;
// RawWebhookReceiver keeps it as the RawWebhook the hub's webhook route would hand an adapter.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RawWebhook } from '../../src/core/channels/ports.js';

export interface ReceivedRequest {
  url: URL;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** Node's headers with repeated ones joined, as the hub's webhook route hands them to adapters. */
export function flatHeaders(headers: http.IncomingHttpHeaders): Record<string, string | undefined> {
  const flat: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers)) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  return flat;
}

/**
 * A received request as the hub's webhook route would hand it to an adapter. publicUrl: the receiver's URL,
 * for providers that sign over the URL they called (Twilio); without it the webhook carries no url.
 */
export function rawWebhook(request: ReceivedRequest, publicUrl?: string): RawWebhook {
  const webhook: RawWebhook = { body: request.body, headers: flatHeaders(request.headers), query: Object.fromEntries(request.url.searchParams) };
  // The receiver records the path only; the public URL is the receiver's origin plus that path.
  if (publicUrl !== undefined) webhook.url = new URL(request.url.pathname + request.url.search, publicUrl).toString();
  return webhook;
}

abstract class Receiver<T> {
  readonly received: T[] = [];
  url = '';
  /** Status to answer the n-th request with (0-based); 'hang' never answers. */
  respond: (n: number) => number | 'hang' = () => 200;
  private readonly server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const n = this.received.length;
      this.received.push(this.record({ url: new URL(req.url ?? '/', 'http://receiver'), headers: req.headers, body: Buffer.concat(chunks) }));
      const answer = this.respond(n);
      if (answer === 'hang') return;
      res.writeHead(answer, { 'content-type': 'text/plain' }).end(answer === 200 ? 'ok' : 'nope');
    });
  });

  /** pathAndQuery: where the simulator should post, e.g. "/webhooks/line" or "/webhooks/gupshup?token=x". */
  constructor(private readonly pathAndQuery: string) {}

  protected abstract record(request: ReceivedRequest): T;

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${this.pathAndQuery}`;
  }

  /** Forgets what arrived and answers 200 again. */
  clear(): void {
    this.received.length = 0;
    this.respond = () => 200;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  async waitFor(count: number, timeoutMs = 3000): Promise<T[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.received.length < count) {
      if (Date.now() > deadline) throw new Error(`expected ${count} webhooks, got ${this.received.length}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    return this.received;
  }
}

export class WebhookReceiver extends Receiver<ReceivedRequest> {
  protected record(request: ReceivedRequest): ReceivedRequest {
    return request;
  }
}

export class RawWebhookReceiver extends Receiver<RawWebhook> {
  protected record(request: ReceivedRequest): RawWebhook {
    return rawWebhook(request);
  }
}
