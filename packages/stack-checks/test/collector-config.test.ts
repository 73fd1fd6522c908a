import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Attr, EventType } from '@agentspan/semconv';
import { SPAN_METRICS, STACK_PATHS } from '../src/index.js';
import { arr, hostPort, loadCompose, loadYaml, obj, readRepoFile, services, str } from './stack-files.js';

type Config = Record<string, unknown>;

const MAIN = obj(loadYaml(STACK_PATHS.collectorConfig), 'collector config');
const PYTHON = obj(loadYaml(STACK_PATHS.collectorConfigPythonAgents), 'python-agents collector config');
const GATEWAY = obj(loadYaml(STACK_PATHS.collectorConfigGateway), 'gateway collector config');
const CONFIGS: [string, Config][] = [
  [STACK_PATHS.collectorConfig, MAIN],
  [STACK_PATHS.collectorConfigPythonAgents, PYTHON],
  [STACK_PATHS.collectorConfigGateway, GATEWAY],
];

/**
 * Component types of otelcol-contrib 0.161 this configuration may use, by
 * kind, under their current names. Deprecated aliases (`otlp` and
 * `otlphttp` exporters, `spanmetrics`, `logging`) are not in the list, so
 * using one fails here.
 */
const KNOWN: Record<string, ReadonlySet<string>> = {
  receivers: new Set(['otlp']),
  processors: new Set(['memory_limiter', 'batch', 'redaction', 'transform', 'resource', 'attributes', 'filter']),
  exporters: new Set(['otlp_grpc', 'otlp_http', 'prometheus', 'debug']),
  connectors: new Set(['span_metrics']),
  extensions: new Set(['health_check']),
};

const typeOf = (id: string): string => id.split('/')[0]!;

function section(c: Config, kind: string): Record<string, unknown> {
  return c[kind] === undefined ? {} : obj(c[kind], kind);
}

function pipelines(c: Config): Record<string, { receivers: string[]; processors: string[]; exporters: string[] }> {
  const p = obj(obj(c['service'], 'service')['pipelines'], 'pipelines');
  return Object.fromEntries(
    Object.entries(p).map(([name, v]) => {
      const o = obj(v, name);
      const list = (k: string): string[] => (o[k] === undefined ? [] : arr(o[k], `${name}.${k}`).map(String));
      return [name, { receivers: list('receivers'), processors: list('processors'), exporters: list('exporters') }];
    }),
  );
}

