import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  codeHash,
  createRedactor,
  detectError,
  extractCodeMetadata,
  extractFileReferences,
  extractGeneratedFiles,
  extractMessageMetadata,
  normalisePath,
  sniffLanguage,
} from '../src/index.js';

describe('public API smoke', () => {
  it('extracts Python writes, reads, imports and errors', () => {
    const md = extractCodeMetadata(
      'import numpy as np\nfrom scipy import stats\nwith open("fib.txt", "w") as f:\n    f.write("1")\nx = np.loadtxt("in.dat")\n',
      { output: "Traceback (most recent call last):\n  File \"a.py\", line 1\nModuleNotFoundError: No module named 'foo'\n", exitCode: 1 },
    );
    assert.equal(md.language, 'python');
    assert.deepEqual(md.imports, ['numpy', 'scipy']);
    assert.deepEqual(md.filesWritten, ['fib.txt']);
    assert.deepEqual(md.filesRead, ['in.dat']);
    assert.equal(md.hasError, true);
    assert.equal(md.errorType, 'ModuleNotFoundError');
    assert.equal(md.errorMessage, "No module named 'foo'");
    assert.equal(md.codeHash.length, 16);
    assert.equal(md.truncated, undefined);
  });

  it('omits error fields when neither output nor exitCode is given', () => {
    const md = extractCodeMetadata('print(1)');
    assert.equal('hasError' in md, false);
    assert.equal('errorType' in md, false);
  });

  it('codeHash normalises line endings', () => {
    assert.equal(codeHash('a\r\nb\rc'), codeHash('a\nb\nc'));
    assert.match(codeHash('x'), /^[0-9a-f]{16}$/);
  });

  it('detectError', () => {
    assert.deepEqual(detectError('all fine\n', 0), { hasError: false });
    assert.deepEqual(detectError('', 3), { hasError: true });
    assert.deepEqual(detectError('ValueError: bad\n'), { hasError: true, errorType: 'ValueError', errorMessage: 'bad' });
  });

  it('extractGeneratedFiles: phrases and JSON', () => {
    assert.deepEqual(extractGeneratedFiles('Figure saved to out/plot.png.'), ['out/plot.png']);
    assert.deepEqual(extractGeneratedFiles('{"output_path": "res.csv"}'), ['res.csv']);
    assert.deepEqual(extractGeneratedFiles(42), []);
  });

  it('message metadata', () => {
    const md = extractMessageMetadata('Saved to `fib.txt`.\n```Python\nprint(1)\n```\n');
    assert.deepEqual(md.fileRefs, ['fib.txt']);
    assert.equal(md.hasCode, true);
    assert.deepEqual(md.codeLanguages, ['python']);
    assert.deepEqual(extractFileReferences('see [plot](out/plot.png) and [site](https://x.org/a.png)'), ['out/plot.png']);
  });

  it('redacts basics', () => {
    const r = createRedactor().redact('OPENAI_API_KEY=sk-abcdefghijklmnopqrstuvwxyz0123');
    assert.equal(r.text.includes('sk-abcdefghijklmnop'), false);
    assert.equal(r.redactions, 1);
    assert.deepEqual(r.kinds, ['openai_key']);
    assert.equal(createRedactor({ enabled: false }).redact('sk-abcdefghijklmnopqrstuvwxyz0123').redactions, 0);
  });

  it('normalisePath and sniffLanguage', () => {
    assert.equal(normalisePath('./a/../b//c.txt'), 'b/c.txt');
    assert.equal(normalisePath('https://x.org/a.csv'), undefined);
    assert.equal(sniffLanguage('import os\nprint(os.getcwd())\n'), 'python');
  });
});
