// Schemas for the credential fields of connections. Tokens, keys, secrets and provider ids are sent to the
// provider in HTTP headers (or URLs): a character that cannot go there (CR, LF, NUL and other controls,
// anything outside printable ASCII) would make every request fail, and would surface as "provider
// unavailable". They are refused when saved instead, naming the field and the character, never the value.
import { z } from 'zod';
import { headerValueProblem, providerTextProblem } from '../core/connections/credential-text.js';

/** A token, key, secret or provider id: printable ASCII only, as it goes into HTTP headers. */
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
