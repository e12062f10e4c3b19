// Usage: billable sends per month and channel, as a bar chart and a table, with the CSV.
import { useId, useState } from 'react';
import type { FormEvent, MouseEvent } from 'react';
import { downloadText, get, qs } from '../api';
import type { Session } from '../api';
import type { Usage, UsageRow } from '../types';
import { CHANNELS, channelLabel } from '../types';
import { Async, ErrorBox, useAction, useLoad } from '../ui';

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
  const [range, setRange] = useState({ from: monthsAgo(5), to: thisMonth() });
  const [draft, setDraft] = useState(range);
  const id = useId();
  const load = useLoad(`usage:${range.from}:${range.to}`, () => get<Usage>(`/v1/usage${qs({ from: range.from, to: range.to, format: 'json' })}`));
  const csvPath = `/v1/usage${qs({ from: range.from, to: range.to, format: 'csv' })}`;
  const download = useAction();

  const apply = (e: FormEvent) => {
    e.preventDefault();
    setRange(draft);
  };

  // A plain link carries the session cookie; an API key has to go in a header, so fetch and hand over a blob.
  const downloadWithKey = async (e: MouseEvent) => {
    if (session.mode !== 'apikey') return;
    e.preventDefault();
    const text = await download.run(() => downloadText(csvPath));
    if (text === undefined) return;
    const url = URL.createObjectURL(new Blob([text], { type: 'text/csv' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `shoptalk-usage-${range.from}-${range.to}.csv`;
    a.click();
    URL.revokeObjectURL(url);
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
        <a className="button" href={csvPath} download={`shoptalk-usage-${range.from}-${range.to}.csv`} onClick={(e) => void downloadWithKey(e)} data-testid="usage-csv">
          Download CSV
        </a>
      </form>
      <ErrorBox error={download.error} />
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
            <UsageChart rows={u.data} />
            <UsageTable rows={u.data} />
          </>
        )}
      </Async>
    </section>
  );
}

function UsageChart({ rows }: { rows: UsageRow[] }) {
  if (rows.length === 0) return <p className="empty">No billable messages in this period.</p>;
  const months = [...new Set(rows.map((r) => r.month))].sort();
  const present = [...new Set(rows.map((r) => r.channel))];
  const known: readonly string[] = CHANNELS;
  const channels = [...known.filter((c) => present.includes(c)), ...present.filter((c) => !known.includes(c))];
  const count = (m: string, c: string) => rows.filter((r) => r.month === m && r.channel === c).reduce((n, r) => n + r.messages, 0);
  const max = Math.max(1, ...months.flatMap((m) => channels.map((c) => count(m, c))));
  const barW = 18;
  const groupW = channels.length * barW + 24;
  const h = 180;
  const top = 16;
  const width = Math.max(groupW * months.length + 40, 200);
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${width} ${h + 40}`} role="img" aria-labelledby="usage-chart-title" preserveAspectRatio="xMinYMin meet">
        <title id="usage-chart-title">Messages per month and channel</title>
        <line x1={30} y1={top + h} x2={width} y2={top + h} stroke="currentColor" strokeOpacity={0.3} />
        <text x={0} y={top + 4} fontSize={10} fill="currentColor">
          {max}
        </text>
        {months.map((m, mi) => (
          <g key={m} transform={`translate(${40 + mi * groupW},0)`}>
            {channels.map((c, ci) => {
              const n = count(m, c);
              const bh = (n / max) * h;
              return (
                <rect key={c} x={ci * barW} y={top + h - bh} width={barW - 3} height={bh} fill={colorOf(c)}>
                  <title>
                    {m} {channelLabel(c)}: {n}
                  </title>
                </rect>
              );
            })}
            <text x={0} y={top + h + 16} fontSize={11} fill="currentColor">
              {m}
            </text>
          </g>
        ))}
      </svg>
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
    <div className="table-wrap">
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
              <td className="wrap">
                <code>{r.channel_account_id}</code>
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
