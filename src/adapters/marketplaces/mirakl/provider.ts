// EmpikPlace (Mirakl's seller API) as a provider: its message threads become tickets, imported by a poll.
import { z } from 'zod';
import { defineMarketplace } from '../../../core/connections/definition.js';
import { credential, field } from '../../../core/connections/fields.js';
import { invalidField } from '../../../core/errors.js';
import { MiraklAdapter } from './adapter.js';

export const empikplaceProvider = defineMarketplace({
  id: 'empikplace',
  kind: 'marketplace',
  label: 'EmpikPlace',
  title: 'EmpikPlace',
  credentials: z.object({
    name: field(z.string().trim().min(1).max(200), { label: 'Name', example: 'EmpikPlace shop' }),
    api_key: field(credential(8, 500), { label: 'API key', secret: true }),
    shop_id: field(credential(0, 40, { trim: true }), { label: 'Shop id', example: '2001' }).optional(),
    customer_id_field_id: field(z.string().max(100), { label: 'Customer id field (cf_…)', help: 'the custom field that holds the buyer’s EmpikPlace customer id', example: 'cf_2Xk9' }),
    queue_id: field(z.string().max(100), { label: 'Queue (q_…)', help: 'the queue its tickets go to', example: 'q_7Hd2' }),
    category_id: field(z.string().max(100), { label: 'Category (cat_…)', help: 'the category its tickets get', example: 'cat_4Pm1' }),
  }),
  baseUrls: [{ env: 'SHOPTALK_EMPIKPLACE_API_URL', key: 'empikplaceApiUrl', default: 'https://marketplace.empik.com' }],
  create: (ctx) => new MiraklAdapter({ baseUrl: ctx.url('empikplaceApiUrl') }),
  async connect(input, ctx) {
    const { repos, workspaceId } = ctx;
    if (!(await repos.customFields.get(workspaceId, input.customer_id_field_id))) throw invalidField('customer_id_field_id', `no custom field ${input.customer_id_field_id} in this workspace`);
    if (!(await repos.queues.get(workspaceId, input.queue_id))) throw invalidField('queue_id', `no queue ${input.queue_id} in this workspace`);
    if (!(await repos.categories.get(workspaceId, input.category_id))) throw invalidField('category_id', `no category ${input.category_id} in this workspace`);
    const settings: Record<string, string> = input.shop_id ? { shopId: input.shop_id } : {};
    const secrets = { apiKey: input.api_key };
    const account = await ctx.verify((a) => a.verifyAccount({ settings, secrets }), {
      rejected: (reason) => reason,
      unavailable: (reason) => `EmpikPlace did not answer: ${reason}`,
      bare: true,
    });
    const enabledAt = Date.now();
    return {
      externalId: account.shopId,
      name: input.name.trim(),
      settings: { shopId: account.shopId, shopName: account.shopName, customerIdFieldId: input.customer_id_field_id, queueId: input.queue_id, categoryId: input.category_id, enabledAt: String(enabledAt) },
      secrets,
      verified: { displayName: account.shopName },
      conflict: `EmpikPlace shop ${account.shopId} is already connected in this workspace`,
      // Threads updated from now on are imported.
      poll: { state: { since: enabledAt, until: null, cursor: null, token: ctx.randomToken(12), failures: 0, lastPolledAt: null }, job: 'marketplace.poll' },
    };
  },
});

