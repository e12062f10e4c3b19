// Signed-webhook acknowledgement latency while sign-ins with made-up e-mail addresses flood the hub.
//
// The hub runs in its own process (`src/cli/main.ts start --role all` of the checkout given by --root, so the
// same script measures another branch for a before/after figure); this process sends signed generic-source
// webhooks at a steady rate and, in the second phase, sign-ins at --rate per second (open loop: a slow answer
// does not slow the flood down), and prints the webhook acknowledgement latency of each phase.
//
//   npx tsx bench/signin-flood.ts [--root <checkout>] [--rate 23] [--webhooks 20] [--seconds 15]
//                                 [--hub-env KEY=VALUE]...
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { execFileSync, spawn } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { REPO_ROOT, percentile, sortedNumbers } from './common.js';

const { values: args } = parseArgs({
  args: process.argv.slice(2),
  options: {
    root: { type: 'string', default: REPO_ROOT },
    rate: { type: 'string', default: '23' },
    webhooks: { type: 'string', default: '20' },
    seconds: { type: 'string', default: '15' },
    'hub-env': { type: 'string', multiple: true, default: [] },
  },
});

const root = path.resolve(args.root!);
const rate = Number(args.rate);
const webhookRate = Number(args.webhooks);
const seconds = Number(args.seconds);

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shoptalk-signin-flood-'));
const port = await freePort();
const env: Record<string, string> = { ...(process.env as Record<string, string>), SHOPTALK_DATA_DIR: dataDir, HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn' };
delete env['DATABASE_URL'];
delete env['REDIS_URL'];
for (const kv of args['hub-env'] as string[]) {
  const i = kv.indexOf('=');
  env[kv.slice(0, i)] = kv.slice(i + 1);
}
const cli = (...a: string[]) => execFileSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...a], { cwd: root, env, encoding: 'utf8' });
const workspaceId = cli('workspace', 'create', 'Bench').split('\t')[0]!;
const key = cli('api-key', 'create', '--workspace', workspaceId).split('\n')[1]!;

const hub = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'start', '--role', 'all'], { cwd: root, env, stdio: ['ignore', 'ignore', 'inherit'] });
const base = `http://127.0.0.1:${port}`;
for (let i = 0; ; i++) {
  try {
    if ((await fetch(`${base}/healthz`)).ok) break;
  } catch {
    /* not listening yet */
  }
  if (i > 300) throw new Error('the hub did not start');
  await new Promise((r) => setTimeout(r, 100));
}

const created = (await (
  await fetch(`${base}/v1/store-connections`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ platform: 'generic', name: 'Bench ERP' }) })
).json()) as { webhook_url: string; signing_secret: string };

let seq = 0;
/** One signed generic-source event (Shoptalk-Signature: t=…,v1=HMAC-SHA256(secret, "t.body")); resolves to its ack latency. */
async function webhook(): Promise<number> {
  seq += 1;
  const body = JSON.stringify({ type: 'order.placed', idempotency_key: `bench-${seq}-${randomBytes(4).toString('hex')}`, order: { id: `o${seq}`, name: `#${seq}` } });
  const t = Math.floor(Date.now() / 1000);
  const signature = `t=${t},v1=${createHmac('sha256', created.signing_secret).update(`${t}.${body}`).digest('hex')}`;
  const started = performance.now();
  const res = await fetch(`${base}${new URL(created.webhook_url).pathname}`, { method: 'POST', headers: { 'content-type': 'application/json', 'shoptalk-signature': signature }, body });
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`webhook answered ${res.status}`);
  return performance.now() - started;
}

const signInStatuses = new Map<string, number>();
async function signIn(): Promise<void> {
  try {
    const res = await fetch(`${base}/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: `nobody-${randomBytes(6).toString('hex')}@flood.example`, password: 'guess guess guess' }) });
    await res.arrayBuffer();
    signInStatuses.set(String(res.status), (signInStatuses.get(String(res.status)) ?? 0) + 1);
  } catch (err) {
    signInStatuses.set('error', (signInStatuses.get('error') ?? 0) + 1);
    void err;
  }
}

/** Runs `fn` every 1000/perSecond ms for the given time, without waiting for answers; collects the results. */
async function openLoop<T>(perSecond: number, ms: number, fn: () => Promise<T>): Promise<T[]> {
  const pending: Array<Promise<T>> = [];
  const start = performance.now();
  for (let i = 0; performance.now() - start < ms; i++) {
    pending.push(fn());
    const next = start + ((i + 1) * 1000) / perSecond;
    await new Promise((r) => setTimeout(r, Math.max(0, next - performance.now())));
  }
  return Promise.all(pending);
}

const summary = (label: string, latencies: number[]) => {
  const s = sortedNumbers(latencies);
  return `${label.padEnd(22)} n=${String(s.length).padStart(4)}  p50 ${percentile(s, 50).toFixed(1).padStart(7)} ms  p99 ${percentile(s, 99).toFixed(1).padStart(7)} ms  max ${s[s.length - 1]!.toFixed(1).padStart(7)} ms`;
};

try {
  await openLoop(webhookRate, 2000, webhook); // warm-up
  const quiet = await openLoop(webhookRate, seconds * 1000, webhook);
  const flood = openLoop(rate, seconds * 1000, signIn);
  const during = await openLoop(webhookRate, seconds * 1000, webhook);
  await flood;
  console.log(`hub: ${root}  sign-in flood: ${rate}/s  webhooks: ${webhookRate}/s  ${args['hub-env']!.length ? `env: ${(args['hub-env'] as string[]).join(' ')}` : ''}`);
  console.log(summary('webhook ack, quiet', quiet));
  console.log(summary('webhook ack, flooded', during));
  console.log(`sign-in answers: ${[...signInStatuses].map(([s, n]) => `${s}×${n}`).join(', ')}`);
} finally {
  hub.kill('SIGTERM');
  await new Promise((r) => hub.once('exit', r));
  fs.rmSync(dataDir, { recursive: true, force: true });
}
