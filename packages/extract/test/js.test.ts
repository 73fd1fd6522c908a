import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { extractCodeMetadata } from '../src/index.js';
import { jsPackageName } from '../src/js-imports.js';

const js = (code: string, language = 'javascript') => extractCodeMetadata(code, { language });

describe('js/ts imports', () => {
  it('reads every import form', () => {
    const code = [
      "import a from 'pkg-a';",
      "import { b } from \"pkg-b\";",
      "import * as c from 'pkg-c';",
      "import 'side-effect';",
      "import type { T } from 'types-pkg';",
      "export * from 'reexport';",
      "export { x } from 'reexport-named';",
      "const d = require('pkg-d');",
      "const e = await import('pkg-e');",
    ].join('\n');
    assert.deepEqual(js(code, 'typescript').imports, ['pkg-a', 'pkg-b', 'pkg-c', 'side-effect', 'types-pkg', 'reexport', 'reexport-named', 'pkg-d', 'pkg-e']);
  });
  it('normalises package names', () => {
    assert.equal(jsPackageName('@scope/pkg/sub/path'), '@scope/pkg');
    assert.equal(jsPackageName('lodash/fp'), 'lodash');
    assert.equal(jsPackageName('node:fs/promises'), 'fs');
    assert.equal(jsPackageName('npm:lodash@4.17.0'), 'lodash');
    assert.equal(jsPackageName('jsr:@std/path@1.0.0/join'), '@std/path');
    for (const local of ['./x', '../y', '/abs', '#internal', 'https://esm.sh/x', '', '~/components/x', '~', '@/lib/y']) assert.equal(jsPackageName(local), undefined, local);
  });
  it('ignores comments, strings, templates and regexes', () => {
    const code = "// require('a')\n/* import b from 'b' */\nconst s = \"import c from 'c'\";\nconst t = `require('d')`;\nconst r = /import e from 'e'/;\n";
    assert.deepEqual(js(code).imports, []);
  });
  it('sees require inside template substitutions', () => {
    assert.deepEqual(js('const x = `${require("inner").v}`;').imports, ['inner']);
  });
  it('does not take dynamic specifiers', () => {
    assert.deepEqual(js('require(name); import(`./${x}`);').imports, []);
  });
});

