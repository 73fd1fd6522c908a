/**
 * How a shell command that runs a script is read: which files the runtime reads (its program, the modules and
 * env files it loads first, test files), through package managers and runners, in the directory an option names.
 * Each expectation was checked against the real tool (node 20.20 and 24.22, deno 2.9.6, bun 1.4.4, ts-node 10.9.2,
 * tsx 4, npm 11.19, pnpm 10.34, yarn 1.22 and 4.18, GNU env 9.1) unless a comment says where it comes from.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { extractCodeMetadata } from '../src/index.js';
import { programSource } from '../src/shell-interpreters.js';
import { fastestUnder } from '@agentspan/test-support';

const files = (code: string) => {
  const md = extractCodeMetadata(code, { language: 'shell' });
  return { imports: md.imports, written: md.filesWritten, read: md.filesRead };
};
const reads = (...read: string[]) => ({ imports: [], written: [], read });
const WRITE = "require('fs').writeFileSync('o.txt', 'x')";
const wrote = (...read: string[]) => ({ imports: ['fs'], written: ['o.txt'], read });

describe('node: `inspect`, V8 options, options with a value (fault 1, 2)', () => {
  it('`node inspect SCRIPT` runs SCRIPT under the debugger (before: `inspect` was read as the script)', () => {
    assert.deepEqual(files('node inspect app.js'), reads('app.js'));
    assert.deepEqual(files('node --no-warnings inspect --port=9230 app.js\nnode -- inspect b.js'), reads('app.js', 'b.js'));
    // Attaching to a process or a host runs nothing of the snippet's; `node inspect` alone prints its usage.
    assert.deepEqual(files('node inspect -p 4242\nnode inspect localhost:9229\nnode inspect'), reads());
    // `inspect` first wins over `-e`: node runs app.js under the debugger and not the code.
    assert.deepEqual(files(`node -e "${WRITE}" inspect app.js`), reads('app.js'));
    // tsx hands its arguments to node.
    assert.deepEqual(files('tsx inspect app.ts'), reads('app.ts'));
    // Not the subcommand: a later operand, or another runtime's.
    assert.deepEqual(files('node app.js inspect\nbun inspect.ts'), reads('app.js', 'inspect.ts'));
  });
  it('a V8 option given its value as the next word makes node exit (`illegal value for flag`): nothing runs', () => {
    // Before: `2000` was read as the script.
    assert.deepEqual(files('node --stack-size 2000 app.js'), reads());
    assert.deepEqual(files('node --max-old-space-size 4096 app.js\ntsx --stack-trace-limit 50 a.ts'), reads());
    // After `=` the value is the option's; underscores are dashes, as node reads them.
    assert.deepEqual(files('node --stack-size=2000 a.js\nnode --max_old_space_size=4096 b.js\nnode --stack_size 1 c.js'), reads('a.js', 'b.js'));
    // Nor are the modules named before it loaded.
    assert.deepEqual(files('node -r ./setup.js --stack-size 2000 app.js'), reads());
  });
  it('node options with a value take the next word; `--experimental-config-file` alone reads node.config.json', () => {
    assert.deepEqual(files('node --v8-pool-size 4 a.js\nnode --test-rerun-failures state.json b.js\nnode --inspect_port 9229 c.js'), reads('a.js', 'b.js', 'c.js'));
    assert.deepEqual(files('node --max-old-space-size-percentage 50 d.js\nnode --experimental-package-map map.json e.js'), reads('d.js', 'e.js'));
    // node 24.22: `--experimental-config-file` without `=` is `--experimental-default-config-file`; the next word is the script.
    assert.deepEqual(files('node --experimental-config-file app.js'), reads('app.js'));
  });
  it('every option `node --help` lists with `=...` takes the next word as its value (the running node\'s help)', () => {
    const help = execFileSync(process.execPath, ['--help'], { encoding: 'utf8' });
    const options = new Set<string>();
    for (const line of help.split('\n')) {
      const m = /^\s+((?:-[A-Za-z], )?(?:--[a-z0-9-]+(?:, )?)+)=\.\.\./.exec(line);
      if (m !== null) for (const o of m[1]!.split(', ')) options.add(o);
    }
    const code = new Set(['-e', '--eval', '-p', '--print', '--experimental-config-file', '--experimental-default-config-file']);
    assert.ok(options.size > 40, `${options.size} options read from node --help`);
    for (const o of options) {
      if (code.has(o)) continue;
      assert.deepEqual(programSource('javascript', 'node', [o, 'v', 'app.js']), { kind: 'script', index: 2 }, o);
    }
  });
});

describe('files a runtime loads before its program (fault 3)', () => {
  it('node: `-r`/`--require`, `--import`, `--loader` name a file when relative or absolute; env files always', () => {
    assert.deepEqual(files('node -r ./setup.js app.js'), reads('setup.js', 'app.js'));
    assert.deepEqual(
      files('node --require=./a/setup.cjs --import ./x.mjs --loader ../l.mjs --experimental-loader /abs/l2.mjs app.js'),
      reads('a/setup.cjs', 'x.mjs', '../l.mjs', '/abs/l2.mjs', 'app.js'),
    );
    // A bare specifier is a package in node_modules, whatever it looks like (`-r setup.js` fails with no such package).
    assert.deepEqual(files('node -r ts-node/register --import tsx -r dotenv/config -r setup.js app.js'), reads('app.js'));
    assert.deepEqual(files('node --env-file .env --env-file-if-exists=.env.local app.js'), reads('.env', '.env.local', 'app.js'));
    // Loaded before inline code and a program from standard input too.
    assert.deepEqual(files(`node --env-file=.env -e "${WRITE}"`), wrote('.env'));
    assert.deepEqual(files(`node -e "${WRITE}" -r ./setup.js`), wrote('setup.js'));
    assert.deepEqual(files(`node -r ./setup.js - <<'EOF'\n${WRITE}\nEOF\n`), wrote('setup.js'));
  });
  it('tsx as node; ts-node `-r` as node\'s require', () => {
    assert.deepEqual(files('tsx --import ./setup.ts --env-file .env a.ts'), reads('setup.ts', '.env', 'a.ts'));
    assert.deepEqual(files('ts-node -r ./setup.ts -r tsconfig-paths/register --require ../b.ts a.ts'), reads('setup.ts', '../b.ts', 'a.ts'));
  });
  it('bun: `-r`/`--preload`/`--require`/`--import` (a bare name is a package), `--env-file`', () => {
    assert.deepEqual(files('bun --preload ./setup.ts -r ./b.ts --env-file .env.local run.ts'), reads('setup.ts', 'b.ts', '.env.local', 'run.ts'));
    assert.deepEqual(files('bun run --hot --preload ./setup.ts w.ts\nbun --preload setup.ts x.ts'), reads('setup.ts', 'w.ts', 'x.ts'));
  });
  it('deno: `--preload`/`--import`/`--require` paths; `--env-file`/`--env` read `.env` unless given `=FILE`', () => {
    assert.deepEqual(files('deno run --preload ./p.ts --import q.ts main.ts'), reads('p.ts', 'q.ts', 'main.ts'));
    // clap's require_equals with a default: the next word is the script.
    assert.deepEqual(files('deno run --env-file main.ts\ndeno run --env b.ts\ndeno run --env-file=.env.prod c.ts'), reads('.env', 'main.ts', 'b.ts', '.env.prod', 'c.ts'));
    assert.deepEqual(files('deno run --preload jsr:@std/dotenv/load --preload https://x.org/a.ts m.ts'), reads('m.ts'));
  });
  it('uv run `--env-file`', () => {
    assert.deepEqual(files('uv run --env-file .env python main.py\nuv run --env-file=.env.test t.py'), reads('.env', 'main.py', '.env.test', 't.py'));
  });
});

describe('commands that were not followed (fault 4)', () => {
  it('`deno test`/`deno bench` read each file operand (not directories, not the words after `--`)', () => {
    assert.deepEqual(files('deno test a_test.ts'), reads('a_test.ts'));
    assert.deepEqual(files('deno test -A a_test.ts --filter x b_test.ts -- c.ts'), reads('a_test.ts', 'b_test.ts'));
    assert.deepEqual(files('deno test --allow-read tests/\ndeno test\ndeno bench b_bench.ts'), reads('b_bench.ts'));
  });
  it('`bun x` is bunx', () => {
    assert.deepEqual(files('bun x tsx a.ts\nbun --bun x tsx b.ts\nbun x --bun -p tsx tsx c.ts'), reads('a.ts', 'b.ts', 'c.ts'));
    // A value before the subcommand is taken for it (bun's `which`): `bun --cwd sub x …` runs a script named `x`.
    assert.deepEqual(files('bun --cwd sub x tsx a.ts'), reads());
  });
  it('pnpm `exec`, `dlx`, pnpx, and a runtime named as pnpm\'s command', () => {
    assert.deepEqual(files('pnpm exec tsx a.ts\npnpm dlx tsx b.ts\npnpx tsx c.ts\npnpm tsx d.ts\npnpm exec -- node e.js'), reads('a.ts', 'b.ts', 'c.ts', 'd.ts', 'e.js'));
    assert.deepEqual(files('pnpm dlx --package tsx tsx a.ts\npnpm --silent exec node b.js\npnpm dlx --package=ts-node ts-node c.ts'), reads('a.ts', 'b.js', 'c.ts'));
    // After `exec` every word is the command's: `-c` there is no shell mode (pnpm: `Command "-c" not found`).
    assert.deepEqual(files("pnpm exec -c 'node a.js'"), reads());
    // Another command, a package's script: nothing of the snippet's.
    assert.deepEqual(files('pnpm install\npnpm test\npnpm run build\npnpm exec prettier --write a.ts'), reads());
  });
  it('yarn `dlx`, `exec`, `node`, `run BIN` and a runtime named as yarn\'s command', () => {
    assert.deepEqual(files('yarn dlx tsx a.ts\nyarn dlx -p tsx -q tsx b.ts\nyarn tsx c.ts\nyarn node d.js\nyarn exec node e.js\nyarn run tsx f.ts'), reads('a.ts', 'b.ts', 'c.ts', 'd.js', 'e.js', 'f.ts'));
    // `yarn run node`: no script or binary is named `node` (yarn 1 and 4 fail).
    assert.deepEqual(files('yarn run node a.js\nyarn build\nyarn install'), reads());
  });
  it('npm `exec`/`x`, with or without `--`', () => {
    assert.deepEqual(files('npm exec -- tsx a.ts\nnpm exec tsx b.ts\nnpm x -- node c.js\nnpm exec --package=tsx -- tsx d.ts\nnpm exec -p tsx tsx e.ts'), reads('a.ts', 'b.ts', 'c.js', 'd.ts', 'e.ts'));
    assert.deepEqual(files('npm run build\nnpm test\nnpm install tsx'), reads());
  });
  it('a shell command string given to a package runner (`npx -c`, `npm exec -c`, pnpm\'s shell mode) is read as one', () => {
    assert.deepEqual(files("npx -c 'node a.js'\nnpx --call 'node b.js > out.txt'\nnpx --call='node c.js'"), { imports: [], written: ['out.txt'], read: ['a.js', 'b.js', 'c.js'] });
    assert.deepEqual(files("npm exec -c 'node a.js'\npnpm -c exec 'node b.js'\npnpm dlx --package=ts-node -c 'node c.js'\npnpm dlx -c --package ts-node node d.js"), reads('a.js', 'b.js', 'c.js', 'd.js'));
    assert.deepEqual(files(`npx -c "node -e \\"${WRITE}\\""`), wrote());
  });
});

describe('a directory option: the program and the files it names are read there (fault 5)', () => {
  it('bun `--cwd`: the script, preloads and env files', () => {
    assert.deepEqual(files('bun --cwd sub run.ts\nbun run --cwd=sub2 r.ts'), reads('sub/run.ts', 'sub2/r.ts'));
    assert.deepEqual(files('bun --cwd sub --preload ./setup.ts --env-file .env x.ts'), reads('sub/setup.ts', 'sub/.env', 'sub/x.ts'));
    assert.deepEqual(files('bun --cwd sub /abs/x.ts\nbun --cwd sub ../y.ts\nbun --cwd /srv/app ./z.ts'), reads('/abs/x.ts', 'y.ts', '/srv/app/z.ts'));
    // bun takes the first word not starting with `-` for the subcommand, here `sub`: `run` is then a script name and
    // bun prints `bun run`'s usage (before: z.ts was read).
    assert.deepEqual(files('bun --cwd sub run z.ts\nbun --env-file .env run app.js'), reads('.env'));
    assert.deepEqual(files('bunx --cwd sub tsx a.ts\nbun x --cwd sub node b.js'), reads('sub/a.ts', 'sub/b.js'));
  });
  it('uv `--directory` (before or after `run`; `--project` does not change directory), conda/mamba `run --cwd`, poetry `-C`', () => {
    assert.deepEqual(files('uv --directory sub run main.py\nuv run --directory sub2 python m.py\nuv --project p run n.py'), reads('sub/main.py', 'sub2/m.py', 'n.py'));
    assert.deepEqual(files('uv --directory=sub run --env-file .env main.py'), reads('sub/.env', 'sub/main.py'));
    assert.deepEqual(files('conda run --cwd sub -n env python train.py\nmicromamba run --cwd=w python t.py\npoetry -C svc run python app.py'), reads('sub/train.py', 'w/t.py', 'svc/app.py'));
  });
  it('GNU env `-C`/`--chdir`, sudo `-D`/`--chdir`: any command run there reads and writes there; redirections stay the shell\'s', () => {
    assert.deepEqual(files('env -C sub python a.py\nenv --chdir=sub2 node b.js\nenv --chdir sub3 A=1 node c.js'), reads('sub/a.py', 'sub2/b.js', 'sub3/c.js'));
    assert.deepEqual(files('env -C sub cp a.txt b.txt > log.txt'), { imports: [], written: ['log.txt', 'sub/b.txt'], read: ['sub/a.txt'] });
    assert.deepEqual(files('sudo -D /srv python a.py\nsudo --chdir=/opt cat b.txt'), reads('/srv/a.py', '/opt/b.txt'));
  });
  it('ts-node `--cwd`/`--dir`: the script there, `-r` still from the shell\'s directory', () => {
    assert.deepEqual(files('ts-node -T --cwd sub d.ts\nts-node --dir sub2 e.ts'), reads('sub/d.ts', 'sub2/e.ts'));
    assert.deepEqual(files('ts-node --cwd sub -r ./setup.ts d.ts'), reads('setup.ts', 'sub/d.ts'));
  });
  it('pnpm `-C`/`--dir` for `exec` (not `dlx`), yarn `--cwd`; npm `--prefix` runs in the current directory', () => {
    assert.deepEqual(files('pnpm -C sub exec node run.js\npnpm --dir=sub2 exec tsx r.ts\npnpm -C sub dlx tsx a.ts'), reads('sub/run.js', 'sub2/r.ts', 'a.ts'));
    assert.deepEqual(files('yarn --cwd sub node run.js\nyarn --cwd sub2 tsx r.ts\nyarn --cwd sub3 exec node x.js'), reads('sub/run.js', 'sub2/r.ts', 'sub3/x.js'));
    assert.deepEqual(files('npm --prefix sub exec -- node run.js\nnpx --prefix sub tsx a.ts'), reads('run.js', 'a.ts'));
    // In other packages' directories, unknown here: nothing relative is reported.
    assert.deepEqual(files('pnpm -r exec node a.js\npnpm --filter web exec tsx b.ts\nnpm -w pkg exec -- node c.js\nnpm exec -w pkg -- node /abs/d.js'), reads('/abs/d.js'));
  });
  it('an unknown directory hides relative paths only; nested directories join', () => {
    assert.deepEqual(files('bun --cwd "$D" x.ts\nenv -C "$D" cat /etc/hosts'), reads('/etc/hosts'));
    assert.deepEqual(files('D=sub; bun --cwd "$D" x.ts'), reads('sub/x.ts'));
    assert.deepEqual(files('env -C a bun --cwd b --preload ./p.ts x.ts\nenv -C a env -C ../c node y.js'), reads('a/b/p.ts', 'a/b/x.ts', 'c/y.js'));
    // `cd` is not followed.
    assert.deepEqual(files('cd sub && node x.js'), reads('x.js'));
  });
});

describe('properties and hostile input', () => {
  const seg = fc.stringMatching(/^[a-z][a-z0-9_]{0,6}$/);
  const rel = fc.array(seg, { minLength: 1, maxLength: 3 }).map((s) => s.join('/') + '.ts');
  it('bun `--cwd D` joins D to a relative script and keeps an absolute one', () => {
    fc.assert(
      fc.property(fc.array(seg, { minLength: 1, maxLength: 3 }), rel, fc.boolean(), fc.boolean(), (dir, script, absolute, eq) => {
        const d = dir.join('/');
        // bun takes a separate option value that names one of its subcommands for the subcommand (`bun --cwd test a.ts`
        // is `bun test` in test/, `bun --cwd x a.ts` is `bun x`: the examples above), so such a directory joins nothing.
        fc.pre(eq || (d !== 'x' && d !== 'test'));
        const s = absolute ? '/' + script : script;
        const cmd = `bun ${eq ? `--cwd=${d}` : `--cwd ${d}`} ${s}`;
        assert.deepEqual(files(cmd).read, [absolute ? s : `${d}/${s}`], cmd);
      }),
    );
  });
  it('node: any run of options from its table before the script leaves the script the script, and ./ preloads files', () => {
    const valueOption = fc.constantFrom('--title', '--inspect-port', '--disable-warning', '--conditions', '-C', '--test-reporter', '--v8-pool-size', '--input-type');
    const flag = fc.constantFrom('--no-warnings', '--inspect', '--expose-gc', '--enable-source-maps', '--stack-size=900', '--trace-warnings');
    const item = fc.oneof(
      fc.tuple(valueOption, seg).map(([o, v]) => ({ words: [o, v], read: [] as string[] })),
      flag.map((f) => ({ words: [f], read: [] as string[] })),
      seg.map((s) => ({ words: ['-r', `./${s}.js`], read: [`${s}.js`] })),
      seg.map((s) => ({ words: [`--env-file=${s}.env`], read: [`${s}.env`] })),
      seg.map((s) => ({ words: ['--import', s], read: [] as string[] })),
    );
    fc.assert(
      fc.property(fc.array(item, { maxLength: 8 }), rel, (items, script) => {
        const cmd = ['node', ...items.flatMap((i) => i.words), script].join(' ');
        const expected = [...new Set([...items.flatMap((i) => i.read), script])];
        assert.deepEqual(files(cmd).read, expected, cmd);
      }),
    );
  });
  it('never throws on arbitrary words after any runtime, runner or package manager', () => {
    const head = fc.constantFrom('node', 'tsx', 'ts-node', 'deno', 'deno test', 'bun', 'bun x', 'bunx', 'npx', 'npm exec', 'pnpm', 'pnpm exec', 'pnpm dlx', 'pnpx', 'yarn', 'yarn dlx', 'uv', 'uv run', 'conda run', 'env -C d', 'sudo -D d', 'poetry -C d run');
    const word = fc.oneof(fc.constantFrom('-r', '--cwd', '--env-file', '--env', '--preload', '-c', '-C', '--', '-', 'inspect', 'x', 'run', 'exec', '--directory', '--stack-size', '-e'), fc.string({ maxLength: 8 }).filter((s) => !/[\n'"\\`$]/.test(s)));
    fc.assert(
      fc.property(head, fc.array(word, { maxLength: 10 }), (h, ws) => {
        const cmd = `${h} ${ws.map((w) => `'${w}'`).join(' ')}`;
        const md = files(cmd);
        for (const p of md.read) assert.equal(typeof p, 'string');
      }),
    );
  });
  it('bounded output on a command line of 100 000 preloads and nested directory options', () => {
    const many = 'node ' + Array.from({ length: 100_000 }, (_, i) => `-r ./s${i}.js`).join(' ') + ' app.js';
    const md = files(many);
    assert.ok(md.read.length <= 1000 && md.read[0] === 's0.js', `${md.read.length} files`);
    const nested = 'env -C a '.repeat(50_000) + 'node x.js';
    assert.doesNotThrow(() => files(nested));
  });
  // Bounded time (as test/linear-time.test.ts): 1 MB of each shape, well inside 1.5 s unless something is quadratic.
  const MB = 1_000_000;
  const fill = (unit: string, size = MB): string => unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
  const shapes: [string, string][] = [
    [
      'lines of each form',
      fill(
        'node -r ./a.js --env-file .env --stack-size=1 inspect x.js\nbun --cwd s --preload ./p.ts x.ts\nenv -C d pnpm -C e exec tsx y.ts\n' +
          'npx -c "node z.js"\nyarn --cwd w dlx tsx q.ts\nuv --directory u run --env-file .e m.py\ndeno test a_test.ts b_test.ts\n',
      ),
    ],
    ['one node command with 1 MB of preloads', 'node ' + fill('-r ./a.js ') + ' app.js'],
    ['one deno test of 1 MB of files', 'deno test ' + fill('a_test.ts ')],
    ['pnpm shell mode joining 1 MB of words', 'pnpm -c exec ' + fill('a ')],
    ['wrappers and directories x N', fill('env -C a sudo -D b bunx --cwd c npx --prefix p -c "cd x" ')],
  ];
  for (const [name, input] of shapes) {
    it(`bounded time: ${name}`, () => {
      files(input.slice(0, 10_000));
      const ms = fastestUnder(() => files(input), 1500);
      assert.ok(ms < 1500, `${name}: ${ms.toFixed(0)} ms for 1 MB`);
    });
  }
});
