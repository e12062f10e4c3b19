// The shoptalk command (as a real child process) and dead jobs through the API and the CLI.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueue } from '../src/storage/outbox.js';
import type { MerchantSetup, TestHub } from './support/hub.js';
import { setUpMerchant, startTestHub } from './support/hub.js';
import { shoptalk } from './support/cli.js';
import { tempDir, waitFor } from './support/services.js';

const root = path.resolve(import.meta.dirname, '..');

describe('shoptalk command', () => {
  it('migrates, creates a workspace and an API key, and refuses bad configuration by name', async () => {
    const env = { SHOPTALK_DATA_DIR: tempDir('shoptalk-cli'), LOG_LEVEL: 'warn' };
    const migrated = await shoptalk(['migrate'], env);
    expect(migrated.stdout).toContain('Applied: 0001_foundation');
    expect((await shoptalk(['migrate'], env)).stdout).toContain('up to date');

    const ws = await shoptalk(['workspace', 'create', 'Acme', 'Shoes'], env);
    expect(ws.code).toBe(0);
    const [workspaceId, name] = ws.stdout.trim().split('\t');
    expect(workspaceId).toMatch(/^ws_/);
    expect(name).toBe('Acme Shoes');
    expect((await shoptalk(['workspace', 'list'], env)).stdout).toContain(workspaceId);

    const key = await shoptalk(['api-key', 'create', '--workspace', workspaceId!, '--name', 'ci'], env);
    expect(key.stdout).toMatch(/\nstk_[A-Za-z0-9_-]+\n/);
    expect((await shoptalk(['jobs', 'dead'], env)).stdout).toContain('No dead jobs.');

    const bad = await shoptalk(['start'], { ...env, PORT: 'eighty', SHOPTALK_WORKER_CONCURRENCY: '-1' });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('PORT');
    expect(bad.stderr).toContain('SHOPTALK_WORKER_CONCURRENCY');
    const pg = await shoptalk(['migrate'], { ...env, DATABASE_URL: 'postgres://nobody@127.0.0.1:1/x' });
    expect(pg.stderr).toContain('SHOPTALK_MASTER_KEY');
  }, 120_000);
});

describe('sandbox', () => {
  it('start --sandbox prints the URLs and a demo key, and demo shows the buyer’s WhatsApp message', async () => {
    const port = 20000 + Math.floor(Math.random() * 20000);
    const env = { SHOPTALK_DATA_DIR: tempDir('shoptalk-sandbox'), LOG_LEVEL: 'warn', PORT: String(port), SHOPTALK_SANDBOX_PORT: String(port + 1) };
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'start', '--sandbox'], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      await waitFor(() => out.includes('curl -s'), { timeoutMs: 60_000, what: 'sandbox banner' });
      expect(out).toContain(`API docs:     http://127.0.0.1:${port}/docs`);
      const key = /Demo API key:\s+(stk_\S+)/.exec(out)?.[1];
      expect(key).toBeTruthy();
      const me = await fetch(`http://127.0.0.1:${port}/v1/workspace`, { headers: { authorization: `Bearer ${key}` } });
      expect(((await me.json()) as { name: string }).name).toBe('Demo Store');

      const demo = await shoptalk(['demo'], env);
      expect(demo.code).toBe(0);
      expect(demo.stdout).toMatch(/Placed order #\d+ in the simulated Shopify store demo-store\.myshopify\.com\./);
      expect(demo.stdout).toMatch(/WhatsApp message to \+\d+ \(template order_placed\):/);
      expect(demo.stdout).toContain('thank you for your order');
      expect(demo.stdout).not.toContain('temporary');
    } finally {
      child.kill('SIGTERM');
    }
  }, 120_000);
});

describe('dead jobs', () => {
  let t: TestHub;
  let m: MerchantSetup;
  beforeAll(async () => {
    t = await startTestHub({ name: 'sqlite', db: 'sqlite', redis: false });
    m = await setUpMerchant(t, { enable: false });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('are listed with their reason per workspace and can be re-driven from the API and the CLI', async () => {
    const { id: jobId } = await t.hub.storage.transaction((tx) => enqueue(tx, { type: 'message.send', workspaceId: m.workspaceId, payload: { wrong: true } }));
    t.hub.queue.notify();
    const dead = await waitFor(async () => {
      const res = await t.api<{ data: Array<{ id: string; last_error: string; attempts: number }> }>('GET', '/v1/jobs/dead', m.key);
      return res.body.data.find((j) => j.id === jobId);
    }, { what: 'dead job' });
    expect(dead.last_error).toContain('invalid message.send payload');
    expect(dead.attempts).toBe(1);

    const other = await setUpMerchant(t, { enable: false });
    expect((await t.api<{ data: unknown[] }>('GET', '/v1/jobs/dead', other.key)).body.data).toEqual([]);
    expect((await t.api('POST', `/v1/jobs/${jobId}/redrive`, other.key)).status).toBe(404);

    const redriven = await t.api<{ status: string }>('POST', `/v1/jobs/${jobId}/redrive`, m.key);
    expect(redriven.status).toBe(202);
    // It fails the same way again, and is back on the dead list.
    await waitFor(async () => (await t.api<{ data: Array<{ id: string }> }>('GET', '/v1/jobs/dead', m.key)).body.data.some((j) => j.id === jobId), { what: 'dead again' });

    const env = { SHOPTALK_DATA_DIR: t.db.dataDir, LOG_LEVEL: 'warn' };
    const listed = await shoptalk(['jobs', 'dead', '--workspace', m.workspaceId], env);
    expect(listed.stdout).toContain(jobId);
    expect(listed.stdout).toContain('invalid message.send payload');
    const cli = await shoptalk(['jobs', 'redrive', jobId], env);
    expect(cli.stdout).toContain(`Job ${jobId} will run again.`);
    expect((await shoptalk(['jobs', 'redrive', 'job_nope'], env)).stderr).toContain('no dead job job_nope');
  }, 120_000);
});
