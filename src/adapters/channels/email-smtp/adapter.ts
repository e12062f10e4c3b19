// E-mail over SMTP: the channel adapter. Sends go out through one small nodemailer pool per server and
// login; inbound e-mails and delivery/bounce reports arrive as signed JSON posts from the mail relay (the
// simulator plays it in tests and the sandbox), since SMTP itself has no webhooks.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import net from 'node:net';
import nodemailer from 'nodemailer';
import type { NodemailerError, SMTPPoolOptions, SMTPPoolSentMessageInfo, SendMailOptions, Transporter } from 'nodemailer';
import type {
  ChannelAccountCredentials,
  ChannelAdapter,
  DeliveryStatusUpdate,
  InboundChatMessage,
  ParsedChannelWebhook,
  ProviderTemplate,
  RawWebhook,
  SendRequest,
  SendResult,
  VerifiedAccount,
} from '../../../core/channels/ports.js';
import { ProviderError } from '../../../core/errors.js';
import { DestinationRefusedError } from '../../../core/net/destinations.js';
import type { DestinationGuard } from '../../../core/net/destinations.js';
import { connectGuarded } from '../../net/pinned.js';
import type { JsonObject } from '../wire.js';
import { asObject, num, str, interactiveAsText } from '../wire.js';

export interface SmtpEmailAdapterOptions {
  /** Connection, greeting and socket timeout in milliseconds; defaults to 10 s. */
  timeoutMs?: number;
  /**
   * Checks the SMTP server's addresses (a workspace chooses the host): every connection resolves the host, checks
   * each address and connects to a checked one. Without it the host is connected to as given (tests of the adapter).
   */
  guard?: DestinationGuard;
}

export type SmtpSecurity = 'tls' | 'starttls' | 'none';

