// The persistence port of reports: the facts each report aggregates, read for a time range, and the workspace's
// message prices (what a billable send costs, per sending account and category).

/** A ticket that was opened or resolved in the range. */
export interface TicketFact {
  id: string;
  createdAt: number;
  /** When the ticket was last closed; null while open. */
  resolvedAt: number | null;
  /** The first agent reply (auto-replies and notes do not count). */
  firstResponseAt: number | null;
  queueId: string | null;
  source: string;
  /** The assignee, as tickets store it (the user's e-mail address). */
  assignee: string | null;
  /** Label ids on the ticket. */
  labels: string[];
}

/** A ticket's SLA outcome, for tickets whose SLA started in the range. */
export interface SlaFact {
  ticketId: string;
  startedAt: number;
  /** null: no first-response target, or not reached yet and not late. */
  firstResponseBreached: boolean | null;
  resolutionBreached: boolean | null;
  firstResponseAt: number | null;
  resolvedAt: number | null;
}

/** An answered CSAT survey, answered in the range. */
export interface CsatFact {
  ticketId: string;
  score: number;
  answeredAt: number;
  /** The agent who resolved the ticket, as tickets store assignees (the user's e-mail address). */
  agent: string | null;
}

/** An outbound message created in the range. */
export interface MessageFact {
  createdAt: number;
  channel: string;
  channelAccountId: string | null;
  /** The event that caused it ("order.placed"); null for replies and pushes without one. */
  eventType: string | null;
  status: string;
  delivered: boolean;
  read: boolean;
  /** The pricing category of a billable send (usage record), null when not billed. */
  billedCategory: string | null;
}

export interface MessagePrice {
  channelAccountId: string;
  /** A pricing category (marketing, utility, authentication, service, ...), or "*" for any. */
  category: string;
  /** Price of one message in the workspace's currency, in millionths (micros). */
  priceMicros: number;
}

export interface ReportsRepo {
  /** Tickets opened or resolved in [from, to), and the tickets named in alsoIds (those of SLA and CSAT facts). */
  ticketFacts(workspaceId: string, from: number, to: number, alsoIds?: string[]): Promise<TicketFact[]>;
  /** SLA outcomes of the tickets whose SLA started in [from, to). */
  slaFacts(workspaceId: string, from: number, to: number): Promise<SlaFact[]>;
  /** CSAT answers given in [from, to). */
  csatFacts(workspaceId: string, from: number, to: number): Promise<CsatFact[]>;
  messageFacts(workspaceId: string, from: number, to: number): Promise<MessageFact[]>;
  prices(workspaceId: string): Promise<MessagePrice[]>;
  /** Replaces the workspace's prices with these. */
  setPrices(workspaceId: string, prices: MessagePrice[]): Promise<void>;
}

/** The repositories of this module, as the unit of work hands them out. */
export interface ReportRepos {
  reports: ReportsRepo;
}
