// Team (admins): invite users by a one-time link, set roles, capacity and queues, deactivate and reactivate
// them; and each queue's automatic assignment.
import { useId, useState } from 'react';
import type { FormEvent } from 'react';
import { del, enc, get, patch, post, put } from '../api';
import type { Session } from '../api';
import type { CreatedInvite, Invite, List, Named, QueueAssignment, TeamMember } from '../types';
import { ASSIGNMENT_LABELS, AVAILABILITY_LABELS } from '../types';
import { Async, EmptyState, ErrorBox, Secret, StatusBadge, useAction, useLoad, when } from '../ui';

export function TeamPage({ session }: { session: Session }) {
  const members = useLoad('team', () => get<List<TeamMember>>('/v1/team'));
  const queues = useLoad('queue-assignment', () => get<List<QueueAssignment>>('/v1/queue-assignment'));
  const reload = () => {
    members.reload(true);
    queues.reload(true);
  };
  const queueList: Named[] = (queues.data?.data ?? []).map((q) => ({ id: q.id, name: q.name }));
  return (
    <section>
      <h1>Team</h1>
      <p className="lead">Invite people, choose what they may do and which queues they answer. Agents set their own availability in the inbox.</p>
      <InviteForm queues={queueList} onInvited={reload} />
      <Members load={members} queues={queueList} session={session} onChanged={reload} />
      <Queues load={queues} onChanged={reload} />
    </section>
  );
}

function QueueChoices({ queues, value, onChange, idPrefix }: { queues: Named[]; value: string[]; onChange: (ids: string[]) => void; idPrefix: string }) {
  if (queues.length === 0) return <span className="muted">No queues yet</span>;
  return (
    <span className="queue-choices">
      {queues.map((q) => (
        <span key={q.id} className="inline">
          <input
            type="checkbox"
            id={`${idPrefix}-${q.id}`}
            data-testid="queue-choice"
            data-queue={q.name}
            checked={value.includes(q.id)}
            onChange={(e) => onChange(e.target.checked ? [...value, q.id] : value.filter((v) => v !== q.id))}
          />
          <label htmlFor={`${idPrefix}-${q.id}`}>{q.name}</label>
        </span>
      ))}
    </span>
  );
}

