// Billable sends, recorded once per message and summed per month, channel and account.
import type { Db } from '../database.js';
import type { UsageRepo } from '../../core/usage/repo.js';
import { newId } from '../../core/ids.js';
import { insertRow } from '../prepared.js';

export function usageRepo(db: Db): UsageRepo {
  const aggregate = (fromMonth: string, toMonth: string) =>
    db
      .selectFrom('usage_records')
      .select(['workspace_id', 'month', 'channel', 'channel_account_id', 'provider', 'owner', 'category', (eb) => eb.fn.countAll<number>().as('n')])
      .where('month', '>=', fromMonth)
      .where('month', '<=', toMonth)
      .groupBy(['workspace_id', 'month', 'channel', 'channel_account_id', 'provider', 'owner', 'category'])
      .orderBy('workspace_id')
      .orderBy('month')
      .orderBy('channel')
      .orderBy('channel_account_id')
      .orderBy('category');
  const toRow = (r: { workspace_id: string; month: string; channel: string; channel_account_id: string; provider: string; owner: string; category: string; n: number | string | bigint }) => ({
    workspaceId: r.workspace_id,
    month: r.month,
    channel: r.channel,
    channelAccountId: r.channel_account_id,
    provider: r.provider,
    owner: r.owner,
    category: r.category,
    messages: Number(r.n),
  });
  return {
    async record(workspaceId, input) {
      const month = new Date(input.at).toISOString().slice(0, 7);
      await insertRow(
        db,
        'usage_records',
        {
          id: newId('use'),
          workspace_id: workspaceId,
          message_id: input.messageId,
          channel: input.channel,
          channel_account_id: input.channelAccountId,
          provider: input.provider,
          owner: input.owner,
          category: input.category,
          month,
          created_at: input.at,
        },
        ['message_id'],
      );
    },
    async summary(workspaceId, fromMonth, toMonth) {
      return (await aggregate(fromMonth, toMonth).where('workspace_id', '=', workspaceId).execute()).map(toRow);
    },
    async report(fromMonth, toMonth) {
      return (await aggregate(fromMonth, toMonth).execute()).map(toRow);
    },
  };
}
