/**
 * Takes a SQLite database of this release back to the schema of an earlier one, for upgrade
 * tests: each step undoes one migration (its tables, columns and rows, and its kysely_migration
 * entry). `undoMigrationsFrom(db, name)` runs the steps newest first down to and including
 * `name`, so the database is exactly what the release before that migration wrote; a new
 * migration adds its step here.
 */
import type Database from 'better-sqlite3';

const UNDO: Array<[name: string, undo: (db: Database.Database) => void]> = [
  ['006-client-scopes', (db) => db.exec('DROP TABLE client_scope')],
  ['007-admin-misc', (db) => db.exec('DROP TABLE client_initial_access; DROP TABLE realm_localization')],
  [
    '008-user-profile',
    (db) => db.exec('DROP TABLE user_profile; DROP TABLE user_attribute; DROP INDEX app_user_realm_lower_first_name; DROP INDEX app_user_realm_lower_last_name'),
  ],
  [
    // No component columns on realm_key, no aes-generated keys.
    '009-key-providers',
    (db) => {
      db.exec("DELETE FROM realm_key WHERE kind = 'aes-key'");
      for (const column of ['component_id', 'provider_id', 'name', 'priority', 'enabled', 'certificate', 'config']) db.exec(`ALTER TABLE realm_key DROP COLUMN ${column}`);
    },
  ],
  ['010-otp-used-codes', (db) => db.exec('DROP TABLE otp_used_code')],
  ['011-single-use', (db) => db.exec('DROP TABLE single_use')],
  ['012-events', (db) => db.exec('DROP TABLE event_entity; DROP TABLE admin_event_entity')],
  ['013-protocol-mappers', (db) => db.exec('DROP TABLE client_scope_role; DROP TABLE client_scope_mapping')],
  ['014-ephemeral-records', (db) => db.exec('DROP TABLE ephemeral_record')],
  ['015-user-consents', (db) => db.exec('DROP TABLE user_consent')],
  ['016-session-user-agent', (db) => db.exec('ALTER TABLE user_session DROP COLUMN user_agent')],
  ['021-realm-session-list', (db) => db.exec('DROP TABLE session_count; DROP INDEX user_session_realm; DROP INDEX user_session_realm_ip')],
  ['022-identity-providers', (db) => db.exec('DROP TABLE federated_identity; DROP TABLE identity_provider_mapper; DROP TABLE identity_provider')],
  ['023-session-notes', (db) => db.exec('ALTER TABLE user_session DROP COLUMN notes')],
  ['030-schema-compatibility', (db) => db.exec('DROP TABLE schema_node; DROP TABLE schema_contract')],
  ['031-client-session-count', (db) => db.exec('DROP TABLE client_session_count')],
];

/** Undoes `name` and every migration after it, newest first. */
export function undoMigrationsFrom(db: Database.Database, name: string): void {
  const from = UNDO.findIndex(([n]) => n === name);
  if (from < 0) throw new Error(`no undo step for migration ${name}`);
  const applied = new Set((db.prepare('SELECT name FROM kysely_migration').all() as Array<{ name: string }>).map((r) => r.name));
  const unknown = [...applied].filter((n) => n > UNDO[UNDO.length - 1][0]);
  if (unknown.length > 0) throw new Error(`no undo step for migration ${unknown.join(', ')}: add it to test/support/undo-migrations.ts`);
  for (const [migration, undo] of UNDO.slice(from).reverse()) {
    if (!applied.has(migration)) continue;
    undo(db);
    db.prepare('DELETE FROM kysely_migration WHERE name = ?').run(migration);
  }
}
