// The generic signed-webhook source: a merchant's own system (an ERP, a custom shop) posts events in the
// body format of POST /v1/events, signed like Shoptalk's outbound webhooks:
//   Shoptalk-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(signing secret, "<t>.<raw body>")>
//   Idempotency-Key: <the sender's id for the event> (or "idempotency_key" in the body)
// Signatures older than five minutes are refused, so a captured request cannot be replayed later.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { RawWebhook } from '../../../core/channels/ports.js';
import { pushedEventFields, pushedToEvent } from '../../../core/events/pushed.js';
import type { ParsedStoreWebhook, StoreAdapter, StoreConnectionCredentials } from '../../../core/stores/ports.js';

export const GENERIC_SIGNATURE_HEADER = 'shoptalk-signature';
export const GENERIC_TOLERANCE_SECONDS = 300;

export interface GenericSourceOptions {
  /** Seconds since the epoch; injectable for tests of the replay window. */
  now?: () => number;
}

/** The header value for a body, as a sender computes it. */
export function signGenericBody(secret: string, body: string, timestamp = Math.floor(Date.now() / 1000)): string {
  return `t=${timestamp},v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export class GenericSourceAdapter implements StoreAdapter {
  readonly platform = 'generic' as const;
  private readonly now: () => number;

  constructor(options: GenericSourceOptions = {}) {
    this.now = options.now ?? (() => Math.floor(Date.now() / 1000));
  }

  verifyWebhook(connection: StoreConnectionCredentials, webhook: RawWebhook): boolean {
    const secret = connection.secrets['signingSecret'];
    const header = webhook.headers[GENERIC_SIGNATURE_HEADER];
    if (!secret || !header) return false;
    const parts = new Map<string, string[]>();
    for (const piece of header.split(',')) {
      const [k, v] = piece.trim().split('=', 2);
      if (k && v) parts.set(k, [...(parts.get(k) ?? []), v]);
    }
    const t = Number(parts.get('t')?.[0]);
    if (!Number.isInteger(t) || Math.abs(this.now() - t) > GENERIC_TOLERANCE_SECONDS) return false;
    const expected = createHmac('sha256', secret).update(`${t}.`).update(webhook.body).digest();
    let ok = false;
    // Several v1 values are allowed while a sender rotates its secret.
    for (const v of parts.get('v1') ?? []) {
      const given = /^[0-9a-f]{64}$/i.test(v) ? Buffer.from(v, 'hex') : null;
      if (given && timingSafeEqual(given, expected)) ok = true;
    }
    return ok;
  }

  deliveryId(webhook: RawWebhook): string | null {
    const header = webhook.headers['idempotency-key']?.trim();
    if (header) return `key:${header}`;
    try {
      const key = (JSON.parse(webhook.body.toString('utf8')) as { idempotency_key?: unknown }).idempotency_key;
      return typeof key === 'string' && key !== '' ? `key:${key}` : null;
    } catch {
      return null;
    }
  }

  checkWebhook(webhook: RawWebhook): string | null {
    try {
      this.parseWebhook(webhook);
      return null;
    } catch (err) {
      return err instanceof Error ? err.message.replace(/^the generic source sent /, '') : String(err);
    }
  }

  parseWebhook(webhook: RawWebhook): ParsedStoreWebhook {
    let json: unknown;
    try {
      json = JSON.parse(webhook.body.toString('utf8'));
    } catch {
      throw new Error('the generic source sent a body that is not JSON');
    }
    const parsed = pushedEventFields.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(`the generic source sent an invalid event: ${issue ? `${issue.path.join('.') || 'body'}: ${issue.message}` : 'unreadable'}`);
    }
    const deliveryId = this.deliveryId(webhook) ?? `sha256:${createHash('sha256').update(webhook.body).digest('hex')}`;
    const key = deliveryId.startsWith('key:') ? deliveryId.slice(4) : deliveryId;
    return { deliveryId, topic: parsed.data.type, events: [pushedToEvent(parsed.data, key, 'generic')] };
  }
}
