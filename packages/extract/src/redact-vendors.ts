/**
 * Tokens of services an agent's code and tools commonly hold, known by
 * their prefix wherever they appear (a positional argument, an `echo`, a
 * tool's output), not only after a secret's key name: Hugging Face, npm,
 * PyPI, Docker Hub, Stripe, Groq, xAI, Perplexity, Replicate, Tavily and
 * LangSmith. The formats are the ones the vendors issue (as secret scanners
 * such as gitleaks and GitHub's know them):
 *
 * | kind | token |
 * | --- | --- |
 * | `huggingface_token` | `hf_` + 34 letters; an organisation's `api_org_` + 34 letters |
 * | `npm_token` | `npm_` + 36 letters and digits |
 * | `pypi_token` | `pypi-AgEIcHlwaS5vcmc` (a macaroon for pypi.org) + 50 or more of `[A-Za-z0-9_-]` |
 * | `docker_token` | `dckr_pat_` + 27 to 64 of `[A-Za-z0-9_-]` |
 * | `stripe_key` | `sk_`/`rk_` + `live_`/`test_`/`prod_` + 20 or more letters and digits |
 * | `groq_key` | `gsk_` + 52 letters and digits |
 * | `xai_key` | `xai-` + 80 letters and digits |
 * | `perplexity_key` | `pplx-` + 48 letters and digits |
 * | `replicate_token` | `r8_` + 37 to 40 letters and digits |
 * | `tavily_key` | `tvly-` (maybe `dev-`/`prod-`) + 20 to 64 letters and digits, or (current keys) 4 to 8 of them, `-` and 24 to 80 of `[A-Za-z0-9_]` |
 * | `langsmith_key` | `lsv2_pt_`/`lsv2_sk_` + 32 hex digits + `_` + 10 hex digits |
 *
 * A token stands alone: nothing of a token's characters right before or
 * after it (`my_hf_…` and a longer run are no token), but for a shell's
 * default (`${HF_TOKEN:-hf_…}`, `${HF_TOKEN-hf_…}`) and markdown's emphasis
 * (`_hf_…_`, `__hf_…__`; not after a `]`, so a token joined by `_` to a
 * token redacted before it reads the same before and after: redacting the
 * text again changes nothing). The bodies of the
 * short prefixes must look random, mixing at least two of lower case,
 * upper case and digits (real ones do, with near certainty), so a name of
 * code such as `sk_test_connection_handler` is kept; PyPI's and LangSmith's
 * prefixes say enough alone.
 */

/** The kind of each prefix, longest first where one starts another (also for a token cut short: `redact-cut.ts`). */
export const VENDOR_PREFIXES: readonly (readonly [prefix: string, kind: string])[] = [
  ['hf_', 'huggingface_token'],
  ['api_org_', 'huggingface_token'],
  ['npm_', 'npm_token'],
  ['pypi-AgEIcHlwaS5vcmc', 'pypi_token'],
  ['dckr_pat_', 'docker_token'],
  ['sk_live_', 'stripe_key'],
  ['sk_test_', 'stripe_key'],
  ['sk_prod_', 'stripe_key'],
  ['rk_live_', 'stripe_key'],
  ['rk_test_', 'stripe_key'],
  ['rk_prod_', 'stripe_key'],
  ['gsk_', 'groq_key'],
  ['xai-', 'xai_key'],
  ['pplx-', 'perplexity_key'],
  ['r8_', 'replicate_token'],
  ['tvly-', 'tavily_key'],
  ['lsv2_pt_', 'langsmith_key'],
  ['lsv2_sk_', 'langsmith_key'],
];

/** Kinds whose body is letters and digits only (a cut run holding `_` or `-` after their prefix is a name: `redact-cut.ts`). */
export const ALNUM_BODY_KINDS: ReadonlySet<string> = new Set(['huggingface_token', 'npm_token', 'stripe_key', 'groq_key', 'xai_key', 'perplexity_key', 'replicate_token']);

/** Prefixes whose token is only as good as its body's mix of characters (see the module's doc). */
const NEEDS_RANDOM_BODY = new Set(['huggingface_token', 'npm_token', 'docker_token', 'stripe_key', 'groq_key', 'xai_key', 'perplexity_key', 'replicate_token', 'tavily_key']);

/**
 * Every vendor token, with the rules' boundary before it (not after a
 * token character; a line end or tab as JSON writes it is a boundary; and
 * the exceptions of the module's doc: `${X:-`, `${X-`, one to three `_`)
 * and none after (a `_` only when no letter or digit follows it, markdown's
 * closing `_`). Bounded quantifiers, alternatives that start differently:
 * linear.
 */
