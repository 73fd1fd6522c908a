import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  diag,
  trace,
  type AttributeValue,
  type Attributes,
  type Context,
  type Tracer,
  type TracerProvider,
} from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { TRUNCATION_MARK, createRedactor, normalisePath } from '@agentspan/extract';
import { headOf, toAttributeRecord } from '@agentspan/instrumentation';
import { Attr, EventType, FileSource, fileGenSpanName } from '@agentspan/semconv';
import { CleanNames, IN_PROGRESS_KEYS, SpanRedactor, redactAttributes, redactName, redactStatusAndEvents, stripContent, type SpanTextParts } from './content-policy.js';
import { enrichAgentCall, enrichCodeExecution, enrichToolCall } from './enrich-events.js';
import {
  DEFAULT_MAX_CONTENT_BYTES,
  DEFAULT_MAX_FILE_BYTES,
  DEFAULT_TEXT_EXTENSIONS,
  captureFile,
  currentFileVersion,
  resolveFilePath,
  type CapturedFile,
  type FileCaptureOptions,
} from './file-capture.js';
import { MAX_FILES_GENERATED, MAX_PATH_CHARS, bounded, saysCut } from './bounds.js';
import { RunStates } from './run-state.js';
import { ForeignSpanMapper } from './genai-mapping.js';
import type { ExecutionEventSpanProcessorOptions } from './types.js';

const DEFAULT_MAX_SCAN_CHARS = 1_000_000;
const DEFAULT_MAX_FILES_PER_SPAN = 20;
const TRACER_NAME = '@agentspan/processor';

/** Counters the processor keeps about itself. */
export interface ProcessorStats {
  /** Spans stamped with a run id in `onStart`. */
  spansStamped: number;
  /** Event spans enriched in `onEnding`. */
  spansEnriched: number;
  /** `file_gen` spans created for detected files. */
  filesDetected: number;
  /** Files whose content was captured. */
  filesCaptured: number;
  /** Secrets replaced. */
  redactions: number;
  /** Spans on which processing failed (the span itself is kept, unenriched). */
  failures: number;
}

/** Most ancestors `stampParentEvent` looks through (spans of other instrumentations nest, but not this deep). */
const MAX_PARENT_HOPS = 1024;

/**
 * The span processor at the heart of agentspan. It must come first in the
 * provider's `spanProcessors`, before any exporting processor:
 *
 * - `onStart` stamps every span with its run id, node id, depth and the
 *   per-run execution order (spans created by other instrumentations inside
 *   `run.with()`/`step.with()` inherit them from their parent);
 * - `onEnding` (span still writable) redacts secrets, runs the extractors
 *   synchronously and sets the derived metadata as attributes, captures the
 *   content of files, and creates a child `file_gen` span for each file an
 *   event generated (never for a `file_gen` span itself);
 * - `onEnd` does nothing: exporting is the next processors' job.
 *
 * Nothing here throws into the application: a failure leaves the span as it
 * was and is counted.
 */
export class ExecutionEventSpanProcessor implements SpanProcessor {
  private readonly workspaceDir: string;
  private readonly captureContent: boolean;
  private readonly captureFiles: boolean;
  private readonly fileCapture: FileCaptureOptions;
  private readonly maxFilesPerSpan: number;
  private readonly maxScanChars: number;
  private readonly redactor: SpanRedactor | undefined;
  private readonly runs: RunStates;
  /** Maps GenAI / OpenInference / AI SDK spans of other instrumentations into agentspan's attributes. */
  private readonly foreign: ForeignSpanMapper;
  /** Whether an event was redacted while running (`prepareRunning`): its end looks up `redactedAtStart` too. */
  private redactedWhileRunning = false;
  /** Run and node spans' values and name as their start's redaction left them (see `redactAtStart`). */
  private readonly redactedAtStart = new WeakMap<Span, { readonly values: ReadonlyMap<string, AttributeValue>; readonly name: string }>();
  /**
   * Spans whose parent had no event type when they started, with that parent
   * (see `stampParentEvent`), held weakly: a span kept by the application must
   * not keep its ancestors alive.
   */
  private readonly parentsWithoutType = new WeakMap<Span, WeakRef<Span>>();
  /** Span names the redactor lately found clean (see `CleanNames`). */
  private readonly cleanNames = new CleanNames();
  private tracerProvider: TracerProvider | undefined;
  private tracer: Tracer | undefined;
  private readonly counters: ProcessorStats = {
    spansStamped: 0,
    spansEnriched: 0,
    filesDetected: 0,
    filesCaptured: 0,
    redactions: 0,
    failures: 0,
  };
  private failureLogged = false;

