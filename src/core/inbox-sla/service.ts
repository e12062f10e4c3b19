// Service levels of the support inbox. Business hours per queue and the outside-hours reply (once per ticket
// per closed period); SLA policies whose targets each ticket gets when it opens, with warnings and breaches,
// and outcomes recorded when the first agent reply and the resolution happen; CSAT surveys sent when a ticket
// is resolved, in the ticket's channel, answered once.
import { AppError, invalidField, notFound } from '../errors.js';
import type { Repos, UnitOfWork } from '../repos.js';
import type { SecretBox } from '../secrets/secret-box.js';
import type { Ticket } from '../tickets/model.js';
import type { BusinessHours } from './business-hours.js';
import { addBusinessMinutes, businessHoursProblem, closedPeriodStart } from './business-hours.js';
import { isTimeZone } from '../zoned-time.js';
import type { CsatSettings, CsatSurvey, QueueBusinessHours, SlaPolicy, SlaScopeKind, SlaState, TicketSla } from './model.js';
import { defaultCsatSettings, slaState, strictestPolicy } from './model.js';
import { MARKETPLACE_SOURCE, sendTicketChoices, sendTicketText } from './ticket-outbox.js';

const MAX_TEXT = 1000;
const HTML = /<\s*\/?\s*[a-z][a-z0-9-]*(\s[^<>]*)?>|&[a-z]+;|&#\d+;/i;
/** The longest target: a year. */
const MAX_MINUTES = 366 * 24 * 60;
const CSAT_PAYLOAD = /^csat:([a-z]+_[0-9a-z]+):([1-5])$/;
const SCORE_TITLES = ['1 – Very poor', '2 – Poor', '3 – Okay', '4 – Good', '5 – Excellent'];

export interface SlaView {
  policyId: string;
  firstResponseDueAt: number | null;
  resolutionDueAt: number | null;
  firstResponseAt: number | null;
  resolvedAt: number | null;
  state: SlaState;
}

export type PolicyInput = Pick<SlaPolicy, 'name' | 'firstResponseMinutes' | 'resolutionMinutes' | 'businessHours' | 'warningPercent'>;

/** Checks tenant text that goes to customers: plain text, no NUL, bounded. */
function customerText(field: string, value: string, max = MAX_TEXT): string {
  const text = value.trim();
  if (text === '') throw invalidField(field, 'must not be empty');
  if (text.length > max) throw invalidField(field, `must be at most ${max} characters`);
  if (text.includes('\u0000')) throw invalidField(field, 'must not contain NUL characters');
  if (HTML.test(text)) throw invalidField(field, 'must be plain text, without HTML (EmpikPlace and chats take plain text only)');
  return text;
}

