import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import vm from 'node:vm';
import fc from 'fast-check';

/** The highlighter exactly as the report page gets it: the asset file, evaluated as a classic script. */
interface Highlighter {
  tokenize(text: string, language: string): [string, string][];
  highlight(text: string, language: string): string;
  languageOf(name: string): string | null;
  escapeHtml(text: string): string;
}
const source = readFileSync(new URL('../assets/highlight.js', import.meta.url), 'utf8');
const H = vm.runInNewContext(`${source}\nAgentspanHighlight`, {}) as Highlighter;

/** Tokens other than plain text, as plain arrays of this realm (the vm's arrays have another prototype). */
function tokens(code: string, language: string): [string, string][] {
  return JSON.parse(JSON.stringify(H.tokenize(code, language).filter((t) => t[0] !== 'plain')));
}

const LANGUAGES = ['python', 'shell', 'js', 'json', 'text'];

function unescapeHtml(html: string): string {
  return html
    .replace(/<span class="tok-[a-z]+">|<\/span>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

const codeLike = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.array(
    fc.constantFrom('def ', 'import ', '"', "'", '"""', '`', '#', '//', '/*', '*/', '$', '${', '$(', '@', '\\', '\n', ' ', '1.5e3', '0x1F', 'x', '(', '<', '>', '&', 'f"', "r'", 'print(', 'echo ', 'const ', '\u202e', '\u2066', '\u2069', '\u200f', 'שלום'),
    { maxLength: 40 },
  ).map((parts) => parts.join('')),
);

test('tokens always join back to the input, in every language', () => {
  fc.assert(
    fc.property(codeLike, fc.constantFrom(...LANGUAGES), (code, language) => {
      assert.equal(H.tokenize(code, language).map((t) => t[1]).join(''), code);
    }),
    { numRuns: 2000 },
  );
});

/** The bidi controls the report never shows (embeddings, overrides, isolates, marks). */
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

test('highlighted HTML is the escaped input, without its bidi controls, plus our spans, and nothing else', () => {
  fc.assert(
    fc.property(codeLike, fc.constantFrom(...LANGUAGES), (code, language) => {
      const html = H.highlight(code, language);
      assert.equal(unescapeHtml(html), code.replace(BIDI, ''));
      const withoutSpans = html.replace(/<span class="tok-[a-z]+">|<\/span>/g, '');
      assert.ok(!/[<>"']/.test(withoutSpans), `unescaped markup in ${JSON.stringify(html)}`);
    }),
    { numRuns: 2000 },
  );
});

test('python: keywords, builtins, strings (prefixed, triple-quoted), numbers, comments, decorators', () => {
  const found = tokens('@cache\ndef f(n):\n    """doc"""\n    return print(rb"x", 0x1F, 2.5)  # done\n', 'python');
  assert.deepEqual(found, [
    ['var', '@cache'],
    ['kw', 'def'],
    ['fn', 'f'],
    ['str', '"""doc"""'],
    ['kw', 'return'],
    ['bi', 'print'],
    ['str', 'rb"x"'],
    ['num', '0x1F'],
    ['num', '2.5'],
    ['com', '# done'],
  ]);
});

test('shell: variables, quotes, comments only at a word start', () => {
  const found = tokens('echo "$HOME" ${X} $(pwd) a#b # note', 'sh');
  assert.deepEqual(found, [
    ['bi', 'echo'],
    ['str', '"$HOME"'],
    ['var', '${X}'],
    ['var', '$('],
    ['bi', 'pwd'],
    ['com', '# note'],
  ]);
});

test('js/ts/json: comments, strings, template literals, keywords', () => {
  const found = tokens('const a = `t ${x}`; // c\n/* b */ if (a) return "s";', 'typescript');
  assert.deepEqual(found, [
    ['kw', 'const'],
    ['str', '`t ${x}`'],
    ['com', '// c'],
    ['com', '/* b */'],
    ['kw', 'if'],
    ['kw', 'return'],
    ['str', '"s"'],
  ]);
});

test('unterminated strings and comments end at the line or the input, never swallow the rest wrongly', () => {
  assert.deepEqual(tokens('x = "open\ny = 1', 'python'), [
    ['str', '"open'],
    ['num', '1'],
  ]);
  assert.deepEqual(tokens('/* never closed', 'js'), [['com', '/* never closed']]);
});

test('languageOf: names, aliases and file names', () => {
  assert.equal(H.languageOf('Python'), 'python');
  assert.equal(H.languageOf('bash'), 'shell');
  assert.equal(H.languageOf('results/summary.json'), 'js');
  assert.equal(H.languageOf('fib.py'), 'python');
  assert.equal(H.languageOf('notes.txt'), null);
  assert.equal(H.highlight('<b>', 'text'), '&lt;b&gt;');
});

test('escapeHtml and highlight drop bidi controls: recorded text cannot reorder the page around it (Trojan Source)', () => {
  const trojan = 'access = "user\u202e \u2066// admin only\u2069 \u2066"\nif access != "user": print("ok")';
  for (const language of LANGUAGES) {
    const html = H.highlight(trojan, language);
    assert.doesNotMatch(html, BIDI, language);
    assert.equal(unescapeHtml(html), trojan.replace(BIDI, ''), `${language}: the code in its logical order`);
  }
  assert.equal(H.escapeHtml('bot\u202e<b>\u2067x\u200f\u061c'), 'bot&lt;b&gt;x');
  assert.equal(H.escapeHtml('שלום مرحبا'), 'שלום مرحبا', 'right-to-left text itself is kept');
});
