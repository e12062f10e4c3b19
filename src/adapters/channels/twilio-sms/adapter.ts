// Twilio Programmable Messaging (SMS) adapter: account and sender checks, text sends through the Messages
// resource, and X-Twilio-Signature verification and parsing of the form-encoded status callbacks and inbound
// messages. The host comes only from the injected baseUrl (https://api.twilio.com in production, the
// simulator in tests and the sandbox).
import { createHmac, timingSafeEqual } from 'node:crypto';
import type {
  ChannelAccountCredentials,
  ChannelAdapter,
  DeliveryState,
  DeliveryStatusUpdate,
  InboundChatMessage,
  ParsedChannelWebhook,
  ProviderTemplate,
  RawWebhook,
  SendRequest,
  SendResult,
  VerifiedAccount,
} from '../../../core/channels/ports.js';
import { ProviderError, parseRetryAfter } from '../../../core/errors.js';
import type { HttpResponse } from '../../http-client.js';
import { classifyHttpFailure, httpRequest, parseJson } from '../../http-client.js';
import { arr, asObject, interactiveAsText, num, str } from '../wire.js';

export interface TwilioSmsAdapterOptions {
  /** API origin, e.g. https://api.twilio.com (no trailing slash needed). */
  baseUrl: string;
  /** Per-request timeout; defaults to the http-client's default. */
  timeoutMs?: number;
}

export type SmsOptKeyword = 'opt_out' | 'opt_in' | 'help';

const API_VERSION = '2010-04-01';
/** Twilio refuses longer bodies with 21617; checking first saves a call that cannot succeed. */
export const MAX_SMS_BODY_CHARS = 1600;

