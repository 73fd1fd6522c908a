import { constants } from 'node:fs';
import { access, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { formatBytes } from '../format/text.js';
import type { CheckResult } from './checks.js';

/** The spool directory when neither the flag nor `AGENTSPAN_SPOOL_DIR` names one (relative to the working directory). */
export const DEFAULT_SPOOL_DIR = '.agentspan/spool';

/** Files and bytes under `dir` (regular files, recursively; stops counting after 100 000 entries). */
async function usage(dir: string): Promise<{ files: number; bytes: number }> {
  let files = 0;
  let bytes = 0;
  let seen = 0;
  const walk = async (d: string): Promise<void> => {
    for (const entry of await readdir(d, { withFileTypes: true })) {
      if (++seen > 100_000) return;
      const path = join(d, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile()) {
        files++;
        bytes += (await stat(path)).size;
      }
    }
  };
  await walk(dir);
  return { files, bytes };
}

/** Whether the spool directory is usable, and how much is waiting in it. */
export async function checkSpool(dir: string, shownAs: string): Promise<CheckResult> {
  let info;
  try {
    info = await stat(dir);
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') {
      return { name: 'spool', status: 'ok', detail: `${shownAs}: not created yet (nothing waiting)` };
    }
    return { name: 'spool', status: 'fail', detail: `${shownAs}: ${(err as Error).message}` };
  }
  if (!info.isDirectory()) {
    return { name: 'spool', status: 'fail', detail: `${shownAs} exists but is not a directory`, fix: 'remove it, or point --spool-dir elsewhere' };
  }
  try {
    await access(dir, constants.W_OK);
  } catch {
    return { name: 'spool', status: 'fail', detail: `${shownAs} is not writable`, fix: `fix its permissions (chmod u+w ${shownAs}) or point --spool-dir elsewhere` };
  }
  const { files, bytes } = await usage(dir);
  if (files === 0) return { name: 'spool', status: 'ok', detail: `${shownAs}: writable, empty` };
  return {
    name: 'spool',
    status: 'warn',
    detail: `${shownAs}: ${formatBytes(bytes)} in ${files} file${files === 1 ? '' : 's'} waiting to be written to Postgres`,
    fix: 'the exporter replays spooled spans once it reaches Postgres: start the application again (after fixing the database, if its check failed)',
  };
}
