/**
 * The attributes each record call puts on its span, key by key and in order, and the pieces of the
 * record path written for speed (the argument names' sort, the remembered span names): what they
 * must leave exactly as it was.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { Attr } from '@agentspan/semconv';
import { insertionSorted } from '../src/event-attributes.js';
import { headOf, safeJson } from '../src/safe-json.js';
import { setup } from './helpers.js';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createRecorder } from '../src/index.js';

const RUNS = Number(process.env.FC_RUNS ?? 300);

/** The attributes of the one span named `name`, as ordered entries. */
function entriesOf(spans: ReturnType<ReturnType<typeof setup>['spans']>, name: string): [string, unknown][] {
  const found = spans.filter((s) => s.name === name);
  assert.equal(found.length, 1, `one span named ${name}`);
  return Object.entries(found[0]!.attributes);
}

describe('record calls: attributes, keys in order', () => {
  it('agentCall, toolCall and codeExecution with their optional fields', () => {
    const { recorder, spans } = setup();
    const run = recorder.startRun({ runId: 'r-order' });
    const node = run.startNode('n1');
    node.agentCall({ agent: 'planner', role: 'assistant', sender: 'user', model: 'gpt-4o', content: 'hi', hasToolCalls: false, stepId: 's1', status: 'completed' });
    node.toolCall({ agent: 'planner', tool: 'search', toolCallId: 'c1', args: { q: 'x', limit: 5 }, result: { n: 1 }, context: 'ctx' });
    node.codeExecution({ agent: 'coder', language: 'Python', code: 'print(1)', cwd: '/w', context: 'c', output: '1\n', exitCode: 0 });
    node.end();
    run.end();
    const common = (type: string, depth: number): [string, unknown][] => [
      [Attr.ATTR_EVENT_TYPE, type],
      [Attr.ATTR_RUN_ID, 'r-order'],
      [Attr.ATTR_GEN_AI_CONVERSATION_ID, 'r-order'],
      [Attr.ATTR_NODE_ID, 'n1'],
      [Attr.ATTR_DEPTH, depth],
    ];
    assert.deepEqual(entriesOf(spans(), 'invoke_agent planner'), [
      ...common('agent_call', 2),
      [Attr.ATTR_STEP_ID, 's1'],
      [Attr.ATTR_GEN_AI_OPERATION_NAME, 'invoke_agent'],
      [Attr.ATTR_GEN_AI_AGENT_NAME, 'planner'],
      [Attr.ATTR_AGENT_ROLE, 'assistant'],
      [Attr.ATTR_MESSAGE_SENDER, 'user'],
      [Attr.ATTR_GEN_AI_REQUEST_MODEL, 'gpt-4o'],
      [Attr.ATTR_MESSAGE_CONTENT, 'hi'],
      [Attr.ATTR_MESSAGE_LENGTH, 2],
      [Attr.ATTR_MESSAGE_HAS_TOOL_CALLS, false],
      [Attr.ATTR_STATUS, 'completed'],
    ]);
    assert.deepEqual(entriesOf(spans(), 'execute_tool search'), [
      ...common('tool_call', 2),
      [Attr.ATTR_GEN_AI_OPERATION_NAME, 'execute_tool'],
      [Attr.ATTR_GEN_AI_AGENT_NAME, 'planner'],
      [Attr.ATTR_GEN_AI_TOOL_NAME, 'search'],
      [Attr.ATTR_GEN_AI_TOOL_CALL_ID, 'c1'],
      [Attr.ATTR_GEN_AI_TOOL_CALL_ARGUMENTS, '{"q":"x","limit":5}'],
      [Attr.ATTR_TOOL_ARGS_KEYS, ['limit', 'q']],
      [Attr.ATTR_MESSAGE_CONTEXT, 'ctx'],
      [Attr.ATTR_GEN_AI_TOOL_CALL_RESULT, '{"n":1}'],
    ]);
    assert.deepEqual(entriesOf(spans(), 'execute_code coder'), [
      ...common('code_exec', 2),
      [Attr.ATTR_GEN_AI_OPERATION_NAME, 'execute_code'],
      [Attr.ATTR_GEN_AI_AGENT_NAME, 'coder'],
      [Attr.ATTR_CODE_LANGUAGE, 'python'],
      [Attr.ATTR_CODE_CONTENT, 'print(1)'],
      [Attr.ATTR_CODE_LENGTH, 8],
      [Attr.ATTR_CODE_CWD, '/w'],
      [Attr.ATTR_MESSAGE_CONTEXT, 'c'],
      [Attr.ATTR_CODE_OUTPUT, '1\n'],
      [Attr.ATTR_CODE_EXIT_CODE, 0],
    ]);
  });

  it('fields absent, or of no usable value, store nothing: no key holds undefined, NaN or a non-integer exit code', () => {
    const { recorder, spans } = setup();
    const run = recorder.startRun({ runId: 'r-sparse' });
    run.agentCall({ agent: 'a', role: undefined, model: undefined, stepId: '' });
    run.toolCall({ agent: 'a', tool: 't', toolCallId: '', args: undefined, result: undefined });
    run.codeExecution({ agent: 'e', code: 42 as unknown as string, exitCode: 1.5, language: 7 as unknown as string });
    run.end();
    const keysOf = (name: string): string[] => entriesOf(spans(), name).map(([k]) => k);
    const common = [Attr.ATTR_EVENT_TYPE, Attr.ATTR_RUN_ID, Attr.ATTR_GEN_AI_CONVERSATION_ID, Attr.ATTR_DEPTH];
    assert.deepEqual(keysOf('invoke_agent a'), [...common, Attr.ATTR_GEN_AI_OPERATION_NAME, Attr.ATTR_GEN_AI_AGENT_NAME]);
    assert.deepEqual(keysOf('execute_tool t'), [...common, Attr.ATTR_GEN_AI_OPERATION_NAME, Attr.ATTR_GEN_AI_AGENT_NAME, Attr.ATTR_GEN_AI_TOOL_NAME]);
    const code = entriesOf(spans(), 'execute_code e');
    assert.deepEqual(code.map(([k]) => k), [...common, Attr.ATTR_GEN_AI_OPERATION_NAME, Attr.ATTR_GEN_AI_AGENT_NAME, Attr.ATTR_CODE_LANGUAGE, Attr.ATTR_CODE_CONTENT, Attr.ATTR_CODE_LENGTH]);
    assert.deepEqual(Object.fromEntries(code.slice(-3)), { [Attr.ATTR_CODE_LANGUAGE]: '7', [Attr.ATTR_CODE_CONTENT]: '42', [Attr.ATTR_CODE_LENGTH]: 2 });
    for (const s of spans()) for (const [k, v] of Object.entries(s.attributes)) assert.ok(v !== undefined && !Number.isNaN(v), `${s.name} ${k}`);
  });

  it('content over the budget is cut and marks the span truncated, in every content field', () => {
    const { recorder, spans } = setup({ maxContentChars: 8 });
    const run = recorder.startRun({ runId: 'r-cut' });
    run.agentCall({ agent: 'a', content: 'abcdefghijk' });
    run.toolCall({ agent: 'a', tool: 't', args: { long: 'abcdefghijk' }, result: 'abcdefghijk' });
    run.codeExecution({ agent: 'e', code: 'abcdefghijk', output: 'abcdefghijk' });
    run.end();
    for (const name of ['invoke_agent a', 'execute_tool t', 'execute_code e']) {
      const attrs = Object.fromEntries(entriesOf(spans(), name));
      assert.equal(attrs[Attr.ATTR_TRUNCATED], true, name);
    }
    const agent = Object.fromEntries(entriesOf(spans(), 'invoke_agent a'));
    assert.equal(agent[Attr.ATTR_MESSAGE_CONTENT], 'abcdefgh…[truncated]');
    assert.equal(agent[Attr.ATTR_MESSAGE_LENGTH], 11, 'the length is the original content’s');
  });

  it('span names of many distinct agents and tools are each their own (the remembered names start again when full)', () => {
    const { recorder, spans } = setup();
    const run = recorder.startRun({ runId: 'r-names' });
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 600; i++) {
        run.agentCall({ agent: `agent-${i}` });
        run.toolCall({ agent: 'a', tool: `tool-${i}` });
        run.codeExecution({ agent: `exec-${i}`, code: '' });
      }
    }
    run.end();
    const names = spans().map((s) => s.name);
    for (let i = 0; i < 600; i++) {
      for (const name of [`invoke_agent agent-${i}`, `execute_tool tool-${i}`, `execute_code exec-${i}`]) {
        assert.equal(names.filter((n) => n === name).length, 2, name);
      }
    }
  });

  it('remembered span names hold no large string the name was cut from, or sliced from, once the spans are gone', () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    // Spans are dropped as they end: only what the recorder itself keeps stays reachable.
    const recorder = createRecorder({ tracerProvider: new BasicTracerProvider({ spanProcessors: [] }) });
    const run = recorder.startRun({ runId: 'r-retain' });
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 120; i++) {
      // A distinct 1 MB text each time, as a name taken from a model's reply would be: cut by the
      // recorder (over 200 characters), or by the application before it (a slice of the text).
      const text = `${String(i).padStart(4, '0')}${'x'.repeat(1_000_000)}`;
      const name = i % 2 === 0 ? text : text.slice(0, 40);
      run.agentCall({ agent: name });
      run.toolCall({ agent: 'a', tool: name });
      run.codeExecution({ agent: name, code: '' });
    }
    gc();
    const grown = process.memoryUsage().heapUsed - before;
    run.end();
    assert.ok(grown < 20_000_000, `the heap grew by ${Math.round(grown / 1e6)} MB`);
  });
});

