// The support inbox: marketplace threads and chats handed to agents, with replies, internal notes and context.
import { useEffect, useId, useRef, useState } from 'react';
import type { FormEvent } from 'react';
import { del, enc, get, getAuthMode, patch, post, qs } from '../api';
import type { Session } from '../api';
import type { List, Named, Ticket, TicketDetail, TicketMessage } from '../types';
import { Async, ErrorBox, StatusBadge, useAction, useLoad, when } from '../ui';
import { Link, navigate, useLocation } from '../router';
import { formatMoney } from '../money';
import { usePageTitle } from './page-title';
import { Composer, LabelChips, LabelEditor, LabelFilter, useReadMentions } from '../inbox-tools';
import { SlaBadge, SlaLine } from '../sla';
import { AvailabilityBar, OrderLink, VIEWERS_EVENT, ViewersNotice } from './inbox-team';

const CHANNEL_NAMES: Record<string, string> = { LINE: 'LINE user', WhatsApp: 'WhatsApp', Messenger: 'Messenger user', SMS: 'SMS', 'E-mail': 'E-mail' };

/** The customer as the inbox names them: their name, else their number or an id shortened to its end. */
function customerLabel(t: Ticket): string {
  if (t.customer_name) return t.customer_name;
  const ext = t.customer_external_id;
  if (!ext) return 'Unknown customer';
  if (/^\+?\d{6,}$/.test(ext)) return ext.startsWith('+') ? ext : `+${ext}`;
  if (ext.includes('@')) return ext;
  return `${CHANNEL_NAMES[t.source] ?? t.source} …${ext.slice(-6)}`;
}

const titleOf = (t: Ticket): string => t.title ?? t.subject ?? `${t.source} conversation`;

/** A short time for the list: the time today, else the date. */
function shortWhen(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const now = new Date();
  return d.toDateString() === now.toDateString() ? d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) : d.toLocaleDateString([], { month: 'short', day: 'numeric', year: d.getFullYear() === now.getFullYear() ? undefined : 'numeric' });
}

const WHO: Record<string, string> = { customer: '', agent: 'You or a colleague: ', auto_reply: 'Auto-reply: ', shop_panel: 'Shop staff: ', operator: 'Operator: ' };

const STATUSES = ['open', 'pending', 'closed'];
const FILTERS = ['source', 'queue_id', 'category_id', 'status', 'assignee', 'label_id'] as const;
const POLL_MS = 3000;

/** Calls `onChange` when the inbox changes: server-sent events with a session, polling with an API key
 * (EventSource cannot send an Authorization header). */
function useInboxUpdates(onChange: () => void): void {
  const ref = useRef(onChange);
  ref.current = onChange;
  useEffect(() => {
    if (getAuthMode() === 'apikey' || typeof EventSource === 'undefined') {
      const timer = window.setInterval(() => ref.current(), POLL_MS);
      return () => window.clearInterval(timer);
    }
    const es = new EventSource('/v1/inbox/stream', { withCredentials: true });
    let pending: number | null = null;
    // Several events often arrive together: reload once for the burst.
    const changed = () => {
      if (pending !== null) return;
      pending = window.setTimeout(() => {
        pending = null;
        ref.current();
      }, 250);
    };
    es.addEventListener('ticket', changed);
    es.addEventListener('ticket.message', changed);
    // Who has which ticket open (the collision notice in ./inbox-team.tsx listens).
    es.addEventListener('ticket.viewers', (e) => window.dispatchEvent(new CustomEvent(VIEWERS_EVENT, { detail: JSON.parse((e as MessageEvent<string>).data) as unknown })));
    return () => {
      es.close();
      if (pending !== null) window.clearTimeout(pending);
    };
  }, []);
}

