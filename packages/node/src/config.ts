import { resolve as resolvePath } from 'node:path';
import { headerProblem } from '@agentspan/delivery';
import { checkOptions, withoutNulls } from './option-checks.js';
import { SERVICE_NAME } from './resource.js';
import { timerMillis } from './timer-limit.js';
import type { AgentspanOptions } from './types.js';
import { unknownOptionWarnings } from './unknown-options.js';

/**
 * The only place agentspan reads environment variables: user options win,
 * then the variable, then the default. Bad variable values are ignored with
 * a warning; bad options in code throw.
 */

/** Variables agentspan reads. */
export type AgentspanEnv = Partial<
  Record<
    | 'OTEL_SERVICE_NAME'
    | 'OTEL_RESOURCE_ATTRIBUTES'
    | 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'
    | 'OTEL_EXPORTER_OTLP_ENDPOINT'
    | 'OTEL_EXPORTER_OTLP_TRACES_HEADERS'
    | 'OTEL_EXPORTER_OTLP_HEADERS'
    | 'OTEL_EXPORTER_OTLP_TRACES_TIMEOUT'
    | 'OTEL_EXPORTER_OTLP_TIMEOUT'
    | 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL'
    | 'OTEL_EXPORTER_OTLP_PROTOCOL'
    | 'OTEL_SDK_DISABLED'
    | 'AGENTSPAN_CAPTURE_CONTENT'
    | 'AGENTSPAN_SPOOL_DIR'
    | 'AGENTSPAN_SPOOL_MAX_BYTES'
    | 'AGENTSPAN_FLUSH_ON_EXIT'
    | 'AGENTSPAN_SHUTDOWN_TIMEOUT_MS'
    | 'AGENTSPAN_RUN_REFERENCE',
    string
  >
>;

/** Options after defaults and environment. */
export interface ResolvedOptions {
  /**
   * `service.name`: the `serviceName` option, else `resourceAttributes['service.name']`,
   * else `OTEL_SERVICE_NAME`, else `service.name` in `OTEL_RESOURCE_ATTRIBUTES`, else `'agentspan'`.
   */
  serviceName: string;
  /**
   * Attributes of `OTEL_RESOURCE_ATTRIBUTES` (values percent-decoded); the options' attributes win over them.
   * An entry whose key is empty or blank is left out, with a warning.
   */
  envResourceAttributes: Record<string, string>;
  /** The `resourceAttributes` option, an entry whose key is empty or blank left out (with a warning). */
  resourceAttributes: Record<string, string | number | boolean | undefined>;
  databaseUrl: string | undefined;
  otlpEndpoint: string | undefined;
  otlpHeaders: Record<string, string>;
  /** OTLP request bodies: `'protobuf'` when `OTEL_EXPORTER_OTLP_(TRACES_)PROTOCOL` is `http/protobuf`, else `'json'`. */
  otlpEncoding: 'json' | 'protobuf';
  workspaceDir: string;
  captureContent: boolean;
  registerGlobal: boolean;
  migrate: boolean;
  /** Absolute spool directory; undefined: no spool. */
  spoolDir: string | undefined;
  maxSpoolBytes: number;
  flushOnExit: boolean;
  /** At most `MAX_TIMER_MILLIS` (2^31 − 1 ms, a Node timer's limit): a longer one given is clamped to it. */
  shutdownTimeoutMillis: number;
  /**
   * Timeout of one OTLP export (its HTTP request and the exporter's retries):
   * `OTEL_EXPORTER_OTLP_TRACES_TIMEOUT`, else `OTEL_EXPORTER_OTLP_TIMEOUT`,
   * else 10 s. Not capped at the shutdown deadline: that would fail every
   * export to a collector slower than it; the price is that a request in
   * flight at the end can keep the process alive up to this timeout.
   */
  otlpTimeoutMillis: number;
  /** Raw `AGENTSPAN_RUN_REFERENCE`, parsed by `attachFromEnv()`. */
  runReference: string | undefined;
  /** Warnings about ignored environment values. */
  warnings: string[];
}

function nonEmpty(v: string | undefined): string | undefined {
  const t = v?.trim();
  return t ? t : undefined;
}

