// Answers that must be a clear 4xx, not a 5xx: credentials that cannot be sent in an HTTP header (every
// connection kind), names that are already taken (queues, flow modules and the other unique names), a demo order
// from a workspace without the sandbox's demo shop, and `shoptalk user create` for a workspace that does not exist.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HubVariant, MerchantSetup, TestHub } from './support/hub.js';
import { setUpMerchant, startTestHub } from './support/hub.js';
import { shoptalk } from './support/cli.js';
import { createTestDatabase, storageKinds, tempDir } from './support/services.js';

interface ErrorBody {
  error: { code: string; message: string; details: { fields?: Array<{ field: string; message: string }> } | null };
}

const hex = (n: number) => randomBytes(n).toString('hex');
const variants: HubVariant[] = storageKinds.map((db) => ({ name: db === 'sqlite' ? 'SQLite' : 'PostgreSQL', db, redis: false, sandboxPhone: true }));

/** Values no HTTP header (or SMTP command) can carry as they are. */
const notInAHeader = ['tok\r\nX-Injected: 1', 'token\n12345', 'token\r12345', 'tok\u0000en12345', 'token\t12345', 'tok\u007fen12345', 'tok\u0085en12345'];
/** And, for tokens, keys and ids, anything outside printable ASCII. */
const notAscii = ['tokén12345', 'tok€en12345', '令牌令牌令牌令牌令牌', 'token\u2028x12345', 'token\u00a012345'];

