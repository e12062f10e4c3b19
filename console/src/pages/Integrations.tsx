// "Integrations > App connection": store connections, channel accounts, and which account sends per channel.
import { useEffect, useId, useRef, useState } from 'react';
import type { FormEvent } from 'react';
import { del, get, post, put, enc } from '../api';
import type { Session } from '../api';
import type { ChannelAccount, ChannelSelection, List, OnceOnly, StoreConnection } from '../types';
import { channelLabel } from '../types';
import { Async, EmptyState, ErrorBox, Secret, StatusBadge, fieldProblems, useAction, useLoad, when } from '../ui';
import { useLocation } from '../router';

interface FieldSpec {
  name: string;
  label: string;
  type?: 'text' | 'password' | 'number' | 'url' | 'email' | 'select';
  options?: string[];
  optional?: boolean;
  hint?: string;
}

interface ConnectKind {
  id: string;
  label: string;
  kind: 'store' | 'channel';
  fixed: Record<string, string>;
  fields: FieldSpec[];
}

const NAME: FieldSpec = { name: 'name', label: 'Name', optional: true };
const OWNER: FieldSpec = { name: 'owner', label: 'Owner', type: 'select', options: ['merchant', 'platform'], optional: true, hint: 'platform: the shared account; its sends are charged extra' };

