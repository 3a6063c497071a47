/**
 * Which release may run on which schema (issue #17.1, docs/operations.md "Upgrades"): a node that
 * finds migrations it does not know runs beside them when they only expand the schema, and
 * refuses to start (one line, exit 2) once one of them is listed as contracting. Each node records
 * its release and schema level in `schema_node`. On SQLite and PostgreSQL.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { sql, type Kysely } from 'kysely';
import { openSqlDatabase, SchemaGap, SchemaTooNew, type Database, type SqlOptions } from '../../src/store/sql/index.ts';
import { recordContracts } from '../../src/store/sql/schema-compatibility.ts';
import { migrations } from '../../src/store/sql/migrations/index.ts';
import { freshDatabase, type FreshDatabase } from '../support/postgres.ts';
import { ROOT, tempDir, writeKekFile } from '../support/process.ts';

const LEVEL = Object.keys(migrations).sort().at(-1)!;

/** What a newer release leaves behind: its migration applied and, if it contracts, listed as such. */
async function newerReleaseMigrated(db: Kysely<Database>, name: string, contracting: boolean): Promise<void> {
  await sql`INSERT INTO kysely_migration (name, timestamp) VALUES (${name}, ${new Date().toISOString()})`.execute(db);
  if (contracting) await recordContracts(db, { [name]: { up: async () => {}, contracting: true } as never });
}

async function withDatabase<T>(options: SqlOptions, work: (db: Kysely<Database>) => Promise<T>): Promise<T> {
  const database = await openSqlDatabase(options);
  try {
    return await work(database.db);
  } finally {
    await database.close();
  }
}

function checks(name: string, options: () => SqlOptions, startArgs: () => string[]) {
  describe(`schema compatibility on ${name}`, () => {
    it('records each node with its release and the newest migration it knows', async () => {
      await withDatabase({ ...options(), node: { appVersion: '9.9.9-test', nodeId: 'node-a' } }, async () => {});
      const rows = await withDatabase(options(), (db) => db.selectFrom('schema_node').selectAll().execute());
      assert.deepEqual(
        rows.map((r) => [r.node_id, r.app_version, r.schema_level]),
        [['node-a', '9.9.9-test', LEVEL]],
      );
    });

    it('runs beside a newer schema whose migrations only expand', async () => {
      await withDatabase(options(), (db) => newerReleaseMigrated(db, '900-later-expand', false));
      await withDatabase({ ...options(), node: { appVersion: '9.9.9-test', nodeId: 'node-a' } }, async (db) => {
        // The node can still read and write what it knows.
        await db.selectFrom('user_session').select('id').limit(1).execute();
      });
    });

    it('refuses a newer schema with a contracting migration it does not know: one line, exit 2', async () => {
      await withDatabase(options(), (db) => newerReleaseMigrated(db, '901-later-contract', true));
      await assert.rejects(openSqlDatabase(options()), (error: unknown) => error instanceof SchemaTooNew && error.unknownContracting.join() === '901-later-contract');
      const result = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/main.ts'), 'start-dev', '--http-port', '0', '--http-management-port', '0', ...startArgs()], {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 60_000,
      });
      assert.equal(result.status, 2, result.stderr);
      assert.equal(result.stdout, '');
      assert.match(result.stderr, /^holdfast: the database schema has contracting migration 901-later-contract, which this release \(schema [^)]+\) cannot run with[^\n]*\n$/);
    });
  });
}

describe('schema compatibility out of order', () => {
  it('refuses a schema that has migrations this code does not know but lacks one it needs', async () => {
    const gapDir = tempDir('holdfast-schema-gap-');
    try {
      await withDatabase({ dialect: 'sqlite', dataDir: gapDir }, async (db) => {
        await newerReleaseMigrated(db, '900-later-expand', false);
        await sql`DELETE FROM kysely_migration WHERE name = ${LEVEL}`.execute(db);
      });
      await assert.rejects(openSqlDatabase({ dialect: 'sqlite', dataDir: gapDir }), (error: unknown) => error instanceof SchemaGap && error.missing.join() === LEVEL);
    } finally {
      fs.rmSync(gapDir, { recursive: true, force: true });
    }
  });
});

const dataDir = tempDir('holdfast-schema-');
const kekDir = tempDir('holdfast-kek-');
checks('SQLite', () => ({ dialect: 'sqlite', dataDir }), () => ['--data-dir', dataDir]);

let postgres: FreshDatabase | undefined;
const ready = freshDatabase('holdfast_schema').then((fresh) => (postgres = fresh));
after(async () => {
  await postgres?.drop();
  for (const dir of [dataDir, kekDir]) fs.rmSync(dir, { recursive: true, force: true });
});
await ready;
checks('PostgreSQL', () => ({ dialect: 'postgres', url: postgres!.url, poolSize: 2 }), () => ['--db', 'postgres', '--db-url', postgres!.url, '--kek-file', writeKekFile(kekDir)]);
