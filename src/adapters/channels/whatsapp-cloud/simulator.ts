// A Meta WhatsApp Cloud API simulator: the Graph routes the adapter uses (phone number, template list,
// send) with Meta's validation and error bodies, plus signed webhooks for delivery statuses and inbound
// customer messages. Interactive sends (reply buttons, lists) are checked against Meta's limits (131009) and their
// choices recorded on the outbox message. Control routes (besides the base class's faults/requests/reset):
//   POST /_sim/phone-numbers   {phoneNumberId, wabaId, accessToken, appSecret, displayPhoneNumber, webhookUrl?}
//   GET  /_sim/phone-numbers
//   POST /_sim/templates       {wabaId, name, language, status, category, bodyText, parameterFormat?}
//   GET  /_sim/templates?wabaId=
//   GET  /_sim/messages?to=&limit=      the outbox, oldest first (limit keeps the newest N)
//   POST /_sim/inbound         {phoneNumberId, from, text? | buttonPayload?, buttonTitle?, buttonType?, contextId?, profileName?}
//                              buttonType: interactive (button_reply, default) | list (list_reply) | template (quick
//                              reply); with contextId of an interactive message in the outbox, the payload must be
//                              one of its choice ids, and the title and reply type default to that choice's.
//   POST /_sim/statuses        {messageId, status, phoneNumberId?, recipientId?, errorCode?, errorTitle?, errorDetails?}
//   GET  /_sim/settings, POST /_sim/settings {statusWebhooks?, autoRead?, statusDelayMs?}
import { createHmac, randomBytes, randomInt } from 'node:crypto';
import type { TemplateParameter, TemplateStatus } from '../../../core/channels/ports.js';
import { templateStatuses } from '../../../core/channels/ports.js';
import type { SimRequest, SimResponse } from '../../../sandbox/simulator.js';
import { Simulator, deliverWebhook } from '../../../sandbox/simulator.js';
import type { JsonObject } from '../wire.js';
import { arr, asObject, num, str } from '../wire.js';
// The simulator's own template handling, not the adapter's (see template-text.ts).
import { parsePlaceholders, renderTemplate } from '../../../sandbox/template-text.js';

export interface WhatsAppSimPhoneNumber {
  phoneNumberId: string;
  wabaId: string;
  accessToken: string;
  appSecret: string;
  /** Digits as Meta shows them in webhooks' metadata, e.g. "15550783881". */
  displayPhoneNumber: string;
  verifiedName?: string;
  /** Where statuses and inbound messages are posted; null keeps them in the outbox only. */
  webhookUrl?: string | null;
}

export interface WhatsAppSimTemplateInput {
  name: string;
  language: string;
  status: TemplateStatus;
  category: string;
  bodyText: string;
  parameterFormat?: 'POSITIONAL' | 'NAMED';
}

export interface WhatsAppSimTemplate extends Required<WhatsAppSimTemplateInput> {
  id: string;
  placeholders: string[];
}

export type WhatsAppSimStatus = 'sent' | 'delivered' | 'read' | 'failed';

export interface WhatsAppSimStatusRecord {
  status: WhatsAppSimStatus;
  at: number;
  errorCode: number | null;
  /** Hub's final HTTP answer to the webhook; 0 when unreachable; null while pending or with no webhookUrl. */
  webhookStatus: number | null;
}

/** The choices of an interactive message as the simulator accepted them. */
export interface WhatsAppSimInteractive {
  type: 'button' | 'list';
  /** Reply buttons, or the list's rows across all sections, in order. */
  choices: Array<{ id: string; title: string; description: string | null }>;
  /** The list's open button label; null for reply buttons. */
  listButton: string | null;
}

export interface WhatsAppSimMessage {
  id: string;
  phoneNumberId: string;
  to: string;
  type: 'template' | 'text' | 'interactive';
  templateName: string | null;
  language: string | null;
  parameters: TemplateParameter[];
  /** Template body with parameters substituted, or the free-form body. */
  renderedText: string;
  /** Buttons or list rows of an interactive message; null for other types. */
  interactive: WhatsAppSimInteractive | null;
  at: number;
  /** The asynchronous failure the simulator decided on at acceptance (invalid recipient, closed window). */
  failure: { code: number; title: string } | null;
  /** Statuses emitted for this message (only when status webhooks are on). */
  statuses: WhatsAppSimStatusRecord[];
}

export interface WhatsAppSimSettings {
  statusWebhooks: boolean;
  autoRead: boolean;
  statusDelayMs: number;
}

export interface WhatsAppCloudSimulatorOptions extends Partial<WhatsAppSimSettings> {
  /** Graph version path the provider routes live under; the adapter's baseUrl is `${sim.baseUrl}${apiPrefix}`. */
  apiPrefix?: string;
  /** Outbox cap; the oldest messages are dropped beyond it. */
  maxOutbox?: number;
  /** Waits between webhook delivery attempts; its length is the number of retries. */
  webhookRetryDelaysMs?: number[];
  /** Webhook posts in flight at once; the rest queue, so a burst cannot exhaust sockets. */
  webhookConcurrency?: number;
}

export interface WhatsAppSimInbound {
  phoneNumberId: string;
  from: string;
  text?: string;
  /** A button tap instead of text: interactive button_reply (default), list_reply, or a template quick reply. */
  buttonPayload?: string;
  buttonTitle?: string;
  buttonType?: 'interactive' | 'list' | 'template';
  /** The wamid of the business message being replied to / whose button was tapped. */
  contextId?: string;
  profileName?: string;
  /** The inbound message's wamid; generated when absent. */
  id?: string;
}

export interface WhatsAppSimStatusInput {
  messageId: string;
  status: WhatsAppSimStatus;
  /** Needed only when the message is not in the outbox. */
  phoneNumberId?: string;
  recipientId?: string;
  errorCode?: number;
  errorTitle?: string;
  errorDetails?: string;
}

/** What the outbox keeps per message: compact, since it may hold ~200k of them; rendered on read. */
interface OutboxEntry {
  id: string;
  phoneNumberId: string;
  to: string;
  type: 'template' | 'text' | 'interactive';
  template: WhatsAppSimTemplate | null;
  /** Template parameter values in placeholder order. */
  values: string[] | null;
  text: string | null;
  interactive: WhatsAppSimInteractive | null;
  at: number;
  failure: Readonly<{ code: number; title: string }> | null;
  statuses: WhatsAppSimStatusRecord[] | null;
}

