// One small HTTP client for every provider adapter: keep-alive pools per origin, a timeout, and a
// classification of transport failures into ProviderError so callers only deal with one error type.
import { Agent, request } from 'undici';
import { ProviderError, parseRetryAfter } from '../core/errors.js';
import { DestinationRefusedError } from '../core/net/destinations.js';
import type { DestinationGuard } from '../core/net/destinations.js';
import { guardedConnector } from './net/pinned.js';

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  timeoutMs?: number;
}

const agent = new Agent({ keepAliveTimeout: 10_000, connections: 128, pipelining: 1 });

export async function httpRequest(req: HttpRequest): Promise<HttpResponse> {
  const timeoutMs = req.timeoutMs ?? 10_000;
  try {
    const res = await request(req.url, {
      method: req.method,
      headers: req.headers,
      body: req.body,
      dispatcher: agent,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    const text = await res.body.text();
    return { status: res.statusCode, headers: res.headers, text };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    // Timeouts and connection failures are worth retrying: the provider may not have seen the request.
    throw new ProviderError('retryable', `request to ${new URL(req.url).host} failed: ${message}`);
  }
}

export function parseJson(text: string): unknown {
  if (text === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/**
 * The default classification for an HTTP failure when the provider's body says nothing more specific:
 * 429 waits for Retry-After, 5xx and 408 retry, other 4xx are permanent.
 */
export function classifyHttpFailure(res: HttpResponse, message: string, providerCode?: string | number | null): ProviderError {
  if (res.status === 429) {
    return new ProviderError('retry_after', message, {
      httpStatus: res.status,
      providerCode: providerCode ?? null,
      retryAfterMs: parseRetryAfter(res.headers['retry-after']) ?? 1000,
    });
  }
  if (res.status >= 500 || res.status === 408) {
    return new ProviderError('retryable', message, { httpStatus: res.status, providerCode: providerCode ?? null });
  }
  return new ProviderError('permanent', message, { httpStatus: res.status, providerCode: providerCode ?? null });
}

/** How much of a tenant destination's answer is read; the rest is discarded unread. */
const DESTINATION_BODY_LIMIT = 16 * 1024;

/**
 * HTTP to destinations a workspace chose (outbound webhooks). Every connection goes through the guard: names are
 * resolved and each address checked, literal addresses are checked, and the socket is pinned to a checked address.
 * Redirects are not followed (a 3xx is the answer), and only the first 16 KB of the body are read.
 */
export class DestinationHttp {
  private readonly agent: Agent;

  constructor(
    guard: DestinationGuard,
    private readonly timeoutMs = 10_000,
  ) {
    this.agent = new Agent({ keepAliveTimeout: 10_000, connections: 32, pipelining: 1, connect: guardedConnector(guard, timeoutMs) });
  }

  async request(req: Omit<HttpRequest, 'timeoutMs'>): Promise<HttpResponse> {
    try {
      const res = await request(req.url, {
        method: req.method,
        headers: req.headers,
        body: req.body,
        dispatcher: this.agent,
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
      });
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of res.body) {
        const buf = chunk as Buffer;
        chunks.push(buf);
        size += buf.length;
        if (size >= DESTINATION_BODY_LIMIT) break;
      }
      if (size >= DESTINATION_BODY_LIMIT) res.body.destroy();
      return { status: res.statusCode, headers: res.headers, text: Buffer.concat(chunks).subarray(0, DESTINATION_BODY_LIMIT).toString('utf8') };
    } catch (err) {
      if (err instanceof DestinationRefusedError) throw err;
      const message = err instanceof Error ? err.message : String(err);
      throw new ProviderError('retryable', `request to ${new URL(req.url).host} failed: ${message}`);
    }
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}
