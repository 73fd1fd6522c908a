import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { codeHash, extractCodeMetadata } from '../src/index.js';

describe('extractCodeMetadata', () => {
  it('reports length and hash of the whole code even when truncated', () => {
    const code = "open('a.txt', 'w')\n" + '#'.repeat(100) + "\nopen('b.txt', 'w')\n";
    const md = extractCodeMetadata(code, { language: 'python', maxScanChars: 50 });
    assert.equal(md.truncated, true);
    assert.equal(md.length, code.length);
    assert.equal(md.codeHash, codeHash(code));
    assert.deepEqual(md.filesWritten, ['a.txt']);
  });
  it('defaults maxScanChars to 1 000 000', () => {
    const big = "open('a.txt', 'w')\n" + ' '.repeat(1_000_000);
    assert.equal(extractCodeMetadata(big, { language: 'python' }).truncated, true);
    assert.equal(extractCodeMetadata(big.slice(0, 1_000_000), { language: 'python' }).truncated, undefined);
  });
  it('treats \\r\\n and \\r like \\n', () => {
    const md = extractCodeMetadata("import os\r\nfrom x import (a,\r\n b)\r\nopen('a.txt', 'w')\r", { language: 'python' });
    assert.deepEqual(md.imports, ['os', 'x']);
    assert.deepEqual(md.filesWritten, ['a.txt']);
  });
  it('deduplicates files and imports in first-seen order', () => {
    const md = extractCodeMetadata("import b\nimport a\nimport b\nopen('y.txt','w')\nopen('./y.txt','w')\nopen('x.txt','w')", { language: 'python' });
    assert.deepEqual(md.imports, ['b', 'a']);
    assert.deepEqual(md.filesWritten, ['y.txt', 'x.txt']);
  });
  it('caps list sizes at 1000', () => {
    const code = Array.from({ length: 1500 }, (_, i) => `open('f${i}.txt', 'w')`).join('\n');
    assert.equal(extractCodeMetadata(code, { language: 'python' }).filesWritten.length, 1000);
  });
  it('sniffs the language when none is given', () => {
    assert.equal(extractCodeMetadata('#!/bin/sh\necho hi > a.txt\n').language, 'shell');
    assert.deepEqual(extractCodeMetadata('#!/bin/sh\necho hi > a.txt\n').filesWritten, ['a.txt']);
  });
});