  constructor(options: ExecutionEventSpanProcessorOptions = {}) {
    this.workspaceDir = options.workspaceDir ?? process.cwd();
    this.captureContent = booleanOption('captureContent', options.captureContent, true);
    const redaction = options.redaction;
    const rules = redaction === false || redaction?.enabled === false ? undefined : createRedactor(redaction ?? {});
    const redactor = rules === undefined || redaction === false ? undefined : new SpanRedactor(rules, redaction ?? {});
    this.redactor = redactor;
    const fc = options.fileCapture ?? {};
    this.captureFiles = booleanOption('fileCapture.enabled', fc.enabled, true);
    this.fileCapture = {
      // Redacted before the cut to `maxContentBytes`, so no part of a secret that crosses it is kept.
      // The window past it is itself cut from a longer file: a token running to its end is redacted as cut short.
      redact: redactor === undefined ? undefined : (text, cutAtEnd) => redactor.redactor.redact(text, { cutAtEnd }),
      roots: fc.roots && fc.roots.length > 0 ? [...fc.roots] : [this.workspaceDir],
      maxFileBytes: positive(fc.maxFileBytes, DEFAULT_MAX_FILE_BYTES),
      maxContentBytes: positive(fc.maxContentBytes, DEFAULT_MAX_CONTENT_BYTES),
      textExtensions: fc.textExtensions
        ? new Set(fc.textExtensions.map((e) => (e.startsWith('.') ? e : `.${e}`).toLowerCase()))
        : DEFAULT_TEXT_EXTENSIONS,
    };
    this.maxFilesPerSpan = positive(fc.maxFilesPerSpan, DEFAULT_MAX_FILES_PER_SPAN);
    this.maxScanChars = positive(options.maxScanChars, DEFAULT_MAX_SCAN_CHARS);
    this.runs = new RunStates(positive(options.maxTrackedRuns, 10_000));
    this.foreign = new ForeignSpanMapper(options.maxContentChars !== undefined ? { maxContentChars: options.maxContentChars } : {});
    this.tracerProvider = options.tracerProvider;
  }

  /** Sets the provider used for the `file_gen` spans (the one this processor is registered in). */
  setTracerProvider(provider: TracerProvider): void {
    this.tracerProvider = provider;
    this.tracer = undefined;
  }

  /**
   * Reserves a block of `count` execution orders of a run for another
   * process (a child recording into the same run) and returns the order just
   * before the block: the other process numbers its events from there
   * ({@link continueExecutionOrder}), this one continues after the block, so
   * the two never hand out the same order.
   */
  reserveExecutionOrders(runId: string, count: number): number {
    const n = Number.isSafeInteger(count) && count > 0 ? count : 0;
    return this.runs.reserveOrders(runId, n);
  }

  /** Makes this process number the run's events after `order` (the base a parent reserved for it). */
  continueExecutionOrder(runId: string, order: number): void {
    if (Number.isSafeInteger(order) && order > 0) this.runs.continueAfter(runId, order);
  }

  /**
   * `text` with its secrets replaced, by the same rules as span attributes
   * (unchanged when redaction is off). For values that reach exporters
   * without passing through a span, such as resource attributes. Never
   * throws; counted in `stats().redactions`.
   */
  redactText(text: string): string {
    if (this.redactor === undefined) return text;
    const { text: redacted, redactions } = this.redactor.redactor.redact(text);
    this.counters.redactions += redactions;
    return redacted;
  }

  /** A snapshot of the processor's counters. */
  stats(): ProcessorStats {
    return { ...this.counters };
  }

  onStart(span: Span, parentContext: Context): void {
    try {
      this.foreign.onStart(span, parentContext); // sets the event type of recognised spans before stamping
      presizeAttributes(span);
      this.stamp(span, parentContext);
      const type = span.attributes[Attr.ATTR_EVENT_TYPE];
      if (type === EventType.RUN || type === EventType.NODE) this.redactAtStart(span);
    } catch (err) {
      this.failed(err);
    }
  }

