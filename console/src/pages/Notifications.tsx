// "Set up notifications" / "Customer portal > Manage your customer notifications": event types × channels,
// off by default; plus "Manage the unexpected" (the incorrect-reply message).
import { useEffect, useId, useState } from 'react';
import type { FormEvent } from 'react';
import { enc, get, post, put } from '../api';
import type { Session } from '../api';
import type { ChannelSelection, ChatSettings, List, MatrixCell, NotificationSetting, NotificationVariable, TestSendResult } from '../types';
import { CHANNELS, channelLabel } from '../types';
import { Async, ErrorBox, Loading, useAction, useLoad } from '../ui';

const TEXT_LANGUAGES = [
  { code: 'en', label: 'English' },
  { code: 'zh-Hant', label: 'Traditional Chinese' },
  { code: 'pl', label: 'Polish' },
];

interface Data {
  settings: NotificationSetting[];
  matrix: MatrixCell[];
  selection: ChannelSelection[];
}

async function loadAll(): Promise<Data> {
  const [settings, matrix, selection] = await Promise.all([
    get<List<NotificationSetting>>('/v1/notification-settings'),
    get<List<MatrixCell>>('/v1/notification-matrix'),
    get<List<ChannelSelection>>('/v1/channel-selection'),
  ]);
  return { settings: settings.data, matrix: matrix.data, selection: selection.data };
}

const cellKey = (eventType: string, channel: string) => `${eventType}|${channel}`;