describe('js/ts files', () => {
  const cases: [string, string, string[], string[]][] = [
    ['writeFileSync', "fs.writeFileSync('a.txt', s)", ['a.txt'], []],
    ['writeFile promise import', "import { writeFile } from 'fs/promises';\nawait writeFile('a.txt', s)", ['a.txt'], []],
    ['fs.promises.writeFile', "await fs.promises.writeFile('a.txt', s)", ['a.txt'], []],
    ['appendFileSync', "appendFileSync('log.txt', s)", ['log.txt'], []],
    ['createWriteStream', "fs.createWriteStream('o.gz')", ['o.gz'], []],
    ['readFileSync', "fs.readFileSync('in.json', 'utf8')", [], ['in.json']],
    ['createReadStream', "fs.createReadStream('in.log')", [], ['in.log']],
    ['template literal static', 'fs.writeFileSync(`a.txt`, s)', ['a.txt'], []],
    ['template dynamic', 'fs.writeFileSync(`a-${id}.txt`, s)', [], []],
    ['template known var', "const dir = 'out';\nfs.writeFileSync(`${dir}/a.txt`, s)", ['out/a.txt'], []],
    ['const variable', "const p = 'a.txt';\nfs.writeFileSync(p, s)", ['a.txt'], []],
    ['path.join __dirname', "fs.writeFileSync(path.join(__dirname, 'out', 'a.json'), s)", ['out/a.json'], []],
    ['copyFile', "fs.copyFileSync('a.txt', 'b.txt')", ['b.txt'], ['a.txt']],
    ['fs.open w', "fs.openSync('a.log', 'w')", ['a.log'], []],
    ['screenshot path', "await page.screenshot({ path: 'shot.png' })", ['shot.png'], []],
    ['method definition', "class S { writeFile(p) { return p; } }", [], []],
    ['string is not a call', "const s = \"fs.writeFileSync('x.txt', 1)\";", [], []],
    // Functions and modules under other names (js-fs-aliases.ts).
    ['import renamed', "import { writeFileSync as w } from 'node:fs';\nw('out.json', '{}')", ['out.json'], []],
    ['import renamed read', "import { readFile as rf } from 'fs/promises';\nawait rf('in.csv')", [], ['in.csv']],
    ['require destructured renamed', "const { writeFileSync: save, readFileSync } = require('fs');\nsave('o.txt', readFileSync('i.txt'))", ['o.txt'], ['i.txt']],
    ['await import destructured', "const { appendFile: log } = await import('node:fs/promises');\nawait log('run.log', s)", ['run.log'], []],
    ['require member', "const w = require('fs').writeFileSync;\nw('m.txt', s)", ['m.txt'], []],
    ['renamed promises', "import { promises as p } from 'fs';\nawait p.open('x.bin', 'w')", ['x.bin'], []],
    ['namespace import root', "import * as nodefs from 'node:fs';\nnodefs.cpSync('a.txt', 'b.txt')", ['b.txt'], ['a.txt']],
    ['fs-extra default root', "import fsx from 'fs-extra';\nawait fsx.copy('src.json', 'dst.json')", ['dst.json'], ['src.json']],
    ['require root', "const disk = require('graceful-fs');\ndisk.openSync('g.log', 'a')", ['g.log'], []],
    ['renamed from another module', "import { writeFileSync as w } from './local';\nw('x.txt', s)", [], []],
    ['renamed function called as a method', "import { writeFileSync as w } from 'fs';\ndb.w('x.txt', s)", [], []],
    ['root of another module', "import cache from 'node-cache';\ncache.copy('a.txt', 'b.txt')", [], []],
    // Loops over literal arrays.
    ['for-of literal block', "for (const f of ['a.csv', 'b.csv']) {\n  fs.writeFileSync(f, '')\n}", ['a.csv', 'b.csv'], []],
    ['for-of literal statement', "for (const f of ['a.csv', 'b.csv']) fs.writeFileSync(f, '');", ['a.csv', 'b.csv'], []],
    ['for-of template', "for (const r of ['eu', 'us']) fs.writeFileSync(`out/${r}.json`, s)", ['out/eu.json', 'out/us.json'], []],
    ['for-of same loop twice', "for (const r of ['eu', 'us']) fs.writeFileSync(`${r}/${r}.json`, s)", ['eu/eu.json', 'us/us.json'], []],
    ['for-of next line, no semicolon', "for (const f of ['a.csv'])\n  fs.writeFileSync(f, '')\nfs.writeFileSync(f, '')", ['a.csv'], []],
    ['for-of chain on the next line', "for (const f of ['a.csv'])\n  fs.promises\n    .writeFile(f, '')", ['a.csv'], []],
    ['loop variable out of scope after the block', "for (const f of ['a.csv']) { n++ }\nfs.writeFileSync(f, '')", [], []],
    ['outer value back after the loop', "let f = 'keep.txt';\nfor (const f of ['a.csv']) { n++ }\nfs.writeFileSync(f, '')", ['keep.txt'], []],
    ['for-of non-literal', "for (const f of files) fs.writeFileSync(f, '')", [], []],
    ['for-of mixed literal', "for (const f of ['a.csv', x]) fs.writeFileSync(f, '')", [], []],
    ['classic for loop', "for (let i = 0; i < 3; i++) fs.writeFileSync(`p${i}.txt`, '')", [], []],
  ];
  for (const [name, code, written, read] of cases) {
    it(name, () => {
      const md = js(code, 'typescript');
      assert.deepEqual(md.filesWritten, written, 'written');
      assert.deepEqual(md.filesRead, read, 'read');
    });
  }
});

describe('js/ts files, generated', () => {
  const fileName = fc.stringMatching(/^[a-z][a-z0-9_]{0,8}\.(csv|json|txt)$/);
  const local = fc.stringMatching(/^[a-z][A-Za-z0-9]{0,6}$/).filter((n) => !RESERVED.has(n));
  it('a for-of loop over literal names writes each of them, and nothing after the loop', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fileName, { minLength: 1, maxLength: 6 }), local, fc.boolean(), (names, v, braces) => {
        const list = names.map((n) => `'${n}'`).join(', ');
        const call = `fs.writeFileSync(${v}, s)`;
        const code = `for (const ${v} of [${list}]) ${braces ? `{ ${call} }` : call + ';'}\nfs.writeFileSync(${v}, s)`;
        assert.deepEqual(js(code).filesWritten, names);
      }),
    );
  });
  it('a renamed write function is a write under any local name', () => {
    fc.assert(
      fc.property(fc.constantFrom('writeFileSync', 'writeFile', 'appendFileSync', 'outputFile'), local, fileName, (fn, alias, file) => {
        fc.pre(alias !== fn);
        const code = `import { ${fn} as ${alias} } from 'fs-extra';\n${alias}('${file}', s)`;
        assert.deepEqual(js(code).filesWritten, [file]);
      }),
    );
  });
});