  /**
   * Readies a span that is still running to be written in progress (give it
   * as `prepareRunning` to a `PostgresSpanProcessor`, which calls it when an
   * event has run `showRunningAfterMillis`, and before it prepares any
   * running span; `startAgentspan` does): the values a row in progress
   * holds (`IN_PROGRESS_KEYS` and the span name) are redacted now, as far as
   * they changed since the last pass, and the end redacts the rest, content
   * included, as always (redacting content part way through would cut a
   * secret the application is still appending in two, and count it again on
   * every pass). An event's parent row is looked up now too (as at its end).
   * False for a span that ended or is not agentspan's; never throws.
   */
  prepareRunning(span: Span): boolean {
    try {
      if (span.ended) return false;
      const type = span.attributes[Attr.ATTR_EVENT_TYPE];
      if (type === undefined) return false;
      if (type !== EventType.RUN && type !== EventType.NODE) {
        this.stampParentEvent(span);
        if (this.redactor !== undefined) this.redactedWhileRunning = true;
      }
      this.redactInProgressKeys(span);
      return true;
    } catch (err) {
      this.failed(err);
      return false;
    }
  }

  onEnding(span: Span): void {
    try {
      this.process(span);
    } catch (err) {
      this.failed(err);
    }
  }

  onEnd(_span: ReadableSpan): void {
    /* exporting processors come after this one */
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }

  // -------------------------------------------------------------------------

  private failed(err: unknown): void {
    this.counters.failures += 1;
    if (!this.failureLogged) {
      this.failureLogged = true;
      diag.warn('agentspan: processing a span failed; the span is kept unenriched (logged once)', err);
    }
  }

  /** Run id, node id, depth and execution order, own or inherited from the parent span. */
  private stamp(span: Span, parentContext: Context): void {
    const attrs = span.attributes;
    const type = attrs[Attr.ATTR_EVENT_TYPE];
    let runId = attrs[Attr.ATTR_RUN_ID];
    if (typeof runId !== 'string') {
      const parent = parentAttributes(parentContext);
      if (!parent) return;
      const parentRun = parent[Attr.ATTR_RUN_ID];
      if (typeof parentRun !== 'string') return;
      runId = parentRun;
      const inherited: Attributes = { [Attr.ATTR_RUN_ID]: parentRun };
      const parentNode = parent[Attr.ATTR_NODE_ID];
      if (typeof parentNode === 'string') inherited[Attr.ATTR_NODE_ID] = parentNode;
      const parentDepth = parent[Attr.ATTR_DEPTH];
      inherited[Attr.ATTR_DEPTH] = typeof parentDepth === 'number' ? parentDepth + 1 : 1;
      if (attrs[Attr.ATTR_GEN_AI_CONVERSATION_ID] === undefined) inherited[Attr.ATTR_GEN_AI_CONVERSATION_ID] = parentRun;
      // A parent without an event type now may have no row (the AI SDK's `step` span) or get one at
      // its end (an agent envelope without turns): which is decided when this span ends.
      if (parent[Attr.ATTR_EVENT_TYPE] === undefined) {
        const parentSpan = trace.getSpan(parentContext) as unknown as Span | undefined;
        if (parentSpan !== undefined) this.parentsWithoutType.set(span, new WeakRef(parentSpan));
      }
      span.setAttributes(inherited);
    }
    this.counters.spansStamped += 1;
    // Runs and nodes are ordered by their own columns; events share one sequence per run.
    if (type !== EventType.RUN && type !== EventType.NODE && attrs[Attr.ATTR_EXECUTION_ORDER] === undefined) {
      span.setAttribute(Attr.ATTR_EXECUTION_ORDER, this.runs.nextOrder(runId));
    }
  }

