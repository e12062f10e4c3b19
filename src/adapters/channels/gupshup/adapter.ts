// Gupshup WhatsApp adapter (classic "v2" API): form-urlencoded sends authenticated with the `apikey` header,
// the template list per app, and the callbacks Gupshup posts for inbound messages and delivery events.
// The host comes only from the injected baseUrl, so the same code talks to api.gupshup.io in production
// and to the simulator in tests and the sandbox.
import { timingSafeEqual } from 'node:crypto';
import type {
  ChannelAccountCredentials,
  ChannelAdapter,
  DeliveryState,
  DeliveryStatusUpdate,
  InboundChatMessage,
  InteractiveContent,
  ParsedChannelWebhook,
  ProviderTemplate,
  RawWebhook,
  SendRequest,
  SendResult,
  TemplateParameter,
  TemplateStatus,
  VerifiedAccount,
} from '../../../core/channels/ports.js';
import { templateStatuses } from '../../../core/channels/ports.js';
import { ProviderError, parseRetryAfter } from '../../../core/errors.js';
import type { HttpResponse } from '../../http-client.js';
import { httpRequest, parseJson } from '../../http-client.js';
// The JSON-narrowing and placeholder helpers are provider-neutral; reusing them keeps {{1}} parsing
// identical across WhatsApp providers.
import type { JsonObject } from '../wire.js';
import { asObject, num, parsePlaceholders, str } from '../wire.js';
// Gupshup relays to WhatsApp, so Meta's interactive limits and body rendering apply unchanged.
import { LIST_BUTTON_LABEL, planInteractive } from '../whatsapp-cloud/interactive.js';

export interface GupshupAdapterOptions {
  /** API origin, https://api.gupshup.io in production (no trailing slash needed). */
  baseUrl: string;
  /** Per-request timeout; defaults to the http-client's default. */
  timeoutMs?: number;
}

/** Gupshup's "API rate limited" code; it may arrive without an HTTP 429. */
const RATE_LIMIT_CODE = 4001;
const DEFAULT_RETRY_AFTER_MS = 1000;
/** The header of a list message (≤ 60 characters on WhatsApp). */
const LIST_HEADER = 'Options';

const TEMPLATE_STATUSES: ReadonlySet<string> = new Set<TemplateStatus>(templateStatuses);
// "enqueued" only means Gupshup handed the message to WhatsApp; it is not delivery progress, and
// "deleted"/"mismatch" are not either, so only these four become status updates.
const DELIVERY_STATES: ReadonlySet<string> = new Set<DeliveryState>(['sent', 'delivered', 'read', 'failed']);

interface GupshupError {
  code: number | null;
  message: string | null;
}

export class GupshupAdapter implements ChannelAdapter {
  readonly channel = 'whatsapp' as const;
  readonly provider = 'gupshup';
  private readonly baseUrl: string;
  private readonly timeoutMs: number | undefined;

  constructor(options: GupshupAdapterOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs;
  }

  async verifyAccount(account: ChannelAccountCredentials): Promise<VerifiedAccount> {
    // Gupshup has no "who am I" call; listing the app's templates proves both the key and the app name.
    const creds = credentials(account, false);
    const templates = await this.fetchTemplates(creds.appName, creds.apiKey, 'account check');
    return {
      displayName: creds.sourceNumber ? `${creds.appName} (${creds.sourceNumber})` : creds.appName,
      details: { appName: creds.appName, sourceNumber: creds.sourceNumber || null, templateCount: templates.length },
    };
  }

  async listTemplates(account: ChannelAccountCredentials): Promise<ProviderTemplate[]> {
    const creds = credentials(account, false);
    const items = await this.fetchTemplates(creds.appName, creds.apiKey, 'template listing');
    const templates: ProviderTemplate[] = [];
    for (const item of items) {
      const template = toTemplate(item);
      if (template) templates.push(template);
    }
    return templates;
  }

