// Maps every error to the one error body: {"error": {code, message, type, request_id, details}}.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AppError, errorCatalogue } from '../core/errors.js';
import type { ErrorCode } from '../core/errors.js';
import { constraintViolation } from '../storage/constraint-errors.js';

export interface ErrorBody {
  error: { code: string; message: string; type: string; request_id: string; details: unknown };
}

export function errorBody(code: ErrorCode, message: string, requestId: string, details: unknown = null): ErrorBody {
  return { error: { code, message, type: errorCatalogue[code].type, request_id: requestId, details } };
}

function fromFastify(err: FastifyError): AppError | null {
  if (hasZodFastifySchemaValidationErrors(err)) {
    const where = err.validationContext ?? 'body';
    const fields = err.validation.map((v) => {
      const path = v.instancePath.replace(/^\//, '').replace(/\//g, '.') || where;
      return { field: path, message: v.message ?? 'is invalid', in: where };
    });
    const message = fields.map((f) => `${f.field}: ${f.message}`).join('; ');
    return new AppError('validation_failed', message || 'the request is invalid', { fields });
  }
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('payload_too_large', 'the request body is larger than this server accepts');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError('unsupported_media_type', `content type ${String((err as { contentType?: string }).contentType ?? '')} is not supported; send application/json`.replace('  ', ' '));
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError('invalid_json', 'the body is empty but content-type is application/json');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new AppError('invalid_json', `the body is not valid JSON: ${err.message}`);
  }
  if (err instanceof SyntaxError || err.statusCode === 400) return new AppError('invalid_json', `the body is not valid JSON: ${err.message}`);
  if (err.statusCode === 413) return new AppError('payload_too_large', 'the request body is larger than this server accepts');
  if (err.statusCode === 415) return new AppError('unsupported_media_type', err.message);
  return null;
}

/** "flow_modules" → "flow module", "categories" → "category". */
const resourceName = (table: string): string =>
  table
    .replace(/_/g, ' ')
    .replace(/ies$/, 'y')
    .replace(/(?<!s)s$/, '');

/**
 * A unique or foreign-key violation that no service turned into a clearer error (e.g. two requests racing for
 * one name): a 409 naming the resource and the fields, never a 500.
 */
function fromDatabase(err: unknown): AppError | null {
  const v = constraintViolation(err);
  if (!v) return null;
  const resource = v.table ? resourceName(v.table) : 'record';
  const fields = v.columns.filter((c) => c !== 'workspace_id');
  if (v.kind === 'unique') {
    const message = fields.length ? `a ${resource} with this ${fields.join(' and ').replace(/_/g, ' ')} already exists; choose another` : `this ${resource} already exists`;
    return new AppError('conflict', message, { resource, fields: fields.map((field) => ({ field, message: 'is already taken' })) });
  }
  return new AppError('conflict', `the ${resource} refers to something that does not exist, or is still referred to by other records`, { resource, fields: fields.map((field) => ({ field, message: 'refers to nothing' })) });
}

export function handleError(err: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): void {
  const app = err instanceof AppError ? err : (fromDatabase(err) ?? fromFastify(err as FastifyError));
  if (app) {
    if (app.status >= 500) request.log.error({ err }, 'request failed');
    const retryAfter = (app.details as { retry_after_seconds?: unknown } | null)?.retry_after_seconds;
    if (typeof retryAfter === 'number') void reply.header('retry-after', String(Math.max(1, Math.ceil(retryAfter))));
    void reply.status(app.status).send(errorBody(app.code, app.message, request.id, app.details));
    return;
  }
  request.log.error({ err }, 'unhandled error');
  void reply.status(500).send(errorBody('internal', 'an internal error occurred; the request id identifies it in the logs', request.id));
}
