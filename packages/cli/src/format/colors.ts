/** ANSI colours, or identity functions when colour is off. */
export interface Colors {
  readonly enabled: boolean;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

const wrap = (open: number, close: number) => (text: string) => `\u001b[${open}m${text}\u001b[${close}m`;
const same = (text: string) => text;

/**
 * Colour only for a person at a terminal: `isTTY`, no `NO_COLOR` (any
 * non-empty value, https://no-color.org) and no `--no-color`.
 */
export function colorsFor(options: { isTTY: boolean; env: Record<string, string | undefined>; noColor?: boolean }): Colors {
  const enabled = options.isTTY && !options.noColor && !options.env['NO_COLOR'];
  if (!enabled) return { enabled, red: same, green: same, yellow: same, cyan: same, dim: same, bold: same };
  return {
    enabled,
    red: wrap(31, 39),
    green: wrap(32, 39),
    yellow: wrap(33, 39),
    cyan: wrap(36, 39),
    dim: wrap(2, 22),
    bold: wrap(1, 22),
  };
}

const ANSI = /\u001b\[[0-9;]*m/g;

/** `text` without ANSI colour codes. */
export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}
