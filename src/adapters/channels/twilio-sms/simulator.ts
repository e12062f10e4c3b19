// A Twilio Programmable Messaging (SMS) simulator: the Accounts, IncomingPhoneNumbers and Messages routes
// (create, fetch, list with Twilio's paging) with Basic auth and Twilio's error body {code, message,
// more_info, status} on every refusal, signed form-encoded status callbacks after each accepted message,
// signed inbound SMS to per-number webhook URLs, and Twilio's STOP/START opt-out behaviour. It signs with
// its own code, never the adapter's.
// Control routes (besides the base class's faults/requests/reset):
//   POST /_sim/accounts     {accountSid, authToken, numbers[], status?, friendlyName?, messagingServiceSids?}
//   GET  /_sim/accounts
//   POST /_sim/numbers      {number, smsUrl}            where inbound SMS to that number are posted
//   POST /_sim/inbound      {from, to, body}            an inbound SMS (STOP/START change opt-outs)
//   POST /_sim/unreachable  {number, unreachable?}      sends to it end undelivered with 30003
//   GET  /_sim/messages?to=                             the outbox, oldest first
//   GET  /_sim/webhooks                                 every callback posted, with the receiver's status
//   POST /_sim/webhooks/redeliver {index}               posts one again, byte for byte (a Twilio retry)
//   GET  /_sim/settings, POST /_sim/settings {statusCallbacks?, statusDelayMs?}
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { SimRequest, SimResponse } from '../../../sandbox/simulator.js';
import { SimInputError, Simulator, deliverWebhook, jsonBody, requireString } from '../../../sandbox/simulator.js';
import { arr, str } from '../wire.js';

export type TwilioSimAccountStatus = 'active' | 'suspended' | 'closed';

export interface TwilioSimAccount {
  /** "AC" + 32 hex. */
  accountSid: string;
  authToken: string;
  /** The account's phone numbers, E.164 ("+15551234567"; a missing '+' is added). */
  numbers: string[];
  status?: TwilioSimAccountStatus;
  friendlyName?: string;
  /** Messaging Service sids ("MG" + 32 hex) that send from the account's numbers. */
  messagingServiceSids?: string[];
}

export type TwilioSimStatus = 'queued' | 'accepted' | 'sending' | 'sent' | 'delivered' | 'undelivered' | 'failed';

export interface TwilioSimMessage {
  sid: string;
  accountSid: string;
  from: string;
  to: string;
  body: string;
  messagingServiceSid: string | null;
  statusCallback: string | null;
  status: TwilioSimStatus;
  errorCode: number | null;
  at: number;
}

export interface TwilioSimInbound {
  /** The customer's number (E.164; a missing '+' is added). */
  from: string;
  /** The account's number it was sent to. */
  to: string;
  body: string;
}

export interface TwilioSimWebhook {
  kind: 'status' | 'inbound';
  url: string;
  /** The exact form-encoded bytes posted. */
  body: string;
  headers: Record<string, string>;
  /** The receiver's HTTP status; 0 when unreachable. */
  status: number;
  at: number;
}

export interface TwilioSimSettings {
  statusCallbacks: boolean;
  statusDelayMs: number;
}

export type TwilioSimulatorOptions = Partial<TwilioSimSettings>;

interface AccountState {
  accountSid: string;
  authToken: string;
  numbers: string[];
  status: TwilioSimAccountStatus;
  friendlyName: string;
  messagingServiceSids: string[];
  phoneNumberSids: Map<string, string>;
}

type TwilioErrorBody = { code: number; message: string; more_info: string; status: number };

const API = '/2010-04-01';
/** Twilio refuses longer bodies with 21617. */
const MAX_BODY_CHARS = 1600;
/** Messages list: 50 per page unless PageSize says otherwise, at most 1000. */
const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 1000;
// Twilio's default opt-out and opt-in keywords (Messaging "Advanced Opt-Out" defaults), matched on the whole
// trimmed message, case-insensitively.
const OPT_OUT_KEYWORDS = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'OPTOUT', 'REVOKE']);
const OPT_IN_KEYWORDS = new Set(['START', 'YES', 'UNSTOP']);
const E164 = /^\+[1-9]\d{6,14}$/;
const ACCOUNT_SID = /^AC[0-9a-f]{32}$/i;
const SERVICE_SID = /^MG[0-9a-f]{32}$/i;

