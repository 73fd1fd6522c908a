import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { posix } from 'node:path';
import {
  DASHBOARDS,
  DATASOURCES,
  SPAN_METRICS,
  STACK_PATHS,
  allPanels,
  renderDashboard,
  repoPath,
  type DashboardJson,
  type PanelJson,
} from '../src/index.js';
import { arr, hostPort, loadCompose, loadYaml, obj, readRepoFile, services, splitVolume, str } from './stack-files.js';

const svc = services(loadCompose().resolved);
const dashboardFiles = readdirSync(repoPath(STACK_PATHS.grafanaDashboardsDir)).filter((f) => f.endsWith('.json')).sort();
const dashboards: [string, DashboardJson][] = dashboardFiles.map((f) => [
  f,
  JSON.parse(readRepoFile(posix.join(STACK_PATHS.grafanaDashboardsDir, f))) as DashboardJson,
]);

test('the datasources parse and point at the compose services with the SELECT-only role', () => {
  const doc = obj(loadYaml(`${STACK_PATHS.grafanaProvisioningDir}/datasources/agentspan.yaml`), 'datasources');
  assert.equal(doc['apiVersion'], 1);
  const list = arr(doc['datasources'], 'datasources').map((d) => obj(d, 'datasource'));
  const byUid = new Map(list.map((d) => [str(d['uid'], 'uid'), d]));
  assert.deepEqual([...byUid.keys()].sort(), Object.values(DATASOURCES).map((d) => d.uid).sort());
  for (const ref of Object.values(DATASOURCES)) assert.equal(byUid.get(ref.uid)!['type'], ref.type, `${ref.uid} has type ${ref.type}`);
  assert.equal(list.filter((d) => d['isDefault'] === true).length, 1, 'one default datasource');

  const postgres = byUid.get(DATASOURCES.postgres.uid)!;
  assert.equal(postgres['type'], 'grafana-postgresql-datasource', 'the current plugin id, not the `postgres` alias');
  assert.deepEqual(hostPort(str(postgres['url'], 'url')), { host: 'postgres', port: 5432 });
  assert.equal(postgres['user'], 'grafana_reader');
  assert.match(readRepoFile(STACK_PATHS.grafanaReaderSql), /CREATE ROLE grafana_reader LOGIN/, 'the init SQL creates that role');
  assert.equal(obj(postgres['jsonData'], 'jsonData')['database'], '${AGENTSPAN_DB_NAME}', 'database under jsonData');
  assert.equal(obj(postgres['secureJsonData'], 'secureJsonData')['password'], '${GRAFANA_DB_PASSWORD}');

  for (const [uid, host, port] of [
    [DATASOURCES.jaeger.uid, 'jaeger', 16686],
    [DATASOURCES.prometheus.uid, 'prometheus', 9090],
  ] as const) {
    const target = hostPort(str(byUid.get(uid)!['url'], 'url'));
    assert.deepEqual(target, { host, port });
    assert.ok(svc[host], `${host} is a compose service`);
  }
});

test('the dashboard provider loads the mounted dashboards directory', () => {
  const doc = obj(loadYaml(`${STACK_PATHS.grafanaProvisioningDir}/dashboards/agentspan.yaml`), 'dashboard providers');
  assert.equal(doc['apiVersion'], 1);
  const providers = arr(doc['providers'], 'providers').map((p) => obj(p, 'provider'));
  assert.equal(providers.length, 1);
  const p = providers[0]!;
  assert.equal(p['type'], 'file');
  const path = str(obj(p['options'], 'options')['path'], 'path');
  const mount = arr(svc['grafana']!['volumes'], 'volumes')
    .map((v) => splitVolume(String(v)))
    .find((m) => m.target === path);
  assert.ok(mount, `Grafana mounts something at ${path}`);
  assert.equal(posix.normalize(posix.join(STACK_PATHS.dockerDir, mount.source)), STACK_PATHS.grafanaDashboardsDir);
});

test('the committed dashboards are exactly the generated ones (run `npm run generate:stack` when this fails)', () => {
  assert.deepEqual(dashboardFiles, Object.keys(DASHBOARDS).sort(), 'no extra or missing dashboard files');
  for (const [file, build] of Object.entries(DASHBOARDS)) {
    assert.equal(readRepoFile(posix.join(STACK_PATHS.grafanaDashboardsDir, file)), renderDashboard(build()), file);
  }
});

const knownUids = new Map<string, string>(Object.values(DATASOURCES).map((d) => [d.uid, d.type]));

