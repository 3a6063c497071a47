/**
 * Backup and restore of the embedded store (`holdfast backup`, `holdfast restore`).
 *
 * The backup is taken with SQLite's online backup API from a read-only connection of its own, so
 * it runs beside a serving node without taking the data directory's lock (data-dir-lock.ts): the
 * node keeps its lock, and nothing it caches can go stale because the backup writes nothing. The
 * copy is made in one backup step, that is inside one read transaction: in WAL mode that reads one
 * consistent snapshot while the node goes on committing to the WAL. (Copying page batches across
 * several steps would restart on every commit of the node, and never end under load.)
 *
 * A restore refuses what a node could not start on — a damaged file, a schema from a newer release,
 * realm keys sealed under a key-encryption key it is not given — before it writes anything.
 */
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { KeyRing } from '../../crypto/index.ts';
import type { KekSource } from '../../config/index.ts';
import { migrations } from './migrations/index.ts';
import { lockDataDir, LOCK_FILE, PID_FILE } from './data-dir-lock.ts';
import { sqliteFile } from './database.ts';
import { defaultKekFile, readKek } from './secrets-at-rest.ts';

/** A backup or restore that cannot be done as asked; the message says why and what to do. */
export class BackupError extends Error {}

export interface BackupSummary {
  /** The last migration the database has run (its schema version). */
  schema: string;
  /** Rows of the tables an operator checks a restore by. */
  counts: { realms: number; users: number; realmKeys: number; userSessions: number; clientSessions: number };
  /** Key-encryption key ids the realm keys are sealed under (the key itself is never in a backup). */
  sealedUnder: string[];
  bytes: number;
}

/** Pages per backup step: more than any database has, so the whole copy is one step, one snapshot. */
const ONE_STEP = 2 ** 31 - 1;

/** Writes a consistent copy of `<dataDir>/holdfast.db` to `to` while a node may be serving from it. */
export async function backupSqlite(dataDir: string, to: string): Promise<BackupSummary> {
  const source = sqliteFile(dataDir);
  if (!fs.existsSync(source)) throw new BackupError(`no embedded database in ${dataDir} (${path.basename(source)} is missing)`);
  if (fs.existsSync(to)) throw new BackupError(`${to} exists: give a new file name (a backup never replaces a file)`);
  const partial = `${to}.partial`;
  fs.rmSync(partial, { force: true });
  const db = new SQLite(source, { readonly: true, fileMustExist: true, timeout: 5_000 });
  try {
    await db.backup(partial, { progress: () => ONE_STEP });
  } catch (error) {
    fs.rmSync(partial, { force: true });
    throw error;
  } finally {
    db.close();
  }
  try {
    // One self-contained file: no -wal or -shm beside it (a node puts WAL back on at start).
    const copy = new SQLite(partial);
    try {
      copy.pragma('journal_mode = DELETE');
    } finally {
      copy.close();
    }
    const summary = inspectBackup(partial);
    fs.renameSync(partial, to);
    return summary;
  } catch (error) {
    fs.rmSync(partial, { force: true });
    throw error;
  }
}

