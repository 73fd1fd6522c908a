/**
 * Finding call sites in a token stream (Python or JavaScript) and splitting
 * their arguments. Every walk is bounded, and argument splitting jumps over
 * nested brackets via the precomputed match table, so the total work stays
 * linear even for `f(f(f(f(...` or long method chains.
 */
import { isName, isOp, type Token } from './tokens.js';

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
  /** Token index of `(` and of its `)` (or of the bounded end when unclosed). */
  open: number;
  close: number;
  /** JS `new X(...)`. */
  isNew: boolean;
}

const MAX_ARGS = 16;
const MAX_UNCLOSED_SCAN = 256;
const MAX_CHAIN = 8;
const MAX_RECEIVER_WALK = 32;

/**
 * The call whose callee name is token `i` (which must be followed by `(`),
 * or `undefined` when it is a definition (`def open(`, `function writeFile(`).
 */
export function callAt(tokens: readonly Token[], match: Int32Array, i: number, definitionKeywords: ReadonlySet<string>): CallSite | undefined {
  const nameTok = tokens[i];
  if (!isName(nameTok) || !isOp(tokens[i + 1], '(')) return undefined;
  const prev = tokens[i - 1];
  if (prev !== undefined && prev.kind === 'name' && definitionKeywords.has(prev.text)) return undefined;
  const chain: string[] = [];
  let receiver: TokenRange | undefined;
  let j = i;
  for (let steps = 0; steps < MAX_CHAIN && isOp(tokens[j - 1], '.'); steps++) {
    const p = tokens[j - 2];
    if (isName(p)) {
      chain.unshift(p!.text);
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
  const isNew = isName(tokens[(receiver?.start ?? j) - 1], 'new');
  const { args, close } = splitArgs(tokens, match, i + 1);
  return { name: nameTok!.text, chain, receiver, args, open: i + 1, close, isNew };
}

/** Start index of the postfix expression (names, calls, subscripts, attributes) ending at token `last`, or -1. */
export function expressionStart(tokens: readonly Token[], match: Int32Array, last: number): number {
  let k = last;
  for (let steps = 0; steps < MAX_RECEIVER_WALK && k >= 0; steps++) {
    const t = tokens[k];
    if (t === undefined) return -1;
    if (t.kind === 'op' && (t.text === ')' || t.text === ']')) {
      const o = match[k] ?? -1;
      if (o < 0 || o > k) return -1;
      const before = tokens[o - 1];
      if (before !== undefined && (before.kind === 'name' || before.kind === 'str' || isOp(before, ')') || isOp(before, ']'))) {
        if (before.kind === 'name' && KEYWORD_NOT_CALLEE.has(before.text)) return o;
        k = o - 1;
        continue;
      }
      return o;
    }
    if (t.kind === 'name' || t.kind === 'str' || t.kind === 'num') {
      if (isOp(tokens[k - 1], '.') && k >= 2) {
        k -= 2;
        continue;
      }
      return k;
    }
    return -1;
  }
  return -1;
}

/** Keywords that may precede `(` without being a callee. */
const KEYWORD_NOT_CALLEE = new Set(['return', 'await', 'in', 'not', 'and', 'or', 'if', 'elif', 'while', 'yield', 'typeof', 'new', 'else', 'case']);

/**
 * Splits the arguments of the call whose `(` is token `open`. Nested
 * brackets are skipped through `match`; an unclosed call is cut at the end
 * of the logical line or after 256 tokens.
 */
export function splitArgs(tokens: readonly Token[], match: Int32Array, open: number): { args: CallArg[]; close: number } {
  let close = match[open] ?? -1;
  if (close < open) {
    close = Math.min(tokens.length, open + MAX_UNCLOSED_SCAN);
    for (let k = open + 1; k < close; k++) {
      if (tokens[k]!.kind === 'nl') {
        close = k;
        break;
      }
    }
  }
  const args: CallArg[] = [];
  let s = open + 1;
  let k = s;
  while (k < close) {
    const t = tokens[k]!;
    if (t.kind === 'op' && (t.text === '(' || t.text === '[' || t.text === '{')) {
      const m = match[k] ?? -1;
      if (m > k && m < close) {
        k = m + 1;
        continue;
      }
    }
    if (t.kind === 'op' && t.text === ',') {
      pushArg(tokens, args, s, k);
      s = k + 1;
      if (args.length >= MAX_ARGS) return { args, close };
    }
    k++;
  }
  pushArg(tokens, args, s, close);
  return { args, close };
}

function pushArg(tokens: readonly Token[], args: CallArg[], s: number, e: number): void {
  if (s >= e) return;
  const first = tokens[s]!;
  if (first.kind === 'name' && isOp(tokens[s + 1], '=')) {
    args.push({ kw: first.text, star: false, start: s + 2, end: e });
    return;
  }
  const star = first.kind === 'op' && (first.text === '*' || first.text === '**' || first.text === '.');
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
