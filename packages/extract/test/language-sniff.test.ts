import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { extractCodeMetadata, sniffLanguage } from '../src/index.js';
import { matchSignals, SIGNALS } from '../src/language-sniff.js';

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
    // Notebook cells and one-liners, as code tools named neither python nor bash (`execute_code`, `run_cell`) get them.
    ['print("Hello, World!")', 'python'],
    ['df.to_csv("clean.csv")', 'python'],
    ['plt.savefig("sales.png")', 'python'],
    ['x = 5\ny = x * 2\nprint(y)', 'python'],
    ['if __name__ == "__main__":\n    main()', 'python'],
    ['try:\n    run()\nexcept Exception:\n    pass', 'python'],
    ['for f in data/*.csv; do wc -l "$f" >> counts.txt; done', 'shell'],
    ['python analysis.py', 'shell'],
    ['python3 -c "print(1)"', 'shell'],
    ['wc -l *.py', 'shell'],
    // What the one-liner signals must not take: other languages (their own evidence), TOML, prose, Python assignments.
    ['library(ggplot2)\ndf <- read.csv("sales.csv")\nprint(summary(df))', 'unknown'],
    ['local f = io.open("out.txt", "w")\nf:write("hello")\nprint("done")', 'unknown'],
    ['require \'json\'\ndata = JSON.parse(File.read("config.json"))\nputs "ok"', 'unknown'],
    ['print("Enter name: ")\nname = gets.chomp\nFile.open("names.txt", "a") { |f| f.puts(name) }', 'unknown'],
    ['using CSV, DataFrames\ndf = CSV.read("data.csv", DataFrame)\nprint(first(df, 5))', 'unknown'],
    ['val df = spark.read.csv("data/input.csv")\ndf.show()', 'unknown'],
    ['[tool.poetry.dependencies]\npython = "^3.10"\npandas = "^2.0"', 'unknown'],
    ['if you want to run it locally, do the following:\ninstall the deps and start the server.', 'unknown'],
    ['python is a great language for data work', 'unknown'],
    ['wc = WordCloud(width=800).generate(text)\nwc.to_file("wordcloud.png")', 'unknown'],
  ];
  for (const [code, expected] of cases) {
    it(`${JSON.stringify(code.slice(0, 30))} → ${expected}`, () => assert.equal(sniffLanguage(code), expected));
  }
});

describe('sniffLanguage: unknown rather than wrong', () => {
  const cases: [string, string][] = [
    // Brace blocks (R, JavaScript, C-like): no Python, whatever `print(` says.
    ['if (x > 1) {\n  print("big")\n}', 'unknown'],
    ['for (i in 1:10) {\n  print(i)\n}', 'unknown'],
    ['for (let i = 0; i < 3; i++) {\n  print(i)\n}', 'unknown'],
    ['if (ok) print("a")\n} else {\n  print("b")\n}', 'unknown'],
    ['while (n > 0) {\n  print(n)\n  n = n - 1\n}', 'unknown'],
    ['function show(x) {\n  print(x)\n}\nshow(df.to_csv(x))', 'unknown'],
    // Makefiles and YAML (CI steps, compose files) run `python x.py` in their lines: they are no shell script.
    ['all:\n\tpython x.py', 'unknown'],
    ['train:\n\tpython train.py --epochs 3\n\ttouch done', 'unknown'],
    ['.PHONY: all\nall: data\n\tpython run.py', 'unknown'],
    ['CC = gcc\n\nbuild: main.c\n\tpython gen.py > out.c\n\t$(CC) out.c', 'unknown'],
    ['jobs:\n  build:\n    steps:\n      - run: |\n          pip install -r requirements.txt\n          python train.py', 'unknown'],
    ['# CI\n\nname: ci\non: push\njobs:\n  t:\n    steps:\n      - run: |\n          cd app && python -m pytest\n          bash build.sh', 'unknown'],
    ['- name: Plot\n  run: python -c "import matplotlib; plt.savefig(\'a.png\')"', 'unknown'],
    ['---\nservices:\n  app:\n    command: python app.py --port 80', 'unknown'],
    // What these rules must not take.
    ['if (x > 1) {\n  console.log("big")\n}', 'javascript'],
    ['import json\nfrom pathlib import Path\nJS = """\nif (ready) {\n  run()\n}\n"""\nPath("a.js").write_text(JS)', 'python'],
    ['d = {\n    "a": 1,\n}\nprint(d)', 'python'],
    ['try:\n    import yaml\nexcept ImportError:\n    pass', 'python'],
    ['else_branch = 1\nprint(else_branch)', 'python'],
    ['x: int = 5\nprint(x)', 'python'],
    ['cat > config.yaml <<EOF\nname: x\nsteps:\n  - a\nEOF\npython train.py --config config.yaml', 'shell'],
    ['python train.py\nhttps://example.org: see the logs', 'shell'],
    ['const fs = require("fs");\nswitch (k) {\ncase 1:\n\tgo();\ndefault:\n\tstop();\n}', 'javascript'],
    ['if x:\n\tprint(x)\nelse:\n\tprint(y)', 'python'],
  ];
  for (const [code, expected] of cases) {
    it(`${JSON.stringify(code.slice(0, 40))} → ${expected}`, () => assert.equal(sniffLanguage(code), expected));
  }
  it('brace blocks inside a Python triple-quoted string are text, no evidence against Python', () => {
    // Python writing a web page or a script without imports: `with open(…)` and `print(` only (was `unknown`).
    const page = 'html = """<html><script>\nfunction init() {\n  if (ready) {\n    go();\n  } else {\n    wait();\n  }\n}\n</script></html>"""\nwith open("index.html", "w") as f:\n    f.write(html)\nprint("Created index.html")\n';
    const js = "JS = '''\nfunction main() {\n  if (x > 1) {\n    console.log(x)\n  }\n}\n'''\nwith open('app.js', 'w') as f:\n    f.write(JS)\nprint('written')\n";
    for (const [code, file] of [[page, 'index.html'], [js, 'app.js']] as const) {
      assert.equal(sniffLanguage(code), 'python', code);
      assert.deepEqual(extractCodeMetadata(code, {}).filesWritten, [file]);
    }
    // Outside the string, the same lines still count; so do lines after it.
    assert.equal(sniffLanguage('s = """x"""\nif (x > 1) {\n  print("big")\n}\n'), 'unknown');
    assert.equal(sniffLanguage('if (ok) {\n  print("""a""")\n} else {\n  print("b")\n}\n'), 'unknown');
  });
  it('a Makefile given no language reports no files its recipes name', () => {
    const md = extractCodeMetadata('results.csv: data.csv\n\tpython clean.py data.csv > results.csv\n', {});
    assert.deepEqual([md.language, md.filesRead, md.filesWritten], ['unknown', [], []]);
  });
});

