/**
 * The memory of agent envelopes awaited across requests, in process: plans
 * replayed through the real processor (no Postgres), and the memory's
 * bounds with a clock of its own.
 */
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Attributes } from '@opentelemetry/api';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { AWAITS_FILL_KEY, agentFillRowsOf, awaitsFill, mapSpanToRow, mergeFills, type EventFillRow, type ExecutionEventRow } from '@agentspan/exporter-postgres';
import { ExecutionEventSpanProcessor, classifyForeignSpan } from '@agentspan/processor';
import { Attr } from '@agentspan/semconv';
import { EnvelopeMemory, planReplay, type PlanOptions, type ReceivedSpan } from '../src/index.js';
import { receivedSpan } from './helpers.js';
import { REPLAY_SPAN_LIMITS, SpanReplayer } from '../src/span-replay.js';
import { MAX_RECEIVED_ATTRIBUTES } from '../src/attribute-budget.js';

const OPTIONS: PlanOptions = {
  runIdAttribute: 'gen_ai.conversation.id',
  nodeIdAttribute: 'graph.node.id',
  captureContent: true,
  isForeignAgentSpan: (a) => classifyForeignSpan(a) !== undefined,
};
const kindOf = (a: Attributes) => classifyForeignSpan(a)?.kind;

const RESOURCE = { attributes: { 'service.name': 'memory' }, schemaUrl: undefined, key: 'memory' };
const TRACE = '0af7651916cd43dd8448eb211c80319c';
const hex = (n: number): string => (n + 1).toString(16).padStart(16, '0');

function span(id: number, parent: number | undefined, start: number, end: number, attributes: Attributes, trace = TRACE): ReceivedSpan {
  return receivedSpan({ resource: RESOURCE, traceId: trace, id, parent, start, end, attributes });
}

