// Account linking from chat (seed 000): terms where the store requires them, a phone or e-mail, a one-time code
// by SMS or e-mail, then the chat identity is linked to the store's customer (created with the store when it
// does not know them and the customer agrees), and an "account linked" notification goes out where enabled.
import { ProviderError } from '../errors.js';
import type { NormalizedEvent } from '../events/model.js';
import type { ChannelAccount } from '../connections/repo.js';
import type { Customer, IdentityKind } from '../customers/repo.js';
import type { Repos } from '../repos.js';
import type { StoreCustomer } from '../stores/ports.js';
import { normalizeAddress } from '../notifications/opt-outs.js';
import { e164Digits, toE164 } from '../phone.js';
import type { ConversationState } from './model.js';
import type { Turn } from './turn.js';
import type { EngineDeps } from './deps.js';
import { chatIdentityScope } from './identity.js';
import { OneTimeCodes, RESEND_WINDOW_MS, limitText } from './otp.js';

type LinkState = Extract<ConversationState, { flow: 'link' }>;

interface PendingEvent {
  storeConnectionId: string;
  platform: string;
  event: NormalizedEvent;
  brand: string;
}

const pending = new WeakMap<Turn, PendingEvent[]>();

export class LinkingFlow {
  private readonly codes: OneTimeCodes;

  constructor(private readonly deps: EngineDeps) {
    this.codes = new OneTimeCodes(deps);
  }

  /** Events the turn raised (account linked), recorded in the turn's transaction. */
  pendingEvents(turn: Turn): PendingEvent[] {
    return pending.get(turn) ?? [];
  }

  async start(turn: Turn, account: ChannelAccount): Promise<void> {
    const link = turn.settings.linking;
    if (!link.storeConnectionId) return turn.say('Account linking is not available yet. Please try again later.');
    const customer = turn.conversation.customerId ? await this.deps.uow.repos.customers.get(turn.conversation.workspaceId, turn.conversation.customerId) : null;
    if (customer?.identities.some((i) => i.kind === 'store' && i.scope === link.storeConnectionId)) {
      return turn.say('Your store account is already linked to this chat.', { buttons: [{ id: 'a:my_orders', title: 'My orders' }, { id: 'link:unlink', title: 'Unlink my account' }] });
    }
    if (link.termsUrl) {
      turn.setState({ flow: 'link', step: 'terms' });
      return turn.say('To link your account, please accept the store’s terms and conditions.', {
        buttons: [{ id: 'link:accept', title: 'I accept' }, { id: 'link:decline', title: 'No, thanks' }],
        links: [{ title: 'Terms and conditions', url: link.termsUrl }],
      });
    }
    return this.askContact(turn, account);
  }

  private askContact(turn: Turn, account: ChannelAccount): void {
    turn.setState({ flow: 'link', step: 'contact' });
    const byEmail = turn.settings.linking.verifyBy === 'email';
    turn.say(byEmail ? 'Please send the e-mail address of your store account. We will e-mail you a code.' : 'Please send the mobile number of your store account, with its country code (e.g. +886912345678). We will text you a code.');
    void account;
  }

  async onPayload(turn: Turn, account: ChannelAccount, what: string): Promise<void> {
    const state = turn.state;
    if (what === 'unlink') return this.unlink(turn, account);
    if (what === 'accept' && state?.flow === 'link' && state.step === 'terms') return this.askContact(turn, account);
    if (what === 'decline' && state?.flow === 'link' && state.step === 'terms') {
      turn.setState(null);
      return turn.say('No problem. You can link your account any time from the menu.');
    }
    if (what === 'resend' && state?.flow === 'link' && state.step === 'code') return this.sendCode(turn, account, state.target, state.kind);
    if (state?.flow === 'link' && state.step === 'create_account') {
      if (what === 'create') return this.createAndLink(turn, account, state.target, state.kind);
      if (what === 'nocreate') {
        turn.setState(null);
        return turn.say('Alright. You can create an account in the store and link it here later.');
      }
    }
    turn.unexpected();
    turn.say('That option is no longer available.');
  }

  async continue(turn: Turn, account: ChannelAccount, state: LinkState): Promise<void> {
    const text = turn.input.text ?? '';
    if (state.step === 'terms' || state.step === 'create_account') {
      turn.unexpected();
      return turn.say('Please choose one of the options.', { buttons: turn.state?.choices ?? [] });
    }
    if (state.step === 'contact') {
      const byEmail = turn.settings.linking.verifyBy === 'email';
      const target = byEmail ? normalizeAddress('email', text) : toE164(text.startsWith('+') ? text : `+${text}`);
      if (!target) {
        turn.unexpected();
        return turn.say(byEmail ? 'That does not look like an e-mail address. Please try again.' : 'That does not look like a mobile number. Please include the country code, e.g. +886912345678.');
      }
      return this.sendCode(turn, account, target, byEmail ? 'email' : 'phone');
    }
    if (/^resend$/i.test(text)) return this.sendCode(turn, account, state.target, state.kind);
    return this.checkCode(turn, account, state);
  }

