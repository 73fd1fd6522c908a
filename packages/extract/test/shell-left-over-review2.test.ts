/**
 * The items the review of `shell-left-over-review.test.ts` left alone (2026-12-07), each checked against the real
 * tool (node 20.20, tsx 4.23, bun 1.4.5, pnpm 12.26, bash 5) on a scratch directory unless a comment says otherwise.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { extractCodeMetadata } from '../src/index.js';
import { V8_R_FLAGS } from '../src/shell-interpreters.js';
import { fastestUnder } from '@agentspan/test-support';

const files = (code: string) => {
  const m = extractCodeMetadata(code, { language: 'shell' });
  return { read: m.filesRead, written: m.filesWritten };
};
const read = (code: string) => files(code).read;
const py = (code: string) => {
  const m = extractCodeMetadata(code, { language: 'python' });
  return { read: m.filesRead, written: m.filesWritten };
};

describe('pnpm: an option it does not know before its command', () => {
  it('`pnpm --foo node a.js` is `unexpected argument \'--foo\'`: nothing runs', () => {
    assert.deepEqual(read('pnpm --foo node a.js\npnpm -z node b.js\npnpm --foo=1 tsx c.ts\npnpm --verbose node d.js'), []);
    // Whatever the command: `pnpm -z exec echo` fails as `pnpm --tag next exec echo` does (its changelog).
    assert.deepEqual(read('pnpm --foo exec node a.js\npnpm -q dlx tsx b.ts\npnpm --save-exact exec node c.js'), []);
    // Its help and version print and exit.
    assert.deepEqual(read('pnpm -h node a.js\npnpm --version node b.js'), []);
  });
  it('its own options and settings still run the command', () => {
    assert.deepEqual(
      read(
        'pnpm --silent node a.js\npnpm -s --ignore-scripts node b.js\npnpm --no-frozen-lockfile --offline node c.js\n' +
          'pnpm --config.x=1 node d.js\npnpm --package-import-method copy node e.js\npnpm --color=always --stream node f.js\n' +
          'pnpm --reporter silent --loglevel error exec node g.js\npnpm --shamefully-hoist --unsafe-perm node h.js',
      ),
      ['a.js', 'b.js', 'c.js', 'd.js', 'e.js', 'f.js', 'g.js', 'h.js'],
    );
    // Short options run together (clap): `-ys` runs, `-Csub` is `-C sub`; `-sz`, `-yh` do not.
    assert.deepEqual(read('pnpm -ys node a.js\npnpm -Csub node b.js\npnpm -sC sub2 node c.js\npnpm -sz node d.js\npnpm -yh node e.js'), ['a.js', 'sub/b.js', 'sub2/c.js']);
    // `--prefix` is pnpm's spelling of `--dir` (npm's): the command runs there.
    assert.deepEqual(read('pnpm --prefix sub node a.js\npnpm --prefix=sub2 exec node b.js'), ['sub/a.js', 'sub2/b.js']);
  });
});

describe('bun: a short option it does not know', () => {
  it('`bun -t ./b.js` is an `Invalid Argument \'-t\'`: nothing runs, nothing is loaded', () => {
    assert.deepEqual(read('bun -t ./b.js\nbun -bt ./c.js\nbun -m x.ts\nbun -r ./p.js -z ./d.js\nbun run -t ./e.js'), []);
    // `-v` and `-h` print bun's version or help, in a cluster too.
    assert.deepEqual(read('bun -v ./a.js\nbun -bh ./b.js\nbun --version ./c.js'), []);
    // Letters it knows: `-b` (`--bun`), `-i` (auto-install) are flags.
    assert.deepEqual(read('bun -b ./a.js\nbun -bi ./b.js\nbun -r ./p.js ./c.js'), ['a.js', 'b.js', 'p.js', 'c.js']);
  });
  it('in `bun test` its own letters (`-t NAME`), and no `-b`', () => {
    assert.deepEqual(read('bun test -t name ./a.test.ts\nbun test -b ./b.test.ts'), ['a.test.ts']);
  });
});

describe('tsx: a single-dash V8 word', () => {
  it('`tsx -nolazy a.ts` runs a.ts: no letter of tsx\'s own in it, node hands it to V8', () => {
    assert.deepEqual(read('tsx -nolazy a.ts\ntsx -lazy b.ts\ntsx -rcs c.ts'), ['a.ts', 'b.ts', 'c.ts']);
  });
  it('a word with a letter tsx reads (`e`, `p`, `h`, `v`) is mangled or prints its help: nothing', () => {
    // `tsx -expose-gc` hands node `-xos-gc`, `-jitless` `-jitlss`; `-harmony` prints tsx's help, `-allow-natives-syntax` its version.
    assert.deepEqual(read('tsx -expose-gc a.ts\ntsx -harmony b.ts\ntsx -stack-size=900 c.ts\ntsx -jitless d.ts\ntsx -allow-natives-syntax e.ts'), []);
  });
});

describe('node: `-rfoo` is no `-r foo`', () => {
  it('`node -rfoo a.js` is a `bad option`: node runs nothing (tsx hands it to node, which exits)', () => {
    assert.deepEqual(read('node -rfoo a.js\nnode -rdotenv b.js\ntsx -rfoo c.ts\nnode -ra d.js'), []);
    // A V8 flag whose name starts with `r` is one: `-rcs`, `-random-seed=1`, `-rehash-snapshot` run the script.
    assert.deepEqual(read('node -rcs a.js\nnode -random-seed=1 b.js\nnode -rehash-snapshot c.js\nnode -r foo d.js'), ['a.js', 'b.js', 'c.js', 'd.js']);
  });
  it('the V8 flags starting with `r` are the running node\'s', () => {
    const names = execFileSync(process.execPath, ['--v8-options'], { encoding: 'utf8' })
      .split('\n')
      .map((l) => /^\s+--(r[a-z0-9_-]*)/.exec(l)?.[1])
      .filter((n): n is string => n !== undefined);
    assert.ok(names.length > 5);
    for (const n of names) assert.ok(V8_R_FLAGS.has(n), n);
  });
});

describe('dd: a tilde after `if=`/`of=`', () => {
  it('bash expands an unquoted one (an assignment-like word), not a quoted or escaped one: a directory named `~`', () => {
    assert.deepEqual(files("dd if='~/x' of=\"~/y\"\ndd if=~/a of=~/b\ndd 'if=~/c' if=\\~/d"), {
      read: ['./~/x', '~/a', './~/c', './~/d'],
      written: ['./~/y', '~/b'],
    });
  });
});

describe('Python: a `~` it does not expand', () => {
  it('`open(\'~/x\')` opens x in a directory named `~`, as a quoted `\'~/x\'` in shell', () => {
    // (pandas expands it itself, `stringify_path`: home's d.csv; the review below.)
    assert.deepEqual(py("open('~/x.txt')\nopen('~/y.csv', 'w')\nimport pandas as pd\npd.read_csv('~/d.csv')"), {
      read: ['./~/x.txt', '~/d.csv'],
      written: ['./~/y.csv'],
    });
    assert.deepEqual(py("from pathlib import Path\nPath('~/a.txt').read_text()\nPath('~') .joinpath('b.txt').read_text()").read, ['./~/a.txt', './~/b.txt']);
  });
  it('home where Python expands it: `os.path.expanduser`, `.expanduser()`, `Path.home()`', () => {
    assert.deepEqual(
      py(
        "import os\nfrom pathlib import Path\nopen(os.path.expanduser('~/a.txt'))\nPath('~/b.txt').expanduser().read_text()\n" +
          "(Path.home() / 'c.txt').read_text()\nopen(os.path.join(os.path.expanduser('~'), 'd.txt'))",
      ).read,
      ['~/a.txt', '~/b.txt', '~/c.txt', '~/d.txt'],
    );
  });
});

describe('bun build', () => {
  it('reads its entry points and writes `--outfile`, or each entry\'s bundle under `--outdir`', () => {
    assert.deepEqual(files('bun build ./src/main.ts'), { read: ['src/main.ts'], written: [] });
    assert.deepEqual(files('bun build ./src/main.ts --outfile out.js'), { read: ['src/main.ts'], written: ['out.js'] });
    assert.deepEqual(files('bun build --outdir=dist src/main.tsx --target node'), { read: ['src/main.tsx'], written: ['dist/main.js'] });
    // Several entries keep their paths below the directory they share (bun: dist/x.js, dist/src/main.js).
    assert.deepEqual(files('bun build ./x.js ./src/main.ts --outdir dist'), { read: ['x.js', 'src/main.ts'], written: ['dist/x.js', 'dist/src/main.js'] });
    assert.deepEqual(files('bun build src/a/m.ts src/b/n.ts --outdir d'), { read: ['src/a/m.ts', 'src/b/n.ts'], written: ['d/a/m.js', 'd/b/n.js'] });
    assert.deepEqual(files('bun build src/main.ts --compile --outfile app -e foo --minify'), { read: ['src/main.ts'], written: ['app'] });
  });
  it('not named here: `--root`/`--entry-naming` outputs, a non-JS entry\'s; in bun\'s `--cwd`', () => {
    assert.deepEqual(files('bun build src/main.ts --outdir d --root .\nbun build ./a.css --outdir e'), { read: ['src/main.ts', 'a.css'], written: [] });
    // `bun --cwd build ./y.js --outfile p.js`: the value `build` is the subcommand (bun 1.4.5: build/p.js written);
    // `bun --cwd web build …` takes `web` for it, then `build` for a script's name: `Script not found "build"`.
    assert.deepEqual(files('bun --cwd web build ./x.js --outfile o.js\nbun --cwd build ./y.js --outfile p.js'), { read: ['build/y.js'], written: ['build/p.js'] });
    assert.deepEqual(files('bun build ./x.js --outdir ~/d\nbun build --outfile=~/o.js ./y.js'), { read: ['x.js', 'y.js'], written: ['~/d/x.js', './~/o.js'] });
    // `bun build -t x.ts`: an `Invalid Argument`.
    assert.deepEqual(files('bun build -t src/main.ts --outfile o.js'), { read: [], written: [] });
  });
});

describe('bun runs a package\'s binary', () => {
  it('`bun tsx a.ts`, `bun run tsx a.ts`, `bun --cwd sub tsx a.ts` run tsx on a.ts (in sub)', () => {
    assert.deepEqual(read('bun tsx a.ts\nbun run ts-node b.ts\nbun --cwd sub tsx c.ts\nbun --cwd=sub2 tsx d.ts'), ['a.ts', 'b.ts', 'sub/c.ts', 'sub2/d.ts']);
    // `bun --cwd sub run tsx a.ts`: `sub` is taken for the subcommand, `run` for a script's name: usage.
    assert.deepEqual(read('bun --cwd sub run tsx a.ts\nbun node a.js'), []);
  });
  it('`bun --cwd x tsx a.ts` is `bun x` in x, which drops its first operand: the package `a.ts` (registry)', () => {
    assert.deepEqual(read('bun --cwd x tsx a.ts'), []);
    assert.deepEqual(read('bun --cwd x foo tsx a.ts\nbun --cwd x -- tsx tsx b.ts'), ['x/a.ts', 'x/b.ts']);
  });
});

describe('properties', () => {
  it('an option word pnpm or bun does not know before the command runs nothing', () => {
    fc.assert(
      fc.property(fc.constantFrom('--foo', '-z', '--bogus-flag=1', '-Q'), fc.constantFrom('node a.js', 'tsx a.ts', 'exec node a.js'), (opt, cmd) => {
        assert.deepEqual(read(`pnpm ${opt} ${cmd}`), []);
      }),
    );
    fc.assert(
      fc.property(fc.constantFrom('t', 'm', 'x', 'q', 'z', 'A'), fc.constantFrom('', 'b', 'bi'), (bad, flags) => {
        assert.deepEqual(read(`bun -${flags}${bad} ./a.js`), []);
        assert.deepEqual(read(`bun -${bad}${flags} ./a.js`), []);
      }),
    );
  });
  it('a `~` in a Python string literal is never home unless expanded', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z]{1,6}\.(txt|csv)$/), (name) => {
        assert.deepEqual(py(`open('~/${name}')`).read, [`./~/${name}`]);
        assert.deepEqual(py(`import os\nopen(os.path.expanduser('~/${name}'))`).read, [`~/${name}`]);
      }),
    );
  });
});

describe('bounded time', () => {
  it('1 MB of options before pnpm\'s and bun\'s command, of bun build entries, of tsx V8 words', () => {
    const fill = (unit: string) => unit.repeat(Math.ceil(1_000_000 / unit.length)).slice(0, 1_000_000);
    for (const src of ['pnpm ' + fill('--silent -s ') + ' node a.js', 'bun ' + fill('-b ') + ' ./a.js', 'bun build ' + fill('src/a.ts ') + ' --outdir d', 'tsx ' + fill('-nolazy ') + ' a.ts']) {
      read(src.slice(0, 10_000));
      const ms = fastestUnder(() => read(src), 1500);
      assert.ok(ms < 1500, `${ms.toFixed(0)} ms for 1 MB`);
    }
  });
});

/**
 * The review of this file's change (shellreview, 2026-12-07), each checked against the real tool (pnpm 12.26,
 * bun 1.4.5, bash 5) on a scratch directory; pandas and polars from their source (`stringify_path` →
 * `_expand_user`, `normalize_filepath`).
 */
