// The persistence port of usage: billable sends per month, channel and account.

export interface UsageRow {
  workspaceId: string;
  month: string;
  channel: string;
  channelAccountId: string;
  provider: string;
  owner: string;
  category: string;
  messages: number;
}

export interface UsageRepo {
  /** Records a billable send once per message. */
  record(workspaceId: string, input: { messageId: string; channel: string; channelAccountId: string; provider: string; owner: string; category: string; at: number }): Promise<void>;
  summary(workspaceId: string, fromMonth: string, toMonth: string): Promise<UsageRow[]>;
  /** Every workspace: the operator's billing report. */
  report(fromMonth: string, toMonth: string): Promise<UsageRow[]>;
}

/** The repositories of this module, as the unit of work hands them out. */
export interface UsageRepos {
  usage: UsageRepo;
}
