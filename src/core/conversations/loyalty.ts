// The chat loyalty programme (seed 004): join with an e-mail and get the sign-up bonus; claim an order's points
// once (the order must belong to the member's e-mail); see the balance and history; redeem prizes the balance
// covers. Every change is a ledger entry; the balance and the entry change together.
import { AppError, ProviderError, invalidField } from '../errors.js';
import type { OrderSnapshot } from '../events/model.js';
import type { Order } from '../events/repo.js';
import type { Repos, UnitOfWork } from '../repos.js';
import type { Providers } from '../providers.js';
import type { SecretBox } from '../secrets/secret-box.js';
import type { ChatSettings, LedgerEntry, LoyaltyPrize } from './model.js';

export type ClaimOutcome =
  | { kind: 'claimed'; points: number; balance: number; orderName: string }
  | { kind: 'already_claimed'; orderName: string }
  | { kind: 'not_found' }
  | { kind: 'not_yours' }
  /** The member's e-mail belongs to another customer, who proved it: its orders are theirs to claim. */
  | { kind: 'unproven' }
  | { kind: 'no_total' };

export type RedeemOutcome =
  | { kind: 'redeemed'; prize: LoyaltyPrize; code: string; balance: number }
  | { kind: 'insufficient'; balance: number; cost: number }
  | { kind: 'unknown_prize' }
  | { kind: 'failed'; reason: string };

/** Points for an order total: the total times the rate, rounded down (decimal strings, no float drift). */
export function pointsFor(total: string, pointsPerUnit: string): number {
  const [ti, tf = ''] = total.split('.');
  const [ri, rf = ''] = pointsPerUnit.split('.');
  const scale = tf.length + rf.length;
  const product = BigInt(`${ti}${tf}`) * BigInt(`${ri}${rf}`);
  return Number(product / 10n ** BigInt(scale));
}

/** Where the programme's changes become notification events (the planner). */
export interface LoyaltyEventSink {
  recordLoyaltyEvent(
    tx: Repos,
    workspaceId: string,
    input: { type: 'points.earned' | 'points.spent' | 'coupon.issued'; customerId: string; idempotencyKey: string; data: Record<string, unknown> },
  ): Promise<unknown>;
}