export function InboxPage({ session, ticketId }: { session: Session; ticketId: string | null }) {
  const loc = useLocation();
  const filters = Object.fromEntries(FILTERS.map((f) => [f, loc.query.get(f) ?? ''])) as Record<(typeof FILTERS)[number], string>;
  const filterQs = qs(filters);
  const tickets = useLoad(`tickets${filterQs}`, () => get<List<Ticket>>(`/v1/tickets${qs({ ...filters, limit: '100' })}`));
  const queues = useLoad('queues', () => get<List<Named>>('/v1/queues'));
  const categories = useLoad('categories', () => get<List<Named>>('/v1/categories'));
  const [tick, setTick] = useState(0);
  const [ticketTitle, setTicketTitle] = useState<string | null>(null);
  usePageTitle(ticketId ? (ticketTitle ? `Ticket: ${ticketTitle}` : 'Ticket') : 'Inbox');

  useInboxUpdates(() => {
    tickets.reload(true);
    setTick((t) => t + 1);
  });

  const names = (l: List<Named> | null) => new Map((l?.data ?? []).map((x) => [x.id, x.name]));
  const queueNames = names(queues.data);
  const categoryNames = names(categories.data);
  const signedIn = session.mode === 'session';
  const unreadCount = (tickets.data?.data ?? []).filter((t) => t.unread).length;

  return (
    <section>
      <h1>Inbox</h1>
      {signedIn ? <AvailabilityBar session={session} /> : null}
      <Filters values={filters} queues={queues.data?.data ?? []} categories={categories.data?.data ?? []} ticketId={ticketId} signedIn={signedIn} />
      <div className="split">
        <div className="list-pane">
          {signedIn && tickets.data ? (
            <p className="muted inbox-count" data-testid="inbox-unread-count">
              {unreadCount === 0 ? 'Nothing new for you' : `${unreadCount} new for you`}
            </p>
          ) : null}
          <Async load={tickets}>
            {(d) =>
              d.data.length === 0 ? (
                <p className="empty">No tickets match.</p>
              ) : (
                <ul className="rows inbox-rows">
                  {d.data.map((t) => (
                    <li key={t.id}>
                      <Link
                        to={`/inbox/${enc(t.id)}${filterQs}`}
                        className={`row${t.id === ticketId ? ' selected' : ''}${t.unread ? ' unread' : ''}`}
                        data-testid="ticket-row"
                        data-unread={t.unread ? 'true' : 'false'}
                        aria-current={t.id === ticketId ? 'true' : undefined}
                      >
                        <span className="row-top">
                          <span className="ticket-customer" data-testid="ticket-row-customer">
                            {t.unread ? (
                              <>
                                <span className="unread-dot" aria-hidden="true" />
                                <span className="sr-only">Unread: </span>
                              </>
                            ) : null}
                            {customerLabel(t)}
                          </span>
                          <time className="muted" dateTime={t.last_message?.created_at ?? t.last_message_at ?? t.created_at} data-testid="ticket-row-time">
                            {shortWhen(t.last_message?.created_at ?? t.last_message_at ?? t.created_at)}
                          </time>
                        </span>
                        <span className="ticket-title" data-testid="ticket-row-title">
                          {titleOf(t)}
                        </span>
                        <LabelChips labels={t.labels} />
                        {t.last_message ? (
                          <span className="ticket-preview muted" data-testid="ticket-row-last">
                            {WHO[t.last_message.kind] ?? ''}
                            {t.last_message.body}
                          </span>
                        ) : null}
                        <span className="ticket-meta">
                          <StatusBadge status={t.status} />
                          <SlaBadge sla={t.sla} />
                          <span className="muted">
                            {t.source}
                            {t.queue_id ? ` · ${queueNames.get(t.queue_id) ?? 'queue'}` : ''}
                            {t.category_id ? ` · ${categoryNames.get(t.category_id) ?? 'category'}` : ''}
                          </span>
                          <span className="muted" data-testid="ticket-row-assignee">
                            {t.assignee ? `Assigned to ${t.assignee === session.user.email ? 'you' : (t.assignee_name ?? t.assignee)}` : 'Unassigned'}
                          </span>
                        </span>
                      </Link>
                    </li>
                  ))}
                </ul>
              )
            }
          </Async>
        </div>
        <div className="detail-pane">
          {ticketId ? (
            <TicketView key={ticketId} ticketId={ticketId} tick={tick} session={session} onTitle={setTicketTitle} onChanged={() => tickets.reload(true)} />
          ) : (
            <p className="empty">Choose a ticket.</p>
          )}
        </div>
      </div>
    </section>
  );
}

