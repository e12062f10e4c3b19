// The fields of a connect form (the body of POST /v1/store-connections and /v1/channel-accounts), as zod schemas
// that carry what a person needs to fill them in: a label, whether the value is a secret, help text, an example.
// The metadata lives in a registry of its own, so it never leaks into the OpenAPI document.
import { z } from 'zod';
import { headerValueProblem, providerTextProblem } from './credential-text.js';

export interface FieldMeta {
  /** The field's name in words, as forms show it. */
  label: string;
  /** A token, key or password: forms hide it, answers mask it. */
  secret?: boolean;
  help?: string;
  /** A value of the right shape (never a real secret). */
  example?: string | number;
  /** Text fields with a known shape, for the right input control. */
  format?: 'url' | 'email';
}

export const fieldMeta = z.registry<FieldMeta>();

/** Attaches the field's metadata to its schema (returned as is, so it can still be made optional). */
export function field<T extends z.ZodType>(schema: T, meta: FieldMeta): T {
  fieldMeta.add(schema, meta);
  return schema;
}

/**
 * A token, key, secret or provider id. It is sent to the provider in HTTP headers (or URLs): a character that
 * cannot go there (CR, LF, NUL and other controls, anything outside printable ASCII) would make every request
 * fail, and would surface as "provider unavailable". It is refused when saved instead, naming the character.
 */
export const credential = (min: number, max: number, opts: { trim?: boolean; tooShort?: string } = {}) =>
  (opts.trim ? z.string().trim() : z.string())
    .min(min, opts.tooShort)
    .max(max)
    .superRefine((value, ctx) => {
      const problem = headerValueProblem(value);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    });

/** Free text sent to a provider (a mailbox login, a sender name): any characters but controls and line breaks. */
export const providerText = (max: number) =>
  z
    .string()
    .max(max)
    .superRefine((value, ctx) => {
      const problem = providerTextProblem(value);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    });

/** The optional display name most connections take (the provider's own name for the account otherwise). */
export const nameField = () => field(z.string().trim().min(1).max(200).optional(), { label: 'Name' });
/** Who the channel account belongs to. */
export const ownerField = () =>
  field(z.enum(['merchant', 'platform']).default('merchant'), { label: 'Owner', help: 'platform: the shared account; its sends are charged extra' });
/** The account's send rate, where the provider's default may be raised or lowered. */
export const rateLimitField = () =>
  field(z.number().int().min(1).max(10_000).optional(), { label: 'Messages per second', help: 'leave empty for the provider’s default' });

export interface FieldDescription {
  name: string;
  type: 'string' | 'number' | 'enum';
  required: boolean;
  secret: boolean;
  label: string;
  help: string | null;
  example: string | number | null;
  format: 'url' | 'email' | null;
  options: string[] | null;
}

/** The metadata of a field: on the schema itself or on the schema an optional/default wraps. */
function metaOf(schema: z.ZodType): { meta: FieldMeta | undefined; inner: z.ZodType; required: boolean } {
  let current: z.ZodType = schema;
  let meta = fieldMeta.get(current);
  let required = true;
  for (;;) {
    if (current instanceof z.ZodOptional || current instanceof z.ZodDefault) {
      required = false;
      current = current.unwrap() as z.ZodType;
      meta ??= fieldMeta.get(current);
    } else break;
  }
  return { meta, inner: current, required };
}

/** Every field of a connect form, in order, described for forms (GET /v1/providers). */
export function describeFields(schema: z.ZodObject): FieldDescription[] {
  return Object.entries(schema.shape as Record<string, z.ZodType>).map(([name, s]) => {
    const { meta, inner, required } = metaOf(s);
    const options = inner instanceof z.ZodEnum ? (inner.options as string[]) : null;
    return {
      name,
      type: options ? 'enum' : inner instanceof z.ZodNumber ? 'number' : 'string',
      required,
      secret: meta?.secret ?? false,
      label: meta?.label ?? name,
      help: meta?.help ?? null,
      example: meta?.example ?? null,
      format: meta?.format ?? null,
      options,
    };
  });
}
