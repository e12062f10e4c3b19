// Shopify-style REST JSON (Shopify, and SHOPLINE's Shopify-like admin API): the helpers both adapters use to
// read orders, customers and addresses out of untyped webhook bodies.
import type { OrderAddress, OrderLine } from '../../core/events/model.js';

export type Json = Record<string, unknown>;

/** Parses a webhook body into a JSON object, with an error that names the platform and topic. */
export function parseJsonBody(raw: Buffer, platform: string, topic: string): Json {
  let parsed: unknown;
  try {
    parsed = parseJsonKeepingLongIntegers(raw.toString('utf8'));
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(`${platform} webhook body (topic ${topic || 'unknown'}) is not valid JSON: ${reason}`);
  }
  const body = obj(parsed);
  if (!body) throw new Error(`${platform} webhook body (topic ${topic || 'unknown'}) is not a JSON object`);
  return body;
}

export function orderLine(item: Json): OrderLine {
  const quantity = num(item['quantity']);
  return {
    sku: text(item['sku']),
    title: text(item['title']) ?? text(item['name']) ?? 'Item',
    quantity: quantity ?? 1,
    price: text(item['price']),
  };
}

export function orderAddress(a: Json): OrderAddress {
  return {
    name: addressName(a),
    line1: text(a['address1']),
    line2: text(a['address2']),
    city: text(a['city']),
    state: text(a['province_code']) ?? text(a['province']),
    postalCode: text(a['zip']),
    country: text(a['country_code']) ?? text(a['country']),
    phone: text(a['phone']),
  };
}

export function personName(p: Json): string | null {
  const joined = [text(p['first_name']), text(p['last_name'])].filter((s) => s !== null).join(' ');
  return joined === '' ? null : joined;
}

export function addressName(a: Json | null): string | null {
  if (!a) return null;
  return text(a['name']) ?? personName(a);
}

const LONG_INTEGER = /\d{16}/;

/**
 * JSON.parse, except integer literals of 16+ digits become strings: Shopify ids are int64 and the
 * larger ones (e.g. 820982911946154508 in Shopify's samples) would lose digits as JS numbers.
 */
export function parseJsonKeepingLongIntegers(text: string): unknown {
  if (!LONG_INTEGER.test(text)) return JSON.parse(text);
  let out = '';
  let copied = 0;
  let inString = false;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // skip the escaped character
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) {
      inString = true;
      continue;
    }
    if (c === 0x2d || isDigit(c)) {
      const start = i;
      let j = c === 0x2d ? i + 1 : i;
      const digitsStart = j;
      while (j < n && isDigit(text.charCodeAt(j))) j++;
      const next = text.charCodeAt(j);
      const fractional = next === 0x2e || next === 0x65 || next === 0x45;
      if (!fractional && j - digitsStart >= 16) {
        out += text.slice(copied, start) + '"' + text.slice(start, j) + '"';
        copied = j;
      }
      while (j < n && isNumberChar(text.charCodeAt(j))) j++;
      i = j - 1;
    }
  }
  return JSON.parse(out + text.slice(copied));
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isNumberChar(c: number): boolean {
  return isDigit(c) || c === 0x2e || c === 0x65 || c === 0x45 || c === 0x2b || c === 0x2d;
}

export function obj(v: unknown): Json | null {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : null;
}

export function isJson(v: Json | null): v is Json {
  return v !== null;
}

/** A string field as given; numbers become strings, empty or blank strings count as absent. */
export function text(v: unknown): string | null {
  if (typeof v === 'string') return v.trim() === '' ? null : v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return null;
}

export function nonEmpty(v: string | undefined): string | null {
  const t = v?.trim();
  return t ? t : null;
}

export function num(v: unknown): number | null {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : null;
}

export function idText(v: unknown): string | null {
  if (typeof v === 'number') return Number.isSafeInteger(v) ? String(v) : null;
  return text(v);
}

/** Adds decimal money strings exactly (no float drift): "10.10" + "0.2" = "10.30"; none gives "0.00". */
export function sumDecimals(amounts: string[]): string {
  let scale = 0;
  const parts: Array<{ negative: boolean; int: string; frac: string }> = [];
  for (const raw of amounts) {
    const m = /^\s*([+-]?)(\d*)(?:\.(\d*))?\s*$/.exec(raw);
    if (!m || (m[2] === '' && (m[3] ?? '') === '')) continue;
    const frac = m[3] ?? '';
    scale = Math.max(scale, frac.length);
    parts.push({ negative: m[1] === '-', int: m[2] || '0', frac });
  }
  if (parts.length === 0) return '0.00';
  let total = 0n;
  for (const p of parts) {
    const units = BigInt(p.int + p.frac.padEnd(scale, '0'));
    total += p.negative ? -units : units;
  }
  const negative = total < 0n;
  const digits = (negative ? -total : total).toString().padStart(scale + 1, '0');
  const sign = negative ? '-' : '';
  // Keeps the precision the store used: "1000" for JPY, "12.50" for USD.
  return scale === 0 ? sign + digits : `${sign}${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}
