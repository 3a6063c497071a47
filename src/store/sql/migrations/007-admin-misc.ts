/**
 * Realm extras of the admin API (issue #12.10): client initial access tokens (stored as a
 * SHA-256 hash, shown once at creation) and a realm's localization texts per locale. Only new
 * tables, so nodes of the previous release keep running beside this one (DESIGN rule 8).
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('client_initial_access')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('realm_id', 'varchar(64)', (c) => c.notNull().references('realm.id').onDelete('cascade'))
    .addColumn('token_hash', 'varchar(64)', (c) => c.notNull().unique())
    .addColumn('timestamp', 'integer', (c) => c.notNull())
    .addColumn('expiration', 'integer', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addColumn('remaining_count', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('client_initial_access_realm').on('client_initial_access').column('realm_id').execute();

  await db.schema
    .createTable('realm_localization')
    .addColumn('realm_id', 'varchar(64)', (c) => c.notNull().references('realm.id').onDelete('cascade'))
    .addColumn('locale', 'varchar(255)', (c) => c.notNull())
    .addColumn('text_key', 'varchar(255)', (c) => c.notNull())
    .addColumn('text_value', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('realm_localization_pk', ['realm_id', 'locale', 'text_key'])
    .execute();
}
