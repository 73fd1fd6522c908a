/**
 * Finding call sites in a token list (Python or JavaScript) and splitting
 * their arguments. Every walk is bounded, and argument splitting jumps over
 * nested brackets via the precomputed match table, so the total work stays
 * linear even for `f(f(f(f(...` or long method chains.
 */
import { isOpener, NAME, NL, NUM, STR, type TokenList } from './tokens.js';

/** A half-open token range `[start, end)`. */
export interface TokenRange {
  start: number;
  end: number;
}

/** One call argument. */
export interface CallArg extends TokenRange {
  /** Keyword name for Python `name=value` arguments. */
  kw: string | undefined;
  /** `*args`, `**kwargs` or JS spread: positions after it are unknown. */
  star: boolean;
}

/** One call site `chain.name(args)`. */
export interface CallSite {
  /** The called name (last segment). */
  name: string;
  /** Plain dotted names before it: `['np']` for `np.save(...)`; `[]` when bare or when `receiver` is set. */
  chain: string[];
  /** The receiver expression when it is not a plain dotted name (`Path('x')` in `Path('x').write_text()`). */
  receiver: TokenRange | undefined;
  /** The arguments. */
  args: CallArg[];
  /** Token index of `(` and of its `)`. */
  open: number;
  close: number;
  /** JS `new X(...)`. */
  isNew: boolean;
}

const MAX_ARGS = 16;

/**
 * The strings of a literal list starting at token `i`, `[…]` or `(…)` (`['a.csv', 'b.csv']`: a
 * Python list or tuple, a JS array), with the token after it; `undefined` when anything else is
 * in it, or it is empty or longer than 256 tokens.
 */
export function literalStrings(tokens: TokenList, match: Int32Array, i: number): { values: string[]; next: number } | undefined {
  if (!tokens.op(i, '[') && !tokens.op(i, '(')) return undefined;
  const close = match[i] ?? -1;
  if (close < 0 || close - i > 256) return undefined;
  const values: string[] = [];
  for (let k = i + 1; k < close; k++) {
    const v = tokens.value(k);
    if (v !== undefined) values.push(v);
    else if (!tokens.op(k, ',')) return undefined;
  }
  return values.length > 0 ? { values, next: close + 1 } : undefined;
}
const MAX_CHAIN = 8;
const MAX_RECEIVER_WALK = 8;

/**
 * The call whose callee name is token `i` (which must be followed by `(`),
 * or `undefined` when it is a definition (`def open(`, `function writeFile(`)
 * or its parenthesis is never closed (an unclosed call has no usable
 * arguments, and scanning for its end would make `f(f(f(...` quadratic).
 */
export function callAt(tokens: TokenList, match: Int32Array, i: number, definitionKeywords: ReadonlySet<string>): CallSite | undefined {
  if (!tokens.name(i) || !tokens.op(i + 1, '(')) return undefined;
  const close = match[i + 1] ?? -1;
  if (close < 0) return undefined;
  if (tokens.name(i - 1) && tokens.ends[i - 1]! - tokens.starts[i - 1]! <= 8 && definitionKeywords.has(tokens.text(i - 1))) return undefined;
  const chain: string[] = [];
  let receiver: TokenRange | undefined;
  let j = i;
  for (let steps = 0; steps < MAX_CHAIN && tokens.opChar(j - 1) === 46 /* . */; steps++) {
    if (tokens.name(j - 2)) {
      chain.unshift(tokens.text(j - 2));
      j -= 2;
      continue;
    }
    const start = expressionStart(tokens, match, j - 2);
    if (start >= 0) {
      receiver = { start, end: i - 1 };
      chain.length = 0;
    }
    break;
  }
  const isNew = tokens.name((receiver?.start ?? j) - 1, 'new');
  return { name: tokens.text(i), chain, receiver, args: splitArgs(tokens, match, i + 1, close), open: i + 1, close, isNew };
}

