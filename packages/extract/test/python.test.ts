import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { extractCodeMetadata } from '../src/index.js';
import { lexPython, releasePythonTokens } from '../src/lexer-python.js';
import { PANDAS_WRITERS } from '../src/python-names.js';

const py = (code: string) => extractCodeMetadata(code, { language: 'python' });

describe('python imports', () => {
  it('reads import and from-import forms, top-level names, first-seen order', () => {
    assert.deepEqual(py('import numpy.linalg as la, os\nfrom scipy.optimize import minimize\nimport numpy\n').imports, ['numpy', 'os', 'scipy']);
  });
  it('reads multi-line parenthesised and backslash-continued from-imports', () => {
    assert.deepEqual(py('from a.b import (\n  c,  # x\n  d,\n)\nfrom e \\\n  import f\n').imports, ['a', 'e']);
  });
  it('skips relative imports and __future__', () => {
    assert.deepEqual(py('from . import x\nfrom .m import y\nfrom ..p.q import z\nfrom __future__ import annotations\n').imports, []);
  });
  it('reads __import__ and importlib.import_module with a literal', () => {
    assert.deepEqual(py("importlib.import_module('scipy.stats')\n__import__('yaml')\nimportlib.import_module(name)\nimportlib.import_module('.rel', 'pkg')\n").imports, ['scipy', 'yaml']);
  });
  it('ignores comments, strings and docstrings', () => {
    const md = py('# import os\n"""\nimport sys\n"""\ns = "import json"\nt = f"from x import {y}"\n');
    assert.deepEqual(md.imports, []);
  });
  it('does not read `raise ... from` or `yield from` as imports', () => {
    assert.deepEqual(py('def g():\n    yield from h()\ntry:\n    pass\nexcept E as e:\n    raise X from e\n').imports, []);
  });
  it('reads imports after an IPython magic and in conditional blocks', () => {
    assert.deepEqual(py('%matplotlib inline\n!pip install x\nif True: import cupy\ntry:\n  import ujson\nexcept ImportError:\n  pass\n').imports, ['cupy', 'ujson']);
  });
});

