// What a worker does with the jobs it holds, shared by the SQL driver's loop and the local runner of the
// BullMQ driver: finished jobs are deleted in batches, and the leases of held jobs are renewed.
import type { Storage } from '../storage/database.js';

type OnError = ((err: unknown, job: { id: string; type: string }) => void) | undefined;

/** Deletes finished jobs in batches: one statement for everything that finished in the same tick. */
export class FinishedJobs {
  private ids: string[] = [];
  private flushing: Promise<void> | null = null;

  constructor(
    private readonly storage: Storage,
    private readonly workerId: string,
    private readonly onError: OnError,
  ) {}

  add(id: string): void {
    this.ids.push(id);
    this.flushing ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.flush());
  }

  async flush(): Promise<void> {
    const ids = this.ids;
    this.ids = [];
    this.flushing = null;
    if (ids.length === 0) return;
    await this.storage
      .transaction((tx) => tx.deleteFrom('jobs').where('id', 'in', ids).where('locked_by', '=', this.workerId).execute(), 'relaxed')
      .catch((err: unknown) => this.onError?.(err, { id: ids.join(','), type: 'complete' }));
  }
}

/** Extends the lease of every job this worker holds (running, or claimed and waiting to run). */
export async function renewLeases(storage: Storage, workerId: string, leaseMs: number, onError: OnError): Promise<void> {
  const until = Date.now() + leaseMs;
  await storage
    .transaction((tx) => tx.updateTable('jobs').set({ locked_until: until }).where('locked_by', '=', workerId).where('status', '=', 'running').execute(), 'relaxed')
    .catch((err: unknown) => onError?.(err, { id: '-', type: 'heartbeat' }));
}
