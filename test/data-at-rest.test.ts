// Data at rest: private file modes for the data folder, retention pruning with the clock moved, and customer
// erasure that leaves no trace of the customer in any table and nothing else touched.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { loadConfig } from '../src/config/index.js';
import { createHub } from '../src/app.js';
import { createLogger } from '../src/logger.js';
import { RetentionService } from '../src/core/retention/service.js';
import { newId } from '../src/core/ids.js';
import type { HubVariant, TestHub } from './support/hub.js';
import { setUpMerchant, startTestHub } from './support/hub.js';
import { postgresAvailable, redisAvailable, tempDir, waitFor } from './support/services.js';
import type { Db } from '../src/storage/database.js';
import { WebhookReceiver } from './support/receiver.js';

const DAY = 86_400_000;
const mode = (file: string) => fs.statSync(file).mode & 0o777;

describe('file modes of the data folder', () => {
  it('creates the folder 0700 and the database, WAL, shared-memory and key files 0600, and tightens looser ones at start-up', async () => {
    const dir = path.join(tempDir('shoptalk-modes'), 'data');
    const config = () => loadConfig({ SHOPTALK_DATA_DIR: dir, PORT: '0', LOG_LEVEL: 'silent' });
    let hub = await createHub({ config: config(), role: 'api', logger: createLogger('silent') });
    const files = ['shoptalk.db', 'shoptalk.db-wal', 'shoptalk.db-shm', 'master.key'].map((f) => path.join(dir, f));
    expect(mode(dir)).toBe(0o700);
    for (const f of files) expect(mode(f), f).toBe(0o600);
    await hub.stop();

    // As an older version or a careless copy would leave them, plus the sandbox's state file.
    fs.chmodSync(dir, 0o755);
    const sandboxState = path.join(dir, 'sandbox-demo.json');
    fs.writeFileSync(sandboxState, '{}', { mode: 0o644 });
    for (const f of [...files, sandboxState]) if (fs.existsSync(f)) fs.chmodSync(f, 0o644);
    hub = await createHub({ config: config(), role: 'api', logger: createLogger('silent') });
    expect(mode(dir)).toBe(0o700);
    for (const f of [...files, sandboxState]) expect(mode(f), f).toBe(0o600);
    await hub.stop();
  });
});

const variants: Array<HubVariant & { enabled: boolean }> = [
  { name: 'SQLite', db: 'sqlite', redis: false, enabled: true },
  { name: 'PostgreSQL', db: 'postgres', redis: false, enabled: postgresAvailable },
  { name: 'PostgreSQL + Redis', db: 'postgres', redis: true, enabled: postgresAvailable && redisAvailable },
];