export const VENDOR_TOKEN_RE = new RegExp(
  '(?:(?<![A-Za-z0-9_-])|(?<=\\\\[nrt])|(?<=[:=]-)|(?<=\\$\\{[A-Za-z0-9_]{1,64}-)|(?<=(?:^|[^A-Za-z0-9_\\]-]|\\\\[nrt])_{1,3}))(?:' +
    [
      'hf_[A-Za-z]{34}',
      'api_org_[A-Za-z]{34}',
      'npm_[A-Za-z0-9]{36}',
      'pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,4096}',
      'dckr_pat_[A-Za-z0-9_-]{27,64}',
      '[sr]k_(?:live|test|prod)_[A-Za-z0-9]{20,255}',
      'gsk_[A-Za-z0-9]{52}',
      'xai-[A-Za-z0-9]{80}',
      'pplx-[A-Za-z0-9]{48}',
      'r8_[A-Za-z0-9]{37,40}',
      'tvly-(?:dev-|prod-)?(?:[A-Za-z0-9]{4,8}-[A-Za-z0-9_]{24,80}|[A-Za-z0-9]{20,64})',
      'lsv2_(?:pt|sk)_[0-9a-f]{32}_[0-9a-f]{10}',
    ].join('|') +
    ')(?![A-Za-z0-9-])(?!_[A-Za-z0-9])',
  'g',
);

/** The kind of the vendor token `token` starts with, if any. */
export function vendorKind(token: string): string | undefined {
  return prefixOf(token)?.[1];
}

/** The prefix `token` starts with and its kind, if any. */
function prefixOf(token: string): readonly [prefix: string, kind: string] | undefined {
  for (const entry of VENDOR_PREFIXES) if (token.startsWith(entry[0])) return entry;
  return undefined;
}

/** Whether `body` mixes at least two of lower case, upper case and digits. */
function looksRandom(body: string): boolean {
  let lower = 0;
  let upper = 0;
  let digit = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body.charCodeAt(i);
    if (c >= 97 && c <= 122) lower = 1;
    else if (c >= 65 && c <= 90) upper = 1;
    else if (c >= 48 && c <= 57) digit = 1;
    if (lower + upper + digit >= 2) return true;
  }
  return false;
}

/** The tag's kind for a match of {@link VENDOR_TOKEN_RE}, or `undefined` when it is kept (a body that does not look random). */
export function vendorTokenKind(match: string): string | undefined {
  const found = prefixOf(match);
  if (found === undefined) return undefined;
  const [prefix, kind] = found;
  if (!NEEDS_RANDOM_BODY.has(kind)) return kind;
  const body = kind === 'tavily_key' ? match.slice(prefix.length).replace(/^(?:dev|prod)-/, '') : match.slice(prefix.length);
  return looksRandom(body) ? kind : undefined;
}

/**
 * The screen's test at an `_` (index `i`, `c` the character before it):
 * whether a vendor prefix ending in `_` ends there, or `sk_`/`rk_` starts a
 * Stripe key there. Reads at most nine characters before it; the caller
 * asks only after a character one of the prefixes ends in
 * ({@link endsVendorPrefix}), which rules out most underscores of code.
 */
export function vendorAtUnderscore(text: string, i: number, c: number): boolean {
  switch (c) {
    case 102: // f: hf_
      return text.charCodeAt(i - 2) === 104;
    case 109: // m: npm_
      return text.startsWith('np', i - 3);
    case 107: // k: gsk_, sk_live_ …, rk_live_ …
      if (text.startsWith('gs', i - 3)) return true;
      if (text.charCodeAt(i - 2) !== 115 && text.charCodeAt(i - 2) !== 114) return false;
      return text.startsWith('live_', i + 1) || text.startsWith('test_', i + 1) || text.startsWith('prod_', i + 1);
    case 56: // 8: r8_
      return text.charCodeAt(i - 2) === 114;
    case 103: // g: api_org_
      return text.startsWith('api_or', i - 7);
    case 116: // t: dckr_pat_
      return text.startsWith('dckr_pa', i - 8);
    case 50: // 2: lsv2_
      return text.startsWith('lsv', i - 4);
    default:
      return false;
  }
}

/** Whether a vendor prefix ending in `_` can end with the character `c` (`hf`, `npm`, `gsk`/`sk`/`rk`, `r8`, `org`, `pat`, `lsv2`). */
export function endsVendorPrefix(c: number): boolean {
  return c === 102 || c === 109 || c === 107 || c === 56 || c === 103 || c === 116 || c === 50;
}

/** The screen's test at a `-` (index `i`): whether `pypi-AgEI…`, `xai-`, `pplx-` or `tvly-` ends there. */
export function vendorAtDash(text: string, i: number): boolean {
  switch (text.charCodeAt(i - 1)) {
    case 105: // i: pypi-, xai-
      return text.startsWith('pypi-AgEI', i - 4) || text.startsWith('xa', i - 3);
    case 120: // x: pplx-
      return text.startsWith('ppl', i - 4);
    case 121: // y: tvly-
      return text.startsWith('tvl', i - 4);
    default:
      return false;
  }
}
