import type pg from 'pg';

/** Options of {@link fetchInBatches}. */
export interface FetchOptions<Row> {
  /** Rows per FETCH. @default 1000 */
  batchSize?: number;
  /** Called after each batch with the rows fetched so far (progress bars). */
  onProgress?: (fetched: number) => void;
  /** Maps each raw row as it arrives. */
  map: (row: Record<string, unknown>) => Row;
}

/**
 * Runs `sql` through a server-side cursor (`DECLARE … CURSOR`, `FETCH n`) in
 * a read-only transaction: large runs arrive in batches, so a progress bar
 * can move and the rows are mapped as they come instead of all at the end.
 * Plain SQL, no extra driver package.
 */
export async function fetchInBatches<Row>(
  client: pg.ClientBase,
  sql: string,
  params: readonly unknown[],
  options: FetchOptions<Row>,
): Promise<Row[]> {
  const batchSize = options.batchSize ?? 1000;
  const rows: Row[] = [];
  await client.query('BEGIN READ ONLY');
  try {
    await client.query(`DECLARE agentspan_cli_cursor NO SCROLL CURSOR FOR ${sql}`, params as unknown[]);
    for (;;) {
      const batch = await client.query(`FETCH ${batchSize} FROM agentspan_cli_cursor`);
      for (const r of batch.rows as Record<string, unknown>[]) rows.push(options.map(r));
      options.onProgress?.(rows.length);
      if (batch.rows.length < batchSize) break;
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
  return rows;
}