const RESERVED = new Set(['do', 'if', 'in', 'for', 'let', 'new', 'try', 'var', 'case', 'else', 'enum', 'this', 'void', 'with', 'const', 'of', 'fs', 's']);

describe('js/ts for-of loops: no file the code never writes (a review of b5e65bc)', () => {
  const cases: [string, string, string[]][] = [
    // Node writes b.csv only (the last iteration's), or nothing known: never every value.
    ['an outer variable assigned the loop variable, used after the loop', "let out = 'x.csv';\nfor (const f of ['a.csv', 'b.csv']) { out = f; }\nfs.writeFileSync(out, 'd');", []],
    ['a var built from the loop variable, used after the loop', "for (const f of ['a.csv', 'b.csv']) { var p = `out/${f}`; }\nfs.writeFileSync(p, 'd');", []],
    ['an inner loop over something else rebinds the name', "for (const f of ['a.csv', 'b.csv']) {\n  for (const f of files) fs.writeFileSync(f, 'd');\n}", []],
    ['an inner for-in rebinds the name', "for (const f of ['a.csv']) {\n  for (const f in obj) fs.writeFileSync(f, 'd');\n}", []],
    ['an inner loop destructuring the name', "for (const f of ['a.csv']) {\n  for (const [k, f] of pairs) fs.writeFileSync(f, 'd');\n}", []],
    ['a var loop variable after the loop', "var f = 'x.csv';\nfor (var f of ['a.csv', 'b.csv']) {}\nfs.writeFileSync(f, 'd');", []],
    ['a statement after a braced if on the same line is outside the loop', "const f = 'out.csv';\nfor (const f of ['a.csv', 'b.csv']) if (check(f)) { n++ } fs.writeFileSync(f, 'd');", ['out.csv']],
    ['a loop without braces ends at the block around it', "const f = 'out.csv';\nif (x) { for (const f of ['a.csv', 'b.csv']) g(f) } fs.writeFileSync(f, 'd');", ['out.csv']],
    // Still every value inside the body.
    ['if/else blocks on one line', "for (const f of ['a.csv', 'b.csv']) if (x) { g() } else { fs.writeFileSync(f, 'd') }", ['a.csv', 'b.csv']],
    ['try/catch on one line', "for (const f of ['a.csv']) try { fs.writeFileSync(f, 'd') } catch (e) { fs.writeFileSync(f + '.err', 'd') }", ['a.csv', 'a.csv.err']],
    ['a value built in the body, used in the body', "for (const f of ['a', 'b']) {\n  const p = `out/${f}.csv`;\n  fs.writeFileSync(p, 'd');\n}", ['out/a.csv', 'out/b.csv']],
  ];
  for (const [name, code, written] of cases) {
    it(name, () => assert.deepEqual(js(code).filesWritten, written));
  }

  it('property: after the loop, the loop variable and what was built from it are the outer value or unknown, whatever the layout', () => {
    const fileName = fc.stringMatching(/^[a-z][a-z0-9_]{0,8}\.(csv|json|txt)$/);
    fc.assert(
      fc.property(fc.uniqueArray(fileName, { minLength: 1, maxLength: 4 }), fc.constantFrom('const', 'let', 'var'), fc.constantFrom('block', 'if-block', 'enclosing', 'next-line'), (names, decl, layout) => {
        const list = names.map((n) => `'${n}'`).join(', ');
        const body = 'out = `${f}.bak`; fs.writeFileSync(f, s)';
        const loop = `for (${decl} f of [${list}])`;
        const code =
          "let out = 'keep.txt';\n" +
          (layout === 'block' ? `${loop} { ${body} }\n` : layout === 'if-block' ? `${loop} if (ok) { ${body} } ` : layout === 'enclosing' ? `{ ${loop} if (ok) { ${body} } } ` : `${loop}\n  { ${body} }\n`) +
          'fs.writeFileSync(out, s); fs.writeFileSync(`${out}.2`, s)';
        // Inside: every name. After: `out` is the last iteration's at run time, so unknown here.
        assert.deepEqual(js(code).filesWritten, names);
      }),
    );
  });
});

