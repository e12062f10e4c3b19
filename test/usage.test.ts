// Usage records for billing: every accepted send is counted once with its sending account's owner, shown per
// workspace (JSON and CSV) and across workspaces for the operator (CLI, JSON and CSV).
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MerchantSetup, TestHub } from './support/hub.js';
import { setUpMerchant, startTestHub } from './support/hub.js';
import { waitFor } from './support/services.js';

const run = promisify(execFile);
const month = new Date().toISOString().slice(0, 7);

describe('usage and billing', () => {
  /** The sending account's name as the API shows it (the CSV's channel_account_name). */
  const accountName = async (m: MerchantSetup) => {
    const res = await t.api<{ data: Array<{ id: string; name: string; display_name: string | null }> }>('GET', '/v1/channel-accounts', m.key);
    const a = res.body.data.find((x) => x.id === m.account.id)!;
    return a.display_name ?? a.name;
  };
  let t: TestHub;
  let own: MerchantSetup;
  let shared: MerchantSetup;
  beforeAll(async () => {
    t = await startTestHub({ name: 'sqlite', db: 'sqlite', redis: false });
    own = await setUpMerchant(t);
    shared = await setUpMerchant(t, { enable: false });
    // The second merchant sends through a platform-owned (shared) account, with the charge confirmed.
    await t.hub.storage.db.updateTable('channel_accounts').set({ owner: 'platform' }).where('id', '=', shared.account.id).execute();
    const enabled = await t.api('PUT', '/v1/notification-settings/order.placed/whatsapp', shared.key, { enabled: true, template: { name: 'order_placed' }, confirm_charges: true });
    expect(enabled.status).toBe(200);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('counts each accepted send once, per owner, as JSON and CSV', async () => {
    await t.shopify.placeOrder(own.shop, { phone: '+1 555-010-8001' });
    await t.shopify.placeOrder(own.shop, { phone: '+1 555-010-8002' });
    await t.shopify.placeOrder(shared.shop, { phone: '+1 555-010-8003' });
    await waitFor(() => ['15550108001', '15550108002', '15550108003'].every((n) => t.wa.messages(n).length === 1), { what: 'three messages' });
    const json = await waitFor(async () => {
      const res = await t.api<{ data: Array<{ owner: string; messages: number; category: string; channel_account_id: string }>; totals: { messages: number; by_owner: Record<string, number> } }>('GET', `/v1/usage?from=${month}`, own.key);
      return res.body.totals.messages === 2 ? res.body : null;
    }, { what: 'usage of the first merchant' });
    expect(json.data).toEqual([expect.objectContaining({ owner: 'merchant', category: 'utility', messages: 2, channel_account_id: own.account.id })]);
    const sharedUsage = await waitFor(async () => {
      const res = await t.api<{ totals: { by_owner: Record<string, number> } }>('GET', '/v1/usage', shared.key);
      return res.body.totals.by_owner['platform'] === 1 ? res.body : null;
    }, { what: 'usage of the shared-account merchant' });
    expect(sharedUsage.totals.by_owner).toEqual({ platform: 1 });

    const ownName = await accountName(own);
    expect(ownName).toBeTruthy();
    const csv = await t.hub.http!.inject({ method: 'GET', url: `/v1/usage?from=${month}&to=${month}&format=csv`, headers: { authorization: `Bearer ${own.key}` } });
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.body.trim().split('\n')).toEqual(['month,channel,channel_account_id,channel_account_name,provider,owner,category,messages', `${month},whatsapp,${own.account.id},${ownName},meta,merchant,utility,2`]);

    const bad = await t.api<{ error: { message: string } }>('GET', '/v1/usage?from=2026-13', own.key);
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/^from: must be a month/);
  });

  it('gives the operator a report across workspaces', async () => {
    const root = path.resolve(import.meta.dirname, '..');
    const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', SHOPTALK_DATA_DIR: t.db.dataDir, LOG_LEVEL: 'warn' };
    const csv = await run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'usage', 'report', '--format', 'csv'], { cwd: root, env });
    const lines = csv.stdout.trim().split('\n');
    expect(lines[0]).toBe('workspace_id,month,channel,channel_account_id,channel_account_name,provider,owner,category,messages');
    expect(lines).toContain(`${own.workspaceId},${month},whatsapp,${own.account.id},${await accountName(own)},meta,merchant,utility,2`);
    expect(lines).toContain(`${shared.workspaceId},${month},whatsapp,${shared.account.id},${await accountName(shared)},meta,platform,utility,1`);
    const json = await run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'usage', 'report'], { cwd: root, env });
    const report = JSON.parse(json.stdout) as { totals: { messages: number; byOwner: Record<string, number> } };
    expect(report.totals.byOwner).toMatchObject({ merchant: 2, platform: 1 });
  }, 60_000);
});
