// An SMTP server and mail relay simulator. The SMTP side (smtp-server, its own port via listenSmtp) takes
// AUTH PLAIN/LOGIN against registered accounts and, as a submission server does, requires it once any
// account is registered (MAIL FROM without AUTH: 530; wrong credentials: 535); with no account it is an
// open relay. It refuses (550) or defers (451) marked recipients and keeps what it accepts in a mailbox;
// the relay side posts signed JSON to an account's webhook URL: a 'delivered' report after accepting (when
// the account asks for it), inbound e-mails and bounces on request. It signs with its own code.
// No TLS: the adapter connects with security 'none' (AUTH over plain text is allowed, on localhost only).
// Base-class faults apply to SMTP transactions: {"kind":"status","status":421} answers the next MAIL FROM
// with that SMTP code, {"kind":"delay","ms":...} delays it, {"kind":"invalid_recipient"} refuses with 550.
// Control routes (besides the base class's):
//   POST /_sim/accounts     {username, password, webhookUrl?, webhookSecret?, reportDelivery?}
//   GET  /_sim/accounts
//   GET  /_sim/smtp         {host, port} of the SMTP listener
//   GET  /_sim/mailbox?to=  accepted messages, oldest first
//   POST /_sim/recipients   {address, mode: "reject" | "tempfail" | "accept"}
//   POST /_sim/inbound      {from, to, subject?, text, inReplyTo?, messageId?, username?} → {messageId, status}
//   POST /_sim/bounce       {messageId, recipient?, smtpCode?, diagnostic?} → {status}
//   POST /_sim/reports      {type: "delivered" | "bounced" | "deferred", messageId, ...} → {status}
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import type { SMTPServerAddress, SMTPServerAuthentication, SMTPServerDataStream, SMTPServerError, SMTPServerSession } from 'smtp-server';
import type { SimRequest, SimResponse } from '../../../sandbox/simulator.js';
import { SimInputError, Simulator, deliverWebhook, jsonBody, requireString } from '../../../sandbox/simulator.js';

export interface SmtpSimAccount {
  username: string;
  password: string;
  /** Where relay posts (reports, inbound e-mails) go; null keeps them undelivered. */
  webhookUrl?: string | null;
  webhookSecret?: string | null;
  /** Post a signed 'delivered' report for each recipient after accepting a message. */
  reportDelivery?: boolean;
}

export interface SmtpSimMessage {
  /** The Message-ID without angle brackets (what the adapter reports as providerMessageId). */
  id: string;
  /** The SMTP login that submitted it, null without AUTH. */
  username: string | null;
  envelopeFrom: string;
  /** Accepted RCPT TO addresses, lower-cased. */
  recipients: string[];
  from: string | null;
  to: string | null;
  replyTo: string | null;
  subject: string | null;
  inReplyTo: string | null;
  listUnsubscribe: string | null;
  text: string | null;
  html: string | null;
  /** Every header, lower-cased names, unfolded; the last one wins for repeated names. */
  headers: Record<string, string>;
  size: number;
  at: number;
}

export interface SmtpSimInbound {
  from: string;
  to: string;
  subject?: string;
  text: string;
  inReplyTo?: string | null;
  /** Reuse an id to play a relay re-posting the same e-mail; a fresh one otherwise. */
  messageId?: string;
  /** The account whose webhook receives it; optional when only one account is registered. */
  username?: string;
}

export type SmtpSimReportType = 'delivered' | 'bounced' | 'deferred';

export interface SmtpSimReport {
  /** A received message's id (with or without angle brackets). */
  messageId: string;
  /** Defaults to the message's first recipient. */
  recipient?: string;
  smtpCode?: number;
  diagnostic?: string;
}

export type RecipientMode = 'reject' | 'tempfail' | 'accept';

interface AccountState {
  username: string;
  password: string;
  webhookUrl: string | null;
  webhookSecret: string | null;
  reportDelivery: boolean;
}

const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;
/** The relay's signature header: t=<unix seconds>,v1=<hex HMAC-SHA256(webhook secret, "<t>.<raw body>")>. */
const SIGNATURE_HEADER = 'x-shoptalk-mail-signature';
const EMAIL_ADDRESS = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;
const RELAY_DOMAIN = 'relay.shoptalk.test';
const REPORT_DEFAULTS: Record<SmtpSimReportType, { code: number; diagnostic: string }> = {
  delivered: { code: 250, diagnostic: '250 2.0.0 OK: delivered to the recipient mailbox' },
  bounced: { code: 550, diagnostic: '550 5.1.1 The email account that you tried to reach does not exist' },
  deferred: { code: 451, diagnostic: '451 4.3.0 Temporary failure at the recipient server, will retry' },
};

