// The mixed-channel benchmark: N signed CYBERBIZ orders/create webhooks in, and for each order one
// notification on each of five channels at once: WhatsApp Cloud (approved template order_placed), SMS
// (Twilio), e-mail (SMTP), LINE and Messenger (built-in texts, to customers linked through the API).
//
// Processes: the six provider simulators (bench/mixed-simulators.ts), the hub (`node --import tsx
// src/cli/main.ts start --role all`, so that its pid is the node process whose peak RSS is read) and the load
// generator (bench/loadgen.ts, unchanged) each run in their own process; this one only orchestrates.
//
// Per channel and in total it reports messages/s (delivered / first webhook sent → last message received),
// event-to-send latency (simulator receive time − webhook send time, per message) and delivered / missing /
// duplicate (every message is mapped back to its order by its recipient); per run, webhook acknowledgement
// latency, peak RSS (VmHWM) of the hub and the CPU of the hub, its database, the simulators and the load
// generator.
//
//   npx tsx bench/mixed.ts [--n 2000] [--warmup 200] [--concurrency 32] [--db sqlite|postgres]
//                          [--worker-concurrency 128] [--hub-env KEY=VALUE]... [--stall-timeout 20]
//                          [--channels whatsapp,sms,email,line,messenger]
//                          [--pg-url <url>] [--redis-url <url>] [--no-relay] [--out bench/results/mixed-<timestamp>.json]
// Before the hub, bench/mixed-relay.ts (the same provider calls per order, nothing else) gives the ceiling.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { Redis } from 'ioredis';
import { CYBERBIZ_WEBHOOK_USER_AGENT, CyberbizSimulator, signCyberbiz } from '../src/adapters/stores/cyberbiz/simulator.js';
import type { CyberbizOrder } from '../src/adapters/stores/cyberbiz/simulator.js';
import type { LoadFile, LoadReport, PreparedWebhook } from './common.js';
import { REPO_ROOT, bytesCell, cpuByCommand, fmt, cpuTimeMs, peakRss, percentile, sortedNumbers, systemBusyMs } from './common.js';
import type { CpuSplit, StorageSample } from './costs.js';
import { CpuMeter, bytesPerMessage, cpuTotal, sampleStorage } from './costs.js';
import type { Backend } from './processes.js';
import {
  IpcChild,
  cleanupAll,
  exitedEarly,
  freePort,
  installSignalHandlers,
  interrupted,
  nodeTs,
  onCleanup,
  postgresBackend,
  reachable,
  runToEnd,
  sqliteBackend,
  stopChild,
  tail,
  waitForHealth,
} from './processes.js';
import { exitWithUsage, fail, hubEnv, positiveInt } from './options.js';
import type { MixedRelayFile } from './mixed-relay.js';
import type { Channel, MixedCollected, MixedCounts, MixedSimConfig, MixedSimReply, MixedSimRequest, MixedSimUrls } from './mixed-types.js';
import { CHANNELS } from './mixed-types.js';

// -------------------------------------------------------------------------------------------------
// Options

const DEFAULT_PG_URL = 'postgres://postgres@127.0.0.1:5432/test';
const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
// The API caps an account's rate limit at 10,000/s; LINE and Messenger take no rate from the API and keep the
// hub's defaults (LINE 2,000/s, Messenger 300/s per page), which the figures may show.
const ACCOUNT_RATE_LIMIT = 10_000;
const SHOP_DOMAIN = 'bench-tea.cyberbiz.co';
const CUSTOMER_SETUP_CONCURRENCY = 16;

