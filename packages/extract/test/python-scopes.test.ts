/**
 * Where a Python variable's value holds (`python-blocks.ts`, the bindings of
 * `python-files.ts`) and the values of expressions built from loop variables
 * (`evaluate.ts`): function parameters, comprehension and lambda variables
 * shadow outer variables; every binding form forgets or sets its names;
 * branches merge; f-strings, `+` and joins over a loop variable give every value.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { extractCodeMetadata } from '../src/index.js';
import { ALT_BUDGET, MAX_ALTS } from '../src/evaluate.js';
import { fastestUnder } from '@agentspan/test-support';

const py = (code: string) => extractCodeMetadata(code, { language: 'python' });
const written = (code: string) => py(code).filesWritten;
const read = (code: string) => py(code).filesRead;

describe('python: parameters, comprehension and lambda variables shadow outer variables (F1)', () => {
  it('a function parameter is unknown in its body, whatever the module-level variable of that name holds', () => {
    const code = 'import pandas as pd\npath = "data.csv"\ndf = pd.read_csv(path)\n\ndef save(df, path):\n    df.to_csv(path, index=False)\n';
    assert.deepEqual(py(code).filesWritten, []);
    assert.deepEqual(py(code).filesRead, ['data.csv']);
  });
  it('every parameter form: defaults, annotations, *args, **kwargs, keyword-only, async def, methods', () => {
    for (const params of ['p', 'x, p', 'p="b.csv"', 'p: str', 'p: str = "b.csv"', '*p', '**p', 'x, *, p', 'x, /, p', 'self, p']) {
      assert.deepEqual(written(`p = "a.csv"\ndef f(${params}):\n    open(p, "w")\n`), [], params);
    }
    assert.deepEqual(written('p = "a.csv"\nasync def f(p):\n    open(p, "w")\n'), []);
    assert.deepEqual(written('p = "a.csv"\nclass A:\n    def save(self, p):\n        open(p, "w")\n'), []);
    assert.deepEqual(written('p = "a.csv"\ndef f(p): open(p, "w")\n'), [], 'one-line body');
  });
  it('what a function binds is local: the module-level value is back after its body', () => {
    assert.deepEqual(written('path = "a.csv"\ndef f():\n    path = "b.csv"\n    df.to_csv(path)\ndf.to_csv(path)\n'), ['b.csv', 'a.csv']);
    assert.deepEqual(written('p = "a.csv"\ndef f(p):\n    pass\n@dec\ndef g():\n    open(p, "w")\n'), ['a.csv'], 'a decorator line ends the body');
    assert.deepEqual(written('p = "a.csv"\ndef f(p):\n    pass\n[open(p, "w") for _ in range(2)]\n'), ['a.csv'], 'a line at column 0 ends it');
    assert.deepEqual(written('def f(out):\n    pass\nout = "o.csv"\ndf.to_csv(out)\n'), ['o.csv']);
  });
  it('a function still reads module-level variables it does not bind', () => {
    assert.deepEqual(written('OUT = "out"\ndef plot(df):\n    plt.savefig(os.path.join(OUT, "a.png"))\n'), ['out/a.png']);
  });
  it('a comprehension variable shadows an outer variable inside its brackets only', () => {
    assert.deepEqual(read('name = "x.csv"\ndfs = [pd.read_csv(name) for name in paths]\n'), []);
    assert.deepEqual(read('name = "x.csv"\ndfs = {n: pd.read_csv(name) for n, name in items}\n'), []);
    assert.deepEqual(read('name = "x.csv"\ndfs = [pd.read_csv(name) for name in paths]\npd.read_csv(name)\n'), ['x.csv']);
    assert.deepEqual(read('name = "x.csv"\nsum(len(open(name).read()) for name in paths)\n'), []);
  });
  it('a lambda parameter shadows an outer variable in the lambda', () => {
    assert.deepEqual(written('path = "a.csv"\nsave = lambda path: df.to_csv(path)\n'), []);
    assert.deepEqual(written('path = "a.csv"\ncbs = [lambda df, path=None: df.to_csv(path)]\n'), []);
    assert.deepEqual(written('path = "a.csv"\nsave = lambda path: df.to_csv(path)\ndf.to_csv(path)\n'), ['a.csv'], 'not past its statement');
  });
  it('property: a parameter named like a module-level path variable is never given its value', () => {
    fc.assert(
      fc.property(fileName, identifier, fc.constantFrom('def', 'async def', 'lambda', 'comprehension'), (file, name, form) => {
        const body =
          form === 'lambda'
            ? `w = lambda ${name}: open(${name}, "w")\n`
            : form === 'comprehension'
              ? `[open(${name}, "w") for ${name} in names]\n`
              : `${form} f(x, ${name}):\n    open(${name}, "w")\n`;
        const md = py(`${name} = "${file}"\n${body}open(${name})\n`);
        assert.deepEqual(md.filesWritten, []);
        assert.deepEqual(md.filesRead, [file]);
      }),
      { numRuns: 200 },
    );
  });
});

describe('python: loop variables in f-strings, concatenation and joins (F3)', () => {
  it('an f-string over a loop variable gives every value', () => {
    assert.deepEqual(written('for col in ["age", "income"]:\n    plt.savefig(f"hist_{col}.png")\n'), ['hist_age.png', 'hist_income.png']);
    assert.deepEqual(written('for name in ["train", "test"]:\n    df.to_csv(os.path.join("out", name + ".csv"))\n'), ['out/train.csv', 'out/test.csv']);
  });
  it('through variables, Path, np.save, pathlib methods, dirname, +=, and nested loops (every combination)', () => {
    assert.deepEqual(written('for c in ["a", "b"]:\n    out = f"plots/{c}.png"\n    plt.savefig(out)\n'), ['plots/a.png', 'plots/b.png']);
    assert.deepEqual(written('for n in ["a", "b"]:\n    Path(f"{n}.txt").write_text("x")\n'), ['a.txt', 'b.txt']);
    assert.deepEqual(written('for n in ["a", "b"]:\n    np.save(n + "_x", arr)\n'), ['a_x.npy', 'b_x.npy']);
    assert.deepEqual(written('for n in ["a.csv", "b.csv"]:\n    plt.savefig(Path(n).with_suffix(".png"))\n'), ['a.png', 'b.png']);
    assert.deepEqual(written('for n in ["d1/a.csv", "d2/b.csv"]:\n    open(os.path.join(os.path.dirname(n), "o.txt"), "w")\n'), ['d1/o.txt', 'd2/o.txt']);
    assert.deepEqual(written('for n in ["a", "b"]:\n    p = n\n    p += ".csv"\n    open(p, "w")\n'), ['a.csv', 'b.csv']);
    assert.deepEqual(written('for a in ["x", "y"]:\n    for b in ["1", "2"]:\n        open(f"{a}{b}.txt", "w")\n'), ['x1.txt', 'x2.txt', 'y1.txt', 'y2.txt']);
    assert.deepEqual(written('[open(f"{a}_{b}.txt", "w") for a in ["x", "y"] for b in ["1", "2"]]'), ['x_1.txt', 'x_2.txt', 'y_1.txt', 'y_2.txt']);
  });
  it(`more than ${MAX_ALTS} combinations, or an unknown piece, is unknown`, () => {
    const nine = JSON.stringify(Array.from({ length: 9 }, (_, k) => `v${k}`));
    assert.deepEqual(written(`for a in ${nine}:\n    for b in ${nine}:\n        open(f"{a}{b}.txt", "w")\n`), []);
    assert.equal(written(`for a in ${nine}:\n    for b in ["x", "y"]:\n        open(f"{a}{b}.txt", "w")\n`).length, 18);
    assert.deepEqual(written('for a in ["x", "y"]:\n    open(f"{a}_{i}.txt", "w")\n'), []);
    assert.deepEqual(written('for a in ["x", "y"]:\n    open(a + suffix, "w")\n'), []);
  });
  it(`at most ${ALT_BUDGET} combined values per snippet: past it, unknown`, () => {
    const list = JSON.stringify(Array.from({ length: 64 }, (_, k) => `v${k}`));
    const lines = Array.from({ length: 80 }, (_, k) => `    open(f"{a}_${k}.txt", "w")\n`).join('');
    const n = written(`for a in ${list}:\n${lines}`).length;
    assert.ok(n > 0 && n <= ALT_BUDGET, String(n));
  });
  it('property: an f-string or a concatenation over a literal list gives each value, in order', () => {
    fc.assert(
      fc.property(fc.uniqueArray(stem, { minLength: 1, maxLength: 6 }), stem, fc.constantFrom('.png', '.csv', '/x.txt'), fc.boolean(), (values, pre, ext, fstring) => {
        const arg = fstring ? `f"${pre}_{v}${ext}"` : `"${pre}_" + v + "${ext}"`;
        assert.deepEqual(written(`for v in ${JSON.stringify(values)}:\n    plt.savefig(${arg})\n`), values.map((v) => `${pre}_${v}${ext}`));
      }),
      { numRuns: 200 },
    );
  });
});

describe('python: every binding form sets or forgets its names (F2)', () => {
  it('forgets the old value: tuple from a call, walrus, except/with as, loops with tuple targets', () => {
    assert.deepEqual(written('path = "a.csv"\npath, other = get_paths()\ndf.to_csv(path)\n'), []);
    assert.deepEqual(written('p = "a.csv"\nif (p := choose()):\n    df.to_csv(p)\n'), []);
    assert.deepEqual(written('f = "x.txt"\ntry:\n    pass\nexcept Exception as f:\n    pass\nopen(f, "w")\n'), []);
    assert.deepEqual(written('f = "a.csv"\nwith open("in.txt") as f:\n    pass\nopen(f, "w")\n'), []);
    assert.deepEqual(written('path = "a.csv"\nfor path in something_unknown:\n    open(path, "w")\n'), []);
    assert.deepEqual(written('path = "a.csv"\nfor i, path in enumerate(files):\n    open(path, "w")\n'), []);
    assert.deepEqual(written('a = "q.csv"\na, b = "x.csv", "y.csv", "z"\nopen(a, "w")\n'), [], 'count mismatch');
    assert.deepEqual(written('p = "a.csv"\ndef p():\n    pass\nopen(p, "w")\n'), [], 'a def rebinds its name');
  });
  it('follows annotated, tuple and chained assignments, and a known walrus', () => {
    assert.deepEqual(read('path: str = "data.csv"\ndf = pd.read_csv(path)\n'), ['data.csv']);
    assert.deepEqual(written('out: pathlib.Path = Path("o.txt")\nout.write_text("x")\n'), ['o.txt']);
    const md = py('src, dst = "in.csv", "out.csv"\ndf = pd.read_csv(src)\ndf.to_csv(dst)\n');
    assert.deepEqual([md.filesRead, md.filesWritten], [['in.csv'], ['out.csv']]);
    assert.deepEqual(written('a, b = ("x.csv", "y.csv")\nopen(b, "w")\n'), ['y.csv']);
    assert.deepEqual(written('a, b = "x.csv", "y.csv"\na, b = b, a\nopen(a, "w")\n'), ['y.csv'], 'the right side is evaluated first');
    assert.deepEqual(read('a = b = "data.csv"\ndf = pd.read_csv(b)\npd.read_csv(a)\n'), ['data.csv']);
    assert.deepEqual(written('if (p := "a.csv"):\n    open(p, "w")\n'), ['a.csv']);
  });
  it('a keyword argument, a comparison or a lambda default binds nothing', () => {
    assert.deepEqual(written('p = "a.csv"\nf(x, p="b.csv")\nopen(p, "w")\n'), ['a.csv']);
    assert.deepEqual(written('p = "a.csv"\nok = p == "b.csv"\nopen(p, "w")\n'), ['a.csv']);
    assert.deepEqual(written('p = "a.csv"\nif x: y = 1\nopen(p, "w")\n'), ['a.csv']);
  });
  it('property: a tuple assignment of literals gives each name its value', () => {
    fc.assert(
      fc.property(fc.uniqueArray(identifier, { minLength: 2, maxLength: 5 }), fc.boolean(), (names, parens) => {
        const files = names.map((n) => `${n}.csv`);
        const rhs = files.map((f) => JSON.stringify(f)).join(', ');
        const calls = names.map((n) => `open(${n}, "w")\n`).join('');
        assert.deepEqual(written(`${names.join(', ')} = ${parens ? `(${rhs})` : rhs}\n${calls}`), files);
      }),
      { numRuns: 200 },
    );
  });
});

describe('python: if/elif/else and try/except branches (F4)', () => {
  it('a name bound differently in the branches is unknown after the statement', () => {
    assert.deepEqual(read('if use_test:\n    path = "test.csv"\nelse:\n    path = "train.csv"\ndf = pd.read_csv(path)\n'), []);
    assert.deepEqual(written('if a:\n    p = "1.csv"\nelif b:\n    p = "2.csv"\nelse:\n    p = "3.csv"\nopen(p, "w")\n'), []);
    assert.deepEqual(written('p = "a.csv"\nif x:\n    p = "b.csv"\nopen(p, "w")\n'), [], 'without else, the old value may remain');
    assert.deepEqual(written('p = f()\nif c:\n    pass\nelse: p = "e.csv"\nopen(p, "w")\n'), []);
    assert.deepEqual(written('def f():\n    if a:\n        p = "x.csv"\n    else:\n        p = "y.csv"\n    open(p, "w")\n'), []);
  });
  it('the same value in every way through is kept; inside a branch its own value holds', () => {
    assert.deepEqual(written('if x:\n    p = "a.csv"\nelse:\n    p = "a.csv"\nopen(p, "w")\n'), ['a.csv']);
    assert.deepEqual(written('p = "a.csv"\nif x:\n    p = "a.csv"\nopen(p, "w")\n'), ['a.csv']);
    assert.deepEqual(written('if x:\n    p = "a.csv"\n    open(p, "w")\nelse:\n    open(p, "w")\n'), ['a.csv']);
    assert.deepEqual(written('p = "a.csv"\nif x:\n    p = "b.csv"\nelse:\n    open(p, "w")\n'), ['a.csv'], 'each branch starts from the values before');
    assert.deepEqual(written('if __name__ == "__main__":\n    out = "r.csv"\n    df.to_csv(out)\n'), ['r.csv']);
  });
  it('try/except: the except does not know what the try body changed; finally runs in order', () => {
    assert.deepEqual(written('p = "a.csv"\ntry:\n    p = "b.csv"\nexcept E:\n    open(p, "w")\nopen(p, "w")\n'), []);
    assert.deepEqual(written('try:\n    p = "b.csv"\nfinally:\n    open(p, "w")\n'), ['b.csv']);
    assert.deepEqual(written('try:\n    import torch\n    out = "gpu.csv"\nexcept ImportError:\n    out = "gpu.csv"\ndf.to_csv(out)\n'), ['gpu.csv']);
  });
  it('property: after if/elif/else, a name has a value only when every way through gave the same one', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('a.csv', 'b.csv', 'c.csv'), { minLength: 1, maxLength: 5 }), fc.boolean(), (values, withElse) => {
        const branches = values.map((v, k) => `${k === 0 ? 'if c0' : withElse && k === values.length - 1 ? 'else' : `elif c${k}`}:\n    p = "${v}"\n`).join('');
        // A way through that does not bind `p` (no `else`) keeps what it was before: unknown here (an earlier cell may have bound it).
        const expect = withElse && values.length > 1 && values.every((v) => v === values[0]) ? [values[0]!] : [];
        assert.deepEqual(read(`${branches}open(p)\n`), expect);
      }),
      { numRuns: 200 },
    );
  });
});

describe('python: values from one loop combine only within the same iteration', () => {
  it('a loop variable used twice gives one value per iteration, not every pair', () => {
    assert.deepEqual(written('for name in ["train", "test"]:\n    df.to_csv(f"{name}/{name}.csv")\n'), ['train/train.csv', 'test/test.csv']);
    assert.deepEqual(written('for model in ["lr", "rf"]:\n    plt.savefig(os.path.join("plots", model, model + "_roc.png"))\n'), ['plots/lr/lr_roc.png', 'plots/rf/rf_roc.png']);
    assert.deepEqual(written('for n in ["a", "b"]:\n    open(n + "/" + n, "w")\n'), ['a/a', 'b/b']);
  });
  it('through names built from it, os.path.join and Path /', () => {
    const split = 'for split in ["train", "val"]:\n    out_dir = f"data/{split}"\n    df.to_csv(f"{out_dir}/{split}.csv")\n';
    assert.deepEqual(written(split), ['data/train/train.csv', 'data/val/val.csv']);
    const join = 'for s in ["a", "b"]:\n    d = os.path.join("out", s)\n    open(os.path.join(d, s + ".txt"), "w")\n';
    assert.deepEqual(written(join), ['out/a/a.txt', 'out/b/b.txt']);
    const path = 'from pathlib import Path\nfor ds in ["iris", "wine"]:\n    d = Path("out") / ds\n    (d / f"{ds}.json").write_text("x")\n';
    assert.deepEqual(written(path), ['out/iris/iris.json', 'out/wine/wine.json']);
    const nested = 'for a in ["x", "y"]:\n    for b in ["1", "2"]:\n        p = f"{a}/{b}"\n        open(f"{p}_{a}.txt", "w")\n';
    assert.deepEqual(written(nested), ['x/1_x.txt', 'x/2_x.txt', 'y/1_y.txt', 'y/2_y.txt']);
  });
  it('after the loop, what was built from its variable is the last iteration\'s (unknown after a break)', () => {
    assert.deepEqual(written('for split in ["train", "val", "test"]:\n    pass\ndf.to_csv(f"final_{split}.csv")\n'), ['final_test.csv']);
    assert.deepEqual(written('for s in ["a", "b"]:\n    out = f"{s}.csv"\nopen(out, "w")\n'), ['b.csv']);
    assert.deepEqual(written('for a in ["x", "y"]:\n    for b in ["1", "2"]:\n        p = a + b\n    open(p, "w")\n'), ['x2', 'y2']);
    assert.deepEqual(written('for f in ["a.csv", "b.csv"]:\n    if exists(f): break\nopen(f, "w")\n'), []);
    assert.deepEqual(written('for f in ["a.csv", "b.csv"]:\n    if exists(f):\n        break\nopen(f, "w")\n'), []);
    assert.deepEqual(written('p = [(q := f"{v}.txt") for v in ["a", "b"]]\nopen(q, "w")\n'), [], 'a comprehension\'s values seen through := are unknown');
  });
  it('property: f"{v}/{v}{ext}" over a literal list gives each value once, in order', () => {
    fc.assert(
      fc.property(fc.uniqueArray(stem, { minLength: 1, maxLength: 8 }), fc.constantFrom('.png', '.csv'), fc.boolean(), (values, ext, viaName) => {
        const body = viaName ? `    d = f"out/{v}"\n    open(f"{d}/{v}${ext}", "w")\n` : `    open(f"out/{v}/{v}${ext}", "w")\n`;
        assert.deepEqual(written(`for v in ${JSON.stringify(values)}:\n${body}`), values.map((v) => `out/${v}/${v}${ext}`));
      }),
      { numRuns: 200 },
    );
  });
});

describe('python: branches that leave, and names bound on some ways through only', () => {
  it('a branch ending in raise, return, sys.exit or exit is no way through', () => {
    const tryRaise = 'import json\ntry:\n    config_path = "config.json"\n    with open(config_path) as f:\n        cfg = json.load(f)\nexcept Exception as e:\n    raise RuntimeError("bad") from e\nwith open(config_path, "w") as f:\n    json.dump(cfg, f)\n';
    assert.deepEqual(written(tryRaise), ['config.json']);
    assert.deepEqual(read('p = get()\ntry:\n    p = "a.csv"\nexcept E:\n    print("no")\n    sys.exit(1)\npd.read_csv(p)\n'), ['a.csv']);
    assert.deepEqual(read('p = get()\nif ok:\n    p = "a.csv"\nelse:\n    exit(1)\npd.read_csv(p)\n'), ['a.csv']);
    assert.deepEqual(read('p = get()\nif ok:\n    p = "a.csv"\nelse: raise E\npd.read_csv(p)\n'), ['a.csv']);
    assert.deepEqual(read('def f():\n    p = get()\n    if not ok:\n        return\n    else:\n        p = "a.csv"\n    pd.read_csv(p)\n'), ['a.csv']);
  });
  it('a branch that leaves only inside a nested block is still a way through', () => {
    assert.deepEqual(read('p = get()\nif ok:\n    p = "a.csv"\nelse:\n    while x:\n        raise E\npd.read_csv(p)\n'), []);
    assert.deepEqual(read('p = get()\nif ok:\n    p = "a.csv"\nelse:\n    if y:\n        raise E\npd.read_csv(p)\n'), []);
    assert.deepEqual(read('p = get()\nif ok:\n    p = "a.csv"\nelse:\n    raise E if x else None\n    q = 1\npd.read_csv(p)\n'), []);
  });
  it('a name first bound in a branch is unknown after, a way through without it keeping what an earlier cell may have bound', () => {
    assert.deepEqual(written('import matplotlib.pyplot as plt\nif __name__ == "__main__":\n    out_dir = "figures"\nplt.savefig(out_dir + "/fig.png")\n'), []);
    assert.deepEqual(written('if c:\n    pass\nelse: p = "e.csv"\nopen(p, "w")\n'), []);
    assert.deepEqual(read('if a:\n    if b:\n        p = "x.csv"\n    g(p)\npd.read_csv(p)\n'), [], 'nested statements');
    assert.deepEqual(read('if a:\n    p = "x.csv"\nelse:\n    p = "x.csv"\npd.read_csv(p)\n'), ['x.csv'], 'every way through binds the same');
    const loop = 'for s in ["b", "a"]:\n    if s == "b":\n        out = f"{s}.csv"\n    open(out, "w")\n';
    assert.deepEqual(written(loop), []);
    assert.deepEqual(written('if c:\n    p = "a.csv"\nelse:\n    p = "b.csv"\nopen(p, "w")\n'), [], 'two different values');
  });
  it('a name bound before in any way (also unknown, imported, a parameter, a loop target) keeps its old value as a way through', () => {
    assert.deepEqual(written('p = get()\nif c:\n    p = "a.csv"\nopen(p, "w")\n'), []);
    assert.deepEqual(written('from config import p\nif c:\n    p = "a.csv"\nopen(p, "w")\n'), []);
    assert.deepEqual(written('for p in items():\n    pass\nif c:\n    p = "a.csv"\nopen(p, "w")\n'), []);
    assert.deepEqual(written('with x() as p:\n    pass\nif c:\n    p = "a.csv"\nopen(p, "w")\n'), []);
    assert.deepEqual(written('def f(p):\n    if c:\n        p = "a.csv"\n    open(p, "w")\n'), []);
    assert.deepEqual(written('from .settings import *\nif c:\n    p = "a.csv"\nopen(p, "w")\n'), [], 'a star import: the same (unknown)');
    assert.deepEqual(written('from .settings import x\nif c:\n    p = "a.csv"\nopen(p, "w")\n'), [], 'a relative import: the same');
  });
});

describe('python: a loop\'s else, and blocks nested deeper than followed', () => {
  const nest = (depth: number, body: string): string => {
    let s = '';
    for (let d = 0; d < depth; d++) s += `${'  '.repeat(d)}if c${d}:\n`;
    return s + body.split('\n').map((l) => (l === '' ? l : '  '.repeat(depth) + l)).join('\n');
  };
  it('after a loop with a break and an else, a name the else binds is unknown (the break skips the else)', () => {
    const forElse = 'out = "x.csv"\nfor p in ["a.csv", "b.csv"]:\n    if ok(p):\n        out = p\n        break\nelse:\n    out = "none.csv"\nopen(out, "w")\n';
    assert.deepEqual(written(forElse), []);
    assert.deepEqual(written('for p in files:\n    if ok(p): break\nelse:\n    out = "none.csv"\nopen(out, "w")\n'), []);
    const whileElse = 'out = "x.csv"\nwhile c:\n    out = "a.csv"\n    break\nelse:\n    out = "b.csv"\nopen(out, "w")\n';
    assert.deepEqual(written(whileElse), []);
    assert.deepEqual(written('for p in ["a.csv", "b.csv"]:\n    if ok(p):\n        break\nelse:\n    open("none.csv", "w")\n'), ['none.csv'], 'a write in the else is one way through, as in any branch');
  });
  it('without a break the else always runs; in it, the loop ran to its end (its last value)', () => {
    assert.deepEqual(written('for p in ["a.csv", "b.csv"]:\n    pass\nelse:\n    out = "done.csv"\nopen(out, "w")\n'), ['done.csv']);
    assert.deepEqual(written('while c:\n    pass\nelse:\n    out = "done.csv"\nopen(out, "w")\n'), ['done.csv']);
    const lastInElse = 'for p in ["a.csv", "b.csv"]:\n    if ok(p): break\nelse:\n    open(p, "w")\npd.read_csv(p)\n';
    assert.deepEqual([written(lastInElse), read(lastInElse)], [['b.csv'], []]);
    const skipped = 'for s in ["a", "b"]:\n    if s == "b": continue\n    out = f"{s}.csv"\nelse:\n    open(out, "w")\n    open("done.txt", "w")\n';
    assert.deepEqual(written(skipped), ['done.txt'], 'a continue may have skipped the last iteration\'s binding (not b.csv; the else still runs)');
    const skippedAfter = 'out = "x.csv"\nfor s in ["a", "b"]:\n    if s == "b":\n        continue\nelse:\n    out = "y.csv"\nopen(out, "w")\n';
    assert.deepEqual(written(skippedAfter), ['y.csv'], 'a continue skips no else');
  });
  it('a break in a while leaves the while, not the for around it', () => {
    assert.deepEqual(written('for c in ["a", "b"]:\n    out = f"{c}.csv"\n    while True:\n        break\nopen(out, "w")\n'), ['b.csv']);
    assert.deepEqual(written('for c in ["a", "b"]:\n    out = f"{c}.csv"\n    while True:\n        break\n    if x: break\nopen(out, "w")\n'), []);
  });
  it('in a block nested deeper than followed, no variable is known, and what it binds is unknown after it', () => {
    assert.deepEqual(written(nest(16, 'p = "a.csv"\nif d:\n  p = "b.csv"\nelse:\n  p = "c.csv"\nopen(p, "w")\n')), [], 'two branches, at the depth limit');
    assert.deepEqual(written(nest(20, 'if d:\n  p = "b.csv"\nelse:\n  p = "c.csv"\nopen(p, "w")\n')), []);
    assert.deepEqual(written('p = "a.csv"\n' + nest(16, 'def f(p):\n  open(p, "w")\n')), [], 'a parameter shadows');
    assert.deepEqual(written('p = "a.csv"\n' + nest(17, 'open(p, "w")\n')), [], 'nothing outside is known there either');
    assert.deepEqual(written(nest(24, 'open("deep.csv", "w")\nq = "q.csv"\nopen(q, "w")\n')), ['deep.csv'], 'literals are');
    const after = 'p = "a.csv"\nq = "q.csv"\n' + nest(15, 'if d:\n  if e:\n    p = "b.csv"\nopen(p, "w")\nopen(q, "w")\n');
    assert.deepEqual(written(after), ['q.csv'], 'after the deep block: what it bound is unknown, the rest holds');
    assert.deepEqual(written(nest(15, 'p = "a.csv"\n' + 'if d:\n  open(p, "w")\n')), ['a.csv'], 'at depth 16, followed as before');
  });
});

describe('python: global, lambda bodies, class bodies', () => {
  it('a function that declares a name global makes it unknown after it (never the old value)', () => {
    assert.deepEqual(written('OUT = "a.csv"\ndef setup():\n    global OUT\n    OUT = "b.csv"\nsetup()\ndf.to_csv(OUT)\n'), []);
    assert.deepEqual(written('OUT = "a.csv"\ndef setup(): global OUT; OUT = "b.csv"\nsetup()\ndf.to_csv(OUT)\n'), []);
    assert.deepEqual(written('def outer():\n    out = "a.csv"\n    def inner():\n        nonlocal out\n        out = "b.csv"\n    inner()\n    open(out, "w")\n'), []);
    assert.deepEqual(written('OUT = "a.csv"\ndef f():\n    g(OUT)\ndf.to_csv(OUT)\n'), ['a.csv'], 'without global, a function cannot rebind it');
  });
  it('the body of a lambda before a keyword argument is no assignment', () => {
    assert.deepEqual(read('p = "input.csv"\nfiles = sorted(files, key=lambda x: p, reverse=True)\ndf = pd.read_csv(p)\n'), ['input.csv']);
    assert.deepEqual(written('out = "sorted.txt"\nnames = sorted(names, key=lambda out: out, reverse=True)\nopen(out, "w")\n'), ['sorted.txt']);
    assert.deepEqual(written('p = "a.csv"\nif x: p, q = "b.csv", 1\nopen(p, "w")\n'), [], 'after a block\'s colon, it is one');
  });
  it('what a class body binds (dataclass and pydantic fields) is the class\'s', () => {
    const dc = 'import pandas as pd\nfrom dataclasses import dataclass\ninput_file = "data.csv"\n@dataclass\nclass Job:\n    input_file: str = ""\n    out = "x.csv"\ndf = pd.read_csv(input_file)\nopen(out, "w")\n';
    assert.deepEqual(py(dc).filesRead, ['data.csv']);
    assert.deepEqual(py(dc).filesWritten, []);
    assert.deepEqual(read('class Cfg(BaseModel):\n    path: str = "c.csv"\n    def load(self):\n        return pd.read_csv(self.path)\npd.read_csv(path)\n'), []);
    assert.deepEqual(written('class A:\n    p = "a.csv"\n    open(p, "w")\n'), ['a.csv'], 'inside the body, its own value holds');
  });
});

describe('python scopes: bounded time on adversarial 1 MB inputs', () => {
  const MB = 1_000_000;
  const fill = (unit: string): string => unit.repeat(Math.ceil(MB / unit.length)).slice(0, MB);
  let nestedIfs = '';
  for (let d = 0; nestedIfs.length < MB; d++) nestedIfs += `${' '.repeat(d)}if x:\n${' '.repeat(d + 1)}p = 'a${d}.csv'\n${' '.repeat(d + 1)}open(p, 'w')\n`;
  let nestedDefs = '';
  for (let d = 0; nestedDefs.length < MB; d++) nestedDefs += `${' '.repeat(d)}def f(p, q):\n${' '.repeat(d + 1)}open(p, 'w')\n`;
  let elifs = 'if a:\n    x0 = "a"\n';
  for (let d = 1; elifs.length < MB; d++) elifs += `elif b:\n    x${d} = "a"\n    open(x${d}, 'w')\n`;
  const cases: [string, string][] = [
    ['def f(a, a, a, ...', 'def f(' + fill('a, ') + "):\n open(a, 'w')\n"],
    ['def f(a): open(a) x N', fill("def f(a):\n    open(a, 'w')\n")],
    ['nested ifs, each binding', nestedIfs.slice(0, MB)],
    ['nested defs', nestedDefs.slice(0, MB)],
    ['one if, an elif per name', elifs.slice(0, MB)],
    ['if/else x N', fill("if a:\n    p = 'x.csv'\nelse:\n    p = 'y.csv'\nopen(p, 'w')\n")],
    ['try/except x N', fill("try:\n    p = 'x.csv'\n    open(p)\nexcept E as e:\n    p = 'y'\n")],
    ['lambda x: lambda x: ... one line', fill('lambda x: ') + "open(x, 'w')"],
    ['(lambda x: open(x)) x N', fill("(lambda x: open(x, 'w')), ")],
    ['[open(a) for a, b in ...] x N', fill("[open(a, 'w') for a, b in ['x', 'y']] ")],
    ['[[[ nested comprehensions of one name', fill('[open(x) for x in ') + ']'.repeat(10)],
    ['loop variable, 512 combinations per line', "for a in ['a','b','c','d','e','f','g','h']:\n" + fill("    p = f'{a}{a}{a}'\n    open(p, 'w')\n")],
    ['loop variable, p = p + a', "p = 'x'\nfor a in ['a','b','c','d','e','f','g','h']:\n" + fill("    p = p + a\n    open(p, 'w')\n")],
    ['loop variable, 64 values joined x N', `for a in ${JSON.stringify(Array.from({ length: 64 }, (_, k) => `v${k}`))}:\n` + fill("    open(os.path.join(a, a), 'w')\n")],
    ['a = a = a = ... one line', fill('a = ') + "'x'\nopen(a, 'w')\n"],
    ['a, a, a, ... = 1', fill('a, ') + "a = 1\nopen(a, 'w')\n"],
    ['a,b=a,b=... one line', fill('a,b=') + "1\nopen(a, 'w')\n"],
    ['x: a.b.c... = x N', fill("x: a.b.c.d.e.f.g.h.i.j = 'k'\nopen(x, 'w')\n")],
    ['(p := ...) x N', fill("(p := 'a.csv') and open(p, 'w') ")],
    ['with ... as f x N', fill("with open('a') as f: open(f, 'w')\n")],
    ['f(a, b=1, ...) kwargs x N', fill("open(a, b=1, c=2, d=open('x', 'w'))\n")],
  ];
  for (const [name, input] of cases) {
    it(name, () => {
      py(input.slice(0, 10_000)); // warm up
      const ms = fastestUnder(() => py(input), 1500);
      assert.ok(ms < 1500, `${name}: ${ms.toFixed(0)} ms for 1 MB (the fastest of 3 runs)`);
    });
  }
});

const identifier = fc
  .tuple(fc.constantFrom(...'abcdefghjkmnpqrstuvwxyz'), fc.array(fc.constantFrom(...'abcdefghjkmnpqrstuvwxyz0123456789_'), { maxLength: 7 }))
  .map(([h, t]) => h + t.join(''))
  .filter((s) => !PYTHON_WORDS.has(s));
const stem = fc.array(fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789_-'), { minLength: 1, maxLength: 8 }).map((a) => a.join(''));
const fileName = fc.tuple(stem, fc.constantFrom('.csv', '.json', '.txt', '.parquet')).map(([s, e]) => s + e);
const PYTHON_WORDS = new Set([
  'and', 'as', 'assert', 'async', 'await', 'break', 'class', 'continue', 'def', 'del', 'elif', 'else', 'except', 'finally', 'for',
  'from', 'global', 'if', 'import', 'in', 'is', 'lambda', 'nonlocal', 'not', 'or', 'pass', 'raise', 'return', 'try', 'while', 'with',
  'yield', 'open', 'f', 'x', 'names', 'w',
]);

it('a name bound on some ways through only is unknown after, also when this snippet bound it nowhere before (an earlier cell may have)', () => {
  const md = (src: string) => extractCodeMetadata(src, { language: 'python' });
  assert.deepEqual(md('if not out_dir:\n    out_dir = "outputs"\ndf.to_csv(f"{out_dir}/results.csv")').filesWritten, []);
  assert.deepEqual(md('if data_path is None:\n    data_path = "data/train.csv"\ndf = pd.read_csv(data_path)').filesRead, []);
  assert.deepEqual(md('if "out_dir" not in globals():\n    out_dir = "outputs"\nplt.savefig(f"{out_dir}/roc.png")').filesWritten, []);
  assert.deepEqual(md('try:\n    model_path\nexcept NameError:\n    model_path = "models/baseline.pkl"\njoblib.load(model_path)').filesRead, []);
  // A branch that leaves is still no way through.
  assert.deepEqual(md('try:\n    config_path = "config.json"\nexcept Exception as e:\n    raise\nopen(config_path, "w")').filesWritten, ['config.json']);
});

it('after a loop with a continue, what was built from its variable is unknown (the last iteration may have skipped it)', () => {
  const written = (src: string) => extractCodeMetadata(src, { language: 'python' }).filesWritten;
  assert.deepEqual(written('for split in ["train", "val", "test"]:\n    if split == "test":\n        continue\n    out = f"preds_{split}.csv"\ndf.to_csv(out)'), []);
  assert.deepEqual(written('for split in ["train", "val"]:\n    out = f"preds_{split}.csv"\ndf.to_csv(out)'), ['preds_val.csv']);
});

describe('python: integer loops (range, integer lists, enumerate) and format specs', () => {
  it('range of literals, integer lists and enumerate give one value per iteration', () => {
    assert.deepEqual(written('for i in range(3):\n    plt.savefig(f"plot_{i}.png")\n'), ['plot_0.png', 'plot_1.png', 'plot_2.png']);
    assert.deepEqual(written('for i in range(2, 10, 4):\n    np.save(f"a{i}", x)\n'), ['a2.npy', 'a6.npy']);
    assert.deepEqual(written('for run in [1, 2]:\n    df.to_csv(f"run_{run:03d}.csv")\n'), ['run_001.csv', 'run_002.csv']);
    assert.deepEqual(written('for i, col in enumerate(["a", "b"]):\n    plt.savefig(f"{i}_{col}.png")\n'), ['0_a.png', '1_b.png']);
    assert.deepEqual(written('x = [open(f"c{i}_{n}.csv", "w") for i, n in enumerate(["a", "b"], start=5)]\n'), ['c5_a.csv', 'c6_b.csv']);
    assert.deepEqual(read("frames = [iio.imread(f'frame_{i:02d}.png') for i in range(3)]\n"), ['frame_00.png', 'frame_01.png', 'frame_02.png']);
    assert.deepEqual(written('for i in range(3):\n    open("f" + str(i) + ".txt", "w")\n'), ['f0.txt', 'f1.txt', 'f2.txt']);
    assert.deepEqual(written('for i in range(3):\n    pass\nopen(f"x{i}.txt", "w")\n'), ['x2.txt'], 'the last iteration after the loop');
  });
  it('format specs as Python applies them: zero padding, width, negative numbers; others unknown', () => {
    assert.deepEqual(written('for i in range(-2, 0):\n    open(f"n{i:03d}.txt", "w")\n'), ['n-02.txt', 'n-01.txt']);
    assert.deepEqual(written('for i in [7]:\n    open(f"w{i:3d}.txt", "w")\n'), ['w  7.txt']);
    for (const spec of ['>3', '.2f', 'x', '03', ',']) assert.deepEqual(written(`for i in range(3):\n    open(f"{i:${spec}}.txt", "w")\n`), [], spec);
    assert.deepEqual(written('for s in ["a"]:\n    open(f"{s:>3}.txt", "w")\n'), [], 'a string with alignment');
    assert.deepEqual(written('for s in ["a"]:\n    open(f"{s:s}.txt", "w")\n'), ['a.txt']);
  });
  it('!r and !a quote the value: unknown, not the bare value', () => {
    assert.deepEqual(written('for name in ["a", "b"]:\n    df.to_csv(f"{name!r}.csv")\n'), []);
    assert.deepEqual(written('name = "a"\ndf.to_csv(f"{name!a}.csv")\n'), []);
    assert.deepEqual(written('name = "a"\ndf.to_csv(f"{name!s}.csv")\n'), ['a.csv']);
  });
  it('an integer is no path: open(i) is a file descriptor, "x" + i a TypeError', () => {
    assert.deepEqual(written('for i in range(3):\n    f = open(i, "w")\n'), []);
    assert.deepEqual(written('for i in range(3):\n    pass\nopen(i, "w")\n'), []);
    assert.deepEqual(written('for i in range(3):\n    np.save(i, x)\n'), []);
    assert.deepEqual(written('for i in range(3):\n    open("f" + i, "w")\n'), []);
    assert.deepEqual(written('for i in range(3):\n    Path(i).write_text("x")\n'), []);
  });
  it('loops that are not literal stay unknown: names, mixed lists, floats, hex, more than MAX_ALTS values', () => {
    for (const it of ['range(n)', '[1, "a"]', '[1.5, 2]', 'range(0x10)', `range(${MAX_ALTS + 1})`, 'range(3, 0)', 'range(0, 3, 0)', 'enumerate(names)']) {
      assert.deepEqual(written(`for i in ${it}:\n    open(f"q{i}.txt", "w")\n`), [], it);
    }
  });
  it('any range(start, stop, step) of small literals gives the values Python iterates (fast-check)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -20, max: 20 }), fc.integer({ min: -20, max: 20 }), fc.integer({ min: -5, max: 5 }).filter((s) => s !== 0), (start, stop, step) => {
        const expected: string[] = [];
        for (let v = start; step > 0 ? v < stop : v > stop; v += step) expected.push(`r${v}.txt`);
        const got = written(`for i in range(${start}, ${stop}, ${step}):\n    open(f"r{i}.txt", "w")\n`);
        assert.deepEqual(got, expected.length > MAX_ALTS ? [] : expected);
      }),
    );
  });
});

describe('python: integer loop values, what Python refuses is unknown (a review of eddf432)', () => {
  it('a d spec after !s formats a string: a ValueError, no file', () => {
    assert.deepEqual(written('for i in range(2):\n    open(f"run_{i!s:03d}.csv", "w")'), []);
    assert.deepEqual(written('for i in range(2):\n    open(f"run_{i!s}.csv", "w")'), ['run_0.csv', 'run_1.csv']);
    assert.deepEqual(written('for c in ["a"]:\n    open(f"{c!s:s}.csv", "w")'), ['a.csv']);
  });

  it('a pathlib.Path takes no format spec, not even s: a TypeError, no file', () => {
    assert.deepEqual(written('from pathlib import Path\np = Path("a")\nopen(f"{p:s}.csv", "w")'), []);
    assert.deepEqual(written('from pathlib import Path\np = Path("a")\nopen(f"{p}.csv", "w")'), ['a.csv']);
  });

  it('a starred target takes a list, no value of the iterable: unknown, in a loop and in a comprehension', () => {
    assert.deepEqual(written('for i, *c in enumerate(["a.csv", "b.csv"]):\n    open(c, "w")'), []);
    assert.deepEqual(written('for *i, c in enumerate(["a", "b"]):\n    open(f"{i}_{c}.csv", "w")'), []);
    assert.deepEqual(written('[open(c, "w") for i, *c in enumerate(["a.csv"])]'), []);
    assert.deepEqual(written('for i, c in enumerate(["a.csv"]):\n    open(c, "w")'), ['a.csv']);
  });
});