for (const [file, c] of CONFIGS) {
  test(`${file}: every component a pipeline names is defined, every defined one is used, names are current`, () => {
    const ps = pipelines(c);
    const used: Record<string, Set<string>> = { receivers: new Set(), processors: new Set(), exporters: new Set(), connectors: new Set() };
    const connectors = section(c, 'connectors');
    for (const [name, p] of Object.entries(ps)) {
      const signal = typeOf(name);
      assert.ok(['traces', 'metrics', 'logs'].includes(signal), `pipeline ${name}`);
      assert.ok(p.receivers.length > 0 && p.exporters.length > 0, `${name} has receivers and exporters`);
      for (const r of p.receivers) {
        if (connectors[r] !== undefined) used['connectors']!.add(`${r}<`);
        else {
          assert.ok(section(c, 'receivers')[r] !== undefined, `${name}: receiver ${r} is defined`);
          used['receivers']!.add(r);
        }
      }
      for (const x of p.processors) {
        assert.ok(section(c, 'processors')[x] !== undefined, `${name}: processor ${x} is defined`);
        used['processors']!.add(x);
      }
      for (const e of p.exporters) {
        if (connectors[e] !== undefined) used['connectors']!.add(`${e}>`);
        else {
          assert.ok(section(c, 'exporters')[e] !== undefined, `${name}: exporter ${e} is defined`);
          used['exporters']!.add(e);
        }
      }
    }
    for (const kind of ['receivers', 'processors', 'exporters'] as const) {
      for (const id of Object.keys(section(c, kind))) assert.ok(used[kind]!.has(id), `${kind} ${id} is used by a pipeline`);
    }
    for (const id of Object.keys(connectors)) {
      assert.ok(used['connectors']!.has(`${id}>`) && used['connectors']!.has(`${id}<`), `connector ${id} is an exporter in one pipeline and a receiver in another`);
    }
    const extensions = arr(obj(c['service'], 'service')['extensions'], 'service.extensions').map(String);
    for (const e of extensions) assert.ok(section(c, 'extensions')[e] !== undefined, `extension ${e} is defined`);
    assert.deepEqual(Object.keys(section(c, 'extensions')).sort(), [...extensions].sort(), 'every extension is enabled');
    for (const [kind, known] of Object.entries(KNOWN)) {
      for (const id of Object.keys(section(c, kind))) assert.ok(known.has(typeOf(id)), `${kind}: ${typeOf(id)} is a current component name`);
    }
  });

  test(`${file}: memory_limiter first, secrets redacted, batching before the fan-out to Jaeger and span metrics`, () => {
    const ps = pipelines(c);
    for (const [name, p] of Object.entries(ps)) {
      assert.equal(p.processors[0], 'memory_limiter', `${name}: memory_limiter first`);
      assert.equal(p.processors.at(-1), 'batch', `${name}: batch last`);
    }
    const traces = ps['traces']!;
    assert.deepEqual(traces.receivers, ['otlp']);
    assert.ok(traces.processors.indexOf('transform/redact_secrets') > 0);
    assert.ok(traces.processors.indexOf('redaction') > traces.processors.indexOf('transform/redact_secrets'));
    assert.deepEqual([...traces.exporters].sort(), ['otlp_grpc/jaeger', 'span_metrics']);
    const metrics = Object.entries(ps).find(([n]) => n.startsWith('metrics'));
    assert.ok(metrics, 'a metrics pipeline');
    assert.deepEqual(metrics[1].receivers, ['span_metrics']);
    assert.deepEqual(metrics[1].exporters, ['prometheus']);
  });

  test(`${file}: receivers bound for containers; exporters point at the compose services`, () => {
    const otlp = obj(obj(section(c, 'receivers')['otlp'], 'otlp')['protocols'], 'protocols');
    assert.deepEqual(Object.keys(otlp).sort(), ['grpc', 'http']);
    assert.deepEqual(hostPort(str(obj(otlp['grpc'], 'grpc')['endpoint'], 'endpoint')), { host: '0.0.0.0', port: 4317 });
    assert.deepEqual(hostPort(str(obj(otlp['http'], 'http')['endpoint'], 'endpoint')), { host: '0.0.0.0', port: 4318 });
    const health = obj(section(c, 'extensions')['health_check'], 'health_check');
    assert.deepEqual(hostPort(str(health['endpoint'], 'endpoint')), { host: '0.0.0.0', port: 13133 });
    const svc = services(loadCompose().resolved);
    const jaeger = obj(section(c, 'exporters')['otlp_grpc/jaeger'], 'otlp_grpc/jaeger');
    const target = hostPort(str(jaeger['endpoint'], 'endpoint'));
    assert.deepEqual(target, { host: 'jaeger', port: 4317 }, "Jaeger's OTLP/gRPC port");
    assert.ok(svc[target.host], 'jaeger is a compose service');
    assert.equal(obj(jaeger['tls'], 'tls')['insecure'], true, 'plain gRPC inside the compose network');
    const prom = obj(section(c, 'exporters')['prometheus'], 'prometheus');
    assert.deepEqual(hostPort(str(prom['endpoint'], 'endpoint')), { host: '0.0.0.0', port: 8889 });
    assert.match(readRepoFile(STACK_PATHS.prometheusConfig), /otel-collector:8889/, 'Prometheus scrapes the span metrics');
    const readers = arr(obj(obj(obj(c['service'], 'service')['telemetry'], 'telemetry')['metrics'], 'metrics')['readers'], 'readers');
    const own = obj(obj(obj(obj(readers[0], 'reader')['pull'], 'pull')['exporter'], 'exporter')['prometheus'], 'prometheus');
    assert.equal(own['port'], 8888);
    assert.match(readRepoFile(STACK_PATHS.prometheusConfig), /otel-collector:8888/, "Prometheus scrapes the collector's own metrics");
  });

  test(`${file}: span metrics by event type, agent and tool, under the names the dashboards query`, () => {
    const sm = obj(section(c, 'connectors')['span_metrics'], 'span_metrics');
    const dims = arr(sm['dimensions'], 'dimensions').map((d) => str(obj(d, 'dimension')['name'], 'name'));
    assert.deepEqual(dims, [Attr.ATTR_EVENT_TYPE, Attr.ATTR_GEN_AI_AGENT_NAME, Attr.ATTR_GEN_AI_TOOL_NAME]);
    const escape = (k: string): string => k.replace(/[^a-zA-Z0-9_]/g, '_');
    assert.equal(escape(Attr.ATTR_EVENT_TYPE), SPAN_METRICS.eventTypeLabel);
    assert.equal(escape(Attr.ATTR_GEN_AI_AGENT_NAME), SPAN_METRICS.agentLabel);
    assert.equal(escape(Attr.ATTR_GEN_AI_TOOL_NAME), SPAN_METRICS.toolLabel);
    const ns = escape(str(sm['namespace'], 'namespace'));
    const unit = str(obj(sm['histogram'], 'histogram')['unit'], 'unit');
    assert.equal(unit, 'ms');
    assert.equal(`${ns}_calls_total`, SPAN_METRICS.calls);
    assert.equal(`${ns}_duration_milliseconds_bucket`, SPAN_METRICS.durationBucket);
    const prom = obj(section(c, 'exporters')['prometheus'], 'prometheus');
    assert.equal(prom['translation_strategy'], 'UnderscoreEscapingWithSuffixes', 'names as escaped above');
    // span.name carries file paths (`file_gen results/summary.json`): unbounded series.
    assert.deepEqual(arr(sm['exclude_dimensions'], 'exclude_dimensions'), ['span.name', 'span.kind']);
  });
}

