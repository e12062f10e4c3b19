// LINE Messaging API adapter: bot info for account checks, push/reply sends, and webhook signature
// verification and parsing. The host comes only from the injected baseUrl (https://api.line.me in
// production, the simulator in tests and the sandbox).
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type {
  ChannelAccountCredentials,
  ChannelAdapter,
  ChatProfile,
  ChatMenu,
  InboundChatMessage,
  InteractiveContent,
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
import type { JsonObject } from '../wire.js';
import { richMenuImage } from './rich-menu-image.js';

export interface LineAdapterOptions {
  /** API origin, e.g. https://api.line.me (no trailing slash needed). */
  baseUrl: string;
  /**
   * Host for uploads such as rich-menu images. Defaults to https://api-data.line.me when baseUrl is LINE's own
   * https://api.line.me, else to baseUrl itself (the simulator serves both), so a sandbox never calls LINE.
   */
  dataBaseUrl?: string;
  /** Per-request timeout; defaults to the http-client's default. */
  timeoutMs?: number;
}

/** An inbound message plus the reply token LINE attached to its event (null for events without one). */
export interface LineInboundMessage extends InboundChatMessage {
  replyToken: string | null;
}

// LINE's 429 body when the monthly free-message quota is used up; waiting seconds will not help.
const MONTHLY_LIMIT = /monthly limit/i;
// LINE's 400 body when a reply token is unknown, used or expired; the hub falls back to a push.
const INVALID_REPLY_TOKEN = /invalid reply token/i;

// Messaging API limits (developers.line.biz/en/reference/messaging-api: quick reply, flex carousel, rich menu).
export const LINE_LIMITS = {
  messagesPerRequest: 5,
  quickReplyItems: 13,
  actionLabel: 20,
  postbackData: 300,
  displayText: 300,
  carouselBubbles: 12,
  // The flex altText limit was 400 and is documented as 1500 in newer references; 400 is safe for both.
  altText: 400,
  text: 5000,
  richMenuItems: 6,
  chatBarText: 14,
} as const;
export const RICH_MENU_SIZE = { width: 2500, height: 843 } as const;
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
  private readonly dataBaseUrl: string;
  private readonly timeoutMs: number | undefined;

  constructor(options: LineAdapterOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.dataBaseUrl = (options.dataBaseUrl ?? defaultDataBaseUrl(this.baseUrl)).replace(/\/+$/, '');
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

  /**
   * Text and interactive content go out as a reply when a reply token is given (free, not counted against the
   * quota) and as a push otherwise. A refused token surfaces as providerCode 'invalid_reply_token' so the hub can
   * resend the same request without the token (a push).
   */
  async send(account: ChannelAccountCredentials, request: SendRequest): Promise<SendResult> {
    const content = request.content;
    if (content.kind === 'template') {
      throw new ProviderError('permanent', 'LINE has no provider templates; send text or rich messages instead');
    }
    const messages = content.kind === 'text' ? [{ type: 'text', text: content.text }] : interactiveMessages(content);
    if (content.replyToken) return this.reply(account, content.replyToken, messages);
    return this.push(account, request.to, messages, retryKeyFor(request.idempotencyKey));
  }

  /** A push carries a retry key derived from the idempotency key, so LINE accepts it once; a reply has none. */
  dedupesRetries(request: Pick<SendRequest, 'content'>): boolean {
    return request.content.kind !== 'template' && !request.content.replyToken;
  }

  /**
   * Creates a rich menu (2500×843, one equal column per item), uploads a generated PNG for it and makes it every
   * user's default. If the upload or the default fails, the half-made menu is deleted (best effort).
   */
  async setMenu(account: ChannelAccountCredentials, menu: ChatMenu): Promise<{ menuId: string }> {
    const body = richMenuBody(menu);
    const auth = { authorization: `Bearer ${accessToken(account)}` };
    const created = await httpRequest({
      method: 'POST',
      url: `${this.baseUrl}/v2/bot/richmenu`,
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      timeoutMs: this.timeoutMs,
    });
    if (created.status !== 200) throw failure(created, 'rich menu creation');
    const menuId = str(asObject(parseJson(created.text))?.['richMenuId']);
    if (!menuId) throw new ProviderError('permanent', 'LINE created the rich menu but returned no richMenuId', { httpStatus: created.status });
    try {
      await this.expectOk('rich menu image upload', {
        method: 'POST',
        url: `${this.dataBaseUrl}/v2/bot/richmenu/${enc(menuId)}/content`,
        headers: { ...auth, 'content-type': 'image/png' },
        body: richMenuImage(RICH_MENU_SIZE.width, RICH_MENU_SIZE.height, menu.items.length),
      });
      await this.expectOk('default rich menu', { method: 'POST', url: `${this.baseUrl}/v2/bot/user/all/richmenu/${enc(menuId)}`, headers: auth });
    } catch (err) {
      await this.deleteRichMenu(auth, menuId);
      throw err;
    }
    return { menuId };
  }

  private async expectOk(operation: string, req: { method: 'POST'; url: string; headers: Record<string, string>; body?: Buffer }): Promise<void> {
    const res = await httpRequest({ ...req, timeoutMs: this.timeoutMs });
    if (res.status !== 200) throw failure(res, operation);
  }

  private async deleteRichMenu(auth: Record<string, string>, menuId: string): Promise<void> {
    try {
      await httpRequest({ method: 'DELETE', url: `${this.baseUrl}/v2/bot/richmenu/${enc(menuId)}`, headers: auth, timeoutMs: this.timeoutMs });
    } catch {
      // Cleanup only: the original failure is the one worth reporting.
    }
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

  /** GET /v2/bot/profile/{userId}: 404 when the user is unknown to the channel (never added it, or blocked it). */
  async getProfile(account: ChannelAccountCredentials, userId: string): Promise<ChatProfile> {
    const res = await httpRequest({
      method: 'GET',
      url: `${this.baseUrl}/v2/bot/profile/${enc(userId)}`,
      headers: { authorization: `Bearer ${accessToken(account)}` },
      timeoutMs: this.timeoutMs,
    });
    if (res.status !== 200) throw failure(res, 'profile');
    const profile = asObject(parseJson(res.text)) ?? {};
    return { displayName: str(profile['displayName']), pictureUrl: str(profile['pictureUrl']), language: str(profile['language']) };
  }

  verifyWebhook(account: ChannelAccountCredentials, webhook: RawWebhook): boolean {
    const secret = account.secrets['channelSecret'];
    const header = webhook.headers['x-line-signature']?.trim();
    if (!secret || !header || !/^[A-Za-z0-9+/]+={0,2}$/.test(header)) return false;
    const given = Buffer.from(header, 'base64');
    // Node's decoder ignores the unused low bits of the last character: only the canonical spelling is accepted.
    if (given.toString('base64') !== header) return false;
    const expected = createHmac('sha256', secret).update(webhook.body).digest();
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  parseWebhook(body: Buffer): ParsedChannelWebhook {
    // The reply token lets the hub answer with the reply endpoint (free of the monthly push quota) while valid.
    return { statuses: [], messages: this.parseWebhookEvents(body) };
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
  if (res.status === 400 && error.message && INVALID_REPLY_TOKEN.test(error.message)) {
    return new ProviderError('permanent', `LINE ${operation} refused the reply token (used, expired or unknown): ${said}`, {
      ...opts,
      providerCode: 'invalid_reply_token',
    });
  }
  return new ProviderError('permanent', `LINE ${operation} was refused: ${said}`, opts);
}

// -------------------------------------------------------------------------------------------------
// Interactive content and rich menus

/**
 * The message objects for interactive content: a flex carousel for the cards, then the text (links appended,
 * since quick-reply items cannot open URLs) carrying the buttons as quick replies. LINE shows quick replies
 * only on the last message, which is why the text goes last.
 */
export function interactiveMessages(content: InteractiveContent): JsonObject[] {
  const cards = content.cards ?? [];
  if (content.buttons.length > LINE_LIMITS.quickReplyItems) {
    throw new ProviderError('permanent', `LINE allows at most ${LINE_LIMITS.quickReplyItems} quick-reply buttons; got ${content.buttons.length}`);
  }
  if (cards.length > LINE_LIMITS.carouselBubbles) {
    throw new ProviderError('permanent', `LINE allows at most ${LINE_LIMITS.carouselBubbles} cards in a carousel; got ${cards.length}`);
  }
  const messages: JsonObject[] = [];
  if (cards.length > 0) messages.push(flexCarousel(content.text, cards));
  const text = withLinks(content.text, content.links ?? []);
  if (text !== '' || content.buttons.length > 0 || cards.length === 0) {
    const message: JsonObject = { type: 'text', text };
    if (content.buttons.length > 0) message['quickReply'] = { items: content.buttons.map(quickReplyItem) };
    messages.push(message);
  }
  return messages;
}

function quickReplyItem(button: InteractiveContent['buttons'][number]): JsonObject {
  // The data comes back verbatim as the postback's payload, so it is never cut; too long is the hub's bug.
  if (button.id === '' || button.id.length > LINE_LIMITS.postbackData) {
    throw new ProviderError('permanent', `LINE postback data must be 1–${LINE_LIMITS.postbackData} characters`);
  }
  return {
    type: 'action',
    action: { type: 'postback', label: clip(button.title, LINE_LIMITS.actionLabel), data: button.id, displayText: clip(button.title, LINE_LIMITS.displayText) },
  };
}

function flexCarousel(text: string, cards: NonNullable<InteractiveContent['cards']>): JsonObject {
  const alt = text.trim() !== '' ? text : cards.map((c) => c.title).join(', ');
  return { type: 'flex', altText: clip(alt, LINE_LIMITS.altText), contents: { type: 'carousel', contents: cards.map(bubble) } };
}

function bubble(card: NonNullable<InteractiveContent['cards']>[number]): JsonObject {
  const body: JsonObject[] = [{ type: 'text', text: card.title || ' ', weight: 'bold', size: 'md', wrap: true }];
  if (card.subtitle) body.push({ type: 'text', text: card.subtitle, size: 'sm', color: '#666666', wrap: true });
  const out: JsonObject = { type: 'bubble', body: { type: 'box', layout: 'vertical', spacing: 'sm', contents: body } };
  if (card.url) {
    out['footer'] = {
      type: 'box',
      layout: 'vertical',
      contents: [{ type: 'button', style: 'link', action: { type: 'uri', label: clip(card.linkTitle ?? 'Open', LINE_LIMITS.actionLabel), uri: card.url } }],
    };
  }
  return out;
}

/** The POST /v2/bot/richmenu body: 2500×843, items laid out as equal columns (the last takes the rounding rest). */
export function richMenuBody(menu: ChatMenu): JsonObject {
  const n = menu.items.length;
  if (n === 0 || n > LINE_LIMITS.richMenuItems) {
    throw new ProviderError('permanent', `LINE rich menu needs 1–${LINE_LIMITS.richMenuItems} items; got ${n}`);
  }
  const { width, height } = RICH_MENU_SIZE;
  const column = Math.floor(width / n);
  const areas = menu.items.map((item, i) => ({
    bounds: { x: i * column, y: 0, width: i === n - 1 ? width - i * column : column, height },
    action: richMenuAction(item),
  }));
  return {
    size: { width, height },
    selected: false,
    name: clip(menu.name || 'menu', 300),
    chatBarText: clip(menu.chatBarText || 'Menu', LINE_LIMITS.chatBarText),
    areas,
  };
}

function richMenuAction(item: ChatMenu['items'][number]): JsonObject {
  const label = clip(item.title, LINE_LIMITS.actionLabel);
  if ('url' in item) return { type: 'uri', label, uri: item.url };
  if (item.payload === '' || item.payload.length > LINE_LIMITS.postbackData) {
    throw new ProviderError('permanent', `LINE postback data must be 1–${LINE_LIMITS.postbackData} characters`);
  }
  return { type: 'postback', label, data: item.payload, displayText: clip(item.title, LINE_LIMITS.displayText) };
}

function withLinks(text: string, links: ReadonlyArray<{ title: string; url: string }>): string {
  if (links.length === 0) return text;
  const lines = links.map((l) => `${l.title}: ${l.url}`);
  return text === '' ? lines.join('\n') : `${text}\n\n${lines.join('\n')}`;
}

/** Labels only (the data carries the meaning), so an over-long one is shortened rather than refused. */
function clip(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : chars.slice(0, max - 1).join('') + '…';
}

function defaultDataBaseUrl(baseUrl: string): string {
  return /^https:\/\/api\.line\.me$/i.test(baseUrl) ? 'https://api-data.line.me' : baseUrl;
}

function enc(segment: string): string {
  return encodeURIComponent(segment);
}

function toInbound(item: unknown): LineInboundMessage | null {
  const e = asObject(item);
  if (!e) return null;
  const eventId = str(e['webhookEventId']);
  const source = asObject(e['source']);
  const sourceType = str(source?.['type']) ?? 'user';
  const from = str(source?.['userId']);
  if (!eventId) return null;
  // In a group or multi-person chat the user id is present only when the user consented; the chat is not a
  // 1:1 conversation either way, so it is recorded under the group's id and never answered.
  const noReply: LineInboundMessage['noReply'] =
    sourceType === 'group' || sourceType === 'room'
      ? { reason: sourceType, chatId: str(source?.[sourceType === 'group' ? 'groupId' : 'roomId']) }
      : e['mode'] === 'standby'
        ? { reason: 'standby' }
        : null;
  const address = from ?? noReply?.chatId ?? null;
  if (!address) return null;
  let text: string | null = null;
  let payload: string | null = null;
  let quoted: string | null = null;
  let event: LineInboundMessage['event'] = 'message';
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
    case 'follow':
    case 'unfollow':
      // Added (or unblocked) / blocked by a user: only 1:1 users follow.
      if (!from || sourceType !== 'user') return null;
      event = e['type'];
      break;
    default:
      // join, leave, read receipts...: not chat messages.
      return null;
  }
  return {
    // webhookEventId is stable across redeliveries, so it is the dedupe key.
    providerMessageId: eventId,
    from: address,
    occurredAt: num(e['timestamp']) ?? Date.now(),
    text,
    payload,
    profileName: null,
    replyToProviderMessageId: quoted,
    // A reply token answers the chat it came from: never used for a group, a room or a standby event.
    replyToken: noReply ? null : str(e['replyToken']),
    event,
    noReply,
  };
}
