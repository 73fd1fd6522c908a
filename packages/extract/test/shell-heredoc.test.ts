/**
 * Here-document bodies as bash reads them (`<<-` strips leading tabs; an
 * unquoted one joins lines at a backslash before the line end), checked
 * against bash itself on generated bodies.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { extractCodeMetadata } from '../src/index.js';
import { lexShell } from '../src/lexer-shell.js';
import { expandHeredoc } from '../src/shell-heredoc.js';
import { loadCorpus } from './corpus-loader.js';

const sh = (code: string) => extractCodeMetadata(code, { language: 'shell' });
const files = (code: string) => {
  const md = sh(code);
  return { imports: md.imports, written: md.filesWritten, read: md.filesRead };
};

/** The text the first here-document of `script` hands its command, as the extractor makes it (no variables set). */
function heredocText(script: string): string | undefined {
  let text: string | undefined;
  lexShell(script, (cmd) => {
    for (const r of cmd.redirects) {
      if (text === undefined && r.heredoc !== undefined) text = r.heredoc.quoted ? r.heredoc.body : expandHeredoc(r.heredoc.body, new Map());
    }
  });
  return text;
}

describe('here-documents: `<<-` strips leading tabs, as bash does', () => {
  it('tab-indented Python under `<<-` is read as the Python bash runs', () => {
    // The unclosed string makes the lexer resynchronise at a statement keyword in column 0: with the tabs
    // left in, `import numpy` never was in column 0 and was lost.
    const code = 'python3 - <<-EOF\n\tprint("this string never closes\n\timport numpy as np\n\tnp.save("recovered.npy", np.zeros(1))\n\tEOF\n';
    assert.deepEqual(files(code), { imports: ['numpy'], written: ['recovered.npy'], read: [] });
  });

  it('every Python snippet of the corpus, indented by a tab under `<<-`, gives what it gives alone', () => {
    // As a script indents a here-document: a tab before each line, the Python's own indentation in spaces.
    for (const c of loadCorpus()) {
      if ((c.language ?? c.sniffExpect) !== 'python' || /^\t*EOF$/m.test(c.code)) continue;
      const alone = extractCodeMetadata(c.code, { language: 'python' });
      const viaHeredoc = sh(`\tpython3 - <<-'EOF'\n${c.code.replace(/^(?=.)/gm, '\t')}\tEOF\n`);
      assert.deepEqual([viaHeredoc.imports, viaHeredoc.filesWritten, viaHeredoc.filesRead], [alone.imports, alone.filesWritten, alone.filesRead], c.name);
    }
  });

  it('Python nested with tabs is flattened, as bash hands it (Python refuses it: the extractor reads it as written)', () => {
    const flattened = extractCodeMetadata('for f in ["a.csv", "b.csv"]:\nopen(f, "w")\n', { language: 'python' });
    assert.deepEqual(sh('python3 - <<-EOF\n\tfor f in ["a.csv", "b.csv"]:\n\t\topen(f, "w")\n\tEOF\n').filesWritten, flattened.filesWritten);
  });

  it('an unquoted body joins a line ending in a backslash to the next before tabs are stripped, as bash does', () => {
    // Quoted: Python joins `"a\` and `b.csv"` itself (the tab stripped first): `ab.csv`.
    assert.deepEqual(sh('python3 - <<-\'EOF\'\n\topen("a\\\n\tb.csv", "w")\n\tEOF\n').filesWritten, ['ab.csv']);
    // Unquoted: bash joins the lines, keeping the second one's tab: Python opens `a<TAB>b.csv`, no file we report.
    assert.deepEqual(sh('python3 - <<-EOF\n\topen("a\\\n\tb.csv", "w")\n\tEOF\n').filesWritten, []);
    // A delimiter joined to the line before it ends nothing (bash reads `x = 1 EOF`).
    assert.deepEqual(sh('python3 - <<EOF\nx = 1 \\\nEOF\nopen("a.csv", "w")\nEOF\n').filesWritten, ['a.csv']);
  });

  it('property: the body matches what bash hands `cat`, for generated bodies and delimiters', () => {
    const bash = spawnSync('bash', ['-c', 'echo ok'], { encoding: 'utf8' }).stdout?.trim() === 'ok';
    if (!bash) assert.fail('bash not found');
    // Tabs, blanks, backslashes and the delimiter's letters: lines that are the delimiter after stripping, or not.
    const line = fc.array(fc.constantFrom('\t', '\t', ' ', 'a', 'EOF', 'E', '\\', '\\\\'), { maxLength: 6 }).map((p) => p.join(''));
    const form = fc.constantFrom('<<-EOF', "<<-'EOF'", '<<EOF', "<<'EOF'", '<<-"EOF"', '<<- EOF');
    fc.assert(
      fc.property(form, fc.array(line, { maxLength: 6 }), fc.nat(2), fc.constantFrom('closed', 'open', 'open, no last line end'), (op, lines, delimTabs, end) => {
        // `; exit` runs right after cat: the lines after a delimiter found early are never run by bash.
        const body = lines.join('\n') + (end === 'open, no last line end' ? '' : '\n');
        // A backslash ending `bash -c`'s string makes bash read past it (it writes a byte 0xFF): no reference there.
        fc.pre(!body.endsWith('\\'));
        const script = `cat ${op}; exit 0\n${body}${end === 'closed' ? '\t'.repeat(delimTabs) + 'EOF\n' : ''}`;
        const run = spawnSync('bash', ['-c', script], { encoding: 'utf8' });
        assert.equal(heredocText(script), run.stdout, JSON.stringify(script));
      }),
      { numRuns: 250 },
    );
  });

  it('property: several here-documents on one line, each body as bash hands it (review of 70ff91e)', () => {
    // Lines with blanks after the delimiter (`EOF `: no delimiter), carriage returns (a line `EOF\r` is none either;
    // `extractCodeMetadata` turns CRLF into LF before lexing, so this is the lexer's own behaviour), backslashes.
    const piece = fc.constantFrom('\t', ' ', 'a', 'EOF', 'X', '\\', '\\\\', '\r', 'EOF ', ' EOF');
    const line = fc.array(piece, { maxLength: 5 }).map((p) => p.join(''));
    const form = fc.constantFrom('<<EOF', '<<-EOF', "<<'EOF'", "<<-'EOF'", '<< EOF', '<<- EOF', '<<\\EOF', '<<E"O"F', '<<X', '<<-X');
    const SEP = '\x01';
    fc.assert(
      fc.property(fc.array(form, { minLength: 2, maxLength: 3 }), fc.array(fc.tuple(line, fc.constantFrom('\n', '\r\n')), { maxLength: 10 }), (ops, lines) => {
        const body = lines.map(([l, e]) => l + e).join('');
        // Each cat writes to descriptor 3; whatever bash runs after the bodies writes to /dev/null.
        const script = `exec 1>/dev/null 2>/dev/null\n${ops.map((o) => `>&3 cat ${o}`).join(`; >&3 printf '${SEP}'; `)}\n${body}`;
        fc.pre(!script.endsWith('\\'));
        const run = spawnSync('bash', ['-c', script], { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe', 'pipe'], cwd: tmpdir() });
        const bodies: string[] = [];
        lexShell(script, (cmd) => {
          for (const r of cmd.redirects) if (r.heredoc !== undefined) bodies.push(r.heredoc.quoted ? r.heredoc.body : expandHeredoc(r.heredoc.body, new Map()));
        });
        assert.equal(bodies.join(SEP), String(run.output[3] ?? ''), JSON.stringify(script));
      }),
      { numRuns: 150 },
    );
  });
});
