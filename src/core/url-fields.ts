// One rule for every URL a workspace stores or the hub puts in a button or a message: http or https only.
// `javascript:`, `data:`, `file:` and every other scheme are refused with a 400 naming the field. (Whether an
// http(s) destination the hub itself calls may be internal is a separate check, made when it connects.)
import { z } from 'zod';

export const HTTP_URL_PROBLEM = 'must be an http:// or https:// URL (javascript:, data: and other schemes are refused)';

export function isHttpUrl(value: string): boolean {
  if (!/^https?:\/\//i.test(value)) return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname.length > 0;
  } catch {
    return false;
  }
}

/** A zod string that must be an absolute http(s) URL of at most `max` characters. */
export const httpUrl = (max = 2000) => z.string().trim().max(max).refine(isHttpUrl, HTTP_URL_PROBLEM);
