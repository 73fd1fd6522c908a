/**
 * Review of the runtime, package-manager and directory-option reading (`shell-runtimes.test.ts`): each case was
 * run under the real tool (GNU env 9.1, pnpm 10.34, yarn 4.18, bun 1.4.4, node 24.22) with `strace -f -e
 * trace=openat,chdir`, unless a comment says where it comes from.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { extractCodeMetadata } from '../src/index.js';
import { fastestUnder } from '@agentspan/test-support';

const read = (code: string) => extractCodeMetadata(code, { language: 'shell' }).filesRead;

describe('a directory option given twice: the tool changes directory once, to the last', () => {
  it('GNU env `-C a -C b` runs in b (one chdir("b")); two envs nest', () => {
    assert.deepEqual(read('env -C a -C b cat x'), ['b/x']);
    assert.deepEqual(read('env --chdir=a -C b cat x'), ['b/x']);
    assert.deepEqual(read('env -C a env -C b cat x'), ['a/b/x']);
  });
  it('pnpm `-C a -C b exec` runs in b (nopt: the last value)', () => {
    assert.deepEqual(read('pnpm -C a -C b exec node x.js'), ['b/x.js']);
  });
  it('sudo, conda, poetry and uv keep one directory (getopt, argparse, cleo, clap: one value)', () => {
    assert.deepEqual(read('sudo -D a -D b cat x'), ['b/x']);
    assert.deepEqual(read('conda run --cwd a --cwd b python x.py'), ['b/x.py']);
    assert.deepEqual(read('poetry -C a -C b run python x.py'), ['b/x.py']);
    assert.deepEqual(read('uv --directory a run --directory b x.py'), ['b/x.py']);
  });
  it('yarn 4 refuses `--cwd` anywhere but first ("ambiguous"): nothing runs', () => {
    assert.deepEqual(read('yarn --cwd a --cwd b node x.js'), []);
    assert.deepEqual(read('yarn --cwd a node x.js'), ['a/x.js']);
  });
  it('bunx nests its `--cwd`s (bun 1.4.4 ran a/b/x.js), and an unknown one still hides relative paths', () => {
    assert.deepEqual(read('bunx --cwd a --cwd b node x.js'), ['a/b/x.js']);
    assert.deepEqual(read('pnpm -r -C a exec cat x /abs/y\npnpm -C a -r exec cat z'), ['/abs/y']);
  });
  it('thousands of directory options: one join (before: a path of 1300 segments, dropped), in bounded time', () => {
    const n = 1300; // the lexer keeps 4 096 words of a command
    const src = `env ${'-C a '.repeat(n)}cat ${'f.txt '.repeat(n)}`;
    const ms = fastestUnder(() => assert.deepEqual(read(src), ['a/f.txt']), 1500);
    assert.ok(ms < 1500, `${ms} ms`);
  });
});

describe('a directory under `~`: a path climbing above it stays under `~`', () => {
  it('`env -C ~ cat ../x` reads the parent of home\'s x (`~/../x`), not ./x', () => {
    assert.deepEqual(read('env -C ~ cat ../x'), ['~/../x']);
    assert.deepEqual(read('env -C ~/p cat ../../x ../y'), ['~/../x', '~/y']);
    assert.deepEqual(read('env -C ~ env -C sub cat ../../x'), ['~/../x']);
    // Absolute and plain relative directories as before.
    assert.deepEqual(read('env -C /a cat ../../x\nenv -C a/b cat ../../../y'), ['/x', '../y']);
  });
  it('property: under `~/D` a relative path is reported under `~` or not at all', () => {
    const seg = fc.constantFrom('a', 'b', '..', '.');
    fc.assert(
      fc.property(fc.array(seg, { maxLength: 4 }), fc.array(seg, { maxLength: 4 }), (dir, path) => {
        for (const p of read(`env -C ~/${dir.join('/')} cat ${[...path, 'f.txt'].join('/')}`)) assert.ok(p.startsWith('~/'), p);
      }),
    );
  });
});

describe('modules a runtime would load first, when it runs no program of the snippet', () => {
  it('node `--run` runs a package.json script: no `-r` module loaded (node 24.22), its env file read', () => {
    assert.deepEqual(read('node -r ./p.js --env-file .e --run build'), ['.e']);
    // `node inspect -p PID` does load it (strace: p.js opened by the inspect client).
    assert.deepEqual(read('node -r ./p.js inspect -p 1'), ['p.js']);
  });
  it('bun loads its preloads only for a file it runs (a package script, `bun run`\'s usage, its help: none)', () => {
    assert.deepEqual(read('bun -r ./p.js build\nbun --preload ./p.js run x.js\nbun -r ./p.js'), []);
    assert.deepEqual(read('bun --cwd sub -r ./p.js run x.js'), []);
    // Its env files are read all the same (strace: `.e` opened for `bun run`'s usage).
    assert.deepEqual(read('bun --env-file .e -r ./p.js run x.js'), ['.e']);
    // Code or a file: loaded.
    assert.deepEqual(read('bun -r ./p.js -e 1\nbun -r ./q.js x.ts'), ['p.js', 'q.js', 'x.ts']);
    // deno loads `--preload` before it finds its script missing (deno 2.9.6).
    assert.deepEqual(read('deno run --preload ./p.js dev'), ['p.js']);
  });
});
