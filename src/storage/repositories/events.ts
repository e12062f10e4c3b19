// Inbound webhooks, orders, events, and the activity timeline of orders and messages.
import type { Selectable } from 'kysely';
import type { Db } from '../database.js';
import type { ActivitiesTable, EventsTable, InboundWebhooksTable, OrdersTable } from '../schema.js';
import type { ActivitiesRepo, Activity, EventsRepo, InboundWebhook, InboundWebhooksRepo, Order, OrdersRepo, StoredEvent } from '../../core/events/repo.js';
import type { EventType, NormalizedEvent, OrderSnapshot } from '../../core/events/model.js';
import { newId } from '../../core/ids.js';
import { parseSearch } from '../../core/search/query.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { containsCi, phoneContains } from './search.js';
import { insertRow, selectById, upsertRow } from '../prepared.js';

/** What a later event of the same order changes: everything but its identity and first sighting. */
const ORDER_UPDATE_COLUMNS = ['name', 'customer_name', 'email', 'phone', 'total_amount', 'currency', 'status', 'snapshot', 'updated_at'];

const webhookFromRow = (r: Selectable<InboundWebhooksTable>): InboundWebhook => ({
  id: r.id,
  workspaceId: r.workspace_id,
  source: r.source,
  targetId: r.target_id,
  dedupeKey: r.dedupe_key,
  topic: r.topic,
  headers: JSON.parse(r.headers) as Record<string, string>,
  body: r.body,
  status: r.status as InboundWebhook['status'],
  error: r.error,
  receivedAt: r.received_at,
  processedAt: r.processed_at,
});

