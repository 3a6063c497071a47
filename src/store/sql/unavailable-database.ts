/**
 * Turns "the database cannot answer now" into StoreUnavailable, at the one place every query
 * passes through (the Kysely driver), so that realm reads, session writes and cluster chatter
 * alike give a request a quick 503 instead of a 500: PostgreSQL stopped, restarting or
 * unreachable; SQLite busy (another process holds the write lock), full or failing to write.
 * Every other error (a constraint, a bug) passes through unchanged for its caller to handle.
 */
import type { DatabaseConnection, Dialect, Driver, QueryResult, TransactionSettings } from 'kysely';
import { StoreUnavailable } from '../../errors/index.ts';

export type UnavailableTest = (error: unknown) => boolean;

const code = (error: unknown): string | undefined => {
  const value = (error as { code?: unknown } | null)?.code;
  return typeof value === 'string' ? value : undefined;
};

/** Socket-level failures, as Node reports them. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * PostgreSQL: the server reports its own errors with an SQLSTATE; the driver's own errors (socket
 * closed, connect timeout, "Connection terminated unexpectedly") have none, and all mean the
 * connection is gone. SQLSTATE classes 08 (connection), 53 (resources: too many connections,
 * disk full), 57 (shutdown, starting up, cancelled) and 58 (I/O), and 25006 (a read-only
 * standby: the primary moved), are the server saying it cannot serve now.
 */
export function postgresUnavailable(isServerError: (error: unknown) => boolean): UnavailableTest {
  return (error) => {
    if (!(error instanceof Error)) return false;
    const sqlState = code(error);
    if (!isServerError(error)) return sqlState === undefined || NETWORK_CODES.has(sqlState);
    return sqlState !== undefined && (/^(08|53|57|58)/.test(sqlState) || sqlState === '25006');
  };
}

/** SQLite (better-sqlite3's extended result codes): locked by another connection, full, or I/O. */
export const sqliteUnavailable: UnavailableTest = (error) => /^SQLITE_(BUSY|LOCKED|FULL|IOERR|CANTOPEN|NOMEM|PROTOCOL|READONLY)/.test(code(error) ?? '');

/** `dialect` whose driver reports unavailability as StoreUnavailable. */
export function failingAsUnavailable(dialect: Dialect, isUnavailable: UnavailableTest): Dialect {
  return {
    createAdapter: () => dialect.createAdapter(),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createIntrospector: (db) => dialect.createIntrospector(db),
    createDriver: () => new UnavailableMappingDriver(dialect.createDriver(), isUnavailable),
  };
}

class UnavailableMappingDriver implements Driver {
  /** Our wrapper of each connection the inner driver handed out, and back: it expects its own. */
  private readonly inner = new WeakMap<DatabaseConnection, DatabaseConnection>();

  constructor(
    private readonly driver: Driver,
    private readonly isUnavailable: UnavailableTest,
  ) {}

  private async mapped<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw this.isUnavailable(error) ? new StoreUnavailable(error, 'database') : error;
    }
  }

  private unwrap(connection: DatabaseConnection): DatabaseConnection {
    return this.inner.get(connection) ?? connection;
  }

  init(): Promise<void> {
    return this.mapped(() => this.driver.init());
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const connection = await this.mapped(() => this.driver.acquireConnection());
    const wrapper: DatabaseConnection = {
      executeQuery: <R>(query: Parameters<DatabaseConnection['executeQuery']>[0]): Promise<QueryResult<R>> => this.mapped(() => connection.executeQuery<R>(query)),
      streamQuery: (query, chunkSize) => connection.streamQuery(query, chunkSize),
    };
    this.inner.set(wrapper, connection);
    return wrapper;
  }

  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return this.mapped(() => this.driver.beginTransaction(this.unwrap(connection), settings));
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return this.mapped(() => this.driver.commitTransaction(this.unwrap(connection)));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    try {
      await this.driver.rollbackTransaction(this.unwrap(connection));
    } catch (error) {
      // Kysely reports a failed ROLLBACK instead of the error that caused it. It fails when the
      // connection died, or when SQLite already rolled back by itself (disk full, I/O error):
      // either way the database is what went wrong, not the request.
      throw new StoreUnavailable(error, 'database');
    }
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    const inner = this.unwrap(connection);
    this.inner.delete(connection);
    return this.driver.releaseConnection(inner);
  }

  destroy(): Promise<void> {
    return this.driver.destroy();
  }
}