function InviteForm({ queues, onInvited }: { queues: Named[]; onInvited: () => void }) {
  const [email, setEmail] = useState('');
  const [role, setRole] = useState('agent');
  const [queueIds, setQueueIds] = useState<string[]>([]);
  const [created, setCreated] = useState<CreatedInvite | null>(null);
  const invites = useLoad('invites', () => get<List<Invite>>('/v1/invites'));
  const action = useAction();
  const withdraw = useAction();
  const id = useId();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const invite = await action.run(() => post<CreatedInvite>('/v1/invites', { email: email.trim(), role, queue_ids: queueIds }));
    if (invite) {
      setCreated(invite);
      setEmail('');
      setQueueIds([]);
      invites.reload(true);
      onInvited();
    }
  };
  const revoke = async (i: Invite) => {
    if (!window.confirm(`Withdraw the invitation of ${i.email}? The link stops working.`)) return;
    await withdraw.run(() => del(`/v1/invites/${enc(i.id)}`));
    invites.reload(true);
  };
  return (
    <section aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>Invite someone</h2>
      {created ? (
        <div className="card success" role="status" data-testid="invite-created">
          <p className="warning">Send this link to {created.email}. It works once, until {when(created.expires_at)}, and is shown only now.</p>
          <Secret label="Invitation link" value={created.url} />
          <button type="button" onClick={() => setCreated(null)}>
            Done
          </button>
        </div>
      ) : null}
      <form className="card" onSubmit={(e) => void submit(e)}>
        <div className="grid">
          <div className="field">
            <label htmlFor={`${id}-email`}>E-mail</label>
            <input id={`${id}-email`} type="email" data-testid="invite-email" value={email} onChange={(e) => setEmail(e.target.value)} required />
          </div>
          <div className="field">
            <label htmlFor={`${id}-role`}>Role</label>
            <select id={`${id}-role`} data-testid="invite-role" value={role} onChange={(e) => setRole(e.target.value)}>
              <option value="agent">Agent: works the inbox</option>
              <option value="admin">Admin: also sets up the workspace</option>
            </select>
          </div>
        </div>
        <fieldset className="field">
          <legend>Queues</legend>
          <QueueChoices queues={queues} value={queueIds} onChange={setQueueIds} idPrefix={`${id}-q`} />
        </fieldset>
        <ErrorBox error={action.error} />
        <button type="submit" className="primary" data-testid="invite-submit" disabled={action.busy}>
          Create invitation link
        </button>
      </form>
      <ErrorBox error={withdraw.error} />
      <Async load={invites}>
        {(d) =>
          d.data.length === 0 ? null : (
            <div className="table-wrap stack">
              <table>
                <caption>Invitations</caption>
                <thead>
                  <tr>
                    <th>E-mail</th>
                    <th>Role</th>
                    <th>State</th>
                    <th>Expires</th>
                    <th>
                      <span className="sr-only">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {d.data.map((i) => (
                    <tr key={i.id} data-testid="invite-row">
                      <td data-label="E-mail">{i.email}</td>
                      <td data-label="Role">{i.role}</td>
                      <td data-label="State">
                        <StatusBadge status={i.state} />
                      </td>
                      <td data-label="Expires">{when(i.expires_at)}</td>
                      <td className="row-actions-cell">
                        {i.state === 'pending' ? (
                          <button type="button" className="small" onClick={() => void revoke(i)} disabled={withdraw.busy}>
                            Withdraw
                          </button>
                        ) : null}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </Async>
    </section>
  );
}

function Members({ load, queues, session, onChanged }: { load: ReturnType<typeof useLoad<List<TeamMember>>>; queues: Named[]; session: Session; onChanged: () => void }) {
  const id = useId();
  return (
    <section aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>Members</h2>
      <Async load={load}>
        {(d) =>
          d.data.length === 0 ? (
            <EmptyState title="No users yet">Invite someone above.</EmptyState>
          ) : (
            <ul className="plain team-members">
              {d.data.map((m) => (
                <MemberRow key={m.id} member={m} queues={queues} self={m.id === session.user.id} onChanged={onChanged} />
              ))}
            </ul>
          )
        }
      </Async>
    </section>
  );
}

function MemberRow({ member, queues, self, onChanged }: { member: TeamMember; queues: Named[]; self: boolean; onChanged: () => void }) {
  const [role, setRole] = useState(member.role);
  const [capacity, setCapacity] = useState(member.capacity == null ? '' : String(member.capacity));
  const [queueIds, setQueueIds] = useState(member.queue_ids);
  const action = useAction();
  const id = useId();
  const save = async (e: FormEvent) => {
    e.preventDefault();
    const body = { role, capacity: capacity.trim() === '' ? null : Number(capacity), queue_ids: queueIds };
    if ((await action.run(() => patch<TeamMember>(`/v1/team/${enc(member.id)}`, body))) !== undefined) onChanged();
  };
  const toggleActive = async () => {
    if (member.active && !window.confirm(`Deactivate ${member.name ?? member.email}? They are signed out at once and their open tickets go to colleagues or wait unassigned.`)) return;
    if ((await action.run(() => post<TeamMember>(`/v1/team/${enc(member.id)}/${member.active ? 'deactivate' : 'reactivate'}`))) !== undefined) onChanged();
  };
  return (
    <li className="card team-member" data-testid="team-member" data-email={member.email}>
      <form onSubmit={(e) => void save(e)}>
        <p>
          <strong>{member.name ?? member.email}</strong> <span className="muted">{member.email}</span>
          {self ? <span className="muted"> (you)</span> : null}{' '}
          {member.active ? (
            <span data-testid="member-availability">{AVAILABILITY_LABELS[member.availability] ?? member.availability}</span>
          ) : (
            <StatusBadge status="deactivated" />
          )}
        </p>
        <div className="grid">
          <div className="field">
            <label htmlFor={`${id}-role`}>Role</label>
            <select id={`${id}-role`} data-testid="member-role" value={role} onChange={(e) => setRole(e.target.value as TeamMember['role'])}>
              <option value="agent">Agent</option>
              <option value="admin">Admin</option>
            </select>
          </div>
          <div className="field">
            <label htmlFor={`${id}-cap`}>Capacity (open tickets; empty: no limit)</label>
            <input id={`${id}-cap`} data-testid="member-capacity" type="number" min={0} max={500} value={capacity} onChange={(e) => setCapacity(e.target.value)} />
          </div>
        </div>
        <fieldset className="field">
          <legend>Queues</legend>
          <QueueChoices queues={queues} value={queueIds} onChange={setQueueIds} idPrefix={`${id}-q`} />
        </fieldset>
        <ErrorBox error={action.error} />
        <div className="actions">
          <button type="submit" className="primary" data-testid="member-save" disabled={action.busy}>
            Save
          </button>
          <button type="button" data-testid="member-toggle-active" onClick={() => void toggleActive()} disabled={action.busy}>
            {member.active ? 'Deactivate' : 'Reactivate'}
          </button>
        </div>
      </form>
    </li>
  );
}

function Queues({ load, onChanged }: { load: ReturnType<typeof useLoad<List<QueueAssignment>>>; onChanged: () => void }) {
  const id = useId();
  return (
    <section aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>Automatic assignment</h2>
      <p className="hint">New and reopened tickets of a queue go to its members who are online and below their capacity. Tickets wait when nobody has room.</p>
      <Async load={load}>
        {(d) =>
          d.data.length === 0 ? (
            <EmptyState title="No queues yet">Queues are made when a marketplace is connected or through the API (POST /v1/queues).</EmptyState>
          ) : (
            <ul className="plain">
              {d.data.map((q) => (
                <QueueRow key={q.id} queue={q} onChanged={onChanged} />
              ))}
            </ul>
          )
        }
      </Async>
    </section>
  );
}

function QueueRow({ queue, onChanged }: { queue: QueueAssignment; onChanged: () => void }) {
  const action = useAction();
  const id = useId();
  const change = async (mode: string) => {
    if ((await action.run(() => put<QueueAssignment>(`/v1/queues/${enc(queue.id)}/assignment`, { mode }))) !== undefined) onChanged();
  };
  return (
    <li className="inline" data-testid="queue-assignment" data-queue={queue.name}>
      <label htmlFor={`${id}-mode`}>
        <strong>{queue.name}</strong> <span className="muted">({queue.member_ids.length} member{queue.member_ids.length === 1 ? '' : 's'})</span>
      </label>
      <select id={`${id}-mode`} data-testid="queue-assignment-mode" value={queue.assignment} onChange={(e) => void change(e.target.value)} disabled={action.busy}>
        {Object.entries(ASSIGNMENT_LABELS).map(([v, label]) => (
          <option key={v} value={v}>
            {label}
          </option>
        ))}
      </select>
      <ErrorBox error={action.error} />
    </li>
  );
}
