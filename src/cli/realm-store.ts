/**
 * The realm database for the CLI commands, opened from the same configuration as `start`
 * (migrations included), without the HTTP server or the session store.
 */
import type { Config } from '../config/index.ts';
import type { RealmRepository } from '../realm/index.ts';
import { openSqlDatabase, SqlRealmRepository } from '../store/sql/index.ts';

export interface RealmStore {
  repository: RealmRepository;
  close(): Promise<void>;
}

export async function openRealmStore(config: Config): Promise<RealmStore> {
  const database = await openSqlDatabase(
    config.db === 'sqlite' ? { dialect: 'sqlite', dataDir: config.dataDir } : { dialect: 'postgres', url: config.dbUrl, poolSize: 2 },
  );
  return { repository: new SqlRealmRepository(database.db), close: () => database.close() };
}
