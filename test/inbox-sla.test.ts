// Service levels of the inbox: business hours (DST and holidays) and the outside-hours reply once per closed
// period; SLA due times, warning, breach and met; CSAT surveys by reply buttons on WhatsApp (through the
// simulator), by a signed link for e-mail (an altered link refused), and none on EmpikPlace.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestHub } from './support/hub.js';
import { setUpMerchant, startTestHub } from './support/hub.js';
import type { MerchantSetup } from './support/hub.js';
import { waitFor } from './support/services.js';
import { connectLine, sayOnLine } from './support/chat.js';
import { hubVariants } from './support/variants.js';
import { addBusinessMinutes, closedPeriodStart, isOpen } from '../src/core/inbox-sla/business-hours.js';
import type { BusinessHours } from '../src/core/inbox-sla/business-hours.js';
import { instantOf } from '../src/core/zoned-time.js';
import { slaState } from '../src/core/inbox-sla/model.js';
import type { TicketSla } from '../src/core/inbox-sla/model.js';

const hex = (n: number) => randomBytes(n).toString('hex');
const MIN = 60_000;
const weekdays = (start: string, end: string) => [1, 2, 3, 4, 5].map((day) => ({ day, start, end }));
const warsaw: BusinessHours = { timeZone: 'Europe/Warsaw', intervals: weekdays('09:00', '17:00'), holidays: ['2026-04-06'], outsideHoursReply: 'closed' };

describe('business hours', () => {
  it('turns local times into instants across DST changes (gap forward, overlap at its first occurrence)', () => {
    // Winter (UTC+1) and summer (UTC+2) in Warsaw.
    expect(new Date(instantOf(2026, 3, 27, 9 * 60, 'Europe/Warsaw')).toISOString()).toBe('2026-03-27T08:00:00.000Z');
    expect(new Date(instantOf(2026, 3, 30, 9 * 60, 'Europe/Warsaw')).toISOString()).toBe('2026-03-30T07:00:00.000Z');
    // 02:30 on 29 March does not exist (02:00 → 03:00): it moves forward to 03:30 CEST.
    expect(new Date(instantOf(2026, 3, 29, 150, 'Europe/Warsaw')).toISOString()).toBe('2026-03-29T01:30:00.000Z');
    // 02:30 on 25 October happens twice: the first (CEST) is taken.
    expect(new Date(instantOf(2026, 10, 25, 150, 'Europe/Warsaw')).toISOString()).toBe('2026-10-25T00:30:00.000Z');
    // New York changes on another date (8 March 2026).
    expect(new Date(instantOf(2026, 3, 9, 9 * 60, 'America/New_York')).toISOString()).toBe('2026-03-09T13:00:00.000Z');
  });

  it('opens and closes by local time on both sides of the spring change, and stays closed on a holiday', () => {
    expect(isOpen(warsaw, Date.parse('2026-03-27T07:30:00Z'))).toBe(false); // Friday 08:30 CET
    expect(isOpen(warsaw, Date.parse('2026-03-27T08:30:00Z'))).toBe(true); // Friday 09:30 CET
    expect(isOpen(warsaw, Date.parse('2026-03-30T07:30:00Z'))).toBe(true); // Monday 09:30 CEST
    expect(isOpen(warsaw, Date.parse('2026-03-30T15:30:00Z'))).toBe(false); // Monday 17:30 CEST
    expect(isOpen(warsaw, Date.parse('2026-03-28T10:00:00Z'))).toBe(false); // Saturday
    expect(isOpen(warsaw, Date.parse('2026-04-06T08:00:00Z'))).toBe(false); // Easter Monday 10:00, a holiday
    expect(isOpen(warsaw, Date.parse('2026-04-07T08:00:00Z'))).toBe(true);
  });

  it('counts business minutes over a weekend with a DST change and over a holiday', () => {
    // Friday 16:00 CET + 2 business hours: one on Friday, one on Monday from 09:00 CEST = 07:00Z.
    expect(new Date(addBusinessMinutes(warsaw, Date.parse('2026-03-27T15:00:00Z'), 120)!).toISOString()).toBe('2026-03-30T08:00:00.000Z');
    // Thursday 2 April 16:00 CEST + 3 hours: Thursday 1 h, Friday 3 April 2 h (Good Friday is a working day here).
    expect(new Date(addBusinessMinutes(warsaw, Date.parse('2026-04-02T14:00:00Z'), 180)!).toISOString()).toBe('2026-04-03T09:00:00.000Z');
    // Friday 3 April 16:00 + 2 hours: the Monday is a holiday, so Tuesday 10:00 CEST.
    expect(new Date(addBusinessMinutes(warsaw, Date.parse('2026-04-03T14:00:00Z'), 120)!).toISOString()).toBe('2026-04-07T08:00:00.000Z');
    // Started while closed: the count begins at the next opening.
    expect(new Date(addBusinessMinutes(warsaw, Date.parse('2026-03-28T10:00:00Z'), 30)!).toISOString()).toBe('2026-03-30T07:30:00.000Z');
    expect(addBusinessMinutes({ ...warsaw, intervals: [] }, Date.now(), 30)).toBeNull();
  });

  it('names one closed period from closing time to the next opening, holidays included', () => {
    const fridayClose = Date.parse('2026-03-27T16:00:00Z'); // 17:00 CET
    expect(closedPeriodStart(warsaw, Date.parse('2026-03-27T19:00:00Z'))).toBe(fridayClose);
    expect(closedPeriodStart(warsaw, Date.parse('2026-03-28T10:00:00Z'))).toBe(fridayClose);
    expect(closedPeriodStart(warsaw, Date.parse('2026-03-30T06:59:00Z'))).toBe(fridayClose); // Monday 08:59 CEST
    expect(closedPeriodStart(warsaw, Date.parse('2026-03-30T07:00:00Z'))).toBeNull();
    expect(closedPeriodStart(warsaw, Date.parse('2026-03-30T15:00:00Z'))).toBe(Date.parse('2026-03-30T15:00:00Z'));
    // Over Easter: Friday 3 April 17:00 CEST until Tuesday 09:00.
    expect(closedPeriodStart(warsaw, Date.parse('2026-04-06T12:00:00Z'))).toBe(Date.parse('2026-04-03T15:00:00Z'));
  });
});

