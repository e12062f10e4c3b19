// Facebook Messenger Send API adapter: page checks and sends through Graph, plus webhook signature
// verification and parsing. The Graph host comes only from the injected baseUrl, so the same code talks to
// graph.facebook.com in production and to the simulator in tests and the sandbox.
// Messenger has no provider-approved templates: outside the 24 h window a business sends with a message tag
// (sendMessage with messagingType MESSAGE_TAG), e.g. a POST_PURCHASE_UPDATE receipt.
import type {
  ChannelAccountCredentials,
  ChannelAdapter,
  ChatMenu,
  DeliveryStatusUpdate,
  InteractiveContent,
  InboundChatMessage,
  ParsedChannelWebhook,
  NativeSend,
  ProviderTemplate,
  RawWebhook,
  SendRequest,
  SendResult,
  VerifiedAccount,
} from '../../../core/channels/ports.js';
import { ProviderError, parseRetryAfter } from '../../../core/errors.js';
import type { HttpResponse } from '../../http-client.js';
import { httpRequest, parseJson } from '../../http-client.js';
import type { JsonObject } from '../wire.js';
import { verifyHubSignature } from '../meta-signature.js';
import { arr, asObject, num, str } from '../wire.js';

export interface MessengerAdapterOptions {
  /** Graph API base including the version, e.g. https://graph.facebook.com/v25.0 (no trailing slash needed). */
  baseUrl: string;
  /** Per-request timeout; defaults to the http-client's default. */
  timeoutMs?: number;
}

export type MessengerMessagingType = 'RESPONSE' | 'UPDATE' | 'MESSAGE_TAG';

export type MessengerMessageTag = 'CONFIRMED_EVENT_UPDATE' | 'POST_PURCHASE_UPDATE' | 'ACCOUNT_UPDATE' | 'HUMAN_AGENT';

export interface MessengerSendMessage {
  /** The page-scoped user id (PSID) of the recipient. */
  recipient: string;
  messagingType: MessengerMessagingType;
  /** Required by Graph when messagingType is MESSAGE_TAG. */
  tag?: MessengerMessageTag;
  /** The Send API `message` object as-is: `{ text }` or `{ attachment: { type: 'template', payload } }`. */
  message: unknown;
}

// Send API and Messenger Profile limits (developers.facebook.com/docs/messenger-platform: button template,
// generic template, quick replies, persistent menu).
export const MESSENGER_LIMITS = {
  buttonTemplateButtons: 3,
  buttonTemplateText: 640,
  buttonTitle: 20,
  quickReplies: 13,
  genericElements: 10,
  elementText: 80,
  payload: 1000,
  menuItems: 20,
} as const;
export const GET_STARTED_PAYLOAD = 'GET_STARTED';

// Graph codes meaning "slow down": 613 calls-per-time limit, 4 application request limit.
const THROTTLE_CODES = new Set([4, 613]);
// Graph codes meaning "temporarily unavailable, try again".
const TRANSIENT_CODES = new Set([1, 2]);
const DEFAULT_RETRY_AFTER_MS = 1000;

interface GraphError {
  code: number | null;
  subcode: number | null;
  message: string | null;
}

interface Credentials {
  pageId: string;
  pageAccessToken: string;
}

export class MessengerAdapter implements ChannelAdapter {
  readonly channel = 'messenger' as const;
  readonly provider = 'meta-messenger';
  private readonly baseUrl: string;
  private readonly timeoutMs: number | undefined;

  constructor(options: MessengerAdapterOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs;
  }

  async verifyAccount(account: ChannelAccountCredentials): Promise<VerifiedAccount> {
    const creds = credentials(account);
    const res = await httpRequest({
      method: 'GET',
      url: `${this.baseUrl}/${enc(creds.pageId)}?fields=name,id&access_token=${enc(creds.pageAccessToken)}`,
      timeoutMs: this.timeoutMs,
    });
    if (res.status !== 200) throw this.failure(res, 'page check');
    const page = asObject(parseJson(res.text)) ?? {};
    const name = str(page['name']);
    return { displayName: name ?? creds.pageId, details: { pageId: str(page['id']) ?? creds.pageId, name } };
  }

