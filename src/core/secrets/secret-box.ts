// Secrets at rest: AES-256-GCM with a per-value random IV, under the installation's master key.
// Stored form: "v1.<iv b64>.<tag b64>.<ciphertext b64>".
// During a master-key change the box holds a key ring: it seals and signs with the current key only, and opens
// and verifies with the current key, then the previous ones (`shoptalk secrets rotate` re-seals under the current).
import { MASK, maskTail } from '../mask.js';
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

function decodeKey(base64: string, what: string): Buffer {
  const key = Buffer.from(base64.trim(), 'base64');
  if (key.length !== 32) throw new Error(`${what} must be 32 bytes (base64)`);
  return key;
}

/** Whether a sealed value opened under the current key or one of the previous ones. */
export type SealedKey = 'current' | 'previous';

export class SecretBox {
  private readonly key: Buffer;
  /** Keys that still open and verify (never seal or sign), oldest change-over first. */
  private readonly previous: Buffer[];

  constructor(masterKeyBase64: string, previousKeysBase64: readonly string[] = []) {
    this.key = decodeKey(masterKeyBase64, 'the master key');
    this.previous = previousKeysBase64
      .map((k, i) => decodeKey(k, `previous master key ${i + 1}`))
      .filter((k) => !k.equals(this.key));
  }

  /** How many previous keys still open secrets and verify MACs. */
  get previousKeyCount(): number {
    return this.previous.length;
  }

  static generateKey(): string {
    return randomBytes(32).toString('base64');
  }

  seal(secrets: Record<string, string>): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const ciphertext = Buffer.concat([cipher.update(JSON.stringify(secrets), 'utf8'), cipher.final()]);
    return ['v1', iv.toString('base64'), cipher.getAuthTag().toString('base64'), ciphertext.toString('base64')].join('.');
  }

  /** Opens sealed secrets and masks every value, for API responses. */
  masked(sealed: string): Record<string, string> {
    return maskSecrets(this.open(sealed));
  }

  /**
   * A MAC of data under a key derived from the master key for one purpose (unsubscribe links...), url-safe.
   * Different purposes never share a key, and the master key itself never signs anything.
   */
  mac(purpose: string, data: string): string {
    return macUnder(this.key, purpose, data);
  }

  /**
   * True when mac is data's MAC for purpose under the current key or a previous one, so links and cookies
   * signed before a key change keep working while the previous key is listed.
   */
  verifyMac(purpose: string, data: string, mac: string): boolean {
    let ok = safeEqual(mac, macUnder(this.key, purpose, data));
    for (const key of this.previous) ok = safeEqual(mac, macUnder(key, purpose, data)) || ok;
    return ok;
  }

  /** A random url-safe token (webhook verify tokens and the like). */
  randomToken(bytes = 24): string {
    return randomBytes(bytes).toString('base64url');
  }

  open(sealed: string): Record<string, string> {
    return this.openWithKey(sealed).secrets;
  }

  /** Opens sealed secrets and says which key opened them; throws when no key of the ring does. */
  openWithKey(sealed: string): { secrets: Record<string, string>; key: SealedKey } {
    const [version, iv, tag, ciphertext] = sealed.split('.');
    if (version !== 'v1' || !iv || !tag || ciphertext === undefined) throw new Error('unrecognised secret format');
    const parts = { iv: Buffer.from(iv, 'base64'), tag: Buffer.from(tag, 'base64'), ciphertext: Buffer.from(ciphertext, 'base64') };
    const current = decrypt(this.key, parts);
    if (current !== null) return { secrets: current, key: 'current' };
    for (const key of this.previous) {
      const opened = decrypt(key, parts);
      if (opened !== null) return { secrets: opened, key: 'previous' };
    }
    throw new Error(this.previous.length ? 'the sealed secret opens under none of the master keys' : 'the sealed secret does not open under the master key');
  }

  /**
   * The value sealed again under the current key when a previous key sealed it; null when the current key
   * already did (key rotation skips it). Throws when no key of the ring opens it.
   */
  reseal(sealed: string): string | null {
    const { secrets, key } = this.openWithKey(sealed);
    return key === 'current' ? null : this.seal(secrets);
  }
}

function macUnder(master: Buffer, purpose: string, data: string): string {
  const key = Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), `shoptalk:${purpose}`, 32));
  return createHmac('sha256', key).update(data).digest('base64url');
}

/** The opened secrets, or null when the authentication tag does not match under key. */
function decrypt(key: Buffer, parts: { iv: Buffer; tag: Buffer; ciphertext: Buffer }): Record<string, string> | null {
  let plain: string;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, parts.iv);
    decipher.setAuthTag(parts.tag);
    plain = Buffer.concat([decipher.update(parts.ciphertext), decipher.final()]).toString('utf8');
  } catch {
    return null;
  }
  return JSON.parse(plain) as Record<string, string>;
}

/** Shows enough of a secret to recognise it (its last 4 characters when long), never enough to use it. */
export function maskSecret(value: string): string {
  return value.length < 16 ? MASK : maskTail(value, 4);
}

export function maskSecrets(secrets: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(secrets).map(([k, v]) => [k, maskSecret(v)]));
}

/** Constant-time comparison of two strings of possibly different length. */
export function safeEqual(a: string | Buffer, b: string | Buffer): boolean {
  const x = Buffer.isBuffer(a) ? a : Buffer.from(a);
  const y = Buffer.isBuffer(b) ? b : Buffer.from(b);
  if (x.length !== y.length) {
    timingSafeEqual(x, x);
    return false;
  }
  return timingSafeEqual(x, y);
}
