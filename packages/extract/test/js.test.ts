import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
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
  ];
  for (const [name, code, written, read] of cases) {
    it(name, () => {
      const md = js(code, 'typescript');
      assert.deepEqual(md.filesWritten, written, 'written');
      assert.deepEqual(md.filesRead, read, 'read');
    });
  }
});
