// The Kysely table types (schema.ts) against the database the migrations build, on SQLite and PostgreSQL:
// the same tables, the same columns, and a column typed `| null` exactly where the database allows NULL.
// The repositories and the prepared statements (prepared.ts) are typed by schema.ts alone, so a column
// added by a migration but not here, or typed non-null but nullable there, would go unnoticed by tsc.
import path from 'node:path';
import ts from 'typescript';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TestDatabase } from '../../test/support/services.js';
import { createTestDatabase, storageKinds } from '../../test/support/services.js';
import type { Db } from './database.js';

/** Kysely's own bookkeeping, not part of the hub's schema. */
const migratorTables = new Set(['kysely_migration', 'kysely_migration_lock']);

/** table → column → nullable, as declared by the `Database` interface of schema.ts. */
function declaredColumns(): Map<string, Map<string, boolean>> {
  const file = path.resolve(import.meta.dirname, 'schema.ts');
  const program = ts.createProgram([file], { strict: true, noEmit: true, skipLibCheck: true, types: [] });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file)!;
  const database = source.statements.find((s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === 'Database');
  if (!database) throw new Error('schema.ts declares no Database interface');
  const out = new Map<string, Map<string, boolean>>();
  for (const table of checker.getTypeAtLocation(database.name).getProperties()) {
    const columns = new Map<string, boolean>();
    for (const column of checker.getTypeOfSymbolAtLocation(table, database).getProperties()) {
      const type = checker.getTypeOfSymbolAtLocation(column, database);
      const parts = type.isUnion() ? type.types : [type];
      columns.set(column.name, parts.some((t) => (t.flags & ts.TypeFlags.Null) !== 0));
    }
    out.set(table.name, columns);
  }
  return out;
}

/** table → column → nullable, as the migrated database has them. */
async function actualColumns(db: Db, kind: 'sqlite' | 'postgres'): Promise<Map<string, Map<string, boolean>>> {
  const out = new Map<string, Map<string, boolean>>();
  const add = (table: string, column: string, nullable: boolean) => {
    if (migratorTables.has(table)) return;
    if (!out.has(table)) out.set(table, new Map());
    out.get(table)!.set(column, nullable);
  };
  if (kind === 'sqlite') {
    const tables = await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`.execute(db);
    for (const { name } of tables.rows) {
      const columns = await sql<{ name: string; notnull: number; pk: number }>`select name, "notnull", pk from pragma_table_info(${name})`.execute(db);
      // SQLite lets a text primary key hold NULL unless the column says NOT NULL; the hub always writes one.
      for (const c of columns.rows) add(name, c.name, c.notnull === 0 && c.pk === 0);
    }
    return out;
  }
  const rows = await sql<{ table_name: string; column_name: string; is_nullable: string }>`
    select table_name, column_name, is_nullable from information_schema.columns where table_schema = current_schema()
  `.execute(db);
  for (const r of rows.rows) add(r.table_name, r.column_name, r.is_nullable === 'YES');
  return out;
}

const describeColumns = (tables: Map<string, Map<string, boolean>>) =>
  Object.fromEntries([...tables].sort(([a], [b]) => a.localeCompare(b)).map(([table, columns]) => [table, Object.fromEntries([...columns].sort(([a], [b]) => a.localeCompare(b)))]));

const declared = declaredColumns();

for (const kind of storageKinds) {
  describe(`schema types on ${kind}`, () => {
    let tdb: TestDatabase;
    beforeEach(async () => {
      tdb = await createTestDatabase(kind);
    });
    afterEach(async () => {
      await tdb.destroy();
    });

    it('declares every table and column the migrations create, nullable exactly where the database is', async () => {
      expect(declared.size).toBeGreaterThan(40);
      expect(describeColumns(await actualColumns(tdb.storage.db, kind))).toEqual(describeColumns(declared));
    });
  });
}
