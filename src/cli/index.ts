/** The CLI commands besides `start`: realm import and export, key-encryption key rotation, and the realm import at start. */
export { runImport, IMPORT_USAGE } from './import-command.ts';
export { runExport, EXPORT_USAGE } from './export-command.ts';
export { importDirectory, importRealmsOnStart } from './import-on-start.ts';
export { runRotateKek, ROTATE_KEK_USAGE } from './rotate-kek-command.ts';
