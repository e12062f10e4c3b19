// A refunded order gives back the loyalty points claimed for it (seed 004): the claim is reversed, the points
// are taken from the member's balance, and the change is recorded as a "points used" event of the hub's loyalty
// programme, notified where the merchant enabled it and the channel allows it.
import type { EventSubscriber } from '../events/subscribers.js';
import { LOYALTY_SOURCE } from '../notifications/matrix.js';

export const loyaltyRefunds: EventSubscriber = {
  async onEvent(tx, event, { workspaceId, order, recordFollowUp }) {
    if (event.type !== 'order.refunded' || !order) return;
    const storeConnectionId = order.storeConnectionId;
    const claim = await tx.loyalty.reverseClaim(workspaceId, storeConnectionId, order.externalId);
    if (!claim) return;
    const entry = await tx.loyalty.apply(workspaceId, claim.customerId, {
      delta: -claim.points,
      reason: 'refund_reversal',
      reference: `${storeConnectionId}:${order.externalId}`,
      details: { orderName: order.name },
    });
    await recordFollowUp(LOYALTY_SOURCE, {
      type: 'points.spent',
      idempotencyKey: `loyalty:refund:${storeConnectionId}:${order.externalId}`,
      occurredAt: Date.now(),
      order: null,
      data: { customerId: claim.customerId, points: claim.points, pointsBalance: entry?.balanceAfter ?? null, refundedOrder: order.name, reason: 'refund' },
    });
  },
};