describe('python files written', () => {
  const cases: [string, string, string[], string[]][] = [
    ['open w', "open('a.txt', 'w')", ['a.txt'], []],
    ['open wb', "open('a.bin', 'wb')", ['a.bin'], []],
    ['open a', 'open("log.txt", "a")', ['log.txt'], []],
    ['open x', "open('new.txt', 'x')", ['new.txt'], []],
    ['open w+', "open('rw.txt', 'w+')", ['rw.txt'], []],
    ['open r+', "open('rw.txt', 'r+')", ['rw.txt'], ['rw.txt']],
    ['open default', "open('in.txt')", [], ['in.txt']],
    ['open rb', "open('in.bin', 'rb')", [], ['in.bin']],
    ['open mode kw', "open('a.txt', mode='w')", ['a.txt'], []],
    ['open file kw', "open(file='a.txt', mode='w')", ['a.txt'], []],
    ['with open', "with open('a.txt', 'w') as f:\n    f.write('x')", ['a.txt'], []],
    ['f-string literal', 'open(f"fib.txt", "w")', ['fib.txt'], []],
    ['f-string dynamic', 'open(f"out_{i}.txt", "w")', [], []],
    ['f-string known var', 'd = "out"\nopen(f"{d}/x.txt", "w")', ['out/x.txt'], []],
    ['variable', 'fname = "fib.txt"\nopen(fname, "w")', ['fib.txt'], []],
    ['variable reassigned', 'f = "a.txt"\nf = g()\nopen(f, "w")', [], []],
    ['augmented', 'f = "a"\nf += ".txt"\nopen(f, "w")', ['a.txt'], []],
    ['os.path.join', "open(os.path.join('out', 'a.csv'), 'w')", ['out/a.csv'], []],
    ['concat', "d = 'runs'\nopen(d + '/r.txt', 'w')", ['runs/r.txt'], []],
    ['percent format', "open('r_%d.txt' % i, 'w')", [], []],
    ['str.format', "open('{}.txt'.format(i), 'w')", [], []],
    ['Path write_text', "Path('x.txt').write_text('hi')", ['x.txt'], []],
    ['Path var', "p = Path('x.txt')\np.write_text('hi')", ['x.txt'], []],
    ['Path div', "(Path('out') / 'a.csv').write_text('x')", ['out/a.csv'], []],
    ['Path open w', "Path('x.txt').open('w')", ['x.txt'], []],
    ['Path read_text', "Path('x.txt').read_text()", [], ['x.txt']],
    ['np.save', "np.save('a.npy', x)", ['a.npy'], []],
    ['np.save adds .npy', "np.save('a', x)", ['a.npy'], []],
    ['np.savez adds .npz', "np.savez_compressed('c', a=x)", ['c.npz'], []],
    ['np.savetxt', "np.savetxt('a.txt', x)", ['a.txt'], []],
    ['np.save over a loop of literals', "for f in ['a.npy', 'b']:\n    np.save(f, x)", ['a.npy', 'b.npy'], []],
    ['np.load', "np.load('a.npy')", [], ['a.npy']],
    ['to_csv any receiver', "results_df.groupby('a').mean().to_csv('r.csv')", ['r.csv'], []],
    ['to_parquet', "df.to_parquet('r.parquet')", ['r.parquet'], []],
    ['to_csv no path', 'df.to_csv()', [], []],
    ['geopandas to_file', 'import geopandas as gpd\ngdf = gpd.read_file("in.shp")\ngdf.to_file("out.geojson", driver="GeoJSON")', ['out.geojson'], ['in.shp']],
    ['to_file filename keyword, any receiver', "gdf.to_file(filename='zones.gpkg', layer='z')\nwc.to_file('cloud.png')", ['zones.gpkg', 'cloud.png'], []],
    ['geopandas to_parquet/to_feather', "gdf.to_parquet('g.parquet')\ngdf.to_feather('g.feather')", ['g.parquet', 'g.feather'], []],
    ['to_file of no path-like value', "x.to_file('zones')\nto_file('a.gpkg')", [], []],
    ['read_csv', "pd.read_csv('d.csv')", [], ['d.csv']],
    ['savefig', "fig.savefig('f.png', dpi=100)", ['f.png'], []],
    ['plt.savefig', "plt.savefig(fname='f.pdf')", ['f.pdf'], []],
    ['json.dump into open', "json.dump(d, open('d.json', 'w'))", ['d.json'], []],
    ['pickle.dump handle', "with open('m.pkl', 'wb') as f:\n    pickle.dump(m, f)", ['m.pkl'], []],
    ['shutil.copy', "shutil.copy('a.txt', 'b.txt')", ['b.txt'], ['a.txt']],
    ['shutil.copy to dir', "shutil.copy('a.txt', 'backup/')", ['backup/a.txt'], ['a.txt']],
    ['shutil.move', "shutil.move('a.txt', 'b.txt')", ['b.txt'], ['a.txt']],
    ['os.rename', "os.rename('a.txt', 'b.txt')", ['b.txt'], ['a.txt']],
    ['os.replace', "os.replace('a.tmp', 'a.txt')", ['a.txt'], ['a.tmp']],
    ['h5py w', "h5py.File('d.h5', 'w')", ['d.h5'], []],
    ['h5py default', "h5py.File('d.h5')", [], ['d.h5']],
    ['h5py a', "h5py.File('d.h5', mode='a')", ['d.h5'], []],
    ['hdu.writeto', "hdu.writeto('x.fits', overwrite=True)", ['x.fits'], []],
    ['fits.writeto', "fits.writeto('x.fits', data)", ['x.fits'], []],
    ['fits.open', "fits.open('x.fits')", [], ['x.fits']],
    ['fits.getdata', "fits.getdata('x.fits')", [], ['x.fits']],
    ['hp.write_map', "hp.write_map('m.fits', m)", ['m.fits'], []],
    ['healpy.write_map', "import healpy\nhealpy.write_map('m.fits', m)", ['m.fits'], []],
    ['hp.read_map', "hp.read_map('m.fits')", [], ['m.fits']],
    ['torch.save', "torch.save(model.state_dict(), 'm.pt')", ['m.pt'], []],
    ['gzip', "gzip.open('a.gz', 'wt')", ['a.gz'], []],
    ['subprocess string', "subprocess.run('sort a.txt > b.txt', shell=True)", ['b.txt'], ['a.txt']],
    ['subprocess list', "subprocess.run(['cp', 'a.txt', 'b.txt'])", ['b.txt'], ['a.txt']],
    ['ipython shell escape', '!echo hi > s.txt', ['s.txt'], []],
    ['writefile magic', '%%writefile helper.py\nimport os\n', ['helper.py'], []],
    ['for over literals', "for f in ['a.csv', 'b.csv']:\n    pd.read_csv(f)", [], ['a.csv', 'b.csv']],
    ['comprehension', "[np.load(f) for f in ('a.npy', 'b.npy')]", [], ['a.npy', 'b.npy']],
    ['devnull', "open(os.devnull, 'w')\nopen('/dev/null', 'w')", [], []],
    ['URL not a file', "pd.read_csv('https://x.org/a.csv')", [], []],
  ];
  for (const [name, code, written, read] of cases) {
    it(name, () => {
      const md = py(code);
      assert.deepEqual(md.filesWritten, written, 'written');
      assert.deepEqual(md.filesRead, read, 'read');
    });
  }

  it('ignores writes inside comments, strings and docstrings', () => {
    const md = py('# open("a.txt", "w")\ns = "open(\'b.txt\', \'w\')"\n"""\nnp.save(\'c.npy\', x)\n"""\n');
    assert.deepEqual([md.filesWritten, md.filesRead], [[], []]);
  });

  it('does not treat definitions as calls', () => {
    const md = py("def open(path, mode='w'):\n    pass\nclass X:\n    def to_csv(self, p='x.csv'):\n        pass\n");
    assert.deepEqual(md.filesWritten, []);
  });

  it('does not take file-handle writes for paths', () => {
    const md = py("with open('log.txt', 'w') as f:\n    f.write('saved.txt')\nsys.stdout.write('out.txt')\n");
    assert.deepEqual(md.filesWritten, ['log.txt']);
  });

  it('recovers after an unterminated string or bracket', () => {
    assert.deepEqual(py('print("oops\nnp.save("a.npy", x)\n').filesWritten, ['a.npy']);
    assert.deepEqual(py('x = foo(1,\nimport os\nopen("b.txt", "w")\n').filesWritten, ['b.txt']);
  });
});

