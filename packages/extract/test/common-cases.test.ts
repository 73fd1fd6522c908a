/** Common agent code and messages the extractors once got wrong (found by review, 2026-12-04). */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { extractCodeMetadata, extractFileReferences, extractGeneratedFiles, extractMessageMetadata } from '../src/index.js';

it('a trigger word inside a name is no trigger: file.txt, outputs/fig.png, os.path.join, saved/model.pt', () => {
  for (const text of ['Open file.txt', 'Check output.csv', 'The chart is in outputs/fig.png', 'Run `python path/to/script.py`', 'Use `os.path.join`']) {
    assert.deepEqual(extractFileReferences(text), [], text);
  }
  assert.deepEqual(extractFileReferences('I saved the data to results.csv.'), ['results.csv']);
  assert.deepEqual(extractFileReferences('The file results.csv is ready'), ['results.csv']);
  assert.deepEqual(extractGeneratedFiles('Model checkpoint: saved/model.pt'), []);
  assert.deepEqual(extractGeneratedFiles('saved_model.pt written'), []);
  assert.deepEqual(extractGeneratedFiles('Saved to out.csv'), ['out.csv']);
});

it('Python: :memory: databases and SQL queries are no files', () => {
  const md = extractCodeMetadata(
    'import sqlite3, pandas as pd\ncon = sqlite3.connect(":memory:")\ndf = pd.read_sql("SELECT id, name FROM public.users", con)\nother = pd.read_csv("a.csv")\n',
    { language: 'python' },
  );
  assert.deepEqual(md.filesRead, ['a.csv']);
  assert.deepEqual(md.filesWritten, []);
});

it('shell: -e code of Rscript, ruby and perl is no script path; sed -i and perl -i write the files they edit', () => {
  const md = extractCodeMetadata(
    "Rscript -e \"install.packages('ggplot2')\"\nruby -e 'puts 1'\nperl -pi -e 's/a/b/' f.txt\nRscript analysis.R\nsed -i 's/a/b/' config.py\nsed -n 1p in.txt\n",
    { language: 'bash' },
  );
  assert.deepEqual(md.filesRead.sort(), ['analysis.R', 'config.py', 'f.txt', 'in.txt']);
  assert.deepEqual(md.filesWritten.sort(), ['config.py', 'f.txt']);
});

it('a value grown past any path by concatenation is unknown, and the rest of the code is still extracted', () => {
  for (const [language, code] of [
    ['python', "p = 'ab'\n" + 'p = p + p\n'.repeat(40) + "open(p, 'w')\nimport os\nopen('z.txt', 'w')\n"],
    ['bash', 'X=ab\n' + 'X=$X$X\n'.repeat(40) + 'echo hi > $X\necho hi > z.txt\n'],
  ] as const) {
    const md = extractCodeMetadata(code, { language });
    assert.deepEqual(md.filesWritten, ['z.txt'], language);
  }
});

it('JavaScript: a declared variable assigned again (=, +=) is followed; one assigned an unknown value is forgotten', () => {
  const js = (code: string) => extractCodeMetadata(code, { language: 'javascript' }).filesWritten;
  assert.deepEqual(js("let file = 'a.txt';\nfile = 'b.txt';\nfs.writeFileSync(file, '');"), ['b.txt']);
  assert.deepEqual(js("let out = 'results';\nout += '/final.json';\nfs.writeFileSync(out, '');"), ['results/final.json']);
  assert.deepEqual(js("var f = 'x.csv';\nfor (const g of names) { f = g + '.csv'; fs.writeFileSync(f, ''); }"), []);
  assert.deepEqual(js("const o = {};\nlet p = 'a.txt';\no.p = 'b.txt';\nfs.writeFileSync(p, '');"), ['a.txt'], 'a property is not the variable');
});

it('a fenced block indented in a list item loses the fence\'s indentation: the same code, the same hash', () => {
  const code = 'import pandas as pd\ndf = pd.read_csv("a.csv")\nif df.empty:\n    print("none")';
  const flat = extractMessageMetadata('Run this:\n```python\n' + code + '\n```\n');
  const listed = extractMessageMetadata('1. Run this:\n   ```python\n' + code.replace(/^/gm, '   ') + '\n   ```\n');
  assert.equal(listed.codeBlocks[0]?.code, code);
  assert.equal(flat.codeBlocks[0]?.code, code);
});
