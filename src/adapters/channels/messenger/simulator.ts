// A Facebook Messenger Send API simulator: the Graph routes the adapter uses (page lookup, send) with Graph's
// validation and error bodies, the 24 h standard window and message tags, plus signed webhooks for inbound
// messages/postbacks and deliveries. Control routes (besides the base class's faults/requests/reset):
//   POST /_sim/pages      {pageId, name, pageAccessToken, appSecret, webhookUrl?}
//   GET  /_sim/pages
//   GET  /_sim/messages?psid=        the outbox, oldest first
//   POST /_sim/inbound    {pageId, psid, text? | postbackPayload?, postbackTitle? | quickReplyPayload?}
//   GET  /_sim/profile?pageId=       the page's Messenger profile (get_started, persistent_menu) as last set
// Button and generic templates and quick replies are validated with Graph's limits; POST /me/messenger_profile
// stores get_started and persistent_menu (the menu is refused unless get_started is set, as on Graph).
import { createHmac, randomBytes } from 'node:crypto';
import type { SimRequest, SimResponse } from '../../../sandbox/simulator.js';
import { Simulator, deliverWebhook } from '../../../sandbox/simulator.js';
import type { JsonObject } from '../wire.js';
import { arr, asObject, str } from '../wire.js';

export interface MessengerSimPage {
  pageId: string;
  name: string;
  pageAccessToken: string;
  appSecret: string;
  /** Where inbound and delivery webhooks are posted; null keeps them in the outbox only. */
  webhookUrl?: string | null;
}

export interface MessengerSimOptions {
  /** Graph version path the routes live under; the adapter's baseUrl is `${sim.baseUrl}${apiPrefix}`. */
  apiPrefix?: string;
  /** Post a signed delivery webhook after each accepted send (when the page has a webhookUrl). */
  deliveryWebhooks?: boolean;
  deliveryDelayMs?: number;
  /** Waits between webhook delivery attempts; its length is the number of retries. */
  webhookRetryDelaysMs?: number[];
}

export interface MessengerSimInbound {
  pageId: string;
  psid: string;
  text?: string;
  /** A postback (button, Get Started, menu tap) instead of text. */
  postbackPayload?: string;
  postbackTitle?: string;
  /** A quick-reply tap: a text message (text, else the payload) carrying `quick_reply.payload`. */
  quickReplyPayload?: string;
  /** An m.me/<page>?ref=… link opened: a referral event (or, with postbackPayload, the ref on Get Started). */
  ref?: string;
}

/** A page's Messenger profile as set through POST /me/messenger_profile (fields merge, as on Graph). */
export interface MessengerSimProfile {
  get_started?: JsonObject;
  persistent_menu?: JsonObject[];
}

export interface MessengerSimMessage {
  id: string;
  pageId: string;
  psid: string;
  messagingType: string;
  tag: string | null;
  kind: 'text' | 'receipt' | 'template' | 'attachment';
  /** button | generic | receipt for templates, else null. */
  templateType: string | null;
  /** The quick replies' payloads, in order (empty when there are none). */
  quickReplyPayloads: string[];
  /** The text, or a one-line rendering of a structured message. */
  renderedText: string;
  message: JsonObject;
  at: number;
  /** Hub's final HTTP answer to the delivery webhook; 0 when unreachable; null while pending or not sent. */
  deliveryWebhookStatus: number | null;
}

const WINDOW_MS = 24 * 60 * 60 * 1000;
const MESSAGING_TYPES = new Set(['RESPONSE', 'UPDATE', 'MESSAGE_TAG']);
const TAGS = new Set(['CONFIRMED_EVENT_UPDATE', 'POST_PURCHASE_UPDATE', 'ACCOUNT_UPDATE', 'HUMAN_AGENT']);

export class MessengerSimulator extends Simulator {
  readonly name = 'messenger';
  readonly apiPrefix: string;
  deliveryWebhooks: boolean;
  private readonly deliveryDelayMs: number;
  private readonly retryDelaysMs: number[];
  private readonly pages = new Map<string, MessengerSimPage & { webhookUrl: string | null }>();
  /** pageId → psid → time of the user's last message (the start of the 24 h window). */
  private readonly psids = new Map<string, Map<string, number>>();
  private readonly outbox: MessengerSimMessage[] = [];
  private readonly profiles = new Map<string, MessengerSimProfile>();
  // Bumped on reset/close so delivery webhooks scheduled before it stop quietly.
  private generation = 0;