export class SmtpSimulator extends Simulator {
  readonly name = 'email-smtp';
  private readonly accounts = new Map<string, AccountState>();
  private readonly recipientModes = new Map<string, Exclude<RecipientMode, 'accept'>>();
  private mailbox: SmtpSimMessage[] = [];
  private smtp: SMTPServer | null = null;
  private smtpAddress: { host: string; port: number } | null = null;
  private readonly pendingPosts = new Set<Promise<unknown>>();

  constructor() {
    super();
    this.registerControlRoutes();
  }

  // ---------------------------------------------------------------------------------------------
  // SMTP listener

  /** Starts the SMTP server; returns its port. close() stops it along with the HTTP side. */
  async listenSmtp(port = 0, host = '127.0.0.1'): Promise<number> {
    if (this.smtp) throw new Error('the SMTP simulator is already listening');
    const server = new SMTPServer({
      banner: 'Shoptalk SMTP simulator',
      logger: false,
      authOptional: true,
      // No certificate here: STARTTLS is not offered, and AUTH over plain text is allowed (localhost only).
      disabledCommands: ['STARTTLS'],
      allowInsecureAuth: true,
      authMethods: ['PLAIN', 'LOGIN'],
      size: MAX_MESSAGE_BYTES,
      closeTimeout: 200,
      onAuth: (auth, _session, callback) => {
        const user = this.authenticate(auth);
        if (user === null) callback(smtpError(535, '5.7.8 Authentication credentials invalid'));
        else callback(null, { user });
      },
      onMailFrom: (address, session, callback) => this.onMailFrom(address, session, callback),
      onRcptTo: (address, session, callback) => callback(this.onRcptTo(address)),
      onData: (stream, session, callback) => this.onData(stream, session, callback),
    });
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    this.smtp = server;
    this.smtpAddress = { host, port: (server.server.address() as AddressInfo).port };
    return this.smtpAddress.port;
  }

  /** Host and port of the SMTP listener. */
  get smtpEndpoint(): { host: string; port: number } {
    if (!this.smtpAddress) throw new Error('the SMTP simulator is not listening (call listenSmtp)');
    return this.smtpAddress;
  }

  override async close(): Promise<void> {
    const server = this.smtp;
    this.smtp = null;
    this.smtpAddress = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    await Promise.allSettled([...this.pendingPosts]);
    await super.close();
  }

  // ---------------------------------------------------------------------------------------------
  // State API (also reachable through the control routes)

  /** Registers (or replaces) an account, keyed by its username. */
  addAccount(account: SmtpSimAccount): void {
    this.accounts.set(account.username, {
      username: account.username,
      password: account.password,
      webhookUrl: account.webhookUrl ?? null,
      webhookSecret: account.webhookSecret ?? null,
      reportDelivery: account.reportDelivery ?? false,
    });
  }

  listAccounts(): SmtpSimAccount[] {
    return [...this.accounts.values()].map((a) => ({ ...a }));
  }

  /** Accepted messages, oldest first, optionally only those with `to` among their recipients. */
  messages(to?: string): SmtpSimMessage[] {
    const wanted = to?.trim().toLowerCase();
    return this.mailbox.filter((m) => wanted === undefined || m.recipients.includes(wanted)).map((m) => ({ ...m, recipients: [...m.recipients] }));
  }

  /** Makes RCPT TO for an address answer 550 (reject), 451 (tempfail), or accept again. */
  setRecipientMode(address: string, mode: RecipientMode): void {
    const key = address.trim().toLowerCase();
    if (mode === 'accept') this.recipientModes.delete(key);
    else this.recipientModes.set(key, mode);
  }

  /** Posts a signed inbound e-mail to the account's webhook; returns its id and the hub's status (0 if none). */
  async emitInbound(input: SmtpSimInbound): Promise<{ messageId: string; status: number }> {
    const account = this.pickAccount(input.username ?? null);
    const messageId = input.messageId ? stripBrackets(input.messageId) : `${randomBytes(12).toString('hex')}@${RELAY_DOMAIN}`;
    const event = {
      type: 'inbound',
      messageId,
      from: input.from,
      to: input.to,
      subject: input.subject ?? '',
      text: input.text,
      inReplyTo: input.inReplyTo ? stripBrackets(input.inReplyTo) : null,
      receivedAt: new Date().toISOString(),
    };
    return { messageId, status: await this.postEvents(account, [event]) };
  }

