import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalisePath } from '../src/index.js';
import { isPathLike, toFilePath } from '../src/paths.js';

describe('normalisePath', () => {
  const cases: [string, string | undefined][] = [
    ['out/a.csv', 'out/a.csv'],
    ['./out/a.csv', 'out/a.csv'],
    ['out//a.csv', 'out/a.csv'],
    ['out/./a.csv', 'out/a.csv'],
    ['out/tmp/../a.csv', 'out/a.csv'],
    ['../data/a.csv', '../data/a.csv'],
    ['a/../../b.txt', '../b.txt'],
    ['/abs/../x.txt', '/x.txt'],
    ['/../x.txt', '/x.txt'],
    ['out/', 'out'],
    ['  spaced.txt  ', 'spaced.txt'],
    ['C:\\data\\out.txt', 'C:/data/out.txt'],
    ['~/.bashrc', '~/.bashrc'],
    ['.', '.'],
    ['/', '/'],
    // Not single local files.
    ['', undefined],
    ['   ', undefined],
    ['-', undefined],
    // What normalises to `-` is no file either (the result of normalising must normalise to itself).
    ['-/', undefined],
    ['./-', undefined],
    ['a/../-', undefined],
    ['./:memory:', undefined],
    ['./ab:', undefined],
    ['x/../s3:bucket.csv', undefined],
    ['%(' + './'.repeat(40) + 'name)s.csv', undefined],
    ['/dev/null', undefined],
    ['/dev/stdout', undefined],
    ['/proc/self/fd/1', undefined],
    ['https://example.org/a.csv', undefined],
    ['s3://bucket/key.parquet', undefined],
    ['file:///tmp/a.txt', undefined],
    ['data:text/plain,hi', undefined],
    ['{name}.txt', undefined],
    ['out_{}.csv', undefined],
    ['%s.csv', undefined],
    ['run_%05d.log', undefined],
    ['%(name)s.txt', undefined],
    ['${x}', undefined],
    ['$OUT/log.txt', undefined],
    ['*.csv', undefined],
    ['a?.txt', undefined],
    ['a\u0000b', undefined],
    ['bad\ud800.txt', undefined],
    ['x'.repeat(5000), undefined],
  ];
  for (const [input, expected] of cases) {
    it(`${JSON.stringify(input.slice(0, 40))} → ${JSON.stringify(expected)}`, () => {
      assert.equal(normalisePath(input), expected);
    });
  }

  it('is idempotent on its results', () => {
    for (const [input] of cases) {
      const n = normalisePath(input);
      if (n !== undefined) assert.equal(normalisePath(n), n);
    }
  });
});

describe('toFilePath and isPathLike', () => {
  it('rejects directories-only results', () => {
    for (const p of ['.', './', '/', '..', 'a/..', '~']) assert.equal(toFilePath(p), undefined, p);
    assert.equal(toFilePath('a/b.txt'), 'a/b.txt');
  });
  it('needs an extension with a letter, a slash, or a dotfile name', () => {
    for (const p of ['a.csv', 'out/data', '.env', 'x.tar.gz', 'model.h5']) assert.equal(isPathLike(p), true, p);
    for (const p of ['3.14', 'v1.2', 'README', 'numpy', 'e.g']) assert.equal(isPathLike(p), p === 'e.g', p);
  });
  it('bounds the extension: 1-19 word characters, a letter at most 9 from either end', () => {
    for (const p of ['a.' + '1'.repeat(9) + 'x', 'a.x' + '1'.repeat(9), 'a.' + '1'.repeat(9) + 'x' + '1'.repeat(9)]) assert.equal(isPathLike(p), true, p);
    for (const p of ['a.' + '1'.repeat(10) + 'x', 'a.x' + '1'.repeat(10), 'a.' + 'x'.repeat(20), 'a.c-v', 'a.é']) assert.equal(isPathLike(p), false, p);
    assert.equal(isPathLike('out/'), true);
    assert.equal(isPathLike('a/-'), false);
  });
  it('rejects devices and stdin on the fast path too', () => {
    for (const p of ['/dev/null', '/dev', '/proc/self/fd/1', '-']) assert.equal(toFilePath(p), undefined, p);
    for (const p of ['/devices/a.txt', '/proc/self/fdx']) assert.equal(toFilePath(p), p, p);
  });
});
