// Personal data never reaches the logs in clear: e-mail addresses and phone-like digit runs are masked.
import { maskDigits } from './mask.js';
const EMAIL = /[A-Za-z0-9._%+-]+@([A-Za-z0-9.-]+\.[A-Za-z]{2,})/g;
// A phone-like run stands on its own: digits inside an identifier (`job_0mwr3x3cz804…`, hex, base36) are not a
// phone number and stay readable, so that log lines can still be matched to records.
const PHONE = /(?<![A-Za-z0-9_])\+?\d[\d\s().-]{6,}\d(?![A-Za-z0-9_])/g;

export function maskPii(text: string): string {
  return text
    .replace(EMAIL, (_m, domain: string) => `•••@${domain}`)
    .replace(PHONE, (m) => (m.replace(/\D/g, '').length < 8 ? m : maskDigits(m)));
}

/** Masks PII in every string of a log record, recursively (bounded depth). */
export function maskPiiDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return maskPii(value);
  if (depth > 5 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => maskPiiDeep(v, depth + 1));
  if (value instanceof Error) return { type: value.name, message: maskPii(value.message), stack: value.stack ? maskPii(value.stack) : undefined };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = maskPiiDeep(v, depth + 1);
  return out;
}