const UNDELIVERABLE = Object.freeze({ code: 131026, title: 'Message undeliverable' });
const REENGAGEMENT = Object.freeze({ code: 131047, title: 'Re-engagement message' });

const TEMPLATE_STATUSES: readonly TemplateStatus[] = templateStatuses;

const WINDOW_MS = 24 * 60 * 60 * 1000;
const MAX_WINDOWS = 200_000;

const DEFAULT_TEMPLATES: WhatsAppSimTemplateInput[] = [
  {
    name: 'order_placed',
    language: 'en_US',
    status: 'APPROVED',
    category: 'UTILITY',
    bodyText: 'Hi {{1}}, thank you for your order {{2}}. Total: {{3}}. We will let you know when it ships.',
  },
  {
    name: 'order_shipped',
    language: 'en_US',
    status: 'APPROVED',
    category: 'UTILITY',
    bodyText: 'Good news {{1}}! Your order {{2}} has shipped. Track it here: {{3}}',
  },
  {
    name: 'order_delivered',
    language: 'en_US',
    status: 'APPROVED',
    category: 'UTILITY',
    bodyText: 'Hi {{1}}, your order {{2}} has been delivered. Enjoy!',
  },
  {
    name: 'promo_pending',
    language: 'en_US',
    status: 'PENDING',
    category: 'MARKETING',
    bodyText: 'Hi {{1}}, enjoy {{2}} off your next order with code {{3}}.',
  },
  {
    name: 'old_rejected',
    language: 'en_US',
    status: 'REJECTED',
    category: 'MARKETING',
    bodyText: 'Last chance {{1}}! Everything must go.',
  },
];

const ERROR_TITLES: Record<number, string> = {
  131026: 'Message undeliverable',
  131047: 'Re-engagement message',
  131049: 'This message was not delivered to maintain healthy ecosystem engagement.',
  131000: 'Something went wrong',
};

export class WhatsAppCloudSimulator extends Simulator {
  readonly name = 'whatsapp-cloud';
  readonly apiPrefix: string;
  private readonly settingsValue: WhatsAppSimSettings;
  private readonly maxOutbox: number;
  private readonly retryDelaysMs: number[];
  private readonly webhookConcurrency: number;
  private webhooksInFlight = 0;
  private readonly webhookQueue: Array<() => void> = [];
  private readonly phones = new Map<string, WhatsAppSimPhoneNumber & { webhookUrl: string | null }>();
  private readonly templates = new Map<string, Map<string, WhatsAppSimTemplate>>();
  // Insertion-ordered, so the oldest entry is the first key: O(1) eviction at benchmark rates.
  private readonly outbox = new Map<string, OutboxEntry>();
  private readonly windows = new Map<string, number>();
  private templateSeq = randomInt(100_000, 900_000) * 1_000_000_000;
  // Bumped on reset/close so status chains scheduled before it stop quietly.
  private generation = 0;

  constructor(options: WhatsAppCloudSimulatorOptions = {}) {
    super();
    const prefix = options.apiPrefix ?? '/v23.0';
    this.apiPrefix = prefix === '' ? '' : '/' + prefix.replace(/^\/+|\/+$/g, '');
    this.settingsValue = { statusWebhooks: true, autoRead: false, statusDelayMs: 20 };
    this.applySettings(options);
    this.maxOutbox = options.maxOutbox ?? 200_000;
    this.retryDelaysMs = options.webhookRetryDelaysMs ?? [50, 200, 500];
    this.webhookConcurrency = Math.max(1, options.webhookConcurrency ?? 32);

    this.registerControlRoutes();
    const p = this.apiPrefix;
    this.route('GET', `${p}/:wabaId/message_templates`, (req, params) => this.listTemplatesRoute(req, params['wabaId'] ?? ''));
    this.route('POST', `${p}/:phoneNumberId/messages`, (req, params) => this.sendRoute(req, params['phoneNumberId'] ?? ''));
    this.route('GET', `${p}/:id`, (req, params) => this.getObjectRoute(req, params['id'] ?? ''));
  }

  // ---------------------------------------------------------------------------------------------
  // State API (also reachable through the control routes)

  get settings(): WhatsAppSimSettings {
    return { ...this.settingsValue };
  }

  applySettings(input: Partial<WhatsAppSimSettings>): WhatsAppSimSettings {
    if (input.statusWebhooks !== undefined) this.settingsValue.statusWebhooks = input.statusWebhooks;
    if (input.autoRead !== undefined) this.settingsValue.autoRead = input.autoRead;
    if (input.statusDelayMs !== undefined) this.settingsValue.statusDelayMs = Math.max(0, input.statusDelayMs);
    return this.settings;
  }

  /** Registers (or replaces) a business phone number; its WABA gets the default templates when new. */
  addPhoneNumber(phone: WhatsAppSimPhoneNumber): void {
    this.phones.set(phone.phoneNumberId, { ...phone, webhookUrl: phone.webhookUrl ?? null });
    this.wabaTemplates(phone.wabaId);
  }

  phoneNumbers(): WhatsAppSimPhoneNumber[] {
    return [...this.phones.values()].map((p) => ({ ...p }));
  }

  setWebhookUrl(phoneNumberId: string, webhookUrl: string | null): void {
    const phone = this.phones.get(phoneNumberId);
    if (!phone) throw new Error(`unknown phone number id ${phoneNumberId}`);
    phone.webhookUrl = webhookUrl;
  }

  upsertTemplate(wabaId: string, input: WhatsAppSimTemplateInput): WhatsAppSimTemplate {
    const list = this.wabaTemplates(wabaId);
    const key = templateKey(input.name, input.language);
    const existing = list.get(key);
    const template: WhatsAppSimTemplate = {
      id: existing?.id ?? String(++this.templateSeq),
      name: input.name,
      language: input.language,
      status: input.status,
      category: input.category,
      bodyText: input.bodyText,
      parameterFormat: input.parameterFormat ?? 'POSITIONAL',
      placeholders: parsePlaceholders(input.bodyText),
    };
    list.set(key, template);
    return template;
  }

  listTemplates(wabaId: string): WhatsAppSimTemplate[] {
    return [...(this.templates.get(wabaId)?.values() ?? [])];
  }

  /** The outbox, oldest first, optionally for one recipient. */
  messages(to?: string): WhatsAppSimMessage[] {
    const out: WhatsAppSimMessage[] = [];
    for (const entry of this.outbox.values()) if (to === undefined || entry.to === to) out.push(publicMessage(entry));
    return out;
  }

