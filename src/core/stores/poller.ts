// Polls stores that send no order webhooks (91APP). One chain of store.poll jobs per connection: each run
// reads one page, records its events and the new position, and enqueues the next run, all in one
// transaction. The chain's token makes any stray copy of a job (a retry after commit, a second chain) stop.
import { randomBytes } from 'node:crypto';
import type { JobContext } from '../jobs.js';
import { PermanentJobError } from '../jobs.js';
import { ProviderError } from '../errors.js';
import type { Logger, Providers } from '../providers.js';
import type { PollState, StoreConnection } from '../connections/repo.js';
import type { Repos, UnitOfWork } from '../repos.js';
import type { SecretBox } from '../secrets/secret-box.js';
import type { NotificationPlanner } from '../notifications/planner.js';

/** Orders can be written with an update time slightly in the past: each window re-reads this much. */
export const POLL_OVERLAP_MS = 2 * 60_000;
const MAX_BACKOFF_MS = 15 * 60_000;

export const newPollToken = (): string => randomBytes(12).toString('base64url');

/** The state a new chain starts from: orders changed from now on (earlier ones are history, not news). */
export function initialPollState(now: number): PollState {
  return { since: now, until: null, cursor: null, token: newPollToken(), failures: 0, lastPolledAt: null };
}

/** Enqueues the first job of a chain, inside the caller's transaction. */
export async function startPollChain(tx: Repos, workspaceId: string, connectionId: string, state: PollState, runAt = Date.now()): Promise<void> {
  await tx.jobs.enqueue({ type: 'store.poll', workspaceId, payload: { connectionId, token: state.token }, runAt });
}

export class StorePoller {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly providers: Providers,
    private readonly secrets: SecretBox,
    private readonly planner: NotificationPlanner,
    private readonly log: Logger,
    private readonly intervalMs: number,
  ) {}

  /** Job handler for store.poll. */
  async poll(payload: { connectionId: string; token: string }, ctx: JobContext): Promise<void> {
    const workspaceId = ctx.workspaceId;
    if (!workspaceId) throw new PermanentJobError('store.poll needs a workspace');
    const connection = await this.uow.repos.storeConnections.get(workspaceId, payload.connectionId);
    const state = connection?.pollState;
    // Removed, credentials refused, or superseded by another chain: this copy ends here.
    if (!connection || !state || state.token !== payload.token || connection.status === 'invalid_credentials') return;
    const adapter = this.providers.store(connection.platform);
    if (!adapter?.pollOrders) return;
    const now = Date.now();
    const since = state.since;
    const until = state.until ?? Math.min(now, since + (adapter.maxPollWindowMs ?? now - since));
    if (until <= since) return this.schedule(connection, { ...state, token: newPollToken() }, this.intervalMs);
    let page;
    try {
      page = await adapter.pollOrders({ settings: connection.settings, secrets: this.secrets.open(connection.sealedSecrets) }, { since, until, cursor: state.cursor });
    } catch (err) {
      return this.failed(connection, state, err);
    }
    const brand = await this.planner.brandOf(this.uow.repos, workspaceId, connection.id);
    let next: PollState;
    let delay: number;
    if (page.cursor) {
      next = { ...state, until, cursor: page.cursor, failures: 0, lastPolledAt: now, token: newPollToken() };
      delay = 0;
    } else {
      // The window is read; the next starts a little before its end, and waits unless we are behind.
      const nextSince = Math.max(since, until - POLL_OVERLAP_MS);
      next = { since: nextSince, until: null, cursor: null, failures: 0, lastPolledAt: now, token: newPollToken() };
      delay = until < now - this.intervalMs ? 0 : this.intervalMs;
    }
    await this.uow.transaction(async (tx) => {
      for (const event of page.events) await this.planner.recordEvent(tx, workspaceId, connection.id, connection.platform, event, brand);
      await tx.storeConnections.update(workspaceId, connection.id, { pollState: next, lastError: null, ...(connection.status !== 'verified' ? { status: 'verified' } : {}) });
      await startPollChain(tx, workspaceId, connection.id, next, Date.now() + delay);
    });
  }

  private async failed(connection: StoreConnection, state: PollState, err: unknown): Promise<void> {
    const message = err instanceof Error ? err.message : String(err);
    if (err instanceof ProviderError && err.kind === 'permanent') {
      // Refused credentials will not heal by waiting; re-verifying the connection starts a new chain.
      this.log.warn({ connectionId: connection.id, reason: message }, 'store poll refused; polling stops until the connection is re-verified');
      await this.uow.repos.storeConnections.update(connection.workspaceId, connection.id, { status: 'invalid_credentials', lastError: message });
      return;
    }
    const failures = state.failures + 1;
    const wait = err instanceof ProviderError && err.kind === 'retry_after' ? (err.retryAfterMs ?? this.intervalMs) : Math.min(MAX_BACKOFF_MS, this.intervalMs * 2 ** Math.min(failures - 1, 10));
    this.log.warn({ connectionId: connection.id, failures, waitMs: wait, reason: message }, 'store poll failed; will retry');
    await this.schedule(connection, { ...state, failures, token: newPollToken() }, wait, message);
  }

  private async schedule(connection: StoreConnection, next: PollState, delayMs: number, lastError: string | null = null): Promise<void> {
    await this.uow.transaction(async (tx) => {
      await tx.storeConnections.update(connection.workspaceId, connection.id, { pollState: next, lastError });
      await startPollChain(tx, connection.workspaceId, connection.id, next, Date.now() + delayMs);
    });
  }
}
