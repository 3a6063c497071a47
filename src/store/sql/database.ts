/**
 * Opens the SQL database (embedded SQLite or PostgreSQL) and brings its schema up to date.
 * Dialect differences stay in this folder; repositories above it see one Kysely<Database>.
 */
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { loadPg } from './pg-driver.ts';
import { primaryLocator } from './postgres-primary.ts';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, type Migration } from 'kysely';
import type { Database } from './schema.ts';
import { migrations } from './migrations/index.ts';
import { withAdvisoryLock } from './advisory-lock.ts';
import { inheritedDataDirLock, lockDataDir, type DataDirLock } from './data-dir-lock.ts';
import { failingAsUnavailable, postgresUnavailable, sqliteUnavailable } from './unavailable-database.ts';
import { groupCommitDialect, type GroupCommitDriver } from './group-commit-driver.ts';
import { appliedMigrations, checkSchemaCompatibility, defaultNodeId, recordContracts, recordNode, schemaLevel } from './schema-compatibility.ts';
import { runsOutsideTransaction, type MigrationLog } from './batched-migration.ts';

export type SqlDialect = 'sqlite' | 'postgres';

export interface SqlDatabase {
  db: Kysely<Database>;
  dialect: SqlDialect;
  /**
   * Runs `work` while no other node migrates or seeds this database (the lock migrations run
   * under), for check-then-write work at start-up such as seeding the demo realms.
   */
  exclusive<T>(work: () => Promise<T>): Promise<T>;
  /** SQLite: transactions committed so far; each holds every write of one group (group-commit-driver.ts). */
  commits?(): number;
  close(): Promise<void>;
}

/** The advisory lock that serialises schema changes and start-up seeding across nodes. */
const SCHEMA_LOCK = 'schema';

export interface SqlOptions {
  dialect: SqlDialect;
  /** SQLite: a directory for `holdfast.db`, or ':memory:'. */
  dataDir?: string;
  /** PostgreSQL: connection URL. */
  url?: string;
  poolSize?: number;
  /**
   * PostgreSQL: a request's query unanswered this long fails with 503 (bounded-query.ts); 0 or
   * unset is no bound (tools such as migrate-store, whose statements may run long).
   */
  queryTimeoutMs?: number;
  /** A serving node records itself in `schema_node` (release, newest migration known); tools such as the CLI do not. */
  node?: { appVersion: string; nodeId?: string };
  /** Where the migrations say what they apply and how far a batched one got (the node's log). */
  log?: MigrationLog;
  /**
   * False for a worker of a `--workers N` node started after the node's first worker prepared the
   * database: it checks that the schema is current instead of migrating, and writes nothing. A
   * restarted worker on SQLite then never holds the write lock while its siblings serve.
   */
  prepare?: boolean;
}

/**
 * Opens the database and migrates it. A SQLite data directory is held for as long as the database
 * is open (data-dir-lock.ts): a second opener gets DataDirInUse.
 */
export async function openSqlDatabase(options: SqlOptions): Promise<SqlDatabase> {
  const dataDir = options.dataDir ?? ':memory:';
  const dataDirLock: DataDirLock | undefined = options.dialect === 'sqlite' && dataDir !== ':memory:' ? (inheritedDataDirLock(dataDir) ?? lockDataDir(dataDir)) : undefined;
  try {
    return await openLocked(options, dataDirLock);
  } catch (error) {
    dataDirLock?.release();
    throw error;
  }
}

async function openLocked(options: SqlOptions, dataDirLock: DataDirLock | undefined): Promise<SqlDatabase> {
  const sqlite = options.dialect === 'sqlite' ? openSqlite(options.dataDir ?? ':memory:') : undefined;
  const db = sqlite ? sqlite.db : await openPostgres(options.url!, options.poolSize ?? 10, options.queryTimeoutMs ?? 0);
  // SQLite has one process per file; PostgreSQL is shared by every node of a cluster.
  const exclusive = <T>(work: () => Promise<T>): Promise<T> => (options.dialect === 'postgres' ? withAdvisoryLock(options.url!, SCHEMA_LOCK, work) : work());
  // Migrations may rewrite large tables: they run on a connection of their own, without the
  // request pool's bound on each query.
  const schemaDb = !sqlite && (options.queryTimeoutMs ?? 0) > 0 ? await openPostgres(options.url!, 1, 0) : db;
  try {
    // Kysely's own lock table cannot protect its creation: nodes starting together on an empty
    // database would race on CREATE TABLE. The advisory lock is taken before anything is created.
    if (options.prepare === false) await expectPrepared(schemaDb, migrations);
    else
      await exclusive(async () => {
        await migrateSchema(schemaDb, migrations, options.log);
        if (options.node) await recordNode(schemaDb, { nodeId: options.node.nodeId ?? defaultNodeId(), appVersion: options.node.appVersion, level: schemaLevel(migrations) });
      });
  } catch (error) {
    await db.destroy();
    throw error;
  } finally {
    if (schemaDb !== db) await schemaDb.destroy();
  }
  return {
    db,
    dialect: options.dialect,
    exclusive,
    ...(sqlite ? { commits: () => sqlite.driver.commits } : {}),
    async close() {
      await db.destroy();
      dataDirLock?.release();
    },
  };
}

/** Read-only: the schema another process of this node prepared is one this code runs on. */
async function expectPrepared(db: Kysely<Database>, known: Record<string, Migration>): Promise<void> {
  if ((await checkSchemaCompatibility(db, known)) === 'run-beside') return;
  const applied = new Set(await appliedMigrations(db));
  const missing = Object.keys(known).filter((name) => !applied.has(name));
  if (missing.length > 0) throw new Error(`the database lacks migrations ${missing.join(', ')} that the node's first worker should have applied`);
}

