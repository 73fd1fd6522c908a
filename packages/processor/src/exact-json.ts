/**
 * `JSON.parse` that loses no digit. A JavaScript number is a double:
 * `JSON.parse('{"id": 12345678901234567890}')` gives `12345678901234567000`,
 * and written back out (a turn's `meta.tool_calls`) the id is another id.
 * Numbers a double cannot hold exactly are parsed as strings of their exact
 * text instead: every digit survives, only their JSON type changes (as the
 * Postgres exporter stores such numbers, `json-numbers.ts` there).
 */

/**
 * Whether `text` may hold a number a double does not keep: 16 or more
 * significant digits in a row (a decimal point may sit among them:
 * `900719925474099.3` comes back as `900719925474099.2`), or an exponent.
 * Any decimal of at most 15 significant digits survives a double. Cheap; may
 * say yes wrongly (digits in a string), never no wrongly.
 */
const MAY_LOSE_DIGITS = /\d(?:\.?\d){15}|\d[eE]/;

/** A JSON number token, by the grammar (a bare `-` or `01` is none, and is left for `JSON.parse` to refuse). */
const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/**
 * The value a decimal text denotes, as `<significant digits>e<exponent>`
 * with a sign (`-12.50` is `-125e-1`; zero is `0`), so that two texts of
 * the same value compare equal whatever their notation.
 */
function canonical(text: string): string {
  const m = /^(-?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (m === null) return text;
  const fraction = m[3] ?? '';
  const digits = (m[2] ?? '') + fraction;
  let first = 0;
  while (first < digits.length && digits[first] === '0') first++;
  if (first === digits.length) return '0'; // -0 and 0 are one value in JSON
  let last = digits.length;
  let exponent = Number(m[4] ?? 0) - fraction.length;
  while (digits[last - 1] === '0') {
    last--;
    exponent++;
  }
  return `${m[1]}${digits.slice(first, last)}e${exponent}`;
}

/** Whether the JSON number `token` comes back from a double with the value it wrote. */
function keptByDouble(token: string): boolean {
  const value = Number(token);
  return Number.isFinite(value) && canonical(String(value)) === canonical(token);
}

/**
 * `text` with every number token a double would not keep exactly put in
 * quotes; `text` itself when there is none. Strings are skipped, escapes
 * included; the text need not be valid JSON (see {@link parseJsonExact}).
 */
export function quoteLossyNumbers(text: string): string {
  if (!MAY_LOSE_DIGITS.test(text)) return text;
  const parts: string[] = [];
  let copied = 0;
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      i++;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d === 0x5c /* \ */) i += 2;
        else if (d === 0x22) break;
        else i++;
      }
      i++;
      continue;
    }
    if (c !== 0x2d /* - */ && (c < 0x30 || c > 0x39)) {
      i++;
      continue;
    }
    let end = i + 1;
    for (; end < n; end++) {
      const d = text.charCodeAt(end);
      const numberChar = (d >= 0x30 && d <= 0x39) || d === 0x2e || d === 0x65 || d === 0x45 || d === 0x2b || d === 0x2d;
      if (!numberChar) break;
    }
    const token = text.slice(i, end);
    if (JSON_NUMBER.test(token) && !keptByDouble(token)) {
      parts.push(text.slice(copied, i), '"', token, '"');
      copied = end;
    }
    i = end;
  }
  if (copied === 0) return text;
  parts.push(text.slice(copied));
  return parts.join('');
}

/**
 * `JSON.parse(text)`, with numbers a double cannot hold exactly (a 64-bit
 * id, `1e400`, 19 significant digits) as strings of their exact text.
 * Throws as `JSON.parse` does on text that is no JSON: quoting never makes
 * invalid text valid (`{12345678901234567890: 1}` stays refused).
 */
export function parseJsonExact(text: string): unknown {
  const quoted = quoteLossyNumbers(text);
  if (quoted === text) return JSON.parse(text) as unknown;
  JSON.parse(text); // validity of what was sent, not of what quoting made of it
  return JSON.parse(quoted) as unknown;
}
