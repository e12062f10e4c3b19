// Keeps `npm run bench` working: short runs (N = 500) of the order scenario on SQLite against the relay, the
// chat scenario on SQLite, and PostgreSQL + Redis with one api and one worker process when they are available.
// Only correctness is asserted (every message exactly once, the table and the reproduce command printed);
// the figures of a short run on a shared machine mean nothing, and no timing is ever asserted.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { TEST_PG_URL, postgresAvailable, redisAvailable } from './support/services.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const N = 500;
const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shoptalk-bench-smoke-'));

afterAll(() => fs.rmSync(outDir, { recursive: true, force: true }));

interface BenchRun {
  code: number | null;
  stdout: string;
  stderr: string;
  results: {
    command: string;
    results: Array<{ name: string; kind: string; stats: { n: number; delivered: number; missing: number; duplicates: number; unexpected: number; webhookErrors: number; windows: unknown; cpuPerMessageMs: { total: number } } }>;
  };
}

function bench(name: string, benchArgs: string[]): Promise<BenchRun> {
  const out = path.join(outDir, `${name}.json`);
  // --window 200 exercises the first/last comparison of long runs on a short one.
  const argv = ['--import', 'tsx', 'bench/run.ts', '--n', String(N), '--warmup', '50', '--window', '200', '--out', out, ...benchArgs];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, argv, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.on('error', reject);
    child.on('exit', (code) => {
      const results = fs.existsSync(out) ? (JSON.parse(fs.readFileSync(out, 'utf8')) as BenchRun['results']) : ({ command: '', results: [] } as BenchRun['results']);
      resolve({ code, stdout, stderr, results });
    });
  });
}

function expectExact(run: BenchRun, configurations: string[]): void {
  expect(run.stderr + run.stdout).not.toMatch(/^bench: .*(failed|exited|Error)/m);
  expect(run.code).toBe(0);
  expect(run.results.results.map((r) => r.name)).toEqual(configurations);
  for (const r of run.results.results) {
    expect({ name: r.name, n: r.stats.n, delivered: r.stats.delivered, missing: r.stats.missing, duplicates: r.stats.duplicates, unexpected: r.stats.unexpected, webhookErrors: r.stats.webhookErrors }).toEqual({
      name: r.name,
      n: N,
      delivered: N,
      missing: 0,
      duplicates: 0,
      unexpected: 0,
      webhookErrors: 0,
    });
    expect(r.stats.cpuPerMessageMs.total).toBeGreaterThan(0);
    expect(r.stats.windows).not.toBeNull();
  }
  // The table, the long-run comparison, the targets and the command that reproduces the run.
  expect(run.stdout).toMatch(/^configuration\s+(messages|replies)\/s\s+÷ relay .*CPU\/msg/m);
  expect(run.stdout).toContain('Long run: the first and the last 200 messages');
  for (const name of configurations) expect(run.stdout).toContain(name);
  const reproduce = /^Reproduce: (npm run bench -- .+)$/m.exec(run.stdout)?.[1];
  expect(reproduce).toBe(run.results.command);
  expect(reproduce).toContain(`--n ${N}`);
}

describe('npm run bench (smoke, N = 500)', () => {
  it('orders on SQLite against the relay: every message exactly once, the table and the reproduce command printed', { timeout: 240_000 }, async () => {
    const run = await bench('orders-sqlite', ['--db', 'sqlite']);
    expectExact(run, ['relay (ceiling, best of 2)', 'hub sqlite, one process']);
    expect(run.stdout).toMatch(/^Targets, hub sqlite, one process:\n {2}(ok {2}|MISS|n\/a ) messages\/s ÷ relay ≥ 0\.5/m);
  });

  it('the chat scenario on SQLite: one reply per customer message, many conversations at once', { timeout: 240_000 }, async () => {
    const run = await bench('chat-sqlite', ['--scenario', 'chat', '--customers', '100', '--db', 'sqlite', '--no-relay']);
    expectExact(run, ['hub sqlite, one process']);
    expect(run.stdout).toContain('bot replies out');
    expect(run.stdout).toContain('--scenario chat --customers 100');
  });

  // The bench takes the first empty Redis DB from 5 up on the default server and flushes it before and after.
  it.runIf(postgresAvailable && redisAvailable)('PostgreSQL + Redis with one api and one worker process', { timeout: 240_000 }, async () => {
    const run = await bench('orders-postgres', ['--db', 'postgres', '--workers', '1', '--no-relay', '--pg-url', TEST_PG_URL]);
    expectExact(run, ['hub pg+redis, 1 api + 1 worker']);
    expect(run.stdout).toMatch(/peak RSS < 300 MB per process \(api \d+ MB, worker 1 \d+ MB\)/);
  });
});
