// Outbound webhooks: a merchant subscribes a URL to message and activity events. Deliveries are queued in the
// transaction that records the event, signed the Standard Webhooks way (webhook-id, webhook-timestamp,
// webhook-signature), retried on a schedule of about a day, and kept with every attempt for the merchant to
// inspect and redeliver. The URL is a tenant's choice: checked when saved and on every connection.
import { createHmac, randomBytes } from 'node:crypto';
import { AppError, ProviderError, notFound } from '../errors.js';
import { DestinationRefusedError, checkDestinationUrl } from '../net/destinations.js';
import type { DestinationPolicy } from '../net/destinations.js';
import type { Activity } from '../events/repo.js';
import type { Message } from '../notifications/repo.js';
import type { Repos, UnitOfWork } from '../repos.js';
import type { WebhookDelivery, WebhookDeliveryAttempt, WebhookSubscription } from './repo.js';
import type { SecretBox } from '../secrets/secret-box.js';
import type { JobContext } from '../jobs.js';
import { MissingRecordError, PermanentJobError } from '../jobs.js';
import { TtlCache } from '../ttl-cache.js';

export const outboundEvents = ['message.status', 'activity.created', 'customer.erased'] as const;
export type OutboundEvent = (typeof outboundEvents)[number];

/** The HTTP the deliveries go out through; throws on a network failure, a timeout or a refused destination. */
export interface OutboundHttp {
  post(url: string, body: string, headers: Record<string, string>): Promise<{ status: number; text: string; location?: string | null }>;
}

/**
 * Waits after the 1st, 2nd... failed attempt: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h — eight attempts over
 * about 27 hours (Standard Webhooks' suggested schedule). After the last one the delivery is `failed`, listed
 * and redeliverable; the subscription itself is never disabled.
 */
export const RETRY_SCHEDULE_MS: readonly number[] = [5_000, 5 * 60_000, 30 * 60_000, 2 * 3_600_000, 5 * 3_600_000, 10 * 3_600_000, 10 * 3_600_000];
export const MAX_AUTOMATIC_ATTEMPTS = RETRY_SCHEDULE_MS.length + 1;

/** How much of a receiver's answer is kept and shown: enough to see what went wrong, not a page of its content. */
export const RESPONSE_EXCERPT_CHARS = 200;
/** The hub's own account of a failed attempt. */
export const ERROR_CHARS = 400;

/**
 * The Standard Webhooks signature: `v1,` + base64 HMAC-SHA256 of "id.timestamp.body" keyed with the secret's
 * bytes (the base64 after `whsec_`).
 */
