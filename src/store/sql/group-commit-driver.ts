/**
 * Group commit for the embedded store: one SQLite transaction, and so one fsync, for every write
 * issued while the previous commit was being prepared, instead of one per write.
 *
 * better-sqlite3 is synchronous, so a write outside a transaction is its own commit and its own
 * fsync (`synchronous = FULL`) on the event loop: under concurrent refresh-token rotations the
 * node spent its time waiting for the disk, one rotation at a time. Here the first write opens
 * `BEGIN IMMEDIATE`; every statement that arrives before the next turn of the event loop (all the
 * requests parsed in the same poll phase) runs inside that transaction at once, and the commit
 * runs on `setImmediate`, its fsync off the event loop (wal-sync.ts). Each caller's promise
 * settles only once that commit is on disk, so "durable before acknowledged" (DESIGN rule 2)
 * holds per caller, and the compare-and-set of a
 * rotation keeps its exact meaning: the statements still run one after the other on the one
 * connection, each seeing the ones before it.
 *
 * - A statement that fails (a constraint, say) is undone by SQLite alone and fails only its own
 *   caller; a Kysely transaction runs inside a SAVEPOINT, so its rollback undoes only its own
 *   statements. Only an error that ends SQLite's whole transaction (disk full, I/O) or a failed
 *   COMMIT fails every caller of that group: none of them had been told it was done.
 * - Reads while a group is open, or its commit is being synced, wait for it too, so nobody is
 *   ever answered from data that is not yet on disk; other reads run at once.
 * - A Kysely transaction holds the connection (a mutex) from BEGIN to its RELEASE, since other
 *   callers' statements between its own would be undone by its rollback; it then waits for the
 *   group's commit without holding it, so concurrent logins share a commit as rotations do.
 * - A group is bounded: past MAX_GROUP statements it commits at the next chance.
 */
import type SQLite from 'better-sqlite3';
import { WalSync } from './wal-sync.ts';
import { CompiledQuery, SqliteDialect, type DatabaseConnection, type Dialect, type Driver, type QueryResult } from 'kysely';

/** Statements of one group at most, so one commit never waits behind an unbounded burst. */
const MAX_GROUP = 512;
/** Prepared statements kept (holdfast has a few hundred distinct ones). */
const STATEMENT_CACHE = 1000;
const TX_SAVEPOINT = 'holdfast_tx';
/** Statements SQLite refuses inside a transaction (the scrub after a KEK rotation vacuums, then empties the write-ahead log). */
const OUTSIDE_ANY_TRANSACTION = /^\s*(vacuum\b|pragma\s+wal_checkpoint\b)/i;

interface Group {
  durable: Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
  statements: number;
}

/** A first-come-first-served lock: the connection, while a transaction runs. */
class Mutex {
  private held = false;
  private readonly waiting: Array<() => void> = [];
  get locked(): boolean {
    return this.held;
  }
  async lock(): Promise<void> {
    if (!this.held) {
      this.held = true;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }
  /** Hands the lock to the next waiter, or frees it; true when it is free. */
  unlock(): boolean {
    const next = this.waiting.shift();
    if (next) {
      next();
      return false;
    }
    this.held = false;
    return true;
  }
}

export class GroupCommitDriver implements Driver {
  private readonly mutex = new Mutex();
  private readonly statements = new Map<string, SQLite.Statement>();
  private group: Group | undefined;
  private flushScheduled = false;
  /** Settles once the last commit is on disk; undefined when every commit is. */
  private syncing: Promise<void> | undefined;
  /** Commits so far (tests read it to see that writes were grouped). */
  commits = 0;

  constructor(
    private readonly sqlite: SQLite.Database,
    private readonly wal: WalSync,
  ) {}

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    return new GroupConnection(this);
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    const handle = connection as GroupConnection;
    await this.mutex.lock();
    try {
      this.openGroup();
      this.sqlite.exec(`SAVEPOINT ${TX_SAVEPOINT}`);
    } catch (error) {
      this.unlock();
      throw error;
    }
    handle.inTransaction = true;
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    const handle = connection as GroupConnection;
    const group = this.group;
    try {
      this.sqlite.exec(`RELEASE ${TX_SAVEPOINT}`);
    } catch (error) {
      this.failIfEnded(error);
      throw error;
    } finally {
      handle.inTransaction = false;
      this.unlock();
    }
    await group!.durable;
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    const handle = connection as GroupConnection;
    try {
      if (this.sqlite.inTransaction) {
        this.sqlite.exec(`ROLLBACK TO ${TX_SAVEPOINT}`);
        this.sqlite.exec(`RELEASE ${TX_SAVEPOINT}`);
      } else {
        this.failIfEnded(new Error('the transaction was rolled back by SQLite'));
      }
    } finally {
      handle.inTransaction = false;
      this.unlock();
    }
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    const handle = connection as GroupConnection;
    // A transaction Kysely abandoned without commit or rollback (it does not, but a held mutex would stop the node).
    if (handle.inTransaction) await this.rollbackTransaction(handle);
  }

  async destroy(): Promise<void> {
    if (this.group && !this.mutex.locked) this.flush();
    await this.wal.close();
    this.sqlite.close();
  }

