// A LINE Messaging API simulator: bot info, push (with X-Line-Retry-Key idempotency), reply (only with
// reply tokens it issued, once, within 60 s) and quota, with LINE's validation and error bodies, plus
// signed webhooks for inbound messages and postbacks. Control routes (besides the base class's):
//   POST /_sim/channels   {channelAccessToken, channelSecret, botUserId, displayName, webhookUrl?, monthlyLimit?}
//   GET  /_sim/channels
//   GET  /_sim/messages?to=      the outbox, oldest first
//   POST /_sim/inbound    {userId, text? | postbackData?, botUserId?}  → {replyToken}
//   GET  /_sim/richmenus          rich menus with their image state and which one is each channel's default
//   POST /_sim/settings   {replyTokenTtlMs}   how long issued reply tokens stay valid (default 60 000)
//   POST /_sim/users      {userId, displayName, pictureUrl?, language?, statusMessage?}   a profile for GET /v2/bot/profile
//   POST /_sim/follow     {userId, botUserId?, unblocked?}  → {replyToken}    a signed follow event
//   POST /_sim/unfollow   {userId, botUserId?}                                a signed unfollow event (the user blocks)
// Provider routes also include GET /v2/bot/profile/{userId} (404 for users who never followed or who blocked the
// channel) and POST /v2/bot/message/multicast (1–500 user ids, quota counted per recipient). Push and multicast
// take X-Line-Retry-Key: a repeat is not sent again and answers 409 with x-line-accepted-request-id (the request id
// of the accepted call); every answer carries x-line-request-id.
// Messages are validated with LINE's limits (text ≤ 5000, quick reply ≤ 13 items with ≤ 20-char labels and
// ≤ 300-char data, flex carousels ≤ 12 bubbles). Rich menus: POST /v2/bot/richmenu, POST
// /v2/bot/richmenu/{id}/content (the api-data host, served here too), POST|GET /v2/bot/user/all/richmenu,
// DELETE /v2/bot/richmenu/{id}.
import { createHmac, randomBytes, randomInt, randomUUID } from 'node:crypto';
import type { SimRequest, SimResponse } from '../../../sandbox/simulator.js';
import { SimInputError, Simulator, deliverWebhook, jsonBody, requireString } from '../../../sandbox/simulator.js';
import type { JsonObject } from '../wire.js';
import { arr, asObject, num, str } from '../wire.js';

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
  via: 'push' | 'reply' | 'multicast';
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

export interface LineSimUser {
  userId: string;
  displayName: string;
  pictureUrl?: string | null;
  language?: string | null;
  statusMessage?: string | null;
}

export interface LineSimulatorOptions {
  /** How long an issued reply token stays valid; LINE documents about a minute. */
  replyTokenTtlMs?: number;
}

export interface LineSimRichMenu {
  richMenuId: string;
  botUserId: string;
  /** The create body as sent (size, chatBarText, areas...). */
  body: JsonObject;
  image: { contentType: string; bytes: number } | null;
  isDefault: boolean;
  createdAt: number;
}

interface ChannelState extends LineSimChannel {
  webhookUrl: string | null;
  monthlyLimit: number | null;
  used: number;
  /** Retry key → the request id and sentMessages of the push or multicast that first used it. */
  retryKeys: Map<string, { requestId: string; sentMessages: JsonObject[] }>;
  /** Users who follow the channel (added it and have not blocked it): the only ones with a profile here. */
  followers: Set<string>;
  defaultRichMenuId: string | null;
}

type Details = Array<{ message: string; property: string }>;

interface ReplyTokenState {
  botUserId: string;
  userId: string;
  issuedAt: number;
  used: boolean;
}

