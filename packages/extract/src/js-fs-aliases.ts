/**
 * The names a JavaScript/TypeScript snippet gives Node's file-system modules
 * and their functions, so that the file scan (`js-files.ts`) sees
 * `import { writeFileSync as save } from 'node:fs'; save('out.json', s)` as
 * a write, and `import fsx from 'fs-extra'; fsx.copy(a, b)` as a copy.
 *
 * Recognised: `import { a as b } from M`, `import * as b from M`,
 * `import b from M` (and `import b, { … } from M`), `const { a: b } =
 * require(M)` or `= await import(M)`, `const b = require(M)` (also
 * `require(M).promises`), `const b = require(M).a`, for the modules of
 * {@link FS_MODULES}. Only
 * declarations at the places named are read: a name bound any other way
 * (a parameter, `let w = fs.writeFileSync` later reassigned) is not
 * followed, and a renamed function that is also a local name elsewhere is
 * still taken for the module's (a snippet rarely does both).
 */
import { NAME, type TokenList } from './tokens.js';

/** Module specifiers whose exports are Node's file functions (or fs-extra's superset). */
const FS_MODULES = new Set([
  'fs', 'node:fs', 'fs/promises', 'node:fs/promises', 'fs-extra', 'fs-extra/esm', 'graceful-fs',
]);

/** What a snippet calls the file-system modules and functions. */
export interface FsAliases {
  /** Local name → the module function it is (`save` → `writeFileSync`), for renamed imports only. */
  callees: Map<string, string>;
  /** Local names of a whole file-system module (`fsx`, `nodefs`), beyond the usual `fs`, `fsp`, …. */
  roots: Set<string>;
}

const NO_ALIASES: FsAliases = { callees: new Map(), roots: new Set() };

/** The aliases of `tokens` (shared empty result when the source names no file-system module). */
export function fsAliases(tokens: TokenList, match: Int32Array): FsAliases {
  // Every module of FS_MODULES contains "fs": most snippets are answered by one native search.
  if (!tokens.src.includes('fs')) return NO_ALIASES;
  let out: FsAliases | undefined;
  const n = tokens.length;
  for (let i = 0; i < n; i++) {
    if (tokens.kinds[i] !== NAME) continue;
    if (tokens.name(i, 'import') && !tokens.op(i + 1, '(') && !tokens.op(i + 1, '.')) {
      const found = importClause(tokens, match, i + 1);
      if (found !== undefined) out = merge(out, found);
    } else if (tokens.name(i, 'const') || tokens.name(i, 'let') || tokens.name(i, 'var')) {
      const found = requireDeclaration(tokens, match, i + 1);
      if (found !== undefined) out = merge(out, found);
    }
  }
  return out ?? NO_ALIASES;
}

function merge(into: FsAliases | undefined, found: FsAliases): FsAliases {
  if (into === undefined) return found;
  for (const [k, v] of found.callees) into.callees.set(k, v);
  for (const r of found.roots) into.roots.add(r);
  return into;
}

/** `import <clause> from M` starting after `import`: the names it binds when M is a file-system module. */
function importClause(tokens: TokenList, match: Int32Array, i: number): FsAliases | undefined {
  if (tokens.name(i, 'type')) i++; // `import type { … }` binds no values, but costs nothing to read.
  const found: FsAliases = { callees: new Map(), roots: new Set() };
  // Default import: `import fsx from M` / `import fsx, { … } from M`.
  if (tokens.name(i) && !tokens.name(i, 'from')) {
    found.roots.add(tokens.text(i));
    i++;
    if (tokens.op(i, ',')) i++;
  }
  if (tokens.op(i, '*') && tokens.name(i + 1, 'as') && tokens.name(i + 2)) {
    found.roots.add(tokens.text(i + 2));
    i += 3;
  } else if (tokens.op(i, '{')) {
    const close = match[i] ?? -1;
    if (close < 0) return undefined;
    readBindings(tokens, i + 1, close, 'as', found);
    i = close + 1;
  }
  if (!tokens.name(i, 'from') || !FS_MODULES.has(tokens.value(i + 1) ?? '')) return undefined;
  return found;
}

/**
 * `{ a as b, c }` (import, `sep` = 'as') or `{ a: b, c }` (destructuring, `sep` = ':') between
 * tokens `from` and `close`: renamed functions into `callees`, a renamed `promises` into `roots`.
 */
function readBindings(tokens: TokenList, from: number, close: number, sep: 'as' | ':', found: FsAliases): void {
  for (let k = from; k < close; k++) {
    if (!tokens.name(k)) continue;
    const renamed = sep === 'as' ? tokens.name(k + 1, 'as') : tokens.op(k + 1, ':');
    if (!renamed || !tokens.name(k + 2)) continue;
    const original = tokens.text(k);
    const local = tokens.text(k + 2);
    if (original === 'promises' || original === 'default') found.roots.add(local);
    else if (original !== local) found.callees.set(local, original);
    k += 2;
  }
}

/**
 * After `const`/`let`/`var`: `{ a: b } = require(M)`, `{ a: b } = await import(M)`,
 * `b = require(M)` or `b = require(M).promises` (also with `await import`).
 */
function requireDeclaration(tokens: TokenList, match: Int32Array, i: number): FsAliases | undefined {
  // The right-hand side first (most declarations are no require of a file-system module): nothing is allocated for them.
  const pattern = tokens.op(i, '{') ? (match[i] ?? -1) : tokens.name(i) ? i : -1;
  if (pattern < 0) return undefined;
  const next = pattern + 1;
  if (!tokens.op(next, '=')) return undefined;
  let k = next + 1;
  if (tokens.name(k, 'await')) k++;
  if (!(tokens.name(k, 'require') || tokens.name(k, 'import')) || !tokens.op(k + 1, '(')) return undefined;
  if (!FS_MODULES.has(tokens.value(k + 2) ?? '') || !tokens.op(k + 3, ')')) return undefined;
  const found: FsAliases = { callees: new Map(), roots: new Set() };
  if (pattern > i) readBindings(tokens, i + 1, pattern, ':', found);
  else found.roots.add(tokens.text(i));
  if (!tokens.op(k + 4, '.')) return found;
  // `require('fs').promises` is a module; `w = require('fs').writeFileSync` a renamed function.
  const member = tokens.name(k + 5) ? tokens.text(k + 5) : undefined;
  if (member === undefined || member === 'promises') return member === undefined ? undefined : found;
  if (!tokens.name(i) || found.roots.size !== 1) return undefined;
  return { callees: new Map([[tokens.text(i), member]]), roots: new Set() };
}