  /** Messenger has no provider-side templates to sync; structured messages are built per send. */
  async listTemplates(account: ChannelAccountCredentials): Promise<ProviderTemplate[]> {
    credentials(account);
    return [];
  }

  /**
   * Sends free-form text as a proactive UPDATE (allowed only inside the 24 h window), or interactive content as a
   * RESPONSE (the hub only builds interactive messages as replies inside the window). Messenger has no
   * idempotency key, so request.idempotencyKey is not sent.
   */
  async send(account: ChannelAccountCredentials, request: SendRequest): Promise<SendResult> {
    const content = request.content;
    switch (content.kind) {
      case 'template':
        throw new ProviderError(
          'permanent',
          `Messenger does not support provider templates (${content.templateName}); send text inside the 24-hour window or a tagged message`,
        );
      case 'text':
        return this.sendMessage(account, { recipient: request.to, messagingType: 'UPDATE', message: { text: content.text } });
      case 'interactive':
        return this.sendInteractive(account, request.to, content);
    }
  }

  /**
   * Cards become a generic template, sent first; the text with its buttons follows as a second message. With two
   * sends the result is the last message's id (the one carrying the choices). If the second send fails, the
   * error propagates and a retry resends the cards too: Messenger has no idempotency key to prevent that.
   */
  async sendInteractive(account: ChannelAccountCredentials, recipient: string, content: InteractiveContent): Promise<SendResult> {
    let last: SendResult | null = null;
    for (const message of interactiveMessages(content)) {
      last = await this.sendMessage(account, { recipient, messagingType: 'RESPONSE', message });
    }
    if (!last) throw new ProviderError('permanent', 'Messenger interactive message has nothing to send (no text, buttons, links or cards)');
    return last;
  }

  /**
   * Installs the page's persistent menu (flat, ≤ 20 items, Graph v8+). Meta shows the menu only once a Get
   * Started button exists, so the same call sets get_started with payload GET_STARTED.
   */
  async setMenu(account: ChannelAccountCredentials, menu: ChatMenu): Promise<{ menuId: string | null }> {
    const creds = credentials(account);
    const res = await httpRequest({
      method: 'POST',
      url: `${this.baseUrl}/me/messenger_profile?access_token=${enc(creds.pageAccessToken)}`,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(persistentMenuBody(menu)),
      timeoutMs: this.timeoutMs,
    });
    if (res.status !== 200) throw this.failure(res, 'persistent menu update');
    // Messenger keeps one menu per page and locale; there is no id to return.
    return { menuId: null };
  }

  /** The raw Send API call: any message object, any messaging type, optional tag (receipts, tagged updates). */
  /** The port's native send: body is `{ messaging_type, tag?, message }` as the Send API takes them. */
  sendNative(account: ChannelAccountCredentials, request: NativeSend): Promise<SendResult> {
    const b = request.body;
    return this.sendMessage(account, {
      recipient: request.to,
      messagingType: (b['messaging_type'] as MessengerMessagingType | undefined) ?? 'UPDATE',
      ...(typeof b['tag'] === 'string' ? { tag: b['tag'] as MessengerMessageTag } : {}),
      message: b['message'],
    });
  }

  async sendMessage(account: ChannelAccountCredentials, input: MessengerSendMessage): Promise<SendResult> {
    const creds = credentials(account);
    const body: JsonObject = { recipient: { id: input.recipient }, messaging_type: input.messagingType };
    if (input.tag !== undefined) body['tag'] = input.tag;
    body['message'] = input.message;
    const res = await httpRequest({
      method: 'POST',
      url: `${this.baseUrl}/${enc(creds.pageId)}/messages?access_token=${enc(creds.pageAccessToken)}`,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      timeoutMs: this.timeoutMs,
    });
    if (res.status !== 200) throw this.failure(res, 'send');
    const id = str(asObject(parseJson(res.text))?.['message_id']);
    if (!id) {
      // Graph accepted the request; retrying could deliver twice, so this is not retryable.
      throw new ProviderError('permanent', 'Messenger accepted the send but returned no message_id', { httpStatus: res.status });
    }
    return { providerMessageId: id, providerStatus: null };
  }

  readonly appSecretField = 'appSecret';

