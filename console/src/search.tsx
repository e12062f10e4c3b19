// The search form and result count the list pages (customers, orders) share.
import { useId, useState } from 'react';
import type { FormEvent, ReactNode } from 'react';
import { qs } from './api';
import { navigate } from './router';

/** A search box that puts the query in the page's URL (`?query=`), so results can be linked and reloaded. */
export function SearchForm({ path, query, label, placeholder, hint, testId }: { path: string; query: string; label: string; placeholder: string; hint: ReactNode; testId: string }) {
  const [draft, setDraft] = useState(query);
  const id = useId();
  const search = (e: FormEvent) => {
    e.preventDefault();
    navigate(`${path}${qs({ query: draft.trim() })}`);
  };
  return (
    <form className="search" role="search" onSubmit={search}>
      <label htmlFor={`${id}-q`}>{label}</label>
      <input id={`${id}-q`} data-testid={testId} type="search" value={draft} onChange={(e) => setDraft(e.target.value)} placeholder={placeholder} aria-describedby={`${id}-hint`} />
      <button type="submit">Search</button>
      <p id={`${id}-hint`} className="muted search-hint">
        {hint}
      </p>
    </form>
  );
}

/** "3 orders match “x”" (with + when there are more pages), read out to screen readers. */
export function MatchCount({ query, page, noun, testId }: { query: string; page: { data: unknown[]; next_cursor?: string | null | undefined } | null | undefined; noun: string; testId: string }) {
  if (!query || !page) return null;
  const n = page.data.length;
  return (
    <p className="muted" role="status" data-testid={testId}>
      {n === 1 ? `1 ${noun}` : `${n}${page.next_cursor ? '+' : ''} ${noun}s`} match “{query}”
    </p>
  );
}
