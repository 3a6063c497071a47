/**
 * The realm database for the CLI commands, opened from the same configuration as `start`
 * (migrations and the key-encryption key included), without the HTTP server or the session store.
 * An embedded (SQLite) data directory that a running server holds is refused: the server would go
 * on serving what it has cached, so the change must go through it (its admin API) or wait until
 * it is stopped.
 */
import type { Config } from '../config/index.ts';
import type { KeyRing } from '../crypto/index.ts';
import type { RealmRepository } from '../realm/index.ts';
import { DataDirInUse, openKeyRing, openSqlDatabase, SqlRealmRepository, type SqlDatabase } from '../store/sql/index.ts';

export interface RealmStore {
  repository: RealmRepository;
  database: SqlDatabase;
  keyRing: KeyRing;
  close(): Promise<void>;
}

/** Thrown when another process holds the data directory; the message says what to do instead. */
export class RealmStoreInUse extends Error {}

/**
 * `command` names the CLI command in warnings; `alternative` says how to do the same through the
 * running server, if there is a way, for the refusal message. Throws KekError (exit 2 for the commands) when the
 * key-encryption key does not fit the database.
 */
export async function openRealmStore(config: Config, command: string, alternative?: string): Promise<RealmStore> {
  let database: SqlDatabase;
  try {
    database = await openSqlDatabase(
      config.db === 'sqlite' ? { dialect: 'sqlite', dataDir: config.dataDir } : { dialect: 'postgres', url: config.dbUrl, poolSize: 2 },
    );
  } catch (error) {
    if (error instanceof DataDirInUse) throw new RealmStoreInUse(`${error.message}: stop it first${alternative ? `, or ${alternative}` : ''}`);
    throw error;
  }
  let keyRing: KeyRing;
  try {
    keyRing = await openKeyRing(database, config, (message) => console.error(`holdfast ${command}: warning: ${message}`));
  } catch (error) {
    await database.close();
    throw error;
  }
  return { repository: new SqlRealmRepository(database.db, keyRing), database, keyRing, close: () => database.close() };
}
