// Secrets at rest: AES-256-GCM with a per-value random IV, under the installation's master key.
// Stored form: "v1.<iv b64>.<tag b64>.<ciphertext b64>".
import { MASK, maskTail } from '../mask.js';
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

export class SecretBox {
  private readonly key: Buffer;

  constructor(masterKeyBase64: string) {
    const key = Buffer.from(masterKeyBase64, 'base64');
    if (key.length !== 32) throw new Error('the master key must be 32 bytes (base64)');
    this.key = key;
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
    const key = Buffer.from(hkdfSync('sha256', this.key, Buffer.alloc(0), `shoptalk:${purpose}`, 32));
    return createHmac('sha256', key).update(data).digest('base64url');
  }

  /** A random url-safe token (webhook verify tokens and the like). */
  randomToken(bytes = 24): string {
    return randomBytes(bytes).toString('base64url');
  }

  open(sealed: string): Record<string, string> {
    const [version, iv, tag, ciphertext] = sealed.split('.');
    if (version !== 'v1' || !iv || !tag || ciphertext === undefined) throw new Error('unrecognised secret format');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    const plain = Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64')), decipher.final()]).toString('utf8');
    return JSON.parse(plain) as Record<string, string>;
  }
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
