// The sandbox: every provider's simulator on localhost and a demo workspace wired to them, so that a newcomer
// can place an order in the simulated Shopify and watch the WhatsApp, SMS and e-mail messages arrive.
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Hub } from '../app.js';
import type { Config } from '../config/index.js';
import { providerCatalogue } from '../adapters/registry.js';
import { WhatsAppCloudSimulator } from '../adapters/channels/whatsapp-cloud/simulator.js';
import { GupshupSimulator } from '../adapters/channels/gupshup/simulator.js';
import { MessengerSimulator } from '../adapters/channels/messenger/simulator.js';
import { LineSimulator } from '../adapters/channels/line/simulator.js';
import { TwilioSmsSimulator } from '../adapters/channels/twilio-sms/simulator.js';
import { SmtpSimulator } from '../adapters/channels/email-smtp/simulator.js';
import { ShopifySimulator } from '../adapters/stores/shopify/simulator.js';
import { ShoplineSimulator } from '../adapters/stores/shopline/simulator.js';
import { CyberbizSimulator } from '../adapters/stores/cyberbiz/simulator.js';
import { NinetyOneAppSimulator } from '../adapters/stores/91app/simulator.js';
import { EshopboxSimulator } from '../adapters/stores/eshopbox/simulator.js';
import { MiraklSimulator } from '../adapters/marketplaces/mirakl/simulator.js';

export interface Simulators {
  whatsapp: WhatsAppCloudSimulator;
  shopify: ShopifySimulator;
  gupshup: GupshupSimulator;
  messenger: MessengerSimulator;
  line: LineSimulator;
  twilio: TwilioSmsSimulator;
  smtp: SmtpSimulator;
  /** The port the SMTP simulator accepts mail on (its control API is smtp.baseUrl). */
  smtpPort: number;
  shopline: ShoplineSimulator;
  cyberbiz: CyberbizSimulator;
  ninetyOneApp: NinetyOneAppSimulator;
  eshopbox: EshopboxSimulator;
  /** EmpikPlace's Mirakl seller API. */
  mirakl: MiraklSimulator;
  /** The WhatsApp API base URL the hub must use to reach the simulator. */
  whatsappApiUrl: string;
  /** The simulator standing in for each provider, by provider id (the base URLs point there). */
  byProvider: Record<string, { baseUrl: string }>;
  close(): Promise<void>;
}

export interface DemoWorkspace {
  workspaceId: string;
  apiKey: string;
  shopDomain: string;
  webhookSecret: string;
  storeConnectionId: string;
  phoneNumberId: string;
  wabaId: string;
  displayPhoneNumber: string;
  accessToken: string;
  appSecret: string;
  channelAccountId: string;
  /** SMS and e-mail accounts (absent in demo workspaces made by older versions). */
  sms?: { accountSid: string; authToken: string; from: string; channelAccountId: string };
  email?: { username: string; password: string; fromAddress: string; channelAccountId: string; webhookSecret: string };
  /** The console's demo admin. */
  console?: { email: string; password: string };
}

export const DEMO_SHOP = 'demo-store.myshopify.com';
const DEMO_FILE = 'sandbox-demo.json';

/**
 * Ports from the base: WhatsApp +0, Shopify +1 (the demo command relies on these two), Gupshup +2,
 * Messenger +3, LINE +4, Twilio +5, SMTP control +6 and SMTP +7, SHOPLINE +8, CYBERBIZ +9, 91APP +10,
 * Eshopbox +11, EmpikPlace (Mirakl) +12. A base of 0 picks free ports for all of them.
 */