  /**
   * `agentspan.parent_event.span_id` of a span whose parent had no event
   * type when it started: the nearest ancestor that has a row, as known now
   * (`parent_event_id` is derived from it). An ancestor with an event type
   * has one; so has an agent envelope with no model turn yet (it becomes a
   * row when it ends so); anything else is passed (the AI SDK's `step N`,
   * an envelope whose turns are the rows).
   */
  private stampParentEvent(span: Span): void {
    let ancestor: Span | undefined = this.parentsWithoutType.get(span)?.deref();
    if (ancestor === undefined) return;
    const parentId = ancestor.spanContext().spanId;
    for (let hops = 0; hops < MAX_PARENT_HOPS; hops++) {
      if (ancestor.attributes[Attr.ATTR_EVENT_TYPE] !== undefined || this.foreign.mayBecomeRow(ancestor)) break;
      const ref: WeakRef<Span> | undefined = this.parentsWithoutType.get(ancestor);
      if (ref === undefined) {
        // Its parent had an event type when it started: that one has a row.
        const id = ancestor.parentSpanContext?.spanId;
        if (id !== undefined && (id !== parentId || span.attributes[Attr.ATTR_PARENT_EVENT_SPAN_ID] !== undefined)) span.setAttribute(Attr.ATTR_PARENT_EVENT_SPAN_ID, id);
        return;
      }
      const up: Span | undefined = ref.deref();
      if (up === undefined) return; // collected (ended and exported long ago): not known, the direct parent stays
      ancestor = up;
    }
    const id = ancestor.spanContext().spanId;
    // Set while it ran too (`prepareRunning`): what is known now wins, the direct parent included.
    if (id !== parentId || span.attributes[Attr.ATTR_PARENT_EVENT_SPAN_ID] !== undefined) span.setAttribute(Attr.ATTR_PARENT_EVENT_SPAN_ID, id);
  }

  private process(span: Span): void {
    const attrs = span.attributes;
    if (attrs[Attr.ATTR_PROCESSED] === true) return;
    try {
      this.enrich(span);
    } finally {
      // Even when enrichment failed part way (another processor threw while a `file_gen` child
      // started): content capture off must never fail open.
      if (!this.captureContent) stripContent(span.attributes);
      span.setAttribute(Attr.ATTR_PROCESSED, true);
    }
  }

  /**
   * A run's or node's attributes are redacted when it starts as well as when
   * it ends: `PostgresSpanProcessor` writes its row in progress from them
   * before the end (and a killed process never reaches it). What this pass
   * leaves is remembered, so the end skips the values still unchanged (a
   * user pattern that matches a tag would otherwise redact it again).
   */
  private redactAtStart(span: Span): void {
    if (!this.redactor) return;
    const found = redactAttributes(span.attributes, this.redactor);
    const inName = redactName(span, this.redactor, this.cleanNames);
    const redactions = (found?.redactions ?? 0) + inName;
    if (found !== undefined) span.setAttributes(found.changes);
    if (redactions > 0) {
      // Added to a count the span came with (a gateway replays an SDK's span counted by its own processor), as the
      // later passes add theirs: put over it, the earlier redactions were no longer counted on the row.
      const earlier = span.attributes[Attr.ATTR_REDACTIONS];
      span.setAttribute(Attr.ATTR_REDACTIONS, redactions + (typeof earlier === 'number' ? earlier : 0));
      this.counters.redactions += redactions;
    }
    const done = new Map<string, AttributeValue>();
    const attrs = span.attributes;
    for (const key in attrs) {
      const value = attrs[key];
      if (value !== undefined) done.set(key, value);
    }
    this.redactedAtStart.set(span, { values: done, name: span.name });
  }

  /**
   * The pass of {@link prepareRunning}: the values a row in progress holds,
   * where they changed since the last pass (the start's, for a run or node),
   * and the span name; remembered with the rest, so the end skips them.
   */
  private redactInProgressKeys(span: Span): void {
    if (!this.redactor) return;
    const before = this.redactedAtStart.get(span);
    const values = new Map<string, AttributeValue>(before?.values);
    const attrs = span.attributes;
    let changes: Attributes | undefined;
    let redactions = 0;
    for (const key of IN_PROGRESS_KEYS) {
      const value = attrs[key];
      if (typeof value !== 'string' || values.get(key) === value) continue;
      const r = this.redactor.redactValue(key, value) ?? { text: value, redactions: 0 };
      if (r.redactions > 0) {
        (changes ??= {})[key] = r.text;
        redactions += r.redactions;
      }
      values.set(key, r.text);
    }
    if (before?.name !== span.name) redactions += redactName(span, this.redactor, this.cleanNames);
    if (changes !== undefined) span.setAttributes(changes);
    if (redactions > 0) {
      const earlier = attrs[Attr.ATTR_REDACTIONS];
      span.setAttribute(Attr.ATTR_REDACTIONS, redactions + (typeof earlier === 'number' ? earlier : 0));
      this.counters.redactions += redactions;
    }
    this.redactedAtStart.set(span, { values, name: span.name });
  }

