// A LINE Messaging API simulator: bot info, push (with X-Line-Retry-Key idempotency), reply (only with
// reply tokens it issued, once, within 60 s) and quota, with LINE's validation and error bodies, plus
// signed webhooks for inbound messages and postbacks. Control routes (besides the base class's):
//   POST /_sim/channels   {channelAccessToken, channelSecret, botUserId, displayName, webhookUrl?, monthlyLimit?}
//   GET  /_sim/channels
//   GET  /_sim/messages?to=      the outbox, oldest first
//   POST /_sim/inbound    {userId, text? | postbackData?, botUserId?}  → {replyToken}
import { createHmac, randomBytes, randomInt } from 'node:crypto';
import type { SimRequest, SimResponse } from '../../../sandbox/simulator.js';
import { Simulator, deliverWebhook } from '../../../sandbox/simulator.js';
import type { JsonObject } from '../wire.js';
import { asObject, num, str } from '../wire.js';

export interface LineSimChannel {
  channelAccessToken: string;
  channelSecret: string;
  /** The bot's user id ("U" + 32 hex); the webhook's `destination`. */
  botUserId: string;
  displayName: string;
  /** Where inbound webhooks are posted; null keeps them undelivered (the reply token is still issued). */
  webhookUrl?: string | null;
  /** Messages per month before push answers 429 "You have reached your monthly limit."; null = unlimited. */
  monthlyLimit?: number | null;
}

export interface LineSimMessage {
  id: string;
  botUserId: string;
  /** The recipient user id (for replies, the user whose event issued the token). */
  to: string;
  via: 'push' | 'reply';
  /** The message object exactly as sent (text, flex, with quickReply...). */
  message: JsonObject;
  /** The text of a text message, else null. */
  text: string | null;
  retryKey: string | null;
  at: number;
}

export interface LineSimInbound {
  userId: string;
  text?: string;
  postbackData?: string;
  /** Which channel receives it; optional when only one channel is registered. */
  botUserId?: string;
}

interface ChannelState extends LineSimChannel {
  webhookUrl: string | null;
  monthlyLimit: number | null;
  used: number;
  /** Retry key → the sentMessages of the push that first used it. */
  retryKeys: Map<string, JsonObject[]>;
}

interface ReplyTokenState {
  botUserId: string;
  userId: string;
  issuedAt: number;
  used: boolean;
}

const REPLY_TOKEN_TTL_MS = 60_000;
const MAX_MESSAGES = 5;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const AUTH_FAILED = {
  message: 'Authentication failed. Confirm that the access token in the authorization header is valid.',
};

export class LineSimulator extends Simulator {
  readonly name = 'line';
  private readonly channels = new Map<string, ChannelState>();
  private readonly replyTokens = new Map<string, ReplyTokenState>();
  private outbox: LineSimMessage[] = [];
  private messageSeq = BigInt(randomInt(100_000, 900_000)) * 1_000_000_000_000n;

  constructor() {
    super();
    this.registerControlRoutes();
    this.route('GET', '/v2/bot/info', (req) => this.infoRoute(req));
    this.route('POST', '/v2/bot/message/push', (req) => this.pushRoute(req));
    this.route('POST', '/v2/bot/message/reply', (req) => this.replyRoute(req));
    this.route('GET', '/v2/bot/message/quota', (req) => this.quotaRoute(req));
  }

  // ---------------------------------------------------------------------------------------------
  // State API (also reachable through the control routes)

  /** Registers (or replaces) a channel, keyed by its bot user id. */
  addChannel(channel: LineSimChannel): void {
    this.channels.set(channel.botUserId, {
      ...channel,
      webhookUrl: channel.webhookUrl ?? null,
      monthlyLimit: channel.monthlyLimit ?? null,
      used: 0,
      retryKeys: new Map(),
    });
  }

  listChannels(): LineSimChannel[] {
    return [...this.channels.values()].map((c) => ({
      channelAccessToken: c.channelAccessToken,
      channelSecret: c.channelSecret,
      botUserId: c.botUserId,
      displayName: c.displayName,
      webhookUrl: c.webhookUrl,
      monthlyLimit: c.monthlyLimit,
    }));
  }

  /** The outbox, oldest first, optionally for one recipient. */
  messages(to?: string): LineSimMessage[] {
    return this.outbox.filter((m) => to === undefined || m.to === to).map((m) => ({ ...m }));
  }

  /**
   * Posts a signed webhook with one message (text) or postback event and a fresh reply token; returns the
   * token. Delivery failures do not throw: the token is issued either way, as LINE would.
   */
  async emitInbound(input: LineSimInbound): Promise<string> {
    const channel = this.pickChannel(input.botUserId);
    const replyToken = randomBytes(16).toString('hex');
    this.replyTokens.set(replyToken, { botUserId: channel.botUserId, userId: input.userId, issuedAt: Date.now(), used: false });
    const common = {
      timestamp: Date.now(),
      mode: 'active',
      webhookEventId: ulid(),
      deliveryContext: { isRedelivery: false },
      source: { type: 'user', userId: input.userId },
      replyToken,
    };
    const event =
      input.postbackData !== undefined
        ? { type: 'postback', ...common, postback: { data: input.postbackData } }
        : {
            type: 'message',
            ...common,
            message: { type: 'text', id: this.nextMessageId(), quoteToken: randomBytes(12).toString('base64url'), text: input.text ?? '' },
          };
    await this.postWebhook(channel, [event]);
    return replyToken;
  }

