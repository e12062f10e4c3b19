// The job catalogue: each job type, its payload schema and its retry budget, in one place.
import { z } from 'zod';

export const jobCatalogue = {
  'store-webhook.process': {
    description: 'Normalize a stored store-platform webhook into events and plan its notifications',
    payload: z.object({ webhookId: z.string() }),
    maxAttempts: 8,
  },
  'channel-webhook.process': {
    description: 'Apply delivery statuses and inbound messages from a stored channel webhook',
    payload: z.object({ webhookId: z.string() }),
    maxAttempts: 8,
  },
  'webhook.deliver': {
    description: 'Make one attempt at an outbound webhook delivery; a failure schedules the next attempt (about a day of retries)',
    // attempt: attempts made when this one was scheduled (absent on jobs queued before retries were scheduled);
    // manual: a redelivery asked for by the merchant, one attempt without a schedule.
    payload: z.object({ deliveryId: z.string(), attempt: z.number().int().min(0).optional(), manual: z.boolean().optional() }),
    maxAttempts: 8,
  },
  'message.send': {
    description: 'Send one queued outbound message through its channel account',
    payload: z.object({ messageId: z.string() }),
    maxAttempts: 8,
  },
  'conversation.turn': {
    description: 'Answer one inbound chat message: flows, account linking, order history, failed delivery, loyalty, hand-over',
    payload: z.object({ messageId: z.string() }),
    maxAttempts: 8,
  },
  'marketplace.poll': {
    description: 'Import one page of marketplace message threads (EmpikPlace) into tickets, and schedule the next poll',
    payload: z.object({ connectionId: z.string(), token: z.string() }),
    maxAttempts: 8,
  },
  'ticket.send': {
    description: 'Send an agent reply or auto-reply of a ticket to the marketplace thread',
    payload: z.object({ messageId: z.string() }),
    maxAttempts: 8,
  },
  'store.poll': {
    description: 'Read one page of a polled store’s changed orders, record their events, and schedule the next poll',
    payload: z.object({ connectionId: z.string(), token: z.string() }),
    maxAttempts: 8,
  },
} as const;

export type JobType = keyof typeof jobCatalogue;
export type JobPayload<T extends JobType> = z.infer<(typeof jobCatalogue)[T]['payload']>;
