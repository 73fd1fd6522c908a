import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { posix } from 'node:path';
import { EXAMPLES } from '@agentspan/examples';
import { STACK_PATHS, composeVariables, repoPath } from '../src/index.js';
import {
  arr,
  composeSourcePath,
  exists,
  hostPort,
  loadCompose,
  loadYaml,
  obj,
  readRepoFile,
  services,
  splitPort,
  splitVolume,
  str,
} from './stack-files.js';

const { raw, written, resolved } = loadCompose();
const svc = services(resolved);

/** The ports each service listens on inside the network (what a published port must map to). */
function listeningPorts(): Record<string, Set<number>> {
  const collectorFile = posix.basename(str(arr(svc['otel-collector']!['command'], 'collector command')[0], 'arg').split('=')[1]!);
  const collector = obj(loadYaml(`${STACK_PATHS.collectorConfigDir}/${collectorFile}`), 'collector config');
  const ports = new Set<number>();
  const otlp = obj(obj(obj(collector['receivers'], 'receivers')['otlp'], 'otlp')['protocols'], 'protocols');
  for (const p of Object.values(otlp)) ports.add(hostPort(str(obj(p, 'protocol')['endpoint'], 'endpoint')).port);
  ports.add(hostPort(str(obj(obj(collector['extensions'], 'extensions')['health_check'], 'health_check')['endpoint'], 'endpoint')).port);
  ports.add(hostPort(str(obj(obj(collector['exporters'], 'exporters')['prometheus'], 'prometheus')['endpoint'], 'endpoint')).port);
  return {
    postgres: new Set([5432]),
    // Jaeger v2 all-in-one defaults: OTLP 4317/4318, UI and query API 16686, health 13133.
    jaeger: new Set([4317, 4318, 16686, 13133]),
    'otel-collector': ports,
    prometheus: new Set([9090]),
    grafana: new Set([3000]),
    example: new Set(),
    'agentspan-gateway': new Set([4318]),
  };
}

test('the compose file parses and has the six services of the stack, plus the gateway behind its profile', () => {
  assert.deepEqual(Object.keys(svc).sort(), [
    'agentspan-gateway',
    'example',
    'grafana',
    'jaeger',
    'otel-collector',
    'postgres',
    'prometheus',
  ]);
  assert.deepEqual(svc['agentspan-gateway']!['profiles'], ['gateway']);
  const gatewayConfig = readRepoFile(STACK_PATHS.collectorConfigGateway);
  assert.match(gatewayConfig, /endpoint: http:\/\/agentspan-gateway:4318/, 'the gateway collector config targets this service');
  assert.deepEqual(arr(svc['agentspan-gateway']!['command'], 'gateway command').slice(0, 5), ['gateway', '--host', '0.0.0.0', '--port', '4318']);
  assert.equal(resolved['name'], 'agentspan');
});

test('every image is pinned to an exact version, with the versions the docs promise', () => {
  const images: Record<string, string> = {};
  for (const [name, s] of Object.entries(svc)) {
    if (s['build'] !== undefined) continue;
    const image = str(s['image'], `${name}.image`);
    const m = /^([a-z0-9./-]+):(v?\d+(?:\.\d+){1,2})$/.exec(image);
    assert.ok(m, `${name}: "${image}" is pinned to an exact numeric tag`);
    images[name] = image;
  }
  assert.match(images['postgres']!, /^postgres:16\.\d+$/);
  assert.match(images['jaeger']!, /^jaegertracing\/jaeger:2\.20\.\d+$/, 'Jaeger 2.20.x: 2.21 removed the v1 query API Grafana uses');
  const contrib = /^otel\/opentelemetry-collector-contrib:0\.(\d+)\.\d+$/.exec(images['otel-collector']!);
  assert.ok(contrib && Number(contrib[1]) >= 144, 'the contrib collector, new enough for the otlp_grpc/otlp_http names');
  assert.match(images['grafana']!, /^grafana\/grafana:1[2-9]\.\d+\.\d+$/, 'Grafana with the grafana-postgresql-datasource plugin id');
  assert.match(images['prometheus']!, /^prom\/prometheus:v3\.\d+\.\d+$/);
  // The docs name the same pins.
  const ops = readRepoFile('docs/operations.md');
  for (const image of Object.values(images)) assert.ok(ops.includes(image), `docs/operations.md names ${image}`);
});

