// Workspaces and their API keys.
import type { Selectable } from 'kysely';
import type { Db } from '../database.js';
import type { ApiKeysTable } from '../schema.js';
import type { ApiKeyRecord, ApiKeysRepo, Workspace, WorkspacesRepo } from '../../core/workspaces/repo.js';
import { newId } from '../../core/ids.js';

const apiKeyFromRow = (r: Selectable<ApiKeysTable>): ApiKeyRecord => ({
  id: r.id,
  workspaceId: r.workspace_id,
  name: r.name,
  prefix: r.prefix,
  createdAt: r.created_at,
  revokedAt: r.revoked_at,
  lastUsedAt: r.last_used_at,
});

const toWorkspace = (r: { id: string; name: string; brand_name: string | null; currency: string | null; language: string | null; created_at: number }): Workspace => ({
  id: r.id,
  name: r.name,
  brandName: r.brand_name,
  currency: r.currency,
  language: r.language,
  createdAt: r.created_at,
});

export function workspacesRepo(db: Db): WorkspacesRepo {
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

export function apiKeysRepo(db: Db): ApiKeysRepo {
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
