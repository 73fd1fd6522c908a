/** Redaction beyond the attributes: the span status and the events' attributes. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SpanStatusCode } from '@opentelemetry/api';
import { Attr } from '@agentspan/semconv';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type Span, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createRecorder } from '@agentspan/instrumentation';
import fc from 'fast-check';
import { createRedactor } from '@agentspan/extract';
import { ExecutionEventSpanProcessor, type ExecutionEventSpanProcessorOptions } from '../src/index.js';
import { MIN_BUILTIN_SECRET_CHARS, SpanRedactor } from '../src/content-policy.js';
import { named, setup } from './helpers.js';

test('secrets in the status message and in event attributes (exceptions) are redacted and counted', () => {
  const { recorder, spans, provider } = setup();
  const key = 'sk-proj-' + 'Q7w9E2r4T6y8U1i3O5p7A9s2D4f6G8h1';
  const run = recorder.startRun();
  run.toolCall({ agent: 'a', tool: 'llm', error: new Error(`401 from OpenAI: invalid key ${key}`) });
  run.end();
  const lib = provider.getTracer('some-lib');
  const other = lib.startSpan('search');
  other.recordException(new Error('connect failed: postgres://svc:S3cretPw@db/prod'));
  other.addEvent('retry', { note: `using ${key}`, attempt: 2 });
  other.setStatus({ code: SpanStatusCode.ERROR, message: 'connect failed: postgres://svc:S3cretPw@db/prod' });
  other.end();

  const tool = named(spans(), 'execute_tool llm');
  assert.ok(!String(tool.status.message).includes(key), String(tool.status.message));
  assert.match(String(tool.status.message), /\[REDACTED:/);
  const search = named(spans(), 'search');
  assert.ok(!String(search.status.message).includes('S3cretPw'));
  const texts = search.events.flatMap((e) => Object.values(e.attributes ?? {}).map(String));
  assert.ok(texts.length > 0);
  for (const t of texts) assert.ok(!t.includes('S3cretPw') && !t.includes(key), t);
  assert.equal(search.events.find((e) => e.name === 'retry')?.attributes?.['attempt'], 2, 'other values are kept');
  assert.ok(Number(search.attributes[Attr.ATTR_REDACTIONS]) >= 3, 'status, exception message, event attribute');
});

test('span names are redacted: a file path that is a URL with a token, an agent or tool named with a secret', () => {
  const { recorder, spans } = setup();
  const token = 'ghp_' + 'a1B2c3D4e5F6g7H8i9J0'.repeat(2);
  const run = recorder.startRun();
  run.fileGenerated({ path: `https://raw.example.org/report.csv?token=${token}` });
  for (let i = 0; i < 3; i++) run.toolCall({ agent: 'a', tool: `fetch ${token}` }); // a name with a secret is never remembered as clean
  for (let i = 0; i < 3; i++) run.toolCall({ agent: 'a', tool: 'search_web' });
  run.end();
  const all = spans();
  for (const s of all) assert.ok(!s.name.includes(token), s.name);
  const file = all.find((s) => s.attributes[Attr.ATTR_EVENT_TYPE] === 'file_gen')!;
  assert.equal(file.name, 'file_gen https://raw.example.org/report.csv?token=[REDACTED:github_token]');
  assert.equal(file.attributes[Attr.ATTR_REDACTIONS], 2, 'the path and the name');
  assert.equal(all.filter((s) => s.name === 'execute_tool fetch [REDACTED:github_token]').length, 3);
  assert.equal(all.filter((s) => s.name === 'execute_tool search_web').length, 3);
});

test('metadata merged at the end keeps the redaction of the start: a secret given at the start is counted once', () => {
  const { recorder, spans, processor } = setup();
  const run = recorder.startRun({ mode: 'm', metadata: { password: 'Pw9Start77' } });
  run.end({ metadata: { phase: 'done' } });
  const runSpan = spans().find((s) => s.attributes[Attr.ATTR_EVENT_TYPE] === 'run')!;
  assert.deepEqual(JSON.parse(String(runSpan.attributes[Attr.ATTR_USER_META])), { password: '[REDACTED:password_assignment]', phase: 'done' });
  assert.equal(runSpan.attributes[Attr.ATTR_REDACTIONS], 1);
  assert.equal(processor.stats().redactions, 1);
});

test('redactText applies the span rules to a value outside any span, counts it, and is the identity with redaction off', () => {
  const key = 'sk-proj-' + 'Q7w9E2r4T6y8U1i3O5p7A9s2D4f6G8h1';
  const { processor } = setup();
  const out = processor.redactText(`note ${key}`);
  assert.ok(!out.includes(key), out);
  assert.match(out, /\[REDACTED:[a-z_]+\]/);
  assert.equal(processor.stats().redactions, 1);
  assert.equal(setup({ redaction: false }).processor.redactText(`note ${key}`), `note ${key}`);
});

test('a run and a node are redacted when they start (their row in progress is written from the start), and counted once', () => {
  const key = 'AKIA' + 'QWERTYUIOPASDFGH';
  const token = 'sk-proj-' + 'Q7w9E2r4T6y8U1i3O5p7A9s2D4f6G8h1';
  const workspaceDir = mkdtempSync(join(tmpdir(), 'agentspan-proc-'));
  const processor = new ExecutionEventSpanProcessor({ workspaceDir });
  const atStart: Record<string, unknown>[] = [];
  const snapshot: SpanProcessor = {
    onStart: (span) => void atStart.push({ ...span.attributes, name: span.name }),
    onEnd: () => undefined,
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [processor, snapshot, new SimpleSpanProcessor(exporter)] });
  processor.setTracerProvider(provider);
  const recorder = createRecorder({ tracerProvider: provider });
  const run = recorder.startRun({ mode: `deploy ${key}`, task: `ship it with ${token}` });
  const node = run.startNode('s', { type: `step ${key}`, agent: `bot ${token}`, title: `title ${token}` });
  node.end();
  run.end();
  assert.equal(atStart.length, 2);
  for (const attrs of atStart) {
    const text = JSON.stringify(attrs);
    assert.ok(!text.includes(key) && !text.includes(token), text);
    assert.match(text, /\[REDACTED:/);
  }
  const ended = exporter.getFinishedSpans();
  for (const s of ended) assert.ok(!JSON.stringify(s.attributes).includes(key) && !JSON.stringify(s.attributes).includes(token));
  const runSpan = ended.find((s) => s.attributes[Attr.ATTR_EVENT_TYPE] === 'run')!;
  const nodeSpan = ended.find((s) => s.attributes[Attr.ATTR_EVENT_TYPE] === 'node')!;
  assert.equal(runSpan.attributes[Attr.ATTR_REDACTIONS], 4, 'mode (workflow name, run mode and span name) and task, each once');
  assert.equal(runSpan.name, 'invoke_workflow deploy [REDACTED:aws_access_key]');
  assert.equal(nodeSpan.attributes[Attr.ATTR_REDACTIONS], 3, 'type, agent and title, each once');
  assert.equal(processor.stats().redactions, 7, 'nothing counted again at the end');
});

test('a run is redacted once whatever the rules: a user pattern that matches the redaction tag does not redact it again at the end', () => {
  const licence = { kind: 'licence', pattern: /\b[A-Z0-9]{8,}\b/ };
  const { recorder, spans, processor } = setup({ redaction: { extraPatterns: [licence] } });
  const run = recorder.startRun({ mode: 'mode AK9X7Q2Z3W', task: 'deploy with key ZX81ABCD99' });
  run.toolCall({ agent: 'a', tool: 't', args: { note: 'late ZZ00YY11XX' } });
  run.end({ error: 'failed with key QQ11WW22EE' }); // a value set at the end is redacted at the end
  const runSpan = spans().find((s) => s.attributes[Attr.ATTR_EVENT_TYPE] === 'run')!;
  assert.equal(runSpan.attributes[Attr.ATTR_RUN_MODE], 'mode [REDACTED:licence]');
  assert.equal(runSpan.attributes[Attr.ATTR_RUN_TASK], 'deploy with key [REDACTED:licence]');
  assert.equal(runSpan.attributes[Attr.ATTR_ERROR_MESSAGE], 'failed with key [REDACTED:licence]');
  assert.equal(runSpan.name, 'invoke_workflow mode [REDACTED:licence]', 'the name too, once');
  // Mode (run mode, workflow name, span name) and task at the start; at the end the error message and the status message (the same text).
  const counted = Number(runSpan.attributes[Attr.ATTR_REDACTIONS]);
  assert.equal(counted, 6);
  const tool = spans().find((s) => s.attributes[Attr.ATTR_EVENT_TYPE] === 'tool_call')!;
  assert.equal(processor.stats().redactions, counted + Number(tool.attributes[Attr.ATTR_REDACTIONS]));
});

/** As `setup`, with the spans as they start (still writable), for `prepareRunning`. */
function setupWithStarted(options: ExecutionEventSpanProcessorOptions = {}) {
  const exporter = new InMemorySpanExporter();
  const processor = new ExecutionEventSpanProcessor({ workspaceDir: mkdtempSync(join(tmpdir(), 'agentspan-proc-')), ...options });
  const started: Span[] = [];
  const capture: SpanProcessor = {
    onStart: (span) => void started.push(span as Span),
    onEnd: () => {},
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
  const provider = new BasicTracerProvider({ spanProcessors: [processor, capture, new SimpleSpanProcessor(exporter)] });
  processor.setTracerProvider(provider);
  const recorder = createRecorder({ tracerProvider: provider });
  return { processor, exporter, started, provider, recorder };
}

test('prepareRunning: a running event\'s names are redacted then (what its row in progress holds), the rest at its end, each value counted once', () => {
  // A user pattern that matches the redaction tag itself: the end must not redact what was readied again.
  const licence = { kind: 'licence', pattern: /\b[A-Z0-9]{8,}\b/ };
  const { processor, exporter, started, provider, recorder } = setupWithStarted({ redaction: { extraPatterns: [licence] } });
  const key = 'ZX81ABCD99';
  const run = recorder.startRun({ runId: 'run-prepare-running' });
  const step = run.startNode('fetch');
  const call = step.beginToolCall({ agent: 'fetcher PP00LL99KK', tool: 'lookup AK9X7Q2Z3W', args: { note: `licence ${key}` } });
  const span = started.find((s) => s.attributes[Attr.ATTR_EVENT_TYPE] === 'tool_call');
  assert.ok(span);
  assert.ok(span.name.includes('AK9X7Q2Z3W'), 'not redacted before it is readied');

  assert.equal(processor.prepareRunning(span), true);
  assert.equal(span.name, 'execute_tool lookup [REDACTED:licence]');
  assert.equal(span.attributes[Attr.ATTR_GEN_AI_AGENT_NAME], 'fetcher [REDACTED:licence]');
  assert.ok(JSON.stringify(span.attributes[Attr.ATTR_GEN_AI_TOOL_CALL_ARGUMENTS]).includes(key), 'content waits for the end');
  const atReady = Number(span.attributes[Attr.ATTR_REDACTIONS]);
  assert.equal(atReady, 2, 'the name and the agent');
  assert.equal(processor.prepareRunning(span), true, 'readied again (a second batch): nothing redacted twice');
  assert.equal(Number(span.attributes[Attr.ATTR_REDACTIONS]), atReady);

  call.end({ result: 'ok, QQ11WW22EE' });
  const ended = named(exporter.getFinishedSpans(), span.name);
  const text = JSON.stringify(ended.attributes) + ended.name;
  assert.ok(!text.includes(key) && !text.includes('AK9X7Q2Z3W') && !text.includes('QQ11WW22EE') && !text.includes('PP00LL99KK'), text);
  assert.ok(!text.includes(':licence]:'), `tags are not redacted again: ${text}`);
  // At the end: the tool name attribute, the arguments and the result, all new since the readying.
  assert.equal(Number(ended.attributes[Attr.ATTR_REDACTIONS]), atReady + 3);

  // A run is readied too (before its row in progress or a heartbeat is prepared): its mode if it changed.
  const runSpan = started.find((s) => s.attributes[Attr.ATTR_EVENT_TYPE] === 'run');
  assert.ok(runSpan);
  const runRedactions = Number(runSpan.attributes[Attr.ATTR_REDACTIONS] ?? 0);
  runSpan.setAttribute(Attr.ATTR_RUN_MODE, 'mode QQ22WW33EE');
  runSpan.setAttribute(Attr.ATTR_RUN_TASK, 'deploy with QQ33WW44EE');
  assert.equal(processor.prepareRunning(runSpan), true);
  assert.equal(runSpan.attributes[Attr.ATTR_RUN_MODE], 'mode [REDACTED:licence]');
  assert.equal(runSpan.attributes[Attr.ATTR_RUN_TASK], 'deploy with QQ33WW44EE', 'the task comes with its end only: redacted then');
  assert.equal(Number(runSpan.attributes[Attr.ATTR_REDACTIONS]), runRedactions + 1, 'added to what its start counted');
  // Already ended, or not agentspan's: nothing to ready.
  assert.equal(processor.prepareRunning(span), false);
  const foreign = provider.getTracer('other').startSpan('plain');
  assert.equal(processor.prepareRunning(foreign as unknown as Span), false);
  foreign.end();
  step.end();
  run.end();
  const runEnded = exporter.getFinishedSpans().find((s) => s.attributes[Attr.ATTR_EVENT_TYPE] === 'run');
  assert.equal(runEnded?.attributes[Attr.ATTR_RUN_TASK], 'deploy with [REDACTED:licence]');
});

test('prepareRunning on every batch: content the application appends while it runs is redacted whole at the end, once, however many batches', () => {
  const { processor, exporter, started, recorder } = setupWithStarted();
  const key = 'sk-proj-' + 'Q7w9E2r4T6y8U1i3O5p7A9s2D4f6G8h1';
  const run = recorder.startRun({ runId: 'run-streamed' });
  const node = started.find((s) => s.attributes[Attr.ATTR_EVENT_TYPE] === 'run');
  assert.ok(node);
  // Streamed into the run's task four characters at a time, a batch (and its readying) between chunks.
  const text = `use this key for deploys: ${key} -- keep it safe.`;
  for (let i = 0; i < text.length; i += 4) {
    node.setAttribute(Attr.ATTR_RUN_TASK, text.slice(0, i + 4));
    processor.prepareRunning(node);
  }
  // The same secret set again and again.
  for (let i = 0; i < 5; i++) {
    node.setAttribute(Attr.ATTR_USER_META, JSON.stringify({ token: key }));
    processor.prepareRunning(node);
  }
  run.end();
  const ended = exporter.getFinishedSpans().find((s) => s.attributes[Attr.ATTR_EVENT_TYPE] === 'run');
  assert.ok(ended);
  assert.equal(ended.attributes[Attr.ATTR_RUN_TASK], 'use this key for deploys: [REDACTED:openai_key] -- keep it safe.');
  assert.ok(!JSON.stringify(ended.attributes).includes('A9s2D4f6G8h1'), JSON.stringify(ended.attributes));
  assert.equal(Number(ended.attributes[Attr.ATTR_REDACTIONS]), 2, 'one in the task, one in the metadata');
});

test('event names and link attributes are redacted: they reach exporters as the application wrote them', () => {
  const { spans, provider, processor } = setup();
  const key = 'sk-proj-' + 'Q7w9E2r4T6y8U1i3O5p7A9s2D4f6G8h1';
  const lib = provider.getTracer('some-lib');
  const linked = lib.startSpan('upstream');
  linked.end();
  const other = lib.startSpan('call', { links: [{ context: linked.spanContext(), attributes: { note: `started with ${key}`, n: 1 } }] });
  other.addEvent(`retrying with key ${key}`);
  other.addLink({ context: linked.spanContext(), attributes: { url: 'postgres://svc:S3cretPw@db/prod' } });
  other.end();
  const call = named(spans(), 'call');
  assert.equal(call.events[0]?.name, 'retrying with key [REDACTED:openai_key]');
  assert.deepEqual(call.links[0]?.attributes, { note: 'started with [REDACTED:openai_key]', n: 1 });
  assert.ok(!JSON.stringify(call.links[1]?.attributes).includes('S3cretPw'), JSON.stringify(call.links[1]?.attributes));
  assert.equal(call.attributes[Attr.ATTR_REDACTIONS], 3);
  assert.equal(processor.stats().redactions, 3);
});

test('an attribute whose key names a secret is redacted as that key\'s value: db.password, an API key or Authorization header', () => {
  const { spans, provider } = setup();
  const other = provider.getTracer('http').startSpan('GET /v1/models', {
    attributes: {
      'db.password': 'correct horse battery staple',
      'openai.api_key': 'abc',
      'http.request.header.x-api-key': ['k1-9f8e7d6c5b4a', 'second'],
      'http.request.header.authorization': ['Bearer eyJhbGciOiJIUzI1NiJ9abcdefghijklmnop'],
      'db.user.password_hint': '${DB_PASSWORD}',
      'messaging.kafka.message.key': 'user-123',
      'gen_ai.usage.input_tokens': '12',
      'agentspan.tool.args_keys': ['password', 'path'],
    },
  });
  other.end();
  const a = named(spans(), 'GET /v1/models').attributes;
  assert.equal(a['db.password'], '[REDACTED:password_assignment]');
  assert.equal(a['openai.api_key'], '[REDACTED:password_assignment]');
  assert.deepEqual(a['http.request.header.x-api-key'], ['[REDACTED:password_assignment]', '[REDACTED:password_assignment]']);
  assert.deepEqual(a['http.request.header.authorization'], ['Bearer [REDACTED:bearer]']);
  // What the rules judge no secret in text stays: a placeholder, and keys that only look like secret names.
  assert.equal(a['db.user.password_hint'], '${DB_PASSWORD}');
  assert.equal(a['messaging.kafka.message.key'], 'user-123');
  assert.equal(a['gen_ai.usage.input_tokens'], '12');
  assert.deepEqual(a['agentspan.tool.args_keys'], ['password', 'path']);
});

test('HTTP credentials in headers the key names: an Authorization or Proxy-Authorization without a scheme, a request\'s cookies, a response\'s set cookie', () => {
  const { spans, provider } = setup();
  const other = provider.getTracer('http').startSpan('GET /v1/issues', {
    attributes: {
      'http.request.header.authorization': ['lin_api_9f8e7d6c5b4a3928'],
      'http.request.header.proxy-authorization': 'Basic dXNlcjpwYXNzd29yZA==',
      'http.request.header.cookie': ['sessionid=abc123def456; csrftoken=XYZ789', 'theme=dark'],
      'http.response.header.set-cookie': ['sid=s3cr3tv4lue; Path=/; HttpOnly'],
      'app.cookie_policy': 'strict',
    },
  });
  other.end();
  const a = named(spans(), 'GET /v1/issues').attributes;
  assert.deepEqual(a['http.request.header.authorization'], ['[REDACTED:password_assignment]']);
  assert.equal(a['http.request.header.proxy-authorization'], 'Basic [REDACTED:bearer]');
  assert.deepEqual(a['http.request.header.cookie'], ['sessionid=[REDACTED:cookie]; csrftoken=[REDACTED:cookie]', 'theme=[REDACTED:cookie]']);
  assert.deepEqual(a['http.response.header.set-cookie'], ['sid=[REDACTED:cookie]; Path=/; HttpOnly']);
  assert.equal(a['app.cookie_policy'], 'strict');
  assert.equal(a[Attr.ATTR_REDACTIONS], 6);
});

test('HTTP header values as clients and proxies write them: any scheme\'s credential, a quoted cookie, Cookie headers joined by ", ", Set-Cookie headers joined in one value; a scheme alone is kept', () => {
  const { spans, provider } = setup();
  const other = provider.getTracer('http').startSpan('GET /v2/orders', {
    attributes: {
      'http.request.header.authorization': ['OAuth 00D5e000000ABCd!AQ4AQFmxyzQ9'],
      'http.request.header.proxy-authorization': 'Bearer',
      'http.request.header.cookie': ['messages="abc123def"; sid=x9y8', 'sid=abc123, theme=dark'],
      'http.response.header.set-cookie': 'sid=s3cr3tv4lue; Path=/; HttpOnly, _csrf=x9y8z7; Expires=Thu, 21 Oct 2027 07:28:00 GMT; Path=/',
    },
  });
  other.end();
  const a = named(spans(), 'GET /v2/orders').attributes;
  assert.deepEqual(a['http.request.header.authorization'], ['OAuth [REDACTED:bearer]']);
  assert.equal(a['http.request.header.proxy-authorization'], 'Bearer');
  assert.deepEqual(a['http.request.header.cookie'], ['messages="[REDACTED:cookie]"; sid=[REDACTED:cookie]', 'sid=[REDACTED:cookie], theme=[REDACTED:cookie]']);
  assert.equal(a['http.response.header.set-cookie'], 'sid=[REDACTED:cookie]; Path=/; HttpOnly, _csrf=[REDACTED:cookie]; Expires=Thu, 21 Oct 2027 07:28:00 GMT; Path=/');
  assert.equal(a[Attr.ATTR_REDACTIONS], 7);
});

test('short values are redacted as long ones are: built-in rules (pwd=x1) and user patterns and key names that match a few characters', () => {
  const builtIn = setup();
  const s = builtIn.provider.getTracer('t').startSpan('pwd=ab1', { attributes: { 'conn.opts': 'pwd=x1' } });
  s.setStatus({ code: SpanStatusCode.ERROR, message: 'pwd=x9' });
  s.end();
  const a = builtIn.spans()[0]!;
  assert.equal(a.attributes['conn.opts'], 'pwd=[REDACTED:password_assignment]');
  assert.equal(a.name, 'pwd=[REDACTED:password_assignment]');
  assert.equal(a.status.message, 'pwd=[REDACTED:password_assignment]');

  const user = setup({ redaction: { extraPatterns: [{ kind: 'pin', pattern: /\bPIN\d{3}\b/ }], extraKeyNames: ['pk'] } });
  const u = user.provider.getTracer('t').startSpan('PIN123', { attributes: { 'user.pin': 'PIN123', note: 'pk=7', 'store.pk': 'Zq91' } });
  u.end();
  const b = user.spans()[0]!;
  assert.equal(b.name, '[REDACTED:pin]');
  assert.equal(b.attributes['user.pin'], '[REDACTED:pin]');
  assert.equal(b.attributes['note'], 'pk=[REDACTED:password_assignment]');
  assert.equal(b.attributes['store.pk'], '[REDACTED:password_assignment]');
});

test('short texts hold no secret for the built-in rules (the shortcut below MIN_BUILTIN_SECRET_CHARS is safe)', () => {
  const redactor = createRedactor({});
  const pieces = ['pwd', 'pw', 'key', '=', ':', '"', "'", ' ', 'a', '1', 'x', '-p', 'sk-', 'ghp_', 'AKIA', 'tok', '@', '/'];
  fc.assert(
    fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 4 }), fc.string({ maxLength: MIN_BUILTIN_SECRET_CHARS - 1 }), (parts, random) => {
      for (const text of [parts.join('').slice(0, MIN_BUILTIN_SECRET_CHARS - 1), random]) {
        assert.equal(redactor.redact(text).redactions, 0, JSON.stringify(text));
      }
    }),
    { numRuns: 5000 },
  );
  assert.equal(redactor.redact('pwd=1').redactions, 1, 'the bound is tight');
});

