import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { extractFileReferences, extractMessageMetadata } from '../src/index.js';

describe('extractFileReferences', () => {
  const cases: [string, string[]][] = [
    ['I saved the results to results/summary.csv.', ['results/summary.csv']],
    ['The file data/raw.fits has 3 HDUs', ['data/raw.fits']],
    ['See the path: ~/runs/a.log', ['~/runs/a.log']],
    ['Created plot.png and table.csv', ['plot.png', 'table.csv']],
    ['Here is the [plot](out/plot.png) and [docs](https://x.org/doc.html)', ['out/plot.png']],
    ['![img](figs/a%20b.png)', ['figs/a b.png']],
    ['![img](figs/ab.png "title")', ['figs/ab.png']],
    ['Open `fib.txt` to check', ['fib.txt']],
    ['Use `numpy.save` and `x.foo()` here', []],
    ['Call `main.py` then `run()`', ['main.py']],
    ['Nothing here, just words.', []],
    ['The written report is long', []],
  ];
  for (const [text, expected] of cases) {
    it(JSON.stringify(text), () => assert.deepEqual(extractFileReferences(text), expected));
  }
  it('skips fenced code blocks (their code is analysed separately)', () => {
    assert.deepEqual(extractFileReferences("Run this:\n```python\nopen('inside.txt', 'w')  # saved to inside.txt\n```\nThen check out.txt, saved to out.txt.\n"), ['out.txt']);
  });
});

describe('extractMessageMetadata', () => {
  it('finds code blocks and their languages', () => {
    const md = extractMessageMetadata('Text\n```Python\nprint(1)\n```\n~~~bash\nls\n~~~\n```\nplain\n```\n```python\nx = 2\n```');
    assert.equal(md.hasCode, true);
    assert.deepEqual(md.codeLanguages, ['python', 'bash', 'unknown']);
    assert.deepEqual(md.codeBlocks, [
      { language: 'python', code: 'print(1)' },
      { language: 'bash', code: 'ls' },
      { language: 'unknown', code: 'plain' },
      { language: 'python', code: 'x = 2' },
    ]);
  });
  it('runs an unclosed fence to the end', () => {
    const md = extractMessageMetadata('```js\nconst a = 1;\nconst b = 2;');
    assert.deepEqual(md.codeBlocks, [{ language: 'js', code: 'const a = 1;\nconst b = 2;' }]);
  });
  it('handles {.lang} info strings and longer fences', () => {
    const md = extractMessageMetadata('````{.python}\n```\nnot a fence end\n````\n');
    assert.deepEqual(md.codeBlocks, [{ language: 'python', code: '```\nnot a fence end' }]);
  });
  it('reports length and truncation', () => {
    const md = extractMessageMetadata('saved to a.txt ' + 'x'.repeat(100) + ' saved to b.txt', { maxScanChars: 50 });
    assert.equal(md.contentLength, 130);
    assert.equal(md.truncated, true);
    assert.deepEqual(md.fileRefs, ['a.txt']);
    assert.equal(extractMessageMetadata('short').truncated, undefined);
  });
  it('has no code for plain text', () => {
    assert.deepEqual(extractMessageMetadata('hello'), { fileRefs: [], hasCode: false, codeLanguages: [], codeBlocks: [], contentLength: 5 });
  });
});