const REPLY_TOKEN_TTL_MS = 60_000;
const MAX_MESSAGES = 5;
const LIMITS = { text: 5000, quickReplyItems: 13, label: 20, data: 300, displayText: 300, altText: 1500, bubbles: 12, richMenuAreas: 20, chatBarText: 14, imageBytes: 1024 * 1024 };
const QUICK_REPLY_ACTIONS = new Set(['postback', 'message', 'datetimepicker', 'camera', 'cameraRoll', 'location', 'richmenuswitch', 'clipboard']);
const RICH_MENU_ACTIONS = new Set(['postback', 'message', 'uri', 'datetimepicker', 'richmenuswitch']);
const URI = /^(https?|line|tel):\S+$/;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const MAX_MULTICAST = 500;
const USER_ID = /^U[0-9a-f]{32}$/;
const NOT_FOUND = { message: 'Not found' };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const AUTH_FAILED = {
  message: 'Authentication failed. Confirm that the access token in the authorization header is valid.',
};

export class LineSimulator extends Simulator {
  readonly name = 'line';
  private readonly channels = new Map<string, ChannelState>();
  private readonly replyTokens = new Map<string, ReplyTokenState>();
  private readonly richMenus = new Map<string, LineSimRichMenu>();
  private readonly users = new Map<string, LineSimUser>();
  private outbox: LineSimMessage[] = [];
  private messageSeq = BigInt(randomInt(100_000, 900_000)) * 1_000_000_000_000n;
  /** How long issued reply tokens stay valid; settable at any time (also via POST /_sim/settings). */
  replyTokenTtlMs: number;