  /** Posts an arbitrary event list (e.g. `[]`, LINE's connectivity check); returns the hub's status (0 if unreachable). */
  async emitEvents(events: JsonObject[], botUserId?: string): Promise<number> {
    return this.postWebhook(this.pickChannel(botUserId), events);
  }

  /** Ages an issued reply token, so tests can see expiry without waiting a minute. */
  expireReplyToken(replyToken: string): void {
    const t = this.replyTokens.get(replyToken);
    if (t) t.issuedAt -= REPLY_TOKEN_TTL_MS;
  }

  protected override resetState(): void {
    this.outbox = [];
    this.replyTokens.clear();
    for (const c of this.channels.values()) {
      c.used = 0;
      c.retryKeys.clear();
    }
  }

  /** LINE-shaped bodies for injected faults, so the adapter classifies them as it would LINE's. */
  protected override faultBody(status: number): unknown {
    if (status === 429) return { message: 'The API rate limit has been exceeded. Try again later.' };
    if (status === 401) return AUTH_FAILED;
    if (status >= 500) return { message: 'An error occurred in the backend server. Try again later.' };
    return { message: `Simulated HTTP ${status}` };
  }

  // ---------------------------------------------------------------------------------------------
  // Provider routes

  private infoRoute(req: SimRequest): SimResponse {
    const channel = this.authenticate(req);
    if (!channel) return { status: 401, body: AUTH_FAILED };
    return {
      status: 200,
      body: {
        userId: channel.botUserId,
        basicId: '@' + channel.botUserId.slice(1, 9).toLowerCase(),
        displayName: channel.displayName,
        chatMode: 'bot',
        markAsReadMode: 'auto',
      },
    };
  }

  private quotaRoute(req: SimRequest): SimResponse {
    const channel = this.authenticate(req);
    if (!channel) return { status: 401, body: AUTH_FAILED };
    return { status: 200, body: channel.monthlyLimit === null ? { type: 'none' } : { type: 'limited', value: channel.monthlyLimit } };
  }

  private pushRoute(req: SimRequest): SimResponse {
    const channel = this.authenticate(req);
    if (!channel) return { status: 401, body: AUTH_FAILED };
    const retryKey = req.headers['x-line-retry-key'] || null;
    if (retryKey !== null && !UUID.test(retryKey)) {
      return { status: 400, body: { message: "The value for the 'X-Line-Retry-Key' header is invalid" } };
    }
    if (retryKey !== null) {
      const earlier = channel.retryKeys.get(retryKey);
      // A repeat is not sent again; LINE answers 409 with what the first call sent.
      if (earlier) return { status: 409, body: { message: 'The retry key is already accepted', sentMessages: earlier } };
    }
    const body = asObject(req.json);
    const details: Array<{ message: string; property: string }> = [];
    const to = body ? str(body['to']) : null;
    if (!to) details.push({ message: 'May not be empty', property: 'to' });
    const messages = validateMessages(body, details);
    if (details.length > 0) return invalid(details);
    if (channel.monthlyLimit !== null && channel.used + messages.length > channel.monthlyLimit) {
      return { status: 429, body: { message: 'You have reached your monthly limit.' } };
    }
    channel.used += messages.length;
    const sent = this.deliver(channel, to ?? '', messages, 'push', retryKey);
    if (retryKey !== null) channel.retryKeys.set(retryKey, sent);
    return { status: 200, body: { sentMessages: sent } };
  }

  private replyRoute(req: SimRequest): SimResponse {
    const channel = this.authenticate(req);
    if (!channel) return { status: 401, body: AUTH_FAILED };
    const body = asObject(req.json);
    const details: Array<{ message: string; property: string }> = [];
    const replyToken = body ? str(body['replyToken']) : null;
    if (!replyToken) details.push({ message: 'May not be empty', property: 'replyToken' });
    const messages = validateMessages(body, details);
    if (details.length > 0) return invalid(details);
    const token = this.replyTokens.get(replyToken ?? '');
    if (!token || token.used || token.botUserId !== channel.botUserId || Date.now() - token.issuedAt > REPLY_TOKEN_TTL_MS) {
      return { status: 400, body: { message: 'Invalid reply token' } };
    }
    token.used = true;
    // Replies do not count against the monthly quota on LINE.
    return { status: 200, body: { sentMessages: this.deliver(channel, token.userId, messages, 'reply', null) } };
  }

  // ---------------------------------------------------------------------------------------------

  private authenticate(req: SimRequest): ChannelState | null {
    const m = /^Bearer\s+(.+)$/i.exec(req.headers['authorization'] ?? '');
    if (!m?.[1]) return null;
    for (const c of this.channels.values()) if (c.channelAccessToken === m[1]) return c;
    return null;
  }

