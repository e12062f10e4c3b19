// Password hashes: scrypt with the cost stored beside the salt, so the cost can rise without locking anyone out.
// Stored form: "scrypt$ln=17,r=8,p=1$<salt b64>$<key b64>"; the first form, "scrypt$<salt>$<key>", is Node's
// default cost (N=2^14, r=8, p=1). A hash below the current cost is replaced at the next successful sign-in.
import { randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';

export interface ScryptCost {
  /** log2 of N, the CPU/memory cost. */
  ln: number;
  r: number;
  p: number;
}

/** OWASP Password Storage Cheat Sheet: scrypt with N=2^17, r=8, p=1 (128 MiB per hash). */
export const CURRENT_COST: ScryptCost = { ln: 17, r: 8, p: 1 };
const LEGACY_COST: ScryptCost = { ln: 14, r: 8, p: 1 };
const KEY_LENGTH = 32;

/** scrypt needs 128·N·r bytes; Node refuses anything above maxmem (32 MiB by default). */
const maxmemFor = (c: ScryptCost): number => 128 * 2 ** c.ln * c.r * (c.p + 1) + 1024 * 1024;

/** Runs scrypt on libuv's thread pool (never the synchronous variant): the event loop stays free. */
export function deriveKey(password: string, salt: Buffer, cost: ScryptCost, keylen = KEY_LENGTH): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scryptCb(password, salt, keylen, { N: 2 ** cost.ln, r: cost.r, p: cost.p, maxmem: maxmemFor(cost) }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

interface ParsedHash {
  cost: ScryptCost;
  salt: Buffer;
  key: Buffer;
}

export function parseHash(stored: string): ParsedHash | null {
  const parts = stored.split('$');
  if (parts[0] !== 'scrypt') return null;
  if (parts.length === 3) {
    const [, salt, key] = parts;
    return salt && key ? { cost: LEGACY_COST, salt: Buffer.from(salt, 'base64'), key: Buffer.from(key, 'base64') } : null;
  }
  if (parts.length !== 4) return null;
  const m = /^ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})$/.exec(parts[1]!);
  if (!m || !parts[2] || !parts[3]) return null;
  const cost = { ln: Number(m[1]), r: Number(m[2]), p: Number(m[3]) };
  // A stored hash must not be able to ask for an absurd amount of memory or time.
  if (cost.ln < 10 || cost.ln > 20 || cost.r < 1 || cost.r > 16 || cost.p < 1 || cost.p > 4) return null;
  return { cost, salt: Buffer.from(parts[2], 'base64'), key: Buffer.from(parts[3], 'base64') };
}

export function formatHash(cost: ScryptCost, salt: Buffer, key: Buffer): string {
  return `scrypt$ln=${cost.ln},r=${cost.r},p=${cost.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function hashPassword(password: string, cost: ScryptCost = CURRENT_COST): Promise<string> {
  const salt = randomBytes(16);
  return formatHash(cost, salt, await deriveKey(password, salt, cost));
}

/** Compares in constant time; an unreadable stored hash never matches. */
export async function checkPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseHash(stored);
  if (!parsed || parsed.key.length < 16) return false;
  const actual = await deriveKey(password, parsed.salt, parsed.cost, parsed.key.length);
  return timingSafeEqual(actual, parsed.key);
}

/** True when the stored hash is of a lower cost than the one asked for now. */
export function needsRehash(stored: string, cost: ScryptCost = CURRENT_COST): boolean {
  const parsed = parseHash(stored);
  if (!parsed) return true;
  return parsed.cost.ln < cost.ln || parsed.cost.r < cost.r || parsed.cost.p < cost.p;
}
