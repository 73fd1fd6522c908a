/**
 * Options given in code with a wrong type or value throw at start, naming
 * the option and the value; environment variables keep their lenient
 * handling (one warning, then the default).
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import pg from 'pg';
import { resolveOptions, startAgentspan, type AgentspanOptions } from '../src/index.js';

/** Options that create nothing: no database, no forwarding, no globals, no exit hooks. */
const quiet: AgentspanOptions = { otlpEndpoint: false, spoolDir: false, flushOnExit: false, registerGlobal: false, logger: { warn: () => {} } };

const bad: [string, Record<string, unknown>, RegExp][] = [
  ['captureContent "false"', { captureContent: 'false' }, /^agentspan: captureContent must be true or false, got "false" \(a string\)$/],
  ['captureContent 0', { captureContent: 0 }, /captureContent must be true or false, got 0 \(a number\)/],
  ['maxContentChars -1', { maxContentChars: -1 }, /maxContentChars must be a number of characters, at least 1, got -1/],
  ['maxContentChars "abc"', { maxContentChars: 'abc' }, /maxContentChars must be a number of characters, at least 1, got "abc"/],
  ['maxContentChars NaN', { maxContentChars: NaN }, /maxContentChars must be a number of characters, at least 1, got NaN/],
  ['fileCapture.maxFileBytes -1', { fileCapture: { maxFileBytes: -1 } }, /fileCapture\.maxFileBytes must be a number, at least 1, got -1/],
  ['fileCapture.maxContentBytes 0', { fileCapture: { maxContentBytes: 0 } }, /fileCapture\.maxContentBytes must be a number, at least 1, got 0/],
  ['fileCapture.enabled "no"', { fileCapture: { enabled: 'no' } }, /fileCapture\.enabled must be true or false, got "no"/],
  ['workspaceDir 42', { workspaceDir: 42 }, /workspaceDir must be a string, got 42 \(a number\)/],
  ['serviceName 42', { serviceName: 42 }, /serviceName must be a string, got 42 \(a number\)/],
  ['otlpHeaders "x"', { otlpHeaders: 'x' }, /otlpHeaders must be an object, got "x"/],
  ['otlpHeaders value 1', { otlpHeaders: { 'x-a': 1 } }, /otlpHeaders\["x-a"\] must be a string, got 1/],
  ['otlpEndpoint true', { otlpEndpoint: true }, /otlpEndpoint must be an http\(s\) URL or false, got true/],
  ['registerGlobal "yes"', { registerGlobal: 'yes' }, /registerGlobal must be true or false/],
  ['flushOnExit 1', { flushOnExit: 1 }, /flushOnExit must be true or false/],
  ['migrate "false"', { migrate: 'false' }, /migrate must be true or false/],
  ['resourceAttributes value object', { resourceAttributes: { a: {} } }, /resourceAttributes\["a"\] must be a string, a finite number or a boolean/],
  ['redaction true', { redaction: true }, /redaction must be an object or false, got true/],
  ['redaction pattern string', { redaction: { extraPatterns: [{ kind: 'k', pattern: 'x' }] } }, /redaction\.extraPatterns\[0\]\.pattern must be a RegExp/],
  ['logger without warn', { logger: {} }, /logger\.warn must be a function/],
  ['sampler {}', { sampler: {} }, /sampler\.shouldSample must be a function/],
  ['spanProcessors not an array', { spanProcessors: {} }, /spanProcessors must be an array/],
  ['postgresPoolSize "4"', { postgresPoolSize: '4' }, /postgresPoolSize must be a positive integer, got "4"/],
  ['postgresWriteMethod "bogus"', { postgresWriteMethod: 'bogus' }, /postgresWriteMethod must be 'copy' or 'unnest', got "bogus"/],
  ['shutdownTimeoutMillis 0', { shutdownTimeoutMillis: 0 }, /shutdownTimeoutMillis must be a positive integer, got 0/],
  ['postgresHeartbeatMs -1', { postgresHeartbeatMs: -1 }, /postgresHeartbeatMs must be a positive integer \(or 0: off\), got -1/],
  ['postgresHeartbeatMs "60000"', { postgresHeartbeatMs: '60000' }, /postgresHeartbeatMs must be a positive integer \(or 0: off\), got "60000"/],
  ['postgresHeartbeatMs 2**31', { postgresHeartbeatMs: 2 ** 31 }, /postgresHeartbeatMs must be at most 2147483647 ms \(a Node timer's limit\), got 2147483648/],
  ['postgresEventsInProgressAfterMs -1', { postgresEventsInProgressAfterMs: -1 }, /postgresEventsInProgressAfterMs must be a positive integer \(or 0: off\), got -1/],
  ['postgresEventsInProgressAfterMs 1.5', { postgresEventsInProgressAfterMs: 1.5 }, /postgresEventsInProgressAfterMs must be a positive integer \(or 0: off\), got 1.5/],
  ['postgresEventsInProgressAfterMs 2**31', { postgresEventsInProgressAfterMs: 2 ** 31 }, /postgresEventsInProgressAfterMs must be at most 2147483647 ms/],
  ['spoolDir 1', { spoolDir: 1 }, /spoolDir must be a string/],
  ['otlpHeaders value 2', { otlpHeaders: { 'x-a': 2 } }, /otlpHeaders\["x-a"\] must be a string, got 2/],
];

test('every option given in code with a wrong type or value throws a TypeError or RangeError naming it and the value', () => {
  for (const [name, option, message] of bad) {
    assert.throws(
      () => resolveOptions({ ...quiet, ...option } as AgentspanOptions, {}),
      (err: Error) => (err instanceof TypeError || err instanceof RangeError) && message.test(err.message),
      name,
    );
  }
});

test('startAgentspan rejects a bad option before it creates anything; captureContent: "false" does not keep content', async () => {
  await assert.rejects(
    startAgentspan({ ...quiet, captureContent: 'false' as unknown as boolean }, {}),
    (err: Error) => err instanceof TypeError && /captureContent must be true or false, got "false"/.test(err.message),
  );
  await assert.rejects(startAgentspan({ ...quiet, serviceName: 42 as unknown as string }, {}), /serviceName must be a string, got 42/);
});

test('good options pass; environment values stay lenient: one warning each, then the default', () => {
  const r = resolveOptions(
    {
      ...quiet,
      captureContent: false,
      maxContentChars: 10,
      workspaceDir: '/tmp',
      otlpHeaders: { a: 'b' },
      fileCapture: { enabled: true, maxFileBytes: 10, maxContentBytes: 5, roots: ['/tmp'], textExtensions: ['.txt'] },
      redaction: { extraPatterns: [{ kind: 'k', pattern: /x/g }], extraKeyNames: ['pin'] },
      resourceAttributes: { a: 'b', n: 1, t: true },
    },
    {},
  );
  assert.equal(r.captureContent, false);
  // What worked before the checks keeps working: undefined entries (unset environment variables) are
  // skipped, '' is "not given", maxContentChars may be Infinity or a fraction, the options may be a class instance.
  const unset: string | undefined = undefined;
  const loose = resolveOptions(
    { ...quiet, otlpHeaders: { 'x-key': unset, a: 'b' }, resourceAttributes: { 'deployment.environment': unset }, workspaceDir: '', schema: '', maxContentChars: Infinity },
    {},
  );
  assert.deepEqual(loose.otlpHeaders, { a: 'b' });
  assert.equal(loose.workspaceDir, process.cwd());
  assert.doesNotThrow(() => resolveOptions({ ...quiet, maxContentChars: 1000.5 }, {}));
  class Settings {
    otlpEndpoint = false as const;
    registerGlobal = false;
    flushOnExit = false;
    spoolDir = false as const;
  }
  assert.doesNotThrow(() => resolveOptions(new Settings(), {}));
  assert.throws(() => resolveOptions(null as unknown as AgentspanOptions, {}), /the options must be an object, got null/);
  // null is "not given" (configuration files write it), at the top and inside headers and attributes.
  const nulls = Object.fromEntries(
    ['serviceName', 'schema', 'workspaceDir', 'captureContent', 'otlpHeaders', 'resourceAttributes', 'redaction', 'fileCapture', 'maxContentChars', 'otlpBatch', 'sampler', 'logger', 'meterProvider', 'spanProcessors', 'migrate'].map((k) => [k, null]),
  );
  const fromNulls = resolveOptions({ ...quiet, ...nulls } as unknown as AgentspanOptions, {});
  assert.equal(fromNulls.captureContent, true);
  assert.deepEqual(resolveOptions({ ...quiet, otlpHeaders: { a: null, b: 'c' } } as unknown as AgentspanOptions, {}).otlpHeaders, { b: 'c' });
  assert.doesNotThrow(() =>
    resolveOptions({ ...quiet, fileCapture: { maxFileBytes: Infinity }, postgresConnectTimeoutMs: 0, redaction: { extraKeyNames: ['pin', null], extraPatterns: [{ pattern: /x/g }] } } as unknown as AgentspanOptions, {}),
  );
  const env = resolveOptions({}, { AGENTSPAN_CAPTURE_CONTENT: 'maybe', AGENTSPAN_SHUTDOWN_TIMEOUT_MS: '-1', AGENTSPAN_FLUSH_ON_EXIT: 'sure' });
  assert.equal(env.captureContent, true);
  assert.equal(env.shutdownTimeoutMillis, 5000);
  assert.equal(env.warnings.length, 3);
});

test('an option startAgentspan does not know is ignored with one warning naming the option meant, not silently; the start goes on', async () => {
  // Before: `shutdownTimeoutMs` (the option is shutdownTimeoutMillis; the Postgres ones end in Ms) left the default
  // deadline in force without a word, and `databaseURL` meant no Postgres at all behind one generic warning.
  const warnings: string[] = [];
  const given = {
    ...quiet,
    shutdownTimeoutMs: 100,
    databaseURL: 'postgres://127.0.0.1/x',
    postgresBatch: { scheduledDelayMs: 5 },
    appPort: 8080, // an application's configuration object, passed whole
    unset: undefined, // `{ x: process.env.X }` with X unset: not given
    logger: { warn: (m: string) => void warnings.push(m) },
  };
  const agentspan = await startAgentspan(given as AgentspanOptions, {});
  await agentspan.shutdown();
  assert.deepEqual(
    warnings.filter((w) => w.startsWith('ignored unknown option')),
    [
      'ignored unknown option shutdownTimeoutMs (did you mean shutdownTimeoutMillis?)',
      'ignored unknown option databaseURL (did you mean databaseUrl?)',
      'ignored unknown option appPort',
      'ignored unknown option postgresBatch.scheduledDelayMs (did you mean postgresBatch.scheduledDelayMillis?)',
    ],
  );
  // Every documented option is known: none of them is reported.
  const all: Required<AgentspanOptions> = {
    serviceName: 's', databaseUrl: 'postgres://x', schema: 's', otlpEndpoint: false, otlpHeaders: {}, workspaceDir: '/tmp', captureContent: true,
    fileCapture: {}, redaction: false, maxContentChars: 10, registerGlobal: false, propagators: ['none'], migrate: false, postgresPoolSize: 1,
    postgresBatch: { maxQueueSize: 1, maxQueueBytes: 1, maxExportBatchSize: 1, scheduledDelayMillis: 1, maxConcurrentExports: 1, exportTimeoutMillis: 1, retryInitialDelayMillis: 1, retryMaxDelayMillis: 1, flushTimeoutMillis: 1 },
    postgresStatementTimeoutMs: 1, postgresConnectTimeoutMs: 1, postgresHeartbeatMs: 0, postgresEventsInProgressAfterMs: 0, postgresWriteMethod: 'copy',
    spoolDir: false, maxSpoolBytes: 1, flushOnExit: false, shutdownTimeoutMillis: 1, meterProvider: { getMeter: () => ({}) } as never, otlpBatch: {},
    spanProcessors: [], resourceAttributes: {}, sampler: { shouldSample: () => ({}) } as never, logger: { warn: () => {} },
  };
  assert.deepEqual(resolveOptions(all, {}).warnings, []);
  // Inside fileCapture and redaction too (`maxFileByte` left file capture's 1 MB bound in force without a word).
  const nested = resolveOptions(
    {
      ...quiet,
      fileCapture: { enabled: true, roots: ['/tmp'], maxFileBytes: 1, maxContentBytes: 1, textExtensions: ['.txt'], maxFilesPerSpan: 1, maxFileByte: 5 },
      redaction: { enabled: true, extraPatterns: [], extraKeyNames: [], extraKeys: ['x'] },
    } as AgentspanOptions,
    {},
  ).warnings.filter((w) => w.startsWith('ignored unknown option'));
  assert.deepEqual(nested, [
    'ignored unknown option fileCapture.maxFileByte (did you mean fileCapture.maxFileBytes?)',
    'ignored unknown option redaction.extraKeys',
  ]);
});

test('an unknown option key is shown bounded and escaped: no line break or terminal escape of a configuration key reaches the log raw, and a huge key costs no edit-distance search', () => {
  const huge = 'k'.repeat(4_000_000);
  const started = Date.now();
  const { warnings } = resolveOptions({ ...quiet, [huge]: 1, 'evil\n[agentspan] forged line \u001b[31m': 2, shutdownTimeoutMs: 5 } as AgentspanOptions, {});
  const took = Date.now() - started;
  const unknown = warnings.filter((w) => w.startsWith('ignored unknown option'));
  assert.deepEqual(unknown, [
    `ignored unknown option "${'k'.repeat(60)}"…`,
    'ignored unknown option "evil\\n[agentspan] forged line \\u001b[31m"',
    'ignored unknown option shutdownTimeoutMs (did you mean shutdownTimeoutMillis?)',
  ]);
  for (const w of unknown) assert.doesNotMatch(w, /[\u0000-\u001f]/);
  // Before: the whole key in the warning, and an edit distance of 4 million characters against every option (seconds).
  assert.ok(took < 1000, `${took} ms`);
});

test('databaseUrl that node-postgres cannot read as a URL throws at start, without showing it; every well-formed one passes and reads back as written', async () => {
  // Before: `not a url` and a libpq `host=... dbname=...` string went to host "base" (node-postgres' placeholder),
  // an unencoded `#` in a password failed with "Invalid URL": retried as if the database were down, then dropped.
  for (const databaseUrl of ['not a url', 'host=127.0.0.1 user=postgres dbname=app', 'postgres://app:s3cr#t@db:5432/app', 'postgres://app:pw@db:port/app']) {
    assert.throws(
      () => resolveOptions({ ...quiet, databaseUrl }, {}),
      (err: Error) => err instanceof TypeError && /^agentspan: databaseUrl must be a connection URL/.test(err.message) && !err.message.includes('s3cr') && !err.message.includes('dbname'),
      databaseUrl,
    );
  }
  await assert.rejects(startAgentspan({ ...quiet, databaseUrl: 'not a url' }, {}), /databaseUrl must be a connection URL/);
  // Host and port without a scheme read as a URL of scheme `localhost:`: node-postgres looked for database `432/app`.
  for (const databaseUrl of ['localhost:5432/app', 'db.internal:5432', '127.0.0.1:5432/app?sslmode=disable']) {
    assert.throws(() => resolveOptions({ ...quiet, databaseUrl }, {}), /host:port without a scheme \(write postgres:\/\/ before it/, databaseUrl);
  }
  for (const databaseUrl of ['postgres://localhost:5432/app', 'socket:/var/run/postgresql?db=app']) assert.doesNotThrow(() => resolveOptions({ ...quiet, databaseUrl }, {}), databaseUrl);
  // What node-postgres reads: a socket directory, an empty host with ?host=, spaces it encodes itself, '' (not given).
  for (const databaseUrl of ['/var/run/postgresql app', 'postgres://app@/app?host=/var/run/postgresql', 'postgresql:///app?host=/tmp', 'postgres://app:p ss@db/app', '', '  ']) {
    assert.doesNotThrow(() => resolveOptions({ ...quiet, databaseUrl }, {}), databaseUrl);
  }
  const part = fc.string({ unit: fc.oneof(fc.constantFrom('#', '/', '?', '@', '%', ':', ' ', '&', '=', '\u00e9', '\ud83d\ude00'), fc.string({ minLength: 1, maxLength: 1 })), minLength: 1, maxLength: 16 });
  fc.assert(
    // A database named `.` or `..` is a dot segment of the URL's path, which URL parsing removes: no one names one so.
    fc.property(part, part, part.filter((d) => d !== '.' && d !== '..'), fc.integer({ min: 1, max: 65535 }), (user, password, database, port) => {
      const databaseUrl = `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@db.internal:${port}/${encodeURIComponent(database)}`;
      assert.doesNotThrow(() => resolveOptions({ ...quiet, databaseUrl }, {}));
      const read = new pg.Client({ connectionString: databaseUrl });
      // node-postgres decodes the database name with decodeURI (a reserved character stays encoded): its reading, not ours.
      assert.deepEqual([read.user, read.password, read.host, read.port, read.database], [user, password, 'db.internal', port, decodeURI(encodeURIComponent(database))]);
    }),
    { numRuns: 500 },
  );
});