  /** Redaction, extraction, file spans and file capture of one ending span. */
  private enrich(span: Span): void {
    const attrs = span.attributes;
    this.foreign.onEnding(span, this.captureContent); // results that arrive at the end, before redaction and extraction
    const type = attrs[Attr.ATTR_EVENT_TYPE];
    if (type !== undefined) this.stampParentEvent(span);
    if (this.redactor) {
      // Only runs and nodes were redacted at their start (see `redactAtStart`), and events shown while
      // running (`prepareRunning`): no lookup for the others until such an event was.
      const leftAtStart =
        type === EventType.RUN || type === EventType.NODE || this.redactedWhileRunning ? this.redactedAtStart.get(span) : undefined;
      const found = redactAttributes(attrs, this.redactor, leftAtStart?.values);
      // A name redacted at the start and unchanged since is not redacted twice (as the attributes).
      const inName = leftAtStart?.name === span.name ? 0 : redactName(span, this.redactor, this.cleanNames);
      const elsewhere = redactStatusAndEvents(span as unknown as SpanTextParts, this.redactor) + inName;
      const redactions = (found?.redactions ?? 0) + elsewhere;
      if (found !== undefined) span.setAttributes(found.changes);
      if (redactions > 0) {
        const atStart = attrs[Attr.ATTR_REDACTIONS];
        span.setAttribute(Attr.ATTR_REDACTIONS, redactions + (typeof atStart === 'number' ? atStart : 0));
        this.counters.redactions += redactions;
      }
    }
    let generated: readonly string[] | undefined;
    let source: FileSource | undefined;
    switch (type) {
      case EventType.CODE_EXEC:
        generated = enrichCodeExecution(span, this.maxScanChars);
        source = FileSource.CODE_EXECUTION;
        break;
      case EventType.TOOL_CALL:
        generated = enrichToolCall(span, this.maxScanChars);
        source = FileSource.TOOL_CALL;
        break;
      case EventType.AGENT_CALL:
        generated = enrichAgentCall(span, this.maxScanChars);
        break;
      case EventType.FILE_GEN:
        this.captureFileSpan(span);
        break;
      default:
        break;
    }
    if (generated !== undefined) {
      this.counters.spansEnriched += 1;
      markFailedRun(span);
      if (generated.length > 0 && source !== undefined) {
        const files = generated.slice(0, this.maxFilesPerSpan);
        const listed = filesGeneratedList(attrs[Attr.ATTR_FILES_GENERATED], files, saysCut(attrs));
        span.setAttribute(Attr.ATTR_FILES_GENERATED, listed.files);
        if (listed.cut) span.setAttribute(Attr.ATTR_TRUNCATED, true);
        this.createFileSpans(span, files, source);
        return;
      }
    }
    boundDeclaredFiles(span);
  }

  private getTracer(): Tracer {
    this.tracer ??= (this.tracerProvider ?? trace.getTracerProvider()).getTracer(TRACER_NAME);
    return this.tracer;
  }

  /** One child `file_gen` span per generated file not yet recorded in this node. */
  private createFileSpans(parent: Span, files: string[], source: FileSource): void {
    const attrs = parent.attributes;
    const runId = typeof attrs[Attr.ATTR_RUN_ID] === 'string' ? (attrs[Attr.ATTR_RUN_ID] as string) : undefined;
    const nodeId = typeof attrs[Attr.ATTR_NODE_ID] === 'string' ? (attrs[Attr.ATTR_NODE_ID] as string) : undefined;
    const cwd = typeof attrs[Attr.ATTR_CODE_CWD] === 'string' ? (attrs[Attr.ATTR_CODE_CWD] as string) : undefined;
    const depth = typeof attrs[Attr.ATTR_DEPTH] === 'number' ? attrs[Attr.ATTR_DEPTH] + 1 : undefined;
    const agent = attrs[Attr.ATTR_GEN_AI_AGENT_NAME];
    const parentContext = trace.setSpan(ROOT_CONTEXT, parent);
    const tracer = this.getTracer();
    for (const path of files) {
      const resolved = resolveBounded(path, cwd, this.fileCapture.roots);
      // A cut path is no key: files under one long cwd are all cut alike, and would be taken for one.
      if (runId !== undefined && !resolved.cut && !this.isNewInNode(runId, nodeId, resolved.text)) continue;
      const fileAttrs: Attributes = {
        [Attr.ATTR_EVENT_TYPE]: EventType.FILE_GEN,
        [Attr.ATTR_FILE_PATH]: path,
        [Attr.ATTR_FILE_SOURCE]: source,
        [Attr.ATTR_FILE_RESOLVED_PATH]: resolved.text,
      };
      // Its capture reads the mark with the flag: a path cut names no file to look up (`captureFileSpan`).
      if (resolved.cut) fileAttrs[Attr.ATTR_TRUNCATED] = true;
      if (runId !== undefined) {
        fileAttrs[Attr.ATTR_RUN_ID] = runId;
        fileAttrs[Attr.ATTR_GEN_AI_CONVERSATION_ID] = runId;
      }
      if (nodeId !== undefined) fileAttrs[Attr.ATTR_NODE_ID] = nodeId;
      if (depth !== undefined) fileAttrs[Attr.ATTR_DEPTH] = depth;
      if (typeof agent === 'string') fileAttrs[Attr.ATTR_GEN_AI_AGENT_NAME] = agent;
      const at = parent.endTime;
      const child = tracer.startSpan(
        fileGenSpanName(path),
        { kind: SpanKind.INTERNAL, attributes: fileAttrs, startTime: at },
        parentContext,
      );
      child.end(at);
      this.counters.filesDetected += 1;
    }
  }

