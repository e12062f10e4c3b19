// Service levels of the support inbox: business hours per queue, SLA policies and each ticket's targets and
// outcomes, and customer-satisfaction (CSAT) surveys with their answers.
import type { BusinessHours } from './business-hours.js';

export type { BusinessHours, OpeningInterval } from './business-hours.js';

export interface QueueBusinessHours extends BusinessHours {
  queueId: string;
  updatedAt: number;
}

/**
 * What a policy applies to: a queue's tickets, or the tickets with a label. A ticket takes a label policy before
 * its queue's; of several label policies, the strictest (the shortest first-response target, then resolution).
 */
export type SlaScopeKind = 'queue' | 'label';
export const slaScopeKinds: SlaScopeKind[] = ['queue', 'label'];

/** Of several policies that apply to a ticket, the one it takes (see SlaScopeKind). */
export function strictestPolicy<T extends Pick<SlaPolicy, 'id' | 'firstResponseMinutes' | 'resolutionMinutes'>>(policies: T[]): T | null {
  const key = (m: number | null) => m ?? Number.MAX_SAFE_INTEGER;
  return [...policies].sort((a, b) => key(a.firstResponseMinutes) - key(b.firstResponseMinutes) || key(a.resolutionMinutes) - key(b.resolutionMinutes) || a.id.localeCompare(b.id))[0] ?? null;
}

export interface SlaPolicy {
  id: string;
  name: string;
  scopeKind: SlaScopeKind;
  scopeId: string;
  /** Minutes to the first agent reply; null: no first-response target. */
  firstResponseMinutes: number | null;
  /** Minutes to resolution (the ticket closed); null: no resolution target. */
  resolutionMinutes: number | null;
  /** Count only the queue's business hours (needs business hours on the queue; else wall-clock time). */
  businessHours: boolean;
  /** The share of a target after which the ticket is shown as a warning. */
  warningPercent: number;
  createdAt: number;
  updatedAt: number;
}

/** One ticket's targets and what became of them; one row per ticket, for reports to aggregate. */
export interface TicketSla {
  ticketId: string;
  policyId: string;
  queueId: string | null;
  startedAt: number;
  firstResponseDueAt: number | null;
  firstResponseWarnAt: number | null;
  resolutionDueAt: number | null;
  resolutionWarnAt: number | null;
  firstResponseAt: number | null;
  /** Recorded with the first agent reply: true when it came after the due time. */
  firstResponseBreached: boolean | null;
  resolvedAt: number | null;
  resolutionBreached: boolean | null;
  updatedAt: number;
}

export type SlaState = 'ok' | 'warning' | 'breached' | 'met';

/**
 * A ticket's SLA state now: breached once any target was missed (recorded, or due and not yet done); met when
 * every target was reached; warning past a target's warning share; ok otherwise.
 */
export function slaState(s: TicketSla, now: number): SlaState {
  if (s.firstResponseBreached || s.resolutionBreached) return 'breached';
  const pending: Array<{ due: number; warn: number | null }> = [];
  if (s.firstResponseDueAt !== null && s.firstResponseAt === null) pending.push({ due: s.firstResponseDueAt, warn: s.firstResponseWarnAt });
  if (s.resolutionDueAt !== null && s.resolvedAt === null) pending.push({ due: s.resolutionDueAt, warn: s.resolutionWarnAt });
  if (pending.length === 0) return 'met';
  if (pending.some((p) => now >= p.due)) return 'breached';
  if (pending.some((p) => p.warn !== null && now >= p.warn)) return 'warning';
  return 'ok';
}

export interface CsatSettings {
  enabled: boolean;
  /** The survey's question, plain text. */
  question: string;
  updatedAt: number | null;
}

export const defaultCsatSettings = (): CsatSettings => ({ enabled: false, question: 'How would you rate the help you received? 1 = very poor, 5 = excellent.', updatedAt: null });

export type CsatSurveyStatus = 'sent' | 'answered' | 'skipped';

/** The survey of one resolved ticket: sent (buttons or a signed link), answered once, or skipped with the reason. */
export interface CsatSurvey {
  id: string;
  ticketId: string;
  /** The ticket's channel: whatsapp, messenger, line, sms, email, or the marketplace. */
  channel: string;
  status: CsatSurveyStatus;
  reason: string | null;
  /** The agent who resolved the ticket (a user's e-mail, as assignees are stored). */
  agent: string | null;
  score: number | null;
  sentAt: number;
  answeredAt: number | null;
}
