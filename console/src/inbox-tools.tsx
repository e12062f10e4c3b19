// The inbox tools in the console: the composer's "/" list of canned replies (and "@" list of colleagues in a
// note), labels on tickets and contacts, and the signed-in user's mentions.
import { useEffect, useId, useRef, useState } from 'react';
import type { KeyboardEvent } from 'react';
import { api, enc, get, getAuthMode, post, put, qs } from './api';
import type { components } from './api-types';
import type { List } from './types';
import { ErrorBox, useAction, useLoad, when } from './ui';
import { Link, navigate, useLocation } from './router';
import { usePageTitle } from './pages/page-title';

type S = components['schemas'];
export type Label = S['Label'];
export type RenderedCannedReply = S['RenderedCannedReply'];
export type Mention = S['Mention'];
type MentionableUser = S['MentionableUser'];

/** Black or white text, whichever contrasts more with the label's colour (WCAG relative luminance). */
function textOn(colour: string): string {
  const n = Number.parseInt(colour.slice(1), 16);
  if (Number.isNaN(n)) return '#000';
  const channel = (v: number) => {
    const c = v / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const l = 0.2126 * channel((n >> 16) & 255) + 0.7152 * channel((n >> 8) & 255) + 0.0722 * channel(n & 255);
  // Contrast with black is (l + 0.05) / 0.05, with white 1.05 / (l + 0.05).
  return (l + 0.05) / 0.05 >= 1.05 / (l + 0.05) ? '#000' : '#fff';
}

export function LabelChip({ label, onRemove, busy }: { label: Label; onRemove?: () => void; busy?: boolean }) {
  return (
    <span className="label-chip" data-testid="label-chip" style={{ background: label.colour, color: textOn(label.colour) }}>
      {label.name}
      {onRemove ? (
        <button type="button" className="label-remove" aria-label={`Remove the label ${label.name}`} data-testid="label-remove" disabled={busy} onClick={onRemove}>
          ×
        </button>
      ) : null}
    </span>
  );
}

export function LabelChips({ labels }: { labels: Label[] }) {
  if (labels.length === 0) return null;
  return (
    <span className="label-chips">
      {labels.map((l) => (
        <LabelChip key={l.id} label={l} />
      ))}
    </span>
  );
}

/** The workspace's labels, loaded once per page. */
export function useLabels() {
  return useLoad('labels', () => get<List<Label>>('/v1/labels'));
}

/** The labels on a ticket or contact, with a control to add one and a button on each to take it off. */
export function LabelEditor({ target, id, labels, onChanged, testid }: { target: 'tickets' | 'contacts'; id: string; labels: Label[]; onChanged: () => void; testid: string }) {
  const all = useLabels();
  const action = useAction();
  const selectId = useId();
  const [current, setCurrent] = useState(labels);
  useEffect(() => setCurrent(labels), [labels]);
  const change = async (labelId: string, on: boolean) => {
    const res = await action.run(() => (on ? put<List<Label>>(`/v1/${target}/${enc(id)}/labels/${enc(labelId)}`, {}) : api<List<Label>>('DELETE', `/v1/${target}/${enc(id)}/labels/${enc(labelId)}`)));
    if (res) {
      setCurrent(res.data);
      onChanged();
    }
  };
  const others = (all.data?.data ?? []).filter((l) => !current.some((c) => c.id === l.id));
  return (
    <div className="inline labels" data-testid={testid}>
      <span className="muted">Labels:</span>
      {current.length === 0 ? <span className="muted">none</span> : current.map((l) => <LabelChip key={l.id} label={l} busy={action.busy} onRemove={() => void change(l.id, false)} />)}
      {others.length > 0 ? (
        <>
          <label htmlFor={selectId} className="sr-only">
            Add a label
          </label>
          <select
            id={selectId}
            data-testid="label-add"
            value=""
            disabled={action.busy}
            onChange={(e) => {
              if (e.target.value) void change(e.target.value, true);
            }}
          >
            <option value="">Add a label…</option>
            {others.map((l) => (
              <option key={l.id} value={l.id}>
                {l.name}
              </option>
            ))}
          </select>
        </>
      ) : null}
      <ErrorBox error={action.error} />
    </div>
  );
}

// ---- the composer

interface Trigger {
  kind: '/' | '@';
  /** Where the "/" or "@" is in the text. */
  start: number;
  /** The caret: the typed query ends here. */
  end: number;
  query: string;
}

/** The "/" (or, in a note, "@") the caret is right after, with what was typed since. */
function triggerAt(text: string, caret: number, notes: boolean): Trigger | null {
  const m = /(^|\s)([/@])([^\s/@]*)$/.exec(text.slice(0, caret));
  if (!m) return null;
  const kind = m[2] as '/' | '@';
  if (kind === '@' && !notes) return null;
  return { kind, start: caret - m[3]!.length - 1, end: caret, query: m[3]! };
}

interface Choice {
  key: string;
  title: string;
  detail: string;
  warning: string | null;
  insert: string;
}

/**
 * The reply box's text area. Typing "/" opens the ticket's canned replies, filtered by what follows; in a note,
 * "@" opens the workspace's users. Arrows move, Enter inserts (the reply rendered for this ticket, or
 * "@e-mail"), Escape closes.
 */
export function Composer({ id, ticketId, value, onChange, notes, testid }: { id: string; ticketId: string; value: string; onChange: (v: string) => void; notes: boolean; testid: string }) {
  const area = useRef<HTMLTextAreaElement>(null);
  const listId = useId();
  const [trigger, setTrigger] = useState<Trigger | null>(null);
  const [dismissed, setDismissed] = useState<number | null>(null);
  const [active, setActive] = useState(0);
  const open = trigger !== null && trigger.start !== dismissed;
  const canned = useLoad(open && trigger.kind === '/' ? `canned:${ticketId}:${trigger.query}` : null, () => get<List<RenderedCannedReply>>(`/v1/tickets/${enc(ticketId)}/canned-replies${qs({ query: trigger?.query ?? '', limit: '20' })}`));
  const users = useLoad(open && trigger.kind === '@' ? 'mentionable-users' : null, () => get<List<MentionableUser>>('/v1/mentions/users'));

  const choices: Choice[] = !open
    ? []
    : trigger.kind === '/'
      ? (canned.data?.data ?? []).map((c) => ({ key: c.id, title: `/${c.name}`, detail: c.text, warning: c.missing.length ? `No value for ${c.missing.join(', ')}` : null, insert: c.text }))
      : (users.data?.data ?? [])
          .filter((u) => `${u.name ?? ''} ${u.email}`.toLowerCase().includes(trigger.query.toLowerCase()))
          .map((u) => ({ key: u.id, title: u.name ?? u.email, detail: u.email, warning: null, insert: `@${u.email} ` }));
  const loading = open && (trigger.kind === '/' ? canned.loading && !canned.data : users.loading && !users.data);

  useEffect(() => setActive(0), [trigger?.query, trigger?.kind]);

  const sync = (text: string, caret: number) => {
    const next = triggerAt(text, caret, notes);
    setTrigger(next);
    if (!next || next.start !== dismissed) setDismissed(null);
  };

  const choose = (c: Choice) => {
    if (!trigger) return;
    const text = value.slice(0, trigger.start) + c.insert + value.slice(trigger.end);
    const caret = trigger.start + c.insert.length;
    onChange(text);
    setTrigger(null);
    requestAnimationFrame(() => {
      area.current?.focus();
      area.current?.setSelectionRange(caret, caret);
    });
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (!open) return;
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      setDismissed(trigger.start);
      return;
    }
    if (choices.length === 0) return;
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      setActive((a) => (a + 1) % choices.length);
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      setActive((a) => (a - 1 + choices.length) % choices.length);
    } else if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      choose(choices[Math.min(active, choices.length - 1)]!);
    }
  };

  const optionId = (i: number) => `${listId}-opt-${i}`;
  return (
    <div className="composer">
      <textarea
        ref={area}
        id={id}
        data-testid={testid}
        rows={4}
        value={value}
        required
        aria-describedby={`${listId}-hint`}
        aria-controls={open ? listId : undefined}
        aria-activedescendant={open && choices.length ? optionId(Math.min(active, choices.length - 1)) : undefined}
        onChange={(e) => {
          onChange(e.target.value);
          sync(e.target.value, e.target.selectionStart ?? e.target.value.length);
        }}
        onKeyDown={onKeyDown}
        onKeyUp={(e) => {
          if (['ArrowLeft', 'ArrowRight', 'Home', 'End'].includes(e.key)) sync(e.currentTarget.value, e.currentTarget.selectionStart ?? 0);
        }}
        onClick={(e) => sync(e.currentTarget.value, e.currentTarget.selectionStart ?? 0)}
        onBlur={() => window.setTimeout(() => setTrigger(null), 150)}
      />
      <p id={`${listId}-hint`} className="muted hint">
        {notes ? 'Type “/” for a canned reply, “@” to mention a colleague (they are notified).' : 'Type “/” for a canned reply.'}
      </p>
      {open ? (
        <div className="composer-popup" data-testid={trigger.kind === '/' ? 'canned-list' : 'mention-list'}>
          <p className="sr-only" aria-live="polite">
            {loading ? 'Loading' : `${choices.length} ${trigger.kind === '/' ? 'canned replies' : 'people'}; arrows to choose, Enter to insert, Escape to close`}
          </p>
          {trigger.kind === '/' ? <ErrorBox error={canned.error} /> : <ErrorBox error={users.error} />}
          {loading ? (
            <p className="muted">Loading…</p>
          ) : choices.length === 0 ? (
            <p className="muted" data-testid="composer-empty">
              {trigger.kind === '/' ? 'No canned reply matches.' : 'Nobody matches.'}
            </p>
          ) : (
            <ul role="listbox" id={listId} aria-label={trigger.kind === '/' ? 'Canned replies' : 'People to mention'}>
              {choices.map((c, i) => (
                <li
                  key={c.key}
                  id={optionId(i)}
                  role="option"
                  aria-selected={i === active}
                  className={i === active ? 'active' : undefined}
                  data-testid="composer-option"
                  onMouseDown={(e) => {
                    e.preventDefault();
                    choose(c);
                  }}
                >
                  <strong>{c.title}</strong>
                  <span className="composer-detail">{c.detail}</span>
                  {c.warning ? <span className="composer-warning">{c.warning}</span> : null}
                </li>
              ))}
            </ul>
          )}
        </div>
      ) : null}
    </div>
  );
}

