// Meta WhatsApp Cloud API adapter: Graph API calls for account checks, template listing and sends, plus
// webhook signature verification and parsing. The Graph host comes only from the injected baseUrl, so the
// same code talks to graph.facebook.com in production and to the simulator in tests and the sandbox.
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
import { classifyHttpFailure, httpRequest, parseJson } from '../../http-client.js';
import type { JsonObject } from '../wire.js';
import { verifyHubSignature } from '../meta-signature.js';
import { LIST_BUTTON_LABEL, planInteractive } from './interactive.js';
import { arr, asObject, num, parsePlaceholders, str } from '../wire.js';

export interface WhatsAppCloudAdapterOptions {
  /** Graph API base including the version, e.g. https://graph.facebook.com/v23.0 (no trailing slash needed). */
  baseUrl: string;
  /** Per-request timeout; defaults to the http-client's default. */
  timeoutMs?: number;
}

const TEMPLATE_FIELDS = 'name,language,status,category,components,parameter_format,id';
// A runaway paging loop (a provider bug or a hostile next link) must not spin forever.
const MAX_TEMPLATE_PAGES = 500;

// Graph codes that mean "you are going too fast, wait": 130429 Cloud API throughput, 4 app call limit,
// 80007 WABA rate limit.
const THROTTLE_CODES = new Set([4, 80007, 130429]);
const PAIR_RATE_CODE = 131056;
const PAIR_RATE_WAIT_MS = 6000;
// Graph codes that mean "temporarily unavailable, try again".
const TRANSIENT_CODES = new Set([1, 2, 131000, 131016]);

const TEMPLATE_STATUSES: ReadonlySet<string> = new Set<TemplateStatus>(templateStatuses);

const DELIVERY_STATES: ReadonlySet<string> = new Set<DeliveryState>(['sent', 'delivered', 'read', 'failed']);

interface GraphError {
  code: number | null;
  subcode: number | null;
  message: string | null;
  details: string | null;
}

interface Credentials {
  phoneNumberId: string;
  wabaId: string;
  accessToken: string;
}

export class WhatsAppCloudAdapter implements ChannelAdapter {
  readonly channel = 'whatsapp' as const;
  readonly provider = 'meta';
  private readonly baseUrl: string;
  private readonly origin: string;
  private readonly timeoutMs: number | undefined;

  constructor(options: WhatsAppCloudAdapterOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.origin = new URL(this.baseUrl).origin;
    this.timeoutMs = options.timeoutMs;
  }

  async verifyAccount(account: ChannelAccountCredentials): Promise<VerifiedAccount> {
    const creds = credentials(account, ['phoneNumberId', 'wabaId']);
    const phoneUrl = `${this.baseUrl}/${enc(creds.phoneNumberId)}?fields=display_phone_number,verified_name,quality_rating`;
    const phoneRes = await this.get(phoneUrl, creds.accessToken);
    if (phoneRes.status !== 200) {
      throw this.failure(phoneRes, 'account check', {
        notFound: `WhatsApp phone number id ${creds.phoneNumberId} does not exist or this access token cannot use it`,
      });
    }
    const phone = asObject(parseJson(phoneRes.text)) ?? {};
    const displayPhoneNumber = str(phone['display_phone_number']);
    const verifiedName = str(phone['verified_name']);

    // The phone number alone does not prove the WABA id is right; template sync and sends need both.
    const wabaUrl = `${this.baseUrl}/${enc(creds.wabaId)}/message_templates?limit=1&fields=name`;
    const wabaRes = await this.get(wabaUrl, creds.accessToken);
    if (wabaRes.status !== 200) {
      throw this.failure(wabaRes, 'account check', {
        notFound: `WhatsApp Business Account id ${creds.wabaId} does not exist or this access token cannot use it`,
      });
    }

    return {
      displayName: displayPhoneNumber ?? verifiedName ?? creds.phoneNumberId,
      details: {
        phoneNumberId: creds.phoneNumberId,
        wabaId: creds.wabaId,
        displayPhoneNumber,
        verifiedName,
        qualityRating: str(phone['quality_rating']),
      },
    };
  }

