/**
 * An append-only disk spool of JSON records, shared safely by the processes
 * of one host.
 *
 * - Records are appended to a segment file, one JSON document per line, a
 *   whole batch per `write`, then `fsync`ed: after `append` returns
 *   `'stored'` the batch survives a crash of the process (or of the machine).
 * - A segment is named after its writer
 *   (`<kind>-<host>-<pid>-<start>-<instance>-<seq>.open`) and becomes
 *   `.spool` when closed (full, or handed to a replayer). A process killed
 *   with SIGKILL leaves its `.open` file behind; it is replayed once its
 *   writer is known to be dead (`kill(pid, 0)` fails, or the pid now belongs
 *   to a process that started at another time). On Linux the header records
 *   the writer's start exactly (boot id and start tick, from `/proc`), which
 *   tells a reused pid of any process from the writer; elsewhere, and for
 *   segments without that record, only this process' own pid is checked
 *   for reuse.
 * - A replayer claims a segment by renaming it (`.claimed-<owner>`): an
 *   atomic step, so two processes never replay the same segment. It deletes
 *   the segment once written (`ack`) or renames it back (`release`). A claim
 *   whose owner died is claimed again.
 * - A torn last line (a crash in the middle of a write) fails to parse and is
 *   skipped and counted; every complete line before it is replayed.
 * - The directory is size-capped (`maxBytes`, checked against this process'
 *   view of the directory, refreshed on every claim).
 *
 * All I/O is synchronous: `append` must work in a process `'exit'` handler,
 * and a batch is written with one `write` and one `fsync`.
 */

import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  readSync,
  renameSync,
  statSync,
  unlinkSync,
  utimesSync,
  writeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { SpillResult, SpooledBatch } from './types.js';

/** Options of a {@link FileSpool}. */
export interface FileSpoolOptions {
  /** Directory of the spool (created when first needed). */
  readonly dir: string;
  /** What the records are (letters, digits, `_`); files of another kind in the directory are left alone. */
  readonly kind: string;
  /** Size cap of the whole directory, bytes. @default 268_435_456 (256 MiB) */
  readonly maxBytes?: number | undefined;
  /** A segment is closed once it reaches this size, bytes. @default 8_388_608 (8 MiB) */
  readonly segmentBytes?: number | undefined;
  /** Files of another host are claimed only after this long without a change, ms. @default 600_000 */
  readonly staleAfterMillis?: number | undefined;
  /** `fsync` each appended batch. Turning it off trades crash safety for speed. @default true */
  readonly fsync?: boolean | undefined;
  /** Checks each parsed record; records it refuses count as corrupt. @default accepts any JSON value */
  readonly validate?: ((record: unknown) => boolean) | undefined;
  /**
   * Earlier kinds of the same records, whose segments this spool replays too
   * (a new version that keys its spool differently still replays what an
   * older one left). New segments always get `kind`.
   * @default []
   */
  readonly claimKinds?: readonly string[] | undefined;
}

/** Counters of a {@link FileSpool}. */
export interface FileSpoolStats {
  /** Bytes in the directory (this process' view). */
  readonly spoolBytes: number;
  /** Segment files in the directory at the last look. */
  readonly spoolFiles: number;
  /** Records appended by this process. */
  readonly spoolAppended: number;
  /** Records read back by this process. */
  readonly spoolRead: number;
  /** Lines that could not be parsed (torn writes) or were refused by `validate`. */
  readonly spoolCorrupt: number;
  /**
   * Message of the spool's last I/O failure (absent before the first). A
   * `DeliverySpanProcessor` whose sink's `stats()` carries it reports it
   * when a spill fails, rather than the delivery error that caused the spill.
   */
  readonly spoolLastError?: string;
}

/** A segment read back from the spool. */
export interface ClaimedSegment<T> extends SpooledBatch<T[]> {
  readonly file: string;
}

const HEADER_VERSION = 1;
/** Modes of what the spool creates: readable by the writer's user only (the umask may narrow them further). */
const DIR_MODE = 0o700;
const FILE_MODE = 0o600;
const DEFAULTS = { maxBytes: 256 * 1024 * 1024, segmentBytes: 8 * 1024 * 1024, staleAfterMillis: 600_000 };

/** This process, as named in spool files. Shared by every copy of this module in the isolate. */
interface ProcessIdentity {
  readonly host: string;
  readonly pid: number;
  /** Start of the process, seconds since the epoch (tells a reused pid from the original). */
  readonly start: number;
}

const IDENTITY_KEY = Symbol.for('agentspan.delivery.spool.identity');

