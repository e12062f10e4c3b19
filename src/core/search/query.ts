// What a merchant types into a search box, read the way they meant it: words match parts of names and e-mail
// addresses, "#1001" and "1001" are the same order, and a phone number matches in any format.
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

export interface SearchQuery {
  /** The whole text, trimmed and lower-cased. */
  text: string;
  /** Words that must all match (somewhere), lower-cased, a leading '#' removed. */
  terms: string[];
  /**
   * The significant digits of a phone number (no country code, no trunk '0'), matched inside the digits of a
   * stored number; null when the text does not look like a phone number.
   */
  phoneDigits: string | null;
}

const PHONE_CHARS = /^[\d\s+\-().]+$/;
/** Fewer digits than this are an order number or part of one, not a phone number. */
const MIN_PHONE_DIGITS = 6;

export function parseSearch(raw: string | null | undefined): SearchQuery | null {
  const text = (raw ?? '').trim().toLowerCase();
  if (!text) return null;
  const terms = text
    .split(/\s+/)
    .map((t) => t.replace(/^#+/, ''))
    .filter((t) => t.length > 0);
  return { text, terms: terms.length > 0 ? terms : [text], phoneDigits: phoneDigitsOf(text) };
}

function phoneDigitsOf(text: string): string | null {
  if (!PHONE_CHARS.test(text)) return null;
  const digits = text.replace(/\D/g, '');
  if (digits.length < MIN_PHONE_DIGITS) return null;
  if (text.startsWith('+') || text.startsWith('00')) {
    const parsed = parsePhoneNumberFromString(text.startsWith('00') ? `+${digits.slice(2)}` : `+${digits}`);
    if (parsed?.nationalNumber) return String(parsed.nationalNumber);
  }
  // A national number ("0912 000 777") or the digits without the trunk prefix ("912000777").
  const core = digits.replace(/^0+/, '');
  return core.length >= MIN_PHONE_DIGITS ? core : null;
}

/** A LIKE pattern matching the text anywhere, with the user's own % _ and \ taken literally (ESCAPE '\'). */
export const containsPattern = (text: string): string => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
