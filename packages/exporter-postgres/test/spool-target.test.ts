import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import pg from 'pg';
import { formerTargetOf, postgresUrl, spoolKindFor, spoolTargetOf } from '../src/index.js';

const kindOf = (connectionString: string, schema?: string): string => spoolKindFor(spoolTargetOf({ connectionString, schema }));

/** Runs `fn` with the given `PG*` variables set (undefined: unset), restoring them afterwards. */
function withEnv<T>(vars: Record<string, string | undefined>, fn: () => T): T {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  const apply = (v: Record<string, string | undefined>): void => {
    for (const [k, value] of Object.entries(v)) {
      if (value === undefined) delete process.env[k];
      else process.env[k] = value;
    }
  };
  apply(vars);
  try {
    return fn();
  } finally {
    apply(saved);
  }
}

describe('spoolTargetOf: which database a spool is for', () => {
  it('a URL naming its host keeps the key spools always had (host, port and database as written)', () => {
    assert.deepEqual(spoolTargetOf({ connectionString: 'postgres://u:secret@db.example:5433/app?options=-c%20search_path%3Dx' }), {
      host: 'db.example',
      port: '5433',
      database: 'app',
      schema: '-c search_path=x',
    });
    // Pinned (the kind earlier versions gave this target): their spools must still be replayed.
    assert.equal(kindOf('postgres://postgres@127.0.0.1:5432/test', 'agentspan'), 'pg_6f6344c5dd80');
  });

  it('a URL naming its host but no port is keyed by the port node-postgres connects to: PGPORT, else 5432', () => {
    const url = 'postgres://postgres@127.0.0.1/db';
    const a = withEnv({ PGPORT: '55439' }, () => ({ kind: kindOf(url), port: spoolTargetOf({ connectionString: url }).port, pg: new pg.Client({ connectionString: url }).port }));
    const b = withEnv({ PGPORT: undefined }, () => ({ kind: kindOf(url), port: spoolTargetOf({ connectionString: url }).port, pg: new pg.Client({ connectionString: url }).port }));
    assert.deepEqual([a.pg, b.pg], [55439, 5432], 'node-postgres itself connects to PGPORT, else 5432');
    assert.equal(String(a.port), '55439');
    assert.equal(String(b.port), '5432');
    assert.notEqual(a.kind, b.kind, 'rows spooled for the server on 55439 are not replayed into the one on 5432');
    // The default port, written or filled in, is one target (and the pinned kind above stays).
    assert.equal(withEnv({ PGPORT: undefined }, () => kindOf('postgres://postgres@127.0.0.1/test', 'agentspan')), 'pg_6f6344c5dd80');
    // ?port= wins over PGPORT and over the URL's own port, as in node-postgres.
    assert.equal(withEnv({ PGPORT: '55439' }, () => String(spoolTargetOf({ connectionString: 'postgres://h:1/db?port=6543' }).port)), '6543');
  });

  it('a URL naming its host but no database is keyed by the database node-postgres uses: PGDATABASE, else the user name', () => {
    withEnv({ PGDATABASE: undefined, PGUSER: undefined }, () => {
      assert.equal(spoolTargetOf({ connectionString: 'postgres://alice@db.example:5433' }).database, 'alice');
      assert.notEqual(kindOf('postgres://alice@db.example:5433'), kindOf('postgres://bob@db.example:5433'));
    });
    withEnv({ PGDATABASE: 'app', PGUSER: undefined }, () => {
      assert.equal(spoolTargetOf({ connectionString: 'postgres://alice@db.example:5433' }).database, 'app');
      assert.equal(kindOf('postgres://alice@db.example:5433'), kindOf('postgres://bob@db.example:5433/app'), 'the user name is not part of the key');
    });
  });

  it('property: host, port and database of a URL naming its host are what node-postgres connects to, whatever PG* says', () => {
    const part = (values: string[]) => fc.constantFrom(...values);
    fc.assert(
      fc.property(
        part(['db.example', '127.0.0.1', 'localhost']),
        part(['', ':5432', ':6543']),
        part(['', '/app', '/other']),
        part(['', '?port=7000', '?host=/run/pg', '?user=carol', '?options=-c%20search_path%3Ds']),
        part(['', 'u@', 'u:pw@']),
        fc.record({
          PGPORT: fc.constantFrom<string | undefined>(undefined, '55439'),
          PGDATABASE: fc.constantFrom<string | undefined>(undefined, 'envdb'),
          PGUSER: fc.constantFrom<string | undefined>(undefined, 'envuser'),
        }),
        (host, port, path, query, auth, env) => {
          const url = `postgres://${auth}${host}${port}${path}${query}`;
          withEnv(env, () => {
            const client = new pg.Client({ connectionString: url });
            const target = spoolTargetOf({ connectionString: url });
            assert.deepEqual(
              { host: target.host, port: String(target.port), database: target.database },
              { host: client.host, port: String(client.port), database: client.database },
              `${url} ${JSON.stringify(env)}`,
            );
          });
        },
      ),
      { numRuns: 500 },
    );
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
    assert.ok(formerTargetOf({ connectionString: 'postgres://u@/app?host=/run/a&port=5433' }), 'refused by new URL: the whole string was the key');
    assert.equal(formerTargetOf({ connectionString: 'postgres://u@/app?host=/run/a' }), undefined, 'the whole string, but PGPORT chose the socket');
    assert.deepEqual(formerTargetOf({ connectionString: 'postgres://u@db:5433/app' }), { host: 'db', port: '5433', database: 'app', schema: '' });
    // The old key of a URL took its parts as written: a blank port or database, or a ?host= / ?port= it
    // left out, was filled in by PG* or the query, so the same key meant different servers.
    for (const url of ['postgres://u@db/app', 'postgres://u@db:5433', 'postgres://u@db:5433/app?port=6000', 'postgres://u@db:5433/app?host=/run/a']) {
      assert.equal(formerTargetOf({ connectionString: url }), undefined, url);
    }
    assert.equal(formerTargetOf({ pool: pool({ connectionString: 'postgres://u:p@db/app' }) }), undefined, 'a pool\'s string without a port');
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
