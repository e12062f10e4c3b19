// Sends one queued message (the message.send job) and applies delivery statuses from channel webhooks
// (the channel-webhook.process job).
import { ProviderError } from '../errors.js';
import type { ChannelAccountCredentials, DeliveryStatusUpdate, StoredContent } from '../channels/ports.js';
import type { OptOutService } from './opt-outs.js';
import type { Logger, Providers } from '../providers.js';
import type { ChannelAccount } from '../connections/repo.js';
import type { Message, MessagePatch, MessageStatus } from './repo.js';
import type { Repos, UnitOfWork } from '../repos.js';
import type { SecretBox } from '../secrets/secret-box.js';
import type { JobContext } from '../jobs.js';
import { MissingRecordError, PermanentJobError, RetryLaterError } from '../jobs.js';
import { TtlCache } from '../ttl-cache.js';
import type { Handoff } from '../handoff.js';
import type { OutboundWebhooks } from '../webhooks/outbound.js';
import { maskPhone } from '../phone.js';
import { channelLabel } from './labels.js';
import { channelProfile } from '../channels/profile.js';
import { recordChatUser, recordInbound, routeByAccount } from './chat-inbound.js';

/** How long a status for a message we cannot find yet is retried: the send may not be recorded yet. */
const UNKNOWN_STATUS_GRACE_MS = 2 * 60_000;

const rank: Record<string, number> = { queued: 0, sent: 1, delivered: 2, read: 3 };

export class MessageSender {
  private accounts = new TtlCache<string, { account: ChannelAccount; credentials: ChannelAccountCredentials } | null>(5_000);

  constructor(
    private readonly uow: UnitOfWork,
    private readonly providers: Providers,
    private readonly secrets: SecretBox,
    private readonly log: Logger,
    private readonly outbound: OutboundWebhooks,
    private readonly optOuts: OptOutService,
    /** Told of every recorded send outcome (sent, failed, unknown) with the account's provider, for metrics. */
    private readonly onOutcome?: (status: MessageStatus, message: Message, provider: string | null) => void,
    /** Messages just planned in this process, for their first send attempt (see Handoff). */
    private readonly planned: Handoff<Message> | null = null,
  ) {}

