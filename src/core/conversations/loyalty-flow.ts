// The loyalty programme in chat (seed 004): join with an e-mail, see the balance, claim an order's points (typed,
// or carried by a deep link from the store's thank-you page), and redeem prizes.
import type { ChannelAccount } from '../connections/repo.js';
import type { IdentityKind } from '../customers/repo.js';
import { chatIdentityScope } from './identity.js';
import { normalizeAddress } from '../notifications/opt-outs.js';
import { channelsAddressedBy, choicesOnEveryChannel } from '../channels/profile.js';
import { AppError } from '../errors.js';
import type { ConversationState, IntegratedAction } from './model.js';
import type { Turn } from './turn.js';
import type { EngineDeps } from './deps.js';

type LoyaltyState = Extract<ConversationState, { flow: 'loyalty' }>;

/** Identities a chat brings by itself: the chat ids of phone and user-id channels (an e-mail comes with linking). */
const chatKinds: ReadonlySet<string> = new Set([...channelsAddressedBy('phone'), ...channelsAddressedBy('account-user-id')]);

const menu = [
  { id: 'a:loyalty_claim', title: 'Claim points' },
  { id: 'a:loyalty_prizes', title: 'Prizes' },
  { id: 'a:loyalty_balance', title: 'My points' },
];

export class LoyaltyFlow {
  constructor(private readonly deps: EngineDeps) {}

  async start(turn: Turn, account: ChannelAccount, action: IntegratedAction): Promise<void> {
    if (!turn.settings.loyalty.enabled) return turn.say('Our rewards programme is not open yet.');
    const member = await this.member(turn);
    if (!member) {
      turn.setState({ flow: 'loyalty', step: 'email' });
      const bonus = turn.settings.loyalty.signupBonus;
      return turn.say(
        `Join our rewards programme${bonus > 0 ? ` and get ${bonus} points` : ''}! Please send the e-mail address you use in our store: your orders are matched to it.`,
      );
    }
    if (action === 'loyalty_claim') return this.askOrder(turn);
    if (action === 'loyalty_prizes') return this.prizes(turn, member.balance);
    return this.balance(turn);
  }

  private askOrder(turn: Turn): void {
    turn.setState({ flow: 'loyalty', step: 'claim_order' });
    turn.say('Please send the order number you want points for (it is in your order confirmation).');
  }

  async continue(turn: Turn, account: ChannelAccount, state: LoyaltyState): Promise<void> {
    const text = (turn.input.text ?? '').trim();
    if (state.step === 'claim_order') return this.claim(turn, account, text);
    const email = normalizeAddress('email', text);
    if (!email) {
      turn.unexpected();
      return turn.say('That does not look like an e-mail address. Please try again.');
    }
    await this.join(turn, account, email);
    // Joined from a deep link: the order it carried is claimed right away.
    if (state.claim && (turn.patch.customerId ?? turn.conversation.customerId) && turn.state === null) await this.claim(turn, account, state.claim);
  }

  async onPayload(turn: Turn, account: ChannelAccount, what: string): Promise<void> {
    const [kind, id] = what.split(':');
    if (kind === 'prize' && id) return this.redeem(turn, id);
    turn.unexpected();
    void account;
  }

  /**
   * Joins the programme. An e-mail typed in chat proves nothing, so it never attaches the chat to the customer
   * who owns that address: a chat not linked yet joins as a new member of its own, with no link to any store
   * customer until account linking proves who it is (its membership then moves along, see LinkingFlow).
   */
  private async join(turn: Turn, account: ChannelAccount, email: string): Promise<void> {
    const ws = turn.conversation.workspaceId;
    const { uow, loyalty } = this.deps;
    try {
      const result = await uow.transaction(async (tx) => {
        let customerId = turn.patch.customerId ?? turn.conversation.customerId;
        if (!customerId) {
          const kind = account.channel as IdentityKind;
          const scope = chatIdentityScope(account);
          // The customer recorded for this chat alone (a LINE follower: nothing but chat identities) is the chat's
          // own and becomes the member. A chat id an agent attached to a customer with other identities proves
          // nothing: that customer stays as it is, and the chat joins as a new member of its own.
          const chatOwner = await tx.customers.findByIdentity(ws, kind, scope, turn.conversation.address);
          const ownOnly = chatOwner && chatOwner.identities.every((i) => chatKinds.has(i.kind)) && !chatOwner.email && !chatOwner.phone;
          const customer = ownOnly ? chatOwner : await tx.customers.create(ws, { name: null, email: null, phone: null });
          if (!ownOnly) await tx.customers.addIdentity(ws, customer.id, { kind, scope, value: turn.conversation.address });
          customerId = customer.id;
        }
        return { customerId, ...(await loyalty.join(tx, ws, customerId, email, turn.settings)) };
      });
      turn.patch.customerId = result.customerId;
      turn.setState(null);
      turn.say(`Welcome to our rewards programme! Your balance is ${result.balance} points.`, { buttons: menu });
    } catch (err) {
      if (!(err instanceof AppError && err.code === 'conflict')) throw err;
      turn.unexpected();
      turn.say('That e-mail address already belongs to another member. Please send another one.');
    }
  }