  verifyWebhook(account: ChannelAccountCredentials, webhook: RawWebhook): boolean {
    return verifyHubSignature(account.secrets['appSecret'], webhook);
  }

  parseWebhook(body: Buffer): ParsedChannelWebhook {
    let json: unknown;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch {
      throw new Error('Messenger webhook body is not valid JSON');
    }
    const envelope = asObject(json);
    if (!envelope || envelope['object'] !== 'page' || !Array.isArray(envelope['entry'])) {
      throw new Error('Messenger webhook body is not a page envelope with an entry array');
    }
    const result: ParsedChannelWebhook = { statuses: [], messages: [] };
    for (const entry of envelope['entry']) {
      const entryPageId = idOf(asObject(entry)?.['id']);
      for (const item of arr(asObject(entry)?.['messaging'])) {
        const event = asObject(item);
        if (!event) continue;
        const sender = str(asObject(event['sender'])?.['id']) ?? '';
        // One app's callback URL receives every page of the app: the entry and the recipient name the page.
        // An event whose recipient is not its entry's page is attributed to neither (null: refused).
        const recipientId = idOf(asObject(event['recipient'])?.['id']);
        const accountExternalId = entryPageId && recipientId && entryPageId !== recipientId ? null : (recipientId ?? entryPageId);
        const routed = <T extends object>(x: T): T & { accountExternalId: string | null } => ({ ...x, accountExternalId });
        const at = millis(event['timestamp']);
        const message = asObject(event['message']);
        const postback = asObject(event['postback']);
        const delivery = asObject(event['delivery']);
        // m.me/<page>?ref=… links: a referral event for someone already talking to the page, or the ref on
        // the Get Started postback of a first conversation.
        const referral = str(asObject(event['referral'])?.['ref']) ?? str(asObject(postback?.['referral'])?.['ref']);
        if (referral && !message && !postback) {
          result.messages.push(routed({ providerMessageId: `referral:${sender}:${at}`, from: sender, occurredAt: at, text: null, payload: null, profileName: null, replyToProviderMessageId: null, referral }));
          continue;
        }
        if (message) {
          const inbound = toInbound(message, sender, at);
          if (inbound) result.messages.push(routed(inbound));
        } else if (postback) {
          result.messages.push(
            routed({
              // Older postbacks carry no mid; a sender+timestamp key keeps redeliveries deduplicable.
              providerMessageId: str(postback['mid']) ?? `postback:${sender}:${at}`,
              from: sender,
              occurredAt: at,
              text: str(postback['title']),
              payload: str(postback['payload']),
              profileName: null,
              replyToProviderMessageId: null,
              ...(referral ? { referral } : {}),
            }),
          );
        } else if (delivery) {
          const occurredAt = num(delivery['watermark']) ?? at;
          for (const mid of arr(delivery['mids'])) {
            const id = str(mid);
            if (id) result.statuses.push(routed(delivered(id, sender, occurredAt)));
          }
        }
        // `read` events carry only a watermark ("everything before this time was read"), no message ids;
        // turning that into per-message statuses needs the hub's own send history, which the port's
        // stateless parser does not have, so reads are ignored here. Other events (optins, reactions) are not chat
        // messages either.
      }
    }
    return result;
  }

  // -----------------------------------------------------------------------------------------------

  /** Classifies a non-200 Graph response into a ProviderError, keeping Graph's code, subcode and message. */
  private failure(res: HttpResponse, operation: string): ProviderError {
    const graph = readGraphError(res.text);
    const said = describeGraphError(graph, res);
    const opts = { providerCode: graph.code, httpStatus: res.status };
    const code = graph.code;

    if (code === 190 || res.status === 401) {
      return new ProviderError('permanent', `Messenger refused the page access token: ${said}`, { ...opts, providerCode: code ?? 190 });
    }
    if (res.status === 429 || (code !== null && THROTTLE_CODES.has(code))) {
      return new ProviderError('retry_after', `Messenger ${operation} was rate limited: ${said}`, {
        ...opts,
        retryAfterMs: parseRetryAfter(res.headers['retry-after']) ?? DEFAULT_RETRY_AFTER_MS,
      });
    }
    if (res.status >= 500 || res.status === 408 || (code !== null && TRANSIENT_CODES.has(code))) {
      return new ProviderError('retryable', `Messenger ${operation} failed temporarily: ${said}`, opts);
    }
    let why = `Messenger ${operation} was refused`;
    if (code === 10) why = `Messenger ${operation} is outside the 24-hour messaging window (send with a message tag)`;
    else if (code === 551) why = `Messenger recipient is not available (blocked the page or invalid)`;
    else if (code === 100 && graph.subcode === 2018001) why = `Messenger found no matching user for the recipient PSID`;
    // Everything else left here is a 4xx (or an unexpected status) that the same request will not fix.
    return new ProviderError('permanent', `${why}: ${said}`, opts);
  }
}

