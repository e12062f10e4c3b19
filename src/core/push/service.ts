// The merchant push API of seed 001: "Order Receipt Push" and "Shipping Status Update Push" to a Messenger
// PSID that has messaged the page. Both are post-purchase updates, so they go out tagged POST_PURCHASE_UPDATE
// and may be sent outside the 24-hour window. One request id sends once, however often it is repeated.
import { AppError, ProviderError, invalidField } from '../errors.js';
import type { Providers } from '../providers.js';
import type { UnitOfWork } from '../repos.js';
import type { SecretBox } from '../secrets/secret-box.js';

export interface ReceiptParams {
  recipient_name: string;
  order_number: string;
  currency: string;
  payment_method: string;
  order_url?: string | undefined;
  timestamp?: number | string | undefined;
  address?: Record<string, string> | undefined;
  summary: { subtotal?: number | undefined; shipping_cost?: number | undefined; total_tax?: number | undefined; total_cost: number };
  adjustments?: Array<{ name: string; amount: number }> | undefined;
  elements?: Array<{ title: string; subtitle?: string | undefined; quantity?: number | undefined; price: number; currency?: string | undefined; image_url?: string | undefined }> | undefined;
}

export interface ShippingParams {
  package_number: string;
  package_status: string;
  package_status_description: string;
  image_url?: string | undefined;
  detailed_tracking_url?: string | undefined;
  fb_first_name?: string | undefined;
}

export type PushRequest =
  | { requestId: string; pageId: string; template: 'Order Receipt Push'; psid: string; params: { receipt: ReceiptParams } }
  | { requestId: string; pageId: string; template: 'Shipping Status Update Push'; psid: string; params: ShippingParams };

export type PushResult = { kind: 'sent'; requestId: string; recipientId: string } | { kind: 'recipient_not_found'; requestId: string };

const PROVIDER = 'meta-messenger';

export class PushService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly providers: Providers,
    private readonly secrets: SecretBox,
  ) {}

  async sendTemplate(workspaceId: string, req: PushRequest): Promise<PushResult> {
    const { repos } = this.uow;
    const account = await repos.channelAccounts.findByExternalId(workspaceId, PROVIDER, req.pageId);
    if (!account) throw invalidField('request.page_id', `no Messenger page ${req.pageId} is connected in this workspace`);
    const key = `push:${req.pageId}:${req.requestId}`;
    const earlier = await repos.messages.findByIdempotencyKey(workspaceId, key);
    if (earlier && earlier.recipient !== req.psid) {
      throw new AppError('conflict', `request.id ${req.requestId} was already used for another recipient; use a new id for each push`);
    }
    if (earlier && earlier.status !== 'failed') return { kind: 'sent', requestId: req.requestId, recipientId: req.psid };
    if (!(await repos.messages.hasInboundFrom(workspaceId, account.id, req.psid))) return { kind: 'recipient_not_found', requestId: req.requestId };

    const adapter = this.providers.channel(PROVIDER);
    if (!adapter?.sendNative) throw new AppError('internal', 'the Messenger adapter cannot send templates');
    const workspace = await repos.workspaces.get(workspaceId);
    const body = {
      messaging_type: 'MESSAGE_TAG',
      tag: 'POST_PURCHASE_UPDATE',
      message: req.template === 'Order Receipt Push' ? receiptMessage(req.params.receipt, workspace?.name ?? '') : shippingMessage(req.params),
    };
    const message =
      earlier ??
      (await repos.messages.insertIfNew(workspaceId, {
        direction: 'outbound',
        channel: 'messenger',
        channelAccountId: account.id,
        eventId: null,
        orderId: null,
        idempotencyKey: key,
        recipient: req.psid,
        templateName: req.template,
        category: 'utility',
        content: body,
        status: 'queued',
        reason: null,
      }));
    // A concurrent request with the same id got there first: it sends, this one answers as sent.
    if (!message) return { kind: 'sent', requestId: req.requestId, recipientId: req.psid };

    try {
      const result = await adapter.sendNative({ settings: account.settings, secrets: this.secrets.open(account.sealedSecrets) }, { to: req.psid, body });
      const at = Date.now();
      await this.uow.transaction(async (tx) => {
        await tx.messages.update(workspaceId, message.id, { status: 'sent', sentAt: at, providerMessageId: result.providerMessageId, attempts: message.attempts + 1, reason: null, errorCode: null });
        await tx.usage.record(workspaceId, { messageId: message.id, channel: 'messenger', channelAccountId: account.id, provider: PROVIDER, owner: account.owner, category: 'utility', at });
      });
      return { kind: 'sent', requestId: req.requestId, recipientId: req.psid };
    } catch (err) {
      if (!(err instanceof ProviderError)) throw err;
      await repos.messages.update(workspaceId, message.id, { status: 'failed', failedAt: Date.now(), errorCode: err.providerCode, reason: err.message, attempts: message.attempts + 1 });
      if (err.kind === 'permanent') throw new AppError('validation_failed', `Messenger refused the message: ${err.message}`, { provider_code: err.providerCode });
      throw new AppError('provider_unavailable', `Messenger could not be reached; retry with the same request.id: ${err.message}`);
    }
  }
}

function receiptMessage(r: ReceiptParams, merchantName: string): unknown {
  return {
    attachment: {
      type: 'template',
      payload: {
        template_type: 'receipt',
        sharable: false,
        recipient_name: r.recipient_name,
        merchant_name: merchantName || undefined,
        order_number: r.order_number,
        currency: r.currency,
        payment_method: r.payment_method,
        order_url: r.order_url,
        timestamp: r.timestamp == null ? undefined : String(r.timestamp),
        address: r.address,
        summary: r.summary,
        adjustments: r.adjustments ?? [],
        elements: r.elements ?? [],
      },
    },
  };
}

function shippingMessage(p: ShippingParams): unknown {
  const greeting = p.fb_first_name ? `Hi ${p.fb_first_name}, your` : 'Your';
  return {
    attachment: {
      type: 'template',
      payload: {
        template_type: 'generic',
        elements: [
          {
            title: `${greeting} package ${p.package_number} is ${p.package_status}`.slice(0, 80),
            subtitle: p.package_status_description.slice(0, 80),
            ...(p.image_url ? { image_url: p.image_url } : {}),
            ...(p.detailed_tracking_url ? { buttons: [{ type: 'web_url', url: p.detailed_tracking_url, title: 'Track package' }] } : {}),
          },
        ],
      },
    },
  };
}
