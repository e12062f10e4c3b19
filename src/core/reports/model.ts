// Reports: the support inbox (volume, first response and resolution times, SLA attainment, CSAT) and the
// notifications (sent, delivered, read, failed, cost), over a range of days in a time zone, grouped by one
// dimension. Aggregation happens here, from the facts the storage reads (src/core/reports/repo.ts), so both
// databases give the same figures and medians are exact.
import { invalidField } from '../errors.js';
import { csvField } from '../csv.js';
import { instantOf, isTimeZone, isoDate, localTime } from '../zoned-time.js';
import type { CsatFact, MessageFact, MessagePrice, SlaFact, TicketFact } from './repo.js';

export const inboxDimensions = ['day', 'queue', 'source', 'agent', 'label'] as const;
export type InboxDimension = (typeof inboxDimensions)[number];
export const notificationDimensions = ['day', 'event_type', 'channel', 'account'] as const;
export type NotificationDimension = (typeof notificationDimensions)[number];

const DAY_MS = 86_400_000;
const MAX_DAYS = 366;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export interface ReportRange {
  /** First day, YYYY-MM-DD, in tz. */
  fromDate: string;
  /** Last day (included), YYYY-MM-DD, in tz. */
  toDate: string;
  tz: string;
  /** Epoch ms: the start of fromDate and the end of toDate, in tz. */
  from: number;
  to: number;
}

/** The calendar day of an instant in a time zone, YYYY-MM-DD. */
export function dayOf(t: number, tz: string): string {
  return isoDate(localTime(t, tz));
}

/** The instant a calendar day starts in a time zone (midnight, or the first instant after a skipped midnight). */
export function startOfDay(date: string, tz: string): number {
  const m = DATE.exec(date)!;
  return instantOf(Number(m[1]), Number(m[2]), Number(m[3]), 0, tz);
}

function validDate(field: string, value: string): string {
  const m = DATE.exec(value);
  const ok = m && new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))).toISOString().slice(0, 10) === value;
  if (!ok) throw invalidField(field, 'must be a date as YYYY-MM-DD');
  return value;
}

export function validTimeZone(tz: string): string {
  if (!isTimeZone(tz)) throw invalidField('tz', 'must be an IANA time zone such as Europe/Warsaw or UTC');
  return tz;
}