// -------------------------------------------------------------------------------------------------
// Wire-format helpers

function credentials(account: ChannelAccountCredentials): Credentials {
  const missing: string[] = [];
  if (!account.settings['pageId']) missing.push('pageId');
  if (!account.secrets['pageAccessToken']) missing.push('pageAccessToken');
  if (missing.length > 0) throw new ProviderError('permanent', `Messenger account is missing ${missing.join(', ')}`);
  return { pageId: account.settings['pageId'] ?? '', pageAccessToken: account.secrets['pageAccessToken'] ?? '' };
}

// -------------------------------------------------------------------------------------------------
// Interactive content and menus

type UrlButton = { type: 'web_url'; url: string; title: string };

/** The Send API message objects for interactive content, in send order (cards first, then the choices). */
export function interactiveMessages(content: InteractiveContent): JsonObject[] {
  const links = content.links ?? [];
  const cards = content.cards ?? [];
  if (content.buttons.length > MESSENGER_LIMITS.quickReplies) {
    throw new ProviderError('permanent', `Messenger allows at most ${MESSENGER_LIMITS.quickReplies} choices (quick replies); got ${content.buttons.length}`);
  }
  if (cards.length > MESSENGER_LIMITS.genericElements) {
    throw new ProviderError('permanent', `Messenger allows at most ${MESSENGER_LIMITS.genericElements} cards (generic template elements); got ${cards.length}`);
  }
  for (const b of content.buttons) checkPayload(b.id);
  const out: JsonObject[] = [];
  if (cards.length > 0) out.push(genericTemplate(cards));
  // After a carousel the text goes out only when it says or offers something; alone it always goes out.
  if (cards.length === 0 || content.buttons.length > 0 || links.length > 0 || content.text.trim() !== '') {
    out.push(choicesMessage(content.text, content.buttons, links));
  }
  return out;
}

function genericTemplate(cards: NonNullable<InteractiveContent['cards']>): JsonObject {
  const elements = cards.map((card) => {
    const element: JsonObject = { title: clip(card.title, MESSENGER_LIMITS.elementText) };
    if (card.subtitle) element['subtitle'] = clip(card.subtitle, MESSENGER_LIMITS.elementText);
    if (card.url) element['buttons'] = [urlButton(card.linkTitle ?? 'Open', card.url)];
    return element;
  });
  return { attachment: { type: 'template', payload: { template_type: 'generic', elements } } };
}

/**
 * ≤ 3 buttons (with links as URL buttons while there is room) and short text: a button template; otherwise the
 * text with quick replies (which cannot open URLs, so links go into the text).
 */
function choicesMessage(text: string, buttons: InteractiveContent['buttons'], links: NonNullable<InteractiveContent['links']>): JsonObject {
  const fits = buttons.length + links.length <= MESSENGER_LIMITS.buttonTemplateButtons;
  const inlineLinks = fits ? [] : links;
  const body = withLinks(text, inlineLinks);
  const templateButtons = [
    ...buttons.map((b) => ({ type: 'postback', title: clip(b.title, MESSENGER_LIMITS.buttonTitle), payload: b.id })),
    ...(fits ? links.map((l) => urlButton(l.title, l.url)) : []),
  ];
  if (buttons.length <= MESSENGER_LIMITS.buttonTemplateButtons && templateButtons.length > 0 && body.length <= MESSENGER_LIMITS.buttonTemplateText && body !== '') {
    return { attachment: { type: 'template', payload: { template_type: 'button', text: body, buttons: templateButtons } } };
  }
  // Too long for a button template, or too many buttons: plain text, links written out, buttons as quick replies.
  const textBody = withLinks(text, links);
  if (buttons.length === 0) return { text: textBody };
  return {
    text: textBody,
    quick_replies: buttons.map((b) => ({ content_type: 'text', title: clip(b.title, MESSENGER_LIMITS.buttonTitle), payload: b.id })),
  };
}

