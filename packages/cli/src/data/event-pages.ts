import type pg from 'pg';
import { UNORDERED_EVENTS_INDEX } from '@agentspan/exporter-postgres';

/** Rows per page of {@link eventPages} unless told otherwise: about a megabyte of timeline rows. */
export const DEFAULT_PAGE_SIZE = 1000;

/** Where a page ended: the replay-order key of its last row, as the database gave it. */
interface EventKey {
  order: number | null;
  /** `"timestamp"` as ISO 8601 text ({@link ISO_TIMESTAMP}): microseconds kept (a JavaScript Date would round them). */
  timestamp: string;
  id: string;
}

/**
 * A `timestamptz` column as text Postgres reads back as the same instant whatever the session's
 * `DateStyle` and `TimeZone`: JSON's ISO 8601 (`2026-07-01T11:00:00.000001+01:00`, `infinity`). Its
 * `::text` is not: under `DateStyle = SQL` or `Postgres` it names the zone by an abbreviation, read
 * back through `timezone_abbreviations` (Dublin's summer `IST`, +01, as Israel's +02; Shanghai's
 * `CST` as -06; a local mean time `LMT` not at all): the next page would start before the key (the
 * same rows again, for ever), after it (rows skipped), or fail.
 */
export const ISO_TIMESTAMP = (column: string) => `(to_json(${column}) #>> '{}')`;

/**
 * A run's events in replay order (`execution_order NULLS LAST, "timestamp", id`, the order every
 * view of a run uses), `pageSize` rows at a time, each page one query that starts after the last
 * row of the one before (keyset pagination): memory holds one page, and nothing stays open on the
 * server between pages (no transaction, no cursor), so a reader that is slow to take the output
 * (a pager, a full pipe) holds back nobody's vacuum. The id (the primary key) makes the order
 * total, so ties in execution order and time are neither repeated nor skipped. Events with an
 * execution order come first, each page a range of the `(run_id, execution_order)` index (its end
 * found in the index first, so a page costs a page also when the table's statistics do not know the
 * run yet: a plain `ORDER BY … LIMIT` was planned as a sort of the whole rest of the run, 0.3 s a
 * page of a run of 100 000 events just written); those without (rare: spans no recorder numbered)
 * after, by time and id, each page a range of the partial index of migration 27 (see
 * {@link inIndexOrder}; on a schema without it, a scan and sort of all of them per page, as before).
 *
 * Each page is read as of its own query: events written while a run is still going may appear in
 * a later page (or, when one is rewritten under a new key, in none or two).
 *
 * @param client outside a transaction: a page of events without an order is read in a short one of its own
 * @param select the select list over `execution_events e` (its own columns, as `map` reads them)
 */
export async function* eventPages<Row>(
  client: pg.ClientBase,
  runId: string,
  select: string,
  map: (row: Record<string, unknown>) => Row,
  pageSize = DEFAULT_PAGE_SIZE,
): AsyncGenerator<Row[]> {
  const keyColumns = `e.execution_order AS page_order, ${ISO_TIMESTAMP('e."timestamp"')} AS page_timestamp, e.id::text AS page_id`;
  for (const ordered of [true, false]) {
    // Asked once the numbered events are read: only then is it needed.
    const indexed = !ordered && (await unorderedIndexed(client));
    let after: EventKey | null = null;
    for (;;) {
      const params: unknown[] = [runId, pageSize];
      let where: string;
      if (ordered) {
        // The page ends at or before the order of the pageSize-th row after the key: an index range, so the
        // sort after it is of a page (and its ties), whatever the planner believes of the run's size.
        const from = after === null ? 'x.execution_order IS NOT NULL' : 'x.execution_order > $3';
        const end = `coalesce((SELECT x.execution_order FROM execution_events x WHERE x.run_id = $1 AND ${from}
                                ORDER BY x.execution_order OFFSET $2::integer - 1 LIMIT 1), 2147483647)`;
        where = `e.execution_order IS NOT NULL AND e.execution_order <= ${end}`;
        if (after !== null) {
          where += ` AND e.execution_order >= $3 AND (e.execution_order, e."timestamp", e.id) > ($3, $4::timestamptz, $5::uuid)`;
          params.push(after.order, after.timestamp, after.id);
        }
      } else {
        where = 'e.execution_order IS NULL';
        if (after !== null) {
          where += ` AND (e."timestamp", e.id) > ($3::timestamptz, $4::uuid)`;
          params.push(after.timestamp, after.id);
        }
      }
      const order = ordered ? 'e.execution_order, e."timestamp", e.id' : 'e."timestamp", e.id';
      const sql = `SELECT ${select}, ${keyColumns} FROM execution_events e WHERE e.run_id = $1 AND ${where} ORDER BY ${order} LIMIT $2`;
      const res = indexed ? await inIndexOrder(client, sql, params) : await client.query(sql, params);
      const rows = res.rows as Record<string, unknown>[];
      const last = rows[rows.length - 1];
      if (last !== undefined) {
        yield rows.map(map);
        after = { order: last['page_order'] as number | null, timestamp: String(last['page_timestamp']), id: String(last['page_id']) };
      }
      if (rows.length < pageSize) break;
    }
  }
}

/**
 * Whether the `execution_events` the `search_path` reaches has the partial index of migration 27
 * (`UNORDERED_EVENTS_INDEX`), valid. A schema migrated by an older agentspan lacks it: its events
 * without an order are read as before (without the settings of {@link inIndexOrder}, which would
 * only penalise every plan there). No table: false, and the page query reports it as it always did.
 */
async function unorderedIndexed(client: pg.ClientBase): Promise<boolean> {
  const res = await client.query<{ indexed: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
                     WHERE i.indrelid = to_regclass('execution_events') AND c.relname = $1 AND i.indisvalid) AS indexed`,
    [UNORDERED_EVENTS_INDEX],
  );
  return res.rows[0]?.indexed === true;
}

/**
 * Runs a page query of events without an order so that its plan follows the partial index: in a
 * read-only transaction of its own with sorts disabled (`SET LOCAL`, ended with it). The planner
 * otherwise judges by the run's statistics, which know nothing of a run just written and count its
 * events without an order as few (it takes the run's share of rows and the share without an order
 * as independent): it chose to read and sort every such event of the run for each page, quadratic
 * over the run (100 000 of them: 11 s, 110 ms a page, against 0.5 s and 5 ms a page through the
 * index; measured 2026-12 on a 2-core machine). With sorts off, the only plan left
 * that gives the order is the index's: a range of one page. The transaction ends before the page
 * is yielded, so nothing stays open between pages.
 */
async function inIndexOrder(client: pg.ClientBase, sql: string, params: unknown[]): Promise<pg.QueryResult> {
  await client.query('BEGIN READ ONLY; SET LOCAL enable_sort = off; SET LOCAL enable_incremental_sort = off');
  try {
    const res = await client.query(sql, params);
    await client.query('COMMIT');
    return res;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}
