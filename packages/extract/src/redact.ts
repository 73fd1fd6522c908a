/**
 * Secret redaction. Rules are compiled once by `createRedactor`; `redact`
 * then runs each rule as one linear pass. Every built-in pattern starts with
 * a literal prefix at a token boundary (a one-character look-behind) and
 * uses bounded quantifiers with nothing after them that could fail, so no
 * pattern can backtrack more than a constant per start position.
 */
import { guarded } from './guard.js';
import type { RedactionResult, Redactor, RedactorOptions } from './types.js';

interface Rule {
  kind: string;
  re: RegExp;
  /** Replacement for one match; `undefined` keeps the match unchanged (not a secret after all). */
  replace: (match: string, groups: (string | undefined)[]) => string | undefined;
  /**
   * A cheap necessary condition: when it is false the rule cannot match and
   * its pass is skipped (overrides the entry of {@link ANCHORS}).
   */
  anchor?: (text: string) => boolean;
}

const PEM_BEGIN_RE = /-----BEGIN[ A-Z0-9]{0,64}PRIVATE KEY(?: BLOCK)?-----/g;
const PEM_END_RE = /-----END[ A-Z0-9]{0,64}PRIVATE KEY(?: BLOCK)?-----/y;
const MAX_PEM_BODY = 65536;
/** Characters of a PEM body (base64, line breaks, and JSON-escaped `\n`). */
function isPemBodyChar(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47 || c === 61 || c === 92 || c === 10 || c === 13;
}

/**
 * Replaces PEM private keys: from `-----BEGIN ... PRIVATE KEY-----` to the
 * next `-----END` marker (at most 64 KiB on), or, for a key cut short, the
 * header plus the base64 body that follows. Not a regex: a lazy
 * `[\s\S]*?-----END` would rescan the rest of the text for every header.
 * The position of the next `-----END` is cached, so the pass is linear.
 */
function redactPem(text: string): { text: string; count: number } {
  PEM_BEGIN_RE.lastIndex = 0;
  let out = '';
  let last = 0;
  let count = 0;
  let nextEnd = -2; // -2: not searched yet; -1: there is none after the last search point
  let m: RegExpExecArray | null;
  while ((m = PEM_BEGIN_RE.exec(text)) !== null) {
    const start = m.index;
    const bodyStart = start + m[0].length;
    if (nextEnd !== -1 && nextEnd < bodyStart) nextEnd = text.indexOf('-----END', bodyStart);
    let stop: number;
    if (nextEnd >= 0 && nextEnd - bodyStart <= MAX_PEM_BODY) {
      PEM_END_RE.lastIndex = nextEnd;
      const em = PEM_END_RE.exec(text);
      stop = em !== null ? nextEnd + em[0].length : nextEnd + 8;
    } else {
      stop = bodyStart;
      // A blank line ends a PEM body; so does any character base64 lines do not have.
      while (stop < text.length && stop - bodyStart < MAX_PEM_BODY && isPemBodyChar(text.charCodeAt(stop))) {
        if (text.charCodeAt(stop) === 10 && stop > bodyStart + 1 && text.charCodeAt(stop - 1) === 10) break;
        stop++;
      }
      // Give back trailing whitespace so the following line keeps its break.
      while (stop > bodyStart && /\s/.test(text[stop - 1]!)) stop--;
    }
    out += text.slice(last, start) + tag('private_key');
    last = stop;
    count++;
    PEM_BEGIN_RE.lastIndex = stop;
  }
  return count === 0 ? { text, count } : { text: out + text.slice(last), count };
}

const tag = (kind: string): string => `[REDACTED:${kind}]`;
/** Not preceded by a token character: secrets start at token boundaries. */
const B = '(?<![A-Za-z0-9_-])';

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const whole =
  (kind: string) =>
  (): string =>
    tag(kind);

