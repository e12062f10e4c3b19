// The error catalogue: every error the hub returns has a stable code, a type and an HTTP status here.
// Routes never invent status codes; they throw AppError and the HTTP layer maps it.

export const errorCatalogue = {
  validation_failed: { status: 400, type: 'invalid_request' },
  invalid_json: { status: 400, type: 'invalid_request' },
  unauthenticated: { status: 401, type: 'authentication' },
  invalid_signature: { status: 401, type: 'authentication' },
  forbidden: { status: 403, type: 'permission' },
  not_found: { status: 404, type: 'not_found' },
  conflict: { status: 409, type: 'conflict' },
  payload_too_large: { status: 413, type: 'invalid_request' },
  unsupported_media_type: { status: 415, type: 'invalid_request' },
  provider_rejected_credentials: { status: 422, type: 'provider' },
  template_not_approved: { status: 422, type: 'provider' },
  provider_unavailable: { status: 502, type: 'provider' },
  rate_limited: { status: 429, type: 'rate_limit' },
  not_ready: { status: 503, type: 'unavailable' },
  internal: { status: 500, type: 'internal' },
} as const satisfies Record<string, { status: number; type: string }>;

export type ErrorCode = keyof typeof errorCatalogue;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: unknown;

  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.details = details ?? null;
  }

  get status(): number {
    return errorCatalogue[this.code].status;
  }

  get type(): string {
    return errorCatalogue[this.code].type;
  }
}

/** Thrown by repositories when a unique constraint refuses a row; services turn it into a clear conflict. */
export class DuplicateError extends Error {
  constructor(what: string) {
    super(`${what} already exists`);
    this.name = 'DuplicateError';
  }
}

export const notFound = (what: string, id: string): AppError =>
  new AppError('not_found', `${what} ${id} was not found`, { id });

/** A field-level validation failure, named so the caller knows what to fix. */
export const invalidField = (field: string, problem: string): AppError =>
  new AppError('validation_failed', `${field}: ${problem}`, { fields: [{ field, message: problem }] });

// ---------------------------------------------------------------------------------------------
// Provider errors: every adapter classifies what the provider said into one of three kinds, so the
// job runner knows whether to retry, wait, or give up.

export type ProviderErrorKind = 'retryable' | 'retry_after' | 'permanent';

export class ProviderError extends Error {
  readonly kind: ProviderErrorKind;
  /** The provider's own error code (e.g. WhatsApp 131026), as a string. */
  readonly providerCode: string | null;
  readonly httpStatus: number | null;
  /** Milliseconds to wait before retrying, when kind is retry_after. */
  readonly retryAfterMs: number | null;
  /**
   * The request may have reached the provider (a timeout or a dropped connection after it was written), so
   * whether it took effect is unknown. A failure before anything was written (refused, DNS) leaves it false.
   */
  readonly outcomeUnknown: boolean;

  constructor(
    kind: ProviderErrorKind,
    message: string,
    opts: { providerCode?: string | number | null; httpStatus?: number | null; retryAfterMs?: number | null; outcomeUnknown?: boolean } = {},
  ) {
    super(message);
    this.name = 'ProviderError';
    this.kind = kind;
    this.providerCode = opts.providerCode == null ? null : String(opts.providerCode);
    this.httpStatus = opts.httpStatus ?? null;
    this.retryAfterMs = opts.retryAfterMs ?? null;
    this.outcomeUnknown = opts.outcomeUnknown ?? false;
  }
}

/** Parses an HTTP Retry-After header (seconds or an HTTP date) into milliseconds. */
export function parseRetryAfter(value: string | string[] | undefined | null, now = Date.now()): number | null {
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw == null || raw === '') return null;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return Math.max(0, Math.round(seconds * 1000));
  const at = Date.parse(raw);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - now);
}