for (const variant of variants) {
  describe.skipIf(!variant.enabled)(`retention and erasure (${variant.name})`, () => {
    let t: TestHub;
    let db: Db;
    beforeAll(async () => {
      t = await startTestHub(variant);
      db = t.hub.storage.db;
    });
    afterAll(async () => {
      await t?.close();
    });

    it('one retention chain runs through the job queue, however many workers start it', async () => {
      const run = await waitFor(async () => {
        const r = await db.selectFrom('maintenance_runs').selectAll().where('name', '=', 'retention').executeTakeFirst();
        return r?.last_run_at ? r : null;
      }, { what: 'the first retention run' });
      expect(JSON.parse(run.last_result!)).toMatchObject({ inboundWebhooks: 0, sessions: 0, verificationCodes: 0, deadJobs: 0 });
      expect(run.next_run_at).toBeGreaterThan(run.last_run_at!);

      // Several workers starting at once, and a stray copy of an old job: the chain stays one.
      const service = new RetentionService(t.hub.uow, t.hub.config.retention);
      await Promise.all([1, 2, 3, 4, 5].map(() => service.ensureScheduled()));
      await service.run({ token: 'stray-token' });
      const after = await db.selectFrom('maintenance_runs').selectAll().where('name', '=', 'retention').executeTakeFirstOrThrow();
      expect(after.token).toBe(run.token);
      expect(after.last_run_at).toBe(run.last_run_at);
      if (!variant.redis) {
        const pending = await db.selectFrom('jobs').select('payload').where('type', '=', 'retention.prune').where('status', '=', 'pending').execute();
        expect(pending.map((p) => JSON.parse(p.payload) as unknown)).toEqual([{ token: run.token }]);
      }

      // A chain whose job was lost (long overdue) is started again by the next worker, exactly once.
      const later = run.next_run_at + t.hub.config.retention.intervalMs + DAY;
      const clocked = new RetentionService(t.hub.uow, t.hub.config.retention, () => later);
      await Promise.all([1, 2, 3].map(() => clocked.ensureScheduled()));
      const restarted = await db.selectFrom('maintenance_runs').selectAll().where('name', '=', 'retention').executeTakeFirstOrThrow();
      expect(restarted.token).not.toBe(run.token);
      if (!variant.redis) {
        const pending = await db.selectFrom('jobs').select('payload').where('type', '=', 'retention.prune').where('status', '=', 'pending').execute();
        const tokens = pending.map((p) => (JSON.parse(p.payload) as { token: string }).token);
        expect(tokens).toContain(restarted.token);
        expect(tokens).toHaveLength(2);
      }
    });

    it('prunes processed webhook bodies, expired sessions and codes and dead jobs once their time has come, with the clock moved', async () => {
      const m = await setUpMerchant(t);
      await t.shopify.placeOrder(m.shop, { phone: '+1 555 010 5151' });
      const processed = await waitFor(async () => {
        const rows = await db.selectFrom('inbound_webhooks').select(['id', 'status']).where('workspace_id', '=', m.workspaceId).where('source', '=', 'shopify').execute();
        return rows.find((r) => r.status === 'processed');
      }, { what: 'a processed webhook' });
      const now = Date.now();
      const waiting = newId('wh');
      await db
        .insertInto('inbound_webhooks')
        .values({ id: waiting, workspace_id: m.workspaceId, source: 'shopify', target_id: m.connection.id, dedupe_key: `waiting-${waiting}`, topic: null, headers: '{}', body: '{}', status: 'received', error: null, received_at: now - 40 * DAY, processed_at: null })
        .execute();
      const session = newId('ses');
      await db.insertInto('sessions').values({ id: session, token_hash: `h-${session}`, user_id: 'usr_x', workspace_id: m.workspaceId, csrf_token: 'c', created_at: now, expires_at: now + 3600_000 }).execute();
      const code = newId('vc');
      await db
        .insertInto('verification_codes')
        .values({ id: code, workspace_id: m.workspaceId, conversation_id: 'conv_x', purpose: 'link', target: 'x@example.com', code_hash: 'h', attempts: 0, sends: 1, expires_at: now + 600_000, consumed_at: null, created_at: now })
        .execute();
      const dead = newId('job');
      await db
        .insertInto('jobs')
        .values({ id: dead, type: 'message.send', workspace_id: m.workspaceId, payload: '{}', status: 'dead', run_at: now, attempts: 8, max_attempts: 8, rate_key: null, locked_by: null, locked_until: null, last_error: 'x', created_at: now, updated_at: now })
        .execute();

      const exists = async () => ({
        webhook: !!(await db.selectFrom('inbound_webhooks').select('id').where('id', '=', processed.id).executeTakeFirst()),
        waiting: !!(await db.selectFrom('inbound_webhooks').select('id').where('id', '=', waiting).executeTakeFirst()),
        session: !!(await db.selectFrom('sessions').select('id').where('id', '=', session).executeTakeFirst()),
        code: !!(await db.selectFrom('verification_codes').select('id').where('id', '=', code).executeTakeFirst()),
        dead: !!(await db.selectFrom('jobs').select('id').where('id', '=', dead).executeTakeFirst()),
      });
      const policy = { intervalMs: 3600_000, webhookDays: 30, expiredDays: 1, deadJobDays: 30 };
      const at = (offset: number) => new RetentionService(t.hub.uow, policy, () => now + offset);

      await at(0).pruneOnce();
      expect(await exists()).toEqual({ webhook: true, waiting: true, session: true, code: true, dead: true });
      // Expired an hour ago: still within the one-day grace.
      await at(2 * 3600_000).pruneOnce();
      expect(await exists()).toEqual({ webhook: true, waiting: true, session: true, code: true, dead: true });
      const r = await at(2 * DAY).pruneOnce();
      expect(r.sessions).toBeGreaterThanOrEqual(1);
      expect(r.verificationCodes).toBeGreaterThanOrEqual(1);
      expect(await exists()).toEqual({ webhook: true, waiting: true, session: false, code: false, dead: true });
      await at(31 * DAY).pruneOnce();
      // A delivery still waiting for its job is kept whatever its age.
      expect(await exists()).toEqual({ webhook: false, waiting: true, session: false, code: false, dead: false });
      // Idempotent: a second run (another worker) finds nothing more.
      expect(await at(31 * DAY).pruneOnce()).toMatchObject({ sessions: 0, verificationCodes: 0 });
      // 0 keeps webhook bodies forever.
      expect((await new RetentionService(t.hub.uow, { ...policy, webhookDays: 0, deadJobDays: 0 }, () => now + 3650 * DAY).pruneOnce()).inboundWebhooks).toBe(0);
    });

    /** Every row of every table whose text contains one of needles, as "table.column". */
    async function findText(needles: string[]): Promise<string[]> {
      const columns =
        t.db.kind === 'postgres'
          ? (await sql<{ table_name: string; column_name: string }>`select table_name, column_name from information_schema.columns where table_schema = 'public' and data_type = 'text'`.execute(db)).rows
          : (
              await Promise.all(
                (await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`.execute(db)).rows.map(async ({ name }) =>
                  (await sql<{ name: string; type: string }>`select name, type from pragma_table_info(${name})`.execute(db)).rows.filter((c) => c.type.toLowerCase() === 'text').map((c) => ({ table_name: name, column_name: c.name })),
                ),
              )
            ).flat();
      expect(columns.length).toBeGreaterThan(50);
      const found: string[] = [];
      for (const { table_name, column_name } of columns) {
        for (const needle of needles) {
          const hit = await sql<{ n: number }>`select count(*) as n from ${sql.table(table_name)} where lower(${sql.ref(column_name)}) like ${'%' + needle.toLowerCase() + '%'}`.execute(db);
          if (Number(hit.rows[0]!.n) > 0) found.push(`${table_name}.${column_name} has ${needle}`);
        }
      }
      return found;
    }

    it('erases a customer: nothing of them stays in any table, other customers and workspaces are untouched', async () => {
      const m = await setUpMerchant(t);
      const other = await setUpMerchant(t);
      const ana = { name: 'Anabel Quintero', email: 'anabel.quintero@example.org', phone: '+15550106161' };
      const bo = { name: 'Bohdan Kowalczyk', email: 'bohdan.k@example.org', phone: '+15550106262' };
      // Shares Ana's first name: a different person, who keeps it.
      const cy = { name: 'Anabel Ortiz', email: 'cy.ortiz@example.org', phone: '+15550106363' };
      for (const p of [ana, bo, cy]) {
        const [first, last] = p.name.split(' ');
        await t.shopify.placeOrder(m.shop, { email: p.email, phone: '+1 (555) 010-' + p.phone.slice(-4), customer: { first_name: first!, last_name: last!, email: p.email }, note: `call ${p.name} first` });
      }
      await waitFor(() => [ana, bo, cy].every((p) => t.wa.messages(p.phone.slice(1)).length > 0), { what: 'the notifications' });
      // Ana writes back (a conversation with her messages) and opts out.
      await t.wa.emitInbound({ phoneNumberId: m.phoneNumberId, from: ana.phone.slice(1), text: `Hi, this is ${ana.name}, my e-mail is ${ana.email}`, profileName: ana.name });
      await t.wa.emitInbound({ phoneNumberId: m.phoneNumberId, from: ana.phone.slice(1), text: 'STOP' });
      await waitFor(async () => (await t.hub.uow.repos.optOuts.has(m.workspaceId, 'whatsapp', ana.phone.slice(1))) || null, { what: 'the opt-out' });
      await waitFor(async () => {
        const c = await db.selectFrom('messages').select('id').where('workspace_id', '=', m.workspaceId).where('direction', '=', 'inbound').execute();
        return c.length >= 2;
      }, { what: 'inbound messages' });
      const created = await t.api<{ id: string }>('POST', '/v1/customers', m.key, ana);
      expect(created.status).toBe(201);
      const kept = await t.api<{ id: string }>('POST', '/v1/customers', m.key, bo);
      const foreign = await t.api<{ id: string }>('POST', '/v1/customers', other.key, { name: 'Anabel Quintero', email: ana.email });
      // Every delivery status the simulator will send has arrived and been processed (they name her number too).
      let seen = -1;
      await waitFor(async () => {
        const rows = await db.selectFrom('inbound_webhooks').select('status').where('workspace_id', '=', m.workspaceId).execute();
        const messages = await db.selectFrom('messages').select('status').where('workspace_id', '=', m.workspaceId).where('direction', '=', 'outbound').execute();
        const settled = rows.every((r) => r.status !== 'received') && messages.every((x) => x.status === 'delivered' || x.status === 'read' || x.status === 'failed' || x.status === 'skipped');
        const stable = settled && rows.length === seen;
        seen = rows.length;
        return stable || null;
      }, { what: 'webhooks processed', intervalMs: 200 });

      const receiver = new WebhookReceiver('/hooks');
      await receiver.listen();
      const subscribed = await t.api('POST', '/v1/webhook-subscriptions', m.key, { url: receiver.url, events: ['customer.erased'] });
      expect(subscribed.status).toBe(201);

      const anaNeedles = [ana.email, ana.phone, ana.phone.slice(1), ana.name];
      expect((await findText(anaNeedles)).length).toBeGreaterThan(5);

      // Another workspace cannot erase her; an unknown id is a 404.
      expect((await t.api('POST', `/v1/customers/${created.body.id}/erase`, other.key)).status).toBe(404);
      expect((await t.api('POST', '/v1/customers/cus_missing/erase', m.key)).status).toBe(404);

      // An agent of the workspace may not erase anyone.
      const agent = await t.hub.users.create(m.workspaceId, { email: `agent-${created.body.id}@example.com`, role: 'agent', password: 'correct horse battery staple' });
      const { token, session } = await t.hub.users.signIn(agent.user.email, 'correct horse battery staple');
      const byAgent = await t.hub.http!.inject({ method: 'POST', url: `/v1/customers/${created.body.id}/erase`, headers: { cookie: `shoptalk_session=${token}`, 'x-csrf-token': session.csrfToken } });
      expect(byAgent.statusCode).toBe(403);

      const erased = await t.api<{ id: string; customer_id: string; counts: Record<string, number> }>('POST', `/v1/customers/${created.body.id}/erase`, m.key);
      expect(erased.status).toBe(200);
      expect(erased.body.customer_id).toBe(created.body.id);
      expect(erased.body.counts).toMatchObject({ customers: 1, customer_identities: 2 });

      // Nothing of her stays in any text column of any table, the erasure record included...
      const left = await findText(anaNeedles);
      // ...except in the other workspace, whose customer of the same name is someone else's business.
      expect(left.filter((l) => !l.startsWith('customers.') && !l.startsWith('customer_identities.'))).toEqual([]);
      expect((await t.api('GET', `/v1/customers/${foreign.body.id}`, other.key)).status).toBe(200);
      expect((await t.api('GET', `/v1/customers/${created.body.id}`, m.key)).status).toBe(404);

      // Her address stays suppressed, as a hash.
      expect(await t.hub.uow.repos.optOuts.has(m.workspaceId, 'whatsapp', ana.phone.slice(1))).toBe(true);
      // Bo is untouched: his customer, order and notification are all still there.
      expect((await t.api<{ email: string }>('GET', `/v1/customers/${kept.body.id}`, m.key)).body.email).toBe(bo.email);
      for (const needle of [bo.email, bo.name, cy.name, cy.email]) expect((await findText([needle])).length, needle).toBeGreaterThan(2);
      const orders = await t.api<{ data: Array<{ id: string }> }>('GET', '/v1/orders', m.key);
      expect(orders.body.data).toHaveLength(3);
      const messages = await t.api<{ data: Array<{ recipient: string | null; status: string }> }>('GET', '/v1/messages', m.key);
      expect(messages.body.data.some((x) => x.recipient === bo.phone.slice(1))).toBe(true);

      // The erasure is recorded with ids and counts only.
      const record = await db.selectFrom('customer_erasures').selectAll().where('workspace_id', '=', m.workspaceId).executeTakeFirstOrThrow();
      expect(record.customer_id).toBe(created.body.id);
      expect(record.requested_by).toBeTruthy();

      // The merchant's systems are told, by id only.
      const [hook] = await receiver.waitFor(1, 10_000);
      const payload = JSON.parse(hook!.body.toString('utf8')) as Record<string, unknown>;
      expect(JSON.stringify(payload)).toContain(created.body.id);
      for (const needle of anaNeedles) expect(JSON.stringify(payload).toLowerCase()).not.toContain(needle.toLowerCase());
      await receiver.close();

      // Erasing again: she is gone.
      expect((await t.api('POST', `/v1/customers/${created.body.id}/erase`, m.key)).status).toBe(404);
    }, 120_000);
  });
}
