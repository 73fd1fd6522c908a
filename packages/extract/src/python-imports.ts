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
import { isName, isOp, type Token } from './tokens.js';

const TOP_LEVEL_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Whether token `i` starts a statement (start, after a logical line end, `;` or `:`). */
export function atStatementStart(tokens: readonly Token[], i: number): boolean {
  const p = tokens[i - 1];
  return p === undefined || p.kind === 'nl' || isOp(p, ';') || isOp(p, ':');
}

/** Adds the top-level package of a dotted module name, unless relative or `__future__`. */
function addModule(out: OrderedSet, dotted: string): void {
  if (dotted.startsWith('.')) return;
  const top = dotted.split('.')[0] ?? '';
  if (top === '__future__' || !TOP_LEVEL_RE.test(top)) return;
  out.add(top);
}

/** Parses a dotted name starting at `i`; returns it and the index after it. */
function dotted(tokens: readonly Token[], i: number): { name: string; next: number } | undefined {
  if (!isName(tokens[i])) return undefined;
  let name = tokens[i]!.text;
  let k = i + 1;
  while (isOp(tokens[k], '.') && isName(tokens[k + 1])) {
    name += '.' + tokens[k + 1]!.text;
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
export function scanPythonImports(tokens: readonly Token[], imports: OrderedSet, aliases: Map<string, string>): void {
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind !== 'name') continue;
    if (t.text === 'import' && atStatementStart(tokens, i)) {
      i = parseImport(tokens, i + 1, imports, aliases) - 1;
    } else if (t.text === 'from' && atStatementStart(tokens, i)) {
      i = parseFrom(tokens, i + 1, imports, aliases) - 1;
    } else if ((t.text === '__import__' || t.text === 'import_module') && isOp(tokens[i + 1], '(')) {
      const arg = tokens[i + 2];
      const after = tokens[i + 3];
      if (arg?.kind === 'str' && arg.value !== undefined && (isOp(after, ')') || isOp(after, ','))) addModule(imports, arg.value.trim());
    }
  }
}

function parseImport(tokens: readonly Token[], i: number, imports: OrderedSet, aliases: Map<string, string>): number {
  let k = i;
  for (;;) {
    const d = dotted(tokens, k);
    if (d === undefined) return k;
    addModule(imports, d.name);
    k = d.next;
    const top = d.name.split('.')[0]!;
    if (isName(tokens[k], 'as') && isName(tokens[k + 1])) {
      aliases.set(tokens[k + 1]!.text, d.name);
      k += 2;
    } else {
      aliases.set(top, top);
    }
    if (!isOp(tokens[k], ',')) return k;
    k++;
  }
}

function parseFrom(tokens: readonly Token[], i: number, imports: OrderedSet, aliases: Map<string, string>): number {
  let k = i;
  let dots = 0;
  while (isOp(tokens[k], '.')) {
    dots++;
    k++;
  }
  let module = '';
  const d = dotted(tokens, k);
  if (d !== undefined && d.name !== 'import') {
    module = d.name;
    k = d.next;
  }
  if (!isName(tokens[k], 'import')) return k; // `raise X from e`, `yield from g`
  if (dots === 0 && module === '') return k;
  k++;
  if (dots === 0) addModule(imports, module);
  const paren = isOp(tokens[k], '(');
  if (paren) k++;
  for (let n = 0; n < 4096; n++) {
    if (!isName(tokens[k])) break;
    const name = tokens[k]!.text;
    k++;
    let local = name;
    if (isName(tokens[k], 'as') && isName(tokens[k + 1])) {
      local = tokens[k + 1]!.text;
      k += 2;
    }
    if (dots === 0) aliases.set(local, module + '.' + name);
    if (!isOp(tokens[k], ',')) break;
    k++;
  }
  if (paren && isOp(tokens[k], ')')) k++;
  return k;
}
