export * from './store-spec.ts';
export * from './copy-sql-tables.ts';
export * from './copy-sessions.ts';
export { COPIED_TABLES, NOT_COPIED_TABLES, type CopiedTable } from './sql-tables.ts';
