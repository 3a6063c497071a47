/**
 * A node's place among its peers: the invalidation bus, the live routes and the singleton jobs.
 * On PostgreSQL (`--db postgres`) nodes find each other through the database (LISTEN/NOTIFY,
 * the `node` table, advisory locks); anything else is a single node with local equivalents.
 */
import type { Kysely } from 'kysely';
import { newId } from '../crypto/index.ts';
import { LocalInvalidationBus, type InvalidationBus } from '../store/cache/index.ts';
import type { Database } from '../store/sql/index.ts';
import type { ClusterLog } from './log.ts';
import { NodeMembership } from './node-membership.ts';
import { PgInvalidationBus } from './pg-invalidation-bus.ts';
import { IpcInvalidationBus } from './ipc-invalidation-bus.ts';
import { rendezvousRoute } from './rendezvous.ts';
import { LocalSingletonJobs, PgSingletonJobs, type SingletonJobs } from './singleton-jobs.ts';
import { ReplicationWatch, type ReplicationReport } from './replication-watch.ts';
import { primaryLocator } from '../store/sql/index.ts';

export { rendezvousRoute } from './rendezvous.ts';
export { PgInvalidationBus, INVALIDATION_CHANNEL, parseEnvelope } from './pg-invalidation-bus.ts';
export { liveNodes, NodeMembership } from './node-membership.ts';
export { LocalSingletonJobs, PgSingletonJobs, type SingletonJobs } from './singleton-jobs.ts';
export type { ClusterLog } from './log.ts';
export { WorkerPool } from './worker-pool.ts';
export { WORKER_INDEX_VARIABLE, WORKER_PREPARES_VARIABLE, type WorkerMessage } from './worker-messages.ts';
export { describeHosts, judgeReplication, type ReplicationReport } from './replication-watch.ts';

export interface Cluster {
  readonly nodeId: string;
  /** This node's route (`--node-route`). */
  readonly route: string;
  readonly bus: InvalidationBus;
  readonly jobs: SingletonJobs;
  /**
   * PostgreSQL: how its hosts stand, as last surveyed (replication-watch.ts): whether commits are
   * blocked on a synchronous standby, and, with several hosts, whether one confirms them;
   * undefined elsewhere.
   */
  replication(): (ReplicationReport & { multiSite: boolean }) | undefined;
  /** The live node a key is pinned to (rendezvous hashing); a routing hint, never a requirement. */
  routeFor(key: string): string;
  /** The routes of the live nodes, this one's included until it leaves (metrics). */
  liveRoutes(): readonly string[];
  /** Leaves the live set (before the node stops serving); jobs and the bus keep running. */
  leave(): Promise<void>;
  /** Stops jobs and the bus; call after the last request is answered. */
  close(): Promise<void>;
}

export interface JoinOptions {
  url: string;
  db: Kysely<Database>;
  route: string;
  address: string;
  log: ClusterLog;
  /** This node's id in the `node` table (the one it records in `schema_node`); a new one if not given. */
  nodeId?: string;
}

/** Joins the cluster of nodes sharing this PostgreSQL database. */
export async function joinCluster(options: JoinOptions): Promise<Cluster> {
  const nodeId = options.nodeId ?? newId();
  const bus = new PgInvalidationBus({ url: options.url, db: options.db, origin: nodeId, log: options.log });
  await bus.start();
  const membership = new NodeMembership({ db: options.db, nodeId, route: options.route, address: options.address, log: options.log });
  try {
    await membership.join();
  } catch (error) {
    await bus.close();
    throw error;
  }
  const jobs = new PgSingletonJobs(options.url, options.log);
  const watch = new ReplicationWatch(await primaryLocator(options.url), options.log);
  await watch.start();
  return {
    nodeId,
    route: options.route,
    bus,
    jobs,
    replication: () => (watch.report ? { ...watch.report, multiSite: watch.multiSite } : undefined),
    routeFor: (key) => rendezvousRoute(key, membership.liveRoutes()) ?? options.route,
    liveRoutes: () => membership.liveRoutes(),
    leave: () => membership.leave(),
    async close() {
      await watch.stop();
      await membership.leave();
      await jobs.close();
      await bus.close();
    },
  };
}

/**
 * One node on its own (SQLite): its own route, and either one process (in-process bus, every job
 * its own) or one of the node's workers (`worker`: the bus over IPC, the jobs in worker 0 only).
 */
export function singleNode(route: string, log: ClusterLog, worker?: { index: number }): Cluster {
  const jobs = new LocalSingletonJobs(log, worker === undefined || worker.index === 0);
  const bus = worker ? new IpcInvalidationBus() : new LocalInvalidationBus();
  return {
    nodeId: newId(),
    route,
    bus,
    jobs,
    replication: () => undefined,
    routeFor: () => route,
    liveRoutes: () => [route],
    leave: async () => {},
    async close() {
      await jobs.close();
      await bus.close();
    },
  };
}
