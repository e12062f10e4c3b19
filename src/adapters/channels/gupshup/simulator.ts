// A Gupshup WhatsApp (classic v2 API) simulator: the template list and the two send routes with Gupshup's
// validation and error bodies (session sends: text, quick_reply and list messages, with WhatsApp's option limits),
// plus unsigned JSON callbacks (as Gupshup sends them) for message events and inbound customer messages.
// Control routes (besides the base class's faults/requests/reset):
//   POST /_sim/apps        {appName, apiKey, sourceNumber, callbackUrl?}
//   GET  /_sim/apps
//   POST /_sim/templates   {appName, elementName, status, data, languageCode?, category?, templateType?}
//   GET  /_sim/templates?appName=
//   GET  /_sim/messages?to=            the outbox, oldest first
//   POST /_sim/inbound     {appName, from, text? | postbackText?, buttonText?, contextId?, name?}
//                          a postbackText taps a quick reply; with contextId of a quick_reply or list message in the
//                          outbox it must be one of that message's postback texts, and a list tap is a list_reply.
//   GET  /_sim/settings, POST /_sim/settings {statusCallbacks?, statusDelayMs?}
import { randomBytes, randomUUID } from 'node:crypto';
import type { SimRequest, SimResponse } from '../../../sandbox/simulator.js';
import { splitCallingCode } from '../../../sandbox/calling-codes.js';
import { Simulator, deliverWebhook } from '../../../sandbox/simulator.js';
// The simulator's own template handling, not the adapter's (see template-text.ts).
import { parsePlaceholders, renderTemplate } from '../../../sandbox/template-text.js';
import type { JsonObject } from '../wire.js';
import { asObject, str } from '../wire.js';

export interface GupshupSimApp {
  appName: string;
  apiKey: string;
  /** The WABA number as digits, the `source` every send must use. */
  sourceNumber: string;
  /** Where events and inbound messages are posted (token query included); null keeps them local. */
  callbackUrl?: string | null;
}

/** Gupshup reports template states in upper case on the list API. */
export type GupshupSimTemplateStatus = 'APPROVED' | 'PENDING' | 'REJECTED' | 'PAUSED' | 'DISABLED';

export interface GupshupSimTemplateInput {
  elementName: string;
  status: GupshupSimTemplateStatus;
  data: string;
  languageCode?: string;
  category?: string;
  templateType?: string;
}

export interface GupshupSimTemplate extends Required<GupshupSimTemplateInput> {
  id: string;
  placeholders: string[];
}

export type GupshupSimEvent = 'enqueued' | 'sent' | 'delivered' | 'failed';

export interface GupshupSimMessage {
  /** Gupshup's messageId (the `gsId` of later events). */
  id: string;
  appName: string;
  to: string;
  type: 'template' | 'text' | 'quick_reply' | 'list';
  templateId: string | null;
  templateName: string | null;
  params: string[];
  /** The text, the quick reply's content text, or the list's body. */
  renderedText: string;
  /** The tracking id a quick_reply or list message was sent with. */
  msgid: string | null;
  /** Quick-reply buttons or list rows, in order; empty for other types. */
  options: GupshupSimOption[];
  /** The list's header title and its open button label; null for other types. */
  listTitle: string | null;
  listButton: string | null;
  at: number;
  failure: { code: number; reason: string } | null;
  /** Events emitted for this message, with the receiver's HTTP status (0 unreachable, null no callback URL). */
  events: Array<{ type: GupshupSimEvent; at: number; callbackStatus: number | null }>;
}

export interface GupshupSimOption {
  title: string;
  postbackText: string | null;
  description: string | null;
}

export interface GupshupSimSettings {
  statusCallbacks: boolean;
  statusDelayMs: number;
}

export type GupshupSimulatorOptions = Partial<GupshupSimSettings>;