describe.each(variants)('clear answers ($name)', (variant) => {
  let t: TestHub;
  let m: MerchantSetup;

  beforeAll(async () => {
    t = await startTestHub(variant);
    m = await setUpMerchant(t, { enable: false });
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('credentials that cannot go in an HTTP header', () => {
    let inbox: { fieldId: string; queueId: string; categoryId: string };
    beforeAll(async () => {
      const field = await t.api<{ id: string }>('POST', '/v1/custom-fields', m.key, { name: `EmpikPlace customer ${hex(3)}` });
      const queue = await t.api<{ id: string }>('POST', '/v1/queues', m.key, { name: `Marketplace ${hex(3)}` });
      const category = await t.api<{ id: string }>('POST', '/v1/categories', m.key, { name: `Questions ${hex(3)}` });
      inbox = { fieldId: field.body.id, queueId: queue.body.id, categoryId: category.body.id };
    });

    // Each kind of connection with valid values, and its fields that carry credentials or identifiers.
    const kinds = (): Array<{ path: string; body: Record<string, unknown>; ascii: string[]; text?: string[] }> => [
      { path: '/v1/store-connections', body: { platform: 'shopify', shop_domain: `s-${hex(3)}.myshopify.com`, webhook_secret: 'shpss_12345678' }, ascii: ['webhook_secret'] },
      { path: '/v1/store-connections', body: { platform: 'shopline', handle: 'open001', access_token: 'tok_1234567890', app_secret: 'secret1234' }, ascii: ['access_token', 'app_secret'] },
      { path: '/v1/store-connections', body: { platform: 'cyberbiz', shop_domain: 'demo.cyberbiz.co', access_token: 'tok_1234567890', app_secret: 'secret1234' }, ascii: ['access_token', 'app_secret'] },
      { path: '/v1/store-connections', body: { platform: '91app', shop_id: '12345', api_key: 'key_12345678' }, ascii: ['api_key'] },
      { path: '/v1/store-connections', body: { platform: 'eshopbox', workspace: 'acme', client_id: 'client_1', client_secret: 'secret1234', refresh_token: 'refresh_1234' }, ascii: ['client_id', 'client_secret', 'refresh_token', 'external_channel_id'] },
      {
        path: '/v1/store-connections',
        body: { platform: 'empikplace', name: 'Empik', api_key: 'key_12345678', customer_id_field_id: inbox.fieldId, queue_id: inbox.queueId, category_id: inbox.categoryId },
        ascii: ['api_key', 'shop_id'],
      },
      { path: '/v1/channel-accounts', body: { channel: 'whatsapp', provider: 'meta', phone_number_id: '1234567', waba_id: '7654321', access_token: 'EAAG12345678', app_secret: 'secret1234' }, ascii: ['access_token', 'app_secret', 'verify_token'] },
      { path: '/v1/channel-accounts', body: { channel: 'whatsapp', provider: 'gupshup', app_name: 'shopapp', source_number: '+919876543210', api_key: 'key_12345678' }, ascii: ['api_key', 'app_name'] },
      { path: '/v1/channel-accounts', body: { channel: 'messenger', provider: 'meta-messenger', page_id: '1234567', page_access_token: 'EAAG12345678', app_secret: 'secret1234' }, ascii: ['page_access_token', 'app_secret', 'verify_token'] },
      { path: '/v1/channel-accounts', body: { channel: 'line', provider: 'line', channel_access_token: 'line_token_123', channel_secret: 'secret1234' }, ascii: ['channel_access_token', 'channel_secret', 'channel_id'] },
      { path: '/v1/channel-accounts', body: { channel: 'sms', provider: 'twilio', account_sid: `AC${hex(16)}`, auth_token: 'token_12345', from: '+15005550006' }, ascii: ['account_sid', 'auth_token'] },
      {
        path: '/v1/channel-accounts',
        body: { channel: 'email', provider: 'smtp', host: '127.0.0.1', port: 2525, security: 'none', username: 'user', password: 'password1', from_address: 'orders@shop.example' },
        ascii: [],
        // A mailbox password may be any text, but no control character reaches the SMTP conversation.
        text: ['username', 'password'],
      },
    ];

    it('answers 400 naming the field, for every connection kind, never 502', async () => {
      expect.hasAssertions();
      for (const kind of kinds()) {
        const label = `${String(kind.body['platform'] ?? kind.body['provider'])}`;
        for (const field of [...kind.ascii, ...(kind.text ?? [])]) {
          const values = kind.ascii.includes(field) ? [...notInAHeader, ...notAscii] : notInAHeader;
          for (const value of values) {
            const res = await t.api<ErrorBody>('POST', kind.path, m.key, { ...kind.body, [field]: value });
            expect(res.status, `${label} ${field} ${JSON.stringify(value)}: ${JSON.stringify(res.body)}`).toBe(400);
            expect(res.body.error.code).toBe('validation_failed');
            expect(res.body.error.details?.fields?.map((f) => f.field)).toContain(field);
            expect(res.body.error.message).toContain(`${field}:`);
            // The answer does not repeat the secret.
            expect(res.body.error.message).not.toContain(value);
          }
        }
      }
    });
  });

  it('answers 400 naming the field when stored credentials (saved by an older version) cannot be sent, on re-verify', async () => {
    const repos = t.hub.uow.repos;
    const seal = (secrets: Record<string, string>) => t.hub.secrets.seal(secrets);
    const store = await repos.storeConnections.create(m.workspaceId, {
      platform: 'shopline',
      name: 'Old SHOPLINE',
      externalId: `old-${hex(3)}`,
      settings: { handle: 'open001' },
      sealedSecrets: seal({ accessToken: 'tok\r\nX-Injected: 1', appSecret: 'secret1234' }),
      status: 'verified',
      verifiedAt: Date.now(),
    });
    const marketplace = await repos.storeConnections.create(m.workspaceId, {
      platform: 'empikplace',
      name: 'Old Empik',
      externalId: `old-${hex(3)}`,
      settings: { shopId: '2001' },
      sealedSecrets: seal({ apiKey: 'key\u000012345' }),
      status: 'verified',
      verifiedAt: Date.now(),
    });
    const account = await repos.channelAccounts.create(m.workspaceId, {
      channel: 'line',
      provider: 'line',
      name: 'Old LINE',
      externalId: `U${hex(16)}`,
      owner: 'merchant',
      settings: {},
      sealedSecrets: seal({ channelAccessToken: 'token€12345', channelSecret: 'secret1234' }),
      status: 'verified',
      displayName: null,
      rateLimitPerSecond: 100,
      verifiedAt: Date.now(),
    });
    for (const [path, field] of [
      [`/v1/store-connections/${store.id}/verify`, 'access_token'],
      [`/v1/store-connections/${marketplace.id}/verify`, 'api_key'],
      [`/v1/channel-accounts/${account.id}/verify`, 'channel_access_token'],
    ] as const) {
      const res = await t.api<ErrorBody>('POST', path, m.key);
      expect(res.status, `${path}: ${JSON.stringify(res.body)}`).toBe(400);
      expect(res.body.error.details?.fields?.[0]?.field).toBe(field);
      expect(res.body.error.message).toMatch(/stored value/);
    }
  });

  describe('names already taken', () => {
    it('answers 409 for a queue renamed or created with a taken name', async () => {
      const a = await t.api<{ id: string }>('POST', '/v1/queues', m.key, { name: 'Returns desk' });
      const b = await t.api<{ id: string }>('POST', '/v1/queues', m.key, { name: 'Billing desk' });
      expect([a.status, b.status]).toEqual([201, 201]);
      const renamed = await t.api<ErrorBody>('PATCH', `/v1/queues/${b.body.id}`, m.key, { name: 'Returns desk' });
      expect(renamed.status).toBe(409);
      expect(renamed.body.error.code).toBe('conflict');
      expect(renamed.body.error.message).toMatch(/queue/);
      expect(renamed.body.error.message).toMatch(/name/);
      const again = await t.api<ErrorBody>('POST', '/v1/queues', m.key, { name: 'Returns desk' });
      expect(again.status).toBe(409);
      // Unchanged, and its own name may be saved again.
      expect((await t.api('PATCH', `/v1/queues/${b.body.id}`, m.key, { name: 'Billing desk' })).status).toBe(200);
    });

    it('answers 409 for a flow module renamed or created with a taken name', async () => {
      const module = (name: string) => ({ name, text: `The ${name} module`, buttons: [], keywords: [] });
      const a = await t.api<{ id: string }>('POST', '/v1/flow-modules', m.key, module('Welcome'));
      const b = await t.api<{ id: string }>('POST', '/v1/flow-modules', m.key, module('Opening hours'));
      expect([a.status, b.status]).toEqual([201, 201]);
      const renamed = await t.api<ErrorBody>('PUT', `/v1/flow-modules/${b.body.id}`, m.key, module('Welcome'));
      expect(renamed.status).toBe(409);
      expect(renamed.body.error.code).toBe('conflict');
      expect(renamed.body.error.message).toMatch(/module/);
      expect(renamed.body.error.message).toMatch(/name/);
      expect((await t.api<ErrorBody>('POST', '/v1/flow-modules', m.key, module('Welcome'))).status).toBe(409);
      expect((await t.api('PUT', `/v1/flow-modules/${b.body.id}`, m.key, module('Opening hours'))).status).toBe(200);
    });

    it('answers 409 for the other unique names: categories, custom fields, users, API-created connections', async () => {
      expect((await t.api('POST', '/v1/categories', m.key, { name: 'Damaged' })).status).toBe(201);
      expect((await t.api('POST', '/v1/categories', m.key, { name: 'Damaged' })).status).toBe(409);
      expect((await t.api('POST', '/v1/custom-fields', m.key, { name: 'Loyalty id' })).status).toBe(201);
      expect((await t.api('POST', '/v1/custom-fields', m.key, { name: 'Loyalty id' })).status).toBe(409);
      const email = `agent-${hex(3)}@shop.example`;
      expect((await t.api('POST', '/v1/users', m.key, { email, role: 'agent' })).status).toBe(201);
      expect((await t.api('POST', '/v1/users', m.key, { email, role: 'agent' })).status).toBe(409);
      const shop = { platform: 'shopify', shop_domain: `dup-${hex(3)}.myshopify.com`, webhook_secret: 'shpss_12345678' };
      expect((await t.api('POST', '/v1/store-connections', m.key, shop)).status).toBe(201);
      expect((await t.api('POST', '/v1/store-connections', m.key, shop)).status).toBe(409);
    });
  });

  describe('the sandbox demo order', () => {
    it('places an order for the workspace whose Shopify store the simulator delivers to', async () => {
      const res = await t.api<{ order_name: string }>('POST', '/v1/sandbox/demo-order', m.key, {});
      expect(res.status).toBe(201);
      expect(res.body.order_name).toMatch(/^#\d+/);
    });

    it('answers 409 with a clear message for a workspace without the demo shop, and places no order', async () => {
      const other = await t.hub.workspaces.createWorkspace(`No demo ${hex(2)}`);
      const { key } = await t.hub.workspaces.createApiKey(other.id, 'tests');
      const none = await t.api<ErrorBody>('POST', '/v1/sandbox/demo-order', key, {});
      expect(none.status).toBe(409);
      expect(none.body.error.message).toMatch(/simulated Shopify/);

      // A Shopify connection the simulator does not know.
      expect((await t.api('POST', '/v1/store-connections', key, { platform: 'shopify', shop_domain: `real-${hex(3)}.myshopify.com`, webhook_secret: 'shpss_12345678' })).status).toBe(201);
      const unknown = await t.api<ErrorBody>('POST', '/v1/sandbox/demo-order', key, {});
      expect(unknown.status).toBe(409);
      expect(unknown.body.error.message).toMatch(/simulated Shopify/);

      // The simulated shop of another workspace: its orders would go to that workspace, so none is placed.
      const before = t.shopify.orders(m.shop).length;
      expect((await t.api('POST', '/v1/store-connections', key, { platform: 'shopify', shop_domain: m.shop, webhook_secret: 'shpss_12345678' })).status).toBe(201);
      const foreign = await t.api<ErrorBody>('POST', '/v1/sandbox/demo-order', key, {});
      expect(foreign.status).toBe(409);
      expect(t.shopify.orders(m.shop).length).toBe(before);
    });
  });
});

describe.each(storageKinds)('shoptalk user create (%s)', (kind) => {
  it('fails with a clear message for a workspace that does not exist, and creates no user', async () => {
    const tdb = await createTestDatabase(kind);
    const env: Record<string, string> = { LOG_LEVEL: 'warn', SHOPTALK_DATA_DIR: kind === 'sqlite' ? tdb.dataDir : tempDir('shoptalk-cli') };
    if (tdb.database.kind === 'postgres') {
      env['DATABASE_URL'] = tdb.database.url;
      env['SHOPTALK_MASTER_KEY'] = randomBytes(32).toString('base64');
    }
    const cli = (args: string[]) => shoptalk(args, env);
    try {
      const missing = await cli(['user', 'create', '--workspace', 'ws_doesnotexist', '--email', 'someone@shop.example']);
      expect(missing.code).not.toBe(0);
      expect(missing.stderr).toMatch(/workspace ws_doesnotexist was not found/);
      expect(missing.stdout).toBe('');
      expect(await tdb.storage.db.selectFrom('users').selectAll().execute()).toEqual([]);

      const ws = await cli(['workspace', 'create', 'Real shop']);
      const workspaceId = ws.stdout.split('\t')[0]!;
      const created = await cli(['user', 'create', '--workspace', workspaceId, '--email', 'someone@shop.example']);
      expect(created.code).toBe(0);
      expect(created.stdout).toContain('someone@shop.example');
    } finally {
      await tdb.destroy();
    }
  }, 120_000);
});