/**
 * Brings the schema up to `known`, the caller holding the schema lock. A newer release may have
 * migrated already: this code runs beside it if its migrations only expand, and refuses
 * (SchemaTooNew, SchemaGap) if one contracts what this code uses. Consecutive pending migrations
 * share a transaction, except one that exports `transaction = false` (batched-migration.ts): it
 * runs alone outside any, so that its batches commit one by one.
 */
export async function migrateSchema(db: Kysely<Database>, known: Record<string, Migration>, log?: MigrationLog): Promise<void> {
  if ((await checkSchemaCompatibility(db, known)) === 'run-beside') {
    log?.(`the schema has migrations of a newer release that only expand it: running beside them on schema ${schemaLevel(known)}`);
    return;
  }
  // The log reaches a batched migration's `up` through the migrations the migrator is given.
  const withLog = Object.fromEntries(
    Object.entries(known).map(([name, migration]) => [name, runsOutsideTransaction(migration) ? { ...migration, up: (on: Kysely<any>) => migration.up(on, log) } : migration]),
  );
  const provider = { getMigrations: async (): Promise<Record<string, Migration>> => withLog };
  const inTransaction = new Migrator({ db, provider });
  const outsideTransaction = new Migrator({ db, provider, disableTransactions: true });
  const applied = new Set((await inTransaction.getMigrations()).filter((m) => m.executedAt !== undefined).map((m) => m.name));
  const pending = Object.keys(known).sort().filter((name) => !applied.has(name));
  // Consecutive ordinary migrations share one transaction, as the migrator runs them by default.
  const runs: Array<{ names: string[]; batched: boolean }> = [];
  for (const name of pending) {
    const batched = runsOutsideTransaction(known[name]);
    const last = runs.at(-1);
    if (last && !last.batched && !batched) last.names.push(name);
    else runs.push({ names: [name], batched });
  }
  for (const run of runs) {
    const target = run.names[run.names.length - 1];
    log?.(run.batched ? `applying migration ${target} in batches, outside a transaction` : `applying migration${run.names.length > 1 ? `s ${run.names[0]} to` : ''} ${target}`);
    const { error } = await (run.batched ? outsideTransaction : inTransaction).migrateTo(target);
    if (error) throw error;
  }
  await recordContracts(db, known);
}

/**
 * The database opened to be looked at (`holdfast show-schema`): not migrated, no data directory
 * lock taken (a node may be serving from it), the SQLite file opened read-only. Throws when a
 * data directory has no database yet.
 */
export async function inspectSqlDatabase(options: Pick<SqlOptions, 'dialect' | 'dataDir' | 'url'>): Promise<{ db: Kysely<Database>; close(): Promise<void> }> {
  if (options.dialect === 'postgres') {
    const db = await openPostgres(options.url!, 1, 0);
    return { db, close: () => db.destroy() };
  }
  const file = sqliteFile(options.dataDir ?? '.');
  if (!fs.existsSync(file)) throw new Error(`${options.dataDir} has no database (${file}): no node has started on it`);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: new SQLite(file, { readonly: true, fileMustExist: true }) }) });
  return { db, close: () => db.destroy() };
}

/** The embedded database file of a data directory. */
export function sqliteFile(dataDir: string): string {
  return path.join(dataDir, 'holdfast.db');
}

function openSqlite(dataDir: string): { db: Kysely<Database>; driver: GroupCommitDriver } {
  let file = ':memory:';
  if (dataDir !== ':memory:') {
    fs.mkdirSync(dataDir, { recursive: true });
    file = sqliteFile(dataDir);
  }
  const sqlite = new SQLite(file);
  sqlite.pragma('journal_mode = WAL');
  // A commit is on disk before we answer, even across a power cut (DESIGN rule 2), but the fsync
  // that makes it so runs off the event loop, shared by concurrent commits (wal-sync.ts): NORMAL
  // writes the WAL at COMMIT without syncing it there.
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  // Another process holding the write lock (a CLI import, the sqlite3 shell) makes a write wait
  // this long, then answer 503. The wait blocks the event loop (better-sqlite3 is synchronous),
  // so it is short: a lock held longer costs a quick 503 per write, not a frozen node.
  sqlite.pragma('busy_timeout = 1000');
  // Concurrent writes share one transaction and one fsync, each answered once it is on disk.
  const dialect = groupCommitDialect(sqlite, file === ':memory:' ? undefined : `${file}-wal`);
  return { db: new Kysely<Database>({ dialect: failingAsUnavailable(dialect, sqliteUnavailable) }), driver: dialect.driver };
}

async function openPostgres(url: string, poolSize: number, queryTimeoutMs: number): Promise<Kysely<Database>> {
  const pg = await loadPg();
  // A request waits at most this long for a free connection, so an exhausted pool or a database
  // that does not answer fails requests instead of queueing them forever. Each new connection
  // opens on the writable server among the URL's hosts (postgres-primary.ts).
  const pool = (await primaryLocator(url)).pool({ application_name: 'holdfast', max: poolSize, connectionTimeoutMillis: 5_000 }, { queryTimeoutMs });
  // A connection that dies (database restart, network cut) emits 'error'; with no listener that
  // would end the process. The pool listens on idle connections only, so every connection gets a
  // listener of its own for the time a query holds it: that query fails (and the request gets
  // 503), the pool drops the dead connection when it comes back, and the next one reconnects.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  return new Kysely<Database>({ dialect: failingAsUnavailable(new PostgresDialect({ pool }), postgresUnavailable((error) => error instanceof pg.DatabaseError)) });
}