describe('review: pnpm options it takes that were read as unknown', () => {
  it('settings pnpm takes before its command run it (`--bail`, `--report-summary`, `--resume-from x`, …)', () => {
    assert.deepEqual(
      read(
        'pnpm --bail exec node a.js\npnpm --no-bail exec node b.js\npnpm --report-summary exec node c.js\npnpm --resume-from web exec node d.js\n' +
          'pnpm --reporter-hide-prefix node e.js\npnpm --engine-strict --ignore-pnpmfile --strict-ssl node f.js\npnpm --userconfig .npmrc node g.js\n' +
          'pnpm --minimum-release-age=10 node h.js\npnpm --virtual-store-only --side-effects-cache-readonly --save-workspace-protocol --lockfile-include-tarball-url node i.js\n' +
          'pnpm --local-address 127.0.0.1 node j.js\npnpm --merge-git-branch-lockfiles-branch-pattern x node k.js\npnpm --no-engine-strict --no-strict-ssl node l.js',
      ),
      ['a.js', 'b.js', 'c.js', 'd.js', 'e.js', 'f.js', 'g.js', 'h.js', 'i.js', 'j.js', 'k.js', 'l.js'],
    );
  });
  it('`-C=sub` is `-C sub` (clap drops the `=`), in a cluster too', () => {
    assert.deepEqual(read('pnpm -C=sub node a.js\npnpm -sC=sub2 node b.js'), ['sub/a.js', 'sub2/b.js']);
  });
});