  async listTemplates(account: ChannelAccountCredentials): Promise<ProviderTemplate[]> {
    const creds = credentials(account, ['wabaId']);
    const templates: ProviderTemplate[] = [];
    let url: string | null = `${this.baseUrl}/${enc(creds.wabaId)}/message_templates?limit=100&fields=${TEMPLATE_FIELDS}`;
    const seen = new Set<string>();
    for (let page = 0; url !== null; page++) {
      if (page >= MAX_TEMPLATE_PAGES || seen.has(url)) {
        throw new ProviderError('permanent', `WhatsApp template listing did not end after ${page} pages`);
      }
      seen.add(url);
      const res = await this.get(url, creds.accessToken);
      if (res.status !== 200) {
        throw this.failure(res, 'template listing', {
          notFound: `WhatsApp Business Account id ${creds.wabaId} does not exist or this access token cannot use it`,
        });
      }
      const body = asObject(parseJson(res.text));
      if (!body || !Array.isArray(body['data'])) {
        throw new ProviderError('permanent', 'WhatsApp template listing returned an unexpected body', { httpStatus: res.status });
      }
      for (const item of body['data']) {
        const template = toTemplate(item);
        if (template) templates.push(template);
      }
      url = this.nextPage(asObject(body['paging']));
    }
    return templates;
  }