  message(id: string): WhatsAppSimMessage | undefined {
    const entry = this.outbox.get(id);
    return entry ? publicMessage(entry) : undefined;
  }

  /** Opens the 24h customer-service window as if `from` had just written to the number. */
  openWindow(phoneNumberId: string, from: string, at = Date.now()): void {
    const key = windowKey(phoneNumberId, from);
    this.windows.delete(key);
    this.windows.set(key, at);
    if (this.windows.size > MAX_WINDOWS) {
      const oldest = this.windows.keys().next();
      if (!oldest.done) this.windows.delete(oldest.value);
    }
  }

  isWindowOpen(phoneNumberId: string, recipient: string, now = Date.now()): boolean {
    const at = this.windows.get(windowKey(phoneNumberId, recipient));
    return at !== undefined && now - at < WINDOW_MS;
  }

  /** Posts an inbound customer message webhook and opens the window; returns the hub's HTTP status (0 if unreachable). */
  async emitInbound(input: WhatsAppSimInbound): Promise<number> {
    return (await this.inbound(input)).status;
  }

  /** Posts a status webhook for any message id; returns the hub's HTTP status (0 if unreachable). */
  async emitStatus(input: WhatsAppSimStatusInput): Promise<number> {
    const msg = this.outbox.get(input.messageId);
    const phoneNumberId = input.phoneNumberId ?? msg?.phoneNumberId;
    const phone = phoneNumberId !== undefined ? this.phones.get(phoneNumberId) : undefined;
    if (!phone) throw new Error(`unknown phone number for message ${input.messageId}; pass phoneNumberId`);
    if (!phone.webhookUrl) throw new Error(`phone number ${phone.phoneNumberId} has no webhookUrl`);
    const recipient = input.recipientId ?? msg?.to;
    if (recipient === undefined) throw new Error(`unknown recipient for message ${input.messageId}; pass recipientId`);
    const code = input.errorCode ?? 131000;
    const error =
      input.status === 'failed'
        ? { code, title: input.errorTitle ?? ERROR_TITLES[code] ?? 'Message failed', details: input.errorDetails ?? null }
        : null;
    return this.pushStatus(phone, {
      messageId: input.messageId,
      status: input.status,
      recipient,
      pricing: msg ? pricingFor(msg) : null,
      error,
      record: msg ?? null,
    });
  }

  protected override resetState(): void {
    this.generation++;
    this.outbox.clear();
    this.windows.clear();
  }

  override async close(): Promise<void> {
    this.generation++;
    await super.close();
  }

  /** Graph-style bodies for injected faults, so the adapter classifies them as it would Meta's. */
  protected override faultBody(status: number): unknown {
    if (status === 429) return graphErrorBody(130429, '(#130429) Rate limit hit', 'Cloud API message throughput has been reached.');
    if (status === 401) return graphErrorBody(190, 'Invalid OAuth access token - Cannot parse access token', null);
    if (status === 503) return graphErrorBody(131016, '(#131016) Service unavailable', 'A service is temporarily unavailable.');
    if (status >= 500) return graphErrorBody(131000, '(#131000) Something went wrong', 'Something went wrong. Please try again later.');
    if (status === 408) return graphErrorBody(2, 'An unexpected error has occurred. Please retry your request later.', null);
    return graphErrorBody(100, '(#100) Invalid parameter', `Simulated HTTP ${status}`);
  }

  // ---------------------------------------------------------------------------------------------
  // Provider routes

  private getObjectRoute(req: SimRequest, id: string): SimResponse {
    const phone = this.phones.get(id);
    const token = bearer(req);
    if (phone && token === phone.accessToken) {
      const full: JsonObject = {
        display_phone_number: phone.displayPhoneNumber,
        verified_name: phone.verifiedName ?? 'Shoptalk Sandbox',
        quality_rating: 'GREEN',
        code_verification_status: 'VERIFIED',
        platform_type: 'CLOUD_API',
        id: phone.phoneNumberId,
      };
      return { status: 200, body: pickFields(full, req.query['fields']) };
    }
    const wabaPhones = [...this.phones.values()].filter((p) => p.wabaId === id);
    if (wabaPhones.some((p) => p.accessToken === token)) {
      return { status: 200, body: pickFields({ id, name: `Sandbox WABA ${id}`, currency: 'USD', timezone_id: '1' }, req.query['fields']) };
    }
    return this.authFailure(token, phone !== undefined || wabaPhones.length > 0, id, 'get');
  }

  private listTemplatesRoute(req: SimRequest, wabaId: string): SimResponse {
    const token = bearer(req);
    const wabaPhones = [...this.phones.values()].filter((p) => p.wabaId === wabaId);
    if (!wabaPhones.some((p) => p.accessToken === token)) {
      return this.authFailure(token, this.templates.has(wabaId), wabaId, 'get');
    }
    const q = req.query;
    let all = this.listTemplates(wabaId);
    if (q['status']) {
      const wanted = new Set(q['status'].split(',').map((s) => s.trim().toUpperCase()));
      all = all.filter((t) => wanted.has(t.status));
    }
    if (q['name']) {
      const needle = q['name'].toLowerCase();
      all = all.filter((t) => t.name.toLowerCase().includes(needle));
    }
    const limit = Math.min(Math.max(Number(q['limit']) || 25, 1), 1000);
    let start = 0;
    if (q['after']) {
      const index = decodeCursor(q['after']);
      if (index === null) return graphError(400, 100, '(#100) Invalid parameter', `Invalid cursor: ${q['after']}`);
      start = index + 1;
    } else if (q['before']) {
      const index = decodeCursor(q['before']);
      if (index === null) return graphError(400, 100, '(#100) Invalid parameter', `Invalid cursor: ${q['before']}`);
      start = Math.max(0, index - limit);
    }
    const page = all.slice(start, start + limit);
    const data = page.map((t) => pickFields(templateJson(t), q['fields']));
    const paging: JsonObject = {};
    if (page.length > 0) {
      const first = start;
      const last = start + page.length - 1;
      paging['cursors'] = { before: encodeCursor(first), after: encodeCursor(last) };
      const pageUrl = (cursorKey: 'after' | 'before', cursor: string): string => {
        const params = new URLSearchParams();
        for (const [k, v] of Object.entries(q)) if (k !== 'after' && k !== 'before') params.set(k, v);
        params.set('limit', String(limit));
        params.set(cursorKey, cursor);
        return `${this.baseUrl}${this.apiPrefix}/${encodeURIComponent(wabaId)}/message_templates?${params.toString()}`;
      };
      if (last + 1 < all.length) paging['next'] = pageUrl('after', encodeCursor(last));
      if (first > 0) paging['previous'] = pageUrl('before', encodeCursor(first));
    }
    return { status: 200, body: { data, paging } };
  }