test('an attribute whose key names a secret is redacted however long its value: past the 1 KB the rules read of a quoted value, an AWS session token or an opaque token stayed in clear', () => {
  const { spans, provider } = setup();
  // Deterministic high-entropy text (an xorshift), base64url: what STS session tokens and opaque tokens look like.
  let x = 0x9e3779b9;
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const token = (n: number) => {
    let out = '';
    for (let i = 0; i < n; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      out += alphabet[(x >>> 0) % 64];
    }
    return out;
  };
  const session = 'IQoJb3JpZ2luX2Vj' + token(1100);
  const opaque = token(2000);
  const long = token(1500);
  const s = provider.getTracer('aws-sdk').startSpan('S3.GetObject', {
    attributes: {
      'aws.session_token': session,
      'app.refresh_token': [opaque, 'short-one-9f8e7d'],
      'http.request.header.authorization': `Bearer ${long}`,
      // What the rules judge no secret stays, long or not: a placeholder.
      'db.password': 'x'.repeat(2000),
    },
  });
  s.end();
  const a = named(spans(), 'S3.GetObject').attributes;
  for (const secret of [session, opaque, long]) assert.ok(!JSON.stringify(a).includes(secret.slice(500, 540)), JSON.stringify(a).slice(0, 300));
  assert.equal(a['aws.session_token'], '[REDACTED:password_assignment]');
  assert.deepEqual(a['app.refresh_token'], ['[REDACTED:password_assignment]', '[REDACTED:password_assignment]']);
  assert.equal(a['http.request.header.authorization'], 'Bearer [REDACTED:bearer]');
  assert.equal(a['db.password'], 'x'.repeat(2000));
  assert.equal(a[Attr.ATTR_REDACTIONS], 4);
});