/** Checks a backup file (integrity, schema this release can run) and summarises it. */
export function inspectBackup(file: string): BackupSummary {
  if (!fs.existsSync(file)) throw new BackupError(`${file}: no such file`);
  let db: SQLite.Database;
  try {
    db = new SQLite(file, { readonly: true, fileMustExist: true });
    db.pragma('schema_version');
  } catch (error) {
    throw new BackupError(`${file} is not a holdfast backup (not an SQLite database: ${(error as Error).message})`);
  }
  try {
    const integrity = db.pragma('integrity_check', { simple: true });
    if (integrity !== 'ok') throw new BackupError(`${file} is damaged (integrity check: ${String(integrity)})`);
    const hasTable = (name: string) => db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
    if (!hasTable('kysely_migration') || !hasTable('realm')) throw new BackupError(`${file} is not a holdfast backup (no holdfast schema in it)`);
    const ran = (db.prepare('SELECT name FROM kysely_migration ORDER BY name').all() as Array<{ name: string }>).map((r) => r.name);
    const unknown = ran.filter((name) => !(name in migrations));
    if (unknown.length > 0) throw new BackupError(`${file} comes from a newer holdfast (schema ${ran.at(-1)}; this release does not know ${unknown.join(', ')}): restore it with that release`);
    const count = (table: string) => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    const sealedUnder = (db.prepare('SELECT DISTINCT kek_id FROM realm_key WHERE kek_id IS NOT NULL ORDER BY kek_id').all() as Array<{ kek_id: string }>).map((r) => r.kek_id);
    return {
      schema: ran.at(-1) ?? 'none',
      counts: { realms: count('realm'), users: count('app_user'), realmKeys: count('realm_key'), userSessions: count('user_session'), clientSessions: count('client_session') },
      sealedUnder,
      bytes: fs.statSync(file).size,
    };
  } finally {
    db.close();
  }
}

export interface RestoreOptions {
  from: string;
  dataDir: string;
  /** Replace the database of a data directory that has one (never one a running node holds). */
  force: boolean;
  /** The key-encryption key the node will start with (`--kek-file`/HOLDFAST_KEK); default `<dataDir>/kek`. */
  kek?: KekSource;
  kekPrevious?: KekSource;
}

/** Files a data directory may hold besides the database that a restore leaves alone. */
const KEPT = new Set([LOCK_FILE, PID_FILE, 'kek', 'import']);

/** Puts a backup in place as `<dataDir>/holdfast.db`; the next node started there runs on it. */
export function restoreSqlite(options: RestoreOptions): BackupSummary {
  const summary = inspectBackup(options.from);
  checkKek(summary, options);
  const { dataDir } = options;
  const present = fs.existsSync(dataDir) ? fs.readdirSync(dataDir).filter((name) => !KEPT.has(name)) : [];
  if (present.length > 0 && !options.force) {
    throw new BackupError(`${dataDir} is not empty (${present.slice(0, 5).join(', ')}${present.length > 5 ? ', …' : ''}): restore into a fresh directory, or give --force to replace its database`);
  }
  // Held while the files change, so no node starts on a half-restored directory, and a running
  // node's database is never replaced under it (DataDirInUse).
  const lock = lockDataDir(dataDir);
  try {
    const target = sqliteFile(dataDir);
    for (const suffix of ['', '-wal', '-shm', '-journal']) fs.rmSync(target + suffix, { force: true });
    const partial = `${target}.restoring`;
    fs.copyFileSync(options.from, partial);
    const fd = fs.openSync(partial, 'r+');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(partial, target);
  } finally {
    lock.release();
  }
  return summary;
}

/** Refuses a restore the node could not start on for want of the key that opens the realm keys. */
function checkKek(summary: BackupSummary, options: RestoreOptions): void {
  if (summary.sealedUnder.length === 0) return;
  const defaultFile = defaultKekFile(options.dataDir);
  const source: KekSource | undefined = options.kek ?? (fs.existsSync(defaultFile) ? { file: defaultFile } : undefined);
  const needed = `the backup's realm keys are sealed under key-encryption key ${summary.sealedUnder.join(', ')}, which no backup holds`;
  if (!source) throw new BackupError(`${needed}: give that key with --kek-file (or HOLDFAST_KEK), the one the node will start with`);
  const ring = new KeyRing(readKek(source, '--kek-file'), options.kekPrevious && readKek(options.kekPrevious, '--kek-previous-file'));
  const missing = summary.sealedUnder.filter((kid) => !ring.opens(kid));
  if (missing.length > 0) throw new BackupError(`${needed}; the key given is ${ring.current.kid}: give the key with kid ${missing.join(', ')}`);
}
