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

interface Signal {
  re: RegExp;
  weight: number;
}

// Each pattern is anchored to a line (`m` flag) with bounded, non-overlapping pieces.
const PYTHON: Signal[] = [
  { re: /^[ \t]{0,64}(?:def|class)[ \t]{1,8}[A-Za-z_][A-Za-z0-9_]{0,64}[ \t]{0,8}[(:]/m, weight: 3 },
  { re: /^[ \t]{0,64}from[ \t]{1,8}[A-Za-z_.][A-Za-z0-9_.]{0,128}[ \t]{1,8}import[ \t]/m, weight: 4 },
  { re: /^[ \t]{0,64}import[ \t]{1,8}[A-Za-z_][A-Za-z0-9_.]{0,128}(?:[ \t]{1,8}as[ \t]{1,8}[A-Za-z_]{1,64})?[ \t]{0,8}(?:,|#|$)/m, weight: 3 },
  { re: /^[ \t]{0,64}(?:elif|except|with|for)[ \t][^\n]{0,256}:[ \t]{0,8}$/m, weight: 2 },
  { re: /\bprint\(|\bself\.|\bNone\b|\bTrue\b|\bFalse\b|__name__|\bnp\.|\bplt\./, weight: 1 },
  { re: /^#!.{0,64}python/, weight: 10 },
];
const SHELL: Signal[] = [
  { re: /^#!.{0,64}\b(?:ba|z|k|da)?sh\b/, weight: 10 },
  { re: /^[ \t]{0,64}(?:\$[ \t])?(?:cd|ls|echo|mkdir|rm|cp|mv|cat|curl|wget|grep|sed|awk|chmod|chown|apt-get|apt|brew|pip3?|npm|npx|yarn|git|docker|export|source|tar|unzip|touch|conda|sudo|make|tee|head|tail|which|uv)(?:[ \t][^\n]{0,512})?$/m, weight: 2 },
  { re: /^[ \t]{0,64}(?:fi|done|esac|then|do)[ \t]{0,8}$|\$\{?[A-Za-z_][A-Za-z0-9_]{0,64}\}?|[ \t](?:&&|\|\|)[ \t]|[ \t]2>&1\b/m, weight: 1 },
  { re: /^[ \t]{0,64}(?:if|while)[ \t]{1,8}\[\[?[ \t]/m, weight: 3 },
];
const JS: Signal[] = [
  { re: /^#!.{0,64}\b(?:node|deno|bun)\b/, weight: 10 },
  { re: /^[ \t]{0,64}(?:const|let|var)[ \t]{1,8}[A-Za-z_$[{][^\n]{0,256}=/m, weight: 3 },
  { re: /^[ \t]{0,64}import[ \t][^\n]{0,512}[ \t]from[ \t]{0,8}['"]|^[ \t]{0,64}import[ \t]{0,8}['"]|\brequire\([ \t]{0,8}['"]/m, weight: 4 },
  { re: /\bfunction[ \t]{0,8}[A-Za-z_$]{0,64}[ \t]{0,8}\(|=>|\bconsole\.\w|\bmodule\.exports\b|\bexport[ \t]{1,8}(?:default|const|function|class|async)\b|===|;[ \t]{0,8}$/m, weight: 2 },
];
const TS: Signal[] = [
  { re: /^[ \t]{0,64}(?:export[ \t]{1,8})?(?:interface|type|enum)[ \t]{1,8}[A-Za-z_$][A-Za-z0-9_$]{0,64}(?:<[^\n>]{0,128}>)?[ \t]{0,8}[={]/m, weight: 4 },
  { re: /(?:const|let|var)[ \t]{1,8}[A-Za-z_$][A-Za-z0-9_$]{0,64}[ \t]{0,8}:[ \t]{0,8}[A-Za-z_$][A-Za-z0-9_$<>[\]]{0,64}[ \t]{0,8}=|\([ \t]{0,8}[A-Za-z_$][A-Za-z0-9_$]{0,64}[ \t]{0,8}:[ \t]{0,8}(?:string|number|boolean|unknown|any|[A-Z][A-Za-z0-9_$]{0,64})\b|\bas[ \t]{1,8}(?:const|string|number|unknown|any)\b|\bimport[ \t]{1,8}type\b/, weight: 3 },
];

function score(sample: string, signals: readonly Signal[]): number {
  let s = 0;
  for (const { re, weight } of signals) if (re.test(sample)) s += weight;
  return s;
}

/**
 * Guesses `'python' | 'shell' | 'javascript' | 'typescript' | 'unknown'` from
 * the first 64 KiB of `code` by weighing line-level signals (shebangs,
 * `def`/`import` lines, shell commands, `const`/`require`, type annotations).
 * Ties and weak evidence give `'unknown'`.
 */
export function sniffLanguage(code: string): string {
  return guarded(
    () => {
      const text = asText(code);
      const sample = (text.length > SNIFF_CHARS ? text.slice(0, SNIFF_CHARS) : text).replace(/\r\n?/g, '\n');
      if (sample.trim() === '') return 'unknown';
      const py = score(sample, PYTHON);
      const sh = score(sample, SHELL);
      const js = score(sample, JS);
      const ts = js > 0 ? score(sample, TS) : 0;
      const best = Math.max(py, sh, js);
      if (best < 2) return 'unknown';
      if (js === best && js > py && js > sh) return ts >= 3 ? 'typescript' : 'javascript';
      if (py === best && py > sh && py > js) return 'python';
      if (sh === best && sh > py && sh > js) return 'shell';
      return 'unknown';
    },
    () => 'unknown',
  );
}
