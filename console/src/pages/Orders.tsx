// "Orders > Activity": find an order, then see what was sent, skipped (and why) and what the customer did.
import { useEffect, useState } from 'react';
import { enc, get, qs } from '../api';
import type { Activity, List, Order } from '../types';
import { Async, StatusBadge, useLoad, when } from '../ui';
import { Link, useLocation } from '../router';
import { formatMoney } from '../money';
import { usePageTitle } from './page-title';
import { MatchCount, SearchForm } from '../search';

/** An order with the name of its store (two stores may both have an order #1001). */

export function OrdersPage({ orderId }: { orderId: string | null }) {
  const loc = useLocation();
  const query = loc.query.get('query') ?? '';
  const list = useLoad(`orders?${query}`, () => get<List<Order>>(`/v1/orders${qs({ query, limit: '50' })}`));

  const [orderTitle, setOrderTitle] = useState<string | null>(null);
  usePageTitle(orderId ? `Order ${orderTitle ?? ''}`.trim() : query ? `Orders matching “${query}”` : 'Orders');
  const stores = new Set((list.data?.data ?? []).map((o) => o.store_connection_id));

  return (
    <section>
      <h1>Orders</h1>
      <SearchForm path="/orders" query={query} label="Search orders" placeholder="Order number, name, e-mail or phone" hint="Finds part of a name or e-mail, an order number with or without #, or a phone number written any way." testId="orders-search" />
      <MatchCount query={query} page={list.data} noun="order" testId="orders-result-count" />
      <div className="split">
        <div className="list-pane">
          <Async load={list}>
            {(d) =>
              d.data.length === 0 ? (
                <p className="empty">No orders{query ? ` match “${query}”` : ' yet'}.</p>
              ) : (
                <ul className="rows">
                  {d.data.map((o) => (
                    <li key={o.id}>
                      <Link to={`/orders/${enc(o.id)}${qs({ query })}`} className={o.id === orderId ? 'row selected' : 'row'} data-testid="order-row" aria-current={o.id === orderId ? 'true' : undefined}>
                        <span className="row-top">
                          <strong>{o.name}</strong>
                          {o.store_name && stores.size > 1 ? (
                            <span className="store-tag" data-testid="order-row-store">
                              {o.store_name}
                            </span>
                          ) : null}
                        </span>
                        <span>{o.customer_name ?? '—'}</span>
                        <span className="muted">
                          {formatMoney(o.total, o.currency)} · {when(o.created_at)}
                        </span>
                      </Link>
                    </li>
                  ))}
                </ul>
              )
            }
          </Async>
        </div>
        <div className="detail-pane">{orderId ? <OrderDetail orderId={orderId} onTitle={setOrderTitle} /> : <p className="empty">Choose an order to see its activity.</p>}</div>
      </div>
    </section>
  );
}

function OrderDetail({ orderId, onTitle }: { orderId: string; onTitle: (name: string | null) => void }) {
  const order = useLoad(`order:${orderId}`, () => get<Order>(`/v1/orders/${enc(orderId)}`));
  const name = order.data ? order.data.name : null;
  useEffect(() => onTitle(name), [name, onTitle]);
  const activity = useLoad(`activity:${orderId}`, () => get<{ order_id: string; data: Activity[] }>(`/v1/orders/${enc(orderId)}/activity`));
  return (
    <article>
      <Async load={order}>
        {(o) => (
          <>
            <h2>
              Order {o.name} <StatusBadge status={o.status ?? 'unknown'} />
            </h2>
            {o.store_name ? <p className="muted">Store: {o.store_name}</p> : null}
            <p>
              {o.customer_name ?? '—'} · {o.email ?? 'no e-mail'} · {o.phone ?? 'no phone'}
            </p>
            <p>
              Total {formatMoney(o.total, o.currency)} · placed {when(o.created_at)}
            </p>
            {o.lines.length > 0 ? (
              <ul className="plain">
                {o.lines.map((l, i) => (
                  <li key={i}>
                    {l.quantity} × {l.title} {l.sku ? <span className="muted">({l.sku})</span> : null}
                  </li>
                ))}
              </ul>
            ) : null}
          </>
        )}
      </Async>
      <h3>Activity</h3>
      <button type="button" className="small" onClick={() => activity.reload()}>
        Refresh
      </button>
      <Async load={activity}>{(d) => <Timeline entries={d.data} />}</Async>
    </article>
  );
}

const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);

function Timeline({ entries }: { entries: Activity[] }) {
  if (entries.length === 0) return <p className="empty">Nothing has happened on this order yet.</p>;
  return (
    <ol className="timeline" data-testid="activity-timeline">
      {entries.map((a) => {
        const data = a.data ?? {};
        const mode = str(data.mode);
        const reason = str(data.reason) ?? str(data.error);
        const channel = str(data.channel);
        const ticketId = str(data.ticketId);
        return (
          <li key={a.id} className={`tl tl-${a.kind.replace(/\./g, '-')}`} data-testid="activity-entry">
            <div className="tl-head">
              <span className="badge">{a.kind}</span>
              <time dateTime={a.created_at}>{when(a.created_at)}</time>
            </div>
            <p>
              {a.summary}
              {ticketId ? (
                <>
                  {' '}
                  <Link to={`/inbox/${enc(ticketId)}`} data-testid="activity-ticket">
                    Open the ticket
                  </Link>
                </>
              ) : null}
            </p>
            <p className="muted">
              {channel ? <>channel {channel} </> : null}
              {mode ? (
                <>
                  · mode <strong data-testid="activity-mode">{mode}</strong>{' '}
                </>
              ) : null}
              {reason ? <>· reason: {reason}</> : null}
            </p>
          </li>
        );
      })}
    </ol>
  );
}
