/**
 * Prometheus metrics of one holdfast instance, served on the management port's `/metrics`. Each
 * app gets its own registry so that several apps in one process (tests) do not collide.
 *
 * Names follow one scheme: `holdfast_<subject>_<unit or total>`, and the `endpoint` label is
 * always a route's name, never a raw URL. Hot paths (every request, every cache lookup, every store
 * call) reach a labelled child that was looked up once and kept, so that they build no label
 * strings of their own.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { CacheObserver } from '../store/cache/index.ts';
import { LabelledHistogram, type HistogramChild } from './labelled-histogram.ts';

/** How a request ended: an authentication that failed inside a 200 page (the login form shown again) is not a success. */
export type RequestOutcome = 'success' | 'auth_failure' | 'client_error' | 'server_error';

/** Request durations from 1 ms (a cached refresh) to 10 s (an Argon2 hash under load, a slow store). */
const REQUEST_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];
/** Store calls from 0.1 ms (SQLite, Redis on loopback) to 2.5 s. */
const STORE_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 2.5];

/** The timer of one route: one histogram child per outcome, made on first use. */
export class RouteTimer {
  private readonly children = new Map<RequestOutcome, HistogramChild>();

  constructor(
    private readonly histogram: LabelledHistogram,
    readonly endpoint: string,
  ) {}

  observe(outcome: RequestOutcome, seconds: number): void {
    let child = this.children.get(outcome);
    if (!child) {
      child = this.histogram.child({ endpoint: this.endpoint, outcome });
      this.children.set(outcome, child);
    }
    child.observe(seconds);
  }
}

/** Children of a labelled metric by one label value, made on first use and kept. */
function childrenBy<T>(make: (value: string) => T): (value: string) => T {
  const children = new Map<string, T>();
  return (value) => {
    let child = children.get(value);
    if (!child) {
      child = make(value);
      children.set(value, child);
    }
    return child;
  };
}

export interface MetricsSources {
  countSessions: () => Promise<number>;
  /** The routes of the nodes that are live now (this one included). */
  liveRoutes: () => readonly string[];
  /** This node's route. */
  route: string;
}

export class Metrics implements CacheObserver {
  readonly registry = new Registry();
  readonly requestDuration = new LabelledHistogram(
    'holdfast_request_duration_seconds',
    'HTTP requests on the public port by endpoint (route name) and outcome (success, auth_failure, client_error, server_error)',
    REQUEST_BUCKETS,
    this.registry,
  );
  readonly cacheHits = new Counter({ name: 'holdfast_cache_hits_total', help: 'Cache hits by kind', labelNames: ['kind'] as const, registers: [this.registry] });
  readonly cacheMisses = new Counter({ name: 'holdfast_cache_misses_total', help: 'Cache misses by kind', labelNames: ['kind'] as const, registers: [this.registry] });
  readonly storeWrites = new Counter({
    name: 'holdfast_store_writes_total',
    help: 'Writes to the durable store by operation',
    labelNames: ['operation'] as const,
    registers: [this.registry],
  });
  readonly storeDuration = new LabelledHistogram(
    'holdfast_store_operation_duration_seconds',
    'Calls to the durable session store by operation and kind (read, write), including failed ones',
    STORE_BUCKETS,
    this.registry,
  );
  readonly backchannelLogouts = new Counter({
    name: 'holdfast_backchannel_logout_total',
    help: 'Back-channel logout tokens by outcome (delivered, failed after every retry, dropped because too many were pending)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly expiredRemoved = new Counter({ name: 'holdfast_expired_removed_total', help: 'Expired rows removed by the sweeper', registers: [this.registry] });
  readonly sweeperRuns = new Counter({
    name: 'holdfast_sweeper_runs_total',
    help: 'Passes of the expiry sweeper on this node by result (complete, partial: stopped at the batch cap, failed)',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });
  readonly sweeperLastRun = new Gauge({
    name: 'holdfast_sweeper_last_run_timestamp_seconds',
    help: 'When the expiry sweeper last finished a pass on this node (Unix time)',
    registers: [this.registry],
  });
  readonly sweeperLastRemoved = new Gauge({ name: 'holdfast_sweeper_last_run_removed', help: 'Rows the last pass of the expiry sweeper removed', registers: [this.registry] });

  private readonly hitsOf = childrenBy((kind) => this.cacheHits.labels({ kind }));
  private readonly missesOf = childrenBy((kind) => this.cacheMisses.labels({ kind }));
  private readonly writesOf = childrenBy((operation) => this.storeWrites.labels({ operation }));
  private readonly readTimerOf = childrenBy((operation) => this.storeDuration.child({ operation, kind: 'read' }));
  private readonly writeTimerOf = childrenBy((operation) => this.storeDuration.child({ operation, kind: 'write' }));
  /** Hits and misses since start by kind, for the ratio gauge (counters cannot be read back cheaply). */
  private readonly lookups = new Map<string, { hits: number; misses: number }>();
  private readonly timers = new Map<string, RouteTimer>();

  constructor(sources: MetricsSources) {
    collectDefaultMetrics({ register: this.registry });
    const lookups = this.lookups;
    new Gauge({
      name: 'holdfast_active_sessions',
      help: 'User and offline sessions in the store',
      registers: [this.registry],
      async collect() {
        this.set(await sources.countSessions());
      },
    });
    new Gauge({
      name: 'holdfast_cache_hit_ratio',
      help: 'Cache hits / lookups since this node started, by kind',
      labelNames: ['kind'] as const,
      registers: [this.registry],
      collect() {
        for (const [kind, { hits, misses }] of lookups) this.set({ kind }, hits / Math.max(1, hits + misses));
      },
    });
    new Gauge({
      name: 'holdfast_cluster_live_nodes',
      help: 'Nodes in the live set, as this node sees it (1 for a single node)',
      registers: [this.registry],
      collect() {
        this.set(sources.liveRoutes().length);
      },
    });
    new Gauge({
      name: 'holdfast_cluster_routes',
      help: 'The routes that logins are pinned to now (1 per live route; self="true" for this node)',
      labelNames: ['route', 'self'] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const route of sources.liveRoutes()) this.set({ route, self: String(route === sources.route) }, 1);
      },
    });
  }

  /** The timer of the route named `endpoint` (one per name, shared by its methods). */
  routeTimer(endpoint: string): RouteTimer {
    let timer = this.timers.get(endpoint);
    if (!timer) {
      timer = new RouteTimer(this.requestDuration, endpoint);
      this.timers.set(endpoint, timer);
    }
    return timer;
  }

  hit(kind: string): void {
    this.hitsOf(kind).inc();
    this.lookupsOf(kind).hits += 1;
  }

  miss(kind: string): void {
    this.missesOf(kind).inc();
    this.lookupsOf(kind).misses += 1;
  }

  storeWrite(operation: string): void {
    this.writesOf(operation).inc();
  }

  storeCall(operation: string, write: boolean, seconds: number): void {
    (write ? this.writeTimerOf : this.readTimerOf)(operation).observe(seconds);
  }

  sweeperRun(result: 'complete' | 'partial' | 'failed', removed: number, nowSeconds: number): void {
    this.sweeperRuns.inc({ result });
    this.sweeperLastRun.set(nowSeconds);
    this.sweeperLastRemoved.set(removed);
  }

  private lookupsOf(kind: string): { hits: number; misses: number } {
    let counts = this.lookups.get(kind);
    if (!counts) {
      counts = { hits: 0, misses: 0 };
      this.lookups.set(kind, counts);
    }
    return counts;
  }
}
