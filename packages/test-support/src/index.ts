import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { postgresUrl } from '@agentspan/exporter-postgres';

/**
 * Connection settings for the test database: `DATABASE_URL` when set,
 * otherwise the PG* variables, with database `test` on 127.0.0.1:5432 as the
 * fallback these machines provide.
 */
export function testConnectionConfig(): pg.PoolConfig {
  const url = process.env['DATABASE_URL'];
  if (url) return { connectionString: url };
  return {
    host: process.env['PGHOST'] ?? '127.0.0.1',
    port: Number(process.env['PGPORT'] ?? 5432),
    database: process.env['PGDATABASE'] ?? 'test',
    user: process.env['PGUSER'] ?? process.env['USER'] ?? 'postgres',
  };
}

/** The same settings as a connection string (for code that takes a URL; a socket directory in `PGHOST` included). */
export function testDatabaseUrl(): string {
  const url = process.env['DATABASE_URL'];
  if (url) return url;
  const c = testConnectionConfig();
  return postgresUrl({ host: String(c.host), port: Number(c.port), database: String(c.database), user: String(c.user), password: process.env['PGPASSWORD'] });
}

/** A schema of its own for one test file; `drop()` removes it and closes the pool. */
export interface TestSchema {
  /** The schema name, e.g. `t_exporter_3f9a1c`. */
  readonly schema: string;
  /** A pool whose connections have `search_path` set to the schema. */
  readonly pool: pg.Pool;
  /** A connection string that selects the schema through `options=-c search_path=...`. */
  readonly url: string;
  drop(): Promise<void>;
}

/** Creates a fresh schema so test files never see each other's rows. */
export async function createTestSchema(prefix: string): Promise<TestSchema> {
  const schema = `t_${prefix.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client(testConnectionConfig());
  await admin.connect();
  try {
    await admin.query(`CREATE SCHEMA "${schema}"`);
  } finally {
    await admin.end();
  }
  const pool = new pg.Pool({ ...testConnectionConfig(), max: 4, options: `-c search_path="${schema}"` });
  pool.on('error', () => {
    /* idle client errors are reported by the query that meets them */
  });
  const base = testDatabaseUrl();
  const url = `${base}${base.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  return {
    schema,
    pool,
    url,
    async drop() {
      await pool.end();
      const c = new pg.Client(testConnectionConfig());
      await c.connect();
      try {
        await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await c.end();
      }
    },
  };
}
export { startTcpProxy } from './tcp-proxy.js';
export type { TcpProxy, ProxyMode } from './tcp-proxy.js';
export { startThrowawayCluster, throwawayClusterUnavailable } from './pg-cluster.js';
export type { ThrowawayCluster } from './pg-cluster.js';
export { silentAtRollback } from './silent-proxy.js';
export type { SilentAtRollbackProxy } from './silent-proxy.js';
export { cpuMillis, fastestUnder, timeOnce } from './time-bound.js';
