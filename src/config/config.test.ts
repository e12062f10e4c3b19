import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './index.js';

describe('config', () => {
  it('needs no variables: embedded SQLite in ./data, port 8080', () => {
    const c = loadConfig({});
    expect(c.database).toMatchObject({ kind: 'sqlite' });
    expect(c.database.kind === 'sqlite' && c.database.file.endsWith('data/shoptalk.db')).toBe(true);
    expect(c.http.port).toBe(8080);
    expect(c.redisUrl).toBeNull();
    expect(c.http.publicUrl).toBe('http://127.0.0.1:8080');
  });

  it('names every invalid variable', () => {
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', SHOPTALK_WORKER_CONCURRENCY: '0', LOG_LEVEL: 'loud' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const message = (err as Error).message;
      for (const name of ['PORT', 'DATABASE_URL', 'SHOPTALK_WORKER_CONCURRENCY', 'LOG_LEVEL']) expect(message).toContain(name);
    }
  });

  it('requires the master key with PostgreSQL', () => {
    expect(() => loadConfig({ DATABASE_URL: 'postgres://u@localhost/db' })).toThrow(/SHOPTALK_MASTER_KEY: required/);
    expect(() => loadConfig({ DATABASE_URL: 'postgres://u@localhost/db', SHOPTALK_MASTER_KEY: 'c2hvcnQ=' })).toThrow(/SHOPTALK_MASTER_KEY: must be 32 bytes/);
    const c = loadConfig({ DATABASE_URL: 'postgres://u@localhost/db', SHOPTALK_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'), REDIS_URL: 'redis://localhost:6379' });
    expect(c.database.kind).toBe('postgres');
    expect(c.redisUrl).toBe('redis://localhost:6379');
  });
});