export function NotificationsPage({ session }: { session: Session }) {
  const load = useLoad('notifications', loadAll);
  const [editing, setEditing] = useState<{ eventType: string; channel: string } | null>(null);
  const [lastSaved, setLastSaved] = useState<NotificationSetting | null>(null);
  const disable = useAction();

  const toggle = async (s: NotificationSetting | undefined, eventType: string, channel: string) => {
    if (s?.enabled) {
      const saved = await disable.run(() => put<NotificationSetting>(`/v1/notification-settings/${enc(eventType)}/${enc(channel)}`, { enabled: false }));
      if (saved) load.reload(true);
      return;
    }
    setLastSaved(null);
    setEditing({ eventType, channel });
  };

  return (
    <section>
      <h1>Notifications</h1>
      <p className="lead">Manage your customer notifications. Every notification is off until you enable it.</p>
      {session.user.role !== 'admin' ? <p className="note">You are an agent: notification settings can be changed by admins only.</p> : null}
      <ErrorBox error={disable.error} />
      <Async load={load}>
        {(d) => {
          const settings = new Map(d.settings.map((s) => [cellKey(s.event_type, s.channel), s]));
          const matrix = new Map(d.matrix.map((m) => [cellKey(m.event_type, m.channel), m]));
          const eventTypes = [...new Set([...d.matrix.map((m) => m.event_type), ...d.settings.map((s) => s.event_type)])];
          return (
            <>
              <div className="table-wrap">
                <table className="matrix">
                  <thead>
                    <tr>
                      <th>Event</th>
                      {CHANNELS.map((c) => (
                        <th key={c}>{channelLabel(c)}</th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {eventTypes.map((et) => (
                      <tr key={et}>
                        <th scope="row">
                          <code>{et}</code>
                        </th>
                        {CHANNELS.map((c) => {
                          const m = matrix.get(cellKey(et, c));
                          const s = settings.get(cellKey(et, c));
                          const supported = m?.supported ?? true;
                          const label = `${et} on ${channelLabel(c)}`;
                          if (!supported) {
                            return (
                              <td key={c} className="cell-unsupported">
                                <button type="button" className="toggle" data-testid={`notif-${et}-${c}`} aria-pressed={false} disabled aria-label={`${label}: not supported`} title={m?.reason ?? 'not supported'}>
                                  n/a
                                </button>
                                <span className="reason">{m?.reason ?? 'not supported'}</span>
                              </td>
                            );
                          }
                          const on = s?.enabled ?? false;
                          const selected = editing?.eventType === et && editing.channel === c;
                          return (
                            <td key={c} className={selected ? 'cell-selected' : undefined}>
                              <button
                                type="button"
                                className={on ? 'toggle on' : 'toggle'}
                                data-testid={`notif-${et}-${c}`}
                                aria-pressed={on}
                                aria-label={`${label}: ${on ? 'on, press to turn off' : 'off, press to set up'}`}
                                onClick={() => void toggle(s, et, c)}
                                disabled={disable.busy}
                              >
                                {on ? 'On' : 'Off'}
                              </button>
                              {on ? (
                                <button type="button" className="link small" onClick={() => setEditing({ eventType: et, channel: c })} aria-label={`Edit ${label}`}>
                                  Edit
                                </button>
                              ) : null}
                            </td>
                          );
                        })}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              {editing ? (
                <SettingEditor
                  key={cellKey(editing.eventType, editing.channel)}
                  eventType={editing.eventType}
                  channel={editing.channel}
                  current={settings.get(cellKey(editing.eventType, editing.channel)) ?? null}
                  selection={d.selection.find((x) => x.channel === editing.channel) ?? null}
                  lastSaved={lastSaved}
                  onSaved={(s) => {
                    setLastSaved(s);
                    load.reload(true);
                  }}
                  onClose={() => setEditing(null)}
                />
              ) : null}
            </>
          );
        }}
      </Async>
      <IncorrectReply />
    </section>
  );
}

interface EditorProps {
  eventType: string;
  channel: string;
  current: NotificationSetting | null;
  selection: ChannelSelection | null;
  lastSaved: NotificationSetting | null;
  onSaved: (s: NotificationSetting) => void;
  onClose: () => void;
}

function SettingEditor({ eventType, channel, current, selection, lastSaved, onSaved, onClose }: EditorProps) {
  const id = useId();
  const isWhatsApp = channel === 'whatsapp';
  const account = selection?.accounts.find((a) => a.id === selection.channel_account_id) ?? null;
  const shared = account?.owner === 'platform';
  const tpl = current?.template ?? null;
  const [templateName, setTemplateName] = useState(isWhatsApp && tpl?.name && tpl.name !== 'builtin' ? tpl.name : '');
  const [language, setLanguage] = useState(tpl?.language ?? (isWhatsApp ? 'en_US' : 'en'));
  const [ownText, setOwnText] = useState(Boolean(tpl?.body));
  const [body, setBody] = useState(tpl?.body ?? '');
  const [subject, setSubject] = useState(tpl?.subject ?? '');
  const [vars, setVars] = useState<Array<[string, string]>>(Object.entries(current?.variables ?? {}));
  const [confirm, setConfirm] = useState(false);
  const save = useAction();
  const variables = useLoad(isWhatsApp ? 'variables' : null, () => get<List<NotificationVariable>>('/v1/notification-variables'));

  const buildTemplate = () => {
    if (isWhatsApp) return { name: templateName.trim(), language: language.trim() || 'en_US' };
    if (ownText) return channel === 'email' ? { body, subject } : { body };
    return { language };
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const payload: Record<string, unknown> = { enabled: true, template: buildTemplate() };
    if (isWhatsApp) payload.variables = Object.fromEntries(vars.filter(([k, v]) => k.trim() && v));
    if (shared) payload.confirm_charges = confirm;
    const saved = await save.run(() => put<NotificationSetting>(`/v1/notification-settings/${enc(eventType)}/${enc(channel)}`, payload));
    if (saved) onSaved(saved);
  };

  const preview = lastSaved && lastSaved.event_type === eventType && lastSaved.channel === channel ? lastSaved : null;

  return (
    <form className="card editor" onSubmit={(e) => void submit(e)} aria-labelledby={`${id}-title`} data-testid="notif-editor">
      <h2 id={`${id}-title`}>
        <code>{eventType}</code> on {channelLabel(channel)}
      </h2>
      <p className="muted">
        Sent through: {account ? `${account.name} (${account.owner === 'platform' ? 'shared account' : 'your account'})` : 'no account installed — connect one under Integrations'}
      </p>
      {isWhatsApp ? (
        <>
          <div className="grid">
            <div className="field">
              <label htmlFor={`${id}-tpl`}>Approved template name</label>
              <input id={`${id}-tpl`} data-testid="notif-template-name" value={templateName} onChange={(e) => setTemplateName(e.target.value)} required />
              <p className="hint">Checked with the provider when you save: it must be APPROVED.</p>
            </div>
            <div className="field">
              <label htmlFor={`${id}-lang`}>Template language</label>
              <input id={`${id}-lang`} data-testid="notif-template-language" value={language} onChange={(e) => setLanguage(e.target.value)} />
            </div>
          </div>
          <fieldset>
            <legend>Variables (placeholder → value)</legend>
            {vars.map(([k, v], i) => (
              <div className="inline" key={i}>
                <label className="sr-only" htmlFor={`${id}-ph-${i}`}>
                  Placeholder
                </label>
                <input id={`${id}-ph-${i}`} className="short" value={k} onChange={(e) => setVars(vars.map((p, j) => (j === i ? [e.target.value, p[1]] : p)))} placeholder="1" />
                <label className="sr-only" htmlFor={`${id}-var-${i}`}>
                  Variable for placeholder {k}
                </label>
                <select id={`${id}-var-${i}`} value={v} onChange={(e) => setVars(vars.map((p, j) => (j === i ? [p[0], e.target.value] : p)))}>
                  <option value="">Choose…</option>
                  {(variables.data?.data ?? []).map((x) => (
                    <option key={x.key} value={x.key}>
                      {x.label} ({x.key})
                    </option>
                  ))}
                  {v && !(variables.data?.data ?? []).some((x) => x.key === v) ? <option value={v}>{v}</option> : null}
                </select>
                <button type="button" className="small" onClick={() => setVars(vars.filter((_, j) => j !== i))} aria-label={`Remove placeholder ${k}`}>
                  Remove
                </button>
              </div>
            ))}
            <button type="button" className="small" onClick={() => setVars([...vars, [String(vars.length + 1), '']])}>
              Add variable
            </button>
            {variables.loading ? <Loading label="Loading variables…" /> : null}
          </fieldset>
        </>
      ) : (
        <fieldset>
          <legend>Text</legend>
          <div className="inline">
            <input type="radio" id={`${id}-builtin`} name={`${id}-mode`} checked={!ownText} onChange={() => setOwnText(false)} />
            <label htmlFor={`${id}-builtin`}>Built-in text in</label>
            <label className="sr-only" htmlFor={`${id}-lang`}>
              Language
            </label>
            <select id={`${id}-lang`} data-testid="notif-language" value={language} onChange={(e) => setLanguage(e.target.value)} disabled={ownText}>
              {TEXT_LANGUAGES.map((l) => (
                <option key={l.code} value={l.code}>
                  {l.label}
                </option>
              ))}
            </select>
          </div>
          <div className="inline">
            <input type="radio" id={`${id}-own`} name={`${id}-mode`} checked={ownText} onChange={() => setOwnText(true)} data-testid="notif-own-text" />
            <label htmlFor={`${id}-own`}>My own text (Liquid, e.g. {'{{ customer_name }}'})</label>
          </div>
          {ownText ? (
            <>
              {channel === 'email' ? (
                <div className="field">
                  <label htmlFor={`${id}-subject`}>Subject</label>
                  <input id={`${id}-subject`} value={subject} onChange={(e) => setSubject(e.target.value)} />
                </div>
              ) : null}
              <div className="field">
                <label htmlFor={`${id}-body`}>Text</label>
                <textarea id={`${id}-body`} data-testid="notif-body" rows={4} value={body} onChange={(e) => setBody(e.target.value)} required />
              </div>
            </>
          ) : null}
        </fieldset>
      )}
      {shared ? (
        <div className="inline confirm">
          <input type="checkbox" id={`${id}-charges`} data-testid="notif-confirm-charges" checked={confirm} onChange={(e) => setConfirm(e.target.checked)} />
          <label htmlFor={`${id}-charges`}>I accept the extra charge for notifications sent through the shared account {account?.name}.</label>
        </div>
      ) : null}
      {current?.charges_confirmed_at ? <p className="muted">Charges confirmed by {current.charges_confirmed_by ?? 'someone'} on {new Date(current.charges_confirmed_at).toLocaleString()}.</p> : null}
      <ErrorBox error={save.error} />
      <div className="actions">
        <button type="submit" className="primary" data-testid="notif-save" disabled={save.busy}>
          {save.busy ? 'Checking…' : current?.enabled ? 'Save' : 'Enable'}
        </button>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
      {preview ? (
        <div className="preview" data-testid="notif-preview">
          <h3>Preview {preview.template_status ? <span className="muted">({preview.template_status})</span> : null}</h3>
          <pre>{preview.preview ?? 'The provider gave no text to preview.'}</pre>
        </div>
      ) : null}
      {current?.enabled || preview ? <TestSend eventType={eventType} channel={channel} /> : null}
    </form>
  );
}

function TestSend({ eventType, channel }: { eventType: string; channel: string }) {
  const [to, setTo] = useState('');
  const [result, setResult] = useState<TestSendResult | null>(null);
  const action = useAction();
  const id = useId();
  const send = async () => {
    setResult(null);
    const r = await action.run(() => post<TestSendResult>(`/v1/notification-settings/${enc(eventType)}/${enc(channel)}/test-send`, { to: to.trim() }));
    if (r) setResult(r);
  };
  const placeholder = channel === 'email' ? 'name@example.com' : channel === 'line' ? 'U… user id' : channel === 'messenger' ? 'PSID' : '+44…';
  return (
    <div className="test-send">
      <h3>Test send</h3>
      <div className="inline">
        <label htmlFor={`${id}-to`}>Send to</label>
        <input id={`${id}-to`} data-testid="notif-test-to" value={to} onChange={(e) => setTo(e.target.value)} placeholder={placeholder} />
        <button type="button" data-testid="notif-test-send" onClick={() => void send()} disabled={action.busy || !to.trim()}>
          {action.busy ? 'Sending…' : 'Send test'}
        </button>
      </div>
      <ErrorBox error={action.error} />
      {result ? (
        <p role="status" data-testid="notif-test-result">
          Test message {result.status}
          {result.reason ? `: ${result.reason}` : ''}.
        </p>
      ) : null}
    </div>
  );
}

function IncorrectReply() {
  const load = useLoad('chat-settings', () => get<ChatSettings>('/v1/chat-settings'));
  const [enabled, setEnabled] = useState(false);
  const [text, setText] = useState('');
  const [saved, setSaved] = useState(false);
  const action = useAction();
  const id = useId();

  useEffect(() => {
    if (load.data) {
      setEnabled(load.data.incorrect_reply.enabled);
      setText(load.data.incorrect_reply.text);
    }
  }, [load.data]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setSaved(false);
    const r = await action.run(() => put<ChatSettings>('/v1/chat-settings', { incorrect_reply: { enabled, text } }));
    if (r) setSaved(true);
  };

  return (
    <section aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>Manage the unexpected</h2>
      <p className="lead">Send a message to the customer when they reply something the conversation did not expect.</p>
      <Async load={load}>
        {() => (
          <form className="card" onSubmit={(e) => void submit(e)}>
            <div className="inline">
              <input type="checkbox" id={`${id}-en`} data-testid="incorrect-reply-enabled" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />
              <label htmlFor={`${id}-en`}>Send a notification when an incorrect reply is received</label>
            </div>
            <div className="field">
              <label htmlFor={`${id}-text`}>Message</label>
              <textarea id={`${id}-text`} data-testid="incorrect-reply-text" rows={3} value={text} onChange={(e) => setText(e.target.value)} />
            </div>
            <ErrorBox error={action.error} />
            <button type="submit" className="primary" data-testid="incorrect-reply-save" disabled={action.busy}>
              Save
            </button>
            {saved ? (
              <span role="status" className="ok">
                {' '}
                Saved.
              </span>
            ) : null}
          </form>
        )}
      </Async>
    </section>
  );
}
