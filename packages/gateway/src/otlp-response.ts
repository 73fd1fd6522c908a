/**
 * OTLP/HTTP response bodies: `ExportTraceServiceResponse` (with
 * `partial_success` when spans were rejected) on success, `google.rpc.Status`
 * on failure, each in the encoding of the request.
 */

import { otlpSchema } from './otlp-schema.js';

/** The two OTLP/HTTP encodings. */
export type OtlpEncoding = 'protobuf' | 'json';

export const CONTENT_TYPES: Readonly<Record<OtlpEncoding, string>> = {
  protobuf: 'application/x-protobuf',
  json: 'application/json',
};

/** gRPC status codes used in `google.rpc.Status.code`, by HTTP status. */
const GRPC_CODE_BY_HTTP: Readonly<Record<number, number>> = {
  400: 3, // INVALID_ARGUMENT
  401: 16, // UNAUTHENTICATED
  404: 5, // NOT_FOUND
  405: 12, // UNIMPLEMENTED
  413: 8, // RESOURCE_EXHAUSTED
  415: 3, // INVALID_ARGUMENT
  429: 8, // RESOURCE_EXHAUSTED
  500: 13, // INTERNAL
  503: 14, // UNAVAILABLE
};

/** The encoding a `Content-Type` header names, or undefined when it is neither OTLP encoding. */
export function encodingOf(contentType: string | undefined): OtlpEncoding | undefined {
  const mime = (contentType ?? '').split(';', 1)[0]?.trim().toLowerCase();
  if (mime === 'application/x-protobuf' || mime === 'application/protobuf') return 'protobuf';
  if (mime === 'application/json') return 'json';
  return undefined;
}

/** Body of a successful export: empty, or `partial_success` when spans were rejected. */
export function successBody(encoding: OtlpEncoding, rejected: number, message: string | undefined): Buffer {
  const partial = rejected > 0 || message !== undefined;
  if (encoding === 'json') {
    return Buffer.from(
      JSON.stringify(partial ? { partialSuccess: { rejectedSpans: String(rejected), errorMessage: message ?? '' } } : {}),
    );
  }
  const type = otlpSchema().exportResponse;
  const payload = partial ? { partial_success: { rejected_spans: rejected, error_message: message ?? '' } } : {};
  return Buffer.from(type.encode(type.fromObject(payload)).finish());
}

/** Body of a failed request: `google.rpc.Status` with the gRPC code matching `httpStatus`. */
export function errorBody(encoding: OtlpEncoding, httpStatus: number, message: string): Buffer {
  const code = GRPC_CODE_BY_HTTP[httpStatus] ?? 2; // UNKNOWN
  if (encoding === 'json') return Buffer.from(JSON.stringify({ code, message }));
  const type = otlpSchema().status;
  return Buffer.from(type.encode(type.fromObject({ code, message })).finish());
}
