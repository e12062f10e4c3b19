// Order history (seed 000): a linked customer's orders within the platform's window — CYBERBIZ and SHOPLINE 90
// days, 91APP 14 — from the store's API where it has one, else from the orders the hub received; with a link to
// the store for older orders. The same data serves the chat and the agents' API.
import { ProviderError, notFound } from '../errors.js';
import type { OrderSnapshot } from '../events/model.js';
import type { Providers } from '../providers.js';
import type { StoreConnection } from '../connections/repo.js';
import type { Customer } from '../customers/repo.js';
import type { UnitOfWork } from '../repos.js';
import type { SecretBox } from '../secrets/secret-box.js';
import type { StoreCustomer } from '../stores/ports.js';
import { e164Digits } from '../phone.js';
import { channelsAddressedBy } from '../channels/profile.js';

const DAY = 24 * 3600_000;
const windowDays: Record<string, number> = { '91app': 14, cyberbiz: 90, shopline: 90 };
export const historyWindowDays = (platform: string): number => windowDays[platform] ?? 90;
const LIMIT = 10;
/** Identities that hold phone digits: phones, and the chat ids of channels addressed by phone number. */
const phoneKinds: ReadonlySet<string> = new Set(['phone', ...channelsAddressedBy('phone')]);

export interface OrderHistory {
  storeConnectionId: string;
  platform: string;
  windowDays: number;
  orders: OrderSnapshot[];
  /** Where the customer sees older orders: the store's own account page. */
  storeUrl: string | null;
  /** "store" when the platform's API answered, "hub" when the hub's own copy was used. */
  source: 'store' | 'hub';
}

export function storeUrlOf(connection: StoreConnection): string | null {
  const s = connection.settings;
  if (s['storeUrl']) return s['storeUrl'];
  if (connection.platform === 'shopify' && s['shopDomain']) return `https://${s['shopDomain']}/account`;
  if (connection.platform === 'shopline' && s['handle']) return `https://${s['handle']}.myshopline.com/user/orders`;
  if (connection.platform === 'cyberbiz' && s['shopDomain']) return `https://${s['shopDomain']}/account/orders`;
  return null;
}

export class OrderHistoryService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly providers: Providers,
    private readonly secrets: SecretBox,
  ) {}

  /** The customer's orders in each store they are linked to (or the one given). */
  async forCustomer(workspaceId: string, customerId: string, onlyConnectionId: string | null = null): Promise<OrderHistory[]> {
    const customer = await this.uow.repos.customers.get(workspaceId, customerId);
    if (!customer) throw notFound('customer', customerId);
    const connections = (await this.uow.repos.storeConnections.list(workspaceId)).filter((c) => !onlyConnectionId || c.id === onlyConnectionId);
    const out: OrderHistory[] = [];
    for (const connection of connections) {
      const storeId = customer.identities.find((i) => i.kind === 'store' && i.scope === connection.id)?.value ?? null;
      // Without a link to this store, only an explicit request looks it up by e-mail and phone.
      if (!storeId && !onlyConnectionId) continue;
      out.push(await this.ordersIn(workspaceId, connection, customer, storeId));
    }
    return out;
  }

  private async ordersIn(workspaceId: string, connection: StoreConnection, customer: Customer, storeId: string | null): Promise<OrderHistory> {
    const days = historyWindowDays(connection.platform);
    const since = Date.now() - days * DAY;
    const base = { storeConnectionId: connection.id, platform: connection.platform, windowDays: days, storeUrl: storeUrlOf(connection) };
    const adapter = this.providers.store(connection.platform);
    const who: StoreCustomer = { externalId: storeId ?? '', name: customer.name, email: customer.email, phone: customer.phone };
    if (adapter?.customerOrders && storeId) {
      try {
        const orders = await adapter.customerOrders({ settings: connection.settings, secrets: this.secrets.open(connection.sealedSecrets) }, { customer: who, since, limit: LIMIT });
        return { ...base, orders, source: 'store' };
      } catch (err) {
        if (!(err instanceof ProviderError)) throw err;
        // The store's API is unavailable: the orders the hub has seen are better than nothing.
      }
    }
    const emails = [customer.email, ...customer.identities.filter((i) => i.kind === 'email').map((i) => i.value)].filter((e): e is string => !!e).map((e) => e.toLowerCase());
    const digits = [customer.phone ? e164Digits(customer.phone) : null, ...customer.identities.filter((i) => phoneKinds.has(i.kind)).map((i) => i.value)].filter((p): p is string => !!p);
    const phones = digits.flatMap((d) => [d, `+${d}`]);
    const local = await this.uow.repos.orders.listForCustomer(workspaceId, connection.id, { emails: [...new Set(emails)], phones: [...new Set(phones)] }, since, LIMIT);
    const byStoreId = storeId ? local.filter((o) => o.snapshot.customerExternalId == null || o.snapshot.customerExternalId === storeId) : local;
    return { ...base, orders: byStoreId.map((o) => o.snapshot), source: 'hub' };
  }
}
