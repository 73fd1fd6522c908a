/**
 * Where a JavaScript/TypeScript variable's value holds, for the file scan
 * (`js-files.ts`), within what a token scan can tell without a parser:
 *
 * - **Blocks** (`{ … }`): a `const`/`let` declared in a block (a `var` in a
 *   function's body) is the block's: at its `}`, the name gets its value from
 *   before the block back. Any other name bound in a block (an assignment, a
 *   `var` in a nested block) may or may not have been bound when the block
 *   ends (a branch, a loop, a function that is called or not, a `try` that
 *   threw): unknown after it, never one branch's value taken as certain.
 *   Object literals' braces count as blocks too: nothing is declared in them,
 *   and an assignment in one is rare enough to forget.
 * - **Functions** (`function f(p) {`, methods `save(p) {`, `catch (e) {`,
 *   arrows `(p) =>`, `p =>`, `async (p): T =>`): parameters (and every name
 *   of a destructured one) are unknown in the body; after it they have their
 *   earlier value back (see `functionAt`, `paramNames`).
 *
 * Frames are made lazily, at the first binding in a block; blocks deeper
 * than MAX_BLOCK_DEPTH share the deepest frame (their names unknown after it).
 */
import type { Val } from './evaluate.js';
import { opensSubstitution, REGEX_AFTER_KEYWORDS } from './lexer-js.js';
import { NAME, NUM, STR, type TokenList } from './tokens.js';

/** Deepest block with a frame of its own: each frame hands its assigned names to the one around it, so this bounds that work. */
const MAX_BLOCK_DEPTH = 32;

/** The names a block bound, each with its value before the block and whether the block declared it (else it assigned it). */
interface BlockFrame {
  index: Map<string, number>;
  names: string[];
  earlier: (Val | undefined)[];
  declared: boolean[];
  /** The block is a function's body (a `var` there is declared). */
  fn: boolean;
}

/** The open blocks (`{`) around the scan, innermost last, with their frames. */
export class BlockScopes {
  /** Token index of each open block's `}` (-1: never closed). */
  private readonly closes: number[] = [];
  private readonly frames: (BlockFrame | undefined)[] = [];
  private readonly fnFlags: boolean[] = [];
  /** `{` tokens that start a function's body (noted with its parameters, before the scan reaches them). */
  private readonly fnBodies = new Set<number>();

  constructor(private readonly vars: Map<string, Val>) {}

  /** Notes that the `{` at token `brace` is a function's body. */
  functionBody(brace: number): void {
    this.fnBodies.add(brace);
  }

  /** A `{` at token `i`, closed at `close` (-1: never). */
  open(i: number, close: number): void {
    this.closes.push(close);
    this.frames.push(undefined);
    const fn = this.fnBodies.size > 0 && this.fnBodies.delete(i);
    this.fnFlags.push(fn);
  }

  /** Ends the blocks whose `}` is at or before token `i` (a bracket mismatched by a lexer's recovery is ended too). */
  leaveBefore(i: number): void {
    const closes = this.closes;
    while (closes.length > 0) {
      const c = closes[closes.length - 1]!;
      if (c < 0 || c > i) return;
      closes.pop();
      this.fnFlags.pop();
      const frame = this.frames.pop();
      if (frame !== undefined) this.end(frame);
    }
  }

  /**
   * Notes that `name` is about to be bound (`declared`: by `const`/`let`, or `var` in a function's body)
   * in the innermost block. Returns `false` when the block is too deep to follow: bind it unknown then.
   */
  bind(name: string, kind: 'const' | 'let' | 'var' | 'assign'): boolean {
    const depth = this.closes.length;
    if (depth === 0) return true; // top level: nothing to undo
    const at = Math.min(depth, MAX_BLOCK_DEPTH) - 1;
    const frame = this.frameAt(at);
    const deep = depth > MAX_BLOCK_DEPTH;
    const declared = !deep && (kind === 'const' || kind === 'let' || (kind === 'var' && frame.fn));
    this.note(frame, name, declared);
    return !deep;
  }

  private frameAt(at: number): BlockFrame {
    let frame = this.frames[at];
    if (frame === undefined) {
      frame = { index: new Map(), names: [], earlier: [], declared: [], fn: this.fnFlags[at]! };
      this.frames[at] = frame;
    }
    return frame;
  }

