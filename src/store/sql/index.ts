export * from './database.ts';
export * from './sql-session-store.ts';
export * from './sql-realm-repository.ts';
export * from './advisory-lock.ts';
export { DataDirInUse } from './data-dir-lock.ts';
export type { Database } from './schema.ts';
export * from './secrets-at-rest.ts';
export * from './sql-event-store.ts';
export * from './sqlite-backup.ts';
