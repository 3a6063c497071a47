/**
 * Reading realm files as Keycloak writes them: one file holding a realm or an array of realms,
 * or a directory of `<realm>-realm.json` files, each optionally followed by
 * `<realm>-users-<n>.json` files whose users belong to that realm. Invalid JSON is reported with
 * the file name and where the parser stopped.
 */
import fs from 'node:fs/promises';
import path from 'node:path';

export interface RealmFile {
  /** Where it came from, for messages: a file name, with `[i]` for an element of an array. */
  source: string;
  representation: unknown;
}

export class RealmFileError extends Error {}

async function readJson(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    throw new RealmFileError(`${file}: cannot read: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new RealmFileError(`${file}: not valid JSON: ${(error as Error).message}`);
  }
}

export async function readRealmFile(file: string): Promise<RealmFile[]> {
  const json = await readJson(file);
  if (Array.isArray(json)) return json.map((representation, i) => ({ source: `${file}[${i}]`, representation }));
  return [{ source: file, representation: json }];
}

const USERS_FILE = /-users-\d+\.json$/;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

export async function readRealmDirectory(dir: string): Promise<RealmFile[]> {
  let names: string[];
  try {
    names = (await fs.readdir(dir)).filter((n) => n.endsWith('.json')).sort();
  } catch (error) {
    throw new RealmFileError(`${dir}: cannot read directory: ${(error as Error).message}`);
  }
  const realms: RealmFile[] = [];
  for (const name of names.filter((n) => !USERS_FILE.test(n))) realms.push(...(await readRealmFile(path.join(dir, name))));
  for (const name of names.filter((n) => USERS_FILE.test(n))) {
    const file = path.join(dir, name);
    const part = await readJson(file);
    if (!isObject(part) || typeof part.realm !== 'string' || !Array.isArray(part.users)) throw new RealmFileError(`${file}: expected {"realm": …, "users": [...]}`);
    const owner = realms.find((r) => isObject(r.representation) && r.representation.realm === part.realm);
    if (!owner || !isObject(owner.representation)) throw new RealmFileError(`${file}: no realm file for realm '${part.realm}'`);
    const existing = Array.isArray(owner.representation.users) ? owner.representation.users : [];
    owner.representation.users = [...existing, ...part.users];
  }
  return realms;
}