  /** Posts a signed 'bounced' report for a received message; returns the hub's status (0 if none). */
  emitBounce(report: SmtpSimReport): Promise<number> {
    return this.emitReport('bounced', report);
  }

  /** Posts a signed delivery report of any type for a received message. */
  async emitReport(type: SmtpSimReportType, report: SmtpSimReport): Promise<number> {
    const id = stripBrackets(report.messageId);
    const message = this.mailbox.find((m) => m.id === id);
    if (!message) throw new SimInputError(404, `no received message has the id ${id}`);
    const recipient = report.recipient?.trim().toLowerCase() ?? message.recipients[0] ?? '';
    if (!message.recipients.includes(recipient)) throw new SimInputError(400, `${recipient} is not a recipient of ${id}`);
    const event = reportEvent(type, id, recipient, report.smtpCode ?? REPORT_DEFAULTS[type].code, report.diagnostic ?? REPORT_DEFAULTS[type].diagnostic);
    return this.postEvents(this.pickAccount(message.username), [event]);
  }

  /** Waits for report posts still in flight (those sent after accepting a message). */
  async settle(): Promise<void> {
    await Promise.allSettled([...this.pendingPosts]);
  }

  protected override resetState(): void {
    this.mailbox = [];
    this.recipientModes.clear();
  }

  // ---------------------------------------------------------------------------------------------
  // SMTP handlers

  /** The username a PLAIN/LOGIN attempt logs in as, or null (answered 535). */
  private authenticate(auth: SMTPServerAuthentication): string | null {
    const account = auth.username ? this.accounts.get(auth.username) : undefined;
    if ((auth.method !== 'PLAIN' && auth.method !== 'LOGIN') || !account) return null;
    return sameSecret(auth.password ?? '', account.password) ? account.username : null;
  }

  private onMailFrom(_address: SMTPServerAddress, session: SMTPServerSession, callback: (err?: SMTPServerError | null) => void): void {
    // RFC 4954: a server that requires AUTH answers MAIL FROM without it with 530.
    if (this.accounts.size > 0 && session.user === undefined) {
      callback(smtpError(530, '5.7.0 Authentication required'));
      return;
    }
    const fault = this.takeSmtpFault();
    if (fault?.kind === 'delay') {
      setTimeout(() => callback(null), fault.ms);
      return;
    }
    if (fault?.kind === 'status') {
      callback(smtpError(fault.status, fault.status >= 500 ? '5.3.0 Simulated permanent failure' : '4.3.0 Simulated temporary failure, try again later'));
      return;
    }
    callback(null);
  }

  private onRcptTo(address: SMTPServerAddress): SMTPServerError | null {
    const rcpt = address.address.toLowerCase();
    const mode = this.recipientModes.get(rcpt);
    if (mode === 'reject' || this.isInvalidRecipient(rcpt)) return smtpError(550, `5.1.1 <${rcpt}>: mailbox unavailable`);
    if (mode === 'tempfail') return smtpError(451, `4.2.1 <${rcpt}>: mailbox temporarily unavailable, try again later`);
    return null;
  }

  private onData(stream: SMTPServerDataStream, session: SMTPServerSession, callback: (err?: SMTPServerError | null, message?: string) => void): void {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('error', (err: Error) => callback(smtpError(451, `4.3.0 ${err.message}`)));
    stream.on('end', () => {
      if (stream.sizeExceeded) {
        callback(smtpError(552, '5.3.4 Message exceeds the fixed maximum message size'));
        return;
      }
      const message = this.accept(Buffer.concat(chunks), session);
      callback(null, `2.0.0 Ok: queued as ${message.id}`);
      this.reportDelivered(message);
    });
  }

