/**
 * `holdfast backup --to FILE`: a consistent copy of the embedded store, taken while a node serves
 * from the same data directory (store/sql/sqlite-backup.ts says how). PostgreSQL has its own
 * tools for this (docs/operations.md): the command says so rather than half-doing it.
 */
import { COMMANDS, ConfigError, parseConfig } from '../config/index.ts';
import { backupSqlite, BackupError, defaultKekFile, type BackupSummary } from '../store/sql/index.ts';
import { takeFlags } from './cli-args.ts';

export const BACKUP_USAGE = `usage: ${COMMANDS['backup'].usage}  (holdfast backup --help lists every flag)`;

export async function runBackup(argv: string[]): Promise<number> {
  let to: string;
  let config;
  try {
    const { values, rest } = takeFlags(argv, Object.keys(COMMANDS.backup.flags));
    const given = values.get('to');
    if (given === undefined) throw new ConfigError('--to <file> is required');
    to = given;
    config = parseConfig(rest);
    if (config.db !== 'sqlite') throw new ConfigError('backup copies the embedded store (--db sqlite); back up PostgreSQL with pg_dump or pg_basebackup and WAL archiving (docs/operations.md)');
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`holdfast backup: ${error.message}\n${BACKUP_USAGE}`);
      return 2;
    }
    throw error;
  }
  try {
    const summary = await backupSqlite(config.dataDir, to);
    console.log(`holdfast backup: wrote ${to}: ${describeBackup(summary)}`);
    if (summary.sealedUnder.length > 0) {
      const where = config.kek && 'file' in config.kek ? config.kek.file : config.kek ? 'HOLDFAST_KEK' : defaultKekFile(config.dataDir);
      console.log(`holdfast backup: the realm keys are sealed under key-encryption key ${summary.sealedUnder.join(', ')}, which is not in the backup: keep ${where} safe, apart from it; a restore needs it`);
    }
    return 0;
  } catch (error) {
    if (error instanceof BackupError) {
      console.error(`holdfast backup: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

/** One line an operator can compare between a backup and its restore. */
export function describeBackup(summary: BackupSummary): string {
  const { realms, users, realmKeys, userSessions, clientSessions } = summary.counts;
  const n = (value: number) => value.toLocaleString('en-US');
  return `schema ${summary.schema}, ${n(realms)} realms, ${n(users)} users, ${n(realmKeys)} realm keys, ${n(userSessions)} user sessions, ${n(clientSessions)} client sessions, ${n(summary.bytes)} bytes`;
}