export interface GupshupSimInbound {
  appName: string;
  from: string;
  text?: string;
  /** A quick-reply tap: the postback text set at send time. */
  postbackText?: string;
  /** The button label shown with a quick-reply tap; defaults to the postback text. */
  buttonText?: string;
  contextId?: string;
  name?: string;
}

const INVALID_RECIPIENT = Object.freeze({ code: 1002, reason: 'Number Does Not Exists On WhatsApp' });
const RETRY_DELAYS_MS = [50, 200];
// WhatsApp's limits, which Gupshup enforces before relaying (quick replies are reply buttons, lists list messages).
const LIMITS = { body: 1024, quickReplies: 3, buttonTitle: 20, listRows: 10, rowTitle: 24, rowDescription: 72, listButton: 20, listTitle: 60 };

const DEFAULT_TEMPLATES: GupshupSimTemplateInput[] = [
  { elementName: 'order_placed', status: 'APPROVED', category: 'UTILITY', data: 'Hi {{1}}, thank you for your order {{2}}. Total: {{3}}.' },
  { elementName: 'promo_pending', status: 'PENDING', category: 'MARKETING', data: 'Hi {{1}}, enjoy {{2}} off with code {{3}}.' },
  { elementName: 'old_rejected', status: 'REJECTED', category: 'MARKETING', data: 'Last chance {{1}}! Everything must go.' },
];

type App = GupshupSimApp & { callbackUrl: string | null };

export class GupshupSimulator extends Simulator {
  readonly name = 'gupshup';
  private readonly settingsValue: GupshupSimSettings = { statusCallbacks: true, statusDelayMs: 20 };
  private readonly apps = new Map<string, App>();
  private readonly templates = new Map<string, Map<string, GupshupSimTemplate>>();
  private readonly outbox = new Map<string, GupshupSimMessage>();
  // Bumped on reset/close so event chains scheduled before it stop quietly.
  private generation = 0;

  constructor(options: GupshupSimulatorOptions = {}) {
    super();
    this.applySettings(options);
    this.registerControlRoutes();
    this.route('GET', '/sm/api/v1/template/list/:appName', (req, params) => this.listRoute(req, params['appName'] ?? ''));
    this.route('POST', '/wa/api/v1/template/msg', (req) => this.sendRoute(req, 'template'));
    this.route('POST', '/wa/api/v1/msg', (req) => this.sendRoute(req, 'text'));
  }

  // ---------------------------------------------------------------------------------------------
  // State API (also reachable through the control routes)

  get settings(): GupshupSimSettings {
    return { ...this.settingsValue };
  }

  applySettings(input: Partial<GupshupSimSettings>): GupshupSimSettings {
    if (input.statusCallbacks !== undefined) this.settingsValue.statusCallbacks = input.statusCallbacks;
    if (input.statusDelayMs !== undefined) this.settingsValue.statusDelayMs = Math.max(0, input.statusDelayMs);
    return this.settings;
  }

  /** Registers (or replaces) an app; a new app gets the default templates. */
  addApp(app: GupshupSimApp): void {
    this.apps.set(app.appName, { ...app, callbackUrl: app.callbackUrl ?? null });
    this.appTemplates(app.appName);
  }

  appList(): GupshupSimApp[] {
    return [...this.apps.values()].map((a) => ({ ...a }));
  }

  setCallbackUrl(appName: string, callbackUrl: string | null): void {
    const app = this.apps.get(appName);
    if (!app) throw new Error(`unknown app ${appName}`);
    app.callbackUrl = callbackUrl;
  }

  upsertTemplate(appName: string, input: GupshupSimTemplateInput): GupshupSimTemplate {
    const list = this.appTemplates(appName);
    const languageCode = input.languageCode ?? 'en_US';
    const existing = [...list.values()].find((t) => t.elementName === input.elementName && t.languageCode === languageCode);
    const template: GupshupSimTemplate = {
      id: existing?.id ?? randomUUID(),
      elementName: input.elementName,
      status: input.status,
      data: input.data,
      languageCode,
      category: input.category ?? 'UTILITY',
      templateType: input.templateType ?? 'TEXT',
      placeholders: parsePlaceholders(input.data),
    };
    list.set(template.id, template);
    return template;
  }