  constructor(options: LineSimulatorOptions = {}) {
    super();
    this.replyTokenTtlMs = options.replyTokenTtlMs ?? REPLY_TOKEN_TTL_MS;
    this.registerControlRoutes();
    this.route('POST', '/v2/bot/richmenu', (req) => this.createRichMenuRoute(req));
    this.route('DELETE', '/v2/bot/richmenu/:richMenuId', (req, params) => this.deleteRichMenuRoute(req, params['richMenuId'] ?? ''));
    this.route('POST', '/v2/bot/richmenu/:richMenuId/content', (req, params) => this.uploadRichMenuImageRoute(req, params['richMenuId'] ?? ''));
    this.route('POST', '/v2/bot/user/all/richmenu/:richMenuId', (req, params) => this.setDefaultRichMenuRoute(req, params['richMenuId'] ?? ''));
    this.route('GET', '/v2/bot/user/all/richmenu', (req) => this.getDefaultRichMenuRoute(req));
    this.route('GET', '/v2/bot/info', (req) => this.infoRoute(req));
    this.route('POST', '/v2/bot/message/push', (req) => this.pushRoute(req));
    this.route('POST', '/v2/bot/message/reply', (req) => this.replyRoute(req));
    this.route('GET', '/v2/bot/message/quota', (req) => this.quotaRoute(req));
    this.route('POST', '/v2/bot/message/multicast', (req) => this.multicastRoute(req));
    this.route('GET', '/v2/bot/profile/:userId', (req, params) => this.profileRoute(req, params['userId'] ?? ''));
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
      followers: new Set(),
      defaultRichMenuId: null,
    });
  }

  /** A LINE user's profile; the user follows every registered channel until an unfollow. */
  addUser(user: LineSimUser): void {
    this.users.set(user.userId, { ...user });
    for (const c of this.channels.values()) c.followers.add(user.userId);
  }

  /** Rich menus created through the API, oldest first, optionally for one channel. */
  listRichMenus(botUserId?: string): LineSimRichMenu[] {
    return [...this.richMenus.values()]
      .filter((m) => botUserId === undefined || m.botUserId === botUserId)
      .map((m) => ({ ...structuredClone(m), isDefault: this.channels.get(m.botUserId)?.defaultRichMenuId === m.richMenuId }));
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
    // Only friends can write to an account: the sender follows it.
    channel.followers.add(input.userId);
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

  /** A signed follow event (the user adds or unblocks the channel) with a fresh reply token; returns the token. */
  async emitFollow(input: { userId: string; botUserId?: string; unblocked?: boolean }): Promise<string> {
    const channel = this.pickChannel(input.botUserId);
    channel.followers.add(input.userId);
    const replyToken = randomBytes(16).toString('hex');
    this.replyTokens.set(replyToken, { botUserId: channel.botUserId, userId: input.userId, issuedAt: Date.now(), used: false });
    await this.postWebhook(channel, [{ type: 'follow', ...this.common(input.userId), replyToken, follow: { isUnblocked: input.unblocked ?? false } }]);
    return replyToken;
  }

  /** A signed unfollow event: the user blocked the channel; it has no reply token and the profile is gone. */
  async emitUnfollow(input: { userId: string; botUserId?: string }): Promise<number> {
    const channel = this.pickChannel(input.botUserId);
    channel.followers.delete(input.userId);
    return this.postWebhook(channel, [{ type: 'unfollow', ...this.common(input.userId) }]);
  }

  private common(userId: string): JsonObject {
    return { timestamp: Date.now(), mode: 'active', webhookEventId: ulid(), deliveryContext: { isRedelivery: false }, source: { type: 'user', userId } };
  }

  /** Ages an issued reply token, so tests can see expiry without waiting a minute. */
  expireReplyToken(replyToken: string): void {
    const t = this.replyTokens.get(replyToken);
    if (t) t.issuedAt -= this.replyTokenTtlMs + 1;
  }

  protected override resetState(): void {
    this.outbox = [];
    this.replyTokens.clear();
    this.richMenus.clear();
    for (const c of this.channels.values()) {
      c.used = 0;
      c.retryKeys.clear();
      c.defaultRichMenuId = null;
      c.followers = new Set(this.users.keys());
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
    return this.sendRoute(req, (body, details) => {
      const to = body ? str(body['to']) : null;
      if (!to) details.push({ message: 'May not be empty', property: 'to' });
      return to ? [to] : [];
    });
  }

  /** Multicast: the same messages to 1–500 user ids; quota counts every message for every recipient. */
  private multicastRoute(req: SimRequest): SimResponse {
    return this.sendRoute(req, (body, details) => {
      const to = body?.['to'];
      if (!Array.isArray(to) || to.length === 0 || to.length > MAX_MULTICAST) {
        details.push({ message: `Size must be between 1 and ${MAX_MULTICAST}`, property: 'to' });
        return [];
      }
      const ids = to.map((t) => str(t));
      ids.forEach((id, i) => {
        if (!id || !USER_ID.test(id)) details.push({ message: 'Invalid user ID', property: `to[${i}]` });
      });
      return ids.filter((id): id is string => id !== null);
    });
  }

  /**
   * Push and multicast: the retry key first (a repeat of an accepted request is not sent again: 409 with the
   * accepted request's id), then LINE's validation, the monthly quota, and delivery.
   */
  private sendRoute(req: SimRequest, recipients: (body: JsonObject | null, details: Details) => string[]): SimResponse {
    const requestId = randomUUID();
    const channel = this.authenticate(req);
    if (!channel) return withRequestId({ status: 401, body: AUTH_FAILED }, requestId);
    const retryKey = req.headers['x-line-retry-key'] || null;
    if (retryKey !== null && !UUID.test(retryKey)) {
      return withRequestId({ status: 400, body: { message: "The value for the 'X-Line-Retry-Key' header is invalid" } }, requestId);
    }
    if (retryKey !== null) {
      const earlier = channel.retryKeys.get(retryKey);
      // A repeat is not sent again; LINE answers 409 naming the request that was accepted.
      if (earlier) {
        return {
          status: 409,
          body: { message: 'The retry key is already accepted', sentMessages: earlier.sentMessages },
          headers: { 'x-line-request-id': requestId, 'x-line-accepted-request-id': earlier.requestId },
        };
      }
    }
    const body = asObject(req.json);
    const details: Details = [];
    const to = recipients(body, details);
    const messages = validateMessages(body, details);
    if (details.length > 0) return withRequestId(invalid(details), requestId);
    if (channel.monthlyLimit !== null && channel.used + messages.length * to.length > channel.monthlyLimit) {
      return withRequestId({ status: 429, body: { message: 'You have reached your monthly limit.' } }, requestId);
    }
    channel.used += messages.length * to.length;
    const sent = to.flatMap((recipient) => this.deliver(channel, recipient, messages, req.path.endsWith('/multicast') ? 'multicast' : 'push', retryKey));
    if (retryKey !== null) channel.retryKeys.set(retryKey, { requestId, sentMessages: sent });
    // Multicast answers an empty object; push lists the sent messages.
    return withRequestId({ status: 200, body: req.path.endsWith('/multicast') ? {} : { sentMessages: sent } }, requestId);
  }

  private profileRoute(req: SimRequest, userId: string): SimResponse {
    const channel = this.authenticate(req);
    if (!channel) return { status: 401, body: AUTH_FAILED };
    const user = this.users.get(userId);
    // LINE has no profile for users who never added the channel or who blocked it.
    if (!user || !channel.followers.has(userId)) return { status: 404, body: NOT_FOUND };
    const out: JsonObject = { displayName: user.displayName, userId: user.userId };
    if (user.pictureUrl) out['pictureUrl'] = user.pictureUrl;
    if (user.statusMessage) out['statusMessage'] = user.statusMessage;
    if (user.language) out['language'] = user.language;
    return { status: 200, body: out };
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
    if (!token || token.used || token.botUserId !== channel.botUserId || Date.now() - token.issuedAt > this.replyTokenTtlMs) {
      return { status: 400, body: { message: 'Invalid reply token' } };
    }
    token.used = true;
    // Replies do not count against the monthly quota on LINE.
    return { status: 200, body: { sentMessages: this.deliver(channel, token.userId, messages, 'reply', null) } };
  }

  // ---------------------------------------------------------------------------------------------
  // Rich menus

  private createRichMenuRoute(req: SimRequest): SimResponse {
    const channel = this.authenticate(req);
    if (!channel) return { status: 401, body: AUTH_FAILED };
    const body = asObject(req.json);
    const details: Details = [];
    if (!body) details.push({ message: 'May not be empty', property: 'richMenu' });
    else validateRichMenu(body, details);
    if (!body || details.length > 0) return invalid(details);
    const richMenuId = 'richmenu-' + randomBytes(16).toString('hex');
    this.richMenus.set(richMenuId, { richMenuId, botUserId: channel.botUserId, body, image: null, isDefault: false, createdAt: Date.now() });
    return { status: 200, body: { richMenuId } };
  }

  /** The image upload (api-data host): PNG or JPEG, ≤ 1 MB, once per menu. */
  private uploadRichMenuImageRoute(req: SimRequest, richMenuId: string): SimResponse {
    const channel = this.authenticate(req);
    if (!channel) return { status: 401, body: AUTH_FAILED };
    const menu = this.ownMenu(channel, richMenuId);
    if (!menu) return { status: 404, body: NOT_FOUND };
    const contentType = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    if (contentType !== 'image/png' && contentType !== 'image/jpeg') {
      return { status: 415, body: { message: 'Unsupported media type; use image/png or image/jpeg' } };
    }
    // Measured and checked on the exact bytes: a binary body decoded as text would grow (0x80–0xFF → U+FFFD).
    const bytes = req.raw.length;
    if (bytes === 0) return { status: 400, body: { message: 'The image is empty' } };
    if (contentType === 'image/png' && !req.raw.subarray(0, PNG_SIGNATURE.length).equals(PNG_SIGNATURE)) return { status: 400, body: { message: 'The image is not a valid PNG' } };
    if (contentType === 'image/jpeg' && !(req.raw[0] === 0xff && req.raw[1] === 0xd8)) return { status: 400, body: { message: 'The image is not a valid JPEG' } };
    // [UNVERIFIED] wordings below; LINE documents the 1 MB limit and that an image can be uploaded only once.
    if (bytes > LIMITS.imageBytes) return { status: 400, body: { message: 'The image size exceeds 1MB' } };
    if (menu.image) return { status: 400, body: { message: 'An image has already been uploaded to the richmenu' } };
    menu.image = { contentType, bytes };
    return { status: 200, body: {} };
  }

  private setDefaultRichMenuRoute(req: SimRequest, richMenuId: string): SimResponse {
    const channel = this.authenticate(req);
    if (!channel) return { status: 401, body: AUTH_FAILED };
    const menu = this.ownMenu(channel, richMenuId);
    if (!menu) return { status: 404, body: NOT_FOUND };
    if (!menu.image) return { status: 400, body: { message: 'must upload richmenu image before applying it to user' } };
    channel.defaultRichMenuId = richMenuId;
    return { status: 200, body: {} };
  }

  private getDefaultRichMenuRoute(req: SimRequest): SimResponse {
    const channel = this.authenticate(req);
    if (!channel) return { status: 401, body: AUTH_FAILED };
    if (!channel.defaultRichMenuId) return { status: 404, body: { message: 'no default richmenu' } };
    return { status: 200, body: { richMenuId: channel.defaultRichMenuId } };
  }

  private deleteRichMenuRoute(req: SimRequest, richMenuId: string): SimResponse {
    const channel = this.authenticate(req);
    if (!channel) return { status: 401, body: AUTH_FAILED };
    if (!this.ownMenu(channel, richMenuId)) return { status: 404, body: NOT_FOUND };
    this.richMenus.delete(richMenuId);
    if (channel.defaultRichMenuId === richMenuId) channel.defaultRichMenuId = null;
    return { status: 200, body: {} };
  }

  private ownMenu(channel: ChannelState, richMenuId: string): LineSimRichMenu | null {
    const menu = this.richMenus.get(richMenuId);
    return menu && menu.botUserId === channel.botUserId ? menu : null;
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

  private deliver(channel: ChannelState, to: string, messages: JsonObject[], via: LineSimMessage['via'], retryKey: string | null): JsonObject[] {
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
    this.route('GET', '/_sim/richmenus', (req) => ({ status: 200, body: this.listRichMenus(req.query['botUserId']) }), false);
    this.route('POST', '/_sim/settings', (req) => {
      const b = jsonBody(req);
      const ttl = b['replyTokenTtlMs'];
      if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 0) throw new SimInputError(400, 'replyTokenTtlMs must be a non-negative integer (milliseconds)');
      this.replyTokenTtlMs = ttl;
      return { status: 200, body: { replyTokenTtlMs: ttl } };
    }, false);
    this.route('POST', '/_sim/users', (req) => {
      const b = jsonBody(req);
      const user: LineSimUser = { userId: requireString(b, 'userId'), displayName: requireString(b, 'displayName') };
      for (const k of ['pictureUrl', 'language', 'statusMessage'] as const) if (str(b[k]) !== null) user[k] = str(b[k]);
      this.addUser(user);
      return { status: 201, body: user };
    }, false);
    this.route('POST', '/_sim/follow', async (req) => {
      const b = jsonBody(req);
      const input: { userId: string; botUserId?: string; unblocked?: boolean } = { userId: requireString(b, 'userId') };
      if (str(b['botUserId']) !== null) input.botUserId = str(b['botUserId'])!;
      if (b['unblocked'] === true) input.unblocked = true;
      try {
        return { status: 201, body: { replyToken: await this.emitFollow(input) } };
      } catch (err) {
        throw new SimInputError(400, err instanceof Error ? err.message : String(err));
      }
    }, false);
    this.route('POST', '/_sim/unfollow', async (req) => {
      const b = jsonBody(req);
      const input: { userId: string; botUserId?: string } = { userId: requireString(b, 'userId') };
      if (str(b['botUserId']) !== null) input.botUserId = str(b['botUserId'])!;
      try {
        return { status: 201, body: { delivered: await this.emitUnfollow(input) } };
      } catch (err) {
        throw new SimInputError(400, err instanceof Error ? err.message : String(err));
      }
    }, false);
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

/** Checks `messages` (1–5, each with a type, then each message's own fields), adding LINE-style details. */
function validateMessages(body: JsonObject | null, details: Details): JsonObject[] {
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
    validateMessage(m, type, `messages[${i}]`, details);
    out.push(m);
  });
  return out;
}

/** Checks one message's type-specific fields and its quick reply, adding LINE-style details. */
function validateMessage(m: JsonObject, type: string, at: string, details: Details): void {
  if (type === 'text') {
    const text = str(m['text']);
    if (!text) details.push({ message: 'May not be empty', property: `${at}.text` });
    else if (text.length > LIMITS.text) details.push({ message: `Length must be between 0 and ${LIMITS.text}`, property: `${at}.text` });
  }
  if (type === 'flex') validateFlex(m, at, details);
  if (m['quickReply'] !== undefined) validateQuickReply(m['quickReply'], `${at}.quickReply`, details);
}

function validateQuickReply(value: unknown, at: string, details: Details): void {
  const items = asObject(value)?.['items'];
  // The schema sets only a maximum (SDKs check just that), so an empty list is accepted.
  if (!Array.isArray(items) || items.length > LIMITS.quickReplyItems) {
    details.push({ message: `Size must be between 0 and ${LIMITS.quickReplyItems}`, property: `${at}.items` });
    return;
  }
  items.forEach((item, i) => {
    const where = `${at}.items[${i}]`;
    const it = asObject(item);
    if (!it || it['type'] !== 'action') details.push({ message: 'Must be one of the following values: [action]', property: `${where}.type` });
    const action = asObject(it?.['action']);
    const type = action ? str(action['type']) : null;
    if (!action || !type || !QUICK_REPLY_ACTIONS.has(type)) {
      details.push({ message: `Must be one of the following values: [${[...QUICK_REPLY_ACTIONS].join(', ')}]`, property: `${where}.action.type` });
      return;
    }
    validateAction(action, type, `${where}.action`, details, true);
  });
}

/** Label and type-specific fields of an action (quick reply, rich menu area, flex button). */
function validateAction(action: JsonObject, type: string, at: string, details: Details, labelRequired: boolean): void {
  const label = str(action['label']);
  if ((labelRequired && !label) || (label !== null && label.length > LIMITS.label)) {
    details.push({ message: `Length must be between 1 and ${LIMITS.label}`, property: `${at}.label` });
  }
  if (type === 'postback') {
    const data = str(action['data']);
    if (!data || data.length > LIMITS.data) details.push({ message: `Length must be between 1 and ${LIMITS.data}`, property: `${at}.data` });
    const shown = str(action['displayText']);
    if (shown !== null && (shown === '' || shown.length > LIMITS.displayText)) {
      details.push({ message: `Length must be between 1 and ${LIMITS.displayText}`, property: `${at}.displayText` });
    }
  }
  if (type === 'message' && !str(action['text'])) details.push({ message: 'May not be empty', property: `${at}.text` });
  if (type === 'uri' && !URI.test(str(action['uri']) ?? '')) details.push({ message: 'Invalid URI', property: `${at}.uri` });
}

/** altText, and a bubble or a carousel of 1–12 bubbles; uri button actions need a valid uri. */
function validateFlex(m: JsonObject, at: string, details: Details): void {
  const alt = str(m['altText']);
  if (!alt || alt.length > LIMITS.altText) details.push({ message: `Length must be between 1 and ${LIMITS.altText}`, property: `${at}.altText` });
  const contents = asObject(m['contents']);
  if (contents?.['type'] === 'bubble') return validateBubble(contents, `${at}.contents`, details);
  if (contents?.['type'] !== 'carousel') {
    details.push({ message: 'Must be one of the following values: [bubble, carousel]', property: `${at}.contents.type` });
    return;
  }
  const bubbles = arr(contents['contents']);
  if (bubbles.length === 0 || bubbles.length > LIMITS.bubbles) {
    details.push({ message: `Size must be between 1 and ${LIMITS.bubbles}`, property: `${at}.contents.contents` });
  }
  bubbles.forEach((b, i) => {
    const bubble = asObject(b);
    if (bubble?.['type'] !== 'bubble') details.push({ message: 'Must be one of the following values: [bubble]', property: `${at}.contents.contents[${i}].type` });
    else validateBubble(bubble, `${at}.contents.contents[${i}]`, details);
  });
}

function validateBubble(bubble: JsonObject, at: string, details: Details): void {
  for (const block of ['header', 'hero', 'body', 'footer'] as const) {
    for (const [path, action] of actionsIn(bubble[block], `${at}.${block}`)) {
      const type = str(action['type']);
      if (type === 'uri') validateAction(action, type, path, details, false);
    }
  }
}

/** Every `action` object under a flex component tree, with its property path. */
function actionsIn(node: unknown, at: string): Array<[string, JsonObject]> {
  const o = asObject(node);
  if (!o) return [];
  const out: Array<[string, JsonObject]> = [];
  const action = asObject(o['action']);
  if (action) out.push([`${at}.action`, action]);
  arr(o['contents']).forEach((child, i) => out.push(...actionsIn(child, `${at}.contents[${i}]`)));
  return out;
}

/** size (800–2500 wide, ≥ 250 high, ratio ≥ 1.45), name, chatBarText ≤ 14, 1–20 in-bounds areas with actions. */
function validateRichMenu(body: JsonObject, details: Details): void {
  const size = asObject(body['size']);
  const width = num(size?.['width']);
  const height = num(size?.['height']);
  if (width === null || height === null || width < 800 || width > 2500 || height < 250 || width / height < 1.45) {
    details.push({ message: 'Invalid size: width 800-2500, height at least 250, width/height at least 1.45', property: 'size' });
  }
  if (typeof body['selected'] !== 'boolean') details.push({ message: 'Must be a boolean', property: 'selected' });
  const name = str(body['name']);
  if (!name || name.length > 300) details.push({ message: 'Length must be between 1 and 300', property: 'name' });
  const bar = str(body['chatBarText']);
  if (!bar || bar.length > LIMITS.chatBarText) details.push({ message: `Length must be between 1 and ${LIMITS.chatBarText}`, property: 'chatBarText' });
  const areas = body['areas'];
  if (!Array.isArray(areas) || areas.length === 0 || areas.length > LIMITS.richMenuAreas) {
    details.push({ message: `Size must be between 1 and ${LIMITS.richMenuAreas}`, property: 'areas' });
    return;
  }
  areas.forEach((item, i) => {
    const area = asObject(item);
    const b = asObject(area?.['bounds']);
    const [x, y, w, h] = [num(b?.['x']), num(b?.['y']), num(b?.['width']), num(b?.['height'])];
    const inside = x !== null && y !== null && w !== null && h !== null && x >= 0 && y >= 0 && w > 0 && h > 0;
    if (!inside || (width !== null && x + w > width) || (height !== null && y + h > height)) {
      details.push({ message: 'The area must be inside the rich menu', property: `areas[${i}].bounds` });
    }
    const action = asObject(area?.['action']);
    const type = action ? str(action['type']) : null;
    if (!action || !type || !RICH_MENU_ACTIONS.has(type)) {
      details.push({ message: `Must be one of the following values: [${[...RICH_MENU_ACTIONS].join(', ')}]`, property: `areas[${i}].action.type` });
      return;
    }
    validateAction(action, type, `areas[${i}].action`, details, false);
  });
}

function withRequestId(res: SimResponse, requestId: string): SimResponse {
  return { ...res, headers: { ...res.headers, 'x-line-request-id': requestId } };
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