const orderFromRow = (r: Selectable<OrdersTable>): Order => ({
  id: r.id,
  workspaceId: r.workspace_id,
  storeConnectionId: r.store_connection_id,
  externalId: r.external_id,
  name: r.name,
  customerName: r.customer_name,
  email: r.email,
  phone: r.phone,
  totalAmount: r.total_amount,
  currency: r.currency,
  status: r.status,
  snapshot: JSON.parse(r.snapshot) as OrderSnapshot,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const eventFromRow = (r: Selectable<EventsTable>): StoredEvent => ({
  id: r.id,
  workspaceId: r.workspace_id,
  type: r.type as EventType,
  idempotencyKey: r.idempotency_key,
  source: r.source,
  storeConnectionId: r.store_connection_id,
  orderId: r.order_id,
  occurredAt: r.occurred_at,
  payload: JSON.parse(r.payload) as NormalizedEvent,
  createdAt: r.created_at,
});

const activityFromRow = (r: Selectable<ActivitiesTable>): Activity => ({
  id: r.id,
  workspaceId: r.workspace_id,
  orderId: r.order_id,
  messageId: r.message_id,
  kind: r.kind,
  summary: r.summary,
  data: JSON.parse(r.data) as Record<string, unknown>,
  createdAt: r.created_at,
});

export function webhooksRepo(db: Db): InboundWebhooksRepo {
  return {
    async insertIfNew(workspaceId, input) {
      const row = {
        id: newId('wh'),
        workspace_id: workspaceId,
        source: input.source,
        target_id: input.targetId,
        dedupe_key: input.dedupeKey,
        topic: input.topic,
        headers: JSON.stringify(input.headers),
        body: input.body,
        status: 'received',
        error: null,
        received_at: Date.now(),
        processed_at: null,
      };
      const res = await insertRow(db, 'inbound_webhooks', row, ['target_id', 'dedupe_key']);
      return Number(res.numAffectedRows ?? 0n) > 0 ? webhookFromRow(row) : null;
    },
    async get(workspaceId, id) {
      const r = await selectById(db, 'inbound_webhooks', workspaceId, id);
      return r ? webhookFromRow(r) : null;
    },
    async finish(workspaceId, id, status, error) {
      await db
        .updateTable('inbound_webhooks')
        .set({ status, error, processed_at: Date.now() })
        .where('workspace_id', '=', workspaceId)
        .where('id', '=', id)
        .execute();
    },
  };
}

export function ordersRepo(db: Db): OrdersRepo {
  return {
    async upsert(workspaceId, storeConnectionId, s) {
      const now = Date.now();
      const values = {
        name: s.name,
        customer_name: s.customerName ?? null,
        email: s.email ?? null,
        phone: s.phone ?? null,
        total_amount: s.total?.amount ?? null,
        currency: s.total?.currency ?? null,
        status: s.fulfillmentStatus ?? s.financialStatus ?? null,
        snapshot: JSON.stringify(s),
        updated_at: now,
      };
      const row = await upsertRow(
        db,
        'orders',
        { id: newId('ord'), workspace_id: workspaceId, store_connection_id: storeConnectionId, external_id: s.externalId, created_at: now, ...values },
        ['workspace_id', 'store_connection_id', 'external_id'],
        ORDER_UPDATE_COLUMNS,
      );
      return orderFromRow(row);
    },
    async get(workspaceId, id) {
      const r = await db.selectFrom('orders').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
      return r ? orderFromRow(r) : null;
    },
    async findByExternalId(workspaceId, storeConnectionId, externalId) {
      const r = await db
        .selectFrom('orders')
        .selectAll()
        .where('workspace_id', '=', workspaceId)
        .where('store_connection_id', '=', storeConnectionId)
        .where('external_id', '=', externalId)
        .executeTakeFirst();
      return r ? orderFromRow(r) : null;
    },
    async listForCustomer(workspaceId, storeConnectionId, who, since, limit) {
      if (who.emails.length === 0 && who.phones.length === 0) return [];
      const rows = await db
        .selectFrom('orders')
        .selectAll()
        .where('workspace_id', '=', workspaceId)
        .where('store_connection_id', '=', storeConnectionId)
        .where('created_at', '>=', since)
        .where((eb) => eb.or([...(who.emails.length ? [eb(eb.fn('lower', ['email']), 'in', who.emails)] : []), ...(who.phones.length ? [eb('phone', 'in', who.phones)] : [])]))
        .orderBy('created_at', 'desc')
        .limit(limit)
        .execute();
      return rows.map(orderFromRow);
    },
    async list(workspaceId, opts) {
      let q = db.selectFrom('orders').selectAll().where('workspace_id', '=', workspaceId);
      const after = decodeCursor(opts.cursor);
      if (after) q = q.where('id', '<', after);
      const search = parseSearch(opts.query);
      if (search) {
        q = q.where((eb) =>
          eb.or([
            // Every word matches the order number (with or without '#'), the customer's name, e-mail or phone.
            eb.and(search.terms.map((term) => eb.or(['name', 'external_id', 'customer_name', 'email', 'phone'].map((c) => containsCi(c, term))))),
            ...(search.phoneDigits ? [phoneContains('phone', search.phoneDigits)] : []),
          ]),
        );
      }
      const rows = await q.orderBy('id', 'desc').limit(opts.limit + 1).execute();
      const items = rows.slice(0, opts.limit).map(orderFromRow);
      return { items, nextCursor: rows.length > opts.limit ? encodeCursor(items[items.length - 1]!.id) : null };
    },
  };
}

export function eventsRepo(db: Db): EventsRepo {
  return {
    async insertIfNew(workspaceId, input) {
      const row = {
        id: newId('evt'),
        workspace_id: workspaceId,
        type: input.type,
        idempotency_key: input.idempotencyKey,
        source: input.source,
        store_connection_id: input.storeConnectionId,
        order_id: input.orderId,
        occurred_at: input.occurredAt,
        payload: JSON.stringify(input.payload),
        created_at: Date.now(),
      };
      const res = await insertRow(db, 'events', row, ['workspace_id', 'idempotency_key']);
      return Number(res.numAffectedRows ?? 0n) > 0 ? eventFromRow(row) : null;
    },
    async get(workspaceId, id) {
      const r = await db.selectFrom('events').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
      return r ? eventFromRow(r) : null;
    },
  };
}

export function activitiesRepo(db: Db): ActivitiesRepo {
  return {
    async add(workspaceId, input) {
      const row = {
        id: newId('act'),
        workspace_id: workspaceId,
        order_id: input.orderId,
        message_id: input.messageId,
        kind: input.kind,
        summary: input.summary,
        data: JSON.stringify(input.data),
        created_at: input.createdAt ?? Date.now(),
      };
      await insertRow(db, 'activities', row);
      return activityFromRow(row);
    },
    async listForOrder(workspaceId, orderId) {
      const rows = await db
        .selectFrom('activities')
        .selectAll()
        .where('workspace_id', '=', workspaceId)
        .where('order_id', '=', orderId)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(activityFromRow);
    },
  };
}