  /**
   * Whether a detected file deserves a `file_gen` span in this node: not
   * recorded here yet, or recorded as another version than the one on disk
   * now (one stat: a file rewritten by a later step of the node gets a row
   * for its new content instead of keeping the first).
   */
  private isNewInNode(runId: string, nodeId: string | undefined, resolved: string): boolean {
    const known = this.runs.fileVersion(runId, nodeId, resolved);
    if (known === undefined) return true;
    if (known === null || !this.captureFiles) return false;
    const now = currentFileVersion(resolved);
    return now !== undefined && now !== known;
  }

  /** Content, size, type and hash of the file a `file_gen` span names. */
  private captureFileSpan(span: Span): void {
    const attrs = span.attributes;
    const path = attrs[Attr.ATTR_FILE_PATH];
    if (typeof path !== 'string' || path.length === 0) return;
    const given = attrs[Attr.ATTR_FILE_RESOLVED_PATH];
    const normalised = normalisePath(path) ?? path;
    // A declared path is stored as detected ones are (`./a.txt` as `a.txt`), so rows compare by path;
    // one longer than a path can be is stored cut and marked (`bounded`), and names no file to read.
    // A path cut already (by the recorder, or by this processor creating the span) is kept: the span says it was cut.
    const wasCut = saysCut(attrs);
    const stored = bounded(normalised, MAX_PATH_CHARS, wasCut);
    if (stored.text !== path) span.setAttribute(Attr.ATTR_FILE_PATH, stored.text);
    const resolved =
      typeof given === 'string'
        ? { text: bounded(given, MAX_PATH_CHARS, wasCut).text, cut: given.length > MAX_PATH_CHARS || (wasCut && given.endsWith(TRUNCATION_MARK)) }
        : resolveBounded(normalised, undefined, this.fileCapture.roots);
    const tooLong = stored.cut || resolved.cut;
    const captured: CapturedFile = !this.captureFiles
      ? { resolvedPath: resolved.text, fileType: tooLong ? '' : fileTypeOf(resolved.text), hasContent: false, skipReason: 'disabled' }
      : tooLong
        ? { resolvedPath: resolved.text, fileType: '', hasContent: false, skipReason: 'path_too_long' }
        : captureFile(resolved.text, undefined, this.fileCapture);
    const runId = attrs[Attr.ATTR_RUN_ID];
    // Not recorded when cut: two paths cut alike are not one file, and a duplicate has no row (the exporter).
    if (typeof runId === 'string' && !tooLong) {
      const nodeId = typeof attrs[Attr.ATTR_NODE_ID] === 'string' ? (attrs[Attr.ATTR_NODE_ID] as string) : undefined;
      const first = this.runs.recordFile(runId, nodeId, resolved.text, span.spanContext().spanId, captured.version);
      if (first !== undefined && first !== span.spanContext().spanId) {
        span.setAttribute(Attr.ATTR_FILE_DUPLICATE, true);
      }
    }
    const out: Attributes = {
      [Attr.ATTR_FILE_RESOLVED_PATH]: bounded(captured.resolvedPath, MAX_PATH_CHARS, tooLong).text,
      [Attr.ATTR_FILE_TYPE]: captured.fileType || (tooLong ? '' : fileTypeOf(stored.text)),
      [Attr.ATTR_FILE_HAS_CONTENT]: captured.hasContent && this.captureContent,
    };
    if (tooLong) out[Attr.ATTR_TRUNCATED] = true;
    if (captured.size !== undefined) out[Attr.ATTR_FILE_SIZE] = captured.size;
    if (captured.sha256 !== undefined) out[Attr.ATTR_FILE_SHA256] = captured.sha256;
    if (captured.truncated !== undefined) out[Attr.ATTR_FILE_TRUNCATED] = captured.truncated;
    if (captured.skipReason !== undefined) out[Attr.ATTR_FILE_SKIP_REASON] = captured.skipReason;
    if (captured.hasContent && captured.content !== undefined && this.captureContent) {
      const found = captured.redactions ?? 0;
      if (found > 0) {
        const before = attrs[Attr.ATTR_REDACTIONS];
        out[Attr.ATTR_REDACTIONS] = (typeof before === 'number' ? before : 0) + found;
        this.counters.redactions += found;
      }
      out[Attr.ATTR_FILE_CONTENT] = captured.content;
      this.counters.filesCaptured += 1;
    }
    span.setAttributes(out);
  }
}

