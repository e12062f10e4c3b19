// The W3C traceparent of the span that enqueued a job (null when tracing is off), so that the job's span continues
// that trace in whichever process runs it.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('jobs').addColumn('trace_parent', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('jobs').dropColumn('trace_parent').execute();
}
