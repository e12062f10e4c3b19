// The brand a workspace shows its customers ({{ brand }} in notifications, codes and replies), apart from the
// workspace's own name, which is for the merchant's team.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('workspaces').addColumn('brand_name', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('workspaces').dropColumn('brand_name').execute();
}
