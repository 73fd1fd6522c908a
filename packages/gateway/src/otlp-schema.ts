/**
 * The published OTLP schema, loaded with protobufjs from the `.proto` files
 * vendored in `proto/` (opentelemetry-proto v1.7.0, unmodified). Loaded once,
 * on first use.
 */

import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

/** The message types the gateway reads and writes. */
export interface OtlpSchema {
  readonly exportRequest: protobuf.Type;
  /**
   * `ExportTraceServiceRequest` with each span left as its bytes (same
   * field numbers and types otherwise): the frame of a request, decoded at
   * once, whose spans are then decoded one at a time ({@link decodeSpan}).
   */
  readonly exportRequestFrame: protobuf.Type;
  /**
   * Decodes the span of `length` bytes at `reader`'s position as protobufjs
   * decodes a span inside a request (at the same nesting depth).
   */
  decodeSpan(reader: protobuf.Reader, length: number): protobuf.Message;
  readonly exportResponse: protobuf.Type;
  /** `google.rpc.Status`, the body of OTLP/HTTP error responses. */
  readonly status: protobuf.Type;
}

const PROTO_ROOT = fileURLToPath(new URL('../proto/', import.meta.url));
const TRACE_SERVICE = 'opentelemetry/proto/collector/trace/v1/trace_service.proto';

let schema: OtlpSchema | undefined;

/**
 * The frame of a request (see {@link OtlpSchema.exportRequestFrame}): the
 * published messages down to `ScopeSpans`, whose `spans` are `bytes`. A
 * `bytes` field has the wire type of a message field, so protobufjs reads
 * the frame as it reads the request (unknown fields, wire types, repeated
 * singular fields merged), only not into the spans.
 */
const FRAME_PROTO = `
syntax = "proto3";
package agentspan.gateway.frame;
message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
message ResourceSpans {
  opentelemetry.proto.resource.v1.Resource resource = 1;
  repeated ScopeSpans scope_spans = 2;
  string schema_url = 3;
}
message ScopeSpans {
  opentelemetry.proto.common.v1.InstrumentationScope scope = 1;
  repeated bytes spans = 2;
  string schema_url = 3;
}
`;

/** Depth of a span in a request (request 0, resource spans 1, scope spans 2), where protobufjs counts its nesting limit from. */
const SPAN_DEPTH = 3;

/**
 * protobufjs' generated decoders take the depth they decode at as their
 * fourth argument (checked against its recursion limit, 100 as protoc's).
 * A span decoded on its own is given its depth in a request, so a request
 * nested too deep is refused whichever way it is decoded (tested).
 */
type DecodeAtDepth = (reader: protobuf.Reader, length: number, endGroup: undefined, depth: number) => protobuf.Message;

/**
 * `google.rpc.Status` (fields 1 `code`, 2 `message`; `details` is not
 * written), defined in code: it is three lines, and its file would pull in
 * `google/protobuf/any.proto` for a field the gateway never sets.
 */
function statusType(): protobuf.Type {
  const root = new protobuf.Root();
  const type = new protobuf.Type('Status')
    .add(new protobuf.Field('code', 1, 'int32'))
    .add(new protobuf.Field('message', 2, 'string'));
  root.define('google.rpc').add(type);
  root.resolveAll();
  return type;
}

/** The OTLP trace service types (loaded and resolved once). Throws only if the package's `proto/` files are missing. */
export function otlpSchema(): OtlpSchema {
  if (schema !== undefined) return schema;
  const root = new protobuf.Root();
  // Imports in the files are relative to the proto root, as protoc sees them.
  root.resolvePath = (_origin, target) => (target.startsWith('/') ? target : PROTO_ROOT + target);
  root.loadSync(TRACE_SERVICE, { keepCase: true });
  protobuf.parse(FRAME_PROTO, root, { keepCase: true });
  root.resolveAll();
  const span = root.lookupType('opentelemetry.proto.trace.v1.Span');
  schema = {
    exportRequest: root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest'),
    exportRequestFrame: root.lookupType('agentspan.gateway.frame.ExportTraceServiceRequest'),
    decodeSpan: (reader, length) => (span.decode as unknown as DecodeAtDepth)(reader, length, undefined, SPAN_DEPTH),
    exportResponse: root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse'),
    status: statusType(),
  };
  return schema;
}
