// Inbound webhooks: verified on the raw bytes, stored with their processing job in one transaction, and
// acknowledged; the work happens in the job. Duplicates (same delivery id) are acknowledged and dropped.
import { createHash } from 'node:crypto';
import { AppError, notFound } from '../errors.js';
import type { RawWebhook } from '../channels/ports.js';
import type { Providers } from '../providers.js';
import type { ChannelAccount, StoreConnection } from '../connections/repo.js';
import type { UnitOfWork } from '../repos.js';
import type { SecretBox } from '../secrets/secret-box.js';
import { safeEqual } from '../secrets/secret-box.js';
import { TtlCache } from '../ttl-cache.js';
import type { Handoff } from '../handoff.js';
import type { InboundWebhook } from '../events/repo.js';
import { storedWebhookText } from './webhook-text.js';

export interface WebhookReceipt {
  webhookId: string | null;
  duplicate: boolean;
}

// Provider headers are kept with a stored delivery (parsing needs them); credentials never are.
const KEPT_HEADER = /^(x-[a-z0-9-]+|content-type)$/;
const DROPPED_HEADER = /^(x-api-key|x-auth-token|x-access-token)$/;

type AppAccount = { account: ChannelAccount; secrets: Record<string, string> };

export class WebhookIngress {
  private stores = new TtlCache<string, { connection: StoreConnection; secrets: Record<string, string> } | null>(5_000);
  private channels = new TtlCache<string, { account: ChannelAccount; secrets: Record<string, string> } | null>(5_000);
  private appAccounts = new TtlCache<string, AppAccount[]>(5_000);
  private appAccountsReadAt = new Map<string, number>();

  constructor(
    private readonly uow: UnitOfWork,
    private readonly providers: Providers,
    private readonly secrets: SecretBox,
    /** Stored webhooks for the processing job of this process (see Handoff). */
    private readonly handoff: Handoff<InboundWebhook> | null = null,
  ) {}

  async receiveStoreWebhook(platform: string, connectionId: string, raw: RawWebhook): Promise<WebhookReceipt> {
    const resolved = await this.stores.get(connectionId, async () => {
      const connection = await this.uow.repos.storeConnections.resolveForWebhook(connectionId);
      return connection ? { connection, secrets: this.secrets.open(connection.sealedSecrets) } : null;
    });
    if (!resolved || resolved.connection.platform !== platform) throw notFound('store connection', connectionId);
    const adapter = this.providers.store(platform);
    if (!adapter) throw notFound('store platform', platform);
    const { connection, secrets } = resolved;
    if (!adapter.verifyWebhook({ settings: connection.settings, secrets }, raw)) {
      throw new AppError('invalid_signature', `the webhook signature does not match this ${platform} connection's secret`);
    }
    const problem = adapter.checkWebhook?.(raw);
    if (problem) throw new AppError('validation_failed', problem);
    const dedupeKey = adapter.deliveryId(raw) ?? `sha256:${createHash('sha256').update(raw.body).digest('hex')}`;
    return this.store(connection.workspaceId, platform, connection.id, dedupeKey, raw, 'store-webhook.process');
  }

  /** Meta's subscription handshake: echo the challenge when the verify token matches. */
  async verifyChannelSubscription(provider: string, accountId: string, query: Record<string, string | undefined>): Promise<string> {
    const resolved = await this.resolveChannel(provider, accountId);
    const expected = resolved.secrets['verifyToken'];
    if (query['hub.mode'] !== 'subscribe' || !expected || query['hub.verify_token'] !== expected || !query['hub.challenge']) {
      throw new AppError('forbidden', 'hub.verify_token does not match this channel account');
    }
    return query['hub.challenge'];
  }

  async receiveChannelWebhook(provider: string, accountId: string, raw: RawWebhook): Promise<WebhookReceipt> {
    const { account, secrets } = await this.resolveChannel(provider, accountId);
    const adapter = this.providers.channel(provider);
    if (!adapter) throw notFound('channel provider', provider);
    if (!adapter.verifyWebhook({ settings: account.settings, secrets }, raw)) {
      throw new AppError('invalid_signature', `the webhook signature (or callback token) does not match this ${provider} account`);
    }
    // Channel webhooks carry no delivery id; identical bytes are the same delivery.
    const dedupeKey = `sha256:${createHash('sha256').update(raw.body).digest('hex')}`;
    return this.store(account.workspaceId, provider, account.id, dedupeKey, raw, 'channel-webhook.process');
  }

  /**
   * Meta's handshake on the workspace's Meta URL: the verify token of any WhatsApp Cloud or Messenger account of
   * the workspace (each app is configured with one of them).
   */
  async verifyAppSubscription(workspaceId: string, query: Record<string, string | undefined>): Promise<string> {
    const given = query['hub.verify_token'] ?? '';
    const matches = (accounts: AppAccount[]) => accounts.some(({ secrets }) => !!secrets['verifyToken'] && safeEqual(secrets['verifyToken'], given));
    const accounts = await this.appAccountsOf(workspaceId, (list) => list.length > 0 && matches(list));
    if (accounts.length === 0) throw notFound('WhatsApp Cloud API or Messenger account in workspace', workspaceId);
    if (query['hub.mode'] !== 'subscribe' || !matches(accounts) || !query['hub.challenge']) {
      throw new AppError('forbidden', 'hub.verify_token does not match any WhatsApp or Messenger account of this workspace');
    }
    return query['hub.challenge'];
  }

