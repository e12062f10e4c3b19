// Jobs (admins): how many jobs of the installation wait, retry, run or died, and this workspace's dead jobs with
// the reason each failed, to run again once the cause is fixed.
import { useState } from 'react';
import { get, post, enc } from '../api';
import type { DeadJob, JobStats, List } from '../types';
import { Async, EmptyState, ErrorBox, useAction, useLoad, when } from '../ui';
import { usePageTitle } from './page-title';

const STATES: Array<{ key: keyof JobStats; label: string; help: string }> = [
  { key: 'ready', label: 'Ready', help: 'waiting for a worker, never tried' },
  { key: 'retrying', label: 'Retrying', help: 'failed at least once, waiting for the next attempt' },
  { key: 'running', label: 'Running', help: 'being worked on now' },
  { key: 'dead', label: 'Dead', help: 'failed for good, in every workspace' },
  { key: 'outbox', label: 'Outbox', help: 'written, not yet handed to a worker' },
];

export function JobsPage() {
  usePageTitle('Jobs');
  const stats = useLoad('job-stats', () => get<JobStats>('/v1/jobs/stats'));
  const dead = useLoad('dead-jobs', () => get<List<DeadJob>>('/v1/jobs/dead?limit=100'));
  const redrive = useAction();
  const [redriven, setRedriven] = useState<string | null>(null);

  const refresh = () => {
    stats.reload(true);
    dead.reload(true);
  };

  const runAgain = async (job: DeadJob) => {
    setRedriven(null);
    const done = await redrive.run(() => post(`/v1/jobs/${enc(job.id)}/redrive`));
    if (done === undefined) return;
    setRedriven(`${job.type} (${job.id}) will run again from its first attempt.`);
    refresh();
  };

  return (
    <section>
      <h1>Jobs</h1>
      <p className="lead">The work the hub does in the background: processing webhooks, sending messages, polling stores.</p>
      <h2>Queue</h2>
      <p className="muted">The whole installation, all workspaces together.</p>
      <Async load={stats}>
        {(s) => (
          <div className="table-wrap">
            <table data-testid="job-stats">
              <thead>
                <tr>
                  <th>State</th>
                  <th>Jobs</th>
                  <th>Meaning</th>
                </tr>
              </thead>
              <tbody>
                {STATES.map((st) => (
                  <tr key={st.key}>
                    <td>{st.label}</td>
                    <td className="num" data-testid={`job-stat-${st.key}`}>
                      {s[st.key]}
                    </td>
                    <td className="muted">{st.help}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Async>
      <p>
        <button type="button" className="small" onClick={refresh} data-testid="jobs-refresh">
          Refresh
        </button>
      </p>

      <h2>Dead jobs</h2>
      <p className="muted">Jobs of this workspace that failed for good, newest first. Fix the cause, then run them again.</p>
      {redriven ? (
        <p role="status" className="ok" data-testid="job-redriven">
          {redriven}
        </p>
      ) : null}
      <ErrorBox error={redrive.error} />
      <Async load={dead}>
        {(d) =>
          d.data.length === 0 ? (
            <EmptyState title="No dead jobs" testid="dead-jobs-empty">
              Every job so far either finished or is still being tried.
            </EmptyState>
          ) : (
            <div className="table-wrap">
              <table data-testid="dead-jobs">
                <thead>
                  <tr>
                    <th>Job</th>
                    <th>Attempts</th>
                    <th>Died</th>
                    <th>Reason</th>
                    <th>
                      <span className="sr-only">Action</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {d.data.map((j) => (
                    <tr key={j.id} data-testid="dead-job">
                      <td>
                        {j.type}
                        <br />
                        <code className="muted">{j.id}</code>
                      </td>
                      <td className="num">{j.attempts}</td>
                      <td>{when(j.died_at)}</td>
                      <td className="wrap" data-testid="dead-job-reason">
                        {j.last_error ?? '—'}
                      </td>
                      <td>
                        <button type="button" className="small" disabled={redrive.busy} onClick={() => void runAgain(j)} aria-label={`Run again: ${j.type} ${j.id}`} data-testid={`redrive-${j.id}`}>
                          Run again
                        </button>
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
