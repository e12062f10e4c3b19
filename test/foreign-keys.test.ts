// Foreign keys from every workspace-owned table to workspaces(id), on SQLite and PostgreSQL: present after the
// migrations (including tables added later), enforced, and added by migration 0010 to an existing database
// without losing rows or indexes (rows that name a missing workspace keep it, recovered). Workspaces are never
// deleted (no code path removes one), so every key refuses the delete of a workspace that still owns rows
// (NO ACTION): a cascade would let one statement wipe a merchant's data.
import { Migrator, sql } from 'kysely';
import type { Migration } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { createRepos } from '../src/storage/repositories/index.js';
import type { Db } from '../src/storage/database.js';
import type { TestDatabase } from './support/services.js';
import { createTestDatabase, storageKinds } from './support/services.js';

/** The queue's transport table: its rows come and go, and installation-wide jobs have no workspace. */
const notWorkspaceOwned = new Set(['jobs']);

/** Every migration file, as the hub's own list has them (0010 and those after it). */
async function allMigrations(): Promise<Record<string, Migration>> {
  const dir = path.resolve(import.meta.dirname, '../src/storage/migrations');
  const out: Record<string, Migration> = {};
  for (const file of fs.readdirSync(dir).filter((f) => /^\d{4}_.*\.ts$/.test(f)).sort()) out[file.replace(/\.ts$/, '')] = (await import(path.join(dir, file))) as Migration;
  return out;
}

/** Tables with a workspace_id column, and whether that column has a key to workspaces(id). */
async function workspaceKeys(db: Db, kind: 'sqlite' | 'postgres'): Promise<Map<string, boolean>> {
  const out = new Map<string, boolean>();
  if (kind === 'sqlite') {
    const tables = await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`.execute(db);
    for (const { name } of tables.rows) {
      const columns = await sql<{ name: string }>`select name from pragma_table_info(${name})`.execute(db);
      if (!columns.rows.some((c) => c.name === 'workspace_id')) continue;
      const keys = await sql<{ table: string; from: string; to: string }>`select "table", "from", "to" from pragma_foreign_key_list(${name})`.execute(db);
      out.set(name, keys.rows.some((k) => k.table === 'workspaces' && k.from === 'workspace_id' && k.to === 'id'));
    }
    return out;
  }
  const rows = await sql<{ table_name: string; keyed: boolean }>`
    select c.table_name, exists (
      select 1 from pg_constraint k
      join pg_attribute a on a.attrelid = k.conrelid and a.attnum = any (k.conkey)
      where k.contype = 'f' and k.conrelid = (quote_ident(c.table_name))::regclass
        and k.confrelid = 'workspaces'::regclass and a.attname = 'workspace_id'
    ) as keyed
    from information_schema.columns c
    where c.table_schema = current_schema() and c.column_name = 'workspace_id'
  `.execute(db);
  for (const r of rows.rows) out.set(r.table_name, r.keyed);
  return out;
}

/** The ON DELETE action of each key from workspace_id to workspaces(id), by table, in SQL's words. */
async function workspaceKeyDeleteActions(db: Db, kind: 'sqlite' | 'postgres'): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (kind === 'sqlite') {
    const tables = await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`.execute(db);
    for (const { name } of tables.rows) {
      const keys = await sql<{ table: string; from: string; on_delete: string }>`select "table", "from", on_delete from pragma_foreign_key_list(${name})`.execute(db);
      for (const k of keys.rows) if (k.table === 'workspaces' && k.from === 'workspace_id') out.set(name, k.on_delete.toUpperCase());
    }
    return out;
  }
  const words: Record<string, string> = { a: 'NO ACTION', r: 'RESTRICT', c: 'CASCADE', n: 'SET NULL', d: 'SET DEFAULT' };
  const rows = await sql<{ table_name: string; action: string }>`
    select r.relname as table_name, k.confdeltype as action from pg_constraint k
    join pg_class r on r.oid = k.conrelid
    join pg_attribute a on a.attrelid = k.conrelid and a.attnum = any (k.conkey)
    where k.contype = 'f' and k.confrelid = 'workspaces'::regclass and a.attname = 'workspace_id'
      and r.relnamespace = (select oid from pg_namespace where nspname = current_schema())
  `.execute(db);
  for (const r of rows.rows) out.set(r.table_name, words[r.action] ?? r.action);
  return out;
}

async function indexes(db: Db, kind: 'sqlite' | 'postgres'): Promise<string[]> {
  if (kind === 'sqlite') {
    const rows = await sql<{ name: string; tbl_name: string; sql: string | null }>`select name, tbl_name, sql from sqlite_master where type = 'index' order by name`.execute(db);
    return rows.rows.map((r) => `${r.tbl_name}:${r.name}:${r.sql ?? 'auto'}`);
  }
  const rows = await sql<{ indexname: string; indexdef: string }>`select indexname, indexdef from pg_indexes where schemaname = current_schema() order by indexname`.execute(db);
  return rows.rows.map((r) => `${r.indexname}:${r.indexdef}`);
}

async function rowCounts(db: Db, tables: string[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of tables) out[t] = Number((await sql<{ n: number | string }>`select count(*) as n from ${sql.table(t)}`.execute(db)).rows[0]!.n);
  return out;
}

