// Usage: billable sends per month and channel, as a bar chart and a table, with the CSV.
import { useId, useState } from 'react';
import type { FormEvent } from 'react';
import { get, qs } from '../api';
import type { Session } from '../api';
import type { Usage, UsageRow } from '../types';
import { CHANNELS, channelLabel } from '../types';
import { Async, useLoad } from '../ui';
import { usePageTitle } from './page-title';
import { CsvLink } from '../csv-link';

/** A usage row with the sending account's name. */

const COLORS: Record<string, string> = { whatsapp: '#1f9d55', messenger: '#2f6fde', line: '#06a94d', sms: '#b7791f', email: '#805ad5' };
const colorOf = (c: string) => COLORS[c] ?? '#718096';

function thisMonth(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}`;
}

function monthsAgo(n: number): string {
  const d = new Date();
  d.setDate(1);
  d.setMonth(d.getMonth() - n);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}`;
}

export function UsagePage({ session }: { session: Session }) {
  usePageTitle('Usage');
  const [range, setRange] = useState({ from: monthsAgo(5), to: thisMonth() });
  const [draft, setDraft] = useState(range);
  const id = useId();
  const load = useLoad(`usage:${range.from}:${range.to}`, () => get<Usage>(`/v1/usage${qs({ from: range.from, to: range.to, format: 'json' })}`));
  const csvPath = `/v1/usage${qs({ from: range.from, to: range.to, format: 'csv' })}`;

  const apply = (e: FormEvent) => {
    e.preventDefault();
    setRange(draft);
  };


  return (
    <section>
      <h1>Usage</h1>
      <p className="lead">Billable messages per month, channel and sending account.</p>
      <form className="filters" onSubmit={apply}>
        <div className="field">
          <label htmlFor={`${id}-from`}>From</label>
          <input id={`${id}-from`} type="month" value={draft.from} onChange={(e) => setDraft({ ...draft, from: e.target.value })} required />
        </div>
        <div className="field">
          <label htmlFor={`${id}-to`}>To</label>
          <input id={`${id}-to`} type="month" value={draft.to} onChange={(e) => setDraft({ ...draft, to: e.target.value })} required />
        </div>
        <button type="submit">Show</button>
        <CsvLink path={csvPath} fileName={`shoptalk-usage-${range.from}-${range.to}.csv`} session={session} testid="usage-csv" />
      </form>
      <Async load={load}>
        {(u) => (
          <>
            <p>
              Total: <strong data-testid="usage-total">{u.totals.messages}</strong> messages
              {Object.entries(u.totals.by_owner).map(([o, n]) => (
                <span key={o} className="muted">
                  {' '}
                  · {o === 'platform' ? 'shared accounts' : 'own accounts'} {n}
                </span>
              ))}
            </p>
            <UsageChart rows={u.data} from={u.from} to={u.to} />
            <UsageTable rows={u.data} />
          </>
        )}
      </Async>
    </section>
  );
}

/** Every month from `from` to `to` (YYYY-MM), so months without sends show as gaps. */
function monthsBetween(from: string, to: string): string[] {
  const out: string[] = [];
  let [y, m] = from.split('-').map(Number) as [number, number];
  const [ty, tm] = to.split('-').map(Number) as [number, number];
  while ((y < ty || (y === ty && m <= tm)) && out.length <= 600) {
    out.push(`${y}-${String(m).padStart(2, '0')}`);
    m += 1;
    if (m > 12) {
      m = 1;
      y += 1;
    }
  }
  return out;
}

/** 1, 2 or 5 times a power of ten, at or above n: axis values people read at a glance. */
function niceCeiling(n: number): number {
  if (n <= 1) return 1;
  const p = 10 ** Math.floor(Math.log10(n));
  return [1, 2, 5, 10].map((f) => f * p).find((v) => v >= n) ?? 10 * p;
}

/** "Mar 2025" in sentences; "Mar ’25" under a bar, where space is short. */
const monthLabel = (m: string, withYear: boolean, short = false): string => {
  const [y, mo] = m.split('-').map(Number) as [number, number];
  const name = new Date(Date.UTC(y, mo - 1, 1)).toLocaleDateString('en', { month: 'short', timeZone: 'UTC' });
  if (!withYear) return name;
  return short ? `${name} ’${String(y).slice(2)}` : `${name} ${y}`;
};

