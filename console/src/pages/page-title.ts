// The browser tab says where the user is: "Inbox · Shoptalk", "Ticket: Where is my order? · Shoptalk".
import { useEffect } from 'react';

export function usePageTitle(title: string | null): void {
  useEffect(() => {
    if (title) document.title = `${title} · Shoptalk`;
  }, [title]);
}
