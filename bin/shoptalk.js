#!/usr/bin/env node
// The installed `shoptalk` command: runs the compiled CLI (dist/, built by `npm run build`) with plain node, so
// an installation needs neither tsx nor any other development dependency. From a clone, `npm run shoptalk --
// <command>` runs the TypeScript sources through tsx instead, and never a dist/ that may be older than them.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
if (!fs.existsSync(main)) {
  process.stderr.write(
    'shoptalk: dist/cli/main.js is missing. Run `npm run build` first, or from a clone run the sources with ' +
      '`npm run shoptalk -- <command>`.\n',
  );
  process.exit(1);
}
await import(new URL('../dist/cli/main.js', import.meta.url).href);
