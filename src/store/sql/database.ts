/**
 * Opens the SQL database (embedded SQLite or PostgreSQL) and brings its schema up to date.
 * Dialect differences stay in this folder; repositories above it see one Kysely<Database>.
 */
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, type Migration } from 'kysely';
import type { Database } from './schema.ts';
import { migrations } from './migrations/index.ts';

export type SqlDialect = 'sqlite' | 'postgres';

export interface SqlDatabase {
  db: Kysely<Database>;
  dialect: SqlDialect;
  close(): Promise<void>;
}

export interface SqlOptions {
  dialect: SqlDialect;
  /** SQLite: a directory for `holdfast.db`, or ':memory:'. */
  dataDir?: string;
  /** PostgreSQL: connection URL. */
  url?: string;
  poolSize?: number;
}

// PostgreSQL returns int8 as strings; every bigint we store (ms timestamps) fits a double.
pg.types.setTypeParser(20, (value) => Number(value));

export async function openSqlDatabase(options: SqlOptions): Promise<SqlDatabase> {
  const db = options.dialect === 'sqlite' ? openSqlite(options.dataDir ?? ':memory:') : openPostgres(options.url!, options.poolSize ?? 10);
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async (): Promise<Record<string, Migration>> => migrations },
  });
  // Kysely's migrator serialises concurrent runs with a lock table, so several nodes may start at once.
  const { error } = await migrator.migrateToLatest();
  if (error) {
    await db.destroy();
    throw error;
  }
  return { db, dialect: options.dialect, close: () => db.destroy() };
}

function openSqlite(dataDir: string): Kysely<Database> {
  let file = ':memory:';
  if (dataDir !== ':memory:') {
    fs.mkdirSync(dataDir, { recursive: true });
    file = path.join(dataDir, 'holdfast.db');
  }
  const sqlite = new SQLite(file);
  sqlite.pragma('journal_mode = WAL');
  // FULL: a commit is on disk before we answer, even across a power cut (DESIGN rule 2).
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  return new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
}

function openPostgres(url: string, poolSize: number): Kysely<Database> {
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: poolSize }) }) });
}
