import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { extractCodeMetadata } from '../src/index.js';

const sh = (code: string) => extractCodeMetadata(code, { language: 'shell' });

describe('shell files', () => {
  const cases: [string, string, string[], string[]][] = [
    ['>', 'echo hi > a.txt', ['a.txt'], []],
    ['>>', 'echo hi >> a.txt', ['a.txt'], []],
    ['no space', 'echo hi >a.txt', ['a.txt'], []],
    ['2>&1 is not a file', 'cmd > out.log 2>&1', ['out.log'], []],
    ['>/dev/null', 'cmd >/dev/null 2>&1', [], []],
    ['2> file', 'cmd 2> err.txt', ['err.txt'], []],
    ['&>', 'cmd &> all.log', ['all.log'], []],
    ['< file', 'wc -l < in.txt', [], ['in.txt']],
    ['tee', 'cmd | tee out.txt', ['out.txt'], []],
    ['tee -a several', 'cmd | tee -a a.log b.log', ['a.log', 'b.log'], []],
    ['cp', 'cp a.txt b.txt', ['b.txt'], ['a.txt']],
    ['cp many into dir', 'cp a.txt b.txt out/', ['out/a.txt', 'out/b.txt'], ['a.txt', 'b.txt']],
    ['cp -r skipped', 'cp -r src dst', [], []],
    ['mv', 'mv a.tmp a.txt', ['a.txt'], ['a.tmp']],
    ['touch', 'touch a.txt b/c.txt', ['a.txt', 'b/c.txt'], []],
    ['mkdir is not a file', 'mkdir -p out/figures', [], []],
    ['curl -o', 'curl -sL -o data.csv https://x.org/d', ['data.csv'], []],
    ['curl --output', 'curl --output data.csv https://x.org/d', ['data.csv'], []],
    ['curl -O', 'curl -O https://x.org/files/table.csv', ['table.csv'], []],
    ['wget -O', 'wget -O m.h5 https://x.org/m', ['m.h5'], []],
    ['wget -O -', 'wget -O - https://x.org/m | tar x', [], []],
    ['wget url name', 'wget https://x.org/f/cat.fits', ['cat.fits'], []],
    ['wget -qO- (bundled, stdout)', 'wget -qO- https://x.org/install.sh | bash', [], []],
    ['wget -qO file (bundled)', 'wget -qO /tmp/a.zip https://x.org/a.zip', ['/tmp/a.zip'], []],
    ['wget -qP dir (bundled)', 'wget -qP data https://x.org/b.csv', ['data/b.csv'], []],
    ['wget -qOfile (bundled, joined)', 'wget -qOm.h5 https://x.org/m', ['m.h5'], []],
    ['wget -e value, -nv', 'wget -nv -e robots=off https://x.org/d.csv', ['d.csv'], []],
    ['grep -r: directories, not files read', 'grep -rn TODO src/ && grep -R --include=*.py x lib', [], []],
    ['uv run python', 'uv run --with pandas python analyse.py', [], ['analyse.py']],
    ['uv run script', 'uv run main.py', [], ['main.py']],
    ['uv run value options', 'uv run --with-editable . python x.py\nuv run --extra-index-url https://x.org/simple --only-group dev python y.py', [], ['x.py', 'y.py']],
    ['conda run -n', 'conda run -n env python train.py > log.txt', ['log.txt'], ['train.py']],
    ['poetry/pipenv run', 'poetry run python app.py\npipenv run python -m pytest', [], ['app.py']],
    ['cat', 'cat a.txt b.txt', [], ['a.txt', 'b.txt']],
    ['source', 'source env.sh\n. ./other.sh', [], ['env.sh', 'other.sh']],
    ['head -n', 'head -n 5 big.csv', [], ['big.csv']],
    ['grep pattern first', "grep -v '^#' a.ini", [], ['a.ini']],
    ['grep -e', 'grep -e foo a.txt b.txt', [], ['a.txt', 'b.txt']],
    ['tar create', 'tar -czf out.tgz results/', ['out.tgz'], []],
    ['tar extract', 'tar xzf in.tgz', [], ['in.tgz']],
    ['python script', 'python3 run.py --x 1', [], ['run.py']],
    ['python -m', 'python -m pytest tests/', [], []],
    ['quoted >', 'echo "a > b" > c.txt', ['c.txt'], []],
    ['comment', '# cat x.txt > y.txt\necho ok', [], []],
    ['variables', 'OUT=res\necho x > "$OUT/a.txt"\necho y > ${OUT}/b.txt', ['res/a.txt', 'res/b.txt'], []],
    ['unknown variable', 'echo x > "$HOME/a.txt"', [], []],
    ['command substitution', 'echo x > "out_$(date).txt"', [], []],
    ['glob', 'cat *.csv > all.csv', ['all.csv'], []],
    ['heredoc body is not code', "cat > a.yaml <<'EOF'\nx: 1 > b.txt\ncat c.txt\nEOF\n", ['a.yaml'], []],
    ['heredoc <<- with tabs', 'cat <<-EOT > a.txt\n\tcat b.txt\n\tEOT\ncat c.txt\n', ['a.txt'], ['c.txt']],
    ['heredoc into python', "python3 - <<'PY'\nopen('p.txt', 'w')\nPY\n", ['p.txt'], []],
    ['python -c', 'python -c "import json; json.dump({}, open(\'j.json\', \'w\'))"', ['j.json'], []],
    ['bash -c', "bash -c 'echo hi > inner.txt'", ['inner.txt'], []],
    ['sudo/time prefixes', 'sudo tee /etc/x.conf < x.conf\ntime python b.py > t.txt', ['/etc/x.conf', 't.txt'], ['x.conf', 'b.py']],
    ['line continuation', 'python a.py \\\n  --x 1 \\\n  > a.log', ['a.log'], ['a.py']],
    ['fd and operators', 'cmd 12> e.log 3< in.txt >| f.txt &>> g.txt <> h.txt; b >&2', ['e.log', 'f.txt', 'g.txt', 'h.txt'], ['in.txt', 'h.txt']],
    ['five digits are a word', 'cat 12345> a.txt', ['a.txt'], ['12345']],
    ['quoted command name and braces', '{ "cat" a.txt; } > o.txt\n\'\'cat b.txt', ['o.txt'], ['a.txt', 'b.txt']],
    ['ANSI-C quoting', "echo > $'a\\tb.txt'\necho > $'c.txt'", ['c.txt'], []],
    ['Object.prototype names are not modelled commands', 'toString script.txt\nconstructor a.txt > b.txt', ['b.txt'], []],
    ['versioned python and env wrapper', 'env A=1 python3.11 run.py\n/usr/bin/sudo -E cat /etc/x.conf', [], ['run.py', '/etc/x.conf']],
  ];
  for (const [name, code, written, read] of cases) {
    it(name, () => {
      const md = sh(code);
      assert.deepEqual(md.filesWritten, written, 'written');
      assert.deepEqual(md.filesRead, read, 'read');
    });
  }
  it('substitutes known variables into an unquoted here-document, as bash does, and none into a quoted one', () => {
    const cases: [string, string[]][] = [
      ['F=out.csv; python - <<EOF\nopen("$F","w")\nEOF\n', ['out.csv']],
      ['D=runs\npython3 <<EOF\nimport pandas as pd\npd.read_csv("${D}/in.csv").to_csv("$D/out.csv")\nEOF\n', ['runs/out.csv']],
      ['export F=a.txt\nnode <<EOF\nrequire("fs").writeFileSync("$F", "x")\nEOF\n', ['a.txt']],
      ['F=a.txt\nbash <<EOF\necho x > $F\nEOF\n', ['a.txt']],
      // Quoted delimiters (any part quoted or escaped): the body is passed as written.
      ["F=out.csv\npython - <<'EOF'\nopen(\"$F\",\"w\")\nEOF\n", []],
      ['F=out.csv\npython - <<"EOF"\nopen("$F","w")\nEOF\n', []],
      ['F=out.csv\npython - <<\\EOF\nopen("$F","w")\nEOF\n', []],
      ["bash <<'EOF'\nG=b.txt\necho x > $G\nEOF\n", ['b.txt']],
      // Unquoted: an escaped `$` is a `$`; what the outer shell does not know is unknown, also to an inner
      // shell (it expanded `$G` before the inner one ran) and to a JS template (bash took its `${x}`, and
      // its backquotes for a command substitution).
      ['F=out.csv\npython - <<EOF\nopen("\\$F","w")\nEOF\n', []],
      ['python - <<EOF\nopen("$HOME/a.csv","w")\nopen("${OUT:-b.csv}","w")\nopen("$1.csv","w")\nEOF\n', []],
      ['bash <<EOF\nG=b.txt\necho x > $G\necho y > "${G}"\nEOF\n', []],
      ["node <<EOF\nconst x = 'a.txt'\nrequire('fs').writeFileSync(`${x}`, '')\nrequire('fs').writeFileSync(`b.txt`, '')\nEOF\n", []],
      ["node <<'EOF'\nconst x = 'a.txt'\nrequire('fs').writeFileSync(`${x}`, '')\nEOF\n", ['a.txt']],
      // A backslash before a line end joins the lines.
      ['F=o.csv\npython - <<EOF\nopen("$F", \\\n"w")\nEOF\n', ['o.csv']],
    ];
    for (const [code, written] of cases) assert.deepEqual(sh(code).filesWritten, written, code);
  });
  it('an expansion of a here-document the shell does not evaluate (`${F:-x}`, `${#F}`) hides none of the commands after it from an inner bash', () => {
    // Written as an unclosed `$(`, it made the inner bash read the rest of the script as one command substitution.
    const cases: [string, string[], string[]][] = [
      ['bash <<EOF\ncp "${SRC:-in.csv}" backup.csv\necho done > out.txt\nEOF\n', ['backup.csv', 'out.txt'], []],
      ['bash <<EOF\ncp ${SRC:-in.csv} backup.csv\necho done > out.txt\nEOF\n', ['backup.csv', 'out.txt'], []],
      ['sh <<EOF\necho "${#A}" > n.txt\necho ${A%.csv} > a.txt\necho ${A:-${B}} > b.txt\ncat in.txt > c.txt\nEOF\n', ['n.txt', 'a.txt', 'b.txt', 'c.txt'], ['in.txt']],
      // Still unknown itself, in any language.
      ['F=a.csv\nbash <<EOF\necho x > ${F:-b.csv}\necho x > "${F%.csv}.txt"\nEOF\n', [], []],
      ['python - <<EOF\nopen("${OUT:-b.csv}", "w")\nopen("c.csv", "w")\nEOF\n', ['c.csv'], []],
    ];
    for (const [code, written, read] of cases) assert.deepEqual([sh(code).filesWritten, sh(code).filesRead], [written, read], code);
  });
  it('property: after any `${…}` expansion in a here-document fed to bash, the next command is read', () => {
    const op = fc.constantFrom(':-', '-', ':=', ':+', '%', '%%', '#', '##', '/', '//', '^^', ',,'); // each valid in bash with any word
    const word = fc.stringMatching(/^[a-z0-9._]{0,6}$/);
    fc.assert(
      fc.property(op, word, fc.boolean(), fc.boolean(), (o, w, nested, quoted) => {
        const inner = nested ? `\${G${o}${w}}` : w;
        const ref = `\${F${o}${inner}}`;
        const code = `bash <<EOF\necho ${quoted ? `"${ref}"` : ref}\necho y > next.txt\nEOF\n`;
        assert.deepEqual(sh(code).filesWritten, ['next.txt'], code);
      }),
    );
  });
  it('property: a known variable reaches the python of an unquoted here-document only, in any of its forms', () => {
    const name = fc.stringMatching(/^[A-Z_][A-Z0-9_]{0,8}$/);
    const file = fc.stringMatching(/^[a-z][a-z0-9_]{0,8}\.(csv|json|txt)$/);
    fc.assert(
      fc.property(name, file, fc.constantFrom("'EOF'", '"EOF"', 'EOF', '-EOF'), fc.boolean(), (n, f, delim, braced) => {
        const ref = braced ? `\${${n}}` : `$${n}`;
        const code = `${n}=${f}\npython3 - <<${delim}\nopen("${ref}", "w")\nEOF\n`;
        assert.deepEqual(sh(code).filesWritten, /['"]/.test(delim) ? [] : [f], code);
      }),
    );
  });
  it('reports python imports from embedded python only', () => {
    assert.deepEqual(sh("python -c 'import numpy'\npip install pandas\n").imports, ['numpy']);
  });
});

describe('a here-document piped into an interpreter reading its program from standard input', () => {
  const files = (code: string) => {
    const md = sh(code);
    return { imports: md.imports, written: md.filesWritten, read: md.filesRead };
  };
  it('is analysed in the interpreter\'s language, as `python3 - <<EOF` is', () => {
    const cases: [string, string[], string[], string[]][] = [
      ['cat <<EOF | python3 -\nimport os\nopen("a.csv", "w")\nEOF\n', ['os'], ['a.csv'], []],
      ["cat <<'EOF' | python -\nimport pandas as pd\npd.read_csv('in.csv')\nEOF\n", ['pandas'], [], ['in.csv']],
      ['cat <<EOF | python3\nopen("a.csv", "w")\nEOF\n', [], ['a.csv'], []],
      ["cat << 'JS' | node -\nrequire('fs').writeFileSync('o.json', '{}')\nJS\n", ['fs'], ['o.json'], []],
      ["cat <<'SH' | bash\necho hi > s.txt\nSH\n", [], ['s.txt'], []],
      ["cat <<'SH' | bash -s -- arg\necho hi > s.txt\nSH\n", [], ['s.txt'], []],
      ['cat - <<EOF 2>/dev/null | sudo python3 -\nopen("a.csv", "w")\nEOF\n', [], ['a.csv'], []],
      // `|&` pipes standard error too; a pipe at the line's end goes on after the body, as bash reads it.
      ['cat <<EOF |& python3 -\nopen("a.csv", "w")\nEOF\n', [], ['a.csv'], []],
      ['cat <<EOF |\nopen("a.csv", "w")\nEOF\npython3 -\n', [], ['a.csv'], []],
    ];
    for (const [code, imports, written, read] of cases) assert.deepEqual(files(code), { imports, written, read }, code);
  });
  it('is expanded first when its delimiter is unquoted', () => {
    assert.deepEqual(sh('F=out.csv\ncat <<EOF | python3 -\nopen("$F", "w")\nEOF\n').filesWritten, ['out.csv']);
    assert.deepEqual(sh('F=out.csv\ncat <<\'EOF\' | python3 -\nopen("$F", "w")\nEOF\n').filesWritten, []);
  });
  it('is data where the interpreter reads no program from it', () => {
    const cases: [string, string[], string[]][] = [
      // A script or inline code: the piped text is its input.
      ['cat <<EOF | python3 run.py\nopen("x.txt", "w")\nEOF\n', [], ['run.py']],
      ["cat <<EOF | python3 -c 'print(1)'\nopen(\"x.txt\", \"w\")\nEOF\n", [], []],
      ['cat <<EOF | python3 -m json.tool\nopen("x.txt", "w")\nEOF\n', [], []],
      // Not into the interpreter: another command between, not a pipe, standard input or output redirected.
      ['cat <<EOF | grep open | python3 -\nopen("x.txt", "w")\nEOF\n', [], []],
      ['cat <<EOF || python3 -\nopen("x.txt", "w")\nEOF\n', [], []],
      ['cat <<EOF; python3 -\nopen("x.txt", "w")\nEOF\n', [], []],
      // A pipe after a group or subshell belongs to it, not to the `cat` after it (review of 70ff91e).
      ['(echo) | cat <<EOF\nopen("x.txt", "w")\nEOF\npython3 -\n', [], []],
      ['cat <<EOF | python3 - < job.py\nopen("x.txt", "w")\nEOF\n', [], ['job.py']],
      ['cat <<EOF >log.txt | python3 -\nopen("x.txt", "w")\nEOF\n', ['log.txt'], []],
      // `cat FILE` (and `cat -n`) do not pass the body as it is.
      ['cat -n <<EOF | python3 -\nopen("x.txt", "w")\nEOF\n', [], []],
      ['cat head.py <<EOF | python3 -\nopen("x.txt", "w")\nEOF\n', [], ['head.py']],
    ];
    for (const [code, written, read] of cases) assert.deepEqual([sh(code).filesWritten, sh(code).filesRead], [written, read], code);
  });
  it('a here-document straight into an interpreter is code only where the program comes from standard input', () => {
    // `python3 run.py <<EOF`: the body is run.py's input (before, it was read as Python).
    assert.deepEqual(files('python3 run.py <<EOF\nopen("x.txt", "w")\nEOF\n'), { imports: [], written: [], read: ['run.py'] });
    // Only standard input's: a here-document on another descriptor, or one a later `<` replaces, is data.
    assert.deepEqual(sh('python3 - 3<<X <<EOF\nopen("x.txt", "w")\nX\nopen("y.txt", "w")\nEOF\n').filesWritten, ['y.txt']);
    assert.deepEqual(sh('python3 - <<EOF < job.py\nopen("x.txt", "w")\nEOF\n').filesWritten, []);
    // A here-document on descriptor 3 after standard input's is not standard input (review of 70ff91e).
    assert.deepEqual(sh('python3 - <<EOF 3<<X\nopen("y.txt", "w")\nEOF\nopen("x.txt", "w")\nX\n').filesWritten, ['y.txt']);
    // An option's value is no script: the program is still standard input.
    assert.deepEqual(files('python3 -W ignore -X utf8 - <<EOF\nopen("x.txt", "w")\nEOF\n'), { imports: [], written: ['x.txt'], read: [] });
    assert.deepEqual(files("node --require ts-node/register - <<'EOF'\nrequire('fs').writeFileSync('o.txt', '')\nEOF\n"), { imports: ['fs'], written: ['o.txt'], read: [] });
    assert.deepEqual(files('bash -o pipefail <<EOF\necho > s.txt\nEOF\n'), { imports: [], written: ['s.txt'], read: [] });
    assert.deepEqual(files('python3 -W ignore run.py\n'), { imports: [], written: [], read: ['run.py'] });
    // bash's `-e` is errexit, not code: `bash -e <<EOF` runs the here-document, `bash -e x.sh` the script.
    assert.deepEqual(files('bash -e <<EOF\necho > s.txt\nEOF\nbash -e run.sh\n'), { imports: [], written: ['s.txt'], read: ['run.sh'] });
    // `bash -s ARGS`: the operands are arguments, the program is standard input.
    assert.deepEqual(files('bash -s out.txt <<\'EOF\'\necho hi > "$1"\necho hi > b.txt\nEOF\n'), { imports: [], written: ['b.txt'], read: [] });
  });
});

describe('an interpreter\'s arguments, read as the interpreter reads them (review of 70ff91e)', () => {
  const files = (code: string) => {
    const md = sh(code);
    return { imports: md.imports, written: md.filesWritten, read: md.filesRead };
  };
  const PY = 'import numpy\nopen("o.csv", "w")\n';
  const pyFound = { imports: ['numpy'], written: ['o.csv'], read: [] };
  it('`-` is the program from standard input; the words after it are its arguments, no script', () => {
    // `python - arg`: sys.argv is ['-', 'arg']; before, `arg` was read as the script and the here-document lost.
    assert.deepEqual(files(`python - arg <<EOF\n${PY}EOF\n`), pyFound);
    assert.deepEqual(files(`python3 -u - --out x.csv <<'EOF'\n${PY}EOF\n`), pyFound);
    assert.deepEqual(files(`cat <<'EOF' | python3 - arg\n${PY}EOF\n`), pyFound);
    assert.deepEqual(files(`python3 -- - arg <<'EOF'\n${PY}EOF\n`), pyFound);
    assert.deepEqual(files("node - a b <<'EOF'\nrequire('fs').writeFileSync('o.txt', '')\nEOF\n"), { imports: ['fs'], written: ['o.txt'], read: [] });
    // bash reads `-` as `--`: the next word is its script.
    assert.deepEqual(files('bash - run.sh <<EOF\necho > s.txt\nEOF\n'), { imports: [], written: [], read: ['run.sh'] });
    // `/dev/stdin` as the script is standard input too (python, bash).
    assert.deepEqual(files(`python3 /dev/stdin <<'EOF'\n${PY}EOF\n`), pyFound);
    assert.deepEqual(files('bash /dev/stdin <<EOF\necho > s.txt\nEOF\n'), { imports: [], written: ['s.txt'], read: [] });
  });
  it('short options run together are each read: bash `-euo pipefail`, `-lc CODE`; python `-uc CODE`, `-uW ignore`', () => {
    // `o` takes the next word wherever it is in the cluster: `pipefail` is no script (before: read as one, the body lost).
    assert.deepEqual(files('bash -euo pipefail <<EOF\necho > s.txt\nEOF\n'), { imports: [], written: ['s.txt'], read: [] });
    assert.deepEqual(files('bash -oe pipefail <<EOF\necho > s.txt\nEOF\n'), { imports: [], written: ['s.txt'], read: [] });
    assert.deepEqual(files('bash -euxo pipefail run.sh\nbash -O extglob +x other.sh\n'), { imports: [], written: [], read: ['run.sh', 'other.sh'] });
    // `c` in a cluster: the first operand is the code (`bash -lc '…'`, as Codex runs every command).
    assert.deepEqual(files("bash -lc 'python train.py > log.txt'\nsh -ec 'echo > a.txt'\nbash -c -x 'echo > b.txt'\n"), { imports: [], written: ['log.txt', 'a.txt', 'b.txt'], read: ['train.py'] });
    assert.deepEqual(files("bash -o pipefail -c 'echo > d.txt'\nbash -es < job.sh\n"), { imports: [], written: ['d.txt'], read: ['job.sh'] });
    // Python: `-uc CODE`, the code attached (`-c'…'`), `-uW ignore -`, `-Wignore`; `-um` is a module.
    assert.deepEqual(files("python3 -uc 'import numpy'\npython3 -c'import pandas'\npython3 -um http.server\n"), { imports: ['numpy', 'pandas'], written: [], read: [] });
    assert.deepEqual(files(`python3 -uW ignore - <<'EOF'\n${PY}EOF\npython3 -Wignore -X utf8 run.py\n`), { imports: ['numpy'], written: ['o.csv'], read: ['run.py'] });
    // node: `-pe CODE` is `--print --eval CODE` (before: the code was read as a script's name).
    assert.deepEqual(files("node -pe \"require('fs').readFileSync('a.json')\"\nnode --eval=\"require('os')\"\n"), { imports: ['fs', 'os'], written: [], read: ['a.json'] });
  });
  it('`uv run -` runs Python from standard input; `sudo -u USER` is a wrapper with a value', () => {
    assert.deepEqual(files(`uv run - <<'EOF'\n${PY}EOF\n`), pyFound);
    assert.deepEqual(files(`uv run --with numpy - <<'EOF'\n${PY}EOF\n`), pyFound);
    assert.deepEqual(files(`sudo -u bob python3 - <<'EOF'\n${PY}EOF\n`), pyFound);
    assert.deepEqual(files('sudo -u postgres cp a.sql /tmp/b.sql\nnice -n 10 python3 run.py\ntimeout -s KILL 60 python3 t.py\n'), { imports: [], written: ['/tmp/b.sql'], read: ['a.sql', 'run.py', 't.py'] });
  });
  it('code run in a container or on another host (`docker exec`, `ssh`) is not analysed: its files are not this machine\'s', () => {
    for (const cmd of ['docker exec -i c python -', 'ssh host python3 -', 'kubectl exec -i pod -- python -']) {
      assert.deepEqual(files(`${cmd} <<'EOF'\n${PY}EOF\n`), { imports: [], written: [], read: [] }, cmd);
      assert.deepEqual(files(`cat <<'EOF' | ${cmd}\n${PY}EOF\n`), { imports: [], written: [], read: [] }, cmd);
    }
  });
});

describe('JavaScript runtimes\' arguments, read as each runtime reads them (deno, bun, ts-node, tsx, npx)', () => {
  const files = (code: string) => {
    const md = sh(code);
    return { imports: md.imports, written: md.filesWritten, read: md.filesRead };
  };
  const WRITE = "require('fs').writeFileSync('o.txt', 'x')";
  const wrote = { imports: ['fs'], written: ['o.txt'], read: [] };
  const reads = (...read: string[]) => ({ imports: [], written: [], read });
  it('deno: `run`/`serve` run the script; `eval` runs its first operand; options with a value skip it', () => {
    // Permission flags take a value only after `=` (clap's require_equals): the next word is the script.
    assert.deepEqual(files('deno run --allow-read script.ts\ndeno run -A main.ts\ndeno run -RW --allow-net=x.org b.ts\ndeno main2.ts'), reads('script.ts', 'main.ts', 'b.ts', 'main2.ts'));
    assert.deepEqual(files('deno run --allow-read data.csv main.ts'), reads('data.csv'));
    // `-c`/`--config`, `--import-map`, `--lock`, `--cert`, `--env-file=`: not the script (before: deno.json was read as it).
    // The env file is read too (test/shell-runtimes.test.ts; before 2026-12-07, late, it was not reported).
    assert.deepEqual(files('deno run -c deno.json main.ts\ndeno run --config deno.json --import-map map.json --cert ca.pem a.ts\ndeno run --lock deno.lock --env-file=.env b.ts\ndeno serve --port 8000 srv.ts'), reads('main.ts', 'a.ts', '.env', 'b.ts', 'srv.ts'));
    // `deno eval CODE` (before: `eval` was read as a script named so and the code lost).
    assert.deepEqual(files(`deno eval "Deno.writeTextFileSync('out.txt', 'x')"`), { imports: [], written: ['out.txt'], read: [] });
    assert.deepEqual(files(`deno eval -p --ext=ts "${WRITE}"\ndeno eval --ext ts "${WRITE}"`), wrote);
    assert.deepEqual(files(`deno run - <<'EOF'\n${WRITE}\nEOF\n`), wrote);
  });
  it('deno and bun: another subcommand, a task or a package.json script runs no program of the snippet', () => {
    for (const cmd of ['deno task build', 'deno test --allow-all', 'deno fmt', 'deno install', 'deno run dev', 'bun run build', 'bun install', 'bun test', 'bun dev', 'bun run --bun vite', 'bun build --help']) {
      assert.deepEqual(files(cmd), reads(), cmd);
    }
    assert.deepEqual(files(`deno run https://deno.land/std/examples/welcome.ts\ndeno run jsr:@std/http/file-server`), reads());
    // `bun build` reads its entry points and writes its bundles (`shell-left-over-review2.test.ts`; before, nothing).
    assert.deepEqual(files('bun build ./index.ts --outdir dist'), { imports: [], read: ['index.ts'], written: ['dist/index.js'] });
  });
  it('bun: `bun FILE`, `bun run FILE`, options before and after `run`, `-e`/`-p` code', () => {
    // `bun --cwd sub run z.ts` runs nothing: bun takes `sub` for its subcommand, then `run` for a script and prints its
    // usage (z.ts was read before 2026-12-07, late); preloads and env files are read (test/shell-runtimes.test.ts).
    assert.deepEqual(files('bun x.ts\nbun run y.ts\nbun --cwd sub run z.ts\nbun run --hot --preload ./setup.ts w.ts\nbun --env-file .env.local v.mjs'), reads('x.ts', 'y.ts', 'setup.ts', 'w.ts', '.env.local', 'v.mjs'));
    assert.deepEqual(files(`bun -e "${WRITE}"\nbun --print "${WRITE}"`), wrote);
    assert.deepEqual(files(`bun run - <<'EOF'\n${WRITE}\nEOF\n`), wrote);
  });
  it('ts-node: `-P`/`--project`, `-O`, `-C`, `-r` take a value; `-p` is a flag (`-p -e CODE`), `-e` gives the code', () => {
    // `--cwd sub`: ts-node resolves the script there (d.ts was read before 2026-12-07, late).
    assert.deepEqual(files('ts-node -P tsconfig.json run.ts\nts-node --project tsconfig.json a.ts\nts-node -O \'{"module":"commonjs"}\' b.ts\nts-node --compiler-options \'{}\' -r tsconfig-paths/register c.ts\nts-node -T --cwd sub d.ts'), reads('run.ts', 'a.ts', 'b.ts', 'c.ts', 'sub/d.ts'));
    // Before: `-p` was read as node's `--print CODE`, its code `-e`, and the program lost.
    assert.deepEqual(files(`ts-node -p -e "${WRITE}"`), wrote);
    assert.deepEqual(files(`ts-node -pe "${WRITE}"\nts-node --eval "${WRITE}"`), wrote);
  });
  it('tsx: `watch` runs the script; `--tsconfig` takes a value; node\'s options are node\'s', () => {
    assert.deepEqual(files('tsx watch app.ts\ntsx watch --include "src/**" --clear-screen=false srv.ts\ntsx --tsconfig tsconfig.json b.ts\ntsx --env-file .env c.ts'), reads('app.ts', 'srv.ts', 'b.ts', '.env', 'c.ts'));
    assert.deepEqual(files(`tsx -e "${WRITE}"\ntsx -pe "${WRITE}"`), wrote);
  });
  it('npx and bunx run the command after their own options (`npx tsx …`, `npx -y tsx@4 …`)', () => {
    assert.deepEqual(files(`npx tsx -e "${WRITE}"`), wrote);
    assert.deepEqual(files('npx tsx run.ts\nnpx -y tsx@4.7.0 a.ts\nnpx --package typescript ts-node b.ts\nbunx tsx c.ts\nnpx ts-node -P tsconfig.json d.ts'), reads('run.ts', 'a.ts', 'b.ts', 'c.ts', 'd.ts'));
    // A package's own command touches no file the extractor models; `npx -c CMD` runs a shell command (not followed
    // before 2026-12-07, late).
    assert.deepEqual(files('npx prettier --write src/a.ts\nnpx -c "tsx e.ts"'), reads('e.ts'));
  });
  it('node: options with a value skip it (`--inspect-port 9229`, `--disable-warning X`); V8 options and `--inspect` take theirs after `=`', () => {
    assert.deepEqual(files('node --inspect-port 9229 a.js\nnode --disable-warning ExperimentalWarning b.js\nnode --stack-size=900 --inspect c.js\nnode --run build'), reads('a.js', 'b.js', 'c.js'));
  });
});
