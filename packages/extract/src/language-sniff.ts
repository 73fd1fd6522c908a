/**
 * Guessing the language of a snippet when the caller does not say, and
 * normalising the names callers do give (`py`, `bash`, `ts` ...).
 */
import { asText, guarded } from './guard.js';

/** Characters of the snippet looked at when sniffing: enough for a verdict, bounded. */
const SNIFF_CHARS = 64 * 1024;

const ALIASES: Record<string, string> = {
  python: 'python', py: 'python', python3: 'python', python2: 'python', py3: 'python', ipython: 'python', ipython3: 'python', pycon: 'python', jupyter: 'python',
  shell: 'shell', sh: 'shell', bash: 'shell', zsh: 'shell', console: 'shell', 'shell-session': 'shell', shellscript: 'shell', terminal: 'shell', ksh: 'shell', dash: 'shell',
  javascript: 'javascript', js: 'javascript', node: 'javascript', nodejs: 'javascript', jsx: 'javascript', mjs: 'javascript', cjs: 'javascript', ecmascript: 'javascript',
  typescript: 'typescript', ts: 'typescript', tsx: 'typescript', mts: 'typescript', cts: 'typescript', deno: 'typescript',
};

/**
 * Normalises a language name: known aliases map to `'python' | 'shell' |
 * 'javascript' | 'typescript'`; blank or non-string input gives `undefined`
 * (the caller then sniffs); any other name is kept lowercased (at most 32
 * chars of `[a-z0-9+#._-]`), since the caller knows better than a sniffer.
 */