  private async sendCode(turn: Turn, account: ChannelAccount, target: string, kind: 'email' | 'phone'): Promise<void> {
    const outcome = await this.codes.send(turn, { purpose: 'link', target, kind });
    if (outcome.kind === 'limited' || outcome.kind === 'exhausted') {
      turn.setState(null);
      return turn.say(limitText(outcome));
    }
    if (outcome.kind === 'no_sender') {
      turn.setState(null);
      return turn.say('We cannot send codes right now. Please try again later.');
    }
    if (outcome.kind === 'failed') {
      turn.setState({ flow: 'link', step: 'contact' });
      return turn.say(`We could not send a code to ${kind === 'email' ? 'that address' : 'that number'}. Please check it and send it again.`);
    }
    turn.setState({ flow: 'link', step: 'code', codeId: outcome.codeId, target, kind });
    turn.say(`We sent a 6-digit code to ${mask(target, kind)}. Please type it here.`, { buttons: [{ id: 'link:resend', title: 'Send a new code' }] });
    void account;
  }

  private async checkCode(turn: Turn, account: ChannelAccount, state: Extract<LinkState, { step: 'code' }>): Promise<void> {
    const outcome = await this.codes.check(turn, state.codeId, turn.input.text ?? '');
    if (outcome.kind === 'ok') return this.verified(turn, account, state.target, state.kind);
    turn.unexpected();
    if (outcome.kind === 'missing') {
      turn.setState(null);
      return turn.say('That code is no longer valid. Please start again.', { buttons: [{ id: 'a:link_account', title: 'Link my account' }] });
    }
    if (outcome.kind === 'expired') return turn.say('That code has expired.', { buttons: [{ id: 'link:resend', title: 'Send a new code' }] });
    if (outcome.kind === 'used') {
      turn.setState(null);
      return turn.say('That code was already used. Please start again.');
    }
    if (outcome.kind === 'exhausted') {
      turn.setState(null);
      return turn.say(`Too many wrong codes. For your security you can ask for a new code in ${RESEND_WINDOW_MS / 60_000} minutes.`);
    }
    const left = outcome.triesLeft;
    turn.say(`That code is not right. ${left} ${left === 1 ? 'try' : 'tries'} left.`, { buttons: [{ id: 'link:resend', title: 'Send a new code' }] });
  }

  /** The customer proved the phone or e-mail: find them in the store, or offer to create an account. */
  private async verified(turn: Turn, account: ChannelAccount, target: string, kind: 'email' | 'phone'): Promise<void> {
    const found = await this.findInStore(turn, target, kind);
    if (found === 'unavailable') {
      turn.setState(null);
      return turn.say('The store is not answering right now. Please try again in a few minutes.');
    }
    if (found) return this.link(turn, account, found, target, kind);
    turn.setState({ flow: 'link', step: 'create_account', target, kind });
    turn.say(`The store has no account with ${mask(target, kind)}. Would you like to create one?`, {
      buttons: [{ id: 'link:create', title: 'Create account' }, { id: 'link:nocreate', title: 'No, thanks' }],
    });
  }

  private async findInStore(turn: Turn, target: string, kind: 'email' | 'phone'): Promise<StoreCustomer | null | 'unavailable'> {
    const ws = turn.conversation.workspaceId;
    const connection = await this.deps.uow.repos.storeConnections.get(ws, turn.settings.linking.storeConnectionId!);
    if (!connection) return null;
    const adapter = this.deps.providers.store(connection.platform);
    if (adapter?.findCustomer) {
      try {
        return await adapter.findCustomer({ settings: connection.settings, secrets: this.deps.secrets.open(connection.sealedSecrets) }, kind === 'email' ? { email: target } : { phone: target });
      } catch (err) {
        if (err instanceof ProviderError) return 'unavailable';
        throw err;
      }
    }
    // Platforms without a customer API: the orders the hub received know the store's customers.
    const digits = kind === 'phone' ? e164Digits(target) : null;
    const orders = await this.deps.uow.repos.orders.listForCustomer(ws, connection.id, kind === 'email' ? { emails: [target], phones: [] } : { emails: [], phones: [digits!, `+${digits}`] }, 0, 1);
    const o = orders[0]?.snapshot;
    return o?.customerExternalId ? { externalId: o.customerExternalId, name: o.customerName, email: o.email, phone: o.phone } : null;
  }

  private async createAndLink(turn: Turn, account: ChannelAccount, target: string, kind: 'email' | 'phone'): Promise<void> {
    const ws = turn.conversation.workspaceId;
    const connection = await this.deps.uow.repos.storeConnections.get(ws, turn.settings.linking.storeConnectionId!);
    const adapter = connection ? this.deps.providers.store(connection.platform) : null;
    if (!connection || !adapter?.createCustomer) {
      turn.setState(null);
      const url = connection?.settings['storeUrl'] ?? null;
      return turn.say('Please create your account in the store, then link it here.', url ? { links: [{ title: 'Create an account', url }] } : {});
    }
    try {
      const created = await adapter.createCustomer({ settings: connection.settings, secrets: this.deps.secrets.open(connection.sealedSecrets) }, {
        name: null,
        email: kind === 'email' ? target : null,
        phone: kind === 'phone' ? target : null,
      });
      return this.link(turn, account, created, target, kind);
    } catch (err) {
      if (!(err instanceof ProviderError)) throw err;
      turn.setState(null);
      return turn.say('The store could not create the account right now. Please try again later.');
    }
  }

