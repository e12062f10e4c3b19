// Phone numbers as stores give them ("+1 555-010-1234", "0912 345 678") become E.164 for the channels.
import { maskDigits } from './mask.js';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import type { CountryCode } from 'libphonenumber-js/max';

/** E.164 with the leading '+', or null when the number cannot be a real phone number. */
export function toE164(raw: string | null | undefined, defaultCountry?: string | null): string | null {
  if (!raw) return null;
  const trimmed = raw.trim();
  if (!/\d/.test(trimmed)) return null;
  const candidate = trimmed.startsWith('00') ? `+${trimmed.slice(2)}` : trimmed;
  const country = defaultCountry && /^[A-Z]{2}$/i.test(defaultCountry) ? (defaultCountry.toUpperCase() as CountryCode) : undefined;
  const parsed = parsePhoneNumberFromString(candidate, country);
  if (!parsed || !parsed.isPossible()) return null;
  return parsed.number;
}

/** WhatsApp and most SMS APIs want the digits without '+'. */
export const e164Digits = (e164: string): string => e164.replace(/^\+/, '');

/** For logs and activity texts: the last two digits only. */
export const maskPhone = (value: string): string => maskDigits(value);