test('depends_on names existing services, and waits for health only where there is a health check', () => {
  const graph = new Map<string, string[]>();
  for (const [name, s] of Object.entries(svc)) {
    const deps = s['depends_on'] === undefined ? {} : obj(s['depends_on'], `${name}.depends_on`);
    graph.set(name, Object.keys(deps));
    for (const [dep, spec] of Object.entries(deps)) {
      assert.ok(svc[dep], `${name} depends on the existing service ${dep}`);
      const condition = str(obj(spec, `${name}.depends_on.${dep}`)['condition'], 'condition');
      assert.ok(['service_started', 'service_healthy', 'service_completed_successfully'].includes(condition), condition);
      if (condition === 'service_healthy') assert.ok(svc[dep]!['healthcheck'], `${dep} has a health check for ${name} to wait on`);
    }
  }
  // No cycles: the stack can start.
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (n: string, path: string[]): void => {
    if (state.get(n) === 'done') return;
    assert.notEqual(state.get(n), 'visiting', `dependency cycle ${[...path, n].join(' -> ')}`);
    state.set(n, 'visiting');
    for (const d of graph.get(n) ?? []) visit(d, [...path, n]);
    state.set(n, 'done');
  };
  for (const n of graph.keys()) visit(n, []);
  // The order the issue asks for: data stores first, then the pipeline, then the consumers.
  const deps = (n: string): string[] => graph.get(n) ?? [];
  assert.ok(deps('otel-collector').includes('jaeger'));
  assert.deepEqual(deps('grafana').sort(), ['jaeger', 'postgres', 'prometheus']);
  assert.deepEqual(deps('example').sort(), ['jaeger', 'otel-collector', 'postgres']);
});

test('health checks probe ports the services listen on', () => {
  const listening = listeningPorts();
  for (const [name, s] of Object.entries(svc)) {
    if (!s['healthcheck']) continue;
    const cmd = arr(obj(s['healthcheck'], `${name}.healthcheck`)['test'], 'test').map(String).join(' ');
    const ports = [...cmd.matchAll(/(?:127\.0\.0\.1|localhost):(\d+)|-p (\d+)/g)].map((m) => Number(m[1] ?? m[2]));
    assert.ok(ports.length > 0, `${name}'s health check names a port`);
    for (const p of ports) assert.ok(listening[name]!.has(p), `${name} listens on ${p}`);
  }
  assert.ok(svc['postgres']!['healthcheck'], 'postgres has a health check');
  assert.ok(svc['jaeger']!['healthcheck'], 'jaeger has a health check');
  assert.ok(svc['prometheus']!['healthcheck'], 'prometheus has a health check');
  assert.ok(svc['grafana']!['healthcheck'], 'grafana has a health check');
  // Over TCP, so the check only passes once the init scripts have run.
  assert.match(arr(obj(svc['postgres']!['healthcheck'], 'hc')['test'], 'test').join(' '), /pg_isready -h 127\.0\.0\.1/);
});

test('published ports map to ports the services listen on, are distinct, bind to loopback by default, and are documented', () => {
  const listening = listeningPorts();
  const seen = new Map<number, string>();
  const ops = readRepoFile('docs/operations.md');
  for (const [name, s] of Object.entries(svc)) {
    for (const spec of (s['ports'] as unknown[] | undefined) ?? []) {
      const p = splitPort(str(spec, `${name}.ports`));
      assert.ok(listening[name]!.has(p.container), `${name} listens on ${p.container}`);
      assert.equal(p.hostIp, '127.0.0.1', `${name}:${p.container} binds to loopback unless configured`);
      assert.ok(!seen.has(p.host), `host port ${p.host} used by ${seen.get(p.host)} and ${name}`);
      seen.set(p.host, name);
      assert.match(ops, new RegExp(`\\b${p.host}\\b`), `docs/operations.md documents port ${p.host}`);
    }
  }
  assert.deepEqual([...seen.keys()].sort((a, b) => a - b), [3000, 4317, 4318, 5432, 9090, 13133, 16686]);
});

