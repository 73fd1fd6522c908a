/**
 * Checks the options given to `startAgentspan` in code. A wrong type or an
 * out-of-range value throws a TypeError or RangeError naming the option and
 * the value, before anything is created: options often come from an
 * application's own configuration file, and `captureContent: 'false'` (a
 * string) silently keeping every message is the kind of mistake that must
 * not pass. Environment variables are not checked here: they keep their
 * lenient handling (warn and default) in `config.ts`.
 *
 * Fields of `postgresBatch` and `otlpBatch`, the Postgres exporter's own
 * numbers and `propagators` are checked where they are used (the delivery
 * processor, the exporter, `resolvePropagators`), with messages of the same
 * kind; here only their shape is.
 */

import { headerProblem } from '@agentspan/delivery';
import { MAX_TIMER_MILLIS } from './timer-limit.js';
import type { AgentspanOptions } from './types.js';

/** The value as a message shows it: short, and with its type when that is the mistake. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return `"${value.length > 60 ? `${value.slice(0, 60)}…` : value}" (a string)`;
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') {
    const name = (Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null)?.constructor?.name;
    return typeof name === 'string' && name !== '' && name !== 'Object' ? `an object (${name})` : 'an object';
  }
  if (typeof value === 'function') return 'a function';
  return `${String(value)} (a ${typeof value})`;
}

function fail(name: string, expected: string, value: unknown): never {
  throw new TypeError(`agentspan: ${name} must be ${expected}, got ${describeValue(value)}`);
}

function checkBoolean(name: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'boolean') fail(name, 'true or false', value);
}

/** A string option (`''` means "not given" where a path or name is optional, as it always did: only other types are wrong). */
function checkString(name: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'string') fail(name, 'a string', value);
}

/** A number of at least 1 (a size or count; the processor floors fractions and keeps its default for Infinity, as it always did). */
function checkAtLeastOne(name: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !(value >= 1)) fail(name, 'a number, at least 1', value);
}

/** A positive safe integer (sizes, counts, milliseconds). */
export function checkPositiveInteger(name: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== 'number') fail(name, 'a positive integer', value);
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new RangeError(`agentspan: ${name} must be a positive integer, got ${String(value)}`);
  }
}

function checkStringArray(name: string, value: unknown): void {
  if (value === undefined) return;
  if (!Array.isArray(value)) fail(name, 'an array of strings', value);
  value.forEach((v, i) => {
    if (typeof v !== 'string') fail(`${name}[${i}]`, 'a string', v);
  });
}

/** An object of options or values: any object but an array (an instance of the application's own class too). */
function checkObject(name: string, value: unknown): Record<string, unknown> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) fail(name, 'an object', value);
  return value as Record<string, unknown>;
}

/** An object with the named methods (a logger, a sampler, a span processor). */
function checkMethods(name: string, value: unknown, methods: readonly string[], optional: readonly string[] = []): void {
  if (value === undefined) return;
  if (value === null || typeof value !== 'object') fail(name, `an object with ${methods.join(', ')}()`, value);
  const o = value as Record<string, unknown>;
  for (const m of methods) if (typeof o[m] !== 'function') fail(`${name}.${m}`, 'a function', o[m]);
  for (const m of optional) if (o[m] !== undefined && typeof o[m] !== 'function') fail(`${name}.${m}`, 'a function', o[m]);
}

function checkFileCapture(value: unknown): void {
  const fc = checkObject('fileCapture', value);
  if (fc === undefined) return;
  checkBoolean('fileCapture.enabled', fc.enabled);
  checkStringArray('fileCapture.roots', fc.roots);
  checkAtLeastOne('fileCapture.maxFileBytes', fc.maxFileBytes);
  checkAtLeastOne('fileCapture.maxContentBytes', fc.maxContentBytes);
  checkStringArray('fileCapture.textExtensions', fc.textExtensions);
  checkAtLeastOne('fileCapture.maxFilesPerSpan', fc.maxFilesPerSpan);
}