describe('insertionSorted (argument names)', () => {
  it('sorts as Array.prototype.sort does, any strings', () => {
    const str = fc.oneof(fc.string({ maxLength: 6 }), fc.string({ unit: 'binary', maxLength: 4 }), fc.constantFrom('', '0', '10', '9', 'a', 'B', '__proto__'));
    fc.assert(
      fc.property(fc.array(str, { maxLength: 20 }), (keys) => {
        assert.deepEqual(insertionSorted([...keys]), [...keys].sort());
      }),
      { numRuns: RUNS * 2 },
    );
  });

  it('a tool call’s argument names sort the same below and above the small-list bound', () => {
    const { recorder, spans } = setup();
    const run = recorder.startRun({ runId: 'r-keys' });
    for (const n of [0, 1, 2, 15, 16, 17, 40, 150]) {
      const args: Record<string, number> = {};
      for (let i = n - 1; i >= 0; i--) args[i % 3 === 0 ? `k${i}` : i % 3 === 1 ? String(i) : `Ä${i}`] = i;
      run.toolCall({ agent: 'a', tool: `n${n}`, args });
    }
    run.end();
    for (const n of [0, 1, 2, 15, 16, 17, 40, 150]) {
      const span = spans().find((s) => s.name === `execute_tool n${n}`)!;
      const expected: string[] = [];
      for (let i = n - 1; i >= 0; i--) expected.push(i % 3 === 0 ? `k${i}` : i % 3 === 1 ? String(i) : `Ä${i}`);
      assert.deepEqual(span.attributes[Attr.ATTR_TOOL_ARGS_KEYS], Object.keys(Object.fromEntries(expected.map((k) => [k, 0]))).slice(0, 100).sort(), `${n} names`);
    }
  });
});