/** A Twilio-shaped error response. */
function twilioError(status: number, code: number, message: string): SimResponse {
  const body: TwilioErrorBody = { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status };
  return { status, body };
}

const AUTHENTICATE = (): SimResponse => twilioError(401, 20003, 'Authenticate');

/**
 * X-Twilio-Signature as Twilio computes it (twilio.com/docs/usage/security): the full URL, then every POST
 * parameter sorted by name with its value appended, HMAC-SHA1 keyed by the Auth Token, base64.
 */
function signRequest(authToken: string, url: string, params: URLSearchParams): string {
  const seen = new Set<string>();
  const pairs: Array<[string, string]> = [];
  for (const [name, value] of params) {
    const key = JSON.stringify([name, value]);
    if (!seen.has(key)) pairs.push([name, value]);
    seen.add(key);
  }
  pairs.sort(([a, av], [b, bv]) => (a === b ? (av < bv ? -1 : av > bv ? 1 : 0) : a < b ? -1 : 1));
  let data = url;
  for (const [name, value] of pairs) data += name + value;
  return createHmac('sha1', authToken).update(Buffer.from(data, 'utf8')).digest('base64');
}

export class TwilioSmsSimulator extends Simulator {
  readonly name = 'twilio-sms';
  private readonly settingsValue: TwilioSimSettings = { statusCallbacks: true, statusDelayMs: 20 };
  private readonly accounts = new Map<string, AccountState>();
  /** E.164 number → where inbound SMS to it are posted. */
  private readonly smsUrls = new Map<string, string>();
  private readonly unreachable = new Set<string>();
  /** "sender|customer" pairs where the customer replied STOP to that sender number. */
  private readonly optOuts = new Set<string>();
  private outbox: TwilioSimMessage[] = [];
  private webhookLog: TwilioSimWebhook[] = [];
  // Bumped on reset/close so callback chains scheduled before it stop quietly.
  private generation = 0;

  constructor(options: TwilioSimulatorOptions = {}) {
    super();
    this.applySettings(options);
    this.registerControlRoutes();
    this.route('GET', `${API}/Accounts/:sid.json`, (req, p) => this.accountRoute(req, p['sid'] ?? ''));
    this.route('GET', `${API}/Accounts/:sid/IncomingPhoneNumbers.json`, (req, p) => this.numbersRoute(req, p['sid'] ?? ''));
    this.route('POST', `${API}/Accounts/:sid/Messages.json`, (req, p) => this.messagesRoute(req, p['sid'] ?? ''));
    this.route('GET', `${API}/Accounts/:sid/Messages.json`, (req, p) => this.listMessagesRoute(req, p['sid'] ?? ''));
    this.route('GET', `${API}/Accounts/:sid/Messages/:messageSid.json`, (req, p) => this.fetchMessageRoute(req, p['sid'] ?? '', p['messageSid'] ?? ''));
  }

  // ---------------------------------------------------------------------------------------------
  // State API (also reachable through the control routes)

  get settings(): TwilioSimSettings {
    return { ...this.settingsValue };
  }

  applySettings(input: Partial<TwilioSimSettings>): TwilioSimSettings {
    if (input.statusCallbacks !== undefined) this.settingsValue.statusCallbacks = input.statusCallbacks;
    if (input.statusDelayMs !== undefined) this.settingsValue.statusDelayMs = Math.max(0, input.statusDelayMs);
    return this.settings;
  }

