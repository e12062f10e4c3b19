// From a stored store webhook to events and outbound messages. Runs as the store-webhook.process job.
// Everything it writes for one delivery (order, events, messages, send jobs, activities) commits together,
// and each step is keyed so that a second run of the job, or a second delivery of the same fact, adds nothing.
import type { Providers, Logger } from '../providers.js';
import type { ChannelAccount } from '../connections/repo.js';
import type { InboundWebhook, Order, StoredEvent } from '../events/repo.js';
import type { Message, NotificationSetting } from './repo.js';
import type { Repos, UnitOfWork } from '../repos.js';
import type { NormalizedEvent } from '../events/model.js';
import { MissingRecordError, PermanentJobError } from '../jobs.js';
import { invalidField } from '../errors.js';
import type { JobContext } from '../jobs.js';
import { TtlCache } from '../ttl-cache.js';
import type { Handoff } from '../handoff.js';
import type { OutboundWebhooks } from '../webhooks/outbound.js';
import type { StoredContent } from '../channels/ports.js';
import { matchLocale } from '../templates/builtin.js';
import type { OptOutService } from './opt-outs.js';
import { findCustomerRecipient, findRecipient, maskAddress } from './recipients.js';
import type { RecipientLookup } from './recipients.js';
import { BUILTIN_TEMPLATE, CUSTOM_TEMPLATE, TextNotRendered, composeText, emailBodies, isTextChannel } from './compose.js';
import { messengerNotification, textLengthProblem } from './policy.js';
import { computeVariables } from './variables.js';
import { channelLabel, eventLabel, platformLabel } from './labels.js';
import { LOYALTY_SOURCE, billingCategory, unsupportedReason } from './matrix.js';
import { channelIds, channelProfile } from '../channels/profile.js';
import type { EventSubscriber } from '../events/subscribers.js';

export class NotificationPlanner {
  private brands = new TtlCache<string, string>(30_000);

  constructor(
    private readonly uow: UnitOfWork,
    private readonly providers: Providers,
    private readonly log: Logger,
    private readonly outbound: OutboundWebhooks,
    private readonly optOuts: OptOutService,
    /** What other modules do when an event is stored (failed-delivery cases, loyalty refunds). */
    private readonly subscribers: readonly EventSubscriber[],
    /** Stored webhooks from the ingress, and planned messages for their send job (see Handoff). */
    private readonly handoff: { webhooks: Handoff<InboundWebhook>; messages: Handoff<Message> } | null = null,
  ) {}

  /** Job handler for store-webhook.process. */
  async processStoreWebhook(payload: { webhookId: string }, ctx: JobContext): Promise<void> {
    const workspaceId = ctx.workspaceId;
    if (!workspaceId) throw new PermanentJobError('store-webhook.process needs a workspace');
    const { repos } = this.uow;
    const webhook = this.handoff?.webhooks.take(payload.webhookId) ?? (await repos.webhooks.get(workspaceId, payload.webhookId));
    if (!webhook) throw new MissingRecordError('webhook', payload.webhookId);
    if (webhook.status !== 'received') return;
    const connection = await repos.storeConnections.get(workspaceId, webhook.targetId);
    const adapter = connection ? this.providers.store(connection.platform) : null;
    if (!connection || !adapter) {
      await repos.webhooks.finish(workspaceId, webhook.id, 'failed', 'the store connection was removed before the webhook was processed');
      return;
    }
    let events: NormalizedEvent[];
    try {
      events = adapter.parseWebhook({ body: Buffer.from(webhook.body, 'utf8'), headers: webhook.headers, query: {} }).events;
    } catch (err) {
      // A body the platform signed but we cannot read will not improve with retries.
      const reason = err instanceof Error ? err.message : String(err);
      this.log.warn({ webhookId: webhook.id, reason }, 'store webhook could not be parsed');
      await repos.webhooks.finish(workspaceId, webhook.id, 'failed', reason);
      return;
    }
    const brand = await this.brandOf(repos, workspaceId, connection.id);
    await this.uow.transaction(async (tx) => {
      for (const event of events) {
        await this.recordEvent(tx, workspaceId, connection.id, connection.platform, event, brand);
      }
      await tx.webhooks.finish(workspaceId, webhook.id, 'processed', null);
    }, 'relaxed');
  }

  /**
   * Records an event a merchant pushed through the API, for one of its store connections. Returns the
   * stored event, or null when one with the same idempotency key was recorded before.
   */
  async recordPushedEvent(workspaceId: string, storeConnectionId: string, event: NormalizedEvent): Promise<StoredEvent | null> {
    const connection = await this.uow.repos.storeConnections.get(workspaceId, storeConnectionId);
    if (!connection) throw invalidField('store_connection_id', `no store connection ${storeConnectionId} in this workspace`);
    const brand = await this.brandOf(this.uow.repos, workspaceId, connection.id);
    return this.uow.transaction((tx) => this.recordEvent(tx, workspaceId, connection.id, connection.platform, event, brand));
  }

