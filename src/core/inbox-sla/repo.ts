// The persistence port of service levels: business hours, SLA policies, ticket targets, outside-hours replies
// and CSAT.
import type { CsatSettings, CsatSurvey, QueueBusinessHours, SlaPolicy, TicketSla } from './model.js';
import type { BusinessHours } from './business-hours.js';

export interface BusinessHoursRepo {
  get(workspaceId: string, queueId: string): Promise<QueueBusinessHours | null>;
  set(workspaceId: string, queueId: string, hours: BusinessHours): Promise<void>;
  remove(workspaceId: string, queueId: string): Promise<boolean>;
  /**
   * Records that a ticket got the outside-hours reply for the closed period starting at periodStart; false when
   * it already had (the reply then is not sent again).
   */
  claimOutsideHoursReply(workspaceId: string, ticketId: string, periodStart: number): Promise<boolean>;
}

export interface SlaPoliciesRepo {
  create(workspaceId: string, input: Omit<SlaPolicy, 'id' | 'createdAt' | 'updatedAt'>): Promise<SlaPolicy>;
  get(workspaceId: string, id: string): Promise<SlaPolicy | null>;
  forScope(workspaceId: string, scopeKind: string, scopeId: string): Promise<SlaPolicy | null>;
  list(workspaceId: string): Promise<SlaPolicy[]>;
  update(workspaceId: string, id: string, patch: Partial<Omit<SlaPolicy, 'id' | 'createdAt' | 'updatedAt' | 'scopeKind' | 'scopeId'>>): Promise<void>;
  remove(workspaceId: string, id: string): Promise<boolean>;
}

export interface TicketSlasRepo {
  /** Writes the ticket's targets, keeping outcomes already recorded. */
  upsert(workspaceId: string, row: Omit<TicketSla, 'updatedAt' | 'firstResponseAt' | 'firstResponseBreached' | 'resolvedAt' | 'resolutionBreached'>): Promise<void>;
  get(workspaceId: string, ticketId: string): Promise<TicketSla | null>;
  forTickets(workspaceId: string, ticketIds: string[]): Promise<Map<string, TicketSla>>;
  /** Records the first agent reply once; false when one was recorded already. */
  recordFirstResponse(workspaceId: string, ticketId: string, at: number, breached: boolean): Promise<boolean>;
  /** Records the resolution once; false when one was recorded already. */
  recordResolution(workspaceId: string, ticketId: string, at: number, breached: boolean): Promise<boolean>;
  /** Drops the targets of a ticket that has no policy any more and no outcome yet. */
  removeIfUntouched(workspaceId: string, ticketId: string): Promise<void>;
}

export interface CsatRepo {
  settings(workspaceId: string): Promise<CsatSettings | null>;
  setSettings(workspaceId: string, settings: Omit<CsatSettings, 'updatedAt'>): Promise<void>;
  /** Creates the ticket's survey unless it has one; null when it had. */
  createIfNew(workspaceId: string, input: Omit<CsatSurvey, 'id' | 'score' | 'answeredAt' | 'sentAt'>): Promise<CsatSurvey | null>;
  get(workspaceId: string, id: string): Promise<CsatSurvey | null>;
  forTicket(workspaceId: string, ticketId: string): Promise<CsatSurvey | null>;
  markSkipped(workspaceId: string, id: string, reason: string): Promise<void>;
  /** Records the answer if none was; false when the survey was answered already (or is not open). */
  answer(workspaceId: string, id: string, score: number, at: number): Promise<boolean>;
  /** How many answered surveys gave each score, per resolving agent. */
  scoreCounts(workspaceId: string): Promise<Array<{ agent: string | null; score: number; count: number }>>;
  list(workspaceId: string, opts: { agent?: string | null; limit: number; cursor: string | null }): Promise<{ items: CsatSurvey[]; nextCursor: string | null }>;
}

export interface InboxSlaRepos {
  businessHours: BusinessHoursRepo;
  slaPolicies: SlaPoliciesRepo;
  ticketSlas: TicketSlasRepo;
  csat: CsatRepo;
}
