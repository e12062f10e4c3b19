// A stand-in for the hub's webhook endpoint in adapter tests: records each request's URL, headers and raw
// bytes, and answers 200.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  url: URL;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export class WebhookReceiver {
  readonly received: ReceivedRequest[] = [];
  url = '';
  private readonly server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      this.received.push({ url: new URL(req.url ?? '/', 'http://receiver'), headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(200).end('ok');
    });
  });

  /** pathAndQuery: where the simulator should post, e.g. "/webhooks/line" or "/webhooks/gupshup?token=x". */
  constructor(private readonly pathAndQuery: string) {}

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${this.pathAndQuery}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  async waitFor(count: number, timeoutMs = 3000): Promise<ReceivedRequest[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.received.length < count) {
      if (Date.now() > deadline) throw new Error(`expected ${count} webhooks, got ${this.received.length}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    return this.received;
  }
}
