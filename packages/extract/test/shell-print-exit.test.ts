/**
 * Items left by the review of 2026-12-07 (afternoon), each checked against the real tool (node 20.20, tsx 4.23,
 * bun/bunx 1.4.5) on a scratch directory; ts-node 10 from its `arg` table (`-h`, `-v` aliases), deno's clap
 * (`-h`, `-V`/`--version`: an unknown flag exits as well).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { extractCodeMetadata } from '../src/index.js';

const read = (code: string) => extractCodeMetadata(code, { language: 'shell' }).filesRead;

describe('a runtime\'s help or version before its program: it prints and exits', () => {
  it('node: `-v`, `-h`, `--version`, `--help`, `--v8-options` run nothing, load no module', () => {
    assert.deepEqual(read('node -v a.js\nnode -h b.js\nnode --version c.js\nnode --help d.js\nnode --v8-options e.js'), []);
    assert.deepEqual(read('node -r ./r.js -v a.js\nnode --import ./i.mjs --help b.js\nnode --version=1 c.js'), []);
    // The code given before or after is not run either, nor test files.
    assert.deepEqual(read("node -e 'require(\"fs\").readFileSync(\"x.txt\")' -v\nnode --test -h a.test.js\nnode -c -v b.js"), []);
  });
  it('node reads its env files all the same, before or after the option (`node: nonexist: not found`)', () => {
    assert.deepEqual(read('node --env-file .env -v a.js\nnode -h --env-file=.env.local -r ./r.js b.js'), ['.env', '.env.local']);
  });
  it('after the script they are the script\'s arguments', () => {
    assert.deepEqual(read('node a.js -v\nnode b.js --help\nnode --test c.test.js -h'), ['a.js', 'b.js', 'c.test.js']);
  });
  it('tsx (in `watch` too), ts-node and deno as well', () => {
    assert.deepEqual(read('tsx -v a.ts\ntsx --help b.ts\ntsx -h c.ts\ntsx --version d.ts\ntsx watch -v e.ts\ntsx -r ./r.js -v f.ts'), []);
    assert.deepEqual(read('tsx --env-file .env -v a.ts'), ['.env']);
    assert.deepEqual(read('ts-node -v a.ts\nts-node --help b.ts\nts-node -r ./r.js -h c.ts\nts-node --version d.ts'), []);
    assert.deepEqual(read('deno -V a.ts\ndeno --version b.ts\ndeno -h c.ts\ndeno run --help d.ts\ndeno run -A -h e.ts\ndeno -v f.ts'), []);
    assert.deepEqual(read('tsx a.ts -v\nts-node b.ts -h\ndeno run c.ts --help'), ['a.ts', 'b.ts', 'c.ts']);
  });
  it('every runtime alike: a help or version option anywhere among the options runs nothing', () => {
    // Each runtime's own flags (deno's `-r` is `--reload`: the next word would be its script).
    const runtimes: [string, string[]][] = [
      ['node', ['--no-warnings', '-r ./p.js', '--require ./q.js', '--env-file=.env']],
      ['tsx', ['--no-warnings', '-r ./p.js', '--tsconfig t.json']],
      ['ts-node', ['-T', '-r ./p.js', '--project t.json']],
      ['deno run', ['-A', '--quiet', '--config=d.json']],
      ['bun', ['--smol', '-r ./p.js', '--preload ./q.js']],
    ];
    const option = fc.constantFrom('-v', '-h', '--version', '--help');
    const input = fc.constantFrom(...runtimes).chain(([rt, flags]) =>
      fc.tuple(fc.constant(rt), fc.array(fc.constantFrom(...flags), { maxLength: 3 }), option, fc.array(fc.constantFrom(...flags), { maxLength: 3 })),
    );
    fc.assert(
      fc.property(input, ([rt, before, o, after]) => {
        const cmd = [rt, ...before, o, ...after, './a.js'].join(' ');
        // node and tsx read their env files all the same.
        const expected = /^(?:node|tsx)$/.test(rt) && [...before, ...after].includes('--env-file=.env') ? ['.env'] : [];
        assert.deepEqual(read(cmd), expected, cmd);
      }),
    );
  });
});

describe('tsx: `watch` is its subcommand only as its first word', () => {
  it('after an option `watch` is the script\'s name (tsx fails: cannot find module watch)', () => {
    for (const cmd of ['tsx -lazy watch a.ts', 'tsx --no-warnings watch b.ts', 'tsx -- watch d.ts']) assert.deepEqual(read(cmd), ['watch'], cmd);
    assert.deepEqual(read('tsx --env-file=.env watch c.ts'), ['.env', 'watch']);
    assert.deepEqual(read('tsx watch a.ts\ntsx watch --no-warnings b.ts'), ['a.ts', 'b.ts']);
  });
});

describe('bunx: an option it does not know, its help', () => {
  it('`bunx -t x.js`: `bunx has no -t flag`: nothing runs (in `bun x` and before `x` too)', () => {
    assert.deepEqual(read('bunx -t node a.js\nbun x -i node b.js\nbun -r x node c.js\nbunx -bv node d.js\nbunx -pnode e.js'), []);
  });
  it('`-h`, `--help` print its usage', () => {
    assert.deepEqual(read('bunx -h node a.js\nbunx --help node b.js\nbun x -h node c.js\nbun --help x node d.js'), []);
  });
  it('the letters it takes (npm\'s, passed over) and its long options still run the command', () => {
    assert.deepEqual(
      read('bunx -b node a.js\nbunx -v node b.js\nbunx -y -q node c.js\nbunx -p tsx tsx d.ts\nbunx -p=tsx tsx e.ts\nbunx --bun --verbose node f.js\nbun -y x node g.js\nbunx --version node h.js'),
      ['a.js', 'b.js', 'c.js', 'd.ts', 'e.ts', 'f.js', 'g.js', 'h.js'],
    );
  });
});