/** The messenger_profile body: flat persistent menu for every locale, plus the Get Started button it needs. */
export function persistentMenuBody(menu: ChatMenu): JsonObject {
  if (menu.items.length === 0 || menu.items.length > MESSENGER_LIMITS.menuItems) {
    throw new ProviderError('permanent', `Messenger persistent menu needs 1–${MESSENGER_LIMITS.menuItems} items; got ${menu.items.length}`);
  }
  const callToActions = menu.items.map((item) => {
    if ('url' in item) return urlButton(item.title, item.url);
    checkPayload(item.payload);
    return { type: 'postback', title: clip(item.title, MESSENGER_LIMITS.buttonTitle), payload: item.payload };
  });
  return {
    get_started: { payload: GET_STARTED_PAYLOAD },
    persistent_menu: [{ locale: 'default', composer_input_disabled: false, call_to_actions: callToActions }],
  };
}

function urlButton(title: string, url: string): UrlButton {
  return { type: 'web_url', url, title: clip(title, MESSENGER_LIMITS.buttonTitle) };
}

function withLinks(text: string, links: ReadonlyArray<{ title: string; url: string }>): string {
  if (links.length === 0) return text;
  const lines = links.map((l) => `${l.title}: ${l.url}`);
  return text === '' ? lines.join('\n') : `${text}\n\n${lines.join('\n')}`;
}

/** A payload comes back verbatim as the tap's payload, so it is never cut; too long is the hub's bug. */
function checkPayload(payload: string): void {
  if (payload === '' || payload.length > MESSENGER_LIMITS.payload) {
    throw new ProviderError('permanent', `Messenger button payloads must be 1–${MESSENGER_LIMITS.payload} characters`);
  }
}

/** Titles are labels only (the payload carries the meaning), so an over-long one is shortened, not refused. */
function clip(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : chars.slice(0, max - 1).join('') + '…';
}

function toInbound(message: JsonObject, sender: string, at: number): InboundChatMessage | null {
  // Echoes are the page's own outgoing messages mirrored back; they are not customer input.
  if (message['is_echo'] === true) return null;
  const mid = str(message['mid']);
  if (!mid) return null;
  return {
    providerMessageId: mid,
    from: sender,
    occurredAt: at,
    text: str(message['text']),
    payload: str(asObject(message['quick_reply'])?.['payload']),
    profileName: null,
    replyToProviderMessageId: str(asObject(message['reply_to'])?.['mid']),
  };
}

function delivered(id: string, recipient: string, occurredAt: number): DeliveryStatusUpdate {
  return { providerMessageId: id, state: 'delivered', occurredAt, recipient: recipient || null, errorCode: null, errorDetail: null, category: null };
}

/** A Graph id, sent as a string (numbers tolerated). */
function idOf(value: unknown): string | null {
  return str(value) ?? num(value)?.toString() ?? null;
}

/** Messenger timestamps are epoch milliseconds; some samples use seconds, recognised by their size. */
function millis(value: unknown): number {
  const n = num(value);
  if (n === null) return Date.now();
  return n < 1e12 ? n * 1000 : n;
}

function readGraphError(text: string): GraphError {
  const error = asObject(asObject(parseJson(text))?.['error']);
  if (!error) return { code: null, subcode: null, message: text ? text.slice(0, 300) : null };
  return { code: num(error['code']), subcode: num(error['error_subcode']), message: str(error['message']) };
}

function describeGraphError(graph: GraphError, res: HttpResponse): string {
  const parts = [`HTTP ${res.status}`];
  if (graph.code !== null) parts.push(`code ${graph.code}${graph.subcode !== null ? `/${graph.subcode}` : ''}`);
  return `${graph.message ?? 'no error message'} [${parts.join(', ')}]`;
}

function enc(segment: string): string {
  return encodeURIComponent(segment);
}
