/**
 * Migrations that touch big tables (issue #17.1). The migrator runs an ordinary migration in one
 * transaction, which on PostgreSQL holds the locks of every row it changed until the end: a
 * backfill of a million sessions would lock out the refreshes of the nodes still serving during a
 * rolling upgrade for as long as it runs. A migration that exports `transaction = false` runs
 * outside that transaction instead, and does its row work with `updateInBatches`: each batch is a
 * statement committed on its own, so a row is locked only for its batch, and the node logs how far
 * it got. Such a migration must be safe to run again from the start (it is, when each batch only
 * touches the rows still to do), because one interrupted half-way is run again by the next start.
 */
import { sql, type Kysely, type Migration, type RawBuilder } from 'kysely';

/** Where a migration reports its progress: the node's log at info level. */
export type MigrationLog = (line: string) => void;

/** A migration run outside the migrator's transaction; `up` gets the log for its progress lines. */
export interface BatchedMigration extends Migration {
  readonly transaction: false;
  up(db: Kysely<any>, log?: MigrationLog): Promise<void>;
}

export function runsOutsideTransaction(migration: Migration): migration is BatchedMigration {
  return (migration as { transaction?: boolean }).transaction === false;
}

export interface BatchedUpdate {
  /** Named in the progress lines: the migration and what it does. */
  label: string;
  table: string;
  /** A unique (or leading primary key) column the batches walk in order. */
  key: string;
  /** The assignments, as in `SET …`. */
  set: RawBuilder<unknown>;
  /** Only the rows still to do, so that a run interrupted half-way is finished by the next one. */
  where?: RawBuilder<boolean>;
  batchSize?: number;
  log?: MigrationLog;
}

const DEFAULT_BATCH_SIZE = 1000;

/**
 * Updates every row of `table` (matching `where`) in batches of consecutive keys, each committed
 * on its own (the caller runs outside a transaction), and logs each tenth of the way. The keys of
 * a batch are read first and the update bounded by them, so the walk follows the database's own
 * order of the key column, whatever its collation. Returns the rows updated.
 */
export async function updateInBatches(db: Kysely<any>, update: BatchedUpdate): Promise<number> {
  const { label, key, batchSize = DEFAULT_BATCH_SIZE, log } = update;
  const table = sql.table(update.table);
  const column = sql.ref(key);
  const pending = update.where ?? sql<boolean>`1 = 1`;
  const total = Number((await sql<{ n: number | string }>`SELECT count(*) AS n FROM ${table} WHERE ${pending}`.execute(db)).rows[0].n);
  log?.(`${label}: ${total.toLocaleString('en-US')} rows to update in batches of ${batchSize.toLocaleString('en-US')}`);
  const started = Date.now();
  let updated = 0;
  let reportedTenths = 0;
  let after: unknown;
  for (let batch = 0; batch < 1e9; batch += 1) {
    const from = after === undefined ? sql<boolean>`1 = 1` : sql<boolean>`${column} > ${after}`;
    const keys = await sql<Record<string, unknown>>`SELECT ${column} AS k FROM ${table} WHERE ${from} AND ${pending} ORDER BY ${column} LIMIT ${batchSize}`.execute(db);
    if (keys.rows.length === 0) break;
    const last = keys.rows[keys.rows.length - 1].k;
    const result = await sql`UPDATE ${table} SET ${update.set} WHERE ${from} AND ${column} <= ${last} AND ${pending}`.execute(db);
    updated += Number(result.numAffectedRows ?? 0n);
    after = last;
    const tenths = total === 0 ? 10 : Math.min(10, Math.floor((updated * 10) / total));
    if (tenths > reportedTenths && tenths < 10) {
      reportedTenths = tenths;
      log?.(`${label}: ${updated.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} rows (${tenths * 10} %)`);
    }
    if (keys.rows.length < batchSize) break;
  }
  const seconds = (Date.now() - started) / 1000;
  log?.(`${label}: done, ${updated.toLocaleString('en-US')} rows in ${seconds.toFixed(1)} s`);
  return updated;
}
