/**
 * Writes rows so that one bad value never sinks its batch: a batch Postgres
 * refuses because of a value (a data exception, a value too large, ...) is
 * split in halves until the refused rows are isolated; the good rows are
 * written, each refused row is repaired (offending values replaced) or, if
 * that is refused too, quarantined (a minimal row saying why). Connection
 * and server errors are thrown for the caller to retry.
 */

import type { MappedRow } from './columns.js';
import type { ClientSource } from './migrations.js';
import { classifyWriteError, sqlState, toError } from './pg-errors.js';
import { quarantineRow, repairRow, wasShrunk, type RepairReason } from './repair.js';
import { writeRowsInTransaction, type WriteTransactionOptions } from './row-writer.js';

/** What happened to one refused row. */
export interface RepairEvent {
  /** `repaired` (stored with values replaced) or `quarantined` (stored as a minimal row). */
  readonly outcome: 'repaired' | 'quarantined';
  readonly kind: MappedRow['kind'];
  /** The row's span id. */
  readonly spanId: string | null;
  readonly reason: RepairReason;
}

/** Options of {@link writeRowsResilient}. */
export interface ResilientWriteOptions extends WriteTransactionOptions {
  /** Called for every refused row once it is stored. Must not throw (it is guarded anyway). */
  readonly onRepair?: ((event: RepairEvent) => void) | undefined;
}

/** What {@link writeRowsResilient} stored, in rows given. */
export interface ResilientWriteResult {
  /** Rows stored as given (including those already present). */
  readonly written: number;
  /** Rows stored with offending values replaced (`meta.repaired = true`). */
  readonly repaired: number;
  /** Rows stored as minimal quarantine rows (`meta.quarantined = true`). */
  readonly quarantined: number;
  /** Of the repaired and quarantined rows, those shrunk to `maxRowSize` before writing (`shrinkRow`): counted once by whoever adds both up. */
  readonly repairedBefore: number;
  /** Transactions run (1 when nothing was refused). */
  readonly transactions: number;
}

/** Thrown when even a quarantine row is refused: the table itself is not as expected; retry later. */
export class QuarantineRefusedError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'QuarantineRefusedError';
  }
}

function reasonOf(err: unknown): RepairReason {
  return { code: sqlState(err) ?? toError(err).name, message: toError(err).message };
}

/**
 * Writes `rows`; resolves once every row is stored (as is, repaired or
 * quarantined). Rejects with the error of a failed transaction whose class
 * is not `row` (see `classifyWriteError`): connection lost, schema missing,
 * server refusing for another reason. Rows written before such an error are
 * committed; writing the same rows again is harmless (`ON CONFLICT`).
 */
export async function writeRowsResilient(
  pool: ClientSource,
  schema: string | undefined,
  rows: readonly MappedRow[],
  options: ResilientWriteOptions = {},
): Promise<ResilientWriteResult> {
  const result = { written: 0, repaired: 0, quarantined: 0, repairedBefore: 0, transactions: 0 };
  if (rows.length === 0) return result;

  const attempt = async (part: readonly MappedRow[]): Promise<unknown> => {
    result.transactions += 1;
    try {
      await writeRowsInTransaction(pool, schema, part, options);
      return undefined;
    } catch (err) {
      if (classifyWriteError(err) !== 'row') throw err;
      return err;
    }
  };

  const report = (outcome: RepairEvent['outcome'], m: MappedRow, reason: RepairReason): void => {
    try {
      options.onRepair?.({ outcome, kind: m.kind, spanId: m.row.span_id ?? null, reason });
    } catch {
      /* a reporting hook must not change what was stored */
    }
  };

  const single = async (m: MappedRow, refused: unknown): Promise<void> => {
    if (wasShrunk(m)) result.repairedBefore += 1;
    const reason = reasonOf(refused);
    const repaired = repairRow(m, reason);
    const again = await attempt([repaired]);
    if (again === undefined) {
      result.repaired += 1;
      report('repaired', m, reason);
      return;
    }
    const quarantined = quarantineRow(m, reasonOf(again));
    const last = await attempt([quarantined]);
    if (last === undefined) {
      result.quarantined += 1;
      report('quarantined', m, reasonOf(again));
      return;
    }
    throw new QuarantineRefusedError(`Postgres refuses even a minimal quarantine row: ${toError(last).message}`, { cause: last });
  };

  const write = async (part: readonly MappedRow[]): Promise<void> => {
    const refused = await attempt(part);
    if (refused === undefined) {
      result.written += part.length;
      return;
    }
    if (part.length === 1) {
      await single(part[0] as MappedRow, refused);
      return;
    }
    const mid = Math.ceil(part.length / 2);
    // A row refused even as a quarantine row must not keep the other half from being written:
    // write both, then report the refusal (the batch is retried; the rows written stay written).
    let refusedForGood: unknown;
    for (const half of [part.slice(0, mid), part.slice(mid)]) {
      try {
        await write(half);
      } catch (err) {
        if (!(err instanceof QuarantineRefusedError)) throw err;
        refusedForGood ??= err;
      }
    }
    if (refusedForGood !== undefined) throw refusedForGood;
  };

  await write(rows);
  return result;
}
