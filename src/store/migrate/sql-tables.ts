/**
 * The tables `holdfast migrate-store` copies between SQL databases, parents before children (the
 * foreign keys hold at every batch), each with the key it is paged and upserted by. The columns
 * come from the databases themselves (both sides run this release's migrations), and a table the
 * schema has but this list lacks stops the copy: a new table is never left behind unnoticed.
 */
export interface CopiedTable {
  name: string;
  /** Primary key, in order: the keyset paging order and the upsert's conflict target. */
  key: string[];
  /** No unique key to upsert on: on a resumed copy the target's rows are replaced wholesale. */
  rewrite?: boolean;
  /** Belongs to the session store (what `--sessions` chooses), not to the realm data. */
  sessions?: boolean;
}

export const COPIED_TABLES: CopiedTable[] = [
  { name: 'realm', key: ['id'] },
  { name: 'realm_key', key: ['kid'] },
  { name: 'client', key: ['id'] },
  { name: 'app_user', key: ['id'] },
  { name: 'credential', key: ['id'] },
  { name: 'otp_used_code', key: ['credential_id', 'code'] },
  { name: 'role', key: ['id'] },
  { name: 'user_role', key: ['user_id', 'role_id'] },
  { name: 'realm_group', key: ['id'] },
  { name: 'group_role', key: ['group_id', 'role_id'] },
  { name: 'group_member', key: ['user_id', 'group_id'] },
  { name: 'client_scope', key: ['id'] },
  { name: 'client_initial_access', key: ['id'] },
  { name: 'realm_localization', key: ['realm_id', 'locale', 'text_key'] },
  { name: 'user_profile', key: ['realm_id'] },
  { name: 'user_attribute', key: ['user_id', 'name', 'value_hash'], rewrite: true },
  { name: 'client_scope_mapping', key: ['client_uuid', 'role_id'] },
  { name: 'client_scope_role', key: ['scope_id', 'role_id'] },
  { name: 'user_consent', key: ['user_id', 'client_uuid'] },
  { name: 'identity_provider', key: ['internal_id'] },
  { name: 'identity_provider_mapper', key: ['id'] },
  { name: 'federated_identity', key: ['user_id', 'identity_provider'] },
  { name: 'user_session', key: ['id', 'offline'], sessions: true },
  { name: 'session_count', key: ['realm_id', 'offline', 'slot'], sessions: true },
  { name: 'client_session', key: ['user_session_id', 'offline', 'client_uuid'], sessions: true },
  { name: 'client_session_count', key: ['realm_id', 'client_uuid', 'offline', 'slot'], sessions: true },
  { name: 'auth_session', key: ['id'], sessions: true },
  { name: 'auth_code', key: ['code_hash'], sessions: true },
  { name: 'login_failure', key: ['realm_id', 'user_id'], sessions: true },
  { name: 'revoked_token', key: ['jti'], sessions: true },
  { name: 'single_use', key: ['key'], sessions: true },
  { name: 'ephemeral_record', key: ['key'], sessions: true },
  { name: 'event_entity', key: ['id'] },
  { name: 'admin_event_entity', key: ['id'] },
];

/** Tables not copied, and why (printed by the command, never skipped silently). */
export const NOT_COPIED_TABLES: Record<string, string> = {
  kysely_migration: 'the target runs its own migrations',
  kysely_migration_lock: 'the target runs its own migrations',
  node: 'cluster membership: nodes started on the target register themselves',
  login_attempt: 'claims on a password check in progress, held for seconds',
  schema_node: 'the releases that opened the source: nodes started on the target record themselves',
  schema_contract: 'the target runs its own migrations and lists its own contracting ones',
};