const addDays = (date: string, n: number) => new Date(Date.parse(`${date}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);

/** The range of days a report covers: the last 30 days by default, at most 366. */
export function reportRange(fromDate: string | undefined, toDate: string | undefined, tz: string | undefined, now = Date.now()): ReportRange {
  const zone = validTimeZone(tz ?? 'UTC');
  const to = toDate !== undefined ? validDate('to', toDate) : fromDate !== undefined ? addDays(validDate('from', fromDate), 29) : dayOf(now, zone);
  const from = fromDate !== undefined ? validDate('from', fromDate) : addDays(to, -29);
  if (from > to) throw invalidField('from', 'must not be after to');
  const days = Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS) + 1;
  if (days > MAX_DAYS) throw invalidField('to', `the range may cover at most ${MAX_DAYS} days`);
  return { fromDate: from, toDate: to, tz: zone, from: startOfDay(from, zone), to: startOfDay(addDays(to, 1), zone) };
}

/** The days of a range, in order. */
export function daysOf(range: ReportRange): string[] {
  const out: string[] = [];
  for (let d = range.fromDate; d <= range.toDate; d = addDays(d, 1)) out.push(d);
  return out;
}

export interface Durations {
  count: number;
  /** Whole seconds; null when count is 0. */
  avgSeconds: number | null;
  medianSeconds: number | null;
}

function durations(ms: number[]): Durations {
  if (ms.length === 0) return { count: 0, avgSeconds: null, medianSeconds: null };
  const sorted = [...ms].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { count: ms.length, avgSeconds: Math.round(sorted.reduce((a, b) => a + b, 0) / ms.length / 1000), medianSeconds: Math.round(median / 1000) };
}

export interface InboxReportRow {
  /** The group: a day, queue id, source, user id or label id; null for tickets without one (no queue, unassigned). */
  key: string | null;
  ticketsOpened: number;
  ticketsResolved: number;
  /** Tickets opened in the range: time to the first agent reply. */
  firstResponse: Durations;
  /** Tickets resolved in the range: time from opening to resolution. */
  resolution: Durations;
  sla: { firstResponseMet: number; firstResponseBreached: number; resolutionMet: number; resolutionBreached: number; attainmentPercent: number | null };
  csat: { responses: number; average: number | null; satisfiedPercent: number | null };
}

interface InboxAccumulator {
  opened: number;
  resolved: number;
  firstResponse: number[];
  resolution: number[];
  frMet: number;
  frBreached: number;
  resMet: number;
  resBreached: number;
  scores: number[];
}

const emptyInbox = (): InboxAccumulator => ({ opened: 0, resolved: 0, firstResponse: [], resolution: [], frMet: 0, frBreached: 0, resMet: 0, resBreached: 0, scores: [] });

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;

function finishInbox(key: string | null, a: InboxAccumulator): InboxReportRow {
  const slaDone = a.frMet + a.frBreached + a.resMet + a.resBreached;
  const satisfied = a.scores.filter((s) => s >= 4).length;
  return {
    key,
    ticketsOpened: a.opened,
    ticketsResolved: a.resolved,
    firstResponse: durations(a.firstResponse),
    resolution: durations(a.resolution),
    sla: {
      firstResponseMet: a.frMet,
      firstResponseBreached: a.frBreached,
      resolutionMet: a.resMet,
      resolutionBreached: a.resBreached,
      attainmentPercent: slaDone ? round((100 * (a.frMet + a.resMet)) / slaDone, 1) : null,
    },
    csat: {
      responses: a.scores.length,
      average: a.scores.length ? round(a.scores.reduce((x, y) => x + y, 0) / a.scores.length, 2) : null,
      satisfiedPercent: a.scores.length ? round((100 * satisfied) / a.scores.length, 1) : null,
    },
  };
}

export interface InboxReport {
  rows: InboxReportRow[];
  totals: InboxReportRow;
}

/**
 * Aggregates the inbox facts by one dimension. A ticket counts as opened on the day it was opened and as resolved
 * on the day it was resolved; its first response counts with its opening, its resolution time with its
 * resolution; an SLA outcome with the day its SLA started; a CSAT answer with the day it was given. By label, a
 * ticket counts once under each of its labels (and under none when it has none); the totals count it once.
 * Agent: the ticket's assignee, and for CSAT the agent who resolved it.
 */
export function inboxReport(range: ReportRange, by: InboxDimension, tickets: TicketFact[], slas: SlaFact[], csat: CsatFact[]): InboxReport {
  const groups = new Map<string | null, InboxAccumulator>();
  if (by === 'day') for (const d of daysOf(range)) groups.set(d, emptyInbox());
  const totals = emptyInbox();
  const byTicket = new Map(tickets.map((t) => [t.id, t]));
  const inRange = (t: number | null): t is number => t !== null && t >= range.from && t < range.to;
  const keysOf = (t: TicketFact | undefined, at: number, agent?: string | null): Array<string | null> => {
    switch (by) {
      case 'day':
        return [dayOf(at, range.tz)];
      case 'queue':
        return [t?.queueId ?? null];
      case 'source':
        return [t?.source ?? null];
      case 'agent':
        return [agent !== undefined && agent !== null ? agent : (t?.assignee ?? null)];
      case 'label':
        return t && t.labels.length > 0 ? t.labels : [null];
    }
  };
  const add = (keys: Array<string | null>, apply: (a: InboxAccumulator) => void) => {
    apply(totals);
    for (const key of keys) {
      let a = groups.get(key);
      if (!a) groups.set(key, (a = emptyInbox()));
      apply(a);
    }
  };
  for (const t of tickets) {
    if (inRange(t.createdAt)) {
      const firstResponse = t.firstResponseAt !== null && t.firstResponseAt >= t.createdAt ? t.firstResponseAt - t.createdAt : null;
      add(keysOf(t, t.createdAt), (a) => {
        a.opened += 1;
        if (firstResponse !== null) a.firstResponse.push(firstResponse);
      });
    }
    if (inRange(t.resolvedAt)) {
      const resolution = t.resolvedAt - t.createdAt;
      add(keysOf(t, t.resolvedAt), (a) => {
        a.resolved += 1;
        a.resolution.push(Math.max(0, resolution));
      });
    }
  }
  for (const s of slas) {
    const ticket = byTicket.get(s.ticketId);
    add(keysOf(ticket, s.startedAt), (a) => {
      if (s.firstResponseBreached === true) a.frBreached += 1;
      else if (s.firstResponseBreached === false && s.firstResponseAt !== null) a.frMet += 1;
      if (s.resolutionBreached === true) a.resBreached += 1;
      else if (s.resolutionBreached === false && s.resolvedAt !== null) a.resMet += 1;
    });
  }
  for (const c of csat) add(keysOf(byTicket.get(c.ticketId), c.answeredAt, c.agent), (a) => a.scores.push(c.score));
  const rows = [...groups.entries()].map(([key, a]) => finishInbox(key, a));
  rows.sort((x, y) => (by === 'day' ? String(x.key).localeCompare(String(y.key)) : y.ticketsOpened - x.ticketsOpened || String(x.key).localeCompare(String(y.key))));
  return { rows, totals: finishInbox(null, totals) };
}

export interface NotificationReportRow {
  /** A day, event type, channel or sending account id; null for messages without one. */
  key: string | null;
  messages: number;
  /** Accepted by the provider (sent, delivered or read). */
  sent: number;
  delivered: number;
  read: number;
  failed: number;
  /** Outcome unknown (the provider did not answer in time). */
  unknown: number;
  /** Not sent on purpose: policy, opt-out, no recipient. */
  skipped: number;
  /** Still queued or being sent. */
  pending: number;
  /** Billable sends (usage records). */
  billed: number;
  /** Billable sends with no price set for their account and category. */
  unpriced: number;
  /** Cost of the billable sends, in millionths of the workspace's currency. */
  costMicros: number;
}

const emptyNotification = (key: string | null): NotificationReportRow => ({ key, messages: 0, sent: 0, delivered: 0, read: 0, failed: 0, unknown: 0, skipped: 0, pending: 0, billed: 0, unpriced: 0, costMicros: 0 });

/** The price of one billable send: the account's price for its category, else its price for any category ("*"). */
export function priceOf(prices: MessagePrice[], accountId: string | null, category: string): number | null {
  if (!accountId) return null;
  const exact = prices.find((p) => p.channelAccountId === accountId && p.category === category);
  if (exact) return exact.priceMicros;
  return prices.find((p) => p.channelAccountId === accountId && p.category === '*')?.priceMicros ?? null;
}

export interface NotificationReport {
  rows: NotificationReportRow[];
  totals: NotificationReportRow;
}

/** Aggregates outbound messages created in the range by one dimension, with the cost of the billable ones. */
export function notificationReport(range: ReportRange, by: NotificationDimension, messages: MessageFact[], prices: MessagePrice[]): NotificationReport {
  const groups = new Map<string | null, NotificationReportRow>();
  if (by === 'day') for (const d of daysOf(range)) groups.set(d, emptyNotification(d));
  const totals = emptyNotification(null);
  for (const m of messages) {
    if (m.createdAt < range.from || m.createdAt >= range.to) continue;
    const key = by === 'day' ? dayOf(m.createdAt, range.tz) : by === 'event_type' ? m.eventType : by === 'channel' ? m.channel : m.channelAccountId;
    let row = groups.get(key);
    if (!row) groups.set(key, (row = emptyNotification(key)));
    const price = m.billedCategory !== null ? priceOf(prices, m.channelAccountId, m.billedCategory) : null;
    for (const r of [row, totals]) {
      r.messages += 1;
      if (m.status === 'sent' || m.status === 'delivered' || m.status === 'read') r.sent += 1;
      if (m.delivered) r.delivered += 1;
      if (m.read) r.read += 1;
      if (m.status === 'failed') r.failed += 1;
      if (m.status === 'unknown') r.unknown += 1;
      if (m.status === 'skipped') r.skipped += 1;
      if (m.status === 'queued' || m.status === 'sending') r.pending += 1;
      if (m.billedCategory !== null) {
        r.billed += 1;
        if (price === null) r.unpriced += 1;
        else r.costMicros += price;
      }
    }
  }
  const rows = [...groups.values()];
  rows.sort((x, y) => (by === 'day' ? String(x.key).localeCompare(String(y.key)) : y.messages - x.messages || String(x.key).localeCompare(String(y.key))));
  return { rows, totals };
}

export function toCsv(header: string[], rows: Array<Array<string | number | null>>): string {
  return [header, ...rows].map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
}

/** Micros as a decimal amount (6 places at most, trailing zeros dropped to 2). */
export function microsToAmount(micros: number): string {
  const negative = micros < 0;
  const abs = Math.abs(Math.round(micros));
  const whole = Math.floor(abs / 1_000_000);
  let frac = String(abs % 1_000_000).padStart(6, '0').replace(/0+$/, '');
  if (frac.length < 2) frac = frac.padEnd(2, '0');
  return `${negative ? '-' : ''}${whole}.${frac}`;
}

/** A decimal amount ("0.0425") as micros; null when it is not a non-negative amount with at most 6 decimals. */
export function amountToMicros(amount: string): number | null {
  const m = /^(\d{1,9})(?:\.(\d{1,6}))?$/.exec(amount);
  if (!m) return null;
  return Number(m[1]) * 1_000_000 + Number((m[2] ?? '').padEnd(6, '0'));
}
