// Mirakl seller-API adapter for the support inbox (EmpikPlace is a Mirakl MMP instance): checks the shop API
// key (A01), polls message threads (M11, M10), replies into a thread with attachments (M12) and reads the
// orders a thread is about (OR11). Protocol facts: /work/shared/reference/store-apis.md §5.
// Mirakl has no seller webhooks for messages, so the inbox polls M11 with updated_since.
import { randomBytes } from 'node:crypto';
import { ProviderError } from '../../../core/errors.js';
import type { StoreConnectionCredentials } from '../../../core/stores/ports.js';
import type {
  MarketplaceAdapter,
  MarketplaceAttachment,
  MarketplaceAuthor,
  MarketplaceMessage,
  MarketplaceOrder,
  MarketplaceThread,
  OutgoingAttachment,
} from '../../../core/tickets/ports.js';
import type { HttpResponse } from '../../http-client.js';
import { classifyHttpFailure, httpRequest, parseJson } from '../../http-client.js';

type Json = Record<string, unknown>;

/** EmpikPlace's Mirakl host. [UNVERIFIED]: the reference only says "commonly" this host; change it here. */
export const EMPIKPLACE_BASE_URL = 'https://marketplace.empik.com';

/** The seller API paths (store-apis.md §5), in one place. */
export const MIRAKL_PATHS = {
  account: '/api/account',
  threads: '/api/inbox/threads',
  thread: (threadId: string) => `/api/inbox/threads/${encodeURIComponent(threadId)}`,
  threadMessage: (threadId: string) => `/api/inbox/threads/${encodeURIComponent(threadId)}/message`,
  orders: '/api/orders',
} as const;

/**
 * Links into the seller back office for agents. [UNVERIFIED]: Mirakl does not document these front-office
 * paths; they follow the usual MMP shop panel layout. Change them here only.
 */
export const MIRAKL_BACK_OFFICE_PATHS = {
  order: (orderId: string) => `/mmp/shop/order/${encodeURIComponent(orderId)}`,
  thread: (threadId: string) => `/mmp/shop/inbox/thread/${encodeURIComponent(threadId)}`,
} as const;

/** M11 `limit` ceiling, and the most order ids sent in one OR11 call (each call asks for as many orders back). */
export const MIRAKL_MAX_PAGE_SIZE = 100;
export const MIRAKL_ORDER_IDS_PER_CALL = 100;

const PROVIDER = 'EmpikPlace';

export interface MiraklAdapterOptions {
  /** The Mirakl API host, without a trailing slash. Default EMPIKPLACE_BASE_URL; tests point it at the simulator. */
  baseUrl?: string;
  /** The seller back office host used by orderUrl/threadUrl. Default: baseUrl. */
  backOfficeUrl?: string;
  timeoutMs?: number;
}

const authorByType: Record<string, MarketplaceAuthor> = {
  CUSTOMER_USER: 'customer',
  SHOP_USER: 'shop',
  OPERATOR_USER: 'operator',
};

export class MiraklAdapter implements MarketplaceAdapter {
  readonly platform = 'empikplace' as const;
  private readonly baseUrl: string;
  private readonly backOfficeUrl: string;
  private readonly timeoutMs: number;