describe('js/ts scopes: parameters, block-scoped declarations, callbacks over literal arrays', () => {
  const cases: [string, string, string[], string[]][] = [
    // A parameter shadows an outer variable of its name in the function's body; the outer value is back after it.
    ['function parameter', "const p = 'a.txt';\nfunction f(p) { fs.writeFileSync(p, 'x'); }", [], []],
    ['arrow parameters', "const p = 'a.txt';\nconst f = (q, p) => fs.writeFileSync(p, 'x');", [], []],
    ['arrow parameter without parentheses', "const p = 'a.txt';\nconst f = p => fs.writeFileSync(p, 'x');", [], []],
    ['async arrow, destructured parameter, block body', "const p = 'a.txt';\nconst f = async ({ p }) => { await fs.promises.writeFile(p, 'x') };", [], []],
    ['TS parameter types and return type', "const p = 'a.txt';\nfunction f(p: string): Promise<{ ok: boolean }> {\n  fs.writeFileSync(p, 'x');\n}", [], []],
    ['TS arrow return type', "const p = 'a.txt';\nconst f = (p: string): void => fs.writeFileSync(p, 'x');", [], []],
    ['method parameter', "const p = 'a.txt';\nclass A {\n  save(p) {\n    fs.writeFileSync(p, 'x');\n  }\n}", [], []],
    ['generic function, constructor parameter properties', "const p = 'a.txt';\nfunction f<T>(p: T) { fs.writeFileSync(p, 'x'); }\nclass A {\n  constructor(private readonly p: string) { fs.readFileSync(p); }\n}", [], []],
    ['an arrow ending at its line in a loop: the loop value is back', "for (const f of ['a.txt']) {\n  const g = (f) => h(f)\n  fs.writeFileSync(f, 'x')\n}", ['a.txt'], []],
    ['catch parameter', "const e = 'err.log';\ntry { run() } catch (e) { fs.writeFileSync(e, 'x') }", [], []],
    ['a default is no assignment of the outer name', "const p = 'a.txt';\nconst f = (p = 'b.txt') => fs.readFileSync(p);\nfs.writeFileSync(p, 'y');", ['a.txt'], []],
    ['the outer value is back after the body', "const p = 'a.txt';\nfunction f(p) { g(p) }\nconst h = (p) => g(p);\nfs.writeFileSync(p, 'x')", ['a.txt'], []],
    ['a function reads outer variables it does not bind', "const out = 'a.txt';\nfunction save(d) { fs.writeFileSync(out, d) }", ['a.txt'], []],
    // `const`/`let` are the block's: after it, the outer binding holds.
    ['a block const', "let p = 'b.txt';\n{ const p = 'a.txt'; }\nfs.writeFileSync(p, 'x');", ['b.txt'], []],
    ['a const in an if block, none outside', "if (x) {\n  const p = 'a.txt';\n  use(p);\n}\nfs.writeFileSync(p, 'x');", [], []],
    ['a const in a block of a function', "function g(p) {\n  if (x) {\n    const p = 'a.txt';\n    fs.writeFileSync(p, 'y');\n  }\n  fs.writeFileSync(p, 'x');\n}", ['a.txt'], []],
    ['a TS annotated declaration has its value', "const p: string = 'typed.json';\nconst q: Record<string, number> = {};\nfs.writeFileSync(p, '{}');", ['typed.json'], []],
    ['a destructuring declaration shadows', "const p = 'a.txt';\n{\n  const { p } = opts;\n  fs.readFileSync(p);\n}", [], []],
    ['a declaration without a value shadows', "const p = 'a.txt';\nif (x) { let p; fs.readFileSync(p) }", [], []],
    // An assignment in a block that may not run (a branch, a loop, a function) is unknown after it.
    ['an assignment in an if block', "let out = 'a.csv';\nif (json) { out = 'a.json'; }\nfs.writeFileSync(out, s)", [], []],
    ['assignments in both branches', "let out = 'x';\nif (json) { out = 'a.json' } else { out = 'a.csv' }\nfs.writeFileSync(out, s)", [], []],
    ['an assignment in a function body', "let out = 'a.csv';\nfunction setup() { out = 'b.csv'; }\nsetup();\nfs.writeFileSync(out, s)", [], []],
    ['in its block, the assignment holds', "let out = 'a.csv';\nif (x) {\n  out = 'b.csv';\n  fs.writeFileSync(out, s);\n}", ['b.csv'], []],
    // Loops and callbacks over literal arrays.
    ['for await', "for await (const f of ['a.txt', 'b.txt']) { await fs.promises.writeFile(f, 'x'); }", ['a.txt', 'b.txt'], []],
    ['forEach with an arrow', "['a.txt', 'b.txt'].forEach((f) => fs.writeFileSync(f, 'x'));", ['a.txt', 'b.txt'], []],
    ['forEach with a function', "['a.txt', 'b.txt'].forEach(function (f) {\n  fs.writeFileSync(f, 'x');\n});", ['a.txt', 'b.txt'], []],
    ['map with an async arrow', "await Promise.all(['a.json', 'b.json'].map(async (f) => fs.promises.writeFile(f, '{}')));", ['a.json', 'b.json'], []],
    ['forEach, a template of the parameter', "['a', 'b'].forEach(f => fs.writeFileSync(`out/${f}.txt`, 'x'))", ['out/a.txt', 'out/b.txt'], []],
    ['after the callback, the outer value', "const f = 'keep.txt';\n['a.txt'].forEach(f => g(f));\nfs.writeFileSync(f, 'x')", ['keep.txt'], []],
    ['a callback over an array held in a name: unknown', "const f = 'keep.txt';\nfiles.forEach(f => fs.writeFileSync(f, 'x'))", [], []],
    ['the index parameter is no value', "['a.txt'].forEach((f, i) => fs.writeFileSync(i, 'x'))", [], []],
    ['what the callback assigns from its value is unknown after it', "let out = 'k.txt';\n['a.txt', 'b.txt'].forEach(f => { out = f });\nfs.writeFileSync(out, 'x')", [], []],
    // A subscript is no array literal: `cfg['outputs']` holds the array, its key is no value of it.
    ['a callback over a subscript: unknown', "const cfg = JSON.parse(s);\ncfg['outputs'].forEach((name) => fs.writeFileSync(name + '.json', '{}'));\ndata['report.csv'].map((f) => fs.readFileSync(f));", [], []],
    ['a callback over a subscript of a call, a subscript over lines', "load()['a.csv'].forEach((f) => fs.writeFileSync(f, ''));\nconst rows = get()\n['b.csv'].forEach((f) => fs.writeFileSync(f, ''));", [], []],
    // A call followed by `:` is a ternary's branch (or an object's value), not a method definition's return type.
    ['a call in a ternary is read', "const p = 'cfg.json';\nconst text = fs.existsSync(p) ? fs.readFileSync(p, 'utf8') : '{}';\nconst log = ok ? fs.appendFileSync('ok.log', s) : null\nif (ok) {\n  run(p)\n}", ['ok.log'], ['cfg.json']],
    ['a method signature or definition with a return type is no call', "const p = 'a.txt';\ninterface Store { readFile(p: string): Promise<string>; writeFile(p): void }\nclass A { writeFileSync(p: string): void { g(p) } }", [], []],
    ['an array literal after a keyword or a block is one', "function f() {\n  return ['a.txt'].map((p) => fs.writeFileSync(p, ''));\n}\nif (x) { go() }\n['b.txt'].forEach((p) => fs.writeFileSync(p, ''));", ['a.txt', 'b.txt'], []],
  ];
  for (const [name, code, written, read] of cases) {
    it(name, () => {
      const md = js(code, 'typescript');
      assert.deepEqual(md.filesWritten, written, 'written');
      assert.deepEqual(md.filesRead, read, 'read');
    });
  }
});