  private sendRoute(req: SimRequest, phoneNumberId: string): SimResponse {
    const phone = this.phones.get(phoneNumberId);
    const token = bearer(req);
    if (!phone || token !== phone.accessToken) return this.authFailure(token, phone !== undefined, phoneNumberId, 'post');

    const body = asObject(req.json) ?? {};
    if (body['messaging_product'] === undefined) return missingParam('messaging_product');
    if (body['messaging_product'] !== 'whatsapp') {
      return graphError(400, 100, `(#100) Param messaging_product must be one of {WHATSAPP} - got "${String(body['messaging_product'])}".`, null);
    }
    const to = str(body['to']);
    if (!to) return missingParam('to');
    const waId = to.replace(/\D/g, '');
    if (!/^\+?[\d\s().-]+$/.test(to) || waId.length < 5 || waId.length > 15) {
      return graphError(400, 100, '(#100) Invalid parameter', `Parameter to (${to}) is not a valid WhatsApp phone number`);
    }
    const type = str(body['type']);
    if (!type) return missingParam('type');

    let msg: OutboxEntry;
    if (type === 'template') {
      const built = this.buildTemplateMessage(phone.wabaId, asObject(body['template']));
      if (!('template' in built)) return built;
      msg = newEntry(phoneNumberId, to, 'template', built.template, built.values, null);
    } else if (type === 'text') {
      const text = asObject(body['text']);
      const textBody = text ? str(text['body']) : null;
      if (!textBody) return missingParam("text['body']");
      if (textBody.length > 4096) {
        return graphError(400, 100, '(#100) Invalid parameter', "Param text['body'] must be at most 4096 characters long.");
      }
      msg = newEntry(phoneNumberId, to, 'text', null, null, textBody);
    } else if (type === 'interactive') {
      const built = buildInteractive(asObject(body['interactive']));
      if (!('interactive' in built)) return built;
      msg = newEntry(phoneNumberId, to, 'interactive', null, null, built.text, built.interactive);
    } else {
      return graphError(400, 100, '(#100) Invalid parameter', `Message type ${type} is not supported by the simulator (template, text, interactive)`);
    }

    // Like Meta, these failures are not refused synchronously: the send is accepted, a failed status follows.
    if (this.isInvalidRecipient(to) || this.isInvalidRecipient(waId)) {
      msg.failure = UNDELIVERABLE;
    } else if (msg.type !== 'template' && !this.isWindowOpen(phoneNumberId, waId)) {
      msg.failure = REENGAGEMENT;
    }
    this.store(msg);
    if (this.settingsValue.statusWebhooks) this.scheduleStatuses(phone, msg);

    const accepted: JsonObject = msg.type === 'template' ? { id: msg.id, message_status: 'accepted' } : { id: msg.id };
    return {
      status: 200,
      body: { messaging_product: 'whatsapp', contacts: [{ input: to, wa_id: waId }], messages: [accepted] },
    };
  }

  private buildTemplateMessage(
    wabaId: string,
    template: JsonObject | null,
  ): SimResponse | { template: WhatsAppSimTemplate; values: string[] } {
    if (!template) return missingParam('template');
    const name = str(template['name']);
    if (!name) return missingParam("template['name']");
    const language = str(asObject(template['language'])?.['code']);
    if (!language) return missingParam("template['language']");
    const tpl = this.templates.get(wabaId)?.get(templateKey(name, language));
    if (tpl?.status === 'PAUSED') return graphError(400, 132015, '(#132015) Template is Paused', `template name (${name}) is paused in ${language}`);
    if (tpl?.status === 'DISABLED') return graphError(400, 132016, '(#132016) Template is Disabled', `template name (${name}) is disabled in ${language}`);
    // Meta answers the same way for a missing translation and one that is not approved.
    if (!tpl || tpl.status !== 'APPROVED') {
      return graphError(400, 132001, '(#132001) Template name does not exist in the translation', `template name (${name}) does not exist in ${language}`, 2494073);
    }

    const bodyComponent = arr(template['components'])
      .map(asObject)
      .find((c) => c !== null && String(c['type']).toLowerCase() === 'body');
    const given = arr(bodyComponent?.['parameters']).map(asObject);
    if (given.length !== tpl.placeholders.length) {
      return graphError(
        400,
        132000,
        '(#132000) Number of parameters does not match the expected number of params',
        `body: number of localizable_params (${given.length}) does not match the expected number of params (${tpl.placeholders.length})`,
      );
    }
    const byName = new Map<string, string>();
    for (let i = 0; i < given.length; i++) {
      const p = given[i] ?? {};
      const value = parameterText(p);
      const paramName = tpl.parameterFormat === 'NAMED' ? str(p['parameter_name']) : (tpl.placeholders[i] ?? String(i + 1));
      if (paramName === null || !tpl.placeholders.includes(paramName)) {
        return graphError(
          400,
          132000,
          '(#132000) Number of parameters does not match the expected number of params',
          `body: parameter_name (${paramName ?? 'missing'}) is not one of ${tpl.placeholders.join(', ')}`,
        );
      }
      if (value === null || value === '') {
        return graphError(400, 131008, '(#131008) Required parameter is missing', `body: parameter ${paramName} has no text`);
      }
      // Meta refuses template text parameters with new lines, tabs or more than four consecutive spaces.
      if (/[\n\t]| {5,}/.test(value)) {
        return graphError(
          400,
          132018,
          '(#132018) There was an issue with the parameters in your template.',
          'Param text cannot have new-line/tab characters or more than 4 consecutive spaces',
        );
      }
      byName.set(paramName, value);
    }
    if (byName.size !== tpl.placeholders.length) {
      const missing = tpl.placeholders.filter((n) => !byName.has(n));
      return graphError(
        400,
        132000,
        '(#132000) Number of parameters does not match the expected number of params',
        `body: missing parameter_name ${missing.join(', ')}`,
      );
    }
    return { template: tpl, values: tpl.placeholders.map((n) => byName.get(n) ?? '') };
  }

