// "Chat & loyalty": how the bot answers in chat. The welcome menu and the flow modules with their buttons, what
// it says to text it does not understand, account linking (store, verification, terms) and the loyalty programme.
import { useEffect, useId, useRef, useState } from 'react';
import type { FormEvent } from 'react';
import { del, enc, get, post, put } from '../api';
import type { List, StoreConnection } from '../types';
import { Async, ErrorBox, useAction, useLoad } from '../ui';
import { ConfirmDialog, FieldError, SidePanel, fieldErrors } from '../panels';

type OnClick = { kind: 'module'; module_id: string } | { kind: 'url'; url: string } | { kind: 'action'; action: string };

interface FlowButton {
  id: string;
  title: string;
  on_click: OnClick;
}

interface FlowModule {
  id: string;
  name: string;
  text: string;
  keywords: string[];
  buttons: FlowButton[];
}

interface Prize {
  id: string;
  name: string;
  cost: number;
  reward: { kind: 'store_coupon'; value: string } | { kind: 'code'; code: string };
}

interface ChatConfig {
  welcome_module_id: string | null;
  incorrect_reply: { enabled: boolean; text: string };
  unknown_text?: 'menu' | 'nothing';
  escalate_after: number;
  state_ttl_minutes: number;
  linking: { store_connection_id: string | null; verify_by: 'sms' | 'email'; terms_url: string | null };
  loyalty: { enabled: boolean; points_per_unit: string; signup_bonus: number; prizes: Prize[] };
}

const ACTIONS: Array<{ value: string; label: string }> = [
  { value: 'link_account', label: 'Link my store account' },
  { value: 'unlink_account', label: 'Unlink my store account' },
  { value: 'my_orders', label: 'Show my orders' },
  { value: 'loyalty_join', label: 'Join the rewards programme' },
  { value: 'loyalty_balance', label: 'Show my points' },
  { value: 'loyalty_claim', label: 'Claim points for an order' },
  { value: 'loyalty_prizes', label: 'Show the prizes' },
  { value: 'talk_to_agent', label: 'Talk to an agent' },
];

interface Data {
  settings: ChatConfig;
  modules: FlowModule[];
  stores: StoreConnection[];
}

async function loadAll(): Promise<Data> {
  const [settings, modules, stores] = await Promise.all([get<ChatConfig>('/v1/chat-settings'), get<List<FlowModule>>('/v1/flow-modules'), get<List<StoreConnection>>('/v1/store-connections')]);
  return { settings, modules: modules.data, stores: stores.data };
}

/** A form's onChange: the edited field (its data-field) loses its problem, shown until then next to it. */
function clearOnEdit(setLocal: (fn: (l: Record<string, string>) => Record<string, string>) => void, action: { error: unknown; clear: () => void }) {
  return (e: FormEvent<HTMLFormElement>) => {
    const f = (e.target as HTMLElement).dataset['field'];
    if (!f) return;
    setLocal((l) => Object.fromEntries(Object.entries(l).filter(([k]) => k !== f)));
    if (fieldErrors(action.error)[f]) action.clear();
  };
}

const isUrl = (v: string) => /^https?:\/\/[^\s/]+\.[^\s]+$/i.test(v.trim());

export function ChatSettingsPage() {
  const load = useLoad('chat-settings-page', loadAll);
  return (
    <section>
      <h1>Chat &amp; loyalty</h1>
      <p className="lead">How the bot answers your customers in chat: the menu it shows, its buttons, account linking and your rewards programme.</p>
      <Async load={load}>
        {(d) => (
          <>
            <BotAnswers settings={d.settings} modules={d.modules} onSaved={() => load.reload(true)} />
            <Modules modules={d.modules} welcomeId={d.settings.welcome_module_id} onChanged={() => load.reload(true)} />
            <Linking settings={d.settings} stores={d.stores} onSaved={() => load.reload(true)} />
            <Loyalty settings={d.settings} onSaved={() => load.reload(true)} />
          </>
        )}
      </Async>
    </section>
  );
}

function Saved({ show }: { show: boolean }) {
  return show ? (
    <span role="status" className="ok">
      Saved.
    </span>
  ) : null;
}