function Filters({ values, queues, categories, ticketId, signedIn }: { values: Record<string, string>; queues: Named[]; categories: Named[]; ticketId: string | null; signedIn: boolean }) {
  const [draft, setDraft] = useState(values);
  const id = useId();
  const apply = (e: FormEvent) => {
    e.preventDefault();
    navigate(`/inbox${ticketId ? `/${enc(ticketId)}` : ''}${qs(draft)}`);
  };
  const set = (k: string, v: string) => setDraft({ ...draft, [k]: v });
  return (
    <form className="filters" onSubmit={apply} aria-label="Ticket filters">
      <div className="field">
        <label htmlFor={`${id}-source`}>Source</label>
        <select id={`${id}-source`} data-testid="filter-source" value={draft.source ?? ''} onChange={(e) => set('source', e.target.value)}>
          <option value="">Any</option>
          {['empikplace', 'whatsapp', 'messenger', 'line', 'sms', 'email'].map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-queue`}>Queue</label>
        <select id={`${id}-queue`} data-testid="filter-queue" value={draft.queue_id ?? ''} onChange={(e) => set('queue_id', e.target.value)}>
          <option value="">Any</option>
          {queues.map((q) => (
            <option key={q.id} value={q.id}>
              {q.name}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-cat`}>Category</label>
        <select id={`${id}-cat`} data-testid="filter-category" value={draft.category_id ?? ''} onChange={(e) => set('category_id', e.target.value)}>
          <option value="">Any</option>
          {categories.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-status`}>Status</label>
        <select id={`${id}-status`} data-testid="filter-status" value={draft.status ?? ''} onChange={(e) => set('status', e.target.value)}>
          <option value="">Any</option>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-assignee`}>Assignee</label>
        {signedIn ? (
          <select id={`${id}-assignee`} data-testid="filter-assignee" value={draft.assignee === 'me' || !draft.assignee ? (draft.assignee ?? '') : 'other'} onChange={(e) => set('assignee', e.target.value === 'other' ? (values.assignee ?? '') : e.target.value)}>
            <option value="">Anyone</option>
            <option value="me">Assigned to me</option>
            {draft.assignee && draft.assignee !== 'me' ? <option value="other">{draft.assignee}</option> : null}
          </select>
        ) : (
          <input id={`${id}-assignee`} data-testid="filter-assignee" value={draft.assignee ?? ''} onChange={(e) => set('assignee', e.target.value)} />
        )}
      </div>
      <LabelFilter id={`${id}-label`} value={draft.label_id ?? ''} onChange={(v) => set('label_id', v)} />
      <button type="submit">Filter</button>
    </form>
  );
}

function TicketView({ ticketId, tick, session, onTitle, onChanged }: { ticketId: string; tick: number; session: Session; onTitle: (title: string | null) => void; onChanged: () => void }) {
  const load = useLoad(`ticket:${ticketId}`, () => get<TicketDetail>(`/v1/tickets/${enc(ticketId)}`));
  const reload = load.reload;
  const heading = useRef<HTMLHeadingElement>(null);
  const focused = useRef(false);
  const signedIn = session.mode === 'session';
  useReadMentions(ticketId, signedIn);
  useEffect(() => {
    if (tick > 0) reload(true);
    // Reload quietly on each live update (`reload` is stable for this ticket: the component is keyed by it).
  }, [tick, reload]);
  const title = load.data ? titleOf(load.data) : null;
  useEffect(() => {
    onTitle(title);
  }, [title, onTitle]);
  // Opening a ticket moves the focus to its heading (screen readers announce it; Tab continues from there),
  // and marks it read for the signed-in user.
  // While it is open, what arrives is read too, unless the user marked it unread.
  const keptUnread = useRef(false);
  const changed = useRef(onChanged);
  changed.current = onChanged;
  useEffect(() => {
    if (!load.data) return;
    if (!focused.current) {
      focused.current = true;
      heading.current?.focus();
    }
    if (signedIn && load.data.unread !== false && !keptUnread.current) void post(`/v1/tickets/${enc(ticketId)}/read`, {}).then(() => changed.current(), () => undefined);
  }, [load.data, signedIn, ticketId]);

  return (
    <Async load={load}>
      {(t) => (
        <div className="ticket">
          <div className="conversation">
            <h2 ref={heading} tabIndex={-1} data-testid="ticket-heading">
              {titleOf(t)}
            </h2>
            <p className="ticket-with">
              {customerLabel(t)} · {t.source}
              {t.handover_reason && t.title !== t.handover_reason ? <span className="muted"> · handed over: {t.handover_reason}</span> : null}
            </p>
            <SlaLine sla={t.sla} />
            <ViewersNotice ticketId={t.id} session={session} />
            <AssignControl ticket={t} session={session} onUnread={() => { keptUnread.current = true; }} onChanged={() => { load.reload(true); onChanged(); }} />
            <StatusControl ticket={t} onChanged={() => { load.reload(true); onChanged(); }} />
            <LabelEditor target="tickets" id={t.id} labels={t.labels} testid="ticket-labels" onChanged={() => { load.reload(true); onChanged(); }} />
            <ol className="messages" aria-label="Messages">
              {t.messages.map((m) => (
                <MessageItem key={m.id} m={m} />
              ))}
            </ol>
            <ReplyBox ticketId={t.id} onSent={() => { load.reload(true); onChanged(); }} />
          </div>
          <Sidebar t={t} onChanged={() => { load.reload(true); onChanged(); }} />
        </div>
      )}
    </Async>
  );
}

