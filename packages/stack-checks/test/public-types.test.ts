// What a user of a published package compiles against is its built `.d.ts`, and the build checks
// none of it: `skipLibCheck` (tsconfig.base.json) skips declaration files, so a declaration that
// names a type the build stripped (`stripInternal`) or an `any` that crept into an exported
// signature would reach users unnoticed. This test reads the declarations of every public package
// entry point the way a strict consumer does, with declaration files checked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import ts from 'typescript';
import { repoPath } from '../src/index.js';

interface EntryPoint {
  readonly specifier: string;
  readonly file: string;
}

/** The `types` file of every export of every package not marked `private`. */
function publicEntryPoints(): EntryPoint[] {
  const out: EntryPoint[] = [];
  for (const dir of readdirSync(repoPath('packages')).sort()) {
    const manifest = JSON.parse(readFileSync(repoPath(`packages/${dir}/package.json`), 'utf8')) as {
      name: string;
      private?: boolean;
      exports?: Record<string, { types?: string }>;
    };
    if (manifest.private === true) continue;
    for (const [subpath, target] of Object.entries(manifest.exports ?? {})) {
      assert.ok(target.types, `${manifest.name} export ${subpath} names its types`);
      out.push({
        specifier: subpath === '.' ? manifest.name : `${manifest.name}/${subpath.slice(2)}`,
        file: repoPath(`packages/${dir}/${target.types}`),
      });
    }
  }
  return out;
}

/** Every declaration file of the packages reached from `entries`, checked as a strict consumer checks them. */
function consumerProgram(entries: readonly EntryPoint[]): ts.Program {
  return ts.createProgram(
    entries.map((e) => e.file),
    {
      strict: true,
      noEmit: true,
      skipLibCheck: false,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      lib: ['lib.es2023.d.ts'],
      types: ['node'],
    },
  );
}

/** Declaration files of agentspan's own packages (not of its dependencies). */
function ownDeclarations(program: ts.Program): ts.SourceFile[] {
  const packages = repoPath('packages');
  return program
    .getSourceFiles()
    .filter((f) => f.fileName.startsWith(packages) && f.fileName.includes('/dist/') && !f.fileName.includes('/node_modules/'));
}

/** `file:line  text` of every `any` written as a type in `file`. */
function anyTypes(file: ts.SourceFile): string[] {
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (node.kind === ts.SyntaxKind.AnyKeyword) {
      const { line } = file.getLineAndCharacterOfPosition(node.getStart(file));
      found.push(`${file.fileName}:${line + 1}  ${file.text.split('\n')[line]!.trim()}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

const entries = publicEntryPoints();
const program = consumerProgram(entries);
const declarations = ownDeclarations(program);

test('every public package entry point has built declarations (run `npm run build` first)', () => {
  assert.ok(entries.length >= 12, `found ${entries.length} entry points`);
  for (const e of entries) assert.ok(program.getSourceFile(e.file), `${e.specifier}: ${e.file} is missing`);
  assert.ok(declarations.length > entries.length, 'the entry points reach the rest of the declarations');
});

test('the published declarations type-check with declaration files checked (nothing names a stripped or missing type)', () => {
  // Only agentspan's own files: a dependency's declarations (the AI SDK's name DOM types such as
  // `HeadersInit`) are its own business and a consumer's `lib` setting.
  const own = new Set(declarations);
  const problems = ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file === undefined || own.has(d.file))
    .map((d) => {
      const where = d.file ? `${d.file.fileName}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}  ` : '';
      return where + ts.flattenDiagnosticMessageText(d.messageText, '\n');
    });
  assert.deepEqual(problems, []);
});

test('no `any` in the published types', () => {
  assert.deepEqual(declarations.flatMap(anyTypes), []);
});

test('nothing marked @internal is published (stripInternal in tsconfig.base.json)', () => {
  const leaked = declarations.filter((f) => /@internal\b/.test(f.text)).map((f) => f.fileName);
  assert.deepEqual(leaked, []);
});
