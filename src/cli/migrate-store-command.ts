/**
 * `holdfast migrate-store --from <store> --to <store> [--resume] [--batch-size N]`: moves
 * everything to another store without logging anyone out — SQLite ↔ PostgreSQL (every table,
 * store/migrate/copy-sql-tables.ts), or the sessions between SQL and Redis
 * (store/migrate/copy-sessions.ts). It runs while no node writes to the source (the cut-over's
 * write pause, docs/operations.md), shows its progress, and ends by comparing counts and
 * checksums of both sides: exit 0 only when they match.
 */
import type { Kysely } from 'kysely';
import { systemClock } from '../clock/index.ts';
import { liveNodes } from '../cluster/index.ts';
import { COMMANDS, ConfigError } from '../config/index.ts';
import type { SessionStore } from '../session/session-store.ts';
import {
  copySessionsFromSql,
  copySessionsToSql,
  copySqlTables,
  FROM_REDIS_NOT_COPIED,
  MigrateError,
  NOT_COPIED_TABLES,
  parseStoreSpec,
  SESSIONS_NOT_COPIED,
  type CopyProgress,
  type StoreSpec,
  type TableReport,
} from '../store/migrate/index.ts';
import { RedisSessionStore } from '../store/redis/index.ts';
import { DataDirInUse, openSqlDatabase, SqlSessionStore, type Database, type SqlDatabase } from '../store/sql/index.ts';
import { takeFlags, takeSwitch } from './cli-args.ts';
import { createProgress, type Progress } from './progress.ts';

export const MIGRATE_STORE_USAGE = `usage: ${COMMANDS['migrate-store'].usage}  (holdfast migrate-store --help lists every flag)`;

const DEFAULT_BATCH = 1000;

/**
 * Opens one side. A SQLite directory a node holds is refused by its lock (DataDirInUse); on
 * PostgreSQL, nodes with a live heartbeat are refused here, since their writes would be lost.
 */
async function openSql(spec: StoreSpec & { kind: 'sqlite' | 'postgres' }): Promise<SqlDatabase> {
  if (spec.kind === 'sqlite') return openSqlDatabase({ dialect: 'sqlite', dataDir: spec.dataDir });
  const database = await openSqlDatabase({ dialect: 'postgres', url: spec.url, poolSize: 4 });
  const running = await liveNodes(database.db);
  if (running.length > 0) {
    await database.close();
    throw new MigrateError(`${running.length} node(s) are running on ${spec.text} (${running.map((n) => n.address).join(', ')}): stop them first, the copy runs in the cut-over's write pause (docs/operations.md)`);
  }
  return database;
}

function progressLines(): CopyProgress {
  let current: Progress | undefined;
  return {
    start: (table) => (current = createProgress({ label: `migrate-store ${table}`, unit: 'rows' })),
    update: (done, total) => current?.update(done, total),
    finish: (_table, rows) => current?.finish(`${rows.toLocaleString('en-US')} rows copied`),
  };
}

/** Prints the comparison; true when every table matches. */
function verify(reports: TableReport[]): boolean {
  let ok = true;
  for (const { table, source, target } of reports) {
    const same = source.rows === target.rows && source.checksum === target.checksum;
    ok &&= same;
    const checksum = source.checksum === '-' ? '' : ` checksum ${source.checksum}${same ? '' : ` vs ${target.checksum}`}`;
    console.log(`  ${same ? 'ok      ' : 'MISMATCH'} ${table}: ${source.rows.toLocaleString('en-US')} rows → ${target.rows.toLocaleString('en-US')}${checksum}`);
  }
  return ok;
}

async function redisIsEmpty(url: string, prefix: string): Promise<boolean> {
  const { Redis } = await import('ioredis');
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await client.connect();
    const pattern = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
    let cursor = '0';
    // Bounded: SCAN ends at cursor 0 after one pass over the keyspace.
    for (let round = 0; round < 1_000_000; round++) {
      const [next, keys] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      if (keys.length > 0) return false;
      if (next === '0') return true;
      cursor = next;
    }
    return false;
  } finally {
    client.disconnect();
  }
}

