/**
 * How the admin API reports what an import did not honour: `POST /admin/realms` and
 * `partialImport` answer the same lists, and refuse a lossy file with the same 400, so a script
 * reads one shape whichever it used.
 */
import { AdminError } from '../../errors/index.ts';
import type { Finding, LossyImport } from './lossy-parts.ts';

export interface LossyImportReport {
  notHonoured: Finding[];
  ignored: Finding[];
}

export const LOSSY_IMPORT_MESSAGE = 'The file has parts holdfast cannot honour (see refused); nothing was imported. Remove them, or pass allowLossyImport=true to import without them.';

export function lossyImportReport(outcome: LossyImportReport): LossyImportReport {
  return { notHonoured: outcome.notHonoured, ignored: outcome.ignored };
}

export function lossyImportError(error: LossyImport): AdminError {
  return new AdminError(400, { errorMessage: LOSSY_IMPORT_MESSAGE, refused: error.parts.refused, ignored: error.parts.ignored });
}
