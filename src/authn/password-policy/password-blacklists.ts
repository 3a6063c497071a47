/**
 * `passwordBlacklist(name)` reads `<data-dir>/password-blacklists/<name>` as Keycloak does: one
 * password per line, compared without case. A file is read once and kept (they are large and
 * never change while running); a missing file refuses the password change rather than letting
 * any password through.
 */
import fs from 'node:fs';
import path from 'node:path';

const loaded = new Map<string, Set<string>>();

export function blacklistDir(dataDir: string): string {
  return path.join(dataDir, 'password-blacklists');
}

/** Whether the blacklist file exists (checked when a policy naming it is saved). */
export function blacklistExists(dataDir: string, name: string): boolean {
  return fs.existsSync(path.join(blacklistDir(dataDir), name));
}

/** The blacklist's entries, lower case; undefined when the file is missing. */
export function readBlacklist(dataDir: string, name: string): Set<string> | undefined {
  const file = path.join(blacklistDir(dataDir), name);
  const known = loaded.get(file);
  if (known) return known;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const entries = new Set(text.split(/\r?\n/).map((line) => line.trim().toLowerCase()).filter((line) => line !== ''));
  loaded.set(file, entries);
  return entries;
}
