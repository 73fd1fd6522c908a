import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRedactor } from '../src/index.js';

const r = createRedactor();
const TAG = '[REDACTED:password_assignment]';

/** `input` redacts to `output` in one pass, and a second pass changes nothing and counts nothing. */
function assertOnce(input: string, output: string): void {
  const once = r.redact(input);
  assert.equal(once.text, output, JSON.stringify(input));
  const twice = r.redact(once.text);
  assert.equal(twice.text, once.text, `idempotent: ${JSON.stringify([input, once.text])}`);
  assert.equal(twice.redactions, 0, `idempotent: ${JSON.stringify([input, once.text])}`);
}

// Found by a generator of key names in all cases, shell operators, `${`, braces, backquotes, quotes and short values
// (2026-12-07): a shell expansion named as a secret's key whose word the expansion readers refuse (a backquote or a
// `$(` closed nowhere) is read by the assignment rule as `KEY:` or `KEY=` with a bare value cut at `,;()]"`: the rest
// of the word stays in clear after one pass (a known limit, README *Shell expansions closed nowhere*: taking the glued
// text into the tag hid commands, name/value pairs and keys from the rules after it, in two reviews). Pinned as it is.
describe('createRedactor: a shell expansion\'s word the readers refuse (2026-12-07, a known limit)', () => {
  it("an error message's word (`:?`) is kept, as the shell readers keep it", () => {
    assertOnce('${token:?`,msg', '${token:?`,msg');
  });

  it('leaves the rest of the word in clear after one pass: `;&|(`, a brace (README: a limit)', () => {
    // `(` may start a command, as `;&|` do: taken into the tag, `(curl` was hidden from the command rule.
    assert.equal(r.redact('${APIKEY:--$(Xk9mP2').text, `\${APIKEY:-${TAG}(Xk9mP2`);
    assert.equal(r.redact('${pwd:+`(hunter2').text, `\${pwd:+${TAG}(hunter2`);
    assert.equal(r.redact('${SECRET:+`;hunter2').text, `\${SECRET:+${TAG};hunter2`);
    assert.equal(r.redact('${TOKEN:-(x ${password:+x{y').text, `\${TOKEN:-(x \${password:+${TAG}{y`);
  });

  it('leaves the rest of the word in clear after one pass: a quote, a backquote, a `$`, an expansion (README: a limit)', () => {
    // Taken into the tag, it changed how a second pass read the text before it (an outer expansion refused for it).
    assert.equal(r.redact('${passwD=`"Xk9mP2').text, `\${passwD=${TAG}"Xk9mP2`);
    assert.equal(r.redact('x=)`,${secret-4${pwd=`)x$').text, `x=)\`,\${secret-4\${pwd=${TAG})x$`);
    // An expansion whose `$` the value took is read by the scan going on inside it (a review of 2026-12-07).
    assert.equal(r.redact('echo ${API_KEY:-`${DB_PASSWORD-Xk9mP2qL}`}').text, `echo \${API_KEY:-${TAG}{DB_PASSWORD-${TAG}}\`}`);
  });
});

// The same generator: an expansion whose `$` an earlier value took (`apikey:4$` replaced) holding an expansion named as a
// secret's key, its `$` intact, whose word the assignment rule also reads as a key's match (`secret-passwD:x`, a name
// with `-`): the match's value `x` was kept alone and the run `passwD:x` left in clear; a second pass, the outer `$`
// gone, read the inner expansion and replaced it.
describe('createRedactor: a nested expansion whose word holds a key\'s match, after a value that took the outer `$` (2026-12-07)', () => {
  it('its run is replaced in one pass, as a second pass reads it', () => {
    assertOnce('apikey:4${passwd-${secret-passwD:x', `apikey:${TAG}{passwd-\${secret-${TAG}`);
    assertOnce('apikey:4${passwd-${secret-passwD:x}} y', `apikey:${TAG}{passwd-\${secret-${TAG}}} y`);
    // Not when the inner name is no key's (a second pass reads no expansion there either), nor a key in the outer word.
    assertOnce('apikey:4${passwd-${X-passwD:x', `apikey:${TAG}{passwd-\${X-passwD:x`);
    assertOnce('apikey:4${passwd-abc token=xyz}', `apikey:${TAG}{passwd-abc token=${TAG}}`);
  });
});


// Two reviews of 2026-12-07: taking a refused word's glued text, or a nested run holding a command's start, into the tag
// hid text from a rule reading it after them, less redacted than before. Pinned: the rules after see commands and keys.
describe('createRedactor: the glue never hides a command or a key from the rules after it (review of 2026-12-07)', () => {
  const CLI = '[REDACTED:cli_password]';
  /** One pass gives `output`; a second pass (which may tag the glued command's name or key, as before) shows no secret. */
  const assertKept = (input: string, output: string): void => {
    const once = r.redact(input).text;
    assert.equal(once, output, JSON.stringify(input));
    assert.doesNotMatch(r.redact(once).text, /Xk9|hunter2/, JSON.stringify(input));
  };
  it("a password command glued after the value's cut is read by the command rule", () => {
    assertKept('${TOKEN:-`;curl -u admin:Xk9mP2qLzz', `\${TOKEN:-${TAG};curl -u admin:${CLI}`);
    assertKept('${TOKEN:-`(curl -u admin:Xk9mP2qLzz', `\${TOKEN:-${TAG}(curl -u admin:${CLI}`);
    assertKept('${TOKEN:-`&&sshpass -p Xk9mP2qLzz ssh h', `\${TOKEN:-${TAG}&&sshpass -p ${CLI} ssh h`);
    assertKept('{"c":"${TOKEN:-`,x\\ncurl -u user:Xk9mP2qLzz"}', `{"c":"\${TOKEN:-${TAG},x\\ncurl -u user:${CLI}"}`);
    assertKept('apikey:4${passwd-${secret-passwD:x;curl -u a:Xk9mP2qLzz', `apikey:${TAG}{passwd-\${secret-passwD:x;curl -u a:${CLI}`);
  });

  it('a key after a glued key is read with its own value', () => {
    assertKept('${TOKEN:-`,x: pwd= hunter2', `\${TOKEN:-${TAG},x: pwd= ${TAG}`);
    assertKept('${TOKEN:-`,x= api_key= Xk9mP2qLz', `\${TOKEN:-${TAG},x= api_key= ${TAG}`);
    assertKept('echo ${TOKEN=`,x: token: hunter2 done', `echo \${TOKEN=${TAG},x: token: ${TAG} done`);
    assertKept('${TOKEN:-`,x: pwd=\\"hunter2\\"', `\${TOKEN:-${TAG},x: pwd=\\"${TAG}\\"`);
    // A run of a nested expansion ending at a blank: the rule's value takes the trailing key's word after it.
    assert.equal(
      r.redact('pwd= hunter2${token:=${PASSWORD=a:b?api_key= Xk9mP2a:b?api_key= Xk9mP2').text,
      `pwd= ${TAG}{token:=\${PASSWORD=${TAG} Xk9mP2`,
    );
  });
});
