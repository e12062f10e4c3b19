// Failed delivery from WhatsApp (seed 002): the customer answers the failed-delivery notification with one of
// the actions the store platform supports; the action is performed through the platform's API and recorded on
// the order's activity with the mode "WhatsApp". The first valid answer wins; a late answer is explained.
import { ProviderError } from '../errors.js';
import type { ChannelAccount } from '../connections/repo.js';
import type { FailedDeliveryAction } from '../stores/ports.js';
import { toE164 } from '../phone.js';
import type { ConversationState, NdrCase } from './model.js';
import type { Turn } from './turn.js';
import type { EngineDeps } from './deps.js';

type NdrState = Extract<ConversationState, { flow: 'ndr' }>;
type Choice = 'reattempt' | 'reschedule' | 'address' | 'phone' | 'cancel';

/** Cases older than this no longer take answers: the shipment has moved on (Eshopbox: act within 24 h). */
const CASE_TTL_MS = 3 * 24 * 3600_000;

const choices: Array<{ id: Choice; title: string; words: RegExp }> = [
  { id: 'reattempt', title: 'Deliver again', words: /^(1|re-?attempt|deliver again|try again|retry|redeliver)/i },
  { id: 'reschedule', title: 'Another date', words: /^(2|reschedule|another date|later|change date)/i },
  { id: 'address', title: 'New address', words: /^(3|(update|change|new) address|address)/i },
  { id: 'phone', title: 'New phone number', words: /^(4|(update|change|new) (phone|number)|phone)/i },
  { id: 'cancel', title: 'Cancel the order', words: /^(5|cancel)/i },
];

const labels: Record<Choice, string> = {
  reattempt: 'asked for another delivery attempt',
  reschedule: 'rescheduled the delivery',
  address: 'updated the delivery address',
  phone: 'updated the contact phone number',
  cancel: 'cancelled the order',
};

export class NdrFlow {
  constructor(private readonly deps: EngineDeps) {}

  /** Handles the turn when the customer has a failed-delivery case on this account; false otherwise. */
  async answersOpenCase(turn: Turn, account: ChannelAccount, payload: string | null = null): Promise<boolean> {
    const c = await this.deps.uow.repos.ndrCases.latestFor(turn.conversation.workspaceId, account.id, turn.conversation.address);
    if (!c || turn.now - c.createdAt > CASE_TTL_MS) return false;
    const said = (payload ?? turn.input.text ?? '').trim();
    const choice = choices.find((x) => x.id === said.toLowerCase() || x.words.test(said));
    if (c.status !== 'open') {
      if (!choice) return false;
      await this.late(turn, c);
      return true;
    }
    if (!choice) {
      await this.incorrect(turn, c);
      return true;
    }
    await this.choose(turn, account, c, choice.id);
    return true;
  }

  async onPayload(turn: Turn, account: ChannelAccount, what: string): Promise<void> {
    const [caseId, choice] = what.split(':');
    const c = caseId ? await this.deps.uow.repos.ndrCases.get(turn.conversation.workspaceId, caseId) : null;
    if (!c) return turn.say('That request is no longer open.');
    if (c.status !== 'open') return this.late(turn, c);
    const picked = choices.find((x) => x.id === choice);
    if (!picked) return this.incorrect(turn, c);
    return this.choose(turn, account, c, picked.id);
  }

  async continue(turn: Turn, account: ChannelAccount, state: NdrState): Promise<void> {
    const c = await this.deps.uow.repos.ndrCases.get(turn.conversation.workspaceId, state.caseId);
    if (!c) {
      turn.setState(null);
      return turn.say('That request is no longer open.');
    }
    if (c.status !== 'open') {
      turn.setState(null);
      return this.late(turn, c);
    }
    const text = (turn.input.text ?? '').trim();
    if (state.step === 'choose') {
      const picked = choices.find((x) => x.words.test(text) || x.id === turn.input.payload);
      return picked ? this.choose(turn, account, c, picked.id) : this.incorrect(turn, c);
    }
    if (state.step === 'date') {
      const date = parseDate(text, turn.now);
      if (!date) {
        turn.unexpected();
        return turn.say('Please send the date as YYYY-MM-DD (for example 2026-12-24), today or later.');
      }
      return this.perform(turn, c, 'reschedule', { kind: 'reschedule', date });
    }
    if (state.step === 'address') {
      if (text.length < 10) {
        turn.unexpected();
        return turn.say('Please send the full address, with the street, city and PIN code.');
      }
      return this.perform(turn, c, 'address', { kind: 'update_address', address: text });
    }
    const phone = toE164(text.startsWith('+') ? text : text.replace(/^0/, '+91'), 'IN');
    if (!phone) {
      turn.unexpected();
      return turn.say('That does not look like a phone number. Please send it with the country code.');
    }
    return this.perform(turn, c, 'phone', { kind: 'update_phone', phone });
  }

  private async choose(turn: Turn, account: ChannelAccount, c: NdrCase, choice: Choice): Promise<void> {
    if (choice === 'reschedule') {
      turn.setState({ flow: 'ndr', step: 'date', caseId: c.id });
      return turn.say('Which day suits you? Please send the date as YYYY-MM-DD.');
    }
    if (choice === 'address') {
      turn.setState({ flow: 'ndr', step: 'address', caseId: c.id });
      return turn.say('Please send the new delivery address, with the street, city and PIN code.');
    }
    if (choice === 'phone') {
      turn.setState({ flow: 'ndr', step: 'phone', caseId: c.id });
      return turn.say('Please send the phone number the courier should call.');
    }
    void account;
    return this.perform(turn, c, choice, choice === 'cancel' ? { kind: 'cancel' } : { kind: 'reattempt' });
  }

