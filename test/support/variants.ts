// The hubs a test file runs against: SQLite always, and PostgreSQL too where the test database is reachable.
import type { HubVariant } from './hub.js';
import { storageKinds } from './services.js';

/**
 * queue 'redis': the PostgreSQL hub runs its jobs on BullMQ and Redis (SQLite keeps the SQL job queue);
 * queue 'sql': both run the SQL job queue. `extra` goes into every variant (e.g. a test clock).
 */
export function hubVariants(queue: 'redis' | 'sql', extra: Partial<Omit<HubVariant, 'name' | 'db' | 'redis'>> = {}): HubVariant[] {
  const names = queue === 'redis' ? ['SQLite, SQL jobs', 'PostgreSQL, BullMQ on Redis'] : ['SQLite', 'PostgreSQL'];
  return [
    { ...extra, name: names[0]!, db: 'sqlite', redis: false },
    ...(storageKinds.includes('postgres') ? [{ ...extra, name: names[1]!, db: 'postgres' as const, redis: queue === 'redis' }] : []),
  ];
}