  listTemplates(appName: string): GupshupSimTemplate[] {
    return [...(this.templates.get(appName)?.values() ?? [])];
  }

  template(appName: string, elementName: string): GupshupSimTemplate | undefined {
    return this.listTemplates(appName).find((t) => t.elementName === elementName);
  }

  /** The outbox, oldest first, optionally for one recipient. */
  messages(to?: string): GupshupSimMessage[] {
    return [...this.outbox.values()].filter((m) => to === undefined || m.to === to).map((m) => structuredClone(m));
  }

  /** Posts an inbound customer message callback; returns the receiver's HTTP status (0 if unreachable). */
  async emitInbound(input: GupshupSimInbound): Promise<number> {
    const app = this.apps.get(input.appName);
    if (!app) throw new Error(`unknown app ${input.appName}`);
    if (!app.callbackUrl) throw new Error(`app ${app.appName} has no callbackUrl`);
    if (input.text === undefined && input.postbackText === undefined) throw new Error('inbound needs text or postbackText');
    const context = input.contextId !== undefined ? this.outbox.get(input.contextId) : undefined;
    if (input.postbackText !== undefined && context && context.options.length > 0 && !this.tappedOption(input)) {
      const known = context.options.map((o) => o.postbackText ?? o.title).join(', ');
      throw new Error(`postbackText ${input.postbackText} is not an option of message ${context.id} (${known})`);
    }
    // As documented: phone is the full number, country_code its calling code and dial_code the national part.
    const digits = input.from.replace(/^\+/, '');
    const split = /^\d{7,15}$/.test(digits) ? splitCallingCode(digits) : null;
    if (!split) throw new Error(`from must be a phone number with its country code (digits, e.g. 918098765432), got ${input.from}`);
    const sender = { phone: digits, name: input.name ?? 'Sandbox Customer', country_code: split.countryCode, dial_code: split.national };
    const payload: JsonObject = { id: 'ABEG' + randomBytes(12).toString('hex').toUpperCase(), source: digits, sender };
    if (input.postbackText !== undefined) {
      const tapped = this.tappedOption(input);
      if (tapped && tapped.message.type === 'list') {
        const index = tapped.message.options.indexOf(tapped.option) + 1;
        payload['type'] = 'list_reply';
        payload['payload'] = {
          title: input.buttonText ?? tapped.option.title,
          id: tapped.message.msgid,
          reply: `${tapped.option.title} ${index}`,
          postbackText: input.postbackText,
          ...(tapped.option.description !== null ? { description: tapped.option.description } : {}),
        };
      } else {
        payload['type'] = 'quick_reply';
        const text = input.buttonText ?? tapped?.option.title ?? input.postbackText;
        payload['payload'] = { text, type: 'button', postbackText: input.postbackText };
      }
    } else {
      payload['type'] = 'text';
      payload['payload'] = { text: input.text };
    }
    if (input.contextId) payload['context'] = { id: input.contextId, gsId: input.contextId };
    return this.postCallback(app, 'message', payload);
  }

  /** The option a tap answers, when contextId names a quick_reply or list message in the outbox. */
  private tappedOption(input: GupshupSimInbound): { message: GupshupSimMessage; option: GupshupSimOption } | null {
    const message = input.contextId !== undefined ? this.outbox.get(input.contextId) : undefined;
    const option = message?.options.find((o) => o.postbackText === input.postbackText);
    return message && option ? { message, option } : null;
  }

  protected override resetState(): void {
    this.generation++;
    this.outbox.clear();
  }

  override async close(): Promise<void> {
    this.generation++;
    await super.close();
  }

