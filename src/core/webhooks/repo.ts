// The persistence port of outbound webhooks: subscriptions, deliveries and their attempts.

export interface WebhookSubscription {
  id: string;
  workspaceId: string;
  url: string;
  events: string[];
  sealedSecret: string;
  createdAt: number;
}

export interface WebhookDelivery {
  id: string;
  workspaceId: string;
  subscriptionId: string;
  event: string;
  payload: unknown;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  responseStatus: number | null;
  responseBody: string | null;
  error: string | null;
  createdAt: number;
  deliveredAt: number | null;
  /** When the next automatic attempt is due, while the delivery is pending a retry. */
  nextAttemptAt: number | null;
}

export interface WebhookDeliveryAttempt {
  id: string;
  deliveryId: string;
  attempt: number;
  trigger: 'automatic' | 'manual';
  startedAt: number;
  durationMs: number;
  responseStatus: number | null;
  responseExcerpt: string | null;
  error: string | null;
}

export interface WebhookSubscriptionsRepo {
  create(workspaceId: string, input: { url: string; events: string[]; sealedSecret: string }): Promise<WebhookSubscription>;
  list(workspaceId: string): Promise<WebhookSubscription[]>;
  get(workspaceId: string, id: string): Promise<WebhookSubscription | null>;
  remove(workspaceId: string, id: string): Promise<boolean>;
}

export interface WebhookDeliveriesRepo {
  create(workspaceId: string, input: { subscriptionId: string; event: string; payload: unknown }): Promise<WebhookDelivery>;
  get(workspaceId: string, id: string): Promise<WebhookDelivery | null>;
  update(workspaceId: string, id: string, patch: Partial<Pick<WebhookDelivery, 'status' | 'attempts' | 'responseStatus' | 'responseBody' | 'error' | 'deliveredAt' | 'nextAttemptAt'>>): Promise<void>;
  /** Newest first; with a status, only deliveries in it; `before` pages by (created_at, id) of the last one seen. */
  listForSubscription(workspaceId: string, subscriptionId: string, limit: number, filter?: { status?: WebhookDelivery['status']; before?: { createdAt: number; id: string } }): Promise<WebhookDelivery[]>;
  /** Moves a failed or delivered delivery back to pending for a manual redelivery; false when it was not in either state. */
  reopen(workspaceId: string, id: string, at: number): Promise<boolean>;
  recordAttempt(workspaceId: string, input: Omit<WebhookDeliveryAttempt, 'id'>): Promise<void>;
  listAttempts(workspaceId: string, deliveryId: string): Promise<WebhookDeliveryAttempt[]>;
}

/** The repositories of this module, as the unit of work hands them out. */
export interface WebhookRepos {
  webhookSubscriptions: WebhookSubscriptionsRepo;
  webhookDeliveries: WebhookDeliveriesRepo;
}
