import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GATEWAY_DEFAULTS } from '@agentspan/gateway';
import {
  JAEGER_LIMITS,
  STACK_PATHS,
  gatewayExportBounds,
  jaegerExportBounds,
  gatewayMaxBodyBytes,
  worstCaseCompressedBytes,
  type GatewayExportBound,
  type GatewayLimits,
} from '../src/index.js';
import { arr, loadCompose, loadYaml, obj, services, str } from './stack-files.js';

const MIB = 1024 * 1024;

/**
 * What the compose stack's gateway accepts: its command line as the CLI reads it (`--max-body-mb`),
 * else the gateway's own default, so neither number is restated here.
 */
function composeGatewayLimits(compose: Record<string, unknown> = loadCompose().resolved): GatewayLimits {
  const command = arr(services(compose)['agentspan-gateway']!['command'], 'agentspan-gateway.command').map((a) => str(a, 'argument'));
  return {
    maxBodyBytes: gatewayMaxBodyBytes(command, GATEWAY_DEFAULTS.maxBodyBytes),
    maxSpansPerRequest: Math.floor(GATEWAY_DEFAULTS.maxQueueSpans / 2),
  };
}

const LIMITS = composeGatewayLimits();
const FILES = [STACK_PATHS.collectorConfig, STACK_PATHS.collectorConfigPythonAgents, STACK_PATHS.collectorConfigGateway];
const GATEWAY = (): Record<string, unknown> => obj(loadYaml(STACK_PATHS.collectorConfigGateway), 'gateway collector config');

/** A path into a parsed configuration (asserting each step exists). */
function at(config: Record<string, unknown>, path: string[]): Record<string, unknown> {
  let node = config;
  for (const key of path) node = obj(node[key], path.join('.'));
  return node;
}

function problems(config: unknown, limits: GatewayLimits = LIMITS): string[] {
  return gatewayExportBounds(config, limits).flatMap((b) => [...b.problems]);
}

test('the compose gateway runs with the default body limit, read from @agentspan/gateway', () => {
  assert.equal(LIMITS.maxBodyBytes, GATEWAY_DEFAULTS.maxBodyBytes);
  assert.equal(LIMITS.maxBodyBytes, 16 * MIB, 'the limit collector-config/README.md does its arithmetic with');
});

for (const file of FILES) {
  test(`${file}: no request to the gateway can exceed what the gateway accepts, and no span is too large to send`, () => {
    assert.deepEqual(problems(loadYaml(file)), []);
  });
}

test('the gateway configuration: one bounded exporter, with the numbers collector-config/README.md gives', () => {
  const bounds = gatewayExportBounds(GATEWAY(), LIMITS);
  const only: GatewayExportBound = {
    pipeline: 'traces/agentspan',
    exporter: 'otlp_http/agentspan_gateway',
    maxRequestBytes: 15 * MIB,
    maxWireBytes: 15 * MIB + 5 * 960 + 64,
    maxSpanBytes: 14 * MIB,
    maxSpans: 2048,
    problems: [],
  };
  assert.deepEqual(bounds, [only]);
  assert.ok(only.maxWireBytes <= LIMITS.maxBodyBytes);
  // The other two send nowhere near the gateway: nothing to bound (and the check is not vacuous above).
  assert.deepEqual(gatewayExportBounds(loadYaml(STACK_PATHS.collectorConfig), LIMITS), []);
});

// The check against copies of the shipped configuration, each changed in one way that loses spans.
const MUTATIONS: [string, (c: Record<string, unknown>) => void, RegExp][] = [
  [
    'without the byte batching (the shipped configuration before it: span counts only)',
    (c) => delete at(c, ['exporters', 'otlp_http/agentspan_gateway', 'sending_queue'])['batch'],
    /no sending_queue\.batch, so requests are sized by span count only/,
  ],
  [
    'batching by items instead of bytes',
    (c) => (at(c, ['exporters', 'otlp_http/agentspan_gateway', 'sending_queue', 'batch'])['sizer'] = 'items'),
    /sizer is "items", not bytes/,
  ],
  [
    'with the sizer left to be inherited',
    (c) => delete at(c, ['exporters', 'otlp_http/agentspan_gateway', 'sending_queue', 'batch'])['sizer'],
    /sizer is null, not bytes/,
  ],
  [
    'max_size at the gateway limit itself (no room for gzip framing)',
    (c) => (at(c, ['exporters', 'otlp_http/agentspan_gateway', 'sending_queue', 'batch'])['max_size'] = 16 * MIB),
    /on the wire \(gzip\), more than the gateway's maxBodyBytes/,
  ],
  [
    'without max_size',
    (c) => delete at(c, ['exporters', 'otlp_http/agentspan_gateway', 'sending_queue', 'batch'])['max_size'],
    /max_size is not a positive number of bytes/,
  ],
  [
    'receivers taking larger requests than one export may carry',
    (c) => (at(c, ['receivers', 'otlp', 'protocols', 'http'])['max_request_body_size'] = 64 * MIB),
    /one span can be larger than the exporter's max_size/,
  ],
  [
    'the HTTP receiver limit left at the collector default (20 MiB)',
    (c) => delete at(c, ['receivers', 'otlp', 'protocols', 'http'])['max_request_body_size'],
    /receivers accept requests of up to 20971520 bytes \(20 MiB\)/,
  ],
  [
    'a gRPC receiver taking 32 MiB messages',
    (c) => (at(c, ['receivers', 'otlp', 'protocols', 'grpc'])['max_recv_msg_size_mib'] = 32),
    /receivers accept requests of up to 33554432 bytes/,
  ],
  [
    'an exporter batch that merges requests (min_size left at its default)',
    (c) => delete at(c, ['exporters', 'otlp_http/agentspan_gateway', 'sending_queue', 'batch'])['min_size'],
    /min_size is not 0, so the exporter merges requests/,
  ],
  [
    'a batch processor without a span ceiling',
    (c) => delete at(c, ['processors', 'batch'])['send_batch_max_size'],
    /no batch processor with send_batch_max_size/,
  ],
  [
    'JSON bodies',
    (c) => (at(c, ['exporters', 'otlp_http/agentspan_gateway'])['encoding'] = 'json'),
    /encoding json/,
  ],
];