test('a secret under a key that names one is redacted at any length, with escapes that lengthen it (property)', () => {
  const redactor = new SpanRedactor(createRedactor({}));
  const core = fc.string({ unit: fc.constantFrom(...'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789'), minLength: 16, maxLength: 3000, size: 'max' });
  // Control characters escape to six characters in JSON: a value of 300 of them reads as 1 500.
  const noise = fc.string({ unit: fc.constantFrom('\u0001', '\n', '"', '\\', ' ', 'Z'), maxLength: 400, size: 'max' });
  fc.assert(
    fc.property(core, noise, (secret, tail) => {
      const got = redactor.redactValue('db.password', `K9${secret}${tail}`)?.text ?? '';
      assert.ok(!got.includes(secret.slice(0, 16)), `${got.slice(0, 80)} (${secret.length + tail.length + 2} chars)`);
    }),
    // Shrinking strings of thousands of characters takes minutes: the first counterexample says enough.
    { numRuns: 300, endOnFailure: true },
  );
});

test('an attribute key naming a secret in another script (extraKeyNames) is redacted as the rules redact that key in text', () => {
  const names = ['contraseña', 'пароль', 'Kennwört'];
  const { spans, provider, processor } = setup({ redaction: { extraKeyNames: names } });
  assert.equal(processor.redactText('contraseña=Xk9mP2qL7w'), 'contraseña=[REDACTED:password_assignment]');
  provider.getTracer('t').startSpan('login', { attributes: { 'app.contraseña': 'Xk9mP2qL7w', 'app.пароль': 'Xk9mP2qL7w', 'user.kennwört': 'Xk9mP2qL7w' } }).end();
  const a = named(spans(), 'login').attributes;
  assert.deepEqual([a['app.contraseña'], a['app.пароль'], a['user.kennwört']], Array(3).fill('[REDACTED:password_assignment]'));
});

