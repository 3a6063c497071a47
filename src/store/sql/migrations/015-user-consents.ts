/**
 * Consents (issue #14.9): what a user granted a `consentRequired` client, as Keycloak's
 * USER_CONSENT and USER_CONSENT_CLIENT_SCOPE keep it, in one row per user and client with the
 * granted client scope ids as a JSON list (a consent is always read and written whole). The row
 * goes with the user or the client by cascade; a granted scope that is later deleted simply
 * stops resolving. Only a new table, so nodes of the previous release run beside this one
 * (DESIGN rule 8).
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('user_consent')
    .addColumn('user_id', 'varchar(64)', (c) => c.notNull().references('app_user.id').onDelete('cascade'))
    .addColumn('client_uuid', 'varchar(64)', (c) => c.notNull().references('client.id').onDelete('cascade'))
    .addColumn('granted_scopes', 'text', (c) => c.notNull())
    .addColumn('created_date', 'bigint', (c) => c.notNull())
    .addColumn('last_updated_date', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('user_consent_pk', ['user_id', 'client_uuid'])
    .execute();
  await db.schema.createIndex('user_consent_client').on('user_consent').column('client_uuid').execute();
}
