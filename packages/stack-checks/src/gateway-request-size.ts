/**
 * Whether an OpenTelemetry Collector configuration can send the agentspan
 * gateway a request it refuses for its size. The gateway answers such a
 * request 413, which the Collector's OTLP exporters treat as permanent: every
 * span in it is dropped. So each request the Collector sends the gateway must
 * stay within the gateway's `maxBodyBytes` (counted as received and after
 * decompression) and its spans-per-request limit, in the worst case the
 * configuration allows, not the typical one.
 *
 * The bound this checks is the one `collector-config/README.md` derives
 * (*Request size toward the gateway*):
 *
 * - the gateway exporter batches by **bytes** (`sending_queue.batch.sizer:
 *   bytes`), so no request carries more than `max_size` bytes of protobuf,
 *   and the compressed body at most that plus compression framing;
 * - the exporter can split a request between spans, never inside one: a span
 *   larger than `max_size` is dropped by the Collector (and, in 0.161, the
 *   rest of its request with it). The largest span that can reach the
 *   exporter is the largest request the pipeline's receivers accept, so that
 *   must not exceed `max_size`;
 * - the exporter only splits (`min_size: 0`), so a request holds at most the
 *   spans the `batch` processor puts in one (`send_batch_max_size`).
 *
 * The same bound, with Jaeger's limits ({@link JAEGER_LIMITS}, its gRPC
 * receiver's 4 MiB), is checked for every exporter to Jaeger
 * ({@link jaegerExportBounds}): a larger message is refused there with
 * RESOURCE_EXHAUSTED, permanent for the Collector, and the batch dropped.
 * Its receivers are sized for the other destinations, so a span larger than
 * one request to Jaeger is a documented loss there, not a problem
 * (`collector-config/README.md`, *Request size toward Jaeger*).
 */

const MIB = 1024 * 1024;

/** The Collector's OTLP/HTTP receiver default `max_request_body_size` (confighttp). */
export const COLLECTOR_DEFAULT_HTTP_BODY_BYTES = 20 * MIB;
/** The Collector's OTLP/gRPC receiver default message size (`max_recv_msg_size_mib` unset: gRPC's 4 MiB). */
export const COLLECTOR_DEFAULT_GRPC_MESSAGE_BYTES = 4 * MIB;

/** What the gateway accepts in one request. */
export interface GatewayLimits {
  /** Largest body, bytes, both as received and after `Content-Encoding` is undone (its `maxBodyBytes`). */
  readonly maxBodyBytes: number;
  /** Most spans in one request (half its `maxQueueSpans`; more is answered 413). */
  readonly maxSpansPerRequest: number;
}

/**
 * What Jaeger (2.20, all-in-one) accepts in one request over OTLP/gRPC: its receiver sets no
 * `max_recv_msg_size_mib`, so gRPC's default 4 MiB, compared with the message as received and after
 * decompression. A larger one is refused with RESOURCE_EXHAUSTED, which the Collector's exporter
 * treats as permanent: the whole batch is dropped. No limit on spans.
 */
export const JAEGER_LIMITS: GatewayLimits = Object.freeze({ maxBodyBytes: COLLECTOR_DEFAULT_GRPC_MESSAGE_BYTES, maxSpansPerRequest: Infinity });

/** Where requests go, for {@link exportBounds}: which exporters, what they may send, and how a too-large request is refused. */
export interface ExportDestination {
  /** Host of the exporters' endpoint, e.g. `agentspan-gateway`. */
  readonly host: string;
  /** Its name in the problems, e.g. `the gateway`, `Jaeger`. */
  readonly name: string;
  /** The name of its size limit in the problems, e.g. `maxBodyBytes`. */
  readonly limitName: string;
  /** How it refuses a request over the limit, e.g. `413`. */
  readonly refusal: string;
  readonly limits: GatewayLimits;
  /**
   * Whether every span the pipeline's receivers accept must fit one request (the gateway: its
   * pipeline's receiver is sized for it). When false (Jaeger: the receivers are sized for the other
   * destinations), a span larger than a request is a loss the configuration documents, not a
   * problem: `maxSpanBytes` still says how large one can be.
   */
  readonly everySpanFits: boolean;
}