  /** A claim: the order must exist in the store and belong to the member's e-mail; each order once. */
  async claim(turn: Turn, account: ChannelAccount, orderNumber: string): Promise<void> {
    const ws = turn.conversation.workspaceId;
    if (!turn.settings.loyalty.enabled) return turn.say('Our rewards programme is not open yet.');
    const member = await this.member(turn);
    if (!member) {
      // A deep link from the thank-you page may be the first message: join first, then claim.
      turn.setState({ flow: 'loyalty', step: 'email', claim: orderNumber });
      return turn.say(`To collect points for order ${orderNumber}, join our rewards programme first: please send the e-mail address you used for the order.`);
    }
    const number = orderNumber.replace(/^#/, '').trim();
    if (!/^[A-Za-z0-9-]{1,40}$/.test(number)) {
      turn.unexpected();
      return turn.say('That does not look like an order number. Please send it as it appears in your confirmation.');
    }
    const found = await this.deps.loyalty.findOrder(ws, number, turn.settings.linking.storeConnectionId);
    turn.setState(null);
    if (!found) {
      turn.unexpected();
      return turn.say(`We could not find order ${number}. Please check the number and try again.`, { buttons: [{ id: 'a:loyalty_claim', title: 'Try again' }] });
    }
    const outcome = await this.deps.uow.transaction((tx) => this.deps.loyalty.claim(tx, ws, member.customerId, found, turn.settings));
    if (outcome.kind === 'claimed') return turn.say(`Thank you for your order ${outcome.orderName}! You got ${outcome.points} points. Your balance is ${outcome.balance} points.`, { buttons: menu });
    if (outcome.kind === 'already_claimed') return turn.say(`The points for order ${outcome.orderName} were already collected.`, { buttons: menu });
    if (outcome.kind === 'not_yours') return turn.say('That order was placed with another e-mail address, so its points cannot be collected here.');
    if (outcome.kind === 'unproven') {
      return turn.say(`Orders of ${member.email} belong to a store account: please link your store account first (we will send you a code), then claim again.`, { buttons: [{ id: 'a:link_account', title: 'Link my account' }] });
    }
    if (outcome.kind === 'no_total') return turn.say('That order has no total yet, so there are no points to collect. Please try again later.');
    void account;
  }

  private async balance(turn: Turn): Promise<void> {
    const member = await this.member(turn);
    if (!member) return;
    const entries = await this.deps.uow.repos.loyalty.ledger(turn.conversation.workspaceId, member.customerId, 5);
    const reasons: Record<string, string> = { signup_bonus: 'welcome bonus', order_claim: 'order', redeem: 'prize', redeem_cancelled: 'prize cancelled', refund_reversal: 'refund', adjustment: 'adjustment' };
    const lines = entries.map((e) => `${e.createdAt ? new Date(e.createdAt).toISOString().slice(0, 10) : ''} ${e.delta > 0 ? '+' : ''}${e.delta} ${reasons[e.reason] ?? e.reason}${typeof e.details['orderName'] === 'string' ? ` ${e.details['orderName']}` : ''}`);
    turn.say(`Your balance is ${member.balance} points.${lines.length ? `\n\nLatest:\n${lines.join('\n')}` : ''}`, { buttons: menu });
  }

  private prizes(turn: Turn, balance: number): void {
    const prizes = turn.settings.loyalty.prizes;
    if (prizes.length === 0) return turn.say(`Your balance is ${balance} points. There are no prizes yet — keep collecting!`);
    turn.say(
      `Your balance is ${balance} points. Choose a prize:`,
      { buttons: prizes.slice(0, choicesOnEveryChannel.max.value).map((p) => ({ id: `loyalty:prize:${p.id}`, title: `${p.name} (${p.cost})`.slice(0, choicesOnEveryChannel.titleMax.value) })) },
    );
  }

  private async redeem(turn: Turn, prizeId: string): Promise<void> {
    const member = await this.member(turn);
    if (!member) return turn.say('Join our rewards programme first.', { buttons: [{ id: 'a:loyalty_join', title: 'Join rewards' }] });
    const outcome = await this.deps.loyalty.redeem(turn.conversation.workspaceId, member.customerId, prizeId, turn.settings, `redeem:${turn.input.messageId}`);
    if (outcome.kind === 'redeemed') return turn.say(`Enjoy your ${outcome.prize.name}! Your code: ${outcome.code}\nYour balance is ${outcome.balance} points.`);
    if (outcome.kind === 'insufficient') return turn.say(`That prize needs ${outcome.cost} points and your balance is ${outcome.balance}. Keep collecting!`, { buttons: menu });
    if (outcome.kind === 'unknown_prize') return turn.say('That prize is no longer available.', { buttons: [{ id: 'a:loyalty_prizes', title: 'Prizes' }] });
    turn.say(`Sorry, we could not issue the prize: ${outcome.reason}.`);
  }

  private async member(turn: Turn) {
    const customerId = turn.patch.customerId ?? turn.conversation.customerId;
    return customerId ? this.deps.uow.repos.loyalty.member(turn.conversation.workspaceId, customerId) : null;
  }
}