  /** Registers (or replaces) an account. Throws SimInputError for malformed sids or numbers. */
  addAccount(input: TwilioSimAccount): TwilioSimAccount {
    if (!ACCOUNT_SID.test(input.accountSid)) throw new SimInputError(400, 'accountSid must be "AC" followed by 32 hex characters');
    if (!input.authToken) throw new SimInputError(400, 'authToken is required');
    const numbers = input.numbers.map((n) => e164(n, 'numbers[]'));
    const services = input.messagingServiceSids ?? [];
    if (services.some((s) => !SERVICE_SID.test(s))) throw new SimInputError(400, 'messagingServiceSids must be "MG" followed by 32 hex characters');
    const state: AccountState = {
      accountSid: input.accountSid,
      authToken: input.authToken,
      numbers,
      status: input.status ?? 'active',
      friendlyName: input.friendlyName ?? 'Shoptalk Sandbox',
      messagingServiceSids: services,
      phoneNumberSids: new Map(numbers.map((n) => [n, sid('PN')])),
    };
    this.accounts.set(state.accountSid, state);
    return this.publicAccount(state);
  }

  listAccounts(): TwilioSimAccount[] {
    return [...this.accounts.values()].map((a) => this.publicAccount(a));
  }

  /** Sets where inbound SMS to one of the accounts' numbers are posted (Twilio's per-number "A message comes in" URL). */
  setSmsUrl(number: string, smsUrl: string): void {
    const n = e164(number, 'number');
    if (!this.ownerOf(n)) throw new SimInputError(404, `number ${n} belongs to no registered account`);
    if (!isHttpUrl(smsUrl)) throw new SimInputError(400, 'smsUrl must be an http(s) URL');
    this.smsUrls.set(n, smsUrl);
  }

  /** Marks a handset unreachable: sends to it are accepted, then end undelivered with 30003. */
  setUnreachable(number: string, unreachable = true): void {
    const n = e164(number, 'number');
    if (unreachable) this.unreachable.add(n);
    else this.unreachable.delete(n);
  }

  /** The outbox, oldest first, optionally for one recipient (with or without '+'). */
  messages(to?: string): TwilioSimMessage[] {
    const wanted = to === undefined ? undefined : withPlus(to);
    return this.outbox.filter((m) => wanted === undefined || m.to === wanted).map((m) => ({ ...m }));
  }

  /** Every callback posted (status and inbound), oldest first. */
  webhooks(): TwilioSimWebhook[] {
    return this.webhookLog.map((w) => ({ ...w, headers: { ...w.headers } }));
  }

  /** Whether `customer` has opted out (STOP) of messages from `sender`. */
  isOptedOut(sender: string, customer: string): boolean {
    return this.optOuts.has(`${withPlus(sender)}|${withPlus(customer)}`);
  }

  /**
   * Posts a signed inbound SMS to the number's registered URL; STOP-type keywords opt the sender out of that
   * number, START-type keywords opt back in, as Twilio's default opt-out handling does.
   */
  async emitInbound(input: TwilioSimInbound): Promise<{ messageSid: string; status: number }> {
    const from = e164(input.from, 'from');
    const to = e164(input.to, 'to');
    const account = this.ownerOf(to);
    if (!account) throw new SimInputError(404, `number ${to} belongs to no registered account`);
    const url = this.smsUrls.get(to);
    if (!url) throw new SimInputError(409, `number ${to} has no inbound smsUrl; register one with POST /_sim/numbers`);
    this.applyOptKeyword(to, from, input.body);
    const messageSid = sid('SM');
    const params = new URLSearchParams({
      ToCountry: '',
      ToState: '',
      SmsMessageSid: messageSid,
      NumMedia: '0',
      ToCity: '',
      FromZip: '',
      SmsSid: messageSid,
      FromState: '',
      SmsStatus: 'received',
      FromCity: '',
      Body: input.body,
      FromCountry: '',
      To: to,
      ToZip: '',
      NumSegments: String(segments(input.body)),
      MessageSid: messageSid,
      AccountSid: account.accountSid,
      From: from,
      ApiVersion: '2010-04-01',
    });
    return { messageSid, status: await this.post('inbound', account, url, params) };
  }