/** Keywords that may precede `(` without being a callee. */
const KEYWORD_NOT_CALLEE = new Set(['return', 'await', 'in', 'not', 'and', 'or', 'if', 'elif', 'while', 'yield', 'typeof', 'new', 'else', 'case']);
/** Length of the longest of them: a longer name is looked up without slicing it. */
const MAX_KEYWORD_NOT_CALLEE = 6;

/** Whether name token `k` is one of `KEYWORD_NOT_CALLEE`. */
function isKeywordNotCallee(tokens: TokenList, k: number): boolean {
  return tokens.ends[k]! - tokens.starts[k]! <= MAX_KEYWORD_NOT_CALLEE && KEYWORD_NOT_CALLEE.has(tokens.text(k));
}

/** Start index of the postfix expression (names, calls, subscripts, attributes) ending at token `last`, or -1. */
export function expressionStart(tokens: TokenList, match: Int32Array, last: number): number {
  let k = last;
  for (let steps = 0; steps < MAX_RECEIVER_WALK && k >= 0; steps++) {
    const kind = tokens.kind(k);
    if (kind === 0) return -1;
    const c = tokens.opChar(k);
    if (c === 41 /* ) */ || c === 93 /* ] */) {
      const o = match[k] ?? -1;
      if (o < 0 || o > k) return -1;
      const bk = tokens.kind(o - 1);
      const bc = tokens.opChar(o - 1);
      if (bk === NAME || bk === STR || bc === 41 || bc === 93) {
        if (bk === NAME && isKeywordNotCallee(tokens, o - 1)) return o;
        k = o - 1;
        continue;
      }
      return o;
    }
    if (kind === NAME || kind === STR || kind === NUM) {
      if (k >= 2 && tokens.opChar(k - 1) === 46 /* . */) {
        k -= 2;
        continue;
      }
      return k;
    }
    return -1;
  }
  return -1;
}

/**
 * Splits the arguments between `open` and its matching `close`. Nested
 * brackets are skipped through `match`, so each token is visited by the
 * innermost call only.
 */
export function splitArgs(tokens: TokenList, match: Int32Array, open: number, close: number): CallArg[] {
  const args: CallArg[] = [];
  let s = open + 1;
  let k = s;
  while (k < close) {
    const c = tokens.opChar(k);
    if (c !== 0) {
      if (isOpener(c)) {
        const m = match[k] ?? -1;
        if (m > k && m < close) {
          k = m + 1;
          continue;
        }
      } else if (c === 44 /* , */) {
        pushArg(tokens, args, s, k);
        s = k + 1;
        if (args.length >= MAX_ARGS) return args;
      }
    } else if (tokens.kinds[k] === NL) break;
    k++;
  }
  pushArg(tokens, args, s, close);
  return args;
}

function pushArg(tokens: TokenList, args: CallArg[], s: number, e: number): void {
  if (s >= e) return;
  if (tokens.name(s) && tokens.opChar(s + 1) === 61 /* = */) {
    args.push({ kw: tokens.text(s), star: false, start: s + 2, end: e });
    return;
  }
  const c = tokens.opChar(s);
  const star = c === 42 /* * */ || c === 46 /* . */ || tokens.op(s, '**');
  args.push({ kw: undefined, star, start: s, end: e });
}

/**
 * The argument at positional index `pos`, or the one passed by one of the
 * keyword names `kws`. Positions after a `*args` are unknown.
 */
export function argAt(args: readonly CallArg[], pos: number, kws: readonly string[] = []): CallArg | undefined {
  for (const a of args) if (a.kw !== undefined && kws.includes(a.kw)) return a;
  let p = 0;
  for (const a of args) {
    if (a.kw !== undefined) continue;
    if (a.star) return undefined;
    if (p === pos) return a;
    p++;
  }
  return undefined;
}

/** Whether a keyword argument named `kw` was passed. */
export function hasKeyword(args: readonly CallArg[], kw: string): boolean {
  return args.some((a) => a.kw === kw);
}
