// Every workspace-owned table gets a foreign key from workspace_id to workspaces(id), so no row can name a
// workspace that does not exist (api_keys, store_connections and channel_accounts have had one since 0001).
// The jobs table is left out: it is the queue's transport (like the BullMQ side, which has no keys), its
// workspace_id is null for installation-wide jobs, and its rows come and go.
//
// Rows that already name a missing workspace (written by older versions, e.g. `shoptalk user create` with a
// mistyped id) are kept: the missing workspace is recreated as "(recovered) <id>" for the operator to inspect.
//
// PostgreSQL adds the constraints with ALTER TABLE inside the migration's transaction. SQLite cannot add a
// constraint to a table: each table is rebuilt as SQLite documents it (https://www.sqlite.org/lang_altertable.html,
// "other kinds of table schema changes"): foreign keys off, one transaction, new table from the old one's own
// CREATE statement plus the key, rows copied, old table dropped, new one renamed, indexes recreated,
// foreign_key_check, commit, foreign keys on again.
import { SqliteAdapter, sql } from 'kysely';
import type { Kysely } from 'kysely';

/** Workspace-owned tables without a key to workspaces before this migration. */
export const tablesKeyedHere = [
  'inbound_webhooks',
  'orders',
  'events',
  'notification_settings',
  'messages',
  'activities',
  'channel_selections',
  'usage_records',
  'variable_samples',
  'webhook_subscriptions',
  'webhook_deliveries',
  'customers',
  'customer_identities',
  'opt_outs',
  'flow_modules',
  'chat_settings',
  'conversations',
  'verification_codes',
  'ndr_cases',
  'loyalty_members',
  'loyalty_ledger',
  'loyalty_claims',
  'custom_fields',
  'contacts',
  'contact_field_values',
  'queues',
  'categories',
  'tickets',
  'ticket_messages',
  'users',
  'sessions',
] as const;

const constraintName = (table: string) => `${table}_workspace_fk`;
const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;
const isSqlite = (db: Kysely<unknown>) => db.getExecutor().adapter instanceof SqliteAdapter;

/** Recreates the workspaces that rows of the table name but that do not exist. */
async function recoverMissingWorkspaces(db: Kysely<unknown>, table: string): Promise<void> {
  await sql`
    insert into workspaces (id, name, created_at)
    select distinct t.workspace_id, '(recovered) ' || t.workspace_id, cast(${Date.now()} as bigint)
    from ${sql.table(table)} t
    where t.workspace_id is not null and not exists (select 1 from workspaces w where w.id = t.workspace_id)
  `.execute(db);
}

export async function up(db: Kysely<unknown>): Promise<void> {
  if (isSqlite(db)) return upSqlite(db);
  for (const table of tablesKeyedHere) {
    const exists = await sql<{ n: number }>`
      select count(*)::int as n from pg_constraint c join pg_class r on r.oid = c.conrelid
      where c.contype = 'f' and r.relname = ${table} and c.confrelid = 'workspaces'::regclass
    `.execute(db);
    if (exists.rows[0]!.n > 0) continue;
    await recoverMissingWorkspaces(db, table);
    await sql`alter table ${sql.table(table)} add constraint ${sql.id(constraintName(table))} foreign key (workspace_id) references workspaces (id)`.execute(db);
  }
}

async function upSqlite(db: Kysely<unknown>): Promise<void> {
  // Must be set outside a transaction; the rebuild below is one transaction (Kysely runs SQLite migrations
  // without one, on the only connection).
  await sql`PRAGMA foreign_keys = OFF`.execute(db);
  try {
    await sql`BEGIN IMMEDIATE`.execute(db);
    try {
      for (const table of tablesKeyedHere) {
        const keys = await sql<{ table: string }>`select "table" from pragma_foreign_key_list(${table})`.execute(db);
        if (keys.rows.some((k) => k.table === 'workspaces')) continue;
        await recoverMissingWorkspaces(db, table);
        await rebuildSqlite(db, table, (create) => withWorkspaceKey(create));
      }
      const problems = await sql<{ table: string }>`PRAGMA foreign_key_check`.execute(db);
      if (problems.rows.length > 0) throw new Error(`foreign key check failed after adding workspace keys: ${[...new Set(problems.rows.map((p) => p.table))].join(', ')}`);
      await sql`COMMIT`.execute(db);
    } catch (err) {
      await sql`ROLLBACK`.execute(db);
      throw err;
    }
  } finally {
    await sql`PRAGMA foreign_keys = ON`.execute(db);
  }
}

/** The CREATE TABLE statement with the key to workspaces added as a table constraint. */
function withWorkspaceKey(create: string): string {
  const end = create.lastIndexOf(')');
  if (end < 0) throw new Error(`unexpected table definition: ${create}`);
  return `${create.slice(0, end)}, constraint ${quote('workspace_fk')} foreign key ("workspace_id") references "workspaces" ("id")${create.slice(end)}`;
}

/** The CREATE TABLE statement without the key this migration added. */
function withoutWorkspaceKey(create: string): string {
  return create.replace(/, constraint "workspace_fk" foreign key \("workspace_id"\) references "workspaces" \("id"\)/, '');
}

/** Rebuilds a SQLite table with a changed definition, keeping its rows and indexes. */
async function rebuildSqlite(db: Kysely<unknown>, table: string, change: (create: string) => string): Promise<void> {
  const def = await sql<{ sql: string }>`select sql from sqlite_master where type = 'table' and name = ${table}`.execute(db);
  const create = def.rows[0]?.sql;
  if (!create) throw new Error(`table ${table} does not exist`);
  // Indexes made by CREATE INDEX have their statement; those of PRIMARY KEY and UNIQUE constraints (sql null)
  // come back with the table definition.
  const indexes = await sql<{ sql: string }>`select sql from sqlite_master where type = 'index' and tbl_name = ${table} and sql is not null`.execute(db);
  const triggers = await sql<{ sql: string }>`select sql from sqlite_master where type = 'trigger' and tbl_name = ${table}`.execute(db);
  const temp = `${table}__rebuild_0010`;
  const name = /^CREATE TABLE\s+("(?:[^"]|"")+"|\S+)\s*\(/i.exec(create);
  if (!name) throw new Error(`unexpected table definition: ${create}`);
  const newCreate = change(`CREATE TABLE ${quote(temp)} (${create.slice(name[0].length)}`);
  await sql.raw(newCreate).execute(db);
  await sql.raw(`INSERT INTO ${quote(temp)} SELECT * FROM ${quote(table)}`).execute(db);
  await sql.raw(`DROP TABLE ${quote(table)}`).execute(db);
  await sql.raw(`ALTER TABLE ${quote(temp)} RENAME TO ${quote(table)}`).execute(db);
  for (const statement of [...indexes.rows, ...triggers.rows]) await sql.raw(statement.sql).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (!isSqlite(db)) {
    for (const table of tablesKeyedHere) await sql`alter table ${sql.table(table)} drop constraint if exists ${sql.id(constraintName(table))}`.execute(db);
    return;
  }
  await sql`PRAGMA foreign_keys = OFF`.execute(db);
  try {
    await sql`BEGIN IMMEDIATE`.execute(db);
    try {
      for (const table of tablesKeyedHere) await rebuildSqlite(db, table, withoutWorkspaceKey);
      await sql`COMMIT`.execute(db);
    } catch (err) {
      await sql`ROLLBACK`.execute(db);
      throw err;
    }
  } finally {
    await sql`PRAGMA foreign_keys = ON`.execute(db);
  }
}