export function standardSignature(secret: string, id: string, timestamp: number, body: string): string {
  const key = Buffer.from(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret, 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

/**
 * The earlier scheme, still sent as `Shoptalk-Signature` so existing receivers keep working: `t=<ts>,v1=<hex
 * HMAC-SHA256 of "ts.body">` keyed with the whole secret string.
 */
export function signPayload(secret: string, timestamp: number, body: string): string {
  return `t=${timestamp},v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * A short excerpt of a receiver's answer: control characters and runs of white space folded, at most 200
 * characters (a longer limit serves the hub's own error texts, which may quote a redirect target).
 */
export function responseExcerpt(text: string | null, max = RESPONSE_EXCERPT_CHARS): string | null {
  if (text === null) return null;
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200b-\u200f\u202a-\u202e\u2066-\u2069]+/g, ' ').replace(/\s+/g, ' ').trim();
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}

/** A fresh signing secret in the Standard Webhooks form: whsec_ + base64 of 32 random bytes. */
function newSigningSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

export class OutboundWebhooks {
  private subscriptions = new TtlCache<string, WebhookSubscription[]>(2_000);

  constructor(
    private readonly uow: UnitOfWork,
    private readonly secrets: SecretBox,
    private readonly http: OutboundHttp,
    private readonly destinations: DestinationPolicy = { allowPrivate: false },
  ) {}

  async subscribe(workspaceId: string, input: { url: string; events: string[] }): Promise<{ subscription: WebhookSubscription; secret: string }> {
    const url = checkDestinationUrl('url', input.url, this.destinations);
    for (const e of input.events) if (!(outboundEvents as readonly string[]).includes(e)) throw new AppError('validation_failed', `events: ${e} is not one of ${outboundEvents.join(', ')}`, { fields: [{ field: 'events', message: 'unknown event' }] });
    if (input.events.length === 0) throw new AppError('validation_failed', 'events: name at least one event', { fields: [{ field: 'events', message: 'empty' }] });
    const secret = newSigningSecret();
    const subscription = await this.uow.repos.webhookSubscriptions.create(workspaceId, { url: url.toString(), events: [...new Set(input.events)], sealedSecret: this.secrets.seal({ secret }) });
    this.subscriptions.delete(workspaceId);
    return { subscription, secret };
  }

  list(workspaceId: string): Promise<WebhookSubscription[]> {
    return this.uow.repos.webhookSubscriptions.list(workspaceId);
  }

  async remove(workspaceId: string, id: string): Promise<void> {
    if (!(await this.uow.repos.webhookSubscriptions.remove(workspaceId, id))) throw notFound('webhook subscription', id);
    this.subscriptions.delete(workspaceId);
  }

  async deliveries(workspaceId: string, subscriptionId: string, filter: { status?: WebhookDelivery['status']; limit?: number; before?: string } = {}): Promise<WebhookDelivery[]> {
    if (!(await this.uow.repos.webhookSubscriptions.get(workspaceId, subscriptionId))) throw notFound('webhook subscription', subscriptionId);
    let before: { createdAt: number; id: string } | undefined;
    if (filter.before) {
      const last = await this.uow.repos.webhookDeliveries.get(workspaceId, filter.before);
      if (!last || last.subscriptionId !== subscriptionId) throw new AppError('validation_failed', `before: no delivery ${filter.before} of this subscription`, { fields: [{ field: 'before', message: 'unknown delivery' }] });
      before = { createdAt: last.createdAt, id: last.id };
    }
    return this.uow.repos.webhookDeliveries.listForSubscription(workspaceId, subscriptionId, filter.limit ?? 100, { status: filter.status, before });
  }

  /** One delivery of a subscription with every attempt made. */
  async delivery(workspaceId: string, subscriptionId: string, deliveryId: string): Promise<{ delivery: WebhookDelivery; attempts: WebhookDeliveryAttempt[] }> {
    const delivery = await this.uow.repos.webhookDeliveries.get(workspaceId, deliveryId);
    if (!delivery || delivery.subscriptionId !== subscriptionId) throw notFound('webhook delivery', deliveryId);
    return { delivery, attempts: await this.uow.repos.webhookDeliveries.listAttempts(workspaceId, deliveryId) };
  }

  /**
   * Sends a failed (or already delivered) delivery again, now, as one manual attempt with the same webhook-id so
   * receivers can tell it is the same event. A delivery still being retried is refused with a conflict.
   */
  async redeliver(workspaceId: string, subscriptionId: string, deliveryId: string): Promise<WebhookDelivery> {
    const { delivery } = await this.delivery(workspaceId, subscriptionId, deliveryId);
    if (!(await this.uow.repos.webhookSubscriptions.get(workspaceId, subscriptionId))) throw notFound('webhook subscription', subscriptionId);
    const now = Date.now();
    const reopened = await this.uow.transaction(async (tx) => {
      if (!(await tx.webhookDeliveries.reopen(workspaceId, deliveryId, now))) return false;
      await tx.jobs.enqueue({ type: 'webhook.deliver', workspaceId, payload: { deliveryId, attempt: delivery.attempts, manual: true } });
      return true;
    });
    if (!reopened) {
      const next = delivery.nextAttemptAt ? `; the next attempt is due at ${new Date(delivery.nextAttemptAt).toISOString()}` : '';
      throw new AppError('conflict', `webhook delivery ${deliveryId} is still pending${next}`);
    }
    return (await this.uow.repos.webhookDeliveries.get(workspaceId, deliveryId))!;
  }

  /** Inside the transaction that recorded an activity: queue its events for every interested subscription. */
  async emitActivity(tx: Repos, activity: Activity, message: Pick<Message, 'id' | 'channel' | 'channelAccountId' | 'orderId' | 'templateName'> | null, status: string | null): Promise<void> {
    const subscriptions = await this.subscriptions.get(activity.workspaceId, () => tx.webhookSubscriptions.list(activity.workspaceId));
    if (subscriptions.length === 0) return;
    const events: Array<[OutboundEvent, unknown]> = [
      ['activity.created', { id: activity.id, kind: activity.kind, summary: activity.summary, order_id: activity.orderId, message_id: activity.messageId, data: activity.data, created_at: new Date(activity.createdAt).toISOString() }],
    ];
    if (message && status) {
      events.push(['message.status', { message_id: message.id, status, channel: message.channel, channel_account_id: message.channelAccountId, order_id: message.orderId, template: message.templateName, error_code: activity.data['errorCode'] ?? null, reason: activity.data['reason'] ?? null }]);
    }
    for (const subscription of subscriptions) {
      for (const [event, data] of events) {
        if (!subscription.events.includes(event)) continue;
        const delivery = await tx.webhookDeliveries.create(activity.workspaceId, { subscriptionId: subscription.id, event, payload: data });
        await tx.jobs.enqueue({ type: 'webhook.deliver', workspaceId: activity.workspaceId, payload: { deliveryId: delivery.id, attempt: 0 } });
      }
    }
  }

  /** Inside a transaction: queue one event (with data free of personal details) for every interested subscription. */
  async emit(tx: Repos, workspaceId: string, event: OutboundEvent, data: unknown): Promise<void> {
    const subscriptions = await tx.webhookSubscriptions.list(workspaceId);
    for (const subscription of subscriptions) {
      if (!subscription.events.includes(event)) continue;
      const delivery = await tx.webhookDeliveries.create(workspaceId, { subscriptionId: subscription.id, event, payload: data });
      await tx.jobs.enqueue({ type: 'webhook.deliver', workspaceId, payload: { deliveryId: delivery.id, attempt: 0 } });
    }
  }

  /**
   * Job handler for webhook.deliver: one attempt. `attempt` is the number of attempts made when the job was
   * scheduled; a job whose delivery has moved on since (it ran already, or was redelivered) does nothing.
   */
  async deliver(payload: { deliveryId: string; attempt?: number | undefined; manual?: boolean | undefined }, ctx: JobContext): Promise<void> {
    const workspaceId = ctx.workspaceId;
    if (!workspaceId) throw new PermanentJobError('webhook.deliver needs a workspace');
    const { repos } = this.uow;
    const delivery = await repos.webhookDeliveries.get(workspaceId, payload.deliveryId);
    if (!delivery) throw new MissingRecordError('webhook delivery', payload.deliveryId);
    if (delivery.status !== 'pending') return;
    if (payload.attempt !== undefined && payload.attempt !== delivery.attempts) return;
    const subscription = await repos.webhookSubscriptions.get(workspaceId, delivery.subscriptionId);
    if (!subscription) {
      await repos.webhookDeliveries.update(workspaceId, delivery.id, { status: 'failed', error: 'the subscription was removed', nextAttemptAt: null });
      return;
    }
    const timestamp = Math.floor(Date.now() / 1000);
    const body = JSON.stringify({ id: delivery.id, type: delivery.event, timestamp: new Date(delivery.createdAt).toISOString(), created_at: new Date(delivery.createdAt).toISOString(), data: delivery.payload });
    const secret = this.secrets.open(subscription.sealedSecret)['secret'] ?? '';
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'Shoptalk-Webhooks/1',
      'webhook-id': delivery.id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': standardSignature(secret, delivery.id, timestamp, body),
      'shoptalk-event': delivery.event,
      'shoptalk-delivery': delivery.id,
      'shoptalk-signature': signPayload(secret, timestamp, body),
    };

    const startedAt = Date.now();
    let outcome: { status: number | null; excerpt: string | null; error: string | null; permanent: boolean };
    try {
      const res = await this.http.post(subscription.url, body, headers);
      const ok = res.status >= 200 && res.status < 300;
      let error: string | null = ok ? null : `answered HTTP ${res.status}`;
      // Redirects are not followed (they could lead anywhere, including inside the network): the URL must be the final one.
      if (res.status >= 300 && res.status < 400) error = `answered HTTP ${res.status} (a redirect${res.location ? ` to ${responseExcerpt(res.location, RESPONSE_EXCERPT_CHARS)}` : ''}); redirects are not followed, subscribe the final URL`;
      outcome = { status: res.status, excerpt: responseExcerpt(res.text), error, permanent: false };
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      outcome = { status: null, excerpt: null, error: responseExcerpt(message, ERROR_CHARS), permanent: err instanceof DestinationRefusedError || (err instanceof ProviderError && err.kind === 'permanent') };
    }
    const attempt = delivery.attempts + 1;
    const finishedAt = Date.now();
    const trigger = payload.manual ? 'manual' : 'automatic';
    const retryIn = !outcome.error || payload.manual || outcome.permanent ? null : (RETRY_SCHEDULE_MS[attempt - 1] ?? null);

    await this.uow.transaction(async (tx) => {
      await tx.webhookDeliveries.recordAttempt(workspaceId, {
        deliveryId: delivery.id,
        attempt,
        trigger,
        startedAt,
        durationMs: finishedAt - startedAt,
        responseStatus: outcome.status,
        responseExcerpt: outcome.excerpt,
        error: outcome.error,
      });
      const common = { attempts: attempt, responseStatus: outcome.status, responseBody: outcome.excerpt, error: outcome.error };
      if (!outcome.error) {
        await tx.webhookDeliveries.update(workspaceId, delivery.id, { ...common, status: 'delivered', deliveredAt: finishedAt, nextAttemptAt: null });
      } else if (retryIn !== null) {
        const runAt = finishedAt + retryIn;
        await tx.webhookDeliveries.update(workspaceId, delivery.id, { ...common, status: 'pending', nextAttemptAt: runAt });
        await tx.jobs.enqueue({ type: 'webhook.deliver', workspaceId, payload: { deliveryId: delivery.id, attempt }, runAt });
      } else {
        await tx.webhookDeliveries.update(workspaceId, delivery.id, { ...common, status: 'failed', nextAttemptAt: null });
      }
    });
  }
}