export function normaliseLanguage(language: unknown): string | undefined {
  if (typeof language !== 'string') return undefined;
  const l = language.trim().toLowerCase();
  if (l === '') return undefined;
  // Own keys only: `constructor` or `__proto__` must not find Object.prototype's members.
  if (Object.hasOwn(ALIASES, l)) return ALIASES[l]!;
  const kept = l.replace(/[^a-z0-9+#._-]/g, '').slice(0, 32);
  return kept === '' ? 'unknown' : kept;
}

/**
 * A language the sniffer can name, or evidence of another language (`other`: the snippet is none of
 * ours; `not-python`: it is no Python, maybe JavaScript).
 */
type Sniffed = 'python' | 'shell' | 'javascript' | 'typescript' | 'other' | 'not-python';

/**
 * One piece of evidence for a language, worth `weight` when any of its
 * alternatives matches (once, however often it matches).
 *
 * `line` alternatives hold at a line start after at most 64 spaces or tabs
 * (what `^[ \t]{0,64}` with the `m` flag said when every signal was one
 * regex tried at every position): `words` are the first words they can
 * start with, `re` the pattern from that word on. Only lines whose first
 * word is one of them are tried, so a snippet costs one pass over its line
 * starts instead of one regex scan of every position per signal (a regex
 * that cannot start with a literal is tried at each character: ~1 ns each,
 * ten such signals cost ~20 µs on 2 KB). `text` alternatives may match
 * anywhere; one with `needs` runs only on text containing one of those
 * strings (a substring search costs a tenth of a regex that fails).
 */
interface Signal {
  language: Sniffed;
  weight: number;
  line?: { words: readonly string[]; re: RegExp };
  text?: readonly TextTest[];
}

/** An alternative that may match anywhere. */
interface TextTest {
  re: RegExp;
  needs?: readonly string[];
}

const SHELL_COMMANDS = 'cd|ls|echo|mkdir|rm|cp|mv|cat|curl|wget|grep|sed|awk|chmod|chown|apt-get|apt|brew|pip3?|npm|npx|yarn|git|docker|export|source|tar|unzip|touch|conda|sudo|make|tee|head|tail|which|uv';

/**
 * The signals (exported for the tests, which check the line dispatch against
 * the whole-text regexes it replaces). Line patterns are sticky (`y`) and
 * `m` (their `$` is a line end); bounded, non-overlapping pieces throughout.
 */
export const SIGNALS: readonly Signal[] = [
  { language: 'python', weight: 3, line: { words: ['def', 'class'], re: /(?:def|class)[ \t]{1,8}[A-Za-z_][A-Za-z0-9_]{0,64}[ \t]{0,8}[(:]/my } },
  { language: 'python', weight: 4, line: { words: ['from'], re: /from[ \t]{1,8}[A-Za-z_.][A-Za-z0-9_.]{0,128}[ \t]{1,8}import[ \t]/my } },
  { language: 'python', weight: 3, line: { words: ['import'], re: /import[ \t]{1,8}[A-Za-z_][A-Za-z0-9_.]{0,128}(?:[ \t]{1,8}as[ \t]{1,8}[A-Za-z_]{1,64})?[ \t]{0,8}(?:,|#|$)/my } },
  { language: 'python', weight: 2, line: { words: ['elif', 'except', 'with', 'for'], re: /(?:elif|except|with|for)[ \t][^\n]{0,256}:[ \t]{0,8}$/my } },
  // Weaker alone (a line of prose can end so): `if …:`, `while …:`, `else:`, `try:`, `finally:`.
  {
    language: 'python',
    weight: 1,
    line: { words: ['if', 'while', 'else', 'try', 'finally'], re: /(?:(?:if|while)[ \t][^\n]{0,256}|(?:else|try|finally)[ \t]{0,8}):[ \t]{0,8}$/my },
  },
  // A notebook cell or a one-liner: a call of print at a line start (with the text signal below, enough alone;
  // R, Lua and Julia print too, and their own signals then say `other`), or the pandas and matplotlib calls
  // agents write (`df.to_csv(...)`, `plt.savefig(...)`), which no shell line and hardly any JavaScript has.
  { language: 'python', weight: 1, line: { words: ['print'], re: /print\(/my } },
  {
    language: 'python',
    weight: 2,
    text: [{ re: /\.(?:to|read)_(?:csv|excel|parquet|json|pickle|feather|sql)\(|\bplt\.(?:savefig|show|plot|figure|subplots)\(|\bsns\.[a-z]{2,32}\(/, needs: ['.to_', '.read_', 'plt.', 'sns.'] }],
  },
  { language: 'python', weight: 1, text: [{ re: /\bprint\(|\bself\.|\bNone\b|\bTrue\b|\bFalse\b|__name__|\bnp\.|\bplt\./ }] },
  { language: 'python', weight: 10, text: [{ re: /^#!.{0,64}python/ }] },
  { language: 'shell', weight: 10, text: [{ re: /^#!.{0,64}\b(?:ba|z|k|da)?sh\b/ }] },
  { language: 'shell', weight: 2, line: { words: [...SHELL_COMMANDS.replace('pip3?', 'pip|pip3').split('|'), '$'], re: new RegExp(`(?:\\$[ \\t])?(?:${SHELL_COMMANDS})(?:[ \\t][^\\n]{0,512})?$`, 'my') } },
  {
    language: 'shell',
    weight: 1,
    line: { words: ['fi', 'done', 'esac', 'then', 'do'], re: /(?:fi|done|esac|then|do)[ \t]{0,8}$/my },
    text: [{ re: /\$\{?[A-Za-z_][A-Za-z0-9_]{0,64}\}?|[ \t](?:&&|\|\|)[ \t]|[ \t]2>&1\b/, needs: ['$', '&', '|'] }],
  },
  { language: 'shell', weight: 3, line: { words: ['if', 'while'], re: /(?:if|while)[ \t]{1,8}\[\[?[ \t]/my } },
  // A line running a script or an option of python, bash or wc (not `python = sys.executable`, not prose).
  {
    language: 'shell',
    weight: 2,
    line: {
      words: ['python', 'python3', 'bash', 'wc'],
      re: /(?:python3?[ \t]{1,8}(?:-[A-Za-z]|[^\s=]{0,256}\.py\b)|bash[ \t]{1,8}(?:-[a-z]|[^\s=]{0,256}\.sh\b)|wc[ \t]{1,8}-[lwcmL])/my,
    },
  },
  // `for f in data/*.csv; do` (a loop on one line; Python's `for` ends its line with a colon).
  { language: 'shell', weight: 2, line: { words: ['for'], re: /for[ \t]{1,8}[A-Za-z_][A-Za-z0-9_]{0,64}[ \t]{1,8}in[ \t][^\n;]{0,256};[ \t]{0,8}do\b/my } },
  { language: 'javascript', weight: 10, text: [{ re: /^#!.{0,64}\b(?:node|deno|bun)\b/ }] },
  { language: 'javascript', weight: 3, line: { words: ['const', 'let', 'var'], re: /(?:const|let|var)[ \t]{1,8}[A-Za-z_$[{][^\n]{0,256}=/my } },
  {
    language: 'javascript',
    weight: 4,
    line: { words: ['import'], re: /import(?:[ \t][^\n]{0,512}[ \t]from[ \t]{0,8}['"]|[ \t]{0,8}['"])/my },
    text: [{ re: /\brequire\([ \t]{0,8}['"]/ }],
  },
  {
    language: 'javascript',
    weight: 2,
    text: [
      { re: /=>|===/, needs: ['=>', '==='] },
      { re: /;[ \t]{0,8}$/m, needs: [';'] },
      { re: /\b(?:function[ \t]{0,8}[A-Za-z_$]{0,64}[ \t]{0,8}\(|console\.\w|module\.exports\b|export[ \t]{1,8}(?:default|const|function|class|async)\b)/ },
    ],
  },
  {
    language: 'typescript',
    weight: 4,
    line: { words: ['export', 'interface', 'type', 'enum'], re: /(?:export[ \t]{1,8})?(?:interface|type|enum)[ \t]{1,8}[A-Za-z_$][A-Za-z0-9_$]{0,64}(?:<[^\n>]{0,128}>)?[ \t]{0,8}[={]/my },
  },
  // Other languages whose lines also look like Python's (`print(…)`, `x = …`): their own evidence says the
  // snippet is none of ours (R's `<-` and `library(`, an `end` line of Ruby/Lua/Julia, Lua's `local x =`,
  // Julia's `using`, Scala's `val`, Ruby's `puts`, Haskell's `name :: Type`, `println(`).
  { language: 'other', weight: 3, text: [{ re: /[A-Za-z0-9_)\]][ \t]{0,8}<-[ \t]/, needs: ['<-'] }] },
  {
    language: 'other',
    weight: 3,
    line: {
      words: ['library', 'end', 'local', 'using', 'val', 'puts'],
      re: /(?:library\(|end[ \t]{0,8}$|local[ \t]{1,8}[A-Za-z_][A-Za-z0-9_]{0,64}[ \t]{1,8}=[ \t]|using[ \t]{1,8}[A-Z][A-Za-z0-9_.]{0,64}(?:,|[ \t]{0,8}$)|val[ \t]{1,8}[A-Za-z_][A-Za-z0-9_]{0,64}[ \t]{0,8}[:=]|puts[ \t])/my,
    },
  },
  { language: 'other', weight: 2, text: [{ re: /\bprintln\(|^[a-z][A-Za-z0-9_']{0,64}[ \t]{1,8}::[ \t]/m, needs: ['println(', '::'] }] },
  // A block in braces (`if (x > 1) {`, `} else {`, `function f(x) {`): R, JavaScript, C. No Python line ends so.
  // (`} else` is a line alternative, its `}` a first word: as a text regex it cost ~4 µs per 2 KB holding a `}`.)
  {
    language: 'not-python',
    weight: 4,
    line: {
      words: ['if', 'for', 'while', 'switch', 'function', 'else', '}'],
      re: /(?:(?:(?:if|for|while|switch)[ \t]{0,8}\([^\n]{0,256}\)|function(?:[ \t]{1,8}[A-Za-z_$][A-Za-z0-9_$]{0,63})?[ \t]{0,8}\([^\n]{0,256}\)|else)[ \t]{0,8}\{[ \t]{0,8}$|\}[ \t]{0,8}else\b)/my,
    },
  },
  // A Ruby block `{ |f| … }` / `do |row|`.
  { language: 'other', weight: 3, text: [{ re: /(?:\{|\bdo)[ \t]{0,8}\|[A-Za-z_][A-Za-z0-9_, ]{0,64}\|/, needs: ['|'] }] },
  {
    language: 'typescript',
    weight: 3,
    text: [{ re: /(?:const|let|var)[ \t]{1,8}[A-Za-z_$][A-Za-z0-9_$]{0,64}[ \t]{0,8}:[ \t]{0,8}[A-Za-z_$][A-Za-z0-9_$<>[\]]{0,64}[ \t]{0,8}=|\([ \t]{0,8}[A-Za-z_$][A-Za-z0-9_$]{0,64}[ \t]{0,8}:[ \t]{0,8}(?:string|number|boolean|unknown|any|[A-Z][A-Za-z0-9_$]{0,64})\b|\bas[ \t]{1,8}(?:const|string|number|unknown|any)\b|\bimport[ \t]{1,8}type\b/ }],
  },
];

/** Signal indices by the first word their line alternatives can start with. */
const BY_FIRST_WORD = new Map<string, number[]>();
SIGNALS.forEach((signal, index) => {
  for (const word of signal.line?.words ?? []) {
    const list = BY_FIRST_WORD.get(word);
    if (list === undefined) BY_FIRST_WORD.set(word, [index]);
    else list.push(index);
  }
});
/** Longer first words are no signal's word: reading stops there. */
const MAX_WORD = Math.max(...[...BY_FIRST_WORD.keys()].map((w) => w.length));

/** Characters of a first word: every signal word is made of them, and every line pattern needs a character outside them after its word. */
function isWordChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 45;
}

/** Line terminators besides `\n` that end a line for the `m` flag (`\r` is normalised away before). */
const RARE_LINE_END = /[\u2028\u2029]/;
const ANY_LINE_END = /[\n\u2028\u2029]/g;

/** What `matchSignals` notes of the lines it walks, for `isMakefileOrYaml` (no second pass over the text). */
export interface LineFacts {
  /** Some line starts with a tab (a Makefile's recipe). */
  tabLine: boolean;
}

/**
 * Which signals match `sample` (a `\r`-free text), by index into `SIGNALS`.
 * TypeScript's text alternatives are not run without JavaScript evidence
 * (they only decide between the two), so they read `false` then. `lines`,
 * when given, is told what the walk saw of the lines (`LineFacts`).
 */
export function matchSignals(sample: string, lines?: LineFacts): boolean[] {
  const matched = SIGNALS.map(() => false);
  const n = sample.length;
  const rareEnds = RARE_LINE_END.test(sample);
  let p = 0;
  while (p <= n) {
    // Indentation: a run of spaces and tabs, of at most 64, then the first word.
    let q = p;
    while (q < n && q - p <= 64) {
      const c = sample.charCodeAt(q);
      if (c !== 32 && c !== 9) break;
      q++;
    }
    if (lines !== undefined && q > p && sample.charCodeAt(p) === 9 /* \t */) lines.tabLine = true;
    if (q - p <= 64) {
      let w = q;
      const first = sample.charCodeAt(q);
      if (first === 36 /* $ */ || first === 125 /* } */) w = q + 1; // one-character first words
      else while (w < n && w - q <= MAX_WORD && isWordChar(sample.charCodeAt(w))) w++;
      const candidates = w > q && w - q <= MAX_WORD ? BY_FIRST_WORD.get(sample.slice(q, w)) : undefined;
      if (candidates !== undefined) {
        for (const index of candidates) {
          if (matched[index]) continue;
          const re = SIGNALS[index]!.line!.re;
          re.lastIndex = q;
          if (re.test(sample)) matched[index] = true;
        }
      }
    }
    p = nextLineStart(sample, q, rareEnds);
  }
  let javascript = false;
  SIGNALS.forEach((signal, index) => {
    // TypeScript's signals only decide between JavaScript and TypeScript: not run without JavaScript evidence.
    if (signal.language === 'typescript' && !javascript) return;
    if (!matched[index] && signal.text !== undefined) {
      matched[index] = signal.text.some((t) => (t.needs === undefined || t.needs.some((needle) => sample.includes(needle))) && t.re.test(sample));
    }
    if (matched[index] && signal.language === 'javascript') javascript = true;
  });
  return matched;
}

/** Index after the line end at or after `from` (past the end when there is none). */
function nextLineStart(text: string, from: number, rareEnds: boolean): number {
  if (!rareEnds) {
    const k = text.indexOf('\n', from);
    return k < 0 ? text.length + 1 : k + 1;
  }
  ANY_LINE_END.lastIndex = from;
  const m = ANY_LINE_END.exec(text);
  return m === null ? text.length + 1 : m.index + 1;
}

/**
 * A YAML mapping's key or list item as a line (`jobs:`, `name: ci`, `- run: python x.py`, `---`, a
 * Makefile's `all:`, `.PHONY: all`); not Python's `else:`/`try:`/`finally:`/`except:` nor an annotated
 * assignment (`x: int = 5`). Bounded pieces: linear.
 */
const KEY_LINE_RE = /^(?:---[ \t]{0,8}$|(?:-[ \t]{1,8})?(?!(?:else|try|finally|except):)[A-Za-z_.][A-Za-z0-9_.-]{0,64}:(?:[ \t]{1,8}(?![A-Za-z_][A-Za-z0-9_.[\], |]{0,128}[ \t]=[^=])[^\n]{0,4096})?[ \t]{0,8}$)/;
/**
 * A Makefile rule: one target at a line's start, `:` (not `:=`), prerequisites, then a recipe line
 * starting with a tab (not Python's `else:` nor a JS `default:` label of a switch indented with tabs).
 */
const MAKE_RULE_RE = /^(?!(?:else|try|finally|except|default):)[A-Za-z0-9_.%/$(){}-]{1,128}:(?![=:])[^\n=]{0,1024}\n\t/m;

/**
 * Whether the snippet is a Makefile or a YAML file: its first line that is neither blank nor a comment
 * is a mapping's key (see KEY_LINE_RE), or some line is a Makefile rule followed by its recipe. A shell
 * script has no such first line, and a Python or JavaScript one hardly ever (a JS label: `outer:`).
 * A here-document writing a Makefile makes its script `unknown` (better than a wrong language).
 */
function isMakefileOrYaml(sample: string, tabLine: boolean): boolean {
  let p = 0;
  const n = sample.length;
  while (p < n) {
    const eol = sample.indexOf('\n', p);
    const end = eol < 0 ? n : eol;
    let q = p;
    while (q < end && (sample.charCodeAt(q) === 32 || sample.charCodeAt(q) === 9)) q++;
    if (q < end && sample.charCodeAt(q) !== 35 /* # */) {
      if (q === p && KEY_LINE_RE.test(sample.slice(p, end))) return true;
      break;
    }
    p = end + 1;
  }
  return tabLine && MAKE_RULE_RE.test(sample);
}

/**
 * The evidence against Python (brace blocks), not counting lines inside Python's triple-quoted strings:
 * a page or a script that Python writes into a file (`html = """…function init() {…"""`) is text.
 * Read again without those strings only when both are there (rare): no cost otherwise.
 */
function notPython(matched: readonly boolean[], sample: string): number {
  const s = score(matched, 'not-python');
  if (s === 0 || (!sample.includes('"""') && !sample.includes("'''"))) return s;
  return score(matchSignals(withoutTripleQuoted(sample)), 'not-python');
}

/**
 * `text` with the contents of its triple-quoted strings (`"""…"""`, `'''…'''`, in order, one closing
 * the kind that opened it; unclosed: to the end) reduced to their line breaks. Linear: each delimiter's
 * next position is searched again only once passed.
 */
function withoutTripleQuoted(text: string): string {
  let out = '';
  let p = 0;
  let nextDouble = text.indexOf('"""');
  let nextSingle = text.indexOf("'''");
  for (;;) {
    if (nextDouble >= 0 && nextDouble < p) nextDouble = text.indexOf('"""', p);
    if (nextSingle >= 0 && nextSingle < p) nextSingle = text.indexOf("'''", p);
    const open = nextDouble < 0 ? nextSingle : nextSingle < 0 ? nextDouble : Math.min(nextDouble, nextSingle);
    if (open < 0) return out + text.slice(p);
    const delim = open === nextDouble ? '"""' : "'''";
    const close = text.indexOf(delim, open + 3);
    const end = close < 0 ? text.length : close;
    out += text.slice(p, open + 3) + text.slice(open + 3, end).replace(/[^\n]+/g, '');
    if (close < 0) return out;
    out += delim;
    p = close + 3;
  }
}

function score(matched: readonly boolean[], language: Sniffed): number {
  let s = 0;
  SIGNALS.forEach((signal, index) => {
    if (matched[index] && signal.language === language) s += signal.weight;
  });
  return s;
}

/**
 * Guesses `'python' | 'shell' | 'javascript' | 'typescript' | 'unknown'` from
 * the first 64 KiB of `code` by weighing line-level signals (shebangs,
 * `def`/`import` lines, shell commands, `const`/`require`, type annotations).
 * Ties, weak evidence, as much evidence of another language (brace blocks
 * against Python) and Makefiles or YAML files give `'unknown'`: a wrong
 * language would make wrong files.
 */
export function sniffLanguage(code: string): string {
  return guarded(
    () => {
      const text = asText(code);
      const head = text.length > SNIFF_CHARS ? text.slice(0, SNIFF_CHARS) : text;
      const sample = head.includes('\r') ? head.replace(/\r\n?/g, '\n') : head; // skip the regex pass on \n-only text
      if (sample.trim() === '') return 'unknown';
      const lines: LineFacts = { tabLine: false };
      const matched = matchSignals(sample, lines);
      const py = score(matched, 'python');
      const sh = score(matched, 'shell');
      const js = score(matched, 'javascript');
      const ts = score(matched, 'typescript');
      const best = Math.max(py, sh, js);
      if (best < 2) return 'unknown';
      // R, Lua, Ruby, Julia, Scala, Haskell: as much evidence for another language is no verdict for ours.
      if (score(matched, 'other') >= best) return 'unknown';
      // A Makefile or a YAML file (CI steps, compose files) runs commands in its lines: no script of ours.
      if (isMakefileOrYaml(sample, lines.tabLine)) return 'unknown';
      if (js === best && js > py && js > sh) return ts >= 3 ? 'typescript' : 'javascript';
      if (py === best && py > sh && py > js && notPython(matched, sample) < py) return 'python';
      if (sh === best && sh > py && sh > js) return 'shell';
      return 'unknown';
    },
    () => 'unknown',
  );
}