  async send(account: ChannelAccountCredentials, request: SendRequest): Promise<SendResult> {
    const creds = credentials(account, ['phoneNumberId']);
    // Built first: content WhatsApp would refuse (too many choices, a long title) fails before any call.
    const payload = sendPayload(request);
    const res = await httpRequest({
      method: 'POST',
      url: `${this.baseUrl}/${enc(creds.phoneNumberId)}/messages`,
      headers: { authorization: `Bearer ${creds.accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(payload),
      timeoutMs: this.timeoutMs,
    });
    if (res.status !== 200) {
      throw this.failure(res, 'send', { notFound: null });
    }
    const body = asObject(parseJson(res.text));
    const first = Array.isArray(body?.['messages']) ? asObject(body['messages'][0]) : null;
    const id = first ? str(first['id']) : null;
    if (!first || !id) {
      // Meta accepted the request; retrying could send twice, so this is not retryable.
      throw new ProviderError('permanent', 'WhatsApp accepted the send but returned no message id', { httpStatus: res.status });
    }
    return { providerMessageId: id, providerStatus: str(first['message_status']) };
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
      throw new Error('WhatsApp webhook body is not valid JSON');
    }
    const envelope = asObject(json);
    if (!envelope || envelope['object'] !== 'whatsapp_business_account' || !Array.isArray(envelope['entry'])) {
      throw new Error('WhatsApp webhook body is not a whatsapp_business_account envelope with an entry array');
    }
    const result: ParsedChannelWebhook = { statuses: [], messages: [] };
    for (const entry of envelope['entry']) {
      const changes = asObject(entry)?.['changes'];
      if (!Array.isArray(changes)) continue;
      for (const change of changes) {
        const c = asObject(change);
        // Other fields (template status updates, account alerts) carry no messages or delivery statuses.
        if (!c || c['field'] !== 'messages') continue;
        const value = asObject(c['value']);
        if (!value) continue;
        // One app's callback URL receives every number of the app: the change names the number it is for.
        const accountExternalId = str(asObject(value['metadata'])?.['phone_number_id']) ?? num(asObject(value['metadata'])?.['phone_number_id'])?.toString() ?? null;
        for (const s of arr(value['statuses'])) {
          const status = toStatus(s);
          if (status) result.statuses.push({ ...status, accountExternalId });
        }
        const contacts = arr(value['contacts']).map(asObject).filter((x): x is JsonObject => x !== null);
        const inbound = arr(value['messages']);
        for (const m of inbound) {
          const message = toInbound(m, contacts, inbound.length);
          if (message) result.messages.push({ ...message, accountExternalId });
        }
      }
    }
    return result;
  }

  // -----------------------------------------------------------------------------------------------

  private get(url: string, accessToken: string): Promise<HttpResponse> {
    return httpRequest({ method: 'GET', url, headers: { authorization: `Bearer ${accessToken}` }, timeoutMs: this.timeoutMs });
  }

  /** Only follows paging links on the Graph origin we were configured with, so the token never leaves it. */
  private nextPage(paging: JsonObject | null): string | null {
    const next = paging ? str(paging['next']) : null;
    if (!next) return null;
    let url: URL;
    try {
      url = new URL(next);
    } catch {
      throw new ProviderError('permanent', `WhatsApp template listing returned an invalid next page link: ${next}`);
    }
    if (url.origin !== this.origin) {
      throw new ProviderError('permanent', `WhatsApp template listing pointed to another host (${url.origin}); refusing to follow it`);
    }
    return url.toString();
  }

  /** Classifies a non-200 Graph response into a ProviderError, keeping Meta's code, message and details. */
  private failure(res: HttpResponse, operation: string, hints: { notFound: string | null }): ProviderError {
    const graph = readGraphError(res.text);
    const said = describeGraphError(graph, res);
    const opts = { providerCode: graph.code, httpStatus: res.status };

    if (graph.code === 190 || res.status === 401) {
      return new ProviderError('permanent', `WhatsApp refused the access token: ${said}`, { ...opts, providerCode: graph.code ?? 190 });
    }
    if (graph.code === PAIR_RATE_CODE) {
      const header = parseRetryAfter(res.headers['retry-after']);
      return new ProviderError('retry_after', `WhatsApp ${operation} hit the per-recipient rate limit: ${said}`, {
        ...opts,
        retryAfterMs: Math.max(header ?? 0, PAIR_RATE_WAIT_MS),
      });
    }
    if (res.status === 429 || (graph.code !== null && THROTTLE_CODES.has(graph.code))) {
      return new ProviderError('retry_after', `WhatsApp ${operation} was rate limited: ${said}`, {
        ...opts,
        retryAfterMs: parseRetryAfter(res.headers['retry-after']) ?? 1000,
      });
    }
    if (res.status >= 500 || res.status === 408 || (graph.code !== null && TRANSIENT_CODES.has(graph.code))) {
      return new ProviderError('retryable', `WhatsApp ${operation} failed temporarily: ${said}`, opts);
    }
    if (graph.code === 100 && hints.notFound) {
      return new ProviderError('permanent', `${hints.notFound}: ${said}`, opts);
    }
    return classifyHttpFailure(res, `WhatsApp ${operation} was refused: ${said}`, graph.code);
  }
}

// -------------------------------------------------------------------------------------------------
// Wire-format helpers

function credentials(account: ChannelAccountCredentials, settingKeys: Array<'phoneNumberId' | 'wabaId'>): Credentials {
  const missing: string[] = [];
  for (const key of settingKeys) if (!account.settings[key]) missing.push(key);
  if (!account.secrets['accessToken']) missing.push('accessToken');
  if (missing.length > 0) {
    throw new ProviderError('permanent', `WhatsApp account is missing ${missing.join(', ')}`);
  }
  return {
    phoneNumberId: account.settings['phoneNumberId'] ?? '',
    wabaId: account.settings['wabaId'] ?? '',
    accessToken: account.secrets['accessToken'] ?? '',
  };
}

function sendPayload(request: SendRequest): JsonObject {
  const base = { messaging_product: 'whatsapp', recipient_type: 'individual', to: request.to };
  const content = request.content;
  // A text's replyToken is LINE's; WhatsApp has nothing like it.
  if (content.kind === 'text') {
    return { ...base, type: 'text', text: { preview_url: false, body: content.text } };
  }
  if (content.kind === 'interactive') return { ...base, ...interactivePayload(content) };
  const template: JsonObject = { name: content.templateName, language: { code: content.language } };
  if (content.parameters.length > 0) {
    const parameters =
      content.parameterFormat === 'NAMED'
        ? content.parameters.map((p) => ({ type: 'text', parameter_name: p.name, text: p.value }))
        : positionalOrder(content.parameters).map((p) => ({ type: 'text', text: p.value }));
    template['components'] = [{ type: 'body', parameters }];
  }
  return { ...base, type: 'template', template };
}

/** Reply buttons (≤ 3) or a list (4–10 rows); without choices, a plain text message with the cards and links. */
function interactivePayload(content: InteractiveContent): JsonObject {
  const plan = planInteractive('WhatsApp', content);
  if (plan.form === 'text') return { type: 'text', text: { preview_url: false, body: plan.body } };
  const body = { text: plan.body };
  if (plan.form === 'buttons') {
    const buttons = plan.choices.map((b) => ({ type: 'reply', reply: { id: b.id, title: b.title } }));
    return { type: 'interactive', interactive: { type: 'button', body, action: { buttons } } };
  }
  // One untitled section: Meta needs section titles only when there are several.
  const rows = plan.choices.map((b) => ({ id: b.id, title: b.title }));
  return { type: 'interactive', interactive: { type: 'list', body, action: { button: LIST_BUTTON_LABEL, sections: [{ rows }] } } };
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

function readGraphError(text: string): GraphError {
  const error = asObject(asObject(parseJson(text))?.['error']);
  if (!error) return { code: null, subcode: null, message: text ? text.slice(0, 300) : null, details: null };
  return {
    code: num(error['code']),
    subcode: num(error['error_subcode']),
    message: str(error['message']),
    details: str(asObject(error['error_data'])?.['details']),
  };
}

function describeGraphError(graph: GraphError, res: HttpResponse): string {
  const parts = [`HTTP ${res.status}`];
  if (graph.code !== null) parts.push(`code ${graph.code}${graph.subcode !== null ? `/${graph.subcode}` : ''}`);
  let text = graph.message ?? 'no error message';
  if (graph.details && graph.details !== graph.message) text += ` (${graph.details})`;
  return `${text} [${parts.join(', ')}]`;
}

function toTemplate(item: unknown): ProviderTemplate | null {
  const t = asObject(item);
  if (!t) return null;
  const name = str(t['name']);
  if (!name) return null;
  const body = arr(t['components'])
    .map(asObject)
    .find((c) => c !== null && String(c['type']).toUpperCase() === 'BODY');
  const bodyText = body ? str(body['text']) : null;
  const status = str(t['status'])?.toUpperCase() ?? 'UNKNOWN';
  return {
    id: str(t['id']) ?? num(t['id'])?.toString() ?? name,
    name,
    language: str(t['language']) ?? '',
    status: TEMPLATE_STATUSES.has(status) ? (status as TemplateStatus) : 'UNKNOWN',
    category: str(t['category']),
    bodyText,
    placeholders: parsePlaceholders(bodyText),
    parameterFormat: str(t['parameter_format'])?.toUpperCase() === 'NAMED' ? 'NAMED' : 'POSITIONAL',
  };
}

function toStatus(item: unknown): DeliveryStatusUpdate | null {
  const s = asObject(item);
  const id = s ? str(s['id']) : null;
  const state = s ? str(s['status']) : null;
  // Statuses such as "deleted" or "warning" are not delivery progress; skip them.
  if (!s || !id || !state || !DELIVERY_STATES.has(state)) return null;
  const error = asObject(arr(s['errors'])[0]);
  const errorCode = error ? (num(error['code'])?.toString() ?? str(error['code'])) : null;
  const errorDetail = error
    ? (str(asObject(error['error_data'])?.['details']) ?? str(error['message']) ?? str(error['title']))
    : null;
  return {
    providerMessageId: id,
    state: state as DeliveryState,
    occurredAt: seconds(s['timestamp']),
    recipient: str(s['recipient_id']),
    errorCode,
    errorDetail,
    category: str(asObject(s['pricing'])?.['category']),
  };
}

function toInbound(item: unknown, contacts: JsonObject[], batchSize: number): InboundChatMessage | null {
  const m = asObject(item);
  const id = m ? str(m['id']) : null;
  if (!m || !id) return null;
  const from = str(m['from']) ?? '';
  let text: string | null = null;
  let payload: string | null = null;
  switch (m['type']) {
    case 'text':
      text = str(asObject(m['text'])?.['body']);
      break;
    case 'interactive': {
      const interactive = asObject(m['interactive']);
      const reply = asObject(interactive?.['button_reply']) ?? asObject(interactive?.['list_reply']);
      if (reply) {
        payload = str(reply['id']);
        text = str(reply['title']);
      }
      break;
    }
    case 'button': {
      const button = asObject(m['button']);
      payload = button ? str(button['payload']) : null;
      text = button ? str(button['text']) : null;
      break;
    }
    default:
      // Media, location, reactions...: kept as a message without text so the inbox still shows it.
      break;
  }
  // wa_id may be "" once business-scoped user ids roll out; a lone contact on a lone message is still theirs.
  const contact =
    contacts.find((c) => str(c['wa_id']) === from) ?? (contacts.length === 1 && batchSize === 1 ? contacts[0] : undefined);
  return {
    providerMessageId: id,
    from,
    occurredAt: seconds(m['timestamp']),
    text,
    payload,
    profileName: contact ? str(asObject(contact['profile'])?.['name']) : null,
    replyToProviderMessageId: str(asObject(m['context'])?.['id']),
  };
}

function seconds(value: unknown): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value !== '' ? Number(value) : NaN;
  return Number.isFinite(n) ? n * 1000 : Date.now();
}

function enc(segment: string): string {
  return encodeURIComponent(segment);
}
