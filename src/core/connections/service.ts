// Store connections and channel accounts: created with their credentials (sealed at rest), verified
// against the provider when saved and on demand, shown with secrets masked.
import { AppError, DuplicateError, ProviderError, notFound } from '../errors.js';
import { initialPollState, newPollToken, startPollChain } from '../stores/poller.js';
import type { ChannelAccountCredentials, ProviderTemplate, SendRequest, StoredContent } from '../channels/ports.js';
import type { Providers } from '../providers.js';
import type { ChannelAccount, StoreConnection } from './repo.js';
import type { UnitOfWork } from '../repos.js';
import type { SecretBox } from '../secrets/secret-box.js';
import type { ConnectContext, ConnectPlan, ProviderCatalogue, ProviderDefinition, VerifyWording } from './definition.js';
import { checkStoredSecrets } from './credential-text.js';
import { DestinationRefusedError } from '../net/destinations.js';
import type { DestinationPolicy } from '../net/destinations.js';

export class ConnectionService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly providers: Providers,
    /** The provider definitions (src/adapters/registry.ts). */
    private readonly catalogue: ProviderCatalogue,
    private readonly secrets: SecretBox,
    private readonly publicUrl: () => string,
    /** The operator's policy for destinations workspaces choose (SMTP hosts, store URLs). */
    private readonly destinations: DestinationPolicy = { allowPrivate: false },
  ) {}

  /**
   * Connects a store, marketplace or channel account from its validated form: the provider's definition checks
   * the input and verifies it with the provider; the record is stored with its secrets sealed. `once` holds what
   * the answer shows only this time (generated secrets, URLs carrying them).
   */
  async connect(workspaceId: string, providerId: string, input: Record<string, unknown>): Promise<Connected> {
    const definition = this.catalogue.get(providerId);
    if (!definition) throw new AppError('validation_failed', `provider: ${providerId} is not supported`);
    // The routes validate with the same schema; callers in code (the sandbox) are held to it too.
    const parsed = definition.credentials.safeParse(input);
    if (!parsed.success) {
      const fields = parsed.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message }));
      throw new AppError('validation_failed', fields.map((f) => `${f.field}: ${f.message}`).join('; '), { fields });
    }
    input = parsed.data;
    if (definition.kind === 'channel') {
      const adapter = this.channelAdapter(definition.id);
      const plan = await definition.connect(input, this.connectContext(workspaceId, definition, adapter));
      const account = await this.createAccount(workspaceId, definition, plan, input);
      const webhookUrl = this.webhookUrl(definition, account.id);
      const after = plan.afterCreate && webhookUrl ? await this.addSettings(account, plan.afterCreate(webhookUrl)) : account;
      return { kind: 'channel', account: after, once: plan.once?.(webhookUrl) ?? {} };
    }
    const adapter = definition.kind === 'store' ? this.providers.store(definition.id) : this.providers.marketplace(definition.id);
    if (!adapter) throw new AppError('validation_failed', `platform: ${definition.id} is not supported`);
    const plan =
      definition.kind === 'store'
        ? await definition.connect(input, this.connectContext(workspaceId, definition, adapter as NonNullable<ReturnType<Providers['store']>>))
        : await definition.connect(input, this.connectContext(workspaceId, definition, adapter as NonNullable<ReturnType<Providers['marketplace']>>));
    // A verified store without order webhooks (91APP) is polled from now on.
    const polled = definition.kind === 'store' && plan.verified && 'pollOrders' in adapter && adapter.pollOrders;
    const poll = plan.poll ?? (polled ? { state: initialPollState(Date.now()), job: 'store.poll' as const } : null);
    const connection = await this.createConnection(workspaceId, definition, plan, input, poll);
    return { kind: 'store', connection, once: plan.once?.(this.webhookUrl(definition, connection.id)) ?? {} };
  }

  private connectContext<A>(workspaceId: string, definition: ProviderDefinition, adapter: A): ConnectContext<A> {
    return {
      workspaceId,
      adapter,
      randomToken: (bytes) => this.secrets.randomToken(bytes),
      destinations: this.destinations,
      repos: this.uow.repos,
      verify: (call, wording) => this.verifyWithProvider(definition.label, () => call(adapter), wording),
    };
  }

  private async createConnection(workspaceId: string, definition: ProviderDefinition, plan: ConnectPlan, input: Record<string, unknown>, poll: ConnectPlan['poll'] | null): Promise<StoreConnection> {
    const verifiedAt = plan.verified ? Date.now() : null;
    try {
      return await this.uow.transaction(async (tx) => {
        const connection = await tx.storeConnections.create(workspaceId, {
          platform: definition.id,
          name: plan.name ?? (nameOf(input) || plan.verified?.displayName || plan.externalId),
          externalId: plan.externalId,
          settings: plan.settings,
          sealedSecrets: this.secrets.seal(plan.secrets),
          status: plan.verified ? 'verified' : 'active',
          verifiedAt,
          pollState: poll?.state ?? null,
        });
        if (poll?.job === 'store.poll') await startPollChain(tx, workspaceId, connection.id, poll.state);
        else if (poll) await tx.jobs.enqueue({ type: poll.job, workspaceId, payload: { connectionId: connection.id, token: poll.state.token } });
        return connection;
      });
    } catch (err) {
      if (err instanceof DuplicateError) throw new AppError('conflict', plan.conflict ?? `a ${definition.label} connection for ${plan.externalId} already exists in this workspace`);
      throw err;
    }
  }

  private async createAccount(workspaceId: string, definition: ProviderDefinition & { kind: 'channel' }, plan: ConnectPlan, input: Record<string, unknown>): Promise<ChannelAccount> {
    const displayName = plan.verified?.displayName ?? plan.externalId;
    const rate = input['rate_limit_per_second'];
    const owner = input['owner'];
    try {
      return await this.uow.repos.channelAccounts.create(workspaceId, {
        channel: definition.channel,
        provider: definition.id,
        name: plan.name ?? (nameOf(input) || displayName),
        externalId: plan.externalId,
        owner: owner === 'platform' ? 'platform' : 'merchant',
        settings: plan.settings,
        sealedSecrets: this.secrets.seal(plan.secrets),
        status: 'verified',
        displayName,
        rateLimitPerSecond: typeof rate === 'number' ? rate : definition.rateLimitPerSecond,
        verifiedAt: Date.now(),
      });
    } catch (err) {
      if (err instanceof DuplicateError) throw new AppError('conflict', plan.conflict ?? `this ${definition.label} account (${plan.externalId}) is already connected in this workspace`);
      throw err;
    }
  }

  /** The public webhook URL of a connection or account (the public URL is read at call time: PORT=0 knows it late). */
  private webhookUrl(definition: ProviderDefinition, id: string): string | null {
    const segment = definition.webhooks?.published;
    return segment ? `${this.publicUrl()}/webhooks/${segment}/${id}` : null;
  }

  private async addSettings(account: ChannelAccount, settings: Record<string, string>): Promise<ChannelAccount> {
    await this.uow.repos.channelAccounts.update(account.workspaceId, account.id, { settings: { ...account.settings, ...settings } });
    return this.getChannelAccount(account.workspaceId, account.id);
  }

  /** Calls the store platform again with the stored credentials; a polled store's poll restarts on success. */
  async reverifyStoreConnection(workspaceId: string, id: string): Promise<StoreConnection> {
    const connection = await this.getStoreConnection(workspaceId, id);
    const adapter = this.providers.store(connection.platform);
    if (!adapter?.verifyConnection) throw new AppError('validation_failed', `${connection.platform} connections have no API credentials to verify; their webhooks are checked by signature`);
    const credentials = { settings: connection.settings, secrets: this.secrets.open(connection.sealedSecrets) };
    checkStoredSecrets(credentials.secrets);
    try {
      await this.verifyWithProvider(connection.platform, () => adapter.verifyConnection!(credentials));
    } catch (err) {
      if (err instanceof AppError && err.code === 'provider_rejected_credentials') {
        await this.uow.repos.storeConnections.update(workspaceId, id, { status: 'invalid_credentials', lastError: err.message });
      }
      throw err;
    }
    await this.uow.transaction(async (tx) => {
      const restart = adapter.pollOrders ? { ...(connection.pollState ?? initialPollState(Date.now())), token: newPollToken(), failures: 0 } : null;
      await tx.storeConnections.update(workspaceId, id, { status: 'verified', verifiedAt: Date.now(), lastError: null, ...(restart ? { pollState: restart } : {}) });
      if (restart) await startPollChain(tx, workspaceId, id, restart);
    });
    return this.getStoreConnection(workspaceId, id);
  }

  async getStoreConnection(workspaceId: string, id: string): Promise<StoreConnection> {
    const c = await this.uow.repos.storeConnections.get(workspaceId, id);
    if (!c) throw notFound('store connection', id);
    return c;
  }

  listStoreConnections(workspaceId: string): Promise<StoreConnection[]> {
    return this.uow.repos.storeConnections.list(workspaceId);
  }

  async removeStoreConnection(workspaceId: string, id: string): Promise<void> {
    if (!(await this.uow.repos.storeConnections.remove(workspaceId, id))) throw notFound('store connection', id);
  }

  /**
   * The account that sends for a channel (seed 002, "Define your communication channel"): the one the merchant
   * selected while it is installed; otherwise the one installed first, which stays selected when another is
   * installed later; none when nothing is installed.
   */
  async sendingAccount(workspaceId: string, channel: string): Promise<{ account: ChannelAccount | null; how: 'selected' | 'first_installed' | 'none'; installed: ChannelAccount[] }> {
    const installed = await this.uow.repos.channelAccounts.list(workspaceId, channel);
    const selected = await this.uow.repos.channelSelections.get(workspaceId, channel);
    const chosen = selected ? installed.find((a) => a.id === selected.channelAccountId) : undefined;
    if (chosen) return { account: chosen, how: 'selected', installed };
    const first = installed[0];
    return first ? { account: first, how: 'first_installed', installed } : { account: null, how: 'none', installed };
  }

  async selectSendingAccount(workspaceId: string, channel: string, accountId: string): Promise<void> {
    const account = await this.uow.repos.channelAccounts.get(workspaceId, accountId);
    if (!account || account.channel !== channel) throw new AppError('validation_failed', `channel_account_id: no ${channel} account ${accountId} in this workspace`, { fields: [{ field: 'channel_account_id', message: 'unknown account' }] });
    await this.uow.repos.channelSelections.set(workspaceId, channel, accountId);
  }

  async getChannelAccount(workspaceId: string, id: string): Promise<ChannelAccount> {
    const a = await this.uow.repos.channelAccounts.get(workspaceId, id);
    if (!a) throw notFound('channel account', id);
    return a;
  }

  listChannelAccounts(workspaceId: string, channel?: string): Promise<ChannelAccount[]> {
    return this.uow.repos.channelAccounts.list(workspaceId, channel);
  }

  async removeChannelAccount(workspaceId: string, id: string): Promise<void> {
    if (!(await this.uow.repos.channelAccounts.remove(workspaceId, id))) throw notFound('channel account', id);
  }

  /** Calls the provider again with the stored credentials and records the outcome. */
  async reverifyChannelAccount(workspaceId: string, id: string): Promise<ChannelAccount> {
    const account = await this.getChannelAccount(workspaceId, id);
    const adapter = this.channelAdapter(account.provider);
    checkStoredSecrets(this.credentials(account).secrets);
    try {
      const verified = await this.verifyWithProvider('the provider', () => adapter.verifyAccount(this.credentials(account)));
      await this.uow.repos.channelAccounts.update(workspaceId, id, { status: 'verified', displayName: verified.displayName, verifiedAt: Date.now() });
    } catch (err) {
      if (err instanceof AppError && err.code === 'provider_rejected_credentials') {
        await this.uow.repos.channelAccounts.update(workspaceId, id, { status: 'invalid_credentials' });
      }
      throw err;
    }
    return this.getChannelAccount(workspaceId, id);
  }

  async listTemplates(workspaceId: string, accountId: string): Promise<ProviderTemplate[]> {
    const account = await this.getChannelAccount(workspaceId, accountId);
    const adapter = this.channelAdapter(account.provider);
    return this.verifyWithProvider('the provider', () => adapter.listTemplates(this.credentials(account)));
  }

  /** Sends through the account now (test sends); a provider refusal comes back as a result, not an error. */
  async sendNow(account: ChannelAccount, request: Omit<SendRequest, 'content'> & { content: StoredContent }): Promise<{ ok: true; providerMessageId: string } | { ok: false; errorCode: string | null; reason: string }> {
    const adapter = this.channelAdapter(account.provider);
    try {
      const { content } = request;
      let result;
      if (content.kind !== 'native') result = await adapter.send(this.credentials(account), { ...request, content });
      else if (adapter.sendNative) result = await adapter.sendNative(this.credentials(account), { to: request.to, body: content.body });
      else throw new ProviderError('permanent', `${account.provider} cannot send provider-native messages`);
      return { ok: true, providerMessageId: result.providerMessageId };
    } catch (err) {
      if (err instanceof ProviderError) return { ok: false, errorCode: err.providerCode, reason: err.message };
      throw err;
    }
  }

  credentials(account: ChannelAccount): ChannelAccountCredentials {
    return { settings: account.settings, secrets: this.secrets.open(account.sealedSecrets) };
  }

  /** The secrets of an account with every value masked, for API responses. */
  maskedSecrets(sealed: string): Record<string, string> {
    return this.secrets.masked(sealed);
  }

  private channelAdapter(provider: string) {
    const adapter = this.providers.channel(provider);
    if (!adapter) throw new AppError('validation_failed', `provider: ${provider} is not supported`);
    return adapter;
  }

  /** Turns provider refusals into clear 4xx errors and outages into 502, naming the provider's reason. */
  private async verifyWithProvider<T>(who: string, call: () => Promise<T>, wording: VerifyWording = {}): Promise<T> {
    try {
      return await call();
    } catch (err) {
      // The host resolved to an address this installation does not connect to (the text looked public).
      if (err instanceof DestinationRefusedError) throw new AppError('validation_failed', `host: ${err.message}`, { fields: [{ field: 'host', message: err.message }] });
      if (err instanceof ProviderError) {
        if (err.kind === 'permanent') {
          const message = wording.rejected ? wording.rejected(err.message) : `${who} refused the credentials: ${err.message}`;
          if (wording.bare) throw new AppError('provider_rejected_credentials', message);
          throw new AppError('provider_rejected_credentials', message, {
            provider_code: err.providerCode,
            http_status: err.httpStatus,
          });
        }
        throw new AppError('provider_unavailable', wording.unavailable ? wording.unavailable(err.message) : `${who} could not be reached to verify the account: ${err.message}`);
      }
      throw err;
    }
  }
}

/** The form's name, trimmed; empty when it gave none. */
const nameOf = (input: Record<string, unknown>): string => (typeof input['name'] === 'string' ? input['name'].trim() : '');

/** A new connection or account, and what its answer shows only this once. */
export type Connected = { kind: 'store'; connection: StoreConnection; once: Record<string, unknown> } | { kind: 'channel'; account: ChannelAccount; once: Record<string, unknown> };
