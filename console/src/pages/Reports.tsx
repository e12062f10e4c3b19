// Reports: the support inbox (volume, first response and resolution times, SLA attainment, CSAT) and the
// notifications (sent, delivered, read, failed, cost), over a range of days, grouped by one dimension: a bar per
// group and a table with every number, and the CSV. Admins also set the message prices the cost uses.
import { useId, useState } from 'react';
import type { FormEvent } from 'react';
import { get, put, qs } from '../api';
import type { Session } from '../api';
import type { ChannelAccount, InboxReport, InboxReportRow, List, MessagePrices, NotificationReport, NotificationReportRow } from '../types';
import { channelLabel } from '../types';
import { Async, ErrorBox, useAction, useLoad } from '../ui';
import { usePageTitle } from './page-title';
import { CsvLink } from '../csv-link';

type Kind = 'inbox' | 'notifications';

const INBOX_GROUPS = [
  ['day', 'Day'],
  ['queue', 'Queue'],
  ['source', 'Source'],
  ['agent', 'Agent'],
  ['label', 'Label'],
] as const;
const NOTIFICATION_GROUPS = [
  ['day', 'Day'],
  ['event_type', 'Event'],
  ['channel', 'Channel'],
  ['account', 'Sending account'],
] as const;

const today = () => new Date().toLocaleDateString('en-CA');
const daysBefore = (date: string, n: number) => new Date(Date.parse(`${date}T00:00:00Z`) - n * 86_400_000).toISOString().slice(0, 10);
const browserZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

/** 95 → "1 min 35 s"; 7,200 → "2 h"; 133,200 → "1 d 13 h". */
export function duration(seconds: number | null): string {
  if (seconds === null) return '–';
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) {
    const m = Math.floor(seconds / 60);
    const s = seconds % 60;
    return s ? `${m} min ${s} s` : `${m} min`;
  }
  if (seconds < 86_400) {
    const h = Math.floor(seconds / 3600);
    const m = Math.round((seconds % 3600) / 60);
    return m ? `${h} h ${m} min` : `${h} h`;
  }
  const d = Math.floor(seconds / 86_400);
  const h = Math.round((seconds % 86_400) / 3600);
  return h ? `${d} d ${h} h` : `${d} d`;
}

const pct = (n: number | null) => (n === null ? '–' : `${n}%`);

function groupName(kind: Kind, by: string, key: string | null, name: string | null): string {
  if (name) return name;
  if (key === null) return by === 'agent' ? 'Unassigned' : by === 'queue' ? 'No queue' : by === 'label' ? 'No label' : by === 'event_type' ? 'No event (replies, pushes)' : '–';
  if (kind === 'notifications' && by === 'channel') return channelLabel(key);
  return key;
}

