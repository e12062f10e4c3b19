// Operating a hub: the version (command and GET /v1/version), migration status, SQLite backup and restore, and
// master-key rotation on SQLite and PostgreSQL.
import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { createHub } from '../src/app.js';
import type { Hub } from '../src/app.js';
import { loadConfig } from '../src/config/index.js';
import { createLogger } from '../src/logger.js';
import { SecretBox } from '../src/core/secrets/secret-box.js';
import { OptOutService } from '../src/core/notifications/opt-outs.js';
import { rotateSecrets } from '../src/storage/secret-rotation.js';
import { rotate } from '../src/cli/operate.js';
import { shoptalk } from './support/cli.js';
import { createTestDatabase, postgresAvailable, storageKinds, tempDir } from './support/services.js';

const root = path.resolve(import.meta.dirname, '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };

const hubs: Hub[] = [];
const startHub = async (env: Record<string, string>, role: 'all' | 'worker' = 'worker') => {
  const hub = await createHub({ config: loadConfig(env), role, logger: createLogger('silent') });
  hubs.push(hub);
  return hub;
};
const stopHub = async (hub: Hub) => {
  hubs.splice(hubs.indexOf(hub), 1);
  await hub.stop();
};
afterAll(async () => {
  for (const hub of hubs) await hub.stop();
});

describe('version', () => {
  it('shoptalk --version and shoptalk version print the package version', async () => {
    for (const args of [['--version'], ['version']]) {
      const out = await shoptalk(args, {});
      expect(out.code).toBe(0);
      expect(out.stdout.trim()).toBe(`shoptalk ${pkg.version}`);
    }
  }, 60_000);

  it.each(storageKinds)('GET /v1/version answers the version, database, queue and migrations to a caller with a key (%s)', async (kind) => {
    const db = await createTestDatabase(kind);
    try {
      const env: Record<string, string> = { SHOPTALK_DATA_DIR: db.dataDir, LOG_LEVEL: 'silent', ...(db.database.kind === 'postgres' ? { DATABASE_URL: db.database.url, SHOPTALK_MASTER_KEY: SecretBox.generateKey() } : {}) };
      const hub = await startHub(env, 'all');
      const ws = await hub.workspaces.createWorkspace('Version');
      const { key } = await hub.workspaces.createApiKey(ws.id, 'ops');
      expect((await hub.http!.inject({ method: 'GET', url: '/v1/version' })).statusCode).toBe(401);
      const res = await hub.http!.inject({ method: 'GET', url: '/v1/version', headers: { authorization: `Bearer ${key}` } });
      expect(res.statusCode).toBe(200);
      const body = res.json<{ version: string; node: string; database: string; queue: string; migrations: { known: number; applied: number; pending: number; last_applied: string | null } }>();
      expect(body).toMatchObject({ version: pkg.version, node: process.versions.node, database: kind, queue: 'sql' });
      expect(body.migrations.pending).toBe(0);
      expect(body.migrations.applied).toBe(body.migrations.known);
      expect(body.migrations.last_applied).toMatch(/^\d{4}_/);
      await stopHub(hub);
    } finally {
      await db.destroy();
    }
  }, 60_000);
});

describe('migrate --status', () => {
  it('lists pending migrations with exit code 3, then applied ones with their time and exit code 0 (SQLite)', async () => {
    const env = { SHOPTALK_DATA_DIR: tempDir('shoptalk-status'), LOG_LEVEL: 'warn' };
    const before = await shoptalk(['migrate', '--status'], env);
    expect(before.code).toBe(3);
    expect(before.stdout).toMatch(/^pending\t0001_foundation$/m);
    expect(before.stdout).toMatch(/migrations pending/);
    // Asking created no database.
    expect(fs.existsSync(path.join(env.SHOPTALK_DATA_DIR, 'shoptalk.db'))).toBe(false);
    expect((await shoptalk(['migrate'], env)).code).toBe(0);
    const after = await shoptalk(['migrate', '--status'], env);
    expect(after.code).toBe(0);
    expect(after.stdout).toMatch(/^applied\t0001_foundation\t\d{4}-\d\d-\d\dT[\d:.]+Z$/m);
    expect(after.stdout).not.toMatch(/^pending/m);
    expect(after.stdout).toContain('The database is up to date.');
    expect((await shoptalk(['--help'], env)).stdout).toMatch(/migrate --status[\s\S]*3 when migrations are pending/);
  }, 120_000);

  it.skipIf(!postgresAvailable)('lists the applied migrations of a PostgreSQL database', async () => {
    const db = await createTestDatabase('postgres');
    try {
      if (db.database.kind !== 'postgres') throw new Error('unreachable');
      const out = await shoptalk(['migrate', '--status'], { SHOPTALK_DATA_DIR: db.dataDir, DATABASE_URL: db.database.url, SHOPTALK_MASTER_KEY: SecretBox.generateKey() });
      expect(out.code).toBe(0);
      expect(out.stdout).toMatch(/^applied\t0001_foundation\t\d{4}-/m);
      expect(out.stdout).toContain('The database is up to date.');
    } finally {
      await db.destroy();
    }
  }, 60_000);
});

describe('backup and restore (SQLite)', () => {
  it('backs up while the hub runs, refuses to restore under a running hub or from a foreign file, and restores once it stops', async () => {
    const dir = tempDir('shoptalk-backup');
    const env = { SHOPTALK_DATA_DIR: path.join(dir, 'data'), LOG_LEVEL: 'warn' };
    const hub = await startHub(env);
    await hub.workspaces.createWorkspace('Before the backup');
    const secret = hub.secrets.seal({ token: 'kept-in-the-backup' });
    const backupFile = path.join(dir, 'shoptalk-backup.db');

    const backedUp = await shoptalk(['backup', backupFile], env);
    expect(backedUp.stderr).toBe('');
    expect(backedUp.code).toBe(0);
    expect(backedUp.stdout).toContain(`to ${backupFile}`);
    expect(backedUp.stdout).toContain('master.key');
    expect(fs.statSync(backupFile).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(dir).sort()).toEqual(['data', 'shoptalk-backup.db']);
    expect((await shoptalk(['backup', backupFile], env)).stderr).toContain('already exists');

    await hub.workspaces.createWorkspace('After the backup');
    const busy = await shoptalk(['restore', backupFile], env);
    expect(busy.code).toBe(1);
    expect(busy.stderr).toContain('is in use');

    const foreign = path.join(dir, 'other.db');
    const other = new BetterSqlite3(foreign);
    other.exec('create table notes (id integer primary key)');
    other.close();
    const refused = await shoptalk(['restore', foreign], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('is not a Shoptalk database');
    fs.writeFileSync(path.join(dir, 'text.db'), 'not a database at all');
    expect((await shoptalk(['restore', path.join(dir, 'text.db')], env)).code).toBe(1);

    await stopHub(hub);
    const restored = await shoptalk(['restore', backupFile], env);
    expect(restored.stderr).toBe('');
    expect(restored.code).toBe(0);
    expect(restored.stdout).toContain('Every stored secret opens under the configured master key.');
    const previous = /now (\S+)\.\n/.exec(restored.stdout)?.[1];
    expect(previous && fs.existsSync(previous)).toBeTruthy();
    expect(fs.statSync(path.join(dir, 'data', 'shoptalk.db')).mode & 0o777).toBe(0o600);

    const again = await startHub(env);
    expect((await again.workspaces.listWorkspaces()).map((w) => w.name)).toEqual(['Before the backup']);
    expect(again.secrets.open(secret)).toEqual({ token: 'kept-in-the-backup' });
    await stopHub(again);
  }, 120_000);

  it('with PostgreSQL prints the pg_dump route and exits 2', async () => {
    const out = await shoptalk(['backup', 'x.dump'], { SHOPTALK_DATA_DIR: tempDir('shoptalk-pgbackup'), DATABASE_URL: 'postgres://shoptalk:pw@db.internal:5432/shoptalk', SHOPTALK_MASTER_KEY: SecretBox.generateKey() });
    expect(out.code).toBe(2);
    expect(out.stdout).toContain('pg_dump --format=custom');
    expect(out.stdout).toContain('pg_restore');
    expect(out.stdout).toContain('SHOPTALK_MASTER_KEY');
    expect(out.stdout).not.toContain(':pw@');
  }, 60_000);
});

describe.each(storageKinds)('master-key rotation (%s)', (kind) => {
  it('re-seals every secret under the new key in batches, idempotently; the old key still verifies links while listed', async () => {
    const A = SecretBox.generateKey();
    const B = SecretBox.generateKey();
    const db = await createTestDatabase(kind);
    try {
      const base: Record<string, string> = { SHOPTALK_DATA_DIR: db.dataDir, LOG_LEVEL: 'silent', ...(db.database.kind === 'postgres' ? { DATABASE_URL: db.database.url } : {}) };
      const hubA = await startHub({ ...base, SHOPTALK_MASTER_KEY: A });
      const ws = await hubA.workspaces.createWorkspace('Rotation');
      const repos = hubA.uow.repos;
      const plain = (i: number) => ({ accessToken: `token-${i}` });
      for (let i = 0; i < 5; i++) {
        await repos.storeConnections.create(ws.id, { platform: 'shopify', name: `Store ${i}`, externalId: `shop-${i}.myshopify.com`, settings: {}, sealedSecrets: hubA.secrets.seal(plain(i)), status: 'active', verifiedAt: null });
      }
      await repos.channelAccounts.create(ws.id, { channel: 'whatsapp', provider: 'meta', name: 'WA', externalId: 'pn-1', owner: 'merchant', settings: {}, sealedSecrets: hubA.secrets.seal(plain(10)), status: 'active', displayName: null, rateLimitPerSecond: 20, verifiedAt: null });
      await repos.webhookSubscriptions.create(ws.id, { url: 'https://example.com/hook', events: ['order.created'], sealedSecret: hubA.secrets.seal({ secret: 'whsec' }) });
      const unsubscribe = new OptOutService(hubA.uow, hubA.secrets, () => 'https://hub.example').unsubscribeUrl(ws.id, 'email', 'buyer@example.com');
      const token = unsubscribe.split('/unsubscribe/')[1]!;
      await stopHub(hubA);

      // The CLI's rotation, with A given as the previous key, two rows per batch.
      let printed = '';
      const rotateEnv = { ...base, SHOPTALK_MASTER_KEY: B, SHOPTALK_MASTER_KEY_PREVIOUS: A };
      expect(await rotate(loadConfig(rotateEnv), { previousKeyFile: null, batchSize: 2 }, (t) => (printed += t))).toBe(0);
      expect(printed).toContain('store_connections.secrets: 5 read, 5 re-sealed, 0 already under the current key, 0 unreadable');
      expect(printed).toContain('channel_accounts.secrets: 1 read, 1 re-sealed');
      expect(printed).toContain('webhook_subscriptions.secret: 1 read, 1 re-sealed');
      // Twice is harmless: everything is already under B.
      const again = await rotateSecrets(db.storage, new SecretBox(B, [A]), { batchSize: 2 });
      expect(again.map((c) => [c.resealed, c.current, c.unreadable])).toEqual([[0, 5, 0], [0, 1, 0], [0, 1, 0]]);
      // The previous key from a file works the same.
      const keyFile = path.join(db.dataDir, 'previous.key');
      fs.writeFileSync(keyFile, A + '\n', { mode: 0o600 });
      printed = '';
      expect(await rotate(loadConfig({ ...base, SHOPTALK_MASTER_KEY: B }), { previousKeyFile: keyFile }, (t) => (printed += t))).toBe(0);
      expect(printed).toContain('0 re-sealed, 5 already under the current key');

      // A hub with only B opens everything; A alone opens nothing.
      const hubB = await startHub({ ...base, SHOPTALK_MASTER_KEY: B });
      const stores = await hubB.uow.repos.storeConnections.list(ws.id);
      expect(stores.map((s) => hubB.secrets.open(s.sealedSecrets)).sort((a, b) => a.accessToken!.localeCompare(b.accessToken!))).toEqual([0, 1, 2, 3, 4].map(plain));
      const [account] = await hubB.uow.repos.channelAccounts.list(ws.id);
      expect(hubB.secrets.open(account!.sealedSecrets)).toEqual(plain(10));
      const [subscription] = await hubB.uow.repos.webhookSubscriptions.list(ws.id);
      expect(hubB.secrets.open(subscription!.sealedSecret)).toEqual({ secret: 'whsec' });
      expect(() => new SecretBox(A).open(account!.sealedSecrets)).toThrow();
      // The unsubscribe link signed under A verifies only while A is listed as a previous key.
      expect(new OptOutService(hubB.uow, hubB.secrets, () => 'https://hub.example').readUnsubscribeToken(token)).toBeNull();
      await stopHub(hubB);
      const hubBA = await startHub(rotateEnv);
      expect(new OptOutService(hubBA.uow, hubBA.secrets, () => 'https://hub.example').readUnsubscribeToken(token)).toEqual({ workspaceId: ws.id, channel: 'email', address: 'buyer@example.com' });
      await stopHub(hubBA);

      // A key that opens nothing is reported, and the rows are left alone.
      printed = '';
      const C = SecretBox.generateKey();
      expect(await rotate(loadConfig({ ...base, SHOPTALK_MASTER_KEY: C, SHOPTALK_MASTER_KEY_PREVIOUS: A }), { previousKeyFile: null }, (t) => (printed += t))).toBe(1);
      expect(printed).toContain('store_connections.secrets: 5 read, 0 re-sealed, 0 already under the current key, 5 unreadable');
    } finally {
      await db.destroy();
    }
  }, 120_000);
});
