/** Number formatting of the generated report: thin spaces for thousands, `n/a` for what was not measured. */

export const fmt = (n: number, digits = 0): string =>
  Number.isFinite(n) ? n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }).replace(/,/g, ' ') : 'n/a';

/** Rows per second. */
export const rate = (rows: number, ms: number): number => rows / (ms / 1000);

export const pct = (x: number): string => `${fmt(x * 100, 0)}%`;