  /** Claims the case (first answer wins), performs the action with the store, and records it on the order. */
  private async perform(turn: Turn, c: NdrCase, choice: Choice, action: FailedDeliveryAction): Promise<void> {
    const { uow, providers, secrets } = this.deps;
    const ws = turn.conversation.workspaceId;
    turn.setState(null);
    if (!(await uow.repos.ndrCases.resolve(ws, c.id, { action: choice, reference: null }))) {
      const now = await uow.repos.ndrCases.get(ws, c.id);
      return this.late(turn, now ?? c);
    }
    const order = await uow.repos.orders.get(ws, c.orderId);
    const connection = await uow.repos.storeConnections.get(ws, c.storeConnectionId);
    const adapter = connection ? providers.store(connection.platform) : null;
    let reference: string | null = null;
    if (order && connection && adapter?.resolveFailedDelivery) {
      try {
        const result = await adapter.resolveFailedDelivery(
          { settings: connection.settings, secrets: secrets.open(connection.sealedSecrets) },
          { orderName: order.name, trackingId: c.trackingId, phone: order.phone, customerName: order.customerName, action, remarks: `Chosen by the customer on WhatsApp` },
        );
        reference = result.reference;
      } catch (err) {
        if (!(err instanceof ProviderError)) throw err;
        // The store refused or is down: the case opens again so the customer (or a retry) can answer.
        await uow.repos.ndrCases.reopen(ws, c.id);
        turn.recordAction(c.orderId, `Failed delivery: the customer ${labels[choice]} on WhatsApp, but the store refused it: ${err.message}`, { mode: 'WhatsApp', action: choice, outcome: 'refused', reason: err.message });
        if (err.kind === 'permanent') return turn.say(`Sorry, we could not do that: ${humanReason(err.message)}. Please choose another option or talk to us.`, { buttons: [{ id: 'a:talk_to_agent', title: 'Talk to an agent' }] });
        return turn.say('Sorry, the courier’s system is not answering. Please send your choice again in a few minutes.');
      }
    }
    await uow.repos.ndrCases.setReference(ws, c.id, reference);
    // Platforms without a failed-delivery API: the answer is recorded for the merchant to act on.
    const manual = !adapter?.resolveFailedDelivery;
    const detail = action.kind === 'reschedule' ? ` to ${action.date}` : action.kind === 'update_address' ? `: ${action.address}` : action.kind === 'update_phone' ? '' : '';
    turn.recordAction(c.orderId, `Failed delivery: the customer ${labels[choice]}${detail} (via WhatsApp)${manual ? `; ${connection?.platform ?? 'the store'} has no failed-delivery API, so the merchant must act on it` : ''}`, {
      mode: 'WhatsApp',
      action: choice,
      outcome: manual ? 'recorded' : 'done',
      ...(action.kind === 'reschedule' ? { date: action.date } : {}),
      ...(reference ? { reference } : {}),
    });
    const confirmations: Record<Choice, string> = {
      reattempt: 'Thank you. The courier will try to deliver again.',
      reschedule: `Thank you. The delivery is rescheduled${detail}.`,
      address: 'Thank you. The courier will deliver to the new address.',
      phone: 'Thank you. The courier will call the new number.',
      cancel: 'Your order is cancelled. Any payment will be refunded.',
    };
    turn.say(confirmations[choice]);
  }

  private late(turn: Turn, c: NdrCase): void {
    turn.setState(null);
    if (c.status === 'resolved') return turn.say(`Thank you — we already have your answer for this delivery (${labels[(c.action as Choice) ?? 'reattempt'] ?? c.action}).`);
    turn.say('Thank you for your reply. This delivery has moved on since, so no change is needed. We will keep you posted.');
  }

  /** An answer that is none of the choices: the merchant's "incorrect reply" message, with the choices again. */
  private async incorrect(turn: Turn, c: NdrCase): Promise<void> {
    turn.unexpected();
    turn.setState({ flow: 'ndr', step: 'choose', caseId: c.id });
    if (turn.conversation.unexpectedCount + 1 >= turn.settings.escalateAfter) {
      turn.handover = 'repeated unexpected replies to a failed-delivery message';
      turn.handoverOrderId = c.orderId;
      return turn.say('Let me get a person to help you with this delivery. An agent will reply here shortly.');
    }
    if (!turn.settings.incorrectReply.enabled) return;
    turn.say(turn.settings.incorrectReply.text, { buttons: choices.map((x) => ({ id: `ndr:${c.id}:${x.id}`, title: x.title })) });
  }
}

/** A date the customer typed, YYYY-MM-DD or DD-MM-YYYY, today or later; null otherwise. */
function parseDate(text: string, now: number): string | null {
  const isoForm = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const dayFirst = /^(\d{2})[-/.](\d{2})[-/.](\d{4})$/.exec(text);
  const parts = isoForm ? [isoForm[1], isoForm[2], isoForm[3]] : dayFirst ? [dayFirst[3], dayFirst[2], dayFirst[1]] : null;
  if (!parts) return null;
  const date = parts.join('-');
  const endOfDay = Date.parse(`${date}T23:59:59Z`);
  if (Number.isNaN(endOfDay) || new Date(endOfDay).toISOString().slice(0, 10) !== date) return null;
  return endOfDay >= now ? date : null;
}

const humanReason = (message: string): string => message.replace(/^Eshopbox (refused|answered)[^:]*:\s*/i, '').replace(/\s*\[HTTP \d+[^\]]*\]$/, '');
