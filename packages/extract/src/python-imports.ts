/**
 * Python imports from a token stream: `import a.b as c, d`,
 * `from x.y import (z, w)` (any line layout), `__import__('x')` and
 * `importlib.import_module('x.y')` with a literal. Because it works on
 * tokens, comments, strings and docstrings never produce imports.
 *
 * Decisions: relative imports (`from . import x`, `from .m import y`) name
 * local modules, not packages, and are not reported; `__future__` is a
 * compiler directive, not a dependency, and is not reported.
 */
import type { OrderedSet } from './guard.js';
import { NAME, NL, STR, type TokenList } from './tokens.js';

const TOP_LEVEL_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Whether token `i` starts a statement (start, after a logical line end, `;` or `:`). */
export function atStatementStart(tokens: TokenList, i: number): boolean {
  if (i === 0) return true;
  const k = tokens.kinds[i - 1];
  return k === NL || tokens.op(i - 1, ';') || tokens.op(i - 1, ':');
}

/** Adds the top-level package of a dotted module name, unless relative or `__future__`. */
function addModule(out: OrderedSet, dotted: string): void {
  if (dotted.startsWith('.')) return;
  const top = dotted.split('.')[0] ?? '';
  if (top === '__future__' || !TOP_LEVEL_RE.test(top)) return;
  out.add(top);
}

/** Parses a dotted name starting at `i`; returns it and the index after it. */
function dotted(tokens: TokenList, i: number): { name: string; next: number } | undefined {
  if (!tokens.name(i)) return undefined;
  let name = tokens.text(i);
  let k = i + 1;
  for (let n = 0; n < 64 && tokens.op(k, '.') && tokens.name(k + 1); n++) {
    name += '.' + tokens.text(k + 1);
    k += 2;
  }
  return { name, next: k };
}

/**
 * Scans `import`/`from` statements and dynamic imports. Adds top-level
 * package names to `imports` and records local aliases into `aliases`
 * (`np` → `numpy`, `fits` → `astropy.io.fits`, `Path` → `pathlib.Path`),
 * which the file detectors use to recognise calls.
 */
export function scanPythonImports(tokens: TokenList, imports: OrderedSet, aliases: Map<string, string>): void {
  for (let i = 0; i < tokens.length; i++) {
    if (tokens.kinds[i] !== NAME) continue;
    if (tokens.name(i, 'import') && atStatementStart(tokens, i)) {
      i = Math.max(i, parseImport(tokens, i + 1, imports, aliases) - 1);
    } else if (tokens.name(i, 'from') && atStatementStart(tokens, i)) {
      i = Math.max(i, parseFrom(tokens, i + 1, imports, aliases) - 1);
    } else if ((tokens.name(i, '__import__') || tokens.name(i, 'import_module')) && tokens.op(i + 1, '(')) {
      const v = tokens.kinds[i + 2] === STR ? tokens.value(i + 2) : undefined;
      if (v !== undefined && (tokens.op(i + 3, ')') || tokens.op(i + 3, ','))) addModule(imports, v.trim());
    }
  }
}

function parseImport(tokens: TokenList, i: number, imports: OrderedSet, aliases: Map<string, string>): number {
  let k = i;
  for (let n = 0; n < 4096; n++) {
    const d = dotted(tokens, k);
    if (d === undefined) return k;
    addModule(imports, d.name);
    k = d.next;
    const top = d.name.split('.')[0]!;
    if (tokens.name(k, 'as') && tokens.name(k + 1)) {
      aliases.set(tokens.text(k + 1), d.name);
      k += 2;
    } else {
      aliases.set(top, top);
    }
    if (!tokens.op(k, ',')) return k;
    k++;
  }
  return k;
}

function parseFrom(tokens: TokenList, i: number, imports: OrderedSet, aliases: Map<string, string>): number {
  let k = i;
  let dots = 0;
  while (tokens.op(k, '.') && dots < 64) {
    dots++;
    k++;
  }
  let module = '';
  const d = tokens.name(k, 'import') ? undefined : dotted(tokens, k);
  if (d !== undefined) {
    module = d.name;
    k = d.next;
  }
  if (!tokens.name(k, 'import')) return k; // `raise X from e`, `yield from g`
  if (dots === 0 && module === '') return k;
  k++;
  if (dots === 0) addModule(imports, module);
  const paren = tokens.op(k, '(');
  if (paren) k++;
  for (let n = 0; n < 4096; n++) {
    if (!tokens.name(k)) break;
    const name = tokens.text(k);
    k++;
    let local = name;
    if (tokens.name(k, 'as') && tokens.name(k + 1)) {
      local = tokens.text(k + 1);
      k += 2;
    }
    if (dots === 0) aliases.set(local, module + '.' + name);
    if (!tokens.op(k, ',')) break;
    k++;
  }
  if (paren && tokens.op(k, ')')) k++;
  return k;
}