function AssignControl({ ticket, session, onUnread, onChanged }: { ticket: TicketDetail; session: Session; onUnread: () => void; onChanged: () => void }) {
  const action = useAction();
  const signedIn = session.mode === 'session';
  const mine = signedIn && ticket.assignee === session.user.email;
  const assign = async (assignee: string | null) => {
    if ((await action.run(() => patch(`/v1/tickets/${enc(ticket.id)}`, { assignee }))) !== undefined) onChanged();
  };
  const markUnread = async () => {
    onUnread();
    if ((await action.run(() => del(`/v1/tickets/${enc(ticket.id)}/read`))) !== undefined) onChanged();
  };
  return (
    <div className="inline assign">
      <span data-testid="ticket-assignee">{ticket.assignee ? `Assigned to ${mine ? 'you' : (ticket.assignee_name ?? ticket.assignee)}` : 'Unassigned'}</span>
      {signedIn && !mine ? (
        <button type="button" className="small" data-testid="assign-to-me" disabled={action.busy} onClick={() => void assign('me')}>
          Assign to me
        </button>
      ) : null}
      {ticket.assignee ? (
        <button type="button" className="small" data-testid="unassign" disabled={action.busy} onClick={() => void assign(null)}>
          Unassign
        </button>
      ) : null}
      {signedIn ? (
        <button type="button" className="small" data-testid="mark-unread" disabled={action.busy} onClick={() => void markUnread()}>
          Mark as unread
        </button>
      ) : null}
      <ErrorBox error={action.error} />
    </div>
  );
}

const KIND_LABELS: Record<string, string> = { customer: 'Customer', shop_panel: 'Shop staff (panel)', operator: 'Operator', agent: 'Agent', auto_reply: 'Auto-reply', internal: 'Private note' };

function MessageItem({ m }: { m: TicketMessage }) {
  return (
    <li className={`msg msg-${m.kind}`} data-testid="ticket-message">
      <div className="msg-head">
        <strong>{KIND_LABELS[m.kind] ?? m.kind}</strong>
        {m.author ? <span> · {m.author}</span> : null}
        <time className="muted" dateTime={m.created_at}>
          {' '}
          · {when(m.created_at)}
        </time>
        {m.status && m.status !== 'sent' && m.status !== 'received' ? <StatusBadge status={m.status} /> : null}
      </div>
      <p className="msg-body">{m.body}</p>
      {m.attachments.length > 0 ? (
        <ul className="plain attachments">
          {m.attachments.map((a, i) => (
            <li key={i}>
              📎 {a.name} <span className="muted">({Math.ceil(a.size / 1024)} KB)</span>
            </li>
          ))}
        </ul>
      ) : null}
      {m.error ? <p className="error-text">{m.error}</p> : null}
    </li>
  );
}

function StatusControl({ ticket, onChanged }: { ticket: TicketDetail; onChanged: () => void }) {
  const action = useAction();
  const id = useId();
  const change = async (status: string) => {
    if ((await action.run(() => patch(`/v1/tickets/${enc(ticket.id)}`, { status }))) !== undefined) onChanged();
  };
  return (
    <div className="inline">
      <label htmlFor={`${id}-st`}>Status</label>
      <select id={`${id}-st`} data-testid="ticket-status" value={ticket.status} onChange={(e) => void change(e.target.value)} disabled={action.busy}>
        {STATUSES.map((s) => (
          <option key={s} value={s}>
            {s}
          </option>
        ))}
      </select>
      <ErrorBox error={action.error} />
    </div>
  );
}

interface Attachment {
  name: string;
  content_type: string;
  data: string;
}

function readAsBase64(file: File): Promise<Attachment> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onerror = () => reject(new Error(`could not read ${file.name}`));
    reader.onload = () => {
      const url = String(reader.result);
      // A data URL: "data:<type>;base64,<data>".
      resolve({ name: file.name, content_type: file.type || 'application/octet-stream', data: url.slice(url.indexOf(',') + 1) });
    };
    reader.readAsDataURL(file);
  });
}

