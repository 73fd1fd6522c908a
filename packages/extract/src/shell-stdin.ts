/**
 * What a shell command reads on standard input, where that is a program an
 * interpreter runs: its own here-document (`python3 - <<EOF`) or one that
 * `cat` pipes into it (`cat <<EOF | python3 -`).
 */
import { expandHeredoc } from './shell-heredoc.js';
import { wordText, type ShellCommand, type ShellRedirect, type ShellWord } from './lexer-shell.js';

/** The redirection standard input ends with (the last one of descriptor 0), if any. */
export function stdinRedirect(redirects: readonly ShellRedirect[]): ShellRedirect | undefined {
  let input: ShellRedirect | undefined;
  for (const r of redirects) {
    if ((r.fd === undefined || r.fd === 0) && (r.op === '<' || r.op === '<<' || r.op === '<<<' || r.op === '<&' || r.op === '<>')) input = r;
  }
  return input;
}

/** The text a here-document hands its command: expanded as bash does unless its delimiter is quoted. */
export function heredocText(r: ShellRedirect, vars: ReadonlyMap<string, string>): string | undefined {
  if (r.op !== '<<' || r.heredoc === undefined) return undefined;
  return r.heredoc.quoted ? r.heredoc.body : expandHeredoc(r.heredoc.body, vars);
}

/**
 * What `cat` (its name at `words[k]`) writes into the pipe after it, when
 * that is its here-document as is: no operand but `-` (`cat FILE`, `cat -n`
 * give other text), standard input the here-document, standard output not
 * redirected. Else `undefined`.
 */
export function catPipedText(cmd: ShellCommand, words: readonly ShellWord[], k: number, vars: ReadonlyMap<string, string>): string | undefined {
  if (!cmd.pipe) return undefined;
  for (let j = k + 1; j < words.length; j++) if (wordText(words[j]!) !== '-') return undefined;
  for (const r of cmd.redirects) {
    const out = r.op === '&>' || r.op === '&>>' || ((r.fd === undefined || r.fd === 1) && (r.op === '>' || r.op === '>>' || r.op === '>|' || r.op === '>&' || r.op === '<>'));
    if (out) return undefined;
  }
  const input = stdinRedirect(cmd.redirects);
  return input === undefined ? undefined : heredocText(input, vars);
}