describe('review: Python libraries that expand `~` themselves', () => {
  it('pandas and polars readers and writers read and write home\'s file', () => {
    assert.deepEqual(
      py("import pandas as pd\nimport polars as pl\ndf = pd.read_csv('~/d.csv')\npl.read_parquet('~/l.parquet')\ndf.to_csv('~/o.csv')\ndf.to_parquet(path='~/p.parquet')"),
      { read: ['~/d.csv', '~/l.parquet'], written: ['~/o.csv', '~/p.parquet'] },
    );
    // Those that do not keep a directory named `~` (numpy's save, open, shutil).
    assert.deepEqual(py("import numpy as np\nimport shutil\nnp.save('~/m.npy', x)\nshutil.copy('~/r.txt', 'b.txt')"), { read: ['./~/r.txt'], written: ['./~/m.npy', 'b.txt'] });
  });
  it('a home value keeps its home through a loop variable and a copy into a directory', () => {
    assert.deepEqual(py("from pathlib import Path\nfor n in ['a.txt', 'b.txt']:\n    (Path.home() / n).read_text()").read, ['~/a.txt', '~/b.txt']);
    assert.deepEqual(py("import os, shutil\nshutil.copy('a.txt', os.path.expanduser('~/d/'))").written, ['~/d/a.txt']);
  });
});