export class InboxSlaService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly secrets: SecretBox,
    private readonly publicUrl: () => string,
    /** The clock of due times and outcomes; tests move it. */
    readonly now: () => number = Date.now,
  ) {}

  // ---- business hours

  businessHours(workspaceId: string, queueId: string): Promise<QueueBusinessHours | null> {
    return this.uow.repos.businessHours.get(workspaceId, queueId);
  }

  async setBusinessHours(workspaceId: string, queueId: string, input: BusinessHours): Promise<QueueBusinessHours> {
    if (!(await this.uow.repos.queues.get(workspaceId, queueId))) throw notFound('queue', queueId);
    if (!isTimeZone(input.timeZone)) throw invalidField('time_zone', `${input.timeZone} is not an IANA time zone (e.g. Europe/Warsaw)`);
    const problem = businessHoursProblem(input);
    if (problem) throw invalidField(problem.field, problem.problem);
    const hours: BusinessHours = {
      timeZone: input.timeZone,
      intervals: input.intervals.map((i) => ({ day: i.day, start: i.start, end: i.end })),
      holidays: [...new Set(input.holidays)].sort(),
      outsideHoursReply: input.outsideHoursReply == null || input.outsideHoursReply.trim() === '' ? null : customerText('outside_hours_reply', input.outsideHoursReply),
    };
    await this.uow.transaction(async (tx) => {
      await tx.businessHours.set(workspaceId, queueId, hours);
      await this.reapply(tx, workspaceId, { kind: 'queue', id: queueId });
    });
    return (await this.uow.repos.businessHours.get(workspaceId, queueId))!;
  }

  async removeBusinessHours(workspaceId: string, queueId: string): Promise<void> {
    await this.uow.transaction(async (tx) => {
      if (!(await tx.businessHours.remove(workspaceId, queueId))) throw notFound('business hours of queue', queueId);
      await this.reapply(tx, workspaceId, { kind: 'queue', id: queueId });
    });
  }

  /**
   * A customer wrote at `at`: when the ticket's queue is closed then, the queue's outside-hours reply goes out,
   * once per ticket and closed period (claimed in the caller's transaction, so it is recorded before it is sent).
   * True when the queue was closed and its reply went out (now or earlier in the same period).
   */
  async customerWrote(tx: Repos, ticket: Ticket, at: number): Promise<boolean> {
    if (!ticket.queueId) return false;
    const hours = await tx.businessHours.get(ticket.workspaceId, ticket.queueId);
    if (!hours?.outsideHoursReply) return false;
    const period = closedPeriodStart(hours, at);
    if (period === null) return false;
    // Closed: the period's reply was sent now or before; either way the queue's own auto-reply is not needed.
    if (!(await tx.businessHours.claimOutsideHoursReply(ticket.workspaceId, ticket.id, period))) return true;
    const queue = await tx.queues.get(ticket.workspaceId, ticket.queueId);
    const sent = await sendTicketText(tx, ticket, { text: hours.outsideHoursReply, key: `outside-hours:${ticket.id}:${period}`, author: queue?.name ?? null, now: this.now() });
    return sent.sent;
  }

  // ---- SLA policies

  listPolicies(workspaceId: string): Promise<SlaPolicy[]> {
    return this.uow.repos.slaPolicies.list(workspaceId);
  }

  private checkPolicy(input: Partial<PolicyInput>): void {
    if (input.name !== undefined && (input.name.trim() === '' || input.name.length > 100)) throw invalidField('name', 'must be 1 to 100 characters');
    for (const [field, v] of [['first_response_minutes', input.firstResponseMinutes], ['resolution_minutes', input.resolutionMinutes]] as const) {
      if (v != null && (!Number.isInteger(v) || v < 1 || v > MAX_MINUTES)) throw invalidField(field, `must be a whole number of minutes from 1 to ${MAX_MINUTES}`);
    }
    if (input.warningPercent !== undefined && (!Number.isInteger(input.warningPercent) || input.warningPercent < 1 || input.warningPercent > 99)) throw invalidField('warning_percent', 'must be 1 to 99');
  }

  /** A policy for a queue's tickets (queueId) or for the tickets with a label (labelId): exactly one of them. */
  async createPolicy(workspaceId: string, input: PolicyInput & { queueId?: string | null; labelId?: string | null }): Promise<SlaPolicy> {
    this.checkPolicy(input);
    if (input.firstResponseMinutes == null && input.resolutionMinutes == null) throw invalidField('first_response_minutes', 'a policy needs a first-response or a resolution target');
    if (!input.queueId === !input.labelId) throw invalidField('queue_id', 'give either queue_id or label_id: a policy applies to a queue or to a label');
    const scope: { kind: SlaScopeKind; id: string } = input.queueId ? { kind: 'queue', id: input.queueId } : { kind: 'label', id: input.labelId! };
    if (scope.kind === 'queue' && !(await this.uow.repos.queues.get(workspaceId, scope.id))) throw invalidField('queue_id', `no queue ${scope.id}`);
    if (scope.kind === 'label' && !(await this.uow.repos.labels.get(workspaceId, scope.id))) throw invalidField('label_id', `no label ${scope.id}; see GET /v1/labels`);
    if (await this.uow.repos.slaPolicies.forScope(workspaceId, scope.kind, scope.id)) throw new AppError('conflict', `this ${scope.kind} has an SLA policy already; change that one`);
    return this.uow.transaction(async (tx) => {
      const policy = await tx.slaPolicies.create(workspaceId, { name: input.name.trim(), scopeKind: scope.kind, scopeId: scope.id, firstResponseMinutes: input.firstResponseMinutes, resolutionMinutes: input.resolutionMinutes, businessHours: input.businessHours, warningPercent: input.warningPercent });
      await this.reapply(tx, workspaceId, scope);
      return policy;
    });
  }

  async updatePolicy(workspaceId: string, id: string, patch: Partial<PolicyInput>): Promise<SlaPolicy> {
    const current = await this.uow.repos.slaPolicies.get(workspaceId, id);
    if (!current) throw notFound('SLA policy', id);
    this.checkPolicy(patch);
    const first = patch.firstResponseMinutes !== undefined ? patch.firstResponseMinutes : current.firstResponseMinutes;
    const resolution = patch.resolutionMinutes !== undefined ? patch.resolutionMinutes : current.resolutionMinutes;
    if (first == null && resolution == null) throw invalidField('first_response_minutes', 'a policy needs a first-response or a resolution target');
    return this.uow.transaction(async (tx) => {
      await tx.slaPolicies.update(workspaceId, id, { ...patch, ...(patch.name !== undefined ? { name: patch.name.trim() } : {}) });
      await this.reapply(tx, workspaceId, { kind: current.scopeKind, id: current.scopeId });
      return (await tx.slaPolicies.get(workspaceId, id))!;
    });
  }

  async removePolicy(workspaceId: string, id: string): Promise<void> {
    const current = await this.uow.repos.slaPolicies.get(workspaceId, id);
    if (!current) throw notFound('SLA policy', id);
    await this.uow.transaction(async (tx) => {
      await tx.slaPolicies.remove(workspaceId, id);
      await this.reapply(tx, workspaceId, { kind: current.scopeKind, id: current.scopeId });
    });
  }

  /**
   * A policy or the business hours of a queue changed: its unresolved tickets take the new targets, counted from
   * when each opened (outcomes already recorded stay as they were).
   */
  private async reapply(tx: Repos, workspaceId: string, scope: { kind: SlaScopeKind; id: string }): Promise<void> {
    const filter = scope.kind === 'queue' ? { queueId: scope.id } : { labelId: scope.id };
    for (const status of ['open', 'pending'] as const) {
      let cursor: string | null = null;
      do {
        const page = await tx.tickets.list(workspaceId, { ...filter, status, limit: 200, cursor });
        for (const t of page.items) await this.ticketOpened(tx, t);
        cursor = page.nextCursor;
      } while (cursor);
    }
  }

  /** The policy that applies to a ticket: the strictest of its labels' policies, else its queue's. */
  private async policyFor(tx: Repos, ticket: Ticket): Promise<SlaPolicy | null> {
    const labels = (await tx.labels.on(ticket.workspaceId, 'ticket', [ticket.id])).get(ticket.id) ?? [];
    const byLabel: SlaPolicy[] = [];
    for (const label of labels) {
      const policy = await tx.slaPolicies.forScope(ticket.workspaceId, 'label', label.id);
      if (policy) byLabel.push(policy);
    }
    const strictest = strictestPolicy(byLabel);
    if (strictest) return strictest;
    return ticket.queueId ? tx.slaPolicies.forScope(ticket.workspaceId, 'queue', ticket.queueId) : null;
  }

  /** A label was deleted: so is its policy, and the open tickets that had it take the policy that applies now. */
  async labelRemoved(tx: Repos, workspaceId: string, labelId: string, ticketIds: string[]): Promise<void> {
    const policy = await tx.slaPolicies.forScope(workspaceId, 'label', labelId);
    if (policy) await tx.slaPolicies.remove(workspaceId, policy.id);
    for (const id of ticketIds) await this.labelsChanged(tx, workspaceId, id);
  }

  /** A ticket's labels changed: its targets follow the policy that applies now (outcomes recorded stay). */
  async labelsChanged(tx: Repos, workspaceId: string, ticketId: string): Promise<void> {
    const ticket = await tx.tickets.get(workspaceId, ticketId);
    if (ticket && ticket.status !== 'closed') await this.ticketOpened(tx, ticket);
  }

  /** Sets a ticket's due times from when it opened; called when it opens, and when its queue or policy changes. */
  async ticketOpened(tx: Repos, ticket: Ticket): Promise<void> {
    const ws = ticket.workspaceId;
    const policy = await this.policyFor(tx, ticket);
    if (!policy) {
      await tx.ticketSlas.removeIfUntouched(ws, ticket.id);
      return;
    }
    const hours = policy.businessHours && ticket.queueId ? await tx.businessHours.get(ws, ticket.queueId) : null;
    const start = ticket.createdAt;
    const at = (minutes: number | null, share = 1): number | null => {
      if (minutes == null) return null;
      const ms = Math.round(minutes * share * 60_000);
      // Business minutes, when the policy counts them and the queue has hours; wall-clock time otherwise (also
      // for hours that never open).
      return (hours ? addBusinessMinutes(hours, start, ms / 60_000) : null) ?? start + ms;
    };
    const warn = policy.warningPercent / 100;
    await tx.ticketSlas.upsert(ws, {
      ticketId: ticket.id,
      policyId: policy.id,
      queueId: ticket.queueId,
      startedAt: start,
      firstResponseDueAt: at(policy.firstResponseMinutes),
      firstResponseWarnAt: at(policy.firstResponseMinutes, warn),
      resolutionDueAt: at(policy.resolutionMinutes),
      resolutionWarnAt: at(policy.resolutionMinutes, warn),
    });
  }

  /** The first agent reply: recorded once, met or breached against the due time. */
  async agentReplied(tx: Repos, workspaceId: string, ticketId: string): Promise<void> {
    const sla = await tx.ticketSlas.get(workspaceId, ticketId);
    if (!sla || sla.firstResponseAt !== null) return;
    const now = this.now();
    await tx.ticketSlas.recordFirstResponse(workspaceId, ticketId, now, sla.firstResponseDueAt !== null && now > sla.firstResponseDueAt);
  }

  /** SLA views of tickets, with their state now. */
  async views(workspaceId: string, ticketIds: string[]): Promise<Map<string, SlaView>> {
    const rows = await this.uow.repos.ticketSlas.forTickets(workspaceId, ticketIds);
    const now = this.now();
    return new Map([...rows].map(([id, s]) => [id, view(s, now)]));
  }

  // ---- resolution and CSAT

  /**
   * A ticket was resolved by `agent`: the resolution outcome is recorded, and the CSAT survey goes out in the
   * ticket's channel when the workspace has it on (once per ticket; a reopened ticket resolved again gets none).
   */
  async resolved(ticket: Ticket, agent: string | null): Promise<void> {
    const ws = ticket.workspaceId;
    const settings = await this.csatSettings(ws);
    await this.uow.transaction(async (tx) => {
      const sla = await tx.ticketSlas.get(ws, ticket.id);
      const now = this.now();
      if (sla && sla.resolvedAt === null) await tx.ticketSlas.recordResolution(ws, ticket.id, now, sla.resolutionDueAt !== null && now > sla.resolutionDueAt);
      if (settings.enabled) await this.sendSurvey(tx, ticket, agent, settings, now);
    });
  }

  private async sendSurvey(tx: Repos, ticket: Ticket, agent: string | null, settings: CsatSettings, now: number): Promise<void> {
    const ws = ticket.workspaceId;
    const channel = ticket.source === MARKETPLACE_SOURCE ? 'empikplace' : (ticket.context.channel ?? ticket.source.toLowerCase());
    if (channel === 'empikplace') {
      // The marketplace's rules forbid surveys in buyer conversations: recorded as skipped, nothing sent.
      await tx.csat.createIfNew(ws, { ticketId: ticket.id, channel, status: 'skipped', reason: 'EmpikPlace does not allow surveys in buyer conversations', agent });
      return;
    }
    const survey = await tx.csat.createIfNew(ws, { ticketId: ticket.id, channel, status: 'sent', reason: null, agent });
    if (!survey) return;
    const key = `csat:${ticket.id}`;
    const result =
      channel === 'sms' || channel === 'email'
        ? await sendTicketText(tx, ticket, { text: `${settings.question}\n${this.ratingUrl(ws, survey.id)}`, key, author: null, now })
        : await sendTicketChoices(tx, ticket, { text: settings.question, buttons: SCORE_TITLES.map((title, i) => ({ id: `csat:${survey.id}:${i + 1}`, title })), key, author: null, now });
    if (!result.sent) await tx.csat.markSkipped(ws, survey.id, result.reason);
  }

  async csatSettings(workspaceId: string): Promise<CsatSettings> {
    return (await this.uow.repos.csat.settings(workspaceId)) ?? defaultCsatSettings();
  }

  async setCsatSettings(workspaceId: string, patch: { enabled?: boolean; question?: string }): Promise<CsatSettings> {
    const current = await this.csatSettings(workspaceId);
    const question = patch.question !== undefined ? customerText('question', patch.question, 500) : current.question;
    await this.uow.repos.csat.setSettings(workspaceId, { enabled: patch.enabled ?? current.enabled, question });
    return this.csatSettings(workspaceId);
  }

  /** The signed link of a survey's public rating page (e-mail and SMS). */
  ratingUrl(workspaceId: string, surveyId: string): string {
    const data = `${workspaceId}.${surveyId}`;
    return `${this.publicUrl()}/csat/${data}.${this.secrets.mac('csat', data)}`;
  }

  /** The survey a rating link names; null when the link was not made by this installation (or was altered). */
  async readRatingLink(token: string): Promise<{ workspaceId: string; survey: CsatSurvey } | null> {
    const parts = token.split('.');
    if (parts.length !== 3) return null;
    const [workspaceId, surveyId, mac] = parts as [string, string, string];
    if (!this.secrets.verifyMac('csat', `${workspaceId}.${surveyId}`, mac)) return null;
    const survey = await this.uow.repos.csat.get(workspaceId, surveyId);
    return survey ? { workspaceId, survey } : null;
  }

  /**
   * Records a survey's answer. Once only: a second answer is refused (conflict), so the score an agent is
   * measured by cannot be changed afterwards.
   */
  async answer(workspaceId: string, surveyId: string, score: number): Promise<CsatSurvey> {
    if (!Number.isInteger(score) || score < 1 || score > 5) throw invalidField('score', 'must be 1 to 5');
    const survey = await this.uow.repos.csat.get(workspaceId, surveyId);
    if (!survey) throw notFound('survey', surveyId);
    if (survey.status === 'skipped') throw new AppError('conflict', 'this survey was not sent');
    if (!(await this.uow.repos.csat.answer(workspaceId, surveyId, score, this.now()))) throw new AppError('conflict', 'this survey was answered already');
    return (await this.uow.repos.csat.get(workspaceId, surveyId))!;
  }

  /**
   * A tapped survey button in a chat (payload csat:<survey>:<score>): the answer, if the survey is this
   * conversation's ticket's. Returns what to say back, or null when the payload is not a survey answer.
   */
  async answerFromChat(workspaceId: string, conversationId: string, payload: string | null): Promise<string | null> {
    const m = payload ? CSAT_PAYLOAD.exec(payload) : null;
    if (!m) return null;
    const survey = await this.uow.repos.csat.get(workspaceId, m[1]!);
    const ticket = survey ? await this.uow.repos.tickets.get(workspaceId, survey.ticketId) : null;
    if (!survey || ticket?.context.conversationId !== conversationId) return 'Sorry, this survey is not available any more.';
    try {
      await this.answer(workspaceId, survey.id, Number(m[2]));
      return 'Thank you for your rating!';
    } catch (err) {
      if (err instanceof AppError && err.code === 'conflict') return 'You have rated this conversation already. Thank you!';
      throw err;
    }
  }

  survey(workspaceId: string, ticketId: string): Promise<CsatSurvey | null> {
    return this.uow.repos.csat.forTicket(workspaceId, ticketId);
  }

  listSurveys(workspaceId: string, opts: { agent?: string | null; limit: number; cursor: string | null }) {
    return this.uow.repos.csat.list(workspaceId, opts);
  }

  /** Answered surveys per resolving agent: responses, average, and how many gave each score. */
  async scoresByAgent(workspaceId: string): Promise<Array<{ agent: string | null; responses: number; average: number; distribution: number[] }>> {
    const byAgent = new Map<string | null, number[]>();
    for (const row of await this.uow.repos.csat.scoreCounts(workspaceId)) {
      const d = byAgent.get(row.agent) ?? [0, 0, 0, 0, 0];
      d[row.score - 1] = (d[row.score - 1] ?? 0) + row.count;
      byAgent.set(row.agent, d);
    }
    return [...byAgent].map(([agent, distribution]) => {
      const responses = distribution.reduce((a, b) => a + b, 0);
      const sum = distribution.reduce((a, n, i) => a + n * (i + 1), 0);
      return { agent, responses, average: Math.round((sum / responses) * 100) / 100, distribution };
    });
  }
}

function view(s: TicketSla, now: number): SlaView {
  return { policyId: s.policyId, firstResponseDueAt: s.firstResponseDueAt, resolutionDueAt: s.resolutionDueAt, firstResponseAt: s.firstResponseAt, resolvedAt: s.resolvedAt, state: slaState(s, now) };
}
