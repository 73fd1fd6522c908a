/**
 * JavaScript/TypeScript imports from a token stream: static `import ... from
 * 'x'`, side-effect `import 'x'`, `import type`, `export ... from 'x'`,
 * `require('x')` and dynamic `import('x')` with a literal.
 *
 * Decisions: relative and absolute specifiers (`./x`, `../x`, `/x`), URLs
 * `#subpath` imports and the project aliases `~/x` and `@/x` are local, not
 * packages, and are not reported. The
 * `node:` prefix is dropped (`node:fs/promises` → `fs`) so Node built-ins
 * are reported one way; `npm:`/`jsr:` prefixes and their version are dropped
 * too. Scoped packages keep their scope (`@scope/pkg/sub` → `@scope/pkg`).
 */
import type { OrderedSet } from './guard.js';
import { NAME, OP, STR, type TokenList } from './tokens.js';

const PACKAGE_RE = /^(?:@[A-Za-z0-9._~-]{1,214}\/)?[A-Za-z0-9._~-]{1,214}$/;

/** The package a module specifier belongs to, or `undefined` when it is local or not a package. */
export function jsPackageName(specifier: string): string | undefined {
  let s = specifier.trim();
  // `~/components/x` is a bundler's alias of the project's own source (Nuxt, Vite), as `@/x` is (no valid scope).
  if (s === '' || s.startsWith('.') || s.startsWith('/') || s.startsWith('#') || s.startsWith('\\') || s.startsWith('~')) return undefined;
  if (s.startsWith('node:')) s = s.slice(5);
  else if (s.startsWith('npm:') || s.startsWith('jsr:')) {
    s = s.slice(4);
    // Drop the version: `npm:lodash@4` → `lodash`, `jsr:@std/path@1` → `@std/path`.
    const at = s.indexOf('@', 1);
    if (at > 0) {
      const slash = s.indexOf('/', at);
      s = s.slice(0, at) + (slash > 0 ? s.slice(slash) : '');
    }
  } else if (s.includes(':') && /^[A-Za-z][A-Za-z0-9+.-]*:/.test(s)) return undefined;
  // The first path segment, or the first two for a scope (`@scope/pkg/sub` → `@scope/pkg`); cut in place, no split.
  const firstSlash = s.indexOf('/');
  const cut = firstSlash < 0 ? -1 : s.startsWith('@') ? s.indexOf('/', firstSlash + 1) : firstSlash;
  const name = cut < 0 ? s : s.slice(0, cut);
  return PACKAGE_RE.test(name) && name !== '@' ? name : undefined;
}

/** The keywords this scanner reacts to, as found by `keywordAt`. */
const NONE = 0;
const REQUIRE = 1;
const IMPORT = 2;
const EXPORT = 3;
const FROM = 4;

/**
 * Which keyword name token `i` is (`NONE` for other names), by length and
 * first letter, then one comparison: every name of the input is looked at,
 * and a comparison per keyword (`TokenList.name`, a `startsWith` each)
 * showed in profiles. A short slice compared with `===` measured faster
 * than `startsWith` or a `charCodeAt` loop. `i` must be a name token.
 */
function keywordAt(tokens: TokenList, i: number): number {
  const src = tokens.src;
  const start = tokens.starts[i]!;
  const end = tokens.ends[i]!;
  const c = src.charCodeAt(start);
  switch (end - start) {
    case 4:
      return c === 102 /* f */ && src.slice(start, end) === 'from' ? FROM : NONE;
    case 6:
      if (c === 105 /* i */) return src.slice(start, end) === 'import' ? IMPORT : NONE;
      return c === 101 /* e */ && src.slice(start, end) === 'export' ? EXPORT : NONE;
    case 7:
      return c === 114 /* r */ && src.slice(start, end) === 'require' ? REQUIRE : NONE;
    default:
      return NONE;
  }
}

/** Tokens allowed between `import`/`export` and `from` (bindings, braces, `* as x`, `type`). */
function isClauseToken(tokens: TokenList, k: number): boolean {
  const kind = tokens.kinds[k];
  if (kind === NAME) {
    const keyword = keywordAt(tokens, k);
    return keyword !== FROM && keyword !== IMPORT && keyword !== EXPORT;
  }
  if (kind !== OP) return false;
  const c = tokens.opChar(k);
  return c === 123 || c === 125 || c === 44 || c === 42; // { } , *
}

/** Upper bound on the tokens of an import clause (`import {a, b, ...} from`). */
const MAX_CLAUSE_TOKENS = 4096;

/** Scans a JS/TS token list and adds imported package names to `imports`. */
export function scanJsImports(tokens: TokenList, imports: OrderedSet): void {
  const addSpec = (k: number): void => {
    const v = tokens.kind(k) === STR ? tokens.value(k) : undefined;
    if (v !== undefined) imports.add(jsPackageName(v));
  };
  const kinds = tokens.kinds;
  const n = tokens.length;
  for (let i = 0; i < n; i++) {
    if (kinds[i] !== NAME) continue;
    const keyword = keywordAt(tokens, i);
    if (keyword === NONE || keyword === FROM) continue;
    const prevDot = tokens.op(i - 1, '.');
    if (keyword === REQUIRE) {
      if (!prevDot && tokens.op(i + 1, '(') && tokens.op(i + 3, ')')) addSpec(i + 2);
      continue;
    }
    if (prevDot) continue;
    const isImport = keyword === IMPORT;
    if (isImport && tokens.op(i + 1, '(')) {
      if (tokens.op(i + 3, ')') || tokens.op(i + 3, ',')) addSpec(i + 2);
      continue;
    }
    if (isImport && tokens.kind(i + 1) === STR) {
      addSpec(i + 1);
      continue;
    }
    if (isImport && tokens.op(i + 1, '.')) continue; // import.meta
    // Walk the clause; stop at anything that cannot be part of it, so each token is walked once.
    let k = i + 1;
    const limit = Math.min(n, i + 1 + MAX_CLAUSE_TOKENS);
    while (k < limit && isClauseToken(tokens, k)) k++;
    if (k < n && kinds[k] === NAME && keywordAt(tokens, k) === FROM) addSpec(k + 1);
    i = k - 1;
  }
}
