// Workspaces, API keys, store connections and channel accounts.
import type { Selectable } from 'kysely';
import type { Db } from '../database.js';
import type { ApiKeysTable, ChannelAccountsTable, StoreConnectionsTable } from '../schema.js';
import type { ChannelAccount, StoreConnection, PollState } from '../../core/connections/repo.js';
import type { Repos } from '../../core/repos.js';
import type { ApiKeyRecord, Workspace } from '../../core/workspaces/repo.js';
import { newId } from '../../core/ids.js';
import { DuplicateError } from '../../core/errors.js';
import { isUniqueViolation } from '../database.js';
import { selectById } from '../prepared.js';

export async function insertUnique(what: string, run: () => Promise<unknown>): Promise<void> {
  try {
    await run();
  } catch (err) {
    if (isUniqueViolation(err)) throw new DuplicateError(what);
    throw err;
  }
}

const apiKeyFromRow = (r: Selectable<ApiKeysTable>): ApiKeyRecord => ({
  id: r.id,
  workspaceId: r.workspace_id,
  name: r.name,
  prefix: r.prefix,
  createdAt: r.created_at,
  revokedAt: r.revoked_at,
  lastUsedAt: r.last_used_at,
});

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

const toWorkspace = (r: { id: string; name: string; brand_name: string | null; currency: string | null; language: string | null; created_at: number }): Workspace => ({
  id: r.id,
  name: r.name,
  brandName: r.brand_name,
  currency: r.currency,
  language: r.language,
  createdAt: r.created_at,
});

export function workspacesRepo(db: Db): Repos['workspaces'] {
  return {
    async create(name) {
      const row = { id: newId('ws'), name, brand_name: null, currency: null, language: null, created_at: Date.now() };
      await db.insertInto('workspaces').values(row).execute();
      return { id: row.id, name, brandName: null, currency: null, language: null, createdAt: row.created_at };
    },
    async get(workspaceId) {
      const r = await db.selectFrom('workspaces').selectAll().where('id', '=', workspaceId).executeTakeFirst();
      return r ? toWorkspace(r) : null;
    },
    async list() {
      const rows = await db.selectFrom('workspaces').selectAll().orderBy('created_at').execute();
      return rows.map(toWorkspace);
    },
    async update(workspaceId, input) {
      const set: { name?: string; brand_name?: string | null; currency?: string | null; language?: string | null } = {};
      if (input.name !== undefined) set.name = input.name;
      if (input.brandName !== undefined) set.brand_name = input.brandName;
      if (input.currency !== undefined) set.currency = input.currency;
      if (input.language !== undefined) set.language = input.language;
      if (Object.keys(set).length > 0) await db.updateTable('workspaces').set(set).where('id', '=', workspaceId).execute();
      const r = await db.selectFrom('workspaces').selectAll().where('id', '=', workspaceId).executeTakeFirst();
      return r ? toWorkspace(r) : null;
    },
  };
}

export function apiKeysRepo(db: Db): Repos['apiKeys'] {
  return {
    async create(workspaceId, input) {
      const row = {
        id: newId('key'),
        workspace_id: workspaceId,
        name: input.name,
        prefix: input.prefix,
        hash: input.hash,
        created_at: Date.now(),
        revoked_at: null,
        last_used_at: null,
      };
      await db.insertInto('api_keys').values(row).execute();
      return apiKeyFromRow(row);
    },
    async list(workspaceId) {
      const rows = await db.selectFrom('api_keys').selectAll().where('workspace_id', '=', workspaceId).orderBy('created_at').execute();
      return rows.map(apiKeyFromRow);
    },
    async revoke(workspaceId, id) {
      const res = await db
        .updateTable('api_keys')
        .set({ revoked_at: Date.now() })
        .where('workspace_id', '=', workspaceId)
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(res.numUpdatedRows) > 0;
    },
    async touch(workspaceId, id, at) {
      await db.updateTable('api_keys').set({ last_used_at: at }).where('workspace_id', '=', workspaceId).where('id', '=', id).execute();
    },
    async resolveByHash(hash) {
      const r = await db.selectFrom('api_keys').selectAll().where('hash', '=', hash).where('revoked_at', 'is', null).executeTakeFirst();
      return r ? apiKeyFromRow(r) : null;
    },
  };
}

export function storeConnectionsRepo(db: Db): Repos['storeConnections'] {
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

export function channelAccountsRepo(db: Db): Repos['channelAccounts'] {
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