  /** Posts a logged webhook again with the same bytes and headers, as Twilio does when it retries. */
  async redeliver(index: number): Promise<number> {
    const original = this.webhookLog[index];
    if (!original) throw new SimInputError(404, `no webhook #${index}; ${this.webhookLog.length} were posted`);
    const status = await postQuietly(original.url, original.body, original.headers);
    this.webhookLog.push({ ...original, headers: { ...original.headers }, status, at: Date.now() });
    return status;
  }

  protected override resetState(): void {
    this.generation++;
    this.outbox = [];
    this.webhookLog = [];
    this.unreachable.clear();
    this.optOuts.clear();
  }

  override async close(): Promise<void> {
    this.generation++;
    await super.close();
  }

  /** Twilio-shaped bodies for injected faults, so the adapter classifies them as it would Twilio's. */
  protected override faultBody(status: number): unknown {
    if (status === 429) return twilioError(429, 20429, 'Too Many Requests').body;
    if (status === 401) return twilioError(401, 20003, 'Authenticate').body;
    if (status >= 500) return twilioError(status, 20500, 'Internal Server Error').body;
    return twilioError(status, status === 404 ? 20404 : 21000, `Simulated HTTP ${status}`).body;
  }

  /** Unknown routes and malformed requests get Twilio's error body too. */
  protected override errorBody(status: number, message: string): unknown {
    return twilioError(status, status === 404 ? 20404 : status === 401 ? 20003 : 21000, message).body;
  }

  // ---------------------------------------------------------------------------------------------
  // Provider routes

  /** The account the Basic credentials name, or a 401/404 response as Twilio gives them. */
  private authorize(req: SimRequest, pathSid: string): AccountState | SimResponse {
    const m = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(req.headers['authorization'] ?? '');
    const decoded = m?.[1] ? Buffer.from(m[1], 'base64').toString('utf8') : '';
    const colon = decoded.indexOf(':');
    const user = colon > 0 ? decoded.slice(0, colon) : '';
    const account = this.accounts.get(user);
    if (!account || account.authToken !== decoded.slice(colon + 1)) return AUTHENTICATE();
    // The path names another account than the credentials: Twilio answers as for a missing resource.
    if (account.accountSid !== pathSid) return twilioError(404, 20404, `The requested resource ${req.path} was not found`);
    return account;
  }

  private accountRoute(req: SimRequest, pathSid: string): SimResponse {
    const account = this.authorize(req, pathSid);
    if (!isAccount(account)) return account;
    return {
      status: 200,
      body: {
        sid: account.accountSid,
        owner_account_sid: account.accountSid,
        friendly_name: account.friendlyName,
        status: account.status,
        type: 'Full',
        date_created: rfc2822(Date.now()),
        date_updated: rfc2822(Date.now()),
        uri: `${API}/Accounts/${account.accountSid}.json`,
      },
    };
  }

  private numbersRoute(req: SimRequest, pathSid: string): SimResponse {
    const account = this.authorize(req, pathSid);
    if (!isAccount(account)) return account;
    const filter = req.query['PhoneNumber'];
    const numbers = account.numbers
      .filter((n) => !filter || n === filter || n === withPlus(filter.trim()))
      .map((n) => ({
        sid: account.phoneNumberSids.get(n),
        account_sid: account.accountSid,
        phone_number: n,
        friendly_name: n,
        capabilities: { sms: true, mms: false, voice: true, fax: false },
        sms_url: this.smsUrls.get(n) ?? '',
        sms_method: 'POST',
      }));
    return { status: 200, body: { incoming_phone_numbers: numbers, page: 0, page_size: 50, start: 0, end: Math.max(0, numbers.length - 1) } };
  }

