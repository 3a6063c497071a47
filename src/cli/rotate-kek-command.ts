/**
 * `holdfast rotate-kek --kek-file <new> --kek-previous-file <old>`: re-wraps every realm key (and
 * so every client secret, sealed under its realm's key) under the new key-encryption key, in one
 * transaction. Run it once every node already holds both keys; afterwards the old key opens
 * nothing in the database and the nodes are restarted with the new one alone (README "Secrets at
 * rest"). The flags and variables are those of `start`.
 */
import { COMMANDS, ConfigError, parseConfig, type Config } from '../config/index.ts';
import { KekError } from '../crypto/index.ts';
import { rotateKeyEncryptionKey } from '../store/sql/index.ts';
import { openRealmStore, RealmStoreInUse } from './realm-store.ts';

export const ROTATE_KEK_USAGE = `usage: ${COMMANDS['rotate-kek'].usage}  (holdfast rotate-kek --help lists every flag)`;

export async function runRotateKek(argv: string[]): Promise<number> {
  let config: Config;
  try {
    config = parseConfig(argv);
    if (!config.kek) throw new ConfigError('the new key-encryption key is needed: --kek-file <path> or HOLDFAST_KEK');
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`holdfast rotate-kek: ${error.message}\n${ROTATE_KEK_USAGE}`);
      return 2;
    }
    throw error;
  }
  let store;
  try {
    store = await openRealmStore(config, 'rotate-kek');
  } catch (error) {
    if (error instanceof RealmStoreInUse || error instanceof KekError) {
      console.error(`holdfast rotate-kek: ${error.message}`);
      return 2;
    }
    throw error;
  }
  try {
    const { current, previous } = store.keyRing;
    const count = await rotateKeyEncryptionKey(store.database, store.keyRing, (message) => console.error(`holdfast rotate-kek: warning: ${message}`));
    console.log(
      count === 0
        ? `holdfast rotate-kek: every realm key is already sealed under kid ${current.kid}`
        : `holdfast rotate-kek: re-wrapped ${count} realm keys under kid ${current.kid}${previous ? ` (from kid ${previous.kid})` : ''}; restart every node with the new key alone, then destroy the old one`,
    );
    return 0;
  } finally {
    await store.close();
  }
}
