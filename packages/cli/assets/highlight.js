/*
 * agentspan report: a small syntax highlighter for Python, shell and
 * JavaScript/TypeScript/JSON. Inlined into the self-contained HTML report
 * (no external assets), and loaded by the CLI's tests in a Node `vm`.
 *
 * One linear pass per language: at each position the first matching rule
 * wins; anything no rule matches is plain text. Unterminated strings and
 * comments end at the end of the line (or of the input), so every input is
 * tokenised and the tokens always join back to the input.
 *
 * Token types: kw (keyword), bi (builtin), str, num, com (comment),
 * var (shell variable, decorator), fn (a name followed by "("), plain.
 */
var AgentspanHighlight = (function () {
  'use strict';

  function words(list) {
    var set = Object.create(null);
    list.split(' ').forEach(function (w) { set[w] = true; });
    return set;
  }

  var PY_KEYWORDS = words('False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield match case');
  var PY_BUILTINS = words('print len range open str int float bool list dict set tuple enumerate zip map filter sorted sum min max abs any all isinstance type super object input repr round format iter next reversed self cls Exception ValueError TypeError KeyError IndexError RuntimeError OSError FileNotFoundError');
  var SH_KEYWORDS = words('if then else elif fi for while until do done case esac in function return export local readonly declare set unset shift exit break continue source alias');
  var SH_BUILTINS = words('echo printf cd ls cat grep sed awk head tail wc sort uniq cut tr mkdir rm cp mv touch chmod find xargs test pwd python python3 pip pip3 node npm npx git curl wget tar jq env sudo');
  var JS_KEYWORDS = words('break case catch class const continue debugger default delete do else export extends finally for function if import in instanceof let new return super switch this throw try typeof var void while with yield async await of static get set from as interface type enum implements declare readonly public private protected abstract namespace keyof satisfies');
  var JS_BUILTINS = words('true false null undefined NaN Infinity console Math JSON Object Array String Number Boolean Promise Map Set Date RegExp Error Symbol BigInt require module exports process globalThis window document');

  var IDENT = /[A-Za-z_$][\w$]*/y;
  var SPACE = /\s+/y;
  var NUMBER = /(?:0[xX][\da-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][+-]?\d+)?)[jJnLl]?/y;

  function match(re, text, pos) {
    re.lastIndex = pos;
    var m = re.exec(text);
    return m && m[0].length > 0 ? m[0] : null;
  }

  /** A quoted string starting at pos: up to the closing quote, a newline, or the end. */
  function quoted(text, pos, quote, escapes, multiline) {
    var i = pos + 1;
    while (i < text.length) {
      var c = text.charAt(i);
      if (escapes && c === '\\') { i += 2; continue; }
      if (c === quote) return text.slice(pos, i + 1);
      if (c === '\n' && !multiline) return text.slice(pos, i);
      i++;
    }
    return text.slice(pos);
  }

  /** A delimited block (triple-quoted string, block comment) up to `close` or the end. */
  function block(text, pos, openLength, close) {
    var end = text.indexOf(close, pos + openLength);
    return end < 0 ? text.slice(pos) : text.slice(pos, end + close.length);
  }

  function lineComment(text, pos) {
    var end = text.indexOf('\n', pos);
    return end < 0 ? text.slice(pos) : text.slice(pos, end);
  }

  function isIdentChar(c) {
    return /[\w$]/.test(c);
  }

  function nextNonSpace(text, pos) {
    while (pos < text.length && (text.charAt(pos) === ' ' || text.charAt(pos) === '\t')) pos++;
    return text.charAt(pos);
  }

  /** One token at `pos` for Python, or null. */
  function python(text, pos) {
    var c = text.charAt(pos);
    if (c === '#') return ['com', lineComment(text, pos)];
    var prefix = /[rRbBuUfF]{0,2}(?=['"])/y;
    prefix.lastIndex = pos;
    var p = prefix.exec(text);
    var start = p ? pos + p[0].length : pos;
    var q = text.charAt(start);
    if ((q === '"' || q === "'") && (start === pos || !isIdentChar(text.charAt(pos - 1)))) {
      var triple = text.substr(start, 3);
      var raw = /[rR]/.test(text.slice(pos, start));
      var body = triple === q + q + q ? block(text, start, 3, triple) : quoted(text, start, q, !raw, false);
      return ['str', text.slice(pos, start) + body];
    }
    if (c === '@' && (pos === 0 || /\s/.test(text.charAt(pos - 1)))) {
      var deco = match(/@[\w.]+/y, text, pos);
      if (deco) return ['var', deco];
    }
    return null;
  }

  /** One token at `pos` for shell, or null. */
  function shell(text, pos) {
    var c = text.charAt(pos);
    if (c === '#' && (pos === 0 || /\s|;/.test(text.charAt(pos - 1)))) return ['com', lineComment(text, pos)];
    if (c === "'") return ['str', quoted(text, pos, "'", false, true)];
    if (c === '"') return ['str', quoted(text, pos, '"', true, true)];
    if (c === '$') {
      var v = match(/\$(?:\{[^}\n]*\}?|\(|[A-Za-z_]\w*|[0-9@*#?$!-])/y, text, pos);
      if (v) return ['var', v];
    }
    return null;
  }

  /** One token at `pos` for JavaScript, TypeScript and JSON, or null. */
  function js(text, pos) {
    var c = text.charAt(pos);
    var d = text.charAt(pos + 1);
    if (c === '/' && d === '/') return ['com', lineComment(text, pos)];
    if (c === '/' && d === '*') return ['com', block(text, pos, 2, '*/')];
    if (c === '"' || c === "'") return ['str', quoted(text, pos, c, true, false)];
    if (c === '`') return ['str', quoted(text, pos, '`', true, true)];
    return null;
  }

  var LANGS = {
    python: { rule: python, kw: PY_KEYWORDS, bi: PY_BUILTINS },
    shell: { rule: shell, kw: SH_KEYWORDS, bi: SH_BUILTINS },
    js: { rule: js, kw: JS_KEYWORDS, bi: JS_BUILTINS },
  };

  var ALIASES = {
    python: 'python', py: 'python', python3: 'python', ipython: 'python',
    shell: 'shell', sh: 'shell', bash: 'shell', zsh: 'shell', console: 'shell',
    js: 'js', javascript: 'js', mjs: 'js', cjs: 'js', jsx: 'js', ts: 'js', tsx: 'js', typescript: 'js', json: 'js', jsonl: 'js',
    node: 'js',
  };

  /** The highlighter for a language name or a file name/extension, or null. */
  function languageOf(name) {
    if (typeof name !== 'string' || name === '') return null;
    var key = name.toLowerCase();
    if (ALIASES[key]) return ALIASES[key];
    var dot = key.lastIndexOf('.');
    return dot >= 0 ? ALIASES[key.slice(dot + 1)] || null : null;
  }

  /** Splits `text` into [type, text] tokens whose texts join back to `text`. */
  function tokenize(text, language) {
    var lang = LANGS[languageOf(language) || ''];
    if (!lang || typeof text !== 'string') return [['plain', String(text)]];
    var tokens = [];
    var plainStart = -1;
    var pos = 0;
    function push(type, value) {
      if (plainStart >= 0) {
        tokens.push(['plain', text.slice(plainStart, pos)]);
        plainStart = -1;
      }
      tokens.push([type, value]);
      pos += value.length;
    }
    while (pos < text.length) {
      var t = lang.rule(text, pos);
      if (t && t[1].length > 0) { push(t[0], t[1]); continue; }
      var c = text.charAt(pos);
      var prev = pos > 0 ? text.charAt(pos - 1) : '';
      if (/[A-Za-z_$]/.test(c) && !isIdentChar(prev)) {
        var id = match(IDENT, text, pos);
        var type = lang.kw[id] ? 'kw' : lang.bi[id] ? 'bi' : nextNonSpace(text, pos + id.length) === '(' ? 'fn' : null;
        if (type) { push(type, id); continue; }
        if (plainStart < 0) plainStart = pos;
        pos += id.length;
        continue;
      }
      if (/[0-9.]/.test(c) && !isIdentChar(prev)) {
        var n = match(NUMBER, text, pos);
        if (n && /\d/.test(n)) { push('num', n); continue; }
      }
      var ws = match(SPACE, text, pos);
      if (plainStart < 0) plainStart = pos;
      pos += ws ? ws.length : 1;
    }
    if (plainStart >= 0) tokens.push(['plain', text.slice(plainStart)]);
    return tokens;
  }

  var ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
  /*
   * Bidi controls (embeddings, overrides, isolates, marks) are dropped: in HTML an
   * unterminated override is not closed by the end of its element, so one in an
   * agent name reversed the rest of its row and of the panel's lines, and code
   * with them reads otherwise than it runs (Trojan Source). The terminal output
   * drops the same set; right-to-left text itself is kept.
   */
  var BIDI_CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
  function escapeHtml(text) {
    return String(text).replace(BIDI_CONTROLS, '').replace(/[&<>"']/g, function (ch) { return ESCAPES[ch]; });
  }

  /** Longest input highlighted; longer text is escaped only (a person does not read 500 KB of colour). */
  var MAX_HIGHLIGHT = 200000;

  /** HTML for `text`: escaped, with `<span class="tok-…">` around tokens. */
  function highlight(text, language) {
    var s = typeof text === 'string' ? text : String(text);
    if (s.length > MAX_HIGHLIGHT || !languageOf(language)) return escapeHtml(s);
    var out = '';
    var tokens = tokenize(s, language);
    for (var i = 0; i < tokens.length; i++) {
      var tok = tokens[i];
      out += tok[0] === 'plain' ? escapeHtml(tok[1]) : '<span class="tok-' + tok[0] + '">' + escapeHtml(tok[1]) + '</span>';
    }
    return out;
  }

  return { tokenize: tokenize, highlight: highlight, languageOf: languageOf, escapeHtml: escapeHtml };
})();