  private messagesRoute(req: SimRequest, pathSid: string): SimResponse {
    const account = this.authorize(req, pathSid);
    if (!isAccount(account)) return account;
    // [UNVERIFIED] the exact code Twilio gives a suspended/closed account's sends; 10001 "Account is not active".
    if (account.status !== 'active') return twilioError(401, 10001, 'Account is not active');
    const form = new URLSearchParams(req.body);
    const checked = this.validateSend(account, form);
    if ('status' in checked) return checked;
    const { to, from, service, body } = checked;
    if (this.isInvalidRecipient(to) || this.isInvalidRecipient(to.slice(1))) {
      return twilioError(400, 21211, `Invalid 'To' Phone Number: ${to}`);
    }
    const pool = service ? account.numbers : [from];
    if (pool.some((n) => this.isOptedOut(n, to))) return twilioError(400, 21610, 'Attempt to send to unsubscribed recipient');
    const statusCallback = form.get('StatusCallback');
    if (statusCallback !== null && !isHttpUrl(statusCallback)) return twilioError(400, 21609, 'Invalid StatusCallback url');
    const msg: TwilioSimMessage = {
      sid: sid('SM'),
      accountSid: account.accountSid,
      from,
      to,
      body,
      messagingServiceSid: service,
      statusCallback: statusCallback || null,
      // A Messaging Service send starts "accepted" (a sender is not picked yet), a direct one "queued".
      status: service ? 'accepted' : 'queued',
      errorCode: null,
      at: Date.now(),
    };
    this.outbox.push(msg);
    if (this.settingsValue.statusCallbacks) this.scheduleCallbacks(account, msg);
    return { status: 201, body: messageJson(msg) };
  }

  /** GET Messages/{Sid}.json: one message of the account, or 20404. */
  private fetchMessageRoute(req: SimRequest, pathSid: string, messageSid: string): SimResponse {
    const account = this.authorize(req, pathSid);
    if (!isAccount(account)) return account;
    const msg = this.outbox.find((m) => m.sid === messageSid && m.accountSid === account.accountSid);
    if (!msg) return twilioError(404, 20404, `The requested resource ${req.path} was not found`);
    return { status: 200, body: messageJson(msg) };
  }

  /**
   * GET Messages.json: the account's messages, newest first, filtered by To and From, in Twilio's page
   * envelope (messages, page, page_size, start, end, uri, first_page_uri, next_page_uri, previous_page_uri).
   */
  private listMessagesRoute(req: SimRequest, pathSid: string): SimResponse {
    const account = this.authorize(req, pathSid);
    if (!isAccount(account)) return account;
    const pageSize = intParam(req.query['PageSize'], DEFAULT_PAGE_SIZE);
    const page = intParam(req.query['Page'], 0);
    if (pageSize !== null && pageSize > MAX_PAGE_SIZE) return twilioError(400, 20007, `Page size too large: the maximum page size is ${MAX_PAGE_SIZE}`);
    // [UNVERIFIED] the code Twilio gives a malformed Page or PageSize; 20001 is its generic invalid-parameter code.
    if (pageSize === null || pageSize < 1) return twilioError(400, 20001, 'Invalid parameter: PageSize must be a positive integer');
    if (page === null) return twilioError(400, 20001, 'Invalid parameter: Page must be a non-negative integer');
    const to = req.query['To'];
    const from = req.query['From'];
    const matching = this.outbox
      .filter((m) => m.accountSid === account.accountSid && (!to || m.to === withPlus(to)) && (!from || m.from === withPlus(from)))
      .reverse();
    const start = page * pageSize;
    const slice = matching.slice(start, start + pageSize);
    const base = `${API}/Accounts/${account.accountSid}/Messages.json`;
    const filters = new URLSearchParams();
    if (to) filters.set('To', to);
    if (from) filters.set('From', from);
    const pageUri = (n: number): string => {
      const q = new URLSearchParams(filters);
      q.set('PageSize', String(pageSize));
      q.set('Page', String(n));
      // Twilio's next/previous links carry a PageToken naming where the page starts.
      if (n > 0) q.set('PageToken', `PASM${n * pageSize}`);
      return `${base}?${q.toString()}`;
    };
    return {
      status: 200,
      body: {
        messages: slice.map(messageJson),
        page,
        page_size: pageSize,
        start,
        end: slice.length === 0 ? start : start + slice.length - 1,
        uri: pageUri(page),
        first_page_uri: pageUri(0),
        next_page_uri: start + pageSize < matching.length ? pageUri(page + 1) : null,
        previous_page_uri: page > 0 ? pageUri(page - 1) : null,
      },
    };
  }

