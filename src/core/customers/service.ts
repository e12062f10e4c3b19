// Customers and their identities: the WhatsApp number, LINE user id or Messenger PSID (per account), e-mail,
// phone and store customer id (per store connection) by which the hub finds the person behind an order or a
// chat. An identity belongs to one customer; claiming it for another is a conflict, not a silent move.
import { AppError, invalidField, notFound } from '../errors.js';
import type { Customer, IdentityKind } from './repo.js';
import type { UnitOfWork } from '../repos.js';
import { identityKinds } from './repo.js';
import { normalizeAddress } from '../notifications/opt-outs.js';
import { channelProfile } from '../channels/profile.js';
import { e164Digits, toE164 } from '../phone.js';

export interface IdentityInput {
  kind: string;
  value: string;
  channelAccountId?: string | null | undefined;
  storeConnectionId?: string | null | undefined;
}

export interface CustomerInput {
  name?: string | null | undefined;
  email?: string | null | undefined;
  phone?: string | null | undefined;
  identities?: IdentityInput[] | undefined;
}

export class CustomerService {
  constructor(private readonly uow: UnitOfWork) {}

  async create(workspaceId: string, input: CustomerInput): Promise<Customer> {
    const fields = this.contactFields(input);
    const identities = await Promise.all((input.identities ?? []).map((i, n) => this.identity(workspaceId, i, `identities[${n}]`)));
    // The contact e-mail and phone are identities too, so orders find the customer by them.
    if (fields.email) identities.push({ kind: 'email', scope: '', value: fields.email, field: 'email' });
    if (fields.phone) identities.push({ kind: 'phone', scope: '', value: e164Digits(fields.phone), field: 'phone' });
    return this.uow.transaction(async (tx) => {
      const customer = await tx.customers.create(workspaceId, { name: fields.name ?? null, email: fields.email ?? null, phone: fields.phone ?? null });
      for (const i of identities) {
        if (!(await tx.customers.addIdentity(workspaceId, customer.id, i))) throw this.taken(i.field, i.kind, i.value);
      }
      return (await tx.customers.get(workspaceId, customer.id))!;
    });
  }

  async get(workspaceId: string, id: string): Promise<Customer> {
    const customer = await this.uow.repos.customers.get(workspaceId, id);
    if (!customer) throw notFound('customer', id);
    return customer;
  }

  async update(workspaceId: string, id: string, input: CustomerInput): Promise<Customer> {
    await this.get(workspaceId, id);
    const fields = this.contactFields(input);
    await this.uow.repos.customers.update(workspaceId, id, fields);
    return this.get(workspaceId, id);
  }

  async addIdentity(workspaceId: string, customerId: string, input: IdentityInput): Promise<Customer> {
    await this.get(workspaceId, customerId);
    const i = await this.identity(workspaceId, input, 'identity');
    if (!(await this.uow.repos.customers.addIdentity(workspaceId, customerId, i))) {
      const owner = await this.uow.repos.customers.findByIdentity(workspaceId, i.kind, i.scope, i.value);
      if (owner?.id !== customerId) throw this.taken('value', i.kind, i.value);
    }
    return this.get(workspaceId, customerId);
  }

  async removeIdentity(workspaceId: string, customerId: string, identityId: string): Promise<void> {
    if (!(await this.uow.repos.customers.removeIdentity(workspaceId, customerId, identityId))) throw notFound('identity', identityId);
  }

  async remove(workspaceId: string, id: string): Promise<void> {
    if (!(await this.uow.repos.customers.remove(workspaceId, id))) throw notFound('customer', id);
  }

  private contactFields(input: CustomerInput): { name?: string | null; email?: string | null; phone?: string | null } {
    const out: { name?: string | null; email?: string | null; phone?: string | null } = {};
    if (input.name !== undefined) out.name = input.name?.trim() || null;
    if (input.email !== undefined) {
      out.email = input.email ? normalizeAddress('email', input.email) : null;
      if (input.email && !out.email) throw invalidField('email', 'is not a valid e-mail address');
    }
    if (input.phone !== undefined) {
      out.phone = input.phone ? toE164(input.phone) : null;
      if (input.phone && !out.phone) throw invalidField('phone', 'must be a phone number with its country code, e.g. +886912345678');
    }
    return out;
  }

  private async identity(workspaceId: string, input: IdentityInput, field: string): Promise<{ kind: IdentityKind; scope: string; value: string; field: string }> {
    if (!(identityKinds as readonly string[]).includes(input.kind)) throw invalidField(`${field}.kind`, `must be one of ${identityKinds.join(', ')}`);
    const kind = input.kind as IdentityKind;
    let scope = '';
    // Chat ids are only meaningful on the account that issued them.
    const address = channelProfile(kind)?.address;
    if (address?.kind === 'account-user-id') {
      if (!input.channelAccountId) throw invalidField(`${field}.channel_account_id`, `a ${kind} id belongs to one ${address.account}: name its channel account`);
      const account = await this.uow.repos.channelAccounts.get(workspaceId, input.channelAccountId);
      if (!account || account.channel !== kind) throw invalidField(`${field}.channel_account_id`, `no ${kind} account ${input.channelAccountId} in this workspace`);
      scope = account.id;
    } else if (kind === 'store') {
      if (!input.storeConnectionId) throw invalidField(`${field}.store_connection_id`, 'a store customer id belongs to one store connection: name it');
      const connection = await this.uow.repos.storeConnections.get(workspaceId, input.storeConnectionId);
      if (!connection) throw invalidField(`${field}.store_connection_id`, `no store connection ${input.storeConnectionId} in this workspace`);
      scope = connection.id;
    }
    const value = kind === 'phone' ? normalizeAddress('sms', input.value) : kind === 'store' ? input.value.trim() || null : normalizeAddress(kind, input.value);
    if (!value) throw invalidField(`${field}.value`, `is not a valid ${kind} identity`);
    return { kind, scope, value, field: `${field}.value` };
  }

  private taken(field: string, kind: string, value: string): AppError {
    return new AppError('conflict', `${field}: the ${kind} identity ${value} already belongs to another customer`, { fields: [{ field, message: 'already belongs to another customer' }] });
  }
}
