import type { AttributeValue, Attributes } from '@opentelemetry/api';
import type { Redactor } from '@agentspan/extract';
import { Attr } from '@agentspan/semconv';
import { isJsonDocument, jsonSkeleton, redactJsonStrings } from './json-strings.js';

/**
 * What the processor does to a span's values before any exporter sees them:
 * secret redaction over every string attribute, and, when content capture is
 * off, removal of the content attributes (keeping hashes, sizes and names).
 */

/** Attributes holding content (messages, code, outputs, arguments, results, file bodies). */
export const CONTENT_KEYS: readonly string[] = [
  Attr.ATTR_MESSAGE_CONTENT,
  Attr.ATTR_MESSAGE_CONTEXT,
  Attr.ATTR_CODE_CONTENT,
  Attr.ATTR_CODE_OUTPUT,
  Attr.ATTR_GEN_AI_TOOL_CALL_ARGUMENTS,
  Attr.ATTR_GEN_AI_TOOL_CALL_RESULT,
  Attr.ATTR_FILE_CONTENT,
];

/**
 * The named values a row in progress holds besides ids (a run's mode, a
 * node's type and agent, an event's agent, role, step and session; see
 * `runInProgress`, `nodeInProgress` and `eventInProgress` in
 * `@agentspan/exporter-postgres`'s row mapper): what `prepareRunning`
 * redacts while a span runs. The rest, content above all, is redacted at
 * the end.
 */
export const IN_PROGRESS_KEYS: readonly string[] = [
  Attr.ATTR_RUN_MODE,
  Attr.ATTR_GEN_AI_WORKFLOW_NAME,
  Attr.ATTR_NODE_TYPE,
  Attr.ATTR_GEN_AI_AGENT_NAME,
  Attr.ATTR_AGENT_ROLE,
  Attr.ATTR_STEP_ID,
  Attr.ATTR_SESSION_ID,
];

/** Identity and derived keys that never hold secrets: skipped by redaction (they are hot and numerous). */
const NOT_REDACTED = new Set<string>([
  Attr.ATTR_EVENT_TYPE,
  Attr.ATTR_RUN_ID,
  Attr.ATTR_NODE_ID,
  Attr.ATTR_GEN_AI_CONVERSATION_ID,
  Attr.ATTR_GEN_AI_OPERATION_NAME,
  Attr.ATTR_CODE_HASH,
  Attr.ATTR_CODE_LANGUAGE,
  Attr.ATTR_FILE_SHA256,
  Attr.ATTR_FILE_TYPE,
  Attr.ATTR_STATUS,
  Attr.ATTR_RUN_STATUS,
]);

/**
 * Shortest text a built-in rule can change: `pwd=1` (the shortest secret key
 * name, its `=` and one character). The test `short texts hold no secret`
 * guards it against new rules.
 */
export const MIN_BUILTIN_SECRET_CHARS = 5;

/** Parts of a key name the built-in secret key names hold (`password`, `pwd`, `api_key`, `auth_token`, ...), lower case. */
const SECRET_KEY_HINTS: readonly string[] = ['pass', 'pwd', 'secret', 'token', 'key', 'auth', 'credential'];

/**
 * The cookie header an attribute key names by its last part (`http.request.header.cookie`: `Cookie`;
 * `http.response.header.set-cookie`: `Set-Cookie`), or `undefined`. Cookies' names are no secrets' names,
 * so the key-name rules do not read such a value: it is read as the header it was.
 */
function cookieHeaderOf(key: string): 'Cookie' | 'Set-Cookie' | undefined {
  if (!/cookie$/i.test(key)) return undefined;
  const last = key.slice(key.lastIndexOf('.') + 1).toLowerCase();
  return last === 'cookie' ? 'Cookie' : last === 'set-cookie' || last === 'set_cookie' ? 'Set-Cookie' : undefined;
}

/** Prefix of agentspan's own attribute keys. */
const OWN_KEY_PREFIX = 'agentspan.';