for (const kind of storageKinds) {
  describe(`workspace foreign keys on ${kind}`, () => {
    let tdb: TestDatabase;
    beforeEach(async () => {
      tdb = await createTestDatabase(kind);
    });
    afterEach(async () => {
      await tdb.destroy();
    });

    it('every workspace-owned table has a key from workspace_id to workspaces(id)', async () => {
      const keys = await workspaceKeys(tdb.storage.db, kind);
      expect(keys.size).toBeGreaterThan(30);
      const missing = [...keys].filter(([table, keyed]) => !keyed && !notWorkspaceOwned.has(table)).map(([table]) => table);
      expect(missing).toEqual([]);
    });

    it('leaves out only the tables it names, and every key keeps a workspace with rows from being deleted', async () => {
      const keys = await workspaceKeys(tdb.storage.db, kind);
      // The exemptions are still tables with a workspace_id and no key (a stale entry would hide nothing).
      for (const table of notWorkspaceOwned) expect([table, keys.get(table)]).toEqual([table, false]);
      const actions = await workspaceKeyDeleteActions(tdb.storage.db, kind);
      expect(new Set(actions.keys())).toEqual(new Set([...keys].filter(([, keyed]) => keyed).map(([table]) => table)));
      expect([...actions].filter(([, action]) => action !== 'NO ACTION')).toEqual([]);
    });

    it('enforces them: a row naming a missing workspace is refused; a workspace with data cannot be deleted, an empty one can', async () => {
      const db = tdb.storage.db;
      const repos = createRepos(db, 5);
      if (kind === 'sqlite') expect((await sql<{ foreign_keys: number }>`PRAGMA foreign_keys`.execute(db)).rows[0]!.foreign_keys).toBe(1);
      await expect(repos.users.create('ws_missing', { email: 'a@shop.example', name: null, role: 'admin', passwordHash: 'x' })).rejects.toThrow(/foreign key/i);
      await expect(repos.queues.create('ws_missing', { name: 'Support', autoReply: null, signature: null })).rejects.toThrow(/foreign key/i);
      await expect(tdb.storage.transaction((tx) => createRepos(tx, 5).categories.create('ws_missing', { name: 'Returns' }))).rejects.toThrow(/foreign key/i);

      const used = await repos.workspaces.create('Used');
      await repos.queues.create(used.id, { name: 'Support', autoReply: null, signature: null });
      await expect(db.deleteFrom('workspaces').where('id', '=', used.id).execute()).rejects.toThrow(/foreign key/i);
      const empty = await repos.workspaces.create('Empty');
      await db.deleteFrom('workspaces').where('id', '=', empty.id).execute();
      expect(await repos.workspaces.get(empty.id)).toBeNull();
    });

    it('migration 0010 adds them to an existing database, keeping rows and indexes, and recovers missing workspaces', async () => {
      const db = tdb.storage.db;
      const all = await allMigrations();
      const migrator = new Migrator({ db, provider: { getMigrations: () => Promise.resolve(all) }, allowUnorderedMigrations: true });
      // Back to the schema before 0010 (this also runs its down step).
      const down = await migrator.migrateTo('0009_users_sessions');
      expect(String(down.error ?? '')).toBe('');
      const before = await workspaceKeys(db, kind);
      expect(before.get('queues')).toBe(false);

      // Data written by an older version: a workspace's rows, and rows naming a workspace that does not exist.
      const repos = createRepos(db, 5);
      // Raw SQL for the workspace: today's repository writes columns added after 0009.
      const ws = { id: 'ws_existing' };
      await sql`insert into workspaces (id, name, created_at) values (${ws.id}, ${'Existing'}, ${Date.now()})`.execute(db);
      const queue = await repos.queues.create(ws.id, { name: 'Support', autoReply: 'Thanks!', signature: null });
      await repos.categories.create(ws.id, { name: 'Returns' });
      await repos.users.create(ws.id, { email: 'owner@shop.example', name: 'Owner', role: 'admin', passwordHash: 'h1' });
      await repos.users.create('ws_typo', { email: 'lost@shop.example', name: null, role: 'agent', passwordHash: 'h2' });
      await repos.queues.create('ws_typo', { name: 'Orphans', autoReply: null, signature: null });
      await repos.variableSamples.set(ws.id, { brand: 'Acme' });
      const tables = [...before.keys()];
      const counts = await rowCounts(db, tables);
      const indexesBefore = await indexes(db, kind);

      const up = await migrator.migrateToLatest();
      expect(String(up.error ?? '')).toBe('');
      expect(up.results?.map((r) => r.migrationName)[0]).toBe('0010_workspace_foreign_keys');

      const after = await workspaceKeys(db, kind);
      expect([...after].filter(([table, keyed]) => !keyed && !notWorkspaceOwned.has(table))).toEqual([]);
      expect(await rowCounts(db, tables)).toEqual(counts);
      // Every index is back (migrations after 0010 may add more).
      const indexesAfter = await indexes(db, kind);
      expect(indexesAfter).toEqual(expect.arrayContaining(indexesBefore));
      expect((await repos.queues.get(ws.id, queue.id))?.autoReply).toBe('Thanks!');
      expect((await repos.users.resolveByEmail('lost@shop.example'))?.workspaceId).toBe('ws_typo');
      expect((await repos.workspaces.get('ws_typo'))?.name).toBe('(recovered) ws_typo');
      if (kind === 'sqlite') {
        expect((await sql<{ foreign_keys: number }>`PRAGMA foreign_keys`.execute(db)).rows[0]!.foreign_keys).toBe(1);
        expect((await sql`PRAGMA foreign_key_check`.execute(db)).rows).toEqual([]);
        expect((await sql<{ integrity_check: string }>`PRAGMA integrity_check`.execute(db)).rows[0]!.integrity_check).toBe('ok');
      }
      // The unique indexes still hold after the rebuild.
      await expect(repos.queues.create(ws.id, { name: 'Support', autoReply: null, signature: null })).rejects.toThrow();
      // And the rest of the migrations (added after 0010) still apply.
      expect((await tdb.storage.migrate()).includes('0010_workspace_foreign_keys')).toBe(false);
    });
  });
}