  /** Gupshup-shaped bodies for injected faults, so the adapter classifies them as it would Gupshup's. */
  protected override faultBody(status: number): unknown {
    if (status === 429) return { status: 'error', code: 4001, message: 'API rate limited' };
    if (status === 401) return { status: 'error', message: 'Authentication Failed' };
    if (status === 503) return { status: 'error', message: 'Service Unavailable' };
    if (status >= 500) return { status: 'error', message: 'Internal Server Error' };
    return { status: 'error', message: `Simulated HTTP ${status}` };
  }

  // ---------------------------------------------------------------------------------------------
  // Provider routes

  /** Resolves the app the request is for, answering as Gupshup does for a bad key or an unknown app. */
  private authorize(req: SimRequest, appName: string): App | SimResponse {
    const key = req.headers['apikey'] ?? '';
    if (!key || ![...this.apps.values()].some((a) => a.apiKey === key)) {
      return { status: 401, body: { message: 'Authentication Failed', status: 'error' } };
    }
    const app = this.apps.get(appName);
    // An app owned by another key is indistinguishable from a missing one, as on Gupshup.
    if (!app || app.apiKey !== key) return { status: 400, body: { status: 'error', message: 'Request Bot Not Found' } };
    return app;
  }

  private listRoute(req: SimRequest, appName: string): SimResponse {
    const app = this.authorize(req, appName);
    if (!isApp(app)) return app;
    const templates = this.listTemplates(app.appName).map(({ placeholders: _p, ...t }) => ({
      ...t,
      appId: app.appName,
      createdOn: 0,
      modifiedOn: 0,
      meta: JSON.stringify({ example: t.data }),
      vertical: t.elementName,
    }));
    return { status: 200, body: { status: 'success', templates } };
  }

  private sendRoute(req: SimRequest, kind: 'template' | 'text'): SimResponse {
    const form = new URLSearchParams(req.body);
    const app = this.authorize(req, form.get('src.name') ?? '');
    if (!isApp(app)) return app;
    const bad = (message: string): SimResponse => ({ status: 400, body: { status: 'error', message } });
    if (form.get('channel') !== 'whatsapp') return bad('Invalid channel; channel must be whatsapp');
    if (form.get('source') !== app.sourceNumber) return bad(`Invalid source number; app ${app.appName} sends from ${app.sourceNumber}`);
    const to = form.get('destination') ?? '';
    if (!/^\d{6,15}$/.test(to)) return bad('Invalid Destination');

    let template: GupshupSimTemplate | null = null;
    let params: string[] = [];
    let renderedText: string;
    let session: SessionMessage = { type: 'text', text: '', msgid: null, options: [], listTitle: null, listButton: null };
    if (kind === 'template') {
      const spec = asObject(parseJsonText(form.get('template')));
      const id = spec ? str(spec['id']) : null;
      if (!spec || !id) return bad('Invalid template: expected {"id":"<template id>","params":[...]}');
      template = this.templates.get(app.appName)?.get(id) ?? null;
      if (!template) return bad(`Template not found: no template with id ${id} in app ${app.appName}`);
      if (template.status !== 'APPROVED') return bad(`Template ${template.elementName} is ${template.status}, not APPROVED`);
      const rawParams = spec['params'] ?? [];
      if (!Array.isArray(rawParams) || rawParams.some((v) => typeof v !== 'string')) return bad('Invalid template params: expected an array of strings');
      params = rawParams as string[];
      if (params.length !== template.placeholders.length) {
        return bad(`Template params mismatch: ${template.elementName} expects ${template.placeholders.length}, got ${params.length}`);
      }
      renderedText = renderTemplate(template.data, new Map(template.placeholders.map((name, i) => [name, params[i] ?? ''])));
    } else {
      const parsed = sessionMessage(asObject(parseJsonText(form.get('message'))));
      if (typeof parsed === 'string') return bad(parsed);
      session = parsed;
      renderedText = parsed.text;
    }

    const msg: GupshupSimMessage = {
      id: randomUUID(),
      appName: app.appName,
      to,
      type: kind === 'template' ? 'template' : session.type,
      templateId: template?.id ?? null,
      templateName: template?.elementName ?? null,
      params,
      renderedText,
      msgid: session.msgid,
      options: session.options,
      listTitle: session.listTitle,
      listButton: session.listButton,
      at: Date.now(),
      // Gupshup accepts the send and reports an unknown number only asynchronously.
      failure: this.isInvalidRecipient(to) ? { ...INVALID_RECIPIENT } : null,
      events: [],
    };
    this.outbox.set(msg.id, msg);
    if (this.settingsValue.statusCallbacks) this.scheduleEvents(app, msg);
    return { status: 202, body: { status: 'submitted', messageId: msg.id } };
  }

