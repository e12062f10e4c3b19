// Reads a constraint violation from either database's error: which kind, on which table and columns. The HTTP
// layer turns it into a 409 naming the resource and field, so a name that is already taken is never a 500.

export interface ConstraintViolation {
  kind: 'unique' | 'foreign_key';
  /** The table, when the database says (SQLite does not for foreign keys). */
  table: string | null;
  /** The columns of the constraint, when the database says. */
  columns: string[];
}

interface DbError {
  code?: unknown;
  message?: unknown;
  table?: unknown;
  detail?: unknown;
}

/** Columns named in PostgreSQL's detail: 'Key (workspace_id, name)=(…) already exists.' */
function pgColumns(detail: unknown): string[] {
  const m = typeof detail === 'string' ? /^Key \(([^)]*)\)=/.exec(detail) : null;
  return m ? m[1]!.split(',').map((c) => c.trim().replace(/^"|"$/g, '')) : [];
}

export function constraintViolation(err: unknown): ConstraintViolation | null {
  if (!err || typeof err !== 'object') return null;
  const e = err as DbError;
  const message = typeof e.message === 'string' ? e.message : '';
  switch (e.code) {
    case '23505':
      return { kind: 'unique', table: typeof e.table === 'string' ? e.table : null, columns: pgColumns(e.detail) };
    case '23503':
      return { kind: 'foreign_key', table: typeof e.table === 'string' ? e.table : null, columns: pgColumns(e.detail) };
    case 'SQLITE_CONSTRAINT_UNIQUE':
    case 'SQLITE_CONSTRAINT_PRIMARYKEY': {
      // 'UNIQUE constraint failed: queues.workspace_id, queues.name' (or 'index …' for an expression index).
      const list = /constraint failed: (.+)$/.exec(message)?.[1] ?? '';
      const parts = list.split(',').map((p) => p.trim()).filter((p) => /^[A-Za-z_][\w]*\.[A-Za-z_][\w]*$/.test(p));
      return { kind: 'unique', table: parts[0]?.split('.')[0] ?? null, columns: parts.map((p) => p.split('.')[1]!) };
    }
    case 'SQLITE_CONSTRAINT_FOREIGNKEY':
      return { kind: 'foreign_key', table: null, columns: [] };
    default:
      return null;
  }
}
