/**
 * Table shapes as Kysely sees them. Booleans are stored as 0/1 integers and structured values as
 * JSON text so that one schema serves SQLite and PostgreSQL unchanged.
 */
import type { Generated } from 'kysely';

export interface RealmTable {
  id: string;
  name: string;
  settings: string;
  created_at: number;
}
export interface RealmKeyTable {
  kid: string;
  realm_id: string;
  kind: string;
  algorithm: string;
  /** Sealed under the key-encryption key `kek_id`; plaintext only in rows of an earlier release (kek_id null). */
  material: string;
  created_at: number;
  active: number;
  kek_id: string | null;
  /** The key provider component (migration 009-key-providers); null for the data key and for rows an older node wrote. */
  component_id: string | null;
  provider_id: string | null;
  name: string | null;
  priority: number | null;
  enabled: number | null;
  certificate: string | null;
  /** The component's other settings as JSON (`{"keySize": ["2048"]}`). */
  config: string | null;
}
export interface ClientTable {
  id: string;
  realm_id: string;
  client_id: string;
  representation: string;
  secret_hash: string | null;
  secret_sealed: string | null;
}
export interface UserTable {
  id: string;
  realm_id: string;
  username: string;
  email: string | null;
  first_name: string | null;
  last_name: string | null;
  enabled: number;
  email_verified: number;
  created_timestamp: number;
  attributes: string;
  required_actions: string;
  not_before: number;
  service_account_client_id: string | null;
}
export interface CredentialTable {
  id: string;
  user_id: string;
  type: string;
  user_label: string | null;
  created_date: number;
  secret_data: string;
  credential_data: string;
  priority: number;
}
/** A one-time code already used, claimed by its primary key (migration 010-otp-used-codes); `expires_at` in seconds. */
export interface OtpUsedCodeTable {
  credential_id: string;
  code: string;
  expires_at: number;
}
export interface RoleTable {
  id: string;
  realm_id: string;
  /** '' for realm roles, so that the (realm, client, name) uniqueness holds on every dialect. */
  client_uuid: string;
  name: string;
  description: string | null;
  composites: string;
  attributes: string;
}
export interface UserRoleTable {
  user_id: string;
  role_id: string;
}
export interface GroupTable {
  id: string;
  realm_id: string;
  /** '' for top-level groups (see migration 005-groups). */
  parent_id: string;
  name: string;
  description: string | null;
  attributes: string;
  default_group: number;
}
export interface GroupRoleTable {
  group_id: string;
  role_id: string;
}
export interface GroupMemberTable {
  user_id: string;
  group_id: string;
}
export interface ClientScopeTable {
  id: string;
  realm_id: string;
  name: string;
  protocol: string;
  /** 'default', 'optional', or '' for neither (migration 006-client-scopes). */
  realm_default: string;
  position: number;
  /** description, attributes and protocolMappers as JSON. */
  representation: string;
}
/** Client initial access tokens (migration 007-admin-misc); the token itself is never stored. */
export interface ClientInitialAccessTable {
  id: string;
  realm_id: string;
  token_hash: string;
  timestamp: number;
  expiration: number;
  count: number;
  remaining_count: number;
}
export interface RealmLocalizationTable {
  realm_id: string;
  locale: string;
  text_key: string;
  text_value: string;
}
/** A realm's declarative user profile, once set (migration 008-user-profile); none: Keycloak's default. */
export interface UserProfileTable {
  realm_id: string;
  /** The id of Keycloak's `declarative-user-profile` component, kept for export. */
  component_id: string;
  /** The UPConfig as JSON. */
  config: string;
}
/** Search index of user attributes: SHA-256 (hex) of the lower-cased value, per name and value. */
export interface UserAttributeTable {
  user_id: string;
  name: string;
  value_hash: string;
}
/** The roles in a client's scope (migration 013-protocol-mappers). */
export interface ClientScopeMappingTable {
  client_uuid: string;
  role_id: string;
}
/** The roles a client scope brings (migration 013-protocol-mappers). */
export interface ClientScopeRoleTable {
  scope_id: string;
  role_id: string;
}
export interface UserConsentTable {
  user_id: string;
  client_uuid: string;
  /** JSON list of granted client scope ids (a client shown on its own consent screen: its id). */
  granted_scopes: string;
  created_date: number;
  last_updated_date: number;
}
export interface IdentityProviderTable {
  internal_id: string;
  realm_id: string;
  alias: string;
  /** JSON: the provider as src/broker models it, without its client secret. */
  representation: string;
  client_secret_sealed: string | null;
}
export interface IdentityProviderMapperTable {
  id: string;
  realm_id: string;
  idp_alias: string;
  /** JSON: name, mapper type and config. */
  representation: string;
}
export interface FederatedIdentityTable {
  user_id: string;
  realm_id: string;
  identity_provider: string;
  federated_user_id: string;
  federated_username: string | null;
  token: string | null;
}
export interface UserSessionTable {
  id: string;
  offline: number;
  realm_id: string;
  user_id: string;
  started: number;
  last_refresh: number;
  remember_me: number;
  ip_address: string;
  auth_time: number;
  expires_at: number;
  /** Added by 016-session-user-agent. */
  user_agent: string | null;
  /** JSON of the session notes; added by 023-session-notes. */
  notes: string | null;
}
/** A realm's number of user sessions, in slots that add up (021-realm-session-list). */
export interface SessionCountTable {
  realm_id: string;
  offline: number;
  slot: number;
  count: number;
}
/** A client's number of client sessions per kind, in slots that add up (031-client-session-count). */
export interface ClientSessionCountTable {
  realm_id: string;
  client_uuid: string;
  offline: number;
  slot: number;
  count: number;
}
export interface ClientSessionTable {
  user_session_id: string;
  offline: number;
  client_uuid: string;
  realm_id: string;
  started: number;
  timestamp: number;
  scope: string;
  redirect_uri: string | null;
  refresh_jti: string | null;
  refresh_uses: number;
}
export interface AuthSessionTable {
  id: string;
  realm_id: string;
  created_at: number;
  expires_at: number;
  tabs: string;
  /** auth-session-origin.ts; '' on rows an older node wrote. */
  origin: Generated<string>;
  /** Creation order, for evicting the oldest; null on rows an older node wrote. */
  seq: number | null;
}
export interface AuthCodeTable {
  code_hash: string;
  realm_id: string;
  user_session_id: string;
  data: string;
  expires_at: number;
  used: number;
}
export interface LoginFailureTable {
  realm_id: string;
  user_id: string;
  num_failures: number;
  num_temporary_lockouts: number;
  last_failure: number;
  last_ip_failure: string | null;
  failed_login_not_before: number;
  previous_failure: Generated<number>;
}
/** A claim on checking one user's password; `expires_at_ms` in ms. */
export interface LoginAttemptTable {
  realm_id: string;
  user_id: string;
  holder: string;
  expires_at_ms: number;
}
/** A user event (migration 012-events); `details` as JSON. */
export interface EventTable {
  id: string;
  realm_id: string;
  time: number;
  type: string;
  client_id: string | null;
  user_id: string | null;
  session_id: string | null;
  ip_address: string | null;
  error: string | null;
  details: string | null;
}
export interface AdminEventTable {
  id: string;
  realm_id: string;
  time: number;
  operation_type: string;
  resource_type: string;
  resource_path: string | null;
  auth_realm_id: string;
  auth_client_id: string | null;
  auth_user_id: string | null;
  auth_ip_address: string | null;
  representation: string | null;
  error: string | null;
}

