/**
 * Finds the writable PostgreSQL server among the hosts of a multi-host `--db-url` and connects to
 * it: the pool, the LISTEN connection, the job-lock and schema-lock connections all come through
 * here. The `pg` driver knows one host per connection, so host selection is ours, as libpq does it
 * for `target_session_attrs=read-write`: try the hosts in the order given, accept the first that
 * says it takes writes. The server found is remembered; a connection to it that fails to open, or
 * a server that now says it is read-only, makes the next connection look again, so after a
 * promotion every connection moves to the new primary by itself. Every connection is checked
 * when it opens, so none is ever handed out on a server that reports itself a standby.
 *
 * A server that stops taking writes while connections to it are open (demoted, fenced with
 * `default_transaction_read_only`, or the other side promoted) is retired: every connection this
 * locator opened there is closed (the listener and the job-lock connection reconnect, to the new
 * primary) or, for the pool, replaced the next time it is handed out, instead of failing request
 * after request with "read-only transaction".
 *
 * The request pool can bound each query (bounded-query.ts), so a commit that waits for a
 * synchronous standby that is gone answers 503 instead of hanging the request.
 *
 * One locator per URL in a process: the pool, the listener and the job connection share what
 * they learnt.
 */
import type pg from 'pg';
import { parsePostgresUrl, type PostgresServer, type PostgresTarget } from '../../config/index.ts';
import { loadPg, type Pg } from './pg-driver.ts';
import { boundQuery, QueryBound, type BoundedClient } from './bounded-query.ts';
import { preparedStatementName } from './prepared-statements.ts';

/** Each host gets this long to accept a connection during a scan, so a scan is bounded. */
const SCAN_CONNECT_TIMEOUT_MS = 2_000;
/** A scan that found nothing is reused this long: a database that is away costs one scan, not one per request. */
const FAILED_SCAN_REUSE_MS = 250;

/** Thrown when no host is writable now; without an SQLSTATE, so requests get 503 (unavailable-database.ts). */
export class NoWritablePrimary extends Error {
  override readonly name = 'NoWritablePrimary';
}

/**
 * A server that answered but takes no writes: a standby, or a primary that was fenced. Like a
 * lost connection it has no SQLSTATE, so the request that needed it gets 503.
 */
export class ReadOnlyServer extends Error {
  override readonly name = 'ReadOnlyServer';
}

type Client = pg.Client & { connectionParameters: { host: string; port: number } };

/** What the locator keeps about each connection it opened: where, and whether the pool owns it. */
interface Opened {
  index: number;
  pooled: boolean;
  /** Set when its server stopped being the primary: the pool replaces the connection. */
  retired: boolean;
}

/** SQLSTATE read_only_sql_transaction: the server refused a write. */
const READ_ONLY_TRANSACTION = '25006';

export class PrimaryLocator {
  private current: number | undefined;
  private scanning: Promise<number> | undefined;
  private failedScan: { at: number; error: Error } | undefined;
  /** The server the last successful scan settled on, to notice that the primary moved. */
  private lastFound: number | undefined;
  private readonly opened = new Map<pg.Client, Opened>();
  /** Host and port of each server, as the driver reads them from its URL. */
  private readonly addresses: Array<{ host: string; port: number }>;

  constructor(
    private readonly pg: Pg,
    readonly target: PostgresTarget,
  ) {
    this.addresses = target.servers.map(({ url }) => {
      const { host, port } = (new pg.Client({ connectionString: url }) as Client).connectionParameters;
      return { host, port };
    });
  }

  /** More than one host: a deployment over sites. */
  get multiHost(): boolean {
    return this.target.servers.length > 1;
  }

  /** The server currently believed primary, for messages and health details. */
  get primaryName(): string | undefined {
    return this.current === undefined ? undefined : this.target.servers[this.current].name;
  }

  /** A connected client on the writable server, with `options` (timeouts, application name). */
  async connect(options: pg.ClientConfig): Promise<pg.Client> {
    const client = new this.pg.Client(this.withCredentials(options)) as Client;
    await this.open(client, false);
    return client;
  }

