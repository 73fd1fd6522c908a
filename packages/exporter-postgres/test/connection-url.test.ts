import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import pg from 'pg';
import { testConnectionConfig } from '@agentspan/test-support';
import { postgresUrl } from '../src/index.js';

/** What node-postgres makes of a URL (host, port, database, user, password). */
function parsed(url: string): { host: string; port: number; database: string; user: string; password: string | null } {
  const c = new pg.Client({ connectionString: url });
  const p = c as unknown as { host: string; port: number; database: string; user: string; password: string | null };
  return { host: p.host, port: p.port, database: p.database, user: p.user, password: p.password ?? null };
}

describe('postgresUrl', () => {
  it('node-postgres reads back the same settings: host names, addresses, socket directories', () => {
    for (const host of ['127.0.0.1', 'db.example', '::1', '/var/run/postgresql', '/tmp/pg sockets']) {
      const got = parsed(postgresUrl({ host, port: 5433, database: 'test', user: 'postgres' }));
      assert.deepEqual(got, { host, port: 5433, database: 'test', user: 'postgres', password: null }, host);
    }
  });

  it('property: any user and password, and any database name a URL can carry, survive the round trip', () => {
    const text = fc.string({ minLength: 1, maxLength: 20 }).filter((s) => !s.includes('\u0000'));
    const database = text.filter((s) => !/[#?]/.test(s) && !s.split('/').some((step) => step === '.' || step === '..'));
    fc.assert(
      fc.property(text, fc.option(text, { nil: undefined }), database, fc.constantFrom('127.0.0.1', '/var/run/postgresql'), (user, password, database, host) => {
        const got = parsed(postgresUrl({ host, port: 5432, database, user, password }));
        assert.deepEqual(got, { host, port: 5432, database, user, password: password ?? null });
      }),
      { numRuns: 3000 },
    );
  });

  it('database names with reserved, percent and non-ASCII characters', () => {
    for (const database of ['a/b', 'a;b:c@d&e=f+g$h,i', 'a b%c%25', 'é😀', '[x]{}|^`\\']) {
      for (const host of ['127.0.0.1', '/var/run/postgresql']) {
        assert.equal(parsed(postgresUrl({ host, port: 5432, database, user: 'u' })).database, database, `${database} via ${host}`);
      }
    }
  });

  it('refuses a database name no URL can carry, with a clear error', () => {
    for (const database of ['a#b', 'a?b', '.', '..', 'a/../b', 'a/./b']) {
      assert.throws(() => postgresUrl({ host: '127.0.0.1', port: 5432, database, user: 'u' }), /cannot be written in a postgres:\/\/ URL/);
    }
  });

  it('connects to the test server through the URL it builds', async () => {
    const cfg = testConnectionConfig();
    if (cfg.connectionString) return; // DATABASE_URL given: nothing to build
    const client = new pg.Client({ connectionString: postgresUrl({ host: String(cfg.host), port: Number(cfg.port), database: String(cfg.database), user: String(cfg.user) }) });
    await client.connect();
    try {
      assert.equal((await client.query<{ one: number }>('SELECT 1 AS one')).rows[0]?.one, 1);
    } finally {
      await client.end();
    }
  });
});
