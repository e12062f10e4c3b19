// The persistence port of connections: store connections, channel accounts, and the account selected per channel.

export interface StoreConnection {
  id: string;
  workspaceId: string;
  platform: string;
  name: string;
  externalId: string;
  settings: Record<string, string>;
  /** Sealed secrets; open them with the SecretBox only where a provider call needs them. */
  sealedSecrets: string;
  status: string;
  verifiedAt: number | null;
  createdAt: number;
  updatedAt: number;
  /** Polled platforms only: where the poll stands. */
  pollState: PollState | null;
  lastError: string | null;
}

/** The position of a store poll: the window being read, the page within it, and the live poll chain's token. */
export interface PollState {
  since: number;
  /** The end of the window being paged through; null between windows. */
  until: number | null;
  cursor: string | null;
  /** Only the poll job carrying this token continues the chain; any other copy stops. */
  token: string;
  /** Consecutive failed polls, for backing off. */
  failures: number;
  lastPolledAt: number | null;
}

export interface ChannelAccount {
  id: string;
  workspaceId: string;
  channel: string;
  provider: string;
  name: string;
  externalId: string;
  owner: 'merchant' | 'platform';
  settings: Record<string, string>;
  sealedSecrets: string;
  status: string;
  displayName: string | null;
  rateLimitPerSecond: number;
  verifiedAt: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface StoreConnectionsRepo {
  create(workspaceId: string, input: Pick<StoreConnection, 'platform' | 'name' | 'externalId' | 'settings' | 'sealedSecrets' | 'status' | 'verifiedAt'> & { pollState?: PollState | null }): Promise<StoreConnection>;
  get(workspaceId: string, id: string): Promise<StoreConnection | null>;
  update(workspaceId: string, id: string, patch: Partial<Pick<StoreConnection, 'status' | 'verifiedAt' | 'pollState' | 'lastError' | 'name'>>): Promise<void>;
  list(workspaceId: string): Promise<StoreConnection[]>;
  remove(workspaceId: string, id: string): Promise<boolean>;
  /** Finds a connection by the id in its webhook URL. */
  resolveForWebhook(id: string): Promise<StoreConnection | null>;
}

export interface ChannelAccountsRepo {
  create(workspaceId: string, input: Pick<ChannelAccount, 'channel' | 'provider' | 'name' | 'externalId' | 'owner' | 'settings' | 'sealedSecrets' | 'status' | 'displayName' | 'rateLimitPerSecond' | 'verifiedAt'>): Promise<ChannelAccount>;
  get(workspaceId: string, id: string): Promise<ChannelAccount | null>;
  list(workspaceId: string, channel?: string): Promise<ChannelAccount[]>;
  /** The channels with at least one installed account. */
  installedChannels(workspaceId: string): Promise<string[]>;
  update(workspaceId: string, id: string, patch: Partial<Pick<ChannelAccount, 'status' | 'displayName' | 'verifiedAt' | 'sealedSecrets' | 'rateLimitPerSecond' | 'name' | 'settings'>>): Promise<void>;
  remove(workspaceId: string, id: string): Promise<boolean>;
  resolveForWebhook(id: string): Promise<ChannelAccount | null>;
  findByExternalId(workspaceId: string, provider: string, externalId: string): Promise<ChannelAccount | null>;
}

export interface ChannelSelectionsRepo {
  /** The account the merchant explicitly selected for the channel, if any. */
  get(workspaceId: string, channel: string): Promise<{ channelAccountId: string; selectedAt: number } | null>;
  set(workspaceId: string, channel: string, channelAccountId: string): Promise<void>;
}

/** The repositories of this module, as the unit of work hands them out. */
export interface ConnectionRepos {
  storeConnections: StoreConnectionsRepo;
  channelAccounts: ChannelAccountsRepo;
  channelSelections: ChannelSelectionsRepo;
}
