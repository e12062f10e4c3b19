// PostgreSQL text cannot hold U+0000 ("invalid byte sequence for encoding UTF8: 0x00"). API input with one
// is refused before it gets here (http/input-guard.ts); text from outside that the hub must not lose — a
// signed webhook's payload, a provider's answer — is stored with its NULs removed instead of failing the
// write (and with it the job that would otherwise retry until dead).
import type pg from 'pg';

// eslint-disable-next-line no-control-regex -- the NUL character is what this removes
const NUL = /\u0000/g;

function withoutNul(value: unknown): unknown {
  return typeof value === 'string' && value.includes('\u0000') ? value.replace(NUL, '') : value;
}

/** Makes every query of the pool's connections drop NULs from its string parameters. */
export function dropNulFromParameters(pool: pg.Pool): void {
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      if (Array.isArray(args[1])) args[1] = args[1].map(withoutNul);
      return query(...args);
    };
  });
}
