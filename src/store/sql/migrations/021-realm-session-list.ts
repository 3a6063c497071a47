/**
 * The admin console's realm-wide sessions page (issue #15.1, #15.4): a realm's sessions listed in
 * id order and found by IP prefix on indexes, and their number kept in `session_count` so the page
 * never counts a million rows. The counter is split into slots (a session adds to the slot of its
 * id) so that concurrent logins of one realm do not all wait on one row lock in PostgreSQL. The
 * existing sessions are counted once here. A node of the previous release does not keep the
 * counter, so during a rolling upgrade the counts drift by what those nodes create and delete
 * (the README says so); only new tables and indexes, so those nodes keep running (DESIGN rule 8).
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('session_count')
    .addColumn('realm_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('offline', 'integer', (c) => c.notNull())
    .addColumn('slot', 'integer', (c) => c.notNull())
    .addColumn('count', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('session_count_pk', ['realm_id', 'offline', 'slot'])
    .execute();
  await db.schema.createIndex('user_session_realm').on('user_session').columns(['realm_id', 'offline', 'id']).execute();
  await db.schema.createIndex('user_session_realm_ip').on('user_session').columns(['realm_id', 'ip_address']).execute();
  await sql`INSERT INTO session_count (realm_id, offline, slot, count) SELECT realm_id, offline, 0, count(*) FROM user_session GROUP BY realm_id, offline`.execute(db);
}
