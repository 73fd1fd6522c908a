/**
 * A gateway pointed at a Postgres that is down (a port nothing listens on), shared by the shutdown test and the
 * child process it spawns: quick retries and short connect and lookup timeouts, so a test waits on shutdown's
 * deadline, not on these.
 */
import { createServer } from 'node:net';
import type { GatewayOptions } from '../src/index.js';

/** A port nothing listens on any more: connecting to it is refused, as to a Postgres that is down. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return address.port;
}

/** The options of a gateway whose Postgres (at a {@link closedPort}) refuses every connection. */
export function unreachablePostgresOptions(port: number): GatewayOptions {
  return {
    databaseUrl: `postgres://postgres@127.0.0.1:${port}/test`,
    port: 0,
    logger: { info: () => undefined, warn: () => undefined },
    postgresDelivery: { retryInitialDelayMillis: 50, retryMaxDelayMillis: 200, scheduledDelayMillis: 20 },
    connectTimeoutMs: 500,
    startupMigrationTimeoutMillis: 1000,
    orderLookupTimeoutMillis: 500,
  };
}