describe('span names of any agent or tool name (remembered or not)', () => {
  it('are the prefix and the name cut to 200 characters, whatever the name and the names before it', () => {
    const { recorder, spans } = setup();
    const run = recorder.startRun({ runId: 'r-any-names' });
    // One long start shared by many names, so that names alike up to any point about the cut come up.
    const start = 'n'.repeat(195);
    const long = fc.string({ unit: fc.constantFrom('a', 'b', '\ud83d', '\ude00'), maxLength: 9 }).map((end) => start + end);
    const name = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 30 }),
      fc.constantFrom('__proto__', 'constructor', 'hasOwnProperty', '', '\ud800', '\udc00x', 'agent-0', 'agent-00'),
      // Names alike up to and past the cut, and past the first dozen characters.
      long,
      fc.string({ maxLength: 3 }).map((b) => `a-long-common-prefix-${b}`),
    );
    let seen = 0;
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom('agent', 'tool', 'code'), name), { minLength: 1, maxLength: 6 }), (calls) => {
        for (const [kind, n] of calls) {
          if (kind === 'agent') run.agentCall({ agent: n });
          else if (kind === 'tool') run.toolCall({ agent: 'a', tool: n });
          else run.codeExecution({ agent: n, code: '' });
        }
        const got = spans().slice(seen).map((s) => s.name);
        seen += got.length;
        const want = calls.map(([kind, n]) => {
          const [prefix, fallback] = kind === 'agent' ? ['invoke_agent', 'agent'] : kind === 'tool' ? ['execute_tool', 'tool'] : ['execute_code', 'executor'];
          return `${prefix} ${n.length === 0 ? fallback : headOf(n, 200)}`;
        });
        assert.deepEqual(got, want);
      }),
      { numRuns: RUNS * 3 },
    );
    run.end();
  });
});

