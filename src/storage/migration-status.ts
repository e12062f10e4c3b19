// Which migrations of this version the database has run, and when (`shoptalk migrate --status`, GET /v1/version).
// Reading the status changes nothing: on a database that never ran a migration every one is pending.
import { Migrator } from 'kysely';
import type { Storage } from './database.js';
import { migrations } from './database.js';

export interface MigrationState {
  name: string;
  /** When the migration ran (the migration table keeps it); null while pending. */
  appliedAt: Date | null;
}

export interface MigrationSummary {
  /** Migrations this version knows. */
  known: number;
  applied: number;
  pending: number;
  /** The newest applied migration by name, null on an empty database. */
  lastApplied: string | null;
}

export async function migrationStatus(storage: Storage): Promise<MigrationState[]> {
  const migrator = new Migrator({ db: storage.db, provider: { getMigrations: async () => migrations }, allowUnorderedMigrations: true });
  const infos = await migrator.getMigrations();
  return infos.map((m) => ({ name: m.name, appliedAt: m.executedAt ?? null })).sort((a, b) => a.name.localeCompare(b.name));
}

/** The status of a database that does not exist yet: every migration pending. */
export function noDatabaseStatus(): MigrationState[] {
  return Object.keys(migrations)
    .sort((a, b) => a.localeCompare(b))
    .map((name) => ({ name, appliedAt: null }));
}

export function summarise(states: MigrationState[]): MigrationSummary {
  const applied = states.filter((m) => m.appliedAt !== null);
  return { known: states.length, applied: applied.length, pending: states.length - applied.length, lastApplied: applied.at(-1)?.name ?? null };
}
