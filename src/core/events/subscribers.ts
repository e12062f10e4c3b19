// Subscribers of stored events: what a module does when a commerce event is recorded, besides notifications
// (a failed delivery opens a case the customer answers in chat, a refund takes back loyalty points). The planner
// calls every subscriber in the transaction that stores the event, once its notifications are planned, and only
// for an event stored now: a second delivery of the same event reaches no subscriber.
import type { Message } from '../notifications/repo.js';
import type { Repos } from '../repos.js';
import type { Order, StoredEvent } from './repo.js';
import type { NormalizedEvent } from './model.js';

export interface StoredEventContext {
  workspaceId: string;
  /** The order the event is about, as the event left it; null for an event about a customer. */
  order: Order | null;
  /** The notifications planned for the event that are queued to be sent (skipped ones are not here). */
  queued: readonly Message[];
  /**
   * Records an event the subscriber causes (points taken back by a refund...), in the same transaction, from the
   * same store connection and with the same brand; its notifications are planned and its subscribers called in
   * turn. Null when an event with the same idempotency key was recorded before.
   */
  recordFollowUp(source: string, event: NormalizedEvent): Promise<StoredEvent | null>;
}

export interface EventSubscriber {
  /** Called inside the event's transaction; throwing rolls the event back with everything it planned. */
  onEvent(tx: Repos, event: StoredEvent, ctx: StoredEventContext): Promise<void>;
}