  /**
   * A pool whose every new connection is opened on the writable server. With `queryTimeoutMs`,
   * a query that has not answered by then fails with QueryBound (503) and its connection stays
   * out of the pool until the server answers (bounded-query.ts); a connection retired because
   * its server stopped being the primary is closed instead of handed out again.
   */
  pool(options: pg.PoolConfig, { queryTimeoutMs = 0 }: { queryTimeoutMs?: number } = {}): pg.Pool {
    const locator = this;
    const BaseClient = this.pg.Client;
    class PrimaryClient extends BaseClient {
      override connect(): Promise<pg.Client>;
      override connect(callback: (error: Error) => void): void;
      // The pool calls connect(callback) and expects the driver's own callback contract.
      override connect(callback?: (error: Error) => void): Promise<pg.Client> | void {
        const opened = locator.open(this as unknown as Client, true, () => super.connect()).then(() => this);
        if (!callback) return opened;
        opened.then(() => (callback as unknown as (error: null, client: pg.Client) => void)(null, this), callback);
      }

      // Kysely sends every statement, BEGIN and COMMIT included, as query(text, values).
      override query(...args: unknown[]): never {
        const bounded = queryTimeoutMs > 0 && typeof args[0] === 'string' && typeof args.at(-1) !== 'function';
        // A hot-path statement goes as a named prepared statement (prepared-statements.ts).
        const name = typeof args[0] === 'string' ? preparedStatementName(args[0]) : undefined;
        const sent = name && Array.isArray(args[1]) ? [{ name, text: args[0], values: args[1] }, ...args.slice(2)] : args;
        const send = () => (super.query as (...a: unknown[]) => unknown)(...sent);
        const result = bounded ? boundQuery(this as unknown as BoundedClient, queryTimeoutMs, send as () => Promise<unknown>) : send();
        if (result instanceof Promise) result.catch((error: unknown) => locator.noticeFailure(this, error));
        return result as never;
      }
    }
    const BasePool = this.pg.Pool;
    class PrimaryPool extends BasePool {
      override connect(): Promise<pg.PoolClient>;
      override connect(callback: (error: Error | undefined, client: pg.PoolClient | undefined, done: (release?: unknown) => void) => void): void;
      override connect(callback?: (error: Error | undefined, client: pg.PoolClient | undefined, done: (release?: unknown) => void) => void): Promise<pg.PoolClient> | void {
        if (callback) return super.connect(callback);
        return locator.checkout(() => super.connect(), this.options.max ?? 10);
      }
    }
    return new PrimaryPool({ ...this.withCredentials(options), keepAlive: true, Client: PrimaryClient });
  }

  /**
   * A pooled connection for a request: retired ones (on a server that is no longer the primary)
   * are closed rather than used. Released, a connection whose query outlived its bound goes back
   * only once the server has answered it, and then closed: the transaction it was in is unknown.
   */
  private async checkout(acquire: () => Promise<pg.PoolClient>, max: number): Promise<pg.PoolClient> {
    for (let attempt = 0; ; attempt += 1) {
      const client = await acquire();
      if (this.opened.get(client)?.retired && attempt <= max) {
        client.release(new ReadOnlyServer('retired: its server is no longer the primary'));
        continue;
      }
      const release = client.release;
      client.release = (error?: Error | boolean) => {
        const pending = (client as unknown as BoundedClient).unanswered;
        if (pending) {
          // Settles later, outside any request: nothing may escape it as an unhandled rejection.
          void pending.then(() => release(new QueryBound('closed after an unanswered query'))).catch(() => undefined);
          return;
        }
        release(error ?? (this.opened.get(client)?.retired ? new ReadOnlyServer('retired: its server is no longer the primary') : undefined));
      };
      return client;
    }
  }

  /** A query failed: a refused write means this server is no longer the primary. */
  private noticeFailure(client: pg.Client, error: unknown): void {
    if ((error as { code?: string } | null)?.code !== READ_ONLY_TRANSACTION) return;
    const opened = this.opened.get(client);
    if (opened) this.retire(opened.index);
  }

  /**
   * `index` is not the primary (any more): the next connection scans, the connections opened
   * there are closed (dedicated ones, and pooled ones stuck on a query, which may never answer)
   * or replaced when the pool next hands them out.
   */
  retire(index: number): void {
    this.forget(index);
    for (const [client, opened] of this.opened) {
      if (opened.index !== index) continue;
      opened.retired = true;
      if (!opened.pooled || (client as unknown as BoundedClient).unanswered) void client.end().catch(() => undefined);
    }
  }

  /** Every host of the URL, in its order (health details). */
  get servers(): readonly PostgresServer[] {
    return this.target.servers;
  }

