// CRM contacts of the support inbox: search, filter by label, and put labels on or off.
import { useId, useState } from 'react';
import type { FormEvent } from 'react';
import { get, qs } from '../api';
import type { Contact, List } from '../types';
import { Async, useLoad } from '../ui';
import { navigate, useLocation } from '../router';
import { LabelEditor, LabelFilter } from '../inbox-tools';
import { usePageTitle } from './page-title';

export function ContactsPage() {
  const loc = useLocation();
  const query = loc.query.get('query') ?? '';
  const labelId = loc.query.get('label_id') ?? '';
  const contacts = useLoad(`contacts:${query}:${labelId}`, () => get<List<Contact>>(`/v1/contacts${qs({ query, label_id: labelId, limit: '100' })}`));
  const [draft, setDraft] = useState({ query, label_id: labelId });
  const id = useId();
  usePageTitle('Contacts');
  const apply = (e: FormEvent) => {
    e.preventDefault();
    navigate(`/contacts${qs(draft)}`);
  };
  return (
    <section>
      <h1>Contacts</h1>
      <form className="filters" onSubmit={apply} aria-label="Contact filters">
        <div className="field">
          <label htmlFor={`${id}-q`}>Name, e-mail, phone or field value</label>
          <input id={`${id}-q`} data-testid="contacts-query" value={draft.query} onChange={(e) => setDraft({ ...draft, query: e.target.value })} />
        </div>
        <LabelFilter id={`${id}-label`} value={draft.label_id} onChange={(v) => setDraft({ ...draft, label_id: v })} />
        <button type="submit" data-testid="contacts-filter">
          Filter
        </button>
      </form>
      <Async load={contacts}>
        {(d) =>
          d.data.length === 0 ? (
            <p className="empty">No contacts match.</p>
          ) : (
            <ul className="rows">
              {d.data.map((c) => (
                <li key={c.id} className="row" data-testid="contact-row">
                  <span className="row-top">
                    <strong>{c.name ?? 'Unnamed contact'}</strong>
                    <span className="muted">{[c.email, c.phone].filter(Boolean).join(' · ')}</span>
                  </span>
                  <LabelEditor target="contacts" id={c.id} labels={c.labels} testid="contact-labels" onChanged={() => contacts.reload(true)} />
                </li>
              ))}
            </ul>
          )
        }
      </Async>
    </section>
  );
}

