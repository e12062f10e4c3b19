// Which characters a credential may hold. Tokens, keys, secrets and provider ids go into HTTP headers (or
// URLs): only printable ASCII can. Free text sent to a provider (a mailbox login) may be any text without
// control characters or line breaks. Problems name the character and its position, never the value.
import { invalidField } from '../errors.js';

const NOT_PRINTABLE_ASCII = /[^\x20-\x7e]/u;
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/u;

const names: Record<number, string> = { 0: 'a NUL', 9: 'a tab', 10: 'a line feed', 13: 'a carriage return', 0x7f: 'a DEL', 0xa0: 'a no-break space', 0x2028: 'a line separator', 0x2029: 'a paragraph separator' };

function found(value: string, pattern: RegExp): string | null {
  const m = pattern.exec(value);
  if (!m) return null;
  const code = m[0].codePointAt(0)!;
  const point = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  return `found ${names[code] ? `${names[code]} (${point})` : `the character ${point}`} at character ${[...value.slice(0, m.index)].length + 1}`;
}

/** Why a token, key, secret or provider id cannot be sent in an HTTP header, or null. */
export function headerValueProblem(value: string): string | null {
  const where = found(value, NOT_PRINTABLE_ASCII);
  return where && `must be printable ASCII (letters, digits, punctuation), as it is sent to the provider in an HTTP header; ${where}`;
}

/** Why free text cannot be sent to a provider (control characters, line breaks), or null. */
export function providerTextProblem(value: string): string | null {
  const where = found(value, CONTROL);
  return where && `must not contain control characters or line breaks, as it is sent to the provider; ${where}`;
}

/** Secrets that are free text rather than tokens. */
const TEXT_SECRETS = new Set(['username', 'password']);

const snake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * Stored credentials (saved by a version without these checks) that no request could carry: a 400 naming
 * the field, rather than a provider that seems unreachable.
 */
export function checkStoredSecrets(secrets: Record<string, string>): void {
  for (const [key, value] of Object.entries(secrets)) {
    const problem = TEXT_SECRETS.has(key) ? providerTextProblem(value) : headerValueProblem(value);
    if (problem) throw invalidField(snake(key), `the stored value ${problem}; connect again with the right value`);
  }
}
