// One check for every route: text that the database cannot store (U+0000, which PostgreSQL text refuses)
// or that is not Unicode (a lone surrogate from a "\ud800" escape) is refused with a 400 naming the field,
// before any schema, service or query sees it. Inbound webhook bodies (raw bytes) are not checked here:
// they are verified as sent and stored without NULs (see storage/pg-text.ts).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../core/errors.js';

/** Headers whose value a route uses as data. */
const DATA_HEADERS = ['idempotency-key'];

type Where = 'params' | 'querystring' | 'body' | 'headers';

interface Problem {
  field: string;
  in: Where;
  message: string;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function textProblem(s: string): string | null {
  if (s.includes('\u0000')) return 'must not contain NUL (\\u0000) characters';
  if (LONE_SURROGATE.test(s)) return 'must be valid Unicode text (it contains a lone surrogate)';
  return null;
}

/** The first bad string in value, depth-first, with its path in the dotted form schema errors use. */
function findProblem(value: unknown, path: string, where: Where, depth = 0): Problem | null {
  if (typeof value === 'string') {
    const message = textProblem(value);
    return message ? { field: path || where, in: where, message } : null;
  }
  // Bodies deeper than this are refused by the schemas anyway; the walk stays bounded.
  if (value === null || typeof value !== 'object' || depth > 64 || Buffer.isBuffer(value)) return null;
  const entries: Array<[string, unknown]> = Array.isArray(value) ? value.map((v, i) => [String(i), v]) : Object.entries(value);
  for (const [key, child] of entries) {
    const keyProblem = textProblem(key);
    const childPath = path ? `${path}.${key}` : key;
    if (keyProblem) return { field: JSON.stringify(childPath).slice(1, -1), in: where, message: `the field name ${keyProblem}` };
    const found = findProblem(child, childPath, where, depth + 1);
    if (found) return found;
  }
  return null;
}

export function checkRequestText(req: FastifyRequest): void {
  const headers: Record<string, unknown> = {};
  for (const name of DATA_HEADERS) if (req.headers[name] !== undefined) headers[name] = req.headers[name];
  const problem =
    findProblem(req.params, '', 'params') ??
    findProblem(req.query, '', 'querystring') ??
    findProblem(headers, '', 'headers') ??
    findProblem(req.body, '', 'body');
  if (problem) {
    throw new AppError('validation_failed', `${problem.field}: ${problem.message}`, { fields: [{ field: problem.field, message: problem.message, in: problem.in }] });
  }
}

/** Registers the check on every route of app (call before the routes are registered). */
export function guardRequestText(app: FastifyInstance): void {
  app.addHook('preValidation', async (req) => checkRequestText(req));
}