  private authFailure(token: string | null, objectKnown: boolean, id: string, verb: 'get' | 'post'): SimResponse {
    const tokenKnown = token !== null && [...this.phones.values()].some((p) => p.accessToken === token);
    // Graph checks the token before looking the object up.
    if (!tokenKnown || objectKnown) {
      return graphError(401, 190, 'Invalid OAuth access token - Cannot parse access token', null, undefined, 'OAuthException');
    }
    return graphError(
      400,
      100,
      `Unsupported ${verb} request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api`,
      null,
      33,
      'GraphMethodException',
    );
  }

  // ---------------------------------------------------------------------------------------------
  // Webhooks

  private store(msg: OutboxEntry): void {
    this.outbox.set(msg.id, msg);
    if (this.outbox.size > this.maxOutbox) {
      const oldest = this.outbox.keys().next();
      if (!oldest.done) this.outbox.delete(oldest.value);
    }
  }

  private scheduleStatuses(phone: WhatsAppSimPhoneNumber & { webhookUrl: string | null }, msg: OutboxEntry): void {
    const generation = this.generation;
    const sequence: WhatsAppSimStatus[] = msg.failure
      ? ['failed']
      : this.settingsValue.autoRead
        ? ['sent', 'delivered', 'read']
        : ['sent', 'delivered'];
    const delayMs = this.settingsValue.statusDelayMs;
    const pricing = msg.failure ? null : pricingFor(msg);
    const failure = msg.failure;
    const run = async (): Promise<void> => {
      // Sequential per message so the hub sees sent before delivered, as it usually does from Meta.
      for (const status of sequence) {
        await sleep(delayMs);
        if (generation !== this.generation) return;
        await this.pushStatus(phone, {
          messageId: msg.id,
          status,
          recipient: msg.to.replace(/\D/g, ''),
          pricing,
          error: status === 'failed' && failure ? { code: failure.code, title: failure.title, details: null } : null,
          record: msg,
        });
      }
    };
    run().catch(() => undefined);
  }

  private async pushStatus(
    phone: WhatsAppSimPhoneNumber & { webhookUrl: string | null },
    s: {
      messageId: string;
      status: WhatsAppSimStatus;
      recipient: string;
      pricing: JsonObject | null;
      error: { code: number; title: string; details: string | null } | null;
      record: OutboxEntry | null;
    },
  ): Promise<number> {
    const now = Date.now();
    const entry: WhatsAppSimStatusRecord = { status: s.status, at: now, errorCode: s.error?.code ?? null, webhookStatus: null };
    if (s.record) (s.record.statuses ??= []).push(entry);
    if (!phone.webhookUrl) return 0;
    const status: JsonObject = {
      id: s.messageId,
      status: s.status,
      timestamp: String(Math.floor(now / 1000)),
      recipient_id: s.recipient,
    };
    if (s.pricing && s.status !== 'failed') status['pricing'] = s.pricing;
    if (s.error) {
      status['errors'] = [
        {
          code: s.error.code,
          title: s.error.title,
          message: s.error.title,
          error_data: { details: s.error.details ?? errorDetails(s.error.code, s.error.title) },
          href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/',
        },
      ];
    }
    const code = await this.postWebhook(phone, { statuses: [status] });
    entry.webhookStatus = code;
    return code;
  }

  private async inbound(input: WhatsAppSimInbound): Promise<{ status: number; id: string }> {
    const phone = this.phones.get(input.phoneNumberId);
    if (!phone) throw new Error(`unknown phone number id ${input.phoneNumberId}`);
    if (!phone.webhookUrl) throw new Error(`phone number ${phone.phoneNumberId} has no webhookUrl`);
    if (input.text === undefined && input.buttonPayload === undefined) throw new Error('inbound needs text or buttonPayload');
    const now = Date.now();
    const id = input.id ?? newWamid();
    const message: JsonObject = { from: input.from, id, timestamp: String(Math.floor(now / 1000)) };
    if (input.contextId) message['context'] = { from: phone.displayPhoneNumber, id: input.contextId };
    if (input.buttonPayload !== undefined) {
      const tapped = this.tappedChoice(input);
      const title = input.buttonTitle ?? tapped?.choice.title ?? input.buttonPayload;
      const buttonType = input.buttonType ?? (tapped?.type === 'list' ? 'list' : 'interactive');
      if (buttonType === 'template') {
        message['type'] = 'button';
        message['button'] = { text: title, payload: input.buttonPayload };
      } else if (buttonType === 'list') {
        const reply: JsonObject = { id: input.buttonPayload, title };
        if (tapped?.choice.description) reply['description'] = tapped.choice.description;
        message['type'] = 'interactive';
        message['interactive'] = { type: 'list_reply', list_reply: reply };
      } else {
        message['type'] = 'interactive';
        message['interactive'] = { type: 'button_reply', button_reply: { id: input.buttonPayload, title } };
      }
    } else {
      message['type'] = 'text';
      message['text'] = { body: input.text };
    }
    this.openWindow(phone.phoneNumberId, input.from, now);
    const status = await this.postWebhook(phone, {
      contacts: [{ profile: { name: input.profileName ?? 'Sandbox Customer' }, wa_id: input.from }],
      messages: [message],
    });
    return { status, id };
  }

  /** Wraps a value in Meta's envelope, signs the exact bytes, and delivers with a few retries. */
  private async postWebhook(phone: WhatsAppSimPhoneNumber & { webhookUrl: string | null }, value: JsonObject): Promise<number> {
    const url = phone.webhookUrl;
    if (!url) return 0;
    const envelope = {
      object: 'whatsapp_business_account',
      entry: [
        {
          id: phone.wabaId,
          changes: [
            {
              field: 'messages',
              value: {
                messaging_product: 'whatsapp',
                metadata: { display_phone_number: phone.displayPhoneNumber, phone_number_id: phone.phoneNumberId },
                ...value,
              },
            },
          ],
        },
      ],
    };
    const raw = JSON.stringify(envelope);
    const headers = {
      'x-hub-signature-256': 'sha256=' + createHmac('sha256', phone.appSecret).update(raw).digest('hex'),
      'x-hub-signature': 'sha1=' + createHmac('sha1', phone.appSecret).update(raw).digest('hex'),
      'user-agent': 'facebookexternalua',
    };
    const generation = this.generation;
    for (let attempt = 0; ; attempt++) {
      const status = await this.deliverLimited(url, raw, headers);
      if ((status >= 200 && status < 300) || attempt >= this.retryDelaysMs.length || generation !== this.generation) return status;
      await sleep(this.retryDelaysMs[attempt] ?? 0);
    }
  }

