/**
 * The token list shared by the Python and JavaScript lexers, and the
 * bracket matching the call finder relies on.
 *
 * Tokens are stored as parallel typed arrays (kind, start, end) rather than
 * one object each: a megabyte of code can hold a million tokens, and
 * per-token objects would dominate the cost (allocation, then GC of
 * survivors). Text is sliced from the source only when a consumer asks.
 */

/** Token kinds. `NL` ends a logical line (Python only). */
export const NAME = 1;
export const STR = 2;
export const NUM = 3;
export const OP = 4;
export const NL = 5;

/**
 * One piece of an interpolating string: literal text, or a variable name (`''` when not a bare name, or
 * converted with `!r`/`!a`, which quote it) with its format spec (`03d` of `{i:03d}`), if any.
 */
export type StringPart = string | { name: string; spec?: string };

/** Which piece of a JS template a string token is. */
export type TemplatePiece = 'head' | 'middle' | 'tail';

/** A string literal's value and interpolation pieces, decoded on demand from the source. */
export interface DecodedString {
  /** The value; `undefined` when the literal interpolates. */
  value: string | undefined;
  /** Interpolation pieces (Python f-strings). */
  parts?: StringPart[];
  /** JS template piece kind, for pieces of a template with substitutions. */
  template?: TemplatePiece;
  /** Cooked literal text of a JS template piece (`undefined`: a malformed escape, or never closed). */
  cooked?: string | undefined;
}

/** Decodes string token `i` of `tokens` (language-specific; set by the lexer). */
export type StringDecoder = (tokens: TokenList, i: number) => DecodedString;

/** Length of the longest string token decoded without caching (see `TokenList.decoded`). */
const MAX_UNCACHED_STRING = 48;

/** What a released list holds instead of its arrays (never written: a released list is not used again). */
const EMPTY_BYTES = new Uint8Array(0);
const EMPTY_INTS = new Int32Array(0);

/** The storage of a token list, which a released list hands on to the next one. */
export interface TokenArrays {
  kinds: Uint8Array;
  starts: Int32Array;
  ends: Int32Array;
  flags: Uint8Array;
  match: Int32Array | undefined;
}

/** A growable list of tokens over one source string. */
export class TokenList {
  /** Number of tokens. */
  length = 0;
  kinds: Uint8Array;
  starts: Int32Array;
  ends: Int32Array;
  /**
   * Per-token lexer flags (for strings: prefix, quote style, termination...).
   * String values are not stored: they are decoded from the source when a
   * detector asks, which is rare, so lexing a string allocates nothing.
   */
  flags: Uint8Array;
  /**
   * For every bracket token, the index of its partner (`-1` otherwise), when
   * the lexer matched brackets as it went (see `matchBrackets`).
   */
  match: Int32Array | undefined;
  /**
   * Whether a closer met a bracket of another kind (`f("x"}`) or none open: JavaScript's SyntaxError,
   * which the engine reports before running any of the code. Set by the JS lexer and `matchBrackets`.
   */
  mismatchedBracket = false;
  /**
   * Decoded long strings, by token index, created on the first one. A short
   * literal (the usual file name or mode) is decoded again when asked twice:
   * that costs about what a cache lookup does, and most lists never keep any.
   */
  private decoded: Map<number, DecodedString> | undefined;

  constructor(
    readonly src: string,
    private readonly decoder: StringDecoder,
    options: { matchBrackets?: boolean; reuse?: TokenArrays | undefined } = {},
  ) {
    const matchBrackets = options.matchBrackets === true;
    const reuse = options.reuse;
    if (reuse !== undefined && (reuse.match !== undefined) === matchBrackets) {
      // Released arrays are clean (kinds 0, match -1), like fresh ones; a grow handles a longer input.
      this.kinds = reuse.kinds;
      this.starts = reuse.starts;
      this.ends = reuse.ends;
      this.flags = reuse.flags;
      this.match = reuse.match;
      return;
    }
    // Real code has about one token per three characters; half a token per character rarely needs a grow.
    const capacity = 64 + (src.length >> 1);
    this.kinds = new Uint8Array(capacity);
    this.starts = new Int32Array(capacity);
    this.ends = new Int32Array(capacity);
    this.flags = new Uint8Array(capacity);
    this.match = matchBrackets ? new Int32Array(capacity).fill(-1) : undefined;
  }

  /**
   * Hands the arrays over for reuse, clean again (the used part reset to
   * what fresh arrays hold: readers may look one token past the end), and
   * leaves this list empty.
   */
  release(): TokenArrays {
    const used = Math.min(this.length + 1, this.kinds.length);
    this.kinds.fill(0, 0, used);
    this.match?.fill(-1, 0, used);
    const arrays: TokenArrays = { kinds: this.kinds, starts: this.starts, ends: this.ends, flags: this.flags, match: this.match };
    this.length = 0;
    this.kinds = EMPTY_BYTES;
    this.starts = EMPTY_INTS;
    this.ends = EMPTY_INTS;
    this.flags = EMPTY_BYTES;
    this.match = this.match === undefined ? undefined : EMPTY_INTS;
    return arrays;
  }

