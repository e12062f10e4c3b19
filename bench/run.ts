// The throughput benchmark (npm run bench). Two scenarios:
//   orders (default): N signed Shopify order webhooks in, N WhatsApp template messages out;
//   chat (--scenario chat): N signed WhatsApp Cloud inbound messages from --customers distinct customers in,
//     each answered by the bot (a flow module matched by keyword), N replies out.
//
// Processes: the WhatsApp simulator (bench/simulator-process.ts), the hub (`node --import tsx
// src/cli/main.ts start --role all`; on PostgreSQL + Redis one `--role api` process and --workers `--role
// worker` processes), and the load generator (bench/loadgen.ts) each run in their own process; this one only
// orchestrates. The same load generator and simulator also drive bench/relay.ts, a stateless relay that makes
// the same provider call per webhook with no verification, storage or queue: the ceiling of this machine.
//
// Per configuration it reports messages/s, the ratio to the relay of the same run, webhook acknowledgement
// latency, event-to-send latency (simulator receive time − load generator send time), CPU per message in
// core-ms (hub processes + the database's PostgreSQL backends + redis-server, from /proc), peak RSS (VmHWM) of
// each server process, the database's growth per message, and on long runs the first and last --window
// messages compared.
//
//   npm run bench -- [--scenario orders|chat] [--n 10000] [--db sqlite|postgres|both|none] [--workers 1]
//                    [--customers 500] [--window 10000] [--concurrency 32] [--rate <webhooks/s>]
//                    [--warmup 500] [--worker-concurrency 128] [--hub-env KEY=VALUE]... [--profile]
//                    [--no-relay] [--out bench/results/<timestamp>.json]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { Redis } from 'ioredis';
import { ShopifySimulator } from '../src/adapters/stores/shopify/simulator.js';
import type { LoadFile, LoadReport, PreparedWebhook, ReceivedMessage, RelayFile, SimReply, SimRequest } from './common.js';
import { REPO_ROOT, bytesCell, cpuTimeMs, fmt, peakRss, percentile, sortedNumbers, systemBusyMs, wallNow } from './common.js';
import type { CpuSplit, ProgressSample, StorageProbe, StorageSample } from './costs.js';
import { CpuMeter, bytesPerMessage, cpuAtCount, cpuTotal, sampleStorage } from './costs.js';
import { formatSummary, summariseProfile } from './profile-summary.js';
import { exitWithUsage, fail, hubEnv, positiveInt } from './options.js';
import type { Backend } from './processes.js';
import { IpcChild, cleanupAll, exitedEarly, freePort, installSignalHandlers, interrupted, nodeTs, onCleanup, postgresBackend, reachable, runToEnd, sqliteBackend, stopChild, waitForHealth } from './processes.js';

// -------------------------------------------------------------------------------------------------
// Options

const DEFAULT_PG_URL = 'postgres://postgres@127.0.0.1:5432/test';
const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
// The API caps an account's rate limit at 10,000/s (src/http/routes/connections.ts); far above the target.
const ACCOUNT_RATE_LIMIT = 10_000;
const SHOP = 'bench-store.myshopify.com';

