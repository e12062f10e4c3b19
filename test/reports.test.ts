// Reports, checked against figures computed by hand from a seeded data set (below), on SQLite and PostgreSQL:
// the support inbox (tickets opened and resolved, first response and resolution times) by day in a time zone, by
// queue, source and agent; the notifications (sent, delivered, read, failed, skipped, pending, cost) by day,
// event type, channel and account; CSV; and the live paths: closing and reopening a ticket through the API,
// and an order notification sent through the simulators, priced.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MerchantSetup, TestHub } from './support/hub.js';
import { setUpMerchant, startTestHub } from './support/hub.js';
import { hubVariants } from './support/variants.js';
import { waitFor } from './support/services.js';
import { dayOf, startOfDay } from '../src/core/reports/model.js';

const TZ = 'Europe/Warsaw';
/** A local time in Warsaw (UTC+1 in late October and November 2026, after the DST change of 25 October). */
const warsaw = (isoLocal: string) => Date.parse(`${isoLocal}+01:00`);
const idAt = (prefix: string, t: number) => `${prefix}_${t.toString(36).padStart(9, '0')}${randomBytes(10).toString('hex')}`;
const MIN = 60_000;
const HOUR = 60 * MIN;

interface Durations {
  count: number;
  avg_seconds: number | null;
  median_seconds: number | null;
}
interface InboxRow {
  key: string | null;
  name: string | null;
  tickets_opened: number;
  tickets_resolved: number;
  first_response: Durations;
  resolution: Durations;
}
interface InboxReport {
  from: string;
  to: string;
  tz: string;
  rows: InboxRow[];
  totals: InboxRow;
}
interface NotificationRow {
  key: string | null;
  name: string | null;
  messages: number;
  sent: number;
  delivered: number;
  read: number;
  failed: number;
  unknown: number;
  skipped: number;
  pending: number;
  billed: number;
  unpriced: number;
  cost: string;
}
interface NotificationReport {
  currency: string | null;
  rows: NotificationRow[];
  totals: NotificationRow;
}

const d = (count: number, avg: number | null, median: number | null): Durations => ({ count, avg_seconds: avg, median_seconds: median });

describe('report days in a time zone', () => {
  it('starts days at local midnight, also across a DST change', () => {
    expect(new Date(startOfDay('2026-11-03', TZ)).toISOString()).toBe('2026-11-02T23:00:00.000Z');
    expect(new Date(startOfDay('2026-07-01', TZ)).toISOString()).toBe('2026-06-30T22:00:00.000Z');
    // 29 March 2026: Warsaw moves from UTC+1 to UTC+2 at 02:00; the day still starts at 23:00Z the day before.
    expect(new Date(startOfDay('2026-03-29', TZ)).toISOString()).toBe('2026-03-28T23:00:00.000Z');
    expect(new Date(startOfDay('2026-03-30', TZ)).toISOString()).toBe('2026-03-29T22:00:00.000Z');
    // Santiago skips midnight when DST starts (6 September 2026): the day starts at 01:00 local.
    expect(dayOf(startOfDay('2026-09-06', 'America/Santiago'), 'America/Santiago')).toBe('2026-09-06');
    expect(dayOf(startOfDay('2026-09-06', 'America/Santiago') - 1, 'America/Santiago')).toBe('2026-09-05');
  });
});

