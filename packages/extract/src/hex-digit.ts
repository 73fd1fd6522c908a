/** The value of the hex digit with character code `c` (`0`–`9`, `a`–`f`, `A`–`F`), or -1: shared by the escape decoders. */
export function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 32;
  return l >= 97 && l <= 102 ? l - 87 : -1;
}
