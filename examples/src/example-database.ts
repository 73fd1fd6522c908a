import { startEmbeddedDatabase, type EmbeddedDatabase } from './embedded-database.js';

/** The database an example writes to: the given URL, or the embedded default. */
export interface ExampleDatabase {
  readonly url: string;
  /** True when this is the embedded PGlite database. */
  readonly embedded: boolean;
  /** Connections the exporter should open (PGlite serialises everything: one). */
  readonly poolSize: number;
  close(): Promise<void>;
}

/** `databaseUrl` when given, else PGlite under `.agentspan/pglite`. */
export async function openExampleDatabase(databaseUrl: string | undefined, dataDir?: string): Promise<ExampleDatabase> {
  if (databaseUrl) {
    return { url: databaseUrl, embedded: false, poolSize: 4, close: async () => undefined };
  }
  const db: EmbeddedDatabase = await startEmbeddedDatabase(dataDir);
  return { url: db.url, embedded: true, poolSize: 1, close: () => db.stop() };
}