export async function startSimulators(opts: { host: string; basePort: number; statusDelayMs?: number }): Promise<Simulators> {
  const port = (offset: number) => (opts.basePort === 0 ? 0 : opts.basePort + offset);
  const delay = opts.statusDelayMs ?? 200;
  const whatsapp = new WhatsAppCloudSimulator({ statusDelayMs: delay });
  const shopify = new ShopifySimulator({ retryScale: 0.001 });
  const gupshup = new GupshupSimulator({ statusDelayMs: delay });
  const messenger = new MessengerSimulator({ deliveryDelayMs: delay });
  const line = new LineSimulator();
  const twilio = new TwilioSmsSimulator({ statusDelayMs: delay });
  const smtp = new SmtpSimulator();
  const shopline = new ShoplineSimulator();
  const cyberbiz = new CyberbizSimulator();
  const ninetyOneApp = new NinetyOneAppSimulator();
  const eshopbox = new EshopboxSimulator();
  const mirakl = new MiraklSimulator();
  await whatsapp.listen(port(0), opts.host);
  await shopify.listen(port(1), opts.host);
  await gupshup.listen(port(2), opts.host);
  await messenger.listen(port(3), opts.host);
  await line.listen(port(4), opts.host);
  await twilio.listen(port(5), opts.host);
  await smtp.listen(port(6), opts.host);
  const smtpPort = await smtp.listenSmtp(port(7), opts.host);
  await shopline.listen(port(8), opts.host);
  await cyberbiz.listen(port(9), opts.host);
  await ninetyOneApp.listen(port(10), opts.host);
  await eshopbox.listen(port(11), opts.host);
  await mirakl.listen(port(12), opts.host);
  const all = [whatsapp, shopify, gupshup, messenger, line, twilio, smtp, shopline, cyberbiz, ninetyOneApp, eshopbox, mirakl];
  return {
    whatsapp,
    shopify,
    gupshup,
    messenger,
    line,
    twilio,
    smtp,
    smtpPort,
    shopline,
    cyberbiz,
    ninetyOneApp,
    eshopbox,
    mirakl,
    whatsappApiUrl: `${whatsapp.baseUrl}/v23.0`,
    byProvider: { meta: whatsapp, gupshup, 'meta-messenger': messenger, line, twilio, shopline, cyberbiz, '91app': ninetyOneApp, eshopbox, empikplace: mirakl },
    async close() {
      await Promise.all(all.map((s) => s.close()));
    },
  };
}

/**
 * Points every provider URL of the config at the simulators. The demo workspace's own destinations (its SMTP
 * server) are simulators on this machine, so the sandbox allows private destinations.
 */
export function useSimulators(config: Config, sims: Simulators): void {
  config.destinations.allowPrivate = true;
  // Each base-URL setting of a provider's definition, at that provider's simulator (and the path it serves the API under).
  const urls: Record<string, string> = {};
  for (const definition of providerCatalogue.all) {
    const sim = sims.byProvider[definition.id];
    if (sim) for (const setting of definition.baseUrls ?? []) urls[setting.key] = sim.baseUrl + (setting.simulatorPath ?? '');
  }
  config.providers.baseUrls = { ...config.providers.baseUrls, ...urls };
}

/**
 * Creates the demo workspace on first start (kept in the data folder, since an API key is shown only
 * once) and registers its shop, phone number, SMS and mail accounts with the simulators, which keep no state.
 */
export async function ensureDemoWorkspace(hub: Hub, sims: Simulators): Promise<DemoWorkspace> {
  const file = path.join(hub.config.dataDir, DEMO_FILE);
  const publicUrl = hub.config.http.publicUrl;
  let demo: DemoWorkspace | null = null;
  if (fs.existsSync(file)) {
    const saved = JSON.parse(fs.readFileSync(file, 'utf8')) as DemoWorkspace;
    if (await hub.uow.repos.workspaces.get(saved.workspaceId)) demo = saved;
  }
  if (demo) {
    if (!demo.console) {
      demo.console = await demoUser(hub, demo.workspaceId);
      fs.writeFileSync(file, JSON.stringify(demo, null, 2) + '\n', { mode: 0o600 });
    }
    registerWithSimulators(sims, demo, publicUrl);
    return demo;
  }

  const partial = {
    shopDomain: DEMO_SHOP,
    webhookSecret: randomBytes(24).toString('hex'),
    phoneNumberId: '106540352242922',
    wabaId: '102290129340398',
    displayPhoneNumber: '15550783881',
    accessToken: `EAAG${randomBytes(24).toString('hex')}`,
    appSecret: randomBytes(16).toString('hex'),
  };
  const sms = { accountSid: `AC${randomBytes(16).toString('hex')}`, authToken: randomBytes(16).toString('hex'), from: '+15005550006' };
  const mail = { username: 'demo-store', password: randomBytes(12).toString('hex'), fromAddress: 'orders@demo-store.example' };
  sims.whatsapp.addPhoneNumber({ ...partial, verifiedName: 'Demo Store', webhookUrl: null });
  sims.twilio.addAccount({ accountSid: sms.accountSid, authToken: sms.authToken, numbers: [sms.from], friendlyName: 'Demo Store' });
  sims.smtp.addAccount({ username: mail.username, password: mail.password });
  const workspace = await hub.workspaces.createWorkspace('Demo Store');
  const { key } = await hub.workspaces.createApiKey(workspace.id, 'sandbox demo');
  const connection = await connectStore(hub, workspace.id, 'shopify', { name: 'Demo Store (Shopify)', shop_domain: DEMO_SHOP, webhook_secret: partial.webhookSecret });
  const account = await connectChannel(hub, workspace.id, 'meta', {
    name: 'Demo Store WhatsApp',
    phone_number_id: partial.phoneNumberId,
    waba_id: partial.wabaId,
    access_token: partial.accessToken,
    app_secret: partial.appSecret,
  });
  const smsAccount = await connectChannel(hub, workspace.id, 'twilio', { name: 'Demo Store SMS', account_sid: sms.accountSid, auth_token: sms.authToken, from: sms.from });
  const mailAccount = await connectChannel(hub, workspace.id, 'smtp', {
    name: 'Demo Store e-mail',
    host: '127.0.0.1',
    port: sims.smtpPort,
    security: 'none',
    username: mail.username,
    password: mail.password,
    from_address: mail.fromAddress,
    from_name: 'Demo Store',
  });
  await hub.settings.update(workspace.id, 'order.placed', 'whatsapp', { enabled: true, template: { name: 'order_placed', language: 'en_US' } });
  await hub.settings.update(workspace.id, 'order.placed', 'sms', { enabled: true, template: { language: 'en' } });
  await hub.settings.update(workspace.id, 'order.placed', 'email', { enabled: true, template: { language: 'en' } });
  demo = {
    ...partial,
    workspaceId: workspace.id,
    apiKey: key,
    storeConnectionId: connection.id,
    channelAccountId: account.account.id,
    sms: { ...sms, channelAccountId: smsAccount.account.id },
    email: { ...mail, channelAccountId: mailAccount.account.id, webhookSecret: String(mailAccount.once['webhook_secret']) },
    console: await demoUser(hub, workspace.id),
  };
  fs.mkdirSync(hub.config.dataDir, { recursive: true });
  fs.writeFileSync(file, JSON.stringify(demo, null, 2) + '\n', { mode: 0o600 });
  registerWithSimulators(sims, demo, publicUrl);
  return demo;
}