describe('a cell without a language', () => {
  it('is sniffed and its files extracted', () => {
    const cell = (code: string) => extractCodeMetadata(code, {});
    assert.deepEqual(cell('df.to_csv("clean.csv")').filesWritten, ['clean.csv']);
    assert.deepEqual(cell('plt.savefig("sales.png")').filesWritten, ['sales.png']);
    assert.deepEqual(cell('for f in data/*.csv; do wc -l "$f" >> counts.txt; done').filesWritten, ['counts.txt']);
  });
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

describe('sniffLanguage: line dispatch', () => {
  // What every signal meant when it was one regex tried at every position of the text:
  // line alternatives are `^[ \t]{0,64}` (multiline) followed by the pattern.
  const wholeText = SIGNALS.map((signal) => ({
    line: signal.line === undefined ? undefined : new RegExp(`^[ \\t]{0,64}(?:${signal.line.re.source})`, 'm'),
    text: signal.text?.map((t) => t.re) ?? [],
  }));
  function byWholeText(sample: string): boolean[] {
    return wholeText.map((s) => (s.line?.test(sample) ?? false) || s.text.some((re) => re.test(sample)));
  }
  function agrees(sample: string): boolean {
    const fast = matchSignals(sample);
    const slow = byWholeText(sample);
    const javascript = SIGNALS.some((s, i) => s.language === 'javascript' && slow[i]);
    return SIGNALS.every((s, i) => (s.language === 'typescript' && !javascript && s.line === undefined ? true : fast[i] === slow[i]));
  }
  const pieces = [
    'def', 'class', 'from', 'import', 'elif', 'except', 'with', 'for', 'print(', 'self.', 'None', '#!', 'python', 'sh', 'bash', 'node',
    '$', '$ ', 'cd', 'ls', 'apt-get', 'apt', 'pip', 'pip3', 'fi', 'done', 'do', 'then', 'if', 'while', '[', '[[', '&&', '||', '2>&1',
    'const', 'let', 'var', 'require(', "'", '"', 'function', '=>', 'console.log', 'module.exports', 'export', 'default', '===', ';',
    'interface', 'type', 'enum', '<T>', '=', '{', ':', 'string', 'as', 'x', 'A', '_y', '(', ')', '-', '.', ',', '#', 'np.',
    '}', '} else', 'else', 'elsewhere', 'switch', ') {',
    '\n', '\n', '\n', ' ', ' ', '\t', '  ', ' '.repeat(63), ' '.repeat(64), ' '.repeat(65), '\u2028', '\u2029', 'a'.repeat(300),
  ];
  it('finds what the whole-text regexes find, on text made of the signals’ own pieces', () => {
    fc.assert(fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 60 }), (parts) => agrees(parts.join(''))), { numRuns: 20_000 });
  });
  it('and on arbitrary text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 300 }), agrees), { numRuns: 5_000 });
  });
  it('counts a line start only after at most 64 spaces or tabs, after a `$ ` prompt, and after U+2028/U+2029', () => {
    const fromLine = SIGNALS.findIndex((s) => s.line?.words.includes('from'));
    const commands = SIGNALS.findIndex((s) => s.line?.words.includes('cd'));
    assert.equal(matchSignals(`${' '.repeat(64)}from a import b`)[fromLine], true);
    assert.equal(matchSignals(`${'\t'.repeat(65)}from a import b`)[fromLine], false);
    assert.equal(matchSignals('x = 1\u2028from a import b')[fromLine], true);
    assert.equal(matchSignals('x = 1 from a import b')[fromLine], false);
    assert.equal(matchSignals('$ ls -la')[commands], true);
    assert.equal(matchSignals('$  ls -la')[commands], false);
    assert.equal(matchSignals('lsof -i')[commands], false);
  });
  it('sniffs CRLF text like LF text', () => {
    const code = 'import os\r\nfor f in os.listdir("."):\r\n    print(f)\r\n';
    assert.equal(sniffLanguage(code), 'python');
    assert.equal(sniffLanguage('ls -la\r\ncd /tmp && cat a.txt\r\n'), 'shell');
  });
});
