/**
 * `holdfast restore --from FILE --data-dir DIR [--force]`: puts a `holdfast backup` in place in a
 * data directory, for a node started there afterwards. It checks the file and the key-encryption
 * key first (store/sql/sqlite-backup.ts), so a restore that answers 0 is one a node starts on.
 */
import { COMMANDS, ConfigError, parseConfig } from '../config/index.ts';
import { KekError } from '../crypto/index.ts';
import { BackupError, DataDirInUse, restoreSqlite } from '../store/sql/index.ts';
import { describeBackup } from './backup-command.ts';
import { takeFlags, takeSwitch } from './cli-args.ts';

export const RESTORE_USAGE = `usage: ${COMMANDS['restore'].usage}  (holdfast restore --help lists every flag)`;

export async function runRestore(argv: string[]): Promise<number> {
  let from: string;
  let force: boolean;
  let config;
  try {
    const forced = takeSwitch(argv, 'force');
    force = forced.on;
    const { values, rest } = takeFlags(forced.rest, ['from']);
    const given = values.get('from');
    if (given === undefined) throw new ConfigError('--from <file> is required');
    from = given;
    if (!rest.some((arg) => arg === '--data-dir' || arg.startsWith('--data-dir='))) throw new ConfigError('--data-dir <dir> is required (the directory to restore into)');
    config = parseConfig(rest);
    if (config.db !== 'sqlite') throw new ConfigError('restore fills an embedded data directory (--db sqlite); restore PostgreSQL with pg_restore or from a base backup (docs/operations.md)');
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`holdfast restore: ${error.message}\n${RESTORE_USAGE}`);
      return 2;
    }
    throw error;
  }
  try {
    const summary = restoreSqlite({ from, dataDir: config.dataDir, force, kek: config.kek, kekPrevious: config.kekPrevious });
    console.log(`holdfast restore: restored ${from} into ${config.dataDir}: ${describeBackup(summary)}; start a node there`);
    return 0;
  } catch (error) {
    if (error instanceof BackupError || error instanceof KekError) {
      console.error(`holdfast restore: ${error.message}`);
      return 1;
    }
    if (error instanceof DataDirInUse) {
      console.error(`holdfast restore: ${error.message}: stop it before restoring into its directory`);
      return 2;
    }
    throw error;
  }
}
