// A ticket's SLA state as the inbox shows it: ok, warning (most of a target used), breached or met, with the
// next due time in its title.
import type { components } from './api-types';

type TicketSla = components['schemas']['TicketSla'];

const LABELS: Record<TicketSla['state'], string> = { ok: 'SLA on track', warning: 'SLA at risk', breached: 'SLA breached', met: 'SLA met' };
const CLASSES: Record<TicketSla['state'], string> = { ok: 'badge-open', warning: 'badge-pending', breached: 'badge-failed', met: 'badge-delivered' };

/** The due time that matters now: first response until the first reply, then resolution. */
function nextDue(sla: TicketSla): string | null {
  const due = sla.first_response_at === null && sla.first_response_due_at ? ['First reply due', sla.first_response_due_at] : sla.resolved_at === null && sla.resolution_due_at ? ['Resolution due', sla.resolution_due_at] : null;
  return due ? `${due[0]} ${new Date(due[1]!).toLocaleString()}` : null;
}

export function SlaBadge({ sla, testid = 'ticket-row-sla', readDue = true }: { sla: TicketSla | null | undefined; testid?: string; readDue?: boolean }) {
  if (!sla) return null;
  const due = nextDue(sla);
  return (
    <span className={`badge ${CLASSES[sla.state]}`} data-testid={testid} data-state={sla.state} title={due ?? undefined}>
      {LABELS[sla.state]}
        {due && readDue ? <span className="sr-only">. {due}</span> : null}
    </span>
  );
}

/** The ticket's SLA in its detail: the state and the due time that matters now, in words. */
export function SlaLine({ sla }: { sla: TicketSla | null | undefined }) {
  if (!sla) return null;
  const due = nextDue(sla);
  return (
    <p className="muted" data-testid="ticket-sla">
      <SlaBadge sla={sla} testid="ticket-sla-badge" readDue={false} />
      {due ? ` ${due}` : ''}
    </p>
  );
}