  /** The driver, for connections to one given host (the host survey). */
  get driver(): Pg {
    return this.pg;
  }

  /** User, password, database and parameters are the same on every host: take them from the first. */
  private withCredentials<T extends pg.ClientConfig>(options: T): T {
    return { ...options, connectionString: this.target.servers[0].url };
  }

  /**
   * Points `client` at the writable server, connects it and checks it takes writes; on any failure
   * the client is closed and the next connection scans the hosts again.
   */
  private async open(client: Client, pooled: boolean, connect: () => Promise<unknown> = () => client.connect()): Promise<void> {
    const index = await this.primary();
    const server = this.target.servers[index];
    const { host, port } = this.addresses[index];
    // pg reads the address when it connects, not when the client is made (pg 8's Client): set it
    // and the parameters its cancel requests use.
    client.host = client.connectionParameters.host = host;
    client.port = client.connectionParameters.port = port;
    try {
      await connect();
      await this.checkWritable(client, server);
    } catch (error) {
      this.forget(index);
      await client.end().catch(() => undefined);
      throw error;
    }
    // The connection died under a query or while idle: the server may be gone, so the next
    // connection looks for the primary again instead of trying the dead one first.
    client.on('error', () => this.forget(index));
    this.opened.set(client, { index, pooled, retired: false });
    client.once('end', () => this.opened.delete(client));
  }

  private forget(index: number): void {
    if (this.current === index) this.current = undefined;
  }

  private async checkWritable(client: pg.Client, server: PostgresServer): Promise<void> {
    const { rows } = await client.query<{ read_only: string; recovery: boolean }>("SELECT current_setting('transaction_read_only') AS read_only, pg_is_in_recovery() AS recovery");
    if (!this.acceptsWrites(rows[0])) throw new ReadOnlyServer(`PostgreSQL ${server.name} is read-only (a standby): holdfast never writes there`);
  }

  /** libpq's rule: read-write needs `transaction_read_only` off; primary also not in recovery. */
  acceptsWrites(row: { read_only: string; recovery: boolean } | undefined): boolean {
    return row?.read_only === 'off' && !(this.target.targetSessionAttrs === 'primary' && row.recovery);
  }

  /** The index of the writable server: the remembered one, or the first found by a scan. */
  private primary(): Promise<number> {
    if (this.current !== undefined) return Promise.resolve(this.current);
    // One host: nothing to choose; its connection check refuses it if it is a standby.
    if (!this.multiHost) return Promise.resolve(0);
    if (this.failedScan && Date.now() - this.failedScan.at < FAILED_SCAN_REUSE_MS) return Promise.reject(this.failedScan.error);
    this.scanning ??= this.scan().finally(() => {
      this.scanning = undefined;
    });
    return this.scanning;
  }

  private async scan(): Promise<number> {
    const reasons: string[] = [];
    for (const [index, server] of this.target.servers.entries()) {
      const probe = new this.pg.Client({ connectionString: server.url, application_name: 'holdfast-probe', connectionTimeoutMillis: SCAN_CONNECT_TIMEOUT_MS, query_timeout: SCAN_CONNECT_TIMEOUT_MS });
      probe.on('error', () => {});
      try {
        await probe.connect();
        await this.checkWritable(probe, server);
        this.current = index;
        this.failedScan = undefined;
        // The primary moved: whatever is still open on the old one goes, listener and locks included.
        if (this.lastFound !== undefined && this.lastFound !== index) this.retire(this.lastFound);
        this.lastFound = index;
        return index;
      } catch (error) {
        reasons.push(error instanceof ReadOnlyServer ? `${server.name}: read-only standby` : `${server.name}: ${(error as Error).message || (error as { code?: string }).code}`);
      } finally {
        await probe.end().catch(() => undefined);
      }
    }
    const error = new NoWritablePrimary(`no writable PostgreSQL primary (${reasons.join('; ')})`);
    this.failedScan = { at: Date.now(), error };
    throw error;
  }
}

const locators = new Map<string, Promise<PrimaryLocator>>();

/** The locator of `url`, shared by every connection of this process to that database. */
export function primaryLocator(url: string): Promise<PrimaryLocator> {
  let locator = locators.get(url);
  if (!locator) {
    locator = loadPg().then((pg) => new PrimaryLocator(pg, parsePostgresUrl(url)));
    locators.set(url, locator);
  }
  return locator;
}