describe('safeJson: strings written as JSON.stringify writes them', () => {
  it('every UTF-16 code unit, alone and between others, as a value and as a key', () => {
    for (let c = 0; c <= 0xffff; c++) {
      const one = String.fromCharCode(c);
      const s = `a${one}b`;
      const v = [one, s, { [s]: one }];
      assert.equal(safeJson(v, 100).json, JSON.stringify(v), `U+${c.toString(16)}`);
    }
  });

  it('strings about as long as the bound between the scan and the regular expression, an escape first, last or nowhere', () => {
    // Short strings are checked for escapes by a loop, long ones by a regular expression: both sides of the bound.
    for (let length = 1; length <= 80; length++) {
      for (const escape of ['"', '\\', '\u0000', '\u001f', '\ud800', '\udfff', '\ud83d\ude00', '']) {
        const plain = 'x'.repeat(Math.max(0, length - escape.length));
        for (const s of [escape + plain, plain + escape]) {
          // Each on its own: an array holding an object is the walker's, not the scan's.
          for (const v of [s, [s, s], { [s]: s }]) assert.equal(safeJson(v, 1_000_000).json, JSON.stringify(v), `${length} ${JSON.stringify(escape)}`);
        }
      }
    }
  });

  it('any strings (full Unicode, lone surrogates, escapes), within a budget they fit', () => {
    const str = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.string({ unit: 'grapheme' }),
      fc.string({ unit: 'binary-ascii' }),
      fc.constantFrom('\u2028', '\u2029', '\x7f', '"', '\\', '\ud800', '\udfff', '\ud83d\ude00', '\ude00\ud83d', '\u0000'),
    );
    const value = fc.oneof(str, fc.array(str, { maxLength: 5 }), fc.dictionary(str, fc.oneof(str, fc.array(str, { maxLength: 3 })), { maxKeys: 5 }));
    fc.assert(
      fc.property(value, (v) => {
        assert.equal(safeJson(v, 1_000_000).json, JSON.stringify(v));
      }),
      { numRuns: RUNS * 10 },
    );
  });
});

describe('record calls: the fallback of an unreadable event, and no undefined attribute (a review of 2026-12-07)', () => {
  it('a getter that throws: the span keeps the given start and end, read once each after the fields, args "[unreadable]"', () => {
    const { recorder, spans } = setup();
    const run = recorder.startRun({ runId: 'r-unreadable' });
    const reads: string[] = [];
    const T0 = new Date('2026-01-01T00:00:00Z');
    const T1 = new Date('2026-01-01T00:00:02Z');
    const event = {
      agent: 'agent',
      tool: 't',
      get args(): unknown {
        reads.push('args');
        throw new Error('unreadable');
      },
      get startTime(): Date {
        reads.push('startTime');
        return T0;
      },
      get endTime(): Date {
        reads.push('endTime');
        return T1;
      },
    };
    run.toolCall(event);
    run.end();
    const span = spans().find((s) => s.name === 'execute_tool t');
    assert.ok(span !== undefined);
    assert.deepEqual(span.startTime, [1767225600, 0]);
    assert.deepEqual(span.endTime, [1767225602, 0]);
    assert.equal(span.attributes[Attr.ATTR_GEN_AI_TOOL_CALL_ARGUMENTS], '"[unreadable]"');
    assert.deepEqual(reads, ['args', 'args', 'startTime', 'endTime']);
  });

  it('no attribute handed to the tracer is undefined (a tracer other than the SDK\'s would keep the key)', () => {
    const provider = new BasicTracerProvider();
    const given: Record<string, unknown>[] = [];
    const tracerProvider = {
      getTracer(name: string, version?: string) {
        const tracer = provider.getTracer(name, version);
        return {
          startSpan(spanName: string, options?: { attributes?: Record<string, unknown> }, ctx?: never) {
            given.push({ ...(options?.attributes ?? {}) });
            return tracer.startSpan(spanName, options as never, ctx);
          },
          startActiveSpan: tracer.startActiveSpan.bind(tracer),
        };
      },
    };
    const recorder = createRecorder({ tracerProvider: tracerProvider as never });
    const run = recorder.startRun({ runId: 'r-defined' });
    run.codeExecution({ agent: 'coder', code: 'print(1)' });
    run.toolCall({ agent: 'a', tool: 't' });
    run.agentCall({ agent: 'a', content: 'x' });
    run.end();
    assert.ok(given.length >= 4);
    for (const attributes of given) for (const [k, v] of Object.entries(attributes)) assert.notEqual(v, undefined, k);
  });
});
