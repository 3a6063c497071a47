/**
 * Bounded logins in progress: each authentication session records its origin (realm, client and
 * client network, hashed) and a creation sequence number, so the store can keep the newest few per
 * origin and the newest N overall with index range deletes. Additive: rows written by an older
 * node have origin '' and no sequence number, and simply expire as before.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('auth_session').addColumn('origin', 'varchar(64)', (c) => c.notNull().defaultTo('')).execute();
  await db.schema.alterTable('auth_session').addColumn('seq', 'bigint').execute();
  await db.schema.createIndex('auth_session_origin').on('auth_session').columns(['origin', 'seq']).execute();
  await db.schema.createIndex('auth_session_seq').on('auth_session').column('seq').execute();
}