/** Built-in key names whose assigned values are secrets (matched as the end of a key). */
const SECRET_KEY_NAMES = [
  'password', 'passwd', 'pwd', 'secret', 'token', 'api_key', 'apikey', 'access_key', 'secret_key', 'private_key',
  'client_secret', 'auth_token', 'access_token', 'refresh_token', 'passphrase', 'credentials',
];
/** Values that are placeholders, types or references, not secrets. */
const NON_SECRET_VALUE_RE = /^(?:none|null|nil|undefined|true|false|str|string|int|bool|optional|any|\*+|x+|\.\.\.|<[^>]{0,64}>|\$\{?[A-Za-z_][A-Za-z0-9_]{0,64}\}?|os\.environ.{0,128}|os\.getenv.{0,128}|process\.env.{0,128}|getpass.{0,128}|input\(.{0,128}|env\(.{0,128}|\{\{.{0,128})$/i;

function builtinRules(keyNames: readonly string[]): Rule[] {
  // `-` and `_` are interchangeable in key names (`X-Api-Key`, `api_key`).
  const keys = [...new Set(keyNames.flatMap((k) => {
    const l = k.toLowerCase();
    return [l, l.replace(/-/g, '_'), l.replace(/_/g, '-')];
  }))].sort((a, b) => b.length - a.length);
  // The assignment rule's key group must END with one of the key names, so text without any of
  // them cannot match. A plain alternation of literals is far cheaper than the rule itself,
  // which tries a 128-character key prefix at every position (the largest cost on the hot path).
  const keyAnchor = new RegExp(keys.map(escapeRegExp).join('|'), 'i');
  return [
    { kind: 'anthropic_key', re: new RegExp(`${B}sk-ant-[A-Za-z0-9_-]{20,4096}`, 'g'), replace: whole('anthropic_key') },
    { kind: 'openai_key', re: new RegExp(`${B}sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,4096}`, 'g'), replace: whole('openai_key') },
    { kind: 'aws_access_key', re: /(?<![A-Za-z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Za-z0-9])/g, replace: whole('aws_access_key') },
    { kind: 'github_token', re: new RegExp(`${B}(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})`, 'g'), replace: whole('github_token') },
    { kind: 'gitlab_token', re: new RegExp(`${B}glpat-[A-Za-z0-9_-]{20,255}`, 'g'), replace: whole('gitlab_token') },
    { kind: 'slack_token', re: new RegExp(`${B}xox[abposr]-[A-Za-z0-9-]{10,255}`, 'g'), replace: whole('slack_token') },
    { kind: 'google_api_key', re: new RegExp(`${B}AIza[0-9A-Za-z_-]{35}`, 'g'), replace: whole('google_api_key') },
    {
      kind: 'jwt',
      re: new RegExp(`${B}eyJ[A-Za-z0-9_-]{5,8192}\\.eyJ[A-Za-z0-9_-]{5,8192}\\.[A-Za-z0-9_-]{0,8192}`, 'g'),
      replace: whole('jwt'),
    },
    {
      kind: 'bearer',
      re: /(?<![A-Za-z0-9_-])(Authorization["']?[ \t]{0,8}[:=][ \t]{0,8}["']?[ \t]{0,8}Bearer[ \t]{1,8})([A-Za-z0-9._~+/=-]{8,8192})/gi,
      replace: (_m, g) => (g[1]!.startsWith('[REDACTED') ? undefined : g[0]! + tag('bearer')),
    },
    {
      kind: 'url_password',
      re: /(?<![A-Za-z0-9+.-])([A-Za-z][A-Za-z0-9+.-]{0,31}:\/\/[^\s:/@]{0,256}:)([^\s@/]{1,256})@/g,
      replace: (_m, g) => (g[1]!.startsWith('[REDACTED') ? undefined : g[0]! + tag('url_password') + '@'),
    },
    {
      kind: 'password_assignment',
      // A key that ENDS with a secret name (so a non-secret `a: b` never swallows a following
      // `password=...`), optional closing quote, `=`/`:` (not `==`, `:=`), optional quote, value.
      // The greedy key prefix backtracks at most over its own token: linear overall.
      re: new RegExp(
        `(?<![A-Za-z0-9_.-])([A-Za-z0-9_.-]{0,128}(?:${keys.map(escapeRegExp).join('|')}))` +
          `(["']?[ \\t]{0,16}(?:=(?!=)|:(?![:=]))[ \\t]{0,16})` +
          // Quoted values may contain escaped quotes (`"pa\\"ss"`); the two alternatives are disjoint, so still linear.
          `(?:"((?:[^"\\\\\\n]|\\\\.){1,1024})"|'((?:[^'\\\\\\n]|\\\\.){1,1024})'|([^\\s"',;&}{)(\\]]{1,1024}))`,
        'gi',
      ),
      replace: (_m, g) => {
        const value = g[2] ?? g[3] ?? g[4] ?? '';
        // `$X`/`${X}` are references to a secret elsewhere, not the secret (the value stops before `{`).
        if (value.startsWith('[REDACTED:') || value.startsWith('$') || NON_SECRET_VALUE_RE.test(value.trim())) return undefined;
        const quote = g[2] !== undefined ? '"' : g[3] !== undefined ? "'" : '';
        return g[0]! + g[1]! + quote + tag('password_assignment') + quote;
      },
      anchor: (t) => (t.includes('=') || t.includes(':')) && keyAnchor.test(t),
    },
  ];
}

/**
 * Compiles a redactor. Built-in kinds, in the order they run: `private_key`
 * (PEM, also when cut short),
 * `anthropic_key` (before `openai_key`, which would also match), `openai_key`,
 * `aws_access_key`, `github_token`, `gitlab_token`, `slack_token`,
 * `google_api_key`, `jwt`, `bearer` (keeps `Authorization: Bearer `),
 * `url_password` (keeps `scheme://user:` and `@host`), `password_assignment`
 * (keeps the key: `password=`, `"api_key": "..."`, `DB_PASSWORD=...`), then
 * `extraPatterns` in order. Each match becomes `[REDACTED:<kind>]`.
 *
 * Defaults: `enabled: true`, no extra patterns, no extra key names. User
 * patterns get the `g` flag added when missing; they must be linear-time
 * themselves. If anything throws while redacting, the whole text is replaced
 * by `[REDACTED:error]` (fail closed).
 */
export function createRedactor(options?: RedactorOptions): Redactor {
  // Options come from configuration: if they are malformed beyond repair, redact everything rather than throw.
  return guarded(
    () => compileRedactor(options),
    () => ({ enabled: true, redact: () => ({ text: tag('error'), redactions: 1, kinds: ['error'] }) }),
  );
}

function compileRedactor(options: RedactorOptions | undefined): Redactor {
  const enabled = options?.enabled !== false;
  const extraKeys = Array.isArray(options?.extraKeyNames) ? options.extraKeyNames.filter((k): k is string => typeof k === 'string' && k.length > 0) : [];
  const rules = builtinRules([...SECRET_KEY_NAMES, ...extraKeys]);
  let compileError = false;
  for (const p of Array.isArray(options?.extraPatterns) ? options.extraPatterns : []) {
    try {
      if (!(p.pattern instanceof RegExp)) throw new TypeError('pattern is not a RegExp');
      const flags = p.pattern.flags.includes('g') ? p.pattern.flags : p.pattern.flags + 'g';
      const kind = String(p.kind).replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 64) || 'custom';
      rules.push({ kind, re: new RegExp(p.pattern.source, flags), replace: whole(kind) });
    } catch {
      compileError = true; // a broken user pattern must not silently let its secrets through
    }
  }
  const redact = (text: string): RedactionResult => {
    if (!enabled) return { text, redactions: 0, kinds: [] };
    if (typeof text !== 'string') return { text: '', redactions: 0, kinds: [] };
    if (compileError) return { text: tag('error'), redactions: 1, kinds: ['error'] };
    return guarded(
      () => runRules(rules, text),
      () => ({ text: tag('error'), redactions: 1, kinds: ['error'] }),
    );
  };
  return { redact, enabled };
}

/** Cheap pre-checks: a rule whose literal anchor is absent cannot match, so its pass is skipped. */
const ANCHORS: Record<string, (t: string) => boolean> = {
  anthropic_key: (t) => t.includes('sk-ant-'),
  openai_key: (t) => t.includes('sk-'),
  aws_access_key: (t) => /A(?:KIA|SIA|BIA|CCA)/.test(t),
  github_token: (t) => t.includes('gh') || t.includes('github_pat_'),
  gitlab_token: (t) => t.includes('glpat-'),
  slack_token: (t) => t.includes('xox'),
  google_api_key: (t) => t.includes('AIza'),
  jwt: (t) => t.includes('eyJ'),
  bearer: (t) => /bearer/i.test(t),
  url_password: (t) => t.includes('://'),
  password_assignment: (t) => t.includes('=') || t.includes(':'),
};

function runRules(rules: readonly Rule[], input: string): RedactionResult {
  let text = input;
  let count = 0;
  const kinds: string[] = [];
  if (text.includes('PRIVATE KEY')) {
    const pem = redactPem(text);
    if (pem.count > 0) {
      text = pem.text;
      count += pem.count;
      kinds.push('private_key');
    }
  }
  for (const rule of rules) {
    const anchor = rule.anchor ?? ANCHORS[rule.kind];
    if (anchor !== undefined && !anchor(text)) continue;
    rule.re.lastIndex = 0;
    let hit = false;
    text = text.replace(rule.re, (...args: unknown[]) => {
      const match = args[0] as string;
      if (match.length === 0) return match; // an empty match (a careless user pattern) redacts nothing
      // Capture groups sit between the match and the offset argument.
      const groupEnd = args.findIndex((a, i) => i > 0 && typeof a === 'number');
      const groups = args.slice(1, groupEnd < 0 ? 1 : groupEnd) as (string | undefined)[];
      const r = rule.replace(match, groups);
      if (r === undefined) return match;
      count++;
      hit = true;
      return r;
    });
    if (hit && !kinds.includes(rule.kind)) kinds.push(rule.kind);
  }
  return { text, redactions: count, kinds };
}
