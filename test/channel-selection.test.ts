// Seed 002's channel-selection table and the charge confirmation for the platform's shared account.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestHub } from './support/hub.js';
import { startTestHub } from './support/hub.js';

interface Selection {
  channel: string;
  channel_account_id: string | null;
  how: string;
  accounts: Array<{ id: string; owner: string }>;
  install: { path: string } | null;
}

describe('sending account per channel (seed 002)', () => {
  let t: TestHub;
  let n = 0;
  beforeAll(async () => {
    t = await startTestHub({ name: 'sqlite', db: 'sqlite', redis: false });
  });
  afterAll(async () => {
    await t?.close();
  });

  const workspace = async () => {
    const ws = await t.hub.workspaces.createWorkspace(`Selection ${++n}`);
    const { key, record } = await t.hub.workspaces.createApiKey(ws.id, 'tests');
    return { key, keyId: record.id };
  };

  const install = async (key: string, owner: 'merchant' | 'platform') => {
    const phoneNumberId = String(300000000000000 + Math.floor(Math.random() * 1e9));
    const wabaId = String(400000000000000 + Math.floor(Math.random() * 1e9));
    const accessToken = `EAAG${randomBytes(12).toString('hex')}`;
    t.wa.addPhoneNumber({ phoneNumberId, wabaId, accessToken, appSecret: 'app-secret-123', displayPhoneNumber: '15550783881', webhookUrl: null });
    const res = await t.api<{ id: string; owner: string }>('POST', '/v1/channel-accounts', key, {
      channel: 'whatsapp',
      provider: 'meta',
      owner,
      name: owner === 'platform' ? 'Platform shared number' : 'Own number',
      phone_number_id: phoneNumberId,
      waba_id: wabaId,
      access_token: accessToken,
      app_secret: 'app-secret-123',
    });
    expect(res.status).toBe(201);
    return res.body.id;
  };

  const whatsapp = async (key: string) =>
    (await t.api<{ data: Selection[] }>('GET', '/v1/channel-selection', key)).body.data.find((s) => s.channel === 'whatsapp')!;

  it('no account installed: no selection, and a pointer to install one', async () => {
    const { key } = await workspace();
    const s = await whatsapp(key);
    expect(s).toMatchObject({ channel_account_id: null, how: 'none' });
    expect(s.install?.path).toBe('/v1/channel-accounts');
  });

  it('only one installed: it is selected, whoever owns it', async () => {
    for (const owner of ['merchant', 'platform'] as const) {
      const { key } = await workspace();
      const id = await install(key, owner);
      expect(await whatsapp(key)).toMatchObject({ channel_account_id: id, how: 'first_installed' });
    }
  });

  it('two installed: the one installed first stays selected, in either order, until the merchant changes it', async () => {
    for (const order of [['platform', 'merchant'], ['merchant', 'platform']] as const) {
      const { key } = await workspace();
      const first = await install(key, order[0]);
      const second = await install(key, order[1]);
      expect(await whatsapp(key)).toMatchObject({ channel_account_id: first, how: 'first_installed' });
      const changed = await t.api<{ channel_account_id: string; how: string }>('PUT', '/v1/channel-selection/whatsapp', key, { channel_account_id: second });
      expect(changed.body).toMatchObject({ channel_account_id: second, how: 'selected' });
      expect(await whatsapp(key)).toMatchObject({ channel_account_id: second, how: 'selected' });
    }
    const { key } = await workspace();
    const bad = await t.api<{ error: { message: string } }>('PUT', '/v1/channel-selection/whatsapp', key, { channel_account_id: 'ca_nope' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/^channel_account_id:/);
  });

  it('enabling through the shared account needs the charge confirmed, and records who and when', async () => {
    const { key, keyId } = await workspace();
    const shared = await install(key, 'platform');
    const refused = await t.api<{ error: { message: string } }>('PUT', '/v1/notification-settings/order.placed/whatsapp', key, { enabled: true, template: { name: 'order_placed' } });
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toMatch(/^confirm_charges: notifications sent through the shared WhatsApp account/);

    const ok = await t.api<{ enabled: boolean; channel_account_id: string; charges_confirmed_at: string; charges_confirmed_by: string }>('PUT', '/v1/notification-settings/order.placed/whatsapp', key, {
      enabled: true,
      template: { name: 'order_placed' },
      confirm_charges: true,
    });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ enabled: true, channel_account_id: shared, charges_confirmed_by: keyId });
    expect(Date.parse(ok.body.charges_confirmed_at)).toBeGreaterThan(0);

    // Turning it off and on again with the same account keeps the confirmation.
    await t.api('PUT', '/v1/notification-settings/order.placed/whatsapp', key, { enabled: false });
    const again = await t.api<{ enabled: boolean; charges_confirmed_by: string }>('PUT', '/v1/notification-settings/order.placed/whatsapp', key, { enabled: true });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ enabled: true, charges_confirmed_by: keyId });

    // The merchant's own account needs no confirmation.
    const own = await workspace();
    await install(own.key, 'merchant');
    const mine = await t.api<{ enabled: boolean; charges_confirmed_at: string | null }>('PUT', '/v1/notification-settings/order.placed/whatsapp', own.key, { enabled: true, template: { name: 'order_placed' } });
    expect(mine.body).toMatchObject({ enabled: true, charges_confirmed_at: null });
  });
});
