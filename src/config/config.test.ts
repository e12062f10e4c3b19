import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
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
  it('reads any variable X from the file X_FILE names (trimmed), and refuses both at once', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shoptalk-config-'));
    try {
      const key = Buffer.alloc(32, 9).toString('base64');
      fs.writeFileSync(path.join(dir, 'master_key'), `${key}\n`);
      fs.writeFileSync(path.join(dir, 'database_url'), 'postgres://u:p@db/shoptalk\n');
      fs.writeFileSync(path.join(dir, 'port'), ' 9000 ');
      const c = loadConfig({
        SHOPTALK_MASTER_KEY_FILE: path.join(dir, 'master_key'),
        DATABASE_URL_FILE: path.join(dir, 'database_url'),
        PORT_FILE: path.join(dir, 'port'),
      });
      expect(c.masterKey).toBe(key);
      expect(c.database).toMatchObject({ kind: 'postgres', url: 'postgres://u:p@db/shoptalk' });
      expect(c.http.port).toBe(9000);

      // The file's value is validated like the variable's.
      fs.writeFileSync(path.join(dir, 'bad_port'), 'eighty');
      expect(() => loadConfig({ PORT_FILE: path.join(dir, 'bad_port') })).toThrow(/PORT: must be a whole number/);
      // Both set: an error naming both.
      expect(() => loadConfig({ SHOPTALK_MASTER_KEY: key, SHOPTALK_MASTER_KEY_FILE: path.join(dir, 'master_key') })).toThrow(
        /SHOPTALK_MASTER_KEY and SHOPTALK_MASTER_KEY_FILE: both are set/,
      );
      // A file that cannot be read names the variable and the path.
      expect(() => loadConfig({ REDIS_URL_FILE: path.join(dir, 'missing') })).toThrow(/REDIS_URL_FILE: cannot read .*missing \(ENOENT\)/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
