// Developers: workspace API keys, outbound webhook subscriptions with their delivery log, and the API docs.
import { useId, useRef, useState } from 'react';
import type { FormEvent } from 'react';
import { del, enc, get, post } from '../api';
import type { ApiKey, List, WebhookDelivery, WebhookSubscription } from '../types';
import { Async, EmptyState, ErrorBox, Secret, StatusBadge, useAction, useLoad, when } from '../ui';

const WEBHOOK_EVENTS = ['message.status', 'activity.created', 'customer.erased'];

export function DevelopersPage() {
  return (
    <section>
      <h1>Developers</h1>
      <p className="lead">
        The HTTP API is documented at{' '}
        <a href="/docs" target="_blank" rel="noreferrer" data-testid="docs-link">
          /docs
        </a>{' '}
        (OpenAPI: <a href="/docs/json">/docs/json</a>).
      </p>
      <ApiKeys />
      <Webhooks />
    </section>
  );
}

function ApiKeys() {
  const load = useLoad('api-keys', () => get<List<ApiKey>>('/v1/api-keys'));
  const [name, setName] = useState('');
  const [created, setCreated] = useState<(ApiKey & { key: string }) | null>(null);
  const create = useAction();
  const revoke = useAction();
  const id = useId();
  const nameInput = useRef<HTMLInputElement>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const k = await create.run(() => post<ApiKey & { key: string }>('/v1/api-keys', { name: name.trim() }));
    if (k) {
      setCreated(k);
      setName('');
      load.reload(true);
    }
  };

  const doRevoke = async (k: ApiKey) => {
    if (!window.confirm(`Revoke the key ${k.name} (${k.hint})? Programs using it will stop working.`)) return;
    await revoke.run(() => del(`/v1/api-keys/${enc(k.id)}`));
    load.reload(true);
  };

  return (
    <section aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>API keys</h2>
      {created ? (
        <div className="card success" role="status" data-testid="apikey-created">
          <p className="warning">Copy the key now: it is shown only once.</p>
          <Secret label={created.name} value={created.key} />
          <button type="button" onClick={() => setCreated(null)}>
            Done
          </button>
        </div>
      ) : null}
      <form className="inline card" onSubmit={(e) => void submit(e)}>
        <label htmlFor={`${id}-name`}>New key name</label>
        <input ref={nameInput} id={`${id}-name`} data-testid="apikey-name" value={name} onChange={(e) => setName(e.target.value)} required />
        <button type="submit" className="primary" data-testid="apikey-create" disabled={create.busy}>
          Create key
        </button>
      </form>
      <ErrorBox error={create.error} />
      <ErrorBox error={revoke.error} />
      <Async load={load}>
        {(d) =>
          d.data.length === 0 ? (
            <EmptyState
              testid="apikeys-empty"
              title="No API keys yet"
              action={
                <button type="button" onClick={() => nameInput.current?.focus()}>
                  Name your first key
                </button>
              }
            >
              A key lets your own systems use the API for this workspace: name it after the system that will use it.
            </EmptyState>
          ) : (
            <div className="table-wrap stack">
              <table>
                <thead>
                  <tr>
                    <th>Name</th>
                    <th>Prefix</th>
                    <th>Created</th>
                    <th>Last used</th>
                    <th>
                      <span className="sr-only">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {d.data.map((k) => (
                    <tr key={k.id} data-testid="apikey-row">
                      <td data-label="Name">{k.name}</td>
                      <td data-label="Prefix">
                        <code>{k.hint}</code>
                      </td>
                      <td data-label="Created">{when(k.created_at)}</td>
                      <td data-label="Last used">{when(k.last_used_at)}</td>
                      <td className="row-actions-cell">
                        {k.revoked_at ? (
                          <span className="muted">revoked {when(k.revoked_at)}</span>
                        ) : (
                          <button type="button" className="small danger" onClick={() => void doRevoke(k)} disabled={revoke.busy}>
                            Revoke
                          </button>
                        )}
                      </td>
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

function Webhooks() {
  const load = useLoad('webhooks', () => get<List<WebhookSubscription>>('/v1/webhook-subscriptions'));
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<string[]>([...WEBHOOK_EVENTS]);
  const [created, setCreated] = useState<(WebhookSubscription & { secret: string }) | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const create = useAction();
  const remove = useAction();
  const id = useId();
  const urlInput = useRef<HTMLInputElement>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const s = await create.run(() => post<WebhookSubscription & { secret: string }>('/v1/webhook-subscriptions', { url: url.trim(), events }));
    if (s) {
      setCreated(s);
      setUrl('');
      load.reload(true);
    }
  };

  const doRemove = async (s: WebhookSubscription) => {
    if (!window.confirm(`Stop sending events to ${s.url}?`)) return;
    await remove.run(() => del(`/v1/webhook-subscriptions/${enc(s.id)}`));
    load.reload(true);
  };

  return (
    <section aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>Outbound webhooks</h2>
      <p className="muted">
        Signed the Standard Webhooks way: <code>webhook-id</code>, <code>webhook-timestamp</code> and <code>webhook-signature: v1,…</code> (base64
        HMAC-SHA256 of “id.timestamp.body” keyed with the secret after <code>whsec_</code>). A refused delivery is retried for about a day (after 5 s,
        5 min, 30 min, 2 h, 5 h, 10 h and 10 h); after that it is listed as failed and can be redelivered.
      </p>
      {created ? (
        <div className="card success" role="status" data-testid="webhook-created">
          <p className="warning">Copy the signing secret now: it is shown only once.</p>
          <Secret label="Signing secret" value={created.secret} />
          <button type="button" onClick={() => setCreated(null)}>
            Done
          </button>
        </div>
      ) : null}
      <form className="card" onSubmit={(e) => void submit(e)}>
        <div className="field">
          <label htmlFor={`${id}-url`}>URL</label>
          <input ref={urlInput} id={`${id}-url`} data-testid="webhook-url" type="url" value={url} onChange={(e) => setUrl(e.target.value)} placeholder="https://…" required />
        </div>
        <fieldset>
          <legend>Events</legend>
          {WEBHOOK_EVENTS.map((ev) => (
            <div className="inline" key={ev}>
              <input type="checkbox" id={`${id}-${ev}`} checked={events.includes(ev)} onChange={(e) => setEvents(e.target.checked ? [...events, ev] : events.filter((x) => x !== ev))} />
              <label htmlFor={`${id}-${ev}`}>{ev}</label>
            </div>
          ))}
        </fieldset>
        <ErrorBox error={create.error} />
        <button type="submit" className="primary" data-testid="webhook-create" disabled={create.busy}>
          Add webhook
        </button>
      </form>
      <ErrorBox error={remove.error} />
      <Async load={load}>
        {(d) =>
          d.data.length === 0 ? (
            <EmptyState
              testid="webhooks-empty"
              title="No webhooks yet"
              action={
                <button type="button" onClick={() => urlInput.current?.focus()}>
                  Add your first webhook
                </button>
              }
            >
              A webhook tells your own system, within seconds, when a message is delivered or an order’s activity changes.
            </EmptyState>
          ) : (
            <ul className="plain">
              {d.data.map((s) => (
                <li key={s.id} className="card" data-testid="webhook-row">
                  <div className="row-top">
                    <code className="wrap">{s.url}</code>
                    <span className="muted">{s.events.join(', ')}</span>
                  </div>
                  <div className="row-actions">
                    <button type="button" className="small" aria-expanded={open === s.id} onClick={() => setOpen(open === s.id ? null : s.id)}>
                      {open === s.id ? 'Hide deliveries' : 'Deliveries'}
                    </button>
                    <button type="button" className="small danger" onClick={() => void doRemove(s)} disabled={remove.busy}>
                      Remove
                    </button>
                  </div>
                  {open === s.id ? <Deliveries id={s.id} /> : null}
                </li>
              ))}
            </ul>
          )
        }
      </Async>
    </section>
  );
}

const DELIVERY_FILTERS: Array<{ value: string; label: string }> = [
  { value: '', label: 'All' },
  { value: 'failed', label: 'Failed' },
  { value: 'pending', label: 'Retrying' },
  { value: 'delivered', label: 'Delivered' },
];

function Deliveries({ id }: { id: string }) {
  const [status, setStatus] = useState('');
  const query = status ? `?status=${enc(status)}` : '';
  const load = useLoad(`deliveries:${id}:${status}`, () => get<List<WebhookDelivery>>(`/v1/webhook-subscriptions/${enc(id)}/deliveries${query}`));
  const redeliver = useAction();
  const filterId = useId();

  const doRedeliver = async (d: WebhookDelivery) => {
    const done = await redeliver.run(() => post<WebhookDelivery>(`/v1/webhook-subscriptions/${enc(id)}/deliveries/${enc(d.id)}/redeliver`));
    if (done) load.reload(true);
  };

  return (
    <div data-testid="webhook-deliveries">
      <div className="inline">
        <label htmlFor={filterId}>Show</label>
        <select id={filterId} data-testid="deliveries-filter" value={status} onChange={(e) => setStatus(e.target.value)}>
          {DELIVERY_FILTERS.map((f) => (
            <option key={f.value} value={f.value}>
              {f.label}
            </option>
          ))}
        </select>
        <button type="button" className="small" onClick={() => load.reload()}>
          Refresh
        </button>
      </div>
      <ErrorBox error={redeliver.error} />
      <Async load={load}>
        {(d) =>
          d.data.length === 0 ? (
            <p className="empty">{status ? 'No deliveries with this status.' : 'Nothing delivered yet.'}</p>
          ) : (
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th>Event</th>
                    <th>Status</th>
                    <th>Attempts</th>
                    <th>Last response</th>
                    <th>Created</th>
                    <th>
                      <span className="sr-only">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {d.data.map((x) => (
                    <tr key={x.id} data-testid="delivery-row" data-status={x.status}>
                      <td>{x.event}</td>
                      <td>
                        <StatusBadge status={x.status} />
                        {x.status === 'pending' && x.next_attempt_at ? <div className="muted">next try {when(x.next_attempt_at)}</div> : null}
                      </td>
                      <td className="num">{x.attempts}</td>
                      <td className="wrap">
                        {x.response_status ?? '—'} {x.error ? <span className="error-text">{x.error}</span> : null}
                        {x.response_body ? <div className="muted">{x.response_body}</div> : null}
                      </td>
                      <td>{when(x.created_at)}</td>
                      <td>
                        {x.status === 'failed' ? (
                          <button type="button" className="small" data-testid="delivery-redeliver" onClick={() => void doRedeliver(x)} disabled={redeliver.busy}>
                            Redeliver
                          </button>
                        ) : null}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </Async>
    </div>
  );
}