  constructor(options: MessengerSimOptions = {}) {
    super();
    const prefix = options.apiPrefix ?? '/v25.0';
    this.apiPrefix = prefix === '' ? '' : '/' + prefix.replace(/^\/+|\/+$/g, '');
    this.deliveryWebhooks = options.deliveryWebhooks ?? true;
    this.deliveryDelayMs = options.deliveryDelayMs ?? 20;
    this.retryDelaysMs = options.webhookRetryDelaysMs ?? [50, 200, 500];
    this.registerControlRoutes();
    const p = this.apiPrefix;
    this.route('POST', `${p}/:pageId/messages`, (req, params) => this.sendRoute(req, params['pageId'] ?? ''));
    this.route('POST', `${p}/me/messenger_profile`, (req) => this.profileRoute(req));
    this.route('GET', `${p}/:pageId`, (req, params) => this.getPageRoute(req, params['pageId'] ?? ''));
  }

  // ---------------------------------------------------------------------------------------------
  // State API

  addPage(page: MessengerSimPage): void {
    this.pages.set(page.pageId, { ...page, webhookUrl: page.webhookUrl ?? null });
  }

  listPages(): MessengerSimPage[] {
    return [...this.pages.values()].map((p) => ({ ...p }));
  }

  /** Makes `psid` known to the page as if it had written at `lastMessageAt` (use an old time to close the window). */
  registerPsid(pageId: string, psid: string, lastMessageAt = Date.now()): void {
    let known = this.psids.get(pageId);
    if (!known) this.psids.set(pageId, (known = new Map()));
    known.set(psid, lastMessageAt);
  }

  isWindowOpen(pageId: string, psid: string, now = Date.now()): boolean {
    const at = this.psids.get(pageId)?.get(psid);
    return at !== undefined && now - at < WINDOW_MS;
  }

  /** The outbox, oldest first, optionally for one PSID. */
  messages(psid?: string): MessengerSimMessage[] {
    return this.outbox.filter((m) => psid === undefined || m.psid === psid).map((m) => ({ ...m }));
  }

  /** The page's Messenger profile (get_started, persistent_menu) as last set, or an empty one. */
  profile(pageId: string): MessengerSimProfile {
    return structuredClone(this.profiles.get(pageId) ?? {});
  }

  /**
   * Registers the PSID, opens its 24 h window and posts a signed message (or postback) webhook.
   * Returns the hub's HTTP status (0 if unreachable or the page has no webhookUrl) and the event's mid.
   */
  async emitInbound(input: MessengerSimInbound): Promise<{ status: number; mid: string }> {
    const page = this.pages.get(input.pageId);
    if (!page) throw new Error(`unknown page id ${input.pageId}`);
    if (input.text === undefined && input.postbackPayload === undefined && input.quickReplyPayload === undefined && input.ref === undefined) {
      throw new Error('inbound needs text, postbackPayload, quickReplyPayload or ref');
    }
    const now = Date.now();
    const mid = newMid();
    this.registerPsid(page.pageId, input.psid, now);
    const event: JsonObject = { sender: { id: input.psid }, recipient: { id: page.pageId }, timestamp: now };
    const referral = input.ref !== undefined ? { ref: input.ref, source: 'SHORTLINK', type: 'OPEN_THREAD' } : null;
    if (input.postbackPayload !== undefined) {
      event['postback'] = { mid, title: input.postbackTitle ?? input.postbackPayload, payload: input.postbackPayload, ...(referral ? { referral } : {}) };
    } else if (referral && input.text === undefined && input.quickReplyPayload === undefined) {
      event['referral'] = referral;
    } else if (input.quickReplyPayload !== undefined) {
      // A quick-reply tap arrives as a text message (the reply's title) with the payload attached.
      event['message'] = { mid, text: input.text ?? input.quickReplyPayload, quick_reply: { payload: input.quickReplyPayload } };
    } else {
      event['message'] = { mid, text: input.text };
    }
    return { status: await this.postWebhook(page, event), mid };
  }

  protected override resetState(): void {
    this.generation++;
    this.outbox.length = 0;
    this.psids.clear();
    this.profiles.clear();
  }

