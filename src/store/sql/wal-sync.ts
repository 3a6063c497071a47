/**
 * The fsync that makes SQLite commits durable, off the event loop and shared by every commit made
 * while the previous one ran.
 *
 * With `synchronous = FULL` SQLite calls fsync inside COMMIT, and better-sqlite3 runs COMMIT on
 * the event loop: the node then did nothing else for the length of a disk flush, once per write.
 * The database runs with `synchronous = NORMAL` instead (WAL frames are written at COMMIT, so a
 * commit survives a crash of the process at once, and checkpoints still sync), and this class
 * fsyncs the WAL file through libuv's thread pool before any caller is answered, so the commit
 * also survives a power cut (DESIGN rule 2). A sync covers every commit made before it started:
 * commits that arrive while one is running wait for the next, and share it.
 */
import fs from 'node:fs/promises';

export class WalSync {
  private handle: Promise<fs.FileHandle> | undefined;
  private running: Promise<void> | undefined;
  private queued: Promise<void> | undefined;
  /** fsyncs done so far (tests read it). */
  syncs = 0;

  /** `walFile` undefined: an in-memory database, with nothing to sync. */
  constructor(private readonly walFile: string | undefined) {}

  /** Resolves once every commit made before this call is on disk. */
  sync(): Promise<void> {
    if (this.walFile === undefined) return Promise.resolve();
    if (!this.running) {
      this.running = this.flush().finally(() => {
        this.running = undefined;
      });
      return this.running;
    }
    // The running sync may have started before this commit's frames were written: take the next.
    this.queued ??= this.running
      .catch(() => undefined)
      .then(() => {
        this.queued = undefined;
        return this.sync();
      });
    return this.queued;
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.running, this.queued]);
    const handle = this.handle;
    this.handle = undefined;
    if (handle) await (await handle).close();
  }

  private async flush(): Promise<void> {
    try {
      // fsync flushes the file, whichever descriptor names it: one of our own, kept open.
      this.handle ??= fs.open(this.walFile!, 'r');
      await (await this.handle).sync();
      this.syncs++;
    } catch (error) {
      this.handle = undefined;
      // Reported as SQLite reports a failed write, so callers answer 503 as for any I/O error.
      throw Object.assign(new Error(`syncing ${this.walFile} failed: ${(error as Error).message}`, { cause: error }), { code: 'SQLITE_IOERR_FSYNC' });
    }
  }
}
