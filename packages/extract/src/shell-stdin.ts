/**
 * What a shell command reads on standard input, where that is a program an
 * interpreter runs: its own here-document (`python3 - <<EOF`) or one that
 * `cat` pipes into it (`cat <<EOF | python3 -`).
 */
import { expandHeredoc } from './shell-heredoc.js';
import { wordText, type ShellCommand, type ShellRedirect, type ShellWord } from './lexer-shell.js';

/** A here-document's body and whether its delimiter was quoted. */
export type Heredoc = NonNullable<ShellRedirect['heredoc']>;

/**
 * Characters variable expansion may still add to the code one script hands
 * on (here-documents, `-c` strings). It starts at the script's length: a
 * known value is up to 4 096 characters, written in 2 (`$X`), so without a
 * bound 1 MB of `python3 -c "$X$X"` lines handed on gigabytes of code.
 * Past it, variables are unknown (`expandHeredoc`) or the code is skipped.
 */
export interface ExpansionBudget {
  left: number;
}

/** The redirection standard input ends with (the last one of descriptor 0), if any. */
export function stdinRedirect(redirects: readonly ShellRedirect[]): ShellRedirect | undefined {
  let input: ShellRedirect | undefined;
  for (const r of redirects) {
    if ((r.fd === undefined || r.fd === 0) && (r.op === '<' || r.op === '<<' || r.op === '<<<' || r.op === '<&' || r.op === '<>')) input = r;
  }
  return input;
}

/** The here-document of a redirection, if it is one. */
export function heredocOf(r: ShellRedirect | undefined): Heredoc | undefined {
  return r !== undefined && r.op === '<<' ? r.heredoc : undefined;
}

/** The text a here-document hands its command: expanded as bash does unless its delimiter is quoted; growth charged to `budget`. */
export function heredocText(h: Heredoc, vars: ReadonlyMap<string, string>, budget: ExpansionBudget): string {
  if (h.quoted) return h.body;
  const text = expandHeredoc(h.body, vars, Math.max(0, budget.left));
  if (text.length > h.body.length) budget.left -= text.length - h.body.length;
  return text;
}

/**
 * The here-document `cat` (its name at `words[k]`) writes into the pipe
 * after it, when it writes it as is: no operand but `-` (`cat FILE`, `cat -n`
 * give other text), standard input the here-document, standard output not
 * redirected. Else `undefined`. Expanded by the reader, if it runs it.
 */
export function catPipedHeredoc(cmd: ShellCommand, words: readonly ShellWord[], k: number): Heredoc | undefined {
  if (!cmd.pipe) return undefined;
  for (let j = k + 1; j < words.length; j++) if (wordText(words[j]!) !== '-') return undefined;
  for (const r of cmd.redirects) {
    const out = r.op === '&>' || r.op === '&>>' || ((r.fd === undefined || r.fd === 1) && (r.op === '>' || r.op === '>>' || r.op === '>|' || r.op === '>&' || r.op === '<>'));
    if (out) return undefined;
  }
  return heredocOf(stdinRedirect(cmd.redirects));
}
