// Failed-delivery cases follow the order's events (seed 002): a failed-delivery notification queued on a channel
// where the customer answers it in chat (WhatsApp) opens a case that waits for that answer; an order that moves
// on closes its open case, so a late answer gets an explanation instead of an action (see NdrFlow).
import type { EventSubscriber } from '../events/subscribers.js';
import type { EventType } from '../events/model.js';
import { channelProfile } from '../channels/profile.js';

/** Events after which a failed delivery no longer waits for the customer's answer. */
const movedOn: ReadonlySet<EventType> = new Set(['order.delivered', 'order.cancelled', 'order.refunded', 'order.out_for_delivery', 'return.created']);

export const failedDeliveryCases: EventSubscriber = {
  async onEvent(tx, event, { workspaceId, order, queued }) {
    if (!order) return;
    if (movedOn.has(event.type)) await tx.ndrCases.closeForOrder(workspaceId, order.id);
    if (event.type !== 'order.delivery_failed') return;
    const tracking = event.payload.data['trackingId'] ?? event.payload.data['trackingNumber'];
    for (const message of queued) {
      if (!channelProfile(message.channel)?.failedDeliveryAnswers || !message.channelAccountId || !message.recipient) continue;
      await tx.ndrCases.create(workspaceId, {
        orderId: order.id,
        storeConnectionId: order.storeConnectionId,
        channelAccountId: message.channelAccountId,
        address: message.recipient,
        trackingId: typeof tracking === 'string' ? tracking : null,
      });
    }
  },
};
