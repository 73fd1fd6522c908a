/**
 * Loads the labelled corpus (`test/corpus/*.corpus`) and scores the
 * extractor against it. Shared by the corpus test, the table-printing
 * script and the benchmark.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { extractCodeMetadata } from '../src/index.js';

/** One labelled snippet. */
export interface CorpusCase {
  file: string;
  name: string;
  /** Language passed to the extractor, or undefined to let it sniff. */
  language: string | undefined;
  /** Language the sniffer must find when `language` is undefined. */
  sniffExpect: string | undefined;
  code: string;
  imports: string[];
  written: string[];
  read: string[];
}

export const CORPUS_DIR = fileURLToPath(new URL('./corpus/', import.meta.url));

const list = (s: string): string[] =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '');

/** Parses one corpus file (format documented at the top of each file). */
export function parseCorpus(file: string, text: string): CorpusCase[] {
  const cases: CorpusCase[] = [];
  let cur: CorpusCase | undefined;
  let code: string[] = [];
  let inCode = false;
  for (const line of text.split('\n')) {
    const header = /^==> case (\S+) (\S+)\s*$/.exec(line);
    if (header) {
      if (cur) cases.push(cur);
      const lang = header[2]!;
      const sniff = lang.startsWith('sniff:') ? lang.slice(6) : undefined;
      cur = { file, name: header[1]!, language: sniff ? undefined : lang, sniffExpect: sniff, code: '', imports: [], written: [], read: [] };
      code = [];
      inCode = true;
      continue;
    }
    const expect = /^==> (imports|written|read):(.*)$/.exec(line);
    if (expect && cur) {
      if (inCode) {
        cur.code = code.join('\n') + '\n';
        inCode = false;
      }
      cur[expect[1] as 'imports' | 'written' | 'read'] = list(expect[2]!);
      continue;
    }
    if (inCode) code.push(line);
  }
  if (cur) cases.push(cur);
  return cases;
}

/** All corpus cases, in file and then file order. */
export function loadCorpus(): CorpusCase[] {
  return readdirSync(CORPUS_DIR)
    .filter((f) => f.endsWith('.corpus'))
    .sort()
    .flatMap((f) => parseCorpus(f, readFileSync(CORPUS_DIR + f, 'utf8')));
}

/** True/false positive and false negative counts. */
export interface Counts {
  tp: number;
  fp: number;
  fn: number;
}

export type Category = 'imports' | 'written' | 'read';
export const CATEGORIES: readonly Category[] = ['imports', 'written', 'read'];

/** Per-case differences, for diagnosing a drop in the scores. */
export interface CaseDiff {
  case: CorpusCase;
  category: Category;
  missing: string[];
  extra: string[];
}

export interface Score {
  /** Counts per corpus file and category, plus `'all'`. */
  counts: Map<string, Record<Category, Counts>>;
  diffs: CaseDiff[];
  sniffFailures: { case: CorpusCase; got: string }[];
}

const empty = (): Record<Category, Counts> => ({
  imports: { tp: 0, fp: 0, fn: 0 },
  written: { tp: 0, fp: 0, fn: 0 },
  read: { tp: 0, fp: 0, fn: 0 },
});

/** Runs the extractor over every case and counts matches per category. */
export function scoreCorpus(cases: readonly CorpusCase[]): Score {
  const counts = new Map<string, Record<Category, Counts>>([['all', empty()]]);
  const diffs: CaseDiff[] = [];
  const sniffFailures: { case: CorpusCase; got: string }[] = [];
  for (const c of cases) {
    const md = extractCodeMetadata(c.code, c.language === undefined ? {} : { language: c.language });
    if (c.sniffExpect !== undefined && md.language !== c.sniffExpect) sniffFailures.push({ case: c, got: md.language });
    const got: Record<Category, string[]> = { imports: md.imports, written: md.filesWritten, read: md.filesRead };
    if (!counts.has(c.file)) counts.set(c.file, empty());
    for (const cat of CATEGORIES) {
      const expected = new Set(c[cat]);
      const actual = new Set(got[cat]);
      const missing = [...expected].filter((x) => !actual.has(x));
      const extra = [...actual].filter((x) => !expected.has(x));
      const tp = expected.size - missing.length;
      for (const key of [c.file, 'all']) {
        const k = counts.get(key)![cat];
        k.tp += tp;
        k.fp += extra.length;
        k.fn += missing.length;
      }
      if (missing.length > 0 || extra.length > 0) diffs.push({ case: c, category: cat, missing, extra });
    }
  }
  return { counts, diffs, sniffFailures };
}

export const precision = (k: Counts): number => (k.tp + k.fp === 0 ? 1 : k.tp / (k.tp + k.fp));
export const recall = (k: Counts): number => (k.tp + k.fn === 0 ? 1 : k.tp / (k.tp + k.fn));

/** The precision/recall table as markdown. */
export function formatTable(score: Score, caseCount: number): string {
  const label: Record<Category, string> = { imports: 'imports', written: 'files_written', read: 'files_read' };
  const lines = [
    `Corpus: ${caseCount} snippets.`,
    '',
    '| corpus | category | expected | found | TP | FP | FN | precision | recall |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  const keys = [...score.counts.keys()].filter((k) => k !== 'all').sort();
  keys.push('all');
  for (const key of keys) {
    const row = score.counts.get(key)!;
    for (const cat of CATEGORIES) {
      const k = row[cat];
      lines.push(
        `| ${key === 'all' ? '**all**' : key.replace(/\.corpus$/, '')} | ${label[cat]} | ${k.tp + k.fn} | ${k.tp + k.fp} | ${k.tp} | ${k.fp} | ${k.fn} | ${precision(k).toFixed(3)} | ${recall(k).toFixed(3)} |`,
      );
    }
  }
  return lines.join('\n');
}