/** `k1=v1,k2=v2`, keys and values URL-decoded; a malformed entry is skipped with a warning naming `what`. */
function parseKeyValueList(text: string | undefined, what: string, warnings: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  if (!text) return out;
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) {
      if (part.trim()) warnings.push(`ignored malformed ${what} entry "${part.trim().slice(0, 40)}"`);
      continue;
    }
    try {
      const key = decodeURIComponent(part.slice(0, eq).trim());
      // Defined, not assigned: `__proto__` would set the object's prototype (dropped later, with a warning).
      Object.defineProperty(out, key, { value: decodeURIComponent(part.slice(eq + 1).trim()), enumerable: true, writable: true, configurable: true });
    } catch {
      warnings.push(`ignored an ${what} entry that is not URL-encoded correctly`);
    }
  }
  return out;
}

/**
 * `k1=v1,k2=v2` (the OTLP headers format), values URL-decoded. An entry
 * that is not a valid HTTP header (a name with a space or empty, a value
 * with a line break once decoded) is skipped with a warning: sent, it made
 * every OTLP request fail before leaving the process, and every span was
 * dropped.
 */
export function parseHeaderList(text: string | undefined, warnings: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(parseKeyValueList(text, 'OTLP header', warnings))) {
    // Headers travel as plain objects to the exporter, where a `__proto__` key would be lost without a word.
    const problem = name === '__proto__' ? 'a header of that name cannot be carried (objects drop it)' : headerProblem(name, value);
    if (problem === undefined) out[name] = value;
    else warnings.push(`ignored OTLP header "${name.slice(0, 40)}": ${problem}`);
  }
  return out;
}


/**
 * `attributes` without the entries whose key is empty or blank (`OTEL_RESOURCE_ATTRIBUTES=" =x"`,
 * `{ '': x }`), one warning each naming `where`: such a key names nothing a backend can show or
 * query (a mistake in an env file, not an attribute). Nor the key `__proto__` (`JSON.parse` makes it
 * an own property, `OTEL_RESOURCE_ATTRIBUTES=__proto__=x` too): the SDK's resource would drop it
 * silently, so it is dropped here with a warning. An entry whose value is undefined or null is no
 * attribute (it is never sent) and needs no warning. The value is not shown: resource values may
 * hold secrets (they are redacted when sent).
 */
function withoutBlankKeys<V>(attributes: Readonly<Record<string, V>> | undefined, where: string, warnings: string[]): Record<string, V> {
  const out: Record<string, V> = {};
  if (attributes === undefined || attributes === null) return out;
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined || value === null) continue;
    if (key.trim() === '') warnings.push(`ignored a resource attribute with an empty key in ${where}`);
    // The SDK's resource assigns its keys to a plain object: `__proto__` would be lost there without a word.
    else if (key === '__proto__') warnings.push(`ignored a resource attribute named __proto__ in ${where}: OpenTelemetry's resource cannot carry that key`);
    else out[key] = value;
  }
  return out;
}

/** The `service.name` a resource attribute gives, if it is a non-empty string. */
function serviceNameIn(attributes: Readonly<Record<string, unknown>> | undefined): string | undefined {
  const v = attributes?.[SERVICE_NAME];
  return typeof v === 'string' ? nonEmpty(v) : undefined;
}

function parseBoolean(name: string, text: string | undefined, warnings: string[]): boolean | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const t = text.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(t)) return true;
  if (['0', 'false', 'no', 'off'].includes(t)) return false;
  warnings.push(`ignored ${name}="${text.slice(0, 20)}" (expected true or false)`);
  return undefined;
}

/** Default spool directory, relative to the working directory. */
export const DEFAULT_SPOOL_DIR = '.agentspan/spool';
/** Default size cap of the spool, bytes. */
export const DEFAULT_MAX_SPOOL_BYTES = 256 * 1024 * 1024;
/** Default deadline of shutdown and of the flush on exit, ms. */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 5000;
/** Default timeout of one OTLP export, ms (the OpenTelemetry exporters' default). */
export const DEFAULT_OTLP_TIMEOUT_MS = 10_000;

function parsePositiveInt(name: string, text: string | undefined, warnings: string[]): number | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const n = Number(text.trim());
  if (Number.isSafeInteger(n) && n > 0) return n;
  warnings.push(`ignored ${name}="${text.slice(0, 20)}" (expected a positive integer)`);
  return undefined;
}