// The Python path lexes once, marks the names a detector may act on, matches brackets while
// lexing, evaluates bindings only when a file call needs them and reuses token arrays across
// calls. These pin down the cases those shortcuts could get wrong.
describe('python scanning shortcuts keep results', () => {
  it('sees a binding made long before the call that uses it, and a rebinding in between', () => {
    const md = py("out = 'a.csv'\nfor i in range(3):\n    print(i)\nout = out + '.bak'\nx = 1\nopen(out, 'w')\n");
    assert.deepEqual(md.filesWritten, ['a.csv.bak']);
  });
  it('forgets a variable rebound to an unknown value before the call', () => {
    assert.deepEqual(py("p = 'a.txt'\np = input()\nopen(p, 'w')\n").filesWritten, []);
  });
  it('keeps handle kinds in token order (`with ... as z` after `z = open(...)`)', () => {
    const md = py("z = open('log.txt', 'w')\nwith zipfile.ZipFile('out.zip', 'w') as z:\n    z.write('a.pdf')\n");
    assert.deepEqual(md.filesWritten, ['log.txt', 'out.zip']);
    assert.deepEqual(md.filesRead, ['a.pdf']);
  });
  it('binds comprehension loop variables only inside their brackets', () => {
    const md = py("[open(f, 'w') for f in ['a.txt', 'b.txt']]\nopen(f, 'w')\n");
    assert.deepEqual(md.filesWritten, ['a.txt', 'b.txt']);
  });
  it('finds calls whose name is separated from `(` by a newline inside brackets, and none after an unclosed one', () => {
    assert.deepEqual(py("x = (open\n  ('a.txt', 'w'))\n").filesWritten, ['a.txt']);
    assert.deepEqual(py("open('b.txt', 'w'\n").filesWritten, []);
  });
  it('treats names of Object.prototype like any other name', () => {
    assert.deepEqual(py("constructor.save('a.png')\ntoString.to_csv('b.csv')\n").filesWritten, ['a.png', 'b.csv']);
    // Called bare or on numpy before a file call, such names once made the evaluator throw and the whole snippet lose its metadata.
    for (const callee of ['constructor', 'toString', 'hasOwnProperty', '__proto__', 'np.constructor', 'np.valueOf']) {
      const md = py(`import os\nx = ${callee}(1)\nopen('a.txt', 'w')\n`);
      assert.deepEqual(md.imports, ['os'], callee);
      assert.deepEqual(md.filesWritten, ['a.txt'], callee);
    }
  });
  it('finds every pandas writer and xarray opener by name; other to_* and open_* methods are no file calls', () => {
    for (const w of PANDAS_WRITERS) assert.deepEqual(py(`df.${w}('out.csv')\n`).filesWritten, ['out.csv'], w);
    for (const r of ['open_dataset', 'open_dataarray', 'open_mfdataset', 'open_zarr']) assert.deepEqual(py(`xr.${r}('in.nc')\n`).filesRead, ['in.nc'], r);
    assert.deepEqual(py("tables.open_file('t.h5', 'w')\n").filesWritten, ['t.h5']);
    const md = py("df.to_datetime('a.csv')\nx.to_urlretrieve('http://h/a', 'b.txt')\nopen_browser('c.html')\n");
    assert.deepEqual([md.filesWritten, md.filesRead], [[], []]);
  });
  it('a file callee imported under another name is still one (any name: the rules see the imported one)', () => {
    const cases: [string, string[], string[]][] = [
      ["from torch import save as persist\npersist(model, 'model.pt')\n", ['model.pt'], []],
      ["from scipy.io.wavfile import write as to_wav\nto_wav('tone.wav', 44100, data)\n", ['tone.wav'], []],
      ["from shutil import copyfile as backup\nbackup('data.db', 'data.bak')\n", ['data.bak'], ['data.db']],
      ["from numpy import load as open_array\nx = open_array('a.npy')\n", [], ['a.npy']],
      ["from os import system as sh\nsh('cp a.txt b.txt')\n", ['b.txt'], ['a.txt']],
      ["from matplotlib.pyplot import savefig as sf\nsf('fig.png')\n", ['fig.png'], []],
      ["from pandas import read_csv as rc\ndf = rc('in.csv')\n", [], ['in.csv']],
      // A method of that name is not the import; an import renamed to a callee's name is the import.
      ["from torch import save as persist\nx.persist('not-a-file.pt')\n", [], []],
      ["from torch import save as load\nload(model, 'm.pt')\n", ['m.pt'], []],
    ];
    for (const [code, written, read] of cases) assert.deepEqual([py(code).filesWritten, py(code).filesRead], [written, read], code);
  });
  it('marks only the callees a file rule may handle, besides assignments and keywords', () => {
    const tokens = lexPython("max(x)\nnp.zeros(3)\ndf.to_csv('a.csv')\ny = len(z)\nfor k in v: pass\n");
    const names = tokens.marks.map((i) => tokens.text(i));
    assert.deepEqual(names, ['to_csv', 'y', 'for']);
    releasePythonTokens(tokens);
  });
  it('gives the same result on repeated calls (token arrays are reused) and with nested Python through the shell', () => {
    const code = "import os\n!python -c \"open('inner.txt', 'w')\"\nopen('outer.txt', 'w')\nimport json\n";
    const first = py(code);
    assert.deepEqual(first.filesWritten, ['inner.txt', 'outer.txt']);
    assert.deepEqual(first.imports, ['os', 'json']);
    for (let k = 0; k < 3; k++) assert.deepEqual(py(code), first);
    assert.deepEqual(py('open(').filesWritten, []);
    assert.deepEqual(py(code), first);
  });
});

describe('python: a bracket closed by another kind', () => {
  it('closes no call: `open("x"}, "w")` opens nothing (a SyntaxError); a later call still counts, as after an unclosed one', () => {
    const md = py('open("x"}, "w")\nnp.save("a.npy", x]\nopen("y.txt", "w")\n');
    assert.deepEqual([md.filesWritten, md.filesRead], [['y.txt'], []]);
  });
});
