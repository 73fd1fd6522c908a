/**
 * Docker Compose variable interpolation, enough to check a compose file
 * without Docker: `${VAR}`, `${VAR:-default}`, `${VAR-default}`,
 * `${VAR:?error}`, `${VAR?error}`, `$VAR`, and `$$` for a literal `$`.
 * Defaults may themselves contain interpolations (Compose allows nesting).
 */

/** One `${...}` or `$VAR` reference. */
export interface ComposeVariable {
  name: string;
  /** The default after `:-` or `-`, if any (unresolved). */
  defaultValue?: string;
  /** The whole reference as written. */
  raw: string;
}

/** Finds the end of a `${` ... `}` reference starting at `start` (the `$`), honouring nested braces. */
function closingBrace(text: string, start: number): number {
  let depth = 0;
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}') {
      depth--;
      if (depth === 0) return i;
    }
  }
  throw new Error(`unterminated variable reference at ${start}: ${text.slice(start, start + 40)}`);
}

function parseBraced(inner: string, raw: string): ComposeVariable {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([\s\S]*)|(:?\?)([\s\S]*))?$/.exec(inner);
  if (!m) throw new Error(`invalid variable reference ${raw}`);
  const name = m[1]!;
  return m[2] !== undefined ? { name, defaultValue: m[3] ?? '', raw } : { name, raw };
}

/** Every variable reference in `text` (nested defaults included), in order. */
export function composeVariables(text: string): ComposeVariable[] {
  const out: ComposeVariable[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== '$') continue;
    const next = text[i + 1];
    if (next === '$') {
      i++;
      continue;
    }
    if (next === '{') {
      const end = closingBrace(text, i);
      const raw = text.slice(i, end + 1);
      const v = parseBraced(raw.slice(2, -1), raw);
      out.push(v);
      if (v.defaultValue) out.push(...composeVariables(v.defaultValue));
      i = end;
      continue;
    }
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i + 1));
    if (m) {
      out.push({ name: m[0], raw: `$${m[0]}` });
      i += m[0].length;
    }
  }
  return out;
}

/**
 * `text` with every reference replaced by its value from `env`, else its
 * default, else the empty string (as Compose does, with a warning); `$$`
 * becomes `$`.
 */
export function interpolateCompose(text: string, env: Readonly<Record<string, string | undefined>> = {}): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c !== '$') {
      out += c;
      continue;
    }
    const next = text[i + 1];
    if (next === '$') {
      out += '$';
      i++;
      continue;
    }
    if (next === '{') {
      const end = closingBrace(text, i);
      const raw = text.slice(i, end + 1);
      const inner = raw.slice(2, -1);
      const v = parseBraced(inner, raw);
      const colon = /^[A-Za-z_][A-Za-z0-9_]*:-/.test(inner);
      const value = env[v.name];
      const useDefault = v.defaultValue !== undefined && (value === undefined || (colon && value === ''));
      out += useDefault ? interpolateCompose(v.defaultValue!, env) : (value ?? '');
      i = end;
      continue;
    }
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i + 1));
    if (m) {
      out += env[m[0]] ?? '';
      i += m[0].length;
    } else {
      out += c;
    }
  }
  return out;
}
