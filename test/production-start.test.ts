// A production start loads no simulator: `shoptalk start` without --sandbox, run as a real child process with a
// module hook that records every module it loads. The same start with --sandbox loads them, so the check
// cannot pass by recording nothing.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir, waitFor } from './support/services.js';

const root = path.resolve(import.meta.dirname, '..');

/** Starts the hub with these arguments until its banner says `ready`, stops it, and returns what it loaded. */
async function loadedModules(args: string[], ready: string): Promise<string[]> {
  const dataDir = tempDir('shoptalk-loads');
  const record = path.join(dataDir, 'loaded.txt');
  const child = spawn(process.execPath, ['--import', 'tsx', '--import', './test/support/load-recorder.mjs', 'src/cli/main.ts', 'start', ...args], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', SHOPTALK_DATA_DIR: dataDir, LOG_LEVEL: 'warn', PORT: '0', SHOPTALK_SANDBOX_PORT: '0', LOAD_RECORD_FILE: record },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
  try {
    await waitFor(() => out.includes(ready), { timeoutMs: 60_000, what: `"${ready}" from shoptalk start ${args.join(' ')}` });
  } finally {
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
  }
  return fs
    .readFileSync(record, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((url) => (url.startsWith('file:') ? path.relative(root, fileURLToPath(url)).split(path.sep).join('/') : url));
}

/** What only the sandbox may load: the simulators, src/sandbox, and the SMTP server the mail simulator runs. */
const sandboxOnly = (module: string) =>
  module.endsWith('/simulator.ts') || module.startsWith('src/sandbox/') || module.includes('node_modules/smtp-server/');

describe('production start', () => {
  it('loads no simulator, nothing of src/sandbox and no smtp-server; --sandbox loads them', async () => {
    const production = await loadedModules([], 'Shoptalk all is running');
    // The recorder saw the hub itself, the adapters and their packages.
    expect(production).toContain('src/app.ts');
    expect(production).toContain('src/adapters/channels/email-smtp/adapter.ts');
    expect(production.some((m) => m.includes('node_modules/nodemailer/'))).toBe(true);
    expect(production.filter(sandboxOnly)).toEqual([]);

    const sandbox = await loadedModules(['--sandbox'], 'Demo API key');
    expect(sandbox).toContain('src/sandbox/sandbox.ts');
    expect(sandbox).toContain('src/sandbox/phone.ts');
    expect(sandbox).toContain('src/adapters/channels/email-smtp/simulator.ts');
    expect(sandbox.filter((m) => m.endsWith('/simulator.ts')).length).toBeGreaterThanOrEqual(12);
    expect(sandbox.some((m) => m.includes('node_modules/smtp-server/'))).toBe(true);
  }, 150_000);
});