function checkRedaction(value: unknown): void {
  if (value === undefined || value === null || value === false) return;
  if (typeof value !== 'object' || Array.isArray(value)) fail('redaction', 'an object or false', value);
  const r = value as Record<string, unknown>;
  checkBoolean('redaction.enabled', r.enabled);
  // Null entries are skipped by the redactor, as they always were.
  if (r.extraKeyNames !== undefined && r.extraKeyNames !== null) {
    if (!Array.isArray(r.extraKeyNames)) fail('redaction.extraKeyNames', 'an array of strings', r.extraKeyNames);
    r.extraKeyNames.forEach((k: unknown, i) => {
      if (k !== null && k !== undefined && typeof k !== 'string') fail(`redaction.extraKeyNames[${i}]`, 'a string', k);
    });
  }
  const patterns = r.extraPatterns;
  if (patterns === undefined || patterns === null) return;
  if (!Array.isArray(patterns)) fail('redaction.extraPatterns', 'an array of { kind, pattern }', patterns);
  patterns.forEach((p: unknown, i) => {
    const entry = p as { kind?: unknown; pattern?: unknown } | null;
    if (entry === null || typeof entry !== 'object') fail(`redaction.extraPatterns[${i}]`, 'an object { kind, pattern }', p);
    if (entry.kind !== undefined && entry.kind !== null) checkString(`redaction.extraPatterns[${i}].kind`, entry.kind); // absent: 'custom'
    if (!(entry.pattern instanceof RegExp)) fail(`redaction.extraPatterns[${i}].pattern`, 'a RegExp', entry.pattern);
  });
}

/** `postgresHeartbeatMs`, `postgresEventsInProgressAfterMs`: 0 (off) or a positive integer a Node timer can take. */
function checkTimerMillis(name: string, value: unknown): void {
  if (value === undefined || value === 0) return;
  if (typeof value !== 'number') fail(name, 'a positive integer (or 0: off)', value);
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`agentspan: ${name} must be a positive integer (or 0: off), got ${String(value)}`);
  if (value > MAX_TIMER_MILLIS) throw new RangeError(`agentspan: ${name} must be at most ${MAX_TIMER_MILLIS} ms (a Node timer's limit), got ${String(value)}`);
}

const DATABASE_URL_FORM =
  'postgres://USER:PASSWORD@HOST:PORT/DATABASE, with characters such as # / ? @ % in the password percent-encoded; ' +
  'a Unix socket: postgres://USER@/DATABASE?host=/var/run/postgresql';

/**
 * `databaseUrl`: a string node-postgres can read as a URL. What it cannot
 * (`not a url`, a libpq `host=... dbname=...` string, a password with an
 * unencoded `#`) it resolves against a placeholder host or fails on with
 * `Invalid URL` at every attempt: the mistake looked like a database that is
 * down (spans retried, spooled, then dropped) with a host the application
 * never named. The value is never shown: it may hold a password. `''` is
 * "not given", as it always was; a leading `/` is node-postgres' socket form.
 */
function parsesAsUrl(text: string): boolean {
  try {
    new URL(text);
    return true;
  } catch {
    return false;
  }
}

function checkDatabaseUrl(value: unknown): void {
  checkString('databaseUrl', value);
  const text = typeof value === 'string' ? value.trim() : '';
  if (text === '' || text.startsWith('/')) return;
  // `localhost:5432/app` parses as a URL of scheme `localhost:`: node-postgres would look for the database
  // `432/app` on the default host. A host and port with no scheme is a typo, never a connection URL.
  if (/^[A-Za-z0-9.-]+:\d{1,5}(?:\/|\?|$)/.test(text)) {
    throw new TypeError(`agentspan: databaseUrl must be a connection URL: ${DATABASE_URL_FORM}; got host:port without a scheme (write postgres:// before it; not shown: it may hold a password)`);
  }
  // Read as node-postgres reads it (pg-connection-string): spaces and stray `%` encoded first, and an empty host
  // (`postgres://USER@/DATABASE?host=/socket`) allowed; only without its placeholder base, which hid the mistake.
  const encoded = / |%[^a-f0-9]|%[a-f0-9][^a-f0-9]/i.test(text) ? encodeURI(text).replace(/%25(\d\d)/g, '%$1') : text;
  if (!(parsesAsUrl(encoded) || parsesAsUrl(encoded.replace('@/', '@___DUMMY___/')))) {
    const keyValue = /^\s*\w+\s*=/.test(text) ? ' (node-postgres does not read key=value connection strings)' : '';
    throw new TypeError(`agentspan: databaseUrl must be a connection URL${keyValue}: ${DATABASE_URL_FORM}; got a string that is not one (not shown: it may hold a password)`);
  }
}

function checkHeaders(value: unknown): void {
  const headers = checkObject('otlpHeaders', value);
  if (headers === undefined) return;
  // undefined is a header not given (`{ 'x-key': process.env.KEY }` with KEY unset)
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string') fail(`otlpHeaders["${k}"]`, 'a string', v);
    // Sent as is, a header the HTTP client refuses fails every OTLP request: every span would be dropped.
    const problem = headerProblem(k, v);
    if (problem !== undefined) throw new TypeError(`agentspan: otlpHeaders["${k.slice(0, 60)}"] cannot be sent: ${problem}`);
  }
}

