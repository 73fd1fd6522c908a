import { asText, guarded, scanLimit } from './guard.js';
import { fileReferencesInProse } from './file-references.js';
import { splitMarkdown } from './markdown-blocks.js';
import type { MessageMetadata, MessageMetadataOptions } from './types.js';

/**
 * Metadata of an agent message: the files its prose refers to (see
 * `extractFileReferences`), its fenced code blocks and their languages
 * (lowercased; a fence without a language gives `'unknown'`), and its length.
 * Scans at most `maxScanChars` (default 1 000 000) characters and then sets
 * `truncated: true`. Never throws; non-string input is treated as `''`.
 */
export function extractMessageMetadata(text: string, options?: MessageMetadataOptions): MessageMetadata {
  return guarded(
    () => {
      const t = asText(text);
      const limit = scanLimit(options?.maxScanChars);
      const truncated = t.length > limit;
      const head = truncated ? t.slice(0, limit) : t;
      const scanned = head.includes('\r') ? head.replace(/\r\n?/g, '\n') : head; // skip the regex pass on \n-only text
      const { blocks, prose } = splitMarkdown(scanned);
      const languages: string[] = [];
      for (const b of blocks) if (!languages.includes(b.language) && languages.length < 100) languages.push(b.language);
      const result: MessageMetadata = {
        fileRefs: fileReferencesInProse(prose),
        hasCode: blocks.length > 0,
        codeLanguages: languages,
        codeBlocks: blocks,
        contentLength: t.length,
      };
      if (truncated) result.truncated = true;
      return result;
    },
    () => ({ fileRefs: [], hasCode: false, codeLanguages: [], codeBlocks: [], contentLength: typeof text === 'string' ? text.length : 0 }),
  );
}
