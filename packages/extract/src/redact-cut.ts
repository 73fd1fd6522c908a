/**
 * Secrets cut short. A value cut to a budget (the recorder's content limit,
 * a file read up to a window) can end inside a token: `ghp_a1B2c3…` with
 * half its characters, too short for the GitHub rule, would be kept, and
 * with it most of the secret. Where a text was cut, the token running up to
 * the cut is replaced when it starts with a known secret prefix, whatever
 * its length; so is a value whose end its rule needs (a closing quote, an
 * `@`: redact-cut-values.ts).
 */

import { type CutKeys, cutValueAt } from './redact-cut-values.js';
import { ALNUM_BODY_KINDS, VENDOR_PREFIXES } from './redact-vendors.js';

/**
 * What agentspan's recorder puts where it cut a value (`safeJson`/`safeText`
 * of `@agentspan/instrumentation`, which keeps its own copy of this text: a
 * test checks that the two agree).
 */
export const TRUNCATION_MARK = '…[truncated]';

/** Prefixes of the token rules, longest first where one starts another (`sk-ant-` before `sk-`). */
const PREFIXES: readonly (readonly [prefix: string, kind: string])[] = [
  ['sk-ant-', 'anthropic_key'],
  ['sk-', 'openai_key'],
  ['github_pat_', 'github_token'],
  ['ghp_', 'github_token'],
  ['gho_', 'github_token'],
  ['ghu_', 'github_token'],
  ['ghs_', 'github_token'],
  ['ghr_', 'github_token'],
  ['glpat-', 'gitlab_token'],
  ['xoxa-', 'slack_token'],
  ['xoxb-', 'slack_token'],
  ['xoxp-', 'slack_token'],
  ['xoxo-', 'slack_token'],
  ['xoxs-', 'slack_token'],
  ['xoxr-', 'slack_token'],
  ['AKIA', 'aws_access_key'],
  ['ASIA', 'aws_access_key'],
  ['ABIA', 'aws_access_key'],
  ['ACCA', 'aws_access_key'],
  ['AIza', 'google_api_key'],
  ['eyJ', 'jwt'],
  // PyPI's by the start of its prefix, which a cut can split too.
  ...VENDOR_PREFIXES.map(([prefix, kind]) => [kind === 'pypi_token' ? 'pypi-AgEI' : prefix, kind] as const),
];


/**
 * Fewest characters after the prefix for a cut token to count, for the kinds whose first characters are no secret: an
 * AWS access key's id (the secret is another string) and a JWT's header (`eyJhbGci…`, base64 of `{"alg":…`); a word cut
 * right after `ASIA` (`Markets in ASIA…`) is none either. For every other kind one character: the body is the secret, and
 * none of it is left in clear (`ghp_a…`: kept before 2026-12-06, late). The prefix alone (`ghp_…`) holds none of it.
 */
const MIN_CUT_BODY_NO_SECRET = 4;

/** The kinds of {@link MIN_CUT_BODY_NO_SECRET}. */
const NO_SECRET_START_KINDS: ReadonlySet<string> = new Set(['aws_access_key', 'jwt']);

/** Farthest a cut token is looked back for (the token rules' longest bodies are 8 KiB). */
const MAX_CUT_TOKEN = 8192;

/** Characters of the token bodies (`.` for a JWT's parts). */
function isTokenChar(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95 || c === 45 || c === 46;
}

/** The secret prefix starting at `k`, if any, as `[length, kind]`. */
function prefixAt(text: string, k: number): readonly [string, string] | undefined {
  for (const entry of PREFIXES) if (text.startsWith(entry[0], k)) return entry;
  return undefined;
}

/**
 * Whether `text[from, to)` can be the start of that kind's body: long enough; AWS ids are capitals and
 * digits, and the vendor tokens of {@link ALNUM_BODY_KINDS} letters and digits (a cut run holding `_` or
 * `-` after their prefix is a name: `hf_hub_down…`).
 */
