/**
 * `holdfast export [--realm name] (--file out.json | --dir dir) [--users realm_file|skip] [--include-keys true|false]`:
 * writes realms in Keycloak's format, key providers with their private keys included unless
 * `--include-keys false` (as Keycloak's full export: an import elsewhere keeps tokens valid). With `--file` and no `--realm`, every realm goes into one
 * array; with `--dir`, each realm into `<realm>-realm.json`. Files are written to a temporary
 * name and renamed, so a failed export never leaves half a file behind.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { COMMANDS, ConfigError, parseConfig } from '../config/index.ts';
import { KekError } from '../crypto/index.ts';
import { exportRealm, UnknownRealm } from '../admin/index.ts';
import type { RealmRepository } from '../realm/index.ts';
import { oneOfFlag, takeFlags } from './cli-args.ts';
import { createProgress } from './progress.ts';
import { openRealmStore, RealmStoreInUse, type RealmStore } from './realm-store.ts';

export const EXPORT_USAGE = `usage: ${COMMANDS['export'].usage}  (holdfast export --help lists every flag)`;

async function writeAtomically(file: string, value: unknown): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  await fs.writeFile(temporary, JSON.stringify(value, null, 2) + '\n');
  await fs.rename(temporary, file);
}

async function exportOne(repository: RealmRepository, name: string, includeUsers: boolean, includeKeys: boolean): Promise<Record<string, unknown>> {
  const progress = createProgress({ label: `export ${name}`, unit: 'users' });
  const representation = await exportRealm(repository, name, { includeUsers, includeKeys, onProgress: (done, total) => progress.update(done, total) });
  progress.finish(`exported realm '${name}'${includeUsers ? ` with ${((representation.users as unknown[]) ?? []).length.toLocaleString('en-US')} users` : ''}`);
  return representation;
}

export async function runExport(argv: string[]): Promise<number> {
  let options;
  try {
    const { values, rest } = takeFlags(argv, Object.keys(COMMANDS.export.flags));
    const file = values.get('file');
    const dir = values.get('dir');
    if ((file === undefined) === (dir === undefined)) throw new ConfigError('give exactly one of --file or --dir');
    const users = oneOfFlag('users', values.get('users'), ['realm_file', 'skip'], 'realm_file');
    const includeKeys = oneOfFlag('include-keys', values.get('include-keys'), ['true', 'false'], 'true') === 'true';
    options = { realm: values.get('realm'), file, dir, includeUsers: users === 'realm_file', includeKeys, config: parseConfig(rest) };
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`holdfast export: ${error.message}\n${EXPORT_USAGE}`);
      return 2;
    }
    throw error;
  }
  let store: RealmStore;
  try {
    store = await openRealmStore(options.config, 'export', 'read the realm through its admin API (GET /admin/realms/{realm})');
  } catch (error) {
    if (error instanceof RealmStoreInUse || error instanceof KekError) {
      console.error(`holdfast export: ${error.message}`);
      return 2;
    }
    throw error;
  }
  try {
    const names = options.realm !== undefined ? [options.realm] : (await store.repository.listRealms()).map((r) => r.name);
    if (options.dir !== undefined) {
      await fs.mkdir(options.dir, { recursive: true });
      for (const name of names) await writeAtomically(path.join(options.dir, `${name}-realm.json`), await exportOne(store.repository, name, options.includeUsers, options.includeKeys));
    } else {
      const realms = [];
      for (const name of names) realms.push(await exportOne(store.repository, name, options.includeUsers, options.includeKeys));
      await writeAtomically(options.file!, options.realm !== undefined ? realms[0] : realms);
    }
    return 0;
  } catch (error) {
    if (error instanceof UnknownRealm) {
      console.error(`holdfast export: ${error.message}`);
      return 1;
    }
    throw error;
  } finally {
    await store.close();
  }
}