  override async close(): Promise<void> {
    this.generation++;
    await super.close();
  }

  /** Graph-style bodies for injected faults, so the adapter classifies them as it would Meta's. */
  protected override faultBody(status: number): unknown {
    if (status === 429) return graphErrorBody(613, 'Calls to this api have exceeded the rate limit.');
    if (status === 401) return graphErrorBody(190, 'Invalid OAuth access token - Cannot parse access token');
    if (status === 503) return graphErrorBody(2, 'Service temporarily unavailable');
    if (status >= 500) return graphErrorBody(1, 'An unknown error occurred');
    return graphErrorBody(100, `(#100) Simulated HTTP ${status}`);
  }

  // ---------------------------------------------------------------------------------------------
  // Provider routes

  private getPageRoute(req: SimRequest, pageId: string): SimResponse {
    const page = this.pages.get(pageId);
    if (!page || token(req) !== page.pageAccessToken) return this.authFailure(req, pageId);
    const full: JsonObject = { name: page.name, id: page.pageId };
    const fields = req.query['fields'];
    if (!fields) return { status: 200, body: full };
    const out: JsonObject = {};
    for (const f of fields.split(',').map((s) => s.trim())) if (f in full) out[f] = full[f];
    out['id'] = page.pageId;
    return { status: 200, body: out };
  }

  private sendRoute(req: SimRequest, pageId: string): SimResponse {
    const page = this.pages.get(pageId);
    if (!page || token(req) !== page.pageAccessToken) return this.authFailure(req, pageId);

    const body = asObject(req.json) ?? {};
    const psid = str(asObject(body['recipient'])?.['id']);
    if (!psid) return graphError(400, 100, '(#100) The parameter recipient is required');
    const messagingType = str(body['messaging_type']);
    if (!messagingType || !MESSAGING_TYPES.has(messagingType)) {
      return graphError(400, 100, '(#100) Param messaging_type must be one of {RESPONSE, UPDATE, MESSAGE_TAG}');
    }
    const tag = str(body['tag']);
    if (messagingType === 'MESSAGE_TAG' && (!tag || !TAGS.has(tag))) {
      return graphError(400, 100, `(#100) Param tag must be one of {${[...TAGS].join(', ')}}`);
    }
    const message = asObject(body['message']);
    if (!message) return graphError(400, 100, '(#100) The parameter message is required');
    const built = buildMessage(message);
    if ('status' in built) return built;

    if (this.isInvalidRecipient(psid)) {
      return graphError(400, 551, "This person isn't available right now.", 1545041);
    }
    if (!this.psids.get(pageId)?.has(psid)) return graphError(400, 100, '(#100) No matching user found', 2018001);
    if (messagingType !== 'MESSAGE_TAG' && !this.isWindowOpen(pageId, psid)) {
      return graphError(
        400,
        10,
        '(#10) This message is sent outside of allowed window. Learn more about the new policy here: https://developers.facebook.com/docs/messenger-platform/policy-overview',
        2018278,
      );
    }

    const msg: MessengerSimMessage = {
      id: newMid(),
      pageId,
      psid,
      messagingType,
      tag: messagingType === 'MESSAGE_TAG' ? tag : null,
      kind: built.kind,
      templateType: built.templateType,
      quickReplyPayloads: built.quickReplyPayloads,
      renderedText: built.text,
      message,
      at: Date.now(),
      deliveryWebhookStatus: null,
    };
    this.outbox.push(msg);
    if (this.deliveryWebhooks && page.webhookUrl) this.scheduleDelivery(page, msg);
    return { status: 200, body: { recipient_id: psid, message_id: msg.id } };
  }

