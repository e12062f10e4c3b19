// Makes `npm start` and `npm test` work right after a clone: installs the locked dependencies when they are
// missing or the lockfile changed since the last install, and builds the console when its sources are newer
// than its bundle. Does nothing when both are up to date.
import { execSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
// npm writes node_modules/.package-lock.json on every install; it is older than the lockfile only when
// the lockfile changed (a pull, a checkout) after the last install.
const hidden = path.join(root, 'node_modules', '.package-lock.json');
const lock = path.join(root, 'package-lock.json');
if (!fs.existsSync(hidden) || fs.statSync(hidden).mtimeMs < fs.statSync(lock).mtimeMs) {
  console.log('Installing the locked dependencies (npm ci)...');
  execSync('npm ci --no-audit --no-fund', { cwd: root, stdio: 'inherit' });
}

function newest(dir) {
  let latest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(p) : fs.statSync(p).mtimeMs);
  }
  return latest;
}

const consoleDir = path.join(root, 'console');
const bundle = path.join(consoleDir, 'dist', 'index.html');
const sources = Math.max(
  newest(path.join(consoleDir, 'src')),
  ...['index.html', 'vite.config.ts', 'tsconfig.json'].map((f) => fs.statSync(path.join(consoleDir, f)).mtimeMs),
);
if (!fs.existsSync(bundle) || fs.statSync(bundle).mtimeMs < sources) {
  console.log('Building the console...');
  execSync('npm run build:console --silent', { cwd: root, stdio: 'inherit' });
}
