/**
 * What `bun build` reads and writes, from its arguments (bun 1.4.5, `bun build --help`, each checked on a scratch
 * directory): its entry points are read (the modules they import are not followed); `--outfile F` is written, and
 * with `--outdir D` each entry's bundle, named as bun names it: the entry's path below the directory the entries
 * share, its extension `.js` (`bun build ./x.js ./src/main.ts --outdir d` writes d/x.js and d/src/main.js). Where
 * bun names them otherwise (`--root`, `--entry-naming`, an entry that is no JavaScript or TypeScript module) the
 * bundles are not reported, nor are chunks, assets and source maps. Without either, the bundle goes to standard
 * output.
 */

import type { OptionValue } from './shell-interpreters.js';
import { dirname, extensionOf } from './paths.js';

/**
 * `bun build`'s options that take the next word (or theirs after `=`); `--sourcemap`, `--metafile`, `--metafile-md`
 * and `-c`/`--config` take theirs after `=` only (`bun build --metafile ./a.ts` builds a.ts and writes meta.json).
 */
const VALUE_OPTIONS: ReadonlySet<string> = new Set(
  ('--compile-exec-argv --bytecode-order --compile-jit-policy --compile-executable-path --asset --bytecode-depth --target ' +
    '--outdir --outfile --banner --footer --format --root --min-chunk-size --public-path --external ' +
    '--allow-unresolved --packages --entry-naming --chunk-naming --asset-naming --conditions --env --windows-icon --windows-title ' +
    '--windows-publisher --windows-version --windows-description --windows-copyright --define --loader --cwd --tsconfig-override').split(' '),
);
/** Its short options: `-e` (`--external`), `-d` (`--define`), `-l` (`--loader`) take a value, `-c` (`--config`) one after `=` only, `-h` prints its help; any other letter is an `Invalid Argument`. */
const SHORT_VALUE = 'edl';
const SHORT_LETTERS = 'cdehl';
/** Entry points whose bundle is `NAME.js`. */
const SCRIPT_EXTENSIONS: ReadonlySet<string> = new Set(['js', 'jsx', 'ts', 'tsx', 'mjs', 'cjs', 'mts', 'cts']);

export interface BunBuild {
  /** Its entry points: arguments, each from character 0. */
  readonly entries: number[];
  /** `--outfile`'s value, `--outdir`'s. */
  outfile: OptionValue | undefined;
  outdir: OptionValue | undefined;
  /** Whether bun names the bundles otherwise than after their entries (`--root`, `--entry-naming`). */
  renamed: boolean;
  /** `--compile`: one executable, named after the first entry where `--outfile` names none. */
  compile: boolean;
}

/**
 * `bun build`'s arguments from `from` (the word after `build`); `undefined` when bun exits (`-t`, `-h`; `--outfile`
 * with several entries but for `--compile`, `--compile` with `--outdir`: bun 1.4.5 refuses them).
 */
export function bunBuildArguments(words: readonly string[], from: number): BunBuild | undefined {
  const out: BunBuild = { entries: [], outfile: undefined, outdir: undefined, renamed: false, compile: false };
  let optionsEnded = false;
  for (let j = from; j < words.length; j++) {
    const w = words[j]!;
    if (optionsEnded || w.length < 2 || w.charCodeAt(0) !== 45 /* - */) {
      out.entries.push(j);
      continue;
    }
    if (w === '--') {
      optionsEnded = true;
      continue;
    }
    if (w.charCodeAt(1) === 45) {
      if (w === '--help') return undefined;
      const eq = w.indexOf('=');
      const name = eq < 0 ? w : w.slice(0, eq);
      if (name === '--compile') out.compile = true;
      if (!VALUE_OPTIONS.has(name)) continue;
      const value: OptionValue | undefined = eq >= 0 ? { index: j, offset: eq + 1 } : j + 1 < words.length ? { index: j + 1, offset: 0 } : undefined;
      if (eq < 0) j++;
      if (name === '--outfile') out.outfile = value;
      else if (name === '--outdir') out.outdir = value;
      else if (name === '--root' || name === '--entry-naming') out.renamed = true;
      continue;
    }
    // Short options run together; one with a value ends the word (its value the rest, else the next word).
    for (let p = 1; p < w.length; p++) {
      const letter = w[p]!;
      if (!SHORT_LETTERS.includes(letter) || letter === 'h') return undefined;
      if (letter === 'c') {
        if (w.charCodeAt(p + 1) === 61 /* = */) break; // `-c=bunfig.toml`
        continue;
      }
      if (SHORT_VALUE.includes(letter)) {
        if (p + 1 === w.length) j++;
        break;
      }
    }
  }
  if (out.compile ? out.outdir !== undefined : out.outfile !== undefined && out.entries.length > 1) return undefined;
  return out;
}

/**
 * The bundles `--outdir` gets for `entries` (normalised paths), relative to it: each entry's path below the
 * directory they share, with `.js` for its extension; `undefined` when one is no script (`a.css`) or climbs (`../x.js`).
 */
export function outdirBundles(entries: readonly string[]): string[] | undefined {
  let common: string | undefined;
  for (const e of entries) {
    if (!SCRIPT_EXTENSIONS.has(extensionOf(e)) || e.startsWith('../') || e.startsWith('/') || e.startsWith('~')) return undefined;
    const d = dirname(e);
    common = common === undefined ? d : commonDir(common, d);
  }
  const prefix = common === undefined || common === '' ? 0 : common.length + 1;
  return entries.map((e) => e.slice(prefix, e.length - extensionOf(e).length) + 'js');
}

/** The deepest directory holding both `a` and `b` ('' for none below the current one). */
function commonDir(a: string, b: string): string {
  const x = a.split('/');
  const y = b.split('/');
  let n = 0;
  while (n < x.length && n < y.length && x[n] === y[n]) n++;
  return x.slice(0, n).join('/');
}