function overlaps(a: PanelJson['gridPos'], b: PanelJson['gridPos']): boolean {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

for (const [file, d] of dashboards) {
  test(`${file}: uid, variables, datasources, layout and links are consistent`, () => {
    assert.match(d.uid, /^agentspan-[a-z-]+$/);
    assert.ok(d.uid.length <= 40, 'Grafana uids are at most 40 characters');
    assert.ok(d.tags.includes('agentspan'));
    const names = d.templating.list.map((v) => v.name);
    for (const required of ['run_id', 'agent']) assert.ok(names.includes(required), `has $${required}`);
    for (const v of d.templating.list) {
      if (v.datasource) assert.equal(knownUids.get(v.datasource.uid), v.datasource.type, `${v.name}: provisioned datasource`);
      if (v.type === 'query') {
        assert.equal(v.refresh, 2, `${v.name} refreshes with the time range`);
        assert.equal(v.allValue, "'__all'", `${v.name}: "All" is the SQL literal the filters test for`);
      }
    }

    const panels = allPanels(d);
    const ids = panels.map((p) => p.id);
    assert.equal(new Set(ids).size, ids.length, 'panel ids are unique');
    const titles = panels.map((p) => p.title);
    assert.equal(new Set(titles).size, titles.length, `panel titles are unique: ${titles.join(', ')}`);
    for (const p of panels) {
      assert.ok(p.gridPos.x >= 0 && p.gridPos.x + p.gridPos.w <= 24, `${p.title} fits the 24-column grid`);
      if (p.type === 'row') continue;
      assert.ok(p.description, `${p.title} is described`);
      assert.ok(p.datasource && knownUids.get(p.datasource.uid) === p.datasource.type, `${p.title}: provisioned datasource`);
      for (const t of p.targets ?? []) {
        assert.equal(knownUids.get(t.datasource.uid), t.datasource.type, `${p.title}/${t.refId}: provisioned datasource`);
        if (t.datasource.uid === DATASOURCES.postgres.uid) {
          assert.ok(t.rawSql && t.rawQuery, `${p.title}: raw SQL`);
          assert.ok(t.format === 'table' || t.format === 'time_series');
          if (p.type === 'timeseries') {
            assert.equal(t.format, 'time_series', `${p.title}: time series format`);
            assert.match(t.rawSql, /\$__timeGroupAlias\(|\$__time\(|AS "time"/, `${p.title}: selects a time column`);
          }
          for (const m of t.rawSql.matchAll(/\$(\w+)/g)) {
            const ref = m[1]!;
            assert.ok(ref.startsWith('__') || names.includes(ref), `${p.title}: $${ref} is a variable of this dashboard`);
          }
        }
      }
    }
    const placed = panels.filter((p) => d.panels.includes(p));
    for (let i = 0; i < placed.length; i++) {
      for (let j = i + 1; j < placed.length; j++) {
        assert.ok(!overlaps(placed[i]!.gridPos, placed[j]!.gridPos), `${placed[i]!.title} and ${placed[j]!.title} overlap`);
      }
    }

    for (const p of panels) {
      for (const o of p.fieldConfig?.overrides ?? []) {
        for (const prop of o.properties) {
          if (prop.id !== 'links') continue;
          for (const link of prop.value as { url: string }[]) {
            for (const m of link.url.matchAll(/\$\{(\w+)/g)) {
              assert.ok(m[1]!.startsWith('__') || names.includes(m[1]!), `${p.title}: link variable ${m[1]}`);
            }
            const dash = /^\/d\/([^/?]+)/.exec(link.url);
            if (dash) assert.ok(dashboards.some(([, x]) => x.uid === dash[1]), `${p.title}: links to the existing dashboard ${dash[1]}`);
          }
        }
      }
    }
  });
}

test('every variable a dashboard shows is read by one of its panels (a filter that filters nothing is a lie)', () => {
  for (const [file, d] of dashboards) {
    const panels = JSON.stringify(allPanels(d));
    for (const v of d.templating.list) {
      assert.ok(new RegExp(`\\$(?:${v.name}\\b|\\{${v.name}[}:])`).test(panels), `${file}: $${v.name} is used`);
    }
  }
  const names = (file: string) => dashboards.find(([f]) => f === file)![1].templating.list.map((v) => v.name);
  assert.ok(!names('files.json').includes('event_type'));
  assert.ok(!names('tools-and-code.json').includes('event_type'));
  assert.ok(names('runs-overview.json').includes('event_type'));
});

test('every dashboard links each run to its trace in Jaeger', () => {
  for (const [file, d] of dashboards) {
    const traceLinks = allPanels(d).flatMap((p) =>
      (p.fieldConfig?.overrides ?? []).filter(
        (o) => o.matcher.options === 'trace_id' && o.properties.some((x) => x.id === 'links' && JSON.stringify(x.value).includes('/trace/${__value.raw}')),
      ),
    );
    if (file !== 'agents.json') assert.ok(traceLinks.length > 0, `${file} has a trace link`);
  }
  const runs = dashboards.find(([f]) => f === 'runs-overview.json')![1];
  const runsTable = allPanels(runs).find((p) => p.type === 'table' && p.title === 'Runs')!;
  assert.match(runsTable.targets![0]!.rawSql!, /r\.trace_id/);
});

test('the Prometheus panels query the span-metric names and labels the collector produces', () => {
  const allowedLabels = new Set<string>([SPAN_METRICS.agentLabel, SPAN_METRICS.eventTypeLabel, SPAN_METRICS.toolLabel, SPAN_METRICS.statusLabel, 'le', 'service_name', 'job']);
  let seen = 0;
  for (const [, d] of dashboards) {
    for (const p of allPanels(d)) {
      for (const t of p.targets ?? []) {
        if (t.datasource.uid !== DATASOURCES.prometheus.uid) continue;
        seen++;
        const expr = str(t.expr, 'expr');
        for (const m of expr.matchAll(/\b(traces_[a-z_]+)\b/g)) {
          assert.ok([SPAN_METRICS.calls, SPAN_METRICS.durationBucket].includes(m[1] as never), `metric ${m[1]}`);
        }
        for (const m of expr.matchAll(/by \(([^)]*)\)|([a-z_]+)(?:!=|=~|=)"/g)) {
          const labels = (m[1] ?? m[2]!).split(',').map((s) => s.trim()).filter(Boolean);
          for (const l of labels) assert.ok(allowedLabels.has(l), `label ${l} exists on span metrics`);
        }
      }
    }
  }
  assert.ok(seen >= 3, 'the agents dashboard has span-metric panels');
});
