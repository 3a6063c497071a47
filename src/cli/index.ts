/** The CLI commands besides `start`: realm import and export, key-encryption key rotation, show-config, show-schema, the realm import at start, and `--help`/`--version`. */
export { runImport, IMPORT_USAGE } from './import-command.ts';
export { runExport, EXPORT_USAGE } from './export-command.ts';
export { importDirectory, importRealmsOnStart } from './import-on-start.ts';
export { runBackup, BACKUP_USAGE } from './backup-command.ts';
export { runRestore, RESTORE_USAGE } from './restore-command.ts';
export { runMigrateStore, MIGRATE_STORE_USAGE } from './migrate-store-command.ts';
export { runMigrateFromKeycloak, MIGRATE_FROM_KEYCLOAK_USAGE } from './migrate-from-keycloak-command.ts';
export { runRotateKek, ROTATE_KEK_USAGE } from './rotate-kek-command.ts';
export { runShowConfig } from './show-config-command.ts';
export { runShowSchema, SHOW_SCHEMA_USAGE } from './show-schema-command.ts';
export { commandHelp, mainHelp } from './help.ts';
export { HOLDFAST_VERSION } from './version.ts';
export { printBanner } from './start-banner.ts';
