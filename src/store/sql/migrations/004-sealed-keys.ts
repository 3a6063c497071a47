/**
 * Realm key material sealed at rest under the key-encryption key: `kek_id` names the KEK that
 * sealed `material`. Null marks a row a release before this one wrote in plaintext; the first
 * start with a KEK seals it (src/store/sql/secrets-at-rest.ts). Additive only (DESIGN rule 8).
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('realm_key').addColumn('kek_id', 'varchar(64)').execute();
}