// ---- mentions

/** Marks the signed-in user's mentions on a ticket read when they open it. */
export function useReadMentions(ticketId: string, signedIn: boolean): void {
  useEffect(() => {
    if (!signedIn) return;
    void post(`/v1/tickets/${enc(ticketId)}/mentions/read`, {}).then(
      () => window.dispatchEvent(new Event('shoptalk:mentions')),
      () => undefined,
    );
  }, [ticketId, signedIn]);
}

const MENTION_POLL_MS = 15_000;

/** The top bar's link to the user's mentions, with how many are unread. */
export function MentionsBadge() {
  const signedIn = getAuthMode() === 'session';
  const here = useLocation().path === '/mentions';
  const load = useLoad(signedIn ? 'mentions-badge' : null, () => get<{ unread: number }>('/v1/mentions?limit=1'));
  const reload = load.reload;
  useEffect(() => {
    if (!signedIn) return;
    const again = () => reload(true);
    const timer = window.setInterval(again, MENTION_POLL_MS);
    window.addEventListener('shoptalk:mentions', again);
    return () => {
      window.clearInterval(timer);
      window.removeEventListener('shoptalk:mentions', again);
    };
  }, [signedIn, reload]);
  if (!signedIn) return null;
  const unread = load.data?.unread ?? 0;
  return (
    <Link to="/mentions" className="mentions-link" data-testid="nav-mentions" aria-current={here ? 'page' : undefined}>
      Mentions
      {unread > 0 ? (
        <span className="count-badge" data-testid="mentions-unread">
          {unread}
          <span className="sr-only"> unread</span>
        </span>
      ) : null}
    </Link>
  );
}

