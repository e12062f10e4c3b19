// The currency and language a workspace sells in: notification previews and sample values use them.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('workspaces').addColumn('currency', 'text').execute();
  await db.schema.alterTable('workspaces').addColumn('language', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('workspaces').dropColumn('language').execute();
  await db.schema.alterTable('workspaces').dropColumn('currency').execute();
}
