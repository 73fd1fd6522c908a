import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { extractCodeMetadata, sniffLanguage } from '../src/index.js';

describe('sniffLanguage', () => {
  const cases: [string, string][] = [
    ['import numpy as np\nx = np.zeros(3)\nprint(x)\n', 'python'],
    ['def f(x):\n    return x + 1\n', 'python'],
    ['#!/usr/bin/env python3\nprint("hi")\n', 'python'],
    ['from scipy import stats\n', 'python'],
    ['#!/bin/bash\necho hi\n', 'shell'],
    ['ls -la\ncd /tmp && cat a.txt\n', 'shell'],
    ['pip install numpy\npython run.py > log.txt 2>&1\n', 'shell'],
    ['const fs = require("fs");\nfs.writeFileSync("a", "b");\n', 'javascript'],
    ["import x from 'y';\nexport default function f() { return 1; }\n", 'javascript'],
    ['interface A { x: number }\nconst a: A = { x: 1 };\n', 'typescript'],
    ["import type { T } from 'm';\nexport const f = (x: string): number => x.length;\n", 'typescript'],
    ['', 'unknown'],
    ['hello world', 'unknown'],
  ];
  for (const [code, expected] of cases) {
    it(`${JSON.stringify(code.slice(0, 30))} → ${expected}`, () => assert.equal(sniffLanguage(code), expected));
  }
});

describe('language option', () => {
  it('normalises aliases', () => {
    const expect: Record<string, string> = { py: 'python', Python3: 'python', bash: 'shell', sh: 'shell', zsh: 'shell', js: 'javascript', node: 'javascript', ts: 'typescript', tsx: 'typescript' };
    for (const [given, lang] of Object.entries(expect)) assert.equal(extractCodeMetadata('x', { language: given }).language, lang, given);
  });
  it('keeps other given languages (and extracts nothing), sniffs when blank', () => {
    const md = extractCodeMetadata("import os\nopen('a.txt', 'w')", { language: 'R' });
    assert.deepEqual([md.language, md.imports, md.filesWritten], ['r', [], []]);
    assert.equal(extractCodeMetadata('import os\n', { language: '  ' }).language, 'python');
  });
  it('keeps a language named like a member of Object.prototype as a plain string', () => {
    for (const given of ['constructor', '__proto__', 'toString']) {
      assert.equal(extractCodeMetadata('x', { language: given }).language, given.toLowerCase(), given);
    }
  });
});