  /** Appends a token; returns its index. */
  push(kind: number, start: number, end: number, flags = 0): number {
    if (this.length === this.kinds.length) this.grow();
    const i = this.length++;
    this.kinds[i] = kind;
    this.starts[i] = start;
    this.ends[i] = end;
    this.flags[i] = flags;
    return i;
  }

  /** Doubles the capacity of the arrays (lexers that write them directly call it when full). */
  grow(): void {
    const n = Math.max(64, this.kinds.length * 2);
    const k = new Uint8Array(n);
    k.set(this.kinds);
    const s = new Int32Array(n);
    s.set(this.starts);
    const e = new Int32Array(n);
    e.set(this.ends);
    const f = new Uint8Array(n);
    f.set(this.flags);
    this.kinds = k;
    this.starts = s;
    this.ends = e;
    this.flags = f;
    if (this.match !== undefined) {
      const m = new Int32Array(n).fill(-1);
      m.set(this.match);
      this.match = m;
    }
  }

  /** Kind of token `i`, or 0 when `i` is out of range. */
  kind(i: number): number {
    return i >= 0 && i < this.length ? this.kinds[i]! : 0;
  }

  /** Source text of token `i` ('' when out of range). */
  text(i: number): string {
    return i >= 0 && i < this.length ? this.src.slice(this.starts[i]!, this.ends[i]!) : '';
  }

  /** Whether token `i` is the operator `op`. No allocation. */
  op(i: number, op: string): boolean {
    if (i < 0 || i >= this.length || this.kinds[i] !== OP) return false;
    const s = this.starts[i]!;
    return this.ends[i]! - s === op.length && (op.length === 1 ? this.src.charCodeAt(s) === op.charCodeAt(0) : this.src.startsWith(op, s));
  }

  /** Whether token `i` is a name (equal to `name` when given). No allocation. */
  name(i: number, name?: string): boolean {
    if (i < 0 || i >= this.length || this.kinds[i] !== NAME) return false;
    if (name === undefined) return true;
    const s = this.starts[i]!;
    return this.ends[i]! - s === name.length && this.src.startsWith(name, s);
  }

  private decode(i: number): DecodedString | undefined {
    if (i < 0 || i >= this.length || this.kinds[i] !== STR) return undefined;
    if (this.ends[i]! - this.starts[i]! <= MAX_UNCACHED_STRING) return this.decoder(this, i);
    this.decoded ??= new Map();
    let d = this.decoded.get(i);
    if (d === undefined) {
      d = this.decoder(this, i);
      this.decoded.set(i, d);
    }
    return d;
  }

  /** Value of string token `i` (`undefined` when not a string or dynamic). */
  value(i: number): string | undefined {
    return this.decode(i)?.value;
  }

  /** Interpolation pieces of dynamic string token `i`. */
  stringParts(i: number): StringPart[] | undefined {
    return this.decode(i)?.parts;
  }

  /** JS template piece kind of string token `i`. */
  template(i: number): TemplatePiece | undefined {
    return this.kinds[i] === STR && this.flags[i] !== 0 ? this.decode(i)?.template : undefined;
  }

  /** Cooked literal text of a JS template piece (`undefined` for other tokens and where it has none). */
  templateText(i: number): string | undefined {
    return this.decode(i)?.cooked;
  }

  /** The single character of a one-character operator token, else 0. */
  opChar(i: number): number {
    if (i < 0 || i >= this.length || this.kinds[i] !== OP) return 0;
    const s = this.starts[i]!;
    return this.ends[i]! - s === 1 ? this.src.charCodeAt(s) : 0;
  }
}

const LPAREN = 40;
const RPAREN = 41;
const LBRACKET = 91;
const RBRACKET = 93;
const LBRACE = 123;
const RBRACE = 125;

/** Whether the operator character opens a bracket. */
export function isOpener(c: number): boolean {
  return c === LPAREN || c === LBRACKET || c === LBRACE;
}

/** The opening bracket of closer `c`. */
export function openerOf(c: number): number {
  return c === RPAREN ? LPAREN : c === RBRACKET ? LBRACKET : LBRACE;
}

/** Whether the operator character closes a bracket. */
export function isCloser(c: number): boolean {
  return c === RPAREN || c === RBRACKET || c === RBRACE;
}

/**
 * For every bracket token, the index of its partner (`-1` when unmatched).
 * A closer pops the innermost opener whatever its type, which keeps the
 * matching linear and tolerant of broken code. Returns the lexer's table
 * when it matched brackets while lexing (the same rule).
 */
export function matchBrackets(tokens: TokenList): Int32Array {
  if (tokens.match !== undefined) return tokens.match;
  const match = new Int32Array(tokens.length).fill(-1);
  const stack = new Int32Array(tokens.length);
  let top = 0;
  for (let i = 0; i < tokens.length; i++) {
    const c = tokens.opChar(i);
    if (c === 0) continue;
    if (isOpener(c)) stack[top++] = i;
    else if (isCloser(c)) {
      // Only a bracket of its own kind pairs with a closer (`(` with `)`): `f("x"}` closes no call.
      const o = top > 0 ? stack[--top]! : -1;
      if (o >= 0 && tokens.opChar(o) === openerOf(c)) {
        match[o] = i;
        match[i] = o;
      } else tokens.mismatchedBracket = true;
    }
  }
  return match;
}
