/**
 * One-time codes already used (issue #13.2): a TOTP code is accepted once per credential within
 * its window, on every node, because the row is the claim (primary key). Rows carry their expiry
 * and are dropped when the same credential is used again. Only a new table, so nodes of the
 * previous release keep running beside this one (DESIGN rule 8). Password history needs no
 * schema: it is kept as `password-history` credentials, as in Keycloak.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('otp_used_code')
    .addColumn('credential_id', 'varchar(64)', (c) => c.notNull().references('credential.id').onDelete('cascade'))
    .addColumn('code', 'varchar(16)', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('otp_used_code_pk', ['credential_id', 'code'])
    .execute();
}
