// The errors each operation can answer with, declared on the route so the OpenAPI document lists them next to
// its success responses. Every error is the one error body (src/http/errors.ts); which statuses a route can
// give follows from what it declares: who may call it, what input it validates, whether it names a record,
// whether it changes anything, and whether it calls a provider. A route that declares a status itself (the push
// API answers an unknown recipient in Facebook's shape) keeps its own schema.
import type { FastifyInstance, RouteOptions } from 'fastify';
import type { ZodType } from 'zod';
import { errorCatalogue } from '../core/errors.js';
import type { ErrorCode } from '../core/errors.js';
import type { RouteRole } from './roles.js';
import { ErrorBody, mediaTypes } from './response-schemas.js';

/** Route tags whose operations call a provider or a store: they can answer 422 (credentials refused) and 502. */
const PROVIDER_TAGS: ReadonlySet<string> = new Set(['connections', 'notifications', 'push', 'conversations', 'sandbox', 'inbox', 'customers']);
const WRITES: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

interface RouteSchema {
  hide?: boolean;
  tags?: readonly string[];
  body?: unknown;
  querystring?: unknown;
  params?: unknown;
  headers?: unknown;
  response?: Record<string, unknown>;
}

/** The error codes a route can answer with, from what the route declares. */
export function routeErrors(route: { method: string | string[]; url: string; schema?: RouteSchema | undefined; config?: { role?: RouteRole } | undefined }): ErrorCode[] {
  const methods = (Array.isArray(route.method) ? route.method : [route.method]).map((m) => m.toUpperCase());
  const schema = route.schema ?? {};
  const codes: ErrorCode[] = [];
  const role = route.config?.role ?? 'admin';
  const writes = methods.some((m) => WRITES.has(m));
  if (schema.body || schema.querystring || schema.params || schema.headers || writes) codes.push('validation_failed');
  if (role !== 'open') codes.push('unauthenticated', 'forbidden');
  if (route.url.includes(':')) codes.push('not_found');
  if (writes) codes.push('conflict');
  if (schema.body) codes.push('payload_too_large', 'unsupported_media_type');
  const callsProviders = (schema.tags ?? []).some((t) => PROVIDER_TAGS.has(t));
  if (callsProviders) codes.push('provider_rejected_credentials');
  // Signing in answers a wrong password with 401 and repeated failures with 429.
  if (role === 'open' && route.url.endsWith('/session') && methods.includes('POST')) codes.push('unauthenticated', 'rate_limited');
  codes.push('internal');
  if (callsProviders) codes.push('provider_unavailable');
  return codes;
}

/**
 * Adds the error responses to every route registered in the scope (before the schemas are compiled), and marks
 * open routes as needing no credentials in the document.
 */
export function declareErrors(scope: FastifyInstance): void {
  scope.addHook('onRoute', (route: RouteOptions) => {
    const schema = (route.schema ?? {}) as RouteSchema;
    if (schema.hide) return;
    const response: Record<string, unknown> = { ...(schema.response ?? {}) };
    for (const code of routeErrors({ method: route.method, url: route.url, schema, config: route.config as { role?: RouteRole } | undefined })) {
      const status = String(errorCatalogue[code].status);
      if (!(status in response)) response[status] = ErrorBody as ZodType;
    }
    const open = (route.config as { role?: RouteRole } | undefined)?.role === 'open';
    route.schema = { ...schema, response, ...(open ? { security: [] } : {}) } as RouteOptions['schema'];
  });
}

type Content = Record<string, { schema?: Record<string, unknown> }>;
type OpenApiDocument = { paths?: Record<string, Record<string, { responses?: Record<string, { description?: string; content?: Content }> }>> };

/** What the document says of each error status, instead of "Default Response". */
const ERROR_DESCRIPTIONS: Record<string, string> = {
  '400': 'The request is invalid: the error names each field',
  '401': 'No valid API key or session',
  '403': 'The key or user may not do this (or the CSRF token is missing)',
  '404': 'The record does not exist in this workspace',
  '409': 'Conflicts with the current state (a duplicate, or a record still in use)',
  '413': 'The body is larger than the server accepts',
  '415': 'The body is not JSON',
  '422': 'The provider refused the credentials or the template',
  '429': 'Too many attempts: retry after the Retry-After header',
  '500': 'An internal error; the request id identifies it in the logs',
  '502': 'The provider did not answer or failed',
};

/**
 * Final touches on the generated document: a 204 has no body (the schema library has no "nothing" type that
 * JSON Schema can show), a stream is shown with its media type, and error statuses say what they mean.
 */
export function finishDocument<T>(doc: T): T {
  for (const ops of Object.values((doc as OpenApiDocument).paths ?? {})) {
    for (const op of Object.values(ops)) {
      for (const [status, res] of Object.entries(op.responses ?? {})) {
        if (status === '204') {
          delete res.content;
          res.description = 'No content';
          continue;
        }
        const json = res.content?.['application/json']?.schema;
        const ref = typeof json?.['$ref'] === 'string' ? json['$ref'].replace('#/components/schemas/', '') : null;
        const mediaType = ref ? mediaTypes[ref] : undefined;
        if (json && mediaType) res.content = { [mediaType]: { schema: json } };
        if (ERROR_DESCRIPTIONS[status] && (!res.description || res.description === 'Default Response')) res.description = ERROR_DESCRIPTIONS[status];
      }
    }
  }
  return doc;
}
