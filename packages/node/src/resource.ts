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
  readonly optionAttributes: Readonly<Record<string, string | number | boolean>> | undefined;
  /** The resolved service name (its precedence is decided in `config.ts`). */
  readonly serviceName: string;
}

/**
 * The SDK's default resource (`telemetry.sdk.*`), then `OTEL_RESOURCE_ATTRIBUTES`,
 * then the `resourceAttributes` option, then `service.name`: each later one
 * wins, as the OpenTelemetry SDKs merge them.
 */
export function buildResource(sources: ResourceSources): Resource {
  return defaultResource()
    .merge(resourceFromAttributes(sources.envAttributes as Attributes))
    .merge(resourceFromAttributes((sources.optionAttributes ?? {}) as Attributes))
    .merge(resourceFromAttributes({ [SERVICE_NAME]: sources.serviceName }));
}
