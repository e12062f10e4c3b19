// "Integrations > App connection": store connections, channel accounts, and which account sends per channel.
import { useEffect, useId, useRef, useState } from 'react';
import type { FormEvent } from 'react';
import { del, get, post, put, enc } from '../api';
import type { Session } from '../api';
import type { ChannelAccount, ChannelSelection, List, OnceOnly, Provider, ProviderField, StoreConnection } from '../types';
import { channelLabel } from '../types';
import { Async, EmptyState, ErrorBox, Secret, StatusBadge, fieldProblems, useAction, useLoad, when } from '../ui';
import { useLocation } from '../router';

interface FieldSpec {
  name: string;
  label: string;
  type: 'text' | 'password' | 'number' | 'url' | 'email' | 'select';
  options: string[];
  optional: boolean;
  /** Shown as the input's placeholder: a value of the right shape. */
  example: string | null;
  help: string | null;
}

interface ConnectKind {
  id: string;
  label: string;
  kind: 'store' | 'channel';
  path: string;
  fixed: Record<string, string>;
  fields: FieldSpec[];
}

/** The service keys the console used before it read GET /v1/providers, kept so what names them still works. */
const FORM_KEYS: Record<string, string> = { meta: 'wa-meta', gupshup: 'wa-gupshup', twilio: 'sms', smtp: 'email' };

const inputType = (f: ProviderField): FieldSpec['type'] => {
  if (f.options) return 'select';
  if (f.secret) return 'password';
  if (f.type === 'number') return 'number';
  return f.format ?? 'text';
};

/** A connect form, from the provider's description: its fields, and the body's fixed provider/platform values. */
const kindOf = (p: Provider): ConnectKind => ({
  id: FORM_KEYS[p.id] ?? p.id,
  label: p.title,
  kind: p.kind === 'channel' ? 'channel' : 'store',
  path: p.connect.path,
  fixed: p.connect.fixed,
  fields: p.fields.map((f) => ({
    name: f.name,
    label: f.label,
    type: inputType(f),
    options: f.options ?? [],
    optional: !f.required,
    example: f.example === null ? null : String(f.example),
    help: f.help,
  })),
});

type Created = (StoreConnection | ChannelAccount) & OnceOnly;

/** The API's names of the fields every form sends, in words (the kind's own fields add theirs). */
const FIXED_LABELS: Record<string, string> = { platform: 'Service', channel: 'Service', provider: 'Service' };

const labelsOf = (kind: ConnectKind | null): Record<string, string> => ({ ...FIXED_LABELS, ...Object.fromEntries((kind?.fields ?? []).map((f) => [f.name, f.label])) });

type Group = 'store' | 'channel';

/** Why an account sends for its channel, in words. */
const HOW: Record<string, string> = { selected: 'Chosen by you', first_installed: 'The first one connected', none: 'Nothing sends yet' };

export function IntegrationsPage({ session }: { session: Session }) {
  const stores = useLoad('stores', () => get<List<StoreConnection>>('/v1/store-connections'));
  const accounts = useLoad('accounts', () => get<List<ChannelAccount>>('/v1/channel-accounts'));
  const selection = useLoad('selection', () => get<List<ChannelSelection>>('/v1/channel-selection'));
  const [created, setCreated] = useState<Created | null>(null);
  const isAdmin = session.user.role === 'admin';
  const loc = useLocation();
  const asked = loc.query.get('connect');
  // "Connect a store" / "Connect a channel" (from Home or an empty list) moves to the form, ready for that kind.
  const [connect, setConnect] = useState<{ group: Group; seq: number } | null>(asked === 'store' || asked === 'channel' ? { group: asked, seq: 0 } : null);
  const startConnect = (group: Group) => setConnect({ group, seq: (connect?.seq ?? 0) + 1 });

  const reloadAll = () => {
    stores.reload(true);
    accounts.reload(true);
    selection.reload(true);
  };

  return (
    <section>
      <h1>Integrations</h1>
      <p className="lead">App connection: your stores and the messaging accounts that send for them.</p>
      {!isAdmin ? <p className="note">You are an agent: connections can be changed by admins only.</p> : null}

      {created ? <CreatedPanel created={created} onClose={() => setCreated(null)} /> : null}

      <h2>Stores</h2>
      <Async load={stores}>{(d) => <StoreTable rows={d.data} onChanged={reloadAll} onConnect={() => startConnect('store')} />}</Async>

      <h2>Channel accounts</h2>
      <Async load={accounts}>{(d) => <AccountTable rows={d.data} onChanged={reloadAll} onConnect={() => startConnect('channel')} />}</Async>

      <h2 id="connect">Connect</h2>
      <ConnectForm
        request={connect}
        onCreated={(c) => {
          setCreated(c);
          reloadAll();
        }}
      />

      <h2>Channel selection</h2>
      <p className="lead">Which account sends the notifications of each channel.</p>
      <Async load={selection}>{(d) => <SelectionTable rows={d.data} onChanged={() => selection.reload(true)} />}</Async>
    </section>
  );
}

