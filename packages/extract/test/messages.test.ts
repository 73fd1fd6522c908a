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
  it('follows the fence rules exactly: indentation, run length, info string', () => {
    const blocks = (t: string) => extractMessageMetadata(t).codeBlocks;
    assert.deepEqual(blocks('    ```\nx\n```'), [{ language: 'unknown', code: '' }]); // four spaces: not a fence; the last line opens one
    assert.deepEqual(blocks('   ```py\nx\n   ```'), [{ language: 'py', code: 'x' }]);
    assert.deepEqual(blocks('``` a`b\nx\n```'), [{ language: 'unknown', code: '' }]); // a backtick in the info string: not a fence
    assert.deepEqual(blocks('~~~ a`b\nx\n~~~'), [{ language: 'a`b', code: 'x' }]);
    assert.deepEqual(blocks('```\nx\n```  \ny'), [{ language: 'unknown', code: 'x' }]);
    assert.deepEqual(blocks('```\nx\n```z\n```'), [{ language: 'unknown', code: 'x\n```z' }]);
    assert.deepEqual(blocks('~'.repeat(70) + '\nx'), [{ language: '~~~~~~', code: 'x' }]); // 64 make the fence
    assert.deepEqual(blocks('```' + ' '.repeat(17) + 'Py\nx\n```'), [{ language: 'py', code: 'x' }]);
    assert.deepEqual(blocks('```' + 'a'.repeat(257) + '\nx\n```'), [{ language: 'unknown', code: '' }]); // info string too long
  });
  it('keeps the prose between many adjacent blocks', () => {
    const md = extractMessageMetadata('see a.txt\n```\n```\n```\n```\nsaved to b.txt');
    assert.equal(md.codeBlocks.length, 2);
    assert.deepEqual(md.fileRefs, ['b.txt']);
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