  /** Twilio's checks on a create-message form, in its order; a Twilio error response or the checked fields. */
  private validateSend(
    account: AccountState,
    form: URLSearchParams,
  ): SimResponse | { to: string; from: string; service: string | null; body: string } {
    const rawTo = form.get('To');
    if (!rawTo) return twilioError(400, 21604, "A 'To' phone number is required.");
    const service = form.get('MessagingServiceSid');
    const rawFrom = form.get('From');
    if (!service && !rawFrom) return twilioError(400, 21603, "A 'From' phone number is required.");
    if (service && !account.messagingServiceSids.includes(service)) {
      // [UNVERIFIED] code for an unknown Messaging Service sid; Twilio documents 21701 "Messaging Service not found".
      return twilioError(400, 21701, `The Messaging Service Sid ${service} is invalid.`);
    }
    const from = service ? (account.numbers[0] ?? '') : (rawFrom ?? '');
    if (!account.numbers.includes(from)) {
      return twilioError(400, 21606, `The From phone number ${from} is not a valid, SMS-capable inbound phone number or short code for your account.`);
    }
    const body = form.get('Body');
    if (body === null || body === '') return twilioError(400, 21602, 'Message body is required.');
    if (!E164.test(rawTo)) return twilioError(400, 21211, `Invalid 'To' Phone Number: ${rawTo}`);
    if ([...body].length > MAX_BODY_CHARS) {
      return twilioError(400, 21617, `The concatenated message body exceeds the ${MAX_BODY_CHARS} character limit.`);
    }
    return { to: rawTo, from, service, body };
  }

  // ---------------------------------------------------------------------------------------------
  // Callbacks

  /** queued → sent → delivered (or undelivered 30003 for an unreachable handset), one after another. */
  private scheduleCallbacks(account: AccountState, msg: TwilioSimMessage): void {
    const generation = this.generation;
    const failing = this.unreachable.has(msg.to);
    const sequence: TwilioSimStatus[] = ['queued', 'sent', failing ? 'undelivered' : 'delivered'];
    const run = async (): Promise<void> => {
      for (const status of sequence) {
        await sleep(this.settingsValue.statusDelayMs);
        if (generation !== this.generation) return;
        msg.status = status;
        if (status === 'undelivered') msg.errorCode = 30003;
        if (msg.statusCallback) await this.post('status', account, msg.statusCallback, statusParams(msg));
      }
    };
    run().catch(() => undefined);
  }

  /** Signs the form as Twilio does and posts it once, logging it; returns the receiver's status (0 if unreachable). */
  private async post(kind: TwilioSimWebhook['kind'], account: AccountState, url: string, params: URLSearchParams): Promise<number> {
    const body = params.toString();
    const headers = {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': signRequest(account.authToken, url, params),
      // Twilio's retries of one callback share this token.
      'i-twilio-idempotency-token': randomUUID(),
      'user-agent': 'TwilioProxy/1.1',
    };
    const status = await postQuietly(url, body, headers);
    this.webhookLog.push({ kind, url, body, headers, status, at: Date.now() });
    return status;
  }

  private applyOptKeyword(sender: string, customer: string, body: string): void {
    const keyword = body.trim().toUpperCase();
    if (OPT_OUT_KEYWORDS.has(keyword)) this.optOuts.add(`${sender}|${customer}`);
    if (OPT_IN_KEYWORDS.has(keyword)) this.optOuts.delete(`${sender}|${customer}`);
  }

