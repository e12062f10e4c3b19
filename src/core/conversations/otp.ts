// One-time codes sent from chat (account linking): 6 digits from a CSPRNG, valid 10 minutes; only a MAC of the
// code (bound to the code's id, so equal codes differ at rest) is stored, compared in constant time.
//
// Limits, counted so that asking again does not reset them:
// - at most MAX_ATTEMPTS wrong tries per code; a resend (a new code value for the same conversation and
//   destination within RESEND_WINDOW_MS) continues the same counter;
// - at most MAX_SENDS sends per RESEND_WINDOW_MS per destination (phone or e-mail, whatever conversation asks)
//   and per conversation, counted from the log of sends (otp_sends), not from the code's row.
import { randomInt } from 'node:crypto';
import type { SecretBox } from '../secrets/secret-box.js';
import { e164Digits } from '../phone.js';
import type { VerificationCode } from './model.js';
import type { EngineDeps } from './deps.js';
import type { Turn } from './turn.js';

export const CODE_TTL_MS = 10 * 60_000;
export const MAX_ATTEMPTS = 5;
/** Codes sent to one destination, and in one conversation, within RESEND_WINDOW_MS. */
export const MAX_SENDS = 3;
export const RESEND_WINDOW_MS = 30 * 60_000;

export const newCode = (): string => String(randomInt(0, 1_000_000)).padStart(6, '0');

export const hashCode = (secrets: SecretBox, codeId: string, code: string): string => secrets.mac('otp', `${codeId}:${code}`);

export type CodeCheck = 'ok' | 'wrong' | 'expired' | 'exhausted' | 'used';

export function checkCode(secrets: SecretBox, record: VerificationCode, given: string, now: number): CodeCheck {
  if (record.consumedAt != null) return 'used';
  if (record.attempts >= MAX_ATTEMPTS) return 'exhausted';
  if (record.expiresAt <= now) return 'expired';
  const digits = given.replace(/\s+/g, '');
  // The MAC is compared whatever the input looks like, so timing says nothing about the code.
  return secrets.verifyMac('otp', `${record.id}:${digits}`, record.codeHash) && /^\d{6}$/.test(digits) ? 'ok' : 'wrong';
}

export type SendOutcome =
  | { kind: 'sent'; codeId: string }
  /** Too many codes went to this destination or in this conversation; the wait is in whole minutes. */
  | { kind: 'limited'; waitMinutes: number }
  /** The code for this destination had all its tries; a new one is possible after the wait. */
  | { kind: 'exhausted'; waitMinutes: number }
  | { kind: 'no_sender' }
  | { kind: 'failed' };

export type CheckOutcome = { kind: 'ok' } | { kind: 'wrong'; triesLeft: number } | { kind: 'expired' } | { kind: 'exhausted' } | { kind: 'used' } | { kind: 'missing' };

const minutesUntil = (at: number, now: number): number => Math.max(1, Math.ceil((at - now) / 60_000));

export class OneTimeCodes {
  constructor(private readonly deps: EngineDeps) {}