const { values: args } = parseArgs({
  args: process.argv.slice(2),
  options: {
    // 10,000 keeps `npm run bench` (relay, SQLite, PostgreSQL + Redis) within about three minutes here.
    n: { type: 'string', default: '10000' },
    warmup: { type: 'string', default: '500' },
    db: { type: 'string' },
    concurrency: { type: 'string', default: '32' },
    rate: { type: 'string' },
    'worker-concurrency': { type: 'string', default: '128' },
    'hub-env': { type: 'string', multiple: true, default: [] },
    'pg-url': { type: 'string', default: DEFAULT_PG_URL },
    'redis-url': { type: 'string' },
    scenario: { type: 'string', default: 'orders' },
    workers: { type: 'string', default: '1' },
    customers: { type: 'string', default: '500' },
    window: { type: 'string', default: '10000' },
    profile: { type: 'boolean', default: false },
    'no-relay': { type: 'boolean', default: false },
    out: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

// The header comment is the usage text.
if (args.help) exitWithUsage(import.meta.url, 'See bench/README.md for every option.');

const N = positiveInt('n', args.n);
const WARMUP = positiveInt('warmup', args.warmup);
const CONCURRENCY = positiveInt('concurrency', args.concurrency);
const RATE = args.rate === undefined ? null : positiveInt('rate', args.rate);
const WORKER_CONCURRENCY = positiveInt('worker-concurrency', args['worker-concurrency']);
if (args.scenario !== 'orders' && args.scenario !== 'chat') fail(`--scenario must be orders or chat (got ${args.scenario})`);
const SCENARIO: 'orders' | 'chat' = args.scenario;
// PostgreSQL + Redis: one api process and this many worker processes (0: one process with --role all). With
// more than one, the one-worker configuration runs too, for the scale-out comparison.
const WORKERS = positiveInt('workers', args.workers, true);
const CUSTOMERS = positiveInt('customers', args.customers);
// Long runs: the first and the last WINDOW messages are compared when N ≥ 2 × WINDOW.
const WINDOW = positiveInt('window', args.window);
const HUB_ENV = hubEnv(args['hub-env']);
if (args.db !== undefined && !['sqlite', 'postgres', 'both', 'none'].includes(args.db)) fail(`--db must be sqlite, postgres, both or none (got ${args.db})`);

const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const OUT = path.resolve(REPO_ROOT, args.out ?? `bench/results/${stamp}.json`);

// -------------------------------------------------------------------------------------------------
// Child processes (the plumbing is bench/processes.ts)

installSignalHandlers();

/** The WhatsApp simulator in its own process (bench/simulator-process.ts). */
class SimulatorProcess {
  private constructor(
    private readonly ipc: IpcChild<SimRequest, SimReply>,
    readonly url: string,
  ) {}

  get child(): ChildProcess {
    return this.ipc.child;
  }

  static async start(phone: { phoneNumberId: string; wabaId: string; accessToken: string; appSecret: string }, maxOutbox: number): Promise<SimulatorProcess> {
    const { ipc, ready } = await IpcChild.fork<SimRequest, SimReply>(
      'bench/simulator-process.ts',
      ['--phone-number-id', phone.phoneNumberId, '--waba-id', phone.wabaId, '--access-token', phone.accessToken, '--app-secret', phone.appSecret, '--max-outbox', String(maxOutbox)],
    );
    return new SimulatorProcess(ipc, ready.url);
  }

  async count(): Promise<number> {
    const r = await this.ipc.ask({ type: 'count' });
    return r.type === 'count' ? r.count : 0;
  }

  async collect(clear: boolean): Promise<ReceivedMessage[]> {
    const r = await this.ipc.ask({ type: 'collect', clear });
    return r.type === 'collect' ? r.messages : [];
  }

  async openWindows(phoneNumberId: string, from: string[]): Promise<void> {
    await this.ipc.ask({ type: 'open-windows', phoneNumberId, from });
  }
}

// -------------------------------------------------------------------------------------------------
// Workload

interface Workload {
  warmupFile: string;
  measuredFile: string;
  relayFile: string;
  warmup: PreparedWebhook[];
  measured: PreparedWebhook[];
  /** Orders: the Shopify webhook secret. */
  webhookSecret: string;
  /**
   * Maps each message the simulator received in a phase to the index of its webhook in that phase (−1 when it
   * belongs to none). Orders: the order name among the template parameters. Chat: the k-th reply to a customer
   * answers that customer's k-th message of the phase (a conversation's turns run one at a time, in order).
   */
  match: (webhooks: PreparedWebhook[], messages: ReceivedMessage[]) => number[];
  /** Chat: the customers (WhatsApp ids) whose service window the simulator must open before each phase. */
  customers: string[];
}

function matchByOrderName(webhooks: PreparedWebhook[], messages: ReceivedMessage[]): number[] {
  const indexByName = new Map(webhooks.map((w, i) => [w.orderName, i]));
  return messages.map((m) => {
    for (const v of m.values) {
      const index = indexByName.get(v);
      if (index !== undefined) return index;
    }
    return -1;
  });
}

function matchByConversation(webhooks: PreparedWebhook[], messages: ReceivedMessage[]): number[] {
  // PreparedWebhook.orderName carries the customer's WhatsApp id in the chat scenario.
  const queues = new Map<string, number[]>();
  webhooks.forEach((w, i) => {
    const q = queues.get(w.orderName);
    if (q) q.push(i);
    else queues.set(w.orderName, [i]);
  });
  const taken = new Map<string, number>();
  const order = messages.map((m, i) => ({ m, i })).sort((a, b) => a.m.at - b.m.at || a.i - b.i);
  const out = new Array<number>(messages.length).fill(-1);
  for (const { m, i } of order) {
    const q = queues.get(m.to);
    if (!q) continue;
    const k = taken.get(m.to) ?? 0;
    taken.set(m.to, k + 1);
    // A reply beyond the customer's messages maps to the last one again: analyse() counts it as a duplicate.
    out[i] = q[Math.min(k, q.length - 1)]!;
  }
  return out;
}

function writeWorkloadFiles(dir: string, all: PreparedWebhook[], relay: RelayFile): Pick<Workload, 'warmupFile' | 'measuredFile' | 'relayFile' | 'warmup' | 'measured'> {
  const warmup = all.slice(0, WARMUP);
  const measured = all.slice(WARMUP);
  const warmupFile = path.join(dir, 'warmup.json');
  const measuredFile = path.join(dir, 'measured.json');
  const relayFile = path.join(dir, 'relay.json');
  fs.writeFileSync(warmupFile, JSON.stringify({ webhooks: warmup } satisfies LoadFile));
  fs.writeFileSync(measuredFile, JSON.stringify({ webhooks: measured } satisfies LoadFile));
  fs.writeFileSync(relayFile, JSON.stringify(relay));
  return { warmupFile, measuredFile, relayFile, warmup, measured };
}

/**
 * Realistic orders from the Shopify simulator, signed like Shopify signs them, each with its own buyer
 * phone number (the simulator's sample buyers include numbers no channel would accept) and webhook id.
 */
async function buildOrderWorkload(dir: string, phone: { phoneNumberId: string; accessToken: string }): Promise<Workload> {
  const shopify = new ShopifySimulator();
  const webhookSecret = randomBytes(24).toString('hex');
  // No subscriptions: placeOrder only builds and keeps the order; nothing is delivered from here.
  shopify.addShop({ domain: SHOP, webhookSecret });
  const all: PreparedWebhook[] = [];
  const sends: Record<string, string> = {};
  for (let i = 0; i < WARMUP + N; i++) {
    const buyerPhone = `+1 415 ${String(2_000_000 + i).slice(0, 3)} ${String(2_000_000 + i).slice(3)}`;
    const { order } = await shopify.placeOrder(SHOP, {
      phone: buyerPhone,
      customer: { phone: buyerPhone },
      shipping_address: { phone: buyerPhone },
      billing_address: { phone: buyerPhone },
    });
    const signed = shopify.signedDelivery(SHOP, 'orders/create', order);
    const webhookId = signed.headers['x-shopify-webhook-id']!;
    all.push({ webhookId, orderName: order.name, body: signed.body, headers: signed.headers });
    // The send the hub makes for this order (adapter.ts sendPayload with the default order_placed binding).
    sends[webhookId] = JSON.stringify({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: buyerPhone.replace(/\D/g, ''),
      type: 'template',
      template: {
        name: 'order_placed',
        language: { code: 'en_US' },
        components: [
          {
            type: 'body',
            parameters: [
              { type: 'text', text: `${order.customer?.first_name ?? ''} ${order.customer?.last_name ?? ''}`.trim() },
              { type: 'text', text: order.name },
              { type: 'text', text: `${order.total_price} ${order.currency}` },
            ],
          },
        ],
      },
    });
  }
  const files = writeWorkloadFiles(dir, all, { phoneNumberId: phone.phoneNumberId, accessToken: phone.accessToken, sends });
  return { ...files, webhookSecret, match: matchByOrderName, customers: [] };
}

/** The chat scenario's flow module: a keyword the customers send, and the text the bot answers with. */
const CHAT_KEYWORD = 'hours';
const CHAT_REPLY = 'We are open every day from 9:00 to 21:00. Orders placed by 15:00 ship the same day.';

/**
 * Inbound WhatsApp Cloud webhooks as Meta posts them (one text message per webhook, signed with the app
 * secret), from CUSTOMERS distinct customers taking turns: message i comes from customer i mod CUSTOMERS,
 * so many conversations run side by side and each customer has at most one message in flight.
 */
function buildChatWorkload(dir: string, phone: PhoneIdentity): Workload {
  const customers = Array.from({ length: Math.min(CUSTOMERS, WARMUP + N) }, (_, i) => `919870${String(100_000 + i).padStart(6, '0')}`);
  const all: PreparedWebhook[] = [];
  const sends: Record<string, string> = {};
  const t0 = Math.floor(Date.now() / 1000);
  for (let i = 0; i < WARMUP + N; i++) {
    const from = customers[i % customers.length]!;
    const id = `wamid.HBgM${randomBytes(12).toString('hex').toUpperCase()}`;
    const envelope = {
      object: 'whatsapp_business_account',
      entry: [
        {
          id: phone.wabaId,
          changes: [
            {
              field: 'messages',
              value: {
                messaging_product: 'whatsapp',
                metadata: { display_phone_number: '15550783881', phone_number_id: phone.phoneNumberId },
                contacts: [{ profile: { name: `Customer ${i % customers.length}` }, wa_id: from }],
                messages: [{ from, id, timestamp: String(t0), type: 'text', text: { body: CHAT_KEYWORD } }],
              },
            },
          ],
        },
      ],
    };
    const body = JSON.stringify(envelope);
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'facebookexternalua',
      'x-hub-signature-256': 'sha256=' + createHmac('sha256', phone.appSecret).update(body).digest('hex'),
      'x-hub-signature': 'sha1=' + createHmac('sha1', phone.appSecret).update(body).digest('hex'),
      // Meta sends no id header; the relay needs one to find its pre-built reply (the hub ignores it).
      'x-bench-id': id,
    };
    all.push({ webhookId: id, orderName: from, body, headers });
    // The reply the hub's bot sends for the keyword module (a text: the module has no buttons).
    sends[id] = JSON.stringify({ messaging_product: 'whatsapp', recipient_type: 'individual', to: from, type: 'text', text: { preview_url: false, body: CHAT_REPLY } });
  }
  const files = writeWorkloadFiles(dir, all, { idHeader: 'x-bench-id', phoneNumberId: phone.phoneNumberId, accessToken: phone.accessToken, sends });
  return { ...files, webhookSecret: '', match: matchByConversation, customers };
}

// -------------------------------------------------------------------------------------------------
// One phase: load generator run, then wait until the simulator has every message (or stops receiving).

/** The processes and the storage of the configuration under test. */
interface Subject {
  /** The server processes (hub processes, or the relay). */
  pids: number[];
  dbNeedles: string[];
  redisNeedles: string[];
  storage: StorageProbe | null;
}

interface PhaseResult {
  load: LoadReport;
  messages: ReceivedMessage[];
  drainedAfterMs: number;
  /** CPU ms used during the phase (first send → every message received, plus a short settle). */
  cpu: CpuSplit;
  simulatorCpuMs: number | null;
  /** Busy cores of the whole machine over the phase. */
  machineCores: number | null;
  /**
   * Cores used by every other process on the machine over the phase (PostgreSQL's shared background
   * processes included): anything else running at the same time takes CPU from the processes under test.
   */
  otherCores: number | null;
  /** Simulator message count and CPU so far, sampled while the phase ran (long runs only). */
  progress: ProgressSample[];
  storageBefore: StorageSample;
  storageAfter: StorageSample;
  /** Cores the configuration used while idle, just before the phase (measured phases only). */
  idleCores: number | null;
  /** The span over which `cpu` was counted. */
  cpuWindowMs: number;
}

const STALL_MS = 20_000;
/** How long the idle CPU of a configuration is measured before its measured phase. */
const IDLE_MS = 3000;
/** How often the long-run windows are sampled. */
const SAMPLE_MS = 100;

async function runPhase(sim: SimulatorProcess, subject: Subject, targetUrl: string, file: string, expected: number, work: Workload, measure: boolean): Promise<PhaseResult> {
  if (work.customers.length > 0) await sim.openWindows(PHONE_NUMBER_ID, work.customers);
  const storageBefore = measure ? await sampleStorage(subject.storage) : { database: null, redis: null };
  const meter = new CpuMeter(subject.pids, subject.dbNeedles, subject.redisNeedles);
  // What the configuration burns doing nothing (job polling, timers, other users of the Redis server): at a low
  // rate it is a large share of the CPU per message, so it is measured before the load starts and shown apart.
  let idleCores: number | null = null;
  if (measure) {
    meter.start();
    const idle0 = wallNow();
    await new Promise((r) => setTimeout(r, IDLE_MS));
    idleCores = cpuTotal(meter.readFinal()) / (wallNow() - idle0);
  }
  meter.start();
  const simCpu0 = cpuTimeMs(sim.child.pid!);
  const system0 = systemBusyMs();
  const own0 = process.cpuUsage();
  const window0 = wallNow();
  const progress: ProgressSample[] = [{ count: 0, cpu: { hub: 0, db: 0, redis: 0 } }];
  let sampling = measure && expected >= 2 * WINDOW;
  const sampler = (async () => {
    while (sampling) {
      await new Promise((r) => setTimeout(r, SAMPLE_MS));
      if (!sampling) break;
      const count = await sim.count();
      progress.push({ count, cpu: meter.read() });
    }
  })();

  const loadArgs = ['--file', file, '--url', targetUrl, '--connections', String(CONCURRENCY), ...(RATE ? ['--rate', String(RATE)] : [])];
  const child = nodeTs('bench/loadgen.ts', loadArgs);
  const release = onCleanup('load generator', () => stopChild(child, 2000));
  let stdout: string;
  try {
    stdout = await runToEnd(child, 'the load generator');
  } finally {
    await release();
  }
  const load = JSON.parse(stdout.trim().split('\n').pop()!) as LoadReport;

  const loadDone = Date.now();
  let last = -1;
  let lastChange = Date.now();
  for (;;) {
    const count = await sim.count();
    if (count >= expected) break;
    if (count !== last) {
      last = count;
      lastChange = Date.now();
    } else if (Date.now() - lastChange > STALL_MS) {
      process.stderr.write(`bench: the simulator received ${count} of ${expected} messages and nothing more for ${STALL_MS / 1000} s; going on\n`);
      break;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  // A short settle: a duplicate send arriving just after the N-th message still gets counted, and the hub
  // finishes recording the last sends (part of their cost).
  await new Promise((r) => setTimeout(r, 300));
  sampling = false;
  await sampler;
  const cpu = meter.readFinal();
  const simCpu1 = cpuTimeMs(sim.child.pid!);
  const system1 = systemBusyMs();
  const own = process.cpuUsage(own0);
  const windowMs = wallNow() - window0;
  progress.push({ count: await sim.count(), cpu });
  const messages = await sim.collect(true);
  const storageAfter = measure ? await sampleStorage(subject.storage) : { database: null, redis: null };
  const simulatorCpuMs = simCpu0 !== null && simCpu1 !== null ? simCpu1 - simCpu0 : null;
  const ours = cpuTotal(cpu) + (simulatorCpuMs ?? 0) + load.cpuTotalMs + (own.user + own.system) / 1000;
  return {
    load,
    messages,
    drainedAfterMs: Date.now() - loadDone,
    cpu,
    simulatorCpuMs,
    machineCores: system0 !== null && system1 !== null ? (system1 - system0) / windowMs : null,
    otherCores: system0 !== null && system1 !== null ? Math.max(0, system1 - system0 - ours) / windowMs : null,
    progress,
    storageBefore,
    storageAfter,
    idleCores,
    cpuWindowMs: windowMs,
  };
}

/** The first and the last WINDOW messages of a long run. */
interface WindowStats {
  size: number;
  first: { messagesPerSecond: number; cpuPerMessageMs: number | null };
  last: { messagesPerSecond: number; cpuPerMessageMs: number | null };
  /** last ÷ first − 1. */
  rateChange: number;
  cpuChange: number | null;
}

interface RunStats {
  n: number;
  delivered: number;
  missing: number;
  duplicates: number;
  unexpected: number;
  webhookErrors: number;
  webhookFailures: Record<string, number>;
  messagesPerSecond: number;
  webhooksAckedPerSecond: number;
  durationMs: number;
  /** From the last webhook acknowledgement to the N-th message: the backlog the hub still had to send. */
  drainAfterLastAckMs: number;
  ackMs: { p50: number; p99: number; max: number };
  eventToSendMs: { p50: number; p99: number; max: number };
  /** CPU ms per delivered message (hub processes + database backends + redis-server), and its parts. */
  cpuPerMessageMs: { total: number; hub: number; db: number; redis: number };
  /** Cores the configuration (hub + database + Redis) used while idle, and the CPU per message without that share. */
  idleCores: number | null;
  cpuPerMessageLessIdleMs: number | null;
  /** Growth per delivered message, in bytes: the database (SQLite file + WAL, or pg_database_size) and Redis used_memory. */
  bytesPerMessage: StorageSample;
  /** CPU used per process during the run, in cores (CPU seconds per second of the run). */
  cpuCores: { server: number | null; database: number | null; simulator: number | null; loadGenerator: number; otherProcesses: number | null };
  machineCores: number | null;
  windows: WindowStats | null;
}

function analyse(webhooks: PreparedWebhook[], phase: PhaseResult, match: Workload['match']): RunStats {
  const seen = new Uint8Array(webhooks.length);
  let delivered = 0;
  let duplicates = 0;
  let unexpected = 0;
  let lastAt = 0;
  const e2s: number[] = [];
  const arrivals: number[] = [];
  const indexes = match(webhooks, phase.messages);
  phase.messages.forEach((m, i) => {
    const index = indexes[i]!;
    if (index < 0) {
      unexpected++;
      return;
    }
    if (seen[index]) {
      duplicates++;
      return;
    }
    seen[index] = 1;
    delivered++;
    arrivals.push(m.at);
    lastAt = Math.max(lastAt, m.at);
    const sentAt = phase.load.sendAt[index];
    if (sentAt != null) e2s.push(m.at - sentAt);
  });
  const durationMs = lastAt - phase.load.firstSendAt;
  const ack = sortedNumbers(phase.load.ackMs);
  const e2sSorted = sortedNumbers(e2s);
  const per = (ms: number) => (delivered > 0 ? ms / delivered : NaN);
  const cpuSeconds = (ms: number | null) => (ms === null ? null : ms / durationMs);
  const n = webhooks.length;
  let windows: WindowStats | null = null;
  if (n >= 2 * WINDOW && delivered === n && phase.progress.length > 2) {
    const at = sortedNumbers(arrivals);
    const firstEnd = at[WINDOW - 1]!;
    const lastStart = at[n - WINDOW - 1]!;
    const lastEnd = at[n - 1]!;
    const cpuFirstEnd = cpuAtCount(phase.progress, WINDOW);
    const cpuLastStart = cpuAtCount(phase.progress, n - WINDOW);
    const cpuLastEnd = cpuAtCount(phase.progress, n);
    const first = { messagesPerSecond: WINDOW / ((firstEnd - phase.load.firstSendAt) / 1000), cpuPerMessageMs: cpuFirstEnd === null ? null : cpuFirstEnd / WINDOW };
    const last = {
      messagesPerSecond: WINDOW / ((lastEnd - lastStart) / 1000),
      cpuPerMessageMs: cpuLastStart === null || cpuLastEnd === null ? null : (cpuLastEnd - cpuLastStart) / WINDOW,
    };
    windows = {
      size: WINDOW,
      first,
      last,
      rateChange: last.messagesPerSecond / first.messagesPerSecond - 1,
      cpuChange: first.cpuPerMessageMs && last.cpuPerMessageMs !== null ? last.cpuPerMessageMs / first.cpuPerMessageMs - 1 : null,
    };
  }
  return {
    n,
    delivered,
    missing: n - delivered,
    duplicates,
    unexpected,
    webhookErrors: phase.load.errors,
    webhookFailures: phase.load.failures,
    messagesPerSecond: delivered > 0 ? delivered / (durationMs / 1000) : 0,
    webhooksAckedPerSecond: phase.load.ok / ((phase.load.lastAckAt - phase.load.firstSendAt) / 1000),
    durationMs,
    drainAfterLastAckMs: Math.max(0, lastAt - phase.load.lastAckAt),
    ackMs: { p50: percentile(ack, 50), p99: percentile(ack, 99), max: ack[ack.length - 1] ?? NaN },
    eventToSendMs: { p50: percentile(e2sSorted, 50), p99: percentile(e2sSorted, 99), max: e2sSorted[e2sSorted.length - 1] ?? NaN },
    cpuPerMessageMs: { total: per(cpuTotal(phase.cpu)), hub: per(phase.cpu.hub), db: per(phase.cpu.db), redis: per(phase.cpu.redis) },
    bytesPerMessage: bytesPerMessage(phase.storageBefore, phase.storageAfter, delivered),
    idleCores: phase.idleCores,
    cpuPerMessageLessIdleMs: phase.idleCores === null ? null : per(cpuTotal(phase.cpu) - phase.idleCores * phase.cpuWindowMs),
    cpuCores: {
      server: cpuSeconds(phase.cpu.hub),
      database: cpuSeconds(phase.cpu.db + phase.cpu.redis),
      simulator: cpuSeconds(phase.simulatorCpuMs),
      loadGenerator: phase.load.cpuMs / durationMs,
      otherProcesses: phase.otherCores,
    },
    machineCores: phase.machineCores,
    windows,
  };
}

function checkWarmup(name: string, work: Workload, phase: PhaseResult): void {
  const s = analyse(work.warmup, phase, work.match);
  if (s.delivered !== work.warmup.length || s.webhookErrors > 0) {
    throw new Error(
      `${name}: warm-up delivered ${s.delivered} of ${work.warmup.length} messages (${s.webhookErrors} webhooks not acknowledged: ${JSON.stringify(s.webhookFailures)}); the setup is broken`,
    );
  }
}

// -------------------------------------------------------------------------------------------------
// Configurations

interface ConfigResult {
  name: string;
  kind: 'relay' | 'hub';
  db: 'sqlite' | 'postgres+redis' | null;
  /** PostgreSQL + Redis: worker processes beside the api process (0: one process with --role all). */
  workers: number | null;
  stats: RunStats;
  /** Peak RSS (VmHWM) of each server process, by role. */
  peakRss: Array<{ role: string; bytes: number | null }>;
  ratioToRelay: number | null;
  hubWarnings: number | null;
  /** Where the hub's log was kept (only when it logged warnings). */
  hubLog: string | null;
  profile: string | null;
}

async function runRelay(sim: SimulatorProcess, work: Workload, dir: string): Promise<ConfigResult> {
  const logFile = path.join(dir, 'relay.log');
  const child = nodeTs('bench/relay.ts', ['--file', work.relayFile, '--sim', sim.url]);
  const release = onCleanup('relay', () => stopChild(child, 3000));
  const url = await Promise.race([
    new Promise<string>((resolve) => {
      let buf = '';
      child.stdout!.on('data', (d: Buffer) => {
        buf += d.toString('utf8');
        const m = /listening (\S+)/.exec(buf);
        if (m) resolve(m[1]!);
      });
      child.stderr!.on('data', (d: Buffer) => fs.appendFileSync(logFile, d));
    }),
    exitedEarly(child, 'the relay', logFile),
  ]);
  const target = `${url}/webhooks/relay`;
  const subject: Subject = { pids: [child.pid!], dbNeedles: [], redisNeedles: [], storage: null };
  checkWarmup('relay', work, await runPhase(sim, subject, target, work.warmupFile, work.warmup.length, work, false));
  const measured = await runPhase(sim, subject, target, work.measuredFile, work.measured.length, work, true);
  const peak = peakRss(child.pid!);
  await release();
  return {
    name: 'relay (ceiling)',
    kind: 'relay',
    db: null,
    workers: null,
    stats: analyse(work.measured, measured, work.match),
    peakRss: [{ role: 'relay', bytes: peak }],
    ratioToRelay: null,
    hubWarnings: null,
    hubLog: null,
    profile: null,
  };
}

function configName(backend: Backend, workers: number): string {
  if (backend.name === 'sqlite') return 'hub sqlite, one process';
  if (workers === 0) return 'hub pg+redis, one process';
  return `hub pg+redis, 1 api + ${workers} worker${workers === 1 ? '' : 's'}`;
}

/** Waits until a hub process without HTTP (--role worker) says it is running. */
async function waitForLogLine(logFile: string, pattern: RegExp, what: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!(fs.existsSync(logFile) && pattern.test(fs.readFileSync(logFile, 'utf8')))) {
    if (Date.now() > deadline) throw new Error(`${what} did not start within 60 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function runHub(sim: SimulatorProcess, work: Workload, backend: Backend, workers: number, dir: string, phone: PhoneIdentity, profileDir: string | null): Promise<ConfigResult> {
  const name = configName(backend, workers);
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...backend.env,
    HOST: '127.0.0.1',
    PORT: String(port),
    LOG_LEVEL: 'warn',
    SHOPTALK_WHATSAPP_API_URL: `${sim.url}/v23.0`,
    SHOPTALK_WORKER_CONCURRENCY: String(WORKER_CONCURRENCY),
    // Several worker processes on one machine: each serves its health and metrics on a free port.
    SHOPTALK_WORKER_PORT: '0',
    ...HUB_ENV,
  };
  delete env['SHOPTALK_SANDBOX'];

  // Workspace and API key through the CLI (the only public way to mint the first key). These commands only
  // touch the database, and without REDIS_URL: with it, the CLI's short-lived hub sometimes crashes on exit
  // with an unhandled ioredis "Connection is closed" error from BullMQ (seen under load).
  const cliEnv: NodeJS.ProcessEnv = { ...env };
  delete cliEnv['REDIS_URL'];
  const cli = (cliArgs: string[]) => runToEnd(nodeTs('src/cli/main.ts', cliArgs, { env: cliEnv }), `shoptalk ${cliArgs.join(' ')}`);
  const workspaceId = (await cli(['workspace', 'create', 'Bench Store'])).split('\t')[0]!.trim();
  const apiKey = (await cli(['api-key', 'create', '--workspace', workspaceId, '--name', 'bench'])).split('\n')[1]!.trim();

  const tag = `${backend.name}-${workers}`;
  const nodeArgs: string[] = [];
  const preload: string[] = [];
  if (profileDir) {
    fs.mkdirSync(profileDir, { recursive: true });
    nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${profileDir}`);
    // Source maps for the profile's line numbers, and per-statement SQL timings (bench/hub-instrument.ts).
    preload.push('./bench/hub-instrument.ts');
    env['BENCH_INSTRUMENT_DIR'] = profileDir;
  }
  // SQLite, or --workers 0: one process does everything. Otherwise one api process (HTTP, webhooks in) and
  // `workers` worker processes (jobs, sends out), started after the api process has migrated the database.
  const roles: Array<'all' | 'api' | 'worker'> = backend.name === 'sqlite' || workers === 0 ? ['all'] : ['api', ...Array.from({ length: workers }, () => 'worker' as const)];
  const procs: Array<{ role: string; child: ChildProcess; logFile: string; release: () => Promise<void> }> = [];
  const startProc = (role: 'all' | 'api' | 'worker', i: number) => {
    const logFile = path.join(dir, `hub-${tag}-${role}${role === 'worker' ? i : ''}.log`);
    const child = nodeTs('src/cli/main.ts', ['start', '--role', role], { env, nodeArgs, preload, logFile });
    const release = onCleanup(`hub ${role} (${name})`, () => stopChild(child, 15_000));
    procs.push({ role: role === 'worker' ? `worker ${i}` : role, child, logFile, release });
    return { child, logFile };
  };
  const front = startProc(roles[0]!, 0);
  const hubUrl = `http://127.0.0.1:${port}`;
  await Promise.race([waitForHealth(hubUrl), exitedEarly(front.child, 'the hub', front.logFile)]);
  for (let i = 1; i < roles.length; i++) {
    const w = startProc(roles[i]!, i);
    await Promise.race([waitForLogLine(w.logFile, /Shoptalk worker is running/, `hub worker ${i}`), exitedEarly(w.child, `hub worker ${i}`, w.logFile)]);
  }

  // Everything else through the HTTP API, as a merchant's admin would.
  const api = async (method: string, route: string, body: unknown) => {
    const res = await fetch(`${hubUrl}/v1${route}`, {
      method,
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const json = (await res.json()) as Record<string, unknown>;
    if (!res.ok) throw new Error(`${method} /v1${route}: HTTP ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  const account = await api('POST', '/channel-accounts', {
    channel: 'whatsapp',
    provider: 'meta',
    name: 'Bench WhatsApp',
    phone_number_id: phone.phoneNumberId,
    waba_id: phone.wabaId,
    access_token: phone.accessToken,
    app_secret: phone.appSecret,
    rate_limit_per_second: ACCOUNT_RATE_LIMIT,
  });
  let target: string;
  if (SCENARIO === 'orders') {
    const store = await api('POST', '/store-connections', { platform: 'shopify', name: 'Bench Store', shop_domain: SHOP, webhook_secret: work.webhookSecret });
    await api('PUT', '/notification-settings/order.placed/whatsapp', {
      enabled: true,
      channel_account_id: account['id'],
      template: { name: 'order_placed', language: 'en_US' },
    });
    target = String(store['webhook_url']);
  } else {
    // A flow module the customers ask for by keyword: one text reply per message, no buttons.
    await api('POST', '/flow-modules', { name: 'Opening hours', text: CHAT_REPLY, keywords: [CHAT_KEYWORD], buttons: [] });
    target = String(account['webhook_url']);
  }

  const subject: Subject = { pids: procs.map((p) => p.child.pid!), dbNeedles: backend.dbNeedles, redisNeedles: backend.redisNeedles, storage: backend.storage };
  checkWarmup(name, work, await runPhase(sim, subject, target, work.warmupFile, work.warmup.length, work, false));
  const measured = await runPhase(sim, subject, target, work.measuredFile, work.measured.length, work, true);
  const peaks = procs.map((p) => ({ role: p.role, bytes: peakRss(p.child.pid!) }));
  // Workers first: the api process is what they would otherwise wait on.
  for (const p of [...procs].reverse()) await p.release();
  let warnings = 0;
  let keptLog: string | null = null;
  for (const p of procs) {
    const log = fs.existsSync(p.logFile) ? fs.readFileSync(p.logFile, 'utf8') : '';
    const w = log.split('\n').filter((l) => l.includes('"level":40') || l.includes('"level":50')).length;
    warnings += w;
    if (w > 0) {
      // The temp dir goes away at the end; a log with warnings is worth keeping next to the results.
      keptLog = OUT.replace(/\.json$/, `-hub-${tag}-${p.role.replace(' ', '')}.log`);
      fs.mkdirSync(path.dirname(keptLog), { recursive: true });
      fs.copyFileSync(p.logFile, keptLog);
    }
  }

  let profile: string | null = null;
  if (profileDir) {
    const file = fs.readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile'));
    profile = file ? path.join(profileDir, file) : null;
  }
  return {
    name,
    kind: 'hub',
    db: backend.name,
    workers: backend.name === 'sqlite' ? null : workers,
    stats: analyse(work.measured, measured, work.match),
    peakRss: peaks,
    ratioToRelay: null,
    hubWarnings: warnings,
    hubLog: keptLog,
    profile,
  };
}

// -------------------------------------------------------------------------------------------------
// Report


function mb(bytes: number | null): string {
  return bytes === null ? '-' : (bytes / 1024 / 1024).toFixed(0);
}


const unit = () => (SCENARIO === 'chat' ? 'replies/s' : 'messages/s');

function formatTable(results: ConfigResult[]): string {
  const header = [
    'configuration',
    unit(),
    '÷ relay',
    'acked/s',
    'ack p50',
    'ack p99',
    SCENARIO === 'chat' ? 'reply p50' : 'e2s p50',
    SCENARIO === 'chat' ? 'reply p99' : 'e2s p99',
    'CPU/msg',
    'hub+db+redis',
    'less idle',
    'peak RSS',
    'DB/msg',
    'Redis/msg',
    'cores hub/db/sim/load/other',
    'delivered',
    'missing',
    'dup',
  ];
  const rows = results.map((r) => {
    const s = r.stats;
    const c = s.cpuPerMessageMs;
    return [
      r.name,
      fmt(s.messagesPerSecond, 0),
      r.ratioToRelay === null ? '' : r.ratioToRelay.toFixed(2),
      fmt(s.webhooksAckedPerSecond, 0),
      `${fmt(s.ackMs.p50)} ms`,
      `${fmt(s.ackMs.p99)} ms`,
      `${fmt(s.eventToSendMs.p50)} ms`,
      `${fmt(s.eventToSendMs.p99)} ms`,
      `${fmt(c.total, 3)} ms`,
      r.kind === 'relay' ? fmt(c.hub, 3) : [c.hub, c.db, c.redis].map((v) => fmt(v, 3)).join('+'),
      `${fmt(s.cpuPerMessageLessIdleMs, 3)} ms (${fmt(s.idleCores, 2)})`,
      `${r.peakRss.map((p) => mb(p.bytes)).join('/')} MB`,
      bytesCell(s.bytesPerMessage.database),
      bytesCell(s.bytesPerMessage.redis),
      [s.cpuCores.server, s.cpuCores.database, s.cpuCores.simulator, s.cpuCores.loadGenerator, s.cpuCores.otherProcesses].map((v) => fmt(v, 2)).join('/'),
      `${s.delivered}/${s.n}`,
      String(s.missing),
      String(s.duplicates),
    ];
  });
  return alignTable(header, rows);
}

function alignTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

function pct(x: number | null): string {
  return x === null || !Number.isFinite(x) ? '-' : `${x >= 0 ? '+' : ''}${(x * 100).toFixed(0)}%`;
}

function formatWindows(results: ConfigResult[]): string | null {
  const withWindows = results.filter((r) => r.stats.windows);
  if (withWindows.length === 0) return null;
  const header = ['configuration', `first ${WINDOW}: ${unit()}`, 'CPU/msg', `last ${WINDOW}: ${unit()}`, 'CPU/msg', `${unit()} change`, 'CPU/msg change'];
  const rows = withWindows.map((r) => {
    const w = r.stats.windows!;
    return [r.name, fmt(w.first.messagesPerSecond, 0), `${fmt(w.first.cpuPerMessageMs, 3)} ms`, fmt(w.last.messagesPerSecond, 0), `${fmt(w.last.cpuPerMessageMs, 3)} ms`, pct(w.rateChange), pct(w.cpuChange)];
  });
  return alignTable(header, rows);
}

/** The issue's targets for one configuration (figures of the benchmark, never assertions in tests). */
interface Targets {
  ratio: number;
  ackP99Ms: number;
  e2sP99Ms: number;
  cpuPerMessageMs: number;
}

function targetsFor(r: ConfigResult): Targets | null {
  if (r.db === 'sqlite') return { ratio: 0.5, ackP99Ms: 25, e2sP99Ms: 250, cpuPerMessageMs: 0.4 };
  if (r.db === 'postgres+redis' && r.workers !== null && r.workers <= 1) return { ratio: 0.3, ackP99Ms: 25, e2sP99Ms: 500, cpuPerMessageMs: 1.5 };
  return null;
}

const MAX_RSS = 300 * 1024 * 1024;
/** "Flat" and "unchanged": within 20%. */
const FLAT = 0.2;

function targetChecks(r: ConfigResult, all: ConfigResult[]): string[] {
  const mark = (ok: boolean) => (ok ? 'ok  ' : 'MISS');
  const s = r.stats;
  const lines: string[] = [];
  const t = targetsFor(r);
  const e2s = SCENARIO === 'chat' ? 'reply p99' : 'event-to-send p99';
  if (t) {
    lines.push(
      `  ${r.ratioToRelay === null ? 'n/a ' : mark(r.ratioToRelay >= t.ratio)} ${unit()} ÷ relay ≥ ${t.ratio} (${r.ratioToRelay === null ? (RATE ? 'not comparable at a fixed --rate' : 'no relay run') : r.ratioToRelay.toFixed(2)})`,
      `  ${mark(s.ackMs.p99 < t.ackP99Ms)} ack p99 < ${t.ackP99Ms} ms (${fmt(s.ackMs.p99)} ms)`,
      `  ${mark(s.eventToSendMs.p99 < t.e2sP99Ms)} ${e2s} < ${t.e2sP99Ms} ms (${fmt(s.eventToSendMs.p99)} ms)`,
      `  ${mark(s.cpuPerMessageMs.total <= t.cpuPerMessageMs)} CPU per message ≤ ${t.cpuPerMessageMs} core-ms (${fmt(s.cpuPerMessageMs.total, 3)}: hub ${fmt(s.cpuPerMessageMs.hub, 3)} + database ${fmt(s.cpuPerMessageMs.db, 3)} + Redis ${fmt(s.cpuPerMessageMs.redis, 3)})`,
    );
    if (r.db === 'postgres+redis') {
      // A backlog shows as sends still owed when the load generator is done: they drain after the last ack.
      lines.push(`  ${mark(s.drainAfterLastAckMs < t.e2sP99Ms)} no growing backlog: the last message within ${t.e2sP99Ms} ms of the last acknowledgement (${fmt(s.drainAfterLastAckMs, 0)} ms)`);
    }
  }
  if (r.db === 'postgres+redis' && r.workers !== null && r.workers > 1) {
    const one = all.find((x) => x.db === 'postgres+redis' && x.workers === 1);
    if (one) {
      const gain = s.messagesPerSecond / one.stats.messagesPerSecond;
      const cpuChange = s.cpuPerMessageMs.total / one.stats.cpuPerMessageMs.total - 1;
      const cores = os.cpus().length;
      // The machine is the limit when the one-worker run already kept (nearly) every core busy.
      const machineBound = (one.stats.machineCores ?? 0) >= 0.9 * cores;
      if (gain >= 1.6) lines.push(`  ok   scale-out: ${fmt(gain, 2)} × one worker's rate (≥ 1.6)`);
      else if (machineBound)
        lines.push(
          `  ${mark(Math.abs(cpuChange) <= FLAT)} scale-out, the machine is the limit (${fmt(one.stats.machineCores, 2)} of ${cores} cores busy with one worker): CPU per message unchanged within 20% (${pct(cpuChange)}; rate ${fmt(gain, 2)} × one worker's)`,
        );
      else lines.push(`  MISS scale-out: ${fmt(gain, 2)} × one worker's rate (< 1.6) while the machine had room (${fmt(one.stats.machineCores, 2)} of ${cores} cores busy with one worker; CPU per message ${pct(cpuChange)})`);
    }
  }
  const peaks = r.peakRss.map((p) => `${p.role} ${mb(p.bytes)} MB`).join(', ');
  lines.push(
    `  ${mark(r.peakRss.every((p) => p.bytes !== null && p.bytes < MAX_RSS))} peak RSS < 300 MB per process (${peaks})`,
    `  ${mark(s.missing === 0 && s.duplicates === 0 && s.unexpected === 0 && s.webhookErrors === 0)} exactly N messages (missing ${s.missing}, duplicates ${s.duplicates}, unexpected ${s.unexpected}, webhooks not acknowledged ${s.webhookErrors})`,
  );
  const w = s.windows;
  if (w) {
    const flat = Math.abs(w.rateChange) <= FLAT && w.cpuChange !== null && Math.abs(w.cpuChange) <= FLAT;
    lines.push(`  ${mark(flat)} cost flat within 20%, first vs last ${w.size} messages (${unit()} ${pct(w.rateChange)}, CPU per message ${pct(w.cpuChange)})`);
  }
  return lines;
}

// -------------------------------------------------------------------------------------------------

interface PhoneIdentity {
  phoneNumberId: string;
  wabaId: string;
  accessToken: string;
  appSecret: string;
}

const PHONE_NUMBER_ID = '106540352242922';

async function main(): Promise<void> {
  const started = Date.now();
  const pgReachable = await reachable(async () => {
    const c = new pg.Client({ connectionString: args['pg-url'], connectionTimeoutMillis: 2000 });
    await c.connect();
    await c.end();
  });
  const redisReachable = await reachable(async () => {
    const r = new Redis(args['redis-url'] ?? DEFAULT_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2000 });
    try {
      await r.connect();
      await r.ping();
    } finally {
      r.disconnect();
    }
  });
  const dbChoice = args.db ?? (pgReachable && redisReachable ? 'both' : 'sqlite');
  if (args.db === undefined && dbChoice === 'sqlite') process.stdout.write('PostgreSQL or Redis is not reachable: running SQLite only.\n');
  if ((dbChoice === 'postgres' || dbChoice === 'both') && !(pgReachable && redisReachable)) {
    throw new Error(`--db ${dbChoice} needs PostgreSQL (${args['pg-url']}: ${pgReachable ? 'ok' : 'unreachable'}) and Redis (${redisReachable ? 'ok' : 'unreachable'})`);
  }
  // `none` runs the relay alone: a check of the harness and of the machine's ceiling.
  const kinds: Array<'sqlite' | 'postgres'> = dbChoice === 'both' ? ['sqlite', 'postgres'] : dbChoice === 'none' ? [] : [dbChoice as 'sqlite' | 'postgres'];
  // PostgreSQL + Redis: one worker, then WORKERS when more (the scale-out row), or one process with --workers 0.
  type Config = { kind: 'sqlite' | 'postgres'; workers: number };
  const configs: Config[] = kinds.flatMap((kind): Config[] =>
    kind === 'sqlite' ? [{ kind, workers: 0 }] : WORKERS > 1 ? [{ kind, workers: 1 }, { kind, workers: WORKERS }] : [{ kind, workers: WORKERS }],
  );
  if (dbChoice === 'none' && args['no-relay']) fail('--db none with --no-relay leaves nothing to run');

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shoptalk-bench-'));
  onCleanup(`temp dir ${dir}`, () => fs.rmSync(dir, { recursive: true, force: true }));

  const reproduce = [
    'npm run bench --',
    ...(SCENARIO !== 'orders' ? [`--scenario ${SCENARIO}`, `--customers ${CUSTOMERS}`] : []),
    `--n ${N}`,
    `--warmup ${WARMUP}`,
    `--db ${dbChoice}`,
    ...(dbChoice === 'postgres' || dbChoice === 'both' ? [`--workers ${WORKERS}`] : []),
    `--concurrency ${CONCURRENCY}`,
    ...(RATE ? [`--rate ${RATE}`] : []),
    `--worker-concurrency ${WORKER_CONCURRENCY}`,
    ...(WINDOW !== 10_000 ? [`--window ${WINDOW}`] : []),
    ...Object.entries(HUB_ENV).map(([k, v]) => `--hub-env ${k}=${v}`),
    ...(args.profile ? ['--profile'] : []),
    ...(args['no-relay'] ? ['--no-relay'] : []),
  ].join(' ');

  const what =
    SCENARIO === 'orders'
      ? `${N} signed Shopify orders/create webhooks in, ${N} WhatsApp messages out (after ${WARMUP} warm-up orders).`
      : `${N} signed WhatsApp messages from ${Math.min(CUSTOMERS, WARMUP + N)} customers in, ${N} bot replies out (after ${WARMUP} warm-up messages).`;
  process.stdout.write(
    [
      `Shoptalk benchmark: ${what}`,
      `Machine: ${os.cpus().length} CPU × ${os.cpus()[0]?.model ?? '?'}, ${(os.totalmem() / 1024 ** 3).toFixed(0)} GB, Node ${process.version}.`,
      `Load: ${RATE ? `open loop at ${RATE} webhooks/s` : 'closed loop'} over ${CONCURRENCY} connections. Hub worker concurrency ${WORKER_CONCURRENCY}.`,
      `The channel account's rate limit is set to ${ACCOUNT_RATE_LIMIT}/s (the API's maximum): at Meta's default of 80 messages/s per number the`,
      `run would measure that limit, not the hub.`,
      '',
    ].join('\n'),
  );

  const phone: PhoneIdentity = {
    phoneNumberId: PHONE_NUMBER_ID,
    wabaId: '102290129340398',
    accessToken: `EAAG${randomBytes(24).toString('hex')}`,
    appSecret: randomBytes(16).toString('hex'),
  };
  const t0 = Date.now();
  const work = SCENARIO === 'orders' ? await buildOrderWorkload(dir, phone) : buildChatWorkload(dir, phone);
  process.stdout.write(`Built and signed ${WARMUP + N} ${SCENARIO === 'orders' ? 'orders' : 'customer messages'} in ${((Date.now() - t0) / 1000).toFixed(1)} s.\n`);
  const sim = await SimulatorProcess.start(phone, Math.max(200_000, WARMUP + N + 1000));
  process.stdout.write(`WhatsApp simulator at ${sim.url} (pid ${sim.child.pid}).\n`);

  const results: ConfigResult[] = [];
  // The relay runs before and after the hubs and the better run is the ceiling: it takes seconds, and one
  // run disturbed by something else on the machine would otherwise flatter every ratio.
  const relayRuns: ConfigResult[] = [];
  const runRelayOnce = async (when: string) => {
    process.stdout.write(`Running the relay (ceiling), ${when}...\n`);
    relayRuns.push(await runRelay(sim, work, dir));
  };
  if (!args['no-relay']) await runRelayOnce('first run');
  const profileRoot = args.profile ? path.join(path.dirname(OUT), `profiles-${stamp}`) : null;
  for (const { kind, workers } of configs) {
    const dataDir = path.join(dir, `${kind === 'sqlite' ? 'sqlite' : 'pg'}-data-${randomBytes(3).toString('hex')}`);
    const backend =
      kind === 'sqlite'
        ? sqliteBackend(dataDir)
        : await postgresBackend({ dataDir, pgUrl: args['pg-url'], redisBaseUrl: DEFAULT_REDIS_URL, redisUrl: args['redis-url'], databasePrefix: 'shoptalk_bench' });
    process.stdout.write(`Running ${configName(backend, workers)}...\n`);
    results.push(await runHub(sim, work, backend, workers, dir, phone, profileRoot ? path.join(profileRoot, `${backend.name}-${workers}`) : null));
  }
  if (!args['no-relay'] && configs.length > 0) await runRelayOnce('second run');
  const relay = relayRuns.reduce<ConfigResult | null>((best, r) => (best && best.stats.messagesPerSecond >= r.stats.messagesPerSecond ? best : r), null);
  if (relay) {
    if (relayRuns.length > 1) relay.name = `relay (ceiling, best of ${relayRuns.length})`;
    results.unshift(relay);
    for (const r of results) {
      // At a fixed --rate both sides just keep up with the rate: the ratio of two equal rates says nothing.
      if (r.kind === 'hub' && !RATE && relay.stats.messagesPerSecond > 0) r.ratioToRelay = r.stats.messagesPerSecond / relay.stats.messagesPerSecond;
    }
  }

  process.stdout.write('\n' + formatTable(results) + '\n\n');
  const windows = formatWindows(results);
  if (windows) process.stdout.write(`Long run: the first and the last ${WINDOW} messages\n${windows}\n\n`);
  const unitName = SCENARIO === 'chat' ? 'replies' : 'messages';
  process.stdout.write(
    `${unit()} = N / (first webhook sent → N-th ${unitName.slice(0, -1)} received by the simulator); ÷ relay = the same over the relay of this run;\n` +
      'acked/s = webhooks acknowledged per second; ack = webhook acknowledgement latency at the load generator;\n' +
      `${SCENARIO === 'chat' ? 'reply = customer message sent → its reply received' : 'e2s = event-to-send, simulator receive time − webhook send time'} (the simulator stamps receipt with Date.now(), 1 ms resolution);\n` +
      'CPU/msg = core-ms per message: CPU time (utime + stime from /proc) over the run of the hub processes, the PostgreSQL backends\n' +
      'of the bench database and redis-server, ÷ N (hub+db+redis: its parts; SQLite runs inside the hub process); less idle = the\n' +
      `same without what these processes used when idle (the cores in brackets, measured for ${IDLE_MS / 1000} s before the run: job polling,\n` +
      'timers, other users of the Redis server), which weighs on CPU/msg when the rate is low;\n' +
      'peak RSS = VmHWM of each server process (api/workers); DB/msg = growth of the database over the run ÷ N (SQLite: file + WAL;\n' +
      'PostgreSQL: pg_database_size); Redis/msg = growth of the Redis server\'s used_memory ÷ N;\n' +
      `cores = cores used over the run by the server, its database and Redis, the simulator, the load generator, and every other\n` +
      `process on the machine (${os.cpus().length} cores in all).\n\n`,
  );
  const busy = results.filter((r) => (r.stats.cpuCores.otherProcesses ?? 0) > 0.25);
  if (busy.length > 0) {
    process.stdout.write(
      `WARNING: other processes kept ${busy.map((r) => `${fmt(r.stats.cpuCores.otherProcesses, 2)} cores busy during "${r.name}"`).join(', ')}.\n` +
        'Rates and latencies are lower than this machine gives when idle (CPU per message is less affected); run again when it is quiet.\n\n',
    );
  }
  for (const r of results.filter((x) => x.kind === 'hub')) {
    process.stdout.write(`Targets, ${r.name}:\n${targetChecks(r, results).join('\n')}\n`);
    if (r.hubWarnings) process.stdout.write(`  note: the hub logged ${r.hubWarnings} warnings/errors: ${r.hubLog ? path.relative(process.cwd(), r.hubLog) : ''}\n`);
    const failures = Object.entries(r.stats.webhookFailures);
    if (failures.length) process.stdout.write(`  webhook failures: ${failures.map(([k, v]) => `${k} ×${v}`).join(', ')}\n`);
  }

  const profiles: Record<string, unknown> = {};
  for (const r of results) {
    if (!r.profile) continue;
    const summary = summariseProfile(r.profile, 25);
    profiles[r.name] = summary;
    process.stdout.write(`\n${r.name}: ${formatSummary(summary)}\n`);
    process.stdout.write('(The profiler and the SQL timing slow the hub and add memory: take the figures from a run without --profile.)\n');
  }

  fs.mkdirSync(path.dirname(OUT), { recursive: true });
  fs.writeFileSync(
    OUT,
    JSON.stringify(
      {
        at: new Date().toISOString(),
        command: reproduce,
        machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model ?? null, memoryBytes: os.totalmem(), node: process.version },
        options: { scenario: SCENARIO, n: N, warmup: WARMUP, db: dbChoice, workers: WORKERS, customers: CUSTOMERS, window: WINDOW, concurrency: CONCURRENCY, rate: RATE, workerConcurrency: WORKER_CONCURRENCY, hubEnv: HUB_ENV },
        results,
        relayRuns: relayRuns.map((r) => ({ messagesPerSecond: r.stats.messagesPerSecond, ackMs: r.stats.ackMs, cpuCores: r.stats.cpuCores, cpuPerMessageMs: r.stats.cpuPerMessageMs })),
        profiles,
      },
      null,
      2,
    ) + '\n',
  );
  process.stdout.write(`\nResults: ${path.relative(process.cwd(), OUT)}   (whole run ${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
  process.stdout.write(`Reproduce: ${reproduce}\n`);
}

try {
  await main();
  await cleanupAll();
  process.exit(0);
} catch (err) {
  // After Ctrl-C the children die first and main() fails on them: that is not worth a stack trace.
  if (!interrupted()) process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  await cleanupAll();
  process.exit(interrupted() ? 130 : 1);
}
