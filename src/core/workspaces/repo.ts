// The persistence port of workspaces and their API keys.

export interface Workspace {
  id: string;
  name: string;
  /** The brand customers see; null until set (the workspace's name is internal and never shown to them). */
  brandName: string | null;
  /** The currency the shop sells in (ISO 4217), for previews and sample values; null until set. */
  currency: string | null;
  /** The language of its customer texts (en, zh-Hant, pl); null until set. */
  language: string | null;
  createdAt: number;
}

export interface ApiKeyRecord {
  id: string;
  workspaceId: string;
  name: string;
  prefix: string;
  createdAt: number;
  revokedAt: number | null;
  lastUsedAt: number | null;
}

export interface WorkspacesRepo {
  create(name: string): Promise<Workspace>;
  get(workspaceId: string): Promise<Workspace | null>;
  list(): Promise<Workspace[]>;
  update(workspaceId: string, input: { name?: string; brandName?: string | null; currency?: string | null; language?: string | null }): Promise<Workspace | null>;
}

export interface ApiKeysRepo {
  create(workspaceId: string, input: { name: string; prefix: string; hash: string }): Promise<ApiKeyRecord>;
  list(workspaceId: string): Promise<ApiKeyRecord[]>;
  revoke(workspaceId: string, id: string): Promise<boolean>;
  touch(workspaceId: string, id: string, at: number): Promise<void>;
  /** Finds the workspace of a presented key by its hash. */
  resolveByHash(hash: string): Promise<ApiKeyRecord | null>;
}

/** The repositories of this module, as the unit of work hands them out. */
export interface WorkspaceRepos {
  workspaces: WorkspacesRepo;
  apiKeys: ApiKeysRepo;
}