// The bodies of POST /v1/store-connections and /v1/channel-accounts (README table and OpenAPI).
const KINDS: ConnectKind[] = [
  { id: 'shopify', label: 'Shopify', kind: 'store', fixed: { platform: 'shopify' }, fields: [NAME, { name: 'shop_domain', label: 'Shop domain', hint: 'acme.myshopify.com' }, { name: 'webhook_secret', label: 'Webhook signing secret', type: 'password' }] },
  { id: 'shopline', label: 'SHOPLINE', kind: 'store', fixed: { platform: 'shopline' }, fields: [NAME, { name: 'handle', label: 'Store handle' }, { name: 'access_token', label: 'Access token', type: 'password' }, { name: 'app_secret', label: 'App secret', type: 'password' }] },
  { id: 'cyberbiz', label: 'CYBERBIZ', kind: 'store', fixed: { platform: 'cyberbiz' }, fields: [NAME, { name: 'shop_domain', label: 'Shop domain', hint: 'acme.cyberbiz.co' }, { name: 'access_token', label: 'Access token', type: 'password' }, { name: 'app_secret', label: 'App secret', type: 'password' }] },
  { id: '91app', label: '91APP', kind: 'store', fixed: { platform: '91app' }, fields: [NAME, { name: 'shop_id', label: 'Shop id' }, { name: 'api_key', label: 'API key', type: 'password' }, { name: 'store_url', label: 'Store URL', type: 'url', optional: true }] },
  { id: 'eshopbox', label: 'Eshopbox', kind: 'store', fixed: { platform: 'eshopbox' }, fields: [NAME, { name: 'workspace', label: 'Workspace' }, { name: 'external_channel_id', label: 'External channel id', optional: true }, { name: 'client_id', label: 'Client id' }, { name: 'client_secret', label: 'Client secret', type: 'password' }, { name: 'refresh_token', label: 'Refresh token', type: 'password' }] },
  { id: 'empikplace', label: 'EmpikPlace', kind: 'store', fixed: { platform: 'empikplace' }, fields: [{ name: 'name', label: 'Name' }, { name: 'api_key', label: 'API key', type: 'password' }, { name: 'shop_id', label: 'Shop id', optional: true }, { name: 'customer_id_field_id', label: 'Customer id field (cf_…)' }, { name: 'queue_id', label: 'Queue (q_…)' }, { name: 'category_id', label: 'Category (cat_…)' }] },
  { id: 'generic', label: 'Your own system', kind: 'store', fixed: { platform: 'generic' }, fields: [{ name: 'name', label: 'Name' }] },
  { id: 'wa-meta', label: 'WhatsApp (Meta Cloud API)', kind: 'channel', fixed: { channel: 'whatsapp', provider: 'meta' }, fields: [NAME, { name: 'phone_number_id', label: 'Phone number id' }, { name: 'waba_id', label: 'WhatsApp Business Account id' }, { name: 'access_token', label: 'Access token', type: 'password' }, { name: 'app_secret', label: 'App secret', type: 'password' }, { name: 'verify_token', label: 'Verify token', type: 'password', optional: true }, OWNER] },
  { id: 'wa-gupshup', label: 'WhatsApp (Gupshup)', kind: 'channel', fixed: { channel: 'whatsapp', provider: 'gupshup' }, fields: [NAME, { name: 'app_name', label: 'App name' }, { name: 'source_number', label: 'Registered number (with country code)' }, { name: 'api_key', label: 'API key', type: 'password' }, OWNER] },
  { id: 'messenger', label: 'Messenger', kind: 'channel', fixed: { channel: 'messenger', provider: 'meta-messenger' }, fields: [NAME, { name: 'page_id', label: 'Page id' }, { name: 'page_access_token', label: 'Page access token', type: 'password' }, { name: 'app_secret', label: 'App secret', type: 'password' }, { name: 'verify_token', label: 'Verify token', type: 'password', optional: true }, OWNER] },
  { id: 'line', label: 'LINE', kind: 'channel', fixed: { channel: 'line', provider: 'line' }, fields: [NAME, { name: 'channel_id', label: 'Channel id', optional: true }, { name: 'channel_access_token', label: 'Channel access token', type: 'password' }, { name: 'channel_secret', label: 'Channel secret', type: 'password' }, OWNER] },
  { id: 'sms', label: 'SMS (Twilio)', kind: 'channel', fixed: { channel: 'sms', provider: 'twilio' }, fields: [NAME, { name: 'account_sid', label: 'Account SID' }, { name: 'auth_token', label: 'Auth token', type: 'password' }, { name: 'from', label: 'From number', optional: true, hint: 'or a messaging service SID' }, { name: 'messaging_service_sid', label: 'Messaging service SID', optional: true }, OWNER] },
  { id: 'email', label: 'E-mail (SMTP)', kind: 'channel', fixed: { channel: 'email', provider: 'smtp' }, fields: [NAME, { name: 'host', label: 'SMTP host' }, { name: 'port', label: 'Port', type: 'number' }, { name: 'security', label: 'Security', type: 'select', options: ['tls', 'starttls', 'none'] }, { name: 'username', label: 'Username', optional: true }, { name: 'password', label: 'Password', type: 'password', optional: true }, { name: 'from_address', label: 'From address', type: 'email' }, { name: 'from_name', label: 'From name', optional: true }, OWNER] },
];

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
  const [kindId, setKindId] = useState('');
  const [values, setValues] = useState<Record<string, string>>({});
  const action = useAction();
  const id = useId();
  const kind = KINDS.find((k) => k.id === kindId) ?? null;
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

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!kind) return;
    const path = kind.kind === 'store' ? '/v1/store-connections' : '/v1/channel-accounts';
    const created = await action.run(() => post<Created>(path, buildBody(kind, values)));
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
            {KINDS.filter((k) => k.kind === 'store').map((k) => (
              <option key={k.id} value={k.id}>
                {k.label}
              </option>
            ))}
          </optgroup>
          <optgroup label="Channels">
            {KINDS.filter((k) => k.kind === 'channel').map((k) => (
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
                    aria-describedby={problems[f.name] ? `${id}-${f.name}-error` : undefined}
                    onChange={(e) => setValues({ ...values, [f.name]: e.target.value })}
                  >
                    <option value="">{f.optional ? 'Default' : 'Choose…'}</option>
                    {(f.options ?? []).map((o) => (
                      <option key={o} value={o}>
                        {o}
                      </option>
                    ))}
                  </select>
                ) : (
                  <input
                    id={`${id}-${f.name}`}
                    data-testid={`connect-${f.name}`}
                    type={f.type ?? 'text'}
                    autoComplete={f.type === 'password' ? 'new-password' : 'off'}
                    value={values[f.name] ?? ''}
                    required={!f.optional}
                    placeholder={f.hint}
                    aria-invalid={problems[f.name] ? true : undefined}
                    aria-describedby={problems[f.name] ? `${id}-${f.name}-error` : undefined}
                    onChange={(e) => setValues({ ...values, [f.name]: e.target.value })}
                  />
                )}
                {f.hint && f.type === 'select' ? <p className="hint">{f.hint}</p> : null}
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
