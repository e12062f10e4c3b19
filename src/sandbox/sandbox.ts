// The sandbox: provider simulators on localhost and a demo workspace wired to them, so that a newcomer can
// place an order in the simulated Shopify and watch the WhatsApp message arrive at the simulated phone.
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Hub } from '../app.js';
import { WhatsAppCloudSimulator } from '../adapters/channels/whatsapp-cloud/index.js';
import { ShopifySimulator } from '../adapters/stores/shopify/index.js';

export interface Simulators {
  whatsapp: WhatsAppCloudSimulator;
  shopify: ShopifySimulator;
  /** The WhatsApp API base URL the hub must use to reach the simulator. */
  whatsappApiUrl: string;
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
}

export const DEMO_SHOP = 'demo-store.myshopify.com';
const DEMO_FILE = 'sandbox-demo.json';

/** Starts the simulators; port 0 picks free ports. */
export async function startSimulators(opts: { host: string; whatsappPort: number; shopifyPort: number; statusDelayMs?: number }): Promise<Simulators> {
  const whatsapp = new WhatsAppCloudSimulator({ statusDelayMs: opts.statusDelayMs ?? 200 });
  const shopify = new ShopifySimulator({ retryScale: 0.001 });
  await whatsapp.listen(opts.whatsappPort, opts.host);
  await shopify.listen(opts.shopifyPort, opts.host);
  return {
    whatsapp,
    shopify,
    whatsappApiUrl: `${whatsapp.baseUrl}/v23.0`,
    async close() {
      await Promise.all([whatsapp.close(), shopify.close()]);
    },
  };
}

/**
 * Creates the demo workspace on first start (kept in the data folder, since an API key is shown only
 * once) and registers its shop and phone number with the simulators, which keep no state of their own.
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
  sims.whatsapp.addPhoneNumber({ ...partial, verifiedName: 'Demo Store', webhookUrl: null });
  const workspace = await hub.workspaces.createWorkspace('Demo Store');
  const { key } = await hub.workspaces.createApiKey(workspace.id, 'sandbox demo');
  const connection = await hub.connections.createShopifyConnection(workspace.id, { name: 'Demo Store (Shopify)', shopDomain: DEMO_SHOP, webhookSecret: partial.webhookSecret });
  const account = await hub.connections.createWhatsAppCloudAccount(workspace.id, {
    name: 'Demo Store WhatsApp',
    phoneNumberId: partial.phoneNumberId,
    wabaId: partial.wabaId,
    accessToken: partial.accessToken,
    appSecret: partial.appSecret,
  });
  await hub.settings.update(workspace.id, 'order.placed', 'whatsapp', { enabled: true, template: { name: 'order_placed', language: 'en_US' } });
  demo = { ...partial, workspaceId: workspace.id, apiKey: key, storeConnectionId: connection.id, channelAccountId: account.id };
  fs.mkdirSync(hub.config.dataDir, { recursive: true });
  fs.writeFileSync(file, JSON.stringify(demo, null, 2) + '\n', { mode: 0o600 });
  registerWithSimulators(sims, demo, publicUrl);
  return demo;
}

function registerWithSimulators(sims: Simulators, demo: DemoWorkspace, publicUrl: string): void {
  sims.whatsapp.addPhoneNumber({
    phoneNumberId: demo.phoneNumberId,
    wabaId: demo.wabaId,
    accessToken: demo.accessToken,
    appSecret: demo.appSecret,
    displayPhoneNumber: demo.displayPhoneNumber,
    verifiedName: 'Demo Store',
    webhookUrl: `${publicUrl}/webhooks/whatsapp/${demo.channelAccountId}`,
  });
  const address = `${publicUrl}/webhooks/shopify/${demo.storeConnectionId}`;
  sims.shopify.addShop({
    domain: demo.shopDomain,
    webhookSecret: demo.webhookSecret,
    subscriptions: ['orders/create', 'orders/paid', 'orders/cancelled', 'fulfillments/update', 'refunds/create'].map((topic) => ({ topic, address })),
  });
}
