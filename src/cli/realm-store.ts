/**
 * The realm database for the CLI commands, opened from the same configuration as `start`
 * (migrations included), without the HTTP server or the session store. An embedded (SQLite) data
 * directory that a running server holds is refused: the server would go on serving what it has
 * cached, so the change must go through it (its admin API) or wait until it is stopped.
 */
import type { Config } from '../config/index.ts';
import type { RealmRepository } from '../realm/index.ts';
import { DataDirInUse, openSqlDatabase, SqlRealmRepository } from '../store/sql/index.ts';

export interface RealmStore {
  repository: RealmRepository;
  close(): Promise<void>;
}

/** Thrown when another process holds the data directory; the message says what to do instead. */
export class RealmStoreInUse extends Error {}

/** `alternative`: how to do the same through the running server, for the refusal message. */
export async function openRealmStore(config: Config, alternative: string): Promise<RealmStore> {
  let database;
  try {
    database = await openSqlDatabase(
      config.db === 'sqlite' ? { dialect: 'sqlite', dataDir: config.dataDir } : { dialect: 'postgres', url: config.dbUrl, poolSize: 2 },
    );
  } catch (error) {
    if (error instanceof DataDirInUse) throw new RealmStoreInUse(`${error.message}: stop it first, or ${alternative}`);
    throw error;
  }
  return { repository: new SqlRealmRepository(database.db), close: () => database.close() };
}