  /**
   * The brand customers see when the event itself names none: the workspace's brand setting, else the name of the
   * store the event came from (as the platform reports it). Never the workspace's own name, which is internal.
   */
  async brandOf(repos: Repos, workspaceId: string, storeConnectionId: string | null): Promise<string> {
    return this.brands.get(`${workspaceId}:${storeConnectionId ?? ''}`, async () => {
      const workspace = await repos.workspaces.get(workspaceId);
      if (workspace?.brandName) return workspace.brandName;
      const store = storeConnectionId ? await repos.storeConnections.get(workspaceId, storeConnectionId) : (await repos.storeConnections.list(workspaceId))[0];
      return store?.name ?? '';
    });
  }

  /**
   * Records a change of the hub's own loyalty programme (points earned or spent, a coupon given) as an event of
   * the customer, so the notifications the merchant enabled for it go out. Returns null when recorded before.
   */
  async recordLoyaltyEvent(
    tx: Repos,
    workspaceId: string,
    input: { type: 'points.earned' | 'points.spent' | 'coupon.issued'; customerId: string; idempotencyKey: string; data: Record<string, unknown> },
  ): Promise<StoredEvent | null> {
    const brand = await this.brandOf(tx, workspaceId, null);
    const event: NormalizedEvent = { type: input.type, idempotencyKey: `loyalty:${input.idempotencyKey}`, occurredAt: Date.now(), order: null, data: { ...input.data, customerId: input.customerId } };
    return this.recordEvent(tx, workspaceId, null, LOYALTY_SOURCE, event, brand);
  }

  /**
   * Records one normalized event (from a webhook, a poll or the API), plans its notifications and tells the
   * event's subscribers. Returns null when the event was already recorded.
   */
  async recordEvent(tx: Repos, workspaceId: string, storeConnectionId: string | null, source: string, event: NormalizedEvent, brand: string): Promise<StoredEvent | null> {
    let order: Order | null = null;
    if (event.order && storeConnectionId) order = await tx.orders.upsert(workspaceId, storeConnectionId, event.order);
    else if (typeof event.data['orderExternalId'] === 'string' && storeConnectionId) {
      order = await tx.orders.findByExternalId(workspaceId, storeConnectionId, event.data['orderExternalId']);
    }
    const stored = await tx.events.insertIfNew(workspaceId, {
      type: event.type,
      idempotencyKey: event.idempotencyKey,
      source,
      storeConnectionId,
      orderId: order?.id ?? null,
      occurredAt: event.occurredAt,
      payload: event,
    });
    if (!stored) return null;
    // Channels the merchant does not use at all (no account, never configured) get no "not enabled" entries.
    const settings = new Map((await tx.settings.listForEvent(workspaceId, event.type)).map((x) => [x.channel, x]));
    const installed = settings.size === channelIds.length ? null : new Set(await tx.channelAccounts.installedChannels(workspaceId));
    const queued: Message[] = [];
    for (const channel of channelIds) {
      const setting = settings.get(channel) ?? null;
      if (!setting && !installed?.has(channel)) continue;
      const message = await this.planOne(tx, workspaceId, source, stored, order, channel, setting, brand);
      if (message) queued.push(message);
    }
    const ctx = { workspaceId, order, queued, recordFollowUp: (followUpSource: string, followUp: NormalizedEvent) => this.recordEvent(tx, workspaceId, storeConnectionId, followUpSource, followUp, brand) };
    for (const subscriber of this.subscribers) await subscriber.onEvent(tx, stored, ctx);
    return stored;
  }

  private async planOne(
    tx: Repos,
    workspaceId: string,
    platform: string,
    event: StoredEvent,
    order: Order | null,
    channel: string,
    setting: NotificationSetting | null,
    brand: string,
  ): Promise<Message | null> {
    const what = `${eventLabel(event.type)} ${channelLabel(channel)} notification`;
    const base = {
      direction: 'outbound' as const,
      channel,
      eventId: event.id,
      orderId: order?.id ?? null,
      idempotencyKey: `${event.id}:${channel}`,
      templateName: setting ? templateLabel(setting) : null,
      category: billingCategory(event.type),
    };
    const skip = async (reason: string, channelAccountId: string | null = null, recipient: string | null = null): Promise<null> => {
      const message = await tx.messages.insertIfNew(workspaceId, { ...base, channelAccountId, recipient, content: null, status: 'skipped', reason });
      if (message) {
        const activity = await tx.activities.add(workspaceId, {
          orderId: order?.id ?? null,
          messageId: message.id,
          kind: 'notification.skipped',
          summary: `${what} skipped: ${reason}`,
          data: { channel, eventType: event.type, reason },
        });
        await this.outbound.emitActivity(tx, activity, message, 'skipped');
      }
      return null;
    };

    if (!setting?.enabled) return skip(`the ${what} is not enabled`);
    const unsupported = unsupportedReason(platform, event.type, channel, { event: eventLabel(event.type), channel: channelLabel(channel), platform: platformLabel(platform) });
    if (unsupported) return skip(unsupported);
    const account = setting.channelAccountId ? await tx.channelAccounts.get(workspaceId, setting.channelAccountId) : null;
    if (!account) return skip(`no ${channelLabel(channel)} account is installed for it`);
    if (account.status !== 'verified') return skip(`the ${channelLabel(channel)} account ${account.name} failed verification; re-verify it`, account.id);
    let recipient: RecipientLookup;
    if (order) recipient = await findRecipient(tx, workspaceId, channel, account, order);
    else {
      const customer = await eventCustomer(tx, workspaceId, event);
      recipient = 'missing' in customer ? customer : await findCustomerRecipient(tx, workspaceId, channel, account, customer.id, event.payload.data);
    }
    if ('missing' in recipient) return skip(recipient.missing, account.id);
    if (await tx.optOuts.has(workspaceId, channel, recipient.address)) {
      return skip(`the customer (${maskAddress(channel, recipient.address)}) opted out of ${channelLabel(channel)} messages`, account.id, recipient.address);
    }
    const variables = computeVariables(event.payload, order?.snapshot ?? null, brand);
    const composed = await this.compose(tx, workspaceId, event, channel, setting, account, recipient.address, variables);
    if ('refused' in composed) return skip(composed.refused, account.id, recipient.address);
    const message = await tx.messages.insertIfNew(workspaceId, {
      ...base,
      channelAccountId: account.id,
      recipient: recipient.address,
      content: composed.content,
      status: 'queued',
      reason: null,
    });
    if (!message) return null;
    this.handoff?.messages.put(message.id, message);
    await tx.jobs.enqueue({
      type: 'message.send',
      workspaceId,
      payload: { messageId: message.id },
      rateLimit: { key: account.id, perSecond: account.rateLimitPerSecond },
    });
    return message;
  }

