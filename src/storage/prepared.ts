// The hot path's statements without rebuilding them: Kysely builds and compiles a query tree on every call,
// which costs more CPU than SQLite takes to run these statements. Each statement here is built with Kysely
// once per database dialect and shape, and later calls pass only their parameters (better-sqlite3 also keeps
// the prepared statement, keyed by its text).
import { CompiledQuery } from 'kysely';
import type { Insertable, QueryResult, Selectable } from 'kysely';
import type { Db } from './database.js';
import type { Database as Schema } from './schema.js';

type Table = keyof Schema & string;

const compiled = new WeakMap<object, Map<string, string>>();

function cached(db: Db, key: string, build: () => { sql: string; parameters: readonly unknown[] }, expectParameters: number): string {
  // One adapter per database handle (transactions share their parent's): it tells the dialect apart.
  const adapter = db.getExecutor().adapter;
  let byKey = compiled.get(adapter);
  if (!byKey) compiled.set(adapter, (byKey = new Map()));
  let text = byKey.get(key);
  if (text === undefined) {
    const query = build();
    if (query.parameters.length !== expectParameters) throw new Error(`prepared statement ${key}: ${query.parameters.length} parameters, expected ${expectParameters}`);
    text = query.sql;
    byKey.set(key, text);
  }
  return text;
}

/**
 * Inserts one row (its keys in a fixed order: the order is part of the statement). With `ignoreConflictOn`,
 * a row that conflicts on those columns is not inserted; the result's numAffectedRows says which happened.
 */
export function insertRow<T extends Table>(db: Db, table: T, row: Insertable<Schema[T]>, ignoreConflictOn?: readonly string[]): Promise<QueryResult<unknown>> {
  const columns = Object.keys(row);
  const values = Object.values(row) as unknown[];
  if (values.includes(undefined)) throw new Error(`insertRow ${table}: undefined value`);
  const key = `insert|${table}|${columns.join(',')}|${ignoreConflictOn?.join(',') ?? ''}`;
  const text = cached(
    db,
    key,
    () => {
      const q = db.insertInto(table).values(row as never);
      return (ignoreConflictOn ? q.onConflict((oc) => oc.columns(ignoreConflictOn as never).doNothing()) : q).compile();
    },
    values.length,
  );
  return db.executeQuery(CompiledQuery.raw(text, values));
}

/**
 * Inserts one row or, when it conflicts on `conflictOn`, updates the `update` columns to the row's values
 * (`excluded.<column>`); returns the row as stored.
 */
export async function upsertRow<T extends Table>(
  db: Db,
  table: T,
  row: Insertable<Schema[T]>,
  conflictOn: readonly string[],
  update: readonly string[],
): Promise<Selectable<Schema[T]>> {
  const columns = Object.keys(row);
  const values = Object.values(row) as unknown[];
  if (values.includes(undefined)) throw new Error(`upsertRow ${table}: undefined value`);
  const key = `upsert|${table}|${columns.join(',')}|${conflictOn.join(',')}|${update.join(',')}`;
  const text = cached(
    db,
    key,
    () =>
      db
        .insertInto(table)
        .values(row as never)
        .onConflict((oc) =>
          oc.columns(conflictOn as never).doUpdateSet((eb) => Object.fromEntries(update.map((c) => [c, eb.ref(`excluded.${c}` as never)])) as never),
        )
        .returningAll()
        .compile(),
    values.length,
  );
  const result = await db.executeQuery<Selectable<Schema[T]>>(CompiledQuery.raw(text, values));
  const stored = result.rows[0];
  if (!stored) throw new Error(`upsertRow ${table}: no row returned`);
  return stored;
}

/** The row of a workspace's table with this id. */
export async function selectById<T extends Table>(db: Db, table: T, workspaceId: string, id: string): Promise<Selectable<Schema[T]> | undefined> {
  const text = cached(
    db,
    `byId|${table}`,
    () =>
      db
        .selectFrom(table as never)
        .selectAll()
        .where('workspace_id' as never, '=', workspaceId as never)
        .where('id' as never, '=', id as never)
        .compile(),
    2,
  );
  const result = await db.executeQuery<Selectable<Schema[T]>>(CompiledQuery.raw(text, [workspaceId, id]));
  return result.rows[0];
}
