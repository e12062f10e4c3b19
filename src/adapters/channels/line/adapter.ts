// LINE Messaging API adapter: bot info for account checks, push/reply sends, and webhook signature
// verification and parsing. The host comes only from the injected baseUrl (https://api.line.me in
// production, the simulator in tests and the sandbox).
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type {
  ChannelAccountCredentials,
  ChannelAdapter,
  InboundChatMessage,
  ParsedChannelWebhook,
  ProviderTemplate,
  RawWebhook,
  SendRequest,
  SendResult,
  VerifiedAccount,
} from '../../../core/channels/ports.js';
import { ProviderError, parseRetryAfter } from '../../../core/errors.js';
import type { HttpResponse } from '../../http-client.js';
import { httpRequest, parseJson } from '../../http-client.js';
import { arr, asObject, num, str } from '../wire.js';

export interface LineAdapterOptions {
  /** API origin, e.g. https://api.line.me (no trailing slash needed). */
  baseUrl: string;
  /** Per-request timeout; defaults to the http-client's default. */
  timeoutMs?: number;
}

/** An inbound message plus the reply token LINE attached to its event (null for events without one). */
export interface LineInboundMessage extends InboundChatMessage {
  replyToken: string | null;
}

// LINE's 429 body when the monthly free-message quota is used up; waiting seconds will not help.
const MONTHLY_LIMIT = /monthly limit/i;
// Fixed namespace for deriving retry keys, so the same idempotency key always maps to the same UUID.
const RETRY_KEY_NAMESPACE = Buffer.from('6f1c1a4e8b2d4f0a9c3e5d7b1a2c4e6f', 'hex');

interface LineError {
  message: string | null;
  details: Array<{ message: string | null; property: string | null }>;
}

export class LineAdapter implements ChannelAdapter {
  readonly channel = 'line' as const;
  readonly provider = 'line';
  private readonly baseUrl: string;
  private readonly timeoutMs: number | undefined;

  constructor(options: LineAdapterOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs;
  }

  async verifyAccount(account: ChannelAccountCredentials): Promise<VerifiedAccount> {
    const token = accessToken(account);
    const res = await httpRequest({
      method: 'GET',
      url: `${this.baseUrl}/v2/bot/info`,
      headers: { authorization: `Bearer ${token}` },
      timeoutMs: this.timeoutMs,
    });
    if (res.status !== 200) throw failure(res, 'account check');
    const info = asObject(parseJson(res.text)) ?? {};
    const userId = str(info['userId']);
    const basicId = str(info['basicId']);
    const displayName = str(info['displayName']);
    return {
      displayName: displayName ?? basicId ?? userId ?? account.settings['channelId'] ?? 'LINE bot',
      details: { userId, basicId, displayName, channelId: account.settings['channelId'] ?? null },
    };
  }

  /** LINE has no provider-side message templates. */
  listTemplates(): Promise<ProviderTemplate[]> {
    return Promise.resolve([]);
  }

  async send(account: ChannelAccountCredentials, request: SendRequest): Promise<SendResult> {
    const content = request.content;
    if (content.kind !== 'text') {
      throw new ProviderError('permanent', 'LINE has no provider templates; send text or rich messages instead');
    }
    return this.push(account, request.to, [{ type: 'text', text: content.text }], retryKeyFor(request.idempotencyKey));
  }

  /**
   * Pushes 1–5 message objects (text, flex, with quick replies...) to a user. The retry key makes the call
   * idempotent at LINE: a repeat returns 409 with the original sentMessages, which counts as success here.
   */
  async push(account: ChannelAccountCredentials, to: string, messages: unknown[], retryKey: string | null): Promise<SendResult> {
    const headers: Record<string, string> = { authorization: `Bearer ${accessToken(account)}`, 'content-type': 'application/json' };
    if (retryKey) headers['x-line-retry-key'] = retryKey;
    const res = await httpRequest({
      method: 'POST',
      url: `${this.baseUrl}/v2/bot/message/push`,
      headers,
      body: JSON.stringify({ to, messages, notificationDisabled: false }),
      timeoutMs: this.timeoutMs,
    });
    if (res.status === 409 && retryKey) {
      const already = sentResult(res, 'already_sent');
      if (already) return already;
    }
    if (res.status !== 200) throw failure(res, 'push');
    return accepted(res, 'push');
  }

  /** Replies with a webhook event's reply token; a token works once and only for about a minute. */
  async reply(account: ChannelAccountCredentials, replyToken: string, messages: unknown[]): Promise<SendResult> {
    const res = await httpRequest({
      method: 'POST',
      url: `${this.baseUrl}/v2/bot/message/reply`,
      headers: { authorization: `Bearer ${accessToken(account)}`, 'content-type': 'application/json' },
      body: JSON.stringify({ replyToken, messages, notificationDisabled: false }),
      timeoutMs: this.timeoutMs,
    });
    if (res.status !== 200) throw failure(res, 'reply');
    return accepted(res, 'reply');
  }