/** The worst-case request one exporter of one pipeline sends its destination (the gateway, Jaeger), and what is wrong with it. */
export interface GatewayExportBound {
  /** The pipeline, e.g. `traces/agentspan`. */
  readonly pipeline: string;
  /** The exporter, e.g. `otlp_http/agentspan_gateway`. */
  readonly exporter: string;
  /** Largest protobuf body (uncompressed) it sends, bytes; `Infinity` when nothing bounds it. */
  readonly maxRequestBytes: number;
  /** Largest body on the wire, after compression in the worst case (incompressible data), bytes. */
  readonly maxWireBytes: number;
  /** Largest span that can reach the exporter (the largest request its pipeline's receivers accept), bytes. */
  readonly maxSpanBytes: number;
  /** Most spans in one request; `Infinity` when nothing bounds it. */
  readonly maxSpans: number;
  /** Why a request can be refused or a span dropped, in words; empty when the bound holds. */
  readonly problems: readonly string[];
}

type Node = Record<string, unknown>;

function isNode(v: unknown): v is Node {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function child(v: unknown, key: string): unknown {
  return isNode(v) ? v[key] : undefined;
}

function list(v: unknown): string[] {
  return Array.isArray(v) ? v.map(String) : [];
}

/** A size setting: a non-negative integer, or `undefined` when absent or not a number. */
function size(v: unknown): number | undefined {
  const n = typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : v;
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

const typeOf = (id: string): string => id.split('/')[0]!;

/**
 * Worst-case size of `bytes` of data once compressed: incompressible data is
 * sent in stored (uncompressed) blocks, at most 5 bytes of framing per block
 * of at least 16 KiB (Go's deflate; zstd and snappy frame less), plus 64 for
 * the stream's header and trailer (gzip's are 18 bytes).
 */
export function worstCaseCompressedBytes(bytes: number, compression: string): number {
  if (compression === 'none' || compression === '') return bytes;
  return bytes + 5 * Math.ceil(bytes / 16_384) + 64;
}

/** Host of an exporter endpoint such as `http://agentspan-gateway:4318` or `agentspan-gateway:4318`. */
function endpointHost(endpoint: unknown): string | undefined {
  if (typeof endpoint !== 'string') return undefined;
  const m = /^(?:[a-z][a-z0-9+.-]*:\/\/)?(\[[^\]]*\]|[^:/]+)/i.exec(endpoint.trim());
  return m?.[1];
}

/**
 * Largest request, bytes, the receivers of a pipeline accept: OTLP/HTTP's
 * `max_request_body_size` (applied to the decompressed body too; a JSON body
 * decodes into fewer protobuf bytes), OTLP/gRPC's `max_recv_msg_size_mib`.
 */
function largestReceivedRequest(config: Node, receivers: readonly string[], problems: string[]): number {
  let largest = 0;
  for (const id of receivers) {
    const receiver = child(child(config, 'receivers'), id);
    if (typeOf(id) !== 'otlp' || !isNode(receiver)) {
      problems.push(`receiver ${id}: not an OTLP receiver this check can bound; the largest span it passes on is unknown`);
      largest = Infinity;
      continue;
    }
    const protocols = child(receiver, 'protocols');
    const http = child(protocols, 'http');
    const grpc = child(protocols, 'grpc');
    if (isNode(http)) {
      const written = child(http, 'max_request_body_size');
      largest = Math.max(largest, written === undefined ? COLLECTOR_DEFAULT_HTTP_BODY_BYTES : (size(written) ?? Infinity));
    }
    if (isNode(grpc)) {
      const written = child(grpc, 'max_recv_msg_size_mib');
      largest = Math.max(largest, written === undefined ? COLLECTOR_DEFAULT_GRPC_MESSAGE_BYTES : (size(written) ?? Infinity) * MIB);
    }
  }
  return largest;
}

/** Most spans the last `batch` processor of a pipeline puts in one request (`send_batch_max_size`; 0 or none: unbounded). */
function spansPerBatch(config: Node, processors: readonly string[]): number {
  const id = [...processors].reverse().find((p) => typeOf(p) === 'batch');
  if (id === undefined) return Infinity;
  const max = size(child(child(child(config, 'processors'), id), 'send_batch_max_size'));
  return max === undefined || max === 0 ? Infinity : max;
}

function bytesText(n: number): string {
  if (!Number.isFinite(n)) return 'unbounded';
  return n % MIB === 0 ? `${n} bytes (${n / MIB} MiB)` : `${n} bytes`;
}

function boundOf(config: Node, pipeline: string, exporter: string, destination: ExportDestination): GatewayExportBound {
  const { limits, name } = destination;
  const problems: string[] = [];
  const p = child(child(child(config, 'service'), 'pipelines'), pipeline);
  const e = child(child(config, 'exporters'), exporter);
  const where = `${pipeline} → ${exporter}`;

  const encoding = child(e, 'encoding') ?? 'proto';
  if (encoding !== 'proto') {
    problems.push(`${where}: encoding ${String(encoding)}: batch sizes are protobuf bytes, and a JSON body is larger than its protobuf`);
  }
  const compression = String(child(e, 'compression') ?? 'gzip');

  const queue = child(e, 'sending_queue');
  const batch = child(queue, 'batch');
  let maxRequestBytes = Infinity;
  let merges = false;
  if (child(queue, 'enabled') === false || !isNode(batch) || child(batch, 'enabled') === false) {
    problems.push(
      `${where}: no sending_queue.batch, so requests are sized by span count only and a batch of large spans can exceed ${name}'s ${bytesText(limits.maxBodyBytes)}`,
    );
  } else {
    // Set explicitly: some versions ignore the queue's sizer here and size the batch in items (collector #14687).
    if (child(batch, 'sizer') !== 'bytes') {
      problems.push(`${where}: sending_queue.batch.sizer is ${JSON.stringify(child(batch, 'sizer') ?? null)}, not bytes: max_size would count spans, not bytes`);
    }
    const maxSize = size(child(batch, 'max_size'));
    if (maxSize === undefined || maxSize === 0) {
      problems.push(`${where}: sending_queue.batch.max_size is not a positive number of bytes, so nothing splits large requests`);
    } else if (child(batch, 'sizer') === 'bytes') {
      maxRequestBytes = maxSize;
    }
    // Absent, min_size is 8192 (of the batch's sizer): the exporter would merge requests, unbounding their span count.
    merges = size(child(batch, 'min_size')) !== 0;
  }

  const maxWireBytes = Number.isFinite(maxRequestBytes) ? worstCaseCompressedBytes(maxRequestBytes, compression) : Infinity;
  // An unbounded request is reported above, with its cause.
  if (Number.isFinite(maxRequestBytes) && Math.max(maxRequestBytes, maxWireBytes) > limits.maxBodyBytes) {
    problems.push(
      `${where}: a request can be ${bytesText(maxRequestBytes)} decompressed and ${bytesText(maxWireBytes)} on the wire (${compression}), ` +
        `more than ${name}'s ${destination.limitName} of ${bytesText(limits.maxBodyBytes)}: it would be refused (${destination.refusal}) and its spans dropped`,
    );
  }

  const maxSpanBytes = largestReceivedRequest(config, list(child(p, 'receivers')), problems);
  if (destination.everySpanFits && maxSpanBytes > maxRequestBytes && Number.isFinite(maxRequestBytes)) {
    problems.push(
      `${where}: the receivers accept requests of up to ${bytesText(maxSpanBytes)}, so one span can be larger than the exporter's max_size of ${bytesText(maxRequestBytes)}; ` +
        'a span cannot be split, and the collector drops it',
    );
  }

  const maxSpans = merges ? Infinity : spansPerBatch(config, list(child(p, 'processors')));
  if (maxSpans > limits.maxSpansPerRequest) {
    problems.push(
      `${where}: ${merges ? 'sending_queue.batch.min_size is not 0, so the exporter merges requests and' : 'no batch processor with send_batch_max_size:'} ` +
        `a request can hold more than the ${limits.maxSpansPerRequest} spans ${name} takes at once`,
    );
  }

  return { pipeline, exporter, maxRequestBytes, maxWireBytes, maxSpanBytes, maxSpans, problems };
}

/**
 * The worst-case request of every exporter that sends to `gatewayHost`, in
 * every pipeline of a parsed Collector `config` (as YAML-parsed, `${env:…}`
 * left as written), against the gateway's `limits`. A configuration with no
 * exporter to the gateway gives an empty list.
 */
export function gatewayExportBounds(config: unknown, limits: GatewayLimits, gatewayHost = 'agentspan-gateway'): GatewayExportBound[] {
  return exportBounds(config, { host: gatewayHost, name: 'the gateway', limitName: 'maxBodyBytes', refusal: '413', limits, everySpanFits: true });
}

/**
 * The worst-case request of every exporter that sends to Jaeger (`jaegerHost`), against
 * {@link JAEGER_LIMITS}: requests must be split by bytes to fit its 4 MiB gRPC message limit. A
 * span larger than a request cannot be sent to Jaeger at all (the collector drops it, logging
 * `Failed to split request`); that is reported in `maxSpanBytes`, not as a problem.
 */
export function jaegerExportBounds(config: unknown, jaegerHost = 'jaeger'): GatewayExportBound[] {
  return exportBounds(config, {
    host: jaegerHost,
    name: 'Jaeger',
    limitName: 'gRPC message limit',
    refusal: 'RESOURCE_EXHAUSTED',
    limits: JAEGER_LIMITS,
    everySpanFits: false,
  });
}

/** The worst-case request of every exporter of every pipeline of `config` that sends to `destination.host`. */
export function exportBounds(config: unknown, destination: ExportDestination): GatewayExportBound[] {
  if (!isNode(config)) throw new TypeError('exportBounds: the collector configuration must be a YAML mapping');
  const exporters = child(config, 'exporters');
  const pipelines = child(child(config, 'service'), 'pipelines');
  const bounds: GatewayExportBound[] = [];
  for (const [pipeline, p] of Object.entries(isNode(pipelines) ? pipelines : {})) {
    for (const exporter of list(child(p, 'exporters'))) {
      if (endpointHost(child(child(exporters, exporter), 'endpoint')) === destination.host) bounds.push(boundOf(config, pipeline, exporter, destination));
    }
  }
  return bounds;
}

/**
 * The gateway's `maxBodyBytes` as the CLI derives it from a command line
 * (`agentspan gateway ... --max-body-mb N`, N MiB), else `defaultBytes`
 * (`GATEWAY_DEFAULTS.maxBodyBytes` of `@agentspan/gateway`). Throws on a
 * value the CLI would refuse (it takes 1 to 1024).
 */
export function gatewayMaxBodyBytes(command: readonly string[], defaultBytes: number): number {
  let given = false;
  let value: string | undefined;
  for (let i = 0; i < command.length; i++) {
    const arg = command[i]!;
    if (arg === '--max-body-mb') [given, value] = [true, command[i + 1]];
    else if (arg.startsWith('--max-body-mb=')) [given, value] = [true, arg.slice('--max-body-mb='.length)];
  }
  if (!given) return defaultBytes;
  const mib = value !== undefined && /^\d+$/.test(value) ? Number(value) : NaN;
  if (!(mib >= 1 && mib <= 1024)) throw new RangeError(`--max-body-mb ${String(value)}: the gateway takes a whole number of MiB from 1 to 1024`);
  return mib * MIB;
}
