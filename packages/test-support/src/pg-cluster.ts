/**
 * A throwaway Postgres cluster of its own, for tests that stop and start
 * the server (never the shared one on 5432). Needs the server binaries and,
 * when running as root, the `postgres` OS user; {@link throwawayClusterUnavailable}
 * says why it cannot run here, for a clear skip message.
 */

import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ThrowawayCluster {
  readonly port: number;
  /** `postgres://postgres@127.0.0.1:<port>/postgres`. */
  readonly url: string;
  /** Stops the server (`fast`: disconnects clients; `immediate`: like a crash). */
  stop(mode?: 'fast' | 'immediate'): void;
  start(): void;
  /** Stops it (if running) and deletes its data directory. */
  destroy(): void;
}

function binDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'pg_ctl')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(root, versions[0], 'bin');
}

function uidOf(user: string): { uid: number; gid: number } | undefined {
  const r = spawnSync('id', ['-u', user], { encoding: 'utf8' });
  const g = spawnSync('id', ['-g', user], { encoding: 'utf8' });
  if (r.status !== 0 || g.status !== 0) return undefined;
  return { uid: Number(r.stdout.trim()), gid: Number(g.stdout.trim()) };
}

/** Why a throwaway cluster cannot be started here, or undefined when it can. */
export function throwawayClusterUnavailable(): string | undefined {
  if (!binDir()) return 'the Postgres server binaries (/usr/lib/postgresql/*/bin) are not installed';
  if (process.getuid?.() === 0 && !uidOf('postgres')) return 'running as root but there is no `postgres` OS user to run the server as';
  if (process.platform === 'win32') return 'not supported on Windows';
  return undefined;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const a = server.address();
  await new Promise((r) => server.close(r));
  if (a === null || typeof a === 'string') throw new Error('no port');
  return a.port;
}

/** initdb + start on a free port (trust auth, fsync off, sockets in /tmp). Throws when it cannot. */
export async function startThrowawayCluster(): Promise<ThrowawayCluster> {
  const why = throwawayClusterUnavailable();
  if (why) throw new Error(why);
  const bin = binDir() as string;
  const root = process.getuid?.() === 0;
  const owner = root ? uidOf('postgres') : undefined;
  const base = mkdtempSync(join(tmpdir(), 'agentspan-pg-'));
  const data = join(base, 'data');
  if (owner) {
    chmodSync(base, 0o755);
    chownSync(base, owner.uid, owner.gid);
  }
  const run = (cmd: string, args: string[]): void => {
    const full = join(bin, cmd);
    if (root) execFileSync('runuser', ['-u', 'postgres', '--', full, ...args], { stdio: 'pipe' });
    else execFileSync(full, args, { stdio: 'pipe' });
  };
  run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
  const port = await freePort();
  const opts = `-p ${port} -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
  let running = false;
  const cluster: ThrowawayCluster = {
    port,
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    start() {
      run('pg_ctl', ['-D', data, '-o', opts, '-l', join(base, 'log'), '-w', '-t', '30', 'start']);
      running = true;
    },
    stop(mode = 'fast') {
      if (!running) return;
      run('pg_ctl', ['-D', data, '-m', mode, '-w', '-t', '30', 'stop']);
      running = false;
    },
    destroy() {
      process.removeListener('exit', onExit);
      try {
        cluster.stop('immediate');
      } catch {
        /* already down */
      }
      rmSync(base, { recursive: true, force: true });
    },
  };
  // A test process that ends without calling destroy() (a failed assertion, an uncaught error) must not leave a server behind.
  const onExit = (): void => {
    try {
      cluster.stop('immediate');
    } catch {
      /* already down */
    }
    rmSync(base, { recursive: true, force: true });
  };
  process.once('exit', onExit);
  try {
    cluster.start();
  } catch (err) {
    process.removeListener('exit', onExit);
    rmSync(base, { recursive: true, force: true });
    throw err;
  }
  return cluster;
}
