// "Service levels": per queue, its business hours (time zone, opening hours per weekday, holidays, the reply sent
// outside them) and its SLA policy (first-response and resolution targets); for the workspace, the CSAT survey
// and the scores per agent.
import { useEffect, useId, useState } from 'react';
import type { FormEvent } from 'react';
import { ApiError, del, enc, get, patch, post, put } from '../api';
import type { components } from '../api-types';
import type { List } from '../types';
import { Async, ErrorBox, useAction, useLoad } from '../ui';

type S = components['schemas'];
type Queue = S['Queue'];
type BusinessHours = S['BusinessHours'];
type SlaPolicy = S['SlaPolicy'];

const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

/** The queue's business hours; `hours` null when it has none (the API answers 404). */
async function hoursOf(queueId: string): Promise<{ hours: BusinessHours | null }> {
  try {
    return { hours: await get<BusinessHours>(`/v1/queues/${enc(queueId)}/business-hours`) };
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return { hours: null };
    throw e;
  }
}

export function ServiceLevelsPage() {
  const id = useId();
  const queues = useLoad('queues', () => get<List<Queue>>('/v1/queues'));
  const [queueId, setQueueId] = useState('');
  useEffect(() => {
    if (!queueId && queues.data?.data[0]) setQueueId(queues.data.data[0].id);
  }, [queues.data, queueId]);
  return (
    <section>
      <h1>Service levels</h1>
      <p className="muted">Business hours and SLA targets per queue, and the customer satisfaction survey.</p>
      <Async load={queues}>
        {(d) =>
          d.data.length === 0 ? (
            <p className="empty">Create a queue first (POST /v1/queues); business hours and SLA policies belong to a queue.</p>
          ) : (
            <>
              <div className="field">
                <label htmlFor={`${id}-queue`}>Queue</label>
                <select id={`${id}-queue`} data-testid="sla-queue" value={queueId} onChange={(e) => setQueueId(e.target.value)}>
                  {d.data.map((q) => (
                    <option key={q.id} value={q.id}>
                      {q.name}
                    </option>
                  ))}
                </select>
              </div>
              {queueId ? (
                <div className="grid">
                  <BusinessHoursForm key={`bh-${queueId}`} queueId={queueId} />
                  <PolicyForm key={`sla-${queueId}`} queueId={queueId} />
                </div>
              ) : null}
            </>
          )
        }
      </Async>
      <CsatSection />
    </section>
  );
}

function BusinessHoursForm({ queueId }: { queueId: string }) {
  const id = useId();
  const load = useLoad(`hours-${queueId}`, () => hoursOf(queueId));
  return <Async load={load}>{({ hours }) => <HoursEditor queueId={queueId} hours={hours} onSaved={() => load.reload(true)} fieldId={id} />}</Async>;
}