  private async deliverLimited(url: string, raw: string, headers: Record<string, string>): Promise<number> {
    if (this.webhooksInFlight >= this.webhookConcurrency) {
      await new Promise<void>((resolve) => this.webhookQueue.push(resolve));
    } else {
      this.webhooksInFlight++;
    }
    try {
      return (await deliverWebhook(url, raw, headers, 5000)).status;
    } catch {
      return 0;
    } finally {
      // Hand the slot straight to the next waiter, or free it.
      const next = this.webhookQueue.shift();
      if (next) next();
      else this.webhooksInFlight--;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Control routes

  private registerControlRoutes(): void {
    this.route('POST', '/_sim/phone-numbers', (req) => {
      const b = asObject(req.json);
      const fields = ['phoneNumberId', 'wabaId', 'accessToken', 'appSecret', 'displayPhoneNumber'] as const;
      const missing = fields.filter((f) => !b || typeof b[f] !== 'string' || b[f] === '');
      if (!b || missing.length > 0) return { status: 400, body: { error: `required string fields: ${missing.join(', ')}` } };
      const webhookUrl = b['webhookUrl'];
      if (webhookUrl !== undefined && webhookUrl !== null && typeof webhookUrl !== 'string') {
        return { status: 400, body: { error: 'webhookUrl must be a string or null' } };
      }
      const phone: WhatsAppSimPhoneNumber = {
        phoneNumberId: String(b['phoneNumberId']),
        wabaId: String(b['wabaId']),
        accessToken: String(b['accessToken']),
        appSecret: String(b['appSecret']),
        displayPhoneNumber: String(b['displayPhoneNumber']),
        webhookUrl: webhookUrl ?? null,
      };
      const verifiedName = str(b['verifiedName']);
      if (verifiedName) phone.verifiedName = verifiedName;
      this.addPhoneNumber(phone);
      return { status: 201, body: phone };
    }, false);
    this.route('GET', '/_sim/phone-numbers', () => ({ status: 200, body: this.phoneNumbers() }), false);

    this.route('POST', '/_sim/templates', (req) => {
      const b = asObject(req.json);
      const fields = ['wabaId', 'name', 'language', 'status', 'category', 'bodyText'] as const;
      const missing = fields.filter((f) => !b || typeof b[f] !== 'string' || b[f] === '');
      if (!b || missing.length > 0) return { status: 400, body: { error: `required string fields: ${missing.join(', ')}` } };
      const status = String(b['status']).toUpperCase();
      if (!TEMPLATE_STATUSES.includes(status as TemplateStatus)) {
        return { status: 400, body: { error: `status must be one of ${TEMPLATE_STATUSES.join(', ')}` } };
      }
      const format = b['parameterFormat'];
      if (format !== undefined && format !== 'POSITIONAL' && format !== 'NAMED') {
        return { status: 400, body: { error: 'parameterFormat must be POSITIONAL or NAMED' } };
      }
      const template = this.upsertTemplate(String(b['wabaId']), {
        name: String(b['name']),
        language: String(b['language']),
        status: status as TemplateStatus,
        category: String(b['category']),
        bodyText: String(b['bodyText']),
        parameterFormat: format ?? 'POSITIONAL',
      });
      return { status: 201, body: template };
    }, false);
    this.route('GET', '/_sim/templates', (req) => {
      const wabaId = req.query['wabaId'];
      const body = wabaId !== undefined ? this.listTemplates(wabaId) : [...this.templates.keys()].flatMap((w) => this.listTemplates(w).map((t) => ({ wabaId: w, ...t })));
      return { status: 200, body };
    }, false);

    this.route('GET', '/_sim/messages', (req) => {
      const list = this.messages(req.query['to']);
      const limit = Number(req.query['limit']);
      return { status: 200, body: Number.isInteger(limit) && limit > 0 ? list.slice(-limit) : list };
    }, false);

    this.route('POST', '/_sim/inbound', async (req) => {
      const b = asObject(req.json);
      const phoneNumberId = b ? str(b['phoneNumberId']) : null;
      const from = b ? str(b['from']) : null;
      if (!b || !phoneNumberId || from === null) return { status: 400, body: { error: 'phoneNumberId and from are required' } };
      const buttonType = b['buttonType'];
      const input: WhatsAppSimInbound = {
        phoneNumberId,
        from,
        ...optionalString(b, 'text'),
        ...optionalString(b, 'buttonPayload'),
        ...optionalString(b, 'buttonTitle'),
        ...optionalString(b, 'contextId'),
        ...optionalString(b, 'profileName'),
        ...optionalString(b, 'id'),
        ...(buttonType === 'template' || buttonType === 'interactive' || buttonType === 'list' ? { buttonType } : {}),
      };
      if (buttonType !== undefined && input.buttonType === undefined) {
        return { status: 400, body: { error: 'buttonType must be interactive, list or template' } };
      }
      const problem = this.inboundProblem(input);
      if (problem) return problem;
      const result = await this.inbound(input);
      return { status: 200, body: { delivered: result.status, id: result.id } };
    }, false);

    this.route('POST', '/_sim/statuses', async (req) => {
      const b = asObject(req.json);
      const messageId = b ? str(b['messageId']) : null;
      const status = b ? str(b['status']) : null;
      if (!b || !messageId || !status || !['sent', 'delivered', 'read', 'failed'].includes(status)) {
        return { status: 400, body: { error: 'messageId and status (sent|delivered|read|failed) are required' } };
      }
      const errorCode = num(b['errorCode']);
      const input: WhatsAppSimStatusInput = {
        messageId,
        status: status as WhatsAppSimStatus,
        ...optionalString(b, 'phoneNumberId'),
        ...optionalString(b, 'recipientId'),
        ...optionalString(b, 'errorTitle'),
        ...optionalString(b, 'errorDetails'),
        ...(errorCode !== null ? { errorCode } : {}),
      };
      try {
        return { status: 200, body: { delivered: await this.emitStatus(input) } };
      } catch (err) {
        return { status: 409, body: { error: err instanceof Error ? err.message : String(err) } };
      }
    }, false);

    this.route('GET', '/_sim/settings', () => ({ status: 200, body: this.settings }), false);
    this.route('POST', '/_sim/settings', (req) => {
      const b = asObject(req.json) ?? {};
      const patch: Partial<WhatsAppSimSettings> = {};
      for (const key of ['statusWebhooks', 'autoRead'] as const) {
        if (b[key] === undefined) continue;
        if (typeof b[key] !== 'boolean') return { status: 400, body: { error: `${key} must be a boolean` } };
        patch[key] = b[key];
      }
      if (b['statusDelayMs'] !== undefined) {
        const ms = b['statusDelayMs'];
        if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) return { status: 400, body: { error: 'statusDelayMs must be a number >= 0' } };
        patch.statusDelayMs = ms;
      }
      return { status: 200, body: this.applySettings(patch) };
    }, false);
  }

  private inboundProblem(input: WhatsAppSimInbound): SimResponse | null {
    const phone = this.phones.get(input.phoneNumberId);
    if (!phone) return { status: 404, body: { error: `unknown phone number id ${input.phoneNumberId}` } };
    if (!phone.webhookUrl) return { status: 409, body: { error: `phone number ${input.phoneNumberId} has no webhookUrl` } };
    if (input.text === undefined && input.buttonPayload === undefined) return { status: 400, body: { error: 'text or buttonPayload is required' } };
    const context = input.contextId !== undefined ? this.outbox.get(input.contextId) : undefined;
    if (input.buttonPayload !== undefined && context?.interactive && !this.tappedChoice(input)) {
      const ids = context.interactive.choices.map((c) => c.id).join(', ');
      return { status: 400, body: { error: `buttonPayload ${input.buttonPayload} is not a choice of message ${context.id} (${ids})` } };
    }
    return null;
  }

  /** The choice a tap answers, when contextId names an interactive message in the outbox. */
  private tappedChoice(input: WhatsAppSimInbound): { type: WhatsAppSimInteractive['type']; choice: WhatsAppSimInteractive['choices'][number] } | null {
    const interactive = input.contextId !== undefined ? this.outbox.get(input.contextId)?.interactive : undefined;
    const choice = interactive?.choices.find((c) => c.id === input.buttonPayload);
    return interactive && choice ? { type: interactive.type, choice } : null;
  }

  private wabaTemplates(wabaId: string): Map<string, WhatsAppSimTemplate> {
    let list = this.templates.get(wabaId);
    if (!list) {
      list = new Map();
      this.templates.set(wabaId, list);
      for (const t of DEFAULT_TEMPLATES) this.upsertTemplate(wabaId, t);
    }
    return list;
  }

}

// -------------------------------------------------------------------------------------------------

// Digits only, so "+1 555..." in a send matches the "1555..." Meta reports as the sender.
function windowKey(phoneNumberId: string, address: string): string {
  return `${phoneNumberId}:${address.replace(/\D/g, '')}`;
}

function templateKey(name: string, language: string): string {
  return `${name}\u0000${language}`;
}

function templateJson(t: WhatsAppSimTemplate): JsonObject {
  return {
    name: t.name,
    parameter_format: t.parameterFormat,
    components: [{ type: 'BODY', text: t.bodyText }],
    language: t.language,
    status: t.status,
    category: t.category,
    id: t.id,
  };
}

/** Graph's `fields=` projection; `id` always comes back, like on Graph. */
function pickFields(full: JsonObject, fields: string | undefined): JsonObject {
  if (!fields) return full;
  const out: JsonObject = {};
  for (const f of fields.split(',').map((s) => s.trim())) if (f in full) out[f] = full[f];
  if ('id' in full) out['id'] = full['id'];
  return out;
}

/** Per-message pricing (PMP, since 2025-07): free-form replies in the window are free service messages. */
function pricingFor(msg: OutboxEntry): JsonObject {
  if (!msg.template) return { billable: false, pricing_model: 'PMP', category: 'service', type: 'free_customer_service' };
  return { billable: true, pricing_model: 'PMP', category: msg.template.category.toLowerCase(), type: 'regular' };
}

function newEntry(
  phoneNumberId: string,
  to: string,
  type: OutboxEntry['type'],
  template: WhatsAppSimTemplate | null,
  values: string[] | null,
  text: string | null,
  interactive: WhatsAppSimInteractive | null = null,
): OutboxEntry {
  return { id: newWamid(), phoneNumberId, to, type, template, values, text, interactive, at: Date.now(), failure: null, statuses: null };
}

function publicMessage(e: OutboxEntry): WhatsAppSimMessage {
  const parameters: TemplateParameter[] = e.template ? e.template.placeholders.map((name, i) => ({ name, value: e.values?.[i] ?? '' })) : [];
  return {
    id: e.id,
    phoneNumberId: e.phoneNumberId,
    to: e.to,
    type: e.type,
    templateName: e.template?.name ?? null,
    language: e.template?.language ?? null,
    parameters,
    renderedText: e.template ? renderTemplate(e.template.bodyText, new Map(parameters.map((p) => [p.name, p.value]))) : (e.text ?? ''),
    interactive: e.interactive ? { ...e.interactive, choices: e.interactive.choices.map((c) => ({ ...c })) } : null,
    at: e.at,
    failure: e.failure ? { ...e.failure } : null,
    statuses: e.statuses ?? [],
  };
}

// -------------------------------------------------------------------------------------------------
// Interactive messages, checked against Meta's limits. Meta answers a broken limit with 131009 "Parameter value
// is not valid" and a details string naming the field; the exact details wording is the simulator's own.

const INTERACTIVE_LIMITS = { body: 1024, buttons: 3, buttonTitle: 20, buttonId: 256, rows: 10, sections: 10, rowTitle: 24, rowId: 200, rowDescription: 72, listButton: 20, sectionTitle: 24 };

type Built<T> = SimResponse | T;

function invalidValue(details: string): SimResponse {
  return graphError(400, 131009, '(#131009) Parameter value is not valid', details);
}

function buildInteractive(interactive: JsonObject | null): Built<{ text: string; interactive: WhatsAppSimInteractive }> {
  if (!interactive) return missingParam('interactive');
  const kind = str(interactive['type']);
  if (!kind) return missingParam("interactive['type']");
  const text = str(asObject(interactive['body'])?.['text']);
  if (!text) return missingParam("interactive['body']['text']");
  if ([...text].length > INTERACTIVE_LIMITS.body) return invalidValue(`body['text'] must be at most ${INTERACTIVE_LIMITS.body} characters`);
  const action = asObject(interactive['action']);
  if (!action) return missingParam("interactive['action']");
  let built: Built<WhatsAppSimInteractive>;
  if (kind === 'button') built = buildButtons(action);
  else if (kind === 'list') built = buildList(action);
  else return graphError(400, 100, '(#100) Invalid parameter', `Interactive type ${kind} is not supported by the simulator (button, list)`);
  return 'choices' in built ? { text, interactive: built } : built;
}

function buildButtons(action: JsonObject): Built<WhatsAppSimInteractive> {
  const buttons = action['buttons'];
  if (!Array.isArray(buttons)) return missingParam("action['buttons']");
  if (buttons.length < 1 || buttons.length > INTERACTIVE_LIMITS.buttons) {
    return invalidValue(`buttons: number of buttons must be between 1 and ${INTERACTIVE_LIMITS.buttons}, got ${buttons.length}`);
  }
  const choices: WhatsAppSimInteractive['choices'] = [];
  for (const [i, raw] of buttons.entries()) {
    const button = asObject(raw);
    const reply = asObject(button?.['reply']);
    if (!button || button['type'] !== 'reply' || !reply) return invalidValue(`buttons[${i}]: type must be reply with a reply object`);
    const problem = choiceProblem(`buttons[${i}]`, reply, INTERACTIVE_LIMITS.buttonTitle, INTERACTIVE_LIMITS.buttonId);
    if (problem) return problem;
    const choice = { id: String(reply['id']), title: String(reply['title']), description: null };
    if (choices.some((c) => c.title === choice.title)) return invalidValue(`buttons[${i}]: button titles must be unique, "${choice.title}" repeats`);
    if (choices.some((c) => c.id === choice.id)) return invalidValue(`buttons[${i}]: button ids must be unique, "${choice.id}" repeats`);
    choices.push(choice);
  }
  return { type: 'button', choices, listButton: null };
}

function buildList(action: JsonObject): Built<WhatsAppSimInteractive> {
  const label = str(action['button']);
  if (!label) return missingParam("action['button']");
  if ([...label].length > INTERACTIVE_LIMITS.listButton) return invalidValue(`action['button'] must be at most ${INTERACTIVE_LIMITS.listButton} characters`);
  const sections = action['sections'];
  if (!Array.isArray(sections) || sections.length === 0) return missingParam("action['sections']");
  if (sections.length > INTERACTIVE_LIMITS.sections) return invalidValue(`sections: at most ${INTERACTIVE_LIMITS.sections} sections`);
  const choices: WhatsAppSimInteractive['choices'] = [];
  for (const [s, rawSection] of sections.entries()) {
    const section = asObject(rawSection);
    const rows = section?.['rows'];
    if (!section || !Array.isArray(rows) || rows.length === 0) return invalidValue(`sections[${s}]: rows must be a non-empty array`);
    const title = section['title'];
    if (sections.length > 1 && (typeof title !== 'string' || title === '')) return invalidValue(`sections[${s}]: title is required when there are several sections`);
    if (typeof title === 'string' && [...title].length > INTERACTIVE_LIMITS.sectionTitle) return invalidValue(`sections[${s}]: title must be at most ${INTERACTIVE_LIMITS.sectionTitle} characters`);
    for (const [r, rawRow] of rows.entries()) {
      const row = asObject(rawRow);
      const where = `sections[${s}].rows[${r}]`;
      if (!row) return invalidValue(`${where}: must be an object`);
      const problem = choiceProblem(where, row, INTERACTIVE_LIMITS.rowTitle, INTERACTIVE_LIMITS.rowId);
      if (problem) return problem;
      const description = row['description'];
      if (description !== undefined && (typeof description !== 'string' || [...description].length > INTERACTIVE_LIMITS.rowDescription)) {
        return invalidValue(`${where}: description must be a string of at most ${INTERACTIVE_LIMITS.rowDescription} characters`);
      }
      const id = String(row['id']);
      if (choices.some((c) => c.id === id)) return invalidValue(`${where}: row ids must be unique, "${id}" repeats`);
      choices.push({ id, title: String(row['title']), description: typeof description === 'string' ? description : null });
    }
  }
  if (choices.length > INTERACTIVE_LIMITS.rows) return invalidValue(`sections: at most ${INTERACTIVE_LIMITS.rows} rows in total, got ${choices.length}`);
  return { type: 'list', choices, listButton: label };
}

/** A button's or row's id and title: present, non-empty strings within their limits. */
function choiceProblem(where: string, o: JsonObject, maxTitle: number, maxId: number): SimResponse | null {
  const id = o['id'];
  const title = o['title'];
  if (typeof id !== 'string' || id === '') return invalidValue(`${where}: id is required`);
  if ([...id].length > maxId) return invalidValue(`${where}: id must be at most ${maxId} characters`);
  if (typeof title !== 'string' || title.trim() === '') return invalidValue(`${where}: title is required`);
  if ([...title].length > maxTitle) return invalidValue(`${where}: title must be at most ${maxTitle} characters, got "${title}"`);
  return null;
}

function errorDetails(code: number, title: string): string {
  if (code === 131047) return 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.';
  if (code === 131026) return 'Message Undeliverable.';
  return title;
}

function parameterText(p: JsonObject): string | null {
  switch (p['type']) {
    case 'text':
      return str(p['text']);
    case 'currency':
    case 'date_time':
      return str(asObject(p[p['type']])?.['fallback_value']);
    default:
      return str(p['text']);
  }
}

function graphErrorBody(code: number, message: string, details: string | null, subcode?: number, type = 'OAuthException'): JsonObject {
  const error: JsonObject = { message, type, code };
  if (details !== null) error['error_data'] = { messaging_product: 'whatsapp', details };
  if (subcode !== undefined) error['error_subcode'] = subcode;
  error['fbtrace_id'] = randomBytes(12).toString('base64url');
  return { error };
}

function graphError(status: number, code: number, message: string, details: string | null, subcode?: number, type?: string): SimResponse {
  return { status, body: graphErrorBody(code, message, details, subcode, type) };
}

function missingParam(name: string): SimResponse {
  return graphError(400, 100, `(#100) The parameter ${name} is required.`, `The parameter ${name} is required.`);
}

function bearer(req: SimRequest): string | null {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers['authorization'] ?? '');
  return m?.[1] ?? null;
}

function encodeCursor(index: number): string {
  return Buffer.from(`idx:${index}`).toString('base64url');
}

function decodeCursor(cursor: string): number | null {
  const m = /^idx:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return m?.[1] !== undefined ? Number(m[1]) : null;
}

function newWamid(): string {
  return 'wamid.' + randomBytes(30).toString('base64url');
}

function optionalString<K extends string>(b: JsonObject, key: K): Partial<Record<K, string>> {
  const v = b[key];
  return typeof v === 'string' ? ({ [key]: v } as Partial<Record<K, string>>) : {};
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => {
    // Unref'd so pending status webhooks never keep a test process or CLI alive.
    setTimeout(resolve, ms).unref();
  });
}
