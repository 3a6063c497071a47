/**
 * Which nodes are alive, from the `node` table: each node registers on start, writes a heartbeat
 * every few seconds and deletes its row when it stops cleanly. A node is live while its
 * heartbeat is younger than the timeout, so a node killed without notice drops out of the live
 * set on its own. Times are the database's clock, so nodes need not agree on theirs.
 *
 * The live routes feed rendezvous hashing; they are refreshed with every heartbeat, so a request
 * never waits for the table.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../store/sql/index.ts';
import type { ClusterLog } from './log.ts';

/** Rows of nodes gone longer than this are deleted by whichever node starts next. */
const FORGET_AFTER_MS = 60 * 60 * 1000;

const databaseNowMs = sql<number>`(extract(epoch from clock_timestamp()) * 1000)::bigint`;

/** Heartbeats younger than this mark a live node, unless a node is given its own timeout. */
const DEFAULT_LIVE_MS = 10_000;

/** The nodes with a live heartbeat in a PostgreSQL database (for commands that need none running). */
export async function liveNodes(db: Kysely<Database>, liveMs = DEFAULT_LIVE_MS): Promise<Array<{ id: string; route: string; address: string; started_at: number }>> {
  return db.selectFrom('node').select(['id', 'route', 'address', 'started_at']).where('heartbeat_at', '>=', sql<number>`${databaseNowMs} - ${liveMs}`).orderBy('started_at').execute();
}

export interface NodeMembershipOptions {
  db: Kysely<Database>;
  nodeId: string;
  route: string;
  /** host:port, for operators reading the table. */
  address: string;
  log: ClusterLog;
  heartbeatMs?: number;
  /** A node whose heartbeat is older than this is not live. */
  liveMs?: number;
}

export class NodeMembership {
  private routes: readonly string[];
  private timer: NodeJS.Timeout | undefined;
  private beating = false;
  private leaving = false;
  private readonly heartbeatMs: number;
  private readonly liveMs: number;

  constructor(private readonly options: NodeMembershipOptions) {
    this.routes = [options.route];
    this.heartbeatMs = options.heartbeatMs ?? 2_000;
    this.liveMs = options.liveMs ?? DEFAULT_LIVE_MS;
  }

  async join(): Promise<void> {
    const { db } = this.options;
    await db.deleteFrom('node').where('heartbeat_at', '<', sql<number>`${databaseNowMs} - ${FORGET_AFTER_MS}`).execute();
    await this.register();
    const sameRoute = await db
      .selectFrom('node')
      .select('address')
      .where('route', '=', this.options.route)
      .where('id', '!=', this.options.nodeId)
      .where('heartbeat_at', '>=', sql<number>`${databaseNowMs} - ${this.liveMs}`)
      .execute();
    if (sameRoute.length > 0) {
      this.options.log.warn({ route: this.options.route, others: sameRoute.map((r) => r.address) }, 'another live node uses the same route: give each node its own --node-route');
    }
    await this.refreshRoutes();
    this.timer = setInterval(() => void this.beat(), this.heartbeatMs);
    this.timer.unref();
  }

  /** The routes of live nodes, sorted; this node's own while it has not left. */
  liveRoutes(): readonly string[] {
    return this.routes;
  }

  /** Stops heartbeats and deletes this node's row: the others stop routing to it at their next heartbeat. */
  async leave(): Promise<void> {
    if (this.leaving) return;
    this.leaving = true;
    if (this.timer) clearInterval(this.timer);
    this.routes = this.routes.filter((route) => route !== this.options.route);
    try {
      await this.options.db.deleteFrom('node').where('id', '=', this.options.nodeId).execute();
    } catch (error) {
      this.options.log.warn({ err: error }, 'could not deregister this node; it drops out when its heartbeat ages');
    }
  }

  private async register(): Promise<void> {
    await this.options.db
      .insertInto('node')
      .values({ id: this.options.nodeId, route: this.options.route, address: this.options.address, heartbeat_at: databaseNowMs, started_at: databaseNowMs })
      .execute();
  }

  private async beat(): Promise<void> {
    if (this.beating || this.leaving) return;
    this.beating = true;
    try {
      const updated = await this.options.db.updateTable('node').set({ heartbeat_at: databaseNowMs }).where('id', '=', this.options.nodeId).executeTakeFirst();
      // Deleted by another node after a long pause of this one: come back.
      if (Number(updated.numUpdatedRows) === 0 && !this.leaving) await this.register();
      await this.refreshRoutes();
    } catch (error) {
      this.options.log.warn({ err: error }, 'heartbeat failed; keeping the last known live nodes');
    } finally {
      this.beating = false;
    }
  }

  private async refreshRoutes(): Promise<void> {
    const rows = await this.options.db
      .selectFrom('node')
      .select('route')
      .distinct()
      .where('heartbeat_at', '>=', sql<number>`${databaseNowMs} - ${this.liveMs}`)
      .execute();
    const routes = new Set(rows.map((row) => row.route));
    if (this.leaving) routes.delete(this.options.route);
    else routes.add(this.options.route);
    this.routes = [...routes].sort();
  }
}
