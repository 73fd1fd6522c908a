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
 *   in order like any other code. A branch whose last statement leaves
 *   (`raise`, `return`, `sys.exit(…)`, `exit(…)`, `quit(…)`, `os._exit(…)`)
 *   is no way through. A name bound on some ways through only is unknown
 *   after, also when the snippet bound it nowhere before: an earlier cell of
 *   a notebook or a code interpreter's session may have (`if not out_dir:
 *   out_dir = "outputs"`), so its value there is not known.
 * - **Classes**: what the body binds is the class's (its attributes): undone
 *   when the body ends, as for functions.
 * - **Loops** (`for`, `while`): a `for` variable over a literal list stands
 *   for all its values in the body (`evaluate.ts`, `Val.loops`); when the
 *   loop ends, every value built from it becomes the last iteration's
 *   (unknown when the loop has a `break` or `continue`: a `while`'s leaves
 *   the `while` only). A loop's `else` runs when no `break` left the loop:
 *   without a `break` it always does (its body in order); after one, the
 *   `else` is a branch that may be skipped, merged like an `if` without
 *   `else` (in it, the loop ran to its end: its last iteration's values).
 * - **Deeper than `MAX_DEPTH`**, a block is not followed: it opens one
 *   opaque block, where every binding is unknown and no variable is known
 *   (`opaque`; its nested blocks are not opened, so a parameter or a branch
 *   could not be told), and what it bound is unknown after it.
 * - **`global`/`nonlocal`** names a function declares are unknown after it
 *   (a call may rebind them).
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
const FOR = 3;
const CLASS = 4;
const WHILE = 5;
/** A block nested deeper than MAX_DEPTH, with everything in it: nothing known inside, what it binds unknown after. */
const OPAQUE = 6;

interface Frame {
  kind: typeof DEF | typeof IF | typeof TRY | typeof FOR | typeof CLASS | typeof WHILE | typeof OPAQUE;
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
  /** Finished branches that do not leave (`raise`, `return`, …): the ways through. */
  live: number;
  /** First token of the current branch's header line (`if`, `elif`, `except` …). */
  header: number;
  /** Indentation of the current branch's body (-1: none seen yet), and the first token of its last line at that indentation (-1: none). */
  bodyIndent: number;
  lastStmt: number;
  /** FOR: the loop's id (its `for` token), number of values (0: not a loop over a literal list); FOR, WHILE: whether a `break`, a `continue` was seen. */
  loop: number;
  loopLen: number;
  broken: boolean;
  continued: boolean;
  /** DEF: names declared `global` or `nonlocal` in the body. */
  globals: string[] | undefined;
}

/**
 * Deepest nesting followed (a bound on the stack walks per line); a deeper block is one OPAQUE block
 * with all it holds (see the module's comment).
 */
const MAX_DEPTH = 16;

/** Whether two values are the same (both unknown counts as the same). */
function sameVal(a: Val | undefined, b: Val | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a.s !== b.s || a.path !== b.path || a.num !== b.num) return false;
  const x = a.alts;
  const y = b.alts;
  if (x === undefined || y === undefined) return x === y;
  if (x.length !== y.length || a.loops?.join() !== b.loops?.join()) return false;
  for (let k = 0; k < x.length; k++) if (x[k] !== y[k] || a.iters?.[k]?.join() !== b.iters?.[k]?.join()) return false;
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
  /** Tokens before this one have been read for line starts (the first line's once `started`). */
  private scanned = 0;
  private started = false;
  /** The `for` loops open (their ids), and for each, the names bound to values built from it (to make them the last iteration's at its end). */
  private readonly openLoops = new Set<number>();
  private readonly byLoop = new Map<number, string[]>();

  constructor(
    private readonly tokens: PythonTokenList,
    private readonly match: Int32Array,
    private readonly vars: Map<string, Val>,
  ) {}


  /** Binds `name` to `val` (unknown: `undefined`), noted for the innermost open block; in an opaque block, to unknown. */
  bind(name: string, val: Val | undefined): void {
    this.rebind(name, this.opaque ? undefined : val);
  }

  /**
   * Whether the scan is in a block nested deeper than followed: no variable's value is known there
   * (a parameter, a branch's binding could not be told from the code around it).
   */
  get opaque(): boolean {
    const top = this.stack[this.stack.length - 1];
    return top !== undefined && top.kind === OPAQUE;
  }

  /** `bind`, also of a statement's merge of the names bound in it. */
  private rebind(name: string, val: Val | undefined): void {
    const prev = this.vars.get(name);
    if (val === undefined && prev === undefined) return; // unknown stays unknown: nothing to note or undo
    if (this.stack.length > 0) this.trail.push(name, prev);
    if (val?.loops !== undefined) {
      // Built from loop values: only from loops still open (else unknown: a comprehension's, seen through `:=`).
      for (const id of val.loops) {
        if (!this.openLoops.has(id)) return void this.vars.delete(name);
      }
      for (const id of val.loops) this.byLoop.get(id)!.push(name);
    }
    if (val !== undefined) this.vars.set(name, val);
    else this.vars.delete(name);
  }

  /**
   * Whether the values of the `for` loop at token `id` (over a literal list
   * of `count`) are followed: the innermost open block is that loop. Else its
   * variable is unknown.
   */
  enterLoop(id: number, count: number): boolean {
    const top = this.stack[this.stack.length - 1];
    if (top === undefined || top.kind !== FOR || top.loop !== id) return false;
    top.loopLen = count;
    this.openLoops.add(id);
    this.byLoop.set(id, []);
    return true;
  }

  /**
   * Reads the logical lines starting up to token `target` (included): ends
   * blocks, switches branches, opens the functions and statements they start.
   */
  advanceTo(target: number): void {
    const { kinds, starts, ends, src } = this.tokens;
    let k = this.scanned;
    if (!this.started) {
      this.started = true;
      this.lineStart(0); // the first line: no line end before it
    }
    if (k >= target) return;
    for (; k < target; k++) {
      if (kinds[k] !== NL) continue;
      const t = k + 1;
      if (this.stack.length === 0) {
        // Nothing open: only a line that may open a block matters (`if`, `def`, `try`, `for`, `class`, `async`), by length and first letter.
        if (kinds[t] !== NAME) continue;
        const len = ends[t]! - starts[t]!;
        if (len < 2 || len > 5) continue;
        const c = src.charCodeAt(starts[t]!);
        if (c !== 105 /* i */ && c !== 100 /* d */ && c !== 116 /* t */ && c !== 97 /* a */ && c !== 102 /* f */ && c !== 99 /* c */ && c !== 119 /* w */) continue;
      }
      this.lineStart(t);
    }
    this.scanned = k;
  }

  private set(name: string, val: Val | undefined): void {
    if (val !== undefined) this.vars.set(name, val);
    else this.vars.delete(name);
  }

  /** Opens a block; deeper than MAX_DEPTH, the one OPAQUE block instead (then none): `undefined`. */
  private open(kind: Frame['kind'], indent: number, header: number): Frame | undefined {
    if (this.stack.length >= MAX_DEPTH) {
      if (!this.opaque) this.push(OPAQUE, indent, header);
      return undefined;
    }
    return this.push(kind, indent, header);
  }

  private push(kind: Frame['kind'], indent: number, header: number): Frame {
    const at = this.trail.length;
    const frame: Frame = {
      kind, indent, trailStart: at, branchStart: at, branch: 0, hasElse: false, slots: undefined, live: 0,
      header, bodyIndent: -1, lastStmt: -1, loop: -1, loopLen: 0, broken: false, continued: false, globals: undefined,
    };
    this.stack.push(frame);
    return frame;
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
    if (this.stack.length > 0) this.noteBreak(t);
    if (tokens.kinds[t] !== NAME) {
      if (this.stack.length > 0) this.noteLine(t, this.dedent(t, false));
      return;
    }
    // What the line starts with: a block header (`if`, `try:`, `for`, `def`, `class`, `async def`/`for`)
    // or a branch (`elif`, `else`, `except`).
    const { src, starts } = tokens;
    const s = starts[t]!;
    const c = src.charCodeAt(s);
    let header = -1;
    let branch = false;
    let at = t; // the header's keyword (`def` of `async def`)
    switch (tokens.ends[t]! - s) {
      case 2:
        if (c === 105 /* i */ && src.charCodeAt(s + 1) === 102 /* f */) header = IF;
        break;
      case 3:
        if (c === 100 /* d */ && src.startsWith('def', s)) header = DEF;
        else if (c === 116 /* t */ && src.startsWith('try', s)) header = TRY;
        else if (c === 102 /* f */ && src.startsWith('for', s)) header = FOR;
        break;
      case 4:
        branch = c === 101 /* e */ && (src.startsWith('elif', s) || src.startsWith('else', s));
        break;
      case 5:
        if (c === 97 /* a */ && src.startsWith('async', s) && (tokens.name(t + 1, 'def') || tokens.name(t + 1, 'for'))) {
          at = t + 1;
          header = tokens.name(t + 1, 'def') ? DEF : FOR;
        } else if (c === 99 /* c */ && src.startsWith('class', s)) header = CLASS;
        else if (c === 119 /* w */ && src.startsWith('while', s)) header = WHILE;
        break;
      case 6:
        branch = c === 101 /* e */ && src.startsWith('except', s);
        if (!branch && c === 103 /* g */ && src.startsWith('global', s)) this.noteGlobals(t);
        break;
      case 8:
        if (c === 110 /* n */ && src.startsWith('nonlocal', s)) this.noteGlobals(t);
        break;
    }
    if (header < 0) {
      if (this.stack.length === 0) return;
      this.switched = false;
      const indent = this.dedent(t, branch);
      if (!this.switched) this.noteLine(t, indent);
      return;
    }
    const indent = this.dedent(t, false);
    if (indent < 0) return;
    this.noteLine(t, indent);
    if (header === DEF || header === CLASS) this.enterDefinition(at, indent, header);
    else {
      const frame = this.open(header as Frame['kind'], indent, t);
      if (frame !== undefined && header === FOR) frame.loop = at;
    }
  }

  /** Line `t` (at `indent`) is a statement of the innermost block: the last one of its branch so far, when at the body's indentation. */
  private noteLine(t: number, indent: number): void {
    const top = this.stack[this.stack.length - 1];
    if (top === undefined || indent < 0 || indent <= top.indent) return;
    if (top.bodyIndent < 0) top.bodyIndent = indent;
    if (indent === top.bodyIndent) top.lastStmt = t;
  }

  /**
   * A `break` or `continue` ending the line before token `t` leaves the innermost loop's iteration (or a
   * `while` in it: the same, to be safe): what was built in the last one may not be what ran last.
   */
  private noteBreak(t: number): void {
    const tokens = this.tokens;
    const last = tokens.op(t - 2, ';') ? t - 3 : t - 2;
    if (last < 0) return;
    const isBreak = tokens.name(last, 'break');
    if (!isBreak && !tokens.name(last, 'continue')) return;
    for (let k = this.stack.length - 1; k >= 0; k--) {
      const f = this.stack[k]!;
      if (f.kind === DEF || f.kind === CLASS) return;
      // (An opaque block may hold the loop it leaves: the loop around it is marked, to be safe.)
      if (f.kind === FOR || f.kind === WHILE) {
        if (isBreak) f.broken = true;
        else f.continued = true;
        return;
      }
    }
  }

  /** `global a, b` / `nonlocal a` at token `t`: noted for the innermost function. */
  private noteGlobals(t: number): void {
    const tokens = this.tokens;
    let def: Frame | undefined;
    for (let k = this.stack.length - 1; k >= 0 && def === undefined; k--) if (this.stack[k]!.kind === DEF) def = this.stack[k];
    for (let k = t + 1; k < tokens.length && tokens.kinds[k] === NAME; k += 2) {
      const name = tokens.text(k);
      // At module level (or when the function was not followed), the name is unknown from here on.
      if (def === undefined) this.bind(name, undefined);
      else (def.globals ??= []).push(name);
      if (!tokens.op(k + 1, ',')) break;
    }
  }

  /** Set by `dedent` when the line switched to the next branch of a statement. */
  private switched = false;

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
      if (branch && indent === top.indent) {
        if (top.kind === IF || top.kind === TRY) {
          // `elif`/`else` continue an `if`; `except`/`else` a `try`.
          const len = tokens.ends[t]! - tokens.starts[t]!;
          if (top.kind === TRY || len === 4) {
            this.nextBranch(top, top.kind === IF && tokens.name(t, 'else'), t);
            this.switched = true;
            break;
          }
        } else if (top.kind === OPAQUE) {
          // Another branch of the statement the opaque block is: still in it.
          this.switched = true;
          break;
        } else if ((top.kind === FOR || top.kind === WHILE) && tokens.name(t, 'else')) {
          this.loopElse(top, t);
          this.switched = true;
          break;
        }
      }
      this.close();
    }
    return indent;
  }

  /**
   * `def name(params):` at token `def`: binds `name` (unknown) where the
   * function is defined, then opens its body, where the parameters are
   * unknown. `class name…:` binds `name` (unknown) and opens its body.
   */
  private enterDefinition(def: number, indent: number, kind: typeof DEF | typeof CLASS): void {
    const { tokens, match } = this;
    if (!tokens.name(def + 1)) return;
    this.bind(tokens.text(def + 1), undefined);
    const frame = this.open(kind, indent, def);
    if (frame === undefined || kind === CLASS) return;
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
    // A one-line body `def f(): global X; X = 1`.
    const body = this.inlineBody(def);
    if (body >= 0 && (tokens.name(body, 'global') || tokens.name(body, 'nonlocal'))) this.noteGlobals(body);
  }

  /** The first token after the `:` that ends the header starting at token `h`, when the body follows on the same line; else -1. */
  private inlineBody(h: number): number {
    const { tokens, match } = this;
    for (let k = h + 1, n = 0; k < tokens.length && n < 256; k++, n++) {
      if (tokens.kinds[k] === NL) return -1;
      const m = match[k]!;
      if (m > k) {
        k = m;
        continue;
      }
      if (tokens.op(k, ':')) return k + 1 < tokens.length && tokens.kinds[k + 1] !== NL ? k + 1 : -1;
    }
    return -1;
  }

  /** Whether the current branch of `frame` ends by leaving (`raise`, `return`, `sys.exit(…)` …): it is no way through. */
  private leaves(frame: Frame): boolean {
    const tokens = this.tokens;
    const k = frame.lastStmt >= 0 ? frame.lastStmt : this.inlineBody(frame.header);
    if (k < 0 || tokens.kinds[k] !== NAME) return false;
    if (tokens.name(k, 'raise') || tokens.name(k, 'return')) return true;
    if ((tokens.name(k, 'exit') || tokens.name(k, 'quit')) && tokens.op(k + 1, '(')) return true;
    return (
      tokens.op(k + 1, '.') &&
      tokens.op(k + 3, '(') &&
      ((tokens.name(k, 'sys') && tokens.name(k + 2, 'exit')) || (tokens.name(k, 'os') && tokens.name(k + 2, '_exit')))
    );
  }

  /** Merges the values the current branch of `frame` (the innermost block) leaves its names with (none when it leaves). */
  private mergeBranch(frame: Frame): void {
    const trail = this.trail;
    const through = !this.leaves(frame);
    if (through) frame.live++;
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
      if (through) merge(slot, this.vars.get(name));
    }
  }

  /** Ends the current branch of `frame` and starts the next (at token `t`), from the values before the statement. */
  private nextBranch(frame: Frame, isElse: boolean, t: number): void {
    this.mergeBranch(frame);
    this.undo(frame.branchStart);
    if (frame.kind === TRY && frame.branch === 0 && frame.slots !== undefined) {
      // The `try` body may have stopped anywhere: after it, what it changed is unknown.
      for (const [name, slot] of frame.slots) {
        if (sameVal(slot.pre, slot.result) && slot.merged === 1) continue;
        slot.base = undefined;
        this.bind(name, undefined);
      }
    }
    frame.branchStart = this.trail.length;
    frame.branch++;
    frame.header = t;
    frame.bodyIndent = -1;
    frame.lastStmt = -1;
    if (isElse) frame.hasElse = true;
  }

  /**
   * The `else` (at token `t`) of the loop `frame`, the innermost block: the loop ends. Without a
   * `break` the `else` always runs, in order. After one, it is a branch a `break` skips: an `if`
   * without `else`. In it the loop ran to its end: its values are the last iteration's (unknown
   * after a `continue`, which may have skipped what the last iteration built).
   */
  private loopElse(frame: Frame, t: number): void {
    this.stack.pop();
    if (frame.broken) this.push(IF, frame.indent, t);
    if (frame.kind === FOR && frame.loopLen > 0) this.endLoop(frame, frame.continued);
  }

  /**
   * Ends the innermost block: a function's or class's bindings are undone
   * (and its `global` names made unknown), a loop's values made the last
   * iteration's, branches merged. An opaque block's bindings stay unknown.
   */
  private close(): void {
    const frame = this.stack[this.stack.length - 1]!;
    if (frame.kind === OPAQUE || frame.kind === WHILE) {
      this.stack.pop();
      return;
    }
    if (frame.kind === DEF || frame.kind === CLASS) {
      this.undo(frame.trailStart);
      this.stack.pop();
      if (frame.globals !== undefined) for (const name of frame.globals) this.bind(name, undefined);
      return;
    }
    if (frame.kind === FOR) {
      this.stack.pop();
      if (frame.loopLen > 0) this.endLoop(frame, frame.broken || frame.continued);
      return;
    }
    this.mergeBranch(frame);
    this.undo(frame.trailStart);
    this.stack.pop();
    const slots = frame.slots;
    if (slots === undefined) return;
    // A `try` always goes through its body (or its `else`); an `if` without `else` may go through none.
    const skippable = frame.kind === IF && !frame.hasElse;
    for (const [name, slot] of slots) {
      if (slot.count < frame.branch + 1 || skippable) {
        // The ways through that did not bind it keep its start value.
        const through = frame.live - slot.count + (skippable ? 1 : 0);
        if (through > 0) merge(slot, slot.base);
      }
      this.rebind(name, slot.merged === 1 ? slot.result : undefined);
    }
  }

  /** The loop `frame` ended: what was built from its values is the last iteration's (unknown when `broken`: after a `break` or `continue`). */
  private endLoop(frame: Frame, broken: boolean): void {
    const id = frame.loop;
    const names = this.byLoop.get(id)!;
    this.byLoop.delete(id);
    this.openLoops.delete(id);
    for (const name of names) {
      const v = this.vars.get(name);
      if (v?.loops === undefined || !v.loops.includes(id)) continue;
      this.bind(name, broken ? undefined : lastIteration(v, id, frame.loopLen - 1));
    }
  }
}

/** The values of `v` built in iteration `last` of loop `id` (unknown when none, or several once no loop is left). */
function lastIteration(v: Val, id: number, last: number): Val | undefined {
  const loops = v.loops!;
  const iters = v.iters!;
  const alts = v.alts!;
  const j = loops.indexOf(id);
  const keptAlts: string[] = [];
  const keptIters: number[][] = [];
  for (let a = 0; a < alts.length; a++) {
    const it = iters[a]!;
    if (it[j] !== last) continue;
    keptAlts.push(alts[a]!);
    keptIters.push(it.filter((_, x) => x !== j));
  }
  if (keptAlts.length === 0) return undefined;
  // An integer loop variable stays one after its loop (`open(i)` is a file descriptor, not a file).
  const num = v.num === true ? { num: true } : undefined;
  if (loops.length === 1) return keptAlts.length === 1 ? { s: keptAlts[0]!, path: v.path, ...num } : undefined;
  return { s: keptAlts[0]!, path: v.path, alts: keptAlts, loops: loops.filter((x) => x !== id), iters: keptIters, ...num };
}