  /** Sends a code (a new one, or a new value of the conversation's open code for this destination) within the limits. */
  async send(turn: Turn, input: { purpose: string; target: string; kind: 'email' | 'phone' }): Promise<SendOutcome> {
    const { uow, secrets, connections } = this.deps;
    const ws = turn.conversation.workspaceId;
    const now = turn.now;
    const since = now - RESEND_WINDOW_MS;
    const destinationHash = secrets.mac('otp-destination', `${input.kind}:${input.target}`);
    const open = await uow.repos.verificationCodes.openFor(ws, turn.conversation.id, input.purpose, input.target, since);
    if (open && open.attempts >= MAX_ATTEMPTS) return { kind: 'exhausted', waitMinutes: minutesUntil(open.createdAt + RESEND_WINDOW_MS, now) };
    const channel = input.kind === 'email' ? 'email' : 'sms';
    const sender = (await connections.sendingAccount(ws, channel)).account;
    if (!sender) {
      this.deps.log.warn({ workspaceId: ws, channel }, 'one-time codes need an installed account to send them');
      return { kind: 'no_sender' };
    }
    const code = newCode();
    const decided = await uow.transaction(async (tx): Promise<{ record: VerificationCode; send: boolean } | { limited: number }> => {
      const limits = [await tx.verificationCodes.sendsSince(ws, { destinationHash }, since), await tx.verificationCodes.sendsSince(ws, { conversationId: turn.conversation.id }, since)];
      const full = limits.filter((l) => l.count >= MAX_SENDS);
      if (full.length) return { limited: Math.max(...full.map((l) => minutesUntil((l.oldest ?? now) + RESEND_WINDOW_MS, now))) };
      const record =
        open ??
        (await tx.verificationCodes.create(ws, { conversationId: turn.conversation.id, purpose: input.purpose, target: input.target, codeHash: '', attempts: 0, sends: 0, expiresAt: now + CODE_TTL_MS, createdAt: now }));
      // A turn that runs again after its code went out sends (and counts) nothing more.
      if (!(await tx.verificationCodes.logSend(ws, { conversationId: turn.conversation.id, codeId: record.id, destinationHash, triggerKey: turn.input.messageId, sentAt: now }))) {
        return { record, send: false };
      }
      await tx.verificationCodes.update(ws, record.id, { codeHash: hashCode(secrets, record.id, code), sends: record.sends + 1, expiresAt: now + CODE_TTL_MS });
      return { record: { ...record, sends: record.sends + 1 }, send: true };
    });
    if ('limited' in decided) return { kind: 'limited', waitMinutes: decided.limited };
    const { record } = decided;
    if (!decided.send) return { kind: 'sent', codeId: record.id };

    const brand = (await uow.repos.workspaces.get(ws))?.name ?? 'the store';
    const text = `${code} is your ${brand} verification code. It expires in 10 minutes. Do not share it.`;
    // The code is sent now and stored only as a MAC: the message keeps a masked text.
    const address = input.kind === 'email' ? input.target : e164Digits(input.target);
    const message = await uow.repos.messages.insertIfNew(ws, {
      direction: 'outbound',
      channel,
      channelAccountId: sender.id,
      eventId: null,
      orderId: null,
      idempotencyKey: `otp:${record.id}:${record.sends}`,
      recipient: address,
      templateName: null,
      category: 'authentication',
      content: { kind: 'text', text: text.replace(code, '••••••') },
      status: 'queued',
      reason: null,
    });
    const result = await connections.sendNow(sender, {
      to: address,
      content: input.kind === 'email' ? { kind: 'text', text, subject: `${brand} verification code` } : { kind: 'text', text },
      idempotencyKey: message?.id ?? `${record.id}:${record.sends}`,
    });
    if (message) {
      await uow.transaction(async (tx) => {
        if (result.ok) {
          await tx.messages.update(ws, message.id, { status: 'sent', sentAt: Date.now(), providerMessageId: result.providerMessageId, attempts: 1 });
          await tx.usage.record(ws, { messageId: message.id, channel, channelAccountId: sender.id, provider: sender.provider, owner: sender.owner, category: 'authentication', at: Date.now() });
        } else {
          await tx.messages.update(ws, message.id, { status: 'failed', failedAt: Date.now(), errorCode: result.errorCode, reason: result.reason, attempts: 1 });
        }
      });
    }
    return result.ok ? { kind: 'sent', codeId: record.id } : { kind: 'failed' };
  }

  /** Checks a code typed in the conversation; a wrong one uses up a try, atomically. */
  async check(turn: Turn, codeId: string, given: string): Promise<CheckOutcome> {
    const { uow, secrets } = this.deps;
    const ws = turn.conversation.workspaceId;
    const record = await uow.repos.verificationCodes.get(ws, codeId);
    if (!record || record.conversationId !== turn.conversation.id) return { kind: 'missing' };
    const outcome = checkCode(secrets, record, given, turn.now);
    if (outcome === 'ok') {
      await uow.repos.verificationCodes.update(ws, record.id, { consumedAt: turn.now });
      return { kind: 'ok' };
    }
    if (outcome !== 'wrong') return { kind: outcome };
    const attempts = await uow.repos.verificationCodes.addAttempt(ws, record.id, MAX_ATTEMPTS);
    if (attempts == null || attempts >= MAX_ATTEMPTS) return { kind: 'exhausted' };
    return { kind: 'wrong', triesLeft: MAX_ATTEMPTS - attempts };
  }
}

/** The polite refusal when the limits are reached. */
export function limitText(outcome: { kind: 'limited' | 'exhausted'; waitMinutes: number }): string {
  const wait = `${outcome.waitMinutes} minute${outcome.waitMinutes === 1 ? '' : 's'}`;
  return outcome.kind === 'limited'
    ? `For your security we send at most ${MAX_SENDS} codes in ${RESEND_WINDOW_MS / 60_000} minutes. Please try again in ${wait}.`
    : `For your security that code cannot be tried again. You can ask for a new code in ${wait}.`;
}
