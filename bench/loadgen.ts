// The load generator, in its own process: POSTs pre-built signed Shopify webhooks to a URL through an
// undici Pool with a fixed number of connections, and prints one JSON line (LoadReport) on stdout.
//   tsx bench/loadgen.ts --file <load.json> --url <webhook URL> --connections 64 [--rate <per second>]
// Closed loop (default): one request in flight per connection, the next sent as soon as one is answered.
// Open loop (--rate): requests are started on a fixed schedule whatever the answers do, and the latency is
// counted from the scheduled time, so a stalled server cannot hide its queueing (no coordinated omission).
import fs from 'node:fs';
import { Pool } from 'undici';
import type { LoadFile, LoadReport } from './common.js';
import { argValue, requireArg, wallNow } from './common.js';

const argv = process.argv.slice(2);
const file = JSON.parse(fs.readFileSync(requireArg(argv, 'file'), 'utf8')) as LoadFile;
const target = new URL(requireArg(argv, 'url'));
const connections = Number(argValue(argv, 'connections') ?? 64);
const rate = argValue(argv, 'rate') ? Number(argValue(argv, 'rate')) : null;

const n = file.webhooks.length;
// Bodies become Buffers before the clock starts, so encoding is not paid inside the measured loop.
const requests = file.webhooks.map((w) => ({ body: Buffer.from(w.body, 'utf8'), headers: w.headers }));
const pool = new Pool(target.origin, { connections, pipelining: 1, keepAliveTimeout: 60_000 });
const path = target.pathname + target.search;

const sendAt = new Array<number>(n).fill(NaN);
const ackMs = new Array<number>(n).fill(NaN);
const failures: Record<string, number> = {};
let ok = 0;
let lastAckAt = 0;

async function send(i: number, startedAt: number): Promise<void> {
  const req = requests[i]!;
  sendAt[i] = startedAt;
  try {
    const res = await pool.request({ method: 'POST', path, headers: req.headers, body: req.body });
    await res.body.dump();
    const done = wallNow();
    if (res.statusCode === 200) {
      ok++;
      ackMs[i] = done - startedAt;
      lastAckAt = Math.max(lastAckAt, done);
    } else {
      failures[`HTTP ${res.statusCode}`] = (failures[`HTTP ${res.statusCode}`] ?? 0) + 1;
    }
  } catch (err) {
    const key = `error: ${err instanceof Error ? err.message : String(err)}`;
    failures[key] = (failures[key] ?? 0) + 1;
  }
}

async function closedLoop(): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      await send(i, wallNow());
    }
  };
  await Promise.all(Array.from({ length: Math.min(connections, n) }, worker));
}

async function openLoop(perSecond: number): Promise<void> {
  const start = wallNow();
  const inFlight: Array<Promise<void>> = [];
  let next = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = wallNow();
      // Everything due by now goes out, stamped with its scheduled time.
      while (next < n && start + (next * 1000) / perSecond <= now) {
        inFlight.push(send(next, start + (next * 1000) / perSecond));
        next++;
      }
      if (next >= n) resolve();
      else setTimeout(tick, 1);
    };
    tick();
  });
  await Promise.all(inFlight);
}

function finiteOrNull(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

const cpuBefore = process.cpuUsage();
const firstSendAt = wallNow();
await (rate ? openLoop(rate) : closedLoop());
const cpu = process.cpuUsage(cpuBefore);
await pool.close();

const report: LoadReport = {
  sent: n,
  ok,
  errors: n - ok,
  failures,
  sendAt: sendAt.map(finiteOrNull),
  ackMs: ackMs.map(finiteOrNull),
  firstSendAt: sendAt.reduce((min, t) => (t < min ? t : min), firstSendAt),
  lastAckAt,
  cpuMs: (cpu.user + cpu.system) / 1000,
  cpuTotalMs: (process.cpuUsage().user + process.cpuUsage().system) / 1000,
};
process.stdout.write(JSON.stringify(report) + '\n');