describe('js/ts scopes, generated', () => {
  const fileName = fc.stringMatching(/^[a-z][a-z0-9_]{0,8}\.(csv|json|txt)$/);
  // Not a name the programs below use for something else (`const g = …`, `if (ok)`): `v` = `g` redeclared `g` (flaky).
  const local = fc.stringMatching(/^[a-z][A-Za-z0-9]{0,6}$/).filter((n) => !RESERVED.has(n) && !['function', 'async', 'await', 'catch', 'while', 'switch', 'return', 'g', 'ok'].includes(n));
  it('an inner binding of the name (parameter, block const) never names the file written outside it, nor the outer one inside it', () => {
    fc.assert(
      fc.property(local, fileName, fileName, fc.constantFrom('function', 'arrow', 'bare-arrow', 'method', 'block', 'if-block'), fc.boolean(), (v, outer, inner, form, semi) => {
        fc.pre(outer !== inner);
        const end = semi ? ';' : '';
        const use = `fs.readFileSync(${v})${end}`;
        const scope =
          form === 'function' ? `function g(${v}) { ${use} }` :
          form === 'arrow' ? `const g = (${v}) => ${use}` :
          form === 'bare-arrow' ? `const g = ${v} => ${use}` :
          form === 'method' ? `class A { m(${v}) { ${use} } }` :
          form === 'block' ? `{ const ${v} = '${inner}'${end} }` :
          `if (ok) {\n  let ${v} = '${inner}'${end}\n}`;
        const code = `const ${v} = '${outer}'${end}\n${scope}\nfs.writeFileSync(${v}, s)${end}`;
        const md = js(code);
        assert.deepEqual(md.filesWritten, [outer], code);
        assert.deepEqual(md.filesRead, [], code);
      }),
    );
  });
});

