/**
 * The lines `holdfast import` and `start --import-realm` print about the parts of a realm file
 * holdfast did not honour or ignored, one part a line with its JSON path, so an operator can
 * check each one before relying on the imported realm.
 */
import { describeFindings, type Finding, type LossyImport } from '../admin/index.ts';

export function lossyOutcomeLines(outcome: { notHonoured: Finding[]; ignored: Finding[] }): string[] {
  return [
    ...describeFindings(outcome.notHonoured).map((line) => `not honoured (--allow-lossy-import): ${line}`),
    ...describeFindings(outcome.ignored).map((line) => `ignored: ${line}`),
  ];
}

export function lossyImportLines(error: LossyImport): string[] {
  return [...describeFindings(error.parts.refused).map((line) => `refused: ${line}`), ...describeFindings(error.parts.ignored).map((line) => `ignored: ${line}`)];
}