function checkResourceAttributes(value: unknown): void {
  const attributes = checkObject('resourceAttributes', value);
  if (attributes === undefined) return;
  for (const [k, v] of Object.entries(attributes)) {
    const ok = v === undefined || v === null || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));
    if (!ok) fail(`resourceAttributes["${k}"]`, 'a string, a finite number or a boolean', v);
  }
}

/**
 * The options with every null-valued one left out: null meant "not given"
 * before the options were checked (`options.x ?? default`), and
 * configuration files write it for "unset". Own and inherited enumerable
 * members are copied (an instance of the application's own class too).
 */
export function withoutNulls(options: AgentspanOptions): AgentspanOptions {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) return options;
  const out: Record<string, unknown> = {};
  for (const key in options) {
    const value = (options as Record<string, unknown>)[key];
    if (value !== null) out[key] = value;
  }
  return out as AgentspanOptions;
}

/** Throws a TypeError or RangeError for the first option given in code with a wrong type or value. */
export function checkOptions(options: AgentspanOptions): void {
  // Any object (a class instance of the application's configuration too); its fields are what is checked.
  if (options === null || typeof options !== 'object' || Array.isArray(options)) fail('the options', 'an object', options);
  const o = options as Record<keyof AgentspanOptions, unknown>;
  checkString('serviceName', o.serviceName);
  checkDatabaseUrl(o.databaseUrl);
  checkString('schema', o.schema);
  if (o.otlpEndpoint !== undefined && o.otlpEndpoint !== false && typeof o.otlpEndpoint !== 'string') {
    fail('otlpEndpoint', 'an http(s) URL or false', o.otlpEndpoint);
  }
  checkHeaders(o.otlpHeaders);
  checkString('workspaceDir', o.workspaceDir);
  checkBoolean('captureContent', o.captureContent);
  checkFileCapture(o.fileCapture);
  checkRedaction(o.redaction);
  // A positive number: fractions are floored, Infinity keeps everything (the recorder's own reading).
  if (o.maxContentChars !== undefined && (typeof o.maxContentChars !== 'number' || !(o.maxContentChars >= 1))) {
    fail('maxContentChars', 'a number of characters, at least 1', o.maxContentChars);
  }
  checkBoolean('registerGlobal', o.registerGlobal);
  if (o.propagators !== undefined && !Array.isArray(o.propagators)) fail('propagators', 'an array of names', o.propagators);
  checkBoolean('migrate', o.migrate);
  checkPositiveInteger('postgresPoolSize', o.postgresPoolSize);
  checkObject('postgresBatch', o.postgresBatch);
  checkPositiveInteger('postgresStatementTimeoutMs', o.postgresStatementTimeoutMs);
  // 0 is node-postgres' "no timeout".
  if (o.postgresConnectTimeoutMs !== 0) checkPositiveInteger('postgresConnectTimeoutMs', o.postgresConnectTimeoutMs);
  checkTimerMillis('postgresHeartbeatMs', o.postgresHeartbeatMs);
  checkTimerMillis('postgresEventsInProgressAfterMs', o.postgresEventsInProgressAfterMs);
  if (o.postgresWriteMethod !== undefined && o.postgresWriteMethod !== 'copy' && o.postgresWriteMethod !== 'unnest') {
    fail('postgresWriteMethod', "'copy' or 'unnest'", o.postgresWriteMethod);
  }
  if (o.spoolDir !== undefined && o.spoolDir !== false) checkString('spoolDir', o.spoolDir);
  checkPositiveInteger('maxSpoolBytes', o.maxSpoolBytes);
  checkBoolean('flushOnExit', o.flushOnExit);
  checkPositiveInteger('shutdownTimeoutMillis', o.shutdownTimeoutMillis);
  checkMethods('meterProvider', o.meterProvider, ['getMeter']);
  checkObject('otlpBatch', o.otlpBatch);
  if (o.spanProcessors !== undefined) {
    if (!Array.isArray(o.spanProcessors)) fail('spanProcessors', 'an array of span processors', o.spanProcessors);
    o.spanProcessors.forEach((p: unknown, i) => checkMethods(`spanProcessors[${i}]`, p, ['onStart', 'onEnd', 'forceFlush', 'shutdown']));
  }
  checkResourceAttributes(o.resourceAttributes);
  checkMethods('sampler', o.sampler, ['shouldSample']);
  checkMethods('logger', o.logger, ['warn'], ['info']);
}
