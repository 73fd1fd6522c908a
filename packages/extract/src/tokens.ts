/**
 * The token model shared by the Python and JavaScript lexers, and the
 * bracket matching the call finder relies on.
 */

/** Kind of a code token. `nl` ends a logical line (Python only). */
export type TokenKind = 'name' | 'str' | 'num' | 'op' | 'nl';

/** One token. Comments are dropped; string literals keep their value. */
export interface Token {
  kind: TokenKind;
  /** Source text for names, numbers and operators; the raw literal for strings. */
  text: string;
  /** For `str`: the literal's value, or `undefined` when it interpolates (f-string, `${}`). */
  value?: string | undefined;
  /** Offset of the token in the scanned source. */
  start: number;
  /**
   * For an interpolating string: its literal pieces and the interpolated
   * expressions, each reduced to a variable name when it is a bare identifier
   * (`''` otherwise), so `f"{outdir}/a.png"` can be resolved from known variables.
   * Python f-strings carry the whole list; a JS template is split over several
   * tokens, and each carries its own cooked piece in `parts[0]`.
   */
  parts?: (string | { name: string })[];
  /** JS template piece: `head` (before the first `${`), `middle`, or `tail` (up to the closing backtick). */
  template?: 'head' | 'middle' | 'tail';
}

const OPENERS = '([{';
const CLOSERS = ')]}';

/**
 * For every bracket token, the index of its partner (`-1` when unmatched).
 * A closer pops the innermost opener whatever its type, which keeps the
 * matching linear and tolerant of broken code.
 */
export function matchBrackets(tokens: readonly Token[]): Int32Array {
  const match = new Int32Array(tokens.length).fill(-1);
  const stack: number[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind !== 'op' || t.text.length !== 1) continue;
    if (OPENERS.includes(t.text)) stack.push(i);
    else if (CLOSERS.includes(t.text)) {
      const o = stack.pop();
      if (o !== undefined) {
        match[o] = i;
        match[i] = o;
      }
    }
  }
  return match;
}

/** Whether token `t` is the operator `op`. */
export function isOp(t: Token | undefined, op: string): boolean {
  return t !== undefined && t.kind === 'op' && t.text === op;
}

/** Whether token `t` is the name `name`. */
export function isName(t: Token | undefined, name?: string): boolean {
  return t !== undefined && t.kind === 'name' && (name === undefined || t.text === name);
}