/** The spool directory: option, else `AGENTSPAN_SPOOL_DIR` (`off`, `false`, `none` disable it), else the default. */
function resolveSpoolDir(option: string | false | undefined, env: AgentspanEnv): string | undefined {
  if (option === false) return undefined;
  const fromEnv = nonEmpty(env.AGENTSPAN_SPOOL_DIR);
  const chosen = nonEmpty(option) ?? fromEnv ?? DEFAULT_SPOOL_DIR;
  if (option === undefined && fromEnv !== undefined && ['off', 'false', 'none', '0'].includes(fromEnv.toLowerCase())) return undefined;
  return resolvePath(process.cwd(), chosen);
}

function checkUrl(name: string, url: string): string {
  try {
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('not http(s)');
    return url;
  } catch {
    throw new TypeError(`agentspan: ${name} must be an http(s) URL, got "${url.slice(0, 100)}"`);
  }
}

/** The OTLP protocol agentspan sends unless `OTEL_EXPORTER_OTLP_(TRACES_)PROTOCOL` asks for `http/protobuf`. */
export const OTLP_PROTOCOL = 'http/json';

/**
 * `OTEL_SDK_DISABLED`, read as the OpenTelemetry specification reads it:
 * `true` (any case) is true, `false` or empty is false, anything else is
 * false with a warning.
 */
function sdkDisabled(text: string | undefined, warnings: string[]): boolean {
  const t = text?.trim().toLowerCase() ?? '';
  if (t === 'true') return true;
  if (t !== '' && t !== 'false') warnings.push(`ignored OTEL_SDK_DISABLED="${text?.slice(0, 20) ?? ''}" (expected true or false)`);
  return false;
}