/** How a JSON object or array starts. */
const JSON_START = /^\s*[[{]/;

/** Most attribute keys {@link SpanRedactor} remembers the verdict of before it starts again. */
const MAX_KNOWN_KEYS = 1024;

/**
 * Longest value the rules judge whole as a key's quoted value: they read at
 * most 1024 characters between the quotes (`redact.ts` in
 * `@agentspan/extract`). Past it `password="<value>"` matches nothing, and
 * an AWS session token (about 1 KB) or an opaque token of 2 KB under
 * `aws.session_token` would stay in clear.
 */
const KEYED_WHOLE_CHARS = 1024;
/** The start of a longer value that is judged instead: 200 characters escape to at most 1 000 read (`\u0001` reads as five). */
const KEYED_JUDGED_CHARS = 200;

/**
 * @internal What the values under one attribute key get, all of it a function of the key alone:
 * skipped (identity and derived keys, {@link NOT_REDACTED}), read as a cookie header
 * (`cookieHeaderOf`), or judged as the value of a secret's key name (`SpanRedactor.secretKeyName`).
 */
export interface KeyPlan {
  /** One of {@link NOT_REDACTED}: `redactAttributes` passes its values (`redactValue` does not look). */
  readonly skipped: boolean;
  readonly cookieHeader: 'Cookie' | 'Set-Cookie' | undefined;
  readonly secretName: string | undefined;
}

/**
 * The redactor as the processor applies it to spans: the rules, the
 * shortest text worth handing them, and which attribute keys name a secret.
 *
 * A key that names a secret (`db.password`, `http.request.header.x-api-key`,
 * `http.request.header.authorization`: its last part reads as a secret key
 * name to the rules) holds the secret alone, with no `password=` before it
 * that the rules could see: its value is redacted as the value of that
 * key, `password="<value>"`, so the rules judge it whole (a placeholder such
 * as `${DB_PASSWORD}` stays, as it does in text).
 */
export class SpanRedactor {
  /** Shortest text the rules can change: {@link MIN_BUILTIN_SECRET_CHARS}, or 1 with user patterns or key names (which may match less). */
  readonly minLength: number;
  private readonly hints: readonly string[];
  /**
   * What each attribute key lately seen says about its values (see {@link KeyPlan}): one lookup per
   * value instead of a set, a regular expression and a map (a span's keys repeat on every span).
   */
  private readonly plans = new Map<string, KeyPlan>();

  constructor(
    readonly redactor: Redactor,
    options: { extraPatterns?: readonly unknown[] | undefined; extraKeyNames?: readonly unknown[] | undefined } = {},
  ) {
    const extraKeys = (options.extraKeyNames ?? []).filter((k): k is string => typeof k === 'string' && k.length > 0);
    this.minLength = (options.extraPatterns?.length ?? 0) > 0 || extraKeys.length > 0 ? 1 : MIN_BUILTIN_SECRET_CHARS;
    this.hints = [...SECRET_KEY_HINTS, ...extraKeys.map((k) => k.toLowerCase())];
  }

  /** The key name an attribute's value is redacted under (its last part, as the rules read a key), or `undefined`. */
  secretKeyName(key: string): string | undefined {
    return this.planOf(key).secretName;
  }

  /** @internal What the values under attribute `key` get (computed once per key, then remembered). */
  planOf(key: string): KeyPlan {
    let plan = this.plans.get(key);
    if (plan === undefined) {
      // Letters of any script: the rules match key names given in any (`extraKeyNames: ['contraseña']`).
      const last = key.slice(key.lastIndexOf('.') + 1).replace(/[^\p{L}\p{M}\p{N}_-]/gu, '');
      const lower = last.toLowerCase();
      // agentspan's own keys name what they hold (`agentspan.tool.args_keys` lists argument names).
      const named = !key.startsWith(OWN_KEY_PREFIX) && last.length > 0 && this.hints.some((h) => lower.includes(h));
      plan = { skipped: NOT_REDACTED.has(key), cookieHeader: cookieHeaderOf(key), secretName: named ? last : undefined };
      if (this.plans.size >= MAX_KNOWN_KEYS) this.plans.clear();
      this.plans.set(key, plan);
    }
    return plan;
  }

  /** `value` with its secrets replaced, read as the value of the key `name` (see the class). */
  redactKeyed(name: string, value: string): { text: string; redactions: number } {
    const quoted = JSON.stringify(value);
    const found = this.judgeKeyed(name, quoted, true) ?? this.redactor.redact(value);
    if (quoted.length - 2 <= KEYED_WHOLE_CHARS) return found;
    // Too long for the rules to read whole as the key's value (an AWS session token, an opaque
    // 2 KB token): what the rules left of it is judged again, whole when it is short enough now
    // (`Bearer [REDACTED:bearer]`), else by its start, and a secret there takes all of it.
    const left = JSON.stringify(found.text);
    const whole = left.length - 2 <= KEYED_WHOLE_CHARS;
    const rest = this.judgeKeyed(name, whole ? left : JSON.stringify(found.text.slice(0, KEYED_JUDGED_CHARS)), whole);
    return rest === undefined ? found : { text: rest.text, redactions: found.redactions + rest.redactions };
  }

  /**
   * The value `quoted` (as JSON) judged as the value of the key `name`, or
   * `undefined` when the rules find no secret there. When it is not the
   * `whole` value but its start, a secret found takes the whole value.
   */
  private judgeKeyed(name: string, quoted: string, whole: boolean): { text: string; redactions: number } | undefined {
    const prefix = `${name}=`;
    const r = this.redactor.redact(prefix + quoted);
    if (r.redactions === 0) return undefined;
    if (whole && r.text.startsWith(prefix)) {
      try {
        const text: unknown = JSON.parse(r.text.slice(prefix.length));
        if (typeof text === 'string') return { text, redactions: r.redactions };
      } catch {
        // The replacement cut into an escape: the whole value goes, below.
      }
    }
    // Fail closed: a secret was found but its replacement cannot be read back, or only the value's start was judged.
    return { text: `[REDACTED:${r.kinds[0] ?? 'secret'}]`, redactions: r.redactions };
  }

  /**
   * A cookie header's value (`http.request.header.cookie`, `http.response.header.set-cookie`: the header's
   * name is the key's last part) read as that header, `Cookie: <value>`, so the rules find its cookies
   * (every one of a request's; each of a response's, whose attributes follow it, several headers joined by
   * `, ` in one value too).
   */
  private redactCookieHeader(header: string, value: string): { text: string; redactions: number } {
    const prefix = `${header}: `;
    const r = this.redactor.redact(prefix + value);
    if (r.redactions === 0) return { text: value, redactions: 0 };
    // Fail closed when the replacement reached into the prefix (it cannot: the rules keep header names).
    return r.text.startsWith(prefix) ? { text: r.text.slice(prefix.length), redactions: r.redactions } : { text: '[REDACTED:cookie]', redactions: r.redactions };
  }

  /** The value of attribute `key` with its secrets replaced. */
  redactValue(key: string, value: string): { text: string; redactions: number } | undefined {
    return this.redactWithPlan(key, this.planOf(key), value);
  }

  /** @internal {@link redactValue} with the key's plan ({@link planOf}) already looked up. */
  redactWithPlan(key: string, plan: KeyPlan, value: string): { text: string; redactions: number } | undefined {
    const header = plan.cookieHeader;
    if (header !== undefined) return this.redactCookieHeader(header, value);
    const name = plan.secretName;
    if (name !== undefined) return this.redactKeyed(name, value);
    if (value.length < this.minLength) return undefined;
    const r = this.redactor.redact(value);
    if (r.redactions === 0 || !JSON_START.test(value) || !isJsonDocument(value)) return r;
    // A JSON document whose replacements reached past its strings (see `json-strings.ts`) is redacted
    // string by string instead: what the rules found across its strings was its syntax read as a value.
    if (isJsonDocument(r.text) && jsonSkeleton(r.text) === jsonSkeleton(value)) return this.redactKeyedJsonValues(r, key);
    return redactJsonStrings(value, key, (k, s) => this.redactValue(k, s)) ?? { text: value, redactions: 0 };
  }

  /**
   * `found` (a JSON document the rules redacted, its structure kept) with every value under a key naming a
   * secret judged again as that key's value. The rules read the document as text: a string ending in `'pwd='`
   * opens a quoted value to them that runs on to the `'` of a later string, over a `"password":"…"`; with a
   * tag inside (a URL's password, replaced first) they drop that value, and with it the password they would
   * have found within. Values the rules did redact are tags now, which the judge keeps (nothing counted twice).
   */
  private redactKeyedJsonValues(found: { text: string; redactions: number }, key: string): { text: string; redactions: number } {
    const keyed = redactJsonStrings(
      found.text,
      key,
      (k, s) => {
        const name = this.secretKeyName(k);
        return name === undefined ? undefined : this.redactKeyed(name, s);
      },
      (k) => this.secretKeyName(k) !== undefined,
    );
    return keyed === undefined ? found : { text: keyed.text, redactions: found.redactions + keyed.redactions };
  }
}

/** What {@link redactAttributes} found. */
export interface RedactedAttributes {
  /** The replacement values, by key. */
  readonly changes: Attributes;
  /** Secrets replaced. */
  readonly redactions: number;
}

/**
 * Redacts secrets in every string (and string array) attribute; returns the
 * replacements to apply and the number of secrets found, or `undefined`
 * when there was none (the common case allocates nothing here). Values
 * `done` holds for their key (what an earlier pass left, unchanged since)
 * are skipped: redacted once, never twice, whatever the redactor's rules.
 */
export function redactAttributes(attrs: Attributes, redactor: SpanRedactor, done?: ReadonlyMap<string, AttributeValue>): RedactedAttributes | undefined {
  let changes: Attributes | undefined;
  let redactions = 0;
  for (const key in attrs) {
    const value: AttributeValue | undefined = attrs[key];
    if (done !== undefined && value !== undefined && done.get(key) === value) continue;
    if (typeof value === 'string') {
      const plan = redactor.planOf(key);
      if (plan.skipped) continue;
      const r = redactor.redactWithPlan(key, plan, value);
      if (r !== undefined && r.redactions > 0) {
        (changes ??= {})[key] = r.text;
        redactions += r.redactions;
      }
    } else if (Array.isArray(value) && !redactor.planOf(key).skipped) {
      const next = redactArray(key, value, redactor);
      if (next !== undefined) {
        (changes ??= {})[key] = next.values;
        redactions += next.redactions;
      }
    }
  }
  return changes === undefined ? undefined : { changes, redactions };
}

/** A string array with its secrets replaced, or `undefined` when it holds none. */
function redactArray(key: string, value: readonly unknown[], redactor: SpanRedactor): { values: string[]; redactions: number } | undefined {
  let out: unknown[] | undefined;
  let redactions = 0;
  for (let i = 0; i < value.length; i++) {
    const v = value[i];
    if (typeof v !== 'string') continue;
    const r = redactor.redactValue(key, v);
    if (r !== undefined && r.redactions > 0) {
      out ??= value.slice();
      out[i] = r.text;
      redactions += r.redactions;
    }
  }
  return out === undefined ? undefined : { values: out as string[], redactions };
}

/** The parts of an SDK span besides its attributes that can carry text from the application. */
export interface SpanTextParts {
  status: { code: number; message?: string | undefined };
  readonly events: { name: string; attributes?: Attributes | undefined }[];
  readonly links?: { attributes?: Attributes | undefined }[] | undefined;
}

/**
 * Redacts the span's status message, its events (their names, which
 * applications build from what happened, `retrying after ${err.message}`,
 * and their attributes: an `exception` event's `exception.message` and
 * `exception.stacktrace` repeat the error that `agentspan.error.message`
 * holds) and the attributes of its links, in place; returns the number of
 * secrets replaced. Runs in `onEnding`, while the span is still writable:
 * the status, the events and the links are its own records.
 */
export function redactStatusAndEvents(span: SpanTextParts, redactor: SpanRedactor): number {
  let redactions = 0;
  const message = span.status.message;
  if (typeof message === 'string' && message.length >= redactor.minLength) {
    const r = redactor.redactor.redact(message);
    if (r.redactions > 0) {
      span.status = { ...span.status, message: r.text };
      redactions += r.redactions;
    }
  }
  for (const event of span.events) {
    const name = event.name;
    if (typeof name === 'string' && name.length >= redactor.minLength) {
      const r = redactor.redactor.redact(name);
      if (r.redactions > 0) {
        event.name = r.text;
        redactions += r.redactions;
      }
    }
    redactions += redactRecord(event, redactor);
  }
  for (const link of span.links ?? []) redactions += redactRecord(link, redactor);
  return redactions;
}

/** Redacts the attributes of an event or a link in place (a new record: the old may be shared). */
function redactRecord(holder: { attributes?: Attributes | undefined }, redactor: SpanRedactor): number {
  const attrs = holder.attributes;
  if (attrs === undefined) return 0;
  const found = redactAttributes(attrs, redactor);
  if (found === undefined) return 0;
  holder.attributes = { ...attrs, ...found.changes };
  return found.redactions;
}

/** What {@link redactName} needs of a span. */
export interface NamedSpan {
  readonly name: string;
  updateName(name: string): unknown;
}

/**
 * Redacts the span's name in place (the SDK lets it change until the span
 * has ended); returns the number of secrets replaced. Names are built from
 * what the application passed (an agent, a tool, a file path that may be a
 * URL with a token in its query), and they reach `execution_events.name`
 * and Jaeger as they are.
 */
export function redactName(span: NamedSpan, redactor: SpanRedactor, clean?: CleanNames): number {
  const name = span.name;
  if (typeof name !== 'string' || name.length < redactor.minLength || clean?.has(name) === true) return 0;
  const r = redactor.redactor.redact(name);
  if (r.redactions > 0) span.updateName(r.text);
  else clean?.add(name);
  return r.redactions;
}

/** Most names {@link CleanNames} remembers before it starts again. */
const MAX_CLEAN_NAMES = 1024;

/**
 * Span names lately found clean. A run repeats a few names (its agents and
 * tools) thousands of times, and screening each again cost about 4 000
 * instructions per span (the `_` of `invoke_agent` sends every name
 * through the full screen); a lookup costs a few hundred. Names that change
 * every time (file paths) only fill it: it is emptied when full. Per
 * redactor: what is clean depends on the rules.
 */
export class CleanNames {
  private readonly names = new Set<string>();
  has(name: string): boolean {
    return this.names.has(name);
  }
  add(name: string): void {
    if (this.names.size >= MAX_CLEAN_NAMES) this.names.clear();
    this.names.add(name);
  }
}

/**
 * Removes content attributes in place. The SDK offers no `removeAttribute`;
 * in SDK 2.x a span's `attributes` is its own mutable record, and this runs
 * in `onEnding`, while the span is still writable.
 */
export function stripContent(attrs: Attributes): void {
  for (const key of CONTENT_KEYS) {
    if (key in attrs) delete attrs[key];
  }
}
