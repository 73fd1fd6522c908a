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
  readonly exportResponse: protobuf.Type;
  /** `google.rpc.Status`, the body of OTLP/HTTP error responses. */
  readonly status: protobuf.Type;
}

const PROTO_ROOT = fileURLToPath(new URL('../proto/', import.meta.url));
const TRACE_SERVICE = 'opentelemetry/proto/collector/trace/v1/trace_service.proto';

let schema: OtlpSchema | undefined;

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
  root.resolveAll();
  schema = {
    exportRequest: root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest'),
    exportResponse: root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse'),
    status: statusType(),
  };
  return schema;
}
