// Serves the built console (console/dist) at /: files by path, and index.html for the console's own routes.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';

const DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../console/dist');
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

export async function consoleRoutes(app: FastifyInstance): Promise<void> {
  const index = path.join(DIST, 'index.html');
  app.get('/*', { schema: { hide: true } }, async (req, reply) => {
    const wanted = decodeURIComponent((req.url.split('?')[0] ?? '/').replace(/^\/+/, ''));
    // API and webhook paths that matched no route are real 404s, not console pages.
    if (/^(v1|webhooks|docs|unsubscribe|csat)(\/|$)/.test(wanted)) return reply.callNotFound();
    if (!fs.existsSync(index)) {
      return reply.status(404).type('text/plain').send('The console is not built: run `npm run build:console` (npm start does it).');
    }
    const file = path.resolve(DIST, wanted);
    // Only files inside the build folder; anything else is a console route, answered with the app.
    if (wanted && file.startsWith(DIST + path.sep) && fs.existsSync(file) && fs.statSync(file).isFile()) {
      const hashed = wanted.startsWith('assets/');
      return reply
        .header('cache-control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache')
        .type(TYPES[path.extname(file)] ?? 'application/octet-stream')
        .send(fs.createReadStream(file));
    }
    return reply.header('cache-control', 'no-cache').type(TYPES['.html']!).send(fs.createReadStream(index));
  });
}