export function ReportsPage({ session }: { session: Session }) {
  usePageTitle('Reports');
  const id = useId();
  const [kind, setKind] = useState<Kind>('inbox');
  const initial = { from: daysBefore(today(), 29), to: today(), tz: browserZone(), by: 'day' };
  const [query, setQuery] = useState(initial);
  const [draft, setDraft] = useState(initial);
  const params = { from: query.from, to: query.to, tz: query.tz, group_by: query.by };
  const path = `/v1/reports/${kind}`;
  const load = useLoad(`${kind}:${JSON.stringify(params)}`, () => get<InboxReport | NotificationReport>(`${path}${qs({ ...params, format: 'json' })}`));
  const csvPath = `${path}${qs({ ...params, format: 'csv' })}`;
  const groups = kind === 'inbox' ? INBOX_GROUPS : NOTIFICATION_GROUPS;

  const apply = (e: FormEvent) => {
    e.preventDefault();
    // The same filters again: load again (the figures move as messages go out).
    if (JSON.stringify(draft) === JSON.stringify(query)) load.reload();
    else setQuery(draft);
  };
  const switchTo = (next: Kind) => {
    setKind(next);
    const by = 'day';
    setDraft({ ...draft, by });
    setQuery({ ...query, by });
  };

  return (
    <section>
      <h1>Reports</h1>
      <div className="report-tabs" role="tablist" aria-label="Report">
        {(['inbox', 'notifications'] as const).map((k) => (
          <button key={k} type="button" role="tab" aria-selected={kind === k} className={kind === k ? 'report-tab active' : 'report-tab'} onClick={() => switchTo(k)} data-testid={`report-tab-${k}`}>
            {k === 'inbox' ? 'Support inbox' : 'Notifications'}
          </button>
        ))}
      </div>
      <form className="filters" onSubmit={apply}>
        <div className="field">
          <label htmlFor={`${id}-from`}>From</label>
          <input id={`${id}-from`} type="date" value={draft.from} onChange={(e) => setDraft({ ...draft, from: e.target.value })} required />
        </div>
        <div className="field">
          <label htmlFor={`${id}-to`}>To</label>
          <input id={`${id}-to`} type="date" value={draft.to} onChange={(e) => setDraft({ ...draft, to: e.target.value })} required />
        </div>
        <div className="field">
          <label htmlFor={`${id}-tz`}>Time zone</label>
          <input id={`${id}-tz`} value={draft.tz} onChange={(e) => setDraft({ ...draft, tz: e.target.value })} required />
        </div>
        <div className="field">
          <label htmlFor={`${id}-by`}>Group by</label>
          <select id={`${id}-by`} value={draft.by} onChange={(e) => setDraft({ ...draft, by: e.target.value })} data-testid="report-group-by">
            {groups.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" data-testid="report-show">
          Show
        </button>
        <CsvLink path={csvPath} fileName={`shoptalk-${kind}-${query.by}-${query.from}-${query.to}.csv`} session={session} testid="report-csv" />
      </form>
      <Async load={load}>
        {(r) =>
          'currency' in r ? (
            <NotificationsReport report={r} by={query.by} />
          ) : (
            <InboxReportView report={r} by={query.by} />
          )
        }
      </Async>
      {kind === 'notifications' && session.user.role === 'admin' && <PricesEditor onSaved={() => load.reload(true)} />}
    </section>
  );
}

/** Horizontal bars, one per group, with the value written out (the table below has every number). */
function Bars({ rows, label, testid }: { rows: Array<{ name: string; value: number }>; label: string; testid: string }) {
  const top = Math.max(1, ...rows.map((r) => r.value));
  if (rows.every((r) => r.value === 0)) return <p className="empty">Nothing in this period.</p>;
  return (
    <figure className="report-bars" data-testid={testid}>
      <figcaption>{label}</figcaption>
      <ul>
        {rows.map((r) => (
          <li key={r.name}>
            <span className="rb-name">{r.name}</span>
            <span className="rb-track" aria-hidden="true">
              <span className="rb-bar" style={{ width: `${(r.value / top) * 100}%` }} />
            </span>
            <span className="rb-value">{r.value.toLocaleString()}</span>
          </li>
        ))}
      </ul>
    </figure>
  );
}

function InboxReportView({ report, by }: { report: InboxReport; by: string }) {
  const name = (r: InboxReportRow) => groupName('inbox', by, r.key, r.name);
  const t = report.totals;
  return (
    <>
      <dl className="report-stats" data-testid="inbox-totals">
        <div>
          <dt>Tickets opened</dt>
          <dd>{t.tickets_opened}</dd>
        </div>
        <div>
          <dt>Resolved</dt>
          <dd>{t.tickets_resolved}</dd>
        </div>
        <div>
          <dt>First response (median)</dt>
          <dd>{duration(t.first_response.median_seconds)}</dd>
        </div>
        <div>
          <dt>Resolution (median)</dt>
          <dd>{duration(t.resolution.median_seconds)}</dd>
        </div>
        <div>
          <dt>SLA attainment</dt>
          <dd>{pct(t.sla.attainment_percent)}</dd>
        </div>
        <div>
          <dt>CSAT</dt>
          <dd>{t.csat.responses ? `${pct(t.csat.satisfied_percent)} (${t.csat.average} / 5)` : '–'}</dd>
        </div>
      </dl>
      <Bars rows={report.rows.map((r) => ({ name: name(r), value: r.tickets_opened }))} label="Tickets opened" testid="inbox-bars" />
      <div className="table-wrap" role="region" aria-label="Support inbox report" tabIndex={0}>
        <table data-testid="inbox-report">
          <thead>
            <tr>
              <th>{INBOX_GROUPS.find(([v]) => v === by)?.[1] ?? 'Group'}</th>
              <th>Opened</th>
              <th>Resolved</th>
              <th>First response, median (avg)</th>
              <th>Resolution, median (avg)</th>
              <th>SLA met / breached</th>
              <th>CSAT (answers)</th>
            </tr>
          </thead>
          <tbody>
            {report.rows.map((r) => (
              <tr key={String(r.key)}>
                <td>{name(r)}</td>
                <td>{r.tickets_opened}</td>
                <td>{r.tickets_resolved}</td>
                <td>
                  {duration(r.first_response.median_seconds)} ({duration(r.first_response.avg_seconds)})
                </td>
                <td>
                  {duration(r.resolution.median_seconds)} ({duration(r.resolution.avg_seconds)})
                </td>
                <td>
                  {r.sla.first_response_met + r.sla.resolution_met} / {r.sla.first_response_breached + r.sla.resolution_breached}
                </td>
                <td>
                  {pct(r.csat.satisfied_percent)} ({r.csat.responses})
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

function money(amount: string, currency: string | null): string {
  if (!currency) return amount;
  try {
    return new Intl.NumberFormat(undefined, { style: 'currency', currency, maximumFractionDigits: 6 }).format(Number(amount));
  } catch {
    return `${amount} ${currency}`;
  }
}

function NotificationsReport({ report, by }: { report: NotificationReport; by: string }) {
  const name = (r: NotificationReportRow) => groupName('notifications', by, r.key, r.name);
  const t = report.totals;
  return (
    <>
      <dl className="report-stats" data-testid="notification-totals">
        <div>
          <dt>Messages</dt>
          <dd>{t.messages}</dd>
        </div>
        <div>
          <dt>Sent</dt>
          <dd>{t.sent}</dd>
        </div>
        <div>
          <dt>Delivered</dt>
          <dd>{t.delivered}</dd>
        </div>
        <div>
          <dt>Read</dt>
          <dd>{t.read}</dd>
        </div>
        <div>
          <dt>Failed</dt>
          <dd>{t.failed}</dd>
        </div>
        <div>
          <dt>Cost</dt>
          <dd data-testid="notification-cost">{money(t.cost, report.currency)}</dd>
        </div>
      </dl>
      {t.unpriced > 0 && <p className="note">{t.unpriced} billable messages have no price for their account and category: the cost leaves them out.</p>}
      <Bars rows={report.rows.map((r) => ({ name: name(r), value: r.sent }))} label="Messages sent" testid="notification-bars" />
      <div className="table-wrap" role="region" aria-label="Notification report" tabIndex={0}>
        <table data-testid="notification-report">
          <thead>
            <tr>
              <th>{NOTIFICATION_GROUPS.find(([v]) => v === by)?.[1] ?? 'Group'}</th>
              <th>Messages</th>
              <th>Sent</th>
              <th>Delivered</th>
              <th>Read</th>
              <th>Failed</th>
              <th>Unknown</th>
              <th>Not sent</th>
              <th>Waiting</th>
              <th>Cost</th>
            </tr>
          </thead>
          <tbody>
            {report.rows.map((r) => (
              <tr key={String(r.key)}>
                <td>{name(r)}</td>
                <td>{r.messages}</td>
                <td>{r.sent}</td>
                <td>{r.delivered}</td>
                <td>{r.read}</td>
                <td>{r.failed}</td>
                <td>{r.unknown}</td>
                <td>{r.skipped}</td>
                <td>{r.pending}</td>
                <td>{money(r.cost, report.currency)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

interface DraftPrice {
  channel_account_id: string;
  category: string;
  price: string;
}

/** The prices per sending account and category ("*": any category) that the cost column uses. */
function PricesEditor({ onSaved }: { onSaved: () => void }) {
  const id = useId();
  const prices = useLoad('message-prices', () => get<MessagePrices>('/v1/message-prices'));
  const accounts = useLoad('channel-accounts', () => get<List<ChannelAccount>>('/v1/channel-accounts'));
  const [rows, setRows] = useState<DraftPrice[] | null>(null);
  const save = useAction();
  const current = rows ?? prices.data?.data.map((p) => ({ channel_account_id: p.channel_account_id, category: p.category, price: p.price })) ?? [];
  const change = (i: number, patch: Partial<DraftPrice>) => setRows(current.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const saved = await save.run(() => put<MessagePrices>('/v1/message-prices', { prices: current }));
    if (saved) {
      prices.setData(saved);
      setRows(null);
      onSaved();
    }
  };
  const firstAccount = accounts.data?.data[0]?.id ?? '';
  return (
    <section className="report-prices" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>Message prices</h2>
      <p className="muted">
        What one billable message costs{prices.data?.currency ? ` in ${prices.data.currency}` : ''}, per sending account and pricing category (marketing, utility, authentication, service;
        “*” for any). The cost in the notification report uses them.
      </p>
      <form onSubmit={(e) => void submit(e)} data-testid="prices-form">
        {current.map((r, i) => (
          <div className="price-row" key={i}>
            <select aria-label={`Account of price ${i + 1}`} value={r.channel_account_id} onChange={(e) => change(i, { channel_account_id: e.target.value })}>
              {(accounts.data?.data ?? []).map((a) => (
                <option key={a.id} value={a.id}>
                  {a.display_name ?? a.name} ({channelLabel(a.channel)})
                </option>
              ))}
            </select>
            <input aria-label={`Category of price ${i + 1}`} value={r.category} onChange={(e) => change(i, { category: e.target.value })} />
            <input aria-label={`Price ${i + 1}`} inputMode="decimal" value={r.price} onChange={(e) => change(i, { price: e.target.value })} />
            <button type="button" className="secondary" onClick={() => setRows(current.filter((_, j) => j !== i))}>
              Remove
            </button>
          </div>
        ))}
        <div className="price-row">
          <button type="button" className="secondary" disabled={!firstAccount} onClick={() => setRows([...current, { channel_account_id: firstAccount, category: '*', price: '' }])}>
            Add a price
          </button>
          <button type="submit" disabled={save.busy || rows === null}>
            Save prices
          </button>
        </div>
        <ErrorBox error={save.error} />
      </form>
    </section>
  );
}
