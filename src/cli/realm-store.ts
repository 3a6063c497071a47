/**
 * The realm database for the CLI commands, opened from the same configuration as `start`
 * (migrations and the key-encryption key included), without the HTTP server or the session store.
 */
import type { Config } from '../config/index.ts';
import type { KeyRing } from '../crypto/index.ts';
import type { RealmRepository } from '../realm/index.ts';
import { openKeyRing, openSqlDatabase, SqlRealmRepository, type SqlDatabase } from '../store/sql/index.ts';

export interface RealmStore {
  repository: RealmRepository;
  database: SqlDatabase;
  keyRing: KeyRing;
  close(): Promise<void>;
}

/** Throws KekError (exit 2 for the commands) when the key-encryption key does not fit the database. */
export async function openRealmStore(config: Config, command: string): Promise<RealmStore> {
  const database = await openSqlDatabase(
    config.db === 'sqlite' ? { dialect: 'sqlite', dataDir: config.dataDir } : { dialect: 'postgres', url: config.dbUrl, poolSize: 2 },
  );
  let keyRing: KeyRing;
  try {
    keyRing = await openKeyRing(database, config, (message) => console.error(`holdfast ${command}: warning: ${message}`));
  } catch (error) {
    await database.close();
    throw error;
  }
  return { repository: new SqlRealmRepository(database.db, keyRing), database, keyRing, close: () => database.close() };
}
