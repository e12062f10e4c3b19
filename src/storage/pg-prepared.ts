// Named (server-side prepared) statements on PostgreSQL. node-postgres sends every parameterised query as an
// unnamed statement, which PostgreSQL parses and plans on each execution; the hot path runs the same few dozen
// statements for every message. Each connection prepares a statement the first time it runs it under a name
// derived from its text, and afterwards only binds and executes it. Statements without parameters (DDL,
// transaction control) stay unnamed, and a connection prepares at most MAX_NAMED statements (queries whose
// text varies, such as `in (...)` lists, would otherwise fill the server's memory); beyond that, unnamed.
import { createHash } from 'node:crypto';
import type pg from 'pg';

const MAX_NAMED = 256;

const names = new Map<string, string>();
function nameOf(text: string): string {
  let name = names.get(text);
  if (!name) {
    name = `st_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    if (names.size > 10_000) names.clear();
    names.set(text, name);
  }
  return name;
}

/** Makes the pool's connections run repeated parameterised queries as named prepared statements. */
export function prepareStatements(pool: pg.Pool): void {
  pool.on('connect', (client) => {
    const prepared = new Set<string>();
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      const [text, values] = args;
      if (typeof text === 'string' && Array.isArray(values) && values.length > 0 && args.length === 2) {
        const name = nameOf(text);
        if (prepared.has(name) || prepared.size < MAX_NAMED) {
          prepared.add(name);
          return query({ name, text, values });
        }
      }
      return query(...args);
    };
  });
}
