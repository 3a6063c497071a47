/**
 * One holdfast process per SQLite data directory. Two servers on one file each trust their own
 * caches (a logout on one goes unseen by the other), and a CLI import under a running server
 * leaves it serving the realm it cached; so whoever opens `<data-dir>` first holds it, and the
 * next opener is refused with the holder's pid.
 *
 * The lock is SQLite's own: `holdfast.lock`, a small database opened in exclusive locking mode and
 * written once, so the connection keeps an exclusive POSIX lock on it until it closes. The
 * operating system drops that lock when the process ends in any way (kill -9, power loss
 * included), so a lock is never stale and no pid needs checking. `holdfast.pid` beside it only
 * names the holder in the refusal message; it is never what decides.
 *
 * A node with `--workers N` is one holder: its primary process takes the lock and keeps it for the
 * life of the node, and its workers (which open the file themselves, in WAL mode) inherit it. A
 * worker is recognised by the primary's pid in HOLDFAST_DATA_DIR_HOLDER and by being that
 * process's node:cluster child; anything else still has to take the lock, and is refused.
 */
import fs from 'node:fs';
import path from 'node:path';
import cluster from 'node:cluster';
import SQLite from 'better-sqlite3';

export const LOCK_FILE = 'holdfast.lock';
export const PID_FILE = 'holdfast.pid';
/** Set by the primary for its workers: the pid of the process that holds the data directory. */
export const HOLDER_VARIABLE = 'HOLDFAST_DATA_DIR_HOLDER';

/** The data directory is held by another process (or another open database in this one). */
export class DataDirInUse extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number | undefined,
  ) {
    super(`data directory ${dataDir} is in use by another holdfast process${pid !== undefined ? ` (pid ${pid})` : ''}`);
  }
}

export interface DataDirLock {
  release(): void;
}

/** Takes the data directory for this process, or throws DataDirInUse at once (no waiting). */
export function lockDataDir(dataDir: string): DataDirLock {
  fs.mkdirSync(dataDir, { recursive: true });
  const lock = new SQLite(path.join(dataDir, LOCK_FILE), { timeout: 0 });
  try {
    lock.pragma('locking_mode = EXCLUSIVE');
    // The first write takes the exclusive lock; exclusive locking mode keeps it after the commit.
    lock.exec('CREATE TABLE IF NOT EXISTS holder (pid INTEGER NOT NULL)');
    lock.transaction(() => {
      lock.exec('DELETE FROM holder');
      lock.prepare('INSERT INTO holder (pid) VALUES (?)').run(process.pid);
    }).exclusive();
  } catch (error) {
    lock.close();
    if ((error as { code?: string }).code === 'SQLITE_BUSY') throw new DataDirInUse(dataDir, holderPid(dataDir));
    throw error;
  }
  const pidFile = path.join(dataDir, PID_FILE);
  fs.writeFileSync(pidFile, `${process.pid}\n`);
  return {
    release() {
      if (!lock.open) return;
      if (holderPid(dataDir) === process.pid) fs.rmSync(pidFile, { force: true });
      lock.close();
    },
  };
}

function holderPid(dataDir: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(path.join(dataDir, PID_FILE), 'utf8').trim());
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** The running process that holds the data directory, if one does (a pid file left by a crash names a process that is gone). */
export function dataDirHolder(dataDir: string): number | undefined {
  const pid = holderPid(dataDir);
  if (pid === undefined) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as { code?: string }).code === 'EPERM' ? pid : undefined;
  }
}

/**
 * The lock this process inherits from its primary (a worker of the node that holds the data
 * directory), or undefined when it has none and must take it.
 */
export function inheritedDataDirLock(dataDir: string, env: NodeJS.ProcessEnv = process.env): DataDirLock | undefined {
  const holder = Number(env[HOLDER_VARIABLE]);
  if (!cluster.isWorker || !Number.isSafeInteger(holder) || holder !== process.ppid || holderPid(dataDir) !== holder) return undefined;
  // The primary releases it; a worker has nothing to let go.
  return { release() {} };
}
