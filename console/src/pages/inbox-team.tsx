// The inbox's team pieces: the signed-in agent's availability and their colleagues', the collision notice (who
// else has this ticket open), and linking a chat ticket to one of its customer's orders.
import { useEffect, useId, useState } from 'react';
import { authHeaders, del, enc, get, patch, post, put } from '../api';
import type { Session } from '../api';
import type { Agent, LinkableOrder, List, TeamMember, TicketDetail, TicketViewers } from '../types';
import { AVAILABILITY_LABELS } from '../types';
import { ErrorBox, useAction, useLoad, when } from '../ui';
import { formatMoney } from '../money';

/** Frames of the inbox stream's "ticket.viewers" events, passed on by the inbox's live updates. */
export const VIEWERS_EVENT = 'shoptalk:ticket-viewers';
const HEARTBEAT_MS = 10_000;

export function AvailabilityBar({ session }: { session: Session }) {
  const agents = useLoad('agents', () => get<List<Agent>>('/v1/agents'));
  const action = useAction();
  const id = useId();
  const me = agents.data?.data.find((a) => a.id === session.user.id) ?? null;
  useEffect(() => {
    const timer = window.setInterval(() => agents.reload(true), 15_000);
    return () => window.clearInterval(timer);
  }, [agents.reload]);
  const change = async (availability: string) => {
    if ((await action.run(() => put<TeamMember>('/v1/availability', { availability }))) !== undefined) agents.reload(true);
  };
  const others = (agents.data?.data ?? []).filter((a) => a.id !== session.user.id);
  return (
    <div className="availability-bar inline" data-testid="availability-bar">
      <label htmlFor={`${id}-me`}>My availability</label>
      <select id={`${id}-me`} data-testid="my-availability" value={me?.availability ?? 'offline'} disabled={!me || action.busy} onChange={(e) => void change(e.target.value)}>
        {Object.entries(AVAILABILITY_LABELS).map(([v, label]) => (
          <option key={v} value={v}>
            {label}
          </option>
        ))}
      </select>
      {others.length > 0 ? (
        <ul className="plain colleagues" aria-label="Colleagues">
          {others.map((a) => (
            <li key={a.id} data-testid="colleague" data-availability={a.availability}>
              <span className={`presence presence-${a.availability}`} aria-hidden="true" />
              {a.name} <span className="muted">({AVAILABILITY_LABELS[a.availability] ?? a.availability}, {a.open_tickets} open)</span>
            </li>
          ))}
        </ul>
      ) : null}
      <ErrorBox error={action.error} />
    </div>
  );
}

/** Says who else has the ticket open; keeps the signed-in user's own presence alive while it is shown. */
export function ViewersNotice({ ticketId, session }: { ticketId: string; session: Session }) {
  const [viewers, setViewers] = useState<TicketViewers['viewers']>([]);
  useEffect(() => {
    if (session.mode !== 'session') return;
    let stopped = false;
    const beat = () =>
      post<TicketViewers>(`/v1/tickets/${enc(ticketId)}/viewing`).then(
        (r) => {
          if (!stopped) setViewers(r.viewers);
        },
        () => undefined,
      );
    void beat();
    const timer = window.setInterval(() => void beat(), HEARTBEAT_MS);
    const onFrame = (e: Event) => {
      const frame = (e as CustomEvent<TicketViewers>).detail;
      if (frame.ticket_id === ticketId) setViewers(frame.viewers.filter((v) => v.user_id !== session.user.id));
    };
    window.addEventListener(VIEWERS_EVENT, onFrame);
    // Closing the tab or leaving the console: say so while the page goes (else the presence expires in 30 s).
    const onHide = () => void fetch(`/v1/tickets/${enc(ticketId)}/viewing`, { method: 'DELETE', headers: authHeaders('DELETE'), credentials: 'same-origin', keepalive: true }).catch(() => undefined);
    window.addEventListener('pagehide', onHide);
    return () => {
      stopped = true;
      window.clearInterval(timer);
      window.removeEventListener(VIEWERS_EVENT, onFrame);
      window.removeEventListener('pagehide', onHide);
      void del(`/v1/tickets/${enc(ticketId)}/viewing`).catch(() => undefined);
    };
  }, [ticketId, session.mode, session.user.id]);
  if (viewers.length === 0) return null;
  return (
    <p className="notice collision" role="status" data-testid="collision-notice">
      {viewers.map((v) => v.name).join(', ')} {viewers.length === 1 ? 'also has' : 'also have'} this ticket open.
    </p>
  );
}

/** For chat tickets: link the conversation to one of the customer's orders (the order's timeline then shows it). */
export function OrderLink({ ticket, onLinked }: { ticket: TicketDetail; onLinked: () => void }) {
  const chat = !!ticket.conversation_id && !!ticket.customer_id;
  const orders = useLoad(chat ? `linkable:${ticket.id}` : null, () => get<{ linked_order_id: string | null; data: LinkableOrder[] }>(`/v1/tickets/${enc(ticket.id)}/orders`));
  const [choice, setChoice] = useState('');
  const action = useAction();
  const id = useId();
  if (!chat || !orders.data || orders.data.data.length === 0) return null;
  const linked = orders.data.linked_order_id;
  const link = async () => {
    if (!choice) return;
    if ((await action.run(() => patch(`/v1/tickets/${enc(ticket.id)}`, { order_id: choice }))) !== undefined) {
      orders.reload(true);
      onLinked();
    }
  };
  return (
    <div className="order-link">
      <h3>Link to an order</h3>
      <div className="inline">
        <label htmlFor={`${id}-order`} className="sr-only">
          Order
        </label>
        <select id={`${id}-order`} data-testid="order-link-select" value={choice || linked || ''} onChange={(e) => setChoice(e.target.value)}>
          {linked ? null : <option value="">Choose an order…</option>}
          {orders.data.data.map((o) => (
            <option key={o.id} value={o.id}>
              {o.name} · {formatMoney(o.total, o.currency)} · {when(o.created_at)}
              {o.linked ? ' (linked)' : ''}
            </option>
          ))}
        </select>
        <button type="button" className="small" data-testid="order-link-submit" disabled={action.busy || !choice || choice === linked} onClick={() => void link()}>
          Link
        </button>
      </div>
      <ErrorBox error={action.error} />
    </div>
  );
}
