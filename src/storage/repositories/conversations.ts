// Conversations, flow modules, chat settings, one-time codes, failed-delivery cases and the loyalty ledger.
import type { Selectable } from 'kysely';
import type { Db } from '../database.js';
import type { ConversationsTable, Database, LedgerTable, NdrCasesTable } from '../schema.js';
import type { ChatSettingsRepo, ConversationsRepo, FlowModulesRepo, LoyaltyRepo, NdrCasesRepo, VerificationCodesRepo } from '../../core/conversations/repo.js';
import type { ChatSettings, Conversation, ConversationMode, ConversationState, FlowModule, LedgerEntry, NdrCase, VerificationCode } from '../../core/conversations/model.js';
import { defaultChatSettings } from '../../core/conversations/model.js';
import { newId } from '../../core/ids.js';
import { decodeCursor, encodeCursor } from './cursor.js';

const conversationFromRow = (r: Selectable<ConversationsTable>): Conversation => ({
  id: r.id,
  workspaceId: r.workspace_id,
  channel: r.channel,
  channelAccountId: r.channel_account_id,
  address: r.address,
  customerId: r.customer_id,
  mode: r.mode as ConversationMode,
  state: r.state ? (JSON.parse(r.state) as ConversationState) : null,
  stateExpiresAt: r.state_expires_at,
  unexpectedCount: r.unexpected_count,
  version: r.version,
  lastInboundAt: r.last_inbound_at,
  handedOverAt: r.handed_over_at,
  handoverReason: r.handover_reason,
  replySeq: Number(r.reply_seq ?? 0),
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const PENDING_LOOKAHEAD = 20;

export function conversationsRepo(db: Db): ConversationsRepo {
  const find = (workspaceId: string, accountId: string, address: string) =>
    db.selectFrom('conversations').selectAll().where('workspace_id', '=', workspaceId).where('channel_account_id', '=', accountId).where('address', '=', address).executeTakeFirst();
  return {
    async getOrCreate(workspaceId, input) {
      const existing = await find(workspaceId, input.channelAccountId, input.address);
      if (existing) return conversationFromRow(existing);
      const now = Date.now();
      await db
        .insertInto('conversations')
        .values({
          id: newId('conv'),
          workspace_id: workspaceId,
          channel: input.channel,
          channel_account_id: input.channelAccountId,
          address: input.address,
          customer_id: null,
          mode: 'bot',
          state: null,
          state_expires_at: null,
          unexpected_count: 0,
          version: 0,
          last_inbound_at: null,
          handed_over_at: null,
          handover_reason: null,
          created_at: now,
          updated_at: now,
          reply_seq: 0,
          lane_holder: null,
          lane_until: null,
        })
        .onConflict((oc) => oc.columns(['workspace_id', 'channel_account_id', 'address']).doNothing())
        .execute();
      return conversationFromRow((await find(workspaceId, input.channelAccountId, input.address))!);
    },
    async get(workspaceId, id) {
      const r = await db.selectFrom('conversations').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
      return r ? conversationFromRow(r) : null;
    },
    async update(workspaceId, id, version, patch) {
      const set: Partial<Selectable<ConversationsTable>> = { updated_at: Date.now(), version: version + 1 };
      if (patch.customerId !== undefined) set.customer_id = patch.customerId;
      if (patch.mode !== undefined) set.mode = patch.mode;
      if (patch.state !== undefined) set.state = patch.state ? JSON.stringify(patch.state) : null;
      if (patch.stateExpiresAt !== undefined) set.state_expires_at = patch.stateExpiresAt;
      if (patch.unexpectedCount !== undefined) set.unexpected_count = patch.unexpectedCount;
      if (patch.lastInboundAt !== undefined) set.last_inbound_at = patch.lastInboundAt;
      if (patch.handedOverAt !== undefined) set.handed_over_at = patch.handedOverAt;
      if (patch.handoverReason !== undefined) set.handover_reason = patch.handoverReason;
      if (patch.replySeq !== undefined) set.reply_seq = patch.replySeq;
      const res = await db.updateTable('conversations').set(set).where('workspace_id', '=', workspaceId).where('id', '=', id).where('version', '=', version).executeTakeFirst();
      return Number(res.numUpdatedRows) > 0;
    },
    async list(workspaceId, opts) {
      let q = db.selectFrom('conversations').selectAll().where('workspace_id', '=', workspaceId);
      if (opts.mode) q = q.where('mode', '=', opts.mode);
      const after = decodeCursor(opts.cursor);
      if (after) q = q.where('id', '<', after);
      const rows = await q.orderBy('id', 'desc').limit(opts.limit + 1).execute();
      const items = rows.slice(0, opts.limit).map(conversationFromRow);
      return { items, nextCursor: rows.length > opts.limit ? encodeCursor(items[items.length - 1]!.id) : null };
    },
    async acquireLane(workspaceId, id, holder, until, now) {
      const res = await db
        .updateTable('conversations')
        .set({ lane_holder: holder, lane_until: until })
        .where('workspace_id', '=', workspaceId)
        .where('id', '=', id)
        .where((eb) => eb.or([eb('lane_holder', 'is', null), eb('lane_until', '<', now), eb('lane_holder', '=', holder)]))
        .executeTakeFirst();
      return Number(res.numUpdatedRows) > 0;
    },
    async releaseLane(workspaceId, id, holder) {
      await db.updateTable('conversations').set({ lane_holder: null, lane_until: null }).where('workspace_id', '=', workspaceId).where('id', '=', id).where('lane_holder', '=', holder).execute();
    },
    async pendingInbound(workspaceId, channelAccountId, address, limit) {
      const rows = await db
        .selectFrom('messages')
        .select(['id', 'content', 'created_at'])
        .where('channel_account_id', '=', channelAccountId)
        .where('recipient', '=', address)
        .where('direction', '=', 'inbound')
        .where('workspace_id', '=', workspaceId)
        .where('status', '=', 'delivered')
        .orderBy('created_at')
        .orderBy('id')
        // Webhooks processed side by side may record a later message first: read a little further and sort.
        .limit(limit + PENDING_LOOKAHEAD)
        .execute();
      const keyed = rows.map((r) => {
        const arrival = (JSON.parse(r.content ?? 'null') as { arrival?: { receivedAt?: number; position?: number } } | null)?.arrival;
        return { id: r.id, receivedAt: arrival?.receivedAt ?? r.created_at, position: arrival?.position ?? 0, createdAt: r.created_at };
      });
      keyed.sort((a, b) => a.receivedAt - b.receivedAt || a.position - b.position || a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      return keyed.slice(0, limit).map((k) => ({ id: k.id, receivedAt: k.receivedAt }));
    },
    async earlierWebhookPending(workspaceId, channelAccountId, before, windowMs) {
      const r = await db
        .selectFrom('inbound_webhooks')
        .select('id')
        .where('workspace_id', '=', workspaceId)
        .where('received_at', '>=', before - windowMs)
        .where('received_at', '<', before)
        .where('target_id', '=', channelAccountId)
        .where('status', '=', 'received')
        .limit(1)
        .executeTakeFirst();
      return r != null;
    },
    async lockedReplyStatus(workspaceId, idempotencyKey) {
      // An update takes the row lock on both databases; RETURNING gives the status as of the lock.
      const r = await db
        .updateTable('messages')
        .set((eb) => ({ updated_at: eb.ref('updated_at') }))
        .where('workspace_id', '=', workspaceId)
        .where('idempotency_key', '=', idempotencyKey)
        .returning('status')
        .executeTakeFirst();
      return r?.status ?? null;
    },
  };
}

const moduleFromRow = (r: { id: string; workspace_id: string; name: string; definition: string; created_at: number; updated_at: number }): FlowModule => {
  const d = JSON.parse(r.definition) as Pick<FlowModule, 'text' | 'buttons' | 'keywords'>;
  return { id: r.id, workspaceId: r.workspace_id, name: r.name, text: d.text, buttons: d.buttons, keywords: d.keywords, createdAt: r.created_at, updatedAt: r.updated_at };
};

export function flowModulesRepo(db: Db): FlowModulesRepo {
  return {
    async create(workspaceId, input) {
      const now = Date.now();
      const row = { id: newId('mod'), workspace_id: workspaceId, name: input.name, definition: JSON.stringify({ text: input.text, buttons: input.buttons, keywords: input.keywords }), created_at: now, updated_at: now };
      await db.insertInto('flow_modules').values(row).execute();
      return moduleFromRow(row);
    },
    async get(workspaceId, id) {
      const r = await db.selectFrom('flow_modules').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
      return r ? moduleFromRow(r) : null;
    },
    async list(workspaceId) {
      return (await db.selectFrom('flow_modules').selectAll().where('workspace_id', '=', workspaceId).orderBy('created_at').execute()).map(moduleFromRow);
    },
    async update(workspaceId, id, input) {
      await db
        .updateTable('flow_modules')
        .set({ name: input.name, definition: JSON.stringify({ text: input.text, buttons: input.buttons, keywords: input.keywords }), updated_at: Date.now() })
        .where('workspace_id', '=', workspaceId)
        .where('id', '=', id)
        .execute();
      const r = await db.selectFrom('flow_modules').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
      return r ? moduleFromRow(r) : null;
    },
    async remove(workspaceId, id) {
      const res = await db.deleteFrom('flow_modules').where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
      return Number(res.numDeletedRows) > 0;
    },
  };
}

export function chatSettingsRepo(db: Db): ChatSettingsRepo {
  return {
    async get(workspaceId) {
      const r = await db.selectFrom('chat_settings').select('settings').where('workspace_id', '=', workspaceId).executeTakeFirst();
      // Settings saved by an older version lack newer fields: the defaults fill them.
      return r ? { ...defaultChatSettings(), ...(JSON.parse(r.settings) as Partial<ChatSettings>) } : null;
    },
    async set(workspaceId, settings) {
      const value = JSON.stringify(settings);
      const now = Date.now();
      await db
        .insertInto('chat_settings')
        .values({ workspace_id: workspaceId, settings: value, updated_at: now })
        .onConflict((oc) => oc.column('workspace_id').doUpdateSet({ settings: value, updated_at: now }))
        .execute();
    },
  };
}

export function verificationCodesRepo(db: Db): VerificationCodesRepo {
  const fromRow = (r: Selectable<Database['verification_codes']>): VerificationCode => ({
    id: r.id,
    conversationId: r.conversation_id,
    purpose: r.purpose,
    target: r.target,
    codeHash: r.code_hash,
    attempts: r.attempts,
    sends: r.sends,
    expiresAt: r.expires_at,
    consumedAt: r.consumed_at,
    createdAt: r.created_at,
  });
  return {
    async create(workspaceId, input) {
      const row = {
        id: newId('otp'),
        workspace_id: workspaceId,
        conversation_id: input.conversationId,
        purpose: input.purpose,
        target: input.target,
        code_hash: input.codeHash,
        attempts: input.attempts,
        sends: input.sends,
        expires_at: input.expiresAt,
        consumed_at: null,
        created_at: input.createdAt,
      };
      await db.insertInto('verification_codes').values(row).execute();
      return fromRow(row);
    },
    async get(workspaceId, id) {
      const r = await db.selectFrom('verification_codes').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
      return r ? fromRow(r) : null;
    },
    async update(workspaceId, id, patch) {
      const set: Record<string, unknown> = {};
      if (patch.attempts !== undefined) set['attempts'] = patch.attempts;
      if (patch.sends !== undefined) set['sends'] = patch.sends;
      if (patch.consumedAt !== undefined) set['consumed_at'] = patch.consumedAt;
      if (patch.codeHash !== undefined) set['code_hash'] = patch.codeHash;
      if (patch.expiresAt !== undefined) set['expires_at'] = patch.expiresAt;
      if (Object.keys(set).length) await db.updateTable('verification_codes').set(set).where('workspace_id', '=', workspaceId).where('id', '=', id).execute();
    },
    async targetsForChat(workspaceId, channelAccountId, address) {
      const rows = await db
        .selectFrom('verification_codes')
        .innerJoin('conversations', (j) => j.onRef('conversations.id', '=', 'verification_codes.conversation_id').onRef('conversations.workspace_id', '=', 'verification_codes.workspace_id'))
        .select('verification_codes.target')
        .distinct()
        .where('verification_codes.workspace_id', '=', workspaceId)
        .where('conversations.channel_account_id', '=', channelAccountId)
        .where('conversations.address', '=', address)
        .execute();
      return rows.map((r) => r.target);
    },
    async openFor(workspaceId, conversationId, purpose, target, since) {
      const r = await db
        .selectFrom('verification_codes')
        .selectAll()
        .where('workspace_id', '=', workspaceId)
        .where('conversation_id', '=', conversationId)
        .where('purpose', '=', purpose)
        .where('target', '=', target)
        .where('consumed_at', 'is', null)
        .where('created_at', '>=', since)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst();
      return r ? fromRow(r) : null;
    },
    async addAttempt(workspaceId, id, max) {
      const r = await db
        .updateTable('verification_codes')
        .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
        .where('workspace_id', '=', workspaceId)
        .where('id', '=', id)
        .where('attempts', '<', max)
        .returning('attempts')
        .executeTakeFirst();
      return r ? Number(r.attempts) : null;
    },
    async logSend(workspaceId, input) {
      const res = await db
        .insertInto('otp_sends')
        .values({
          id: newId('ots'),
          workspace_id: workspaceId,
          conversation_id: input.conversationId,
          code_id: input.codeId,
          destination_hash: input.destinationHash,
          trigger_key: input.triggerKey,
          sent_at: input.sentAt,
        })
        .onConflict((oc) => oc.columns(['workspace_id', 'trigger_key']).doNothing())
        .executeTakeFirst();
      return Number(res.numInsertedOrUpdatedRows ?? 0) > 0;
    },
    async sendsSince(workspaceId, by, since) {
      let q = db
        .selectFrom('otp_sends')
        .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.min<number>('sent_at').as('oldest')])
        .where('workspace_id', '=', workspaceId)
        .where('sent_at', '>', since);
      q = 'destinationHash' in by ? q.where('destination_hash', '=', by.destinationHash) : q.where('conversation_id', '=', by.conversationId);
      const r = await q.executeTakeFirst();
      const count = Number(r?.n ?? 0);
      return { count, oldest: count > 0 && r?.oldest != null ? Number(r.oldest) : null };
    },
  };
}

const caseFromRow = (r: Selectable<NdrCasesTable>): NdrCase => ({
  id: r.id,
  workspaceId: r.workspace_id,
  orderId: r.order_id,
  storeConnectionId: r.store_connection_id,
  channelAccountId: r.channel_account_id,
  address: r.address,
  trackingId: r.tracking_id,
  status: r.status as NdrCase['status'],
  action: r.action,
  reference: r.reference,
  createdAt: r.created_at,
  resolvedAt: r.resolved_at,
});

export function ndrCasesRepo(db: Db): NdrCasesRepo {
  return {
    async create(workspaceId, input) {
      const row = {
        id: newId('ndr'),
        workspace_id: workspaceId,
        order_id: input.orderId,
        store_connection_id: input.storeConnectionId,
        channel_account_id: input.channelAccountId,
        address: input.address,
        tracking_id: input.trackingId,
        status: 'open',
        action: null,
        reference: null,
        created_at: Date.now(),
        resolved_at: null,
      };
      await db.insertInto('ndr_cases').values(row).execute();
      return caseFromRow(row);
    },
    async get(workspaceId, id) {
      const r = await db.selectFrom('ndr_cases').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
      return r ? caseFromRow(r) : null;
    },
    async latestFor(workspaceId, channelAccountId, address) {
      const r = await db
        .selectFrom('ndr_cases')
        .selectAll()
        .where('workspace_id', '=', workspaceId)
        .where('channel_account_id', '=', channelAccountId)
        .where('address', '=', address)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst();
      return r ? caseFromRow(r) : null;
    },
    async resolve(workspaceId, id, input) {
      const res = await db
        .updateTable('ndr_cases')
        .set({ status: 'resolved', action: input.action, reference: input.reference, resolved_at: Date.now() })
        .where('workspace_id', '=', workspaceId)
        .where('id', '=', id)
        .where('status', '=', 'open')
        .executeTakeFirst();
      return Number(res.numUpdatedRows) > 0;
    },
    async reopen(workspaceId, id) {
      await db.updateTable('ndr_cases').set({ status: 'open', action: null, resolved_at: null }).where('workspace_id', '=', workspaceId).where('id', '=', id).execute();
    },
    async setReference(workspaceId, id, reference) {
      await db.updateTable('ndr_cases').set({ reference }).where('workspace_id', '=', workspaceId).where('id', '=', id).execute();
    },
    async closeForOrder(workspaceId, orderId) {
      await db.updateTable('ndr_cases').set({ status: 'closed' }).where('workspace_id', '=', workspaceId).where('order_id', '=', orderId).where('status', '=', 'open').execute();
    },
  };
}

const ledgerFromRow = (r: Selectable<LedgerTable>): LedgerEntry => ({
  id: r.id,
  customerId: r.customer_id,
  delta: Number(r.delta),
  balanceAfter: Number(r.balance_after),
  reason: r.reason as LedgerEntry['reason'],
  reference: r.reference,
  details: JSON.parse(r.details) as Record<string, unknown>,
  createdAt: r.created_at,
});

export function loyaltyRepo(db: Db): LoyaltyRepo {
  const memberFrom = (r: { customer_id: string; email: string; balance: number; joined_at: number }) => ({ customerId: r.customer_id, email: r.email, balance: Number(r.balance), joinedAt: r.joined_at });
  return {
    async member(workspaceId, customerId) {
      const r = await db.selectFrom('loyalty_members').selectAll().where('workspace_id', '=', workspaceId).where('customer_id', '=', customerId).executeTakeFirst();
      return r ? memberFrom(r) : null;
    },
    async memberByEmail(workspaceId, email) {
      const r = await db.selectFrom('loyalty_members').selectAll().where('workspace_id', '=', workspaceId).where('email', '=', email).executeTakeFirst();
      return r ? memberFrom(r) : null;
    },
    async join(workspaceId, customerId, email) {
      const res = await db
        .insertInto('loyalty_members')
        .values({ workspace_id: workspaceId, customer_id: customerId, email, balance: 0, joined_at: Date.now() })
        .onConflict((oc) => oc.columns(['workspace_id', 'customer_id']).doNothing())
        .executeTakeFirst();
      return Number(res.numInsertedOrUpdatedRows ?? 0) > 0;
    },
    async apply(workspaceId, customerId, entry) {
      // One statement changes the balance, so two debits racing cannot both pass the cover check.
      let q = db
        .updateTable('loyalty_members')
        .set((eb) => ({ balance: eb('balance', '+', entry.delta) }))
        .where('workspace_id', '=', workspaceId)
        .where('customer_id', '=', customerId);
      if (entry.requireCover) q = q.where((eb) => eb(eb('balance', '+', entry.delta), '>=', 0));
      const updated = await q.returning('balance').executeTakeFirst();
      if (!updated) return null;
      const row = {
        id: newId('led'),
        workspace_id: workspaceId,
        customer_id: customerId,
        delta: entry.delta,
        balance_after: Number(updated.balance),
        reason: entry.reason,
        reference: entry.reference,
        details: JSON.stringify(entry.details),
        created_at: Date.now(),
      };
      await db.insertInto('loyalty_ledger').values(row).execute();
      return ledgerFromRow(row);
    },
    async ledger(workspaceId, customerId, limit) {
      const rows = await db
        .selectFrom('loyalty_ledger')
        .selectAll()
        .where('workspace_id', '=', workspaceId)
        .where('customer_id', '=', customerId)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit)
        .execute();
      return rows.map(ledgerFromRow);
    },
    async claim(workspaceId, input) {
      const res = await db
        .insertInto('loyalty_claims')
        .values({
          workspace_id: workspaceId,
          store_connection_id: input.storeConnectionId,
          order_external_id: input.orderExternalId,
          customer_id: input.customerId,
          points: input.points,
          reversed_at: null,
          created_at: Date.now(),
        })
        .onConflict((oc) => oc.columns(['workspace_id', 'store_connection_id', 'order_external_id']).doNothing())
        .executeTakeFirst();
      return Number(res.numInsertedOrUpdatedRows ?? 0) > 0;
    },
    async transfer(workspaceId, fromCustomerId, toCustomerId) {
      if (fromCustomerId === toCustomerId) return false;
      const target = await db.selectFrom('loyalty_members').select('customer_id').where('workspace_id', '=', workspaceId).where('customer_id', '=', toCustomerId).executeTakeFirst();
      if (target) return false;
      const moved = await db.updateTable('loyalty_members').set({ customer_id: toCustomerId }).where('workspace_id', '=', workspaceId).where('customer_id', '=', fromCustomerId).executeTakeFirst();
      if (Number(moved.numUpdatedRows) === 0) return false;
      await db.updateTable('loyalty_ledger').set({ customer_id: toCustomerId }).where('workspace_id', '=', workspaceId).where('customer_id', '=', fromCustomerId).execute();
      await db.updateTable('loyalty_claims').set({ customer_id: toCustomerId }).where('workspace_id', '=', workspaceId).where('customer_id', '=', fromCustomerId).execute();
      return true;
    },
    async reverseClaim(workspaceId, storeConnectionId, orderExternalId) {
      const r = await db
        .updateTable('loyalty_claims')
        .set({ reversed_at: Date.now() })
        .where('workspace_id', '=', workspaceId)
        .where('store_connection_id', '=', storeConnectionId)
        .where('order_external_id', '=', orderExternalId)
        .where('reversed_at', 'is', null)
        .returning(['customer_id', 'points'])
        .executeTakeFirst();
      return r ? { customerId: r.customer_id, points: Number(r.points) } : null;
    },
  };
}
