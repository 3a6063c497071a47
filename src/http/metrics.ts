/**
 * Prometheus metrics of one holdfast instance. Each app gets its own registry so that several
 * apps in one process (tests) do not collide.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { CacheObserver } from '../store/cache/index.ts';

export class Metrics implements CacheObserver {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: 'holdfast_requests_total',
    help: 'HTTP requests by endpoint and outcome (success, client_error, server_error)',
    labelNames: ['endpoint', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly cacheHits = new Counter({ name: 'holdfast_cache_hits_total', help: 'Cache hits by kind', labelNames: ['kind'] as const, registers: [this.registry] });
  readonly cacheMisses = new Counter({ name: 'holdfast_cache_misses_total', help: 'Cache misses by kind', labelNames: ['kind'] as const, registers: [this.registry] });
  readonly storeWrites = new Counter({
    name: 'holdfast_store_writes_total',
    help: 'Writes to the durable store by operation',
    labelNames: ['operation'] as const,
    registers: [this.registry],
  });
  readonly backchannelLogouts = new Counter({
    name: 'holdfast_backchannel_logout_total',
    help: 'Back-channel logout tokens by outcome (delivered, failed after every retry, dropped because too many were pending)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly expiredRemoved = new Counter({ name: 'holdfast_expired_removed_total', help: 'Expired rows removed by the sweeper', registers: [this.registry] });
  readonly activeSessions: Gauge;

  constructor(countSessions: () => Promise<number>) {
    collectDefaultMetrics({ register: this.registry });
    this.activeSessions = new Gauge({
      name: 'holdfast_active_sessions',
      help: 'User and offline sessions in the store',
      registers: [this.registry],
      async collect() {
        this.set(await countSessions());
      },
    });
  }

  hit(kind: string): void {
    this.cacheHits.inc({ kind });
  }
  miss(kind: string): void {
    this.cacheMisses.inc({ kind });
  }
}
