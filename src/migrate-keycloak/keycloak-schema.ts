/**
 * What the migrator reads of Keycloak 26's schema: every table and column it queries, checked
 * before anything is read, so a database that is not Keycloak's (or a Keycloak whose schema moved)
 * is refused with the missing names instead of failing half-way; and the Keycloak version, from
 * `MIGRATION_MODEL` (the release that last migrated the schema) and `DATABASECHANGELOG`.
 */
import { KeycloakSchemaProblem, type KeycloakSnapshot } from './keycloak-snapshot.ts';

const REQUIRED: Record<string, string[]> = {
  migration_model: ['id', 'version', 'update_time'],
  databasechangelog: ['id', 'filename', 'orderexecuted'],
  realm: ['id', 'name', 'enabled', 'not_before', 'sso_idle_timeout', 'sso_max_lifespan', 'sso_idle_timeout_remember_me', 'sso_max_lifespan_remember_me', 'offline_session_idle_timeout', 'remember_me', 'revoke_refresh_token', 'refresh_token_max_reuse', 'default_role'],
  realm_attribute: ['realm_id', 'name', 'value'],
  realm_default_groups: ['realm_id', 'group_id'],
  client: ['id', 'client_id', 'realm_id', 'enabled', 'public_client', 'secret', 'protocol', 'not_before', 'consent_required', 'full_scope_allowed', 'bearer_only', 'service_accounts_enabled'],
  client_attributes: ['client_id', 'name', 'value'],
  redirect_uris: ['client_id', 'value'],
  web_origins: ['client_id', 'value'],
  protocol_mapper: ['id', 'name', 'protocol', 'protocol_mapper_name', 'client_id', 'client_scope_id'],
  protocol_mapper_config: ['protocol_mapper_id', 'name', 'value'],
  client_scope: ['id', 'name', 'realm_id', 'description', 'protocol'],
  client_scope_attributes: ['scope_id', 'name', 'value'],
  client_scope_client: ['client_id', 'scope_id', 'default_scope'],
  default_client_scope: ['realm_id', 'scope_id', 'default_scope'],
  client_scope_role_mapping: ['scope_id', 'role_id'],
  scope_mapping: ['client_id', 'role_id'],
  keycloak_role: ['id', 'name', 'description', 'realm_id', 'client_role', 'client'],
  composite_role: ['composite', 'child_role'],
  role_attribute: ['role_id', 'name', 'value'],
  keycloak_group: ['id', 'name', 'parent_group', 'realm_id'],
  group_attribute: ['group_id', 'name', 'value'],
  group_role_mapping: ['group_id', 'role_id'],
  user_group_membership: ['group_id', 'user_id'],
  user_entity: ['id', 'realm_id', 'username', 'email', 'email_verified', 'enabled', 'first_name', 'last_name', 'federation_link', 'service_account_client_link', 'created_timestamp', 'not_before'],
  user_attribute: ['user_id', 'name', 'value', 'long_value'],
  credential: ['id', 'user_id', 'type', 'user_label', 'secret_data', 'credential_data', 'priority', 'created_date'],
  user_role_mapping: ['user_id', 'role_id'],
  user_required_action: ['user_id', 'required_action'],
  user_consent: ['id', 'user_id', 'client_id', 'created_date', 'last_updated_date'],
  user_consent_client_scope: ['user_consent_id', 'scope_id'],
  federated_identity: ['user_id', 'identity_provider'],
  revoked_token: ['id', 'expire'],
  component: ['id', 'name', 'parent_id', 'provider_id', 'provider_type', 'realm_id', 'sub_type'],
  component_config: ['component_id', 'name', 'value'],
  offline_user_session: ['user_session_id', 'offline_flag', 'realm_id', 'user_id', 'created_on', 'last_session_refresh', 'data'],
  offline_client_session: ['user_session_id', 'client_id', 'offline_flag', 'timestamp', 'data', 'client_storage_provider', 'external_client_id'],
};

export interface KeycloakVersion {
  /** `MIGRATION_MODEL.VERSION` of the newest row, e.g. `26.7.3`. */
  version: string;
  /** The newest `DATABASECHANGELOG` file, e.g. `META-INF/jpa-changelog-26.7.0.xml`. */
  changelog: string;
  /** Whether `OFFLINE_USER_SESSION.REMEMBER_ME` exists (26.5 and later). */
  rememberMeColumn: boolean;
}

/** Checks the schema and the version; throws KeycloakSchemaProblem with what is wrong. */
export async function checkKeycloakSchema(snapshot: KeycloakSnapshot): Promise<KeycloakVersion> {
  const columns = await snapshot.columns();
  if (!columns.has('migration_model') || !columns.has('realm')) {
    throw new KeycloakSchemaProblem('this database is not a Keycloak database: it has no MIGRATION_MODEL or REALM table');
  }
  const missing: string[] = [];
  for (const [table, names] of Object.entries(REQUIRED)) {
    const present = columns.get(table);
    if (!present) {
      missing.push(`table ${table.toUpperCase()}`);
      continue;
    }
    for (const name of names) if (!present.has(name)) missing.push(`column ${table.toUpperCase()}.${name.toUpperCase()}`);
  }
  const [newest] = await snapshot.query('SELECT version FROM migration_model ORDER BY update_time DESC, version DESC LIMIT 1');
  const version = typeof newest?.version === 'string' ? newest.version : undefined;
  if (version === undefined) throw new KeycloakSchemaProblem('MIGRATION_MODEL is empty: Keycloak never finished migrating this database');
  if (!/^26\.\d+\.\d+/.test(version)) throw new KeycloakSchemaProblem(`Keycloak ${version} is not supported: this migrator reads Keycloak 26.x databases (upgrade Keycloak to 26 first)`);
  if (missing.length > 0) throw new KeycloakSchemaProblem(`the database of Keycloak ${version} lacks what the migrator reads: ${missing.join(', ')}`);
  const [changelog] = await snapshot.query('SELECT filename FROM databasechangelog ORDER BY orderexecuted DESC LIMIT 1');
  return {
    version,
    changelog: typeof changelog?.filename === 'string' ? changelog.filename : '',
    rememberMeColumn: columns.get('offline_user_session')!.has('remember_me'),
  };
}