/** The OTLP traces endpoint: the option, else the variables; undefined when forwarding is off. */
function resolveOtlpEndpoint(option: string | false | undefined, env: AgentspanEnv, warnings: string[]): string | undefined {
  if (option === false) return undefined;
  // Checked before OTEL_SDK_DISABLED: an endpoint that is not a URL is a mistake in code whatever the environment.
  // Trimmed as the variables are: a value read from an env or config file often ends in a newline or space,
  // which would otherwise show in every message naming the endpoint.
  const fromOption = typeof option === 'string' ? checkUrl('otlpEndpoint', option.trim()) : undefined;
  if (sdkDisabled(env.OTEL_SDK_DISABLED, warnings)) {
    // The switch operators use to silence OpenTelemetry export without a code change: it applies to an
    // endpoint given in code too. Postgres is agentspan's own record, not the SDK's export, and stays on.
    if (fromOption !== undefined || nonEmpty(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) || nonEmpty(env.OTEL_EXPORTER_OTLP_ENDPOINT)) {
      warnings.push('OTEL_SDK_DISABLED=true: OTLP forwarding is off (recording to Postgres is not affected)');
    }
    return undefined;
  }
  let endpoint = fromOption;
  if (option === undefined) {
    const signal = nonEmpty(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
    const base = nonEmpty(env.OTEL_EXPORTER_OTLP_ENDPOINT);
    const fromEnv = signal ?? (base ? `${base.replace(/\/+$/, '')}/v1/traces` : undefined);
    if (fromEnv) {
      try {
        endpoint = checkUrl('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', fromEnv);
      } catch (err) {
        warnings.push(`${(err as Error).message}; OTLP forwarding is off`);
      }
    }
  }
  return endpoint;
}

/**
 * The body encoding of OTLP requests: protobuf when `OTEL_EXPORTER_OTLP_(TRACES_)PROTOCOL` is
 * `http/protobuf`, else JSON; any other protocol (`grpc`) gets a warning when forwarding is on.
 */
function resolveOtlpEncoding(endpoint: string | undefined, env: AgentspanEnv, warnings: string[]): 'json' | 'protobuf' {
  const protocol = nonEmpty(env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL) ?? nonEmpty(env.OTEL_EXPORTER_OTLP_PROTOCOL);
  const wanted = protocol?.toLowerCase();
  if (wanted === 'http/protobuf') return 'protobuf';
  if (endpoint !== undefined && protocol !== undefined && wanted !== OTLP_PROTOCOL) {
    const name = nonEmpty(env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL) !== undefined ? 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL' : 'OTEL_EXPORTER_OTLP_PROTOCOL';
    warnings.push(
      `ignored ${name}="${protocol.slice(0, 20)}": agentspan sends OTLP over HTTP (${OTLP_PROTOCOL} or http/protobuf), as JSON here, ` +
        `to ${endpoint}; a gRPC-only receiver (port 4317) will not accept it`,
    );
  }
  return 'json';
}

export function resolveOptions(given: AgentspanOptions, env: AgentspanEnv = process.env as AgentspanEnv): ResolvedOptions {
  const options = withoutNulls(given);
  checkOptions(options); // types and ranges of what was given in code; below, only defaults and the environment
  const warnings: string[] = unknownOptionWarnings(options);
  const otlpEndpoint = resolveOtlpEndpoint(options.otlpEndpoint, env, warnings);
  const otlpEncoding = resolveOtlpEncoding(otlpEndpoint, env, warnings);
  const headers = {
    ...parseHeaderList(env.OTEL_EXPORTER_OTLP_HEADERS, warnings),
    ...parseHeaderList(env.OTEL_EXPORTER_OTLP_TRACES_HEADERS, warnings),
    ...definedEntries(options.otlpHeaders),
  };
  // Clamped, not refused: "wait as long as it takes" written as a huge number must not become a 1 ms deadline
  // (a Node timer given more than its limit fires at once), nor fail a start that worked before.
  const shutdownTimeoutMillis = timerMillis(
    options.shutdownTimeoutMillis ??
      parsePositiveInt('AGENTSPAN_SHUTDOWN_TIMEOUT_MS', env.AGENTSPAN_SHUTDOWN_TIMEOUT_MS, warnings) ??
      DEFAULT_SHUTDOWN_TIMEOUT_MS,
  );
  const otlpTimeoutMillis =
    parsePositiveInt('OTEL_EXPORTER_OTLP_TRACES_TIMEOUT', env.OTEL_EXPORTER_OTLP_TRACES_TIMEOUT, warnings) ??
    parsePositiveInt('OTEL_EXPORTER_OTLP_TIMEOUT', env.OTEL_EXPORTER_OTLP_TIMEOUT, warnings) ??
    DEFAULT_OTLP_TIMEOUT_MS;
  const envResourceAttributes = withoutBlankKeys(
    parseKeyValueList(env.OTEL_RESOURCE_ATTRIBUTES, 'OTEL_RESOURCE_ATTRIBUTES', warnings),
    'OTEL_RESOURCE_ATTRIBUTES',
    warnings,
  );
  const resourceAttributes = withoutBlankKeys(options.resourceAttributes, 'the resourceAttributes option', warnings);
  return {
    // The most specific wins: code over environment, a dedicated setting over a generic list.
    serviceName:
      nonEmpty(options.serviceName) ??
      serviceNameIn(options.resourceAttributes) ??
      nonEmpty(env.OTEL_SERVICE_NAME) ??
      serviceNameIn(envResourceAttributes) ??
      'agentspan',
    envResourceAttributes,
    resourceAttributes,
    databaseUrl: nonEmpty(options.databaseUrl),
    otlpEndpoint,
    otlpHeaders: headers,
    otlpEncoding,
    workspaceDir: options.workspaceDir || process.cwd(), // '' as not given
    captureContent:
      options.captureContent ?? parseBoolean('AGENTSPAN_CAPTURE_CONTENT', env.AGENTSPAN_CAPTURE_CONTENT, warnings) ?? true,
    registerGlobal: options.registerGlobal ?? true,
    migrate: options.migrate ?? true,
    spoolDir: resolveSpoolDir(options.spoolDir, env),
    maxSpoolBytes:
      options.maxSpoolBytes ??
      parsePositiveInt('AGENTSPAN_SPOOL_MAX_BYTES', env.AGENTSPAN_SPOOL_MAX_BYTES, warnings) ??
      DEFAULT_MAX_SPOOL_BYTES,
    flushOnExit: options.flushOnExit ?? parseBoolean('AGENTSPAN_FLUSH_ON_EXIT', env.AGENTSPAN_FLUSH_ON_EXIT, warnings) ?? true,
    shutdownTimeoutMillis,
    otlpTimeoutMillis,
    runReference: nonEmpty(env.AGENTSPAN_RUN_REFERENCE),
    warnings,
  };
}

/** The entries of `record` whose value is not undefined (an option built from unset environment variables). */
function definedEntries(record: Readonly<Record<string, string | undefined>> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (record === undefined || record === null) return out;
  for (const [key, value] of Object.entries(record)) if (value !== undefined && value !== null) out[key] = value;
  return out;
}
