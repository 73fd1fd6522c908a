/**
 * Shell reads left open by the review before: each expectation checked against the real tool (node 20.20,
 * bun 1.4.5, pnpm 12.26) unless a comment says where it comes from.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { extractCodeMetadata, normalisePath } from '../src/index.js';
import { isAbsolutePath, toFilePath } from '../src/paths.js';
import { fastestUnder } from '@agentspan/test-support';

const read = (code: string) => extractCodeMetadata(code, { language: 'shell' }).filesRead;

describe('bun: an option\'s value that names a subcommand is taken for it (item 1)', () => {
  it('`bun --cwd test x.js` runs `bun test` in test/, x.js dropped: every test file there, not followed', () => {
    assert.deepEqual(read('bun --cwd test x.js'), []);
    // bun drops the first operand, where the word `test` would be (review: `bun --cwd test ./p.ts` runs no p.ts;
    // `shell-left-over-review.test.ts`): a.test.ts is no filter, test/ is searched.
    assert.deepEqual(read('bun --cwd test a.test.ts'), []);
    // `run` as the value is `bun run`; a value after `=` is no subcommand.
    assert.deepEqual(read('bun --cwd run x.js\nbun --cwd=test y.js'), ['run/x.js', 'test/y.js']);
  });
});

describe('`~/..` climbs out of home (item 2)', () => {
  it('is kept as written from home, never collapsed into a relative path', () => {
    assert.equal(normalisePath('~/../x'), '~/../x');
    assert.equal(normalisePath('~/a/../../x'), '~/../x');
    assert.equal(normalisePath('~/a/../b'), '~/b');
    assert.equal(normalisePath('~bob/../x'), '~bob/../x');
    // Only a leading `~` is home (bash expands no other): `./~` is a folder named `~`.
    assert.equal(normalisePath('./~/../x'), 'x');
    assert.equal(toFilePath('~/..'), undefined);
    assert.deepEqual(read('cat ~/../x\ncat ~/a/../../y'), ['~/../x', '~/../y']);
    assert.deepEqual(read('env -C ~ cat ../z'), ['~/../z']);
  });
  it('property: a path under `~` normalises to a path under `~`, and to itself again', () => {
    const seg = fc.constantFrom('a', 'b', '..', '.', '');
    fc.assert(
      fc.property(fc.array(seg, { maxLength: 6 }), (segs) => {
        const n = normalisePath(['~', ...segs, 'f.txt'].join('/'));
        assert.ok(n !== undefined && n.startsWith('~/'), String(n));
        assert.equal(normalisePath(n), n);
      }),
    );
  });
});

describe('a Windows drive is one ASCII letter, `:` and a slash (item 3)', () => {
  it('`a:b` is a relative file name: joined to the directory the command runs in', () => {
    assert.deepEqual(read('env -C sub cat a:b.txt'), ['sub/a:b.txt']);
    assert.deepEqual(read("env -C sub cat C:/x.txt 'D:\\y.txt' ~/z.txt /w.txt"), ['C:/x.txt', 'D:/y.txt', '~/z.txt', '/w.txt']);
    assert.equal(isAbsolutePath('a:b'), false);
    assert.equal(isAbsolutePath('é:/x'), false);
    assert.equal(isAbsolutePath('C:/x'), true);
  });
});

describe('a module a runtime resolves like require(): an extensionless specifier names no one file (item 4)', () => {
  it('node `-r ./register` is register.js, .json, .node or register/index.js: not reported', () => {
    assert.deepEqual(read('node --require ./register a.js\nnode -r ../lib/setup b.js'), ['a.js', 'b.js']);
    assert.deepEqual(read('ts-node -r ./setup c.ts\nbun --preload ./setup d.ts'), ['c.ts', 'd.ts']);
    // With an extension it is the file; node's `--import` (ESM) adds none: the file is exactly as written.
    assert.deepEqual(read('node -r ./setup.cjs --import ./reg --loader ./l.mjs e.js'), ['setup.cjs', 'reg', 'l.mjs', 'e.js']);
  });
});

describe('node reads no short options run together (item 5)', () => {
  it('`-r./x.js`, `-e1`, `-C=x`: `bad option`, node exits and runs nothing', () => {
    assert.deepEqual(read('node -r./x.js a.js\nnode -r=./y.js b.js\nnode -Cx c.js\nnode -ep "1" d.js'), []);
    // `-pe` is node's one word of two letters.
    assert.deepEqual(read('node -r ./x.js -pe 1'), ['x.js']);
  });
});

describe('uv run `--with-requirements` (item 6)', () => {
  it('the requirements file is read', () => {
    assert.deepEqual(read('uv run --with-requirements reqs.txt python a.py\nuv run --with-requirements=r2.txt b.py'), ['reqs.txt', 'a.py', 'r2.txt', 'b.py']);
    assert.deepEqual(read('uv --directory sub run --with-requirements r.txt c.py'), ['sub/r.txt', 'sub/c.py']);
  });
});

describe('`node --test`: every file operand is a test file run (item 7)', () => {
  it('reads each file operand (after `--` too); directories and no operand name no file', () => {
    assert.deepEqual(read('node --test a.js b.test.mjs\nnode --test -- c.js d.js'), ['a.js', 'b.test.mjs', 'c.js', 'd.js']);
    assert.deepEqual(read('node --test\nnode --test tests/'), []);
    assert.deepEqual(read('node -r ./s.js --test --test-reporter spec e.test.js'), ['s.js', 'e.test.js']);
    // After the script, `--test` is the script's.
    assert.deepEqual(read('node f.js --test g.js'), ['f.js']);
  });
});

describe('`bun test`: the files it runs (item 8)', () => {
  it('a path (`./`, `../`, `/`) is run whatever its name; a bare word is a filter: only a test file\'s name is one', () => {
    assert.deepEqual(read('bun test a.test.ts ./plain.ts x.js tests/ b_spec_.js'), ['a.test.ts', 'plain.ts', 'b_spec_.js']);
    assert.deepEqual(read('bun test --timeout 100 ./p.ts\nbun test -t name ./q.ts\nbun test --bail c.test.ts'), ['p.ts', 'q.ts', 'c.test.ts']);
    // `-u` is `bun test`'s `--update-snapshots`, a flag (before `test` it takes a value: bun's hidden `--origin`).
    assert.deepEqual(read('bun test -u ./r.ts\nbun -u o ./s.ts'), ['r.ts', 's.ts']);
    // Its preloads are loaded (before: dropped with no program run).
    assert.deepEqual(read('bun test --preload ./setup.ts d.test.ts'), ['setup.ts', 'd.test.ts']);
    // After `--`, more test files; `bun --cwd sub test …` takes `sub` for its subcommand: `Script not found "test"`.
    assert.deepEqual(read('bun test ./e.ts -- ./f.js g.js\nbun --cwd sub test h.test.ts'), ['e.ts', 'f.js']);
    assert.deepEqual(read('bun test'), []);
  });
});

describe('pnpm runs a runtime named as its command after its options too (item 9)', () => {
  it('`pnpm --silent node a.js`, `pnpm -C sub node b.js` run as `pnpm exec` does', () => {
    assert.deepEqual(read('pnpm --silent node a.js\npnpm -C sub node b.js\npnpm --dir=sub2 tsx c.ts'), ['a.js', 'sub/b.js', 'sub2/c.ts']);
    // In each package (`-r`): directories not known here; a package script: nothing of the snippet's.
    assert.deepEqual(read('pnpm -r node a.js\npnpm --silent build'), []);
  });
});

describe('properties and hostile input', () => {
  const seg = fc.stringMatching(/^[a-z][a-z0-9_]{0,6}$/);
  it('node: a short option word of more than two characters but `-pe` and a V8 flag\'s makes node exit: nothing read', () => {
    fc.assert(
      fc.property(fc.constantFrom('r', 'e', 'p', 'C', 'i', 'c', 'x'), fc.stringMatching(/^[a-z0-9./=_-]{1,8}$/), seg, (letter, rest, script) => {
        const word = `-${letter}${rest}`;
        // (`-expose-gc`, a name V8 may have, goes to V8: `shell-left-over-review.test.ts`.)
        fc.pre(word !== '-pe' && !/^-[a-z][a-z0-9_-]{2,}(?:=|$)/.test(word));
        const cmd = `node -r ./s.js ${word} ${script}.js`;
        assert.deepEqual(read(cmd), [], cmd);
      }),
    );
  });
  it('bun test: a bare operand is read exactly when its name is a test file\'s; a path always', () => {
    const marker = fc.constantFrom('', '.test', '_test_', '.spec', '_spec_', 'test', '-spec');
    fc.assert(
      fc.property(seg, marker, fc.constantFrom('ts', 'js', 'tsx'), fc.boolean(), (name, m, ext, path) => {
        const file = `${name}${m}.${ext}`;
        const test = /^(?:\.test|_test_|\.spec|_spec_)$/.test(m);
        assert.deepEqual(read(`bun test ${path ? './' : ''}${file}`), path || test ? [file] : [], file);
      }),
    );
  });
  it('bounded time: 1 MB of `node --test` and `bun test` operands', () => {
    const fill = (unit: string) => unit.repeat(Math.ceil(1_000_000 / unit.length)).slice(0, 1_000_000);
    for (const src of ['node --test ' + fill('a.test.js '), 'bun test ' + fill('./b.ts x.js '), fill('pnpm --silent -C d node a.js\n')]) {
      read(src.slice(0, 10_000));
      const ms = fastestUnder(() => read(src), 1500);
      assert.ok(ms < 1500, `${ms.toFixed(0)} ms for 1 MB`);
    }
  });
});