  private pickChannel(botUserId: string | undefined): ChannelState {
    if (botUserId !== undefined) {
      const c = this.channels.get(botUserId);
      if (!c) throw new Error(`unknown LINE bot user id ${botUserId}`);
      return c;
    }
    const [only, ...rest] = this.channels.values();
    if (!only || rest.length > 0) throw new Error('pass botUserId: there is not exactly one LINE channel');
    return only;
  }

  private deliver(channel: ChannelState, to: string, messages: JsonObject[], via: 'push' | 'reply', retryKey: string | null): JsonObject[] {
    const at = Date.now();
    return messages.map((message) => {
      const id = this.nextMessageId();
      this.outbox.push({ id, botUserId: channel.botUserId, to, via, message, text: message['type'] === 'text' ? str(message['text']) : null, retryKey, at });
      return { id, quoteToken: randomBytes(12).toString('base64url') };
    });
  }

  private nextMessageId(): string {
    this.messageSeq += BigInt(randomInt(1, 1000));
    return this.messageSeq.toString();
  }

  /** Wraps events in LINE's envelope, signs the exact bytes and delivers once; returns the status (0 if none). */
  private async postWebhook(channel: ChannelState, events: unknown[]): Promise<number> {
    if (!channel.webhookUrl) return 0;
    const raw = JSON.stringify({ destination: channel.botUserId, events });
    const headers = {
      'x-line-signature': createHmac('sha256', channel.channelSecret).update(raw).digest('base64'),
      'user-agent': 'LineBotWebhook/2.0',
    };
    try {
      return (await deliverWebhook(channel.webhookUrl, raw, headers, 5000)).status;
    } catch {
      return 0;
    }
  }

  private registerControlRoutes(): void {
    this.route('POST', '/_sim/channels', (req) => {
      const b = asObject(req.json);
      const fields = ['channelAccessToken', 'channelSecret', 'botUserId', 'displayName'] as const;
      if (!b || fields.some((f) => !str(b[f]))) return { status: 400, body: { error: `${fields.join(', ')} are required` } };
      const channel: LineSimChannel = {
        channelAccessToken: String(b['channelAccessToken']),
        channelSecret: String(b['channelSecret']),
        botUserId: String(b['botUserId']),
        displayName: String(b['displayName']),
        webhookUrl: str(b['webhookUrl']),
        monthlyLimit: num(b['monthlyLimit']),
      };
      this.addChannel(channel);
      return { status: 201, body: channel };
    }, false);
    this.route('GET', '/_sim/channels', () => ({ status: 200, body: this.listChannels() }), false);
    this.route('GET', '/_sim/messages', (req) => ({ status: 200, body: this.messages(req.query['to']) }), false);
    this.route('POST', '/_sim/inbound', async (req) => {
      const b = asObject(req.json);
      const userId = b ? str(b['userId']) : null;
      if (!b || !userId) return { status: 400, body: { error: 'userId is required' } };
      const input: LineSimInbound = { userId };
      const text = str(b['text']);
      const postbackData = str(b['postbackData']);
      const botUserId = str(b['botUserId']);
      if (text !== null) input.text = text;
      if (postbackData !== null) input.postbackData = postbackData;
      if (botUserId !== null) input.botUserId = botUserId;
      try {
        return { status: 201, body: { replyToken: await this.emitInbound(input) } };
      } catch (err) {
        return { status: 400, body: { error: err instanceof Error ? err.message : String(err) } };
      }
    }, false);
  }
}

// -------------------------------------------------------------------------------------------------

/** Checks `messages` (1–5, each with a type; text needs non-empty text), adding LINE-style details. */
function validateMessages(body: JsonObject | null, details: Array<{ message: string; property: string }>): JsonObject[] {
  const list = body?.['messages'];
  if (!Array.isArray(list) || list.length === 0) {
    details.push({ message: 'Size must be between 1 and 5', property: 'messages' });
    return [];
  }
  if (list.length > MAX_MESSAGES) details.push({ message: 'Size must be between 1 and 5', property: 'messages' });
  const out: JsonObject[] = [];
  list.forEach((item, i) => {
    const m = asObject(item);
    const type = m ? str(m['type']) : null;
    if (!m || !type) {
      details.push({ message: 'Must be one of the following values: [text, sticker, image, video, audio, location, imagemap, template, flex]', property: `messages[${i}].type` });
      return;
    }
    if (type === 'text' && !str(m['text'])) details.push({ message: 'May not be empty', property: `messages[${i}].text` });
    out.push(m);
  });
  return out;
}

function invalid(details: Array<{ message: string; property: string }>): SimResponse {
  return { status: 400, body: { message: `The request body has ${details.length} error(s)`, details } };
}

/** A ULID-shaped id: 10 chars of millisecond time, 16 random, Crockford base32. */
function ulid(now = Date.now()): string {
  let time = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[t % 32]! + time;
    t = Math.floor(t / 32);
  }
  const rand = randomBytes(16);
  let tail = '';
  for (let i = 0; i < 16; i++) tail += CROCKFORD[rand[i]! % 32]!;
  return time + tail;
}
