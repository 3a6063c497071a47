/**
 * Ephemeral records (SessionStore.putEphemeral and friends): device codes and pushed
 * authorization requests, each kept until it expires and shared by every node. Only a new table,
 * so nodes of the previous release keep running beside this one (DESIGN rule 8).
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('ephemeral_record')
    .addColumn('key', 'varchar(255)', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('ephemeral_record_expires_at').on('ephemeral_record').column('expires_at').execute();
}