function processIdentity(): ProcessIdentity {
  const g = globalThis as unknown as Record<symbol, ProcessIdentity | undefined>;
  let id = g[IDENTITY_KEY];
  if (id === undefined || id.pid !== process.pid) {
    id = {
      host: sanitizeName(hostname()) || 'host',
      pid: process.pid,
      start: Math.floor((Date.now() - process.uptime() * 1000) / 1000),
    };
    g[IDENTITY_KEY] = id;
  }
  return id;
}

/**
 * A process' start as Linux records it: the boot (`/proc/sys/kernel/random/boot_id`)
 * and the clock tick since that boot at which the process started (`/proc/<pid>/stat`,
 * field 22). Exact, unlike the wall-clock `start` in file names, which a clock step
 * moves: no two processes of one boot share a pid and a start tick.
 */
interface ProcStart {
  readonly boot: string;
  readonly ticks: number;
  /**
   * The PID namespace (\`/proc/self/ns/pid\`, e.g. \`pid:[4026531836]\`): a pid
   * means the same process only inside one. A writer in another container
   * on the same host shares the boot id and the host name, and its pid names
   * some other process here, which the start tick would take for a reuse.
   */
  readonly pidns: string;
}

let ownStart: { readonly start: ProcStart | undefined } | undefined;

/** This process' {@link ProcStart}; undefined without `/proc` (not Linux, or not mounted). Read once. */
function ownProcStart(): ProcStart | undefined {
  if (ownStart === undefined) {
    const boot = bootId();
    const ticks = procStat(process.pid)?.ticks;
    const pidns = pidNamespace();
    ownStart = { start: boot === undefined || ticks === undefined || pidns === undefined ? undefined : { boot, ticks, pidns } };
  }
  return ownStart.start;
}

function pidNamespace(): string | undefined {
  try {
    const ns = readlinkSync('/proc/self/ns/pid');
    return /^pid:\[\d+\]$/.test(ns) ? ns : undefined;
  } catch {
    return undefined;
  }
}

function bootId(): string | undefined {
  try {
    const id = readFileSync('/proc/sys/kernel/random/boot_id', 'latin1').trim();
    return /^[0-9a-f-]{8,64}$/.test(id) ? id : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Start tick (field 22, `starttime`) and whether the process has exited (a zombie, state `Z`
 * or `X`, waiting for its parent to reap it) from `/proc/<pid>/stat`; undefined when it cannot
 * be read (no such process, no `/proc`, or hidden by the `hidepid` mount option).
 */
function procStat(pid: number): { readonly ticks: number; readonly exited: boolean } | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return undefined;
  }
  // Field 2 is the command name in parentheses, which may itself hold spaces and ')': count from the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const state = fields[0] ?? '';
  const ticks = fields[22 - 3] ?? '';
  return /^\d+$/.test(ticks) ? { ticks: Number(ticks), exited: state === 'Z' || state === 'X' } : undefined;
}

/** The writer's {@link ProcStart} from a segment's header line (`writer`), if it has one. */
function recordedWriter(header: string): ProcStart | undefined {
  try {
    const h = JSON.parse(header) as { agentspan_spool?: unknown; writer?: { boot?: unknown; ticks?: unknown; pidns?: unknown } };
    const w = h.writer;
    if (h.agentspan_spool === undefined || w === null || typeof w !== 'object') return undefined;
    return typeof w.boot === 'string' && Number.isSafeInteger(w.ticks) && typeof w.pidns === 'string'
      ? { boot: w.boot, ticks: w.ticks as number, pidns: w.pidns }
      : undefined;
  } catch {
    return undefined;
  }
}

function sanitizeName(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9_]/g, '_').slice(0, 40);
}

/** Parsed name of a spool file. */
interface SpoolFile {
  readonly name: string;
  readonly stem: string;
  readonly state: 'open' | 'spool' | 'claimed';
  /** Writer (open), or claimer (claimed). */
  readonly owner: { host: string; pid: number; start: number };
  readonly seq: number;
}

const OWNER = '([a-z0-9_]+)-(\\d+)-(\\d+)';

function nameRegExp(kinds: readonly string[]): RegExp {
  return new RegExp(`^((?:${kinds.join('|')})-${OWNER}-([a-z0-9]+)-(\\d+))\\.(open|spool|claimed-${OWNER})$`);
}

function parseName(re: RegExp, name: string): SpoolFile | undefined {
  const m = re.exec(name);
  if (!m) return undefined;
  const [, stem, host, pid, start, , seq, ext, chost, cpid, cstart] = m as unknown as string[];
  const state = ext === 'open' ? 'open' : ext === 'spool' ? 'spool' : 'claimed';
  const owner =
    state === 'claimed'
      ? { host: chost ?? '', pid: Number(cpid), start: Number(cstart) }
      : { host: host ?? '', pid: Number(pid), start: Number(start) };
  return { name, stem: stem ?? '', state, owner, seq: Number(seq) };
}