/** The OTTL statements of a transform processor. */
function statements(c: Config, id: string): string[] {
  return arr(obj(section(c, 'processors')[id], id)['trace_statements'], 'trace_statements').map(String);
}

/** `replace_all_patterns(span.attributes, "value", "<regex>", "<replacement>")` → regex and replacement. */
function patterns(c: Config): { regex: string; replacement: string }[] {
  return statements(c, 'transform/redact_secrets').map((s) => {
    const m = /^replace_all_patterns\(span\.attributes, "value", "((?:[^"\\]|\\.)*)", "((?:[^"\\]|\\.)*)"\)$/.exec(s);
    assert.ok(m, `statement has the expected form: ${s}`);
    const unescape = (t: string): string => t.replace(/\\(.)/g, '$1');
    // `$$` is the collector's escape for a literal `$` (a capture group reference for OTTL).
    return { regex: unescape(m[1]!), replacement: unescape(m[2]!).replace(/\$\$/g, '$') };
  });
}

/** A Go RE2 pattern as a JS RegExp: only `(?i)` at the start is translated; anything RE2 lacks is refused. */
function toJs(re2: string, global = true): RegExp {
  assert.doesNotMatch(re2, /\(\?[=!<]|\\[1-9]|\(\?[a-z]*[msU]/, `RE2 has no lookaround, backreference or other flag: ${re2}`);
  const insensitive = re2.startsWith('(?i)');
  return new RegExp(insensitive ? re2.slice(4) : re2, `${global ? 'g' : ''}${insensitive ? 'i' : ''}`);
}

function redactValue(value: string, c: Config): string {
  let out = value;
  for (const p of patterns(c)) out = out.replace(toJs(p.regex), p.replacement);
  return out;
}

const SECRETS: [string, string][] = [
  ['key sk-proj-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789', 'key [REDACTED:openai_key]'],
  ['OPENAI_API_KEY=sk-AbCdEfGhIjKlMnOpQrStUvWx', 'OPENAI_API_KEY=[REDACTED:openai_key]'],
  ['x sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz_0123-456 y', 'x [REDACTED:anthropic_key] y'],
  ['aws AKIAIOSFODNN7EXAMPLE', 'aws [REDACTED:aws_access_key]'],
  ['token ghp_0123456789abcdefghijABCDEFGHIJ0123456789', 'token [REDACTED:github_token]'],
  ['github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz', '[REDACTED:github_token]'],
  ['slack xoxb-1234567890-abcdefghij', 'slack [REDACTED:slack_token]'],
  ['AIzaSyA-0123456789abcdefghijklmnopqrstu', '[REDACTED:google_api_key]'],
  [
    'jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
    'jwt [REDACTED:jwt]',
  ],
  ['Authorization: Bearer abcdefghijklmnop0123456789', 'Authorization: Bearer [REDACTED:bearer_token]'],
  ['-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----', '[REDACTED:private_key]'],
  ['postgres://agentspan:s3cret@postgres:5432/agentspan', 'postgres://agentspan:[REDACTED:url_password]@postgres:5432/agentspan'],
];

const BENIGN = [
  'Here is the script; it saves the results to fib.txt.',
  'import pandas as pd\ndf = pd.read_csv("data/measurements.csv", parse_dates=["timestamp"])',
  'The column is called temperature_c, not temp (KeyError: \'temp\').',
  'postgres://postgres@127.0.0.1:5432/test',
  'skeleton sk-short ask-me task-planner',
  'https://example.com/path?q=1',
  'task-abcdefghijklmnopqrstuvwxyz0123 inside a word is not a key',
  'XAKIAIOSFODNN7EXAMPLEX',
];

for (const [file, c] of CONFIGS) {
  test(`${file}: the redaction patterns are RE2-safe and replace each kind of secret with its tag`, () => {
    for (const p of patterns(c)) toJs(p.regex);
    for (const [input, expected] of SECRETS) assert.equal(redactValue(input, c), expected, input);
    for (const text of BENIGN) assert.equal(redactValue(text, c), text, `left alone: ${text}`);
  });

  test(`${file}: the redaction processor's key pattern masks secret-named keys and none of agentspan's own`, () => {
    const redaction = obj(section(c, 'processors')['redaction'], 'redaction');
    assert.equal(redaction['allow_all_keys'], true, 'keeps every attribute; only masks');
    const keyPatterns = arr(redaction['blocked_key_patterns'], 'blocked_key_patterns').map((p) => toJs(String(p), false));
    const blocked = (key: string): boolean => keyPatterns.some((r) => r.test(key));
    for (const key of ['password', 'db.password', 'openai.api_key', 'x-api-key', 'http.request.header.authorization', 'token', 'client_secret', 'aws.secret', 'tls.private_key']) {
      assert.ok(blocked(key), `masks ${key}`);
    }
    const ours: string[] = (Object.values(Attr) as unknown[]).filter((v): v is string => typeof v === 'string');
    assert.ok(ours.length > 50);
    for (const key of [...ours, 'gen_ai.usage.input_tokens', 'gen_ai.usage.output_tokens', 'redaction.masked.count']) {
      assert.ok(!blocked(key), `keeps ${key}`);
    }
  });

  // Every way out of the collector (Jaeger, the span metrics, the gateway that writes Postgres)
  // passes both redaction steps: a pipeline added without them would ship secrets unseen.
  test(`${file}: every traces pipeline redacts (patterns, then secret-named keys) before it exports`, () => {
    const traces = Object.entries(pipelines(c)).filter(([name]) => typeOf(name) === 'traces');
    assert.ok(traces.length > 0);
    for (const [name, p] of traces) {
      const patternsAt = p.processors.indexOf('transform/redact_secrets');
      assert.ok(patternsAt > 0, `${name}: transform/redact_secrets after memory_limiter`);
      assert.ok(p.processors.indexOf('redaction') > patternsAt, `${name}: redaction after the patterns`);
    }
  });
}

test('the python-agents variant is the main configuration plus the GenAI event-type mapping', () => {
  for (const kind of ['receivers', 'exporters', 'connectors', 'extensions']) {
    assert.deepEqual(section(PYTHON, kind), section(MAIN, kind), `${kind} are the same`);
  }
  for (const [id, v] of Object.entries(section(MAIN, 'processors'))) assert.deepEqual(section(PYTHON, 'processors')[id], v, `processor ${id} is the same`);
  assert.deepEqual(obj(PYTHON['service'], 's')['telemetry'], obj(MAIN['service'], 's')['telemetry']);
  const main = pipelines(MAIN);
  const py = pipelines(PYTHON);
  assert.deepEqual(py['metrics/span_metrics'], main['metrics/span_metrics']);
  assert.deepEqual(
    py['traces']!.processors.filter((p) => p !== 'transform/genai_event_types'),
    main['traces']!.processors,
  );
  assert.ok(py['traces']!.processors.indexOf('transform/genai_event_types') < py['traces']!.processors.indexOf('batch'));
});

for (const [file, c] of [[STACK_PATHS.collectorConfigPythonAgents, PYTHON], [STACK_PATHS.collectorConfigGateway, GATEWAY]] as const) {
  test(`${file}: the GenAI mapping only sets event types agentspan defines, from keys agentspan uses`, () => {
    const ours = new Set<string>((Object.values(Attr) as unknown[]).filter((v): v is string => typeof v === 'string'));
    const types = new Set<string>(Object.values(EventType));
    const stmts = statements(c, 'transform/genai_event_types');
    assert.ok(stmts.length >= 4);
    for (const s of stmts) {
      for (const m of s.matchAll(/span\.attributes\["([^"]+)"\]/g)) {
        const key = m[1]!;
        if (key.startsWith('agentspan.') || key.startsWith('gen_ai.')) assert.ok(ours.has(key), `${key} is an @agentspan/semconv key`);
      }
      const set = /^set\(span\.attributes\["agentspan\.event\.type"\], "([a-z_]+)"\) where span\.attributes\["agentspan\.event\.type"\] == nil and /.exec(s);
      if (set) assert.ok(types.has(set[1]!), `${set[1]} is an EventType`);
      else assert.match(s, /^set\(span\.attributes\["gen_ai\.(tool|agent)\.name"\], span\.attributes\["(tool|agent)\.name"\]\) where span\.attributes\["gen_ai\.\1\.name"\] == nil/);
    }
  });
}

test('the gateway variant is the python-agents configuration plus a redacted pipeline to the gateway', () => {
  for (const kind of ['connectors', 'extensions', 'processors']) {
    assert.deepEqual(section(GATEWAY, kind), section(PYTHON, kind), `${kind} are the same`);
  }
  assert.deepEqual(obj(GATEWAY['service'], 's')['telemetry'], obj(PYTHON['service'], 's')['telemetry']);
  const { 'otlp_http/agentspan_gateway': gatewayExporter, ...gatewayOthers } = section(GATEWAY, 'exporters');
  assert.deepEqual(gatewayOthers, section(PYTHON, 'exporters'), 'the Jaeger and Prometheus exporters are the same');
  assert.equal(hostPort(str(obj(gatewayExporter, 'otlp_http/agentspan_gateway')['endpoint'], 'endpoint')).host, 'agentspan-gateway');
  // The receiver differs only in its request size limit (the gateway's own).
  const receivers = (c: Config): unknown => JSON.parse(JSON.stringify(section(c, 'receivers'), (k, v: unknown) => (k === 'max_request_body_size' ? undefined : v)));
  assert.deepEqual(receivers(GATEWAY), receivers(PYTHON));
  const py = pipelines(PYTHON);
  const gw = pipelines(GATEWAY);
  assert.deepEqual(gw['traces'], py['traces'], 'the Jaeger and span-metrics path is the python-agents one');
  assert.deepEqual(gw['metrics/span_metrics'], py['metrics/span_metrics']);
  const toGateway = gw['traces/agentspan'];
  assert.ok(toGateway, 'a traces pipeline to the gateway');
  assert.deepEqual(toGateway.receivers, ['otlp']);
  assert.deepEqual(toGateway.exporters, ['otlp_http/agentspan_gateway']);
  // The gateway maps foreign spans itself; an event type set here would make it skip that mapping.
  assert.deepEqual(toGateway.processors, py['traces']!.processors.filter((p) => p !== 'transform/genai_event_types'));
  assert.deepEqual(Object.keys(gw).sort(), ['metrics/span_metrics', 'traces', 'traces/agentspan']);
});
