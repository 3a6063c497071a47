/**
 * The key-encryption key (KEK) of a realm database, at start-up and at rotation. The KEK comes
 * from `--kek-file` or HOLDFAST_KEK; the embedded SQLite default without one gets a key
 * generated into `<data-dir>/kek`, with a warning that it sits next to the database. Before
 * anything is written, every sealed key in the database must be under a KEK the node holds, or
 * the start is refused: keys are never regenerated behind the operator's back. Rows of an
 * earlier release (plaintext, `kek_id` null) are then sealed, once, under the schema lock.
 */
import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { KekError, KeyRing, newKeyEncryptionKeyText, parseKeyEncryptionKey, type KeyEncryptionKey } from '../../crypto/index.ts';
import type { Config, KekSource } from '../../config/index.ts';
import type { SqlDatabase } from './database.ts';
import { realmKeyContext } from './sql-realm-repository.ts';

export type KekOptions = Pick<Config, 'dataDir' | 'kek' | 'kekPrevious'>;

/** The file the embedded default keeps its generated KEK in. */
export function defaultKekFile(dataDir: string): string {
  return path.join(dataDir, 'kek');
}

/** Reads the KEK of a `--kek-file` or `HOLDFAST_KEK` source; `flag` names it in errors. */
export function readKek(source: KekSource, flag: string): KeyEncryptionKey {
  if ('variable' in source) return parseKeyEncryptionKey(source.value, source.variable);
  let text: string;
  try {
    text = fs.readFileSync(source.file, 'utf8');
  } catch (error) {
    throw new KekError(`${flag} ${source.file}: cannot read the key-encryption key: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return parseKeyEncryptionKey(text, source.file);
}

/** The KEK ids the database's sealed keys are under. */
async function sealedUnder(database: SqlDatabase): Promise<string[]> {
  const rows = await database.db.selectFrom('realm_key').select('kek_id').distinct().where('kek_id', 'is not', null).execute();
  return rows.map((r) => r.kek_id!).sort();
}

async function defaultKek(database: SqlDatabase, dataDir: string, warn: (message: string) => void): Promise<KeyEncryptionKey> {
  const file = defaultKekFile(dataDir);
  const nextToDatabase = `it sits next to the database, so a copy of ${dataDir} discloses every realm key and client secret: keep it elsewhere and pass --kek-file or HOLDFAST_KEK (README "Secrets at rest")`;
  if (!fs.existsSync(file)) {
    const sealed = await sealedUnder(database);
    if (sealed.length > 0) {
      throw new KekError(`this database's secrets are sealed (kid ${sealed.join(', ')}) and no key-encryption key was given: ${file} is missing; give --kek-file or HOLDFAST_KEK`);
    }
    // 'wx': never replaces a key that appeared meanwhile.
    fs.writeFileSync(file, newKeyEncryptionKeyText(), { mode: 0o600, flag: 'wx' });
    warn(`generated a key-encryption key into ${file}; ${nextToDatabase}`);
  } else {
    warn(`the key-encryption key is ${file}: ${nextToDatabase}`);
  }
  return readKek({ file }, '--kek-file');
}

/**
 * Opens the KEKs the configuration names (or the embedded default), checks that they open every
 * sealed key, and seals what an earlier release left in plaintext. Throws KekError otherwise.
 */
export async function openKeyRing(database: SqlDatabase, options: KekOptions, warn: (message: string) => void): Promise<KeyRing> {
  let current: KeyEncryptionKey;
  if (options.kek) current = readKek(options.kek, '--kek-file');
  else if (database.dialect === 'postgres') throw new KekError('--db postgres needs a key-encryption key, the same on every node: --kek-file <path> or HOLDFAST_KEK');
  else if (options.dataDir === ':memory:') current = parseKeyEncryptionKey(newKeyEncryptionKeyText(), 'a generated key');
  else current = await defaultKek(database, options.dataDir, warn);
  const ring = new KeyRing(current, options.kekPrevious && readKek(options.kekPrevious, '--kek-previous-file'));

  const unknown = (await sealedUnder(database)).filter((kid) => !ring.opens(kid));
  if (unknown.length > 0) throw ring.doesNotOpen(unknown);
  const plaintext = await database.db.selectFrom('realm_key').select('kid').where('kek_id', 'is', null).limit(1).execute();
  const sealed = plaintext.length > 0 ? await database.exclusive(() => rewrap(database, ring, 'plaintext', warn)) : 0;
  if (sealed > 0) warn(`sealed ${sealed} realm keys that an earlier release stored in plaintext, under key-encryption key ${ring.current.kid}`);
  if (ring.previous && (await sealedUnder(database)).includes(ring.previous.kid)) {
    warn(`realm keys are still sealed under the previous key-encryption key ${ring.previous.kid}: run holdfast rotate-kek once every node holds the new key`);
  }
  return ring;
}

/**
 * `holdfast rotate-kek`: re-wraps every key not under the current KEK, in one transaction, and
 * scrubs the old ciphertext from the database files. Returns how many keys were re-wrapped.
 */
export function rotateKeyEncryptionKey(database: SqlDatabase, ring: KeyRing, warn: (message: string) => void): Promise<number> {
  return database.exclusive(() => rewrap(database, ring, 'all', warn));
}

/** Re-seals plaintext rows (`plaintext`) or every row not under the current KEK (`all`). */
function rewrap(database: SqlDatabase, ring: KeyRing, which: 'plaintext' | 'all', warn: (message: string) => void): Promise<number> {
  return scrubbing(database, warn, () =>
    database.db.transaction().execute(async (tx) => {
      const rows = await tx
        .selectFrom('realm_key')
        .select(['kid', 'realm_id', 'material', 'kek_id'])
        .where((eb) => (which === 'plaintext' ? eb('kek_id', 'is', null) : eb.or([eb('kek_id', 'is', null), eb('kek_id', '!=', ring.current.kid)])))
        .execute();
      for (const row of rows) {
        const context = realmKeyContext(row.realm_id, row.kid);
        const plaintext = row.kek_id === null ? row.material : ring.unwrap(row.kek_id, row.material, context);
        const { kekId, sealed } = ring.wrap(plaintext, context);
        await tx.updateTable('realm_key').set({ material: sealed, kek_id: kekId }).where('kid', '=', row.kid).execute();
      }
      return rows.length;
    }),
  );
}

/**
 * Runs a rewrite so that the values it replaces do not linger in the database files. Neither
 * engine overwrites a replaced row in place (SQLite keeps it in free space, even with
 * `secure_delete`, when rows move between pages; PostgreSQL keeps old row versions), so the
 * rewritten data is rebuilt: SQLite's whole file (VACUUM, then the write-ahead log is emptied),
 * PostgreSQL's `realm_key` table (a few rows per realm). Backups taken before still hold the old
 * values: see README "Secrets at rest".
 */
async function scrubbing(database: SqlDatabase, warn: (message: string) => void, work: () => Promise<number>): Promise<number> {
  const count = await work();
  if (count === 0) return 0;
  if (database.dialect === 'sqlite') {
    await sql`vacuum`.execute(database.db);
    await sql`pragma wal_checkpoint(truncate)`.execute(database.db);
  } else {
    // Needs the table's owner; without it the keys are sealed all the same, only not scrubbed.
    await sql`vacuum full realm_key`.execute(database.db).catch((error: Error) => warn(`could not rewrite realm_key to scrub the replaced values: ${error.message}`));
  }
  return count;
}
