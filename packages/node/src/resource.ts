/**
 * The resource of agentspan's provider: what every span says about the
 * process that made it (Jaeger's service, the `service_name` column).
 */

import { defaultResource, resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import type { Attributes } from '@opentelemetry/api';

/** The `service.name` resource attribute key. */
export const SERVICE_NAME = 'service.name';

/** What the resource is built from, most general first. */
export interface ResourceSources {
  /** Parsed `OTEL_RESOURCE_ATTRIBUTES`. */
  readonly envAttributes: Readonly<Record<string, string>>;
  /** The `resourceAttributes` option. */
  readonly optionAttributes: Readonly<Record<string, string | number | boolean | undefined>> | undefined;
  /** The resolved service name (its precedence is decided in `config.ts`). */
  readonly serviceName: string;
  /** Applied to every string value but `service.name` (the processor's redactor: same rules as span attributes). */
  readonly redact?: ((text: string) => string) | undefined;
}

/** The attributes with their string values redacted: a token put in a resource attribute must not leave as is. */
function redacted(attributes: Readonly<Record<string, string | number | boolean | undefined>>, redact: ((text: string) => string) | undefined): Attributes {
  const out: Attributes = {};
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined || value === null) continue; // `{ 'deployment.environment': process.env.X }` with X unset: no attribute
    out[key] = typeof value === 'string' && key !== SERVICE_NAME && redact !== undefined ? redact(value) : value;
  }
  return out;
}

/**
 * The SDK's default resource (`telemetry.sdk.*`), then `OTEL_RESOURCE_ATTRIBUTES`,
 * then the `resourceAttributes` option, then `service.name`: each later one
 * wins, as the OpenTelemetry SDKs merge them. String values are redacted
 * (`service.name` excepted: it names the service, and redacting it would
 * split one service's spans across names).
 */
export function buildResource(sources: ResourceSources): Resource {
  return defaultResource()
    .merge(resourceFromAttributes(redacted(sources.envAttributes, sources.redact)))
    .merge(resourceFromAttributes(redacted(sources.optionAttributes ?? {}, sources.redact)))
    .merge(resourceFromAttributes({ [SERVICE_NAME]: sources.serviceName }));
}
