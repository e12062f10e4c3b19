// Customers: search, their identities on each channel and store, their loyalty balance and ledger.
import { enc, get, qs } from '../api';
import type { Customer, List, Loyalty, OrderHistory } from '../types';
import { Async, useLoad, when } from '../ui';
import { Link, useLocation } from '../router';
import { formatMoney } from '../money';
import { usePageTitle } from './page-title';
import { MatchCount, SearchForm } from '../search';

export function CustomersPage({ customerId }: { customerId: string | null }) {
  const loc = useLocation();
  const query = loc.query.get('query') ?? '';
  const list = useLoad(`customers?${query}`, () => get<List<Customer>>(`/v1/customers${qs({ query, limit: '50' })}`));

  const selected = (list.data?.data ?? []).find((c) => c.id === customerId);
  usePageTitle(customerId ? `Customer${selected?.name ? `: ${selected.name}` : ''}` : query ? `Customers matching “${query}”` : 'Customers');

  return (
    <section>
      <h1>Customers</h1>
      <SearchForm path="/customers" query={query} label="Search customers" placeholder="Name, e-mail or phone" hint="Finds the start or any part of a name or e-mail, or a phone number written any way (+886 912-000-777, 0912000777)." testId="customers-search" />
      <MatchCount query={query} page={list.data} noun="customer" testId="customers-result-count" />
      <div className="split">
        <div className="list-pane">
          <Async load={list}>
            {(d) =>
              d.data.length === 0 ? (
                <p className="empty">No customers{query ? ` match “${query}”` : ' yet'}.</p>
              ) : (
                <ul className="rows">
                  {d.data.map((c) => (
                    <li key={c.id}>
                      <Link to={`/customers/${enc(c.id)}${qs({ query })}`} className={c.id === customerId ? 'row selected' : 'row'} data-testid="customer-row" aria-current={c.id === customerId ? 'true' : undefined}>
                        <strong>{c.name ?? '(no name)'}</strong>
                        <span className="muted">{[c.email, c.phone].filter(Boolean).join(' · ') || `${c.identities.length} identities`}</span>
                      </Link>
                    </li>
                  ))}
                </ul>
              )
            }
          </Async>
        </div>
        <div className="detail-pane">{customerId ? <CustomerDetail key={customerId} customerId={customerId} /> : <p className="empty">Choose a customer.</p>}</div>
      </div>
    </section>
  );
}

function CustomerDetail({ customerId }: { customerId: string }) {
  const customer = useLoad(`customer:${customerId}`, () => get<Customer>(`/v1/customers/${enc(customerId)}`));
  const loyalty = useLoad(`loyalty:${customerId}`, () => get<Loyalty>(`/v1/customers/${enc(customerId)}/loyalty`));
  const orders = useLoad(`corders:${customerId}`, () => get<List<OrderHistory>>(`/v1/customers/${enc(customerId)}/orders`));
  return (
    <article>
      <Async load={customer}>
        {(c) => (
          <>
            <h2>{c.name ?? '(no name)'}</h2>
            <p>
              {c.email ?? 'no e-mail'} · {c.phone ?? 'no phone'}
            </p>
            <h3>Identities</h3>
            {c.identities.length === 0 ? (
              <p className="empty">No identities.</p>
            ) : (
              <div className="table-wrap">
                <table>
                  <thead>
                    <tr>
                      <th>Kind</th>
                      <th>Value</th>
                      <th>Account / store</th>
                      <th>Added</th>
                    </tr>
                  </thead>
                  <tbody>
                    {c.identities.map((i) => (
                      <tr key={i.id} data-testid="identity-row">
                        <td>{i.kind}</td>
                        <td className="wrap">
                          <code>{i.value}</code>
                        </td>
                        <td className="wrap">{i.channel_account_id ?? i.store_connection_id ?? '—'}</td>
                        <td>{when(i.created_at)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </>
        )}
      </Async>
      <h3>Loyalty</h3>
      <Async load={loyalty}>
        {(l) =>
          !l.member ? (
            <p className="empty">Not a member of the loyalty programme.</p>
          ) : (
            <>
              <p>
                Balance <strong data-testid="loyalty-balance">{l.balance}</strong> points {l.email ? <span className="muted">({l.email})</span> : null}
              </p>
              {l.ledger.length > 0 ? (
                <div className="table-wrap">
                  <table>
                    <thead>
                      <tr>
                        <th>When</th>
                        <th>Change</th>
                        <th>Balance</th>
                        <th>Reason</th>
                      </tr>
                    </thead>
                    <tbody>
                      {l.ledger.map((e) => (
                        <tr key={e.id}>
                          <td>{when(e.created_at)}</td>
                          <td className={e.delta < 0 ? 'neg num' : 'num'}>{e.delta > 0 ? `+${e.delta}` : e.delta}</td>
                          <td className="num">{e.balance_after}</td>
                          <td>
                            {e.reason}
                            {e.reference ? <span className="muted"> ({e.reference})</span> : null}
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              ) : null}
            </>
          )
        }
      </Async>
      <h3>Store orders</h3>
      <Async load={orders}>
        {(d) =>
          d.data.length === 0 ? (
            <p className="empty">No linked store account.</p>
          ) : (
            <>
              {d.data.map((h) => (
                <div key={h.store_connection_id}>
                  <p className="muted">
                    {h.platform}, last {h.window_days} days
                    {h.store_url ? (
                      <>
                        {' '}
                        ·{' '}
                        <a href={h.store_url} target="_blank" rel="noreferrer">
                          older orders in the store
                        </a>
                      </>
                    ) : null}
                  </p>
                  <ul className="plain">
                    {h.orders.map((o) => (
                      <li key={o.external_id}>
                        {o.status_url ? (
                          <a href={o.status_url} target="_blank" rel="noreferrer">
                            {o.name}
                          </a>
                        ) : (
                          o.name
                        )}{' '}
                        <span className="muted">
                          {formatMoney(o.total)} {o.fulfillment_status ?? o.financial_status ?? ''} {when(o.created_at)}
                        </span>
                      </li>
                    ))}
                  </ul>
                </div>
              ))}
            </>
          )
        }
      </Async>
    </article>
  );
}