for (const [what, mutate, expected] of MUTATIONS) {
  test(`the check fails on a copy of the gateway configuration ${what}`, () => {
    const copy = GATEWAY();
    mutate(copy);
    const found = problems(copy);
    assert.ok(found.some((p) => expected.test(p)), `expected a problem matching ${expected}, got ${JSON.stringify(found)}`);
  });
}

test('the check fails when the compose gateway is started with a smaller body limit than the exporter sends', () => {
  const compose = structuredClone(loadCompose().resolved);
  const gateway = obj(obj(compose['services'], 'services')['agentspan-gateway'], 'agentspan-gateway');
  gateway['command'] = [...arr(gateway['command'], 'command').map(String), '--max-body-mb', '8'];
  const limits = composeGatewayLimits(compose);
  assert.equal(limits.maxBodyBytes, 8 * MIB);
  assert.ok(problems(GATEWAY(), limits).some((p) => /more than the gateway's maxBodyBytes of 8388608 bytes \(8 MiB\)/.test(p)));
});

test('the gateway body limit follows the command line as the CLI reads it', () => {
  assert.equal(gatewayMaxBodyBytes(['gateway', '--port', '4318'], 123), 123);
  assert.equal(gatewayMaxBodyBytes(['gateway', '--max-body-mb', '32'], 123), 32 * MIB);
  assert.equal(gatewayMaxBodyBytes(['gateway', '--max-body-mb=2'], 123), 2 * MIB);
  assert.throws(() => gatewayMaxBodyBytes(['gateway', '--max-body-mb', '0'], 123), /from 1 to 1024/);
  assert.throws(() => gatewayMaxBodyBytes(['gateway', '--max-body-mb', '1.5'], 123), /from 1 to 1024/);
  assert.throws(() => gatewayMaxBodyBytes(['gateway', '--max-body-mb'], 123), /from 1 to 1024/);
});

test('worst-case compressed size: stored-block framing of incompressible data, none without compression', () => {
  assert.equal(worstCaseCompressedBytes(15 * MIB, 'none'), 15 * MIB);
  assert.equal(worstCaseCompressedBytes(15 * MIB, 'gzip'), 15 * MIB + 5 * 960 + 64);
  assert.equal(worstCaseCompressedBytes(1, 'zstd'), 1 + 5 + 64);
});

// Jaeger: the collector sends it every trace over OTLP/gRPC, and Jaeger's receiver (its all-in-one
// configuration sets no max_recv_msg_size_mib) takes messages of gRPC's default 4 MiB. A larger one is
// refused with RESOURCE_EXHAUSTED, which the collector treats as permanent: the whole batch is dropped.
for (const file of FILES) {
  test(`${file}: no request to Jaeger can exceed its 4 MiB gRPC message limit`, () => {
    const bounds = jaegerExportBounds(loadYaml(file));
    assert.deepEqual(
      bounds.map((b) => [b.pipeline, b.exporter]),
      [['traces', 'otlp_grpc/jaeger']],
      'one exporter to Jaeger, the check is not vacuous',
    );
    assert.deepEqual(bounds.flatMap((b) => [...b.problems]), []);
    assert.ok(bounds[0]!.maxWireBytes <= JAEGER_LIMITS.maxBodyBytes);
    // A span larger than one request is dropped by the collector (the receivers take more for the
    // other destinations): a loss documented, not a problem of the configuration.
    assert.ok(bounds[0]!.maxSpanBytes > bounds[0]!.maxRequestBytes);
  });
}

test('the Jaeger check fails on a copy without the byte batching (batches of 2048 spans, by count only), or one sized to the limit itself', () => {
  const copy = obj(loadYaml(STACK_PATHS.collectorConfig), 'config');
  delete at(copy, ['exporters', 'otlp_grpc/jaeger', 'sending_queue'])['batch'];
  assert.ok(jaegerExportBounds(copy).some((b) => b.problems.some((p) => /no sending_queue\.batch, so requests are sized by span count only and a batch of large spans can exceed Jaeger's/.test(p))));
  const atLimit = obj(loadYaml(STACK_PATHS.collectorConfig), 'config');
  at(atLimit, ['exporters', 'otlp_grpc/jaeger', 'sending_queue', 'batch'])['max_size'] = 4 * MIB;
  assert.ok(jaegerExportBounds(atLimit).some((b) => b.problems.some((p) => /on the wire \(gzip\), more than Jaeger's/.test(p))));
});
