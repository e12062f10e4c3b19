// A ticket's subject says what it is about: the customer's question in their words, or the order, never a
// generic "the customer asked for an agent".
import type { Ticket, TicketSummary } from './model.js';
import { isAgentRequest } from '../conversations/agent-words.js';

const MAX = 100;

/** One line, at most 100 characters, cut at a word where it can be. */
export function ticketSubject(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  if (line.length <= MAX) return line;
  const cut = line.slice(0, MAX - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > MAX / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/** Hand-over reasons older tickets were named by; they say nothing about the customer's question. */
const GENERIC = new Set(['the customer asked for an agent', 'taken over by an agent']);

const sentence = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** The subject to show: the stored one, else the order, the customer's first question, or why it was handed over. */
export function displaySubject(t: Ticket, summary: TicketSummary | null): string {
  if (t.subject && !GENERIC.has(t.subject)) return t.subject;
  if (t.context.orderId) return `Order ${t.context.orderId}`;
  const first = summary?.firstCustomer?.body;
  if (first && !isAgentRequest(first) && first !== '(non-text message)') return ticketSubject(first);
  const reason = t.context.handoverReason ?? t.subject;
  if (reason) return sentence(reason);
  return `${t.source} conversation`;
}