async function connectStore(hub: Hub, workspaceId: string, platform: string, input: Record<string, unknown>) {
  const created = await hub.connections.connect(workspaceId, platform, input);
  if (created.kind !== 'store') throw new Error(`${platform} is not a store`);
  return created.connection;
}

async function connectChannel(hub: Hub, workspaceId: string, provider: string, input: Record<string, unknown>) {
  const created = await hub.connections.connect(workspaceId, provider, input);
  if (created.kind !== 'channel') throw new Error(`${provider} is not a channel provider`);
  return created;
}

/** Where a provider's webhooks for one connection or account go (the URL the API hands out). */
function webhookUrl(publicUrl: string, providerId: string, id: string): string {
  return `${publicUrl}/webhooks/${providerCatalogue.get(providerId)?.webhooks?.published ?? providerId}/${id}`;
}

/** The demo workspace's console admin, with a password generated for this data folder. */
async function demoUser(hub: Hub, workspaceId: string): Promise<{ email: string; password: string }> {
  const email = `demo+${workspaceId.slice(-6)}@shoptalk.local`;
  const password = randomBytes(9).toString('base64url');
  await hub.users.create(workspaceId, { email, name: 'Demo admin', role: 'admin', password });
  return { email, password };
}

function registerWithSimulators(sims: Simulators, demo: DemoWorkspace, publicUrl: string): void {
  sims.whatsapp.addPhoneNumber({
    phoneNumberId: demo.phoneNumberId,
    wabaId: demo.wabaId,
    accessToken: demo.accessToken,
    appSecret: demo.appSecret,
    displayPhoneNumber: demo.displayPhoneNumber,
    verifiedName: 'Demo Store',
    webhookUrl: webhookUrl(publicUrl, 'meta', demo.channelAccountId),
  });
  const address = webhookUrl(publicUrl, 'shopify', demo.storeConnectionId);
  sims.shopify.addShop({
    domain: demo.shopDomain,
    webhookSecret: demo.webhookSecret,
    subscriptions: ['orders/create', 'orders/paid', 'orders/cancelled', 'fulfillments/update', 'refunds/create'].map((topic) => ({ topic, address })),
  });
  if (demo.sms) {
    sims.twilio.addAccount({ accountSid: demo.sms.accountSid, authToken: demo.sms.authToken, numbers: [demo.sms.from], friendlyName: 'Demo Store' });
    sims.twilio.setSmsUrl(demo.sms.from, webhookUrl(publicUrl, 'twilio', demo.sms.channelAccountId));
  }
  if (demo.email) {
    sims.smtp.addAccount({ username: demo.email.username, password: demo.email.password, webhookUrl: webhookUrl(publicUrl, 'smtp', demo.email.channelAccountId), webhookSecret: demo.email.webhookSecret });
  }
}