function hasSecretBody(text: string, from: number, to: number, kind: string): boolean {
  if (to - from < (NO_SECRET_START_KINDS.has(kind) ? MIN_CUT_BODY_NO_SECRET : 1)) return false;
  const aws = kind === 'aws_access_key';
  if (!aws && !ALNUM_BODY_KINDS.has(kind)) return true;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (!((c >= 65 && c <= 90) || (c >= 48 && c <= 57) || (!aws && c >= 97 && c <= 122))) return false;
  }
  return true;
}

/**
 * Whether a token may start at `k` inside the run of token characters that
 * starts at `runStart`: at the run's start, after a `.` (not a character of
 * the rules' boundary), after one to three `_` or `-` starting the run, or
 * after an escaped line end or tab (`\n` as JSON writes it, as the rules
 * allow).
 */
function startsToken(text: string, k: number, runStart: number): boolean {
  if (k === runStart) return true;
  const before = text.charCodeAt(k - 1);
  if (before === 46) return true;
  // After one to three `_` or `-` that start the run or follow a `.` (markdown's `_hf_…`, `.__hf_…`, a shell
  // default's `${X:-hf_…}`), or after a shell default's `${X-` (its name is part of the run), as the vendor rule reads.
  let u = 0;
  while (u < 3 && k - u - 1 >= runStart && (text.charCodeAt(k - u - 1) === 95 || text.charCodeAt(k - u - 1) === 45)) u++;
  if (u > 0 && (k - u === runStart || text.charCodeAt(k - u - 1) === 46)) return true;
  if (before === 45 && /\$\{[A-Za-z0-9_]{1,64}-$/.test(text.slice(Math.max(0, k - 67), k))) return true;
  return k === runStart + 1 && (before === 110 || before === 114 || before === 116) && text.charCodeAt(runStart - 1) === 92;
}

/**
 * Replaces each token with a secret prefix that runs up to a cut: right
 * before every {@link TRUNCATION_MARK}, and at the end when `cutAtEnd`;
 * else, given `keys`, a value whose end the cut took (redact-cut-values.ts).
 * Linear: each look-back stops at the previous cut.
 */
export function redactCutTokens(text: string, cutAtEnd: boolean, keys?: CutKeys): { text: string; count: number; kinds: string[] } {
  const cuts: number[] = [];
  for (let i = text.indexOf(TRUNCATION_MARK); i >= 0; i = text.indexOf(TRUNCATION_MARK, i + TRUNCATION_MARK.length)) cuts.push(i);
  if (cutAtEnd) cuts.push(text.length);
  let out = '';
  let last = 0;
  let count = 0;
  /** Where the previous cut's mark ends: no look-back goes before it. */
  let from = 0;
  const kinds: string[] = [];
  const replace = (start: number, cut: number, kind: string): void => {
    out += text.slice(last, start) + `[REDACTED:${kind}]`;
    last = cut;
    count++;
    if (!kinds.includes(kind)) kinds.push(kind);
  };
  for (const cut of cuts) {
    const floor = Math.max(from, last);
    from = cut + TRUNCATION_MARK.length;
    if (cut < floor) continue;
    let runStart = cut;
    while (runStart > floor && cut - runStart < MAX_CUT_TOKEN && isTokenChar(text.charCodeAt(runStart - 1))) runStart--;
    let done = false;
    for (let k = runStart; k < cut; k++) {
      if (!startsToken(text, k, runStart)) continue;
      const found = prefixAt(text, k);
      if (found === undefined || !hasSecretBody(text, k + found[0].length, cut, found[1])) continue;
      replace(k, cut, found[1]);
      done = true;
      break;
    }
    if (done || keys === undefined) continue;
    const value = cutValueAt(text, cut, floor, keys);
    if (value !== undefined) replace(value.start, cut, value.kind);
  }
  return count === 0 ? { text, count: 0, kinds } : { text: out + text.slice(last), count, kinds };
}
