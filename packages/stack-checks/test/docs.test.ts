import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import { runMigrations } from '@agentspan/exporter-postgres';
import { createTestSchema, type TestSchema } from '@agentspan/test-support';
import { REPO_ROOT, repoPath } from '../src/index.js';
import { exists, readRepoFile } from './stack-files.js';

const DOCS = ['docs/README.md', 'docs/architecture.md', 'docs/configuration.md', 'docs/operations.md', 'docs/other-languages.md'];

function filesUnder(rel: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(repoPath(dir))) {
      const p = posix.join(dir, name);
      if (statSync(repoPath(p)).isDirectory()) walk(p);
      else if (p.endsWith('.ts')) out.push(p);
    }
  };
  if (exists(rel)) walk(rel);
  return out;
}

test('the docs exist and the architecture page has a Mermaid diagram', () => {
  for (const d of DOCS) assert.ok(exists(d), d);
  assert.match(readRepoFile('docs/architecture.md'), /```mermaid\n(flowchart|graph) /);
});

test('every relative link in the docs and the stack READMEs points at a file that exists', () => {
  for (const d of [...DOCS, 'docker/README.md', 'collector-config/README.md', 'packages/stack-checks/README.md', 'examples/README.md']) {
    const text = readRepoFile(d);
    for (const m of text.matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)) {
      const target = m[1]!;
      if (/^[a-z]+:/.test(target)) continue;
      const resolved = posix.normalize(posix.join(posix.dirname(d), target));
      assert.ok(exists(resolved), `${d} links to ${target} (${resolved})`);
    }
  }
});

test('the configuration reference documents every startAgentspan option', () => {
  const types = readRepoFile('packages/node/src/types.ts');
  const body = /export interface AgentspanOptions \{([\s\S]*?)\n\}/.exec(types);
  assert.ok(body, 'AgentspanOptions found');
  const options = [...body[1]!.matchAll(/^ {2}(\w+)\??:/gm)].map((m) => m[1]!);
  assert.ok(options.length >= 15, `options: ${options.join(', ')}`);
  const doc = readRepoFile('docs/configuration.md');
  for (const o of options) assert.ok(doc.includes(`\`${o}\``), `docs/configuration.md documents the option ${o}`);
});

test('the configuration reference documents every environment variable agentspan, the CLI and the examples read', () => {
  const sources = [...filesUnder('packages/node/src'), ...filesUnder('packages/cli/src'), ...filesUnder('examples/src')];
  assert.ok(sources.length > 5);
  const names = new Set<string>();
  for (const f of sources) {
    const text = readFileSync(join(REPO_ROOT, f), 'utf8');
    for (const m of text.matchAll(/\b(OTEL_[A-Z0-9_]*[A-Z0-9]|AGENTSPAN_[A-Z0-9_]*[A-Z0-9])\b/g)) names.add(m[1]!);
    for (const m of text.matchAll(/['"](DATABASE_URL|PG[A-Z]+)['"]/g)) names.add(m[1]!);
  }
  const doc = readRepoFile('docs/configuration.md');
  for (const n of names) assert.ok(doc.includes(n), `docs/configuration.md documents ${n}`);
  assert.ok(names.has('OTEL_EXPORTER_OTLP_ENDPOINT') && names.has('AGENTSPAN_CAPTURE_CONTENT') && names.has('DATABASE_URL'));
});

test('the operations page gives the Grafana and Jaeger URLs and the retention of each store', () => {
  const ops = readRepoFile('docs/operations.md');
  assert.match(ops, /http:\/\/localhost:3000/);
  assert.match(ops, /http:\/\/localhost:16686/);
  assert.match(ops, /## Retention/);
  for (const store of ['Postgres', 'Jaeger', 'Prometheus', 'Grafana']) assert.match(ops, new RegExp(`\\| ${store}`), `retention of ${store}`);
  assert.match(ops, /2\.21 removed the v1 query API/);
});

let db: TestSchema | undefined;
before(async () => {
  db = await createTestSchema('docs_prune');
  await runMigrations(db.pool, { schema: db.schema });
});
after(async () => {
  await db?.drop();
});

test("the operations page's pruning SQL runs and deletes from every table the migrations create", async () => {
  const ops = readRepoFile('docs/operations.md');
  const block = /Pruning Postgres[^\n]*\n\n```sql\n([\s\S]*?)```/.exec(ops);
  assert.ok(block, 'docs/operations.md has a pruning SQL block');
  const sql = block[1]!;
  const pool = db!.pool;
  const tables = await pool.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE' ORDER BY 1`,
    [db!.schema],
  );
  const pruned = new Set([...sql.matchAll(/DELETE FROM\s+(\w+)/g)].map((m) => m[1]!));
  for (const { table_name: t } of tables.rows) {
    if (t === 'agentspan_schema_migrations') continue; // the schema's own bookkeeping, not data
    assert.ok(pruned.has(t), `the pruning SQL deletes old rows of ${t} (else it grows forever)`);
  }
  // Run as written, statement by statement (VACUUM cannot run in a transaction block).
  const client = await pool.connect();
  try {
    for (const statement of sql.split(/;\s*\n/).map((x) => x.trim()).filter((x) => x !== '')) await client.query(statement);
  } finally {
    client.release();
  }
});