  // ---------------------------------------------------------------------------------------------
  // Callbacks

  private scheduleEvents(app: App, msg: GupshupSimMessage): void {
    const generation = this.generation;
    const sequence: GupshupSimEvent[] = msg.failure ? ['failed'] : ['enqueued', 'sent', 'delivered'];
    const waId = 'gBEG' + randomBytes(12).toString('hex').toUpperCase();
    const run = async (): Promise<void> => {
      // Sequential so the receiver sees enqueued, sent, delivered in order, as it usually does.
      for (const type of sequence) {
        await sleep(this.settingsValue.statusDelayMs);
        if (generation !== this.generation) return;
        const event = { type, at: Date.now(), callbackStatus: null as number | null };
        msg.events.push(event);
        if (!app.callbackUrl) continue;
        event.callbackStatus = await this.postCallback(app, 'message-event', eventPayload(type, msg, waId));
      }
    };
    run().catch(() => undefined);
  }

  /** Wraps a payload in Gupshup's v2 envelope and posts it unsigned, with a couple of retries. */
  private async postCallback(app: App, type: string, payload: JsonObject): Promise<number> {
    const url = app.callbackUrl;
    if (!url) return 0;
    const raw = JSON.stringify({ app: app.appName, timestamp: Date.now(), version: 2, type, payload });
    const generation = this.generation;
    for (let attempt = 0; ; attempt++) {
      let status = 0;
      try {
        status = (await deliverWebhook(url, raw, { 'user-agent': 'Gupshup-Callback' }, 5000)).status;
      } catch {
        status = 0;
      }
      if ((status >= 200 && status < 300) || attempt >= RETRY_DELAYS_MS.length || generation !== this.generation) return status;
      await sleep(RETRY_DELAYS_MS[attempt] ?? 0);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Control routes

  private registerControlRoutes(): void {
    this.route('POST', '/_sim/apps', (req) => {
      const b = asObject(req.json);
      const fields = ['appName', 'apiKey', 'sourceNumber'] as const;
      const missing = fields.filter((f) => !b || typeof b[f] !== 'string' || b[f] === '');
      if (!b || missing.length > 0) return { status: 400, body: { error: `required string fields: ${missing.join(', ')}` } };
      const app: GupshupSimApp = {
        appName: String(b['appName']),
        apiKey: String(b['apiKey']),
        sourceNumber: String(b['sourceNumber']),
        callbackUrl: str(b['callbackUrl']),
      };
      this.addApp(app);
      return { status: 201, body: app };
    }, false);
    this.route('GET', '/_sim/apps', () => ({ status: 200, body: this.appList() }), false);
    this.route('POST', '/_sim/templates', (req) => {
      const b = asObject(req.json);
      const appName = b ? str(b['appName']) : null;
      const elementName = b ? str(b['elementName']) : null;
      const data = b ? str(b['data']) : null;
      const status = b ? str(b['status']) : null;
      if (!b || !appName || !elementName || !data || !status || !['APPROVED', 'PENDING', 'REJECTED', 'PAUSED', 'DISABLED'].includes(status)) {
        return { status: 400, body: { error: 'required: appName, elementName, data, status (APPROVED|PENDING|REJECTED|PAUSED|DISABLED)' } };
      }
      if (!this.apps.has(appName)) return { status: 404, body: { error: `unknown app ${appName}` } };
      const input: GupshupSimTemplateInput = { elementName, data, status: status as GupshupSimTemplateStatus };
      const languageCode = str(b['languageCode']);
      const category = str(b['category']);
      const templateType = str(b['templateType']);
      if (languageCode) input.languageCode = languageCode;
      if (category) input.category = category;
      if (templateType) input.templateType = templateType;
      return { status: 201, body: this.upsertTemplate(appName, input) };
    }, false);
    this.route('GET', '/_sim/templates', (req) => ({ status: 200, body: this.listTemplates(req.query['appName'] ?? '') }), false);
    this.route('GET', '/_sim/messages', (req) => ({ status: 200, body: this.messages(req.query['to']) }), false);
    this.route('POST', '/_sim/inbound', async (req) => {
      const b = asObject(req.json);
      const appName = b ? str(b['appName']) : null;
      const from = b ? str(b['from']) : null;
      if (!b || !appName || !from) return { status: 400, body: { error: 'required: appName, from, and text or postbackText' } };
      const input: GupshupSimInbound = { appName, from };
      for (const key of ['text', 'postbackText', 'buttonText', 'contextId', 'name'] as const) {
        const v = str(b[key]);
        if (v !== null) input[key] = v;
      }
      try {
        return { status: 200, body: { delivered: await this.emitInbound(input) } };
      } catch (err) {
        return { status: 400, body: { error: err instanceof Error ? err.message : String(err) } };
      }
    }, false);
    this.route('GET', '/_sim/settings', () => ({ status: 200, body: this.settings }), false);
    this.route('POST', '/_sim/settings', (req) => {
      const b = asObject(req.json) ?? {};
      const input: Partial<GupshupSimSettings> = {};
      if (typeof b['statusCallbacks'] === 'boolean') input.statusCallbacks = b['statusCallbacks'];
      if (typeof b['statusDelayMs'] === 'number') input.statusDelayMs = b['statusDelayMs'];
      return { status: 200, body: this.applySettings(input) };
    }, false);
  }

  private appTemplates(appName: string): Map<string, GupshupSimTemplate> {
    let list = this.templates.get(appName);
    if (!list) {
      list = new Map();
      this.templates.set(appName, list);
      for (const t of DEFAULT_TEMPLATES) this.upsertTemplate(appName, t);
    }
    return list;
  }
}

// -------------------------------------------------------------------------------------------------

function isApp(value: App | SimResponse): value is App {
  return 'appName' in value;
}

interface SessionMessage {
  type: 'text' | 'quick_reply' | 'list';
  text: string;
  msgid: string | null;
  options: GupshupSimOption[];
  listTitle: string | null;
  listButton: string | null;
}

/**
 * The `message` form field of a session send: text, quick_reply or list, checked against WhatsApp's limits.
 * Returns the problem as a string for Gupshup's {"status":"error","message"} body; the wording is the simulator's own.
 */
function sessionMessage(message: JsonObject | null): SessionMessage | string {
  const base = { msgid: null, options: [], listTitle: null, listButton: null };
  switch (message?.['type']) {
    case 'text': {
      const text = str(message['text']);
      return text ? { ...base, type: 'text', text } : 'Invalid message: expected {"type":"text","text":"..."}';
    }
    case 'quick_reply':
      return quickReplyMessage(message);
    case 'list':
      return listMessage(message);
    default:
      return 'Invalid message: type must be text, quick_reply or list';
  }
}

function quickReplyMessage(m: JsonObject): SessionMessage | string {
  const content = asObject(m['content']);
  const text = content ? str(content['text']) : null;
  if (!content || content['type'] !== 'text' || !text) return 'Invalid quick_reply: content must be {"type":"text","text":"..."}';
  if ([...text].length > LIMITS.body) return `Invalid quick_reply: content text is longer than ${LIMITS.body} characters`;
  const options = parseOptions('quick_reply', m['options'], LIMITS.buttonTitle);
  if (typeof options === 'string') return options;
  if (options.length > LIMITS.quickReplies) return `Invalid quick_reply: at most ${LIMITS.quickReplies} options, got ${options.length}`;
  return { type: 'quick_reply', text, msgid: str(m['msgid']), options, listTitle: null, listButton: null };
}

function listMessage(m: JsonObject): SessionMessage | string {
  const body = str(m['body']);
  const title = m['title'];
  if (!body) return 'Invalid list: body is required';
  if ([...body].length > LIMITS.body) return `Invalid list: body is longer than ${LIMITS.body} characters`;
  if (typeof title !== 'string' || [...title].length > LIMITS.listTitle) return `Invalid list: title is required, at most ${LIMITS.listTitle} characters`;
  const globalButtons = m['globalButtons'];
  const label = Array.isArray(globalButtons) && globalButtons.length === 1 ? str(asObject(globalButtons[0])?.['title']) : null;
  if (!label || [...label].length > LIMITS.listButton) {
    return `Invalid list: globalButtons must hold exactly one {"type":"text","title":"..."} of at most ${LIMITS.listButton} characters`;
  }
  const items = m['items'];
  if (!Array.isArray(items) || items.length === 0) return 'Invalid list: items must be a non-empty array';
  const options: GupshupSimOption[] = [];
  for (const item of items) {
    const parsed = parseOptions('list', asObject(item)?.['options'], LIMITS.rowTitle);
    if (typeof parsed === 'string') return parsed;
    options.push(...parsed);
  }
  if (options.length > LIMITS.listRows) return `Invalid list: at most ${LIMITS.listRows} options across items, got ${options.length}`;
  return { type: 'list', text: body, msgid: str(m['msgid']), options, listTitle: title, listButton: label };
}

function parseOptions(kind: string, raw: unknown, maxTitle: number): GupshupSimOption[] | string {
  if (!Array.isArray(raw) || raw.length === 0) return `Invalid ${kind}: options must be a non-empty array`;
  const options: GupshupSimOption[] = [];
  for (const [i, item] of raw.entries()) {
    const o = asObject(item);
    const title = o ? str(o['title']) : null;
    if (!o || !title || title.trim() === '') return `Invalid ${kind}: options[${i}] needs a title`;
    if ([...title].length > maxTitle) return `Invalid ${kind}: options[${i}] title "${title}" is longer than ${maxTitle} characters`;
    const postbackText = o['postbackText'];
    const description = o['description'];
    if (postbackText !== undefined && typeof postbackText !== 'string') return `Invalid ${kind}: options[${i}] postbackText must be a string`;
    if (description !== undefined && (typeof description !== 'string' || [...description].length > LIMITS.rowDescription)) {
      return `Invalid ${kind}: options[${i}] description must be a string of at most ${LIMITS.rowDescription} characters`;
    }
    options.push({ title, postbackText: postbackText ?? null, description: description ?? null });
  }
  return options;
}

function parseJsonText(text: string | null): unknown {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** The payload of a message-event, in the shape Gupshup uses for each event type. */
function eventPayload(type: GupshupSimEvent, msg: GupshupSimMessage, waId: string): JsonObject {
  const kind = msg.type === 'template' ? 'template' : 'session';
  if (type === 'enqueued') {
    return { id: msg.id, type, destination: msg.to, payload: { whatsappMessageId: waId, type: kind } };
  }
  if (type === 'failed') {
    return { id: msg.id, gsId: msg.id, type, destination: msg.to, payload: { ...(msg.failure ?? INVALID_RECIPIENT) } };
  }
  const category = msg.type === 'template' ? 'utility' : 'service';
  return {
    id: waId,
    gsId: msg.id,
    type,
    destination: msg.to,
    ts: Math.floor(Date.now() / 1000),
    payload: {
      ts: Math.floor(Date.now() / 1000),
      conversation: { id: randomBytes(16).toString('hex'), type: category },
      pricing: { category, policy: 'CBP' },
    },
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