const ENVELOPE: Attributes = { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.output.messages': '[]' };
const TURN: Attributes = { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'm' };
const TOOL: Attributes = { 'gen_ai.operation.name': 'execute_tool' };
const STEP: Attributes = { 'ai.step.number': 1 };
const OWN: Attributes = { [Attr.ATTR_EVENT_TYPE]: 'tool_call', [Attr.ATTR_RUN_ID]: 'own-run' };

/**
 * node:test runs synchronous tests one after the other without an event-loop turn, and V8 keeps the target of
 * every WeakRef created (or dereferenced) until the turn ends: the processor holds a replayed span's parent by
 * WeakRef, and the parent's provider holds a whole pipeline. A turn after each test lets them go (without it,
 * about 12 MB a run of this file stayed until the file ended).
 */
afterEach(() => new Promise<void>((resolve) => setImmediate(resolve)));

/**
 * Collects ended spans at once. Not the SDK's `InMemorySpanExporter` behind a `SimpleSpanProcessor`: it reports
 * each export through a `setTimeout`, which never fires inside a synchronous test, so every span, and through it
 * its pipeline (processor, spans, memory), stayed reachable until the file ended (about 60 KB a pipeline,
 * 150 MB a run of this file, out of heap when the file was run ~20 times in one process).
 */
class SpanCollector implements SpanProcessor {
  private readonly spans: ReadableSpan[] = [];
  onStart(): void {}
  onEnd(span: ReadableSpan): void {
    this.spans.push(span);
  }
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
  getFinishedSpans(): readonly ReadableSpan[] {
    return this.spans;
  }
}

/** A gateway's replay path in process: plan, memory, replay through the processor; the ended spans by id. */
function gatewayInProcess(memory = new EnvelopeMemory({ maxEntries: 1000, maxAgeMillis: 60_000, kindOf, attributeCountLimit: REPLAY_SPAN_LIMITS.attributeCountLimit })) {
  const processor = new ExecutionEventSpanProcessor({ fileCapture: { enabled: false } });
  const exported = new SpanCollector();
  const replayer = new SpanReplayer({ processorsFor: () => [processor, exported] });
  processor.setTracerProvider(replayer.tracerProvider);
  /** Event rows by id, as the exporter writes them, and its table of fills by parent and run: its SQL, in memory. */
  const table = new Map<string, { key: string; row: ExecutionEventRow }>();
  const fillTable = new Map<string, EventFillRow>();
  let seen = 0;
  return {
    memory,
    /** Replays a request; its spans are written with the next request's unless `hold` is false (one batch). */
    send(request: ReceivedSpan[], hold = false): void {
      // As the gateway plans: a span whose parent came earlier inherits what the memory kept of it.
      const plan = planReplay(request, { ...OPTIONS, placementOf: (t, s) => memory.placementOf(t, s) });
      memory.apply(plan);
      replayer.replay(plan);
      if (hold) return;
      // One batch: its rows inserted (a row already there is kept), its fills merged into the table, then the marked
      // rows under the parents and runs of both set from the table.
      const batch: ReadableSpan[] = exported.getFinishedSpans().slice(seen);
      seen += batch.length;
      const touched = new Set<string>();
      for (const s of batch) {
        const m = mapSpanToRow(s);
        if (m?.kind !== 'event' || table.has(m.row.id)) continue;
        table.set(m.row.id, { key: `${s.spanContext().spanId} ${s.name}`, row: m.row });
        if (awaitsFill(m.row)) touched.add(`${m.row.parent_event_id} ${m.row.run_id}`);
      }
      for (const fill of batch.flatMap(agentFillRowsOf)) {
        const k = `${fill.parent_event_id} ${fill.run_id}`;
        const held = fillTable.get(k);
        fillTable.set(k, held === undefined ? fill : mergeFills(held, fill));
        touched.add(k);
      }
      for (const { row } of table.values()) {
        const k = `${row.parent_event_id} ${row.run_id}`;
        const fill = fillTable.get(k);
        if (!touched.has(k) || fill === undefined || !awaitsFill(row)) continue;
        const awaited = row.meta[AWAITS_FILL_KEY] as string[];
        if (awaited.includes('agent_name') && fill.agent_name !== null) row.agent_name = fill.agent_name;
        if (awaited.includes('depth') && fill.depth !== null) row.depth = fill.depth;
        if (awaited.includes('node_id') && fill.node_id !== null) row.node_id = fill.node_id;
      }
    },
    /** Span → agent name, depth and node of its event row. */
    agents(): Map<string, string> {
      return new Map([...table.values()].map(({ key, row }) => [key, `${row.agent_name} ${row.depth} ${row.node_id}`]));
    },
    /** Span id → the run it was first replayed in (`undefined`: none), every span of the trace (not the run spans made from roots). */
    runs(): Map<string, string | undefined> {
      const out = new Map<string, string | undefined>();
      for (const s of exported.getFinishedSpans()) {
        const id = s.spanContext().spanId;
        if (s.attributes[Attr.ATTR_EVENT_TYPE] === 'run' || out.has(id)) continue;
        const run = s.attributes[Attr.ATTR_RUN_ID];
        out.set(id, typeof run === 'string' ? run : undefined);
      }
      return out;
    },
    /** Span id → event type, for the spans that became rows (and the trace's run). */
    rows(): Map<string, string> {
      const out = new Map<string, string>();
      for (const s of exported.getFinishedSpans()) {
        const type = s.attributes[Attr.ATTR_EVENT_TYPE];
        if (typeof type === 'string') out.set(`${s.spanContext().spanId} ${s.name}`, type);
      }
      return out;
    },
    marked(): string[] {
      return exported
        .getFinishedSpans()
        .filter((s) => s.attributes[Attr.ATTR_AGENT_TURNS_ELSEWHERE] === true)
        .map((s) => s.spanContext().spanId);
    },
  };
}

const KINDS = { envelope: ENVELOPE, turn: TURN, tool: TOOL, step: STEP, own: OWN } as const;
type Kind = keyof typeof KINDS;

/**
 * The shape of a random trace: each node's parent (an earlier node, or none), nested times (each child ends
 * before its parent, as SDKs record), and its request, never later than its parent's (children are exported
 * first).
 */
function layout(nodes: readonly { parentPick: number; request: number }[]): { parent: (number | undefined)[]; start: number[]; end: number[]; request: number[] } {
  const parent = nodes.map((n, i) => (i === 0 || n.parentPick % (i + 1) === i ? undefined : n.parentPick % i));
  const children = nodes.map(() => [] as number[]);
  parent.forEach((p, i) => p !== undefined && children[p]?.push(i));
  const start = new Array<number>(nodes.length).fill(0);
  const end = new Array<number>(nodes.length).fill(0);
  let clock = 1;
  const visit = (i: number): void => {
    start[i] = clock++;
    for (const c of children[i] ?? []) visit(c);
    end[i] = clock++;
  };
  parent.forEach((p, i) => p === undefined && visit(i));
  const request = nodes.map((n) => n.request);
  for (const i of [...nodes.keys()].sort((a, b) => start[a]! - start[b]!)) {
    const p = parent[i];
    if (p !== undefined) request[i] = Math.min(request[i]!, request[p]!);
  }
  return { parent, start, end, request };
}

/** A random trace: parents before children, nested times (each child ends before its parent, as SDKs record). */
const traces = fc
  .array(fc.record({ kind: fc.constantFrom<Kind>('envelope', 'envelope', 'turn', 'turn', 'tool', 'step', 'own'), parentPick: fc.nat(), request: fc.nat(3), named: fc.boolean(), node: fc.nat(5) }), {
    minLength: 1,
    maxLength: 14,
  })
  .map((nodes) => {
    const { parent, start, end, request } = layout(nodes);
    // An envelope without a name of its own takes the enclosing agent's.
    const named = (n: (typeof nodes)[number], i: number): Attributes => (n.kind === 'envelope' && n.named ? { 'gen_ai.agent.name': `agent${i}` } : {});
    // Some spans name their node (LangGraph's `graph.node.id`); the others take the nearest placed ancestor's.
    const node = (n: (typeof nodes)[number], i: number): Attributes => (n.node === 0 ? { 'graph.node.id': `node${i}` } : {});
    const spans = nodes.map((n, i) => span(i, parent[i], start[i]! * 1000, end[i]! * 1000, { ...KINDS[n.kind], ...named(n, i), ...node(n, i) }));
    return { spans, request, kinds: nodes.map((n) => n.kind) };
  });

test('property: whatever the batch boundaries of a children-first export, the same spans become rows as in one request, and only envelopes are marked', () => {
  fc.assert(
    fc.property(traces, ({ spans, request, kinds }) => {
      const whole = gatewayInProcess();
      // In end order, as a batch processor exports.
      whole.send([...spans].sort((a, b) => Number(a.endNanos - b.endNanos)));
      const split = gatewayInProcess();
      for (let r = 0; r <= 3; r++) split.send(spans.filter((_, i) => request[i] === r));
      assert.deepEqual(split.rows(), whole.rows());
      assert.deepEqual(whole.marked(), [], 'nothing marked when the trace came whole');
      for (const id of split.marked()) assert.equal(kinds[spans.findIndex((s) => s.spanId === id)], 'envelope');
    }),
    { numRuns: 300 },
  );
});

/** Kinds of spans of the fills property: the three conventions' envelopes, turns and tools, steps, agentspan spans. */
const FILL_KINDS: Record<string, Attributes> = {
  ...KINDS,
  aiEnvelope: { 'ai.operationId': 'ai.generateText' },
  aiTurn: { 'ai.operationId': 'ai.generateText.doGenerate', 'ai.model.id': 'gpt' },
  aiTool: { 'ai.operationId': 'ai.toolCall', 'ai.toolCall.name': 't' },
  oiAgent: { 'openinference.span.kind': 'AGENT' },
  oiLlm: { 'openinference.span.kind': 'LLM' },
  oiTool: { 'openinference.span.kind': 'TOOL' },
};
const REQUESTS = 4;

/**
 * A random trace for the fills: envelopes named (or with a name the processor does not use: '' or a number),
 * node ids, conversation ids on some spans (runs of two kinds in one trace), split into children-first
 * requests; some requests written with the next in one exporter batch, one maybe sent again.
 */
const fillTraces = fc
  .record({
    nodes: fc.array(
      fc.record({
        kind: fc.constantFrom(...Object.keys(FILL_KINDS)),
        parentPick: fc.nat(),
        request: fc.nat(REQUESTS),
        name: fc.constantFrom('yes', 'yes', 'no', 'empty', 'number'),
        node: fc.nat(5),
        conversation: fc.nat(5),
      }),
      { minLength: 1, maxLength: 16 },
    ),
    held: fc.array(fc.boolean(), { minLength: REQUESTS + 1, maxLength: REQUESTS + 1 }),
    retried: fc.option(fc.record({ request: fc.nat(REQUESTS), after: fc.nat(REQUESTS) })),
  })
  .map(({ nodes, held, retried }) => {
    const { parent, start, end, request } = layout(nodes);
    const attributes = (n: (typeof nodes)[number], i: number): Attributes => {
      const a: Attributes = { ...FILL_KINDS[n.kind] };
      const envelope = n.kind === 'envelope' || n.kind === 'aiEnvelope' || n.kind === 'oiAgent';
      if (envelope && n.name === 'yes') a[n.kind === 'aiEnvelope' ? 'ai.telemetry.functionId' : n.kind === 'oiAgent' ? 'agent.name' : 'gen_ai.agent.name'] = `agent${i}`;
      if (envelope && n.name === 'empty') a['gen_ai.agent.name'] = '';
      if (envelope && n.name === 'number') a['gen_ai.agent.name'] = 42;
      if (n.node === 0) a['graph.node.id'] = `node${i}`;
      if (n.conversation === 0 && n.kind !== 'own') a['gen_ai.conversation.id'] = 'conversation';
      return a;
    };
    const spans = nodes.map((n, i) => span(i, parent[i], start[i]! * 1000, end[i]! * 1000, attributes(n, i)));
    const sends: number[] = [];
    for (let r = 0; r <= REQUESTS; r++) {
      sends.push(r);
      if (retried !== null && retried.after === r && retried.request <= r) sends.push(retried.request);
    }
    return { spans, request, sends, held };
  });

test('property: whatever the batch boundaries, batches and retries, every event row ends with the agent name, depth and node it has when the trace comes in one request (depth and node: when its run and its ancestors\' are the same)', () => {
  fc.assert(
    fc.property(fillTraces, ({ spans, request, sends, held }) => {
      const whole = gatewayInProcess();
      whole.send([...spans].sort((a, b) => Number(a.endNanos - b.endNanos)));
      const split = gatewayInProcess();
      sends.forEach((r, k) => split.send(spans.filter((_, i) => request[i] === r), held[r] === true && k < sends.length - 1));
      // A span without a run attribute inherits its nearest placed ancestor's run; one that came before that
      // ancestor (children first) is in the trace's run instead (README, Limitations): its row, and the depth and
      // node of rows under it, cannot be what the whole trace gives.
      const wholeRuns = whole.runs();
      const splitRuns = split.runs();
      const byId = new Map(spans.map((x) => [x.spanId, x]));
      const moved = new Set<string>();
      for (const x of spans) {
        if (splitRuns.get(x.spanId) === wholeRuns.get(x.spanId)) continue;
        // Not inherited: the trace's run; none for a span the gateway does not place (the processor inherits it in the request only).
        assert.ok([TRACE, undefined].includes(splitRuns.get(x.spanId)), `${x.name}: ${splitRuns.get(x.spanId)}`);
        for (const y of spans) for (let cur: ReceivedSpan | undefined = y; cur !== undefined; cur = byId.get(cur.parentSpanId ?? '')) if (cur === x) moved.add(y.spanId);
      }
      const splitAgents = split.agents();
      for (const [key, value] of whole.agents()) {
        const got = splitAgents.get(key);
        if (!moved.has(key.split(' ')[0]!)) assert.equal(got, value, key);
        else assert.equal(got?.split(' ')[0], value.split(' ')[0], `${key}: the agent name`);
      }
      assert.equal(splitAgents.size, whole.agents().size);
      assert.equal(split.memory.stats().fillsDropped, 0);
    }),
    { numRuns: 1000 },
  );
});

test('an envelope with more attributes than the replay keeps still fills its turn in: its run, depth and node come first', () => {
  const filler: Attributes = {};
  for (let k = 0; k < (REPLAY_SPAN_LIMITS.attributeCountLimit ?? 0) + 10; k++) filler[`x.${k}`] = k;
  const envelope = { ...ENVELOPE, 'gen_ai.agent.name': 'writer', 'graph.node.id': 'n1', ...filler };
  const whole = gatewayInProcess();
  whole.send([span(1, 0, 1, 2, TURN), span(0, undefined, 0, 3, envelope)]);
  const split = gatewayInProcess();
  split.send([span(1, 0, 1, 2, TURN)]);
  split.send([span(0, undefined, 0, 3, envelope)]);
  assert.deepEqual(split.agents(), whole.agents());
  assert.deepEqual([...split.agents().values()], ['writer 2 n1']);
});

test('an envelope under a step, the step and the envelope each in a request of their own after the turn: the fact travels up', () => {
  const g = gatewayInProcess();
  g.send([span(2, 1, 2, 3, TURN)]);
  assert.equal(g.memory.stats().remembered, 1);
  g.send([span(1, 0, 1, 4, STEP)]);
  g.send([span(0, undefined, 0, 5, ENVELOPE)]);
  assert.deepEqual([...g.rows().values()].sort(), ['agent_call', 'run']);
  assert.deepEqual(g.marked(), [hex(0)]);
});

test('turns under an agentspan span do not count for an envelope above it, in one request or across requests', () => {
  for (const requests of [[[0, 1, 2]], [[2], [1], [0]], [[2, 1], [0]]]) {
    const g = gatewayInProcess();
    const all = [span(0, undefined, 0, 5, ENVELOPE), span(1, 0, 1, 4, OWN), span(2, 1, 2, 3, TURN)];
    for (const r of requests) g.send(r.map((i) => all[i]!));
    assert.equal(g.rows().get(`${hex(0)} s0`), 'agent_call', JSON.stringify(requests));
    assert.deepEqual(g.marked(), []);
  }
});

test('bounds: the least recently touched entry goes first; awaited ones forgotten are counted (evicted, expired), arrived ones are not', () => {
  let now = 0;
  const memory = new EnvelopeMemory({ maxEntries: 2, maxAgeMillis: 100, kindOf, now: () => now });
  const turnUnder = (trace: string, parent: number) => planReplay([span(parent + 1, parent, 1, 2, TURN, trace)], OPTIONS);
  const envelope = (trace: string, id: number) => planReplay([span(id, undefined, 0, 3, ENVELOPE, trace)], OPTIONS);
  const traceOf = (c: string) => c.repeat(32);
  memory.apply(turnUnder(traceOf('a'), 0));
  memory.apply(turnUnder(traceOf('b'), 0));
  now = 10;
  memory.apply(turnUnder(traceOf('a'), 0)); // touched again: b is now the oldest
  memory.apply(turnUnder(traceOf('c'), 0));
  assert.deepEqual(memory.stats(), { remembered: 2, marked: 0, evicted: 1, expired: 0, turnsAfterRow: 0, fillsDropped: 0 });
  const b = envelope(traceOf('b'), 0);
  memory.apply(b);
  assert.equal(b.spans[0]?.attributes[Attr.ATTR_AGENT_TURNS_ELSEWHERE], undefined, 'b was forgotten');
  const a = envelope(traceOf('a'), 0);
  memory.apply(a);
  assert.equal(a.spans[0]?.attributes[Attr.ATTR_AGENT_TURNS_ELSEWHERE], true);
  // a arrived; c still awaited. Past the age: c counted as expired, a not (it came).
  now = 200;
  memory.apply(planReplay([], OPTIONS));
  assert.deepEqual(memory.stats(), { remembered: 2, marked: 1, evicted: 1, expired: 0, turnsAfterRow: 0, fillsDropped: 0 }, 'an empty request forgets nothing');
  memory.apply(envelope(traceOf('d'), 0));
  assert.deepEqual(memory.stats(), { remembered: 0, marked: 1, evicted: 1, expired: 1, turnsAfterRow: 0, fillsDropped: 0 });
});

test('a turn that started after its envelope ended (another service, a later request order) is no turn of it: the envelope stays a row', () => {
  // The envelope [0, 5]; a turn under it [10, 12] (a model proxy's span, sent before the envelope).
  const whole = gatewayInProcess();
  whole.send([span(1, 0, 10, 12, TURN), span(0, undefined, 0, 5, ENVELOPE)]);
  const split = gatewayInProcess();
  split.send([span(1, 0, 10, 12, TURN)]);
  split.send([span(0, undefined, 0, 5, ENVELOPE)]);
  assert.deepEqual(split.rows(), whole.rows());
  assert.ok([...split.rows().entries()].some(([k, v]) => k.endsWith(' s0') && v === 'agent_call'), 'the envelope is its agent\'s row');
  assert.deepEqual(split.marked(), []);
  // A turn that started while it was open still counts, whatever came after.
  const open = gatewayInProcess();
  open.send([span(1, 0, 4, 12, TURN)]);
  open.send([span(0, undefined, 0, 5, ENVELOPE)]);
  assert.equal(open.marked().length, 1);
});

test('a turn whose deciding keys come after more attributes than a span keeps is still a turn: its envelope is no row, in one request or across requests', () => {
  // Until 2026-12: the replay kept the first 4 096 keys, so such a turn was no turn and its envelope a second row.
  const filler: Attributes = {};
  for (let k = 0; k < MAX_RECEIVED_ATTRIBUTES + 10; k++) filler[`x.${k}`] = k;
  const turn = { ...filler, ...TURN };
  const whole = gatewayInProcess();
  whole.send([span(1, 0, 1, 2, turn), span(0, undefined, 0, 3, ENVELOPE)]);
  const split = gatewayInProcess();
  split.send([span(1, 0, 1, 2, turn)]);
  split.send([span(0, undefined, 0, 3, ENVELOPE)]);
  assert.deepEqual(split.rows(), whole.rows());
  assert.deepEqual([...whole.rows().values()].filter((t) => t === 'agent_call').length, 1, 'the turn is the row, the envelope is not');
  assert.deepEqual(split.marked(), [hex(0)]);
});

test('a full memory forgets its least recently touched sixteenth at once (counted), and keeps its bound', () => {
  const memory = new EnvelopeMemory({ maxEntries: 64, maxAgeMillis: 60_000, kindOf });
  for (let t = 0; t < 100; t++) memory.apply(planReplay([span(1, 0, 1, 2, TURN, t.toString(16).padStart(32, '0'))], OPTIONS));
  const s = memory.stats();
  assert.ok(s.remembered <= 64);
  assert.equal(s.remembered + s.evicted, 100);
  // The newest are kept: the last trace's envelope is still marked.
  const plan = planReplay([span(0, undefined, 0, 3, ENVELOPE, (99).toString(16).padStart(32, '0'))], OPTIONS);
  memory.apply(plan);
  assert.equal(plan.spans[0]?.attributes[Attr.ATTR_AGENT_TURNS_ELSEWHERE], true);
});

test('a retried envelope request is marked again; turns after their envelope became a row are counted once, and not awaited', () => {
  const memory = new EnvelopeMemory({ maxEntries: 10, maxAgeMillis: 60_000, kindOf });
  memory.apply(planReplay([span(1, 0, 1, 2, TURN)], OPTIONS));
  for (let attempt = 0; attempt < 2; attempt++) {
    const plan = planReplay([span(0, undefined, 0, 3, ENVELOPE)], OPTIONS);
    memory.apply(plan);
    assert.equal(plan.spans[0]?.attributes[Attr.ATTR_AGENT_TURNS_ELSEWHERE], true, `attempt ${attempt}`);
  }
  assert.equal(memory.stats().marked, 2);

  const other = 'f'.repeat(32);
  memory.apply(planReplay([span(0, undefined, 0, 3, ENVELOPE, other)], OPTIONS)); // no turn: it becomes a row
  const remembered = memory.stats().remembered;
  memory.apply(planReplay([span(1, 0, 1, 2, TURN, other)], OPTIONS));
  memory.apply(planReplay([span(1, 0, 1, 2, TURN, other)], OPTIONS)); // the turn's request retried
  assert.equal(memory.stats().turnsAfterRow, 1);
  assert.equal(memory.stats().remembered, remembered, 'its envelope will not come again: nothing awaited');
});

test('placementOf: an awaited span that arrived, and an envelope that became a row, keep what spans under them inherit, when their run is not the trace', () => {
  const memory = new EnvelopeMemory({ maxEntries: 10, maxAgeMillis: 60_000, kindOf });
  const plan = (spans: ReceivedSpan[]) => {
    const p = planReplay(spans, { ...OPTIONS, placementOf: (t, s) => memory.placementOf(t, s) });
    memory.apply(p);
    return p;
  };
  const conv = { 'gen_ai.conversation.id': 'conv-m' };
  const other = 'e'.repeat(32);
  plan([span(1, 0, 1, 2, TURN)]);
  assert.equal(memory.placementOf(TRACE, hex(0)), undefined, 'awaited, not arrived: not known');
  plan([span(0, undefined, 0, 3, { ...ENVELOPE, ...conv, 'graph.node.id': 'g' })]);
  assert.deepEqual(memory.placementOf(TRACE, hex(0)), { runId: 'conv-m', nodeId: 'g', depth: 1 });
  // The same in the trace's run: nothing kept (the plan falls back to the trace anyway).
  plan([span(1, 0, 1, 2, TURN, other)]);
  plan([span(0, undefined, 0, 3, ENVELOPE, other)]);
  assert.equal(memory.placementOf(other, hex(0)), undefined);
  // An envelope with no turn becomes a row; a model call that outlives it lands in its run.
  const third = 'd'.repeat(32);
  plan([span(0, undefined, 0, 3, { ...ENVELOPE, ...conv }, third)]);
  assert.equal(memory.placementOf(third, hex(0))?.runId, 'conv-m');
  const late = plan([span(1, 0, 2, 9, TURN, third)]);
  assert.deepEqual([late.spans[0]?.attributes[Attr.ATTR_RUN_ID], late.spans[0]?.attributes[Attr.ATTR_DEPTH]], ['conv-m', 2]);
  assert.equal(memory.stats().turnsAfterRow, 1, 'still counted: its answer is stored twice');
  // A span neither awaited nor a row is not remembered.
  plan([span(5, undefined, 0, 1, { ...TOOL, ...conv }, third)]);
  assert.equal(memory.placementOf(third, hex(5)), undefined);
});
