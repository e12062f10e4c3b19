// "Set up notifications": event types × channels, off by default. A cell opens its editor in a side panel: pick
// an approved template (or the built-in text), map its placeholders, and see the message as customers will read
// it, in the shop's currency and language, before turning it on.
import { useEffect, useId, useRef, useState } from 'react';
import type { FormEvent } from 'react';
import { enc, get, patch, post, put } from '../api';
import type { Session } from '../api';
import type { ChannelSelection, List, NotificationSetting, NotificationVariable, TestSendResult } from '../types';
import { CHANNELS, channelLabel } from '../types';
import { Async, ErrorBox, Loading, errorMessage, useAction, useLoad } from '../ui';
import { ConfirmDialog, SidePanel, fieldErrors } from '../panels';

const TEXT_LANGUAGES = [
  { code: 'en', label: 'English' },
  { code: 'zh-Hant', label: 'Traditional Chinese' },
  { code: 'pl', label: 'Polish' },
];

const CURRENCIES = ['USD', 'EUR', 'GBP', 'TWD', 'HKD', 'INR', 'PLN', 'JPY', 'SGD', 'MYR', 'AUD', 'CAD'];

interface MatrixCell {
  event_type: string;
  event_label?: string;
  channel: string;
  supported: boolean;
  platforms: string[];
  reason: string | null;
}

interface WorkspaceInfo {
  id: string;
  name: string;
  currency?: string | null;
  language?: string | null;
}

interface ProviderTemplate {
  id: string | null;
  name: string;
  language: string;
  status: string;
  category: string | null;
  body: string | null;
  placeholders: string[];
}

interface Preview {
  preview: string | null;
  template_status: string;
  language: string;
  currency: string | null;
  variables: Record<string, string> | null;
}

interface Data {
  settings: NotificationSetting[];
  matrix: MatrixCell[];
  selection: ChannelSelection[];
  workspace: WorkspaceInfo;
}

async function loadAll(): Promise<Data> {
  const [settings, matrix, selection, workspace] = await Promise.all([
    get<List<NotificationSetting>>('/v1/notification-settings'),
    get<List<MatrixCell>>('/v1/notification-matrix'),
    get<List<ChannelSelection>>('/v1/channel-selection'),
    get<WorkspaceInfo>('/v1/workspace'),
  ]);
  return { settings: settings.data, matrix: matrix.data, selection: selection.data, workspace };
}

const cellKey = (eventType: string, channel: string) => `${eventType}|${channel}`;

