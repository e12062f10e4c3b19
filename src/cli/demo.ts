// `shoptalk demo`: places a sample order in the simulated Shopify and prints the WhatsApp message the buyer
// got. It uses the sandbox of a running `npm start` when there is one, else runs a throwaway sandbox.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Config } from '../config/index.js';
import type { createHub as CreateHub } from '../app.js';
import type { ensureDemoWorkspace as EnsureDemo, startSimulators as StartSims, useSimulators as UseSims } from '../sandbox/sandbox.js';
import { createLogger } from '../logger.js';

// The sandbox comes in through these deps: the CLI imports it only when asked for (see main.ts).
interface DemoDeps {
  /** The simulated Shopify store of the demo workspace (DEMO_SHOP). */
  demoShop: string;
  startSimulators: typeof StartSims;
  ensureDemoWorkspace: typeof EnsureDemo;
  useSimulators: typeof UseSims;
  createHub: typeof CreateHub;
  tempDataDir: () => string;
}

interface SimMessage {
  id: string;
  to: string;
  templateName: string | null;
  renderedText: string;
  at: number;
}

export const tempDataDir = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'shoptalk-demo-'));

async function getJson<T>(url: string, init?: RequestInit): Promise<T> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(5000) });
  if (!res.ok) throw new Error(`${init?.method ?? 'GET'} ${url} answered ${res.status}`);
  return (await res.json()) as T;
}

interface SandboxUrls {
  shopify: string;
  whatsapp: string;
  sms: string;
  mail: string;
}

/** What else the buyer got besides WhatsApp (SMS and e-mail where the demo enables them), best effort. */
async function otherChannels(urls: SandboxUrls, orderName: string, email: string | null): Promise<string[]> {
  const lines: string[] = [];
  const sms = await getJson<Array<{ to: string; body: string }>>(`${urls.sms}/_sim/messages`).catch(() => []);
  const text = sms.find((m) => m.body.includes(orderName));
  if (text) lines.push('', `SMS to ${text.to}:`, '', `  ${text.body}`);
  const mails = email ? await getJson<Array<{ to: string | null; subject: string | null }>>(`${urls.mail}/_sim/mailbox?to=${encodeURIComponent(email.toLowerCase())}`).catch(() => []) : [];
  const mail = mails.find((m) => (m.subject ?? '').includes(orderName));
  if (mail) lines.push('', `E-mail to ${mail.to}: "${mail.subject}"`);
  return lines;
}

async function placeAndWait(urls: SandboxUrls, shop: string): Promise<string> {
  const placed = await getJson<{ order: { name: string; phone: string | null; email?: string | null; customer?: { first_name?: string } } }>(`${urls.shopify}/_sim/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ shop }),
  });
  const digits = (placed.order.phone ?? '').replace(/\D/g, '');
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const messages = await getJson<SimMessage[] | { data: SimMessage[] }>(`${urls.whatsapp}/_sim/messages`);
    const list = Array.isArray(messages) ? messages : messages.data;
    const hit = list.find((m) => m.renderedText.includes(placed.order.name) && (digits === '' || m.to.endsWith(digits.slice(-7))));
    if (hit) {
      // The other channels are sent in parallel; give them a moment to land.
      await new Promise((r) => setTimeout(r, 300));
      return [
        `Placed order ${placed.order.name} in the simulated Shopify store ${shop}.`,
        `WhatsApp message to +${hit.to} (template ${hit.templateName ?? 'text'}):`,
        '',
        `  ${hit.renderedText.replace(/\n/g, '\n  ')}`,
        ...(await otherChannels(urls, placed.order.name, placed.order.email ?? null)),
      ].join('\n');
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no WhatsApp message for order ${placed.order.name} arrived within 15 s`);
}

export async function runDemoOrder(config: Config, deps: DemoDeps): Promise<string> {
  // The ports of a running `npm start` sandbox (see startSimulators).
  const at = (offset: number) => `http://${config.http.host}:${config.sandbox.port + offset}`;
  const running = await fetch(`${at(1)}/_sim/shops`, { signal: AbortSignal.timeout(1000) })
    .then((r) => r.ok)
    .catch(() => false);
  if (running) return placeAndWait({ whatsapp: at(0), shopify: at(1), sms: at(5), mail: at(6) }, deps.demoShop);

  // No sandbox running: a throwaway hub with its own data folder and free ports.
  const dataDir = deps.tempDataDir();
  const sims = await deps.startSimulators({ host: '127.0.0.1', basePort: 0, statusDelayMs: 20 });
  const own: Config = {
    ...config,
    dataDir,
    database: { kind: 'sqlite', file: path.join(dataDir, 'shoptalk.db') },
    redisUrl: null,
    masterKey: null,
    previousMasterKeys: [],
    http: { ...config.http, host: '127.0.0.1', port: 0 },
    providers: { ...config.providers },
  };
  deps.useSimulators(own, sims);
  const hub = await deps.createHub({ config: own, role: 'all', logger: createLogger('warn') });
  try {
    await hub.start();
    await deps.ensureDemoWorkspace(hub, sims);
    const text = await placeAndWait({ shopify: sims.shopify.baseUrl, whatsapp: sims.whatsapp.baseUrl, sms: sims.twilio.baseUrl, mail: sims.smtp.baseUrl }, deps.demoShop);
    return `(No sandbox was running, so the demo used a temporary one.)\n${text}`;
  } finally {
    await hub.stop();
    await sims.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
