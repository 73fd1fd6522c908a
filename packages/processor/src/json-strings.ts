import { mayBeJsonDocument } from '@agentspan/extract';

/**
 * Redaction of a JSON document string by string. The rules read text: in a
 * JSON document, a string value that ends in a key name and `=`
 * (`{"cmd":"mysql -u root --password="}`, `"token=["`) reads to them as a
 * quoted (or bracketed) assignment, and its replacement swallows the closing
 * quote and what follows (the next tool call's id and name). The document
 * is then no JSON, and a row's `meta` keeps it as one string instead of its
 * keys, or it is JSON with a tool call gone. Redacting each string on its
 * own keeps the document's structure: everything between the strings
 * (numbers as written, whitespace, brackets) is kept as it is.
 */

/** A replacement of one string's content, or `undefined` to keep it; `key` is the object key the string is under (the attribute's own key at the top). */
export type RedactString = (key: string, text: string) => { text: string; redactions: number } | undefined;

/** Whether `text` is a JSON object or array (`mayBeJsonDocument` first: a hostile `[[[[…` is never parsed). */
export function isJsonDocument(text: string): boolean {
  const first = text.trimStart()[0];
  if ((first !== '{' && first !== '[') || !mayBeJsonDocument(text)) return false;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * `text` (a JSON document) with the content of every string left out
 * (`{"a":"x","n":[1]}` reads `{"":"","":[1]}`): two documents with the same
 * skeleton differ only inside their strings.
 */
export function jsonSkeleton(text: string): string {
  let out = '';
  let copied = 0;
  for (let i = text.indexOf('"'); i >= 0 && i < text.length; i = text.indexOf('"', i + 1)) {
    let end = i + 1;
    while (end < text.length && text.charCodeAt(end) !== 0x22) end += text.charCodeAt(end) === 0x5c ? 2 : 1;
    out += text.slice(copied, i + 1);
    copied = end;
    i = end;
  }
  return out + text.slice(copied);
}

/** A container open at the current position: whether an object, and the key its values are under. */
interface Open {
  readonly object: boolean;
  readonly key: string;
}

/**
 * `text` (a valid JSON document, see {@link isJsonDocument}) with each
 * string key and value passed through `redact` (values under the key they
 * belong to; an array's items under the array's key), or `undefined` when
 * nothing changed.
 */
export function redactJsonStrings(
  text: string,
  topKey: string,
  redact: RedactString,
  /** When given, the values under a key it refuses are kept unread (keys are still read: they name what follows). */
  valuesUnder?: (key: string) => boolean,
): { text: string; redactions: number } | undefined {
  const stack: Open[] = [];
  let expectKey = false;
  let lastKey = topKey;
  let out = '';
  let copied = 0;
  let redactions = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      let end = i + 1;
      while (text.charCodeAt(end) !== 0x22) end += text.charCodeAt(end) === 0x5c /* \ */ ? 2 : 1;
      const top = stack[stack.length - 1];
      const isKey = top?.object === true && expectKey;
      // A key is judged as text (under no key); a value under the key it belongs to.
      const under = isKey ? '' : top === undefined ? topKey : top.object ? lastKey : top.key;
      if (!isKey && valuesUnder !== undefined && !valuesUnder(under)) {
        i = end;
        continue;
      }
      // Without an escape, a JSON string's content is its text (the document is valid JSON: no raw control characters).
      const raw = text.slice(i + 1, end);
      const value = raw.includes('\\') ? (JSON.parse(text.slice(i, end + 1)) as string) : raw;
      const r = redact(under, value);
      const kept = r !== undefined && r.redactions > 0 ? r.text : value;
      if (kept !== value) {
        out += text.slice(copied, i) + JSON.stringify(kept);
        copied = end + 1;
        redactions += r?.redactions ?? 0;
      }
      if (isKey) lastKey = value;
      i = end;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      const top = stack[stack.length - 1];
      stack.push({ object: c === 0x7b, key: top === undefined ? topKey : top.object ? lastKey : top.key });
      expectKey = c === 0x7b;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop();
      expectKey = false;
    } else if (c === 0x3a /* : */) {
      expectKey = false;
    } else if (c === 0x2c /* , */) {
      expectKey = stack[stack.length - 1]?.object === true;
    }
  }
  return redactions === 0 ? undefined : { text: out + text.slice(copied), redactions };
}