  constructor(options: MiraklAdapterOptions = {}) {
    this.baseUrl = (options.baseUrl ?? EMPIKPLACE_BASE_URL).replace(/\/+$/, '');
    this.backOfficeUrl = (options.backOfficeUrl ?? this.baseUrl).replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  async verifyAccount(connection: StoreConnectionCredentials): Promise<{ shopId: string; shopName: string }> {
    const body = obj(await this.call(connection, 'GET', MIRAKL_PATHS.account, {}));
    const shopId = idText(body?.['shop_id']);
    if (!body || !shopId) throw new ProviderError('retryable', `${PROVIDER} A01 answered without a shop_id`);
    return { shopId, shopName: str(body['shop_name']) ?? shopId };
  }

  async listThreads(
    connection: StoreConnectionCredentials,
    query: { updatedSince: number; pageToken: string | null; limit: number },
  ): Promise<{ threads: MarketplaceThread[]; nextPageToken: string | null }> {
    const params: Record<string, string> = {
      updated_since: new Date(query.updatedSince).toISOString(),
      with_messages: 'true',
      limit: String(clampLimit(query.limit)),
    };
    if (query.pageToken) params['page_token'] = query.pageToken;
    const body = obj(await this.call(connection, 'GET', MIRAKL_PATHS.threads, params));
    const data = body?.['data'];
    if (!Array.isArray(data)) throw new ProviderError('retryable', `${PROVIDER} M11 answered without a data list`);
    const threads = data.map(obj).filter(isJson).map(mapThread).filter((t): t is MarketplaceThread => t !== null);
    return { threads, nextPageToken: str(body?.['next_page_token']) };
  }

  /** M10: one thread with its messages (not part of the port; useful to refresh a single ticket). */
  async getThread(connection: StoreConnectionCredentials, threadId: string): Promise<MarketplaceThread> {
    const thread = mapThread(obj(await this.call(connection, 'GET', MIRAKL_PATHS.thread(threadId), {})) ?? {});
    if (!thread) throw new ProviderError('retryable', `${PROVIDER} M10 answered without a thread`);
    return thread;
  }

  async reply(
    connection: StoreConnectionCredentials,
    input: { threadId: string; body: string; customerId: string | null; toOperator: boolean; attachments: OutgoingAttachment[] },
  ): Promise<{ messageId: string }> {
    const to: Json[] = [];
    if (input.customerId) to.push({ type: 'CUSTOMER', id: input.customerId });
    if (input.toOperator) to.push({ type: 'OPERATOR' });
    if (to.length === 0) throw new ProviderError('permanent', `${PROVIDER} reply needs a customer to write to (or the operator)`);
    const form = multipartBody([{ name: 'message_input', contentType: 'application/json', data: Buffer.from(JSON.stringify({ body: input.body, to }), 'utf8') }, ...input.attachments.map(filePart)]);
    const body = obj(await this.call(connection, 'POST', MIRAKL_PATHS.threadMessage(input.threadId), {}, form));
    const messageId = idText(body?.['message_id']);
    if (!messageId) throw new ProviderError('retryable', `${PROVIDER} M12 answered without a message_id`);
    return { messageId };
  }

  async orders(connection: StoreConnectionCredentials, orderIds: string[]): Promise<MarketplaceOrder[]> {
    const wanted = [...new Set(orderIds.map((id) => id.trim()).filter((id) => id !== ''))];
    const out: MarketplaceOrder[] = [];
    for (let i = 0; i < wanted.length; i += MIRAKL_ORDER_IDS_PER_CALL) {
      const chunk = wanted.slice(i, i + MIRAKL_ORDER_IDS_PER_CALL);
      // `max` is sent because OR11's default page size is not stated ([UNVERIFIED]) and may be below the chunk.
      const body = obj(await this.call(connection, 'GET', MIRAKL_PATHS.orders, { order_ids: chunk.join(','), max: String(chunk.length) }));
      const orders = body?.['orders'];
      if (!Array.isArray(orders)) throw new ProviderError('retryable', `${PROVIDER} OR11 answered without an orders list`);
      out.push(...orders.map(obj).filter(isJson).map(mapOrder).filter((o): o is MarketplaceOrder => o !== null));
    }
    return out;
  }

  orderUrl(_connection: StoreConnectionCredentials, orderId: string): string {
    return `${this.backOfficeUrl}${MIRAKL_BACK_OFFICE_PATHS.order(orderId)}`;
  }

  threadUrl(_connection: StoreConnectionCredentials, threadId: string): string {
    return `${this.backOfficeUrl}${MIRAKL_BACK_OFFICE_PATHS.thread(threadId)}`;
  }

  /** One seller-API call; refusals become ProviderErrors (401/403 and other 4xx permanent, 429 retry_after, 5xx retryable). */
  private async call(
    connection: StoreConnectionCredentials,
    method: 'GET' | 'POST',
    path: string,
    params: Record<string, string>,
    form?: { contentType: string; body: Buffer },
  ): Promise<unknown> {
    const apiKey = connection.secrets['apiKey']?.trim();
    if (!apiKey) throw new ProviderError('permanent', `${PROVIDER} API key is missing`);
    const query = new URLSearchParams(params);
    const shopId = connection.settings['shopId']?.trim();
    // Only needed for keys linked to several shops; sent whenever the connection names one.
    if (shopId) query.set('shop_id', shopId);
    const qs = query.toString();
    // Mirakl's Shop-API-Key scheme: the raw key in Authorization, no "Bearer".
    const headers: Record<string, string> = { authorization: apiKey, accept: 'application/json' };
    if (form) headers['content-type'] = form.contentType;
    const res = await httpRequest({ method, url: `${this.baseUrl}${path}${qs ? `?${qs}` : ''}`, headers, body: form?.body, timeoutMs: this.timeoutMs });
    const body = parseJson(res.text);
    if (res.status >= 200 && res.status <= 299) return body;
    throw failure(res, body, `${PROVIDER} ${method} ${path}`);
  }
}

function failure(res: HttpResponse, body: unknown, what: string): ProviderError {
  const reason = miraklMessage(body, res.text);
  const suffix = reason ? `: ${reason}` : '';
  if (res.status === 401 || res.status === 403) {
    return new ProviderError('permanent', `${PROVIDER} refused the API key${suffix}`, { httpStatus: res.status });
  }
  return classifyHttpFailure(res, `${what} answered HTTP ${res.status}${suffix}`);
}

/** Mirakl error bodies look like {"status":400,"message":"…"}; anything else is quoted briefly. */
function miraklMessage(body: unknown, raw: string): string | null {
  const o = obj(body);
  const message = str(o?.['message']);
  if (message) return message;
  const trimmed = raw.trim();
  if (trimmed === '' || o) return null;
  return trimmed.length > 200 ? `${trimmed.slice(0, 200)}…` : trimmed;
}

function clampLimit(limit: number): number {
  if (!Number.isFinite(limit)) return MIRAKL_MAX_PAGE_SIZE;
  return Math.min(MIRAKL_MAX_PAGE_SIZE, Math.max(1, Math.floor(limit)));
}

// ---------------------------------------------------------------------------------------------
// Multipart: built by hand so each part's bytes (JSON and binary files) go out exactly as given.

interface FormPart {
  name: string;
  filename?: string;
  contentType: string;
  data: Buffer;
}

function filePart(a: OutgoingAttachment): FormPart {
  return { name: 'files', filename: a.name, contentType: a.contentType, data: a.data };
}

export function multipartBody(parts: FormPart[]): { contentType: string; body: Buffer } {
  const boundary = `----ShoptalkMirakl${randomBytes(16).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const disposition = `form-data; name="${headerQuote(part.name)}"${part.filename === undefined ? '' : `; filename="${headerQuote(part.filename)}"`}`;
    const contentType = part.contentType.replace(/[\r\n]/g, '').trim() || 'application/octet-stream';
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\nContent-Type: ${contentType}\r\n\r\n`, 'utf8'), part.data, Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { contentType: `multipart/form-data; boundary=${boundary}`, body: Buffer.concat(chunks) };
}

