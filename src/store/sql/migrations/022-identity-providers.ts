/**
 * Identity brokering (issue #20): a realm's identity providers and their mappers, as Keycloak's
 * IDENTITY_PROVIDER, IDENTITY_PROVIDER_CONFIG and IDENTITY_PROVIDER_MAPPER keep them, and the
 * links between local users and upstream accounts (FEDERATED_IDENTITY). A provider and a mapper
 * are read whole, so each is one JSON document; the provider's client secret is a column of its
 * own, sealed with the realm's AES key like client secrets. Only new tables, so nodes of the
 * previous release run beside this one (DESIGN rule 8).
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('identity_provider')
    .addColumn('internal_id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('realm_id', 'varchar(64)', (c) => c.notNull().references('realm.id').onDelete('cascade'))
    .addColumn('alias', 'varchar(255)', (c) => c.notNull())
    .addColumn('representation', 'text', (c) => c.notNull())
    .addColumn('client_secret_sealed', 'text')
    .addUniqueConstraint('identity_provider_alias', ['realm_id', 'alias'])
    .execute();
  await db.schema
    .createTable('identity_provider_mapper')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('realm_id', 'varchar(64)', (c) => c.notNull().references('realm.id').onDelete('cascade'))
    .addColumn('idp_alias', 'varchar(255)', (c) => c.notNull())
    .addColumn('representation', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('identity_provider_mapper_alias').on('identity_provider_mapper').columns(['realm_id', 'idp_alias']).execute();
  await db.schema
    .createTable('federated_identity')
    .addColumn('user_id', 'varchar(64)', (c) => c.notNull().references('app_user.id').onDelete('cascade'))
    .addColumn('realm_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('identity_provider', 'varchar(255)', (c) => c.notNull())
    .addColumn('federated_user_id', 'varchar(255)', (c) => c.notNull())
    .addColumn('federated_username', 'varchar(255)')
    .addColumn('token', 'text')
    .addPrimaryKeyConstraint('federated_identity_pk', ['user_id', 'identity_provider'])
    .execute();
  // One local user per upstream account: the broker callback looks links up by this.
  await db.schema
    .createIndex('federated_identity_upstream')
    .unique()
    .on('federated_identity')
    .columns(['realm_id', 'identity_provider', 'federated_user_id'])
    .execute();
}
