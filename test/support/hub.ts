// A real hub in the test process (HTTP on a free port, real database and queue) wired to real simulators.
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { loadConfig } from '../../src/config/index.js';
import type { Config } from '../../src/config/index.js';
import { createHub } from '../../src/app.js';
import type { Hub, HubOptions } from '../../src/app.js';
import { createLogger } from '../../src/logger.js';
import { WhatsAppCloudSimulator } from '../../src/adapters/channels/whatsapp-cloud/simulator.js';
import { ShopifySimulator } from '../../src/adapters/stores/shopify/simulator.js';
import { ShoplineSimulator } from '../../src/adapters/stores/shopline/simulator.js';
import { GupshupSimulator } from '../../src/adapters/channels/gupshup/simulator.js';
import { MessengerSimulator } from '../../src/adapters/channels/messenger/simulator.js';
import { LineSimulator } from '../../src/adapters/channels/line/simulator.js';
import { TwilioSmsSimulator } from '../../src/adapters/channels/twilio-sms/simulator.js';
import { SmtpSimulator } from '../../src/adapters/channels/email-smtp/simulator.js';
import { CyberbizSimulator } from '../../src/adapters/stores/cyberbiz/simulator.js';
import { NinetyOneAppSimulator } from '../../src/adapters/stores/91app/simulator.js';
import { EshopboxSimulator } from '../../src/adapters/stores/eshopbox/simulator.js';
import { MiraklSimulator } from '../../src/adapters/marketplaces/mirakl/simulator.js';
import { SimulatedPhone } from '../../src/sandbox/phone.js';
import type { TestDatabase } from './services.js';
import { TEST_REDIS_URL, createTestDatabase, uniqueRedisPrefix } from './services.js';

export interface TestHub {
  hub: Hub;
  db: TestDatabase;
  wa: WhatsAppCloudSimulator;
  shopify: ShopifySimulator;
  shopline: ShoplineSimulator;
  gupshup: GupshupSimulator;
  messenger: MessengerSimulator;
  line: LineSimulator;
  twilio: TwilioSmsSimulator;
  smtp: SmtpSimulator;
  /** The simulator's SMTP port (its control API is on smtp.baseUrl). */
  smtpPort: number;
  cyberbiz: CyberbizSimulator;
  app91: NinetyOneAppSimulator;
  eshopbox: EshopboxSimulator;
  mirakl: MiraklSimulator;
  /** Everything the hub logged, as text. */
  logs: string[];
  api<T = unknown>(method: string, path: string, key: string, body?: unknown): Promise<{ status: number; body: T }>;
  /** Stops the hub (as a crash or a deploy would) and starts a new one on the same database, port and simulators. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export type HubVariant = {
  name: string;
  db: 'sqlite' | 'postgres';
  redis: boolean;
  sandboxPhone?: boolean;
  /** Redis prefix: unique per hub by default; null leaves it to the hub (SHOPTALK_REDIS_PREFIX, else the installation id). */
  queuePrefix?: string | null;
  /** Extra environment for this hub (e.g. SHOPTALK_ALLOW_PRIVATE_DESTINATIONS=false). */
  env?: Record<string, string>;
  /** The destination guard's resolver and classifier, for tests that play a public host on this machine. */
  destinations?: HubOptions['destinations'];
  /** The conversations' clock; tests move it instead of sleeping. */
  clock?: () => number;
};

