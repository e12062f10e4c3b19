// The sandbox phone: anyone plays the end customer on the simulated WhatsApp, LINE or Messenger — reads what the
// hub sent (the simulators' outboxes) and answers or taps buttons (the simulators' signed inbound webhooks).
import type { UnitOfWork } from '../core/repos.js';
import { AppError, invalidField } from '../core/errors.js';
import { toE164 } from '../core/phone.js';
import type { PhoneMessage, SandboxPhone } from '../core/sandbox-phone.js';
import type { Simulators } from './sandbox.js';

const CHANNEL_PROVIDER: Record<string, string> = { whatsapp: 'meta', line: 'line', messenger: 'meta-messenger' };

const asList = (v: unknown): Array<Record<string, unknown>> => (Array.isArray(v) ? (v as Array<Record<string, unknown>>) : []);

export class SimulatedPhone implements SandboxPhone {
  private uow: UnitOfWork | null = null;
  /** What each customer sent, per channel and address (the simulators keep only what the hub sent). */
  private sent = new Map<string, PhoneMessage[]>();

  constructor(private readonly sims: Pick<Simulators, 'whatsapp' | 'line' | 'messenger' | 'shopify'> & Partial<Pick<Simulators, 'twilio' | 'smtp'>>) {}

  /** The hub's storage, once the hub exists (the phone is built before it, since the HTTP layer needs it). */
  attach(uow: UnitOfWork): void {
    this.uow = uow;
  }

  private repos() {
    if (!this.uow) throw new AppError('not_ready', 'the sandbox is starting');
    return this.uow.repos;
  }

  async channels(workspaceId: string) {
    const accounts = await this.repos().channelAccounts.list(workspaceId);
    return accounts.filter((a) => CHANNEL_PROVIDER[a.channel] === a.provider).map((a) => ({ channel: a.channel, accountId: a.id, label: a.displayName ?? a.name }));
  }

  private async account(workspaceId: string, channel: string) {
    const account = (await this.repos().channelAccounts.list(workspaceId, channel)).find((a) => a.provider === CHANNEL_PROVIDER[channel]);
    if (!account) throw invalidField('channel', `this workspace has no simulated ${channel} account`);
    return account;
  }

  async messages(workspaceId: string, channel: string, address: string): Promise<PhoneMessage[]> {
    const account = await this.account(workspaceId, channel);
    const to = addressOn(channel, address);
    let received: PhoneMessage[] = [];
    if (channel === 'whatsapp') {
      received = this.sims.whatsapp
        .messages(to)
        .filter((m) => m.phoneNumberId === account.settings['phoneNumberId'])
        .map((m) => ({ direction: 'in', text: m.renderedText, buttons: (m.interactive?.choices ?? []).map((c) => ({ id: c.id, title: c.title })), at: m.at }));
    } else if (channel === 'line') {
      received = this.sims.line.messages(to).map((m) => {
        const items = asList((m.message['quickReply'] as { items?: unknown } | undefined)?.items);
        const buttons = items.map((i) => i['action'] as { data?: string; label?: string }).filter((a) => a?.data).map((a) => ({ id: a.data!, title: a.label ?? a.data! }));
        return { direction: 'in' as const, text: m.text ?? String(m.message['altText'] ?? JSON.stringify(m.message)), buttons, at: m.at };
      });
    } else {
      received = this.sims.messenger.messages(to).map((m) => ({ direction: 'in' as const, text: m.renderedText, buttons: messengerButtons(m.message, m.quickReplyPayloads), at: m.at }));
    }
    const own = this.sent.get(`${workspaceId}:${channel}:${to}`) ?? [];
    const elsewhere = await this.codesElsewhere(workspaceId, account.id, channel, to);
    return [...received, ...own, ...elsewhere].sort((a, b) => a.at - b.at);
  }

  /** Text messages and e-mails to the numbers and addresses the customer gave in this chat (their one-time codes). */
  private async codesElsewhere(workspaceId: string, accountId: string, channel: string, to: string): Promise<PhoneMessage[]> {
    const targets = new Set(await this.repos().verificationCodes.targetsForChat(workspaceId, accountId, to));
    // A WhatsApp customer's own number receives text messages too.
    if (channel === 'whatsapp') targets.add(`+${to}`);
    const digits = new Set([...targets].filter((x) => !x.includes('@')).map((x) => x.replace(/\D/g, '')));
    const mailboxes = new Set([...targets].filter((x) => x.includes('@')).map((x) => x.toLowerCase()));
    const sms: PhoneMessage[] = digits.size
      ? (this.sims.twilio?.messages() ?? []).filter((m) => digits.has(m.to.replace(/\D/g, ''))).map((m) => ({ direction: 'in', via: 'sms', from: m.from, text: m.body, buttons: [], at: m.at }))
      : [];
    const mail: PhoneMessage[] = [];
    for (const box of mailboxes) {
      for (const m of this.sims.smtp?.messages(box) ?? []) mail.push({ direction: 'in', via: 'email', from: m.subject, text: m.text ?? '', buttons: [], at: m.at });
    }
    return [...sms, ...mail];
  }

