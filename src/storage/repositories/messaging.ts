// Notification settings, messages, activities and the job outbox.
import type { Selectable } from 'kysely';
import type { Db } from '../database.js';
import type { ActivitiesTable, MessagesTable, NotificationSettingsTable } from '../schema.js';
import type { Activity, CustomTemplate, Message, MessagePatch, NotificationSetting, Repos, TemplateBinding } from '../../core/repos.js';
import type { EventType } from '../../core/events/model.js';
import { newId } from '../../core/ids.js';
import { enqueue } from '../outbox.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { insertRow, selectById } from '../prepared.js';

const settingFromRow = (r: Selectable<NotificationSettingsTable>): NotificationSetting => ({
  id: r.id,
  workspaceId: r.workspace_id,
  eventType: r.event_type as EventType,
  channel: r.channel,
  enabled: r.enabled === 1,
  channelAccountId: r.channel_account_id,
  templateName: r.template_name,
  templateLanguage: r.template_language,
  templateId: r.template_id,
  binding: JSON.parse(r.variable_map) as TemplateBinding,
  chargesConfirmedAt: r.charges_confirmed_at,
  chargesConfirmedBy: r.charges_confirmed_by,
  customTemplate: r.custom_template ? (JSON.parse(r.custom_template) as CustomTemplate) : null,
  updatedAt: r.updated_at,
});

