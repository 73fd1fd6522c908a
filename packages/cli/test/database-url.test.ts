import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { databaseUrlFrom } from '../src/index.js';
import { UsageError } from '../src/io.js';

describe('databaseUrlFrom', () => {
  test('the flag, then DATABASE_URL, then the PG* variables, then nothing', () => {
    assert.equal(databaseUrlFrom('postgres://a@h/x', { DATABASE_URL: 'postgres://b@h/y' }), 'postgres://a@h/x');
    assert.equal(databaseUrlFrom(undefined, { DATABASE_URL: 'postgres://b@h/y', PGHOST: 'other' }), 'postgres://b@h/y');
    assert.equal(databaseUrlFrom(undefined, { USER: 'me' }), undefined);
  });

  test('PGHOST as a Unix-socket directory gives a URL node-postgres reads back', () => {
    const url = databaseUrlFrom(undefined, { PGHOST: '/var/run/postgresql', PGPORT: '5433', PGDATABASE: 'test', PGUSER: 'postgres' });
    const c = new pg.Client({ connectionString: url }) as unknown as { host: string; port: number; database: string; user: string };
    assert.deepEqual([c.host, c.port, c.database, c.user], ['/var/run/postgresql', 5433, 'test', 'postgres']);
  });

  test('a PGDATABASE no URL can carry is a usage error that names it', () => {
    assert.throws(() => databaseUrlFrom(undefined, { PGDATABASE: 'a#b' }), (err: unknown) => err instanceof UsageError && /PGDATABASE/.test(err.message));
  });
});