export async function runMigrateStore(argv: string[]): Promise<number> {
  let from: StoreSpec;
  let to: StoreSpec;
  let resume: boolean;
  let batchSize: number;
  try {
    const resumed = takeSwitch(argv, 'resume');
    resume = resumed.on;
    const { values, rest } = takeFlags(resumed.rest, ['from', 'to', 'batch-size']);
    if (rest.length > 0) throw new ConfigError(`unexpected argument '${rest[0]}'`);
    const fromText = values.get('from');
    const toText = values.get('to');
    if (fromText === undefined || toText === undefined) throw new ConfigError('--from <store> and --to <store> are required');
    from = parseStoreSpec('from', fromText);
    to = parseStoreSpec('to', toText);
    if (from.text === to.text) throw new ConfigError('--from and --to name the same store');
    if (from.kind === 'redis' && to.kind === 'redis') throw new ConfigError('Redis to Redis: use Redis replication (REPLICAOF) or MIGRATE, not migrate-store');
    const batchText = values.get('batch-size') ?? String(DEFAULT_BATCH);
    batchSize = Number(batchText);
    if (!/^\d+$/.test(batchText) || batchSize < 1 || batchSize > 10_000) throw new ConfigError(`--batch-size: expected 1 to 10000, got '${batchText}'`);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`holdfast migrate-store: ${error.message}\n${MIGRATE_STORE_USAGE}`);
      return 2;
    }
    throw error;
  }

  const opened: Array<{ close(): Promise<void> }> = [];
  try {
    const started = Date.now();
    console.log(`holdfast migrate-store: ${from.text} → ${to.text}${resume ? ' (resuming)' : ''}`);
    let reports: TableReport[];
    let notCopied: string[];
    const nowSeconds = Math.floor(systemClock.nowMs() / 1000);
    const options = { batchSize, concurrency: 64, resume, progress: progressLines(), nowSeconds };
    if (from.kind !== 'redis' && to.kind !== 'redis') {
      const source = await openSql(from);
      opened.push(source);
      const target = await openSql(to);
      opened.push(target);
      reports = await copySqlTables(source.db, target.db, { batchSize, resume, progress: options.progress });
      notCopied = Object.entries(NOT_COPIED_TABLES).map(([table, why]) => `${table}: ${why}`);
      const sealed = await source.db.selectFrom('realm_key').select('kek_id').distinct().where('kek_id', 'is not', null).execute();
      if (sealed.length > 0) console.log(`holdfast migrate-store: realm keys were copied sealed under key-encryption key ${sealed.map((r) => r.kek_id).join(', ')}: start the target's nodes with that key (--kek-file)`);
    } else if (to.kind === 'redis') {
      const source = await openSql(from as StoreSpec & { kind: 'sqlite' | 'postgres' });
      opened.push(source);
      const target = new RedisSessionStore({ url: to.url, keyPrefix: to.keyPrefix, timeoutMs: 10_000 });
      opened.push(target);
      if (!resume && !(await redisIsEmpty(to.url, to.keyPrefix))) throw new MigrateError(`the target has keys under ${to.keyPrefix}: give an empty prefix, or --resume to finish a copy that stopped`);
      reports = await copySessionsFromSql(source.db, target, options);
      notCopied = SESSIONS_NOT_COPIED;
    } else {
      const redis = from as StoreSpec & { kind: 'redis' };
      const source = new RedisSessionStore({ url: redis.url, keyPrefix: redis.keyPrefix, timeoutMs: 10_000 });
      opened.push(source);
      const target = await openSql(to);
      opened.push(target);
      const db: Kysely<Database> = target.db;
      if (!resume && (await db.selectFrom('user_session').select('id').limit(1).executeTakeFirst())) throw new MigrateError('the target already has sessions: give a database without them, or --resume to finish a copy that stopped');
      const realms = (await db.selectFrom('realm').select('id').execute()).map((r) => r.id);
      if (realms.length === 0) throw new MigrateError('the target has no realms: the sessions are copied to the realm database the nodes use (its realms must be there)');
      const sqlSessions: SessionStore = new SqlSessionStore(db);
      reports = await copySessionsToSql(source, realms, sqlSessions, options);
      notCopied = [...SESSIONS_NOT_COPIED, ...FROM_REDIS_NOT_COPIED];
    }
    console.log(`holdfast migrate-store: copied in ${((Date.now() - started) / 1000).toFixed(1)} s; comparing source and target:`);
    const ok = verify(reports);
    console.log('holdfast migrate-store: not copied:');
    for (const line of notCopied) console.log(`  ${line}`);
    if (!ok) {
      console.error('holdfast migrate-store: the target differs from the source (a node wrote to either during the copy?): stop every writer and run again with --resume');
      return 1;
    }
    console.log(`holdfast migrate-store: the target matches the source; start the nodes on ${to.text}`);
    return 0;
  } catch (error) {
    if (error instanceof MigrateError) {
      console.error(`holdfast migrate-store: ${error.message}`);
      return 1;
    }
    if (error instanceof DataDirInUse) {
      console.error(`holdfast migrate-store: ${error.message}: stop its node first (the copy runs in the cut-over's write pause, docs/operations.md)`);
      return 2;
    }
    throw error;
  } finally {
    for (const store of opened.reverse()) await store.close().catch(() => {});
  }
}
