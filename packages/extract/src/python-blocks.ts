/**
 * Where a Python variable's value holds: function bodies and the branches of
 * `if`/`elif`/`else` and `try`/`except`, followed by indentation.
 *
 * The file scan binds variables in source order (`python-files.ts`). This
 * module keeps, next to that flat map of values, a stack of the blocks the
 * scan is in, and undoes or merges what was bound in them when they end:
 *
 * - **Functions** (`def`): parameters shadow outer variables (unknown inside
 *   the body), and what the body binds is local: when the body ends, every
 *   name it bound gets its value from before the `def` back.
 * - **Branches** (`if`/`elif`/`else`, `try`/`except`/`else`): each branch
 *   starts from the values before the statement (an `except` or a `try`'s
 *   `else` also forgets what the `try` body changed: it may or may not have
 *   run). After the statement, a name bound in some branch keeps a value only
 *   when every way through gives the same one (an `if` without `else`, or a
 *   branch that does not bind it, goes through with the old value);
 *   otherwise it is unknown. A `finally:` ends the statement; its body runs
 *   in order like any other code.
 *
 * Blocks end at the first logical line indented no deeper than their header.
 * The stack is followed lazily, in token order: `advanceTo` reads the line
 * starts up to the next binding, each token once at most (code after the
 * last file call is never read). While no block is open, a line is looked
 * at only when its first name may open one (by length and first letter).
 */
import type { Val } from './evaluate.js';
import type { PythonTokenList } from './lexer-python.js';
import { NAME, NL } from './tokens.js';

/** How a name went through the branches of an `if`/`try` statement. */
interface Slot {
  /** Value when the statement started. */
  pre: Val | undefined;
  /** Value a branch starts from (`pre`, or unknown in an `except` when the `try` body changed it). */
  base: Val | undefined;
  /** Merge of the finished branches that bound it: 0 none yet, 1 `result`, 2 differing values. */
  merged: 0 | 1 | 2;
  result: Val | undefined;
  /** Finished branches that bound it. */
  count: number;
  /** Last branch that bound it (to merge each name once per branch). */
  branch: number;
}

const DEF = 0;
const IF = 1;
const TRY = 2;

interface Frame {
  kind: typeof DEF | typeof IF | typeof TRY;
  /** Indentation of the header line. */
  indent: number;
  /** Length of the trail when the block started, and when its current branch started. */
  trailStart: number;
  branchStart: number;
  /** Index of the current branch (0: the `if`/`try` body). */
  branch: number;
  /** An `if` with an `else`: no way through it skips every branch. */
  hasElse: boolean;
  /** The names its finished branches bound (only once one did). */
  slots: Map<string, Slot> | undefined;
}

/** Deepest nesting followed; deeper blocks are not opened (their code is taken in order, as before). */
const MAX_DEPTH = 256;

/** Whether two values are the same (both unknown counts as the same). */
function sameVal(a: Val | undefined, b: Val | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a.s !== b.s || a.path !== b.path) return false;
  const x = a.alts;
  const y = b.alts;
  if (x === undefined || y === undefined) return x === y;
  if (x.length !== y.length) return false;
  for (let k = 0; k < x.length; k++) if (x[k] !== y[k]) return false;
  return true;
}

function merge(slot: Slot, val: Val | undefined): void {
  slot.count++;
  if (slot.merged === 0) {
    slot.merged = 1;
    slot.result = val;
  } else if (slot.merged === 1 && !sameVal(slot.result, val)) slot.merged = 2;
}

export class PythonBlocks {
  private readonly stack: Frame[] = [];
  /**
   * What every binding inside an open block replaced, as pairs (name, old
   * value), oldest first: undoing it back to a block's start restores the
   * values from before the block.
   */
  private readonly trail: (string | Val | undefined)[] = [];
  /** Tokens before this one have been read for line starts. */
  private scanned = 0;

  constructor(
    private readonly tokens: PythonTokenList,
    private readonly match: Int32Array,
    private readonly vars: Map<string, Val>,
  ) {}