describe('SLA state', () => {
  const base: TicketSla = { ticketId: 't', policyId: 'p', queueId: 'q', startedAt: 0, firstResponseDueAt: 60 * MIN, firstResponseWarnAt: 48 * MIN, resolutionDueAt: 240 * MIN, resolutionWarnAt: 192 * MIN, firstResponseAt: null, firstResponseBreached: null, resolvedAt: null, resolutionBreached: null, updatedAt: 0 };
  it('is ok, then warning at 80 %, then breached; met when every target was reached; a recorded breach stays', () => {
    expect(slaState(base, 10 * MIN)).toBe('ok');
    expect(slaState(base, 48 * MIN)).toBe('warning');
    expect(slaState(base, 61 * MIN)).toBe('breached');
    const answered = { ...base, firstResponseAt: 30 * MIN, firstResponseBreached: false };
    expect(slaState(answered, 61 * MIN)).toBe('ok');
    expect(slaState(answered, 200 * MIN)).toBe('warning');
    expect(slaState({ ...answered, resolvedAt: 100 * MIN, resolutionBreached: false }, 500 * MIN)).toBe('met');
    expect(slaState({ ...answered, firstResponseBreached: true, resolvedAt: 100 * MIN, resolutionBreached: false }, 500 * MIN)).toBe('breached');
  });
});

interface Sla {
  policy_id: string;
  first_response_due_at: string | null;
  resolution_due_at: string | null;
  first_response_at: string | null;
  resolved_at: string | null;
  state: string;
}
interface TicketView {
  id: string;
  source: string;
  status: string;
  queue_id: string | null;
  created_at: string;
  customer_external_id: string | null;
  order: { id: string } | null;
  sla: Sla | null;
  messages?: Array<{ kind: string; body: string }>;
}
interface Survey {
  id: string;
  ticket_id: string;
  channel: string;
  status: string;
  reason: string | null;
  agent: string | null;
  score: number | null;
}

let offset = 0;
const clock = () => Date.now() + offset;

