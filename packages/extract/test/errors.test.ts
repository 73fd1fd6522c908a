import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detectError, extractCodeMetadata } from '../src/index.js';

const TRACEBACK = `Traceback (most recent call last):
  File "/tmp/run.py", line 3, in <module>
    import foo
ModuleNotFoundError: No module named 'foo'
`;

describe('detectError', () => {
  it('parses the last line of a Python traceback', () => {
    assert.deepEqual(detectError(TRACEBACK, 1), { hasError: true, errorType: 'ModuleNotFoundError', errorMessage: "No module named 'foo'" });
  });
  it('finds a traceback without an exit code', () => {
    assert.equal(detectError(TRACEBACK).hasError, true);
  });
  it('uses the last of chained tracebacks', () => {
    const chained = `${TRACEBACK}\nDuring handling of the above exception, another exception occurred:\n\nTraceback (most recent call last):\n  File "x.py", line 9\nRuntimeError: wrapped\n`;
    assert.deepEqual(detectError(chained), { hasError: true, errorType: 'RuntimeError', errorMessage: 'wrapped' });
  });
  it('drops the module of qualified exception names', () => {
    const out = 'Traceback (most recent call last):\n  File "a.py", line 1\nnumpy.linalg.LinAlgError: Singular matrix\n';
    assert.deepEqual(detectError(out), { hasError: true, errorType: 'LinAlgError', errorMessage: 'Singular matrix' });
  });
  it('handles exceptions without a message and SyntaxError carets', () => {
    assert.deepEqual(detectError('Traceback (most recent call last):\n  File "a.py", line 1\nKeyboardInterrupt\n'), { hasError: true, errorType: 'KeyboardInterrupt' });
    const syntax = '  File "a.py", line 1\n    x = (\n        ^\nSyntaxError: unexpected EOF while parsing\n';
    assert.deepEqual(detectError(syntax, 1), { hasError: true, errorType: 'SyntaxError', errorMessage: 'unexpected EOF while parsing' });
  });
  it('reads IPython-style tracebacks', () => {
    const ipy = '---------------------------------------------------------------------------\nZeroDivisionError                         Traceback (most recent call last)\nCell In[1], line 1\n----> 1 1/0\n\nZeroDivisionError: division by zero\n';
    assert.deepEqual(detectError(ipy), { hasError: true, errorType: 'ZeroDivisionError', errorMessage: 'division by zero' });
  });
  it('reads Node errors and generic Error/Exception lines', () => {
    const node = "node:internal/modules/cjs/loader:1080\n  throw err;\n  ^\n\nError: Cannot find module 'foo'\nRequire stack:\n- /x.js\n    at Module._resolveFilename\n";
    assert.deepEqual(detectError(node, 1), { hasError: true, errorType: 'Error', errorMessage: "Cannot find module 'foo'" });
    assert.deepEqual(detectError('TypeError: x is not a function\n'), { hasError: true, errorType: 'TypeError', errorMessage: 'x is not a function' });
    assert.deepEqual(detectError('Exception: boom'), { hasError: true, errorType: 'Exception', errorMessage: 'boom' });
  });
  it('is clean for exit code 0 and ordinary output', () => {
    assert.deepEqual(detectError('loss=0.1\nDone.\n', 0), { hasError: false });
    assert.deepEqual(detectError(undefined, 0), { hasError: false });
    assert.deepEqual(detectError(undefined, null), { hasError: false });
  });
  it('does not take numeric fit residuals or indented text for errors', () => {
    assert.deepEqual(detectError('Error: 0.0012\nRelative error: 1e-5\n', 0), { hasError: false });
    assert.deepEqual(detectError('   ValueError: in a log line\n', 0), { hasError: false });
  });
  it('reports non-zero exit codes without a type', () => {
    assert.deepEqual(detectError('', 2), { hasError: true });
    assert.deepEqual(detectError('bash: foo: command not found\n', 127), { hasError: true });
  });
  it('bounds the message length', () => {
    const long = 'ValueError: ' + 'x'.repeat(5000);
    assert.equal(detectError(long).errorMessage, undefined); // a 5000-char line is not taken as an error line
    const ok = 'ValueError: ' + 'x'.repeat(2000);
    assert.equal(detectError(ok).errorMessage?.length, 1000);
  });
});

describe('extractCodeMetadata error fields', () => {
  it('are present only when output or exitCode is given', () => {
    assert.equal(extractCodeMetadata('x').hasError, undefined);
    assert.equal(extractCodeMetadata('x', { exitCode: 0 }).hasError, false);
    assert.equal(extractCodeMetadata('x', { output: TRACEBACK }).errorType, 'ModuleNotFoundError');
  });
});