  /** Parses and stores an accepted message; one without a Message-ID gets one, as a relay would add it. */
  private accept(raw: Buffer, session: SMTPServerSession): SmtpSimMessage {
    const parsed = parseMessage(raw);
    const h = parsed.headers;
    const mailFrom = session.envelope.mailFrom;
    const user: unknown = session.user;
    const message: SmtpSimMessage = {
      id: h['message-id'] ? stripBrackets(h['message-id']) : `${randomBytes(12).toString('hex')}@${RELAY_DOMAIN}`,
      username: typeof user === 'string' ? user : null,
      envelopeFrom: mailFrom ? mailFrom.address : '',
      recipients: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
      from: h['from'] ?? null,
      to: h['to'] ?? null,
      replyTo: h['reply-to'] ?? null,
      subject: h['subject'] ?? null,
      inReplyTo: h['in-reply-to'] ? stripBrackets(h['in-reply-to']) : null,
      listUnsubscribe: h['list-unsubscribe'] ?? null,
      text: parsed.text,
      html: parsed.html,
      headers: h,
      size: raw.length,
      at: Date.now(),
    };
    this.mailbox.push(message);
    return message;
  }

  /** After accepting: a 'delivered' report per recipient, when the submitting account asked for them. */
  private reportDelivered(message: SmtpSimMessage): void {
    const account = message.username ? this.accounts.get(message.username) : undefined;
    if (!account?.reportDelivery) return;
    const { code, diagnostic } = REPORT_DEFAULTS.delivered;
    const events = message.recipients.map((r) => reportEvent('delivered', message.id, r, code, diagnostic));
    void this.postEvents(account, events);
  }

  /** Consumes the next base-class fault that applies to SMTP (status or delay). */
  private takeSmtpFault(): ({ kind: 'status'; status: number } | { kind: 'delay'; ms: number }) | null {
    const idx = this.faults.findIndex((f) => f.kind === 'status' || f.kind === 'delay');
    if (idx < 0) return null;
    const fault = this.faults[idx]!;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.faults.splice(idx, 1);
    if (fault.kind === 'delay') return { kind: 'delay', ms: fault.ms };
    // SMTP reply codes are 4xx/5xx; anything else (an HTTP-style 429...) is played as a temporary failure.
    return fault.kind === 'status' ? { kind: 'status', status: fault.status >= 400 && fault.status < 600 ? fault.status : 421 } : null;
  }

  // ---------------------------------------------------------------------------------------------
  // Relay posts

  private pickAccount(username: string | null): AccountState {
    if (username !== null) {
      const account = this.accounts.get(username);
      if (!account) throw new SimInputError(404, `no account ${username} is registered`);
      return account;
    }
    const [only, ...rest] = this.accounts.values();
    if (!only || rest.length > 0) throw new SimInputError(400, 'pass username: there is not exactly one registered account');
    return only;
  }

  /** Signs the exact bytes like the hub's outbound webhooks and posts once; returns the status (0 if none). */
  private postEvents(account: AccountState, events: unknown[]): Promise<number> {
    if (!account.webhookUrl || !account.webhookSecret) return Promise.resolve(0);
    const raw = JSON.stringify({ events });
    const headers = { [SIGNATURE_HEADER]: signRelayPost(account.webhookSecret, Math.floor(Date.now() / 1000), raw) };
    const post = deliverWebhook(account.webhookUrl, raw, headers, 5000).then(
      (res) => res.status,
      () => 0,
    );
    this.pendingPosts.add(post);
    void post.finally(() => this.pendingPosts.delete(post));
    return post;
  }

  // ---------------------------------------------------------------------------------------------
  // Control routes

  private registerControlRoutes(): void {
    this.control('POST', '/_sim/accounts', (req) => this.accountRoute(req));
    this.control('GET', '/_sim/accounts', () => ({ status: 200, body: this.listAccounts() }));
    this.control('GET', '/_sim/smtp', () => ({ status: 200, body: this.smtpEndpoint }));
    this.control('GET', '/_sim/mailbox', (req) => ({ status: 200, body: this.messages(req.query['to']) }));
    this.control('POST', '/_sim/recipients', (req) => {
      const b = jsonBody(req);
      const address = requireString(b, 'address');
      const mode = b['mode'];
      if (mode !== 'reject' && mode !== 'tempfail' && mode !== 'accept') throw new SimInputError(400, 'mode must be one of reject, tempfail, accept');
      this.setRecipientMode(address, mode);
      return { status: 200, body: { address: address.trim().toLowerCase(), mode } };
    });
    this.control('POST', '/_sim/inbound', async (req) => ({ status: 201, body: await this.emitInbound(inboundInput(jsonBody(req))) }));
    this.control('POST', '/_sim/bounce', async (req) => ({ status: 201, body: { status: await this.emitBounce(reportInput(jsonBody(req))) } }));
    this.control('POST', '/_sim/reports', async (req) => {
      const b = jsonBody(req);
      const type = b['type'];
      if (type !== 'delivered' && type !== 'bounced' && type !== 'deferred') throw new SimInputError(400, 'type must be one of delivered, bounced, deferred');
      return { status: 201, body: { status: await this.emitReport(type, reportInput(b)) } };
    });
  }

