/**
 * The Python lexer reads the source from a reused typed array of its code
 * units: a lex nested inside another (IPython `!python -c ...`, run from the
 * outer lex's hook) must not overwrite the outer one's characters, and a
 * shorter input after a longer one must not read the longer one's tail.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { extractCodeMetadata } from '../src/index.js';
import { lexPython, releasePythonTokens, type IPythonHooks } from '../src/lexer-python.js';
import { NAME, OP, STR } from '../src/tokens.js';

/** Everything the lexer produced, as plain data, with the list released (so the next lex reuses its arrays). */
function lexed(src: string, hooks: IPythonHooks = {}): unknown {
  const t = lexPython(src, hooks);
  const n = t.length;
  const out = {
    kinds: Array.from(t.kinds.subarray(0, n)),
    starts: Array.from(t.starts.subarray(0, n)),
    ends: Array.from(t.ends.subarray(0, n)),
    flags: Array.from(t.flags.subarray(0, n)),
    match: Array.from(t.match!.subarray(0, n)),
    marks: [...t.marks],
    lambdas: [...t.lambdas],
    bracketedFors: [...t.bracketedFors],
  };
  releasePythonTokens(t);
  return out;
}

/** What `lexed` gives for unbracketed tokens of these kinds and bounds (a name first: a mark only if an assignment follows). */
function lexedAs(kinds: number[], starts: number[], ends: number[]): unknown {
  const n = kinds.length;
  return { kinds, starts, ends, flags: new Array<number>(n).fill(0), match: new Array<number>(n).fill(-1), marks: kinds[1] === OP && n > 2 ? [0] : [], lambdas: [], bracketedFors: [] };
}

/** Python whose every character matters: brackets, strings, names, numbers; `!` lines between. */
const OUTER = "data = f(1,\nimport os\n!run {}\ny = [g(2), 'a', \"b\"]\nz = x.y(3e+5)  # c\n)\n!run {}\nopen('o.txt', 'w')\n";