  private note(frame: BlockFrame, name: string, declared: boolean): void {
    if (frame.index.has(name)) return;
    frame.index.set(name, frame.names.length);
    frame.names.push(name);
    frame.earlier.push(this.vars.get(name));
    frame.declared.push(declared);
  }

  /** A block ended: its declarations give their earlier values back; what it assigned is unknown, also to the block around it. */
  private end(frame: BlockFrame): void {
    const depth = this.closes.length;
    const parent = depth > 0 ? this.frameAt(Math.min(depth, MAX_BLOCK_DEPTH) - 1) : undefined;
    for (let k = 0; k < frame.names.length; k++) {
      const name = frame.names[k]!;
      if (frame.declared[k]) {
        const v = frame.earlier[k];
        if (v === undefined) this.vars.delete(name);
        else this.vars.set(name, v);
        continue;
      }
      // The parent notes the value it had before this block, the one before the assignment: noted first.
      if (parent !== undefined && !parent.index.has(name)) this.note(parent, name, false);
      this.vars.delete(name);
    }
  }
}

/** Keywords followed by a parenthesised expression and a block: no parameter list. */
const CONTROL_KEYWORDS = new Set(['if', 'for', 'while', 'switch', 'with', 'return', 'typeof', 'await', 'yield', 'new', 'delete', 'void', 'in', 'of', 'do', 'else']);

/** Most steps (a token, or a bracketed group jumped over) a TS return type is read over (`): Promise<Map<string, number>> {`). */
const MAX_RETURN_TYPE_STEPS = 16;

/** A function whose parameters the scan met: `(…)` or a single name, and where its body starts. */
export interface FunctionHead {
  /** The parameter list's `(` (its names read by `paramNames`), or -1 for a single-name arrow (`p =>`). */
  open: number;
  /** The `)` of the list, or the single parameter's token. */
  close: number;
  /** First token of the body: a `{`, or an arrow's expression. */
  body: number;
  /** First token of the function as an expression (`async`, `function`, the `(` or the name): for callbacks. */
  start: number;
}

/**
 * The function whose parameter list or single parameter is at token `i`, if any:
 * - `(` of an arrow's parameters: `(…) =>`, `(…): T =>`;
 * - a name followed by `=>` (`p => …`);
 * - a name followed by `(…)` and a block, maybe after a TS return type: a function (`function f(p) {`,
 *   `function (p) {`), a method (`save(p) {`, `get x() {`) or `catch (e) {`; not `if (…) {` and the
 *   other control keywords.
 */
export function functionAt(tokens: TokenList, match: Int32Array, i: number): FunctionHead | undefined {
  if (tokens.op(i, '(')) {
    const close = match[i]!;
    if (close < 0) return undefined;
    const body = arrowBody(tokens, match, close);
    if (body >= 0) return { open: i, close, body, start: tokens.name(i - 1, 'async') ? i - 1 : i };
    // A generic function or method, `function f<T>(p: T) {`, `save<T>(p: T): void {`: no call is followed by a block.
    if (!tokens.op(i - 1, '>')) return undefined;
    const block = blockBody(tokens, match, close);
    return block < 0 ? undefined : { open: i, close, body: block, start: i };
  }
  if (!tokens.name(i)) return undefined;
  if (tokens.op(i + 1, '=>')) return { open: -1, close: i, body: i + 2, start: tokens.name(i - 1, 'async') ? i - 1 : i };
  if (!tokens.op(i + 1, '(')) return undefined;
  const len = tokens.ends[i]! - tokens.starts[i]!;
  if (len <= 6 && CONTROL_KEYWORDS.has(tokens.text(i))) return undefined;
  const close = match[i + 1]!;
  if (close < 0) return undefined;
  const body = blockBody(tokens, match, close);
  if (body < 0) return undefined;
  // A function expression starts at `function` (maybe after `async`); a method or a named function at its name.
  let start = tokens.name(i - 1, 'function') ? i - 1 : i;
  if (tokens.name(i, 'function') || start === i - 1) start = tokens.name(start - 1, 'async') ? start - 1 : start;
  return { open: i + 1, close, body, start };
}

