import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { testConnectionConfig, type TestSchema } from '@agentspan/test-support';
import { STACK_PATHS } from '../src/index.js';
import { readRepoFile } from './stack-files.js';

/** A Grafana reader role of a test's own (roles are cluster-wide; test runs must not share one). */
export interface ReaderRole {
  role: string;
  password: string;
  /** A connection as the role, with `search_path` set to the test schema. */
  connect(): Promise<pg.Client>;
  drop(): Promise<void>;
}

/**
 * Applies docker/postgres/init/02-grafana-reader.sql in the test schema with
 * the role renamed (`grafana_reader` → a unique name) and gives it a password.
 */
export async function createReaderRole(db: TestSchema): Promise<ReaderRole> {
  const role = `grafana_reader_t${randomBytes(4).toString('hex')}`;
  const password = randomBytes(12).toString('hex');
  const original = readRepoFile(STACK_PATHS.grafanaReaderSql);
  const sql = original.replaceAll('grafana_reader', role);
  assert.notEqual(sql, original, 'the file names the role grafana_reader');
  const client = await db.pool.connect();
  try {
    await client.query(sql);
    await client.query(`ALTER ROLE ${role} WITH PASSWORD '${password}'`);
  } finally {
    client.release();
  }
  return {
    role,
    password,
    async connect() {
      const c = new pg.Client({ ...testConnectionConfig(), user: role, password, options: `-c search_path="${db.schema}"` });
      c.on('error', () => undefined);
      await c.connect();
      return c;
    },
    async drop() {
      const admin = new pg.Client(testConnectionConfig());
      await admin.connect();
      try {
        await admin.query(`DROP OWNED BY ${role}`);
        await admin.query(`DROP ROLE IF EXISTS ${role}`);
      } finally {
        await admin.end();
      }
    },
  };
}