test('named volumes are declared and used; every bind-mounted path exists', () => {
  const declared = new Set(Object.keys(obj(resolved['volumes'], 'volumes')));
  const used = new Set<string>();
  for (const [name, s] of Object.entries(svc)) {
    for (const spec of (s['volumes'] as unknown[] | undefined) ?? []) {
      const v = splitVolume(str(spec, `${name}.volumes`));
      if (v.source.startsWith('.') || v.source.startsWith('/')) {
        const rel = composeSourcePath(v.source);
        assert.ok(exists(rel), `${name} mounts ${v.source} (${rel}), which exists`);
        assert.equal(v.mode, 'ro', `${name} mounts ${v.source} read-only`);
      } else {
        assert.ok(declared.has(v.source), `${name} uses the declared volume ${v.source}`);
        used.add(v.source);
      }
    }
  }
  assert.deepEqual([...used].sort(), [...declared].sort(), 'every declared volume is used');
  assert.ok(declared.has('postgres-data') && declared.has('grafana-data'), 'Postgres and Grafana keep their data in volumes');
});

test('the example service builds from files that exist and runs workflows that exist', () => {
  const example = svc['example']!;
  const build = obj(example['build'], 'example.build');
  const context = composeSourcePath(str(build['context'], 'context'));
  assert.equal(context, '', 'the build context is the repository root');
  const dockerfile = posix.join(context, str(build['dockerfile'], 'dockerfile'));
  assert.equal(dockerfile, STACK_PATHS.exampleDockerfile);
  assert.ok(exists(dockerfile));
  assert.ok(exists(`${dockerfile}.dockerignore`), 'a context filter beside the Dockerfile keeps node_modules out');
  const text = readRepoFile(dockerfile);
  for (const m of text.matchAll(/"(docker\/[^"]+)"/g)) assert.ok(exists(m[1]!), `the Dockerfile's ${m[1]} exists`);
  assert.match(text, /^FROM node:20\.\d+\.\d+-bookworm-slim$/m, 'a pinned Node 20 base image');
  assert.match(text, /npm ci/);

  const env = obj(example['environment'], 'example.environment');
  const names = str(env['AGENTSPAN_EXAMPLES'], 'AGENTSPAN_EXAMPLES').split(/\s+/);
  assert.deepEqual([...names].sort(), Object.keys(EXAMPLES).sort(), 'the loop runs every registered example');
  for (const n of names) assert.ok(exists(`examples/src/bin/${n}.ts`), `examples/src/bin/${n}.ts exists`);

  const url = new URL(str(env['DATABASE_URL'], 'DATABASE_URL'));
  const pgEnv = obj(svc['postgres']!['environment'], 'postgres.environment');
  assert.equal(url.hostname, 'postgres');
  assert.equal(url.port, '5432');
  assert.equal(decodeURIComponent(url.username), pgEnv['POSTGRES_USER']);
  assert.equal(decodeURIComponent(url.password), pgEnv['POSTGRES_PASSWORD']);
  assert.equal(url.pathname.slice(1), pgEnv['POSTGRES_DB']);
  const otlpUrl = str(env['OTEL_EXPORTER_OTLP_ENDPOINT'], 'OTEL_EXPORTER_OTLP_ENDPOINT');
  const otlp = hostPort(otlpUrl);
  assert.deepEqual(otlp, { host: 'otel-collector', port: 4318 });
  // The base endpoint: agentspan appends /v1/traces (`.../v1/traces/v1/traces` would be a 404 for every export).
  assert.equal(new URL(otlpUrl).pathname, '/', 'OTEL_EXPORTER_OTLP_ENDPOINT names no path');
  assert.ok(listeningPorts()['otel-collector']!.has(otlp.port));
});

