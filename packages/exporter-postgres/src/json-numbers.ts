/**
 * JSON numbers a JavaScript number cannot hold exactly. `JSON.parse` turns
 * `12345678901234567890` into `12345678901234567000`, `1e400` into
 * `Infinity` (stored as `null`) and `0.1000000000000000055` into `0.1`:
 * a 64-bit id in a tool result would be stored as another id. Such numbers
 * are kept as their exact text instead (a JSON string): what they said
 * survives, only their JSON type changes.
 */

/**
 * Could `text` hold a number a double cannot represent exactly? Cheap, may say yes wrongly. A decimal
 * of at most 15 significant digits always comes back from a double with its value, so only numbers of
 * 16 digits or more (counted across a decimal point: `900719925474099.3` comes back as
 * `900719925474099.2`), or with an exponent, need a closer look.
 */
const MAYBE_LOSSY = /\d(?:\.?\d){15}|\d[eE]/;

/** Sign, significant digits and exponent of a decimal number's text, for comparing values exactly. */
function decimalParts(text: string): string {
  const m = /^(-?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!m) return text;
  const digits = (m[2] ?? '') + (m[3] ?? '');
  let exp = Number(m[4] ?? '0') - (m[3]?.length ?? 0);
  let start = 0;
  while (start < digits.length && digits.charCodeAt(start) === 48) start++;
  let end = digits.length;
  while (end > start && digits.charCodeAt(end - 1) === 48) {
    end--;
    exp++;
  }
  if (start === end) return '0';
  return `${m[1]}${digits.slice(start, end)}e${exp}`;
}

/** Whether `token` (a JSON number) comes back unchanged in value from a double. */
export function isExactAsDouble(token: string): boolean {
  const n = Number(token);
  if (!Number.isFinite(n)) return false;
  return decimalParts(String(n)) === decimalParts(token.startsWith('-') && n === 0 ? token.slice(1) : token);
}

/**
 * `text` (valid JSON) with every number a double cannot hold exactly put in
 * quotes, or `text` itself when there is none (the common case: one regex
 * test).
 */
export function quoteInexactNumbers(text: string): string {
  if (!MAYBE_LOSSY.test(text)) return text;
  let out = '';
  let from = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      // Skip the string: to the first quote after an even run of backslashes.
      for (i++; i < n; i++) {
        const d = text.charCodeAt(i);
        if (d === 92) i++;
        else if (d === 34) break;
      }
      continue;
    }
    if (c === 45 /* - */ || (c >= 48 && c <= 57)) {
      let j = i + 1;
      while (j < n) {
        const d = text.charCodeAt(j);
        if ((d >= 48 && d <= 57) || d === 46 || d === 101 || d === 69 || d === 43 || d === 45) j++;
        else break;
      }
      const token = text.slice(i, j);
      if (!isExactAsDouble(token)) {
        out += `${text.slice(from, i)}"${token}"`;
        from = j;
      }
      i = j - 1;
    }
  }
  return from === 0 ? text : out + text.slice(from);
}
