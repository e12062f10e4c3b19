// Store connections and channel accounts: created with their credentials (sealed at rest), verified
// against the provider when saved and on demand, shown with secrets masked.
import { AppError, DuplicateError, ProviderError, invalidField, notFound } from '../errors.js';
import type { StoreConnectionCredentials } from '../stores/ports.js';
import { initialPollState, newPollToken, startPollChain } from '../stores/poller.js';
import { toE164 } from '../phone.js';
import type { ChannelAccountCredentials, ProviderTemplate, SendRequest, VerifiedAccount, StoredContent } from '../channels/ports.js';
import type { Providers } from '../providers.js';
import type { ChannelAccount, StoreConnection } from './repo.js';
import type { UnitOfWork } from '../repos.js';
import type { SecretBox } from '../secrets/secret-box.js';
import { checkStoredSecrets } from './credential-text.js';
import { DestinationRefusedError, checkDestinationHost, checkDestinationUrl } from '../net/destinations.js';
import type { DestinationPolicy } from '../net/destinations.js';

export interface ShopifyConnectionInput {
  name?: string | undefined;
  shopDomain: string;
  webhookSecret: string;
}

export interface ShoplineConnectionInput {
  name?: string | undefined;
  /** The store handle: open001 for open001.myshopline.com. */
  handle: string;
  accessToken: string;
  /** The app secret SHOPLINE signs webhooks with. */
  appSecret: string;
}

export interface GupshupAccountInput {
  name?: string | undefined;
  appName: string;
  /** The registered WhatsApp business number, with country code. */
  sourceNumber: string;
  apiKey: string;
  owner?: 'merchant' | 'platform' | undefined;
  rateLimitPerSecond?: number | undefined;
}

export interface WhatsAppCloudAccountInput {
  name?: string | undefined;
  phoneNumberId: string;
  wabaId: string;
  accessToken: string;
  appSecret: string;
  /** Meta's verify token for the webhook subscription handshake; generated when absent. */
  verifyToken?: string | undefined;
  owner?: 'merchant' | 'platform' | undefined;
  rateLimitPerSecond?: number | undefined;
}

/** Meta's default throughput for a business phone number (messages per second). */
export const WHATSAPP_DEFAULT_MPS = 80;
/** Messenger's Send API allows 300 calls/s per Page for text; LINE 2,000 requests/s per channel. */
const MESSENGER_DEFAULT_MPS = 300;
const LINE_DEFAULT_MPS = 2000;

export interface MessengerAccountInput {
  name?: string | undefined;
  pageId: string;
  pageAccessToken: string;
  appSecret: string;
  verifyToken?: string | undefined;
  owner?: 'merchant' | 'platform' | undefined;
}

export interface LineAccountInput {
  name?: string | undefined;
  channelId?: string | undefined;
  channelAccessToken: string;
  channelSecret: string;
  owner?: 'merchant' | 'platform' | undefined;
}

export interface CyberbizConnectionInput {
  name?: string | undefined;
  /** The shop's CYBERBIZ domain (the X-Cyberbiz-Domain of its webhooks), e.g. example.cyberbiz.co. */
  shopDomain: string;
  accessToken: string;
  appSecret: string;
}

export interface NinetyOneAppConnectionInput {
  name?: string | undefined;
  shopId: string;
  apiKey: string;
  /** The shop's public URL, for order links. */
  storeUrl?: string | undefined;
}

export interface EshopboxConnectionInput {
  name?: string | undefined;
  /** The account slug: acme for acme.myeshopbox.com. */
  workspace: string;
  externalChannelId?: string | undefined;
  clientId: string;
  clientSecret: string;
  refreshToken: string;
}

export interface GenericSourceInput {
  name: string;
}

export interface TwilioSmsAccountInput {
  name?: string | undefined;
  accountSid: string;
  authToken: string;
  /** The sending number (E.164) or a Messaging Service SID. */
  from?: string | undefined;
  messagingServiceSid?: string | undefined;
  owner?: 'merchant' | 'platform' | undefined;
  rateLimitPerSecond?: number | undefined;
}