  /** Binds `name` to `val` (unknown: `undefined`), noted for the innermost open block. */
  bind(name: string, val: Val | undefined): void {
    const prev = this.vars.get(name);
    if (val === undefined && prev === undefined) return; // unknown stays unknown: nothing to note or undo
    if (this.stack.length > 0) this.trail.push(name, prev);
    if (val !== undefined) this.vars.set(name, val);
    else this.vars.delete(name);
  }

  /**
   * Reads the logical lines starting up to token `target` (included): ends
   * blocks, switches branches, opens the functions and statements they start.
   */
  advanceTo(target: number): void {
    const { kinds, starts, ends, src } = this.tokens;
    let k = this.scanned;
    if (k >= target) return;
    if (k === 0) this.lineStart(0); // the first line: no line end before it
    for (; k < target; k++) {
      if (kinds[k] !== NL) continue;
      const t = k + 1;
      if (this.stack.length === 0) {
        // Nothing open: only a line that may open a block matters (`if`, `def`, `try`, `async`), by length and first letter.
        if (kinds[t] !== NAME) continue;
        const len = ends[t]! - starts[t]!;
        if (len < 2 || len > 5) continue;
        const c = src.charCodeAt(starts[t]!);
        if (c !== 105 /* i */ && c !== 100 /* d */ && c !== 116 /* t */ && c !== 97 /* a */) continue;
      }
      this.lineStart(t);
    }
    this.scanned = k;
  }

  private set(name: string, val: Val | undefined): void {
    if (val !== undefined) this.vars.set(name, val);
    else this.vars.delete(name);
  }

  private open(kind: Frame['kind'], indent: number): boolean {
    if (this.stack.length >= MAX_DEPTH) return false;
    const at = this.trail.length;
    this.stack.push({ kind, indent, trailStart: at, branchStart: at, branch: 0, hasElse: false, slots: undefined });
    return true;
  }

  /** Restores the values the trail holds back to length `to`, newest first. */
  private undo(to: number): void {
    const trail = this.trail;
    for (let k = trail.length - 2; k >= to; k -= 2) this.set(trail[k] as string, trail[k + 1] as Val | undefined);
    trail.length = to;
  }

  /**
   * Indentation of token `t` when it is the first on its physical line (its
   * column, a tab counting one), else -1.
   */
  private indentOf(t: number): number {
    const { src, starts } = this.tokens;
    const p = starts[t]!;
    let q = p;
    while (q > 0) {
      const c = src.charCodeAt(q - 1);
      if (c !== 32 && c !== 9 && c !== 12) break;
      q--;
    }
    return q > 0 && src.charCodeAt(q - 1) !== 10 ? -1 : p - q;
  }

  /** A logical line starts at token `t`. */
  private lineStart(t: number): void {
    const tokens = this.tokens;
    if (t >= tokens.length) return;
    if (tokens.kinds[t] !== NAME) {
      if (this.stack.length > 0) this.dedent(t, false);
      return;
    }
    // What the line starts with: a block header (`if`, `try:`, `def`, `async def`) or a branch (`elif`, `else`, `except`).
    const { src, starts } = tokens;
    const s = starts[t]!;
    const c = src.charCodeAt(s);
    let header = -1;
    let branch = false;
    switch (tokens.ends[t]! - s) {
      case 2:
        if (c === 105 /* i */ && src.charCodeAt(s + 1) === 102 /* f */) header = IF;
        break;
      case 3:
        if (c === 100 /* d */ && src.startsWith('def', s)) header = DEF;
        else if (c === 116 /* t */ && src.startsWith('try', s)) header = TRY;
        break;
      case 4:
        branch = c === 101 /* e */ && (src.startsWith('elif', s) || src.startsWith('else', s));
        break;
      case 5:
        if (c === 97 /* a */ && src.startsWith('async', s) && tokens.name(t + 1, 'def')) header = DEF;
        break;
      case 6:
        branch = c === 101 /* e */ && src.startsWith('except', s);
        break;
    }
    if (header < 0) {
      if (this.stack.length > 0) this.dedent(t, branch);
      return;
    }
    const indent = this.dedent(t, false);
    if (indent < 0) return;
    if (header === DEF) this.enterFunction(tokens.ends[t]! - s === 5 ? t + 1 : t, indent);
    else this.open(header as Frame['kind'], indent);
  }