test("the example image's user can write the spool directory (else spans Postgres cannot take yet are dropped)", () => {
  const text = readRepoFile(STACK_PATHS.exampleDockerfile);
  const users = [...text.matchAll(/^USER (\S+)$/gm)];
  const user = users.at(-1)?.[1];
  assert.ok(user && user !== 'root' && user !== '0', 'the workflows do not run as root');
  assert.match(text, /^WORKDIR \/app$/m);
  const exampleEnv = obj(svc['example']!['environment'], 'example.environment');
  assert.equal(exampleEnv['AGENTSPAN_SPOOL_DIR'], undefined, 'the default spool directory, .agentspan/spool under the working directory');
  // Made and handed to that user before it takes over (the context filter keeps any local .agentspan out).
  const before = text.slice(0, users.at(-1)!.index);
  const run = /^RUN .*\bmkdir -p \.agentspan\/spool\b.*\bchown -R (\S+) \.agentspan\s*$/m.exec(before);
  assert.ok(run, 'the Dockerfile creates .agentspan/spool and gives it to the runtime user');
  assert.equal(run[1]!.split(':')[0], user);
  assert.match(readRepoFile(`${STACK_PATHS.exampleDockerfile}.dockerignore`), /^\.agentspan$/m);
});

test('the collector command names a mounted configuration that exists, in both variants', () => {
  const c = svc['otel-collector']!;
  const mount = splitVolume(str(arr(c['volumes'], 'volumes')[0], 'volume'));
  assert.equal(composeSourcePath(mount.source), STACK_PATHS.collectorConfigDir);
  const arg = str(arr(c['command'], 'command')[0], 'command');
  const path = arg.replace(/^--config=/, '');
  assert.ok(path.startsWith(`${mount.target}/`), 'the config is read from the mount');
  assert.ok(exists(posix.join(STACK_PATHS.collectorConfigDir, posix.relative(mount.target, path))));
  const writtenArg = str(arr(services(written)['otel-collector']!['command'], 'command')[0], 'command');
  assert.match(writtenArg, /\$\{AGENTSPAN_COLLECTOR_CONFIG:-otel-collector\.yaml\}/);
  assert.ok(exists(STACK_PATHS.collectorConfigPythonAgents), 'the other selectable configuration exists');
});

test('Postgres runs the init directory, which holds the schema, the reader role and its password', () => {
  const pg = svc['postgres']!;
  const init = arr(pg['volumes'], 'volumes').map((v) => splitVolume(String(v))).find((v) => v.target === '/docker-entrypoint-initdb.d');
  assert.ok(init, 'the init directory is mounted');
  assert.equal(composeSourcePath(init.source), STACK_PATHS.initSqlDir);
  const files = readdirSync(repoPath(STACK_PATHS.initSqlDir)).sort();
  assert.deepEqual(files, ['01-agentspan-schema.sql', '02-grafana-reader.sql', '03-grafana-reader-password.sh']);
  const env = obj(pg['environment'], 'postgres.environment');
  assert.ok(str(env['GRAFANA_DB_PASSWORD'], 'GRAFANA_DB_PASSWORD').length > 0, 'the password script gets a password');
  assert.match(readRepoFile(STACK_PATHS.grafanaReaderPasswordSh), /GRAFANA_DB_PASSWORD/);
});

test('Grafana mounts its provisioning and dashboards, and gets every variable the provisioning files read', () => {
  const g = svc['grafana']!;
  const mounts = arr(g['volumes'], 'volumes').map((v) => splitVolume(String(v)));
  const provisioning = mounts.find((m) => m.target === '/etc/grafana/provisioning');
  assert.ok(provisioning);
  assert.equal(composeSourcePath(provisioning.source), STACK_PATHS.grafanaProvisioningDir);
  const dashboards = mounts.find((m) => composeSourcePath(m.source) === STACK_PATHS.grafanaDashboardsDir);
  assert.ok(dashboards, 'the dashboards directory is mounted');
  const env = obj(g['environment'], 'grafana.environment');
  const home = str(env['GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH'], 'home dashboard');
  assert.ok(home.startsWith(`${dashboards.target}/`));
  assert.ok(exists(posix.join(STACK_PATHS.grafanaDashboardsDir, posix.relative(dashboards.target, home))), 'the home dashboard exists');
  const datasources = readRepoFile(`${STACK_PATHS.grafanaProvisioningDir}/datasources/agentspan.yaml`);
  for (const m of datasources.matchAll(/\$\{(\w+)\}/g)) assert.ok(env[m[1]!], `grafana's environment sets ${m[1]}`);
  assert.equal(env['GRAFANA_DB_PASSWORD'], obj(svc['postgres']!['environment'], 'pg')['GRAFANA_DB_PASSWORD'], 'the same reader password on both sides');
  assert.equal(env['AGENTSPAN_DB_NAME'], obj(svc['postgres']!['environment'], 'pg')['POSTGRES_DB']);
});