  /** POST /me/messenger_profile: the page is the token's page; fields given replace the stored ones. */
  private profileRoute(req: SimRequest): SimResponse {
    const given = token(req);
    const page = [...this.pages.values()].find((p) => p.pageAccessToken === given);
    if (!page) return graphError(400, 190, 'Invalid OAuth access token - Cannot parse access token');
    const body = asObject(req.json);
    if (!body || (body['get_started'] === undefined && body['persistent_menu'] === undefined)) {
      return paramError('Requires one of the params: get_started, persistent_menu');
    }
    const next: MessengerSimProfile = { ...this.profiles.get(page.pageId) };
    if (body['get_started'] !== undefined) {
      const payload = str(asObject(body['get_started'])?.['payload']);
      if (!payload || payload.length > LIMITS.payload) return paramError('param get_started[payload] must be a non-empty string of at most 1000 characters');
      next.get_started = { payload };
    }
    if (body['persistent_menu'] !== undefined) {
      const menus = validatePersistentMenu(body['persistent_menu']);
      if ('status' in menus) return menus;
      // [UNVERIFIED] wording; Meta documents that the Get Started button must be set for the menu to work.
      if (!next.get_started) return paramError('You must set a Get Started button if you also wish to use persistent menu.');
      next.persistent_menu = menus;
    }
    this.profiles.set(page.pageId, next);
    return { status: 200, body: { result: 'success' } };
  }

  private authFailure(req: SimRequest, id: string): SimResponse {
    const given = token(req);
    const tokenKnown = given !== null && [...this.pages.values()].some((p) => p.pageAccessToken === given);
    // Graph checks the token before looking the object up.
    if (!tokenKnown || this.pages.has(id)) {
      return graphError(400, 190, 'Invalid OAuth access token - Cannot parse access token');
    }
    return graphError(400, 100, `Unsupported request. Object with ID '${id}' does not exist or cannot be loaded due to missing permissions`, 33, 'GraphMethodException');
  }

  // ---------------------------------------------------------------------------------------------
  // Webhooks

  private scheduleDelivery(page: MessengerSimPage & { webhookUrl: string | null }, msg: MessengerSimMessage): void {
    const generation = this.generation;
    const run = async (): Promise<void> => {
      await sleep(this.deliveryDelayMs);
      if (generation !== this.generation) return;
      const watermark = Date.now();
      const stored = this.outbox.find((m) => m.id === msg.id);
      const status = await this.postWebhook(page, {
        sender: { id: msg.psid },
        recipient: { id: page.pageId },
        timestamp: watermark,
        delivery: { mids: [msg.id], watermark },
      });
      if (stored) stored.deliveryWebhookStatus = status;
    };
    run().catch(() => undefined);
  }