  /**
   * Ends the blocks the line starting at token `t` is not indented into (or
   * switches to the next branch at a `branch` keyword); returns the line's
   * indentation (-1 when unknown: nothing is ended).
   */
  private dedent(t: number, branch: boolean): number {
    const tokens = this.tokens;
    const indent = this.indentOf(t);
    if (indent < 0) return indent;
    for (let top = this.stack[this.stack.length - 1]; top !== undefined && indent <= top.indent; top = this.stack[this.stack.length - 1]) {
      if (branch && indent === top.indent && top.kind !== DEF) {
        // `elif`/`else` continue an `if`; `except`/`else` a `try`.
        const len = tokens.ends[t]! - tokens.starts[t]!;
        if (top.kind === TRY || len === 4) {
          this.nextBranch(top, top.kind === IF && tokens.name(t, 'else'));
          break;
        }
      }
      this.close();
    }
    return indent;
  }

  /**
   * `def name(params):` at token `def`: binds `name` (unknown) where the
   * function is defined, then opens its body, where the parameters are unknown.
   */
  private enterFunction(def: number, indent: number): void {
    const { tokens, match } = this;
    if (!tokens.name(def + 1)) return;
    this.bind(tokens.text(def + 1), undefined);
    if (!this.open(DEF, indent)) return;
    const open = def + 2;
    const close = tokens.op(open, '(') ? match[open]! : -1;
    // Parameters: a name after `(` or `,` (maybe after `*`/`**`), at the parentheses' own level.
    for (let k = open + 1; k < close; k++) {
      const m = match[k]!;
      if (m > k) {
        k = m;
        continue;
      }
      if (tokens.kinds[k] !== NAME) continue;
      const before = tokens.op(k - 1, '*') || tokens.op(k - 1, '**') ? k - 2 : k - 1;
      if (before === open || tokens.op(before, ',')) this.bind(tokens.text(k), undefined);
    }
  }

  /** Merges the values the current branch of `frame` (the innermost block) leaves its names with. */
  private mergeBranch(frame: Frame): void {
    const trail = this.trail;
    for (let k = frame.branchStart; k < trail.length; k += 2) {
      const name = trail[k] as string;
      frame.slots ??= new Map();
      let slot = frame.slots.get(name);
      if (slot === undefined) {
        // Its first binding in the statement: what it replaced is the value from before (or the branch's start value: the same).
        const pre = trail[k + 1] as Val | undefined;
        slot = { pre, base: pre, merged: 0, result: undefined, count: 0, branch: -1 };
        frame.slots.set(name, slot);
      }
      if (slot.branch === frame.branch) continue;
      slot.branch = frame.branch;
      merge(slot, this.vars.get(name));
    }
  }

  /** Ends the current branch of `frame` and starts the next, from the values before the statement. */
  private nextBranch(frame: Frame, isElse: boolean): void {
    this.mergeBranch(frame);
    this.undo(frame.branchStart);
    if (frame.kind === TRY && frame.branch === 0 && frame.slots !== undefined) {
      // The `try` body may have stopped anywhere: after it, what it changed is unknown.
      for (const [name, slot] of frame.slots) {
        if (sameVal(slot.pre, slot.result)) continue;
        slot.base = undefined;
        this.bind(name, undefined);
      }
    }
    frame.branchStart = this.trail.length;
    frame.branch++;
    if (isElse) frame.hasElse = true;
  }

  /** Ends the innermost block: a function's bindings are undone, branches merged. */
  private close(): void {
    const frame = this.stack[this.stack.length - 1]!;
    if (frame.kind === DEF) {
      this.undo(frame.trailStart);
      this.stack.pop();
      return;
    }
    this.mergeBranch(frame);
    this.undo(frame.trailStart);
    this.stack.pop();
    const slots = frame.slots;
    if (slots === undefined) return;
    const branches = frame.branch + 1;
    // A `try` always goes through its body (or its `else`); an `if` without `else` may go through none.
    const skippable = frame.kind === IF && !frame.hasElse;
    for (const [name, slot] of slots) {
      if (slot.count < branches || skippable) merge(slot, slot.base);
      this.bind(name, slot.merged === 1 ? slot.result : undefined);
    }
  }
}
