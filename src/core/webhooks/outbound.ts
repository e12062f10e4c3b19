// Outbound webhooks: a merchant subscribes a URL to message and activity events. Deliveries are queued in the
// transaction that records the event, signed (HMAC-SHA256 over "timestamp.body", Stripe-style), retried with
// backoff, and kept with their last response for the merchant to inspect.
import { createHmac } from 'node:crypto';
import { invalidField, notFound } from '../errors.js';
import type { Activity, Message, Repos, UnitOfWork, WebhookDelivery, WebhookSubscription } from '../repos.js';
import type { SecretBox } from '../secrets/secret-box.js';
import type { JobContext } from '../../queue/port.js';
import { MissingRecordError } from '../../queue/port.js';
import { TtlCache } from '../ttl-cache.js';

export const outboundEvents = ['message.status', 'activity.created'] as const;
export type OutboundEvent = (typeof outboundEvents)[number];

/** The HTTP the deliveries go out through; throws on a network failure or timeout. */
export interface OutboundHttp {
  post(url: string, body: string, headers: Record<string, string>): Promise<{ status: number; text: string }>;
}

export function signPayload(secret: string, timestamp: number, body: string): string {
  return `t=${timestamp},v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

const RESPONSE_KEPT = 2000;

export class OutboundWebhooks {
  private subscriptions = new TtlCache<string, WebhookSubscription[]>(2_000);

  constructor(
    private readonly uow: UnitOfWork,
    private readonly secrets: SecretBox,
    private readonly http: OutboundHttp,
  ) {}

  async subscribe(workspaceId: string, input: { url: string; events: string[] }): Promise<{ subscription: WebhookSubscription; secret: string }> {
    let url: URL;
    try {
      url = new URL(input.url);
    } catch {
      throw invalidField('url', 'must be an absolute http(s) URL');
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw invalidField('url', 'must be an http(s) URL');
    for (const e of input.events) if (!(outboundEvents as readonly string[]).includes(e)) throw invalidField('events', `${e} is not one of ${outboundEvents.join(', ')}`);
    if (input.events.length === 0) throw invalidField('events', 'name at least one event');
    const secret = `whsec_${this.secrets.randomToken()}`;
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

  async deliveries(workspaceId: string, subscriptionId: string): Promise<WebhookDelivery[]> {
    if (!(await this.uow.repos.webhookSubscriptions.get(workspaceId, subscriptionId))) throw notFound('webhook subscription', subscriptionId);
    return this.uow.repos.webhookDeliveries.listForSubscription(workspaceId, subscriptionId, 100);
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
        await tx.jobs.enqueue({ type: 'webhook.deliver', workspaceId: activity.workspaceId, payload: { deliveryId: delivery.id } });
      }
    }
  }

  /** Job handler for webhook.deliver. */
  async deliver(payload: { deliveryId: string }, ctx: JobContext): Promise<void> {
    const workspaceId = ctx.workspaceId;
    if (!workspaceId) return;
    const { repos } = this.uow;
    const delivery = await repos.webhookDeliveries.get(workspaceId, payload.deliveryId);
    if (!delivery) throw new MissingRecordError('webhook delivery', payload.deliveryId);
    if (delivery.status !== 'pending') return;
    const subscription = await repos.webhookSubscriptions.get(workspaceId, delivery.subscriptionId);
    if (!subscription) {
      await repos.webhookDeliveries.update(workspaceId, delivery.id, { status: 'failed', error: 'the subscription was removed' });
      return;
    }
    const body = JSON.stringify({ id: delivery.id, type: delivery.event, created_at: new Date(delivery.createdAt).toISOString(), data: delivery.payload });
    const timestamp = Math.floor(Date.now() / 1000);
    const headers = {
      'content-type': 'application/json',
      'shoptalk-event': delivery.event,
      'shoptalk-delivery': delivery.id,
      'shoptalk-signature': signPayload(this.secrets.open(subscription.sealedSecret)['secret'] ?? '', timestamp, body),
    };
    let outcome: { status: number | null; text: string | null; error: string | null };
    try {
      const res = await this.http.post(subscription.url, body, headers);
      outcome = { status: res.status, text: res.text.slice(0, RESPONSE_KEPT), error: res.status >= 200 && res.status < 300 ? null : `answered ${res.status}` };
    } catch (err) {
      outcome = { status: null, text: null, error: err instanceof Error ? err.message : String(err) };
    }
    const attempts = delivery.attempts + 1;
    if (!outcome.error) {
      await repos.webhookDeliveries.update(workspaceId, delivery.id, { status: 'delivered', attempts, responseStatus: outcome.status, responseBody: outcome.text, error: null, deliveredAt: Date.now() });
      return;
    }
    const last = ctx.attempt >= ctx.maxAttempts;
    await repos.webhookDeliveries.update(workspaceId, delivery.id, { status: last ? 'failed' : 'pending', attempts, responseStatus: outcome.status, responseBody: outcome.text, error: outcome.error });
    if (!last) throw new Error(`webhook delivery to ${new URL(subscription.url).host} failed: ${outcome.error}`);
  }
}