/** "order.out_for_delivery" → "Order out for delivery", when the hub gave no label. */
const humanize = (code: string): string => {
  const s = code.replace(/[._]/g, ' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
};

const languageLabel = (code: string): string => TEXT_LANGUAGES.find((l) => l.code === code)?.label ?? code;

/** The reasons a cell is not available, grouped: the same reason is explained once, under the table. */
function groupReasons(matrix: MatrixCell[], label: (et: string) => string): Array<{ letter: string; text: string; cells: string[]; keys: Set<string> }> {
  const groups = new Map<string, { text: string; cells: string[]; keys: Set<string> }>();
  for (const m of matrix) {
    if (m.supported) continue;
    const promotional = /promotional/i.test(m.reason ?? '');
    const id = promotional ? 'promotional' : 'no-source';
    const text = promotional ? (m.reason ?? 'Not allowed on this channel') : 'No store platform or hub feature sends this event on this channel';
    const g = groups.get(id) ?? { text, cells: [], keys: new Set<string>() };
    g.cells.push(`${label(m.event_type)} on ${channelLabel(m.channel)}`);
    g.keys.add(cellKey(m.event_type, m.channel));
    groups.set(id, g);
  }
  return [...groups.values()].map((g, i) => ({ letter: String.fromCharCode(65 + i), ...g }));
}

export function NotificationsPage({ session }: { session: Session }) {
  const isAdmin = session.user.role === 'admin';
  const load = useLoad('notifications', loadAll);
  const [editing, setEditing] = useState<{ eventType: string; channel: string } | null>(null);
  const cellButtons = useRef(new Map<string, HTMLButtonElement>());

  const closeEditor = () => {
    const key = editing ? cellKey(editing.eventType, editing.channel) : null;
    setEditing(null);
    if (key) window.setTimeout(() => cellButtons.current.get(key)?.focus(), 0);
  };

  return (
    <section>
      <h1>Notifications</h1>
      <p className="lead">Messages your customers get when something happens to their order. Every notification is off until you turn it on.</p>
      {!isAdmin ? <p className="note">Only admins can change notifications. You can see which ones are on.</p> : null}
      <Async load={load}>
        {(d) => {
          const settings = new Map(d.settings.map((s) => [cellKey(s.event_type, s.channel), s]));
          const matrix = new Map(d.matrix.map((m) => [cellKey(m.event_type, m.channel), m]));
          const labels = new Map(d.matrix.map((m) => [m.event_type, m.event_label ?? humanize(m.event_type)]));
          const label = (et: string) => labels.get(et) ?? humanize(et);
          const eventTypes = [...new Set([...d.matrix.map((m) => m.event_type), ...d.settings.map((s) => s.event_type)])];
          const reasons = groupReasons(d.matrix, label);
          const letterOf = (key: string) => reasons.find((r) => r.keys.has(key))?.letter ?? '';
          return (
            <>
              {isAdmin ? <ShopLocale workspace={d.workspace} onSaved={() => load.reload(true)} /> : null}
              <div className="table-wrap">
                <table className="matrix">
                  <caption className="sr-only">Notifications by event and channel</caption>
                  <thead>
                    <tr>
                      <th scope="col">Event</th>
                      {CHANNELS.map((c) => (
                        <th key={c} scope="col">
                          {channelLabel(c)}
                        </th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {eventTypes.map((et) => (
                      <tr key={et}>
                        <th scope="row" data-testid={`event-${et}`}>
                          <span className="event-name">{label(et)}</span>
                          <span className="event-code">{et}</span>
                        </th>
                        {CHANNELS.map((c) => {
                          const key = cellKey(et, c);
                          const m = matrix.get(key);
                          const s = settings.get(key);
                          if (m && !m.supported) {
                            const letter = letterOf(key);
                            return (
                              <td key={c} className="cell-unsupported" data-testid={`notif-na-${et}-${c}`}>
                                <span aria-hidden="true">n/a</span>
                                <sup aria-hidden="true">{letter}</sup>
                                <span className="sr-only">Not available, see reason {letter} below the table</span>
                              </td>
                            );
                          }
                          const on = s?.enabled ?? false;
                          const selected = editing?.eventType === et && editing.channel === c;
                          if (!isAdmin) {
                            return (
                              <td key={c} data-testid={`notif-${et}-${c}`}>
                                <span className={on ? 'state on' : 'state'}>{on ? 'On' : 'Off'}</span>
                              </td>
                            );
                          }
                          return (
                            <td key={c} className={selected ? 'cell-selected' : undefined}>
                              <button
                                type="button"
                                ref={(el) => {
                                  if (el) cellButtons.current.set(key, el);
                                  else cellButtons.current.delete(key);
                                }}
                                className={on ? 'toggle on' : 'toggle'}
                                data-testid={`notif-${et}-${c}`}
                                aria-haspopup="dialog"
                                aria-expanded={selected}
                                aria-label={`${label(et)} on ${channelLabel(c)}: ${on ? 'on' : 'off'}. ${on ? 'Edit' : 'Set up'}`}
                                onClick={() => setEditing({ eventType: et, channel: c })}
                              >
                                {on ? 'On' : 'Off'}
                              </button>
                            </td>
                          );
                        })}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              {reasons.length ? (
                <section className="card na-legend" aria-labelledby="na-legend-title" data-testid="na-legend">
                  <h2 id="na-legend-title">Why some notifications are not available (n/a)</h2>
                  <dl>
                    {reasons.map((r) => (
                      <div key={r.letter} className="na-reason" data-testid="na-reason">
                        <dt>
                          {r.letter}. {r.text}.
                        </dt>
                        <dd>
                          <details>
                            <summary>
                              {r.cells.length} {r.cells.length === 1 ? 'notification' : 'notifications'}
                            </summary>
                            <p className="muted">{r.cells.join(', ')}.</p>
                          </details>
                        </dd>
                      </div>
                    ))}
                  </dl>
                </section>
              ) : null}
              {editing ? (
                <SidePanel titleId="notif-editor-title" onClose={closeEditor} testid="notif-editor">
                  <SettingEditor
                    key={cellKey(editing.eventType, editing.channel)}
                    titleId="notif-editor-title"
                    eventType={editing.eventType}
                    eventName={label(editing.eventType)}
                    channel={editing.channel}
                    current={settings.get(cellKey(editing.eventType, editing.channel)) ?? null}
                    selection={d.selection.find((x) => x.channel === editing.channel) ?? null}
                    workspace={d.workspace}
                    onSaved={() => load.reload(true)}
                    onClose={closeEditor}
                  />
                </SidePanel>
              ) : null}
            </>
          );
        }}
      </Async>
    </section>
  );
}

/** The shop's currency and language: previews and sample amounts use them. */
function ShopLocale({ workspace, onSaved }: { workspace: WorkspaceInfo; onSaved: () => void }) {
  const id = useId();
  const [currency, setCurrency] = useState(workspace.currency ?? '');
  const [language, setLanguage] = useState(workspace.language ?? 'en');
  const [saved, setSaved] = useState(false);
  const action = useAction();
  const fieldError = fieldErrors(action.error)['currency'] ?? null;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setSaved(false);
    const r = await action.run(() => patch<WorkspaceInfo>('/v1/workspace', { currency: currency.trim() || null, language }));
    if (r) {
      setSaved(true);
      onSaved();
    }
  };
  return (
    <form className="card shop-locale" onSubmit={(e) => void submit(e)} aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>Your shop’s currency and language</h2>
      <p className="hint">Previews show amounts in this currency and built-in texts in this language.</p>
      <div className="grid">
        <div className="field">
          <label htmlFor={`${id}-cur`}>Currency</label>
          <input id={`${id}-cur`} data-testid="shop-currency" list={`${id}-curs`} className="short" value={currency} maxLength={3} onChange={(e) => setCurrency(e.target.value.toUpperCase())} aria-invalid={fieldError ? true : undefined} aria-describedby={fieldError ? `${id}-cur-err` : undefined} />
          <datalist id={`${id}-curs`}>
            {CURRENCIES.map((c) => (
              <option key={c} value={c} />
            ))}
          </datalist>
          {fieldError ? (
            <p className="error-text" id={`${id}-cur-err`}>
              {fieldError}
            </p>
          ) : null}
        </div>
        <div className="field">
          <label htmlFor={`${id}-lang`}>Language</label>
          <select id={`${id}-lang`} data-testid="shop-language" value={language} onChange={(e) => setLanguage(e.target.value)}>
            {TEXT_LANGUAGES.map((l) => (
              <option key={l.code} value={l.code}>
                {l.label}
              </option>
            ))}
          </select>
        </div>
      </div>
      {!fieldError ? <ErrorBox error={action.error} /> : null}
      <div className="actions">
        <button type="submit" data-testid="shop-locale-save" disabled={action.busy}>
          Save currency and language
        </button>
        {saved ? (
          <span role="status" className="ok">
            Saved.
          </span>
        ) : null}
      </div>
    </form>
  );
}

interface EditorProps {
  titleId: string;
  eventType: string;
  eventName: string;
  channel: string;
  current: NotificationSetting | null;
  selection: ChannelSelection | null;
  workspace: WorkspaceInfo;
  onSaved: (s: NotificationSetting) => void;
  onClose: () => void;
}

function SettingEditor({ titleId, eventType, eventName, channel, current, selection, workspace, onSaved, onClose }: EditorProps) {
  const id = useId();
  const isWhatsApp = channel === 'whatsapp';
  const account = selection?.accounts.find((a) => a.id === selection.channel_account_id) ?? null;
  const shared = account?.owner === 'platform';
  const tpl = current?.template ?? null;
  const enabled = current?.enabled ?? false;
  const [templateKey, setTemplateKey] = useState(isWhatsApp && tpl?.name && tpl.name !== 'builtin' ? `${tpl.name}|${tpl.language}` : '');
  const [language, setLanguage] = useState(!isWhatsApp ? (tpl?.language ?? workspace.language ?? 'en') : '');
  const [ownText, setOwnText] = useState(Boolean(tpl?.body));
  const [body, setBody] = useState(tpl?.body ?? '');
  const [subject, setSubject] = useState(tpl?.subject ?? '');
  const [vars, setVars] = useState<Record<string, string>>(current?.variables ?? {});
  const [confirm, setConfirm] = useState(false);
  const [askOff, setAskOff] = useState(false);
  const [savedNote, setSavedNote] = useState<string | null>(null);
  const save = useAction();
  const off = useAction();
  const templates = useLoad(isWhatsApp && account ? `templates-${account.id}` : null, () => get<List<ProviderTemplate>>(`/v1/channel-accounts/${enc(account!.id)}/templates`));
  const variables = useLoad(isWhatsApp ? `variables-${eventType}` : null, () => get<List<NotificationVariable>>(`/v1/notification-variables?event_type=${enc(eventType)}`));
  const approved = (templates.data?.data ?? []).filter((t) => t.status === 'APPROVED');
  const others = (templates.data?.data ?? []).filter((t) => t.status !== 'APPROVED');
  const chosen = approved.find((t) => `${t.name}|${t.language}` === templateKey) ?? null;

  const buildTemplate = (): Record<string, string> | null => {
    if (isWhatsApp) return chosen ? { name: chosen.name, language: chosen.language } : null;
    if (ownText) return channel === 'email' ? { body, subject } : { body };
    return { name: 'builtin', language };
  };

  // The live preview, rendered by the hub with the sample values, before anything is saved.
  const [preview, setPreview] = useState<Preview | null>(null);
  const [previewError, setPreviewError] = useState<unknown>(null);
  const template = buildTemplate();
  const mapped = chosen ? Object.fromEntries(Object.entries(vars).filter(([k, v]) => chosen.placeholders.includes(k) && v)) : {};
  const previewInput = JSON.stringify({ template, variables: isWhatsApp ? mapped : undefined });
  useEffect(() => {
    if (!template || (ownText && !body.trim())) {
      setPreview(null);
      setPreviewError(null);
      return;
    }
    let stale = false;
    const timer = window.setTimeout(() => {
      post<Preview>(`/v1/notification-settings/${enc(eventType)}/${enc(channel)}/preview`, JSON.parse(previewInput) as unknown).then(
        (p) => {
          if (stale) return;
          setPreview(p);
          setPreviewError(null);
          // The placeholders the hub filled by default show in the pickers.
          if (p.variables) setVars((v) => ({ ...p.variables, ...v }));
        },
        (e: unknown) => {
          if (!stale) setPreviewError(e);
        },
      );
    }, 250);
    return () => {
      stale = true;
      window.clearTimeout(timer);
    };
  }, [previewInput]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setSavedNote(null);
    const payload: Record<string, unknown> = { enabled: true, template: buildTemplate() };
    if (isWhatsApp) payload.variables = mapped;
    if (shared) payload.confirm_charges = confirm;
    const saved = await save.run(() => put<NotificationSetting>(`/v1/notification-settings/${enc(eventType)}/${enc(channel)}`, payload));
    if (saved) {
      setSavedNote(enabled ? 'Saved.' : `${eventName} on ${channelLabel(channel)} is on.`);
      onSaved(saved);
    }
  };

  const turnOff = async () => {
    const saved = await off.run(() => put<NotificationSetting>(`/v1/notification-settings/${enc(eventType)}/${enc(channel)}`, { enabled: false }));
    setAskOff(false);
    if (saved) {
      setSavedNote(`${eventName} on ${channelLabel(channel)} is off.`);
      onSaved(saved);
    }
  };

  const variableOptions = variables.data?.data ?? [];

  return (
    <form className="editor" onSubmit={(e) => void submit(e)} aria-labelledby={titleId}>
      <div className="panel-head">
        <h2 id={titleId} tabIndex={-1}>
          {eventName} on {channelLabel(channel)}
        </h2>
        <button type="button" className="small" onClick={onClose} aria-label="Close the editor" data-testid="notif-close">
          Close
        </button>
      </div>
      <p className="muted editor-status">
        <span className="event-code">{eventType}</span> · {enabled ? 'On: customers get this notification' : 'Off'}
      </p>
      <p className="muted">
        Sent through: {account ? `${account.name} (${account.owner === 'platform' ? 'shared account' : 'your account'})` : 'no account connected yet. Connect one under Integrations.'}
      </p>
      {isWhatsApp ? (
        <>
          <div className="field">
            <label htmlFor={`${id}-tpl`}>Approved template</label>
            {templates.loading ? <Loading label="Loading your templates…" /> : null}
            <ErrorBox error={templates.error} />
            <select
              id={`${id}-tpl`}
              data-testid="notif-template"
              value={templateKey}
              onChange={(e) => {
                setTemplateKey(e.target.value);
                // Another template has other placeholders: start from the saved mapping or the hub's defaults.
                setVars(tpl?.name && e.target.value === `${tpl.name}|${tpl.language}` ? (current?.variables ?? {}) : {});
              }}
              required
              disabled={!account}
            >
              <option value="">Choose a template…</option>
              {approved.map((t) => (
                <option key={`${t.name}|${t.language}`} value={`${t.name}|${t.language}`}>
                  {t.name} ({t.language})
                </option>
              ))}
            </select>
            <p className="hint">Only templates the provider has approved can be sent.</p>
            {others.length ? (
              <p className="hint" data-testid="notif-unapproved">
                Not approved yet: {others.map((t) => `${t.name} (${t.language}, ${t.status.toLowerCase()})`).join(', ')}.
              </p>
            ) : null}
            {templates.data && approved.length === 0 ? <p className="warning">This account has no approved templates yet. Create one with your provider and wait for approval.</p> : null}
          </div>
          {chosen && chosen.placeholders.length ? (
            <fieldset>
              <legend>Fill the template’s placeholders</legend>
              {variables.loading ? <Loading label="Loading fields…" /> : null}
              {chosen.placeholders.map((ph) => (
                <div className="field" key={ph}>
                  <label htmlFor={`${id}-var-${ph}`}>{`Placeholder {{${ph}}}`}</label>
                  <select id={`${id}-var-${ph}`} data-testid={`notif-var-${ph}`} value={vars[ph] ?? ''} onChange={(e) => setVars({ ...vars, [ph]: e.target.value })}>
                    <option value="">Choose a field…</option>
                    {variableOptions.map((x) => (
                      <option key={x.key} value={x.key}>
                        {x.label}
                        {x.sample ? ` (e.g. ${x.sample})` : ''}
                      </option>
                    ))}
                  </select>
                </div>
              ))}
            </fieldset>
          ) : null}
        </>
      ) : (
        <fieldset>
          <legend>Text</legend>
          <div className="inline">
            <input type="radio" id={`${id}-builtin`} name={`${id}-mode`} checked={!ownText} onChange={() => setOwnText(false)} />
            <label htmlFor={`${id}-builtin`}>Built-in text</label>
          </div>
          <div className="field indent">
            <label htmlFor={`${id}-lang`}>Language of the built-in text</label>
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
            <label htmlFor={`${id}-own`}>My own text</label>
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
                <textarea id={`${id}-body`} data-testid="notif-body" rows={4} value={body} onChange={(e) => setBody(e.target.value)} required aria-describedby={`${id}-body-hint`} />
                <p className="hint" id={`${id}-body-hint`}>
                  Insert order details with double braces, for example {'{{ customer_name }}'} or {'{{ order_total }}'}.
                </p>
              </div>
            </>
          ) : null}
        </fieldset>
      )}
      <section className="preview" aria-labelledby={`${id}-pv`} data-testid="notif-preview">
        <h3 id={`${id}-pv`}>Preview</h3>
        {preview ? (
          <>
            <p className="hint" data-testid="notif-preview-meta">
              {isWhatsApp ? `Template language ${preview.language}` : `In ${languageLabel(preview.language)}`}
              {preview.currency ? `, amounts in ${preview.currency}` : ', sample amounts (set your currency above)'}. Filled with sample values.
            </p>
            <pre data-testid="notif-preview-text">{preview.preview ?? 'The provider gave no text to preview.'}</pre>
          </>
        ) : previewError ? (
          <p className="error-text" role="alert">
            {errorMessage(previewError)}
          </p>
        ) : (
          <p className="muted">{isWhatsApp ? 'Choose a template to see the message.' : 'Write your text to see the message.'}</p>
        )}
      </section>
      {shared ? (
        <div className="inline confirm">
          <input type="checkbox" id={`${id}-charges`} data-testid="notif-confirm-charges" checked={confirm} onChange={(e) => setConfirm(e.target.checked)} />
          <label htmlFor={`${id}-charges`}>I accept the extra charge for notifications sent through the shared account {account?.name}.</label>
        </div>
      ) : null}
      {current?.charges_confirmed_at ? <p className="muted">Charges confirmed by {current.charges_confirmed_by ?? 'someone'} on {new Date(current.charges_confirmed_at).toLocaleString()}.</p> : null}
      <ErrorBox error={save.error ?? off.error} />
      {savedNote ? (
        <p role="status" className="ok" data-testid="notif-saved">
          {savedNote}
        </p>
      ) : null}
      <div className="actions">
        <button type="submit" className="primary" data-testid="notif-save" disabled={save.busy || !account}>
          {save.busy ? 'Checking…' : enabled ? 'Save changes' : 'Turn on'}
        </button>
        {enabled ? (
          <button type="button" className="danger" data-testid="notif-turn-off" onClick={() => setAskOff(true)}>
            Turn off
          </button>
        ) : null}
      </div>
      {enabled ? <TestSend eventType={eventType} channel={channel} /> : null}
      {askOff ? (
        <ConfirmDialog title={`Turn off ${eventName} on ${channelLabel(channel)}?`} confirmLabel="Turn off" onConfirm={() => void turnOff()} onCancel={() => setAskOff(false)} busy={off.busy} testid="notif-confirm-off">
          <p>This notification is live: customers stop getting it as soon as you turn it off. Its template and settings are kept.</p>
        </ConfirmDialog>
      ) : null}
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
  const hint = channel === 'email' ? 'An e-mail address' : channel === 'line' ? 'A LINE user id' : channel === 'messenger' ? 'A Messenger user id' : 'A phone number with its country code, e.g. +44 7700 900123';
  return (
    <div className="test-send">
      <h3>Send a test</h3>
      <div className="field">
        <label htmlFor={`${id}-to`}>Send to</label>
        <input id={`${id}-to`} data-testid="notif-test-to" value={to} onChange={(e) => setTo(e.target.value)} aria-describedby={`${id}-to-hint`} />
        <p className="hint" id={`${id}-to-hint`}>
          {hint}.
        </p>
      </div>
      <button type="button" data-testid="notif-test-send" onClick={() => void send()} disabled={action.busy || !to.trim()}>
        {action.busy ? 'Sending…' : 'Send test'}
      </button>
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