  /** The content of the message on its channel, or why the channel's rules refuse it. */
  private async compose(
    tx: Repos,
    workspaceId: string,
    event: StoredEvent,
    channel: string,
    setting: NotificationSetting,
    account: ChannelAccount,
    address: string,
    variables: Record<string, string>,
  ): Promise<{ content: StoredContent } | { refused: string }> {
    if (!isTextChannel(channel)) {
      if (!setting.templateName || !setting.templateLanguage) return { refused: 'no approved template is set for it' };
      const parameters = setting.binding.parameters.map((p) => ({ name: p.placeholder, value: variables[p.variable] ?? '-' }));
      return {
        content: {
          kind: 'template',
          templateName: setting.templateName,
          language: setting.templateLanguage,
          templateId: setting.templateId,
          parameters,
          parameterFormat: setting.binding.parameterFormat,
        },
      };
    }
    const locale = matchLocale(setting.templateLanguage ?? 'en') ?? 'en';
    let composed;
    try {
      composed = composeText(event.type, locale, setting.customTemplate, variables);
    } catch (err) {
      // A text stopped by the time limit alone is tried again with the job (the machine may have been busy);
      // one that breaks a fixed limit or cannot be parsed is skipped with the reason.
      if (err instanceof TextNotRendered && !err.transient) return { refused: `its ${err.field === 'template.subject' ? 'subject' : 'text'} cannot be rendered: ${err.problem}` };
      throw err;
    }
    const { subject, text } = composed;
    if (text === '') return { refused: 'its text renders empty for this order' };
    const tooLong = textLengthProblem(channel, channelLabel(channel), text);
    if (tooLong) return { refused: tooLong };
    if (channelProfile(channel)?.unsubscribeLink) {
      const unsubscribeUrl = this.optOuts.unsubscribeUrl(workspaceId, channel, address);
      return { content: { kind: 'text', subject, ...emailBodies(text, unsubscribeUrl, locale), unsubscribeUrl } };
    }
    if (channel === 'messenger') return messengerNotification(event.type, text, await tx.messages.lastInboundAt(workspaceId, account.id, address), Date.now());
    return { content: { kind: 'text', text } };
  }
}

/**
 * The hub customer an event without an order is about: the hub's own id (loyalty, linking), or the store's
 * customer id resolved through the identity that customer has for the event's store connection.
 */
async function eventCustomer(tx: Repos, workspaceId: string, event: StoredEvent): Promise<{ id: string } | { missing: string }> {
  const data = event.payload.data;
  if (typeof data['customerId'] === 'string') return { id: data['customerId'] };
  const external = data['customerExternalId'];
  if ((typeof external !== 'string' && typeof external !== 'number') || String(external) === '' || !event.storeConnectionId) {
    return { missing: 'the event is not linked to an order or a customer, so there is no one to address' };
  }
  const found = await tx.customers.findByIdentity(workspaceId, 'store', event.storeConnectionId, String(external));
  if (found) return { id: found.id };
  return { missing: `the store's customer ${String(external)} has not linked a chat or contact to the hub yet` };
}

/** How a setting's template is named on messages and activity: the provider template, or the built-in/own text. */
export function templateLabel(setting: NotificationSetting): string | null {
  if (setting.templateName === BUILTIN_TEMPLATE) return `built-in (${setting.templateLanguage ?? 'en'})`;
  if (setting.templateName === CUSTOM_TEMPLATE) return 'own text';
  return setting.templateName;
}
