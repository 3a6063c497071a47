/**
 * Claims on checking one user's password (SessionStore.claimLoginAttempt): at most one row per
 * user, held for the length of one check. Additive: nodes of the previous release ignore it.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('login_attempt')
    .addColumn('realm_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('user_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('holder', 'varchar(64)', (c) => c.notNull())
    .addColumn('expires_at_ms', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('login_attempt_pk', ['realm_id', 'user_id'])
    .execute();
}
