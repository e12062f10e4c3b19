// A Facebook Messenger Send API simulator: the Graph routes the adapter uses (page lookup, send) with Graph's
// validation and error bodies, the 24 h standard window and message tags, plus signed webhooks for inbound
// messages/postbacks and deliveries. Control routes (besides the base class's faults/requests/reset):
//   POST /_sim/pages      {pageId, name, pageAccessToken, appSecret, webhookUrl?}
//   GET  /_sim/pages
//   GET  /_sim/messages?psid=        the outbox, oldest first
//   POST /_sim/inbound    {pageId, psid, text? | postbackPayload?, postbackTitle?}
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
}

export interface MessengerSimMessage {
  id: string;
  pageId: string;
  psid: string;
  messagingType: string;
  tag: string | null;
  kind: 'text' | 'receipt' | 'template' | 'attachment';
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

  /**
   * Registers the PSID, opens its 24 h window and posts a signed message (or postback) webhook.
   * Returns the hub's HTTP status (0 if unreachable or the page has no webhookUrl) and the event's mid.
   */
  async emitInbound(input: MessengerSimInbound): Promise<{ status: number; mid: string }> {
    const page = this.pages.get(input.pageId);
    if (!page) throw new Error(`unknown page id ${input.pageId}`);
    if (input.text === undefined && input.postbackPayload === undefined) throw new Error('inbound needs text or postbackPayload');
    const now = Date.now();
    const mid = newMid();
    this.registerPsid(page.pageId, input.psid, now);
    const event: JsonObject = { sender: { id: input.psid }, recipient: { id: page.pageId }, timestamp: now };
    if (input.postbackPayload !== undefined) {
      event['postback'] = { mid, title: input.postbackTitle ?? input.postbackPayload, payload: input.postbackPayload };
    } else {
      event['message'] = { mid, text: input.text };
    }
    return { status: await this.postWebhook(page, event), mid };
  }

  protected override resetState(): void {
    this.generation++;
    this.outbox.length = 0;
    this.psids.clear();
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
      renderedText: built.text,
      message,
      at: Date.now(),
      deliveryWebhookStatus: null,
    };
    this.outbox.push(msg);
    if (this.deliveryWebhooks && page.webhookUrl) this.scheduleDelivery(page, msg);
    return { status: 200, body: { recipient_id: psid, message_id: msg.id } };
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
    this.route('POST', '/_sim/inbound', async (req) => {
      const b = asObject(req.json);
      const pageId = b ? str(b['pageId']) : null;
      const psid = b ? str(b['psid']) : null;
      if (!b || !pageId || !psid) return { status: 400, body: { error: 'pageId and psid are required' } };
      const input: MessengerSimInbound = { pageId, psid };
      for (const key of ['text', 'postbackPayload', 'postbackTitle'] as const) {
        const v = str(b[key]);
        if (v !== null) input[key] = v;
      }
      if (!this.pages.has(pageId)) return { status: 404, body: { error: `unknown page id ${pageId}` } };
      if (input.text === undefined && input.postbackPayload === undefined) return { status: 400, body: { error: 'text or postbackPayload is required' } };
      const result = await this.emitInbound(input);
      return { status: 200, body: { delivered: result.status, mid: result.mid } };
    }, false);
  }
}

// -------------------------------------------------------------------------------------------------

type Built = { kind: MessengerSimMessage['kind']; text: string } | SimResponse;

/** Validates the Send API `message` object the way Graph does for the kinds the hub sends. */
function buildMessage(message: JsonObject): Built {
  const text = message['text'];
  if (text !== undefined) {
    if (typeof text !== 'string' || text === '') return graphError(400, 100, '(#100) Param message[text] must be a non-empty UTF-8 encoded string');
    if (text.length > 2000) return graphError(400, 100, '(#100) Length of param message[text] must be less than or equal to 2000');
    return { kind: 'text', text };
  }
  const attachment = asObject(message['attachment']);
  if (!attachment) return graphError(400, 100, '(#100) Must send either message text or an attachment');
  if (attachment['type'] !== 'template') return { kind: 'attachment', text: `[${String(attachment['type'])} attachment]` };
  const payload = asObject(attachment['payload']);
  if (!payload) return graphError(400, 100, '(#100) The parameter message[attachment][payload] is required');
  if (payload['template_type'] !== 'receipt') return { kind: 'template', text: `[${String(payload['template_type'])} template]` };

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
    text: `Receipt ${String(payload['order_number'])} for ${String(payload['recipient_name'])}: ${String(total)} ${String(payload['currency'])} paid with ${String(payload['payment_method'])}${itemsText}`,
  };
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