test('a JSON attribute stays JSON when a string in it ends in a key name and `=`: the next tool call was swallowed and the row\'s meta became one string', () => {
  const { spans, provider, recorder } = setup();
  const run = recorder.startRun({ runId: 'R-meta-json' });
  const node = run.startNode('n');
  node.with(() => {
    provider
      .getTracer('genai')
      .startSpan('chat m', {
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.provider.name': 'openai',
          'gen_ai.usage.input_tokens': 12,
          'gen_ai.output.messages': JSON.stringify([
            {
              role: 'assistant',
              parts: [
                { type: 'tool_call', id: 'c1', name: 'shell', arguments: { cmd: 'mysql -u root --password=', password: 'Xk9mP2qL7w' } },
                { type: 'tool_call', id: 'c2', name: 'read', arguments: { path: 'a.txt' } },
              ],
            },
          ]),
        },
      })
      .end();
  });
  node.end();
  run.end();
  const a = named(spans(), 'chat m').attributes;
  const meta = JSON.parse(String(a[Attr.ATTR_USER_META])) as { tool_calls: { id: string; name: string; arguments: Record<string, unknown> }[]; input_tokens: number };
  assert.deepEqual(
    meta.tool_calls.map((t) => [t.id, t.name]),
    [['c1', 'shell'], ['c2', 'read']],
  );
  assert.deepEqual(meta.tool_calls[0]?.arguments, { cmd: 'mysql -u root --password=', password: '[REDACTED:password_assignment]' });
  assert.equal(meta.input_tokens, 12);
  // String by string, the rest of the document is kept as written (numbers too: not parsed and written again).
  const redactor = new SpanRedactor(createRedactor({}));
  const doc = '{ "cmd": "run --token=", "id": 12345678901234567890, "token": "Xk9mP2qL7w" }';
  assert.equal(redactor.redactValue('tool.args', doc)?.text, '{ "cmd": "run --token=", "id": 12345678901234567890, "token": "[REDACTED:password_assignment]" }');
});