export async function startTestHub(variant: HubVariant): Promise<TestHub> {
  const wa = new WhatsAppCloudSimulator({ statusDelayMs: 5 });
  const shopify = new ShopifySimulator({ retryScale: 0.0005 });
  const shopline = new ShoplineSimulator();
  const gupshup = new GupshupSimulator({ statusDelayMs: 5 });
  await wa.listen();
  await shopify.listen();
  await shopline.listen();
  await gupshup.listen();
  const messenger = new MessengerSimulator({ deliveryDelayMs: 5 });
  const line = new LineSimulator();
  await messenger.listen();
  await line.listen();
  const twilio = new TwilioSmsSimulator({ statusDelayMs: 5 });
  const smtp = new SmtpSimulator();
  const cyberbiz = new CyberbizSimulator();
  const app91 = new NinetyOneAppSimulator();
  const eshopbox = new EshopboxSimulator();
  await twilio.listen();
  await smtp.listen();
  const smtpPort = await smtp.listenSmtp();
  await cyberbiz.listen();
  await app91.listen();
  await eshopbox.listen();
  const mirakl = new MiraklSimulator();
  await mirakl.listen();
  const db = await createTestDatabase(variant.db);
  const env: Record<string, string> = {
    SHOPTALK_DATA_DIR: db.dataDir,
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'info',
    SHOPTALK_WHATSAPP_API_URL: `${wa.baseUrl}/v23.0`,
    SHOPTALK_SHOPLINE_API_URL: `${shopline.baseUrl}/{handle}/admin/openapi/v20260301`,
    SHOPTALK_GUPSHUP_API_URL: gupshup.baseUrl,
    SHOPTALK_MESSENGER_API_URL: `${messenger.baseUrl}/v25.0`,
    SHOPTALK_LINE_API_URL: line.baseUrl,
    SHOPTALK_TWILIO_API_URL: twilio.baseUrl,
    SHOPTALK_CYBERBIZ_API_URL: cyberbiz.baseUrl,
    SHOPTALK_91APP_API_URL: app91.baseUrl,
    SHOPTALK_91APP_MEMBER_API_URL: app91.baseUrl,
    SHOPTALK_ESHOPBOX_AUTH_URL: eshopbox.baseUrl,
    // One simulator plays every Eshopbox host; it tells accounts apart by the ProxyHost header.
    SHOPTALK_ESHOPBOX_API_URL: eshopbox.baseUrl,
    SHOPTALK_ESHOPBOX_WMS_URL: eshopbox.baseUrl,
    SHOPTALK_STORE_POLL_SECONDS: '1',
    SHOPTALK_EMPIKPLACE_API_URL: mirakl.baseUrl,
    SHOPTALK_MARKETPLACE_POLL_SECONDS: '1',
    SHOPTALK_JOB_POLL_MS: '20',
    SHOPTALK_WORKER_CONCURRENCY: '8',
    // The simulators (and test receivers) listen on 127.0.0.1.
    SHOPTALK_ALLOW_PRIVATE_DESTINATIONS: 'true',
  };
  if (db.database.kind === 'postgres') {
    env['DATABASE_URL'] = db.database.url;
    env['SHOPTALK_MASTER_KEY'] = randomBytes(32).toString('base64');
  }
  if (variant.redis) env['REDIS_URL'] = TEST_REDIS_URL;
  Object.assign(env, variant.env ?? {});
  const config: Config = loadConfig(env);
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(chunk.toString('utf8'));
      done();
    },
  });
  const prefix = variant.queuePrefix === null ? undefined : (variant.queuePrefix ?? uniqueRedisPrefix());
  const phone = variant.sandboxPhone ? new SimulatedPhone({ whatsapp: wa, line, messenger, shopify, twilio, smtp }) : null;
  const clock = variant.clock ? { clock: variant.clock } : {};
  const hub = await createHub({ config, role: 'all', logger: createLogger('info', sink), queuePrefix: prefix, sandbox: phone, destinations: variant.destinations, ...clock });
  phone?.attach(hub.uow);
  await hub.start();
  const t: TestHub = {
    hub,
    db,
    wa,
    shopify,
    shopline,
    gupshup,
    messenger,
    line,
    twilio,
    smtp,
    smtpPort,
    cyberbiz,
    app91,
    eshopbox,
    mirakl,
    logs,
    async restart() {
      const port = new URL(t.hub.url!).port;
      await t.hub.stop();
      const again = loadConfig({ ...env, PORT: port });
      t.hub = await createHub({ config: again, role: 'all', logger: createLogger('info', sink), queuePrefix: prefix, sandbox: phone, destinations: variant.destinations, ...clock });
      phone?.attach(t.hub.uow);
      await t.hub.start();
    },
    async api<T>(method: string, path: string, key: string, body?: unknown) {
      const res = await t.hub.http!.inject({
        method: method as 'GET',
        url: path,
        headers: { authorization: `Bearer ${key}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        payload: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.statusCode, body: (res.body ? JSON.parse(res.body) : null) as T };
    },
    async close() {
      await shopify.close();
      await shopline.close();
      await gupshup.close();
      await messenger.close();
      await line.close();
      await wa.close();
      await twilio.close();
      await smtp.close();
      await cyberbiz.close();
      await app91.close();
      await eshopbox.close();
      await mirakl.close();
      await t.hub.stop();
      await db.destroy();
    },
  };
  return t;
}

export interface MerchantSetup {
  workspaceId: string;
  key: string;
  connection: { id: string; webhook_url: string };
  account: { id: string; webhook_url: string };
  shop: string;
  phoneNumberId: string;
  wabaId: string;
  accessToken: string;
  appSecret: string;
}

let counter = 0;

/** A merchant with a Shopify store and a WhatsApp number, both registered with the simulators. */
export async function setUpMerchant(t: TestHub, opts: { enable?: boolean } = {}): Promise<MerchantSetup> {
  counter += 1;
  const suffix = `${Date.now().toString(36)}${counter}`;
  const ws = await t.hub.workspaces.createWorkspace(`Merchant ${suffix}`);
  const { key } = await t.hub.workspaces.createApiKey(ws.id, 'tests');
  const shop = `shop-${suffix}.myshopify.com`;
  const phoneNumberId = String(100000000000000 + counter * 7919 + Math.floor(Math.random() * 1000));
  const wabaId = String(200000000000000 + counter * 7919);
  const accessToken = `EAAG${randomBytes(16).toString('hex')}`;
  const appSecret = randomBytes(16).toString('hex');
  const webhookSecret = randomBytes(16).toString('hex');
  t.wa.addPhoneNumber({ phoneNumberId, wabaId, accessToken, appSecret, displayPhoneNumber: '15550783881', webhookUrl: null });

  const connection = await t.api<MerchantSetup['connection']>('POST', '/v1/store-connections', key, { platform: 'shopify', shop_domain: shop, webhook_secret: webhookSecret });
  if (connection.status !== 201) throw new Error(`store connection: ${JSON.stringify(connection.body)}`);
  const account = await t.api<MerchantSetup['account']>('POST', '/v1/channel-accounts', key, {
    channel: 'whatsapp',
    provider: 'meta',
    phone_number_id: phoneNumberId,
    waba_id: wabaId,
    access_token: accessToken,
    app_secret: appSecret,
  });
  if (account.status !== 201) throw new Error(`channel account: ${JSON.stringify(account.body)}`);
  t.wa.setWebhookUrl(phoneNumberId, account.body.webhook_url);
  t.shopify.addShop({ domain: shop, webhookSecret, subscriptions: [{ topic: 'orders/create', address: connection.body.webhook_url }, { topic: 'fulfillments/update', address: connection.body.webhook_url }] });
  if (opts.enable !== false) {
    const enabled = await t.api('PUT', '/v1/notification-settings/order.placed/whatsapp', key, { enabled: true, template: { name: 'order_placed', language: 'en_US' } });
    if (enabled.status !== 200) throw new Error(`enable: ${JSON.stringify(enabled.body)}`);
  }
  return { workspaceId: ws.id, key, connection: connection.body, account: account.body, shop, phoneNumberId, wabaId, accessToken, appSecret };
}
