/**
 * Unknown names are refused with the nearest known one, so a typo (`--http-prot`) costs one
 * glance instead of a trip to the documentation. Nearest is the edit distance, and only a close
 * one is offered: a suggestion that is far off misleads more than it helps.
 */
import { ConfigError } from './config-error.ts';

/** Edits between two names, a swap of neighbours counting as one (the commonest typo: `--db-ulr`). */
function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      rows[i][j] = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) rows[i][j] = Math.min(rows[i][j], rows[i - 2][j - 2] + 1);
    }
  }
  return rows[a.length][b.length];
}

export function nearestName(name: string, known: readonly string[]): string | undefined {
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(name, candidate);
    if (!best || distance < best.distance) best = { candidate, distance };
  }
  return best && best.distance <= Math.max(2, Math.floor(name.length / 4)) ? best.candidate : undefined;
}

/**
 * Refuses the first `--name` of `argv` that is not in `known`: `Unknown option '--x'`, plus the
 * nearest name when there is a close one. Values (the word after a flag that takes one) are skipped.
 */
export function refuseUnknownFlags(argv: readonly string[], known: Record<string, { kind: 'string' | 'boolean' }>, where = ''): void {
  const names = Object.keys(known);
  for (let i = 0; i < argv.length; i++) {
    const match = /^--([^=]+)(=.*)?$/.exec(argv[i]);
    if (!match) continue;
    const spec = known[match[1]];
    if (!spec) {
      const nearest = nearestName(match[1], names);
      throw new ConfigError(`Unknown option '--${match[1]}'${where}${nearest ? ` (did you mean --${nearest}?)` : ''}`);
    }
    if (spec.kind === 'string' && match[2] === undefined) i++;
  }
}
