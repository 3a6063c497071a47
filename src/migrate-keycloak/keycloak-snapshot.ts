/**
 * A read-only view of Keycloak's database as of one instant: one `REPEATABLE READ READ ONLY`
 * transaction, so that the pre-flight, the counts and the import all see the same rows even if
 * something still writes (it should not: Keycloak is stopped first). Nothing here can write, so
 * the migrator works with a read-only role. Table and column names are Keycloak's (lower case in
 * PostgreSQL, as Liquibase creates them); queries are written for PostgreSQL, and
 * mariadb-snapshot.ts carries them to MariaDB and MySQL.
 */
import type pgModule from 'pg';

export type Row = Record<string, unknown>;

/** The database is not Keycloak's, or not one this migrator can read; nothing was written. */
export class KeycloakSchemaProblem extends Error {}

/** A read failed part-way (permissions of the role, a lost connection): what was written stays, and a new run replaces it. */
export class KeycloakReadError extends Error {}

export interface KeycloakSnapshot {
  query(text: string, values?: unknown[]): Promise<Row[]>;
  /** Column names per table (lower case), for the schema check. */
  columns(): Promise<Map<string, Set<string>>>;
  close(): Promise<void>;
}

export async function openKeycloakSnapshot(url: string): Promise<KeycloakSnapshot> {
  if (/^(mariadb|mysql):\/\//.test(url)) return (await import('./mariadb-snapshot.ts')).openMariaDbSnapshot(url);
  if (!/^postgres(ql)?:\/\//.test(url)) throw new KeycloakSchemaProblem(`--keycloak-db-url: expected a postgres://, mariadb:// or mysql:// URL (the Keycloak databases this migrator reads), got '${redactUrl(url)}'`);
  // Loaded on use, as the store does: only this command pays for the driver.
  const { default: pg } = await import('pg');
  const client: pgModule.Client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
  } catch (error) {
    throw new KeycloakSchemaProblem(`cannot connect to ${redactUrl(url)}: ${(error as Error).message}`);
  }
  // An error after connecting must not leave a process hanging on an open client.
  client.on('error', () => {});
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  let columns: Map<string, Set<string>> | undefined;
  return {
    async query(text, values) {
      try {
        return (await client.query(text, values)).rows as Row[];
      } catch (error) {
        throw new KeycloakReadError(`reading Keycloak's database failed: ${(error as Error).message}`);
      }
    },
    async columns() {
      if (columns) return columns;
      const rows = (await client.query("SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()")).rows as Array<{ table_name: string; column_name: string }>;
      columns = new Map();
      for (const row of rows) {
        const table = row.table_name.toLowerCase();
        if (!columns.has(table)) columns.set(table, new Set());
        columns.get(table)!.add(row.column_name.toLowerCase());
      }
      return columns;
    },
    async close() {
      try {
        await client.query('ROLLBACK');
      } finally {
        await client.end();
      }
    },
  };
}

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable URL)';
  }
}
