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
 * One locator per URL in a process: the pool, the listener and the job connection share what
 * they learnt.
 */
import type pg from 'pg';
import { parsePostgresUrl, type PostgresServer, type PostgresTarget } from '../../config/index.ts';
import { loadPg, type Pg } from './pg-driver.ts';

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

export class PrimaryLocator {
  private current: number | undefined;
  private scanning: Promise<number> | undefined;
  private failedScan: { at: number; error: Error } | undefined;
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
    await this.open(client);
    return client;
  }

  /** A pool whose every new connection is opened on the writable server. */
  pool(options: pg.PoolConfig): pg.Pool {
    const locator = this;
    const Base = this.pg.Client;
    class PrimaryClient extends Base {
      override connect(): Promise<pg.Client>;
      override connect(callback: (error: Error) => void): void;
      // The pool calls connect(callback) and expects the driver's own callback contract.
      override connect(callback?: (error: Error) => void): Promise<pg.Client> | void {
        const opened = locator.open(this as unknown as Client, () => super.connect()).then(() => this);
        if (!callback) return opened;
        opened.then(() => (callback as unknown as (error: null, client: pg.Client) => void)(null, this), callback);
      }
    }
    return new this.pg.Pool({ ...this.withCredentials(options), Client: PrimaryClient });
  }

  /** User, password, database and parameters are the same on every host: take them from the first. */
  private withCredentials<T extends pg.ClientConfig>(options: T): T {
    return { ...options, connectionString: this.target.servers[0].url };
  }

  /**
   * Points `client` at the writable server, connects it and checks it takes writes; on any failure
   * the client is closed and the next connection scans the hosts again.
   */
  private async open(client: Client, connect: () => Promise<unknown> = () => client.connect()): Promise<void> {
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
  }

  private forget(index: number): void {
    if (this.current === index) this.current = undefined;
  }

  private async checkWritable(client: pg.Client, server: PostgresServer): Promise<void> {
    const { rows } = await client.query<{ read_only: string; recovery: boolean }>(
      this.target.targetSessionAttrs === 'primary'
        ? "SELECT current_setting('transaction_read_only') AS read_only, pg_is_in_recovery() AS recovery"
        : "SELECT current_setting('transaction_read_only') AS read_only, false AS recovery",
    );
    if (rows[0]?.read_only !== 'off' || rows[0]?.recovery) throw new ReadOnlyServer(`PostgreSQL ${server.name} is read-only (a standby): holdfast never writes there`);
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
