/**
 * User and admin events (src/events): one row each, written in batches off the request path,
 * read newest first per realm and deleted by age per realm, hence the (realm_id, time) indexes.
 * No foreign key to realm: a batch written just after its realm was deleted must not fail the
 * other realms' events in it; deleting a realm deletes its events explicitly. Only new tables,
 * so nodes of the previous release keep running beside this one (DESIGN rule 8).
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('event_entity')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('realm_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('time', 'bigint', (c) => c.notNull())
    .addColumn('type', 'varchar(64)', (c) => c.notNull())
    .addColumn('client_id', 'varchar(255)')
    .addColumn('user_id', 'varchar(64)')
    .addColumn('session_id', 'varchar(64)')
    .addColumn('ip_address', 'varchar(255)')
    .addColumn('error', 'varchar(255)')
    .addColumn('details', 'text')
    .execute();
  await db.schema.createIndex('event_entity_realm_time').on('event_entity').columns(['realm_id', 'time']).execute();

  await db.schema
    .createTable('admin_event_entity')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('realm_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('time', 'bigint', (c) => c.notNull())
    .addColumn('operation_type', 'varchar(16)', (c) => c.notNull())
    .addColumn('resource_type', 'varchar(64)', (c) => c.notNull())
    .addColumn('resource_path', 'text')
    .addColumn('auth_realm_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('auth_client_id', 'varchar(64)')
    .addColumn('auth_user_id', 'varchar(64)')
    .addColumn('auth_ip_address', 'varchar(255)')
    .addColumn('representation', 'text')
    .addColumn('error', 'varchar(255)')
    .execute();
  await db.schema.createIndex('admin_event_entity_realm_time').on('admin_event_entity').columns(['realm_id', 'time']).execute();
}