// Twilio's default opt-out / opt-in / help keywords (Messaging "Advanced Opt-Out" defaults).
const OPT_KEYWORDS: ReadonlyMap<string, SmsOptKeyword> = new Map([
  ...['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'OPTOUT', 'REVOKE'].map((k) => [k, 'opt_out'] as const),
  ...['START', 'YES', 'UNSTOP'].map((k) => [k, 'opt_in'] as const),
  ...['HELP', 'INFO'].map((k) => [k, 'help'] as const),
]);

// Twilio error codes that no retry can fix, with a short explanation for the operator.
const PERMANENT_SEND_CODES: ReadonlyMap<number, string> = new Map([
  [21211, 'invalid To phone number'],
  [21614, 'the To number is not a mobile number'],
  [21612, 'the To number cannot be reached by SMS from this sender'],
  [21610, 'the recipient replied STOP and is unsubscribed from this sender'],
  [21408, 'sending to this region is not enabled on the Twilio account'],
  [21212, 'invalid From phone number'],
  [21606, 'the From number is not an SMS-capable number of this Twilio account'],
  [21603, 'a From number or Messaging Service is required'],
  [21604, 'a To number is required'],
  [21602, 'the message body is empty'],
  [21617, 'the message body is longer than 1600 characters'],
  [21609, 'the StatusCallback URL is invalid'],
  [10001, 'the Twilio account is not active'],
]);

// Delivery error codes seen in status callbacks, explained for the console.
const DELIVERY_ERROR_DETAILS: ReadonlyMap<string, string> = new Map([
  ['30003', 'Unreachable destination handset'],
  ['30005', 'Unknown destination handset'],
  ['30006', 'Landline or unreachable carrier'],
  ['30007', 'Message filtered by the carrier'],
  ['21610', 'Recipient unsubscribed (replied STOP)'],
]);

// A Map, not an object literal: a hostile MessageStatus such as "constructor" must not match anything.
const CALLBACK_STATES: ReadonlyMap<string, DeliveryState> = new Map([
  ['sent', 'sent'],
  ['delivered', 'delivered'],
  ['read', 'read'],
  ['undelivered', 'failed'],
  ['failed', 'failed'],
]);

interface TwilioError {
  code: number | null;
  message: string | null;
}

/**
 * Recognises Twilio's default opt keywords: the whole message, trimmed, case-insensitive.
 * "stop please" is not an opt-out, as on Twilio.
 */
export function smsOptKeyword(text: string): SmsOptKeyword | null {
  return OPT_KEYWORDS.get(text.trim().toUpperCase()) ?? null;
}

/**
 * The X-Twilio-Signature for a form POST: base64 HMAC-SHA1 of the URL plus each name+value, sorted by name
 * then value. A name repeated with the same value counts once, as in Twilio's own validators.
 */
function twilioSignature(authToken: string, url: string, params: URLSearchParams): string {
  const unique = new Map([...params.entries()].map(([name, value]) => [`${name}\u0000${value}`, [name, value] as const]));
  const pairs = [...unique.values()].sort(([a, av], [b, bv]) => compare(a, b) || compare(av, bv));
  const data = url + pairs.map(([name, value]) => name + value).join('');
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

export class TwilioSmsAdapter implements ChannelAdapter {
  readonly channel = 'sms' as const;
  readonly provider = 'twilio';
  private readonly baseUrl: string;
  private readonly timeoutMs: number | undefined;

  constructor(options: TwilioSmsAdapterOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs;
  }

  async verifyAccount(account: ChannelAccountCredentials): Promise<VerifiedAccount> {
    const accountSid = requireAccountSid(account);
    const sender = senderOf(account);
    const res = await this.get(account, `/${API_VERSION}/Accounts/${encodeURIComponent(accountSid)}.json`);
    if (res.status !== 200) throw failure(res, 'account check');
    const info = asObject(parseJson(res.text)) ?? {};
    const status = str(info['status']);
    if (status === 'suspended' || status === 'closed') {
      throw new ProviderError('permanent', `Twilio account ${accountSid} is ${status}; it cannot send messages`, { providerCode: `account_${status}` });
    }
    const phoneNumberSid = sender.kind === 'from' ? await this.findOwnNumber(account, accountSid, sender.value) : null;
    const friendlyName = str(info['friendly_name']);
    return {
      displayName: sender.kind === 'from' ? sender.value : (friendlyName ?? accountSid),
      details: {
        accountSid,
        friendlyName,
        status,
        from: sender.kind === 'from' ? sender.value : null,
        messagingServiceSid: sender.kind === 'service' ? sender.value : null,
        phoneNumberSid,
      },
    };
  }

  /** SMS has no provider-side templates. */
  listTemplates(): Promise<ProviderTemplate[]> {
    return Promise.resolve([]);
  }

  async send(account: ChannelAccountCredentials, request: SendRequest): Promise<SendResult> {
    const content = request.content;
    if (content.kind === 'template') throw new ProviderError('permanent', 'SMS has no provider templates; send text instead');
    // SMS has no buttons: choices become numbered lines the customer answers with.
    const text = content.kind === 'interactive' ? interactiveAsText(content) : content.text;
    const length = [...text].length;
    if (length > MAX_SMS_BODY_CHARS) {
      throw new ProviderError('permanent', `SMS body is ${length} characters; Twilio accepts at most ${MAX_SMS_BODY_CHARS}`, { providerCode: 21617 });
    }
    const accountSid = requireAccountSid(account);
    const sender = senderOf(account);
    const form = new URLSearchParams({ To: toE164(request.to) });
    form.set(sender.kind === 'from' ? 'From' : 'MessagingServiceSid', sender.value);
    form.set('Body', text);
    const callback = account.settings['statusCallbackUrl'];
    if (callback) form.set('StatusCallback', callback);
    // Twilio's Messages API takes no idempotency key: a retry after a lost response may send twice. The job
    // runner only retries timeouts/5xx, where Twilio most likely did not create the message.
    const res = await httpRequest({
      method: 'POST',
      url: `${this.baseUrl}/${API_VERSION}/Accounts/${encodeURIComponent(accountSid)}/Messages.json`,
      headers: { authorization: basicAuth(account), 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: form.toString(),
      timeoutMs: this.timeoutMs,
    });
    if (res.status !== 201 && res.status !== 200) throw failure(res, 'send');
    const body = asObject(parseJson(res.text)) ?? {};
    const sid = str(body['sid']);
    // Twilio created the message; retrying could send twice, so this is not retryable.
    if (!sid) throw new ProviderError('permanent', 'Twilio accepted the send but returned no message sid', { httpStatus: res.status });
    return { providerMessageId: sid, providerStatus: str(body['status']) };
  }

  verifyWebhook(account: ChannelAccountCredentials, webhook: RawWebhook): boolean {
    const authToken = account.secrets['authToken'];
    const header = webhook.headers['x-twilio-signature']?.trim();
    if (!authToken || !header || !webhook.url || !/^[A-Za-z0-9+/]+={0,2}$/.test(header)) return false;
    const given = Buffer.from(header, 'base64');
    const params = new URLSearchParams(webhook.body.toString('utf8'));
    // Proxies may add or drop the default port; Twilio's own helpers accept either form, so do we.
    let ok = false;
    for (const url of urlVariants(webhook.url)) {
      const expected = Buffer.from(twilioSignature(authToken, url, params), 'base64');
      // No early exit: every variant is compared, each in constant time.
      if (given.length === expected.length && timingSafeEqual(given, expected)) ok = true;
    }
    return ok;
  }

  parseWebhook(body: Buffer): ParsedChannelWebhook {
    const params = new URLSearchParams(body.toString('utf8'));
    const sid = params.get('MessageSid') ?? params.get('SmsSid');
    if (!sid) throw new Error('Twilio webhook has no MessageSid; expected a form-encoded status callback or inbound message');
    const messageStatus = params.get('MessageStatus');
    const smsStatus = params.get('SmsStatus');
    const isInbound = messageStatus === 'received' || (messageStatus === null && (smsStatus === 'received' || params.has('Body')));
    if (isInbound) return { statuses: [], messages: [toInbound(sid, params)] };
    const status = toStatus(sid, messageStatus ?? smsStatus, params);
    return { statuses: status ? [status] : [], messages: [] };
  }

  // -----------------------------------------------------------------------------------------------

  private get(account: ChannelAccountCredentials, pathAndQuery: string): Promise<HttpResponse> {
    return httpRequest({
      method: 'GET',
      url: `${this.baseUrl}${pathAndQuery}`,
      headers: { authorization: basicAuth(account), accept: 'application/json' },
      timeoutMs: this.timeoutMs,
    });
  }

  /** Checks the From number is one of the account's numbers; returns its PN sid. */
  private async findOwnNumber(account: ChannelAccountCredentials, accountSid: string, from: string): Promise<string | null> {
    const query = new URLSearchParams({ PhoneNumber: from }).toString();
    const res = await this.get(account, `/${API_VERSION}/Accounts/${encodeURIComponent(accountSid)}/IncomingPhoneNumbers.json?${query}`);
    if (res.status !== 200) throw failure(res, 'phone number check');
    const match = arr(asObject(parseJson(res.text))?.['incoming_phone_numbers'])
      .map(asObject)
      .find((n) => n !== null && str(n['phone_number']) === from);
    if (!match) {
      throw new ProviderError('permanent', `The From number ${from} is not a phone number of Twilio account ${accountSid}`, { providerCode: 'from_not_owned' });
    }
    return str(match['sid']);
  }
}

// -------------------------------------------------------------------------------------------------
// Credentials and wire-format helpers

function requireAccountSid(account: ChannelAccountCredentials): string {
  const sid = account.settings['accountSid'];
  if (!sid) throw new ProviderError('permanent', 'Twilio account is missing settings.accountSid');
  return sid;
}

function basicAuth(account: ChannelAccountCredentials): string {
  const token = account.secrets['authToken'];
  if (!token) throw new ProviderError('permanent', 'Twilio account is missing secrets.authToken');
  return 'Basic ' + Buffer.from(`${requireAccountSid(account)}:${token}`, 'utf8').toString('base64');
}

type Sender = { kind: 'from'; value: string } | { kind: 'service'; value: string };

/** The sender of every send: a Messaging Service when configured (Twilio picks the number), else settings.from. */
function senderOf(account: ChannelAccountCredentials): Sender {
  const service = account.settings['messagingServiceSid'];
  if (service) return { kind: 'service', value: service };
  const from = account.settings['from'];
  if (!from) throw new ProviderError('permanent', 'Twilio account needs settings.from (E.164 number) or settings.messagingServiceSid');
  return { kind: 'from', value: toE164(from) };
}

/** The hub keeps numbers as digits without '+'; Twilio wants E.164 with it. */
function toE164(number: string): string {
  const trimmed = number.trim();
  return trimmed.startsWith('+') ? trimmed : `+${trimmed}`;
}

function withoutPlus(number: string): string {
  return number.startsWith('+') ? number.slice(1) : number;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The URL as given, plus the same URL with the scheme's default port added or removed. */
function urlVariants(url: string): string[] {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return [url];
  }
  const defaultPort = parsed.protocol === 'https:' ? '443' : parsed.protocol === 'http:' ? '80' : null;
  if (!defaultPort) return [url];
  const authority = /^[a-z]+:\/\/([^/?#]*)/i.exec(url)?.[1] ?? '';
  const hasPort = /:\d+$/.test(authority.replace(/^.*@/, ''));
  if (hasPort && !authority.endsWith(`:${defaultPort}`)) return [url];
  const other = hasPort ? authority.slice(0, -(defaultPort.length + 1)) : `${authority}:${defaultPort}`;
  return [url, url.replace(authority, other)];
}

function readTwilioError(text: string): TwilioError {
  const body = asObject(parseJson(text));
  if (!body) return { code: null, message: text ? text.slice(0, 300) : null };
  return { code: num(body['code']), message: str(body['message']) };
}

/** Classifies a failed Twilio response, keeping Twilio's message and code. */
function failure(res: HttpResponse, operation: string): ProviderError {
  const error = readTwilioError(res.text);
  const said = `${error.message ?? 'no error message'}${error.code !== null ? ` (code ${error.code})` : ''} [HTTP ${res.status}]`;
  if (res.status === 401 || error.code === 20003) {
    return new ProviderError('permanent', `Twilio refused the Account SID / Auth Token: ${said}`, { httpStatus: res.status, providerCode: error.code ?? 20003 });
  }
  if (error.code === 20404 && operation !== 'send') {
    return new ProviderError('permanent', `Twilio does not know this Account SID: ${said}`, { httpStatus: res.status, providerCode: error.code });
  }
  // Twilio's "Too Many Requests" code normally comes with HTTP 429; honour the code even if it does not.
  if (error.code === 20429 && res.status !== 429) {
    return new ProviderError('retry_after', `Twilio ${operation} was rate limited: ${said}`, {
      httpStatus: res.status,
      providerCode: error.code,
      retryAfterMs: parseRetryAfter(res.headers['retry-after']) ?? 1000,
    });
  }
  const known = error.code !== null ? PERMANENT_SEND_CODES.get(error.code) : undefined;
  if (known) return new ProviderError('permanent', `Twilio ${operation} was refused (${known}): ${said}`, { httpStatus: res.status, providerCode: error.code });
  const verb = res.status === 429 ? 'was rate limited' : res.status >= 500 || res.status === 408 ? 'failed temporarily' : 'was refused';
  return classifyHttpFailure(res, `Twilio ${operation} ${verb}: ${said}`, error.code);
}

function toInbound(sid: string, params: URLSearchParams): InboundChatMessage {
  const body = params.get('Body');
  return {
    providerMessageId: sid,
    from: withoutPlus(params.get('From') ?? ''),
    // Twilio callbacks carry no timestamp.
    occurredAt: Date.now(),
    // An MMS with only media has an empty Body.
    text: body === null || body === '' ? null : body,
    payload: null,
    profileName: null,
    replyToProviderMessageId: null,
  };
}

/** A status callback as a delivery update; null for the states the hub does not track (queued, sending...). */
function toStatus(sid: string, status: string | null, params: URLSearchParams): DeliveryStatusUpdate | null {
  const state = status ? CALLBACK_STATES.get(status) : undefined;
  if (!state) return null;
  const errorCode = state === 'failed' ? params.get('ErrorCode') || null : null;
  const to = params.get('To');
  return {
    providerMessageId: sid,
    state,
    occurredAt: Date.now(),
    recipient: to ? withoutPlus(to) : null,
    errorCode,
    errorDetail: state === 'failed' ? failureDetail(status, errorCode) : null,
    category: null,
  };
}

function failureDetail(status: string | null, errorCode: string | null): string {
  const known = errorCode ? DELIVERY_ERROR_DETAILS.get(errorCode) : undefined;
  if (known) return known;
  return errorCode ? `Twilio reported the message ${status ?? 'failed'} with error ${errorCode}` : `Twilio reported the message ${status ?? 'failed'}`;
}