/**
 * A switch given in code. Anything but a boolean throws (at construction,
 * never while recording): `'false'` read from a configuration file is truthy,
 * and for these switches truthy means keeping content the caller meant to drop.
 */
function booleanOption(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') {
    const shown = typeof value === 'string' ? `"${value.slice(0, 60)}" (a string)` : `${String(value)} (a ${typeof value})`;
    throw new TypeError(`agentspan processor: ${name} must be true or false, got ${shown}`);
  }
  return value;
}

function positive(value: number | undefined, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.floor(value) : fallback;
}

/**
 * `agentspan.files.generated` rewritten with the files detected: the paths the span declared (each
 * bounded as any path copied, {@link MAX_PATH_CHARS}; `cutBefore`: see `bounded`) then the files
 * detected, without repeats, at most {@link MAX_FILES_GENERATED} in all. The files detected are kept
 * first when the list is too long (each has its `file_gen` span), so the declared entries fill what
 * room is left; `cut` says whether anything was cut, a path or the list. The declared list is read
 * only as far as it is kept.
 */
function filesGeneratedList(existing: AttributeValue | undefined, detected: readonly string[], cutBefore: boolean): { files: string[]; cut: boolean } {
  const keep = detected.slice(0, MAX_FILES_GENERATED);
  const detectedSet = new Set(keep);
  const out = new Set<string>();
  let cut = keep.length < detected.length;
  if (Array.isArray(existing)) {
    // Room for declared entries that are not also detected; one also detected takes no room of its own.
    let room = MAX_FILES_GENERATED - detectedSet.size;
    for (const p of existing) {
      if (typeof p !== 'string') continue;
      const b = bounded(p, MAX_PATH_CHARS, cutBefore);
      if (out.has(b.text)) continue;
      if (!detectedSet.has(b.text)) {
        if (room === 0) {
          cut = true;
          break;
        }
        room -= 1;
      }
      cut ||= b.cut;
      out.add(b.text);
    }
  }
  for (const f of keep) out.add(f);
  return { files: [...out], cut };
}

/**
 * A declared `agentspan.files.generated` the processor did not rewrite (no file detected, or a span of
 * another type), bounded as a rewritten one is: a list of more than {@link MAX_FILES_GENERATED}
 * entries, or with a path longer than {@link MAX_PATH_CHARS}, is made as `filesGeneratedList` makes
 * one with no file detected (its first entries, each bounded, without repeats) and marked
 * `agentspan.truncated`. A list within both bounds is left as the span set it. One lookup on spans
 * without such a list (almost all).
 */
function boundDeclaredFiles(span: Span): void {
  const attrs = span.attributes;
  const declared = attrs[Attr.ATTR_FILES_GENERATED];
  if (!Array.isArray(declared) || withinFileBounds(declared)) return;
  const listed = filesGeneratedList(declared, [], saysCut(attrs));
  span.setAttribute(Attr.ATTR_FILES_GENERATED, listed.files);
  if (listed.cut) span.setAttribute(Attr.ATTR_TRUNCATED, true);
}