  /**
   * Job handler for message.send. Returns normally when the outcome is recorded, throws to retry.
   *
   * The send is marked `sending` (committed) before the provider is called, and its outcome is written with
   * its activity, usage and outbound webhooks in one transaction as soon as the provider answers. A job that finds its message still `sending` ran after an attempt that never heard
   * back (its worker died, or the provider did not answer in time): the provider may have the message, so it
   * is sent again only where the provider deduplicates on our key, and is otherwise recorded as `unknown`.
   */
  async sendMessage(payload: { messageId: string }, ctx: JobContext): Promise<void> {
    const workspaceId = ctx.workspaceId;
    if (!workspaceId) throw new PermanentJobError('message.send needs a workspace');
    const handed = ctx.attempt === 1 ? this.planned?.take(payload.messageId) : undefined;
    const message = handed?.workspaceId === workspaceId ? handed : await this.uow.repos.messages.get(workspaceId, payload.messageId);
    if (!message) throw new MissingRecordError('message', payload.messageId);
    // An outcome recorded apart from its bookkeeping (by an earlier version): finish that, send nothing.
    if (message.bookkeepingDue) return this.settle(message);
    // Already sent, failed, skipped or unknown: a retried job must not send again.
    if (message.status !== 'queued' && message.status !== 'sending') return;
    const resolved = message.channelAccountId ? await this.account(workspaceId, message.channelAccountId) : null;
    const adapter = resolved ? this.providers.channel(resolved.account.provider) : null;
    if (!resolved || !adapter || !message.recipient) {
      await this.record(message, ['queued', 'sending'], { status: 'failed', failedAt: Date.now(), reason: 'the channel account was removed before the message was sent' });
      return;
    }
    const content = message.content as StoredContent;
    const request = content.kind === 'native' ? null : { to: message.recipient, content, idempotencyKey: message.id };
    const dedupes = request !== null && adapter.dedupesRetries?.(request) === true;
    if (message.status === 'sending' && !dedupes) {
      const since = message.sendStartedAt ? ` at ${new Date(message.sendStartedAt).toISOString()}` : '';
      await this.record(message, ['sending'], {
        status: 'unknown',
        reason: `the send was handed to ${resolved.account.provider}${since} but its answer was never recorded (the worker stopped mid-send); ${resolved.account.provider} cannot tell a repeat from a new message, so it was not sent again — check with the customer`,
      });
      return;
    }
    const claimed = await this.uow.write((repos) => repos.messages.updateIf(workspaceId, message.id, [message.status], { status: 'sending', sendStartedAt: Date.now(), attempts: ctx.attempt }));
    // Another run of the same job got there first.
    if (!claimed) return;
    let result;
    try {
      if (!request) {
        if (!adapter.sendNative) throw new ProviderError('permanent', `${resolved.account.provider} cannot send provider-native messages`);
        result = await adapter.sendNative(resolved.credentials, { to: message.recipient, body: (content as { body: Record<string, unknown> }).body });
      } else {
        result = await adapter.send(resolved.credentials, request);
      }
    } catch (err) {
      const providerError = err instanceof ProviderError ? err : null;
      const provider = resolved.account.provider;
      // A LINE reply token is single-use and short-lived: when it no longer works, the reply goes as a push.
      if (providerError?.providerCode === 'invalid_reply_token' && content.kind !== 'native' && content.kind !== 'template' && content.replyToken) {
        await this.uow.repos.messages.updateIf(workspaceId, message.id, ['sending'], { status: 'queued', content: { ...content, replyToken: null } });
        throw new RetryLaterError('the LINE reply token expired; sending as a push');
      }
      if (providerError?.kind === 'permanent') {
        await this.record(message, ['sending'], { status: 'failed', failedAt: Date.now(), errorCode: providerError.providerCode, reason: providerError.message, attempts: ctx.attempt });
        return;
      }
      if (providerError?.outcomeUnknown) {
        // The request was written and no answer came: retried (with the same key) only where the provider dedupes.
        if (dedupes && ctx.attempt < ctx.maxAttempts) throw err;
        await this.record(message, ['sending'], {
          status: 'unknown',
          errorCode: providerError.providerCode,
          reason: `${provider} did not answer (${providerError.message}); it may or may not have sent the message, and it cannot tell a repeat from a new message, so it was not sent again — check with the customer`,
          attempts: ctx.attempt,
        });
        return;
      }
      if (ctx.attempt >= ctx.maxAttempts) {
        await this.record(message, ['sending'], {
          status: 'failed',
          failedAt: Date.now(),
          errorCode: providerError?.providerCode ?? null,
          reason: `gave up after ${ctx.attempt} attempts: ${String((err as Error).message ?? err)}`,
          attempts: ctx.attempt,
        });
        return;
      }
      // The provider refused it or was never reached: the message is not in doubt, the next attempt sends it.
      await this.uow.write((repos) => repos.messages.updateIf(workspaceId, message.id, ['sending'], { status: 'queued' }));
      throw err;
    }
    // A late answer also settles a send that a parallel run had already declared unknown.
    await this.record(message, ['sending', 'unknown'], { status: 'sent', sentAt: Date.now(), providerMessageId: result.providerMessageId, reason: null, attempts: ctx.attempt });
  }

  /**
   * Writes a send's outcome with its bookkeeping (activity, usage, outbound webhooks, the next reply in its turn)
   * in one transaction. Nothing happens when the message is no longer in one of `from` (another run settled it).
   */
  private async record(message: Message, from: MessageStatus[], patch: MessagePatch): Promise<void> {
    const settled: Message = { ...message, ...patch, bookkeepingDue: false };
    const account = await this.billedAccount(settled);
    const recorded = await this.uow.transaction(async (tx) => {
      if (!(await tx.messages.updateIf(message.workspaceId, message.id, from, { ...patch, bookkeepingDue: false }))) return false;
      await this.bookkeep(tx, settled, account);
      return true;
    }, 'relaxed');
    if (!recorded) return;
    if (this.onOutcome) {
      // The outcome is recorded: a failing look-up only leaves the provider out of the count.
      const resolved = message.channelAccountId ? await this.account(message.workspaceId, message.channelAccountId).catch(() => null) : null;
      const provider = resolved?.account.provider ?? null;
      this.onOutcome(patch.status!, message, provider);
    }
    if (patch.status === 'unknown') this.log.warn({ messageId: message.id, channel: message.channel, reason: patch.reason }, 'send outcome unknown; not sent again');
  }

  /** The bookkeeping of an outcome recorded by an attempt that stopped before it (messages marked bookkeeping-due). */
  private async settle(message: Message): Promise<void> {
    const account = await this.billedAccount(message);
    await this.uow.transaction(async (tx) => {
      // Two runs may race to settle: only the one that clears the flag writes the bookkeeping.
      if (!(await tx.messages.clearBookkeeping(message.workspaceId, message.id))) return;
      await this.bookkeep(tx, message, account);
    }, 'relaxed');
  }