  /** Runs one statement now; the caller waits for `settled` before it may use the result. */
  run(compiled: CompiledQuery): { result: QueryResult<unknown>; settled: Promise<void> } {
    const stmt = this.prepare(compiled.sql);
    // A read outside a group still waits for the last commit's sync: what it sees is on disk.
    if (stmt.readonly && !this.group) return { result: execute(stmt, compiled.parameters), settled: this.syncing ?? Promise.resolve() };
    this.openGroup();
    const group = this.group!;
    let result: QueryResult<unknown>;
    try {
      result = execute(stmt, compiled.parameters);
    } catch (error) {
      this.failIfEnded(error);
      throw error;
    }
    group.statements++;
    if (group.statements >= MAX_GROUP && !this.mutex.locked) this.flush();
    return { result, settled: group.durable };
  }

  async executeOutsideTransaction(compiled: CompiledQuery): Promise<QueryResult<unknown>> {
    if (OUTSIDE_ANY_TRANSACTION.test(compiled.sql)) return this.runAlone(compiled);
    // Wait for a running transaction: a statement between its own would be undone by its rollback.
    // The lock is let go before waiting for the commit, which needs the connection free.
    const locked = this.mutex.locked;
    if (locked) await this.mutex.lock();
    let ran: ReturnType<GroupCommitDriver['run']>;
    try {
      ran = this.run(compiled);
    } finally {
      if (locked) this.unlock();
    }
    await ran.settled;
    return ran.result;
  }

  /**
   * A statement that cannot share a group: the open group commits first, and the connection is
   * held until the statement is on disk, so no new group opens around it.
   */
  private async runAlone(compiled: CompiledQuery): Promise<QueryResult<unknown>> {
    await this.mutex.lock();
    try {
      const committed = this.group?.durable;
      this.flush();
      await committed?.catch(() => undefined); // its failure is its own callers'
      const result = execute(this.prepare(compiled.sql), compiled.parameters);
      await this.wal.sync();
      return result;
    } finally {
      this.unlock();
    }
  }

  private prepare(text: string): SQLite.Statement {
    let stmt = this.statements.get(text);
    if (!stmt) {
      stmt = this.sqlite.prepare(text);
      if (this.statements.size >= STATEMENT_CACHE) this.statements.delete(this.statements.keys().next().value!);
      this.statements.set(text, stmt);
    }
    return stmt;
  }

  private openGroup(): void {
    if (this.group) return;
    // IMMEDIATE takes the write lock now: a later statement of the group cannot fail on it.
    this.sqlite.exec('BEGIN IMMEDIATE');
    let resolve!: () => void;
    let reject!: (error: unknown) => void;
    const durable = new Promise<void>((yes, no) => {
      resolve = yes;
      reject = no;
    });
    // A group whose only transaction rolled back has nobody waiting on it.
    durable.catch(() => undefined);
    this.group = { durable, resolve, reject, statements: 0 };
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      // A transaction in the middle of its statements: it commits when it lets go (unlock).
      if (!this.mutex.locked) this.flush();
    });
  }

  private unlock(): void {
    if (this.mutex.unlock() && this.group) this.scheduleFlush();
  }

  private flush(): void {
    const group = this.group;
    if (!group) return;
    this.group = undefined;
    try {
      this.sqlite.exec('COMMIT');
      this.commits++;
    } catch (error) {
      if (this.sqlite.inTransaction) this.sqlite.exec('ROLLBACK');
      group.reject(error);
      return;
    }
    const synced = this.wal.sync();
    this.syncing = synced;
    const settled = () => {
      if (this.syncing === synced) this.syncing = undefined;
    };
    synced.then(settled, settled);
    synced.then(group.resolve, group.reject);
  }

  /** After a failed statement: if SQLite ended the whole transaction, the group's work is gone. */
  private failIfEnded(error: unknown): void {
    if (this.group && !this.sqlite.inTransaction) {
      const group = this.group;
      this.group = undefined;
      group.reject(error);
    }
  }
}

function execute(stmt: SQLite.Statement, parameters: readonly unknown[]): QueryResult<unknown> {
  if (stmt.reader) return { rows: stmt.all(parameters) };
  const { changes, lastInsertRowid } = stmt.run(parameters);
  return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
}

/** One caller's view of the single connection: inside its transaction, or not. */
class GroupConnection implements DatabaseConnection {
  inTransaction = false;
  constructor(private readonly driver: GroupCommitDriver) {}

  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    if (this.inTransaction) return this.driver.run(compiled).result as QueryResult<R>;
    return (await this.driver.executeOutsideTransaction(compiled)) as QueryResult<R>;
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming is not supported on the embedded store');
  }
}

/** Kysely's SQLite dialect with the group-committing driver in place of its own. */
export function groupCommitDialect(sqlite: SQLite.Database, walFile: string | undefined): Dialect & { driver: GroupCommitDriver } {
  const base = new SqliteDialect({ database: sqlite });
  const driver = new GroupCommitDriver(sqlite, new WalSync(walFile));
  return {
    driver,
    createAdapter: () => base.createAdapter(),
    createQueryCompiler: () => base.createQueryCompiler(),
    createIntrospector: (db) => base.createIntrospector(db),
    createDriver: () => driver,
  };
}
