/**
 * `start --import-realm`: imports every realm file in `<data-dir>/import` before the server
 * listens, skipping realms that already exist, as Keycloak does with `data/import`. A broken
 * file, or one with parts holdfast cannot honour (unless `--allow-lossy-import`), stops the start
 * with its name and the JSON paths at fault.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Context } from '../context.ts';
import { ImportConflict, importRealm, LossyImport, ShapeError } from '../admin/index.ts';
import { lossyImportLines, lossyOutcomeLines } from './lossy-lines.ts';
import { readRealmDirectory } from './realm-files.ts';

export class StartImportError extends Error {}

export function importDirectory(dataDir: string): string {
  return path.join(dataDir, 'import');
}

export async function importRealmsOnStart(ctx: Context, dir: string, allowLossy = false): Promise<void> {
  if (!fs.existsSync(dir)) {
    ctx.log.info({ dir }, 'realm import: no import directory');
    return;
  }
  for (const { source, representation } of await readRealmDirectory(dir)) {
    try {
      const result = await importRealm(ctx.realms.repository, representation, { nowMs: ctx.clock.nowMs(), ifExists: 'skip', allowLossy });
      if (result.outcome === 'skipped') {
        ctx.log.info({ realm: result.realm.name, source }, 'realm import: realm exists, skipped');
        continue;
      }
      await ctx.realms.realmChanged(result.realm.id);
      ctx.log.info({ realm: result.realm.name, source, users: result.users }, 'realm import: imported');
      for (const line of lossyOutcomeLines(result)) ctx.log.warn({ realm: result.realm.name, source }, `realm import: ${line}`);
    } catch (error) {
      if (error instanceof LossyImport) {
        throw new StartImportError([`${source}: ${error.message} (start with --allow-lossy-import to import without them):`, ...lossyImportLines(error).map((l) => `  ${l}`)].join('\n'));
      }
      if (error instanceof ShapeError || error instanceof ImportConflict) throw new StartImportError(`${source}: ${error.message}`);
      throw error;
    }
  }
}