const { values: args } = parseArgs({
  args: process.argv.slice(2),
  options: {
    n: { type: 'string', default: '2000' },
    warmup: { type: 'string', default: '200' },
    concurrency: { type: 'string', default: '32' },
    db: { type: 'string', default: 'sqlite' },
    'worker-concurrency': { type: 'string', default: '128' },
    'hub-env': { type: 'string', multiple: true, default: [] },
    'stall-timeout': { type: 'string', default: '20' },
    channels: { type: 'string', default: CHANNELS.join(',') },
    'pg-url': { type: 'string', default: DEFAULT_PG_URL },
    'redis-url': { type: 'string' },
    'no-relay': { type: 'boolean', default: false },
    out: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

// The header comment is the usage text.
if (args.help) exitWithUsage(import.meta.url, 'See bench/MIXED.md.');

const N = positiveInt('n', args.n);
const WARMUP = positiveInt('warmup', args.warmup);
const CONCURRENCY = positiveInt('concurrency', args.concurrency);
const WORKER_CONCURRENCY = positiveInt('worker-concurrency', args['worker-concurrency']);
const STALL_MS = positiveInt('stall-timeout', args['stall-timeout']) * 1000;
if (args.db !== 'sqlite' && args.db !== 'postgres') fail(`--db must be sqlite or postgres (got ${args.db})`);
const DB: 'sqlite' | 'postgres' = args.db;
// A subset of the channels isolates one of them (e.g. --channels email); every channel account is still set up.
const ACTIVE: Channel[] = [];
for (const name of args.channels.split(',').map((c) => c.trim())) {
  const channel = CHANNELS.find((c) => c === name);
  if (!channel) fail(`--channels takes a comma-separated list of ${CHANNELS.join(', ')} (got ${name})`);
  if (!ACTIVE.includes(channel)) ACTIVE.push(channel);
}
const HUB_ENV = hubEnv(args['hub-env']);
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const OUT = path.resolve(REPO_ROOT, args.out ?? `bench/results/mixed-${stamp}.json`);

const REPRODUCE = [
  'npx tsx bench/mixed.ts',
  `--n ${N}`,
  `--warmup ${WARMUP}`,
  `--concurrency ${CONCURRENCY}`,
  `--db ${DB}`,
  `--worker-concurrency ${WORKER_CONCURRENCY}`,
  ...Object.entries(HUB_ENV).map(([k, v]) => `--hub-env ${k}=${v}`),
  ...(args['stall-timeout'] !== '20' ? [`--stall-timeout ${args['stall-timeout']}`] : []),
  ...(ACTIVE.length < CHANNELS.length ? [`--channels ${ACTIVE.join(',')}`] : []),
  ...(args['no-relay'] ? ['--no-relay'] : []),
].join(' ');

// -------------------------------------------------------------------------------------------------
// Identities and workload

function hex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

function newSimConfig(psids: string[]): MixedSimConfig {
  return {
    whatsapp: { phoneNumberId: '106540352242922', wabaId: '102290129340398', accessToken: `EAAG${hex(24)}`, appSecret: hex(16) },
    twilio: { accountSid: `AC${hex(16)}`, authToken: hex(16), from: '+15005550006' },
    smtp: { username: `bench-${hex(4)}`, password: hex(12) },
    line: { channelAccessToken: `line_${hex(24)}`, channelSecret: hex(16), botUserId: `U${hex(16)}`, displayName: 'Bench Tea House' },
    messenger: { pageId: '1487925408777967', name: 'Bench Tea House', pageAccessToken: `EAAP${hex(24)}`, appSecret: hex(16), psids },
    cyberbiz: { domain: SHOP_DOMAIN, name: 'Bench Tea House', accessToken: `eyJ${hex(24)}`, appSecret: hex(24) },
    // Warm-up and measured messages stay in the outboxes (phases are told apart by marks), plus room for duplicates.
    maxOutbox: 2 * (WARMUP + N) + 1000,
  };
}

/** One order's customer: the identities that link it, and the recipient each channel addresses. */
interface Buyer {
  customerId: number;
  name: string;
  mobile: string;
  email: string;
  lineUserId: string;
  psid: string;
  /** Recipient per channel, as the simulator records it. */
  recipient: Record<Channel, string>;
}

function buyerFor(i: number, lineTag: string, psidTag: string): Buyer {
  // Taiwanese mobiles 0955xxxxxx, one per order: "+886" + "0955000123" → +886955000123.
  const mobile = `0955${String(i).padStart(6, '0')}`;
  const e164 = `+886${mobile.slice(1)}`;
  const email = `buyer${i}@bench-tea.example`;
  const lineUserId = `U${lineTag}${i.toString(16).padStart(8, '0')}`;
  const psid = `${psidTag}${String(i).padStart(10, '0')}`;
  return {
    customerId: 60_000_000 + i,
    name: `Bench Buyer ${i}`,
    mobile,
    email,
    lineUserId,
    psid,
    recipient: { whatsapp: e164.slice(1), sms: e164, email, line: lineUserId, messenger: psid },
  };
}

interface Workload {
  warmupFile: string;
  measuredFile: string;
  warmup: Order[];
  measured: Order[];
}

interface Order {
  webhook: PreparedWebhook;
  buyer: Buyer;
}

/** Realistic CYBERBIZ orders, each with its own customer, phone and e-mail, signed the way CYBERBIZ signs them. */
function buildWorkload(dir: string, shop: MixedSimConfig['cyberbiz'], buyers: Buyer[]): Workload {
  const cyberbiz = new CyberbizSimulator();
  cyberbiz.addShop({ ...shop, webhookUrl: null });
  const orders = buyers.map((buyer): Order => {
    const order = cyberbiz.createOrder(shop.domain, orderOverrides(buyer));
    return { webhook: signedWebhook(shop, order), buyer };
  });
  const warmup = orders.slice(0, WARMUP);
  const measured = orders.slice(WARMUP);
  const warmupFile = path.join(dir, 'warmup.json');
  const measuredFile = path.join(dir, 'measured.json');
  fs.writeFileSync(warmupFile, JSON.stringify({ webhooks: warmup.map((o) => o.webhook) } satisfies LoadFile));
  fs.writeFileSync(measuredFile, JSON.stringify({ webhooks: measured.map((o) => o.webhook) } satisfies LoadFile));
  return { warmupFile, measuredFile, warmup, measured };
}

function orderOverrides(b: Buyer): Partial<CyberbizOrder> {
  return {
    customer: { id: b.customerId, name: b.name, email: b.email, mobile: b.mobile, country_calling_code: '+886', bonus_remain: 0 },
    buyer: { email: b.email, mobile: b.mobile },
    receiver: { name: b.name, country_calling_code: '+886', phone: b.mobile, address: '台北市信義區信義路五段7號', detail_address: null, cvs_store_id: null },
  };
}

/** The bytes and headers CYBERBIZ posts for orders/create (see CyberbizSimulator.emitWebhook). */
function signedWebhook(shop: MixedSimConfig['cyberbiz'], order: CyberbizOrder): PreparedWebhook {
  const body = JSON.stringify(order);
  return {
    webhookId: String(order.id),
    orderName: order.order_name,
    body,
    headers: {
      'content-type': 'application/json',
      'user-agent': CYBERBIZ_WEBHOOK_USER_AGENT,
      'x-cyberbiz-domain': shop.domain,
      'x-cyberbiz-shop-domain': shop.domain,
      'x-cyberbiz-event': 'orders/create',
      'x-cyberbiz-hmac-sha256': signCyberbiz(shop.appSecret, body),
      'x-cyberbiz-domain-hmac-sha256': signCyberbiz(shop.appSecret, shop.domain),
      // CYBERBIZ sends no delivery id header; the relay finds its pre-built calls by this one (the hub ignores it).
      'x-bench-id': String(order.id),
    },
  };
}

// -------------------------------------------------------------------------------------------------
// The simulator process

/** The six provider simulators in their own process (bench/mixed-simulators.ts). */
class SimulatorProcess {
  private constructor(
    private readonly ipc: IpcChild<MixedSimRequest, MixedSimReply>,
    readonly urls: MixedSimUrls,
  ) {}

  get child(): ChildProcess {
    return this.ipc.child;
  }

  static async start(configFile: string): Promise<SimulatorProcess> {
    const { ipc, ready } = await IpcChild.fork<MixedSimRequest, MixedSimReply>('bench/mixed-simulators.ts', ['--config', configFile]);
    return new SimulatorProcess(ipc, ready.urls);
  }

  async counts(): Promise<MixedCounts> {
    const r = await this.ipc.ask({ type: 'count' });
    if (r.type !== 'count') throw new Error('the simulator process answered a count with something else');
    return r.counts;
  }

  async collect(): Promise<MixedCollected> {
    const r = await this.ipc.ask({ type: 'collect' });
    if (r.type !== 'collect') throw new Error('the simulator process answered a collect with something else');
    return r.messages;
  }
}

// -------------------------------------------------------------------------------------------------
// The relay (ceiling): the same provider calls per order, nothing else

function writeRelayFile(dir: string, sim: SimulatorProcess, cfg: MixedSimConfig, orders: Order[]): string {
  const u = sim.urls;
  const sends: MixedRelayFile['sends'] = {};
  for (const o of orders) {
    const order = JSON.parse(o.webhook.body) as CyberbizOrder;
    const b = o.buyer;
    const total = String((order as unknown as { prices?: { total_price?: unknown } }).prices?.total_price ?? '');
    const text = `Hi ${b.name}, thank you for your order ${o.webhook.orderName} (total ${total}). We will let you know when it ships.`;
    sends[o.webhook.webhookId] = {
      whatsapp: JSON.stringify({
        messaging_product: 'whatsapp',
        recipient_type: 'individual',
        to: b.recipient.whatsapp,
        type: 'template',
        template: { name: 'order_placed', language: { code: 'en_US' }, components: [{ type: 'body', parameters: [b.name, o.webhook.orderName, total].map((t) => ({ type: 'text', text: t })) }] },
      }),
      smsTo: b.recipient.sms,
      emailTo: b.recipient.email,
      lineTo: b.recipient.line,
      psid: b.recipient.messenger,
      text,
      subject: `Order ${o.webhook.orderName} received`,
    };
  }
  const file: MixedRelayFile = {
    channels: ACTIVE,
    whatsapp: { url: `${u.whatsapp}/v23.0/${cfg.whatsapp.phoneNumberId}`, accessToken: cfg.whatsapp.accessToken },
    twilio: { url: `${u.twilio}/2010-04-01/Accounts/${cfg.twilio.accountSid}/Messages.json`, accountSid: cfg.twilio.accountSid, authToken: cfg.twilio.authToken, from: cfg.twilio.from },
    smtp: { host: '127.0.0.1', port: u.smtpPort, username: cfg.smtp.username, password: cfg.smtp.password, from: 'orders@bench-tea.example' },
    line: { url: `${u.line}/v2/bot/message/push`, accessToken: cfg.line.channelAccessToken },
    messenger: { url: `${u.messenger}/v25.0/${cfg.messenger.pageId}/messages?access_token=${encodeURIComponent(cfg.messenger.pageAccessToken)}`, accessToken: cfg.messenger.pageAccessToken },
    sends,
  };
  const out = path.join(dir, 'mixed-relay.json');
  fs.writeFileSync(out, JSON.stringify(file));
  return out;
}

async function runRelay(sim: SimulatorProcess, work: Workload, relayFile: string, dir: string): Promise<{ stats: RunStats; peakRssBytes: number | null }> {
  const logFile = path.join(dir, 'relay.log');
  const child = nodeTs('bench/mixed-relay.ts', ['--file', relayFile], { logFile });
  const release = onCleanup('relay', () => stopChild(child, 3000));
  const deadline = Date.now() + 60_000;
  let url: string | null = null;
  while (!url) {
    const m = fs.existsSync(logFile) ? /listening (\S+)/.exec(fs.readFileSync(logFile, 'utf8')) : null;
    if (m) url = m[1]!;
    else if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the relay did not start\n${tail(logFile)}`);
    else await new Promise((r) => setTimeout(r, 100));
  }
  const none: Backend = { name: 'sqlite', env: {}, processes: [], dbNeedles: [], redisNeedles: [], storage: { database: async () => null, redis: null } };
  checkWarmup(work.warmup, await runPhase(sim, child.pid!, url, work.warmupFile, WARMUP, none, false), logFile);
  const measured = await runPhase(sim, child.pid!, url, work.measuredFile, N, none, true);
  const peakRssBytes = peakRss(child.pid!);
  await release();
  return { stats: analyse(work.measured, measured), peakRssBytes };
}

// -------------------------------------------------------------------------------------------------
// The hub and its setup through the public API

interface Hub {
  child: ChildProcess;
  url: string;
  logFile: string;
  release: () => Promise<void>;
}

async function startHub(sim: SimulatorProcess, backend: Backend, dir: string): Promise<{ hub: Hub; apiKey: string }> {
  const port = await freePort();
  const u = sim.urls;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...backend.env,
    HOST: '127.0.0.1',
    PORT: String(port),
    LOG_LEVEL: 'warn',
    SHOPTALK_WHATSAPP_API_URL: `${u.whatsapp}/v23.0`,
    SHOPTALK_TWILIO_API_URL: u.twilio,
    SHOPTALK_LINE_API_URL: u.line,
    SHOPTALK_MESSENGER_API_URL: `${u.messenger}/v25.0`,
    SHOPTALK_CYBERBIZ_API_URL: u.cyberbiz,
    SHOPTALK_WORKER_CONCURRENCY: String(WORKER_CONCURRENCY),
    // The merchant's SMTP server is the simulator on this machine.
    SHOPTALK_ALLOW_PRIVATE_DESTINATIONS: 'true',
    ...HUB_ENV,
  };
  delete env['SHOPTALK_SANDBOX'];

  // Workspace and API key through the CLI (the only public way to mint the first key), without REDIS_URL as
  // bench/run.ts does: these commands only touch the database.
  const cliEnv: NodeJS.ProcessEnv = { ...env };
  delete cliEnv['REDIS_URL'];
  const cli = (cliArgs: string[]) => runToEnd(nodeTs('src/cli/main.ts', cliArgs, { env: cliEnv }), `shoptalk ${cliArgs.join(' ')}`);
  const workspaceId = (await cli(['workspace', 'create', 'Bench Tea House'])).split('\t')[0]!.trim();
  const apiKey = (await cli(['api-key', 'create', '--workspace', workspaceId, '--name', 'mixed-bench'])).split('\n')[1]!.trim();

  const logFile = path.join(dir, `hub-${backend.name}.log`);
  const child = nodeTs('src/cli/main.ts', ['start', '--role', 'all'], { env, logFile });
  const release = onCleanup(`hub (${backend.name})`, () => stopChild(child, 15_000));
  const url = `http://127.0.0.1:${port}`;
  await Promise.race([waitForHealth(url), exitedEarly(child, 'the hub', logFile)]);
  return { hub: { child, url, logFile, release }, apiKey };
}

type Api = (method: string, route: string, body: unknown) => Promise<Record<string, unknown>>;

function apiClient(hubUrl: string, apiKey: string): Api {
  return async (method, route, body) => {
    const res = await fetch(`${hubUrl}/v1${route}`, {
      method,
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const json = (await res.json()) as Record<string, unknown>;
    if (!res.ok) throw new Error(`${method} /v1${route}: HTTP ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
}

/** Store, five channel accounts, order.placed on each channel, and one linked customer per order. Returns the webhook URL. */
async function configureHub(api: Api, sim: SimulatorProcess, cfg: MixedSimConfig, buyers: Buyer[]): Promise<string> {
  const store = await api('POST', '/store-connections', {
    platform: 'cyberbiz',
    name: cfg.cyberbiz.name,
    shop_domain: cfg.cyberbiz.domain,
    access_token: cfg.cyberbiz.accessToken,
    app_secret: cfg.cyberbiz.appSecret,
  });
  const accounts: Record<Channel, Record<string, unknown>> = {
    whatsapp: await api('POST', '/channel-accounts', {
      channel: 'whatsapp',
      provider: 'meta',
      name: 'Bench WhatsApp',
      phone_number_id: cfg.whatsapp.phoneNumberId,
      waba_id: cfg.whatsapp.wabaId,
      access_token: cfg.whatsapp.accessToken,
      app_secret: cfg.whatsapp.appSecret,
      rate_limit_per_second: ACCOUNT_RATE_LIMIT,
    }),
    sms: await api('POST', '/channel-accounts', {
      channel: 'sms',
      provider: 'twilio',
      name: 'Bench SMS',
      account_sid: cfg.twilio.accountSid,
      auth_token: cfg.twilio.authToken,
      from: cfg.twilio.from,
      rate_limit_per_second: ACCOUNT_RATE_LIMIT,
    }),
    email: await api('POST', '/channel-accounts', {
      channel: 'email',
      provider: 'smtp',
      name: 'Bench e-mail',
      host: '127.0.0.1',
      port: sim.urls.smtpPort,
      security: 'none',
      username: cfg.smtp.username,
      password: cfg.smtp.password,
      from_address: 'orders@bench-tea.example',
      from_name: 'Bench Tea House',
      rate_limit_per_second: ACCOUNT_RATE_LIMIT,
    }),
    line: await api('POST', '/channel-accounts', {
      channel: 'line',
      provider: 'line',
      name: 'Bench LINE',
      channel_access_token: cfg.line.channelAccessToken,
      channel_secret: cfg.line.channelSecret,
    }),
    messenger: await api('POST', '/channel-accounts', {
      channel: 'messenger',
      provider: 'meta-messenger',
      name: 'Bench Messenger',
      page_id: cfg.messenger.pageId,
      page_access_token: cfg.messenger.pageAccessToken,
      app_secret: cfg.messenger.appSecret,
    }),
  };
  await api('PUT', '/notification-settings/order.placed/whatsapp', {
    enabled: ACTIVE.includes('whatsapp'),
    channel_account_id: accounts.whatsapp['id'],
    template: { name: 'order_placed', language: 'en_US' },
  });
  // The other four send their built-in texts.
  for (const channel of ['sms', 'email', 'line', 'messenger'] as const) {
    if (ACTIVE.includes(channel)) await api('PUT', `/notification-settings/order.placed/${channel}`, { enabled: true });
  }

  // LINE and Messenger reach only customers who linked their chat account: one customer per order, linked
  // to the order's CYBERBIZ customer id.
  let next = 0;
  const createCustomers = async () => {
    while (next < buyers.length) {
      const b = buyers[next++]!;
      await api('POST', '/customers', {
        name: b.name,
        identities: [
          { kind: 'store', value: String(b.customerId), store_connection_id: store['id'] },
          { kind: 'line', value: b.lineUserId, channel_account_id: accounts.line['id'] },
          { kind: 'messenger', value: b.psid, channel_account_id: accounts.messenger['id'] },
        ],
      });
    }
  };
  await Promise.all(Array.from({ length: CUSTOMER_SETUP_CONCURRENCY }, createCustomers));
  return String(store['webhook_url']);
}

// -------------------------------------------------------------------------------------------------
// One phase: load generator run, then wait until every channel has every message (or stops receiving).

interface PhaseResult {
  load: LoadReport;
  messages: MixedCollected;
  timedOut: boolean;
  hubCpuMs: number | null;
  simulatorCpuMs: number | null;
  dbCpuMs: number | null;
  otherCores: number | null;
  /** CPU ms of the hub, the bench database's PostgreSQL backends and redis-server over the phase. */
  cpu: CpuSplit;
  storageBefore: StorageSample;
  storageAfter: StorageSample;
}

function total(counts: MixedCounts): number {
  return ACTIVE.reduce((sum, c) => sum + counts[c], 0);
}

async function runPhase(sim: SimulatorProcess, hubPid: number, targetUrl: string, file: string, expected: number, backend: Backend, measure: boolean): Promise<PhaseResult> {
  const dbProcesses = backend.processes;
  const storageBefore = measure ? await sampleStorage(backend.storage) : { database: null, redis: null };
  const meter = new CpuMeter([hubPid], backend.dbNeedles, backend.redisNeedles);
  meter.start();
  const db0 = cpuByCommand(dbProcesses);
  const hubCpu0 = cpuTimeMs(hubPid);
  const simCpu0 = cpuTimeMs(sim.child.pid!);
  const system0 = systemBusyMs();
  const own0 = process.cpuUsage();
  const window0 = Date.now();
  const child = nodeTs('bench/loadgen.ts', ['--file', file, '--url', targetUrl, '--connections', String(CONCURRENCY)]);
  const release = onCleanup('load generator', () => stopChild(child, 2000));
  const stdout = await runToEnd(child, 'the load generator');
  await release();
  const load = JSON.parse(stdout.trim().split('\n').pop()!) as LoadReport;

  let last = -1;
  let lastChange = Date.now();
  let timedOut = false;
  for (;;) {
    const counts = await sim.counts();
    if (ACTIVE.every((c) => counts[c] >= expected)) break;
    const sum = total(counts);
    if (sum !== last) {
      last = sum;
      lastChange = Date.now();
    } else if (Date.now() - lastChange > STALL_MS) {
      process.stderr.write(`bench: no new message for ${STALL_MS / 1000} s (${ACTIVE.map((c) => `${c} ${counts[c]}`).join(', ')} of ${expected} each); going on\n`);
      timedOut = true;
      break;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  // A short settle: a duplicate send arriving just after the last expected message still gets counted.
  await new Promise((r) => setTimeout(r, 300));
  const cpu = meter.readFinal();
  const hubCpu1 = cpuTimeMs(hubPid);
  const simCpu1 = cpuTimeMs(sim.child.pid!);
  const system1 = systemBusyMs();
  const own = process.cpuUsage(own0);
  const windowMs = Date.now() - window0;
  const messages = await sim.collect();
  const storageAfter = measure ? await sampleStorage(backend.storage) : { database: null, redis: null };
  const hubCpuMs = hubCpu0 !== null && hubCpu1 !== null ? hubCpu1 - hubCpu0 : null;
  const simulatorCpuMs = simCpu0 !== null && simCpu1 !== null ? simCpu1 - simCpu0 : null;
  let dbCpuMs: number | null = null;
  if (dbProcesses.length > 0) {
    dbCpuMs = 0;
    // Backends started during the phase count from zero.
    for (const [pid, ms] of cpuByCommand(dbProcesses)) dbCpuMs += ms - (db0.get(pid) ?? 0);
  }
  const ours = (hubCpuMs ?? 0) + (simulatorCpuMs ?? 0) + (dbCpuMs ?? 0) + load.cpuTotalMs + (own.user + own.system) / 1000;
  return {
    load,
    messages,
    timedOut,
    hubCpuMs,
    simulatorCpuMs,
    dbCpuMs,
    otherCores: system0 !== null && system1 !== null ? Math.max(0, system1 - system0 - ours) / windowMs : null,
    cpu,
    storageBefore,
    storageAfter,
  };
}

// -------------------------------------------------------------------------------------------------
// Analysis

interface Latency {
  p50: number;
  p99: number;
  max: number;
}

interface ChannelStats {
  n: number;
  delivered: number;
  missing: number;
  duplicates: number;
  /** Messages whose recipient is no order of the phase. */
  unexpected: number;
  messagesPerSecond: number;
  durationMs: number;
  eventToSendMs: Latency;
}

interface RunStats {
  channels: Partial<Record<Channel, ChannelStats>>;
  total: ChannelStats;
  webhookErrors: number;
  webhookFailures: Record<string, number>;
  webhooksAckedPerSecond: number;
  ackMs: Latency;
  /** CPU used per process during the run, in cores (CPU seconds per second of the run). */
  cpuCores: { hub: number | null; database: number | null; simulators: number | null; loadGenerator: number; otherProcesses: number | null };
  /** Core-ms per delivered message (all channels): hub + the bench database's backends + redis-server, and its parts. */
  cpuPerMessageMs: { total: number; hub: number; db: number; redis: number };
  /** Growth per delivered message in bytes: the database (SQLite file + WAL, or pg_database_size) and Redis used_memory. */
  bytesPerMessage: StorageSample;
  timedOut: boolean;
}

function latency(values: number[]): Latency {
  const sorted = sortedNumbers(values);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted[sorted.length - 1] ?? NaN };
}

function analyseChannel(channel: Channel, orders: Order[], phase: PhaseResult, e2sAll: number[]): ChannelStats & { lastAt: number } {
  const indexByRecipient = new Map(orders.map((o, i) => [o.buyer.recipient[channel], i]));
  const seen = new Uint8Array(orders.length);
  let delivered = 0;
  let duplicates = 0;
  let unexpected = 0;
  let lastAt = 0;
  const e2s: number[] = [];
  for (const m of phase.messages[channel]) {
    const index = indexByRecipient.get(m.to);
    if (index === undefined) {
      unexpected++;
      continue;
    }
    if (seen[index]) {
      duplicates++;
      continue;
    }
    seen[index] = 1;
    delivered++;
    lastAt = Math.max(lastAt, m.at);
    const sentAt = phase.load.sendAt[index];
    if (sentAt != null) e2s.push(m.at - sentAt);
  }
  e2sAll.push(...e2s);
  const durationMs = lastAt - phase.load.firstSendAt;
  return {
    n: orders.length,
    delivered,
    missing: orders.length - delivered,
    duplicates,
    unexpected,
    messagesPerSecond: delivered > 0 ? delivered / (durationMs / 1000) : 0,
    durationMs,
    eventToSendMs: latency(e2s),
    lastAt,
  };
}

function analyse(orders: Order[], phase: PhaseResult): RunStats {
  const e2sAll: number[] = [];
  const channels: Partial<Record<Channel, ChannelStats>> = {};
  let lastAt = 0;
  for (const c of ACTIVE) {
    const { lastAt: channelLast, ...stats } = analyseChannel(c, orders, phase, e2sAll);
    channels[c] = stats;
    lastAt = Math.max(lastAt, channelLast);
  }
  const sum = (f: (s: ChannelStats) => number) => ACTIVE.reduce((acc, c) => acc + f(channels[c]!), 0);
  const durationMs = lastAt - phase.load.firstSendAt;
  const delivered = sum((s) => s.delivered);
  return {
    channels,
    total: {
      n: orders.length * ACTIVE.length,
      delivered,
      missing: sum((s) => s.missing),
      duplicates: sum((s) => s.duplicates),
      unexpected: sum((s) => s.unexpected),
      messagesPerSecond: delivered > 0 ? delivered / (durationMs / 1000) : 0,
      durationMs,
      eventToSendMs: latency(e2sAll),
    },
    webhookErrors: phase.load.errors,
    webhookFailures: phase.load.failures,
    webhooksAckedPerSecond: phase.load.ok / ((phase.load.lastAckAt - phase.load.firstSendAt) / 1000),
    ackMs: latency(phase.load.ackMs.filter((v): v is number => v !== null)),
    cpuCores: {
      hub: phase.hubCpuMs === null ? null : phase.hubCpuMs / durationMs,
      database: phase.dbCpuMs === null ? null : phase.dbCpuMs / durationMs,
      simulators: phase.simulatorCpuMs === null ? null : phase.simulatorCpuMs / durationMs,
      loadGenerator: phase.load.cpuMs / durationMs,
      otherProcesses: phase.otherCores,
    },
    cpuPerMessageMs: {
      total: delivered > 0 ? cpuTotal(phase.cpu) / delivered : NaN,
      hub: delivered > 0 ? phase.cpu.hub / delivered : NaN,
      db: delivered > 0 ? phase.cpu.db / delivered : NaN,
      redis: delivered > 0 ? phase.cpu.redis / delivered : NaN,
    },
    bytesPerMessage: bytesPerMessage(phase.storageBefore, phase.storageAfter, delivered),
    timedOut: phase.timedOut,
  };
}

function checkWarmup(orders: Order[], phase: PhaseResult, logFile: string): void {
  const s = analyse(orders, phase);
  const short = ACTIVE.filter((c) => s.channels[c]!.delivered !== orders.length);
  if (short.length === 0 && s.webhookErrors === 0) return;
  throw new Error(
    `warm-up: ${ACTIVE.map((c) => `${c} ${s.channels[c]!.delivered}/${orders.length}`).join(', ')}; ` +
      `${s.webhookErrors} webhooks not acknowledged ${JSON.stringify(s.webhookFailures)}. The setup is broken.\n` +
      `--- last lines of the hub log ---\n${tail(logFile)}`,
  );
}

// -------------------------------------------------------------------------------------------------
// Report



function formatTable(s: RunStats, peakRssBytes: number | null): string {
  const header = ['channel', 'messages/s', 'e2s p50', 'e2s p99', 'delivered', 'missing', 'dup', 'unexpected', 'acked/s', 'ack p50', 'ack p99', 'CPU/msg', 'hub+db+redis', 'peak RSS', 'DB/msg', 'Redis/msg', 'CPU hub/db/sims/load/other'];
  const row = (name: string, c: ChannelStats, run: boolean) => [
    name,
    fmt(c.messagesPerSecond, 0),
    `${fmt(c.eventToSendMs.p50)} ms`,
    `${fmt(c.eventToSendMs.p99)} ms`,
    `${c.delivered}/${c.n}`,
    String(c.missing),
    String(c.duplicates),
    String(c.unexpected),
    // Webhook acknowledgement, memory and CPU belong to the run, not to one channel.
    run ? fmt(s.webhooksAckedPerSecond, 0) : '',
    run ? `${fmt(s.ackMs.p50)} ms` : '',
    run ? `${fmt(s.ackMs.p99)} ms` : '',
    run ? `${fmt(s.cpuPerMessageMs.total, 3)} ms` : '',
    run ? [s.cpuPerMessageMs.hub, s.cpuPerMessageMs.db, s.cpuPerMessageMs.redis].map((v) => fmt(v, 3)).join('+') : '',
    run ? (peakRssBytes === null ? '-' : `${(peakRssBytes / 1024 / 1024).toFixed(0)} MB`) : '',
    run ? bytesCell(s.bytesPerMessage.database) : '',
    run ? bytesCell(s.bytesPerMessage.redis) : '',
    run
      ? [s.cpuCores.hub, s.cpuCores.database, s.cpuCores.simulators, s.cpuCores.loadGenerator, s.cpuCores.otherProcesses].map((v) => fmt(v, 2)).join('/')
      : '',
  ];
  const rows = [...ACTIVE.map((c) => row(c, s.channels[c]!, false)), row('total', s.total, true)];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const rule = line(widths.map((w) => '-'.repeat(w)));
  return [line(header), rule, ...rows.slice(0, -1).map(line), rule, line(rows[rows.length - 1]!)].join('\n');
}

// -------------------------------------------------------------------------------------------------

async function checkPostgres(): Promise<void> {
  const pgOk = await reachable(async () => {
    const c = new pg.Client({ connectionString: args['pg-url'], connectionTimeoutMillis: 2000 });
    await c.connect();
    await c.end();
  });
  const redisOk = await reachable(async () => {
    const r = new Redis(args['redis-url'] ?? DEFAULT_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2000 });
    try {
      await r.connect();
      await r.ping();
    } finally {
      r.disconnect();
    }
  });
  if (!pgOk || !redisOk) throw new Error(`--db postgres needs PostgreSQL (${args['pg-url']}: ${pgOk ? 'ok' : 'unreachable'}) and Redis (${redisOk ? 'ok' : 'unreachable'})`);
}

async function main(): Promise<void> {
  const started = Date.now();
  if (DB === 'postgres') await checkPostgres();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shoptalk-mixed-'));
  onCleanup(`temp dir ${dir}`, () => fs.rmSync(dir, { recursive: true, force: true }));

  process.stdout.write(
    [
      `Shoptalk mixed-channel benchmark: ${N} signed CYBERBIZ orders/create webhooks in (after ${WARMUP} warm-up orders),`,
      `${N} messages out on each of ${ACTIVE.join(', ')} (${N * ACTIVE.length} in all).`,
      `Machine: ${os.cpus().length} CPU × ${os.cpus()[0]?.model ?? '?'}, ${(os.totalmem() / 1024 ** 3).toFixed(0)} GB, Node ${process.version}.`,
      `Load: closed loop over ${CONCURRENCY} connections. Hub on ${DB === 'sqlite' ? 'SQLite' : 'PostgreSQL + Redis'}, worker concurrency ${WORKER_CONCURRENCY}.`,
      `Rate limits: WhatsApp, SMS and e-mail accounts ${ACCOUNT_RATE_LIMIT}/s (the API's maximum); LINE and Messenger keep the hub's`,
      'defaults (2,000/s and 300/s: the API takes no rate for them).',
      '',
    ].join('\n'),
  );

  const lineTag = hex(12);
  const psidTag = `66${String(1000 + Math.floor(Math.random() * 9000))}`;
  const buyers = Array.from({ length: WARMUP + N }, (_, i) => buyerFor(i, lineTag, psidTag));
  const cfg = newSimConfig(buyers.map((b) => b.psid));
  const t0 = Date.now();
  const work = buildWorkload(dir, cfg.cyberbiz, buyers);
  process.stdout.write(`Built and signed ${WARMUP + N} orders in ${((Date.now() - t0) / 1000).toFixed(1)} s.\n`);

  const configFile = path.join(dir, 'simulators.json');
  fs.writeFileSync(configFile, JSON.stringify(cfg));
  const sim = await SimulatorProcess.start(configFile);
  process.stdout.write(`Simulators up (pid ${sim.child.pid}).\n`);

  let relay: { stats: RunStats; peakRssBytes: number | null } | null = null;
  if (!args['no-relay']) {
    process.stdout.write(`Running the relay (ceiling): the same provider calls per order, nothing else...\n`);
    relay = await runRelay(sim, work, writeRelayFile(dir, sim, cfg, [...work.warmup, ...work.measured]), dir);
  }
  const backend = DB === 'sqlite' ? sqliteBackend(path.join(dir, 'data')) : await postgresBackend({ dataDir: path.join(dir, 'data'), pgUrl: args['pg-url'], redisBaseUrl: DEFAULT_REDIS_URL, redisUrl: args['redis-url'], databasePrefix: 'shoptalk_mixed' });
  const { hub, apiKey } = await startHub(sim, backend, dir);
  process.stdout.write(`Hub at ${hub.url} (pid ${hub.child.pid}); configuring it through the API...\n`);
  const t1 = Date.now();
  const webhookUrl = await configureHub(apiClient(hub.url, apiKey), sim, cfg, buyers);
  process.stdout.write(`Store, 5 channel accounts, 5 notification settings and ${buyers.length} linked customers in ${((Date.now() - t1) / 1000).toFixed(1)} s.\n`);

  const hubPid = hub.child.pid!;
  process.stdout.write(`Warm-up: ${WARMUP} orders...\n`);
  checkWarmup(work.warmup, await runPhase(sim, hubPid, webhookUrl, work.warmupFile, WARMUP, backend, false), hub.logFile);
  process.stdout.write(`Measuring: ${N} orders...\n`);
  const measured = await runPhase(sim, hubPid, webhookUrl, work.measuredFile, N, backend, true);
  const peak = peakRss(hubPid);
  await hub.release();
  const stats = analyse(work.measured, measured);

  const log = fs.existsSync(hub.logFile) ? fs.readFileSync(hub.logFile, 'utf8') : '';
  const warnings = log.split('\n').filter((l) => l.includes('"level":40') || l.includes('"level":50')).length;
  let keptLog: string | null = null;
  if (warnings > 0) {
    // The temp dir goes away at the end; a log with warnings is worth keeping next to the results.
    keptLog = OUT.replace(/\.json$/, '-hub.log');
    fs.mkdirSync(path.dirname(keptLog), { recursive: true });
    fs.copyFileSync(hub.logFile, keptLog);
  }

  process.stdout.write('\n' + formatTable(stats, peak) + '\n\n');
  const ratio = relay && relay.stats.total.messagesPerSecond > 0 ? stats.total.messagesPerSecond / relay.stats.total.messagesPerSecond : null;
  if (relay) {
    const r = relay.stats;
    process.stdout.write(
      `Relay (ceiling, the same ${ACTIVE.length} provider calls per order): ${fmt(r.total.messagesPerSecond, 0)} messages/s, e2s p99 ${fmt(r.total.eventToSendMs.p99)} ms, ` +
        `ack p99 ${fmt(r.ackMs.p99)} ms, CPU/msg ${fmt(r.cpuPerMessageMs.total, 3)} ms, ${r.total.delivered}/${r.total.n} delivered (${r.total.missing} missing, ${r.total.duplicates} duplicates).\n` +
        `Hub ÷ relay: ${fmt(ratio, 2)} (messages/s of all channels).\n\n`,
    );
  }
  process.stdout.write(
    `messages/s = delivered / (first webhook sent → last message of that channel received by its simulator); total = all ${ACTIVE.length}.\n` +
      'e2s = event-to-send, simulator receive time − webhook send time, per message (Date.now(), 1 ms resolution).\n' +
      'ack = webhook acknowledgement latency at the load generator; acked/s = webhooks acknowledged per second.\n' +
      'dup = a second message to the same order on the same channel; unexpected = a message to no order of the run.\n' +
      'CPU/msg = core-ms per message of all channels: CPU time (utime + stime from /proc) of the hub, the bench database\'s PostgreSQL\n' +
      'backends and redis-server over the run ÷ messages delivered (hub+db+redis: its parts); DB/msg, Redis/msg = growth of the\n' +
      'database (SQLite file + WAL, or pg_database_size) and of Redis used_memory ÷ messages delivered.\n' +
      'peak RSS = VmHWM of the hub process; CPU = cores used over the run by the hub, its database (PostgreSQL backends of\n' +
      `the bench database and redis-server), the simulator process, the load generator and every other process (${os.cpus().length} cores).\n\n`,
  );
  if ((stats.cpuCores.otherProcesses ?? 0) > 0.25) {
    process.stdout.write(`WARNING: other processes kept ${fmt(stats.cpuCores.otherProcesses, 2)} cores busy during the run; the figures are lower than this machine gives when idle.\n`);
  }
  const exact = stats.total.missing === 0 && stats.total.duplicates === 0 && stats.total.unexpected === 0 && stats.webhookErrors === 0;
  process.stdout.write(
    exact
      ? `Exactly ${N} messages per channel, each mapped to its order.\n`
      : `NOT exact: missing ${stats.total.missing}, duplicates ${stats.total.duplicates}, unexpected ${stats.total.unexpected}, webhooks not acknowledged ${stats.webhookErrors}` +
          `${stats.timedOut ? ` (stopped waiting after ${STALL_MS / 1000} s without a new message)` : ''}.\n`,
  );
  const failures = Object.entries(stats.webhookFailures);
  if (failures.length) process.stdout.write(`Webhook failures: ${failures.map(([k, v]) => `${k} ×${v}`).join(', ')}\n`);
  if (keptLog) process.stdout.write(`The hub logged ${warnings} warnings/errors: ${path.relative(process.cwd(), keptLog)}\n`);

  fs.mkdirSync(path.dirname(OUT), { recursive: true });
  fs.writeFileSync(
    OUT,
    JSON.stringify(
      {
        at: new Date().toISOString(),
        command: REPRODUCE,
        machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model ?? null, memoryBytes: os.totalmem(), node: process.version },
        options: { n: N, warmup: WARMUP, db: DB, concurrency: CONCURRENCY, workerConcurrency: WORKER_CONCURRENCY, hubEnv: HUB_ENV },
        stats,
        peakRssBytes: peak,
        relay,
        ratioToRelay: ratio,
        hubWarnings: warnings,
      },
      null,
      2,
    ) + '\n',
  );
  process.stdout.write(`Results: ${path.relative(process.cwd(), OUT)}   (whole run ${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
  process.stdout.write(`Reproduce: ${REPRODUCE}\n`);
}

installSignalHandlers();
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