describe('review: bun build', () => {
  it('`--metafile`, `--metafile-md` and `-c` take a value after `=` only: the next word is an entry point', () => {
    assert.deepEqual(files('bun build --metafile ./src/index.ts --outdir dist'), { read: ['src/index.ts'], written: ['dist/index.js'] });
    assert.deepEqual(files('bun build --metafile-md ./cli.ts --outfile o.js'), { read: ['cli.ts'], written: ['o.js'] });
    assert.deepEqual(files('bun build -c ./cli.ts --outfile o.js\nbun build -c=bunfig.toml ./x.ts --outfile p.js'), { read: ['cli.ts', 'x.ts'], written: ['o.js', 'p.js'] });
  });
  it('`--outfile` with several entries, `--compile` with `--outdir`: bun exits, nothing', () => {
    assert.deepEqual(files('bun build ./a.ts ./b.ts --outfile o.js\nbun build -c bunfig.toml ./c.ts --outfile p.js\nbun build --compile ./d.ts --outdir=d'), { read: [], written: [] });
    // `--compile` takes several (the first is the program).
    assert.deepEqual(files('bun build --compile ./cli.ts ./src/index.ts --outfile app'), { read: ['cli.ts', 'src/index.ts'], written: ['app'] });
  });
  it('`--compile` without `--outfile` writes the executable named after the first entry, in the current directory', () => {
    assert.deepEqual(files('bun build --compile ./cli.ts\nbun build --compile --minify ./src/lib/x.ts ./y.ts'), { read: ['cli.ts', 'src/lib/x.ts', 'y.ts'], written: ['cli', 'x'] });
  });
});