/** The welcome menu and what the bot does with text it does not understand. */
function BotAnswers({ settings, modules, onSaved }: { settings: ChatConfig; modules: FlowModule[]; onSaved: () => void }) {
  const id = useId();
  const [welcome, setWelcome] = useState(settings.welcome_module_id ?? '');
  const [unknown, setUnknown] = useState<'menu' | 'nothing'>(settings.unknown_text ?? 'menu');
  const [incorrectOn, setIncorrectOn] = useState(settings.incorrect_reply.enabled);
  const [incorrectText, setIncorrectText] = useState(settings.incorrect_reply.text);
  const [escalate, setEscalate] = useState(String(settings.escalate_after));
  const [local, setLocal] = useState<Record<string, string>>({});
  const [saved, setSaved] = useState(false);
  const action = useAction();
  const errors = { ...fieldErrors(action.error), ...local };

  useEffect(() => setWelcome(settings.welcome_module_id ?? ''), [settings.welcome_module_id]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setSaved(false);
    const problems: Record<string, string> = {};
    const n = Number(escalate);
    if (!Number.isInteger(n) || n < 1 || n > 20) problems['escalate_after'] = 'Enter a whole number from 1 to 20';
    if (incorrectOn && !incorrectText.trim()) problems['incorrect_reply.text'] = 'Write the message, or turn it off';
    setLocal(problems);
    if (Object.keys(problems).length) return;
    const r = await action.run(() =>
      put<ChatConfig>('/v1/chat-settings', { welcome_module_id: welcome || null, unknown_text: unknown, incorrect_reply: { enabled: incorrectOn, text: incorrectText }, escalate_after: n }),
    );
    if (r) {
      setSaved(true);
      onSaved();
    }
  };

  return (
    <form className="card" onSubmit={(e) => void submit(e)} onChange={clearOnEdit(setLocal, action)} aria-labelledby={`${id}-h`} data-testid="bot-answers" noValidate>
      <h2 id={`${id}-h`}>Welcome menu and unexpected messages</h2>
      <div className="field">
        <label htmlFor={`${id}-welcome`}>Welcome menu</label>
        <select id={`${id}-welcome`} data-testid="welcome-module" value={welcome} onChange={(e) => setWelcome(e.target.value)} aria-describedby={`${id}-welcome-hint`}>
          <option value="">Built-in menu (link account, my orders, talk to an agent)</option>
          {modules.map((m) => (
            <option key={m.id} value={m.id}>
              {m.name}
            </option>
          ))}
        </select>
        <p className="hint" id={`${id}-welcome-hint`}>
          Shown to new customers and when they write “menu” or “hi”.
        </p>
        <FieldError id={`${id}-welcome-err`} text={errors['welcome_module_id']} />
      </div>
      <fieldset>
        <legend>When a customer writes something the bot does not understand</legend>
        <div className="inline">
          <input type="radio" id={`${id}-menu`} name={`${id}-unknown`} checked={unknown === 'menu'} onChange={() => setUnknown('menu')} data-testid="unknown-menu" />
          <label htmlFor={`${id}-menu`}>Reply with the welcome menu (recommended)</label>
        </div>
        <div className="inline">
          <input type="radio" id={`${id}-nothing`} name={`${id}-unknown`} checked={unknown === 'nothing'} onChange={() => setUnknown('nothing')} data-testid="unknown-nothing" />
          <label htmlFor={`${id}-nothing`}>Don’t show the menu</label>
        </div>
        <div className="inline">
          <input type="checkbox" id={`${id}-inc`} data-testid="incorrect-reply-enabled" checked={incorrectOn} onChange={(e) => setIncorrectOn(e.target.checked)} />
          <label htmlFor={`${id}-inc`}>Send this message (before the menu, when it is shown)</label>
        </div>
        <div className="field">
          <label htmlFor={`${id}-inc-text`}>Message for unexpected replies</label>
          <textarea
            id={`${id}-inc-text`}
            data-testid="incorrect-reply-text"
            data-field="incorrect_reply.text"
            rows={2}
            value={incorrectText}
            onChange={(e) => setIncorrectText(e.target.value)}
            aria-invalid={errors['incorrect_reply.text'] ? true : undefined}
            aria-describedby={errors['incorrect_reply.text'] ? `${id}-inc-err` : undefined}
          />
          <FieldError id={`${id}-inc-err`} text={errors['incorrect_reply.text']} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-esc`}>Hand the chat to an agent after this many unexpected messages in a row</label>
          <input
            id={`${id}-esc`}
            className="short"
            inputMode="numeric"
            data-testid="escalate-after"
            data-field="escalate_after"
            value={escalate}
            onChange={(e) => setEscalate(e.target.value)}
            aria-invalid={errors['escalate_after'] ? true : undefined}
            aria-describedby={errors['escalate_after'] ? `${id}-esc-err` : undefined}
          />
          <FieldError id={`${id}-esc-err`} text={errors['escalate_after']} />
        </div>
      </fieldset>
      <ErrorBox error={action.error} />
      <div className="actions">
        <button type="submit" className="primary" data-testid="bot-answers-save" disabled={action.busy}>
          Save
        </button>
        <Saved show={saved} />
      </div>
    </form>
  );
}

/** Flow modules: messages with buttons; each button opens a module, a web page or runs an integrated action. */
function Modules({ modules, welcomeId, onChanged }: { modules: FlowModule[]; welcomeId: string | null; onChanged: () => void }) {
  const id = useId();
  const [editing, setEditing] = useState<FlowModule | 'new' | null>(null);
  const [removing, setRemoving] = useState<FlowModule | null>(null);
  const remove = useAction();
  const opener = useRef<HTMLElement | null>(null);
  const names = new Map(modules.map((m) => [m.id, m.name]));

  const open = (m: FlowModule | 'new', el: HTMLElement) => {
    opener.current = el;
    setEditing(m);
  };
  const close = () => {
    setEditing(null);
    window.setTimeout(() => opener.current?.focus(), 0);
  };
  const confirmRemove = async () => {
    if (!removing) return;
    const gone = removing;
    const ok = await remove.run(async () => {
      await del(`/v1/flow-modules/${enc(gone.id)}`);
      return true;
    });
    setRemoving(null);
    if (ok) onChanged();
  };

  const describe = (b: FlowButton) =>
    b.on_click.kind === 'module' ? `opens “${names.get(b.on_click.module_id) ?? 'a removed module'}”` : b.on_click.kind === 'url' ? `opens ${b.on_click.url}` : (ACTIONS.find((a) => a.value === (b.on_click as { action: string }).action)?.label.toLowerCase() ?? 'runs an action');

  return (
    <section className="card" aria-labelledby={`${id}-h`} data-testid="modules">
      <h2 id={`${id}-h`}>Flow modules</h2>
      <p className="hint">A module is a message with buttons. Customers open it from the menu, from another module’s button, or by writing one of its keywords.</p>
      <ErrorBox error={remove.error} />
      {modules.length === 0 ? (
        <p className="empty">No modules yet. Create one, then choose it as the welcome menu above.</p>
      ) : (
        <ul className="plain module-list">
          {modules.map((m) => (
            <li key={m.id} data-testid="module-row">
              <div className="module-head">
                <strong>{m.name}</strong>
                {m.id === welcomeId ? <span className="badge">Welcome menu</span> : null}
              </div>
              <p className="module-text">{m.text}</p>
              {m.buttons.length ? (
                <ul className="module-buttons">
                  {m.buttons.map((b) => (
                    <li key={b.id}>
                      <span className="chip">{b.title}</span> {describe(b)}
                    </li>
                  ))}
                </ul>
              ) : null}
              {m.keywords.length ? <p className="muted">Keywords: {m.keywords.join(', ')}</p> : null}
              {m.id === welcomeId ? <p className="hint">This is the welcome menu: choose another one above before deleting it.</p> : null}
              <div className="row-actions">
                <button type="button" className="small" onClick={(e) => open(m, e.currentTarget)} aria-label={`Edit module ${m.name}`}>
                  Edit
                </button>
                <button type="button" className="small danger" onClick={(e) => {
                  opener.current = e.currentTarget;
                  setRemoving(m);
                }} aria-label={`Delete module ${m.name}`} disabled={m.id === welcomeId}>
                  Delete
                </button>
              </div>
            </li>
          ))}
        </ul>
      )}
      <button type="button" className="primary" data-testid="module-new" onClick={(e) => open('new', e.currentTarget)}>
        New module
      </button>
      {editing ? (
        <SidePanel titleId="module-editor-title" onClose={close} testid="module-editor">
          <ModuleEditor
            module={editing === 'new' ? null : editing}
            modules={modules}
            onClose={close}
            onSaved={() => {
              onChanged();
              close();
            }}
          />
        </SidePanel>
      ) : null}
      {removing ? (
        <ConfirmDialog title={`Delete the module “${removing.name}”?`} confirmLabel="Delete" onConfirm={() => void confirmRemove()} onCancel={() => setRemoving(null)} busy={remove.busy} testid="module-confirm-delete">
          <p>Buttons of other modules that open it stop working. This cannot be undone.</p>
        </ConfirmDialog>
      ) : null}
    </section>
  );
}

interface ButtonDraft {
  key: number;
  id: string;
  title: string;
  kind: 'module' | 'url' | 'action';
  target: string;
}

let draftSeq = 0;

function toDraft(b: FlowButton): ButtonDraft {
  const target = b.on_click.kind === 'module' ? b.on_click.module_id : b.on_click.kind === 'url' ? b.on_click.url : b.on_click.action;
  return { key: ++draftSeq, id: b.id, title: b.title, kind: b.on_click.kind, target };
}

function ModuleEditor({ module, modules, onClose, onSaved }: { module: FlowModule | null; modules: FlowModule[]; onClose: () => void; onSaved: () => void }) {
  const id = useId();
  const [name, setName] = useState(module?.name ?? '');
  const [text, setText] = useState(module?.text ?? '');
  const [keywords, setKeywords] = useState((module?.keywords ?? []).join(', '));
  const [buttons, setButtons] = useState<ButtonDraft[]>((module?.buttons ?? []).map(toDraft));
  const [local, setLocal] = useState<Record<string, string>>({});
  const action = useAction();
  const errors = { ...fieldErrors(action.error), ...local };
  const others = modules.filter((m) => m.id !== module?.id);

  // A field's problem goes away as soon as it is edited.
  const clearErr = (prefix: string) => {
    setLocal((l) => Object.fromEntries(Object.entries(l).filter(([k]) => !k.startsWith(prefix))));
    action.clear();
  };
  const change = (key: number, p: Partial<ButtonDraft>) => {
    const i = buttons.findIndex((b) => b.key === key);
    clearErr(p.title !== undefined ? `buttons.${i}.title` : `buttons.${i}.on_click`);
    setButtons(buttons.map((b) => (b.key === key ? { ...b, ...p } : b)));
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const problems: Record<string, string> = {};
    if (!name.trim()) problems['name'] = 'Give the module a name';
    if (!text.trim()) problems['text'] = 'Write the message customers see';
    buttons.forEach((b, i) => {
      if (!b.title.trim()) problems[`buttons.${i}.title`] = 'Give the button a label';
      else if (b.title.trim().length > 20) problems[`buttons.${i}.title`] = 'Keep the label to 20 characters: WhatsApp and LINE cut longer ones';
      if (b.kind === 'url' && !isUrl(b.target)) problems[`buttons.${i}.on_click.url`] = 'Enter a web address starting with https://';
      if (b.kind === 'module' && !b.target) problems[`buttons.${i}.on_click.module_id`] = 'Choose the module this button opens';
      if (b.kind === 'action' && !b.target) problems[`buttons.${i}.on_click.action`] = 'Choose what this button does';
    });
    setLocal(problems);
    if (Object.keys(problems).length) return;
    const body = {
      name: name.trim(),
      text,
      keywords: keywords
        .split(',')
        .map((k) => k.trim())
        .filter(Boolean),
      buttons: buttons.map((b, i) => ({
        id: b.id || `b${i + 1}`,
        title: b.title.trim(),
        on_click: b.kind === 'module' ? { kind: 'module', module_id: b.target } : b.kind === 'url' ? { kind: 'url', url: b.target.trim() } : { kind: 'action', action: b.target },
      })),
    };
    const r = await action.run(() => (module ? put<FlowModule>(`/v1/flow-modules/${enc(module.id)}`, body) : post<FlowModule>('/v1/flow-modules', body)));
    if (r) onSaved();
  };

  const err = (field: string) => errors[field];
  const describedBy = (field: string, hint?: string) => [err(field) ? `${id}-${field}-err` : null, hint ?? null].filter(Boolean).join(' ') || undefined;
  // Ids of buttons already in use, so a new button gets a fresh one.
  const nextId = () => {
    const used = new Set(buttons.map((b) => b.id));
    let n = buttons.length + 1;
    while (used.has(`b${n}`)) n += 1;
    return `b${n}`;
  };

  return (
    <form className="editor" onSubmit={(e) => void submit(e)} aria-labelledby="module-editor-title" noValidate>
      <div className="panel-head">
        <h2 id="module-editor-title" tabIndex={-1}>
          {module ? `Edit “${module.name}”` : 'New module'}
        </h2>
        <button type="button" className="small" onClick={onClose} aria-label="Close the module editor">
          Close
        </button>
      </div>
      <div className="field">
        <label htmlFor={`${id}-name`}>Name</label>
        <input id={`${id}-name`} data-testid="module-name" value={name} onChange={(e) => {
            setName(e.target.value);
            clearErr('name');
          }} aria-invalid={err('name') ? true : undefined} aria-describedby={describedBy('name')} />
        <FieldError id={`${id}-name-err`} text={err('name')} />
      </div>
      <div className="field">
        <label htmlFor={`${id}-text`}>Message</label>
        <textarea id={`${id}-text`} data-testid="module-text" rows={3} value={text} onChange={(e) => {
            setText(e.target.value);
            clearErr('text');
          }} aria-invalid={err('text') ? true : undefined} aria-describedby={describedBy('text')} />
        <FieldError id={`${id}-text-err`} text={err('text')} />
      </div>
      <div className="field">
        <label htmlFor={`${id}-kw`}>Keywords that open it</label>
        <input id={`${id}-kw`} data-testid="module-keywords" value={keywords} onChange={(e) => setKeywords(e.target.value)} aria-describedby={`${id}-kw-hint`} />
        <p className="hint" id={`${id}-kw-hint`}>
          Separate them with commas, e.g. opening hours, hours. A message that is exactly one of them opens this module.
        </p>
      </div>
      <fieldset>
        <legend>Buttons</legend>
        {buttons.length === 0 ? <p className="muted">No buttons: the message is sent on its own.</p> : null}
        {buttons.map((b, i) => (
          <div className="button-draft" key={b.key} data-testid="module-button">
            <div className="field">
              <label htmlFor={`${id}-b${b.key}-title`}>Button {i + 1} label</label>
              <input
                id={`${id}-b${b.key}-title`}
                data-testid="module-button-title"
                value={b.title}
                onChange={(e) => change(b.key, { title: e.target.value })}
                aria-invalid={err(`buttons.${i}.title`) ? true : undefined}
                aria-describedby={describedBy(`buttons.${i}.title`)}
              />
              <FieldError id={`${id}-buttons.${i}.title-err`} text={err(`buttons.${i}.title`)} />
            </div>
            <div className="field">
              <label htmlFor={`${id}-b${b.key}-kind`}>Button {i + 1} does</label>
              <select id={`${id}-b${b.key}-kind`} data-testid="module-button-kind" value={b.kind} onChange={(e) => change(b.key, { kind: e.target.value as ButtonDraft['kind'], target: '' })}>
                <option value="module">Open a module</option>
                <option value="url">Open a web page</option>
                <option value="action">Run an integrated action</option>
              </select>
            </div>
            {b.kind === 'module' ? (
              <div className="field">
                <label htmlFor={`${id}-b${b.key}-target`}>Module to open</label>
                <select id={`${id}-b${b.key}-target`} data-testid="module-button-target" value={b.target} onChange={(e) => change(b.key, { target: e.target.value })} aria-describedby={describedBy(`buttons.${i}.on_click.module_id`)}>
                  <option value="">Choose a module…</option>
                  {others.map((m) => (
                    <option key={m.id} value={m.id}>
                      {m.name}
                    </option>
                  ))}
                </select>
                <FieldError id={`${id}-buttons.${i}.on_click.module_id-err`} text={err(`buttons.${i}.on_click.module_id`)} />
              </div>
            ) : b.kind === 'url' ? (
              <div className="field">
                <label htmlFor={`${id}-b${b.key}-target`}>Web address</label>
                <input id={`${id}-b${b.key}-target`} data-testid="module-button-target" type="url" value={b.target} onChange={(e) => change(b.key, { target: e.target.value })} aria-describedby={describedBy(`buttons.${i}.on_click.url`)} />
                <FieldError id={`${id}-buttons.${i}.on_click.url-err`} text={err(`buttons.${i}.on_click.url`)} />
              </div>
            ) : (
              <div className="field">
                <label htmlFor={`${id}-b${b.key}-target`}>Action</label>
                <select id={`${id}-b${b.key}-target`} data-testid="module-button-target" value={b.target} onChange={(e) => change(b.key, { target: e.target.value })} aria-describedby={describedBy(`buttons.${i}.on_click.action`)}>
                  <option value="">Choose an action…</option>
                  {ACTIONS.map((a) => (
                    <option key={a.value} value={a.value}>
                      {a.label}
                    </option>
                  ))}
                </select>
                <FieldError id={`${id}-buttons.${i}.on_click.action-err`} text={err(`buttons.${i}.on_click.action`)} />
              </div>
            )}
            <button type="button" className="small" onClick={() => setButtons(buttons.filter((x) => x.key !== b.key))} aria-label={`Remove button ${i + 1}${b.title ? ` (${b.title})` : ''}`}>
              Remove button
            </button>
          </div>
        ))}
        {buttons.length < 10 ? (
          <button type="button" className="small" data-testid="module-add-button" onClick={() => setButtons([...buttons, { key: ++draftSeq, id: nextId(), title: '', kind: 'action', target: '' }])}>
            Add a button
          </button>
        ) : null}
      </fieldset>
      <ErrorBox error={action.error} />
      <div className="actions">
        <button type="submit" className="primary" data-testid="module-save" disabled={action.busy}>
          {module ? 'Save module' : 'Create module'}
        </button>
        <button type="button" onClick={onClose}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function Linking({ settings, stores, onSaved }: { settings: ChatConfig; stores: StoreConnection[]; onSaved: () => void }) {
  const id = useId();
  const [store, setStore] = useState(settings.linking.store_connection_id ?? '');
  const [verify, setVerify] = useState<'sms' | 'email'>(settings.linking.verify_by);
  const [terms, setTerms] = useState(settings.linking.terms_url ?? '');
  const [local, setLocal] = useState<Record<string, string>>({});
  const [saved, setSaved] = useState(false);
  const action = useAction();
  const errors = { ...fieldErrors(action.error), ...local };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setSaved(false);
    const problems: Record<string, string> = {};
    if (terms.trim() && !isUrl(terms)) problems['linking.terms_url'] = 'Enter a web address starting with https://, or leave it empty';
    setLocal(problems);
    if (Object.keys(problems).length) return;
    const r = await action.run(() => put<ChatConfig>('/v1/chat-settings', { linking: { store_connection_id: store || null, verify_by: verify, terms_url: terms.trim() || null } }));
    if (r) {
      setSaved(true);
      onSaved();
    }
  };
  const termsErr = errors['linking.terms_url'];
  const storeErr = errors['linking.store_connection_id'];
  return (
    <form className="card" onSubmit={(e) => void submit(e)} onChange={clearOnEdit(setLocal, action)} aria-labelledby={`${id}-h`} data-testid="linking" noValidate>
      <h2 id={`${id}-h`}>Account linking</h2>
      <p className="hint">Customers link their chat to their store account, so they can see their orders and collect points.</p>
      <div className="field">
        <label htmlFor={`${id}-store`}>Store</label>
        <select id={`${id}-store`} data-testid="linking-store" value={store} onChange={(e) => setStore(e.target.value)} aria-describedby={storeErr ? `${id}-store-err` : undefined}>
          <option value="">{stores.length ? 'The only or first connected store' : 'No store connected yet'}</option>
          {stores.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
        </select>
        <FieldError id={`${id}-store-err`} text={storeErr} />
      </div>
      <fieldset>
        <legend>Verify the customer with a code sent by</legend>
        <div className="inline">
          <input type="radio" id={`${id}-sms`} name={`${id}-verify`} checked={verify === 'sms'} onChange={() => setVerify('sms')} data-testid="linking-sms" />
          <label htmlFor={`${id}-sms`}>SMS to their phone</label>
        </div>
        <div className="inline">
          <input type="radio" id={`${id}-email`} name={`${id}-verify`} checked={verify === 'email'} onChange={() => setVerify('email')} data-testid="linking-email" />
          <label htmlFor={`${id}-email`}>E-mail</label>
        </div>
      </fieldset>
      <div className="field">
        <label htmlFor={`${id}-terms`}>Terms customers accept (web address)</label>
        <input
          id={`${id}-terms`}
          type="url"
          data-testid="linking-terms"
          data-field="linking.terms_url"
          value={terms}
          onChange={(e) => setTerms(e.target.value)}
          placeholder="https://"
          aria-invalid={termsErr ? true : undefined}
          aria-describedby={termsErr ? `${id}-terms-err` : `${id}-terms-hint`}
        />
        <p className="hint" id={`${id}-terms-hint`}>
          Optional. Customers are asked to accept them before linking.
        </p>
        <FieldError id={`${id}-terms-err`} text={termsErr} />
      </div>
      <ErrorBox error={action.error} />
      <div className="actions">
        <button type="submit" className="primary" data-testid="linking-save" disabled={action.busy}>
          Save account linking
        </button>
        <Saved show={saved} />
      </div>
    </form>
  );
}

interface PrizeDraft {
  key: number;
  id: string;
  name: string;
  cost: string;
  kind: 'store_coupon' | 'code';
  value: string;
}

const slug = (s: string, i: number) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 32) || `prize-${i + 1}`;

function Loyalty({ settings, onSaved }: { settings: ChatConfig; onSaved: () => void }) {
  const id = useId();
  const l = settings.loyalty;
  const [enabled, setEnabled] = useState(l.enabled);
  const [rate, setRate] = useState(l.points_per_unit);
  const [bonus, setBonus] = useState(String(l.signup_bonus));
  const [prizes, setPrizes] = useState<PrizeDraft[]>(
    l.prizes.map((p) => ({ key: ++draftSeq, id: p.id, name: p.name, cost: String(p.cost), kind: p.reward.kind, value: p.reward.kind === 'code' ? p.reward.code : p.reward.value })),
  );
  const [local, setLocal] = useState<Record<string, string>>({});
  const [saved, setSaved] = useState(false);
  const action = useAction();
  const errors = { ...fieldErrors(action.error), ...local };
  const change = (key: number, p: Partial<PrizeDraft>) => setPrizes(prizes.map((x) => (x.key === key ? { ...x, ...p } : x)));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setSaved(false);
    const problems: Record<string, string> = {};
    if (!/^\d+(\.\d+)?$/.test(rate.trim()) || Number(rate) <= 0) problems['loyalty.points_per_unit'] = 'Enter a positive number, e.g. 1 or 0.5';
    if (!/^\d+$/.test(bonus.trim())) problems['loyalty.signup_bonus'] = 'Enter a whole number of points (0 for none)';
    prizes.forEach((p, i) => {
      if (!p.name.trim()) problems[`loyalty.prizes.${i}.name`] = 'Give the prize a name';
      if (!/^\d+$/.test(p.cost.trim()) || Number(p.cost) < 1) problems[`loyalty.prizes.${i}.cost`] = 'Enter the points it costs (1 or more)';
      if (!p.value.trim()) problems[`loyalty.prizes.${i}.reward`] = p.kind === 'code' ? 'Enter the code customers get' : 'Enter the coupon value, e.g. 10% or 100';
    });
    setLocal(problems);
    if (Object.keys(problems).length) return;
    const used = new Set<string>();
    const body = {
      loyalty: {
        enabled,
        points_per_unit: rate.trim(),
        signup_bonus: Number(bonus),
        prizes: prizes.map((p, i) => {
          let pid = p.id || slug(p.name, i);
          while (used.has(pid)) pid = `${pid}-${i + 1}`;
          used.add(pid);
          return { id: pid, name: p.name.trim(), cost: Number(p.cost), reward: p.kind === 'code' ? { kind: 'code', code: p.value.trim() } : { kind: 'store_coupon', value: p.value.trim() } };
        }),
      },
    };
    const r = await action.run(() => put<ChatConfig>('/v1/chat-settings', body));
    if (r) {
      setSaved(true);
      onSaved();
    }
  };

  const err = (f: string) => errors[f];
  const field = (f: string) => ({ 'data-field': f, 'aria-invalid': err(f) ? true : undefined, 'aria-describedby': err(f) ? `${id}-${f}-err` : undefined });
  return (
    <form className="card" onSubmit={(e) => void submit(e)} onChange={clearOnEdit(setLocal, action)} aria-labelledby={`${id}-h`} data-testid="loyalty" noValidate>
      <h2 id={`${id}-h`}>Loyalty programme</h2>
      <div className="inline">
        <input type="checkbox" id={`${id}-on`} data-testid="loyalty-enabled" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />
        <label htmlFor={`${id}-on`}>Customers earn points on their orders and can claim prizes in chat</label>
      </div>
      <div className="grid">
        <div className="field">
          <label htmlFor={`${id}-rate`}>Points per unit of currency spent</label>
          <input id={`${id}-rate`} className="short" inputMode="decimal" data-testid="loyalty-rate" value={rate} onChange={(e) => setRate(e.target.value)} {...field('loyalty.points_per_unit')} />
          <FieldError id={`${id}-loyalty.points_per_unit-err`} text={err('loyalty.points_per_unit')} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-bonus`}>Sign-up bonus (points)</label>
          <input id={`${id}-bonus`} className="short" inputMode="numeric" data-testid="loyalty-bonus" value={bonus} onChange={(e) => setBonus(e.target.value)} {...field('loyalty.signup_bonus')} />
          <FieldError id={`${id}-loyalty.signup_bonus-err`} text={err('loyalty.signup_bonus')} />
        </div>
      </div>
      <fieldset>
        <legend>Prizes</legend>
        {prizes.length === 0 ? <p className="muted">No prizes yet.</p> : null}
        {prizes.map((p, i) => (
          <div className="button-draft" key={p.key} data-testid="prize">
            <div className="field">
              <label htmlFor={`${id}-p${p.key}-name`}>Prize {i + 1} name</label>
              <input id={`${id}-p${p.key}-name`} data-testid="prize-name" value={p.name} onChange={(e) => change(p.key, { name: e.target.value })} {...field(`loyalty.prizes.${i}.name`)} />
              <FieldError id={`${id}-loyalty.prizes.${i}.name-err`} text={err(`loyalty.prizes.${i}.name`)} />
            </div>
            <div className="field">
              <label htmlFor={`${id}-p${p.key}-cost`}>Cost in points</label>
              <input id={`${id}-p${p.key}-cost`} className="short" inputMode="numeric" data-testid="prize-cost" value={p.cost} onChange={(e) => change(p.key, { cost: e.target.value })} {...field(`loyalty.prizes.${i}.cost`)} />
              <FieldError id={`${id}-loyalty.prizes.${i}.cost-err`} text={err(`loyalty.prizes.${i}.cost`)} />
            </div>
            <div className="field">
              <label htmlFor={`${id}-p${p.key}-kind`}>Customers get</label>
              <select id={`${id}-p${p.key}-kind`} data-testid="prize-kind" value={p.kind} onChange={(e) => change(p.key, { kind: e.target.value as PrizeDraft['kind'] })}>
                <option value="store_coupon">A coupon issued by the store</option>
                <option value="code">A fixed code</option>
              </select>
            </div>
            <div className="field">
              <label htmlFor={`${id}-p${p.key}-value`}>{p.kind === 'code' ? 'Code' : 'Coupon value'}</label>
              <input id={`${id}-p${p.key}-value`} data-testid="prize-value" value={p.value} onChange={(e) => change(p.key, { value: e.target.value })} {...field(`loyalty.prizes.${i}.reward`)} />
              <FieldError id={`${id}-loyalty.prizes.${i}.reward-err`} text={err(`loyalty.prizes.${i}.reward`)} />
            </div>
            <button type="button" className="small" onClick={() => setPrizes(prizes.filter((x) => x.key !== p.key))} aria-label={`Remove prize ${i + 1}${p.name ? ` (${p.name})` : ''}`}>
              Remove prize
            </button>
          </div>
        ))}
        <button type="button" className="small" data-testid="prize-add" onClick={() => setPrizes([...prizes, { key: ++draftSeq, id: '', name: '', cost: '', kind: 'code', value: '' }])}>
          Add a prize
        </button>
      </fieldset>
      <ErrorBox error={action.error} />
      <div className="actions">
        <button type="submit" className="primary" data-testid="loyalty-save" disabled={action.busy}>
          Save loyalty programme
        </button>
        <Saved show={saved} />
      </div>
    </form>
  );
}
