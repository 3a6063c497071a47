/**
 * Migrations that touch big tables run in batches (issue #17.1, store/sql/batched-migration.ts).
 * On PostgreSQL, with 100k sessions: a migration that adds a column and backfills it inside the
 * migrator's transaction locks the sessions table until it ends, so a refresh of a node still
 * serving waits for all of it; the same migration with `transaction = false` and
 * `updateInBatches` lets that refresh through mid-way. Both log their progress. On SQLite the
 * batched migration runs the same way and finishes what an interrupted run left.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import pg from 'pg';
import { sql, type Kysely, type Migration } from 'kysely';
import { migrateSchema, openSqlDatabase, type SqlDatabase } from '../../src/store/sql/index.ts';
import { updateInBatches, type BatchedMigration, type MigrationLog } from '../../src/store/sql/batched-migration.ts';
import { migrations } from '../../src/store/sql/migrations/index.ts';
import { freshDatabase, type FreshDatabase } from '../support/postgres.ts';
import { tempDir } from '../support/process.ts';

const ROWS = 100_000;
/** What the later release knows: this one's migrations and those each test adds. */
const later: Record<string, Migration> = { ...migrations };

/** Session rows made by the database itself: inserting them one by one would take longer than the test. */
async function seedSessions(database: SqlDatabase, rows: number): Promise<void> {
  const series =
    database.dialect === 'sqlite'
      ? sql`WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < ${sql.lit(rows)}) SELECT n FROM g`
      : sql`SELECT generate_series(1, ${sql.lit(rows)}) AS n`;
  const now = Math.floor(Date.now() / 1000);
  await sql`INSERT INTO user_session (id, offline, realm_id, user_id, started, last_refresh, remember_me, ip_address, auth_time, expires_at)
    SELECT 'session-' || n, 0, 'big-realm', 'user-' || (n % 1000), ${sql.lit(now)}, ${sql.lit(now)}, 0, '10.0.0.1', ${sql.lit(now)}, ${sql.lit(now + 86_400)}
    FROM (${series}) s`.execute(database.db);
}

/**
 * A later release's migration: a new nullable column, backfilled from a column every row has. An
 * ordinary one runs in the migrator's transaction; a batched one outside it, committing each batch.
 */
function backfill(column: string, batched: boolean, log: MigrationLog, done: () => void): Migration {
  const up = async (db: Kysely<any>) => {
    await sql`ALTER TABLE user_session ADD COLUMN ${sql.ref(column)} bigint`.execute(db);
    await updateInBatches(db, { label: `backfill ${column}`, table: 'user_session', key: 'id', set: sql`${sql.ref(column)} = started`, where: sql<boolean>`${sql.ref(column)} IS NULL`, batchSize: 1000, log });
    done();
  };
  const outsideTransaction: BatchedMigration = { transaction: false, up };
  return batched ? outsideTransaction : { up };
}

/**
 * Runs a backfill migration on the database and, once it has logged its first tenth, refreshes a
 * session (the first one, already backfilled) on a connection of its own, as a node still serving
 * would. Says which ended first (the refresh's answer or the migration's last batch), and what the
 * migration logged.
 */
async function refreshDuringMigration(database: SqlDatabase, url: string, name: string, column: string, batched: boolean) {
  const events: string[] = [];
  const lines: string[] = [];
  const node = new pg.Client({ connectionString: url });
  await node.connect();
  let refresh: Promise<void> | undefined;
  const log: MigrationLog = (line) => {
    lines.push(line);
    if (refresh === undefined && / \(10 %\)$/.test(line)) {
      refresh = node.query(`UPDATE user_session SET last_refresh = last_refresh + 1 WHERE id = 'session-1' AND offline = 0`).then((result) => {
        assert.equal(result.rowCount, 1);
        events.push('refresh answered');
      });
    }
  };
  try {
    // Said at the end of the migration's own work: in a transaction, before its commit.
    later[name] = backfill(column, batched, log, () => events.push('migration done'));
    await migrateSchema(database.db, later, log);
    assert.ok(refresh, `the migration logged no tenth: ${lines.join(' | ')}`);
    await refresh;
  } finally {
    await node.end();
  }
  return { events, lines };
}

describe('batched migrations on PostgreSQL, 100k sessions', () => {
  let postgres: FreshDatabase;
  let database: SqlDatabase;
  before(async () => {
    postgres = await freshDatabase('holdfast_batched');
    database = await openSqlDatabase({ dialect: 'postgres', url: postgres.url, poolSize: 2 });
    await seedSessions(database, ROWS);
  });
  after(async () => {
    await database?.close();
    await postgres?.drop();
  });

  it('an ordinary migration that backfills holds the sessions table until it ends', async () => {
    const { events } = await refreshDuringMigration(database, postgres.url, '990-test-backfill-in-transaction', 'in_transaction', false);
    assert.deepEqual(events, ['migration done', 'refresh answered'], 'the refresh waited for the whole migration');
  });

  it('a batched migration lets a refresh through mid-way, and logs its progress', async () => {
    const { events, lines } = await refreshDuringMigration(database, postgres.url, '991-test-backfill-in-batches', 'in_batches', true);
    assert.deepEqual(events, ['refresh answered', 'migration done'], `the refresh went through while the migration ran: ${lines.join(' | ')}`);
    assert.ok(lines.includes('applying migration 991-test-backfill-in-batches in batches, outside a transaction'), lines.join('\n'));
    assert.ok(lines.includes(`backfill in_batches: ${ROWS.toLocaleString('en-US')} rows to update in batches of 1,000`), lines.join('\n'));
    assert.equal(lines.filter((line) => / rows \(\d0 %\)$/.test(line)).length, 9, lines.join('\n'));
    assert.match(lines.at(-1)!, new RegExp(`^backfill in_batches: done, ${ROWS.toLocaleString('en-US')} rows in [\\d.]+ s$`));
    const left = await sql<{ n: string }>`SELECT count(*) AS n FROM user_session WHERE in_batches IS NULL OR in_batches <> started`.execute(database.db);
    assert.equal(Number(left.rows[0].n), 0, 'every row backfilled');
    const recorded = await sql<{ name: string }>`SELECT name FROM kysely_migration WHERE name = '991-test-backfill-in-batches'`.execute(database.db);
    assert.equal(recorded.rows.length, 1, 'the migration is recorded once it finished');
  });
});