for (const variant of hubVariants('sql')) {
  describe(`reports [${variant.name}]`, () => {
    let t: TestHub;
    let m: MerchantSetup;
    let q1: string;
    let q2: string;
    const u1id = `usr_${randomBytes(6).toString('hex')}`;
    const u2id = `usr_${randomBytes(6).toString('hex')}`;
    // Tickets name their assignee (and CSAT the agent who resolved) by the user's e-mail address.
    const u1 = `${u1id}@example.com`;
    const u2 = `${u2id}@example.com`;
    let vip = '';
    let refund = '';
    const tickets: Record<string, string> = {};

    beforeAll(async () => {
      t = await startTestHub(variant);
      m = await setUpMerchant(t);
      const db = t.hub.storage.db;
      const ws = m.workspaceId;
      const queue = async (name: string) => {
        const res = await t.api<{ id: string }>('POST', '/v1/queues', m.key, { name });
        expect(res.status, JSON.stringify(res.body)).toBe(201);
        return res.body.id;
      };
      q1 = await queue('=Returns');
      q2 = await queue('Billing');
      for (const [id, name] of [
        [u1id, 'Anna Agent'],
        [u2id, 'Bob Agent'],
      ] as const) {
        await db.insertInto('users').values({ id, workspace_id: ws, email: `${id}@example.com`, name, role: 'agent', password_hash: 'x', created_at: Date.now() }).execute();
      }
      const label = async (name: string) => {
        const res = await t.api<{ id: string }>('POST', '/v1/labels', m.key, { name, colour: '#336699' });
        expect(res.status, JSON.stringify(res.body)).toBe(201);
        return res.body.id;
      };
      vip = await label('VIP');
      refund = await label('Refund');

      // The tickets. Local times in Warsaw; the range is 2 to 4 November 2026.
      const ticket = async (key: string, o: { source: string; queue: string | null; assignee: string | null; created: number; resolved: number | null; replies?: Array<{ kind: string; at: number }> }) => {
        const id = idAt('tkt', o.created);
        tickets[key] = id;
        await db
          .insertInto('tickets')
          .values({
            id,
            workspace_id: ws,
            source: o.source,
            source_ref: `ref-${key}`,
            external_id: `ext-${key}-${randomBytes(4).toString('hex')}`,
            queue_id: o.queue,
            category_id: null,
            status: o.resolved ? 'closed' : 'open',
            assignee: o.assignee,
            contact_id: null,
            customer_external_id: null,
            customer_name: `Customer ${key}`,
            subject: null,
            context: JSON.stringify({ orderId: null, orderUrl: null, conversationUrl: null, products: [] }),
            auto_replied_at: null,
            last_message_at: o.created,
            resolved_at: o.resolved,
            created_at: o.created,
            updated_at: o.resolved ?? o.created,
          })
          .execute();
        const messages = [{ kind: 'customer', at: o.created }, ...(o.replies ?? [])];
        for (const [i, r] of messages.entries()) {
          await db
            .insertInto('ticket_messages')
            .values({ id: idAt('tmsg', r.at), workspace_id: ws, ticket_id: id, external_id: `${key}-${i}`, kind: r.kind, author: r.kind === 'customer' ? null : 'Anna Agent', body: 'text', attachments: '[]', attachment_bytes: 0, files: null, status: 'sent', error: null, created_at: r.at, updated_at: r.at })
            .execute();
        }
      };
      const t1 = warsaw('2026-11-02T09:00:00');
      await ticket('T1', { source: 'EmpikPlace', queue: q1, assignee: u1, created: t1, resolved: t1 + 2 * HOUR, replies: [{ kind: 'agent', at: t1 + 10 * MIN }, { kind: 'agent', at: t1 + 50 * MIN }] });
      // Opened at 00:30 on 3 November in Warsaw: still 2 November in UTC.
      const t2 = warsaw('2026-11-03T00:30:00');
      await ticket('T2', { source: 'WhatsApp', queue: q1, assignee: u1, created: t2, resolved: t2 + 24 * HOUR, replies: [{ kind: 'agent', at: t2 + 30 * MIN }] });
      // A private note before the reply does not count as a response.
      const t3 = warsaw('2026-11-03T10:00:00');
      await ticket('T3', { source: 'WhatsApp', queue: q2, assignee: u2, created: t3, resolved: null, replies: [{ kind: 'internal', at: t3 + 5 * MIN }, { kind: 'agent', at: t3 + 20 * MIN }] });
      // An auto-reply is not a response either.
      const t4 = warsaw('2026-11-04T12:00:00');
      await ticket('T4', { source: 'EmpikPlace', queue: null, assignee: null, created: t4, resolved: null, replies: [{ kind: 'auto_reply', at: t4 + MIN }] });
      // Opened before the range, resolved in it.
      const t5 = warsaw('2026-10-30T10:00:00');
      await ticket('T5', { source: 'LINE', queue: q2, assignee: u2, created: t5, resolved: warsaw('2026-11-02T10:00:00'), replies: [{ kind: 'agent', at: t5 + HOUR }] });
      // After the range.
      await ticket('T6', { source: 'WhatsApp', queue: q1, assignee: u1, created: warsaw('2026-11-05T00:00:00'), resolved: null, replies: [{ kind: 'agent', at: warsaw('2026-11-05T00:10:00') }] });

      // Labels: VIP on T1 and T2, Refund on T2.
      for (const [ticketKey, labelId] of [
        ['T1', vip],
        ['T2', vip],
        ['T2', refund],
      ] as const) {
        const res = await t.api('PUT', `/v1/tickets/${tickets[ticketKey]}/labels/${labelId}`, m.key);
        expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
      }
      // SLA outcomes as the service records them: T1 met both targets, T2 missed both, T3 answered in time and
      // is open, T4 has no outcome yet, T5's SLA started before the range.
      const sla = async (key: string, started: number, o: { fr: number | null; frBreached: number | null; res: number | null; resBreached: number | null }) => {
        await db
          .insertInto('ticket_slas')
          .values({ workspace_id: ws, ticket_id: tickets[key]!, policy_id: 'slp_seed', queue_id: null, started_at: started, first_response_due_at: null, first_response_warn_at: null, resolution_due_at: null, resolution_warn_at: null, first_response_at: o.fr, first_response_breached: o.frBreached, resolved_at: o.res, resolution_breached: o.resBreached, updated_at: started })
          .execute();
      };
      await sla('T1', t1, { fr: t1 + 10 * MIN, frBreached: 0, res: t1 + 2 * HOUR, resBreached: 0 });
      await sla('T2', t2, { fr: t2 + 30 * MIN, frBreached: 1, res: t2 + 24 * HOUR, resBreached: 1 });
      await sla('T3', t3, { fr: t3 + 20 * MIN, frBreached: 0, res: null, resBreached: null });
      await sla('T4', t4, { fr: null, frBreached: null, res: null, resBreached: null });
      await sla('T5', t5, { fr: t5 + HOUR, frBreached: 0, res: warsaw('2026-11-02T10:00:00'), resBreached: 1 });
      // CSAT answers: T1 5 and T5 4 on 2 November, T2 3 on 4 November; T3's survey is unanswered.
      const survey = async (key: string, score: number | null, answered: number | null, agent: string) => {
        await db
          .insertInto('csat_surveys')
          .values({ id: idAt('csv', answered ?? t3), workspace_id: ws, ticket_id: tickets[key]!, channel: 'whatsapp', status: score === null ? 'sent' : 'answered', reason: null, agent, score, sent_at: answered ?? t3, answered_at: answered })
          .execute();
      };
      await survey('T1', 5, warsaw('2026-11-02T12:00:00'), u1);
      await survey('T5', 4, warsaw('2026-11-02T11:00:00'), u2);
      await survey('T2', 3, warsaw('2026-11-04T08:00:00'), u1);
      await survey('T3', null, null, u2);

      // The outbound messages (and one inbound, one after the range). Account X is not one of the workspace's.
      const accountA = m.account.id;
      const accountX = 'cha_not_in_this_workspace';
      const message = async (o: { at: string; channel: string; account: string; event: string | null; status: string; delivered?: boolean; read?: boolean; billed?: string; direction?: string }) => {
        const at = warsaw(o.at);
        const id = idAt('msg', at);
        let eventId: string | null = null;
        if (o.event) {
          eventId = idAt('evt', at);
          await db.insertInto('events').values({ id: eventId, workspace_id: ws, type: o.event, idempotency_key: `seed:${eventId}`, source: 'seed', store_connection_id: null, order_id: null, occurred_at: at, payload: '{}', created_at: at }).execute();
        }
        await db
          .insertInto('messages')
          .values({
            id,
            workspace_id: ws,
            direction: o.direction ?? 'outbound',
            channel: o.channel,
            channel_account_id: o.account,
            event_id: eventId,
            order_id: null,
            idempotency_key: `seed:${id}`,
            recipient: '15550100000',
            template_name: null,
            content: '{}',
            status: o.status,
            reason: null,
            error_code: null,
            provider_message_id: null,
            attempts: 1,
            created_at: at,
            updated_at: at,
            sent_at: ['sent', 'delivered', 'read'].includes(o.status) ? at : null,
            delivered_at: o.delivered ? at + 1000 : null,
            read_at: o.read ? at + 2000 : null,
            failed_at: o.status === 'failed' ? at : null,
            category: o.billed ?? null,
            conversation_id: null,
            send_started_at: at,
            bookkeeping_due: 0,
          })
          .execute();
        if (o.billed) {
          await db
            .insertInto('usage_records')
            .values({ id: idAt('use', at), workspace_id: ws, message_id: id, channel: o.channel, channel_account_id: o.account, provider: 'meta', owner: 'merchant', category: o.billed, month: '2026-11', created_at: at })
            .execute();
        }
      };
      await message({ at: '2026-11-02T08:00:00', channel: 'whatsapp', account: accountA, event: 'order.placed', status: 'read', delivered: true, read: true, billed: 'utility' });
      await message({ at: '2026-11-02T09:00:00', channel: 'sms', account: accountX, event: 'order.placed', status: 'skipped' });
      await message({ at: '2026-11-03T00:15:00', channel: 'whatsapp', account: accountA, event: 'order.placed', status: 'delivered', delivered: true, billed: 'utility' });
      await message({ at: '2026-11-03T13:00:00', channel: 'whatsapp', account: accountA, event: 'order.shipped', status: 'failed' });
      await message({ at: '2026-11-03T14:00:00', channel: 'whatsapp', account: accountA, event: null, status: 'received', direction: 'inbound' });
      await message({ at: '2026-11-04T09:00:00', channel: 'whatsapp', account: accountA, event: 'order.shipped', status: 'sent', billed: 'marketing' });
      await message({ at: '2026-11-04T10:00:00', channel: 'sms', account: accountX, event: 'order.shipped', status: 'sent', billed: 'utility' });
      await message({ at: '2026-11-04T23:00:00', channel: 'whatsapp', account: accountA, event: 'order.placed', status: 'queued' });
      await message({ at: '2026-11-05T00:30:00', channel: 'whatsapp', account: accountA, event: 'order.placed', status: 'read', delivered: true, read: true, billed: 'utility' });

      const prices = await t.api('PUT', '/v1/message-prices', m.key, {
        prices: [
          { channel_account_id: accountA, category: 'utility', price: '0.0125' },
          { channel_account_id: accountA, category: '*', price: '0.05' },
        ],
      });
      expect(prices.status, JSON.stringify(prices.body)).toBe(200);
      const currency = await t.api('PATCH', '/v1/workspace', m.key, { currency: 'PLN' });
      expect(currency.status, JSON.stringify(currency.body)).toBe(200);
    }, 60_000);
    afterAll(async () => {
      await t?.close();
    });

    const inbox = async (query: string) => {
      const res = await t.api<InboxReport>('GET', `/v1/reports/inbox?from=2026-11-02&to=2026-11-04&${query}`, m.key);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body;
    };
    const notifications = async (query: string) => {
      const res = await t.api<NotificationReport>('GET', `/v1/reports/notifications?from=2026-11-02&to=2026-11-04&tz=${encodeURIComponent(TZ)}&${query}`, m.key);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body;
    };

    it('counts tickets by day in the workspace’s time zone, with first response and resolution times', async () => {
      const r = await inbox(`tz=${encodeURIComponent(TZ)}&group_by=day`);
      expect(r).toMatchObject({ from: '2026-11-02', to: '2026-11-04', tz: TZ });
      const byKey = Object.fromEntries(r.rows.map((row) => [row.key, row]));
      expect(r.rows.map((row) => row.key)).toEqual(['2026-11-02', '2026-11-03', '2026-11-04']);
      // 2 Nov: T1 opened (reply after 10 min); T1 resolved after 2 h, T5 after 3 days.
      expect(byKey['2026-11-02']).toMatchObject({ tickets_opened: 1, tickets_resolved: 2, first_response: d(1, 600, 600), resolution: d(2, 133_200, 133_200) });
      // T1's SLA (both met); CSAT 5 (T1) and 4 (T5).
      expect(byKey['2026-11-02']).toMatchObject({ sla: { first_response_met: 1, first_response_breached: 0, resolution_met: 1, resolution_breached: 0, attainment_percent: 100 }, csat: { responses: 2, average: 4.5, satisfied_percent: 100 } });
      // T2 missed both targets, T3 answered in time: 1 of 3 outcomes met.
      expect(byKey['2026-11-03']).toMatchObject({ sla: { first_response_met: 1, first_response_breached: 1, resolution_met: 0, resolution_breached: 1, attainment_percent: 33.3 }, csat: { responses: 0, average: null, satisfied_percent: null } });
      expect(byKey['2026-11-04']).toMatchObject({ sla: { attainment_percent: null }, csat: { responses: 1, average: 3, satisfied_percent: 0 } });
      // 3 Nov: T2 (30 min) and T3 (20 min; the note before it does not count).
      expect(byKey['2026-11-03']).toMatchObject({ tickets_opened: 2, tickets_resolved: 0, first_response: d(2, 1500, 1500), resolution: d(0, null, null) });
      // 4 Nov: T4 (only an auto-reply: no response); T2 resolved after 24 h.
      expect(byKey['2026-11-04']).toMatchObject({ tickets_opened: 1, tickets_resolved: 1, first_response: d(0, null, null), resolution: d(1, 86_400, 86_400) });
      expect(r.totals).toMatchObject({ key: null, tickets_opened: 4, tickets_resolved: 3, first_response: d(3, 1200, 1200), resolution: d(3, 117_600, 86_400) });
      expect(r.totals).toMatchObject({ sla: { first_response_met: 2, first_response_breached: 1, resolution_met: 1, resolution_breached: 1, attainment_percent: 60 }, csat: { responses: 3, average: 4, satisfied_percent: 66.7 } });
    });

    it('puts a ticket opened just after local midnight on the UTC day when asked in UTC', async () => {
      const r = await inbox('group_by=day');
      const byKey = Object.fromEntries(r.rows.map((row) => [row.key, row]));
      expect(r.tz).toBe('UTC');
      expect(byKey['2026-11-02']?.tickets_opened).toBe(2);
      expect(byKey['2026-11-03']?.tickets_opened).toBe(1);
    });

    it('groups by queue, source and agent, with their names', async () => {
      const byQueue = await inbox(`tz=${encodeURIComponent(TZ)}&group_by=queue`);
      const q = Object.fromEntries(byQueue.rows.map((row) => [String(row.key), row]));
      expect(q[q1]).toMatchObject({ name: '=Returns', tickets_opened: 2, tickets_resolved: 2, first_response: d(2, 1200, 1200), resolution: d(2, 46_800, 46_800) });
      expect(q[q2]).toMatchObject({ name: 'Billing', tickets_opened: 1, tickets_resolved: 1, first_response: d(1, 1200, 1200), resolution: d(1, 259_200, 259_200) });
      expect(q['null']).toMatchObject({ name: null, tickets_opened: 1, tickets_resolved: 0 });

      const bySource = await inbox(`tz=${encodeURIComponent(TZ)}&group_by=source`);
      const s = Object.fromEntries(bySource.rows.map((row) => [String(row.key), row]));
      expect(s['EmpikPlace']).toMatchObject({ tickets_opened: 2, tickets_resolved: 1, first_response: d(1, 600, 600) });
      expect(s['WhatsApp']).toMatchObject({ tickets_opened: 2, tickets_resolved: 1, first_response: d(2, 1500, 1500), resolution: d(1, 86_400, 86_400) });
      expect(s['LINE']).toMatchObject({ tickets_opened: 0, tickets_resolved: 1, resolution: d(1, 259_200, 259_200) });

      const byAgent = await inbox(`tz=${encodeURIComponent(TZ)}&group_by=agent`);
      const a = Object.fromEntries(byAgent.rows.map((row) => [String(row.key), row]));
      expect(a[u1]).toMatchObject({ name: 'Anna Agent', tickets_opened: 2, tickets_resolved: 2, csat: { responses: 2, average: 4, satisfied_percent: 50 } });
      expect(a[u2]).toMatchObject({ name: 'Bob Agent', tickets_opened: 1, tickets_resolved: 1, csat: { responses: 1, average: 4, satisfied_percent: 100 } });
      expect(a['null']).toMatchObject({ tickets_opened: 1 });

      // By label: a ticket counts under each of its labels; T3, T4 and T5 have none.
      const byLabel = await inbox(`tz=${encodeURIComponent(TZ)}&group_by=label`);
      const l = Object.fromEntries(byLabel.rows.map((row) => [String(row.key), row]));
      expect(l[vip]).toMatchObject({ name: 'VIP', tickets_opened: 2, tickets_resolved: 2, first_response: d(2, 1200, 1200), resolution: d(2, 46_800, 46_800), sla: { attainment_percent: 50 }, csat: { responses: 2, average: 4 } });
      expect(l[refund]).toMatchObject({ name: 'Refund', tickets_opened: 1, tickets_resolved: 1, first_response: d(1, 1800, 1800), resolution: d(1, 86_400, 86_400), sla: { attainment_percent: 0 } });
      expect(l['null']).toMatchObject({ name: null, tickets_opened: 2, tickets_resolved: 1, first_response: d(1, 1200, 1200) });
      expect(byLabel.totals.tickets_opened).toBe(4);
    });

    it('answers CSV, with spreadsheet formulas defused', async () => {
      const res = await t.hub.http!.inject({ method: 'GET', url: `/v1/reports/inbox?from=2026-11-02&to=2026-11-04&tz=${encodeURIComponent(TZ)}&group_by=queue&format=csv`, headers: { authorization: `Bearer ${m.key}` } });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/csv/);
      expect(res.headers['content-disposition']).toContain('shoptalk-inbox-queue-2026-11-02-2026-11-04.csv');
      const lines = res.body.trim().split('\r\n');
      expect(lines[0]).toBe('group,name,tickets_opened,tickets_resolved,first_response_count,first_response_avg_seconds,first_response_median_seconds,resolution_count,resolution_avg_seconds,resolution_median_seconds,sla_first_response_met,sla_first_response_breached,sla_resolution_met,sla_resolution_breached,sla_attainment_percent,csat_responses,csat_average,csat_satisfied_percent');
      expect(lines).toContain(`${q1},'=Returns,2,2,2,1200,1200,2,46800,46800,1,1,1,1,50,2,4,50`);
      expect(lines.at(-1)).toBe('total,,4,3,3,1200,1200,3,117600,86400,2,1,1,1,60,3,4,66.7');
    });

    it('counts notifications by channel, event type, day and account, with the cost from the prices', async () => {
      const byChannel = await notifications('group_by=channel');
      expect(byChannel.currency).toBe('PLN');
      const c = Object.fromEntries(byChannel.rows.map((row) => [String(row.key), row]));
      expect(c['whatsapp']).toEqual({ key: 'whatsapp', name: null, messages: 5, sent: 3, delivered: 2, read: 1, failed: 1, unknown: 0, skipped: 0, pending: 1, billed: 3, unpriced: 0, cost: '0.075' });
      expect(c['sms']).toEqual({ key: 'sms', name: null, messages: 2, sent: 1, delivered: 0, read: 0, failed: 0, unknown: 0, skipped: 1, pending: 0, billed: 1, unpriced: 1, cost: '0.00' });
      expect(byChannel.totals).toMatchObject({ messages: 7, sent: 4, delivered: 2, read: 1, failed: 1, skipped: 1, pending: 1, billed: 4, unpriced: 1, cost: '0.075' });

      const byEvent = await notifications('group_by=event_type');
      const e = Object.fromEntries(byEvent.rows.map((row) => [String(row.key), row]));
      expect(e['order.placed']).toMatchObject({ messages: 4, sent: 2, delivered: 2, read: 1, skipped: 1, pending: 1, billed: 2, cost: '0.025' });
      expect(e['order.shipped']).toMatchObject({ messages: 3, sent: 2, failed: 1, billed: 2, unpriced: 1, cost: '0.05' });

      const byDay = await notifications('group_by=day');
      expect(byDay.rows.map((row) => [row.key, row.messages])).toEqual([
        ['2026-11-02', 2],
        ['2026-11-03', 2],
        ['2026-11-04', 3],
      ]);

      const byAccount = await notifications('group_by=account');
      const a = Object.fromEntries(byAccount.rows.map((row) => [String(row.key), row]));
      expect(a[m.account.id]).toMatchObject({ messages: 5, cost: '0.075' });
      expect(a[m.account.id]?.name).toBeTruthy();
      expect(a['cha_not_in_this_workspace']).toMatchObject({ name: null, messages: 2, unpriced: 1 });

      const csv = await t.hub.http!.inject({ method: 'GET', url: `/v1/reports/notifications?from=2026-11-02&to=2026-11-04&tz=${encodeURIComponent(TZ)}&group_by=channel&format=csv`, headers: { authorization: `Bearer ${m.key}` } });
      expect(csv.body.trim().split('\r\n')).toEqual([
        'group,name,messages,sent,delivered,read,failed,unknown,skipped,pending,billed,unpriced,cost,currency',
        'whatsapp,,5,3,2,1,1,0,0,1,3,0,0.075,PLN',
        'sms,,2,1,0,0,0,0,1,0,1,1,0.00,PLN',
        'total,,7,4,2,1,1,0,1,1,4,1,0.075,PLN',
      ]);
    });

    it('refuses bad ranges and prices with the field named', async () => {
      const bad = async (path: string, field: RegExp) => {
        const res = await t.api<{ error: { message: string } }>('GET', path, m.key);
        expect(res.status, path).toBe(400);
        expect(res.body.error.message).toMatch(field);
      };
      await bad('/v1/reports/inbox?from=2026-02-30', /^from: must be a date/);
      await bad('/v1/reports/inbox?from=2026-11-05&to=2026-11-01', /^from: must not be after to/);
      await bad('/v1/reports/inbox?from=2025-01-01&to=2026-11-01', /^to: the range may cover at most 366 days/);
      await bad('/v1/reports/notifications?tz=Mars%2FOlympus', /^tz: must be an IANA time zone/);
      const put = async (prices: unknown[], field: RegExp) => {
        const res = await t.api<{ error: { message: string } }>('PUT', '/v1/message-prices', m.key, { prices });
        expect(res.status).toBe(400);
        expect(res.body.error.message).toMatch(field);
      };
      await put([{ channel_account_id: 'cha_elsewhere', category: 'utility', price: '1' }], /^prices\[0\]\.channel_account_id: is not a sending account/);
      await put([{ channel_account_id: m.account.id, category: 'Utility', price: '1' }], /^prices\[0\]\.category/);
      await put([{ channel_account_id: m.account.id, category: 'utility', price: '1,50' }], /^prices\[0\]\.price/);
      await put([{ channel_account_id: m.account.id, category: 'utility', price: '0.0000001' }], /^prices\[0\]\.price/);
      await put(
        [
          { channel_account_id: m.account.id, category: 'utility', price: '1' },
          { channel_account_id: m.account.id, category: 'utility', price: '2' },
        ],
        /^prices\[1\]: repeats/,
      );
      // Nothing was half-written: the prices are the ones set before.
      const prices = await t.api<{ data: Array<{ category: string; price: string }> }>('GET', '/v1/message-prices', m.key);
      expect(prices.body.data.map((p) => [p.category, p.price])).toEqual([
        ['*', '0.05'],
        ['utility', '0.0125'],
      ]);
    });

    it('records resolution when a ticket is closed through the API, and clears it when it opens again', async () => {
      const today = new Date().toISOString().slice(0, 10);
      const resolvedToday = async () => (await t.api<InboxReport>('GET', `/v1/reports/inbox?from=${today}&to=${today}`, m.key)).body.totals.tickets_resolved;
      expect(await resolvedToday()).toBe(0);
      const closed = await t.api('PATCH', `/v1/tickets/${tickets['T3']}`, m.key, { status: 'closed' });
      expect(closed.status, JSON.stringify(closed.body)).toBe(200);
      expect(await resolvedToday()).toBe(1);
      // Closing again keeps the first resolution time; reopening clears it.
      const row = async () => (await t.hub.storage.db.selectFrom('tickets').select('resolved_at').where('id', '=', tickets['T3']!).executeTakeFirstOrThrow()).resolved_at;
      const first = await row();
      await t.api('PATCH', `/v1/tickets/${tickets['T3']}`, m.key, { status: 'closed' });
      expect(await row()).toBe(first);
      const reopened = await t.api('PATCH', `/v1/tickets/${tickets['T3']}`, m.key, { status: 'open' });
      expect(reopened.status).toBe(200);
      expect(await row()).toBeNull();
      expect(await resolvedToday()).toBe(0);
    });

    it('counts and prices an order notification sent through the simulators', async () => {
      const today = new Date().toISOString().slice(0, 10);
      await t.shopify.placeOrder(m.shop, { phone: '+44 7700 900777' });
      await waitFor(() => t.wa.messages('447700900777').length === 1, { what: 'the WhatsApp message' });
      const row = await waitFor(async () => {
        const r = await t.api<NotificationReport>('GET', `/v1/reports/notifications?from=${today}&to=${today}&group_by=event_type`, m.key);
        const placed = r.body.rows.find((x) => x.key === 'order.placed');
        return placed && placed.billed === 1 ? placed : null;
      }, { what: 'the report to count the send' });
      expect(row).toMatchObject({ messages: 1, sent: 1, failed: 0, billed: 1, unpriced: 0, cost: '0.0125' });
    });
  });
}
