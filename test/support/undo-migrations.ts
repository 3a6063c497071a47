/**
 * Takes a SQLite database of this release back to the schema of an earlier one, for upgrade
 * tests: each step undoes one migration (its columns, its rows, its kysely_migration entry).
 * Steps run newest first, so a test that goes back before migration N undoes every later one too.
 */
import type Database from 'better-sqlite3';

/** Before 009-key-providers: no component columns on realm_key, no aes-generated keys. */
export function undoKeyProviders(db: Database.Database): void {
  db.exec("DELETE FROM realm_key WHERE kind = 'aes-key'; DELETE FROM kysely_migration WHERE name = '009-key-providers';");
  for (const column of ['component_id', 'provider_id', 'name', 'priority', 'enabled', 'certificate', 'config']) db.exec(`ALTER TABLE realm_key DROP COLUMN ${column}`);
}
