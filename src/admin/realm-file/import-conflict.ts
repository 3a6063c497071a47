/**
 * An import that contradicts itself or the store: a realm, client, username or id that exists
 * twice. The admin API answers it with 409, the CLI with the JSON path at fault.
 */
export class ImportConflict extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(path === '' ? reason : `${path}: ${reason}`);
  }
}

/** Keycloak's answer when a realm of that name already exists. */
export const REALM_EXISTS = 'Conflict detected. See logs for details';

/** A unique or primary-key violation from SQLite or PostgreSQL. */
export function isUniqueViolation(error: unknown): error is Error {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === '23505';
}

/** A foreign-key violation from SQLite or PostgreSQL: what a row refers to was deleted meanwhile. */
export function isForeignKeyViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_FOREIGNKEY' || code === '23503';
}

/** A conflict inside a realm file (two mappers of one name), reported with its JSON path. */
export const fileConflict = (message: string, path: string): ImportConflict => new ImportConflict(path, message);
