/**
 * Whether the word after a lower-case shell expansion's operator without a colon (`${password+salt}`,
 * `` `${maxToken-1}` ``) is rather the other operand of a template's expression (JS, Kotlin, Groovy) than a shell
 * default's value (`${api_key-Xk9abc}`, `${my_password-hunter2}`). Judged by the word alone (see redact.ts's
 * `templateExpression`): names of code, small numbers, joined by arithmetic operators. Anything shaped like a secret
 * (a digit in a name, a name switching case every letter or two, a long number) is a value.
 */

/** A name of code, maybe a member (`salt`, `this.suffix`, `opts.maxLen`): letters and `_`, no digit (`hunter2` is a password's shape). */
const NAME_RE = /^[a-z_][A-Za-z_]{0,63}(?:\.[A-Za-z_][A-Za-z_]{0,63}){0,7}$/;
/** A small number (`1`, `100`, `0.5`): arithmetic's; four digits or more are a PIN's shape (`${my_password-1234}`). */
const SMALL_NUMBER_RE = /^[0-9]{1,3}(?:\.[0-9]{1,6})?$/;
/** A call of a name with its arguments (`hash(salt, 2)`); the arguments judged each as an operand. */
const CALL_RE = /^([^()]{1,256})\(([^()]{0,256})\)$/;
/** The operators between operands (`salt+user`, `":"+salt`). */
const OPERATOR_SPLIT_RE = /\s*[-+*/%]\s*/;

/**
 * Whether a name reads as code's rather than as a random string: a camelCase name has a few humps (a lower-case letter
 * then an upper-case one) between words of three letters or more on average (`maxTokenCount`); `xKqPzLmWnRtYvBcD` and
 * `sUpErSeCrEtPaSsWoRd` switch case every letter or two.
 */
function codeShaped(name: string): boolean {
  let humps = 0;
  let letters = 0;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    const upper = c >= 65 && c <= 90;
    if (upper || (c >= 97 && c <= 122)) letters++;
    if (upper && i > 0) {
      const p = name.charCodeAt(i - 1);
      if (p >= 97 && p <= 122) humps++;
    }
  }
  return humps < 4 || letters / (humps + 1) >= 3;
}

/** One operand: a name of code (maybe called with operands), or a small number. */
function operand(word: string): boolean {
  if (SMALL_NUMBER_RE.test(word)) return true;
  if (NAME_RE.test(word)) return codeShaped(word);
  const call = CALL_RE.exec(word);
  if (call === null || !NAME_RE.test(call[1]!) || !codeShaped(call[1]!)) return false;
  const args = call[2]!.trim();
  return args === '' || args.split(',').every((a) => operand(a.trim()));
}

/**
 * Whether `word` is operands joined by arithmetic operators (`salt`, `1`, `salt+user`, `hash(salt, 2)`), maybe with
 * an operator first or last (a literal run of a word holding quotes: `+salt` of `":"+salt`). With `punctuation`, a word
 * of no letter or digit (`:` of `":"+salt`, a literal's content) is one too.
 */
export function templateOperands(word: string, punctuation = false): boolean {
  const w = word.trim();
  if (w.length > 512) return false;
  if (punctuation && !/[A-Za-z0-9]/.test(w)) return true;
  const parts = w.replace(/^[-+*/%]\s*/, '').replace(/\s*[-+*/%]$/, '').split(OPERATOR_SPLIT_RE);
  return parts.every(operand);
}