test('a JSON document redacted stays a JSON document, and every value under a key naming a secret is redacted (property)', () => {
  const redactor = new SpanRedactor(createRedactor({}));
  const key = fc.constantFrom('password', 'api_key', 'token', 'query', 'path', 'Authorization', 'cmd', 'x');
  const text = fc.string({ unit: fc.constantFrom('a', 'Z', '9', '"', '\\', '\n', ' ', '=', ':', "'", '$', '{', '}', '[', ']', ',', '\u0001', '\ud800', 'password=', '--password=', 'token=', '@', '/'), maxLength: 30 });
  const value = fc.oneof(text, fc.constantFrom('Xk9mP2qL7wZ', 'sk-proj-Q7w9E2r4T6y8U1i3O5p7A9s2D4f6G8h1', 'postgres://u:S3cretPw@h/db'));
  const doc = fc.array(fc.dictionary(key, value, { maxKeys: 4 }), { minLength: 1, maxLength: 3 });
  fc.assert(
    fc.property(doc, (args) => {
      const json = JSON.stringify({ tool_calls: args.map((a, i) => ({ id: `c${i}`, arguments: a })), input_tokens: 3 });
      const out = redactor.redactValue('agentspan.meta', json)?.text ?? json;
      const parsed = JSON.parse(out) as { tool_calls: { id: string; arguments: Record<string, string> }[] };
      assert.equal(parsed.tool_calls.length, args.length);
      // Secrets the rules catch on their own, under any key; and a password under a key that names one.
      for (const secret of ['Q7w9E2r4T6y8U1i3', 'S3cretPw']) assert.ok(!out.includes(secret), out);
      for (const [i, a] of args.entries()) {
        if (a['password'] === 'Xk9mP2qL7wZ') assert.equal(parsed.tool_calls[i]?.arguments['password'], '[REDACTED:password_assignment]', out);
      }
    }),
    {
      numRuns: 3000,
      // Found by a seed hunt (seed 2002899477, about 1 CI run in 100): a string ending in `'password='` before the password.
      examples: [[[{ cmd: "{'password='", password: 'Xk9mP2qL7wZ', token: 'postgres://u:S3cretPw@h/db' }, { password: "'" }, {}]]],
    },
  );
});

