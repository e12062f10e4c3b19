// A queue's business hours: an IANA time zone, weekly opening intervals in local time, and holidays (local
// dates on which the queue stays closed all day). Answers whether the queue is open at an instant, when the
// closed period around an instant began (the outside-hours reply goes out once per closed period), and when a
// number of business minutes after an instant have passed (SLA targets counted in business hours).
import { addDays, instantOf, isoDate, localTime } from '../zoned-time.js';

export interface OpeningInterval {
  /** ISO weekday: 1 Monday … 7 Sunday. */
  day: number;
  /** Local "HH:MM"; end may be "24:00" (until midnight). */
  start: string;
  end: string;
}

export interface BusinessHours {
  timeZone: string;
  intervals: OpeningInterval[];
  /** Local dates "YYYY-MM-DD" on which the queue is closed all day. */
  holidays: string[];
  /** Plain text sent once per ticket per closed period when a customer writes while the queue is closed. */
  outsideHoursReply: string | null;
}

export const minuteOf = (hhmm: string): number => {
  const [h, m] = hhmm.split(':').map(Number);
  return h! * 60 + m!;
};

/** How far the searches look: a queue with no opening in this many days is treated as never open. */
const HORIZON_DAYS = 400;

/** The opening spans (epoch ms) of one local date, merged and in order; none on a holiday. */
function spansOn(hours: BusinessHours, date: { year: number; month: number; day: number; weekday: number }): Array<[number, number]> {
  if (hours.holidays.includes(isoDate(date))) return [];
  const spans = hours.intervals
    .filter((i) => i.day === date.weekday)
    .map((i) => [instantOf(date.year, date.month, date.day, minuteOf(i.start), hours.timeZone), instantOf(date.year, date.month, date.day, minuteOf(i.end), hours.timeZone)] as [number, number])
    .filter(([a, b]) => b > a)
    .sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const s of spans) {
    const last = merged[merged.length - 1];
    if (last && s[0] <= last[1]) last[1] = Math.max(last[1], s[1]);
    else merged.push([s[0], s[1]]);
  }
  return merged;
}

/** Opening spans from the local date of `at` onwards (or backwards), day by day. */
function* daysFrom(hours: BusinessHours, at: number, step: 1 | -1): Generator<Array<[number, number]>> {
  const l = localTime(at, hours.timeZone);
  for (let i = 0; i < HORIZON_DAYS; i++) yield spansOn(hours, addDays(l.year, l.month, l.day, i * step));
}

export function isOpen(hours: BusinessHours, at: number): boolean {
  const l = localTime(at, hours.timeZone);
  // A span may reach past midnight only as 24:00; look at today and yesterday to be safe.
  for (const d of [0, -1]) for (const [a, b] of spansOn(hours, addDays(l.year, l.month, l.day, d))) if (at >= a && at < b) return true;
  return false;
}

/**
 * The start of the closed period `at` falls in: the end of the last opening before it. Null when the queue is
 * open at `at`. A queue that was not open within the horizon gives the horizon's start (a stable key).
 */
export function closedPeriodStart(hours: BusinessHours, at: number): number | null {
  if (isOpen(hours, at)) return null;
  let lastEnd: number | null = null;
  for (const spans of daysFrom(hours, at, -1)) {
    for (const [, b] of spans) if (b <= at && (lastEnd === null || b > lastEnd)) lastEnd = b;
    if (lastEnd !== null) return lastEnd;
  }
  const l = localTime(at, hours.timeZone);
  const far = addDays(l.year, l.month, l.day, -HORIZON_DAYS);
  return instantOf(far.year, far.month, far.day, 0, hours.timeZone);
}

/** The instant `minutes` business minutes after `from`; null when the queue never opens within the horizon. */
export function addBusinessMinutes(hours: BusinessHours, from: number, minutes: number): number | null {
  let left = minutes * 60_000;
  if (left <= 0) return from;
  // Start the day before: an opening that began yesterday may still run.
  const l = localTime(from, hours.timeZone);
  for (let i = -1; i < HORIZON_DAYS; i++) {
    for (const [a, b] of spansOn(hours, addDays(l.year, l.month, l.day, i))) {
      const start = Math.max(a, from);
      if (b <= start) continue;
      if (b - start >= left) return start + left;
      left -= b - start;
    }
  }
  return null;
}

/** Checks business hours; returns the field and problem of the first fault, or null. */
export function businessHoursProblem(hours: BusinessHours): { field: string; problem: string } | null {
  const hhmm = /^([01]\d|2[0-3]):[0-5]\d$|^24:00$/;
  if (hours.intervals.length > 50) return { field: 'intervals', problem: 'at most 50 intervals' };
  for (const [n, i] of hours.intervals.entries()) {
    if (!Number.isInteger(i.day) || i.day < 1 || i.day > 7) return { field: `intervals[${n}].day`, problem: 'must be 1 (Monday) to 7 (Sunday)' };
    if (!hhmm.test(i.start) || i.start === '24:00') return { field: `intervals[${n}].start`, problem: 'must be a local time HH:MM from 00:00 to 23:59' };
    if (!hhmm.test(i.end)) return { field: `intervals[${n}].end`, problem: 'must be a local time HH:MM from 00:01 to 24:00' };
    if (minuteOf(i.end) <= minuteOf(i.start)) return { field: `intervals[${n}].end`, problem: 'must be after start (an interval ends on its own day; 24:00 is midnight)' };
  }
  if (hours.holidays.length > 366) return { field: 'holidays', problem: 'at most 366 dates' };
  for (const [n, d] of hours.holidays.entries()) {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(d);
    const valid = m && isoDate(addDays(Number(m[1]), Number(m[2]), Number(m[3]), 0)) === d;
    if (!valid) return { field: `holidays[${n}]`, problem: 'must be a date YYYY-MM-DD' };
  }
  return null;
}