function ReplyBox({ ticketId, onSent }: { ticketId: string; onSent: () => void }) {
  const [body, setBody] = useState('');
  const [internal, setInternal] = useState(false);
  const [files, setFiles] = useState<File[]>([]);
  const [fileKey, setFileKey] = useState(0);
  const action = useAction();
  const id = useId();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const sent = await action.run(async () => {
      const attachments = await Promise.all(files.map(readAsBase64));
      return post<TicketMessage>(`/v1/tickets/${enc(ticketId)}/messages`, { body, internal, attachments });
    });
    if (sent) {
      setBody('');
      setFiles([]);
      setFileKey((k) => k + 1);
      onSent();
    }
  };

  return (
    <form className={internal ? 'reply internal' : 'reply'} onSubmit={(e) => void submit(e)}>
      <label htmlFor={`${id}-body`}>{internal ? 'Private note (never sent to the customer)' : 'Reply to the customer (plain text)'}</label>
      <Composer id={`${id}-body`} testid="reply-body" ticketId={ticketId} value={body} onChange={setBody} notes={internal} />
      <div className="inline">
        <input type="checkbox" id={`${id}-internal`} data-testid="reply-internal" checked={internal} onChange={(e) => setInternal(e.target.checked)} />
        <label htmlFor={`${id}-internal`}>Private note</label>
      </div>
      <div className="field">
        <label htmlFor={`${id}-files`}>Attachments (up to 10 MB per conversation)</label>
        <input key={fileKey} id={`${id}-files`} data-testid="reply-files" type="file" multiple onChange={(e) => setFiles(Array.from(e.target.files ?? []))} />
      </div>
      <ErrorBox error={action.error} />
      <button type="submit" className="primary" data-testid="reply-send" disabled={action.busy || !body.trim()}>
        {action.busy ? 'Sending…' : internal ? 'Add note' : 'Send reply'}
      </button>
    </form>
  );
}

function Sidebar({ t, onChanged }: { t: TicketDetail; onChanged: () => void }) {
  return (
    <aside className="sidebar" aria-label="Customer and order">
      <h3>{t.contact || !t.customer_id ? 'Contact' : 'Customer'}</h3>
      {t.contact ? (
        <dl>
          <dt>Name</dt>
          <dd>{t.contact.name ?? '—'}</dd>
          <dt>E-mail</dt>
          <dd>{t.contact.email ?? '—'}</dd>
          <dt>Phone</dt>
          <dd>{t.contact.phone ?? '—'}</dd>
          <dt>Labels</dt>
          <dd>
            <LabelEditor target="contacts" id={t.contact.id} labels={t.contact.labels} testid="contact-labels" onChanged={() => undefined} />
          </dd>
          {Object.entries(t.contact.fields).map(([k, v]) => (
            <div key={k}>
              <dt>{k}</dt>
              <dd>{v}</dd>
            </div>
          ))}
        </dl>
      ) : t.customer_id ? (
        <p data-testid="ticket-customer-link">
          <Link to={`/customers/${enc(t.customer_id)}`}>{t.customer_name ?? 'Open the customer'}</Link>
        </p>
      ) : (
        <p className="muted">Not in the CRM{t.customer_external_id ? `: customer id ${t.customer_external_id}` : ''}.</p>
      )}
      {t.order ? (
        <>
          <h3>Order</h3>
          <p>
            {t.order.url ? (
              <a href={t.order.url} target="_blank" rel="noreferrer">
                {t.order.id}
              </a>
            ) : (
              t.order.id
            )}
          </p>
          <ul className="plain">
            {t.order.products.map((p, i) => (
              <li key={i}>
                {p.quantity} × {p.title} {p.price ? <span className="muted">{p.price}</span> : null}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {t.conversation_url ? (
        <p>
          <a href={t.conversation_url} target="_blank" rel="noreferrer">
            Open the conversation at the source
          </a>
        </p>
      ) : null}
      {t.customer_orders.length > 0 ? (
        <>
          <h3>Customer orders</h3>
          <ul className="plain">
            {t.customer_orders.map((o, i) => (
              <li key={i}>
                {o.url ? (
                  <a href={o.url} target="_blank" rel="noreferrer">
                    {o.name}
                  </a>
                ) : (
                  o.name
                )}{' '}
                <span className="muted">
                  {o.status ?? ''} {formatMoney(o.total)} {o.created_at ? when(o.created_at) : ''}
                </span>
              </li>
            ))}
          </ul>
        </>
      ) : null}
      <OrderLink ticket={t} onLinked={onChanged} />
    </aside>
  );
}