export interface Database {
  realm: RealmTable;
  realm_key: RealmKeyTable;
  client: ClientTable;
  app_user: UserTable;
  credential: CredentialTable;
  otp_used_code: OtpUsedCodeTable;
  role: RoleTable;
  user_role: UserRoleTable;
  realm_group: GroupTable;
  group_role: GroupRoleTable;
  group_member: GroupMemberTable;
  client_scope: ClientScopeTable;
  client_initial_access: ClientInitialAccessTable;
  realm_localization: RealmLocalizationTable;
  user_profile: UserProfileTable;
  user_attribute: UserAttributeTable;
  client_scope_mapping: ClientScopeMappingTable;
  client_scope_role: ClientScopeRoleTable;
  user_consent: UserConsentTable;
  identity_provider: IdentityProviderTable;
  identity_provider_mapper: IdentityProviderMapperTable;
  federated_identity: FederatedIdentityTable;
  user_session: UserSessionTable;
  session_count: SessionCountTable;
  client_session: ClientSessionTable;
  client_session_count: ClientSessionCountTable;
  auth_session: AuthSessionTable;
  auth_code: AuthCodeTable;
  login_failure: LoginFailureTable;
  login_attempt: LoginAttemptTable;
  revoked_token: { jti: string; expires_at: number };
  single_use: { key: string; expires_at: number };
  ephemeral_record: { key: string; value: string; expires_at: number };
  event_entity: EventTable;
  admin_event_entity: AdminEventTable;
  /** Reserved for cluster membership (issue: cluster on PostgreSQL). */
  node: { id: string; route: string; address: string; heartbeat_at: number; started_at: Generated<number> };
  /** Each node that opened the database: its release and the newest migration it knows (migration 030). */
  schema_node: { node_id: string; app_version: string; schema_level: string; started_at: number };
  /** Applied migrations that older releases cannot run beside (migration 030). */
  schema_contract: { migration: string; applied_at: number };
}
