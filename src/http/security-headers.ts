// Security headers on every response (console, API, docs, unsubscribe pages): a Content-Security-Policy
// without inline script, no framing, nosniff, no referrer, and HSTS when the public URL is https.
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import helmet from '@fastify/helmet';

/** The one stylesheet of the hub's own small HTML pages (unsubscribe); allowed in the CSP by its hash. */
export const PAGE_STYLE = 'body{font-family:sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem}';
const PAGE_STYLE_HASH = `'sha256-${createHash('sha256').update(PAGE_STYLE).digest('base64')}'`;

/** A small HTML page of the hub (no script), styled by PAGE_STYLE. */
export const htmlPage = (title: string, body: string): string =>
  `<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${title}</title><style>${PAGE_STYLE}</style></head><body>${body}</body></html>`;

const directives = (https: boolean, extra: { styleSrc: string[] }) => ({
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  scriptSrcAttr: ["'none'"],
  styleSrc: ["'self'", ...extra.styleSrc],
  imgSrc: ["'self'", 'data:'],
  fontSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  ...(https ? { upgradeInsecureRequests: [] } : {}),
});

/** Serialises directives the way a header carries them (for the docs, whose plugin sets its own header). */
function serialise(d: Record<string, string[]>): string {
  return Object.entries(d)
    .map(([k, v]) => [k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`), ...v].join(' '))
    .join('; ');
}

/**
 * Swagger UI (at /docs) loads only its own files, but its React code sets style attributes that a strict
 * style-src would block; its policy allows inline style, never inline script.
 */
export const docsCsp = (publicUrl: string): string => serialise(directives(publicUrl.startsWith('https://'), { styleSrc: ["'unsafe-inline'"] }));

export async function registerSecurityHeaders(app: FastifyInstance, publicUrl: string): Promise<void> {
  const https = publicUrl.startsWith('https://');
  await app.register(helmet, {
    global: true,
    contentSecurityPolicy: { useDefaults: false, directives: directives(https, { styleSrc: [PAGE_STYLE_HASH] }) },
    // Sent only over https: browsers ignore it on plain http, and a wrong one would lock a site out of http.
    strictTransportSecurity: https ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    // Unsubscribe links carry a token in the path: no page of the hub tells another site where it came from.
    referrerPolicy: { policy: 'no-referrer' },
    xFrameOptions: { action: 'deny' },
    crossOriginEmbedderPolicy: false,
  });
}
