import { startEmbeddedDatabase, type EmbeddedDatabase } from './embedded-database.js';

/** The database an example writes to: the given URL, or the embedded default. */
export interface ExampleDatabase {
  readonly url: string;
  /** True when this is the embedded PGlite database. */
  readonly embedded: boolean;
  /** Connections the exporter should open (PGlite serialises everything: one). */
  readonly poolSize: number;
  /**
   * How the exporter writes events: `unnest` for PGlite, whose socket server
   * cannot take a streamed COPY (the exporter also detects it by itself);
   * undefined (the exporter's default) for a real Postgres.
   */
  readonly writeMethod: 'unnest' | undefined;
  close(): Promise<void>;
}

/** `databaseUrl` when given, else PGlite under `.agentspan/pglite`. */
export async function openExampleDatabase(databaseUrl: string | undefined, dataDir?: string): Promise<ExampleDatabase> {
  if (databaseUrl) {
    return { url: databaseUrl, embedded: false, poolSize: 4, writeMethod: undefined, close: async () => undefined };
  }
  const db: EmbeddedDatabase = await startEmbeddedDatabase(dataDir);
  return { url: db.url, embedded: true, poolSize: 1, writeMethod: 'unnest', close: () => db.stop() };
}