  /** Links the chat identity to the store customer, moving it from any customer it belonged to before. */
  private async link(turn: Turn, account: ChannelAccount, store: StoreCustomer, target: string, kind: 'email' | 'phone'): Promise<void> {
    const ws = turn.conversation.workspaceId;
    const connectionId = turn.settings.linking.storeConnectionId!;
    const customerId = await this.deps.uow.transaction(async (tx) => {
      // A chat that joined the loyalty programme before it was linked has a customer of its own, with no store
      // link: it becomes the store customer (or, when the hub knows that one already, moves its membership there).
      const before = turn.patch.customerId ?? turn.conversation.customerId;
      const previous = before ? await tx.customers.get(ws, before) : null;
      const chatOnly = previous && !previous.identities.some((i) => i.kind === 'store') ? previous : null;
      const contact = { name: store.name, email: kind === 'email' ? target : (store.email?.toLowerCase() ?? null), phone: kind === 'phone' ? target : (store.phone ?? null) };
      let customer = await tx.customers.findByIdentity(ws, 'store', connectionId, store.externalId);
      if (!customer && chatOnly) {
        await tx.customers.update(ws, chatOnly.id, contact);
        customer = chatOnly;
      }
      customer ??= await tx.customers.create(ws, contact);
      await tx.customers.addIdentity(ws, customer.id, { kind: 'store', scope: connectionId, value: store.externalId });
      await moveChatIdentity(tx, ws, customer, account, turn.conversation.address);
      if (kind === 'email') await tx.customers.addIdentity(ws, customer.id, { kind: 'email', scope: '', value: target });
      else await tx.customers.addIdentity(ws, customer.id, { kind: 'phone', scope: '', value: e164Digits(target) });
      // The store's own e-mail for the customer the code proved is theirs too (orders and claims go by it).
      const storeEmail = store.email ? normalizeAddress('email', store.email) : null;
      if (kind === 'phone' && storeEmail) await tx.customers.addIdentity(ws, customer.id, { kind: 'email', scope: '', value: storeEmail });
      if (chatOnly && chatOnly.id !== customer.id) await tx.loyalty.transfer(ws, chatOnly.id, customer.id);
      return customer.id;
    });
    turn.patch.customerId = customerId;
    turn.setState(null);
    const connection = await this.deps.uow.repos.storeConnections.get(ws, connectionId);
    const brand = (await this.deps.uow.repos.workspaces.get(ws))?.name ?? '';
    if (connection) {
      const events = pending.get(turn) ?? [];
      events.push({
        storeConnectionId: connectionId,
        platform: connection.platform,
        brand,
        event: { type: 'account.linked', idempotencyKey: `linked:${turn.conversation.id}:${turn.input.messageId}`, occurredAt: turn.now, order: null, data: { customerId, channel: account.channel, chatAccountId: account.id, chatAddress: turn.conversation.address } },
      });
      pending.set(turn, events);
    }
    turn.say('Your account is linked. You can now see your orders here and get updates about them.', { buttons: [{ id: 'a:my_orders', title: 'My orders' }] });
  }

  async unlink(turn: Turn, account: ChannelAccount): Promise<void> {
    const ws = turn.conversation.workspaceId;
    const customerId = turn.conversation.customerId;
    if (customerId) {
      const customer = await this.deps.uow.repos.customers.get(ws, customerId);
      const chat = customer?.identities.find((i) => i.kind === account.channel && i.value === turn.conversation.address);
      if (chat) await this.deps.uow.repos.customers.removeIdentity(ws, customerId, chat.id);
    }
    turn.patch.customerId = null;
    turn.setState(null);
    turn.say('Your store account is no longer linked to this chat.');
  }
}


async function moveChatIdentity(tx: Repos, ws: string, customer: Customer, account: ChannelAccount, address: string): Promise<void> {
  const kind = account.channel as IdentityKind;
  const scope = chatIdentityScope(account);
  const owner = await tx.customers.findByIdentity(ws, kind, scope, address);
  if (owner && owner.id !== customer.id) {
    const old = owner.identities.find((i) => i.kind === kind && i.scope === scope && i.value === address);
    if (old) await tx.customers.removeIdentity(ws, owner.id, old.id);
  }
  await tx.customers.addIdentity(ws, customer.id, { kind, scope, value: address });
}

function mask(target: string, kind: 'email' | 'phone'): string {
  if (kind === 'email') {
    const [local = '', domain = ''] = target.split('@');
    return `${local.slice(0, 1)}•••@${domain}`;
  }
  return `•••${target.slice(-3)}`;
}