  private ownerOf(number: string): AccountState | null {
    for (const a of this.accounts.values()) if (a.numbers.includes(number)) return a;
    return null;
  }

  private publicAccount(a: AccountState): TwilioSimAccount {
    return {
      accountSid: a.accountSid,
      authToken: a.authToken,
      numbers: [...a.numbers],
      status: a.status,
      friendlyName: a.friendlyName,
      messagingServiceSids: [...a.messagingServiceSids],
    };
  }

  // ---------------------------------------------------------------------------------------------
  // Control routes

  private registerControlRoutes(): void {
    this.control('POST', '/_sim/accounts', (req) => {
      const b = jsonBody(req);
      const status = b['status'] ?? 'active';
      if (status !== 'active' && status !== 'suspended' && status !== 'closed') {
        throw new SimInputError(400, 'status must be one of active, suspended, closed');
      }
      const input: TwilioSimAccount = {
        accountSid: requireString(b, 'accountSid'),
        authToken: requireString(b, 'authToken'),
        numbers: stringList(b['numbers'], 'numbers'),
        status,
        messagingServiceSids: b['messagingServiceSids'] === undefined ? [] : stringList(b['messagingServiceSids'], 'messagingServiceSids'),
      };
      const friendlyName = str(b['friendlyName']);
      if (friendlyName) input.friendlyName = friendlyName;
      return { status: 201, body: this.addAccount(input) };
    });
    this.control('GET', '/_sim/accounts', () => ({ status: 200, body: this.listAccounts() }));
    this.control('POST', '/_sim/numbers', (req) => {
      const b = jsonBody(req);
      const number = requireString(b, 'number');
      const smsUrl = requireString(b, 'smsUrl');
      this.setSmsUrl(number, smsUrl);
      return { status: 201, body: { number: withPlus(number), smsUrl } };
    });
    this.control('POST', '/_sim/inbound', async (req) => {
      const b = jsonBody(req);
      const body = b['body'];
      if (typeof body !== 'string') throw new SimInputError(400, 'body is required (a string)');
      return { status: 201, body: await this.emitInbound({ from: requireString(b, 'from'), to: requireString(b, 'to'), body }) };
    });
    this.control('POST', '/_sim/unreachable', (req) => {
      const b = jsonBody(req);
      const number = requireString(b, 'number');
      const flag = b['unreachable'] ?? true;
      if (typeof flag !== 'boolean') throw new SimInputError(400, 'unreachable must be a boolean');
      this.setUnreachable(number, flag);
      return { status: 200, body: { number: withPlus(number), unreachable: flag } };
    });
    this.control('GET', '/_sim/messages', (req) => ({ status: 200, body: this.messages(req.query['to']) }));
    this.control('GET', '/_sim/webhooks', () => ({ status: 200, body: this.webhooks() }));
    this.control('POST', '/_sim/webhooks/redeliver', async (req) => {
      const index = jsonBody(req)['index'];
      if (typeof index !== 'number' || !Number.isInteger(index) || index < 0) throw new SimInputError(400, 'index must be a non-negative integer');
      return { status: 200, body: { status: await this.redeliver(index) } };
    });
    this.control('GET', '/_sim/settings', () => ({ status: 200, body: this.settings }));
    this.control('POST', '/_sim/settings', (req) => {
      const b = jsonBody(req);
      const input: Partial<TwilioSimSettings> = {};
      if (b['statusCallbacks'] !== undefined) {
        if (typeof b['statusCallbacks'] !== 'boolean') throw new SimInputError(400, 'statusCallbacks must be a boolean');
        input.statusCallbacks = b['statusCallbacks'];
      }
      if (b['statusDelayMs'] !== undefined) {
        if (typeof b['statusDelayMs'] !== 'number' || !(b['statusDelayMs'] >= 0)) throw new SimInputError(400, 'statusDelayMs must be a number >= 0');
        input.statusDelayMs = b['statusDelayMs'];
      }
      return { status: 200, body: this.applySettings(input) };
    });
  }
}

// -------------------------------------------------------------------------------------------------

