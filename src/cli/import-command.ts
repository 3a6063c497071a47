/**
 * `holdfast import --file realm.json | --dir dir [--override true|false]`: imports realms in
 * Keycloak's format into the store `start` would use. Each realm is one transaction; a bad file
 * stops the command with the file and the JSON path at fault, and leaves that realm unwritten.
 * As in Keycloak, an existing realm is replaced unless `--override false`, which skips it. A file
 * with parts holdfast cannot honour is refused with the list, unless `--allow-lossy-import`; what
 * was not honoured or ignored is printed either way.
 */
import { systemClock } from '../clock/index.ts';
import { COMMANDS, ConfigError, parseConfig } from '../config/index.ts';
import { KekError } from '../crypto/index.ts';
import { ImportConflict, importRealm, LossyImport, ShapeError } from '../admin/index.ts';
import { oneOfFlag, takeFlags } from './cli-args.ts';
import { lossyImportLines, lossyOutcomeLines } from './lossy-lines.ts';
import { createProgress } from './progress.ts';
import { readRealmDirectory, readRealmFile, RealmFileError, type RealmFile } from './realm-files.ts';
import { openRealmStore, RealmStoreInUse } from './realm-store.ts';

export const IMPORT_USAGE = `usage: ${COMMANDS['import'].usage}  (holdfast import --help lists every flag)`;

/** Runs the command; returns the process exit code (2 for usage errors or a data directory in use, 1 for a failed import). */
export async function runImport(argv: string[]): Promise<number> {
  let files: RealmFile[];
  let override: boolean;
  let allowLossy: boolean;
  let store;
  try {
    const { values, rest } = takeFlags(argv, Object.keys(COMMANDS.import.flags));
    const file = values.get('file');
    const dir = values.get('dir');
    if ((file === undefined) === (dir === undefined)) throw new ConfigError('give exactly one of --file or --dir');
    override = oneOfFlag('override', values.get('override'), ['true', 'false'], 'true') === 'true';
    const config = parseConfig(rest);
    allowLossy = config.allowLossyImport;
    files = file !== undefined ? await readRealmFile(file) : await readRealmDirectory(dir!);
    store = await openRealmStore(config, 'import', 'import through its admin API (POST /admin/realms)');
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`holdfast import: ${error.message}\n${IMPORT_USAGE}`);
      return 2;
    }
    if (error instanceof RealmStoreInUse || error instanceof KekError) {
      console.error(`holdfast import: ${error.message}`);
      return 2;
    }
    if (error instanceof RealmFileError) {
      console.error(`holdfast import: ${error.message}`);
      return 1;
    }
    throw error;
  }
  try {
    for (const { source, representation } of files) {
      const progress = createProgress({ label: `import ${source}`, unit: 'users' });
      try {
        const result = await importRealm(store.repository, representation, {
          nowMs: systemClock.nowMs(),
          ifExists: override ? 'replace' : 'skip',
          allowLossy,
          onProgress: ({ done, total }) => progress.update(done, total),
        });
        const name = result.realm.name;
        progress.finish(result.outcome === 'skipped' ? `realm '${name}' exists, skipped` : `imported realm '${name}' with ${result.users.toLocaleString('en-US')} users`);
        for (const line of lossyOutcomeLines(result)) console.error(`holdfast import: ${source}: ${line}`);
      } catch (error) {
        if (error instanceof LossyImport) {
          console.error(`\nholdfast import: ${source}: ${error.message} (pass --allow-lossy-import to import without them):`);
          for (const line of lossyImportLines(error)) console.error(`  ${line}`);
          return 1;
        }
        if (error instanceof ShapeError || error instanceof ImportConflict) {
          console.error(`\nholdfast import: ${source}: ${error.message} (nothing of this realm was written)`);
          return 1;
        }
        throw error;
      }
    }
    return 0;
  } finally {
    await store.close();
  }
}