describe('python lexer code units', () => {
  it('a nested lex from an IPython shell line leaves the outer source intact', () => {
    const inner = "import zzz; open('inner.txt', 'w')" + '; x = 1'.repeat(200); // longer than the rest of the cell
    const code = `import numpy\n!python -c "${inner}"\nimport pandas\nopen('outer.txt', 'w')\n`;
    const m = extractCodeMetadata(code, { language: 'python' });
    assert.deepEqual(m.imports, ['zzz', 'numpy', 'pandas']);
    assert.deepEqual(m.filesWritten, ['inner.txt', 'outer.txt']);
  });

  it('a lex run from a hook, longer than the outer source, leaves the outer tokens as without it', () => {
    const reference = lexed(OUTER);
    // Different characters at every index the outer lex has yet to read (and past its end), yet short
    // enough (814 < 1024 code units, the smallest buffer) to fit one the outer lex could share. No `#`, `!`
    // or `%`: a lexer reading one where the source has a newline would stop advancing, and a hung test says
    // less than a failed one.
    const long = '"""' + "\n(((x = '".repeat(90) + '\n';
    const seen: string[] = [];
    const got = lexed(OUTER, { onShell: (s) => { seen.push(s); lexed(long); } });
    assert.deepEqual(seen, ['run {}', 'run {}']);
    assert.deepEqual(got, reference);
  });

  it('lexes nested three deep from hooks each see their own source', () => {
    const level = (d: number): string => `v${d} = (${d},\nimport m${d}\n!go\n)\n` + `w${d} = '${'x'.repeat(300 * d)}'\n`;
    const refs = [0, 1, 2, 3].map((d) => lexed(level(d)));
    const got: unknown[] = [];
    const hooks = (d: number): IPythonHooks => ({
      onShell: () => {
        if (d < 3) got[d + 1] = lexed(level(d + 1), hooks(d + 1));
      },
    });
    got[0] = lexed(level(0), hooks(0));
    assert.deepEqual(got, refs);
  });

  it('a closer matches its opener across a shell line whose nested lex is shorter than the source so far', () => {
    // `import` at column 0 resets the bracket depth, so `!` is a shell line while `(` is still open: the
    // closer's pairing reads the opener's character back, after the nested lex has run.
    const src = 'x = (\nimport os\n!python -c "import zzz"\n)\n';
    const t = lexPython(src, { onShell: (s) => void lexed(s) });
    const open = Array.from(t.starts.subarray(0, t.length)).indexOf(src.indexOf('('));
    const close = Array.from(t.starts.subarray(0, t.length)).indexOf(src.lastIndexOf(')'));
    assert.equal(t.match![open], close);
    releasePythonTokens(t);
  });

  it('a hook that throws mid-lex leaves later lexes, nested or not, correct', () => {
    const reference = lexed(OUTER);
    const boom = new Error('boom');
    assert.throws(() => lexPython(OUTER, { onShell: () => { throw boom; } }), boom);
    // Thrown from a lex nested two deep, caught by the outer hook: the outer lex carries on.
    const got = lexed(OUTER, {
      onShell: () => {
        try {
          lexPython(OUTER, { onShell: () => { throw boom; } });
        } catch {
          /* the nested lex failed; the outer one must not notice */
        }
      },
    });
    assert.deepEqual(got, reference);
    assert.deepEqual(lexed(OUTER), reference);
  });

  it('a short input after a long one ends where it ends (an unterminated string, a trailing name)', () => {
    extractCodeMetadata("x = 1\n".repeat(500) + "import os\nopen('long.txt', 'w')\n", { language: 'python' });
    assert.deepEqual(extractCodeMetadata("import a\nopen('s.txt'", { language: 'python' }), extractCodeMetadata("import a\nopen('s.txt'", { language: 'python', maxScanChars: 1e6 }));
    const m = extractCodeMetadata("import a\nf = 'unterminated", { language: 'python' });
    assert.deepEqual(m.imports, ['a']);
    assert.deepEqual(extractCodeMetadata('import b\nimpor', { language: 'python' }).imports, ['b']);
    assert.deepEqual(extractCodeMetadata("import c\nx = '''", { language: 'python' }).imports, ['c']);
  });

  it('inputs around the kept buffer size (64K code units), NULs and lone surrogates lex to the end', () => {
    for (const size of [65535, 65536, 65537, 200000]) {
      for (const tail of ['"""', "'\0\ud800", 'x\0', '.5', "rb'"]) {
        const src = ' '.repeat(size - tail.length - 1) + '\n' + tail; // a long run first, the interesting part last
        const t = lexPython(src);
        assert.equal(t.ends[t.length - 1], size, `${size} ${JSON.stringify(tail)}`);
        releasePythonTokens(t);
      }
    }
    // A short input after a long one: what lies past its end (a quote after a prefix, a digit after a dot, a
    // third quote after two) belongs to the long one and must not be read.
    for (const fill of ["'".repeat(60000), '5'.repeat(60000), '"'.repeat(3000)]) {
      releasePythonTokens(lexPython(fill));
      assert.deepEqual(lexed('rb'), lexedAs([NAME], [0], [2]), fill[0]);
      releasePythonTokens(lexPython(fill));
      assert.deepEqual(lexed('x = .'), lexedAs([NAME, OP, OP], [0, 2, 4], [1, 3, 5]), fill[0]);
      releasePythonTokens(lexPython(fill));
      assert.deepEqual(lexed('a = ""'), lexedAs([NAME, OP, STR], [0, 2, 4], [1, 3, 6]), fill[0]);
    }
    // A NUL inside the text is a character like any other, not the end of the input.
    assert.deepEqual(extractCodeMetadata("x = '\0'\n\0\nimport after_nul\nopen('after.txt', 'w')\n", { language: 'python' }).imports, ['after_nul']);
    assert.deepEqual(extractCodeMetadata("x = '\0'\n\0\nimport after_nul\nopen('after.txt', 'w')\n", { language: 'python' }).filesWritten, ['after.txt']);
  });
});
