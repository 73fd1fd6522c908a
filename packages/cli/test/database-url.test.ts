import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { databaseUrlFrom, runCli } from '../src/index.js';
import { UsageError } from '../src/io.js';
import { captureIo } from './helpers/io.js';

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

  test('the URL forms node-postgres reads are taken as given: postgres://, postgresql://, a socket directory, socket:', () => {
    for (const url of [
      'postgres://a@h:5432/x',
      'postgresql://a:secret@[::1]:5433/x?sslmode=require',
      'POSTGRES://h/x',
      'postgres:///x',
      'postgres://a@/x?host=%2Fvar%2Frun%2Fpostgresql',
      'socket:/var/run/postgresql?db=x',
    ]) {
      assert.equal(databaseUrlFrom(url, {}), url);
      assert.equal(databaseUrlFrom(undefined, { DATABASE_URL: url }), url);
    }
  });

  test('a flag or DATABASE_URL that is no PostgreSQL URL is a usage error naming it, without echoing the value', () => {
    const bad: [string, RegExp][] = [
      ['not a url', /is not a postgres:\/\/ URL/],
      ['localhost:5432/mydb', /is not a postgres:\/\/ URL/],
      ['mysql://root:hunter22@db/app', /has the scheme "mysql:", not postgres: or postgresql:/],
      ['http://db:5432/app', /has the scheme "http:"/],
      ['postgres://h:99999/x', /cannot be read as a URL \(Invalid URL/],
      ['host=db dbname=app', /is not a postgres:\/\/ URL/],
      ['/var/run/postgresql app', /is not a postgres:\/\/ URL/],
    ];
    for (const [value, message] of bad) {
      for (const [flag, env, source] of [
        [value, {}, '--database-url'],
        [undefined, { DATABASE_URL: value }, 'DATABASE_URL'],
      ] as const) {
        assert.throws(
          () => databaseUrlFrom(flag, env),
          (err: unknown) =>
            err instanceof UsageError &&
            err.message.startsWith(`${source} `) &&
            message.test(err.message) &&
            /expected postgres:\/\/USER@HOST:PORT\/DATABASE/.test(err.message) &&
            !err.message.includes('hunter22'),
          `${source}=${value}`,
        );
      }
    }
    assert.throws(() => databaseUrlFrom('', { DATABASE_URL: 'postgres://b@h/y' }), /--database-url is empty/, 'an empty flag was typed: not a fallback');
    assert.equal(databaseUrlFrom(undefined, { DATABASE_URL: '', PGDATABASE: 'y' }), 'postgres://postgres@127.0.0.1:5432/y', 'an empty variable is unset');
    assert.throws(() => databaseUrlFrom(undefined, { PGHOST: 'h', PGPORT: 'abc' }), (err: unknown) => err instanceof UsageError && /PGPORT/.test(err.message));
  });

  test('through the CLI: a bad --database-url or DATABASE_URL exits 2 with the message, before any connection is tried', async () => {
    for (const [args, env] of [
      [['runs', '--database-url', 'not a url'], {}],
      [['timeline', 'abcd', '--database-url', 'localhost:5432/mydb'], {}],
      [['doctor'], { DATABASE_URL: 'mysql://db/app' }],
    ] as const) {
      const io = captureIo({ ...env });
      assert.equal(await runCli([...args], io), 2, args.join(' '));
      const stderr = io.stderr.join('\n');
      assert.match(stderr, /^agentspan \w+: (--database-url|DATABASE_URL) (is not a postgres:\/\/ URL|has the scheme)/, stderr);
      assert.doesNotMatch(stderr, /getaddrinfo|ENOTFOUND|startup packet/);
    }
  });
});