/** A non-negative integer query parameter, the fallback when absent, null when malformed. */
function intParam(value: string | undefined, fallback: number): number | null {
  if (value === undefined || value === '') return fallback;
  return /^\d{1,9}$/.test(value) ? Number(value) : null;
}

function isAccount(value: AccountState | SimResponse): value is AccountState {
  return 'accountSid' in value;
}

/** A Twilio resource sid: two-letter prefix and 32 hex characters. */
function sid(prefix: string): string {
  return prefix + randomBytes(16).toString('hex');
}

function withPlus(number: string): string {
  const trimmed = number.trim();
  return trimmed.startsWith('+') ? trimmed : `+${trimmed}`;
}

/** Normalises a control-API number to E.164, or a 400 naming the field. */
function e164(number: string, field: string): string {
  const n = withPlus(number);
  if (!E164.test(n)) throw new SimInputError(400, `${field}: ${number} is not an E.164 phone number`);
  return n;
}

function stringList(value: unknown, field: string): string[] {
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw new SimInputError(400, `${field} must be an array of strings`);
  return arr(value).map(String);
}

function isHttpUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

/** SMS segments: 160 GSM-7 characters alone, 153 when concatenated; 70/67 for anything else (roughly). */
function segments(body: string): number {
  // eslint-disable-next-line no-control-regex
  const gsm = /^[\x0a\x0d\x20-\x7e£¥èéùìòÇØøÅåÉÆæßΔΦΓΛΩΠΨΣΘΞ¡¿ÄÖÑÜ§äöñüà€]*$/.test(body);
  const length = [...body].length;
  const [single, multi] = gsm ? [160, 153] : [70, 67];
  return length <= single ? 1 : Math.ceil(length / multi);
}

function statusParams(msg: TwilioSimMessage): URLSearchParams {
  const params = new URLSearchParams({
    SmsSid: msg.sid,
    SmsStatus: msg.status,
    MessageStatus: msg.status,
    To: msg.to,
    MessageSid: msg.sid,
    AccountSid: msg.accountSid,
    From: msg.from,
    ApiVersion: '2010-04-01',
  });
  if (msg.messagingServiceSid) params.set('MessagingServiceSid', msg.messagingServiceSid);
  if (msg.errorCode !== null) params.set('ErrorCode', String(msg.errorCode));
  return params;
}

const ERROR_MESSAGES: ReadonlyMap<number, string> = new Map([[30003, 'Unreachable destination handset']]);

/** The Message resource as Twilio returns it from create, fetch and list. */
function messageJson(msg: TwilioSimMessage): Record<string, unknown> {
  const date = rfc2822(msg.at);
  return {
    account_sid: msg.accountSid,
    api_version: '2010-04-01',
    body: msg.body,
    date_created: date,
    date_sent: null,
    date_updated: date,
    direction: 'outbound-api',
    error_code: msg.errorCode,
    error_message: msg.errorCode === null ? null : (ERROR_MESSAGES.get(msg.errorCode) ?? null),
    // With a Messaging Service, the sender is picked after acceptance.
    from: msg.messagingServiceSid ? null : msg.from,
    messaging_service_sid: msg.messagingServiceSid,
    num_media: '0',
    num_segments: msg.messagingServiceSid ? '0' : String(segments(msg.body)),
    price: null,
    price_unit: 'USD',
    sid: msg.sid,
    status: msg.status,
    subresource_uris: { media: `${API}/Accounts/${msg.accountSid}/Messages/${msg.sid}/Media.json` },
    to: msg.to,
    uri: `${API}/Accounts/${msg.accountSid}/Messages/${msg.sid}.json`,
  };
}

function rfc2822(ms: number): string {
  return new Date(ms).toUTCString().replace('GMT', '+0000');
}

async function postQuietly(url: string, body: string, headers: Record<string, string>): Promise<number> {
  try {
    return (await deliverWebhook(url, body, headers, 5000)).status;
  } catch {
    return 0;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