describe('review: bun\'s `-c`/`--config` take a value after `=` only', () => {
  it('`bun -c ./a.js` runs a.js; `bun -c bunfig.toml ./a.js` runs bunfig.toml (`Cannot run`)', () => {
    assert.deepEqual(read('bun -c ./a.js\nbun -c=bunfig.toml ./b.js\nbun --config=bunfig.toml ./c.js\nbun -bc ./d.js'), ['a.js', 'b.js', 'c.js', 'd.js']);
    assert.deepEqual(read('bun -c bunfig.toml ./a.js\nbun --config cfg.toml ./b.js'), ['bunfig.toml', 'cfg.toml']);
  });
});

describe('review: properties', () => {
  it('bun build: options taking no next word never hide the entry point, in any order', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('--minify', '--metafile', '--metafile-md', '-c', '--sourcemap', '--splitting', '--config', '-c=b.toml', '--metafile=m.json'), { maxLength: 6 }), fc.nat(6), (opts, at) => {
        const words: string[] = [...opts];
        words.splice(Math.min(at, words.length), 0, './src/main.ts');
        assert.deepEqual(files(`bun build ${words.join(' ')} --outfile o.js`), { read: ['src/main.ts'], written: ['o.js'] });
      }),
    );
  });
  it('pnpm: settings it takes, and their `--no-` forms, run the command', () => {
    fc.assert(
      fc.property(fc.subarray(['--bail', '--report-summary', '--reporter-hide-prefix', '--engine-strict', '--ignore-pnpmfile', '--strict-ssl', '--virtual-store-only', '--silent', '--stream']), fc.boolean(), (opts, no) => {
        const words = opts.map((o) => (no && o !== '--silent' ? '--no-' + o.slice(2) : o));
        assert.deepEqual(read(`pnpm ${words.join(' ')} exec node a.js`), ['a.js']);
      }),
    );
  });
});
