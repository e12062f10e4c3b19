// Outbound webhook subscriptions and their deliveries.
import type { Selectable } from 'kysely';
import type { Db } from '../database.js';
import type { Database } from '../schema.js';
import type { WebhookDeliveriesRepo, WebhookDelivery, WebhookDeliveryAttempt, WebhookSubscription, WebhookSubscriptionsRepo } from '../../core/webhooks/repo.js';
import { newId } from '../../core/ids.js';

const subscriptionFromRow = (r: Selectable<Database['webhook_subscriptions']>): WebhookSubscription => ({
  id: r.id,
  workspaceId: r.workspace_id,
  url: r.url,
  events: JSON.parse(r.events) as string[],
  sealedSecret: r.secret,
  createdAt: r.created_at,
});

const deliveryFromRow = (r: Selectable<Database['webhook_deliveries']>): WebhookDelivery => ({
  id: r.id,
  workspaceId: r.workspace_id,
  subscriptionId: r.subscription_id,
  event: r.event,
  payload: JSON.parse(r.payload) as unknown,
  status: r.status as WebhookDelivery['status'],
  attempts: r.attempts,
  responseStatus: r.response_status,
  responseBody: r.response_body,
  error: r.error,
  createdAt: r.created_at,
  deliveredAt: r.delivered_at,
  nextAttemptAt: r.next_attempt_at,
});

const attemptFromRow = (r: Selectable<Database['webhook_delivery_attempts']>): WebhookDeliveryAttempt => ({
  id: r.id,
  deliveryId: r.delivery_id,
  attempt: r.attempt,
  trigger: r.trigger === 'manual' ? 'manual' : 'automatic',
  startedAt: r.started_at,
  durationMs: r.duration_ms,
  responseStatus: r.response_status,
  responseExcerpt: r.response_excerpt,
  error: r.error,
});

export function webhookSubscriptionsRepo(db: Db): WebhookSubscriptionsRepo {
  return {
    async create(workspaceId, input) {
      const row = { id: newId('whs'), workspace_id: workspaceId, url: input.url, events: JSON.stringify(input.events), secret: input.sealedSecret, created_at: Date.now() };
      await db.insertInto('webhook_subscriptions').values(row).execute();
      return subscriptionFromRow(row);
    },
    async list(workspaceId) {
      const rows = await db.selectFrom('webhook_subscriptions').selectAll().where('workspace_id', '=', workspaceId).orderBy('created_at').execute();
      return rows.map(subscriptionFromRow);
    },
    async get(workspaceId, id) {
      const r = await db.selectFrom('webhook_subscriptions').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
      return r ? subscriptionFromRow(r) : null;
    },
    async remove(workspaceId, id) {
      const res = await db.deleteFrom('webhook_subscriptions').where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
      return Number(res.numDeletedRows) > 0;
    },
  };
}

export function webhookDeliveriesRepo(db: Db): WebhookDeliveriesRepo {
  return {
    async create(workspaceId, input) {
      const row = {
        id: newId('whd'),
        workspace_id: workspaceId,
        subscription_id: input.subscriptionId,
        event: input.event,
        payload: JSON.stringify(input.payload),
        status: 'pending',
        attempts: 0,
        response_status: null,
        response_body: null,
        error: null,
        created_at: Date.now(),
        delivered_at: null,
        next_attempt_at: null,
      };
      await db.insertInto('webhook_deliveries').values(row).execute();
      return deliveryFromRow(row);
    },
    async get(workspaceId, id) {
      const r = await db.selectFrom('webhook_deliveries').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
      return r ? deliveryFromRow(r) : null;
    },
    async update(workspaceId, id, patch) {
      await db
        .updateTable('webhook_deliveries')
        .set({
          ...(patch.status !== undefined ? { status: patch.status } : {}),
          ...(patch.attempts !== undefined ? { attempts: patch.attempts } : {}),
          ...(patch.responseStatus !== undefined ? { response_status: patch.responseStatus } : {}),
          ...(patch.responseBody !== undefined ? { response_body: patch.responseBody } : {}),
          ...(patch.error !== undefined ? { error: patch.error } : {}),
          ...(patch.deliveredAt !== undefined ? { delivered_at: patch.deliveredAt } : {}),
          ...(patch.nextAttemptAt !== undefined ? { next_attempt_at: patch.nextAttemptAt } : {}),
        })
        .where('workspace_id', '=', workspaceId)
        .where('id', '=', id)
        .execute();
    },
    async listForSubscription(workspaceId, subscriptionId, limit, filter = {}) {
      let q = db.selectFrom('webhook_deliveries').selectAll().where('workspace_id', '=', workspaceId).where('subscription_id', '=', subscriptionId);
      if (filter.status) q = q.where('status', '=', filter.status);
      const before = filter.before;
      if (before) q = q.where((eb) => eb.or([eb('created_at', '<', before.createdAt), eb.and([eb('created_at', '=', before.createdAt), eb('id', '<', before.id)])]));
      const rows = await q
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit)
        .execute();
      return rows.map(deliveryFromRow);
    },
    async reopen(workspaceId, id, at) {
      const res = await db
        .updateTable('webhook_deliveries')
        .set({ status: 'pending', next_attempt_at: at })
        .where('workspace_id', '=', workspaceId)
        .where('id', '=', id)
        .where('status', 'in', ['failed', 'delivered'])
        .executeTakeFirst();
      return Number(res.numUpdatedRows) > 0;
    },
    async recordAttempt(workspaceId, input) {
      await db
        .insertInto('webhook_delivery_attempts')
        .values({
          id: newId('wha'),
          workspace_id: workspaceId,
          delivery_id: input.deliveryId,
          attempt: input.attempt,
          trigger: input.trigger,
          started_at: input.startedAt,
          duration_ms: input.durationMs,
          response_status: input.responseStatus,
          response_excerpt: input.responseExcerpt,
          error: input.error,
        })
        .execute();
    },
    async listAttempts(workspaceId, deliveryId) {
      const rows = await db.selectFrom('webhook_delivery_attempts').selectAll().where('workspace_id', '=', workspaceId).where('delivery_id', '=', deliveryId).orderBy('attempt').orderBy('started_at').execute();
      return rows.map(attemptFromRow);
    },
  };
}
