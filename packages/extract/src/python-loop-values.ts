/**
 * What a Python `for` loop (or comprehension) iterates over, when the
 * source says it literally: a list or tuple of strings (`['eu', 'us']`) or
 * of integers (`[1, 2]`), `range(…)` of integer literals, and
 * `enumerate(<one of those>[, start])` for two targets (`for i, col in
 * enumerate(['a', 'b'])`). Each target gets one value per iteration
 * (`loopValues` with the loop's id); integers are marked `num`, so an
 * f-string formats them and no detector takes them for a path.
 */
import { MAX_ALTS } from './evaluate.js';
import { NUM, type TokenList } from './tokens.js';

/** The values of each loop target, one per iteration, and whether they are integers. */
export interface LoopValues {
  /** `values[t][k]`: target `t`'s value in iteration `k` (as text). */
  values: string[][];
  num: boolean[];
  /** The token after the iterable. */
  next: number;
}

/** Longest literal list read (in tokens), as before this module: bounded work per loop. */
const MAX_LIST_TOKENS = 256;

/** The values `targets` loop targets take over the iterable starting at token `i`, or `undefined`. */
export function literalLoopValues(tokens: TokenList, match: Int32Array, i: number, targets: number): LoopValues | undefined {
  if (targets === 1) {
    const one = iterable(tokens, match, i);
    return one === undefined ? undefined : { values: [one.values], num: [one.num], next: one.next };
  }
  if (targets !== 2 || !tokens.name(i, 'enumerate') || !tokens.op(i + 1, '(')) return undefined;
  const close = match[i + 1] ?? -1;
  const inner = close < 0 ? undefined : iterable(tokens, match, i + 2);
  if (inner === undefined) return undefined;
  let start = 0;
  if (inner.next !== close) {
    // `enumerate(xs, 1)` or `enumerate(xs, start=1)`.
    let k = inner.next;
    if (!tokens.op(k, ',')) return undefined;
    k++;
    if (tokens.name(k, 'start') && tokens.op(k + 1, '=')) k += 2;
    const n = integerAt(tokens, k);
    if (n === undefined || n.next !== close) return undefined;
    start = n.value;
  }
  const indices = inner.values.map((_, k) => String(start + k));
  return { values: [indices, inner.values], num: [true, inner.num], next: close + 1 };
}

/** A literal list/tuple of strings or of integers, or `range(…)` of integer literals. */
function iterable(tokens: TokenList, match: Int32Array, i: number): { values: string[]; num: boolean; next: number } | undefined {
  if (tokens.name(i, 'range') && tokens.op(i + 1, '(')) return range(tokens, match, i + 1);
  if (!tokens.op(i, '[') && !tokens.op(i, '(')) return undefined;
  const close = match[i] ?? -1;
  if (close < 0 || close - i > MAX_LIST_TOKENS) return undefined;
  const values: string[] = [];
  let num: boolean | undefined;
  for (let k = i + 1; k < close; k++) {
    if (tokens.op(k, ',')) continue;
    const s = tokens.value(k);
    const n = s === undefined ? integerAt(tokens, k) : undefined;
    // One kind per list: `['a', 1]` is no list of paths or of numbers an f-string formats alike.
    const isNum = n !== undefined;
    if ((s === undefined && !isNum) || (num !== undefined && num !== isNum)) return undefined;
    num = isNum;
    values.push(isNum ? String(n.value) : s!);
    if (isNum) k = n.next - 1;
  }
  return values.length > 0 ? { values, num: num!, next: close + 1 } : undefined;
}

/** `range(stop)`, `range(start, stop)`, `range(start, stop, step)` of integer literals, at most MAX_ALTS values. */
function range(tokens: TokenList, match: Int32Array, open: number): { values: string[]; num: boolean; next: number } | undefined {
  const close = match[open] ?? -1;
  if (close < 0) return undefined;
  const args: number[] = [];
  let k = open + 1;
  while (k < close && args.length < 3) {
    const n = integerAt(tokens, k);
    if (n === undefined) return undefined;
    args.push(n.value);
    k = n.next;
    if (tokens.op(k, ',')) k++;
  }
  if (k !== close || args.length === 0) return undefined;
  const [start, stop, step] = args.length === 1 ? [0, args[0]!, 1] : [args[0]!, args[1]!, args[2] ?? 1];
  if (step === 0) return undefined; // a ValueError in Python
  const count = Math.max(0, Math.ceil((stop - start) / step));
  if (count === 0 || count > MAX_ALTS) return undefined;
  const values: string[] = [];
  for (let v = start, c = 0; c < count; v += step, c++) values.push(String(v));
  return { values, num: true, next: close + 1 };
}

/** A decimal integer literal at token `k`, maybe negative (`-1`), with the token after it. */
function integerAt(tokens: TokenList, k: number): { value: number; next: number } | undefined {
  const negative = tokens.op(k, '-');
  const t = negative ? k + 1 : k;
  if (tokens.kind(t) !== NUM) return undefined;
  const text = tokens.text(t).replaceAll('_', '');
  if (!/^(?:0|[1-9]\d{0,8})$/.test(text)) return undefined; // no floats, hex, huge values
  return { value: negative ? -Number(text) : Number(text), next: t + 1 };
}