function HoursEditor({ queueId, hours, onSaved, fieldId: id }: { queueId: string; hours: BusinessHours | null; onSaved: () => void; fieldId: string }) {
  const [timeZone, setTimeZone] = useState(hours?.time_zone ?? Intl.DateTimeFormat().resolvedOptions().timeZone ?? 'UTC');
  const [days, setDays] = useState(() =>
    DAYS.map((_, i) => {
      const interval = hours?.intervals.find((x) => x.day === i + 1);
      return { open: hours ? !!interval : i < 5, start: interval?.start ?? '09:00', end: interval?.end ?? '17:00' };
    }),
  );
  const [holidays, setHolidays] = useState((hours?.holidays ?? []).join('\n'));
  const [reply, setReply] = useState(hours?.outside_hours_reply ?? '');
  const [saved, setSaved] = useState(false);
  const action = useAction();
  const setDay = (i: number, patchDay: Partial<(typeof days)[number]>) => setDays((ds) => ds.map((d, j) => (j === i ? { ...d, ...patchDay } : d)));
  const save = async (e: FormEvent) => {
    e.preventDefault();
    setSaved(false);
    const body = {
      time_zone: timeZone.trim(),
      intervals: days.flatMap((d, i) => (d.open ? [{ day: i + 1, start: d.start, end: d.end }] : [])),
      holidays: holidays.split(/[\s,]+/).filter(Boolean),
      outside_hours_reply: reply.trim() || null,
    };
    if (await action.run(() => put(`/v1/queues/${enc(queueId)}/business-hours`, body))) {
      setSaved(true);
      onSaved();
    }
  };
  const remove = async () => {
    setSaved(false);
    if ((await action.run(async () => (await del(`/v1/queues/${enc(queueId)}/business-hours`), true))) !== undefined) onSaved();
  };
  return (
    <form className="card" onSubmit={save} aria-labelledby={`${id}-bh`}>
      <h2 id={`${id}-bh`}>Business hours</h2>
      <p className="muted" data-testid="bh-status">
        {hours ? (hours.open_now ? 'Open now.' : 'Closed now.') : 'No business hours: the queue is always open.'}
      </p>
      <div className="field">
        <label htmlFor={`${id}-tz`}>Time zone</label>
        <input id={`${id}-tz`} data-testid="bh-time-zone" value={timeZone} onChange={(e) => setTimeZone(e.target.value)} placeholder="Europe/Warsaw" />
      </div>
      <fieldset>
        <legend>Opening hours (local time)</legend>
        {DAYS.map((name, i) => (
          <div className="inline bh-day" key={name}>
            <label>
              <input type="checkbox" data-testid={`bh-open-${i + 1}`} checked={days[i]!.open} onChange={(e) => setDay(i, { open: e.target.checked })} /> {name}
            </label>
            <input type="time" aria-label={`${name} opens`} data-testid={`bh-start-${i + 1}`} value={days[i]!.start} disabled={!days[i]!.open} onChange={(e) => setDay(i, { start: e.target.value })} />
            <input type="time" aria-label={`${name} closes`} data-testid={`bh-end-${i + 1}`} value={days[i]!.end} disabled={!days[i]!.open} onChange={(e) => setDay(i, { end: e.target.value })} />
          </div>
        ))}
      </fieldset>
      <div className="field">
        <label htmlFor={`${id}-holidays`}>Holidays (closed all day; dates YYYY-MM-DD, one per line)</label>
        <textarea id={`${id}-holidays`} data-testid="bh-holidays" rows={3} value={holidays} onChange={(e) => setHolidays(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor={`${id}-reply`}>Reply outside business hours (plain text; sent once per ticket while closed)</label>
        <textarea id={`${id}-reply`} data-testid="bh-reply" rows={3} maxLength={1000} value={reply} onChange={(e) => setReply(e.target.value)} />
      </div>
      <ErrorBox error={action.error} labels={{ time_zone: 'Time zone', holidays: 'Holidays', outside_hours_reply: 'Reply outside business hours' }} />
      <div className="actions">
        <button type="submit" data-testid="bh-save" disabled={action.busy}>
          Save business hours
        </button>
        {hours ? (
          <button type="button" className="secondary" onClick={() => void remove()} disabled={action.busy}>
            Remove business hours
          </button>
        ) : null}
        {saved ? (
          <span className="muted" role="status" data-testid="bh-saved">
            Saved.
          </span>
        ) : null}
      </div>
    </form>
  );
}

function PolicyForm({ queueId }: { queueId: string }) {
  const load = useLoad(`policies-${queueId}`, () => get<{ data: SlaPolicy[] }>('/v1/sla-policies'));
  return <Async load={load}>{(d) => <PolicyEditor queueId={queueId} policy={d.data.find((p) => p.scope.kind === 'queue' && p.scope.id === queueId) ?? null} onSaved={() => load.reload(true)} />}</Async>;
}

function PolicyEditor({ queueId, policy, onSaved }: { queueId: string; policy: SlaPolicy | null; onSaved: () => void }) {
  const id = useId();
  const [name, setName] = useState(policy?.name ?? 'Standard');
  const [first, setFirst] = useState(policy?.first_response_minutes?.toString() ?? '60');
  const [resolution, setResolution] = useState(policy?.resolution_minutes?.toString() ?? '');
  const [businessHours, setBusinessHours] = useState(policy?.business_hours ?? false);
  const [warning, setWarning] = useState(String(policy?.warning_percent ?? 80));
  const [saved, setSaved] = useState(false);
  const action = useAction();
  const minutes = (v: string) => (v.trim() === '' ? null : Number(v));
  const save = async (e: FormEvent) => {
    e.preventDefault();
    setSaved(false);
    const body = { name: name.trim(), first_response_minutes: minutes(first), resolution_minutes: minutes(resolution), business_hours: businessHours, warning_percent: Number(warning) };
    const done = await action.run(() => (policy ? patch(`/v1/sla-policies/${enc(policy.id)}`, body) : post('/v1/sla-policies', { ...body, queue_id: queueId })));
    if (done) {
      setSaved(true);
      onSaved();
    }
  };
  const remove = async () => {
    if (!policy) return;
    setSaved(false);
    if ((await action.run(async () => (await del(`/v1/sla-policies/${enc(policy.id)}`), true))) !== undefined) onSaved();
  };
  return (
    <form className="card" onSubmit={save} aria-labelledby={`${id}-sla`}>
      <h2 id={`${id}-sla`}>SLA policy</h2>
      <p className="muted">{policy ? 'Tickets of this queue are measured against these targets.' : 'No policy: tickets of this queue have no targets.'}</p>
      <div className="field">
        <label htmlFor={`${id}-name`}>Name</label>
        <input id={`${id}-name`} data-testid="sla-name" value={name} maxLength={100} onChange={(e) => setName(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor={`${id}-first`}>First response within (minutes)</label>
        <input id={`${id}-first`} data-testid="sla-first-response" type="number" min={1} value={first} onChange={(e) => setFirst(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor={`${id}-resolution`}>Resolution within (minutes; empty for none)</label>
        <input id={`${id}-resolution`} data-testid="sla-resolution" type="number" min={1} value={resolution} onChange={(e) => setResolution(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor={`${id}-warning`}>Warn when this share of a target is used (%)</label>
        <input id={`${id}-warning`} data-testid="sla-warning" type="number" min={1} max={99} value={warning} onChange={(e) => setWarning(e.target.value)} />
      </div>
      <label className="inline">
        <input type="checkbox" data-testid="sla-business-hours" checked={businessHours} onChange={(e) => setBusinessHours(e.target.checked)} /> Count only business hours
      </label>
      <ErrorBox error={action.error} labels={{ first_response_minutes: 'First response', resolution_minutes: 'Resolution', warning_percent: 'Warning share' }} />
      <div className="actions">
        <button type="submit" data-testid="sla-save" disabled={action.busy}>
          Save SLA policy
        </button>
        {policy ? (
          <button type="button" className="secondary" onClick={() => void remove()} disabled={action.busy}>
            Remove policy
          </button>
        ) : null}
        {saved ? (
          <span className="muted" role="status" data-testid="sla-saved">
            Saved.
          </span>
        ) : null}
      </div>
    </form>
  );
}

function CsatSection() {
  const id = useId();
  const settings = useLoad('csat-settings', () => get<S['CsatSettings']>('/v1/csat/settings'));
  const scores = useLoad('csat-agents', () => get<S['CsatAgentScores']>('/v1/csat/agents'));
  return (
    <section className="card" aria-labelledby={`${id}-csat`}>
      <h2 id={`${id}-csat`}>Customer satisfaction</h2>
      <p className="muted">When a ticket is resolved, the customer is asked for a rating from 1 to 5: with buttons on WhatsApp, Messenger and LINE, with a link by e-mail and SMS. EmpikPlace does not allow surveys.</p>
      <Async load={settings}>{(s) => <CsatEditor settings={s} />}</Async>
      <h3>Scores per agent</h3>
      <Async load={scores}>
        {(d) =>
          d.data.length === 0 ? (
            <p className="empty">No answers yet.</p>
          ) : (
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Agent</th>
                    <th scope="col">Answers</th>
                    <th scope="col">Average</th>
                    <th scope="col">1–5</th>
                  </tr>
                </thead>
                <tbody>
                  {d.data.map((a) => (
                    <tr key={a.agent ?? ''}>
                      <td>{a.agent ?? 'Nobody'}</td>
                      <td>{a.responses}</td>
                      <td>{a.average.toFixed(2)}</td>
                      <td>{a.distribution.join(' / ')}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </Async>
    </section>
  );
}

function CsatEditor({ settings }: { settings: S['CsatSettings'] }) {
  const id = useId();
  const [enabled, setEnabled] = useState(settings.enabled);
  const [question, setQuestion] = useState(settings.question);
  const [saved, setSaved] = useState(false);
  const action = useAction();
  const save = async (e: FormEvent) => {
    e.preventDefault();
    setSaved(false);
    if (await action.run(() => put('/v1/csat/settings', { enabled, question }))) setSaved(true);
  };
  return (
    <form onSubmit={save}>
      <label className="inline">
        <input type="checkbox" data-testid="csat-enabled" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} /> Send a survey when a ticket is resolved
      </label>
      <div className="field">
        <label htmlFor={`${id}-question`}>Question (plain text)</label>
        <textarea id={`${id}-question`} data-testid="csat-question" rows={2} maxLength={500} value={question} onChange={(e) => setQuestion(e.target.value)} />
      </div>
      <ErrorBox error={action.error} labels={{ question: 'Question' }} />
      <div className="actions">
        <button type="submit" disabled={action.busy} data-testid="csat-save">
          Save survey settings
        </button>
        {saved ? (
          <span className="muted" role="status">
            Saved.
          </span>
        ) : null}
      </div>
    </form>
  );
}
