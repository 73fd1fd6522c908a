import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import pg from 'pg';
import { formerTargetOf, postgresUrl, spoolKindFor, spoolTargetOf } from '../src/index.js';

const kindOf = (connectionString: string, schema?: string): string => spoolKindFor(spoolTargetOf({ connectionString, schema }));

describe('spoolTargetOf: which database a spool is for', () => {
  it('a URL naming its host keeps the key spools always had (host, port and database as written)', () => {
    assert.deepEqual(spoolTargetOf({ connectionString: 'postgres://u:secret@db.example:5433/app?options=-c%20search_path%3Dx' }), {
      host: 'db.example',
      port: '5433',
      database: 'app',
      schema: '-c search_path=x',
    });
    assert.deepEqual(spoolTargetOf({ connectionString: 'postgresql://u@127.0.0.1/test', schema: 'agentspan' }), {
      host: '127.0.0.1',
      port: '',
      database: 'test',
      schema: 'agentspan',
    });
    // Pinned (the kind earlier versions gave this target): their spools must still be replayed.
    assert.equal(kindOf('postgres://postgres@127.0.0.1:5432/test', 'agentspan'), 'pg_6f6344c5dd80');
  });

  it('socket directories in ?host= are part of the key, with or without a user name', () => {
    const kinds = new Set<string>();
    for (const dir of ['/run/postgresql', '/tmp/pg-a', '/tmp/pg b']) {
      const withUser = postgresUrl({ host: dir, port: 5432, database: 'test', user: 'postgres' });
      const withoutUser = `postgres:///test?host=${encodeURIComponent(dir)}`;
      assert.equal(spoolTargetOf({ connectionString: withUser }).host, dir, withUser);
      assert.equal(spoolTargetOf({ connectionString: withoutUser }).host, dir, withoutUser);
      assert.equal(kindOf(withUser), kindOf(withoutUser), 'the user name is not part of the key');
      kinds.add(kindOf(withUser));
    }
    assert.equal(kinds.size, 3);
    assert.equal(spoolTargetOf({ connectionString: 'socket:/run/postgresql?db=app' }).host, '/run/postgresql');
    assert.equal(spoolTargetOf({ connectionString: 'socket:/run/postgresql?db=app' }).database, 'app');
  });

  it('what a URL leaves out is what node-postgres fills in (PGHOST, PGPORT), not a blank', () => {
    const expected = new pg.Client({});
    const target = spoolTargetOf({ connectionString: 'postgres:///test' });
    assert.equal(target.host, expected.host);
    assert.equal(target.port, expected.port);
    assert.equal(target.database, 'test');
  });

  it('a pool is keyed by the settings it connects with; credentials never are', () => {
    const pool = new pg.Pool({ host: '/tmp/pg-a', port: 5433, database: 'app', user: 'a', password: 'one' });
    const other = new pg.Pool({ host: '/tmp/pg-a', port: 5433, database: 'app', user: 'b', password: 'two' });
    const elsewhere = new pg.Pool({ host: '/tmp/pg-b', port: 5433, database: 'app', user: 'a', password: 'one' });
    const fromUrl = new pg.Pool({ connectionString: 'postgres://a:one@/app?host=/tmp/pg-a&port=5433' });
    try {
      const target = spoolTargetOf({ pool, schema: 's' });
      assert.deepEqual(target, { host: '/tmp/pg-a', port: 5433, database: 'app', schema: 's' });
      assert.deepEqual(spoolTargetOf({ pool: other, schema: 's' }), target);
      assert.deepEqual(spoolTargetOf({ pool: fromUrl, schema: 's' }), target);
      assert.notDeepEqual(spoolTargetOf({ pool: elsewhere, schema: 's' }), target);
      assert.equal(spoolTargetOf({ pool, connectionString: 'postgres://x@elsewhere/db', schema: 's' }).host, '/tmp/pg-a', 'a pool wins, as in the exporter');
    } finally {
      for (const p of [pool, other, elsewhere, fromUrl]) void p.end();
    }
  });

  it('the key of earlier versions is claimed only where it named the server whole', () => {
    const pool = (options: pg.PoolConfig) => ({ options }) as unknown as pg.Pool;
    assert.equal(formerTargetOf({ pool: pool({ host: 'localhost' }) }), undefined, 'PGPORT / PGDATABASE filled in the rest');
    assert.equal(formerTargetOf({ pool: pool({ host: 'localhost', port: 5432 }) }), undefined);
    assert.deepEqual(formerTargetOf({ pool: pool({ host: 'db', port: 5433, database: 'app' }), schema: 's' }), { host: 'db', port: 5433, database: 'app', schema: 's' });
    assert.ok(formerTargetOf({ pool: pool({ connectionString: 'postgres://u:p@db:5433/app' }) }));
    assert.equal(formerTargetOf({ pool: pool({ connectionString: 'postgres:///app' }) }), undefined);
    assert.equal(formerTargetOf({ connectionString: 'postgres:///app?host=/run/a' }), undefined, 'the old key left the socket directory out');
    assert.ok(formerTargetOf({ connectionString: 'postgres://u@/app?host=/run/a' }), 'refused by new URL: the whole string was the key');
    assert.ok(formerTargetOf({ connectionString: 'postgres://u@db/app' }));
  });

  it('property: any string gives a target, never an exception; a URL\'s password is never part of it', () => {
    const password = 'Pw' + 'x'.repeat(12);
    const text = fc.string({ maxLength: 60, unit: 'binary' });
    fc.assert(
      fc.property(text, text, fc.constantFrom('postgres', 'postgresql', 'socket'), (host, rest, scheme) => {
        assert.equal(typeof spoolKindFor(spoolTargetOf({ connectionString: host + rest })), 'string');
        const url = `${scheme}://u:${password}@${host}/${rest}`;
        const target = spoolTargetOf({ connectionString: url });
        assert.ok(!JSON.stringify(target).includes(password), url);
        assert.deepEqual(spoolTargetOf({ connectionString: url.replace(password, 'other') }), target, 'a new password keeps the kind');
      }),
      { numRuns: 1000 },
    );
  });
});