  /** The account a send the provider accepted is billed to; null for other outcomes. */
  private async billedAccount(message: Message): Promise<ChannelAccount | null> {
    const status = message.status === 'delivered' || message.status === 'read' ? 'sent' : message.status;
    if (status !== 'sent' || !message.channelAccountId) return null;
    return (await this.account(message.workspaceId, message.channelAccountId))?.account ?? null;
  }

  private async bookkeep(tx: Repos, message: Message, account: ChannelAccount | null): Promise<void> {
    const status = message.status === 'delivered' || message.status === 'read' ? 'sent' : message.status;
    await this.sendNextInTurn(tx, message);
    // A send the provider accepted is billable: recorded once, with who owns the sending account.
    if (status === 'sent' && account) {
      await tx.usage.record(message.workspaceId, {
        messageId: message.id,
        channel: message.channel,
        channelAccountId: account.id,
        provider: account.provider,
        owner: account.owner,
        category: message.category ?? 'utility',
        at: message.sentAt ?? Date.now(),
      });
    }
    await this.addActivity(tx, message, status, {
      errorCode: message.errorCode ?? null,
      reason: message.reason ?? null,
      providerMessageId: message.providerMessageId ?? null,
    });
  }

  /**
   * The replies of a conversation (reply:<conversation>:<n>, numbered across its turns) go out in order: each is
   * queued when the one before it is settled (sent or failed), so the customer never reads the second answer
   * before the first.
   */
  private async sendNextInTurn(tx: Repos, message: Message): Promise<void> {
    const m = /^reply:(.+):(\d+)$/.exec(message.idempotencyKey);
    if (!m) return;
    const next = await tx.messages.findByIdempotencyKey(message.workspaceId, `reply:${m[1]}:${Number(m[2]) + 1}`);
    if (!next || next.status !== 'queued' || !next.channelAccountId) return;
    const account = await tx.channelAccounts.get(message.workspaceId, next.channelAccountId);
    await tx.jobs.enqueue({
      type: 'message.send',
      workspaceId: message.workspaceId,
      payload: { messageId: next.id },
      ...(account ? { rateLimit: { key: account.id, perSecond: account.rateLimitPerSecond } } : {}),
    });
  }

  private async addActivity(tx: Repos, message: Message, status: string, extra: { errorCode: string | null; reason: string | null; providerMessageId?: string | null }) {
    const template = message.templateName ? ` template ${message.templateName}` : '';
    const to = message.recipient ? ` to ${maskPhone(message.recipient)}` : '';
    const summaries: Record<string, string> = {
      sent: `${channelLabel(message.channel)}${template} sent${to}`,
      delivered: `${channelLabel(message.channel)}${template} delivered${to}`,
      read: `${channelLabel(message.channel)}${template} read${to}`,
      failed: `${channelLabel(message.channel)}${template} failed${to}${extra.errorCode ? ` (code ${extra.errorCode})` : ''}: ${extra.reason ?? 'no reason given'}`,
      unknown: `${channelLabel(message.channel)}${template}${to}: outcome unknown, not sent again: ${extra.reason ?? 'no reason given'}`,
    };
    const activity = await tx.activities.add(message.workspaceId, {
      orderId: message.orderId,
      messageId: message.id,
      kind: `notification.${status}`,
      summary: summaries[status] ?? `${channelLabel(message.channel)} message ${status}`,
      data: {
        channel: message.channel,
        channelAccountId: message.channelAccountId,
        template: message.templateName,
        status,
        ...(extra.providerMessageId ? { providerMessageId: extra.providerMessageId } : {}),
        ...(extra.errorCode ? { errorCode: extra.errorCode } : {}),
        ...(extra.reason ? { reason: extra.reason } : {}),
      },
    });
    await this.outbound.emitActivity(tx, activity, message, status);
  }

