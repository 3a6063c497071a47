/**
 * What each host of the `--db-url` says about itself right now, for `/health/ready` and the
 * synchronous-standby watch: which one is the primary, which are read-only (standbys, a fenced or
 * demoted primary) and which cannot be reached; and, on the primary, how it replicates and
 * whether commits are waiting for a synchronous standby (`pg_stat_activity`, wait event
 * `SyncRep`).
 *
 * Each host gets a connection of its own, kept open between surveys and outside the request
 * pool: a pool full of commits waiting for a lost standby must not hide why. These connections
 * only read, so they never wait for the standby themselves; their queries are bounded and a
 * connection that fails is opened again at the next survey.
 *
 * A survey that finds a host read-only retires it (postgres-primary.ts): connections the node
 * still has there (it was the primary until it was demoted) move to the new primary without
 * waiting for a request to fail there.
 */
import type pg from 'pg';
import type { PrimaryLocator } from './postgres-primary.ts';

const PROBE_TIMEOUT_MS = 2_000;

export interface PrimaryReplication {
  /** `synchronous_standby_names` and `synchronous_commit`, as the primary has them. */
  names: string;
  commit: string;
  /** Standbys streaming, of which confirming commits (`sync`/`quorum`), and whose state is hidden (no `pg_monitor`). */
  standbys: number;
  sync: number;
  hidden: number;
  /** Backends whose COMMIT waits for a synchronous standby, and the longest such wait. */
  waiting: number;
  longestWaitSeconds: number;
}

export interface HostState {
  name: string;
  role: 'primary' | 'read-only' | 'unreachable';
  /** Why it is unreachable, as the driver said. */
  detail?: string;
  replication?: PrimaryReplication;
}

/** The survey's answer: what any host says of itself, and the primary's replication state. */
type Row = PrimaryReplication & { read_only: string; recovery: boolean };

const SURVEY = `SELECT current_setting('transaction_read_only') AS read_only, pg_is_in_recovery() AS recovery,
  current_setting('synchronous_standby_names') AS names, current_setting('synchronous_commit') AS commit,
  (SELECT count(*)::int FROM pg_stat_replication) AS standbys,
  (SELECT count(*)::int FROM pg_stat_replication WHERE sync_state IN ('sync', 'quorum')) AS sync,
  (SELECT count(*)::int FROM pg_stat_replication WHERE sync_state IS NULL) AS hidden,
  (SELECT count(*)::int FROM pg_stat_activity WHERE wait_event = 'SyncRep') AS waiting,
  (SELECT coalesce(extract(epoch FROM now() - min(query_start)), 0)::float8 FROM pg_stat_activity WHERE wait_event = 'SyncRep') AS "longestWaitSeconds"`;

export class HostSurvey {
  private readonly clients: Array<pg.Client | undefined>;

  constructor(private readonly locator: PrimaryLocator) {
    this.clients = locator.servers.map(() => undefined);
  }

  /** Every host, in the URL's order; never throws. */
  survey(): Promise<HostState[]> {
    return Promise.all(this.locator.servers.map((_, index) => this.ask(index)));
  }

  async close(): Promise<void> {
    const open = this.clients.splice(0, this.clients.length, ...this.clients.map(() => undefined));
    await Promise.all(open.map((client) => client?.end().catch(() => undefined)));
  }

  private async ask(index: number): Promise<HostState> {
    const server = this.locator.servers[index];
    try {
      // A kept connection may have died with a restart since the last survey: one fresh try.
      const row = await this.read(index).catch(() => this.read(index));
      if (!this.locator.acceptsWrites(row)) {
        // Connections still open there (it was the primary until now) move to the new one.
        this.locator.retire(index);
        return { name: server.name, role: 'read-only' };
      }
      const { read_only: _, recovery: __, ...replication } = row;
      return { name: server.name, role: 'primary', replication };
    } catch (error) {
      return { name: server.name, role: 'unreachable', detail: (error as Error).message || String((error as { code?: string }).code) };
    }
  }

  private async read(index: number): Promise<Row> {
    const client = await this.connection(index);
    try {
      return (await client.query<Row>(SURVEY)).rows[0];
    } catch (error) {
      if (this.clients[index] === client) this.clients[index] = undefined;
      await client.end().catch(() => undefined);
      throw error;
    }
  }

  private async connection(index: number): Promise<pg.Client> {
    const existing = this.clients[index];
    if (existing) return existing;
    const client = new this.locator.driver.Client({
      connectionString: this.locator.servers[index].url,
      application_name: 'holdfast-survey',
      connectionTimeoutMillis: PROBE_TIMEOUT_MS,
      query_timeout: PROBE_TIMEOUT_MS,
      keepAlive: true,
    });
    // A connection that dies while idle is noticed by the next survey's query.
    client.on('error', () => {});
    try {
      await client.connect();
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    this.clients[index] = client;
    return client;
  }
}