  async send(workspaceId: string, channel: string, address: string, input: { text?: string | undefined; payload?: string | undefined }): Promise<void> {
    const account = await this.account(workspaceId, channel);
    const from = addressOn(channel, address);
    if (!input.text && !input.payload) throw invalidField('text', 'send a text or a button payload');
    // A tapped button shows its label, as the customer's app does, not the payload behind it.
    const title = input.text ?? (input.payload ? await this.buttonTitle(workspaceId, channel, address, input.payload) : null) ?? input.payload!;
    if (channel === 'whatsapp') {
      if (!/^\d{8,15}$/.test(from)) throw invalidField('address', 'must be a phone number with its country code');
      await this.sims.whatsapp.emitInbound({ phoneNumberId: account.settings['phoneNumberId']!, from, ...(input.payload ? { buttonPayload: input.payload, buttonTitle: title } : { text: input.text! }) });
    } else if (channel === 'line') {
      await this.sims.line.emitInbound({ userId: from, botUserId: account.externalId, ...(input.payload ? { postbackData: input.payload } : { text: input.text! }) });
    } else {
      await this.sims.messenger.emitInbound({ pageId: account.settings['pageId']!, psid: from, ...(input.payload ? { postbackPayload: input.payload, postbackTitle: title } : { text: input.text! }) });
    }
    const key = `${workspaceId}:${channel}:${from}`;
    this.sent.set(key, [...(this.sent.get(key) ?? []), { direction: 'out', text: title, buttons: [], at: Date.now() }]);
  }

  private async buttonTitle(workspaceId: string, channel: string, address: string, payload: string): Promise<string | null> {
    const shown = (await this.messages(workspaceId, channel, address)).filter((m) => m.direction === 'in').reverse();
    for (const m of shown) {
      const b = m.buttons.find((x) => x.id === payload);
      if (b) return b.title;
    }
    return null;
  }

  async demoOrder(workspaceId: string, phone?: string) {
    // Only a simulated shop that delivers its webhooks to this workspace's own connection: another
    // workspace's demo shop would put the order (and its messages) in that workspace.
    const shops = this.sims.shopify.shopList();
    const shop = (await this.repos().storeConnections.list(workspaceId)).find(
      (c) =>
        c.platform === 'shopify' &&
        shops.some((s) => s.domain === c.settings['shopDomain'] && s.subscriptions.some((sub) => new URL(sub.address).pathname.endsWith(`/webhooks/shopify/${c.id}`))),
    );
    if (!shop) {
      throw new AppError(
        'conflict',
        'this workspace has no store in the simulated Shopify: demo orders are placed in the sandbox demo workspace (use the API key `shoptalk start --sandbox` prints), or in a simulated shop that sends its webhooks to this workspace',
      );
    }
    const { order } = await this.sims.shopify.placeOrder(shop.settings['shopDomain']!, phone ? { phone } : {});
    // The phone as WhatsApp knows it (E.164), so the phone page can show that number's chat.
    const e164 = order.phone ? toE164(order.phone, order.shipping_address?.country_code ?? null) : null;
    return { orderName: order.name, phone: e164 ?? order.phone ?? null };
  }
}

/** A WhatsApp number in any notation ("+1 555-010-1234") as digits; chat ids as given. */
function addressOn(channel: string, address: string): string {
  return channel === 'whatsapp' ? address.replace(/\D/g, '') : address.trim();
}

function messengerButtons(message: Record<string, unknown>, quickReplies: string[]): Array<{ id: string; title: string }> {
  const payload = ((message['attachment'] as { payload?: { buttons?: unknown } } | undefined)?.payload ?? {}) as { buttons?: unknown };
  const buttons = asList(payload.buttons)
    .filter((b) => b['type'] === 'postback')
    .map((b) => ({ id: String(b['payload']), title: String(b['title']) }));
  const quick = asList(message['quick_replies']).map((q) => ({ id: String(q['payload']), title: String(q['title']) }));
  return buttons.length ? buttons : quick.length ? quick : quickReplies.map((p) => ({ id: p, title: p }));
}