function CreatedPanel({ created, onClose }: { created: Created; onClose: () => void }) {
  const onceOnly: Array<[string, string]> = [];
  if (created.signing_secret) onceOnly.push(['Signing secret', created.signing_secret]);
  if (created.webhook_secret) onceOnly.push(['Webhook secret', created.webhook_secret]);
  if (created.callback_url) onceOnly.push(['Callback URL', created.callback_url]);
  for (const [h, v] of Object.entries(created.webhook_headers ?? {})) onceOnly.push([`Header ${h}`, v]);
  return (
    <div className="card success" role="status" data-testid="connection-created">
      <h2>Connected: {created.name}</h2>
      {created.webhook_url ? <Secret label="Webhook URL" value={created.webhook_url} /> : <p>No webhook: this store is polled.</p>}
      {onceOnly.length > 0 ? (
        <>
          <p className="warning">Copy these now: they are shown only once.</p>
          {onceOnly.map(([label, value]) => (
            <Secret key={label} label={label} value={value} />
          ))}
        </>
      ) : null}
      {Object.keys(created.secrets).length > 0 ? (
        <p className="muted">
          Stored secrets (masked):{' '}
          {Object.entries(created.secrets)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ')}
        </p>
      ) : null}
      <button type="button" onClick={onClose}>
        Done
      </button>
    </div>
  );
}

function RowActions({ verifyPath, removePath, label, onChanged }: { verifyPath: string; removePath: string; label: string; onChanged: () => void }) {
  const action = useAction();
  const verify = async () => {
    if ((await action.run(() => post(verifyPath))) !== undefined) onChanged();
  };
  const remove = async () => {
    if (!window.confirm(`Remove ${label}? Webhooks sent to it will be refused.`)) return;
    await action.run(() => del(removePath));
    onChanged();
  };
  return (
    <div className="row-actions">
      <button type="button" className="small" onClick={() => void verify()} disabled={action.busy}>
        Verify
      </button>
      <button type="button" className="small danger" onClick={() => void remove()} disabled={action.busy}>
        Remove
      </button>
      <ErrorBox error={action.error} />
    </div>
  );
}

function StoreTable({ rows, onChanged, onConnect }: { rows: StoreConnection[]; onChanged: () => void; onConnect: () => void }) {
  if (rows.length === 0) {
    return (
      <EmptyState
        testid="stores-empty"
        title="No store is connected yet"
        action={
          <button type="button" className="primary" onClick={onConnect} data-testid="stores-empty-connect">
            Connect a store
          </button>
        }
      >
        Connect your shop so its orders and shipments can notify your customers.
      </EmptyState>
    );
  }
  return (
    <div className="table-wrap stack">
      <table>
        <thead>
          <tr>
            <th>Name</th>
            <th>Platform</th>
            <th>Status</th>
            <th>Webhook</th>
            <th>Verified</th>
            <th>
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((c) => (
            <tr key={c.id} data-testid="store-row">
              <td data-label="Name">{c.name}</td>
              <td data-label="Platform">{c.platform}</td>
              <td data-label="Status">
                <StatusBadge status={c.status} />
                {c.last_error ? <div className="error-text">{c.last_error}</div> : null}
              </td>
              <td className="wrap" data-label="Webhook">
                {c.webhook_url ? <code>{c.webhook_url}</code> : c.poll ? <span>polled; last {when(c.poll.last_polled_at)}{c.poll.failures ? `, ${c.poll.failures} failures` : ''}</span> : '—'}
              </td>
              <td data-label="Verified">{when(c.verified_at)}</td>
              <td className="row-actions-cell">
                <RowActions verifyPath={`/v1/store-connections/${enc(c.id)}/verify`} removePath={`/v1/store-connections/${enc(c.id)}`} label={c.name} onChanged={onChanged} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function AccountTable({ rows, onChanged, onConnect }: { rows: ChannelAccount[]; onChanged: () => void; onConnect: () => void }) {
  if (rows.length === 0) {
    return (
      <EmptyState
        testid="accounts-empty"
        title="No messaging account is connected yet"
        action={
          <button type="button" className="primary" onClick={onConnect} data-testid="accounts-empty-connect">
            Connect a channel
          </button>
        }
      >
        Add the WhatsApp, Messenger, LINE, SMS or e-mail account your notifications are sent from.
      </EmptyState>
    );
  }
  return (
    <div className="table-wrap stack">
      <table>
        <thead>
          <tr>
            <th>Name</th>
            <th>Channel</th>
            <th>Owner</th>
            <th>Status</th>
            <th>Webhook</th>
            <th>
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((a) => (
            <tr key={a.id} data-testid="account-row">
              <td data-label="Name">
                {a.name}
                {a.display_name ? <div className="muted">{a.display_name}</div> : null}
              </td>
              <td data-label="Channel">
                {channelLabel(a.channel)} <span className="muted">({a.provider})</span>
              </td>
              <td data-label="Owner">{a.owner === 'platform' ? 'shared (platform)' : 'merchant'}</td>
              <td data-label="Status">
                <StatusBadge status={a.status} />
                {a.number_check?.note ? (
                  <div className="muted" data-testid="account-number-check">
                    {a.number_check.note}
                  </div>
                ) : null}
              </td>
              <td className="wrap" data-label="Webhook">
                <code>{a.webhook_url}</code>
              </td>
              <td className="row-actions-cell">
                <RowActions verifyPath={`/v1/channel-accounts/${enc(a.id)}/verify`} removePath={`/v1/channel-accounts/${enc(a.id)}`} label={a.name} onChanged={onChanged} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function buildBody(kind: ConnectKind, values: Record<string, string>): Record<string, unknown> {
  const body: Record<string, unknown> = { ...kind.fixed };
  for (const f of kind.fields) {
    const v = (values[f.name] ?? '').trim();
    if (!v) continue;
    body[f.name] = f.type === 'number' ? Number(v) : v;
  }
  return body;
}

function ConnectForm({ onCreated, request }: { onCreated: (c: Created) => void; request: { group: Group; seq: number } | null }) {
  const providers = useLoad('providers', () => get<List<Provider>>('/v1/providers'));
  const kinds = (providers.data?.data ?? []).map(kindOf);
  const [kindId, setKindId] = useState('');
  const [values, setValues] = useState<Record<string, string>>({});
  const action = useAction();
  const id = useId();
  const kind = kinds.find((k) => k.id === kindId) ?? null;
  const kindSelect = useRef<HTMLSelectElement>(null);
  const labels = labelsOf(kind);
  const problems = fieldProblems(action.error, labels);
  const group = request?.group ?? null;

  // Asked to connect a store or a channel: bring the form into view with the service list focused.
  useEffect(() => {
    if (!request) return;
    const select = kindSelect.current;
    if (!select) return;
    select.scrollIntoView({ block: 'center' });
    select.focus();
  }, [request]);

  // After a refused save, focus goes to the first field the server named.
  useEffect(() => {
    const first = kind?.fields.find((f) => problems[f.name]);
    if (first) document.getElementById(`${id}-${first.name}`)?.focus();
  }, [action.error]);

  const describedBy = (f: FieldSpec): string | undefined =>
    [f.help ? `${id}-${f.name}-help` : null, problems[f.name] ? `${id}-${f.name}-error` : null].filter(Boolean).join(' ') || undefined;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!kind) return;
    const created = await action.run(() => post<Created>(kind.path, buildBody(kind, values)));
    if (created) {
      setValues({});
      setKindId('');
      onCreated(created);
    }
  };

  return (
    <form className="card" onSubmit={(e) => void submit(e)} data-testid="connect-form">
      <div className="field">
        <label htmlFor={`${id}-kind`}>Service</label>
        <select
          ref={kindSelect}
          id={`${id}-kind`}
          data-testid="connect-kind"
          value={kindId}
          onChange={(e) => {
            setKindId(e.target.value);
            setValues({});
            action.clear();
          }}
        >
          <option value="">{group === 'store' ? 'Choose your store’s platform…' : group === 'channel' ? 'Choose a messaging channel…' : 'Choose a store or channel…'}</option>
          <optgroup label="Stores">
            {kinds.filter((k) => k.kind === 'store').map((k) => (
              <option key={k.id} value={k.id}>
                {k.label}
              </option>
            ))}
          </optgroup>
          <optgroup label="Channels">
            {kinds.filter((k) => k.kind === 'channel').map((k) => (
              <option key={k.id} value={k.id}>
                {k.label}
              </option>
            ))}
          </optgroup>
        </select>
      </div>
      {kind ? (
        <>
          <div className="grid">
            {kind.fields.map((f) => (
              <div className="field" key={f.name}>
                <label htmlFor={`${id}-${f.name}`}>
                  {f.label}
                  {f.optional ? <span className="muted"> (optional)</span> : null}
                </label>
                {f.type === 'select' ? (
                  <select
                    id={`${id}-${f.name}`}
                    data-testid={`connect-${f.name}`}
                    value={values[f.name] ?? ''}
                    required={!f.optional}
                    aria-invalid={problems[f.name] ? true : undefined}
                    aria-describedby={describedBy(f)}
                    onChange={(e) => setValues({ ...values, [f.name]: e.target.value })}
                  >
                    <option value="">{f.optional ? 'Default' : 'Choose…'}</option>
                    {f.options.map((o) => (
                      <option key={o} value={o}>
                        {o}
                      </option>
                    ))}
                  </select>
                ) : (
                  <input
                    id={`${id}-${f.name}`}
                    data-testid={`connect-${f.name}`}
                    type={f.type}
                    autoComplete={f.type === 'password' ? 'new-password' : 'off'}
                    value={values[f.name] ?? ''}
                    required={!f.optional}
                    placeholder={f.example ?? undefined}
                    aria-invalid={problems[f.name] ? true : undefined}
                    aria-describedby={describedBy(f)}
                    onChange={(e) => setValues({ ...values, [f.name]: e.target.value })}
                  />
                )}
                {f.help ? (
                  <p className="hint" id={`${id}-${f.name}-help`}>
                    {f.help}
                  </p>
                ) : null}
                {problems[f.name] ? (
                  <p className="field-error" id={`${id}-${f.name}-error`} data-testid={`connect-${f.name}-error`}>
                    {f.label} {problems[f.name]}
                  </p>
                ) : null}
              </div>
            ))}
          </div>
          <ErrorBox error={action.error} labels={labels} inline={kind.fields.map((f) => f.name)} />
          <button type="submit" className="primary" data-testid="connect-submit" disabled={action.busy}>
            {action.busy ? 'Verifying with the provider…' : 'Save'}
          </button>
        </>
      ) : null}
    </form>
  );
}

function SelectionRow({ row, onChanged }: { row: ChannelSelection; onChanged: () => void }) {
  const [choice, setChoice] = useState(row.channel_account_id ?? '');
  const action = useAction();
  const id = useId();
  const save = async () => {
    if ((await action.run(() => put(`/v1/channel-selection/${enc(row.channel)}`, { channel_account_id: choice }))) !== undefined) onChanged();
  };
  return (
    <tr data-testid={`selection-${row.channel}`}>
      <th scope="row">
        <label htmlFor={`${id}-sel`}>{channelLabel(row.channel)}</label>
      </th>
      <td data-label="Sending account">
        {row.accounts.length === 0 ? (
          <span className="muted">No {channelLabel(row.channel)} account is connected — connect one above.</span>
        ) : (
          <select id={`${id}-sel`} value={choice} onChange={(e) => setChoice(e.target.value)}>
            {row.channel_account_id === null ? <option value="">None</option> : null}
            {row.accounts.map((a) => (
              <option key={a.id} value={a.id}>
                {a.name} ({a.owner === 'platform' ? 'shared' : 'own'}, {a.provider})
              </option>
            ))}
          </select>
        )}
        <ErrorBox error={action.error} />
      </td>
      <td data-label="Why">{HOW[row.how] ?? row.how.replace(/_/g, ' ')}</td>
      <td className="row-actions-cell">
        {row.accounts.length > 0 ? (
          <button type="button" className="small" onClick={() => void save()} disabled={action.busy || !choice || choice === row.channel_account_id}>
            Save
          </button>
        ) : null}
      </td>
    </tr>
  );
}

function SelectionTable({ rows, onChanged }: { rows: ChannelSelection[]; onChanged: () => void }) {
  return (
    <div className="table-wrap stack">
      <table>
        <thead>
          <tr>
            <th>Channel</th>
            <th>Sending account</th>
            <th>Why</th>
            <th>
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <SelectionRow key={`${r.channel}-${r.channel_account_id ?? ''}`} row={r} onChanged={onChanged} />
          ))}
        </tbody>
      </table>
    </div>
  );
}
