/**
 * Whether a name and value can go out as an HTTP header. Node's HTTP client
 * throws on one that cannot (a name with a space, a value with a line
 * break): an OTLP header like that failed every request, and every span
 * forwarded was dropped. Used by `createOtlpHttpSpanExporter` (which drops
 * such headers, wherever they came from, `OTEL_EXPORTER_OTLP_HEADERS`
 * included) and by `@agentspan/node` (its `otlpHeaders` option throws on
 * one, the environment's are skipped with a warning).
 */

/** An HTTP header name (RFC 9110 `token`). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** What an HTTP header value may not hold (Node's own check): line breaks and other control characters. */
const HEADER_VALUE_FORBIDDEN = /[^\t\x20-\x7e\x80-\xff]/;

/** Why `name: value` cannot be sent as an HTTP header, or undefined when it can. */
export function headerProblem(name: string, value: string): string | undefined {
  if (!HEADER_NAME.test(name)) return 'not a valid header name';
  if (HEADER_VALUE_FORBIDDEN.test(value)) return 'its value holds a line break or another character a header cannot carry';
  return undefined;
}