export class FileSpool<T> {
  private readonly dir: string;
  private readonly kind: string;
  private readonly maxBytes: number;
  private readonly segmentBytes: number;
  private readonly staleAfter: number;
  private readonly doFsync: boolean;
  private readonly validate: ((record: unknown) => boolean) | undefined;
  private readonly me: ProcessIdentity;
  private readonly meExactly: ProcStart | undefined;
  private readonly instance = randomBytes(4).toString('hex');
  private readonly nameRe: RegExp;

  private fd: number | undefined;
  private current: string | undefined;
  private currentSize = 0;
  private currentRecords = 0;
  private seq = 0;
  private knownBytes: number | undefined;
  private files = 0;
  private appended = 0;
  private read = 0;
  private corrupt = 0;
  /** Message of the last I/O failure. */
  lastError: string | undefined;

  constructor(options: FileSpoolOptions) {
    if (!options || typeof options.dir !== 'string' || options.dir === '') {
      throw new TypeError('agentspan spool: `dir` is required');
    }
    const claimKinds = options.claimKinds ?? [];
    if (![options.kind, ...claimKinds].every((k) => /^[a-z0-9_]+$/.test(k))) {
      throw new TypeError('agentspan spool: `kind` (and `claimKinds`) must be letters, digits or _');
    }
    this.dir = options.dir;
    this.kind = options.kind;
    this.nameRe = nameRegExp([options.kind, ...claimKinds.filter((k) => k !== options.kind)]);
    this.maxBytes = options.maxBytes ?? DEFAULTS.maxBytes;
    this.segmentBytes = options.segmentBytes ?? DEFAULTS.segmentBytes;
    this.staleAfter = options.staleAfterMillis ?? DEFAULTS.staleAfterMillis;
    this.doFsync = options.fsync ?? true;
    this.validate = options.validate;
    this.me = processIdentity();
    this.meExactly = ownProcStart();
    for (const [name, v] of [
      ['maxBytes', this.maxBytes],
      ['segmentBytes', this.segmentBytes],
    ] as const) {
      if (!Number.isSafeInteger(v) || v < 1) throw new RangeError(`agentspan spool: \`${name}\` must be a positive integer`);
    }
  }

  /** The directory. */
  get directory(): string {
    return this.dir;
  }

  /**
   * Appends the records as one write and one fsync. `'full'` when the
   * directory would exceed its cap, `'error'` when the disk refused (the
   * records are then not stored).
   */
  append(records: readonly T[]): SpillResult {
    if (records.length === 0) return 'stored';
    let data: Buffer;
    try {
      data = Buffer.from(`${records.map((r) => JSON.stringify(r)).join('\n')}\n`, 'utf8');
    } catch (err) {
      this.lastError = `records are not serialisable: ${(err as Error).message}`;
      return 'error';
    }
    if (this.bytesNow() + data.length > this.maxBytes) {
      this.refresh();
      if (this.bytesNow() + data.length > this.maxBytes) return 'full';
    }
    try {
      this.ensureSegment();
      const fd = this.fd as number;
      let off = 0;
      while (off < data.length) off += writeSync(fd, data, off, data.length - off);
      if (this.doFsync) fsyncSync(fd);
    } catch (err) {
      this.lastError = (err as Error).message;
      this.abandonSegment();
      return 'error';
    }
    this.knownBytes = this.bytesNow() + data.length;
    this.currentSize += data.length;
    this.currentRecords += records.length;
    this.appended += records.length;
    if (this.currentSize >= this.segmentBytes) this.closeSegment();
    return 'stored';
  }

  /**
   * Claims the oldest segment nobody is writing or replaying (closing this
   * process' own segment first when it holds records) and reads it.
   * Undefined when there is none. Never throws.
   */
  claim(): ClaimedSegment<T> | undefined {
    try {
      if (this.currentRecords > 0) this.closeSegment();
      const candidates = this.list().filter((f) => this.claimable(f));
      candidates.sort((a, b) => a.mtime - b.mtime || a.file.seq - b.file.seq);
      for (const { file } of candidates) {
        const claimedName = `${file.stem}.claimed-${this.ownerTag()}`;
        try {
          renameSync(join(this.dir, file.name), join(this.dir, claimedName));
        } catch {
          continue; // another process got it first, or it changed state
        }
        try {
          // A rename keeps the old mtime: an old segment would look abandoned to a process of
          // another host the moment it is claimed. Claiming is a change.
          const now = new Date();
          utimesSync(join(this.dir, claimedName), now, now);
        } catch {
          /* the claim holds all the same */
        }
        const segment = this.readClaimed(claimedName, file.stem);
        if (segment !== undefined) return segment;
      }
    } catch (err) {
      this.lastError = (err as Error).message;
    }
    return undefined;
  }