describe.each(hubVariants('sql', { clock }))('inbox service levels ($name)', (variant) => {
  let t: TestHub;
  let m: MerchantSetup;
  let key = '';
  let field = '';
  const queues = { chats: '', empik: '', weekend: '' };

  /** An EmpikPlace shop connected to a queue; returns its shop id. */
  const connectEmpik = async (queueId: string): Promise<string> => {
    const shopId = String(2000 + Math.floor(Math.random() * 7000));
    const apiKey = hex(16);
    t.mirakl.addShop({ apiKey, shopId, shopName: `Sklep ${shopId}` });
    const category = (await t.api<{ id: string }>('POST', '/v1/categories', key, { name: `Marketplace ${shopId}` })).body;
    const created = await t.api<{ id: string }>('POST', '/v1/store-connections', key, { platform: 'empikplace', name: `EmpikPlace ${shopId}`, api_key: apiKey, customer_id_field_id: field, queue_id: queueId, category_id: category.id });
    expect(created.status).toBe(201);
    return shopId;
  };
  const tickets = async (query = '') => (await t.api<{ data: TicketView[] }>('GET', `/v1/tickets?limit=200${query}`, key)).body.data;
  const ticket = async (id: string) => (await t.api<TicketView>('GET', `/v1/tickets/${id}`, key)).body;
  const ticketForOrder = (orderId: string) => waitFor(async () => (await tickets('&source=EmpikPlace')).find((x) => x.order?.id === orderId) ?? null, { what: `the ticket of order ${orderId}`, timeoutMs: 15_000 });
  const surveyOf = async (ticketId: string) => (await t.api<{ survey: Survey | null }>('GET', `/v1/tickets/${ticketId}/csat`, key)).body.survey;

  beforeAll(async () => {
    t = await startTestHub(variant);
    m = await setUpMerchant(t, { enable: false });
    key = m.key;
    field = (await t.api<{ id: string }>('POST', '/v1/custom-fields', key, { name: 'Empik ID' })).body.id;
    // Chats go to the first queue.
    queues.chats = (await t.api<{ id: string }>('POST', '/v1/queues', key, { name: 'Chats' })).body.id;
    queues.empik = (await t.api<{ id: string }>('POST', '/v1/queues', key, { name: 'EmpikPlace' })).body.id;
    queues.weekend = (await t.api<{ id: string }>('POST', '/v1/queues', key, { name: 'Weekend' })).body.id;
  });
  afterAll(async () => {
    offset = 0;
    await t?.close();
  });

  it('refuses bad business hours, naming the field, and saves good ones', async () => {
    const bad = async (body: Record<string, unknown>) => (await t.api<{ error: { message: string } }>('PUT', `/v1/queues/${queues.weekend}/business-hours`, key, { time_zone: 'Europe/Warsaw', intervals: weekdays('09:00', '17:00'), ...body })).body.error.message;
    expect(await bad({ time_zone: 'Mars/Olympus' })).toContain('time_zone');
    expect(await bad({ intervals: [{ day: 8, start: '09:00', end: '17:00' }] })).toMatch(/^intervals\.0\.day/);
    expect(await bad({ intervals: [{ day: 1, start: '17:00', end: '09:00' }] })).toContain('intervals[0].end');
    expect(await bad({ holidays: ['2026-02-30'] })).toContain('holidays[0]');
    expect(await bad({ outside_hours_reply: '<b>closed</b>' })).toContain('outside_hours_reply');
    expect((await t.api('PUT', '/v1/queues/q_nope/business-hours', key, { time_zone: 'Europe/Warsaw', intervals: [] })).status).toBe(404);
    const saved = await t.api<{ time_zone: string; holidays: string[]; outside_hours_reply: string }>('PUT', `/v1/queues/${queues.weekend}/business-hours`, key, {
      time_zone: 'Europe/Warsaw',
      intervals: weekdays('09:00', '17:00'),
      holidays: ['2027-01-06'],
      outside_hours_reply: 'Dziękujemy! Biuro jest zamknięte; odpowiemy w najbliższy dzień roboczy.',
    });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ time_zone: 'Europe/Warsaw', holidays: ['2027-01-06'] });
  });

  it('sends the outside-hours reply once per closed period, in plain text on EmpikPlace, and none while open', async () => {
    // The queue's own auto-reply for new tickets gives way to the outside-hours reply while the queue is closed.
    expect((await t.api('PATCH', `/v1/queues/${queues.weekend}`, key, { auto_reply: 'Dziękujemy za wiadomość.' })).status).toBe(200);
    const shopId = await connectEmpik(queues.weekend);
    const reply = 'Dziękujemy! Biuro jest zamknięte; odpowiemy w najbliższy dzień roboczy.';
    const at = (iso: string) => Date.parse(iso);
    // Saturday 9 January 2027, 10:00 and 11:00 in Warsaw (UTC+1): one closed period (from Friday 17:00).
    const order = t.mirakl.createOrder({ shopId, customer: { id: `C-${hex(3)}`, firstname: 'Jan', lastname: 'Kowalski' } });
    const thread = t.mirakl.createThread({ orderId: order.order_id, body: 'Czy paczka już wyszła?', at: at('2027-01-09T09:00:00Z') });
    const imported = await ticketForOrder(order.order_id);
    const replies = () => t.mirakl.shopReplies(thread.id).filter((r) => r.body === reply);
    await waitFor(() => replies().length === 1, { what: 'the outside-hours reply' });
    t.mirakl.addMessage(thread.id, 'customer', 'Halo?', [], { at: at('2027-01-09T10:00:00Z') });
    // Monday 11 January, 20:00: a new closed period (from Monday 17:00), so a second reply.
    t.mirakl.addMessage(thread.id, 'customer', 'Nadal czekam.', [], { at: at('2027-01-11T19:00:00Z') });
    await waitFor(() => replies().length === 2, { what: 'the reply of the second closed period' });
    // Tuesday 10:00: open, no reply.
    t.mirakl.addMessage(thread.id, 'customer', 'Dzień dobry.', [], { at: at('2027-01-12T09:00:00Z') });
    await waitFor(async () => ((await ticket(imported.id)).messages ?? []).some((x) => x.body === 'Dzień dobry.'), { what: 'the message sent while open' });
    const detail = await ticket(imported.id);
    expect(detail.messages!.filter((x) => x.kind === 'customer').map((x) => x.body)).toEqual(['Czy paczka już wyszła?', 'Halo?', 'Nadal czekam.', 'Dzień dobry.']);
    expect(detail.messages!.filter((x) => x.kind === 'auto_reply').map((x) => x.body)).toEqual([reply, reply]);
    // Give a stray third send time to show up: none does.
    await new Promise((r) => setTimeout(r, 300));
    expect(replies()).toHaveLength(2);
  });

  it('sets SLA due times when a ticket opens, and shows warning, breach and met in the list and detail', async () => {
    const refused = await t.api<{ error: { message: string } }>('POST', '/v1/sla-policies', key, { name: 'None', queue_id: queues.empik });
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toContain('first_response_minutes');
    const policy = await t.api<{ id: string; warning_percent: number }>('POST', '/v1/sla-policies', key, { name: 'Marketplace', queue_id: queues.empik, first_response_minutes: 60, resolution_minutes: 240 });
    expect(policy.status).toBe(201);
    expect(policy.body.warning_percent).toBe(80);
    expect((await t.api('POST', '/v1/sla-policies', key, { name: 'Twice', queue_id: queues.empik, first_response_minutes: 5 })).status).toBe(409);

    const shopId = await connectEmpik(queues.empik);
    const open = async (body: string) => {
      const order = t.mirakl.createOrder({ shopId, customer: { id: `C-${hex(3)}`, firstname: 'Ewa', lastname: 'Nowak' } });
      t.mirakl.createThread({ orderId: order.order_id, body });
      return ticketForOrder(order.order_id);
    };
    const late = await open('Gdzie jest moje zamówienie?');
    const created = Date.parse(late.created_at);
    expect(late.sla).toMatchObject({ policy_id: policy.body.id, state: 'ok', first_response_at: null, resolved_at: null });
    expect(Date.parse(late.sla!.first_response_due_at!)).toBe(created + 60 * MIN);
    expect(Date.parse(late.sla!.resolution_due_at!)).toBe(created + 240 * MIN);

    const prompt = await open('Czy mogę zmienić adres?');
    expect((await t.api('POST', `/v1/tickets/${prompt.id}/messages`, key, { body: 'Tak, proszę podać nowy adres.' })).status).toBe(201);
    expect((await ticket(prompt.id)).sla).toMatchObject({ state: 'ok' });
    expect((await ticket(prompt.id)).sla!.first_response_at).not.toBeNull();
    const closed = await t.api<TicketView>('PATCH', `/v1/tickets/${prompt.id}`, key, { status: 'closed' });
    expect(closed.body.sla!.state).toBe('met');

    try {
      // 50 minutes on: past 80 % of the first-response target.
      offset = 50 * MIN;
      const listed = (await tickets(`&queue_id=${queues.empik}`)).find((x) => x.id === late.id)!;
      expect(listed.sla!.state).toBe('warning');
      offset = 61 * MIN;
      expect((await ticket(late.id)).sla!.state).toBe('breached');
      // The late answer is recorded as a breach, and the ticket stays breached when resolved in time.
      expect((await t.api('POST', `/v1/tickets/${late.id}/messages`, key, { body: 'Przepraszamy za zwłokę.' })).status).toBe(201);
      offset = 100 * MIN;
      const resolved = await t.api<TicketView>('PATCH', `/v1/tickets/${late.id}`, key, { status: 'closed' });
      expect(resolved.body.sla).toMatchObject({ state: 'breached' });
      expect(Date.parse(resolved.body.sla!.first_response_at!)).toBeGreaterThan(created + 60 * MIN);
    } finally {
      offset = 0;
    }
    // Outcomes are stored per ticket for reports: one met, one breached on first response.
    const rows = await t.hub.storage.db.selectFrom('ticket_slas').select(['ticket_id', 'first_response_breached', 'resolution_breached']).where('workspace_id', '=', m.workspaceId).where('ticket_id', 'in', [late.id, prompt.id]).execute();
    const byId = Object.fromEntries(rows.map((r) => [r.ticket_id, [Number(r.first_response_breached), Number(r.resolution_breached)]]));
    expect(byId).toEqual({ [late.id]: [1, 0], [prompt.id]: [0, 0] });
  });

  it('counts a policy in business hours when asked, and gives open tickets the new targets', async () => {
    const hours = await t.api('PUT', `/v1/queues/${queues.empik}/business-hours`, key, { time_zone: 'America/New_York', intervals: weekdays('09:00', '17:00'), holidays: [] });
    expect(hours.status).toBe(200);
    const policy = (await t.api<{ data: Array<{ id: string; scope: { id: string } }> }>('GET', '/v1/sla-policies', key)).body.data.find((p) => p.scope.id === queues.empik)!;
    expect((await t.api('PATCH', `/v1/sla-policies/${policy.id}`, key, { business_hours: true })).status).toBe(200);
    const shopId = await connectEmpik(queues.empik);
    const order = t.mirakl.createOrder({ shopId, customer: { id: `C-${hex(3)}`, firstname: 'Ola', lastname: 'Wiśniewska' } });
    t.mirakl.createThread({ orderId: order.order_id, body: 'Pytanie o fakturę' });
    const opened = await ticketForOrder(order.order_id);
    const nyHours: BusinessHours = { timeZone: 'America/New_York', intervals: weekdays('09:00', '17:00'), holidays: [], outsideHoursReply: null };
    const created = Date.parse(opened.created_at);
    expect(Date.parse(opened.sla!.first_response_due_at!)).toBe(addBusinessMinutes(nyHours, created, 60));
    expect(Date.parse(opened.sla!.resolution_due_at!)).toBe(addBusinessMinutes(nyHours, created, 240));
    expect((await t.api('DELETE', `/v1/queues/${queues.empik}/business-hours`, key)).status).toBe(204);
    // Without business hours the targets are wall-clock time again.
    expect(Date.parse((await ticket(opened.id)).sla!.first_response_due_at!)).toBe(created + 60 * MIN);
  });

  it('puts a label’s policy before the queue’s: the strictest label wins, and removing labels gives the queue’s back', async () => {
    const queuePolicy = (await t.api<{ data: Array<{ id: string; scope: { kind: string; id: string } }> }>('GET', '/v1/sla-policies', key)).body.data.find((p) => p.scope.id === queues.empik)!;
    const label = async (name: string) => (await t.api<{ id: string }>('POST', '/v1/labels', key, { name: `${name} ${hex(2)}`, colour: '#aa3300' })).body.id;
    const vip = await label('VIP');
    const urgent = await label('Urgent');
    const plain = await label('Plain');
    const both = await t.api<{ error: { message: string } }>('POST', '/v1/sla-policies', key, { name: 'Both', queue_id: queues.empik, label_id: vip, first_response_minutes: 5 });
    expect(both.status).toBe(400);
    expect(both.body.error.message).toMatch(/^queue_id: give either queue_id or label_id/);
    const unknown = await t.api<{ error: { message: string } }>('POST', '/v1/sla-policies', key, { name: 'Nowhere', label_id: 'lbl_nope', first_response_minutes: 5 });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toMatch(/^label_id: no label/);
    const vipPolicy = await t.api<{ id: string; scope: { kind: string; id: string } }>('POST', '/v1/sla-policies', key, { name: 'VIP', label_id: vip, first_response_minutes: 15, resolution_minutes: 120 });
    expect(vipPolicy.status).toBe(201);
    expect(vipPolicy.body.scope).toEqual({ kind: 'label', id: vip });
    const urgentPolicy = await t.api<{ id: string }>('POST', '/v1/sla-policies', key, { name: 'Urgent', label_id: urgent, first_response_minutes: 10 });
    expect(urgentPolicy.status).toBe(201);
    expect((await t.api('POST', '/v1/sla-policies', key, { name: 'Again', label_id: vip, first_response_minutes: 1 })).status).toBe(409);

    const shopId = await connectEmpik(queues.empik);
    const order = t.mirakl.createOrder({ shopId, customer: { id: `C-${hex(3)}`, firstname: 'Jan', lastname: 'Kowalski' } });
    t.mirakl.createThread({ orderId: order.order_id, body: 'Reklamacja' });
    const opened = await ticketForOrder(order.order_id);
    const created = Date.parse(opened.created_at);
    expect(opened.sla!.policy_id).toBe(queuePolicy.id);
    const labelled = async (labelId: string, on: boolean) => expect((await t.api(on ? 'PUT' : 'DELETE', `/v1/tickets/${opened.id}/labels/${labelId}`, key)).status).toBeLessThan(300);
    // A label without a policy changes nothing; VIP's policy comes before the queue's.
    await labelled(plain, true);
    expect((await ticket(opened.id)).sla!.policy_id).toBe(queuePolicy.id);
    await labelled(vip, true);
    let sla = (await ticket(opened.id)).sla!;
    expect(sla.policy_id).toBe(vipPolicy.body.id);
    expect(Date.parse(sla.first_response_due_at!)).toBe(created + 15 * MIN);
    expect(Date.parse(sla.resolution_due_at!)).toBe(created + 120 * MIN);
    // With VIP and Urgent, the stricter first-response target (Urgent, 10 minutes) applies.
    await labelled(urgent, true);
    sla = (await ticket(opened.id)).sla!;
    expect(sla.policy_id).toBe(urgentPolicy.body.id);
    expect(Date.parse(sla.first_response_due_at!)).toBe(created + 10 * MIN);
    expect(sla.resolution_due_at).toBeNull();
    // Deleting the Urgent label deletes its policy: VIP's applies again. Taking VIP off gives the queue's back.
    expect((await t.api('DELETE', `/v1/labels/${urgent}`, key)).status).toBe(204);
    expect((await t.api<{ data: Array<{ id: string }> }>('GET', '/v1/sla-policies', key)).body.data.some((p) => p.id === urgentPolicy.body.id)).toBe(false);
    expect((await ticket(opened.id)).sla!.policy_id).toBe(vipPolicy.body.id);
    await labelled(vip, false);
    sla = (await ticket(opened.id)).sla!;
    expect(sla.policy_id).toBe(queuePolicy.id);
    expect(Date.parse(sla.first_response_due_at!)).toBe(created + 60 * MIN);
    // A new policy on a label gives its open tickets the new targets at once.
    await labelled(vip, true);
    expect((await t.api('PATCH', `/v1/sla-policies/${vipPolicy.body.id}`, key, { first_response_minutes: 20 })).status).toBe(200);
    expect(Date.parse((await ticket(opened.id)).sla!.first_response_due_at!)).toBe(created + 20 * MIN);
    expect((await t.api('DELETE', `/v1/sla-policies/${vipPolicy.body.id}`, key)).status).toBe(204);
    expect((await ticket(opened.id)).sla!.policy_id).toBe(queuePolicy.id);
  });

  it('sends no survey while CSAT is off, and none on EmpikPlace when it is on (recorded as skipped)', async () => {
    expect((await t.api<{ enabled: boolean }>('GET', '/v1/csat/settings', key)).body.enabled).toBe(false);
    const shopId = await connectEmpik(queues.empik);
    const order = t.mirakl.createOrder({ shopId, customer: { id: `C-${hex(3)}`, firstname: 'Piotr', lastname: 'Zieliński' } });
    const thread = t.mirakl.createThread({ orderId: order.order_id, body: 'Dziękuję, wszystko doszło.' });
    const first = await ticketForOrder(order.order_id);
    await t.api('PATCH', `/v1/tickets/${first.id}`, key, { status: 'closed' });
    expect(await surveyOf(first.id)).toBeNull();

    expect((await t.api('PUT', '/v1/csat/settings', key, { question: '<script>x</script>' })).status).toBe(400);
    const on = await t.api<{ enabled: boolean; question: string }>('PUT', '/v1/csat/settings', key, { enabled: true, question: 'Jak oceniasz naszą pomoc? How would you rate our help?' });
    expect(on.body).toEqual({ enabled: true, question: 'Jak oceniasz naszą pomoc? How would you rate our help?' });
    t.mirakl.addMessage(thread.id, 'customer', 'Jeszcze jedno pytanie.');
    await waitFor(async () => (await ticket(first.id)).status === 'open', { what: 'the reopened ticket' });
    const repliesBefore = t.mirakl.shopReplies(thread.id).length;
    await t.api('PATCH', `/v1/tickets/${first.id}`, key, { status: 'closed', assignee: 'ola@shop.example' });
    const survey = await surveyOf(first.id);
    expect(survey).toMatchObject({ channel: 'empikplace', status: 'skipped', score: null });
    expect(survey!.reason).toMatch(/EmpikPlace/);
    await new Promise((r) => setTimeout(r, 300));
    expect(t.mirakl.shopReplies(thread.id)).toHaveLength(repliesBefore);
  });

  it('asks for a rating with buttons on WhatsApp and stores the tapped score once, with the resolving agent', async () => {
    const from = `4860${Math.floor(1e7 + Math.random() * 9e7)}`;
    await t.wa.emitInbound({ phoneNumberId: m.phoneNumberId, from, text: 'agent' });
    const opened = await waitFor(async () => (await tickets('&source=WhatsApp')).find((x) => x.customer_external_id === from) ?? null, { what: 'the WhatsApp ticket' });
    expect(opened.queue_id).toBe(queues.chats);
    expect((await t.api('PATCH', `/v1/tickets/${opened.id}`, key, { assignee: 'ana@shop.example' })).status).toBe(200);
    expect((await t.api('PATCH', `/v1/tickets/${opened.id}`, key, { status: 'closed' })).status).toBe(200);
    const asked = await waitFor(() => t.wa.messages(from).find((x) => x.interactive?.choices.some((c) => c.id.startsWith('csat:'))) ?? null, { what: 'the survey on WhatsApp' });
    expect(asked.renderedText).toContain('How would you rate our help?');
    const choices = asked.interactive!.choices;
    expect(choices.map((c) => c.title)).toEqual(['1 – Very poor', '2 – Poor', '3 – Okay', '4 – Good', '5 – Excellent']);
    expect(await surveyOf(opened.id)).toMatchObject({ channel: 'whatsapp', status: 'sent', agent: 'ana@shop.example', score: null });

    const before = t.wa.messages(from).length;
    await t.wa.emitInbound({ phoneNumberId: m.phoneNumberId, from, buttonPayload: choices[4]!.id, buttonTitle: choices[4]!.title, contextId: asked.id });
    await waitFor(async () => (await surveyOf(opened.id))?.score === 5, { what: 'the stored score' });
    await waitFor(() => t.wa.messages(from).slice(before).some((x) => x.renderedText.includes('Thank you for your rating')), { what: 'the thank-you' });
    // A second tap is refused: the first score stays.
    const again = t.wa.messages(from).length;
    await t.wa.emitInbound({ phoneNumberId: m.phoneNumberId, from, buttonPayload: choices[0]!.id, buttonTitle: choices[0]!.title, contextId: asked.id });
    await waitFor(() => t.wa.messages(from).slice(again).some((x) => x.renderedText.includes('rated this conversation already')), { what: 'the refusal' });
    expect(await surveyOf(opened.id)).toMatchObject({ status: 'answered', score: 5, agent: 'ana@shop.example' });
    // The answer does not reopen the ticket.
    expect((await ticket(opened.id)).status).toBe('closed');
    const agents = (await t.api<{ data: Array<{ agent: string | null; responses: number; average: number; distribution: number[] }> }>('GET', '/v1/csat/agents', key)).body.data;
    expect(agents.find((a) => a.agent === 'ana@shop.example')).toEqual({ agent: 'ana@shop.example', responses: 1, average: 5, distribution: [0, 0, 0, 0, 1] });
    const listed = (await t.api<{ data: Survey[] }>('GET', '/v1/csat/surveys?agent=ana%40shop.example', key)).body.data;
    expect(listed.map((s) => s.ticket_id)).toEqual([opened.id]);
  });

  it('asks for a rating with LINE quick replies; the tapped postback is the score', async () => {
    const channel = { channelAccessToken: `line_${hex(16)}`, channelSecret: hex(16), botUserId: `U${hex(16)}`, displayName: 'Shop LINE' };
    await connectLine(t, key, channel);
    const user = `U${hex(16)}`;
    await sayOnLine(t, channel.botUserId, user, { text: 'agent' });
    const opened = await waitFor(async () => (await tickets('&source=LINE')).find((x) => x.customer_external_id === user) ?? null, { what: 'the LINE ticket' });
    expect((await t.api('PATCH', `/v1/tickets/${opened.id}`, key, { status: 'closed', assignee: 'ana@shop.example' })).status).toBe(200);
    type QuickReply = { quickReply?: { items: Array<{ action: { label: string; data: string } }> } };
    const asked = await waitFor(() => t.line.messages(user).find((x) => (x.message as QuickReply).quickReply?.items.some((i) => i.action.data.startsWith('csat:'))) ?? null, { what: 'the survey on LINE' });
    const items = (asked.message as QuickReply).quickReply!.items;
    expect(items.map((i) => i.action.label)).toEqual(['1 – Very poor', '2 – Poor', '3 – Okay', '4 – Good', '5 – Excellent']);
    const thanks = await sayOnLine(t, channel.botUserId, user, { postbackData: items[3]!.action.data });
    expect(thanks.map((x) => x.text).join('\n')).toContain('Thank you for your rating');
    expect(await surveyOf(opened.id)).toMatchObject({ channel: 'line', status: 'answered', score: 4 });
    const agents = (await t.api<{ data: Array<{ agent: string | null; responses: number; average: number; distribution: number[] }> }>('GET', '/v1/csat/agents', key)).body.data;
    expect(agents.find((a) => a.agent === 'ana@shop.example')).toEqual({ agent: 'ana@shop.example', responses: 2, average: 4.5, distribution: [0, 0, 0, 1, 1] });
  });

  it('e-mails a signed rating link; the page takes one answer and refuses an altered link', async () => {
    const username = `shop-${hex(4)}`;
    const password = hex(12);
    t.smtp.addAccount({ username, password });
    const account = await t.api<{ id: string; webhook_url: string; webhook_secret: string }>('POST', '/v1/channel-accounts', key, { channel: 'email', provider: 'smtp', host: '127.0.0.1', port: t.smtpPort, security: 'none', username, password, from_address: 'help@shop.example', from_name: 'Shop' });
    expect(account.status).toBe(201);
    t.smtp.addAccount({ username, password, webhookUrl: account.body.webhook_url, webhookSecret: account.body.webhook_secret });
    const customer = `buyer-${hex(3)}@example.com`;
    await t.smtp.emitInbound({ from: customer, to: 'help@shop.example', subject: 'Help', text: 'agent', username });
    const opened = await waitFor(async () => (await tickets('&source=e-mail')).find((x) => x.customer_external_id === customer) ?? (await tickets()).find((x) => x.customer_external_id === customer) ?? null, { what: 'the e-mail ticket' });
    expect((await t.api('PATCH', `/v1/tickets/${opened.id}`, key, { status: 'closed', assignee: 'bob@shop.example' })).status).toBe(200);
    const mail = await waitFor(() => t.smtp.messages(customer).find((x) => (x.text ?? '').includes('/csat/')) ?? null, { what: 'the survey e-mail' });
    expect(mail.text).toContain('How would you rate our help?');
    const link = /(https?:\/\/\S+\/csat\/\S+)/.exec(mail.text!)![1]!;

    const tampered = link.slice(0, -2) + (link.endsWith('AA') ? 'BB' : 'AA');
    expect((await fetch(tampered)).status).toBe(404);
    const [ws, surveyId] = link.split('/csat/')[1]!.split('.');
    expect((await fetch(link.replace(`${ws}.${surveyId}`, `${ws}.csat_000000000000000000000`))).status).toBe(404);
    expect((await fetch(`${tampered}/4`, { method: 'POST' })).status).toBe(404);

    const page = await fetch(link);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('How would you rate our help?');
    expect(html).toContain('/4"');
    const answered = await fetch(`${link}/4`, { method: 'POST' });
    expect(answered.status).toBe(200);
    expect(await answered.text()).toContain('You rated us 4 of 5');
    expect((await fetch(`${link}/1`, { method: 'POST' })).status).toBe(409);
    expect(await surveyOf(opened.id)).toMatchObject({ channel: 'email', status: 'answered', score: 4, agent: 'bob@shop.example' });
  });

  it('texts a signed rating link by SMS', async () => {
    const sms = { accountSid: `AC${hex(16)}`, authToken: hex(16), from: `+1500555${Math.floor(1000 + Math.random() * 8999)}` };
    t.twilio.addAccount({ accountSid: sms.accountSid, authToken: sms.authToken, numbers: [sms.from] });
    const account = await t.api<{ webhook_url: string }>('POST', '/v1/channel-accounts', key, { channel: 'sms', provider: 'twilio', account_sid: sms.accountSid, auth_token: sms.authToken, from: sms.from });
    expect(account.status).toBe(201);
    t.twilio.setSmsUrl(sms.from, account.body.webhook_url);
    const customer = `+4861${Math.floor(1e6 + Math.random() * 8e6)}`;
    await t.twilio.emitInbound({ from: customer, to: sms.from, body: 'agent' });
    const opened = await waitFor(async () => (await tickets('&source=SMS')).find((x) => customer.endsWith(x.customer_external_id ?? '-')) ?? null, { what: 'the SMS ticket' });
    expect((await t.api('PATCH', `/v1/tickets/${opened.id}`, key, { status: 'closed', assignee: 'cy@shop.example' })).status).toBe(200);
    const text = await waitFor(() => t.twilio.messages(customer).find((x) => x.body.includes('/csat/')) ?? null, { what: 'the survey SMS' });
    const link = /(https?:\/\/\S+\/csat\/\S+)/.exec(text.body)![1]!;
    expect((await fetch(`${link}/2`, { method: 'POST' })).status).toBe(200);
    expect(await surveyOf(opened.id)).toMatchObject({ channel: 'sms', status: 'answered', score: 2, agent: 'cy@shop.example' });
  });

  it('answers a chat written while the queue is closed once, through the chat’s own send path', async () => {
    const reply = 'Thanks! We are closed now and will answer when we open.';
    // No opening hours at all: closed, in one long closed period.
    expect((await t.api('PUT', `/v1/queues/${queues.chats}/business-hours`, key, { time_zone: 'Asia/Taipei', intervals: [], outside_hours_reply: reply })).status).toBe(200);
    const from = `4860${Math.floor(1e7 + Math.random() * 9e7)}`;
    await t.wa.emitInbound({ phoneNumberId: m.phoneNumberId, from, text: 'agent' });
    const opened = await waitFor(async () => (await tickets('&source=WhatsApp')).find((x) => x.customer_external_id === from) ?? null, { what: 'the WhatsApp ticket' });
    await waitFor(() => t.wa.messages(from).some((x) => x.renderedText === reply), { what: 'the outside-hours reply on WhatsApp' });
    await t.wa.emitInbound({ phoneNumberId: m.phoneNumberId, from, text: 'Is anyone there?' });
    await waitFor(async () => ((await ticket(opened.id)).messages ?? []).some((x) => x.body === 'Is anyone there?'), { what: 'the second message in the ticket' });
    await new Promise((r) => setTimeout(r, 300));
    expect(t.wa.messages(from).filter((x) => x.renderedText === reply)).toHaveLength(1);
    expect(((await ticket(opened.id)).messages ?? []).filter((x) => x.kind === 'auto_reply').map((x) => x.body)).toEqual([reply]);
    // The message went through message.send: recorded, and sent once.
    const sent = (await t.api<{ data: Array<{ direction: string; recipient: string; status: string; content: { text?: string } }> }>('GET', '/v1/messages?limit=100', key)).body.data.filter((x) => x.direction === 'outbound' && x.recipient === from && x.content.text === reply);
    expect(sent).toHaveLength(1);
  });

  it('counts an agent’s answer through the conversations API as the chat ticket’s first response', async () => {
    expect((await t.api('POST', '/v1/sla-policies', key, { name: 'Chats', queue_id: queues.chats, first_response_minutes: 15 })).status).toBe(201);
    const from = `4860${Math.floor(1e7 + Math.random() * 9e7)}`;
    await t.wa.emitInbound({ phoneNumberId: m.phoneNumberId, from, text: 'agent' });
    const opened = await waitFor(async () => (await tickets('&source=WhatsApp')).find((x) => x.customer_external_id === from) ?? null, { what: 'the WhatsApp ticket' });
    expect(opened.sla).toMatchObject({ state: 'ok', first_response_at: null, resolution_due_at: null });
    const conversationId = (await t.api<{ conversation_id: string }>('GET', `/v1/tickets/${opened.id}`, key)).body.conversation_id;
    expect((await t.api('POST', `/v1/conversations/${conversationId}/messages`, key, { text: 'Hi, I am here to help.' })).status).toBe(202);
    const answered = (await ticket(opened.id)).sla!;
    expect(answered.first_response_at).not.toBeNull();
    // Only a first-response target, and it was met: the ticket's SLA is met.
    expect(answered.state).toBe('met');
  });
});