describe('js/ts: a bracket closed by another kind, or a closer with none open, is the engine\'s SyntaxError', () => {
  // Node compiles the whole script before it runs any of it: a mismatched bracket writes nothing at all.
  const cases: [string, string][] = [
    ['`}` closing a call', 'fs.writeFileSync("x"}, d)'],
    ['`]` closing a call', 'fs.writeFileSync("x"], d)'],
    ['a call closed by `}`, the statement after it', 'fs.writeFileSync("x", d}\nfs.writeFileSync("y", d)'],
    ['a mismatch in a function body, a good call after it', 'function f() { fs.writeFileSync("x", d] }\nfs.writeFileSync("y", d)'],
    ['a good call before a stray closer', 'fs.writeFileSync("y", d)\nfs.readFileSync("r.txt"))'],
    ['a template\'s call closed by `}`', 'fs.writeFileSync(`a${x}b.txt`, d}\nfs.readFileSync(`c.txt`)'],
  ];
  for (const [name, code] of cases) {
    it(name, () => {
      const md = js(code);
      assert.deepEqual([md.filesWritten, md.filesRead], [[], []]);
    });
  }
  it('keeps the imports the code names, and balanced code (template substitutions, regexes with brackets) reads as before', () => {
    assert.deepEqual(js('const fs = require("fs")\nfs.writeFileSync("x"}, d)').imports, ['fs']);
    const md = js('const r = /[)}\\]]/g;\nfs.writeFileSync(`${dir ? "a" : "b"}.txt`.replace(r, ""), d)\nfs.writeFileSync(`o-${ {a: 1}.a }.txt`, d)\nfs.writeFileSync("k.txt", d)');
    assert.deepEqual(md.filesWritten, ['k.txt']);
  });
  it('a regex after a control head\'s `)` or a block\'s `}`, or a JSX closing tag after an expression, is no mismatch', () => {
    // Each is valid code that Node (or tsx/bun for the JSX) runs: read as division, the regex's `)` closed nothing.
    const balanced = [
      'if (ok) /[)]/.test(s) && n++',
      'for (const l of lines) /\\)/.test(l) && n++',
      'for await (const l of lines) /[)]/.test(l) && n++',
      'while (i--) /[)]/.test(s)',
      'function f() {}\n/[)]/.test(s)',
      'if (a) {\n  b()\n}\n/[)]/.test(s)',
      'const el = <ul>{xs.map((x) => <li>{x}</li>)}</ul>',
      'const el = (\n  <A\n    b={c}\n  />\n)',
    ];
    for (const code of balanced) assert.deepEqual(js(`${code}\nfs.writeFileSync("z.txt", s)`).filesWritten, ['z.txt'], code);
    // Division stays division where a `/` after `)` or `}` is one.
    assert.deepEqual(js('const y = (a + b) / (c - d) / 2; const o = x.if(a) / (b)\nfs.writeFileSync("z.txt", s)').filesWritten, ['z.txt']);
  });
  it('property: one closer replaced by another kind in code that wrote files leaves no file', () => {
    fc.assert(
      fc.property(fc.constantFrom('fs.writeFileSync("a.txt", s)', 'fs.readFileSync(["b.txt"][0])', 'for (const f of ["c.txt"]) { fs.writeFileSync(f, s) }'), fc.nat(), fc.constantFrom(')', ']', '}'), (code, at, closer) => {
        const closers = [...code.matchAll(/[)\]}]/g)].map((m) => m.index!);
        const k = closers[at % closers.length]!;
        if (code[k] === closer) return;
        const broken = code.slice(0, k) + closer + code.slice(k + 1);
        const md = js(`${broken}\nfs.writeFileSync("z.txt", s)`);
        assert.deepEqual([md.filesWritten, md.filesRead], [[], []], broken);
      }),
    );
  });
});
