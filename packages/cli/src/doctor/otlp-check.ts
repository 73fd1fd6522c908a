import type { CheckResult } from './checks.js';

/** The traces endpoint as the SDK resolves it: the flag, `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` as is, else `OTEL_EXPORTER_OTLP_ENDPOINT` + `/v1/traces`. */
export function otlpEndpointFrom(flag: string | undefined, env: Record<string, string | undefined>): string | undefined {
  if (flag) return flag;
  const traces = env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'];
  if (traces) return traces;
  const base = env['OTEL_EXPORTER_OTLP_ENDPOINT'];
  if (base) return `${base.replace(/\/+$/, '')}/v1/traces`;
  return undefined;
}

/** Time the doctor waits for the endpoint, ms. */
const OTLP_TIMEOUT_MS = 3000;

/**
 * POSTs an empty `ExportTraceServiceRequest` (`{}` as OTLP/JSON). A 2xx or
 * a 4xx proves something speaks HTTP there; 404 suggests a wrong path and
 * 401/403 missing credentials, so those are warnings.
 */
export async function checkOtlp(endpoint: string | undefined): Promise<CheckResult> {
  if (!endpoint) {
    return {
      name: 'otlp',
      status: 'skip',
      detail: 'no OTLP endpoint configured (forwarding to Jaeger/a Collector is optional)',
      fix: 'set OTEL_EXPORTER_OTLP_ENDPOINT (e.g. http://localhost:4318) or pass --otlp-endpoint to check one',
    };
  }
  let url: URL;
  try {
    url = new URL(endpoint);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
  } catch {
    return { name: 'otlp', status: 'fail', detail: `"${endpoint}" is not an http(s) URL`, fix: 'use e.g. http://localhost:4318/v1/traces' };
  }
  const shown = `${url.origin}${url.pathname}`;
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
      signal: AbortSignal.timeout(OTLP_TIMEOUT_MS),
    });
    await res.body?.cancel().catch(() => undefined);
    if (res.status === 404) {
      return { name: 'otlp', status: 'warn', detail: `${shown} answers HTTP 404`, fix: 'the traces path is usually /v1/traces (OTEL_EXPORTER_OTLP_ENDPOINT gets it appended; the _TRACES_ variable is used as is)' };
    }
    if (res.status === 401 || res.status === 403) {
      return { name: 'otlp', status: 'warn', detail: `${shown} answers HTTP ${res.status}`, fix: 'the endpoint wants credentials: set OTEL_EXPORTER_OTLP_HEADERS' };
    }
    if (res.status >= 200 && res.status < 500) {
      return { name: 'otlp', status: 'ok', detail: `${shown} is reachable (HTTP ${res.status} for an empty export)` };
    }
    return { name: 'otlp', status: 'fail', detail: `${shown} answers HTTP ${res.status}`, fix: 'the collector is up but failing: look at its logs' };
  } catch (err) {
    const e = err as { name?: string; cause?: { code?: string; message?: string }; message?: string };
    const reason = e.name === 'TimeoutError' ? `no answer within ${OTLP_TIMEOUT_MS} ms` : (e.cause?.code ?? e.cause?.message ?? e.message ?? String(err));
    return {
      name: 'otlp',
      status: 'fail',
      detail: `${shown} is not reachable (${reason})`,
      fix: 'start Jaeger or the Collector (docker compose up), or fix the endpoint',
    };
  }
}
