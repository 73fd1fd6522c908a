// Makes sure the test database exists (CI only): connects to `postgres` with
// the PG* settings and creates PGDATABASE (default `test`) when missing.
// Prints the user that worked, so .ci/run can export it.
import pg from 'pg';

const host = process.env.PGHOST ?? '127.0.0.1';
const port = Number(process.env.PGPORT ?? 5432);
const database = process.env.PGDATABASE ?? 'test';
const candidates = [process.env.PGUSER, process.env.USER, 'postgres', 'root'].filter(Boolean);

for (const user of [...new Set(candidates)]) {
  const client = new pg.Client({ host, port, user, database: 'postgres', connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch {
    continue;
  }
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (rowCount === 0) await client.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
    console.log(user);
    process.exit(0);
  } finally {
    await client.end().catch(() => undefined);
  }
}
console.error(`could not connect to Postgres at ${host}:${port} as any of: ${candidates.join(', ')}`);
process.exit(1);
