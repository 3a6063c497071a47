/**
 * The admin console's per-client session counts (issue #15.4): `client_session_count` holds, per
 * realm, client and kind, the number of client sessions, so `session-count`,
 * `offline-session-count` and `client-session-stats` read a few rows instead of counting a
 * client's share of a million sessions. Slotted like `session_count` (migration 021), by the user
 * session's id, so concurrent logins to one client seldom wait on the same row in PostgreSQL.
 * The existing client sessions are counted once here. A node of the previous release does not
 * keep this counter, so during a rolling upgrade the counts drift by what those nodes add and
 * remove (the README says so); only a new table, so those nodes keep running (DESIGN rule 8).
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('client_session_count')
    .addColumn('realm_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('client_uuid', 'varchar(64)', (c) => c.notNull())
    .addColumn('offline', 'integer', (c) => c.notNull())
    .addColumn('slot', 'integer', (c) => c.notNull())
    .addColumn('count', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('client_session_count_pk', ['realm_id', 'client_uuid', 'offline', 'slot'])
    .execute();
  await sql`INSERT INTO client_session_count (realm_id, client_uuid, offline, slot, count)
    SELECT realm_id, client_uuid, offline, 0, count(*) FROM client_session GROUP BY realm_id, client_uuid, offline`.execute(db);
}