  /**
   * A delivery on the workspace's Meta URL, which one app's callback serves for all its numbers and pages. The
   * signature says which app sent it (the app secret that verifies it); the envelope's `object` says whether it is
   * WhatsApp or Messenger. It is stored for the oldest such account of that app; processing routes each change to
   * the account it names (phone_number_id, page id).
   */
  async receiveAppWebhook(workspaceId: string, raw: RawWebhook): Promise<WebhookReceipt> {
    const signers = (accounts: AppAccount[]) => accounts.filter(({ account, secrets }) => this.providers.channel(account.provider)?.verifyWebhook({ settings: account.settings, secrets }, raw));
    const accounts = await this.appAccountsOf(workspaceId, (list) => signers(list).length > 0);
    if (accounts.length === 0) throw notFound('WhatsApp Cloud API or Messenger account in workspace', workspaceId);
    const signedBy = signers(accounts);
    if (signedBy.length === 0) throw new AppError('invalid_signature', 'the webhook signature does not match the app secret of any WhatsApp or Messenger account of this workspace');
    let object: unknown;
    try {
      object = (JSON.parse(raw.body.toString('utf8')) as { object?: unknown } | null)?.object;
    } catch {
      throw new AppError('validation_failed', 'the webhook body is not JSON');
    }
    const provider = object === 'whatsapp_business_account' ? 'meta' : object === 'page' ? 'meta-messenger' : null;
    if (!provider) throw new AppError('validation_failed', `object: expected whatsapp_business_account or page, got ${JSON.stringify(object ?? null)}`);
    const target = signedBy.find(({ account }) => account.provider === provider);
    if (!target) throw notFound(`${provider === 'meta' ? 'WhatsApp Cloud API' : 'Messenger'} account of this app in workspace`, workspaceId);
    const dedupeKey = `sha256:${createHash('sha256').update(raw.body).digest('hex')}`;
    return this.store(workspaceId, provider, target.account.id, dedupeKey, raw, 'channel-webhook.process');
  }

  /**
   * The workspace's accounts whose providers share one app URL (Meta), oldest first, with their secrets. Read
   * through a short cache; when the cached list does not serve the request (`serves`: an account added a moment
   * ago, or a bad signature) and was read before the request arrived, it is read again — one indexed query, as
   * for an unknown id on the per-account URLs.
   */
  private async appAccountsOf(workspaceId: string, serves: (accounts: AppAccount[]) => boolean): Promise<AppAccount[]> {
    // Ids are short and plain; anything else (control characters, NUL) names no workspace and is not looked up.
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(workspaceId)) return [];
    const arrivedAt = Date.now();
    const load = async () => {
      if (this.appAccountsReadAt.size > 10_000) this.appAccountsReadAt.clear();
      this.appAccountsReadAt.set(workspaceId, Date.now());
      const all = await this.uow.repos.channelAccounts.list(workspaceId);
      return all.filter((a) => this.providers.channel(a.provider)?.appSecretField).map((account) => ({ account, secrets: this.secrets.open(account.sealedSecrets) }));
    };
    const cached = await this.appAccounts.get(workspaceId, load);
    if (serves(cached) || (this.appAccountsReadAt.get(workspaceId) ?? 0) >= arrivedAt) return cached;
    this.appAccounts.delete(workspaceId);
    return this.appAccounts.get(workspaceId, load);
  }

  private async resolveChannel(provider: string, accountId: string) {
    const resolved = await this.channels.get(accountId, async () => {
      const account = await this.uow.repos.channelAccounts.resolveForWebhook(accountId);
      return account ? { account, secrets: this.secrets.open(account.sealedSecrets) } : null;
    });
    if (!resolved || resolved.account.provider !== provider) throw notFound('channel account', accountId);
    return resolved;
  }

  private async store(
    workspaceId: string,
    source: string,
    targetId: string,
    dedupeKey: string,
    raw: RawWebhook,
    jobType: 'store-webhook.process' | 'channel-webhook.process',
  ): Promise<WebhookReceipt> {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(raw.headers)) if (v !== undefined && KEPT_HEADER.test(k) && !DROPPED_HEADER.test(k)) headers[k] = v;
    return this.uow.transaction(async (repos) => {
      const stored = await repos.webhooks.insertIfNew(workspaceId, {
        source,
        targetId,
        dedupeKey,
        topic: raw.headers['x-shopify-topic'] ?? raw.headers['x-shopline-topic'] ?? raw.headers['x-cyberbiz-event'] ?? null,
        headers,
        body: storedWebhookText(raw.body, raw.headers['content-type']),
      });
      if (!stored) return { webhookId: null, duplicate: true };
      this.handoff?.put(stored.id, stored);
      await repos.jobs.enqueue({ type: jobType, workspaceId, payload: { webhookId: stored.id } });
      return { webhookId: stored.id, duplicate: false };
    });
  }
}