  private accountRoute(req: SimRequest): SimResponse {
    const b = jsonBody(req);
    const account: SmtpSimAccount = { username: requireString(b, 'username'), password: requireString(b, 'password') };
    account.webhookUrl = optionalString(b, 'webhookUrl');
    account.webhookSecret = optionalString(b, 'webhookSecret');
    if (account.webhookUrl !== null) {
      try {
        new URL(account.webhookUrl);
      } catch {
        throw new SimInputError(400, 'webhookUrl must be an absolute URL');
      }
    }
    if (b['reportDelivery'] !== undefined && typeof b['reportDelivery'] !== 'boolean') throw new SimInputError(400, 'reportDelivery must be a boolean');
    account.reportDelivery = b['reportDelivery'] === true;
    this.addAccount(account);
    return { status: 201, body: account };
  }
}

// -------------------------------------------------------------------------------------------------
// Input helpers

function optionalString(b: Record<string, unknown>, field: string): string | null {
  const v = b[field];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') throw new SimInputError(400, `${field} must be a string`);
  return v;
}

function requireAddress(b: Record<string, unknown>, field: string): string {
  const v = requireString(b, field).trim();
  if (!EMAIL_ADDRESS.test(v.replace(/^.*<([^<>]+)>\s*$/, '$1'))) throw new SimInputError(400, `${field} must be an e-mail address`);
  return v;
}

function inboundInput(b: Record<string, unknown>): SmtpSimInbound {
  const input: SmtpSimInbound = { from: requireAddress(b, 'from'), to: requireAddress(b, 'to'), text: optionalString(b, 'text') ?? '' };
  const subject = optionalString(b, 'subject');
  const inReplyTo = optionalString(b, 'inReplyTo');
  const messageId = optionalString(b, 'messageId');
  const username = optionalString(b, 'username');
  if (subject !== null) input.subject = subject;
  if (inReplyTo !== null) input.inReplyTo = inReplyTo;
  if (messageId !== null) input.messageId = messageId;
  if (username !== null) input.username = username;
  return input;
}

function reportInput(b: Record<string, unknown>): SmtpSimReport {
  const report: SmtpSimReport = { messageId: requireString(b, 'messageId') };
  const recipient = optionalString(b, 'recipient');
  const diagnostic = optionalString(b, 'diagnostic');
  if (recipient !== null) report.recipient = recipient;
  if (diagnostic !== null) report.diagnostic = diagnostic;
  const code = b['smtpCode'];
  if (code !== undefined) {
    if (typeof code !== 'number' || !Number.isInteger(code) || code < 200 || code > 599) throw new SimInputError(400, 'smtpCode must be an SMTP reply code (200-599)');
    report.smtpCode = code;
  }
  return report;
}

function reportEvent(type: SmtpSimReportType, messageId: string, recipient: string, smtpCode: number, diagnostic: string): Record<string, unknown> {
  return { type, messageId, recipient, smtpCode, diagnostic, at: new Date().toISOString() };
}

/** The relay's signature over the exact bytes posted. */
function signRelayPost(secret: string, timestamp: number, raw: string): string {
  const mac = createHmac('sha256', secret);
  mac.update(Buffer.from(`${timestamp}.${raw}`, 'utf8'));
  return `t=${timestamp},v1=${mac.digest('hex')}`;
}

function smtpError(responseCode: number, message: string): SMTPServerError {
  const err: SMTPServerError = new Error(message);
  err.responseCode = responseCode;
  return err;
}

/** Constant-time password comparison (hashes first, so lengths do not leak). */
function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

function stripBrackets(id: string): string {
  return id.trim().replace(/^<|>$/g, '');
}

// -------------------------------------------------------------------------------------------------
// Just enough MIME (RFC 2045-2047) to read what the adapter sends: unfolded headers with encoded words,
// nested multiparts, quoted-printable and base64 bodies, the first text/plain and text/html parts.

interface ParsedMessage {
  headers: Record<string, string>;
  text: string | null;
  html: string | null;
}

interface MimeEntity {
  headers: Record<string, string>;
  /** The body as a byte-preserving latin1 string, still transfer-encoded. */
  body: string;
}

