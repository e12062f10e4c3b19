// Workspaces (tenants) and their API keys. A key is shown once, stored as a SHA-256 hash, and revocable.
import { createHash, randomBytes } from 'node:crypto';
import { AppError, invalidField, notFound } from '../errors.js';
import type { UnitOfWork } from '../repos.js';
import type { ApiKeyRecord, Workspace } from './repo.js';
import { templateLocales } from '../templates/builtin.js';

const KEY_PREFIX = 'stk_';
const TOUCH_EVERY_MS = 60_000;

export interface AuthContext {
  workspaceId: string;
  apiKeyId: string;
}

export const hashApiKey = (key: string): string => createHash('sha256').update(key).digest('hex');

export class WorkspaceService {
  private lastTouched = new Map<string, number>();

  constructor(private readonly uow: UnitOfWork) {}

  async createWorkspace(name: string): Promise<Workspace> {
    const trimmed = name.trim();
    if (!trimmed) throw new AppError('validation_failed', 'name: must not be empty', { fields: [{ field: 'name', message: 'must not be empty' }] });
    return this.uow.repos.workspaces.create(trimmed.slice(0, 200));
  }

  async getWorkspace(workspaceId: string): Promise<Workspace> {
    const ws = await this.uow.repos.workspaces.get(workspaceId);
    if (!ws) throw notFound('workspace', workspaceId);
    return ws;
  }

  /** Renames the workspace (internal) or sets the brand its customers see (null clears it). */
  async updateWorkspace(workspaceId: string, input: { name?: string; brandName?: string | null; currency?: string | null; language?: string | null }): Promise<Workspace> {
    const name = input.name?.trim();
    if (input.name !== undefined && !name) throw invalidField('name', 'must not be empty');
    const brandName = input.brandName === undefined ? undefined : input.brandName?.trim() || null;
    const currency = input.currency === undefined ? undefined : input.currency?.trim().toUpperCase() || null;
    if (currency && !isCurrency(currency)) throw invalidField('currency', `${currency} is not a currency code such as USD, EUR, TWD or INR`);
    const language = input.language === undefined ? undefined : input.language || null;
    if (language && !(templateLocales as readonly string[]).includes(language)) throw invalidField('language', `must be one of ${templateLocales.join(', ')}`);
    const updated = await this.uow.repos.workspaces.update(workspaceId, {
      ...(name ? { name: name.slice(0, 200) } : {}),
      ...(brandName !== undefined ? { brandName } : {}),
      ...(currency !== undefined ? { currency } : {}),
      ...(language !== undefined ? { language } : {}),
    });
    if (!updated) throw notFound('workspace', workspaceId);
    return updated;
  }

  listWorkspaces(): Promise<Workspace[]> {
    return this.uow.repos.workspaces.list();
  }

  /** Returns the new key in clear exactly once; only its hash is kept. */
  async createApiKey(workspaceId: string, name: string): Promise<{ key: string; record: ApiKeyRecord }> {
    await this.getWorkspace(workspaceId);
    const secret = randomBytes(24).toString('base64url');
    const key = `${KEY_PREFIX}${secret}`;
    const record = await this.uow.repos.apiKeys.create(workspaceId, {
      name: name.trim() || 'API key',
      // Kept to tell keys apart: the type prefix and the last 4 characters, nothing of the rest.
      prefix: `${KEY_PREFIX}••••${key.slice(-4)}`,
      hash: hashApiKey(key),
    });
    return { key, record };
  }

  listApiKeys(workspaceId: string): Promise<ApiKeyRecord[]> {
    return this.uow.repos.apiKeys.list(workspaceId);
  }

  async revokeApiKey(workspaceId: string, id: string): Promise<void> {
    if (!(await this.uow.repos.apiKeys.revoke(workspaceId, id))) throw notFound('API key', id);
  }

  /** Resolves a presented bearer key to its workspace; null when unknown or revoked. */
  async authenticate(presented: string): Promise<AuthContext | null> {
    if (!presented.startsWith(KEY_PREFIX) || presented.length > 200) return null;
    // The lookup is by hash: equal hashes mean equal keys, and the hash reveals nothing of timing on the key.
    const record = await this.uow.repos.apiKeys.resolveByHash(hashApiKey(presented));
    if (!record) return null;
    const now = Date.now();
    if (now - (this.lastTouched.get(record.id) ?? 0) > TOUCH_EVERY_MS) {
      this.lastTouched.set(record.id, now);
      await this.uow.repos.apiKeys.touch(record.workspaceId, record.id, now);
    }
    return { workspaceId: record.workspaceId, apiKeyId: record.id };
  }
}

/** An ISO 4217 code the runtime can format (Intl knows every current one). */
function isCurrency(code: string): boolean {
  if (!/^[A-Z]{3}$/.test(code)) return false;
  return (Intl as unknown as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf?.('currency').includes(code) ?? true;
}
