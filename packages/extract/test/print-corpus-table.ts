/**
 * Prints the corpus precision/recall table (markdown), e.g. for the README:
 *   node --import tsx test/print-corpus-table.ts
 */
import { formatTable, loadCorpus, scoreCorpus } from './corpus-loader.js';

const cases = loadCorpus();
console.log(formatTable(scoreCorpus(cases), cases.length));
