import { readFileSync } from 'node:fs';

/** The page's inline CSS and scripts, read once from the package's `assets/` folder. */
export interface ReportAssets {
  css: string;
  highlightJs: string;
  reportJs: string;
}

let cached: ReportAssets | undefined;

/**
 * Reads `assets/report.css`, `assets/highlight.js` and `assets/report.js`
 * (plain files, so they can be checked and tested as what they are; the same
 * relative path works from `src/report/` under tsx and from `dist/report/`).
 */
export function reportAssets(): ReportAssets {
  if (!cached) {
    const read = (name: string) => readFileSync(new URL(`../../assets/${name}`, import.meta.url), 'utf8');
    cached = { css: read('report.css'), highlightJs: read('highlight.js'), reportJs: read('report.js') };
  }
  return cached;
}
