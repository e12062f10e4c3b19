// Opt-outs: a customer who asked not to be messaged on a channel is not messaged there, until they ask again.
// They come from keywords (STOP / START on SMS and chat), e-mail unsubscribe links (one click, RFC 8058),
// hard bounces, and the API.
import type { Repos, UnitOfWork } from '../repos.js';
import type { SecretBox } from '../secrets/secret-box.js';
import { invalidField } from '../errors.js';
import { e164Digits, toE164 } from '../phone.js';
import { channelLabel } from './labels.js';
import { channelIds, channelProfile } from '../channels/profile.js';

/** Whether a whole inbound message is an opt-out or opt-in keyword on its channel (case and surrounding space ignored). */
export function optKeyword(text: string | null, channel: string): 'opt_out' | 'opt_in' | null {
  if (!text) return null;
  const word = text.trim().replace(/[.!]+$/, '').toUpperCase();
  if (word.length === 0 || word.length > 20) return null;
  const profile = channelProfile(channel);
  if (profile?.optOutWords.has(word)) return 'opt_out';
  if (profile?.optInWords.has(word)) return 'opt_in';
  return null;
}

/** The form an address is kept in: phone digits for phone channels, a lower-cased e-mail, ids as given. */
export function normalizeAddress(channel: string, address: string): string | null {
  const a = address.trim();
  if (a === '') return null;
  const kind = channelProfile(channel)?.address.kind;
  if (kind === 'phone') {
    const phone = toE164(a.startsWith('+') ? a : `+${a}`);
    return phone ? e164Digits(phone) : null;
  }
  if (kind === 'email') return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(a) ? a.toLowerCase() : null;
  return a;
}

export class OptOutService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly secrets: SecretBox,
    private readonly publicUrl: () => string,
  ) {}

  /** Applies a keyword from an inbound message inside the transaction that records it; returns what changed. */
  async applyKeyword(tx: Repos, workspaceId: string, channel: string, from: string, text: string | null): Promise<'opted_out' | 'opted_in' | null> {
    const keyword = optKeyword(text, channel);
    const address = keyword ? normalizeAddress(channel, from) : null;
    if (!keyword || !address) return null;
    if (keyword === 'opt_out') return (await tx.optOuts.add(workspaceId, { channel, address, source: `${channel}:${text!.trim().toUpperCase()}` })) ? 'opted_out' : null;
    return (await tx.optOuts.remove(workspaceId, channel, address)) ? 'opted_in' : null;
  }

  async add(workspaceId: string, channel: string, address: string, source: string): Promise<{ channel: string; address: string; created: boolean }> {
    const normalized = this.validate(channel, address);
    const created = await this.uow.repos.optOuts.add(workspaceId, { channel, address: normalized, source });
    return { channel, address: normalized, created };
  }

  async remove(workspaceId: string, channel: string, address: string): Promise<boolean> {
    return this.uow.repos.optOuts.remove(workspaceId, channel, this.validate(channel, address));
  }

  list(workspaceId: string, opts: { channel?: string | null; limit: number; cursor: string | null }) {
    if (opts.channel) this.validate(opts.channel, null);
    return this.uow.repos.optOuts.list(workspaceId, opts);
  }

  /** The one-click unsubscribe link put in every notification e-mail. */
  unsubscribeUrl(workspaceId: string, channel: string, address: string): string {
    const data = Buffer.from(JSON.stringify([workspaceId, channel, address]), 'utf8').toString('base64url');
    return `${this.publicUrl()}/unsubscribe/${data}.${this.secrets.mac('unsubscribe', data)}`;
  }

  /** Reads an unsubscribe token; null when it was not made by this installation. */
  readUnsubscribeToken(token: string): { workspaceId: string; channel: string; address: string } | null {
    const [data, mac] = token.split('.');
    if (!data || !mac || !this.secrets.verifyMac('unsubscribe', data, mac)) return null;
    try {
      const [workspaceId, channel, address] = JSON.parse(Buffer.from(data, 'base64url').toString('utf8')) as [string, string, string];
      return typeof workspaceId === 'string' && typeof channel === 'string' && typeof address === 'string' ? { workspaceId, channel, address } : null;
    } catch {
      return null;
    }
  }

  async unsubscribe(token: string): Promise<{ channel: string; address: string } | null> {
    const t = this.readUnsubscribeToken(token);
    if (!t) return null;
    await this.uow.repos.optOuts.add(t.workspaceId, { channel: t.channel, address: t.address, source: `${t.channel}:unsubscribe-link` });
    return { channel: t.channel, address: t.address };
  }

  private validate(channel: string, address: string | null): string {
    if (!channelProfile(channel)) throw invalidField('channel', `must be one of ${channelIds.join(', ')}`);
    if (address === null) return '';
    const normalized = normalizeAddress(channel, address);
    if (!normalized) throw invalidField('address', `is not a valid ${channelLabel(channel)} address`);
    return normalized;
  }
}