/** At most this many month labels under the bars: they stay readable on a phone. */
const MAX_LABELS = 6;

function UsageChart({ rows, from, to }: { rows: UsageRow[]; from: string; to: string }) {
  if (rows.length === 0) return <p className="empty">No billable messages in this period.</p>;
  const withData = [...new Set(rows.map((r) => r.month))].sort();
  let months = monthsBetween(from, to);
  // A very long range shows the months that have sends, from the first to the last.
  if (months.length > 120) months = monthsBetween(withData[0]!, withData[withData.length - 1]!);
  const present = [...new Set(rows.map((r) => r.channel))];
  const known: readonly string[] = CHANNELS;
  const channels = [...known.filter((c) => present.includes(c)), ...present.filter((c) => !known.includes(c))];
  const count = (m: string, c: string) => rows.filter((r) => r.month === m && r.channel === c).reduce((n, r) => n + r.messages, 0);
  const totals = months.map((m) => channels.reduce((n, c) => n + count(m, c), 0));
  const top = niceCeiling(Math.max(1, ...totals));
  const every = Math.max(1, Math.ceil(months.length / MAX_LABELS));
  const busiest = months[totals.indexOf(Math.max(...totals))]!;
  const yearEach = months.length > 12 || months[0]!.slice(0, 4) !== months[months.length - 1]!.slice(0, 4);
  const summary = `Messages per month from ${monthLabel(months[0]!, true)} to ${monthLabel(months[months.length - 1]!, true)}: ${totals.reduce((a, b) => a + b, 0)} in all, most in ${monthLabel(busiest, true)} (${Math.max(...totals)}). The table below has every number.`;
  return (
    <figure className="usage-chart" data-testid="usage-chart" data-months={months.length}>
      <div className="uc-frame" role="img" aria-label={summary}>
        <div className="uc-axis" aria-hidden="true">
          <span>{top.toLocaleString()}</span>
          <span>{(top / 2).toLocaleString()}</span>
          <span>0</span>
        </div>
        <div className="uc-plot">
          <div className="uc-bars">
            {months.map((m, i) => (
              <div key={m} className="uc-col" title={`${monthLabel(m, true)}: ${totals[i]} messages`}>
                <div className="uc-stack" style={{ height: `${(totals[i]! / top) * 100}%` }} data-testid="usage-bar">
                  {channels.map((c) => {
                    const n = count(m, c);
                    return n > 0 ? <span key={c} style={{ height: `${(n / totals[i]!) * 100}%`, background: colorOf(c) }} /> : null;
                  })}
                </div>
              </div>
            ))}
          </div>
          <div className="uc-labels" aria-hidden="true">
            {months.map((m, i) => (
              <span key={m} className={i % every === 0 ? 'uc-label' : 'uc-label uc-skip'}>
                {i % every === 0 ? monthLabel(m, yearEach, true) : ''}
              </span>
            ))}
          </div>
        </div>
      </div>
      <figcaption className="legend">
        {channels.map((c) => (
          <span key={c}>
            <span className="swatch" style={{ background: colorOf(c) }} aria-hidden="true" /> {channelLabel(c)}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}

function UsageTable({ rows }: { rows: UsageRow[] }) {
  if (rows.length === 0) return null;
  return (
    // Focusable with a name: on a narrow screen the table scrolls sideways, also by keyboard.
    <div className="table-wrap" role="region" aria-label="Messages per month and account" tabIndex={0}>
      <table data-testid="usage-table">
        <thead>
          <tr>
            <th>Month</th>
            <th>Channel</th>
            <th>Account</th>
            <th>Provider</th>
            <th>Owner</th>
            <th>Category</th>
            <th className="num">Messages</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={i}>
              <td>{r.month}</td>
              <td>{channelLabel(r.channel)}</td>
              <td className="wrap" data-testid="usage-account">
                {r.channel_account_name ?? 'A removed account'}
              </td>
              <td>{r.provider}</td>
              <td>{r.owner}</td>
              <td>{r.category}</td>
              <td className="num">{r.messages}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