  verifyWebhook(account: ChannelAccountCredentials, webhook: RawWebhook): boolean {
    const secret = account.secrets['channelSecret'];
    const header = webhook.headers['x-line-signature']?.trim();
    if (!secret || !header || !/^[A-Za-z0-9+/]+={0,2}$/.test(header)) return false;
    const given = Buffer.from(header, 'base64');
    const expected = createHmac('sha256', secret).update(webhook.body).digest();
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  parseWebhook(body: Buffer): ParsedChannelWebhook {
    // The reply token is LINE-specific; the port's shape does not carry it.
    const messages = this.parseWebhookEvents(body).map(({ replyToken: _replyToken, ...m }) => m);
    return { statuses: [], messages };
  }

  /** Like parseWebhook, but keeps each event's reply token for a later reply(). */
  parseWebhookEvents(body: Buffer): LineInboundMessage[] {
    let json: unknown;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch {
      throw new Error('LINE webhook body is not valid JSON');
    }
    const envelope = asObject(json);
    if (!envelope || !Array.isArray(envelope['events'])) {
      throw new Error('LINE webhook body has no events array');
    }
    // `events: []` is LINE's connectivity check: nothing to do.
    const out: LineInboundMessage[] = [];
    for (const item of envelope['events']) {
      const message = toInbound(item);
      if (message) out.push(message);
    }
    return out;
  }
}

// -------------------------------------------------------------------------------------------------
// Wire-format helpers

function accessToken(account: ChannelAccountCredentials): string {
  const token = account.secrets['channelAccessToken'];
  if (!token) throw new ProviderError('permanent', 'LINE account is missing channelAccessToken');
  return token;
}

/** A v5-style UUID from SHA-1 of the idempotency key: retries of one send reuse the same X-Line-Retry-Key. */
export function retryKeyFor(idempotencyKey: string): string {
  const hash = createHash('sha1').update(RETRY_KEY_NAMESPACE).update(idempotencyKey, 'utf8').digest();
  const b = hash.subarray(0, 16);
  b[6] = (b[6]! & 0x0f) | 0x50;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function sentResult(res: HttpResponse, status: string): SendResult | null {
  const first = asObject(arr(asObject(parseJson(res.text))?.['sentMessages'])[0]);
  const id = first ? (str(first['id']) ?? num(first['id'])?.toString() ?? null) : null;
  return id ? { providerMessageId: id, providerStatus: status } : null;
}

function accepted(res: HttpResponse, operation: string): SendResult {
  const result = sentResult(res, 'accepted');
  // LINE accepted the request; retrying could send twice, so this is not retryable.
  if (!result) throw new ProviderError('permanent', `LINE accepted the ${operation} but returned no message id`, { httpStatus: res.status });
  return result;
}

function readLineError(text: string): LineError {
  const body = asObject(parseJson(text));
  if (!body) return { message: text ? text.slice(0, 300) : null, details: [] };
  const details = arr(body['details'])
    .map(asObject)
    .filter((d) => d !== null)
    .map((d) => ({ message: str(d['message']), property: str(d['property']) }));
  return { message: str(body['message']), details };
}

function describe(error: LineError, res: HttpResponse): string {
  let text = error.message ?? 'no error message';
  if (error.details.length > 0) {
    text += ` (${error.details.map((d) => (d.property ? `${d.property}: ${d.message ?? '?'}` : (d.message ?? '?'))).join('; ')})`;
  }
  return `${text} [HTTP ${res.status}]`;
}

/** Classifies a non-200 LINE response, keeping LINE's message and details. */
function failure(res: HttpResponse, operation: string): ProviderError {
  const error = readLineError(res.text);
  const said = describe(error, res);
  const opts = { httpStatus: res.status };
  if (res.status === 401) return new ProviderError('permanent', `LINE refused the channel access token: ${said}`, opts);
  if (res.status === 429) {
    if (error.message && MONTHLY_LIMIT.test(error.message)) {
      return new ProviderError('permanent', `LINE ${operation} refused: the monthly message quota is exhausted: ${said}`, {
        ...opts,
        providerCode: 'monthly_limit',
      });
    }
    return new ProviderError('retry_after', `LINE ${operation} was rate limited: ${said}`, {
      ...opts,
      retryAfterMs: parseRetryAfter(res.headers['retry-after']) ?? 1000,
    });
  }
  if (res.status >= 500 || res.status === 408) {
    return new ProviderError('retryable', `LINE ${operation} failed temporarily: ${said}`, opts);
  }
  return new ProviderError('permanent', `LINE ${operation} was refused: ${said}`, opts);
}

function toInbound(item: unknown): LineInboundMessage | null {
  const e = asObject(item);
  if (!e) return null;
  const eventId = str(e['webhookEventId']);
  const from = str(asObject(e['source'])?.['userId']);
  if (!eventId || !from) return null;
  let text: string | null = null;
  let payload: string | null = null;
  let quoted: string | null = null;
  switch (e['type']) {
    case 'message': {
      const m = asObject(e['message']);
      if (!m) return null;
      // Stickers, images...: kept as a message without text so the inbox still shows it.
      if (m['type'] === 'text') text = str(m['text']);
      quoted = str(m['quotedMessageId']);
      break;
    }
    case 'postback':
      payload = str(asObject(e['postback'])?.['data']);
      break;
    default:
      // follow, unfollow, join, read receipts...: not chat messages.
      return null;
  }
  return {
    // webhookEventId is stable across redeliveries, so it is the dedupe key.
    providerMessageId: eventId,
    from,
    occurredAt: num(e['timestamp']) ?? Date.now(),
    text,
    payload,
    profileName: null,
    replyToProviderMessageId: quoted,
    replyToken: str(e['replyToken']),
  };
}
