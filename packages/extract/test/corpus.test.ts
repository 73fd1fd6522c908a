/**
 * Scores the extractor against the labelled corpus and requires precision
 * and recall of at least 0.97 for imports, files written and files read.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CATEGORIES, formatTable, loadCorpus, precision, recall, scoreCorpus } from './corpus-loader.js';

const THRESHOLD = 0.97;

describe('labelled corpus', () => {
  const cases = loadCorpus();
  const score = scoreCorpus(cases);

  it('has at least 150 snippets with unique names', () => {
    assert.ok(cases.length >= 150, `only ${cases.length} cases`);
    const names = new Set(cases.map((c) => c.name));
    assert.equal(names.size, cases.length);
    for (const c of cases) assert.ok(c.code.trim().length > 0, `${c.name} has no code`);
  });

  it(`reaches precision and recall >= ${THRESHOLD} per category`, () => {
    console.log('\n' + formatTable(score, cases.length) + '\n');
    if (score.diffs.length > 0) {
      console.log('Differences (case / category / missing / extra):');
      for (const d of score.diffs) console.log(`  ${d.case.file}:${d.case.name} ${d.category} missing=${JSON.stringify(d.missing)} extra=${JSON.stringify(d.extra)}`);
    }
    const all = score.counts.get('all')!;
    for (const cat of CATEGORIES) {
      assert.ok(precision(all[cat]) >= THRESHOLD, `${cat} precision ${precision(all[cat]).toFixed(3)}`);
      assert.ok(recall(all[cat]) >= THRESHOLD, `${cat} recall ${recall(all[cat]).toFixed(3)}`);
    }
  });

  it('sniffs the language of unlabelled snippets', () => {
    assert.deepEqual(
      score.sniffFailures.map((f) => `${f.case.name}: ${f.got}`),
      [],
    );
  });
});
