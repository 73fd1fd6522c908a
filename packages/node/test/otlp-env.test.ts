/**
 * Standard OpenTelemetry variables agentspan does not simply pass on:
 * `OTEL_SDK_DISABLED` turns OTLP forwarding off (one warning), and a
 * protocol other than the one agentspan sends (http/json) is reported
 * rather than silently ignored. Values as they come from env files: an
 * endpoint with a trailing newline, a resource attribute with an empty key.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolveOptions, startAgentspan } from '../src/index.js';

const endpoint = 'http://127.0.0.1:9/v1/traces';

/** An OTLP/HTTP receiver on a free port that answers 200 and keeps each request's body. */
async function collectingServer(): Promise<{ bodies: string[]; server: Server; port: number }> {
  const bodies: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => (body += d));
    req.on('end', () => {
      bodies.push(body);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { bodies, server, port: (server.address() as AddressInfo).port };
}

test('OTEL_SDK_DISABLED=true turns OTLP forwarding off, an endpoint given in code included, with one warning', () => {
  const fromEnv = resolveOptions({}, { OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' });
  assert.equal(fromEnv.otlpEndpoint, undefined);
  assert.equal(fromEnv.warnings.length, 1);
  assert.match(fromEnv.warnings[0] ?? '', /OTEL_SDK_DISABLED=true: OTLP forwarding is off \(recording to Postgres is not affected\)/);
  const fromCode = resolveOptions({ otlpEndpoint: endpoint }, { OTEL_SDK_DISABLED: 'TRUE' });
  assert.equal(fromCode.otlpEndpoint, undefined);
  assert.equal(fromCode.warnings.length, 1);
  assert.deepEqual(resolveOptions({}, { OTEL_SDK_DISABLED: 'true' }).warnings, [], 'nothing to forward, nothing to say');
  assert.equal(resolveOptions({ otlpEndpoint: endpoint }, { OTEL_SDK_DISABLED: 'false' }).otlpEndpoint, endpoint);
  const odd = resolveOptions({ otlpEndpoint: endpoint }, { OTEL_SDK_DISABLED: 'yes please' });
  assert.equal(odd.otlpEndpoint, endpoint, 'only "true" disables, as the specification says');
  assert.match(odd.warnings[0] ?? '', /ignored OTEL_SDK_DISABLED="yes please"/);
});

test('startAgentspan under OTEL_SDK_DISABLED=true builds no OTLP pipeline and says so once', async () => {
  const warnings: string[] = [];
  const agentspan = await startAgentspan(
    { otlpEndpoint: endpoint, registerGlobal: false, flushOnExit: false, spoolDir: false, logger: { warn: (m) => warnings.push(m) } },
    { OTEL_SDK_DISABLED: 'true' },
  );
  agentspan.startRun().end();
  await agentspan.shutdown();
  assert.equal(agentspan.stats().otlp, undefined);
  assert.equal(warnings.filter((w) => /OTEL_SDK_DISABLED/.test(w)).length, 1);
});

test('OTLP protocol: http/protobuf is sent as protobuf, http/json (or nothing) as JSON; another gets one warning naming it and JSON', () => {
  const grpc = resolveOptions({ otlpEndpoint: endpoint }, { OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' });
  assert.equal(grpc.warnings.length, 1);
  assert.match(grpc.warnings[0] ?? '', /ignored OTEL_EXPORTER_OTLP_TRACES_PROTOCOL="grpc": agentspan sends OTLP over HTTP \(http\/json or http\/protobuf\), as JSON here/);
  assert.equal(grpc.otlpEncoding, 'json');
  const protobuf = resolveOptions({}, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_EXPORTER_OTLP_PROTOCOL: 'HTTP/Protobuf' });
  assert.equal(protobuf.otlpEndpoint, 'http://collector:4318/v1/traces');
  assert.equal(protobuf.otlpEncoding, 'protobuf');
  assert.deepEqual(protobuf.warnings, []);
  // The signal's own variable wins over the generic one.
  assert.equal(resolveOptions({ otlpEndpoint: endpoint }, { OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' }).otlpEncoding, 'json');
  assert.deepEqual(resolveOptions({ otlpEndpoint: endpoint }, { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }).warnings, []);
  assert.equal(resolveOptions({ otlpEndpoint: endpoint }, {}).otlpEncoding, 'json');
  assert.deepEqual(resolveOptions({ otlpEndpoint: false }, { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }).warnings, []);
});

test('OTEL_EXPORTER_OTLP_HEADERS: an entry that cannot be an HTTP header is skipped with a warning; the others are sent, and the spans arrive', async () => {
  // Before: the entry was sent as is; Node's HTTP client refused it and every OTLP request failed (every span dropped).
  const seen: IncomingHttpHeaders[] = [];
  const server = createServer((req, res) => {
    seen.push(req.headers);
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  try {
    for (const bad of ['my key=v', ' =v', 'x-split=a%0D%0Ainjected: 1']) {
      seen.length = 0;
      const warnings: string[] = [];
      const agentspan = await startAgentspan(
        { registerGlobal: false, flushOnExit: false, spoolDir: false, logger: { warn: (m) => warnings.push(m) } },
        { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`, OTEL_EXPORTER_OTLP_HEADERS: `${bad},x-tenant=acme` },
      );
      agentspan.startRun().end();
      await agentspan.forceFlush();
      const otlp = agentspan.stats().otlp;
      await agentspan.shutdown();
      assert.equal(otlp?.droppedTotal, 0, `${bad}: ${String(otlp?.lastError)}`);
      assert.equal(otlp?.exported, 1, bad);
      assert.equal(seen[0]?.['x-tenant'], 'acme', bad);
      assert.equal(seen[0]?.['injected'], undefined, bad);
      assert.equal(warnings.filter((w) => /^ignored OTLP header/.test(w)).length, 1, `${bad}: ${warnings.join(' | ')}`);
    }
  } finally {
    server.close();
  }
});

test('otlpHeaders in code that cannot be sent throw at start, naming the header; a valid one passes', () => {
  for (const headers of [{ 'my key': 'v' }, { '': 'v' }, { 'x-a': 'line\nbreak' }, { 'x-a': 'nul\u0000' }, { 'x-a': 'euro \u20ac' }]) {
    assert.throws(() => resolveOptions({ otlpEndpoint: endpoint, otlpHeaders: headers }, {}), /^TypeError: agentspan: otlpHeaders\[".*"\] cannot be sent: /, JSON.stringify(headers));
  }
  assert.deepEqual(resolveOptions({ otlpEndpoint: endpoint, otlpHeaders: { authorization: 'Bearer a.b-c_d~e+f/g=', 'x-e': 'caf\u00e9\ttab' } }, {}).otlpHeaders, {
    authorization: 'Bearer a.b-c_d~e+f/g=',
    'x-e': 'caf\u00e9\ttab',
  });
});


test('otlpEndpoint given in code is trimmed (a trailing newline or space from an env file)', () => {
  const resolved = resolveOptions({ otlpEndpoint: ` ${endpoint}\n` }, { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' });
  assert.equal(resolved.otlpEndpoint, endpoint);
  // The endpoint as messages show it: on one line.
  assert.match(resolved.warnings[0] ?? '', new RegExp(`to ${endpoint.replaceAll('.', '\\.')}; a gRPC-only receiver`));
  assert.throws(() => resolveOptions({ otlpEndpoint: ' \n' }, {}), /otlpEndpoint must be an http\(s\) URL/);
});

test('an empty resource attribute key (OTEL_RESOURCE_ATTRIBUTES " =x", or in resourceAttributes) is not sent, with one warning each; the rest is', async () => {
  const { bodies, server, port } = await collectingServer();
  try {
    const warnings: string[] = [];
    const agentspan = await startAgentspan(
      {
        otlpEndpoint: `http://127.0.0.1:${port}/v1/traces\n`,
        resourceAttributes: { '': 'from-code', ' ': 'blank', team: 'core' },
        registerGlobal: false,
        flushOnExit: false,
        spoolDir: false,
        logger: { warn: (m) => warnings.push(m) },
      },
      { OTEL_RESOURCE_ATTRIBUTES: ' =from-env,%20=blank,deployment.environment.name=prod' },
    );
    agentspan.startRun().end();
    await agentspan.forceFlush();
    const otlp = agentspan.stats().otlp;
    await agentspan.shutdown();
    assert.equal(otlp?.exported, 1, String(otlp?.lastError));
    const request = JSON.parse(bodies[0] ?? '{}') as { resourceSpans?: { resource?: { attributes?: { key: string }[] } }[] };
    const keys = (request.resourceSpans?.[0]?.resource?.attributes ?? []).map((a) => a.key);
    assert.ok(keys.includes('team') && keys.includes('deployment.environment.name'), keys.join(', '));
    assert.deepEqual(keys.filter((k) => k.trim() === ''), [], 'no empty key sent');
    const dropped = warnings.filter((w) => /ignored a resource attribute with an empty key/.test(w));
    assert.equal(dropped.length, 4, warnings.join(' | '));
    assert.equal(dropped.filter((w) => w.includes('OTEL_RESOURCE_ATTRIBUTES')).length, 2);
    assert.equal(dropped.filter((w) => w.includes('resourceAttributes option')).length, 2);
  } finally {
    server.close();
  }
});

test('a resource attribute named "__proto__" (in resourceAttributes or OTEL_RESOURCE_ATTRIBUTES) is dropped with a warning, the others sent, no prototype changed', async () => {
  const { bodies, server, port } = await collectingServer();
  type Request = { resourceSpans?: { resource?: { attributes?: { key: string; value: { stringValue?: string } }[] } }[] };
  const warnings: string[] = [];
  const sent = async (resourceAttributes: Record<string, string> | undefined, env: Record<string, string>): Promise<Map<string, string | undefined>> => {
    const before = bodies.length;
    const agentspan = await startAgentspan(
      { otlpEndpoint: `http://127.0.0.1:${port}/v1/traces`, resourceAttributes, registerGlobal: false, flushOnExit: false, spoolDir: false, logger: { warn: (m: string) => warnings.push(m) } },
      env,
    );
    agentspan.startRun().end();
    await agentspan.forceFlush();
    await agentspan.shutdown();
    const request = JSON.parse(bodies[before] ?? '{}') as Request;
    return new Map((request.resourceSpans?.[0]?.resource?.attributes ?? []).map((a) => [a.key, a.value.stringValue]));
  };
  try {
    // As JSON.parse reads a configuration file: an own property named __proto__.
    const fromOption = await sent(JSON.parse('{"__proto__": "from-code", "team": "core"}') as Record<string, string>, {});
    assert.equal(fromOption.has('__proto__'), false, [...fromOption.keys()].join(', '));
    assert.equal(fromOption.get('team'), 'core');
    assert.equal(warnings.filter((w) => w.includes('__proto__') && w.includes('resourceAttributes')).length, 1, warnings.join('\n'));
    const fromEnv = await sent(undefined, { OTEL_RESOURCE_ATTRIBUTES: '__proto__=from-env,team=core' });
    assert.equal(fromEnv.has('__proto__'), false, [...fromEnv.keys()].join(', '));
    assert.equal(fromEnv.get('team'), 'core');
    assert.equal(warnings.filter((w) => w.includes('__proto__') && w.includes('OTEL_RESOURCE_ATTRIBUTES')).length, 1, warnings.join('\n'));
    assert.equal(Object.getPrototypeOf({}), Object.prototype);
    assert.equal(({} as Record<string, unknown>)['from-env'], undefined);
  } finally {
    server.close();
  }
});

test('an OTLP header named "__proto__" in OTEL_EXPORTER_OTLP_HEADERS is ignored with a warning, not lost silently', () => {
  const resolved = resolveOptions({ otlpEndpoint: endpoint }, { OTEL_EXPORTER_OTLP_HEADERS: '__proto__=x,x-team=core' });
  assert.deepEqual({ ...resolved.otlpHeaders }, { 'x-team': 'core' });
  assert.equal(resolved.warnings.filter((w) => w.includes('ignored OTLP header "__proto__"')).length, 1, resolved.warnings.join(' | '));
});
