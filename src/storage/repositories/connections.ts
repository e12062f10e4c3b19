// Store connections, channel accounts, and the account selected for each channel.
import type { Selectable } from 'kysely';
import type { Db } from '../database.js';
import type { ChannelAccountsTable, StoreConnectionsTable } from '../schema.js';
import type { ChannelAccount, ChannelAccountsRepo, ChannelSelectionsRepo, PollState, StoreConnection, StoreConnectionsRepo } from '../../core/connections/repo.js';
import { newId } from '../../core/ids.js';
import { selectById } from '../prepared.js';
import { insertUnique } from './insert-unique.js';

const storeConnectionFromRow = (r: Selectable<StoreConnectionsTable>): StoreConnection => ({
  id: r.id,
  workspaceId: r.workspace_id,
  platform: r.platform,
  name: r.name,
  externalId: r.external_id,
  settings: JSON.parse(r.settings) as Record<string, string>,
  sealedSecrets: r.secrets,
  status: r.status,
  verifiedAt: r.verified_at,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  pollState: r.poll_state ? (JSON.parse(r.poll_state) as PollState) : null,
  lastError: r.last_error,
});

const channelAccountFromRow = (r: Selectable<ChannelAccountsTable>): ChannelAccount => ({
  id: r.id,
  workspaceId: r.workspace_id,
  channel: r.channel,
  provider: r.provider,
  name: r.name,
  externalId: r.external_id,
  owner: r.owner === 'platform' ? 'platform' : 'merchant',
  settings: JSON.parse(r.settings) as Record<string, string>,
  sealedSecrets: r.secrets,
  status: r.status,
  displayName: r.display_name,
  rateLimitPerSecond: r.rate_limit_per_second,
  verifiedAt: r.verified_at,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export function storeConnectionsRepo(db: Db): StoreConnectionsRepo {
  return {
    async create(workspaceId, input) {
      const now = Date.now();
      const row = {
        id: newId('sc'),
        workspace_id: workspaceId,
        platform: input.platform,
        name: input.name,
        external_id: input.externalId,
        settings: JSON.stringify(input.settings),
        secrets: input.sealedSecrets,
        status: input.status,
        verified_at: input.verifiedAt,
        created_at: now,
        updated_at: now,
        poll_state: input.pollState ? JSON.stringify(input.pollState) : null,
        last_error: null,
      };
      await insertUnique('store connection', () => db.insertInto('store_connections').values(row).execute());
      return storeConnectionFromRow(row);
    },
    async get(workspaceId, id) {
      const r = await selectById(db, 'store_connections', workspaceId, id);
      return r ? storeConnectionFromRow(r) : null;
    },
    async update(workspaceId, id, patch) {
      const values: Partial<Selectable<StoreConnectionsTable>> = { updated_at: Date.now() };
      if (patch.status !== undefined) values.status = patch.status;
      if (patch.verifiedAt !== undefined) values.verified_at = patch.verifiedAt;
      if (patch.name !== undefined) values.name = patch.name;
      if (patch.lastError !== undefined) values.last_error = patch.lastError;
      if (patch.pollState !== undefined) values.poll_state = patch.pollState ? JSON.stringify(patch.pollState) : null;
      await db.updateTable('store_connections').set(values).where('workspace_id', '=', workspaceId).where('id', '=', id).execute();
    },
    async list(workspaceId) {
      const rows = await db.selectFrom('store_connections').selectAll().where('workspace_id', '=', workspaceId).orderBy('created_at').execute();
      return rows.map(storeConnectionFromRow);
    },
    async remove(workspaceId, id) {
      const res = await db.deleteFrom('store_connections').where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
      return Number(res.numDeletedRows) > 0;
    },
    async resolveForWebhook(id) {
      const r = await db.selectFrom('store_connections').selectAll().where('id', '=', id).executeTakeFirst();
      return r ? storeConnectionFromRow(r) : null;
    },
  };
}

export function channelAccountsRepo(db: Db): ChannelAccountsRepo {
  return {
    async create(workspaceId, input) {
      const now = Date.now();
      const row = {
        id: newId('ca'),
        workspace_id: workspaceId,
        channel: input.channel,
        provider: input.provider,
        name: input.name,
        external_id: input.externalId,
        owner: input.owner,
        settings: JSON.stringify(input.settings),
        secrets: input.sealedSecrets,
        status: input.status,
        display_name: input.displayName,
        rate_limit_per_second: input.rateLimitPerSecond,
        verified_at: input.verifiedAt,
        created_at: now,
        updated_at: now,
      };
      await insertUnique('channel account', () => db.insertInto('channel_accounts').values(row).execute());
      return channelAccountFromRow(row);
    },
    async get(workspaceId, id) {
      const r = await selectById(db, 'channel_accounts', workspaceId, id);
      return r ? channelAccountFromRow(r) : null;
    },
    async installedChannels(workspaceId) {
      const rows = await db.selectFrom('channel_accounts').select('channel').distinct().where('workspace_id', '=', workspaceId).execute();
      return rows.map((r) => r.channel);
    },
    async list(workspaceId, channel) {
      let q = db.selectFrom('channel_accounts').selectAll().where('workspace_id', '=', workspaceId);
      if (channel) q = q.where('channel', '=', channel);
      const rows = await q.orderBy('created_at').orderBy('id').execute();
      return rows.map(channelAccountFromRow);
    },
    async update(workspaceId, id, patch) {
      await db
        .updateTable('channel_accounts')
        .set({
          ...(patch.status !== undefined ? { status: patch.status } : {}),
          ...(patch.displayName !== undefined ? { display_name: patch.displayName } : {}),
          ...(patch.verifiedAt !== undefined ? { verified_at: patch.verifiedAt } : {}),
          ...(patch.sealedSecrets !== undefined ? { secrets: patch.sealedSecrets } : {}),
          ...(patch.rateLimitPerSecond !== undefined ? { rate_limit_per_second: patch.rateLimitPerSecond } : {}),
          ...(patch.name !== undefined ? { name: patch.name } : {}),
          ...(patch.settings !== undefined ? { settings: JSON.stringify(patch.settings) } : {}),
          updated_at: Date.now(),
        })
        .where('workspace_id', '=', workspaceId)
        .where('id', '=', id)
        .execute();
    },
    async remove(workspaceId, id) {
      const res = await db.deleteFrom('channel_accounts').where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
      return Number(res.numDeletedRows) > 0;
    },
    async resolveForWebhook(id) {
      const r = await db.selectFrom('channel_accounts').selectAll().where('id', '=', id).executeTakeFirst();
      return r ? channelAccountFromRow(r) : null;
    },
    async findByExternalId(workspaceId, provider, externalId) {
      const r = await db
        .selectFrom('channel_accounts')
        .selectAll()
        .where('workspace_id', '=', workspaceId)
        .where('provider', '=', provider)
        .where('external_id', '=', externalId)
        .executeTakeFirst();
      return r ? channelAccountFromRow(r) : null;
    },
  };
}

export function channelSelectionsRepo(db: Db): ChannelSelectionsRepo {
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