export interface SmtpEmailAccountInput {
  name?: string | undefined;
  host: string;
  port: number;
  security: 'tls' | 'starttls' | 'none';
  username?: string | undefined;
  password?: string | undefined;
  fromAddress: string;
  fromName?: string | undefined;
  replyTo?: string | undefined;
  owner?: 'merchant' | 'platform' | undefined;
  rateLimitPerSecond?: number | undefined;
}

/** Twilio's default throughput for a long code is about 1 message per second; a Messaging Service pools several. */
const SMS_DEFAULT_MPS = 10;
const EMAIL_DEFAULT_MPS = 20;

export class ConnectionService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly providers: Providers,
    private readonly secrets: SecretBox,
    private readonly publicUrl: () => string,
    /** The operator's policy for destinations workspaces choose (SMTP hosts, store URLs). */
    private readonly destinations: DestinationPolicy = { allowPrivate: false },
  ) {}

  async createShopifyConnection(workspaceId: string, input: ShopifyConnectionInput): Promise<StoreConnection> {
    const shopDomain = input.shopDomain.trim().toLowerCase();
    if (!/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/.test(shopDomain)) {
      throw new AppError('validation_failed', 'shop_domain: must be the shop’s myshopify.com domain, e.g. acme.myshopify.com', {
        fields: [{ field: 'shop_domain', message: 'must look like acme.myshopify.com' }],
      });
    }
    try {
      return await this.uow.repos.storeConnections.create(workspaceId, {
        platform: 'shopify',
        name: input.name?.trim() || shopDomain,
        externalId: shopDomain,
        settings: { shopDomain },
        sealedSecrets: this.secrets.seal({ webhookSecret: input.webhookSecret }),
        status: 'active',
        verifiedAt: null,
      });
    } catch (err) {
      if (err instanceof DuplicateError) throw new AppError('conflict', `a Shopify connection for ${shopDomain} already exists in this workspace`);
      throw err;
    }
  }

  async createShoplineConnection(workspaceId: string, input: ShoplineConnectionInput): Promise<StoreConnection> {
    const handle = input.handle.trim().toLowerCase().replace(/\.myshopline\.com$/, '');
    if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(handle)) {
      throw new AppError('validation_failed', 'handle: must be the store handle, e.g. open001 for open001.myshopline.com', { fields: [{ field: 'handle', message: 'not a store handle' }] });
    }
    const adapter = this.providers.store('shopline');
    if (!adapter?.verifyConnection) throw new AppError('validation_failed', 'platform: shopline is not supported');
    const credentials = { settings: { handle }, secrets: { accessToken: input.accessToken, appSecret: input.appSecret } };
    const verified = await this.verifyWithProvider('SHOPLINE', () => adapter.verifyConnection!(credentials));
    try {
      return await this.uow.repos.storeConnections.create(workspaceId, {
        platform: 'shopline',
        name: input.name?.trim() || verified.displayName,
        externalId: handle,
        settings: credentials.settings,
        sealedSecrets: this.secrets.seal(credentials.secrets),
        status: 'verified',
        verifiedAt: Date.now(),
      });
    } catch (err) {
      if (err instanceof DuplicateError) throw new AppError('conflict', `a SHOPLINE connection for ${handle} already exists in this workspace`);
      throw err;
    }
  }

  async createCyberbizConnection(workspaceId: string, input: CyberbizConnectionInput): Promise<StoreConnection> {
    const shopDomain = input.shopDomain.trim().toLowerCase().replace(/^https?:\/\//, '').replace(/\/.*$/, '');
    if (!/^[a-z0-9][a-z0-9.-]*\.[a-z]{2,}$/.test(shopDomain)) throw invalidField('shop_domain', 'must be the shop’s CYBERBIZ domain, e.g. example.cyberbiz.co');
    return this.saveVerifiedStore(workspaceId, 'cyberbiz', 'CYBERBIZ', shopDomain, { settings: { shopDomain }, secrets: { accessToken: input.accessToken, appSecret: input.appSecret } }, input.name);
  }

  /** 91APP sends no order webhooks: the connection starts a poll of its orders. */
  async createNinetyOneAppConnection(workspaceId: string, input: NinetyOneAppConnectionInput): Promise<StoreConnection> {
    const shopId = input.shopId.trim();
    if (!/^\d{1,12}$/.test(shopId)) throw invalidField('shop_id', 'must be the numeric 91APP shop id');
    const settings: Record<string, string> = { shopId };
    // Buyers are sent to this URL: only a public http(s) origin.
    if (input.storeUrl) {
      checkDestinationUrl('store_url', input.storeUrl, this.destinations);
      settings['storeUrl'] = input.storeUrl.trim();
    }
    return this.saveVerifiedStore(workspaceId, '91app', '91APP', shopId, { settings, secrets: { apiKey: input.apiKey } }, input.name);
  }

  /**
   * Eshopbox does not sign webhooks: they are registered with a header (x-api-key) holding a key generated here,
   * returned once; the callback URL may carry it as ?key= instead.
   */
  async createEshopboxConnection(workspaceId: string, input: EshopboxConnectionInput): Promise<{ connection: StoreConnection; webhookKey: string }> {
    const ws = input.workspace.trim().toLowerCase().replace(/\.my?eshopbox\.com$/, '');
    if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(ws)) throw invalidField('workspace', 'must be the Eshopbox account slug, e.g. acme for acme.myeshopbox.com');
    const webhookKey = this.secrets.randomToken();
    const settings: Record<string, string> = { workspace: ws };
    if (input.externalChannelId) settings['externalChannelId'] = input.externalChannelId.trim();
    const connection = await this.saveVerifiedStore(
      workspaceId,
      'eshopbox',
      'Eshopbox',
      ws,
      { settings, secrets: { clientId: input.clientId, clientSecret: input.clientSecret, refreshToken: input.refreshToken, webhookKey } },
      input.name,
    );
    return { connection, webhookKey };
  }

  /** The generic signed-webhook source: the signing secret is generated here and returned once. */
  async createGenericSource(workspaceId: string, input: GenericSourceInput): Promise<{ connection: StoreConnection; signingSecret: string }> {
    const signingSecret = `whsec_${this.secrets.randomToken(32)}`;
    const name = input.name.trim();
    try {
      const connection = await this.uow.repos.storeConnections.create(workspaceId, {
        platform: 'generic',
        name,
        externalId: `generic:${this.secrets.randomToken(9)}`,
        settings: {},
        sealedSecrets: this.secrets.seal({ signingSecret }),
        status: 'active',
        verifiedAt: null,
      });
      return { connection, signingSecret };
    } catch (err) {
      if (err instanceof DuplicateError) throw new AppError('conflict', `a generic source named ${name} already exists`);
      throw err;
    }
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

  /** Verifies a store's credentials with the platform, then stores the connection (and starts its poll where it has no webhooks). */
  private async saveVerifiedStore(workspaceId: string, platform: string, label: string, externalId: string, credentials: StoreConnectionCredentials, name: string | undefined): Promise<StoreConnection> {
    const adapter = this.providers.store(platform);
    if (!adapter?.verifyConnection) throw new AppError('validation_failed', `platform: ${platform} is not supported`);
    const verified = await this.verifyWithProvider(label, () => adapter.verifyConnection!(credentials));
    const pollState = adapter.pollOrders ? initialPollState(Date.now()) : null;
    try {
      return await this.uow.transaction(async (tx) => {
        const connection = await tx.storeConnections.create(workspaceId, {
          platform,
          name: name?.trim() || verified.displayName,
          externalId,
          settings: credentials.settings,
          sealedSecrets: this.secrets.seal(credentials.secrets),
          status: 'verified',
          verifiedAt: Date.now(),
          pollState,
        });
        if (pollState) await startPollChain(tx, workspaceId, connection.id, pollState);
        return connection;
      });
    } catch (err) {
      if (err instanceof DuplicateError) throw new AppError('conflict', `a ${label} connection for ${externalId} already exists in this workspace`);
      throw err;
    }
  }

  async createTwilioSmsAccount(workspaceId: string, input: TwilioSmsAccountInput): Promise<ChannelAccount> {
    const accountSid = input.accountSid.trim();
    if (!/^AC[0-9a-fA-F]{32}$/.test(accountSid)) throw invalidField('account_sid', 'must be the Twilio Account SID (AC followed by 32 hex characters)');
    if (!input.from && !input.messagingServiceSid) throw invalidField('from', 'give the sending number (E.164) or a messaging_service_sid');
    const settings: Record<string, string> = { accountSid };
    if (input.messagingServiceSid) settings['messagingServiceSid'] = input.messagingServiceSid.trim();
    if (input.from) {
      const from = toE164(input.from);
      if (!from) throw invalidField('from', 'must be a phone number with its country code, e.g. +14155550123');
      settings['from'] = from;
    }
    const credentials: ChannelAccountCredentials = { settings, secrets: { authToken: input.authToken } };
    const externalId = settings['messagingServiceSid'] ?? settings['from']!;
    const account = await this.saveVerifiedAccount(workspaceId, 'sms', 'twilio', 'Twilio', externalId, credentials, input.name, input.owner, input.rateLimitPerSecond ?? SMS_DEFAULT_MPS);
    // Status callbacks come back to the account's webhook URL, which is known once the account has an id.
    return this.setSetting(account, 'statusCallbackUrl', this.webhookUrl('sms', account.id));
  }

  /**
   * E-mail goes out over the merchant's SMTP server. Inbound mail and bounce reports come back from the mail
   * relay as signed posts; the signing secret is generated here and shown once.
   */
  async createSmtpEmailAccount(workspaceId: string, input: SmtpEmailAccountInput): Promise<{ account: ChannelAccount; webhookSecret: string }> {
    const fromAddress = input.fromAddress.trim().toLowerCase();
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(fromAddress)) throw invalidField('from_address', 'must be an e-mail address');
    const host = input.host.trim().toLowerCase();
    if (!/^[a-z0-9.-]+$/.test(host)) throw invalidField('host', 'must be the SMTP server’s host name');
    checkDestinationHost('host', host, this.destinations);
    const settings: Record<string, string> = { host, port: String(input.port), security: input.security, fromAddress };
    if (input.fromName) settings['fromName'] = input.fromName.trim();
    if (input.replyTo) settings['replyTo'] = input.replyTo.trim();
    if (input.username) settings['username'] = input.username;
    const webhookSecret = `whsec_${this.secrets.randomToken(32)}`;
    const secrets: Record<string, string> = { webhookSecret };
    if (input.password) secrets['password'] = input.password;
    const account = await this.saveVerifiedAccount(workspaceId, 'email', 'smtp', 'SMTP', fromAddress, { settings, secrets }, input.name, input.owner, input.rateLimitPerSecond ?? EMAIL_DEFAULT_MPS);
    return { account, webhookSecret };
  }

  /** The public webhook URL of a channel account (set with setPublicUrl by the HTTP layer's configuration). */
  private webhookUrl(path: string, accountId: string): string {
    return `${this.publicUrl()}/webhooks/${path}/${accountId}`;
  }

  private async setSetting(account: ChannelAccount, key: string, value: string): Promise<ChannelAccount> {
    await this.uow.repos.channelAccounts.update(account.workspaceId, account.id, { settings: { ...account.settings, [key]: value } });
    return this.getChannelAccount(account.workspaceId, account.id);
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

  async createWhatsAppCloudAccount(workspaceId: string, input: WhatsAppCloudAccountInput): Promise<ChannelAccount> {
    const credentials: ChannelAccountCredentials = {
      settings: { phoneNumberId: input.phoneNumberId, wabaId: input.wabaId },
      secrets: { accessToken: input.accessToken, appSecret: input.appSecret, verifyToken: input.verifyToken ?? this.secrets.randomToken() },
    };
    return this.saveVerifiedAccount(workspaceId, 'whatsapp', 'meta', 'WhatsApp', input.phoneNumberId, credentials, input.name, input.owner, input.rateLimitPerSecond ?? WHATSAPP_DEFAULT_MPS);
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

  async createMessengerAccount(workspaceId: string, input: MessengerAccountInput): Promise<ChannelAccount> {
    const credentials: ChannelAccountCredentials = {
      settings: { pageId: input.pageId },
      secrets: { pageAccessToken: input.pageAccessToken, appSecret: input.appSecret, verifyToken: input.verifyToken ?? this.secrets.randomToken() },
    };
    return this.saveVerifiedAccount(workspaceId, 'messenger', 'meta-messenger', 'Messenger', input.pageId, credentials, input.name, input.owner, MESSENGER_DEFAULT_MPS);
  }

  async createLineAccount(workspaceId: string, input: LineAccountInput): Promise<ChannelAccount> {
    const adapter = this.channelAdapter('line');
    const credentials: ChannelAccountCredentials = {
      settings: input.channelId ? { channelId: input.channelId } : {},
      secrets: { channelAccessToken: input.channelAccessToken, channelSecret: input.channelSecret },
    };
    // The bot's user id (the webhooks' destination) identifies the channel.
    const verified = await this.verifyWithProvider('LINE', () => adapter.verifyAccount(credentials));
    const botUserId = String(verified.details['userId'] ?? input.channelId ?? verified.displayName);
    return this.saveVerifiedAccount(workspaceId, 'line', 'line', 'LINE', botUserId, credentials, input.name, input.owner, LINE_DEFAULT_MPS, verified);
  }

  /** Verifies the credentials with the provider (unless already done), then stores the account sealed. */
  private async saveVerifiedAccount(
    workspaceId: string,
    channel: string,
    provider: string,
    label: string,
    externalId: string,
    credentials: ChannelAccountCredentials,
    name: string | undefined,
    owner: 'merchant' | 'platform' | undefined,
    rateLimitPerSecond: number,
    alreadyVerified?: VerifiedAccount,
  ): Promise<ChannelAccount> {
    const adapter = this.channelAdapter(provider);
    const verified = alreadyVerified ?? (await this.verifyWithProvider(label, () => adapter.verifyAccount(credentials)));
    try {
      return await this.uow.repos.channelAccounts.create(workspaceId, {
        channel,
        provider,
        name: name?.trim() || verified.displayName,
        externalId,
        owner: owner ?? 'merchant',
        settings: credentials.settings,
        sealedSecrets: this.secrets.seal(credentials.secrets),
        status: 'verified',
        displayName: verified.displayName,
        rateLimitPerSecond,
        verifiedAt: Date.now(),
      });
    } catch (err) {
      if (err instanceof DuplicateError) throw new AppError('conflict', `this ${label} account (${externalId}) is already connected in this workspace`);
      throw err;
    }
  }

  /** Gupshup does not sign callbacks: the callback URL carries a secret token, returned once here. */
  async createGupshupAccount(workspaceId: string, input: GupshupAccountInput): Promise<{ account: ChannelAccount; callbackToken: string }> {
    const callbackToken = this.secrets.randomToken();
    const appName = input.appName.trim();
    const credentials: ChannelAccountCredentials = {
      // Gupshup has no API that tells which number an app sends from: the number stays unverified until a
      // send from it is accepted (the test send is that check).
      settings: { appName, sourceNumber: input.sourceNumber.replace(/\D/g, ''), numberCheck: 'unverified' },
      secrets: { apiKey: input.apiKey, callbackToken },
    };
    const account = await this.saveVerifiedAccount(workspaceId, 'whatsapp', 'gupshup', 'Gupshup', appName, credentials, input.name, input.owner, input.rateLimitPerSecond ?? WHATSAPP_DEFAULT_MPS);
    return { account, callbackToken };
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
  private async verifyWithProvider<T>(who: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      // The host resolved to an address this installation does not connect to (the text looked public).
      if (err instanceof DestinationRefusedError) throw new AppError('validation_failed', `host: ${err.message}`, { fields: [{ field: 'host', message: err.message }] });
      if (err instanceof ProviderError) {
        if (err.kind === 'permanent') {
          throw new AppError('provider_rejected_credentials', `${who} refused the credentials: ${err.message}`, {
            provider_code: err.providerCode,
            http_status: err.httpStatus,
          });
        }
        throw new AppError('provider_unavailable', `${who} could not be reached to verify the account: ${err.message}`);
      }
      throw err;
    }
  }
}