/** The header the mail relay signs its posts with: `t=<unix seconds>,v1=<hex HMAC-SHA256>`. */
export const MAIL_SIGNATURE_HEADER = 'x-shoptalk-mail-signature';
/** Signed posts older (or further in the future) than this are refused, so a captured post cannot be replayed. */
export const SIGNATURE_TOLERANCE_SECONDS = 5 * 60;

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_PORTS: Record<SmtpSecurity, number> = { tls: 465, starttls: 587, none: 25 };
const SUBJECT_MAX = 78;
// Most SMTP servers take about ten concurrent connections from one client; fewer made e-mail the slowest
// channel in the mixed-channel benchmark.
const POOL_CONNECTIONS = 10;
const POOL_IDLE_MS = 30_000;
// Pragmatic, not RFC 5322 complete: one local part, one dotted domain, nothing that could break a header.
const EMAIL = /^[^\s@<>()[\]\\,;:"]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;
const AUTH_REFUSED = 'the SMTP server refused the username or password';
// Nodemailer codes for failures to reach or keep talking to the server (no SMTP reply involved).
const CONNECTION_CODES = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ETLS', 'EPROXY']);

interface SmtpAccount {
  host: string;
  port: number;
  security: SmtpSecurity;
  fromAddress: string;
  fromName: string | null;
  username: string | null;
  password: string | null;
  replyTo: string | null;
}

type PoolTransporter = Transporter<SMTPPoolSentMessageInfo, SMTPPoolOptions>;

export class SmtpEmailAdapter implements ChannelAdapter {
  readonly channel = 'email' as const;
  readonly provider = 'smtp';
  private readonly timeoutMs: number;
  private readonly pools = new Map<string, PoolTransporter>();
  private readonly guard: DestinationGuard | null;

  constructor(options: SmtpEmailAdapterOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.guard = options.guard ?? null;
  }

  /** Connects, says EHLO, upgrades with STARTTLS when set and logs in when a username is given. */
  async verifyAccount(account: ChannelAccountCredentials): Promise<VerifiedAccount> {
    const smtp = readAccount(account);
    // A throwaway connection: verification must not leave a pool behind for credentials never saved.
    const transporter = nodemailer.createTransport(this.transportOptions(smtp));
    try {
      await transporter.verify();
    } catch (err) {
      throw verifyFailure(err, smtp);
    } finally {
      transporter.close();
    }
    return {
      displayName: smtp.fromAddress,
      details: { host: smtp.host, port: smtp.port, security: smtp.security, username: smtp.username, fromAddress: smtp.fromAddress },
    };
  }

  /** E-mail has no provider-side templates. */
  listTemplates(): Promise<ProviderTemplate[]> {
    return Promise.resolve([]);
  }

  async send(account: ChannelAccountCredentials, request: SendRequest): Promise<SendResult> {
    const original = request.content;
    if (original.kind === 'template') throw new ProviderError('permanent', 'e-mail has no provider templates');
    // E-mail has no buttons: choices become numbered lines the customer answers with.
    const content = original.kind === 'interactive' ? { kind: 'text' as const, text: interactiveAsText(original) } : original;
    const to = request.to.trim();
    if (!isEmailAddress(to)) throw new ProviderError('permanent', 'the recipient is not a valid e-mail address');
    const smtp = readAccount(account);
    const messageId = messageIdFor(request.idempotencyKey, smtp.fromAddress);
    const mail: SendMailOptions = {
      messageId: `<${messageId}>`,
      from: smtp.fromName ? { name: smtp.fromName, address: smtp.fromAddress } : smtp.fromAddress,
      to,
      subject: subjectFor(content.subject, content.text),
      text: content.text,
      // A one-click link (RFC 8058) when the hub made one; the mailto form lets any client ask by e-mail.
      headers: content.unsubscribeUrl
        ? { 'List-Unsubscribe': `<${content.unsubscribeUrl}>, <mailto:${smtp.replyTo ?? smtp.fromAddress}?subject=unsubscribe>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' }
        : { 'List-Unsubscribe': `<mailto:${smtp.replyTo ?? smtp.fromAddress}?subject=unsubscribe>` },
    };
    if (content.html) mail.html = content.html;
    if (smtp.replyTo) mail.replyTo = smtp.replyTo;
    let info: SMTPPoolSentMessageInfo;
    try {
      info = await this.pool(smtp).sendMail(mail);
    } catch (err) {
      throw sendFailure(err);
    }
    if (info.rejected.length > 0) throw new ProviderError('permanent', 'the SMTP server rejected the recipient');
    return { providerMessageId: messageId, providerStatus: 'accepted' };
  }

  verifyWebhook(account: ChannelAccountCredentials, webhook: RawWebhook): boolean {
    return verifyMailSignature(account.secrets['webhookSecret'], webhook.headers[MAIL_SIGNATURE_HEADER], webhook.body);
  }

  parseWebhook(body: Buffer): ParsedChannelWebhook {
    let json: unknown;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch {
      throw new Error('mail relay webhook body is not valid JSON');
    }
    const events = asObject(json)?.['events'];
    if (!Array.isArray(events)) throw new Error('mail relay webhook body has no events array');
    const out: ParsedChannelWebhook = { statuses: [], messages: [] };
    for (const item of events) {
      const event = asObject(item);
      if (!event) continue;
      if (event['type'] === 'inbound') {
        const message = toInbound(event);
        if (message) out.messages.push(message);
      } else {
        const status = toStatus(event);
        if (status) out.statuses.push(status);
      }
    }
    return out;
  }

  /** Closes every pooled connection (shutdown and tests). */
  close(): void {
    for (const transporter of this.pools.values()) transporter.close();
    this.pools.clear();
  }

  // -----------------------------------------------------------------------------------------------

  /** One pool per server, security mode and login; the password's hash is in the key so a changed password takes effect. */
  private pool(smtp: SmtpAccount): PoolTransporter {
    const passwordHash = smtp.password ? createHash('sha256').update(smtp.password).digest('hex').slice(0, 16) : '';
    const key = [smtp.host, smtp.port, smtp.security, smtp.username ?? '', passwordHash].join('\u0000');
    let transporter = this.pools.get(key);
    if (!transporter) {
      transporter = nodemailer.createTransport({ ...this.transportOptions(smtp), pool: true, maxConnections: POOL_CONNECTIONS, idleTimeout: POOL_IDLE_MS });
      this.pools.set(key, transporter);
    }
    return transporter;
  }

  private transportOptions(smtp: SmtpAccount): SMTPPoolOptions {
    const guard = this.guard;
    return {
      // Every new connection (the pool opens them over time, DNS may have changed) goes through the guard;
      // TLS and STARTTLS are layered on this socket with the host name for SNI and certificate checks.
      ...(guard
        ? {
            getSocket: (_options: unknown, callback: (err: Error | null, socket?: { connection: net.Socket }) => void) => {
              connectGuarded(guard, smtp.host, smtp.port, this.timeoutMs).then(
                (connection) => callback(null, { connection }),
                (err: unknown) => callback(err instanceof Error ? err : new Error(String(err))),
              );
            },
            servername: net.isIP(smtp.host) ? undefined : smtp.host,
          }
        : {}),
      host: smtp.host,
      port: smtp.port,
      secure: smtp.security === 'tls',
      // 'starttls' must upgrade (never fall back to plain text); 'none' must not try to.
      requireTLS: smtp.security === 'starttls',
      ignoreTLS: smtp.security === 'none',
      auth: smtp.username ? { user: smtp.username, pass: smtp.password ?? '' } : undefined,
      // EHLO with the sender's domain rather than this machine's (often unqualified) host name.
      name: domainOf(smtp.fromAddress),
      connectionTimeout: this.timeoutMs,
      greetingTimeout: this.timeoutMs,
      socketTimeout: this.timeoutMs * 3,
      // One fresh connection when a pooled one turns out closed (servers drop idle sessions); beyond
      // that the job runner retries, with the same Message-ID.
      maxRequeues: 1,
    };
  }
}

// -------------------------------------------------------------------------------------------------
// Settings

function readAccount(account: ChannelAccountCredentials): SmtpAccount {
  const s = account.settings;
  const host = s['host']?.trim();
  if (!host) throw new ProviderError('permanent', 'e-mail account is missing settings.host');
  const security = (s['security']?.trim() || 'starttls') as SmtpSecurity;
  if (!Object.hasOwn(DEFAULT_PORTS, security)) throw new ProviderError('permanent', 'settings.security must be one of tls, starttls, none');
  const port = s['port']?.trim() ? Number(s['port']) : DEFAULT_PORTS[security];
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new ProviderError('permanent', 'settings.port must be a port number (1-65535)');
  const fromAddress = s['fromAddress']?.trim() ?? '';
  if (!isEmailAddress(fromAddress)) throw new ProviderError('permanent', 'settings.fromAddress must be a valid e-mail address');
  const replyTo = s['replyTo']?.trim() || null;
  if (replyTo !== null && !isEmailAddress(replyTo)) throw new ProviderError('permanent', 'settings.replyTo must be a valid e-mail address');
  return {
    host,
    port,
    security,
    fromAddress,
    // Line breaks in a display name would break the From header.
    fromName: s['fromName']?.replace(/[\r\n]+/g, ' ').trim() || null,
    username: s['username']?.trim() || null,
    password: account.secrets['password'] ?? null,
    replyTo,
  };
}

export function isEmailAddress(value: string): boolean {
  return value.length <= 254 && EMAIL.test(value);
}

function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1).toLowerCase();
}

/** `<hash>@<sender domain>` (no angle brackets): the same idempotency key always gives the same Message-ID. */
export function messageIdFor(idempotencyKey: string, fromAddress: string): string {
  const hash = createHash('sha256').update(idempotencyKey, 'utf8').digest('hex').slice(0, 32);
  return `${hash}@${domainOf(fromAddress)}`;
}

/** The given subject, else the text's first non-empty line, cut to the 78 characters RFC 5322 recommends. */
export function subjectFor(subject: string | undefined, text: string): string {
  const chosen = subject?.trim() || (text.split(/\r?\n/).find((line) => line.trim() !== '')?.trim() ?? '');
  const oneLine = chosen.replace(/\s+/g, ' ');
  return oneLine.length > SUBJECT_MAX ? `${oneLine.slice(0, SUBJECT_MAX - 1)}…` : oneLine;
}

// -------------------------------------------------------------------------------------------------
// Error classification

function asMailerError(err: unknown): NodemailerError {
  return err instanceof Error ? (err as NodemailerError) : new Error(String(err));
}

function isAuthFailure(e: NodemailerError): boolean {
  return e.code === 'EAUTH' || e.responseCode === 535;
}

/** The server's own reply (never our credentials), else the error's message, on one line. */
function serverSaid(e: NodemailerError): string {
  return (e.response ?? e.message).replace(/\s+/g, ' ').trim().slice(0, 300);
}

/** Verification is for saving an account: anything that stops it is permanent, with what went wrong. */
function verifyFailure(err: unknown, smtp: SmtpAccount): ProviderError {
  if (err instanceof DestinationRefusedError) return err;
  const e = asMailerError(err);
  if (isAuthFailure(e)) return new ProviderError('permanent', AUTH_REFUSED, { providerCode: e.responseCode ?? 535 });
  if (e.code && CONNECTION_CODES.has(e.code)) {
    return new ProviderError('permanent', `could not connect to smtp ${smtp.host}:${smtp.port}: ${e.message}`, { providerCode: e.code });
  }
  return new ProviderError('permanent', `the SMTP account check failed: ${serverSaid(e)}`, { providerCode: e.responseCode ?? e.code ?? null });
}

/** 5xx replies are permanent, 4xx replies and lost connections retry (RFC 5321 reply classes). */
function sendFailure(err: unknown): ProviderError {
  if (err instanceof DestinationRefusedError) return err;
  const e = asMailerError(err);
  if (isAuthFailure(e)) return new ProviderError('permanent', AUTH_REFUSED, { providerCode: e.responseCode ?? 535 });
  const code = e.responseCode;
  if (code !== undefined && code >= 500) return new ProviderError('permanent', `the SMTP server refused the message: ${serverSaid(e)}`, { providerCode: code });
  if (code !== undefined && code >= 400) return new ProviderError('retryable', `the SMTP server deferred the message: ${serverSaid(e)}`, { providerCode: code });
  if (e.code && CONNECTION_CODES.has(e.code)) return new ProviderError('retryable', `could not reach the SMTP server: ${e.message}`, { providerCode: e.code });
  if (e.code === 'ENOAUTH' || e.code === 'ECONFIG' || e.code === 'EENVELOPE') {
    return new ProviderError('permanent', `the e-mail could not be sent: ${e.message}`, { providerCode: e.code });
  }
  // Anything unrecognised may be transient; the job runner's attempt limit bounds the retries.
  return new ProviderError('retryable', `the e-mail could not be sent: ${e.message}`, { providerCode: e.code ?? null });
}

// -------------------------------------------------------------------------------------------------
// Relay webhooks

/**
 * Checks `t=<unix seconds>,v1=<hex>` (the hub's own outbound-webhook scheme, see signPayload) over
 * "<t>.<raw body>", in constant time, refusing timestamps more than five minutes off.
 */
export function verifyMailSignature(secret: string | undefined, header: string | undefined, body: Buffer, nowMs = Date.now()): boolean {
  if (!secret || !header) return false;
  const parts = parseSignatureHeader(header);
  if (!parts) return false;
  if (Math.abs(nowMs / 1000 - parts.timestamp) > SIGNATURE_TOLERANCE_SECONDS) return false;
  const expected = createHmac('sha256', secret).update(`${parts.timestamp}.`).update(body).digest();
  // Several v1 values are allowed so a relay can sign with an old and a new secret during rotation.
  return parts.signatures.some((hex) => {
    const given = Buffer.from(hex, 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

function parseSignatureHeader(header: string): { timestamp: number; signatures: string[] } | null {
  let timestamp: number | null = null;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const [key, value] = part.trim().split('=', 2);
    if (key === 't' && value && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    if (key === 'v1' && value && /^[0-9a-f]{64}$/i.test(value)) signatures.push(value);
  }
  return timestamp === null || signatures.length === 0 ? null : { timestamp, signatures };
}

function stripBrackets(id: string): string {
  return id.trim().replace(/^<|>$/g, '');
}

function timeOf(value: unknown): number {
  const at = typeof value === 'string' ? Date.parse(value) : NaN;
  return Number.isNaN(at) ? Date.now() : at;
}

/** The bare address of `Name <a@b>` or `a@b`, lower-cased (customers are matched by address). */
function bareAddress(value: string): string {
  const m = /<([^<>]+)>\s*$/.exec(value);
  return (m?.[1] ?? value).trim().toLowerCase();
}

function toInbound(e: JsonObject): InboundChatMessage | null {
  const messageId = str(e['messageId']);
  const from = str(e['from']);
  if (!messageId || !from) return null;
  const inReplyTo = str(e['inReplyTo']);
  return {
    // The e-mail's own Message-ID: a relay re-posting the same e-mail gives the same id, so the hub dedupes it.
    providerMessageId: stripBrackets(messageId),
    from: bareAddress(from),
    occurredAt: timeOf(e['receivedAt']),
    text: str(e['text']),
    payload: null,
    profileName: null,
    replyToProviderMessageId: inReplyTo ? stripBrackets(inReplyTo) : null,
  };
}

function toStatus(e: JsonObject): DeliveryStatusUpdate | null {
  const type = e['type'];
  // 'deferred' is the relay still trying: nothing for the hub to record yet.
  if (type !== 'delivered' && type !== 'bounced') return null;
  const messageId = str(e['messageId']);
  if (!messageId) return null;
  const code = num(e['smtpCode']) ?? str(e['smtpCode']);
  const recipient = str(e['recipient']);
  return {
    providerMessageId: stripBrackets(messageId),
    state: type === 'delivered' ? 'delivered' : 'failed',
    occurredAt: timeOf(e['at']),
    recipient: recipient ? bareAddress(recipient) : null,
    errorCode: type === 'bounced' && code !== null ? String(code) : null,
    errorDetail: type === 'bounced' ? str(e['diagnostic']) : null,
    category: null,
  };
}