/** After the `)` at `close` of an arrow's parameters: the first token of its body, or -1 when no `=>` follows (maybe after a return type). */
function arrowBody(tokens: TokenList, match: Int32Array, close: number): number {
  if (tokens.op(close + 1, '=>')) return close + 2;
  if (!tokens.op(close + 1, ':')) return -1;
  // `(p: string): Promise<void> => …`; a ternary's `cond ? (a) : b => …` reads so too (its `a` then unknown a while: safe).
  let k = close + 2;
  for (let n = 0; n < MAX_RETURN_TYPE_STEPS && k < tokens.length; n++) {
    const c = tokens.opChar(k);
    if (endsType(c)) return -1;
    if (c === 0 && tokens.op(k, '=>')) return k + 1;
    const m = match[k]!;
    k = m > k ? m + 1 : k + 1;
  }
  return -1;
}

/** Whether an operator (its character, see `opChar`) ends a return type being read: `;`, `=`, a closing bracket. */
function endsType(c: number): boolean {
  return c === 59 /* ; */ || c === 61 /* = */ || c === 41 /* ) */ || c === 125 /* } */ || c === 93 /* ] */;
}

/** Tokens after which a `{` in a return type is an object type, not the body (`): { ok: boolean } {`, `Promise<{ … }>`). */
function typeBefore(tokens: TokenList, k: number): boolean {
  const c = tokens.opChar(k);
  return c === 58 /* : */ || c === 124 /* | */ || c === 38 /* & */ || c === 60 /* < */ || c === 44 /* , */ || c === 40 /* ( */;
}

/** Words that start a statement, never part of a return type: after a ternary's `f(x) : y` the next line's `if (…) {` is no body. */
const STATEMENT_WORDS = new Set(['if', 'for', 'while', 'do', 'switch', 'return', 'const', 'let', 'var', 'throw', 'try', 'function', 'class']);

/** After the `)` at `close` of a parameter list: the `{` of the body, or -1 when none follows (maybe after a return type). */
function blockBody(tokens: TokenList, match: Int32Array, close: number): number {
  if (tokens.op(close + 1, '{')) return close + 1;
  if (!tokens.op(close + 1, ':')) return -1;
  let k = close + 2;
  for (let n = 0; n < MAX_RETURN_TYPE_STEPS && k < tokens.length; n++) {
    const c = tokens.opChar(k);
    if (c === 123 /* { */ && !typeBefore(tokens, k - 1)) return k;
    if (endsType(c)) return -1;
    if (tokens.kinds[k] === NAME && tokens.ends[k]! - tokens.starts[k]! <= 8 && STATEMENT_WORDS.has(tokens.text(k))) return -1;
    const m = match[k]!;
    k = m > k ? m + 1 : k + 1;
  }
  return -1;
}

/** TS modifiers of a constructor's parameter properties. */
const MODIFIERS = new Set(['public', 'private', 'protected', 'readonly', 'override']);

/** Most tokens of a parameter list read for names (a longer list: its names after that are not shadowed). */
const MAX_PARAM_TOKENS = 512;

/**
 * The names a parameter list binds: a name after `(`, `,` or `...`, and every name inside a destructuring
 * pattern there (`{ p, q: r }`, `[a, b]`; a property key counts too: one more name unknown is safe).
 * Defaults and TS types are skipped (a name after `=` or `:` is none).
 */
export function paramNames(tokens: TokenList, match: Int32Array, head: FunctionHead): string[] {
  if (head.open < 0) return [tokens.text(head.close)];
  const names: string[] = [];
  const close = Math.min(head.close, head.open + MAX_PARAM_TOKENS);
  for (let k = head.open + 1; k < close; k++) {
    const before = tokens.opChar(k - 1);
    // A parameter starts the list, follows a `,`, or a rest's `...` (three `.` tokens).
    const atParam = k === head.open + 1 || before === 44 /* , */ || (before === 46 /* . */ && tokens.opChar(k - 3) === 46);
    if (atParam && (tokens.op(k, '{') || tokens.op(k, '['))) {
      const end = Math.min(match[k]! < 0 ? close : match[k]!, close);
      for (let j = k + 1; j < end; j++) if (tokens.name(j)) names.push(tokens.text(j));
      k = end;
      continue;
    }
    if (atParam && tokens.name(k)) {
      names.push(tokens.text(k));
      // `constructor(private readonly p: string)`: TS modifiers before the name.
      while (tokens.name(k + 1) && k + 1 < close && MODIFIERS.has(tokens.text(k))) names.push(tokens.text(++k));
    }
    const m = match[k]!;
    if (m > k) k = m; // a default's or a type's brackets: no parameter in them
  }
  return names;
}

/** Most steps (a token, or a bracketed group jumped over) an arrow's expression body is walked for its end. */
const MAX_CONCISE_STEPS = 32;