  async send(account: ChannelAccountCredentials, request: SendRequest): Promise<SendResult> {
    const creds = credentials(account, true);
    const form = new URLSearchParams({
      channel: 'whatsapp',
      source: creds.sourceNumber,
      destination: request.to,
      'src.name': creds.appName,
    });
    const content = request.content;
    let path: string;
    if (content.kind === 'template') {
      // Gupshup addresses templates by its uuid, not by name and language.
      if (!content.templateId) {
        throw new ProviderError(
          'permanent',
          `Gupshup needs the template id to send template ${content.templateName}; sync the app's templates first`,
        );
      }
      form.set('template', JSON.stringify({ id: content.templateId, params: positionalOrder(content.parameters).map((p) => p.value) }));
      path = '/wa/api/v1/template/msg';
    } else if (content.kind === 'interactive') {
      form.set('message', JSON.stringify(interactiveMessage(content, request.idempotencyKey)));
      path = '/wa/api/v1/msg';
    } else {
      // A text's replyToken is LINE's; Gupshup has nothing like it.
      form.set('message', JSON.stringify({ type: 'text', text: content.text }));
      path = '/wa/api/v1/msg';
    }
    const res = await httpRequest({
      method: 'POST',
      url: `${this.baseUrl}${path}`,
      headers: { apikey: creds.apiKey, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: form.toString(),
      timeoutMs: this.timeoutMs,
    });
    const body = asObject(parseJson(res.text));
    if (res.status < 200 || res.status >= 300 || body?.['status'] === 'error') {
      throw failure(res, 'send', creds.appName);
    }
    const id = body ? str(body['messageId']) : null;
    if (!id) {
      // Gupshup accepted the request; retrying could send twice, so this is not retryable.
      throw new ProviderError('permanent', 'Gupshup accepted the send but returned no messageId', { httpStatus: res.status });
    }
    return { providerMessageId: id, providerStatus: str(body?.['status']) };
  }

  verifyWebhook(account: ChannelAccountCredentials, webhook: RawWebhook): boolean {
    // Gupshup does not sign callbacks; the callback URL carries a secret token we compare instead.
    const expected = account.secrets['callbackToken'];
    const given = webhook.query['token'];
    if (!expected || !given) return false;
    const a = Buffer.from(given, 'utf8');
    const b = Buffer.from(expected, 'utf8');
    return a.length === b.length && timingSafeEqual(a, b);
  }

  parseWebhook(body: Buffer): ParsedChannelWebhook {
    let json: unknown;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch {
      throw new Error('Gupshup callback body is not valid JSON');
    }
    const envelope = asObject(json);
    if (!envelope || typeof envelope['type'] !== 'string') {
      throw new Error('Gupshup callback body is not an envelope with a type');
    }
    const result: ParsedChannelWebhook = { statuses: [], messages: [] };
    const payload = asObject(envelope['payload']);
    const at = num(envelope['timestamp']);
    if (!payload) return result;
    if (envelope['type'] === 'message-event') {
      const status = toStatus(payload, at);
      if (status) result.statuses.push(status);
    } else if (envelope['type'] === 'message') {
      const message = toInbound(payload, at);
      if (message) result.messages.push(message);
    }
    // template-event, user-event and unknown types carry no messages or delivery statuses.
    return result;
  }

  // -----------------------------------------------------------------------------------------------

  private async fetchTemplates(appName: string, apiKey: string, operation: string): Promise<unknown[]> {
    const res = await httpRequest({
      method: 'GET',
      url: `${this.baseUrl}/sm/api/v1/template/list/${encodeURIComponent(appName)}`,
      headers: { apikey: apiKey, accept: 'application/json' },
      timeoutMs: this.timeoutMs,
    });
    const body = asObject(parseJson(res.text));
    if (res.status !== 200 || body?.['status'] !== 'success') {
      throw failure(res, operation, appName);
    }
    if (!Array.isArray(body['templates'])) {
      throw new ProviderError('permanent', `Gupshup ${operation} returned an unexpected body`, { httpStatus: res.status });
    }
    return body['templates'];
  }
}

// -------------------------------------------------------------------------------------------------
// Wire-format helpers

interface Credentials {
  appName: string;
  sourceNumber: string;
  apiKey: string;
}

function credentials(account: ChannelAccountCredentials, needSource: boolean): Credentials {
  const missing: string[] = [];
  if (!account.settings['appName']) missing.push('appName');
  if (needSource && !account.settings['sourceNumber']) missing.push('sourceNumber');
  if (!account.secrets['apiKey']) missing.push('apiKey');
  if (missing.length > 0) throw new ProviderError('permanent', `Gupshup account is missing ${missing.join(', ')}`);
  return {
    appName: account.settings['appName'] ?? '',
    // Gupshup wants the number as digits only; tolerate a stored "+".
    sourceNumber: (account.settings['sourceNumber'] ?? '').replace(/\D/g, ''),
    apiKey: account.secrets['apiKey'] ?? '',
  };
}

/** Classifies a failed Gupshup response, keeping Gupshup's own message or reason. */
function failure(res: HttpResponse, operation: string, appName: string): ProviderError {
  const err = readError(res.text);
  const said = `${err.message ?? 'no error message'} [HTTP ${res.status}${err.code !== null ? `, code ${err.code}` : ''}]`;
  const opts = { providerCode: err.code, httpStatus: res.status };
  if (res.status === 401 || res.status === 403) {
    return new ProviderError('permanent', `Gupshup refused the API key: ${said}`, opts);
  }
  if (res.status === 429 || err.code === RATE_LIMIT_CODE) {
    return new ProviderError('retry_after', `Gupshup ${operation} was rate limited: ${said}`, {
      ...opts,
      retryAfterMs: parseRetryAfter(res.headers['retry-after']) ?? DEFAULT_RETRY_AFTER_MS,
    });
  }
  if (res.status >= 500 || res.status === 408) {
    return new ProviderError('retryable', `Gupshup ${operation} failed temporarily: ${said}`, opts);
  }
  // "Request Bot Not Found" is Gupshup's answer for an app name this key does not own.
  if (err.message && /bot not found|invalid app/i.test(err.message)) {
    return new ProviderError('permanent', `Gupshup app "${appName}" was not found for this API key: ${said}`, opts);
  }
  return new ProviderError('permanent', `Gupshup ${operation} was refused: ${said}`, opts);
}

function readError(text: string): GupshupError {
  const body = asObject(parseJson(text));
  if (!body) return { code: null, message: text ? text.slice(0, 300) : null };
  const message = str(body['message']) ?? str(body['reason']) ?? str(asObject(body['message'])?.['message']);
  return { code: num(body['code']), message };
}

/**
 * Gupshup's session message for choices: quick_reply for 1–3 buttons, list for 4–10 rows, text without choices.
 * Each choice's id travels as postbackText, which Gupshup hands back on the tap. `msgid` is Gupshup's tracking
 * id for the message; the idempotency key serves, as it is stable across retries.
 */
function interactiveMessage(content: InteractiveContent, trackingId: string): JsonObject {
  const plan = planInteractive('Gupshup', content);
  if (plan.form === 'text') return { type: 'text', text: plan.body };
  if (plan.form === 'buttons') {
    return {
      type: 'quick_reply',
      msgid: trackingId,
      content: { type: 'text', text: plan.body },
      options: plan.choices.map((b) => ({ type: 'text', title: b.title, postbackText: b.id })),
    };
  }
  return {
    type: 'list',
    // Gupshup documents the header `title` as required, and WhatsApp shows it above the body.
    // [UNVERIFIED] whether an empty title is accepted; a fixed header keeps the send valid.
    title: LIST_HEADER,
    body: plan.body,
    msgid: trackingId,
    globalButtons: [{ type: 'text', title: LIST_BUTTON_LABEL }],
    // [UNVERIFIED] Gupshup's docs mark a row description as required, Meta's as optional; ChatButton has none,
    // so it is left out rather than sent empty.
    items: [{ options: plan.choices.map((b) => ({ type: 'text', title: b.title, postbackText: b.id })) }],
  };
}

/** Positional parameters go on the wire by placeholder number, whatever order the caller listed them in. */
function positionalOrder(parameters: TemplateParameter[]): TemplateParameter[] {
  const rank = (p: TemplateParameter): number => {
    const n = Number(p.name);
    return Number.isInteger(n) && n > 0 ? n : Number.MAX_SAFE_INTEGER;
  };
  return parameters
    .map((p, i) => ({ p, i }))
    .sort((a, b) => rank(a.p) - rank(b.p) || a.i - b.i)
    .map((x) => x.p);
}

function toTemplate(item: unknown): ProviderTemplate | null {
  const t = asObject(item);
  const id = t ? str(t['id']) : null;
  const name = t ? str(t['elementName']) : null;
  if (!t || !id || !name) return null;
  const bodyText = str(t['data']);
  const status = str(t['status'])?.toUpperCase() ?? 'UNKNOWN';
  return {
    id,
    name,
    language: str(t['languageCode']) ?? '',
    status: TEMPLATE_STATUSES.has(status) ? (status as TemplateStatus) : 'UNKNOWN',
    category: str(t['category']),
    bodyText,
    placeholders: parsePlaceholders(bodyText),
    // The classic API only has positional {{n}} placeholders.
    parameterFormat: 'POSITIONAL',
  };
}

function toStatus(p: JsonObject, envelopeAt: number | null): DeliveryStatusUpdate | null {
  const state = str(p['type']);
  // After enqueue, `id` becomes WhatsApp's id; gsId is the messageId our send returned.
  const id = str(p['gsId']) ?? str(p['id']);
  if (!state || !id || !DELIVERY_STATES.has(state)) return null;
  const inner = asObject(p['payload']);
  const failed = state === 'failed';
  const code = failed && inner ? (num(inner['code'])?.toString() ?? str(inner['code'])) : null;
  const ts = num(p['ts']);
  return {
    providerMessageId: id,
    state: state as DeliveryState,
    occurredAt: ts !== null ? ts * 1000 : (envelopeAt ?? Date.now()),
    recipient: str(p['destination']),
    errorCode: code,
    errorDetail: failed && inner ? str(inner['reason']) : null,
    category: inner ? (str(asObject(inner['pricing'])?.['category']) ?? str(asObject(inner['conversation'])?.['type'])) : null,
  };
}

/**
 * The customer's number, digits with the country code: `source`, else `sender.phone`, else the documented
 * `sender.country_code` + `sender.dial_code` (the national number) joined.
 */
function senderNumber(p: JsonObject, sender: JsonObject | null): string {
  const digits = (v: string | null): string | null => (v === null ? null : v.replace(/^\+/, '').replace(/[\s-]/g, '') || null);
  const joined = sender && str(sender['country_code']) && str(sender['dial_code']) ? `${str(sender['country_code'])}${str(sender['dial_code'])}` : null;
  return digits(str(p['source'])) ?? digits(sender ? str(sender['phone']) : null) ?? digits(joined) ?? '';
}

function toInbound(p: JsonObject, envelopeAt: number | null): InboundChatMessage | null {
  const id = str(p['id']);
  if (!id) return null;
  const sender = asObject(p['sender']);
  const inner = asObject(p['payload']);
  let text: string | null = null;
  let payload: string | null = null;
  switch (p['type']) {
    case 'text':
      text = inner ? str(inner['text']) : null;
      break;
    case 'quick_reply':
    case 'button_reply':
      text = inner ? (str(inner['text']) ?? str(inner['title'])) : null;
      payload = inner ? (str(inner['postbackText']) ?? str(inner['id'])) : null;
      break;
    case 'list_reply':
      // `title` is the chosen row's title; `id` is the message's msgid, so only postbackText names the row.
      text = inner ? (str(inner['title']) ?? str(inner['reply'])) : null;
      payload = inner ? str(inner['postbackText']) : null;
      break;
    default:
      // Media, location, contacts...: kept as a message without text so the inbox still shows it.
      break;
  }
  return {
    providerMessageId: id,
    from: senderNumber(p, sender),
    occurredAt: envelopeAt ?? Date.now(),
    text,
    payload,
    profileName: sender ? str(sender['name']) : null,
    replyToProviderMessageId: str(asObject(p['context'])?.['gsId']) ?? str(asObject(p['context'])?.['id']),
  };
}