export class LoyaltyService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly providers: Providers,
    private readonly secrets: SecretBox,
    private readonly events: LoyaltyEventSink,
  ) {}

  /**
   * Joins the programme with the sign-up bonus; false when the customer was already a member. An e-mail another
   * member has is refused, unless this customer owns the e-mail (it is one of their proven identities) and that
   * member does not: a chat that typed someone's address first cannot keep its owner out.
   */
  async join(tx: Repos, workspaceId: string, customerId: string, email: string, settings: ChatSettings): Promise<{ joined: boolean; balance: number }> {
    const taken = await tx.loyalty.memberByEmail(workspaceId, email);
    if (taken && taken.customerId !== customerId) {
      const owner = await tx.customers.findByIdentity(workspaceId, 'email', '', email);
      if (owner?.id !== customerId) throw new AppError('conflict', 'this e-mail belongs to another member');
    }
    const joined = await tx.loyalty.join(workspaceId, customerId, email);
    let balance = (await tx.loyalty.member(workspaceId, customerId))?.balance ?? 0;
    if (joined && settings.loyalty.signupBonus > 0) {
      const entry = await tx.loyalty.apply(workspaceId, customerId, { delta: settings.loyalty.signupBonus, reason: 'signup_bonus', reference: 'signup', details: {} });
      balance = entry?.balanceAfter ?? balance;
      if (entry) {
        await this.events.recordLoyaltyEvent(tx, workspaceId, {
          type: 'points.earned',
          customerId,
          idempotencyKey: `signup:${customerId}`,
          data: { points: settings.loyalty.signupBonus, pointsBalance: entry.balanceAfter, reason: 'signup_bonus' },
        });
      }
    }
    return { joined, balance };
  }

  /**
   * Finds an order by the number the buyer sees: in the store's API where the platform has one, else among the
   * orders the hub received. The store's answer wins, since the hub may not have seen an older order.
   */
  async findOrder(workspaceId: string, orderNumber: string, storeConnectionId: string | null): Promise<{ storeConnectionId: string; snapshot: OrderSnapshot } | null> {
    const wanted = orderNumber.trim().replace(/^#/, '');
    const connections = (await this.uow.repos.storeConnections.list(workspaceId)).filter((c) => !storeConnectionId || c.id === storeConnectionId);
    for (const connection of connections) {
      const adapter = this.providers.store(connection.platform);
      if (adapter?.findOrderByNumber) {
        try {
          const found = await adapter.findOrderByNumber({ settings: connection.settings, secrets: this.secrets.open(connection.sealedSecrets) }, wanted);
          if (found) return { storeConnectionId: connection.id, snapshot: found };
        } catch (err) {
          if (!(err instanceof ProviderError)) throw err;
          // The store's API is down or refused: the orders the hub received are the fallback.
        }
      }
      const local = await this.localOrder(workspaceId, connection.id, wanted);
      if (local) return { storeConnectionId: connection.id, snapshot: local.snapshot };
    }
    return null;
  }

  private async localOrder(workspaceId: string, storeConnectionId: string, wanted: string): Promise<Order | null> {
    for (const query of [wanted, `#${wanted}`]) {
      const page = await this.uow.repos.orders.list(workspaceId, { limit: 5, cursor: null, query });
      const hit = page.items.find((o) => o.storeConnectionId === storeConnectionId);
      if (hit) return hit;
    }
    return null;
  }

  /** Claims an order's points for a member, in the caller's transaction; the claim's key makes a race harmless. */
  async claim(tx: Repos, workspaceId: string, customerId: string, found: { storeConnectionId: string; snapshot: OrderSnapshot }, settings: ChatSettings): Promise<ClaimOutcome> {
    const member = await tx.loyalty.member(workspaceId, customerId);
    if (!member) throw new AppError('conflict', 'join the loyalty programme first');
    const order = found.snapshot;
    if (!order.email || order.email.trim().toLowerCase() !== member.email) return { kind: 'not_yours' };
    // Seed 004 matches orders by e-mail; an e-mail typed in chat is not proof, so when the address is a proven
    // identity of another customer, only that customer collects its orders.
    const owner = await tx.customers.findByIdentity(workspaceId, 'email', '', member.email);
    if (owner && owner.id !== customerId) return { kind: 'unproven' };
    if (!order.total) return { kind: 'no_total' };
    const points = pointsFor(order.total.amount, settings.loyalty.pointsPerUnit);
    const claimed = await tx.loyalty.claim(workspaceId, { storeConnectionId: found.storeConnectionId, orderExternalId: order.externalId, customerId, points });
    if (!claimed) return { kind: 'already_claimed', orderName: order.name };
    const entry = await tx.loyalty.apply(workspaceId, customerId, {
      delta: points,
      reason: 'order_claim',
      reference: `${found.storeConnectionId}:${order.externalId}`,
      details: { orderName: order.name, total: order.total.amount, currency: order.total.currency },
    });
    await this.events.recordLoyaltyEvent(tx, workspaceId, {
      type: 'points.earned',
      customerId,
      idempotencyKey: `claim:${found.storeConnectionId}:${order.externalId}`,
      data: { points, pointsBalance: entry!.balanceAfter, orderName: order.name, reason: 'order_claim' },
    });
    return { kind: 'claimed', points, balance: entry!.balanceAfter, orderName: order.name };
  }

  /**
   * Redeems a prize: the points are debited first (only if the balance covers them), then the reward is issued;
   * if issuing fails the debit is reversed. The member never keeps a prize without paying, nor pays for none.
   */
  async redeem(workspaceId: string, customerId: string, prizeId: string, settings: ChatSettings, reference: string): Promise<RedeemOutcome> {
    const prize = settings.loyalty.prizes.find((p) => p.id === prizeId);
    if (!prize) return { kind: 'unknown_prize' };
    const debit = await this.uow.transaction(async (tx) => {
      const existing = (await tx.loyalty.ledger(workspaceId, customerId, 20)).find((e) => e.reason === 'redeem' && e.reference === reference);
      if (existing) return existing;
      const entry = await tx.loyalty.apply(workspaceId, customerId, { delta: -prize.cost, reason: 'redeem', reference, details: { prizeId: prize.id, prize: prize.name }, requireCover: true });
      if (entry) {
        await this.events.recordLoyaltyEvent(tx, workspaceId, {
          type: 'points.spent',
          customerId,
          idempotencyKey: `redeem:${reference}`,
          data: { points: prize.cost, pointsBalance: entry.balanceAfter, prize: prize.name, reason: 'redeem' },
        });
      }
      return entry;
    });
    if (!debit) return { kind: 'insufficient', balance: (await this.uow.repos.loyalty.member(workspaceId, customerId))?.balance ?? 0, cost: prize.cost };
    const alreadyIssued = typeof debit.details['code'] === 'string' ? (debit.details['code'] as string) : null;
    if (alreadyIssued) return { kind: 'redeemed', prize, code: alreadyIssued, balance: debit.balanceAfter };
    try {
      const code = await this.issue(workspaceId, customerId, prize, settings);
      await this.uow.transaction((tx) =>
        this.events.recordLoyaltyEvent(tx, workspaceId, { type: 'coupon.issued', customerId, idempotencyKey: `coupon:${reference}`, data: { code, title: prize.name, reason: 'redeem' } }),
      );
      return { kind: 'redeemed', prize, code, balance: debit.balanceAfter };
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      const back = await this.uow.transaction(async (tx) => {
        const entry = await tx.loyalty.apply(workspaceId, customerId, { delta: prize.cost, reason: 'redeem_cancelled', reference, details: { prizeId: prize.id, reason } });
        if (entry) {
          await this.events.recordLoyaltyEvent(tx, workspaceId, {
            type: 'points.earned',
            customerId,
            idempotencyKey: `redeem-cancelled:${reference}`,
            data: { points: prize.cost, pointsBalance: entry.balanceAfter, prize: prize.name, reason: 'redeem_cancelled' },
          });
        }
        return entry;
      });
      return { kind: 'failed', reason: `${reason} (your ${prize.cost} points are back; balance ${back?.balanceAfter ?? '?'})` };
    }
  }

  private async issue(workspaceId: string, customerId: string, prize: LoyaltyPrize, settings: ChatSettings): Promise<string> {
    if (prize.reward.kind === 'code') return prize.reward.code;
    const connectionId = settings.linking.storeConnectionId;
    const connection = connectionId ? await this.uow.repos.storeConnections.get(workspaceId, connectionId) : null;
    const adapter = connection ? this.providers.store(connection.platform) : null;
    if (!connection || !adapter?.issueCoupon) throw new Error('the store cannot issue coupons');
    const customer = await this.uow.repos.customers.get(workspaceId, customerId);
    const storeId = customer?.identities.find((i) => i.kind === 'store' && i.scope === connection.id)?.value ?? null;
    const code = `LOYAL-${this.secrets.randomToken(6).toUpperCase().replace(/[^A-Z0-9]/g, 'X')}`;
    const issued = await adapter.issueCoupon(
      { settings: connection.settings, secrets: this.secrets.open(connection.sealedSecrets) },
      { customer: { externalId: storeId ?? '', name: customer?.name ?? null, email: customer?.email ?? null, phone: customer?.phone ?? null }, title: prize.name, code, value: prize.reward.value },
    );
    return issued.code;
  }

  async ledger(workspaceId: string, customerId: string, limit = 50): Promise<{ balance: number | null; email: string | null; entries: LedgerEntry[] }> {
    const member = await this.uow.repos.loyalty.member(workspaceId, customerId);
    if (!member) return { balance: null, email: null, entries: [] };
    const entries = await this.uow.repos.loyalty.ledger(workspaceId, customerId, limit);
    // The newest entry's balance is the one that goes with the entries shown, even if a change committed between the two reads.
    return { balance: entries[0]?.balanceAfter ?? member.balance, email: member.email, entries };
  }

  /** Checks a programme before it is saved: the rate, the bonus, and that every store-coupon prize can be issued. */
  async validateProgramme(workspaceId: string, loyalty: ChatSettings['loyalty'], storeConnectionId: string | null): Promise<void> {
    if (!/^\d{1,6}(\.\d{1,4})?$/.test(loyalty.pointsPerUnit)) throw invalidField('loyalty.points_per_unit', 'must be a decimal like "1" or "0.5"');
    const ids = new Set<string>();
    for (const [i, prize] of loyalty.prizes.entries()) {
      if (ids.has(prize.id)) throw invalidField(`loyalty.prizes[${i}].id`, 'must be unique');
      ids.add(prize.id);
      if (prize.reward.kind === 'store_coupon') {
        const connection = storeConnectionId ? await this.uow.repos.storeConnections.get(workspaceId, storeConnectionId) : null;
        if (!connection || !this.providers.store(connection.platform)?.issueCoupon) {
          throw invalidField(`loyalty.prizes[${i}].reward`, 'the linked store cannot issue coupons through its API; give a fixed code instead');
        }
      }
    }
  }
}
