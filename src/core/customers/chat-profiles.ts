// Chat profiles: the display name a channel reports for a chat user (LINE's profile API), stored on the
// customer's identity and, while the customer has no name, as the customer's name. Asked for in its own job,
// at most once a day per identity (the ask is recorded when the job is queued), so a slow or failing profile
// API never holds up the conversation.
import { ProviderError } from '../errors.js';
import type { Logger, Providers } from '../providers.js';
import type { UnitOfWork } from '../repos.js';
import type { SecretBox } from '../secrets/secret-box.js';
import type { JobContext } from '../jobs.js';
import { PermanentJobError } from '../jobs.js';

export class ChatProfiles {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly providers: Providers,
    private readonly secrets: SecretBox,
    private readonly log: Logger,
  ) {}

  /** Job handler for chat-profile.fetch. */
  async refresh(payload: { channelAccountId: string; customerId: string; identityId: string; userId: string }, ctx: JobContext): Promise<void> {
    const workspaceId = ctx.workspaceId;
    if (!workspaceId) throw new PermanentJobError('chat-profile.fetch needs a workspace');
    const { repos } = this.uow;
    const account = await repos.channelAccounts.get(workspaceId, payload.channelAccountId);
    const adapter = account ? this.providers.channel(account.provider) : null;
    if (!account || !adapter?.getProfile) throw new PermanentJobError(`channel account ${payload.channelAccountId} no longer exists or has no profile API`);
    let displayName: string | null;
    try {
      displayName = (await adapter.getProfile({ settings: account.settings, secrets: this.secrets.open(account.sealedSecrets) }, payload.userId)).displayName;
    } catch (err) {
      // 404: the user blocked the account or is unknown to it. Asked again tomorrow at the earliest.
      if (err instanceof ProviderError && err.kind === 'permanent') {
        this.log.info({ workspaceId, channelAccountId: account.id, httpStatus: err.httpStatus ?? null }, 'chat profile not available');
        return;
      }
      throw err;
    }
    if (!displayName) return;
    await this.uow.transaction(async (tx) => {
      await tx.customers.setIdentityProfile(workspaceId, payload.identityId, { displayName, checkedAt: Date.now() });
      const customer = await tx.customers.get(workspaceId, payload.customerId);
      if (customer && !customer.name) await tx.customers.update(workspaceId, customer.id, { name: displayName });
    });
  }
}
