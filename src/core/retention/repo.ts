// The persistence port of retention: recurring maintenance chains and the prunes they run.

/** A recurring maintenance chain (the retention prune): one row per name, whose token names the live chain. */
export interface MaintenanceRun {
  name: string;
  token: string;
  nextRunAt: number;
  lastRunAt: number | null;
  lastResult: Record<string, number> | null;
}

export interface MaintenanceRepo {
  get(name: string): Promise<MaintenanceRun | null>;
  /**
   * Moves the chain to a new token if it still has `expected` (null: only if the row does not exist yet);
   * false when another worker changed it first.
   */
  swapToken(name: string, expected: string | null, next: { token: string; nextRunAt: number; lastRunAt?: number; lastResult?: Record<string, number> }): Promise<boolean>;
  /** Each prune deletes at most `limit` rows and returns how many it deleted; callers repeat until fewer. */
  pruneInboundWebhooks(receivedBefore: number, limit: number): Promise<number>;
  pruneSessions(expiredBefore: number, limit: number): Promise<number>;
  pruneVerificationCodes(expiredBefore: number, limit: number): Promise<number>;
  pruneDeadJobs(updatedBefore: number, limit: number): Promise<number>;
}

/** The repositories of this module, as the unit of work hands them out. */
export interface RetentionRepos {
  maintenance: MaintenanceRepo;
}