test('Prometheus mounts its configuration, whose targets are collector ports', () => {
  const p = svc['prometheus']!;
  const mount = arr(p['volumes'], 'volumes').map((v) => splitVolume(String(v))).find((m) => m.target === '/etc/prometheus/prometheus.yml');
  assert.ok(mount);
  assert.equal(composeSourcePath(mount.source), STACK_PATHS.prometheusConfig);
  const listening = listeningPorts();
  const config = obj(loadYaml(STACK_PATHS.prometheusConfig), 'prometheus.yml');
  for (const job of arr(config['scrape_configs'], 'scrape_configs')) {
    for (const sc of arr(obj(job, 'job')['static_configs'], 'static_configs')) {
      for (const t of arr(obj(sc, 'static_config')['targets'], 'targets')) {
        const { host, port } = hostPort(String(t));
        assert.ok(svc[host], `target ${host} is a service`);
        if (host === 'otel-collector') {
          assert.ok(listening[host]!.has(port) || port === 8888, `the collector serves ${port}`);
        }
      }
    }
  }
  assert.match(arr(p['command'], 'command').join(' '), /--storage\.tsdb\.retention\.time=15d/);
});

test('every variable has a default (a bare `docker compose up` works) and is documented', () => {
  const vars = composeVariables(raw);
  assert.ok(vars.length > 10);
  const config = readRepoFile('docs/configuration.md');
  for (const v of vars) {
    assert.ok(v.defaultValue !== undefined, `${v.raw} has a default`);
    assert.ok(config.includes(`\`${v.name}\``), `docs/configuration.md documents ${v.name}`);
  }
});

test('the gateway profile: the token the collector sends is the one the gateway reads, under names each side reads', () => {
  const writtenSvc = services(written);
  const collectorEnv = obj(writtenSvc['otel-collector']!['environment'], 'otel-collector.environment');
  const gatewayEnv = obj(writtenSvc['agentspan-gateway']!['environment'], 'agentspan-gateway.environment');
  // Every `${env:NAME}` of every collector file is set in the collector's container.
  for (const file of [STACK_PATHS.collectorConfig, STACK_PATHS.collectorConfigPythonAgents, STACK_PATHS.collectorConfigGateway]) {
    for (const m of readRepoFile(file).matchAll(/\$\{env:([A-Za-z_][A-Za-z0-9_]*)/g)) {
      assert.ok(collectorEnv[m[1]!] !== undefined, `${file} reads ${m[1]}, which the otel-collector service sets`);
    }
  }
  const sent = /Bearer \$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/.exec(readRepoFile(STACK_PATHS.collectorConfigGateway));
  assert.ok(sent, 'the gateway exporter sends a bearer token from the environment');
  // The CLI reads its tokens from this variable (packages/cli/src/commands/gateway.ts).
  const cli = readRepoFile('packages/cli/src/commands/gateway.ts');
  const tokensEnv = /const TOKENS_ENV = '([A-Z0-9_]+)'/.exec(cli);
  assert.ok(tokensEnv, 'the gateway command names its tokens variable');
  assert.ok(gatewayEnv[tokensEnv[1]!] !== undefined, `the agentspan-gateway service sets ${tokensEnv[1]}`);
  assert.equal(gatewayEnv[tokensEnv[1]!], collectorEnv[sent[1]!], 'both sides take the token from the same compose variable');
  for (const name of Object.keys(gatewayEnv)) {
    assert.ok(name === 'DATABASE_URL' || cli.includes(`'${name}'`), `the gateway reads ${name}`);
  }
});
