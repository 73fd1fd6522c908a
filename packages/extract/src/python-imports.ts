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
import { classifyName, DYNAMIC_IMPORT, FROM, IMPORT } from './python-names.js';
import type { PythonTokenList } from './lexer-python.js';
import { NL, OP, STR, type TokenList } from './tokens.js';

/** Whether token `i` starts a statement (start, after a logical line end, `;` or `:`). */
export function atStatementStart(tokens: TokenList, i: number): boolean {
  if (i === 0) return true;
  const k = tokens.kinds[i - 1];
  if (k === NL) return true;
  if (k !== OP) return false;
  const c = tokens.opChar(i - 1);
  return c === 59 /* ; */ || c === 58 /* : */;
}

/** Whether `s` is an ASCII identifier (`[A-Za-z_][A-Za-z0-9_]*`). */
function isAsciiIdentifier(s: string): boolean {
  if (s.length === 0) return false;
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    const letter = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
    if (!letter && (k === 0 || c < 48 || c > 57)) return false;
  }
  return true;
}

/** Adds the top-level package of a dotted module name, unless relative or `__future__`. */
function addModule(out: OrderedSet, dotted: string): void {
  if (dotted.startsWith('.')) return;
  const dot = dotted.indexOf('.');
  const top = dot < 0 ? dotted : dotted.slice(0, dot);
  if (top === '__future__' || !isAsciiIdentifier(top)) return;
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
export function scanPythonImports(tokens: PythonTokenList, imports: OrderedSet, aliases: Map<string, string>): void {
  const { starts, ends, src, importMarks } = tokens;
  let next = 0; // first token not inside an import statement already parsed
  // The lexer marked every name that may be `import`, `from` or a dynamic import (and a few others of their length): only those are looked at.
  for (let m = 0; m < importMarks.length; m++) {
    const i = importMarks[m]!;
    if (i < next) continue;
    const cls = classifyName(src, starts[i]!, ends[i]!);
    if (cls === IMPORT && atStatementStart(tokens, i)) {
      next = parseImport(tokens, i + 1, imports, aliases);
    } else if (cls === FROM && atStatementStart(tokens, i)) {
      next = parseFrom(tokens, i + 1, imports, aliases);
    } else if (cls === DYNAMIC_IMPORT && tokens.op(i + 1, '(')) {
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
    const dot = d.name.indexOf('.');
    const top = dot < 0 ? d.name : d.name.slice(0, dot);
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
