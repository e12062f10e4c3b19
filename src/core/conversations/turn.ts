// One turn of a conversation: what the customer sent, and what the engine decides in answer — replies, the
// next state, actions recorded on orders — collected here and written together at the end of the turn.
import type { ChatButton, ChatCard, InteractiveContent } from '../channels/ports.js';
import type { Activity } from '../events/repo.js';
import type { ChatSettings, Conversation, ConversationPatch, ConversationState } from './model.js';

export interface TurnInput {
  messageId: string;
  text: string | null;
  payload: string | null;
  replyToken: string | null;
  referral: string | null;
  receivedAt: number;
  /** A follow (LINE: the customer added or unblocked the account) rather than a message. */
  event?: 'follow' | null;
}

export interface Reply {
  content: InteractiveContent;
}

export class Turn {
  readonly replies: Reply[] = [];
  readonly activities: Array<Omit<Activity, 'id' | 'workspaceId' | 'createdAt'>> = [];
  patch: ConversationPatch = {};
  /** Set when the turn's answer was an expected one (resets the unexpected-reply count). */
  expected = true;
  /** The buttons of the last reply, kept so a number or a title typed back selects one. */
  offered: ChatButton[] = [];
  /** Set when the conversation goes to a human agent in this turn. */
  handover: string | null = null;
  /** The order the hand-over is about (a failed delivery), which names the ticket. */
  handoverOrderId: string | null = null;
  /** Set when the message was an answer to a survey: it is not conversation input, and not mirrored to a ticket. */
  surveyAnswer = false;

  constructor(
    readonly conversation: Conversation,
    readonly input: TurnInput,
    readonly settings: ChatSettings,
    readonly now: number,
  ) {}

  get state(): ConversationState | null {
    if (this.patch.state !== undefined) return this.patch.state;
    const s = this.conversation.state;
    return s && (this.conversation.stateExpiresAt == null || this.conversation.stateExpiresAt > this.now) ? s : null;
  }

  /** A text reply, with optional buttons, cards and links. */
  say(text: string, extra: { buttons?: ChatButton[]; cards?: ChatCard[]; links?: Array<{ title: string; url: string }> } = {}): void {
    if (extra.buttons?.length) this.offered = extra.buttons;
    this.replies.push({
      content: {
        kind: 'interactive',
        text,
        buttons: extra.buttons ?? [],
        ...(extra.cards?.length ? { cards: extra.cards } : {}),
        ...(extra.links?.length ? { links: extra.links } : {}),
      },
    });
  }

  setState(state: ConversationState | null): void {
    this.patch.state = state;
    this.patch.stateExpiresAt = state ? this.now + this.settings.stateTtlMinutes * 60_000 : null;
  }

  /** A customer action recorded on an order's activity, with the mode it came by (seed 002). */
  recordAction(orderId: string, summary: string, data: Record<string, unknown>): void {
    this.activities.push({ orderId, messageId: this.input.messageId, kind: 'customer.action', summary, data });
  }

  unexpected(): void {
    this.expected = false;
  }
}