export function parseMessage(raw: Buffer): ParsedMessage {
  // The CRLF before DATA's closing dot ends the last line; it is not part of the text.
  const root = splitEntity(raw.toString('latin1').replace(/\r?\n$/, ''));
  const out: ParsedMessage = { headers: root.headers, text: null, html: null };
  collectBodies(root, out, 0);
  return out;
}

function splitEntity(source: string): MimeEntity {
  const m = /\r?\n\r?\n/.exec(source);
  const head = m ? source.slice(0, m.index) : source;
  const body = m ? source.slice(m.index + m[0].length) : '';
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    headers[line.slice(0, colon).trim().toLowerCase()] = decodeWords(line.slice(colon + 1).trim());
  }
  return { headers, body };
}

function collectBodies(entity: MimeEntity, out: ParsedMessage, depth: number): void {
  const { type, params } = parseContentType(entity.headers['content-type']);
  if (type.startsWith('multipart/') && params['boundary'] && depth < 10) {
    for (const part of splitMultipart(entity.body, params['boundary'])) collectBodies(splitEntity(part), out, depth + 1);
    return;
  }
  if (type !== 'text/plain' && type !== 'text/html') return;
  if (/attachment/i.test(entity.headers['content-disposition'] ?? '')) return;
  const text = decodeCharset(decodeTransfer(entity.body, entity.headers['content-transfer-encoding']), params['charset']).replace(/\r\n/g, '\n');
  if (type === 'text/plain' && out.text === null) out.text = text;
  if (type === 'text/html' && out.html === null) out.html = text;
}

function parseContentType(value: string | undefined): { type: string; params: Record<string, string> } {
  const [type = 'text/plain', ...rest] = (value ?? 'text/plain').split(';');
  const params: Record<string, string> = {};
  for (const p of rest) {
    const eq = p.indexOf('=');
    if (eq > 0) params[p.slice(0, eq).trim().toLowerCase()] = p.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
  }
  return { type: type.trim().toLowerCase(), params };
}

function splitMultipart(body: string, boundary: string): string[] {
  const parts: string[] = [];
  const delimiter = `--${boundary}`;
  // The CRLF before a delimiter belongs to the delimiter, not to the part before it.
  const pieces = `\r\n${body}`.split(new RegExp(`\\r?\\n${escapeRegExp(delimiter)}`));
  for (const piece of pieces.slice(1)) {
    if (piece.startsWith('--')) break;
    parts.push(piece.replace(/^[ \t]*\r?\n/, ''));
  }
  return parts;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function decodeTransfer(body: string, encoding: string | undefined): Buffer {
  switch ((encoding ?? '7bit').trim().toLowerCase()) {
    case 'base64':
      return Buffer.from(body.replace(/[^A-Za-z0-9+/=]/g, ''), 'base64');
    case 'quoted-printable':
      return decodeQuotedPrintable(body);
    default:
      return Buffer.from(body, 'latin1');
  }
}

function decodeQuotedPrintable(body: string): Buffer {
  const unwrapped = body.replace(/[ \t]+(\r?\n)/g, '$1').replace(/=\r?\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < unwrapped.length; i++) {
    const c = unwrapped[i]!;
    const hex = unwrapped.slice(i + 1, i + 3);
    if (c === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(unwrapped.charCodeAt(i) & 0xff);
    }
  }
  return Buffer.from(bytes);
}

function decodeCharset(bytes: Buffer, charset: string | undefined): string {
  try {
    return new TextDecoder(charset ?? 'utf-8').decode(bytes);
  } catch {
    return bytes.toString('utf8');
  }
}

/** RFC 2047 encoded words (=?charset?B|Q?...?=); whitespace between adjacent words is dropped. */
function decodeWords(value: string): string {
  const word = /=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?=/g;
  // Raw 8-bit header bytes (SMTPUTF8) were read as latin1; re-read them as UTF-8 before decoding words.
  const raw = /[\u0080-\u00ff]/.test(value) ? Buffer.from(value, 'latin1').toString('utf8') : value;
  return raw.replace(/(\?=)\s+(=\?)/g, '$1$2').replace(word, (_m, charset: string, encoding: string, text: string) => {
    const bytes = encoding.toUpperCase() === 'B' ? Buffer.from(text, 'base64') : decodeQuotedPrintable(text.replace(/_/g, ' '));
    return decodeCharset(bytes, charset.replace(/\*.*$/, ''));
  });
}
