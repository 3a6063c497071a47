/**
 * Which code can run on this schema (issue #17.1). `schema_node` records each node that opened the
 * database: its release, the newest migration it knows and when it started, so an operator sees
 * which releases share the database mid-roll. `schema_contract` lists the applied migrations that
 * removed or changed something an older release still uses (the contract half of
 * expand/contract): a node that does not know one of them refuses to start
 * (schema-compatibility.ts). Only new tables, so the previous release keeps running beside it.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('schema_node')
    .addColumn('node_id', 'varchar(128)', (c) => c.primaryKey())
    .addColumn('app_version', 'varchar(64)', (c) => c.notNull())
    .addColumn('schema_level', 'varchar(128)', (c) => c.notNull())
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('schema_contract')
    .addColumn('migration', 'varchar(128)', (c) => c.primaryKey())
    .addColumn('applied_at', 'bigint', (c) => c.notNull())
    .execute();
}
