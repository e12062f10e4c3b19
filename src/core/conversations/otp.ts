// One-time codes for account linking: 6 digits from a CSPRNG, valid 10 minutes, 5 tries, a limit on sends;
// only a MAC of the code (bound to the code's id, so equal codes differ at rest) is stored, compared in
// constant time.
import { randomInt } from 'node:crypto';
import type { SecretBox } from '../secrets/secret-box.js';
import { safeEqual } from '../secrets/secret-box.js';
import type { VerificationCode } from './model.js';

export const CODE_TTL_MS = 10 * 60_000;
export const MAX_ATTEMPTS = 5;
/** Codes sent to one conversation within RESEND_WINDOW_MS. */
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
  return safeEqual(hashCode(secrets, record.id, digits), record.codeHash) && /^\d{6}$/.test(digits) ? 'ok' : 'wrong';
}