/** Whether a declared list holds at most {@link MAX_FILES_GENERATED} entries, none longer than {@link MAX_PATH_CHARS}. */
function withinFileBounds(list: readonly unknown[]): boolean {
  if (list.length > MAX_FILES_GENERATED) return false;
  for (const entry of list) if (typeof entry === 'string' && entry.length > MAX_PATH_CHARS) return false;
  return true;
}

/**
 * `path` resolved as `resolveFilePath` does, at most {@link MAX_PATH_CHARS}
 * long: longer, it is cut and marked (`bounded`), and `cut` says so. A path
 * or `cwd` longer than that bound (no file has such a path) is resolved from
 * its cut start only, and the result marked cut however long: resolving
 * megabytes costs tens of milliseconds a file on the application's thread.
 */
function resolveBounded(path: string, cwd: string | undefined, roots: readonly string[]): { text: string; cut: boolean } {
  if (path.length <= MAX_PATH_CHARS && (cwd === undefined || cwd.length <= MAX_PATH_CHARS)) {
    return bounded(resolveFilePath(path, cwd, roots), MAX_PATH_CHARS);
  }
  const start = resolveFilePath(headOf(path, MAX_PATH_CHARS), cwd === undefined ? undefined : headOf(cwd, MAX_PATH_CHARS), roots);
  return { text: headOf(start, MAX_PATH_CHARS) + TRUNCATION_MARK, cut: true };
}

function fileTypeOf(path: string): string {
  const dot = path.lastIndexOf('.');
  const slash = path.lastIndexOf('/');
  return dot > slash + 1 ? path.slice(dot + 1).toLowerCase() : '';
}

/** Most keys a plain object keeps as fast properties when they are added one by one (V8). */
const PLAIN_RECORD_KEYS = 16;
/** About how many attributes the stamp and `onEnding` add to a span of each event type (more when there are errors or files). */
const ADDED_LATER: ReadonlyMap<string, number> = new Map([
  [EventType.CODE_EXEC, 10],
  [EventType.FILE_GEN, 8],
  [EventType.AGENT_CALL, 6],
  [EventType.TOOL_CALL, 4],
]);

/**
 * Gives an event span that will end with more attributes than a plain
 * object keeps fast (see `createAttributeRecord` in @agentspan/instrumentation)
 * an attribute record that stays fast: the SDK's own record would turn into
 * a slow hash table when the stamp and the extracted metadata cross about
 * 16 keys (every `code_exec`). The keys, values and their order are
 * unchanged; in SDK 2.x `attributes` is a plain writable field of the span
 * (the processor already relies on that record, see `stripContent`).
 * Anything unexpected leaves the span as it was.
 */
function presizeAttributes(span: Span): void {
  const attrs = span.attributes;
  const type = attrs[Attr.ATTR_EVENT_TYPE];
  if (typeof type !== 'string') return;
  let count = ADDED_LATER.get(type) ?? 3;
  for (const _ in attrs) count++;
  if (count <= PLAIN_RECORD_KEYS) return;
  try {
    (span as unknown as { attributes: Attributes }).attributes = toAttributeRecord(attrs);
  } catch {
    // Not a plain field in this SDK: the span keeps its own record.
  }
}

/** Attributes of the parent span, when it is an SDK span of this process. */
function parentAttributes(ctx: Context): Attributes | undefined {
  const parent = trace.getSpan(ctx) as unknown as { attributes?: unknown } | undefined;
  const attrs = parent?.attributes;
  return attrs !== null && typeof attrs === 'object' ? (attrs as Attributes) : undefined;
}

/**
 * A code run (or a tool that ran code) whose output or exit code showed a
 * failure ends with status Error, as OTel's error convention pairs
 * `error.type` with it: Jaeger flags it and span-metrics count it as an
 * error. A status the caller set is kept.
 */
function markFailedRun(span: Span): void {
  if (span.attributes[Attr.ATTR_HAS_ERROR] !== true || span.status.code !== SpanStatusCode.UNSET) return;
  const message = span.attributes[Attr.ATTR_ERROR_MESSAGE] ?? span.attributes[Attr.ATTR_ERROR_TYPE];
  span.setStatus(typeof message === 'string' ? { code: SpanStatusCode.ERROR, message } : { code: SpanStatusCode.ERROR });
}