/** Escapes a form-data name or filename the way browsers do (HTML spec): `"` and line breaks percent-encoded, UTF-8 kept. */
function headerQuote(v: string): string {
  return v.replace(/\r/g, '%0D').replace(/\n/g, '%0A').replace(/"/g, '%22');
}

// ---------------------------------------------------------------------------------------------
// Mapping

export function mapThread(t: Json): MarketplaceThread | null {
  const id = idText(t['id']);
  if (!id) return null;
  const updatedAt = epoch(t['date_updated']) ?? epoch(t['date_created']) ?? 0;
  const messages = listOf(t['messages'])
    .map((m) => mapMessage(m, updatedAt))
    .filter((m): m is MarketplaceMessage => m !== null)
    // The API does not promise an order; the port wants oldest first (ties by id so the order is stable).
    .sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
  return {
    id,
    createdAt: epoch(t['date_created']) ?? updatedAt,
    updatedAt,
    topic: str(obj(t['topic'])?.['value']),
    customer: threadCustomer(t),
    orderId: idText(listOf(t['entities']).find((e) => e['type'] === 'MMP_ORDER')?.['id']),
    messages,
  };
}

/** The buyer: a CUSTOMER participant (current first, then authorized), else the customer organization. */
function threadCustomer(t: Json): { id: string; name: string | null } | null {
  for (const key of ['current_participants', 'authorized_participants']) {
    const p = listOf(t[key]).find((x) => x['type'] === 'CUSTOMER' && idText(x['id']) !== null);
    if (p) return { id: idText(p['id'])!, name: str(p['display_name']) };
  }
  const org = obj(t['customer_organization']);
  const orgId = idText(org?.['id']);
  return org && orgId ? { id: orgId, name: str(org['display_name']) } : null;
}

function mapMessage(m: Json, fallbackAt: number): MarketplaceMessage | null {
  const id = idText(m['id']);
  if (!id) return null;
  const from = obj(m['from']);
  return {
    id,
    body: typeof m['body'] === 'string' ? m['body'] : '',
    createdAt: epoch(m['date_created']) ?? fallbackAt,
    author: authorOf(str(from?.['type'])),
    authorName: str(from?.['display_name']) ?? str(obj(from?.['organization_details'])?.['display_name']),
    attachments: listOf(m['attachments']).map(mapAttachment).filter((a): a is MarketplaceAttachment => a !== null),
  };
}

function authorOf(type: string | null): MarketplaceAuthor {
  const known = type ? authorByType[type] : undefined;
  if (known) return known;
  // A sender type added later: keep buyers and shop staff recognisable, treat the rest as the marketplace.
  if (type?.startsWith('CUSTOMER')) return 'customer';
  if (type?.startsWith('SHOP')) return 'shop';
  return 'operator';
}

function mapAttachment(a: Json): MarketplaceAttachment | null {
  const id = idText(a['id']);
  if (!id) return null;
  return { id, name: str(a['name']) ?? id, size: num(a['size']) ?? 0 };
}

export function mapOrder(o: Json): MarketplaceOrder | null {
  const id = idText(o['order_id']);
  if (!id) return null;
  const amount = money(o['total_price']);
  const currency = str(o['currency_iso_code']);
  const customer = obj(o['customer']);
  const customerId = idText(customer?.['customer_id']);
  const name = [str(customer?.['firstname']), str(customer?.['lastname'])].filter((x) => x !== null).join(' ');
  return {
    id,
    commercialId: idText(o['commercial_id']),
    state: str(o['order_state']),
    createdAt: epoch(o['created_date']),
    total: amount !== null && currency !== null ? { amount, currency } : null,
    customer: customerId ? { id: customerId, name: name === '' ? null : name } : null,
    lines: listOf(o['order_lines']).map((l) => ({
      sku: str(l['offer_sku']) ?? str(l['product_shop_sku']),
      title: str(l['product_title']) ?? str(l['offer_sku']) ?? '',
      quantity: num(l['quantity']) ?? 0,
      price: money(l['price']),
    })),
  };
}

// ---------------------------------------------------------------------------------------------
// Small readers

function obj(v: unknown): Json | null {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : null;
}

function isJson(v: Json | null): v is Json {
  return v !== null;
}

function listOf(v: unknown): Json[] {
  return Array.isArray(v) ? v.map(obj).filter(isJson) : [];
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v.trim() !== '' ? v : null;
}

function idText(v: unknown): string | null {
  if (typeof v === 'number' && Number.isSafeInteger(v)) return String(v);
  return str(v);
}

function num(v: unknown): number | null {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : null;
}

function epoch(v: unknown): number | null {
  if (typeof v !== 'string') return null;
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : at;
}

/** A JSON money number as a decimal string: cents kept ("12.50", "100.00"), finer precision left as given. */
function money(v: unknown): string | null {
  if (typeof v === 'string') return /^-?\d+(\.\d+)?$/.test(v.trim()) ? v.trim() : null;
  if (typeof v !== 'number' || !Number.isFinite(v)) return null;
  const fixed = v.toFixed(2);
  return Number(fixed) === v ? fixed : String(v);
}
