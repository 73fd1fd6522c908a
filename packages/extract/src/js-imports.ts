/**
 * JavaScript/TypeScript imports from a token stream: static `import ... from
 * 'x'`, side-effect `import 'x'`, `import type`, `export ... from 'x'`,
 * `require('x')` and dynamic `import('x')` with a literal.
 *
 * Decisions: relative and absolute specifiers (`./x`, `../x`, `/x`), URLs
 * and `#subpath` imports are local, not packages, and are not reported. The
 * `node:` prefix is dropped (`node:fs/promises` → `fs`) so Node built-ins
 * are reported one way; `npm:`/`jsr:` prefixes and their version are dropped
 * too. Scoped packages keep their scope (`@scope/pkg/sub` → `@scope/pkg`).
 */
import type { OrderedSet } from './guard.js';
import { isName, isOp, type Token } from './tokens.js';

const PACKAGE_RE = /^(?:@[A-Za-z0-9._~-]{1,214}\/)?[A-Za-z0-9._~-]{1,214}$/;

/** The package a module specifier belongs to, or `undefined` when it is local or not a package. */
export function jsPackageName(specifier: string): string | undefined {
  let s = specifier.trim();
  if (s === '' || s.startsWith('.') || s.startsWith('/') || s.startsWith('#') || s.startsWith('\\')) return undefined;
  if (s.startsWith('node:')) s = s.slice(5);
  else if (s.startsWith('npm:') || s.startsWith('jsr:')) {
    s = s.slice(4);
    // Drop the version: `npm:lodash@4` → `lodash`, `jsr:@std/path@1` → `@std/path`.
    const at = s.indexOf('@', 1);
    if (at > 0) {
      const slash = s.indexOf('/', at);
      s = s.slice(0, at) + (slash > 0 ? s.slice(slash) : '');
    }
  } else if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(s)) return undefined;
  const segs = s.split('/');
  const name = s.startsWith('@') ? segs.slice(0, 2).join('/') : (segs[0] ?? '');
  return PACKAGE_RE.test(name) && name !== '@' ? name : undefined;
}

/** Names allowed between `import`/`export` and `from` (bindings, braces, `* as x`, `type`). */
function isClauseToken(t: Token): boolean {
  if (t.kind === 'name') return t.text !== 'from' && t.text !== 'import' && t.text !== 'export';
  return t.kind === 'op' && (t.text === '{' || t.text === '}' || t.text === ',' || t.text === '*');
}

/** Upper bound on the tokens of an import clause (`import {a, b, ...} from`). */
const MAX_CLAUSE_TOKENS = 4096;

/** Scans a JS/TS token stream and adds imported package names to `imports`. */
export function scanJsImports(tokens: readonly Token[], imports: OrderedSet): void {
  const addSpec = (t: Token | undefined): void => {
    if (t?.kind === 'str' && t.value !== undefined) imports.add(jsPackageName(t.value));
  };
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind !== 'name') continue;
    const prevDot = isOp(tokens[i - 1], '.');
    if (t.text === 'require' && !prevDot && isOp(tokens[i + 1], '(') && isOp(tokens[i + 3], ')')) {
      addSpec(tokens[i + 2]);
      continue;
    }
    if (t.text !== 'import' && t.text !== 'export') continue;
    if (prevDot) continue;
    const next = tokens[i + 1];
    if (t.text === 'import' && isOp(next, '(')) {
      if (isOp(tokens[i + 3], ')') || isOp(tokens[i + 3], ',')) addSpec(tokens[i + 2]);
      continue;
    }
    if (t.text === 'import' && next?.kind === 'str') {
      addSpec(next);
      continue;
    }
    if (t.text === 'import' && isOp(next, '.')) continue; // import.meta
    // Walk the clause; stop at anything that cannot be part of it, so each token is walked once.
    let k = i + 1;
    const limit = Math.min(tokens.length, i + 1 + MAX_CLAUSE_TOKENS);
    while (k < limit && isClauseToken(tokens[k]!)) k++;
    if (isName(tokens[k], 'from')) addSpec(tokens[k + 1]);
    i = k - 1;
  }
}
