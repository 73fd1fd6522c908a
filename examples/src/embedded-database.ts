import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

/**
 * The embedded default database: PGlite (real Postgres compiled to WASM),
 * file-backed, served on a loopback port through pglite-socket so that the
 * exporter uses exactly the same `pg` code path as with a real server.
 *
 * PGlite runs one query at a time; pglite-socket queues queries from several
 * connections but does not isolate their transactions from each other, so
 * writers should use a single connection (`poolSize: 1`).
 */
export interface EmbeddedDatabase {
  /** `postgres://...` URL of the socket server. */
  readonly url: string;
  /** Directory holding the database files. */
  readonly dataDir: string;
  stop(): Promise<void>;
}

/** Starts PGlite in `dataDir` (default `.agentspan/pglite` under the current directory). */
export async function startEmbeddedDatabase(dataDir = resolve('.agentspan', 'pglite')): Promise<EmbeddedDatabase> {
  mkdirSync(dataDir, { recursive: true });
  const db = await PGlite.create(dataDir);
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 8 });
  await server.start();
  const conn = server.getServerConn();
  const port = Number(conn.slice(conn.lastIndexOf(':') + 1));
  if (!Number.isInteger(port) || port <= 0) {
    await server.stop();
    await db.close();
    throw new Error(`embedded database: could not read the server port from "${conn}"`);
  }
  let stopped: Promise<void> | undefined;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres?sslmode=disable`,
    dataDir,
    stop() {
      stopped ??= (async () => {
        await server.stop();
        await db.close();
      })();
      return stopped;
    },
  };
}