  /** Wraps one messaging event in the page envelope, signs the exact bytes, and delivers with a few retries. */
  private async postWebhook(page: MessengerSimPage & { webhookUrl: string | null }, event: JsonObject): Promise<number> {
    const url = page.webhookUrl;
    if (!url) return 0;
    const raw = JSON.stringify({ object: 'page', entry: [{ id: page.pageId, time: Date.now(), messaging: [event] }] });
    const headers = {
      'x-hub-signature-256': 'sha256=' + createHmac('sha256', page.appSecret).update(raw).digest('hex'),
      'x-hub-signature': 'sha1=' + createHmac('sha1', page.appSecret).update(raw).digest('hex'),
      'user-agent': 'facebookexternalua',
    };
    const generation = this.generation;
    for (let attempt = 0; ; attempt++) {
      let status = 0;
      try {
        status = (await deliverWebhook(url, raw, headers, 5000)).status;
      } catch {
        status = 0;
      }
      if ((status >= 200 && status < 300) || attempt >= this.retryDelaysMs.length || generation !== this.generation) return status;
      await sleep(this.retryDelaysMs[attempt] ?? 0);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Control routes

  private registerControlRoutes(): void {
    this.route('POST', '/_sim/pages', (req) => {
      const b = asObject(req.json);
      const fields = ['pageId', 'name', 'pageAccessToken', 'appSecret'] as const;
      const missing = fields.filter((f) => !b || typeof b[f] !== 'string' || b[f] === '');
      if (!b || missing.length > 0) return { status: 400, body: { error: `required string fields: ${missing.join(', ')}` } };
      const webhookUrl = b['webhookUrl'];
      if (webhookUrl !== undefined && webhookUrl !== null && typeof webhookUrl !== 'string') {
        return { status: 400, body: { error: 'webhookUrl must be a string or null' } };
      }
      const page: MessengerSimPage = {
        pageId: String(b['pageId']),
        name: String(b['name']),
        pageAccessToken: String(b['pageAccessToken']),
        appSecret: String(b['appSecret']),
        webhookUrl: webhookUrl ?? null,
      };
      this.addPage(page);
      return { status: 201, body: page };
    }, false);
    this.route('GET', '/_sim/pages', () => ({ status: 200, body: this.listPages() }), false);
    this.route('GET', '/_sim/messages', (req) => ({ status: 200, body: this.messages(req.query['psid']) }), false);
    this.route('GET', '/_sim/profile', (req) => {
      const pageId = req.query['pageId'];
      if (!pageId) return { status: 400, body: { error: 'pageId query parameter is required' } };
      if (!this.pages.has(pageId)) return { status: 404, body: { error: `unknown page id ${pageId}` } };
      return { status: 200, body: this.profile(pageId) };
    }, false);
    this.route('POST', '/_sim/inbound', async (req) => {
      const b = asObject(req.json);
      const pageId = b ? str(b['pageId']) : null;
      const psid = b ? str(b['psid']) : null;
      if (!b || !pageId || !psid) return { status: 400, body: { error: 'pageId and psid are required' } };
      const input: MessengerSimInbound = { pageId, psid };
      for (const key of ['text', 'postbackPayload', 'postbackTitle', 'quickReplyPayload', 'ref'] as const) {
        const v = str(b[key]);
        if (v !== null) input[key] = v;
      }
      if (!this.pages.has(pageId)) return { status: 404, body: { error: `unknown page id ${pageId}` } };
      if (input.text === undefined && input.postbackPayload === undefined && input.quickReplyPayload === undefined && input.ref === undefined) {
        return { status: 400, body: { error: 'text, postbackPayload, quickReplyPayload or ref is required' } };
      }
      const result = await this.emitInbound(input);
      return { status: 200, body: { delivered: result.status, mid: result.mid } };
    }, false);
  }
}

// -------------------------------------------------------------------------------------------------

type BuiltBody = { kind: MessengerSimMessage['kind']; text: string; templateType: string | null };
type Built = (BuiltBody & { quickReplyPayloads: string[] }) | SimResponse;

// Graph's documented limits for the structures the hub sends. The error texts are modelled on Graph's
// "(#100) param ..." style; the exact wording and subcodes are [UNVERIFIED].
const LIMITS = { text: 2000, buttonText: 640, buttons: 3, title: 20, payload: 1000, quickReplies: 13, elements: 10, elementText: 80, menuItems: 20 };
const BUTTON_TYPES = new Set(['web_url', 'postback', 'phone_number']);
const QUICK_REPLY_TYPES = new Set(['text', 'user_phone_number', 'user_email']);

/** Validates the Send API `message` object the way Graph does for the kinds the hub sends. */
function buildMessage(message: JsonObject): Built {
  const quick = quickReplyPayloads(message['quick_replies']);
  if (!Array.isArray(quick)) return quick;
  const body = buildBody(message);
  if ('status' in body) return body;
  const titles = arr(message['quick_replies']).map((q) => str(asObject(q)?.['title']) ?? '?');
  const text = titles.length > 0 ? `${body.text} [quick replies: ${titles.join(', ')}]` : body.text;
  return { ...body, text, quickReplyPayloads: quick };
}

function buildBody(message: JsonObject): BuiltBody | SimResponse {
  const text = message['text'];
  if (text !== undefined) {
    if (typeof text !== 'string' || text === '') return paramError('message[text] must be a non-empty UTF-8 encoded string');
    if (text.length > LIMITS.text) return graphError(400, 100, `(#100) Length of param message[text] must be less than or equal to ${LIMITS.text}`);
    return { kind: 'text', text, templateType: null };
  }
  const attachment = asObject(message['attachment']);
  if (!attachment) return paramError('Must send either message text or an attachment');
  if (attachment['type'] !== 'template') return { kind: 'attachment', text: `[${String(attachment['type'])} attachment]`, templateType: null };
  const payload = asObject(attachment['payload']);
  if (!payload) return paramError('The parameter message[attachment][payload] is required');
  switch (payload['template_type']) {
    case 'receipt':
      return buildReceipt(payload);
    case 'button':
      return buildButtonTemplate(payload);
    case 'generic':
      return buildGenericTemplate(payload);
    default:
      return { kind: 'template', text: `[${String(payload['template_type'])} template]`, templateType: str(payload['template_type']) };
  }
}

function buildReceipt(payload: JsonObject): BuiltBody | SimResponse {
  for (const field of ['recipient_name', 'order_number', 'currency', 'payment_method'] as const) {
    if (typeof payload[field] !== 'string' || payload[field] === '') {
      return graphError(400, 100, `(#100) param ${field} must be non-empty.`, 2018047);
    }
  }
  const total = asObject(payload['summary'])?.['total_cost'];
  const totalOk = (typeof total === 'number' && Number.isFinite(total)) || (typeof total === 'string' && /^\d+(\.\d+)?$/.test(total));
  if (!totalOk) return graphError(400, 100, '(#100) param summary[total_cost] must be a number.', 2018047);
  const elements = arr(payload['elements']);
  if (elements.length > 100) return graphError(400, 100, '(#100) param elements has too many elements (max 100).', 2018047);
  const items = elements.map((e) => str(asObject(e)?.['title'])).filter((t): t is string => t !== null);
  const itemsText = items.length > 0 ? ` (${items.join(', ')})` : '';
  return {
    kind: 'receipt',
    templateType: 'receipt',
    text: `Receipt ${String(payload['order_number'])} for ${String(payload['recipient_name'])}: ${String(total)} ${String(payload['currency'])} paid with ${String(payload['payment_method'])}${itemsText}`,
  };
}

function buildButtonTemplate(payload: JsonObject): BuiltBody | SimResponse {
  const text = payload['text'];
  if (typeof text !== 'string' || text === '') return templateError('param text must be a non-empty string');
  if (text.length > LIMITS.buttonText) return templateError(`param text must be at most ${LIMITS.buttonText} characters`);
  const buttons = arr(payload['buttons']);
  if (buttons.length === 0 || buttons.length > LIMITS.buttons || !Array.isArray(payload['buttons'])) {
    return templateError(`param buttons must have between 1 and ${LIMITS.buttons} elements`);
  }
  const problem = buttonsProblem(buttons, 'buttons');
  if (problem) return templateError(problem);
  return { kind: 'template', templateType: 'button', text: `${text} ${buttonTitles(buttons)}` };
}

function buildGenericTemplate(payload: JsonObject): BuiltBody | SimResponse {
  const elements = arr(payload['elements']);
  if (elements.length === 0 || elements.length > LIMITS.elements) {
    return templateError(`param elements must have between 1 and ${LIMITS.elements} elements`);
  }
  const lines: string[] = [];
  for (const [i, item] of elements.entries()) {
    const e = asObject(item);
    const title = e ? e['title'] : undefined;
    if (!e || typeof title !== 'string' || title === '') return templateError(`param elements[${i}][title] must be a non-empty string`);
    if (title.length > LIMITS.elementText) return templateError(`param elements[${i}][title] must be at most ${LIMITS.elementText} characters`);
    const subtitle = e['subtitle'];
    if (subtitle !== undefined && (typeof subtitle !== 'string' || subtitle.length > LIMITS.elementText)) {
      return templateError(`param elements[${i}][subtitle] must be a string of at most ${LIMITS.elementText} characters`);
    }
    const buttons = arr(e['buttons']);
    if (buttons.length > LIMITS.buttons) return templateError(`param elements[${i}][buttons] must have at most ${LIMITS.buttons} elements`);
    const problem = buttonsProblem(buttons, `elements[${i}][buttons]`);
    if (problem) return templateError(problem);
    lines.push(`${title}${typeof subtitle === 'string' ? ` (${subtitle})` : ''} ${buttonTitles(buttons)}`.trim());
  }
  return { kind: 'template', templateType: 'generic', text: `Cards: ${lines.join(' | ')}` };
}

/** Checks template or menu buttons; returns Graph-style problem text, or null when they are fine. */
function buttonsProblem(buttons: unknown[], where: string): string | null {
  for (const [i, item] of buttons.entries()) {
    const b = asObject(item);
    const type = b ? str(b['type']) : null;
    if (!b || !type || !BUTTON_TYPES.has(type)) return `param ${where}[${i}][type] must be one of {${[...BUTTON_TYPES].join(', ')}}`;
    const title = str(b['title']);
    if (!title || title.length > LIMITS.title) return `param ${where}[${i}][title] must be a non-empty string of at most ${LIMITS.title} characters`;
    if (type === 'web_url' && !/^https?:\/\/\S+$/.test(str(b['url']) ?? '')) return `param ${where}[${i}][url] must be a valid http(s) URL`;
    if (type !== 'web_url') {
      const payload = str(b['payload']);
      if (!payload || payload.length > LIMITS.payload) return `param ${where}[${i}][payload] must be a non-empty string of at most ${LIMITS.payload} characters`;
    }
  }
  return null;
}

function buttonTitles(buttons: unknown[]): string {
  return buttons.map((b) => `[${str(asObject(b)?.['title']) ?? '?'}]`).join(' ');
}

/** The payloads of `message.quick_replies` (≤ 13, text ones with title ≤ 20 and a payload), or Graph's error. */
function quickReplyPayloads(value: unknown): string[] | SimResponse {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.length === 0 || value.length > LIMITS.quickReplies) {
    return paramError(`param message[quick_replies] must be an array of between 1 and ${LIMITS.quickReplies} elements`);
  }
  const out: string[] = [];
  for (const [i, item] of value.entries()) {
    const q = asObject(item);
    const type = q ? str(q['content_type']) : null;
    if (!q || !type || !QUICK_REPLY_TYPES.has(type)) {
      return paramError(`param message[quick_replies][${i}][content_type] must be one of {${[...QUICK_REPLY_TYPES].join(', ')}}`);
    }
    if (type !== 'text') continue;
    const title = str(q['title']);
    if (!title || title.length > LIMITS.title) return paramError(`param message[quick_replies][${i}][title] must be a non-empty string of at most ${LIMITS.title} characters`);
    const payload = str(q['payload']);
    if (!payload || payload.length > LIMITS.payload) return paramError(`param message[quick_replies][${i}][payload] must be a non-empty string of at most ${LIMITS.payload} characters`);
    out.push(payload);
  }
  return out;
}

/** `persistent_menu`: locale objects, one "default", each with 1–20 flat postback/web_url call_to_actions. */
function validatePersistentMenu(value: unknown): JsonObject[] | SimResponse {
  if (!Array.isArray(value) || value.length === 0) return paramError('param persistent_menu must be a non-empty array');
  const menus: JsonObject[] = [];
  for (const [i, item] of value.entries()) {
    const menu = asObject(item);
    if (!menu || !str(menu['locale'])) return paramError(`param persistent_menu[${i}][locale] is required`);
    const actions = menu['call_to_actions'];
    const disabled = menu['composer_input_disabled'] === true;
    if (!Array.isArray(actions) || (actions.length === 0 && !disabled) || actions.length > LIMITS.menuItems) {
      return paramError(`param persistent_menu[${i}][call_to_actions] must have between 1 and ${LIMITS.menuItems} elements`);
    }
    if (actions.some((a) => asObject(a)?.['type'] === 'nested')) return paramError('nested persistent menus are no longer supported; use up to 20 flat items');
    const problem = buttonsProblem(actions, `persistent_menu[${i}][call_to_actions]`);
    if (problem) return paramError(problem);
    menus.push(menu);
  }
  if (!menus.some((m) => m['locale'] === 'default')) return paramError('param persistent_menu must include a menu with locale "default"');
  return menus;
}

function paramError(problem: string): SimResponse {
  return graphError(400, 100, `(#100) ${problem}`);
}

function templateError(problem: string): SimResponse {
  return graphError(400, 100, `(#100) ${problem}`, 2018047);
}

/** Graph takes the page token as ?access_token=; a Bearer header is accepted as well. */
function token(req: SimRequest): string | null {
  const q = req.query['access_token'];
  if (q) return q;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers['authorization'] ?? '');
  return m?.[1] ?? null;
}

function graphErrorBody(code: number, message: string, subcode?: number, type = 'OAuthException'): JsonObject {
  const error: JsonObject = { message, type, code };
  if (subcode !== undefined) error['error_subcode'] = subcode;
  error['fbtrace_id'] = randomBytes(12).toString('base64url');
  return { error };
}

function graphError(status: number, code: number, message: string, subcode?: number, type?: string): SimResponse {
  return { status, body: graphErrorBody(code, message, subcode, type) };
}

function newMid(): string {
  return 'm_' + randomBytes(24).toString('base64url');
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => {
    // Unref'd so pending delivery webhooks never keep a test process or CLI alive.
    setTimeout(resolve, ms).unref();
  });
}
