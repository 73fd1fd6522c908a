/**
 * A review of the shell reads of `shell-left-over.test.ts` (2026-12-07): each expectation checked against the real
 * tool (node 20.20, bun 1.4.5, tsx 4.23, bash 5) under strace on a scratch directory, unless a comment says otherwise.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { extractCodeMetadata, normalisePath } from '../src/index.js';
import { fastestUnder } from '@agentspan/test-support';
import { V8_R_FLAGS } from '../src/shell-interpreters.js';

const read = (code: string) => extractCodeMetadata(code, { language: 'shell' }).filesRead;

describe('bun: a subcommand taken from an option\'s value leaves the first operand out', () => {
  it('`bun --cwd test ./p.ts ./x.js` runs only test/x.js: bun drops the first operand, where `test` would be', () => {
    assert.deepEqual(read('bun --cwd test ./p.ts ./x.js'), ['test/x.js']);
    assert.deepEqual(read('bun --cwd test ./p.ts'), []);
    assert.deepEqual(read('bun --cwd test a.test.ts b.test.ts'), ['test/b.test.ts']);
    // After `--` as well; an option between does not change which operand goes.
    assert.deepEqual(read('bun --cwd test -- ./p.ts ./x.js\nbun --cwd test --bail ./q.ts ./y.js'), ['test/x.js', 'test/y.js']);
    // `bun -p test ./b.js`: `-p` takes `test`, bun runs `bun test` without b.js (No tests found).
    assert.deepEqual(read('bun -p test ./b.js'), []);
    // `bun test ./a.ts` (the word itself) and `bun --cwd run x.js` keep their operands.
    assert.deepEqual(read('bun test ./a.ts\nbun --cwd run x.js'), ['a.ts', 'run/x.js']);
  });
});

describe('bun: `bun test`\'s own options are its own', () => {
  it('before the subcommand `--timeout` is a flag, `-t` no option taking a value', () => {
    // `bun --timeout ./y.ts` runs y.ts; `bun --timeout 5 ./a.js`: `Script not found "5"`.
    assert.deepEqual(read('bun --timeout ./y.ts\nbun --rerun-each ./z.ts'), ['y.ts', 'z.ts']);
    // `bun -t ./b.js ./y.ts` is an `Invalid Argument '-t'`: bun exits on a short option it does not know (b.js was
    // read before; `shell-left-over-review2.test.ts`).
    assert.deepEqual(read('bun -t ./b.js ./y.ts'), []);
    // In `bun test` they take a value, as before.
    assert.deepEqual(read('bun test --timeout 100 ./p.ts\nbun test -t name ./q.ts\nbun test -u ./r.ts'), ['p.ts', 'q.ts', 'r.ts']);
  });
});

describe('node: a single-dash word naming a V8 flag is handed to V8', () => {
  it('`node -expose-gc a.js`, `-harmony`, `-nolazy`, `-stack-size=900` run a.js', () => {
    assert.deepEqual(read('node -expose-gc a.js\nnode -harmony b.js\nnode -nolazy c.js\nnode -stack-size=900 d.js\nnode -no-opt e.js'), ['a.js', 'b.js', 'c.js', 'd.js', 'e.js']);
    // A V8 flag with a value given as the next word: `illegal value for flag`, node exits.
    assert.deepEqual(read('node -stack-size 900 a.js\nnode -max-old-space-size 100 b.js'), []);
    // node's own options take two dashes: `-require`, `-test`, `-inspect` are a `bad option`.
    assert.deepEqual(read('node -require ./x.js a.js\nnode -test b.js\nnode -env-file .env c.js'), []);
    // No flag's name: two letters, or characters no flag name has (`-r./x.js`, `-C=x`, `-e1`).
    assert.deepEqual(read('node -r./x.js a.js\nnode -C=x b.js\nnode -e1 c.js\nnode -ep 1 d.js\nnode -Expose-gc e.js'), []);
  });
  it('tsx reads the letters of a single-dash word itself (`-expose-gc` leaves `-xos-gc` to node): it exits', () => {
    assert.deepEqual(read('tsx -expose-gc a.ts\ntsx -r./x.js b.ts'), []);
  });
});

describe('node --test', () => {
  it('with `--eval`, `-e`, `-p`, `--check`: `either --test or --eval can be used`, node exits loading no module', () => {
    assert.deepEqual(read('node -e 1 --test a.js\nnode --test --eval 1 b.js\nnode -pe 1 --test c.js\nnode --test -p 1 d.js\nnode --test --check e.js'), []);
    assert.deepEqual(read('node -r ./s.js -e 1 --test f.test.js\nnode --test -c g.js'), []);
    // Env files are read first (`node --env-file .env -e 1 --test` opens .env, then exits).
    assert.deepEqual(read('node --env-file .env -e 1 --test h.js'), ['.env']);
  });
  it('the words after the first operand are all operands: an option there is a pattern naming no file', () => {
    // node 22+: `--stack-size` and `1` are patterns matching nothing; b.test.js runs (node 20: `Could not find`).
    assert.deepEqual(read('node --test a.test.js --stack-size 1 b.test.js'), ['a.test.js', 'b.test.js']);
    assert.deepEqual(read('node --test a.test.js --eval 1 b.test.js'), ['a.test.js', 'b.test.js']);
    assert.deepEqual(read('node --test a.test.js --test-reporter=x.txt b.test.js --run'), ['a.test.js', 'b.test.js']);
    // Before the first operand they are node's options.
    assert.deepEqual(read('node --test --test-reporter spec -r ./s.js c.test.js'), ['s.js', 'c.test.js']);
  });
});

describe('a tilde the shell does not expand is a directory named `~`', () => {
  it('quoted or escaped (`\'~\'/x`, `"~/x"`, `\\~/x`, `~"/x"`): ./~/x, and `..` climbs back to .', () => {
    assert.deepEqual(read("cat '~'/../x\ncat \"~/../y\"\ncat \\~/../z"), ['x', 'y', 'z']);
    assert.deepEqual(read("cat '~/a.txt'\ncat ~\"/b.txt\"\ncat '~bob/c.txt'"), ['./~/a.txt', './~/b.txt', './~bob/c.txt']);
    // Unquoted, or quoted after the first slash: home.
    assert.deepEqual(read('cat ~/d.txt\ncat ~/"e.txt"\ncat ~bob/f.txt'), ['~/d.txt', '~/e.txt', '~bob/f.txt']);
    // A variable's value is not expanded again: `D='~'` is the directory named `~`, `D=~` home.
    assert.deepEqual(read("D='~'\ncat $D/g.txt\nE=~\ncat $E/h.txt"), ['./~/g.txt', '~/h.txt']);
    assert.deepEqual(read("env -C '~' cat ../i.txt\nenv -C '~' cat j.txt"), ['i.txt', './~/j.txt']);
    assert.deepEqual(read("echo x > '~/out.txt'"), []);
    assert.deepEqual(extractCodeMetadata("echo x > '~/out.txt'", { language: 'shell' }).filesWritten, ['./~/out.txt']);
  });
  it('`~+`, `~-`, `~+1`: the shell\'s working, previous and stacked directories, as `$PWD`, not resolved', () => {
    // `env -C sub cat ~+/x` reads the shell's x, not sub/x: no relative path says so.
    assert.deepEqual(read('cat ~+/a.txt ~+/../b.txt ~-/c.txt ~- ~+1/d.txt ~2/e.txt\nenv -C sub cat ~+/f.txt'), []);
    // `~+x`, `~-x` are login names (`~nosuchuser/p` stays as written in bash): a home.
    assert.deepEqual(read('cat ~+x/g.txt ~bob/h.txt'), ['~+x/g.txt', '~bob/h.txt']);
  });
  it('normalisePath keeps the `./` that makes a leading `~` a name, not home', () => {
    assert.equal(normalisePath('./~/x'), './~/x');
    assert.equal(normalisePath('a/../~/x'), './~/x');
    assert.equal(normalisePath('./~bob/../x'), 'x');
    assert.equal(normalisePath('~/x'), '~/x');
    fc.assert(
      fc.property(fc.array(fc.constantFrom('a', '~', '~b', '..', '.', ''), { maxLength: 6 }), (segs) => {
        const n = normalisePath(['.', ...segs, 'f.txt'].join('/'));
        // A relative path never comes out as home's, and normalising is idempotent.
        assert.ok(n !== undefined && !/^~/.test(n), String(n));
        assert.equal(normalisePath(n), n);
      }),
    );
  });
});

describe('properties', () => {
  const name = fc.stringMatching(/^[a-z][a-z0-9_-]{2,12}$/);
  it('node: a single-dash word a V8 flag may be named by runs the script, but for node\'s own names', () => {
    const own = new Set(['require', 'import', 'loader', 'experimental-loader', 'eval', 'print', 'test', 'check', 'run', 'env-file', 'env-file-if-exists', 'conditions', 'title', 'input-type']);
    fc.assert(
      fc.property(name, fc.boolean(), (n, withValue) => {
        const flag = n.replace(/_/g, '-');
        fc.pre(!own.has(flag) && !/^(?:stack-size|stack-trace-limit|max-old-space-size|max-semi-space-size|min-semi-space-size|max-heap-size|initial-heap-size|initial-old-space-size|random-seed|hash-seed|expose-gc-as|logfile|interrupt-budget)$/.test(flag));
        const cmd = `node -${n}${withValue ? '=1' : ''} a.js`;
        // A word starting with `-r` is V8's only where V8 has the flag (`-rcs`), else a `bad option` (`-rfoo`: review2).
        assert.deepEqual(read(cmd), flag.startsWith('r') && !V8_R_FLAGS.has(flag) ? [] : ['a.js'], cmd);
      }),
    );
  });
  it('bun: whatever option takes the word `test` for its value, the first operand after it is dropped', () => {
    fc.assert(
      fc.property(fc.constantFrom('--cwd', '-p', '-e', '--define', '-r', '--preload', '--env-file'), fc.boolean(), (option, dashes) => {
        const cmd = `bun ${option} test ${dashes ? '-- ' : ''}./first.ts ./second.ts`;
        const got = read(cmd).filter((f) => f.endsWith('first.ts') || f.endsWith('second.ts'));
        assert.deepEqual(got.map((f) => f.replace(/^test\//, '')), ['second.ts'], cmd);
      }),
    );
  });
});

describe('bounded time', () => {
  it('1 MB of quoted tildes, `bun --cwd test` operands and single-dash node words', () => {
    const fill = (unit: string) => unit.repeat(Math.ceil(1_000_000 / unit.length)).slice(0, 1_000_000);
    for (const src of ["cat " + fill("'~'/../x ~+/y "), 'bun --cwd test ' + fill('./p.ts '), 'node ' + fill('-expose-gc -stack-size=1 ') + ' a.js', 'node --test ' + fill('a.test.js --x ')]) {
      read(src.slice(0, 10_000));
      const ms = fastestUnder(() => read(src), 1500);
      assert.ok(ms < 1500, `${ms.toFixed(0)} ms for 1 MB`);
    }
  });
});
