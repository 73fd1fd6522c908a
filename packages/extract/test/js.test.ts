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
