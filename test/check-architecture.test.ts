// scripts/check-architecture.ts: the layer rules hold in this repository, and a tree that breaks them is reported
// import by import, with its cycles, and fails the command.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { checkArchitecture, formatReport } from '../scripts/check-architecture.js';
import { tempDir } from './support/services.js';

const root = path.resolve(import.meta.dirname, '..');

/** A project tree with these files under src. */
function tree(files: Record<string, string>): string {
  const dir = tempDir('shoptalk-architecture');
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, 'src', file)), { recursive: true });
    fs.writeFileSync(path.join(dir, 'src', file), text);
  }
  return dir;
}

const broken = {
  'core/jobs.ts': "import type { Driver } from '../queue/port.js';\nexport const n = 1;\n",
  'core/orders.ts': "import { sql } from 'kysely';\nimport { z } from 'zod';\nexport const q = [sql, z];\n",
  'queue/port.ts': "import { n } from '../core/jobs.js';\nexport type Driver = { n: typeof n };\n",
  'adapters/channels/chat/index.ts': "export { ChatAdapter } from './adapter.js';\nexport { ChatSimulator } from './simulator.js';\n",
  'adapters/channels/chat/adapter.ts': 'export class ChatAdapter {}\n',
  'adapters/channels/chat/simulator.ts': "import { SMTPServer } from 'smtp-server';\nimport { ChatAdapter } from './adapter.js';\nexport class ChatSimulator { s = [SMTPServer, ChatAdapter]; }\n",
  'adapters/channels/chat/chat.test.ts': "import { ChatSimulator } from './simulator.js';\nimport '../../../../test/support/x.js';\nexport const t = ChatSimulator;\n",
  'http/app.ts': "import { ChatSimulator } from '../adapters/channels/chat/simulator.js';\nexport const s = ChatSimulator;\n",
  'cli/main.ts': "import type { Sims } from '../sandbox/sandbox.js';\nimport { start } from '../sandbox/sandbox.js';\nexport const later = () => import('../sandbox/sandbox.js');\nexport type S = Sims;\nexport const go = start;\n",
  'sandbox/sandbox.ts': "export type Sims = string;\nexport const start = () => 1;\n",
};

describe('architecture check', () => {
  it('passes on this repository', () => {
    const report = checkArchitecture(root);
    expect(formatReport(report)).toBe('');
    expect(report.edges.length).toBeGreaterThan(500);
    // It sees the imports that the rules are about.
    expect(report.edges).toContainEqual(expect.objectContaining({ file: 'src/cli/main.ts', from: 'cli', to: 'sandbox', kind: 'dynamic' }));
    expect(report.edges).toContainEqual(expect.objectContaining({ file: 'src/queue/sql-driver.ts', from: 'queue', to: 'core', target: 'src/core/jobs.ts' }));
  });

  it('reports each forbidden import with its file, line and rule, and each cycle between layers', () => {
    const report = checkArchitecture(tree(broken));
    const lines = formatReport(report).split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        'src/core/jobs.ts:1: imports the types of ../queue/port.js — core may not import queue (core may import: nothing outside itself)',
        expect.stringMatching(/^src\/core\/orders\.ts:1: imports kysely — core imports only zod, .*$/),
        expect.stringMatching(/^src\/adapters\/channels\/chat\/index\.ts:2: imports \.\/simulator\.js — adapters may not import sandbox/),
        expect.stringMatching(/^src\/http\/app\.ts:1: imports \.\.\/adapters\/channels\/chat\/simulator\.js — http may not import sandbox/),
        'src/cli/main.ts:2: imports ../sandbox/sandbox.js — cli imports sandbox only with `import type` or a dynamic import()',
        'cycle between layers: core → queue → core',
        'cycle between layers: adapters → sandbox → adapters',
      ]),
    );
    // Allowed: zod in the core, smtp-server and the adapter in a simulator, the sandbox's types and a dynamic
    // import of it in the CLI, anything in a test.
    const allowed = report.violations.filter(
      (v) => ['zod', 'smtp-server', 'src/adapters/channels/chat/adapter.ts'].includes(v.edge.target) || v.edge.file.endsWith('.test.ts') || (v.edge.file === 'src/cli/main.ts' && v.edge.kind !== 'static'),
    );
    expect(allowed).toEqual([]);
    expect(report.violations).toHaveLength(5);
  });

  it('fails the command with the list of offending imports', async () => {
    const dir = tree(broken);
    const result = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/check-architecture.ts', dir], { cwd: root }).then(
      () => ({ code: 0, stderr: '' }),
      (err: { code: number; stderr: string }) => ({ code: err.code, stderr: err.stderr }),
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Architecture check failed: 5 forbidden import(s), 2 cycle(s) between layers');
    expect(result.stderr).toContain('src/core/jobs.ts:1: imports the types of ../queue/port.js — core may not import queue');
  });
});