export function MentionsPage() {
  const signedIn = getAuthMode() === 'session';
  const load = useLoad(signedIn ? 'mentions' : null, () => get<{ data: Mention[]; unread: number }>('/v1/mentions?limit=100'));
  const action = useAction();
  usePageTitle('Mentions');
  if (!signedIn) return <p className="note">Mentions belong to a signed-in user; an API key has none.</p>;
  const open = async (m: Mention) => {
    if (!m.read_at) await action.run(() => post(`/v1/mentions/${enc(m.id)}/read`, {}));
    window.dispatchEvent(new Event('shoptalk:mentions'));
    navigate(`/inbox/${enc(m.ticket_id)}`);
  };
  return (
    <section>
      <h1>Mentions</h1>
      <p className="muted">Private notes in which a colleague mentioned you. Opening one marks it read.</p>
      <ErrorBox error={load.error ?? action.error} />
      {load.data ? (
        load.data.data.length === 0 ? (
          <p className="empty">Nobody has mentioned you yet.</p>
        ) : (
          <ul className="rows mention-rows">
            {load.data.data.map((m) => (
              <li key={m.id}>
                <button type="button" className={`row mention-row${m.read_at ? '' : ' unread'}`} data-testid="mention-row" data-unread={m.read_at ? 'false' : 'true'} onClick={() => void open(m)}>
                  <span className="row-top">
                    <strong>{m.ticket_title ?? 'Ticket'}</strong>
                    <time className="muted" dateTime={m.created_at}>
                      {when(m.created_at)}
                    </time>
                  </span>
                  <span className="muted">
                    {m.read_at ? '' : 'New · '}
                    {m.author ?? 'Someone'} wrote:
                  </span>
                  <span className="mention-excerpt" data-testid="mention-excerpt">
                    {m.excerpt}
                  </span>
                </button>
              </li>
            ))}
          </ul>
        )
      ) : null}
    </section>
  );
}

/** The ticket list's label filter. */
export function LabelFilter({ id, value, onChange }: { id: string; value: string; onChange: (v: string) => void }) {
  const labels = useLabels();
  return (
    <div className="field">
      <label htmlFor={id}>Label</label>
      <select id={id} data-testid="filter-label" value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">Any</option>
        {(labels.data?.data ?? []).map((l) => (
          <option key={l.id} value={l.id}>
            {l.name}
          </option>
        ))}
      </select>
    </div>
  );
}