  /** Job handler for channel-webhook.process. */
  async processChannelWebhook(payload: { webhookId: string }, ctx: JobContext): Promise<void> {
    const workspaceId = ctx.workspaceId;
    if (!workspaceId) throw new PermanentJobError('channel-webhook.process needs a workspace');
    const webhook = await this.uow.repos.webhooks.get(workspaceId, payload.webhookId);
    if (!webhook) throw new MissingRecordError('webhook', payload.webhookId);
    if (webhook.status !== 'received') return;
    const account = await this.uow.repos.channelAccounts.get(workspaceId, webhook.targetId);
    const adapter = account ? this.providers.channel(account.provider) : null;
    if (!account || !adapter) {
      await this.uow.repos.webhooks.finish(workspaceId, webhook.id, 'failed', 'the channel account was removed');
      return;
    }
    let parsed;
    try {
      parsed = adapter.parseWebhook(Buffer.from(webhook.body, 'utf8'));
    } catch (err) {
      await this.uow.repos.webhooks.finish(workspaceId, webhook.id, 'failed', err instanceof Error ? err.message : String(err));
      return;
    }
    // Each item goes to the account it names (one Meta app URL serves all its numbers and pages).
    const { groups, refused } = await routeByAccount(this.uow.repos, this.secrets, adapter, account, parsed);
    for (const r of refused) {
      this.log.warn({ webhookId: webhook.id, provider: account.provider, accountExternalId: r.externalId, items: r.items }, 'webhook items for an account not in this workspace (or of another app) refused');
    }
    const refusedNote = refused.length
      ? `refused ${refused.reduce((n, r) => n + r.items, 0)} item(s) for ${refused.map((r) => r.externalId ?? 'no account id').join(', ')}: no account of this workspace and app has that id`
      : null;
    const unknown = await this.uow.transaction(async (tx) => {
      const missing: DeliveryStatusUpdate[] = [];
      const now = Date.now();
      let position = 0;
      for (const { account, statuses, messages } of groups) {
        for (const status of statuses) {
          const message = await tx.messages.findByProviderId(workspaceId, account.id, status.providerMessageId);
          if (!message) missing.push(status);
          else await this.applyStatus(tx, message, status);
        }
        for (const inbound of messages) {
          // Where it stands in what the provider sent: the conversation answers in this order.
          const recorded = await recordInbound(tx, account, inbound, this.optOuts, { receivedAt: webhook.receivedAt, position: position++ });
          if (recorded && adapter.getProfile) await recordChatUser(tx, account, inbound, now);
        }
      }
      if (missing.length === 0) await tx.webhooks.finish(workspaceId, webhook.id, 'processed', refusedNote);
      return missing;
    }, 'relaxed');
    if (unknown.length === 0) return;
    // A status can overtake the record of its own send; retry while that is plausible, then let it go.
    if (Date.now() - webhook.receivedAt < UNKNOWN_STATUS_GRACE_MS && ctx.attempt < ctx.maxAttempts) {
      // The send's own record is usually a commit away: the first looks again come soon, later ones back off.
      throw new RetryLaterError(`${unknown.length} status(es) for messages not recorded yet`, ctx.attempt <= 3 ? 250 * ctx.attempt : null);
    }
    this.log.info({ webhookId: webhook.id, unknown: unknown.length }, 'statuses for unknown messages ignored');
    await this.uow.repos.webhooks.finish(workspaceId, webhook.id, 'processed', [`${unknown.length} status(es) for unknown messages ignored`, refusedNote].filter(Boolean).join('; '));
  }

  private async applyStatus(tx: Repos, message: Message, status: DeliveryStatusUpdate): Promise<void> {
    const current = message.status;
    if (status.state === 'failed') {
      if (current === 'failed' || current === 'delivered' || current === 'read') return;
      const reason = status.errorDetail ?? 'the provider reported the message as failed';
      const patch: MessagePatch = { status: 'failed', failedAt: status.occurredAt, errorCode: status.errorCode, reason };
      await tx.messages.update(message.workspaceId, message.id, patch);
      // A hard bounce (permanent 5xx) means the address does not take mail: stop sending to it.
      if (channelProfile(message.channel)?.hardBounceOptsOut && message.recipient && /^5\d\d$/.test(status.errorCode ?? '')) {
        await tx.optOuts.add(message.workspaceId, { channel: message.channel, address: message.recipient, source: `${message.channel}:bounce ${status.errorCode}` });
      }
      await this.addActivity(tx, message, 'failed', { errorCode: status.errorCode, reason });
      return;
    }
    if (current === 'failed' || current === 'skipped') return;
    const patch: MessagePatch = {};
    if (status.state === 'sent' && message.sentAt == null) patch.sentAt = status.occurredAt;
    if ((status.state === 'delivered' || status.state === 'read') && message.deliveredAt == null) patch.deliveredAt = status.occurredAt;
    if (status.state === 'read' && message.readAt == null) patch.readAt = status.occurredAt;
    const advances = (rank[status.state] ?? 0) > (rank[current] ?? 0);
    if (advances) patch.status = status.state;
    if (Object.keys(patch).length === 0) return;
    await tx.messages.update(message.workspaceId, message.id, patch);
    if (advances && status.state !== 'sent') await this.addActivity(tx, message, status.state, { errorCode: null, reason: null });
  }

  private account(workspaceId: string, id: string) {
    return this.accounts.get(`${workspaceId}:${id}`, async () => {
      const account = await this.uow.repos.channelAccounts.get(workspaceId, id);
      return account ? { account, credentials: { settings: account.settings, secrets: this.secrets.open(account.sealedSecrets) } } : null;
    });
  }
}
