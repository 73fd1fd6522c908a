/**
 * Millisecond options the exporter hands to timers (its own, pg's `connectionTimeoutMillis` and `query_timeout`)
 * and to Postgres (`statement_timeout`, `idle_in_transaction_session_timeout`). Node fires a timer given more than
 * 2^31 - 1 ms after 1 ms, and Postgres refuses a timeout above 2^31 - 1 ms: a value meant as "very long" would
 * fail every connection or query at once. Such a value is clamped, not refused, as the gateway, the delivery
 * pipeline and `@agentspan/node` clamp theirs: "wait as long as it takes" written as a huge number means that.
 * What is not a positive safe integer (0, a fraction, `Infinity`, `NaN`) is still refused by the option checks.
 */

import { MAX_TIMER_MILLIS } from '@agentspan/delivery';

/**
 * How long an owned pool's client waits beyond `statement_timeout` for a server that no longer answers
 * (`query_timeout`), and how long past it the server ends a session idle in a transaction.
 */
export const QUERY_TIMEOUT_MARGIN_MS = 5000;

/** The longest `connectTimeoutMs` used: what a Node timer takes (about 24.8 days). */
export const MAX_CONNECT_TIMEOUT_MS = MAX_TIMER_MILLIS;

/**
 * The longest `statementTimeoutMs` used: the client's `query_timeout` and the server's
 * `idle_in_transaction_session_timeout` are {@link QUERY_TIMEOUT_MARGIN_MS} longer, and must fit too.
 */
export const MAX_STATEMENT_TIMEOUT_MS = MAX_TIMER_MILLIS - QUERY_TIMEOUT_MARGIN_MS;

/**
 * The deadline of a wait the caller bounds (`shutdown(timeoutMs)`, `ready(timeoutMs)`): `fallback` for `NaN` (no
 * number given), 0 for a negative one, and at most what a timer takes (`Infinity` included: no deadline in practice).
 */
export function deadlineMillis(timeoutMs: number, fallback: number): number {
  if (typeof timeoutMs !== 'number' || Number.isNaN(timeoutMs)) return fallback;
  return Math.min(Math.max(0, timeoutMs), MAX_TIMER_MILLIS);
}
