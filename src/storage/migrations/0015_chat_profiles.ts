// Chat profiles on identities: the display name a channel reports for a chat user (LINE profile API), and when
// it was last asked, so the hub asks at most once a day per identity and a failure is not retried every message.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('customer_identities').addColumn('display_name', 'text').execute();
  await db.schema.alterTable('customer_identities').addColumn('profile_checked_at', 'bigint').execute();
}