test('a value under a key naming a secret, in a JSON document, is redacted even where the rules read a quote in an earlier string as opening a value over it', () => {
  // The rules read the document as text: `'pwd='` opens a quoted value to them that runs to the `'` of a later string,
  // over `"password":"…"`; a tag inside it (the URL's password, replaced first) and they drop that value, and with it
  // the password they would have found there. The document kept its structure, so nothing else looked again.
  const redactor = new SpanRedactor(createRedactor({}));
  const doc = JSON.stringify({ a: [{ cmd: "{'pwd='", password: 'Xk9mP2qL7wZ', url: 's://:w@h' }, { note: "'" }] });
  const out = redactor.redactValue('agentspan.meta', doc)?.text ?? doc;
  assert.deepEqual(JSON.parse(out), { a: [{ cmd: "{'pwd='", password: '[REDACTED:password_assignment]', url: 's://:[REDACTED:url_password]@h' }, { note: "'" }] });
  assert.equal(redactor.redactValue('agentspan.meta', doc)?.redactions, 2);
});

test("a run or node span that arrives with a redaction count of its own (a gateway replaying an SDK's span) keeps it: the start's count is added, not put over it", () => {
  const { provider, spans } = setup();
  const tracer = provider.getTracer('replayed');
  const key = 'AKIA' + 'IOSFODNN7EXAMPLE';
  const run = tracer.startSpan('invoke_workflow r', {
    attributes: { [Attr.ATTR_EVENT_TYPE]: 'run', [Attr.ATTR_RUN_ID]: 'r-counted', [Attr.ATTR_RUN_TASK]: `ship with ${key}`, [Attr.ATTR_REDACTIONS]: 2 },
  });
  const node = tracer.startSpan('node s', {
    attributes: { [Attr.ATTR_EVENT_TYPE]: 'node', [Attr.ATTR_RUN_ID]: 'r-counted', [Attr.ATTR_NODE_ID]: 's', [Attr.ATTR_NODE_TITLE]: `use ${key}`, [Attr.ATTR_REDACTIONS]: 5 },
  });
  node.end();
  run.end();
  const ended = spans();
  const runSpan = ended.find((s) => s.attributes[Attr.ATTR_EVENT_TYPE] === 'run')!;
  const nodeSpan = ended.find((s) => s.attributes[Attr.ATTR_EVENT_TYPE] === 'node')!;
  assert.equal(runSpan.attributes[Attr.ATTR_RUN_TASK], 'ship with [REDACTED:aws_access_key]');
  assert.equal(runSpan.attributes[Attr.ATTR_REDACTIONS], 3, 'the 2 it came with and the task');
  assert.equal(nodeSpan.attributes[Attr.ATTR_REDACTIONS], 6, 'the 5 it came with and the title');
});
