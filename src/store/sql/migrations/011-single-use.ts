/**
 * Single-use keys (SessionStore.claimOnce): client-assertion `jti`s now, DPoP proofs and PAR
 * request URIs later, each held until it expires so a replay is refused on every node. Only a new
 * table, so nodes of the previous release keep running beside this one (DESIGN rule 8).
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('single_use')
    .addColumn('key', 'varchar(255)', (c) => c.primaryKey())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('single_use_expires_at').on('single_use').column('expires_at').execute();
}
