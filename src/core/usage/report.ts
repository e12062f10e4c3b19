// Usage for billing: per month, channel, sending account, owner (platform's shared account or the merchant's
// own) and category. The same rows serve the merchant's view and the operator's report across workspaces.
import { invalidField } from '../errors.js';
import { csvField } from '../csv.js';
import type { UsageRow } from './repo.js';

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

export function monthRange(from: string | undefined, to: string | undefined, now = new Date()): { from: string; to: string } {
  const current = now.toISOString().slice(0, 7);
  const range = { from: from ?? to ?? current, to: to ?? from ?? current };
  if (!MONTH.test(range.from)) throw invalidField('from', 'must be a month as YYYY-MM');
  if (!MONTH.test(range.to)) throw invalidField('to', 'must be a month as YYYY-MM');
  if (range.from > range.to) throw invalidField('from', 'must not be after to');
  return range;
}

export function usageTotals(rows: UsageRow[]): { messages: number; byOwner: Record<string, number>; byChannel: Record<string, number> } {
  const byOwner: Record<string, number> = {};
  const byChannel: Record<string, number> = {};
  let messages = 0;
  for (const r of rows) {
    messages += r.messages;
    byOwner[r.owner] = (byOwner[r.owner] ?? 0) + r.messages;
    byChannel[r.channel] = (byChannel[r.channel] ?? 0) + r.messages;
  }
  return { messages, byOwner, byChannel };
}

/** The usage rows as CSV; `accountNames` maps sending account ids to their names (empty where unknown). */
export function usageCsv(rows: UsageRow[], withWorkspace: boolean, accountNames: ReadonlyMap<string, string> = new Map()): string {
  const header = [...(withWorkspace ? ['workspace_id'] : []), 'month', 'channel', 'channel_account_id', 'channel_account_name', 'provider', 'owner', 'category', 'messages'];
  const lines = rows.map((r) =>
    [...(withWorkspace ? [r.workspaceId] : []), r.month, r.channel, r.channelAccountId, accountNames.get(r.channelAccountId) ?? '', r.provider, r.owner, r.category, r.messages].map(csvField).join(','),
  );
  return [header.join(','), ...lines].join('\n') + '\n';
}
