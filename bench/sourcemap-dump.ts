// Preloaded into the hub only when the bench profiles it (`node --import tsx --import ./bench/sourcemap-dump.ts`).
// tsx compiles src/*.ts with whitespace minified, so the line numbers in a .cpuprofile point into that
// output, not into the TypeScript. At exit this writes the source map of every loaded src/ module to
// $BENCH_SOURCEMAP_OUT, and bench/profile-summary.ts maps the profile's positions back to file:line.
import fs from 'node:fs';
import path from 'node:path';
import { findSourceMap } from 'node:module';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from './common.js';

const out = process.env['BENCH_SOURCEMAP_OUT'];

function walk(dir: string, files: string[] = []): string[] {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full, files);
    else if (entry.name.endsWith('.ts')) files.push(full);
  }
  return files;
}

if (out) {
  process.on('exit', () => {
    const maps: Record<string, unknown> = {};
    for (const file of walk(path.join(REPO_ROOT, 'src'))) {
      const url = pathToFileURL(file).href;
      const map = findSourceMap(url);
      if (map) maps[url] = map.payload;
    }
    fs.writeFileSync(out, JSON.stringify(maps));
  });
}