  /** Closes the segment being written (it becomes replayable by anyone). Never throws. */
  close(): void {
    this.closeSegment();
  }

  /** Bytes in the directory, this process' view. */
  bytesNow(): number {
    if (this.knownBytes === undefined) this.refresh();
    return this.knownBytes ?? 0;
  }

  stats(): FileSpoolStats {
    return {
      spoolBytes: this.knownBytes ?? 0,
      spoolFiles: this.files,
      spoolAppended: this.appended,
      spoolRead: this.read,
      spoolCorrupt: this.corrupt,
      ...(this.lastError === undefined ? {} : { spoolLastError: this.lastError }),
    };
  }

  // -------------------------------------------------------------------------

  private ownerTag(): string {
    return `${this.me.host}-${this.me.pid}-${this.me.start}`;
  }

  private ensureSegment(): void {
    if (this.fd !== undefined && this.current !== undefined) {
      // Still ours? A replayer on another host may have claimed an idle segment.
      try {
        statSync(join(this.dir, this.current));
        return;
      } catch {
        this.abandonSegment();
      }
    }
    // Owner-only: records hold what the application's spans hold (prompts, tool arguments, file
    // content). The mode applies to directories created here; an existing one keeps its own.
    mkdirSync(this.dir, { recursive: true, mode: DIR_MODE });
    this.seq += 1;
    const stem = `${this.kind}-${this.ownerTag()}-${this.instance}-${String(this.seq).padStart(6, '0')}`;
    const name = `${stem}.open`;
    const fd = openSync(join(this.dir, name), 'wx', FILE_MODE);
    // `writer`: how a replayer tells this process from a later one given the same pid. Earlier
    // versions skip the header by its first key, so the added field leaves the format readable to them.
    const writer = this.meExactly === undefined ? {} : { writer: this.meExactly };
    const header = Buffer.from(`${JSON.stringify({ agentspan_spool: HEADER_VERSION, kind: this.kind, ...writer })}\n`, 'utf8');
    try {
      writeSync(fd, header);
      if (this.doFsync) {
        fsyncSync(fd);
        this.fsyncDir();
      }
    } catch (err) {
      closeSync(fd);
      throw err;
    }
    this.fd = fd;
    this.current = name;
    this.currentSize = header.length;
    this.currentRecords = 0;
    this.knownBytes = this.bytesNow() + header.length;
    this.files += 1;
  }

  private closeSegment(): void {
    const fd = this.fd;
    const name = this.current;
    this.fd = undefined;
    this.current = undefined;
    this.currentRecords = 0;
    this.currentSize = 0;
    if (fd === undefined || name === undefined) return;
    try {
      closeSync(fd);
    } catch {
      /* already closed */
    }
    try {
      renameSync(join(this.dir, name), join(this.dir, name.replace(/\.open$/, '.spool')));
      if (this.doFsync) this.fsyncDir();
    } catch (err) {
      // Renamed by a replayer (it only does so for dead or stale writers), or gone: nothing to close.
      this.lastError = (err as Error).message;
    }
  }

  /** Forgets the current segment without renaming it (after a write error); it is replayed as a dead writer's later. */
  private abandonSegment(): void {
    if (this.fd !== undefined) {
      try {
        closeSync(this.fd);
      } catch {
        /* ignore */
      }
    }
    if (this.current !== undefined) {
      try {
        renameSync(join(this.dir, this.current), join(this.dir, this.current.replace(/\.open$/, '.spool')));
      } catch {
        /* gone */
      }
    }
    this.fd = undefined;
    this.current = undefined;
    this.currentRecords = 0;
    this.currentSize = 0;
  }

  private fsyncDir(): void {
    try {
      const dfd = openSync(this.dir, 'r');
      try {
        fsyncSync(dfd);
      } finally {
        closeSync(dfd);
      }
    } catch {
      /* not supported on every platform; the file's own fsync still holds its data */
    }
  }

