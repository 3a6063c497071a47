/**
 * The initial schema. Migrations are additive within a major version (DESIGN rule 8) so that old
 * and new nodes can run side by side during a rolling upgrade.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('realm')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('name', 'varchar(255)', (c) => c.notNull().unique())
    .addColumn('settings', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('realm_key')
    .addColumn('kid', 'varchar(255)', (c) => c.primaryKey())
    .addColumn('realm_id', 'varchar(64)', (c) => c.notNull().references('realm.id').onDelete('cascade'))
    .addColumn('kind', 'varchar(16)', (c) => c.notNull())
    .addColumn('algorithm', 'varchar(32)', (c) => c.notNull())
    .addColumn('material', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('active', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('realm_key_realm').on('realm_key').column('realm_id').execute();

  await db.schema
    .createTable('client')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('realm_id', 'varchar(64)', (c) => c.notNull().references('realm.id').onDelete('cascade'))
    .addColumn('client_id', 'varchar(255)', (c) => c.notNull())
    .addColumn('representation', 'text', (c) => c.notNull())
    .addColumn('secret_hash', 'varchar(128)')
    .addColumn('secret_sealed', 'text')
    .addUniqueConstraint('client_realm_client_id', ['realm_id', 'client_id'])
    .execute();

  await db.schema
    .createTable('app_user')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('realm_id', 'varchar(64)', (c) => c.notNull().references('realm.id').onDelete('cascade'))
    .addColumn('username', 'varchar(255)', (c) => c.notNull())
    .addColumn('email', 'varchar(255)')
    .addColumn('first_name', 'varchar(255)')
    .addColumn('last_name', 'varchar(255)')
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('email_verified', 'integer', (c) => c.notNull())
    .addColumn('created_timestamp', 'bigint', (c) => c.notNull())
    .addColumn('attributes', 'text', (c) => c.notNull())
    .addColumn('required_actions', 'text', (c) => c.notNull())
    .addColumn('not_before', 'bigint', (c) => c.notNull())
    .addColumn('service_account_client_id', 'varchar(64)')
    .addUniqueConstraint('app_user_realm_username', ['realm_id', 'username'])
    .execute();
  await db.schema.createIndex('app_user_realm_email').on('app_user').columns(['realm_id', 'email']).execute();

  await db.schema
    .createTable('credential')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('user_id', 'varchar(64)', (c) => c.notNull().references('app_user.id').onDelete('cascade'))
    .addColumn('type', 'varchar(64)', (c) => c.notNull())
    .addColumn('user_label', 'varchar(255)')
    .addColumn('created_date', 'bigint', (c) => c.notNull())
    .addColumn('secret_data', 'text', (c) => c.notNull())
    .addColumn('credential_data', 'text', (c) => c.notNull())
    .addColumn('priority', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('credential_user').on('credential').column('user_id').execute();

  await db.schema
    .createTable('role')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('realm_id', 'varchar(64)', (c) => c.notNull().references('realm.id').onDelete('cascade'))
    .addColumn('client_uuid', 'varchar(64)', (c) => c.notNull())
    .addColumn('name', 'varchar(255)', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('composites', 'text', (c) => c.notNull())
    .addColumn('attributes', 'text', (c) => c.notNull())
    .addUniqueConstraint('role_realm_client_name', ['realm_id', 'client_uuid', 'name'])
    .execute();

  await db.schema
    .createTable('user_role')
    .addColumn('user_id', 'varchar(64)', (c) => c.notNull().references('app_user.id').onDelete('cascade'))
    .addColumn('role_id', 'varchar(64)', (c) => c.notNull().references('role.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('user_role_pk', ['user_id', 'role_id'])
    .execute();

  await db.schema
    .createTable('user_session')
    .addColumn('id', 'varchar(64)', (c) => c.notNull())
    .addColumn('offline', 'integer', (c) => c.notNull())
    .addColumn('realm_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('user_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('started', 'bigint', (c) => c.notNull())
    .addColumn('last_refresh', 'bigint', (c) => c.notNull())
    .addColumn('remember_me', 'integer', (c) => c.notNull())
    .addColumn('ip_address', 'varchar(64)', (c) => c.notNull())
    .addColumn('auth_time', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('user_session_pk', ['id', 'offline'])
    .execute();
  await db.schema.createIndex('user_session_user').on('user_session').columns(['realm_id', 'user_id']).execute();
  await db.schema.createIndex('user_session_expiry').on('user_session').column('expires_at').execute();

  await db.schema
    .createTable('client_session')
    .addColumn('user_session_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('offline', 'integer', (c) => c.notNull())
    .addColumn('client_uuid', 'varchar(64)', (c) => c.notNull())
    .addColumn('realm_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('started', 'bigint', (c) => c.notNull())
    .addColumn('timestamp', 'bigint', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('redirect_uri', 'text')
    .addColumn('refresh_jti', 'varchar(64)')
    .addColumn('refresh_uses', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('client_session_pk', ['user_session_id', 'offline', 'client_uuid'])
    .addForeignKeyConstraint('client_session_user_session', ['user_session_id', 'offline'], 'user_session', ['id', 'offline'], (fk) =>
      fk.onDelete('cascade'),
    )
    .execute();
  await db.schema.createIndex('client_session_client').on('client_session').columns(['client_uuid', 'offline']).execute();

  await db.schema
    .createTable('auth_session')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('realm_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('tabs', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('auth_session_expiry').on('auth_session').column('expires_at').execute();

  await db.schema
    .createTable('auth_code')
    .addColumn('code_hash', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('realm_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('user_session_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('used', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('auth_code_expiry').on('auth_code').column('expires_at').execute();

  await db.schema
    .createTable('revoked_token')
    .addColumn('jti', 'varchar(128)', (c) => c.primaryKey())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('revoked_token_expiry').on('revoked_token').column('expires_at').execute();

  await db.schema
    .createTable('login_failure')
    .addColumn('realm_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('user_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('num_failures', 'integer', (c) => c.notNull())
    .addColumn('num_temporary_lockouts', 'integer', (c) => c.notNull())
    .addColumn('last_failure', 'bigint', (c) => c.notNull())
    .addColumn('last_ip_failure', 'varchar(64)')
    .addColumn('failed_login_not_before', 'bigint', (c) => c.notNull())
    // The failure before `last_failure` (ms): the quick-login check needs it, and an UPSERT can
    // only return values it writes.
    .addColumn('previous_failure', 'bigint', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('login_failure_pk', ['realm_id', 'user_id'])
    .execute();

  await db.schema
    .createTable('node')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('route', 'varchar(64)', (c) => c.notNull())
    .addColumn('address', 'varchar(255)', (c) => c.notNull())
    .addColumn('heartbeat_at', 'bigint', (c) => c.notNull())
    .addColumn('started_at', 'bigint', (c) => c.notNull().defaultTo(sql`0`))
    .execute();
}