const messageFromRow = (r: Selectable<MessagesTable>): Message => ({
  id: r.id,
  workspaceId: r.workspace_id,
  direction: r.direction === 'inbound' ? 'inbound' : 'outbound',
  channel: r.channel,
  channelAccountId: r.channel_account_id,
  eventId: r.event_id,
  orderId: r.order_id,
  idempotencyKey: r.idempotency_key,
  recipient: r.recipient,
  templateName: r.template_name,
  category: r.category,
  content: JSON.parse(r.content) as unknown,
  status: r.status as Message['status'],
  reason: r.reason,
  errorCode: r.error_code,
  providerMessageId: r.provider_message_id,
  attempts: r.attempts,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  sentAt: r.sent_at,
  deliveredAt: r.delivered_at,
  readAt: r.read_at,
  failedAt: r.failed_at,
  conversationId: r.conversation_id,
  sendStartedAt: r.send_started_at ?? null,
  bookkeepingDue: Number(r.bookkeeping_due ?? 0) === 1,
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

export function settingsRepo(db: Db): Repos['settings'] {
  return {
    async get(workspaceId, eventType, channel) {
      const r = await db
        .selectFrom('notification_settings')
        .selectAll()
        .where('workspace_id', '=', workspaceId)
        .where('event_type', '=', eventType)
        .where('channel', '=', channel)
        .executeTakeFirst();
      return r ? settingFromRow(r) : null;
    },
    async list(workspaceId) {
      const rows = await db.selectFrom('notification_settings').selectAll().where('workspace_id', '=', workspaceId).orderBy('event_type').orderBy('channel').execute();
      return rows.map(settingFromRow);
    },
    async listForEvent(workspaceId, eventType) {
      const rows = await db.selectFrom('notification_settings').selectAll().where('workspace_id', '=', workspaceId).where('event_type', '=', eventType).execute();
      return rows.map(settingFromRow);
    },
    async upsert(workspaceId, input) {
      const values = {
        enabled: input.enabled ? 1 : 0,
        channel_account_id: input.channelAccountId,
        template_name: input.templateName,
        template_language: input.templateLanguage,
        template_id: input.templateId,
        variable_map: JSON.stringify(input.binding),
        charges_confirmed_at: input.chargesConfirmedAt,
        charges_confirmed_by: input.chargesConfirmedBy,
        custom_template: input.customTemplate ? JSON.stringify(input.customTemplate) : null,
        updated_at: Date.now(),
      };
      const row = await db
        .insertInto('notification_settings')
        .values({ id: newId('ns'), workspace_id: workspaceId, event_type: input.eventType, channel: input.channel, ...values })
        .onConflict((oc) => oc.columns(['workspace_id', 'event_type', 'channel']).doUpdateSet(values))
        .returningAll()
        .executeTakeFirstOrThrow();
      return settingFromRow(row);
    },
  };
}

function messageSet(patch: MessagePatch): Record<string, unknown> {
  const set: Record<string, unknown> = { updated_at: Date.now() };
  const columns: Record<keyof MessagePatch, string> = {
    status: 'status',
    reason: 'reason',
    errorCode: 'error_code',
    providerMessageId: 'provider_message_id',
    attempts: 'attempts',
    sentAt: 'sent_at',
    deliveredAt: 'delivered_at',
    readAt: 'read_at',
    failedAt: 'failed_at',
    content: 'content',
    conversationId: 'conversation_id',
    sendStartedAt: 'send_started_at',
    bookkeepingDue: 'bookkeeping_due',
  };
  for (const [key, column] of Object.entries(columns)) {
    const value = patch[key as keyof MessagePatch];
    if (value !== undefined) set[column] = key === 'content' ? JSON.stringify(value) : typeof value === 'boolean' ? (value ? 1 : 0) : value;
  }
  return set;
}

export function messagesRepo(db: Db): Repos['messages'] {
  return {
    async insertIfNew(workspaceId, input) {
      const now = Date.now();
      const row = {
        id: newId('msg'),
        workspace_id: workspaceId,
        direction: input.direction,
        channel: input.channel,
        channel_account_id: input.channelAccountId,
        event_id: input.eventId,
        order_id: input.orderId,
        idempotency_key: input.idempotencyKey,
        recipient: input.recipient,
        template_name: input.templateName,
        category: input.category,
        content: JSON.stringify(input.content ?? null),
        status: input.status,
        reason: input.reason,
        error_code: null,
        provider_message_id: null,
        attempts: 0,
        created_at: now,
        updated_at: now,
        sent_at: null,
        delivered_at: null,
        read_at: null,
        failed_at: null,
        conversation_id: input.conversationId ?? null,
        send_started_at: null,
        bookkeeping_due: 0,
      };
      const res = await insertRow(db, 'messages', row, ['workspace_id', 'idempotency_key']);
      return Number(res.numAffectedRows ?? 0n) > 0 ? messageFromRow(row) : null;
    },
    async get(workspaceId, id) {
      const r = await selectById(db, 'messages', workspaceId, id);
      return r ? messageFromRow(r) : null;
    },
    async update(workspaceId, id, patch: MessagePatch) {
      await db.updateTable('messages').set(messageSet(patch)).where('workspace_id', '=', workspaceId).where('id', '=', id).execute();
    },
    async updateIf(workspaceId, id, fromStatuses, patch) {
      const res = await db
        .updateTable('messages')
        .set(messageSet(patch))
        .where('workspace_id', '=', workspaceId)
        .where('id', '=', id)
        .where('status', 'in', fromStatuses)
        .executeTakeFirst();
      return Number(res.numUpdatedRows) > 0;
    },
    async clearBookkeeping(workspaceId, id) {
      const res = await db
        .updateTable('messages')
        .set({ bookkeeping_due: 0 })
        .where('workspace_id', '=', workspaceId)
        .where('id', '=', id)
        .where('bookkeeping_due', '=', 1)
        .executeTakeFirst();
      return Number(res.numUpdatedRows) > 0;
    },
    async findByProviderId(workspaceId, channelAccountId, providerMessageId) {
      const r = await db
        .selectFrom('messages')
        .selectAll()
        .where('channel_account_id', '=', channelAccountId)
        .where('provider_message_id', '=', providerMessageId)
        .where('workspace_id', '=', workspaceId)
        .executeTakeFirst();
      return r ? messageFromRow(r) : null;
    },
    async findByIdempotencyKey(workspaceId, idempotencyKey) {
      const r = await db.selectFrom('messages').selectAll().where('workspace_id', '=', workspaceId).where('idempotency_key', '=', idempotencyKey).executeTakeFirst();
      return r ? messageFromRow(r) : null;
    },
    async hasInboundFrom(workspaceId, channelAccountId, from) {
      const r = await db
        .selectFrom('messages')
        .select('id')
        .where('workspace_id', '=', workspaceId)
        .where('channel_account_id', '=', channelAccountId)
        .where('direction', '=', 'inbound')
        .where('recipient', '=', from)
        .limit(1)
        .executeTakeFirst();
      return r != null;
    },
    async listForConversation(workspaceId, conversationId, limit) {
      const rows = await db
        .selectFrom('messages')
        .selectAll()
        .where('workspace_id', '=', workspaceId)
        .where('conversation_id', '=', conversationId)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit)
        .execute();
      return rows.reverse().map(messageFromRow);
    },
    async lastInboundAt(workspaceId, channelAccountId, from) {
      const r = await db
        .selectFrom('messages')
        .select('created_at')
        .where('workspace_id', '=', workspaceId)
        .where('channel_account_id', '=', channelAccountId)
        .where('recipient', '=', from)
        .where('direction', '=', 'inbound')
        .orderBy('created_at', 'desc')
        .limit(1)
        .executeTakeFirst();
      return r?.created_at ?? null;
    },
    async list(workspaceId, opts) {
      let q = db.selectFrom('messages').selectAll().where('workspace_id', '=', workspaceId);
      if (opts.orderId) q = q.where('order_id', '=', opts.orderId);
      if (opts.status) q = q.where('status', '=', opts.status);
      const after = decodeCursor(opts.cursor);
      if (after) q = q.where('id', '<', after);
      const rows = await q.orderBy('id', 'desc').limit(opts.limit + 1).execute();
      const items = rows.slice(0, opts.limit).map(messageFromRow);
      return { items, nextCursor: rows.length > opts.limit ? encodeCursor(items[items.length - 1]!.id) : null };
    },
  };
}

export function activitiesRepo(db: Db): Repos['activities'] {
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

export function jobsRepo(db: Db, defaultMaxAttempts: number): Repos['jobs'] {
  return { enqueue: async (spec) => (await enqueue(db, spec, defaultMaxAttempts)).id };
}

export function channelSelectionsRepo(db: Db): Repos['channelSelections'] {
  return {
    async get(workspaceId, channel) {
      const r = await db.selectFrom('channel_selections').selectAll().where('workspace_id', '=', workspaceId).where('channel', '=', channel).executeTakeFirst();
      return r ? { channelAccountId: r.channel_account_id, selectedAt: r.selected_at } : null;
    },
    async set(workspaceId, channel, channelAccountId) {
      const now = Date.now();
      await db
        .insertInto('channel_selections')
        .values({ workspace_id: workspaceId, channel, channel_account_id: channelAccountId, selected_at: now })
        .onConflict((oc) => oc.columns(['workspace_id', 'channel']).doUpdateSet({ channel_account_id: channelAccountId, selected_at: now }))
        .execute();
    },
  };
}

export function usageRepo(db: Db): Repos['usage'] {
  const aggregate = (fromMonth: string, toMonth: string) =>
    db
      .selectFrom('usage_records')
      .select(['workspace_id', 'month', 'channel', 'channel_account_id', 'provider', 'owner', 'category', (eb) => eb.fn.countAll<number>().as('n')])
      .where('month', '>=', fromMonth)
      .where('month', '<=', toMonth)
      .groupBy(['workspace_id', 'month', 'channel', 'channel_account_id', 'provider', 'owner', 'category'])
      .orderBy('workspace_id')
      .orderBy('month')
      .orderBy('channel')
      .orderBy('channel_account_id')
      .orderBy('category');
  const toRow = (r: { workspace_id: string; month: string; channel: string; channel_account_id: string; provider: string; owner: string; category: string; n: number | string | bigint }) => ({
    workspaceId: r.workspace_id,
    month: r.month,
    channel: r.channel,
    channelAccountId: r.channel_account_id,
    provider: r.provider,
    owner: r.owner,
    category: r.category,
    messages: Number(r.n),
  });
  return {
    async record(workspaceId, input) {
      const month = new Date(input.at).toISOString().slice(0, 7);
      await insertRow(
        db,
        'usage_records',
        {
          id: newId('use'),
          workspace_id: workspaceId,
          message_id: input.messageId,
          channel: input.channel,
          channel_account_id: input.channelAccountId,
          provider: input.provider,
          owner: input.owner,
          category: input.category,
          month,
          created_at: input.at,
        },
        ['message_id'],
      );
    },
    async summary(workspaceId, fromMonth, toMonth) {
      return (await aggregate(fromMonth, toMonth).where('workspace_id', '=', workspaceId).execute()).map(toRow);
    },
    async report(fromMonth, toMonth) {
      return (await aggregate(fromMonth, toMonth).execute()).map(toRow);
    },
  };
}

export function variableSamplesRepo(db: Db): Repos['variableSamples'] {
  return {
    async list(workspaceId) {
      const rows = await db.selectFrom('variable_samples').select(['key', 'value']).where('workspace_id', '=', workspaceId).execute();
      return Object.fromEntries(rows.map((r) => [r.key, r.value]));
    },
    async set(workspaceId, values) {
      const now = Date.now();
      for (const [key, value] of Object.entries(values)) {
        await db
          .insertInto('variable_samples')
          .values({ workspace_id: workspaceId, key, value, updated_at: now })
          .onConflict((oc) => oc.columns(['workspace_id', 'key']).doUpdateSet({ value, updated_at: now }))
          .execute();
      }
    },
  };
}
