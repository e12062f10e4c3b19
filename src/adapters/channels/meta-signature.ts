// Meta's webhook signature, shared by the WhatsApp Cloud API and Messenger: X-Hub-Signature-256 is
// "sha256=" + lowercase hex HMAC-SHA256 of the raw body with the app secret, compared in constant time.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { RawWebhook } from '../../core/channels/ports.js';

export function verifyHubSignature(appSecret: string | undefined, webhook: RawWebhook): boolean {
  const header = webhook.headers['x-hub-signature-256'];
  if (!appSecret || !header) return false;
  const match = /^sha256=([0-9a-fA-F]{64})$/.exec(header.trim());
  if (!match?.[1]) return false;
  const given = Buffer.from(match[1], 'hex');
  const expected = createHmac('sha256', appSecret).update(webhook.body).digest();
  return given.length === expected.length && timingSafeEqual(given, expected);
}