  private list(): { file: SpoolFile; mtime: number; size: number }[] {
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      this.knownBytes = 0;
      this.files = 0;
      return [];
    }
    const out: { file: SpoolFile; mtime: number; size: number }[] = [];
    let bytes = 0;
    for (const name of names) {
      const file = parseName(this.nameRe, name);
      if (file === undefined) continue;
      try {
        const st = statSync(join(this.dir, name));
        // The cap counts this kind's files: segments of a claimed earlier kind may belong to a process still writing them.
        if (file.stem.startsWith(`${this.kind}-`)) bytes += st.size;
        out.push({ file, mtime: st.mtimeMs, size: st.size });
      } catch {
        /* removed meanwhile */
      }
    }
    this.knownBytes = bytes;
    this.files = out.length;
    return out;
  }

  private refresh(): void {
    this.list();
  }

  private claimable(entry: { file: SpoolFile; mtime: number }): boolean {
    const { file, mtime } = entry;
    if (file.state === 'spool') return true;
    if (file.name === this.current) return false;
    return !this.ownerAlive(file, mtime);
  }

  /** Whether the process that writes (or replays) a file still runs. */
  private ownerAlive(file: SpoolFile, mtime: number): boolean {
    const { owner } = file;
    if (owner.host !== this.me.host) return Date.now() - mtime < this.staleAfter;
    // An open segment's header may say exactly which process wrote it (a claim names its replayer
    // only by pid and wall-clock start, so claims take the checks below).
    const writer = file.state === 'open' ? this.writerOf(file.name) : undefined;
    if (writer !== undefined && this.meExactly !== undefined) {
      if (writer.boot !== this.meExactly.boot) return false; // written before the machine last booted
    }
    // A pid is this writer's only in its own PID namespace: another container's writer is judged as before.
    if (writer !== undefined && this.meExactly !== undefined && writer.pidns === this.meExactly.pidns) {
      const now = owner.pid === this.me.pid ? { ticks: this.meExactly.ticks, exited: false } : procStat(owner.pid);
      // Unreadable (no such pid, or hidden by `hidepid`): kill(pid, 0) below decides, as without a record.
      if (now !== undefined) return !now.exited && now.ticks === writer.ticks;
    }
    if (owner.pid === this.me.pid) {
      // Same pid: this process (any thread), unless the pid was reused by a later process.
      return Math.abs(owner.start - this.me.start) <= 2;
    }
    try {
      process.kill(owner.pid, 0);
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by another user
    }
    // The pid runs, maybe as another process than the writer (pid reuse), and nothing exact says which:
    // taken as alive, since replaying a live writer's segment could lose what it appends next.
    return true;
  }

  /** The writer record in an open segment's header (the first line, a few hundred bytes at most). */
  private writerOf(name: string): ProcStart | undefined {
    let fd: number;
    try {
      fd = openSync(join(this.dir, name), 'r');
    } catch {
      return undefined;
    }
    try {
      const buf = Buffer.alloc(1024);
      const n = readSync(fd, buf, 0, buf.length, 0);
      const text = buf.toString('utf8', 0, n);
      const end = text.indexOf('\n');
      // No complete first line: the writer is between creating the file and writing its header.
      return end < 0 ? undefined : recordedWriter(text.slice(0, end));
    } catch {
      return undefined;
    } finally {
      closeSync(fd);
    }
  }

  private readClaimed(claimedName: string, stem: string): ClaimedSegment<T> | undefined {
    const path = join(this.dir, claimedName);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      this.lastError = (err as Error).message;
      return undefined;
    }
    const size = Buffer.byteLength(text, 'utf8');
    const lines = text.split('\n');
    const records: T[] = [];
    let corrupt = 0;
    let header = true;
    for (const line of lines) {
      if (line === '') continue;
      if (header) {
        header = false;
        if (line.startsWith('{"agentspan_spool"')) continue; // the header; a torn one fails below
      }
      try {
        const record = JSON.parse(line) as unknown;
        if (this.validate !== undefined && !this.validate(record)) {
          corrupt += 1;
          continue;
        }
        records.push(record as T);
      } catch {
        corrupt += 1;
      }
    }
    this.corrupt += corrupt;
    this.read += records.length;
    let done = false;
    const ack = (): void => {
      if (done) return;
      done = true;
      try {
        unlinkSync(path);
        this.knownBytes = Math.max(0, this.bytesNow() - size);
        this.files = Math.max(0, this.files - 1);
      } catch (err) {
        this.lastError = (err as Error).message;
      }
    };
    const release = (): void => {
      if (done) return;
      done = true;
      try {
        renameSync(path, join(this.dir, `${stem}.spool`));
      } catch (err) {
        this.lastError = (err as Error).message;
      }
    };
    if (records.length === 0) {
      ack();
      return undefined;
    }
    return { file: claimedName, payload: records, spans: records.length, bytes: size * 2, ack, release };
  }
}