/**
 * Where an arrow's expression body starting at token `from` ends: at a `;` or `,` outside brackets, a
 * closing bracket around it, or a line break between what ends an expression (a name, a literal, `)`,
 * `]`) and a name that cannot go on with it (the line break ends the statement there: `certain`); less
 * surely at another line break (not before a `.` going on) or after MAX_CONCISE_STEPS steps: the caller
 * then forgets the parameters' earlier values (the body may go on).
 */
export function conciseBodyEnd(tokens: TokenList, match: Int32Array, from: number): { end: number; certain: boolean } {
  const { src, starts, ends } = tokens;
  let k = from;
  for (let steps = 0; k < tokens.length; steps++) {
    if (steps === MAX_CONCISE_STEPS) return { end: k, certain: false };
    const c = tokens.opChar(k);
    if (c === 59 /* ; */ || c === 44 /* , */ || c === 41 /* ) */ || c === 93 /* ] */ || c === 125 /* } */) return { end: k, certain: true };
    if (k > from && c !== 46 /* . */ && hasLineBreak(src, ends[k - 1]!, starts[k]!)) return { end: k, certain: endsAtLineBreak(tokens, k) };
    const m = match[k]!;
    k = m > k ? m + 1 : k + 1;
  }
  return { end: tokens.length, certain: true };
}

/** Words after which an expression goes on (an operand follows), or which go on with the one before them. */
const OPERATOR_WORDS = new Set(['in', 'of', 'instanceof', 'as', 'satisfies', 'typeof', 'void', 'delete', 'await', 'new', 'yield', 'return', 'throw', 'async', 'else', 'keyof']);

/** Whether a line break before token `k` surely ends the expression before it: `x => f(x)` then `next()` on the next line. */
function endsAtLineBreak(tokens: TokenList, k: number): boolean {
  if (!tokens.name(k) || OPERATOR_WORDS.has(tokens.text(k))) return false;
  const before = tokens.kinds[k - 1];
  if (before === NAME) return !OPERATOR_WORDS.has(tokens.text(k - 1));
  const c = tokens.opChar(k - 1);
  return before === NUM || c === 41 /* ) */ || c === 93 /* ] */ || (before === STR && !opensSubstitution(tokens, k - 1));
}

function hasLineBreak(src: string, from: number, to: number): boolean {
  for (let c = from; c < to; c++) if (src.charCodeAt(c) === 10) return true;
  return false;
}

/**
 * Whether the `[` at token `open` indexes what comes before it (`cfg['outputs']`, `f()['a']`, `a\n['b']`: JS
 * reads on over the line break) rather than opening an array literal (after an operator, a keyword such as
 * `return`, a block's `}`, a template's `${`).
 */
function isSubscript(tokens: TokenList, open: number): boolean {
  const kind = tokens.kinds[open - 1];
  if (kind === NAME) return !REGEX_AFTER_KEYWORDS.has(tokens.text(open - 1));
  if (kind === NUM) return true;
  if (kind === STR) return !opensSubstitution(tokens, open - 1);
  const c = tokens.opChar(open - 1);
  return c === 41 /* ) */ || c === 93 /* ] */ || c === 46 /* . */;
}

/** Array methods that call their callback on every element, in order. */
const EVERY_ELEMENT = new Set(['forEach', 'map', 'flatMap']);

/**
 * When the function starting at token `start` is the first argument of `forEach`/`map`/`flatMap` on a
 * literal array of strings (`['a.csv', 'b.csv'].forEach((f) => …)`), those strings; else `undefined`.
 */
export function callbackValues(tokens: TokenList, match: Int32Array, start: number): string[] | undefined {
  if (!tokens.op(start - 1, '(') || !tokens.name(start - 2) || !tokens.op(start - 3, '.') || !tokens.op(start - 4, ']')) return undefined;
  if (!EVERY_ELEMENT.has(tokens.text(start - 2))) return undefined;
  const open = match[start - 4]!;
  if (open < 0 || !tokens.op(open, '[') || isSubscript(tokens, open)) return undefined;
  const values: string[] = [];
  for (let k = open + 1; k < start - 4; k++) {
    const v = tokens.value(k);
    if (v !== undefined) values.push(v);
    else if (!tokens.op(k, ',')) return undefined;
    if (k - open > 256) return undefined;
  }
  return values.length > 0 ? values : undefined;
}
