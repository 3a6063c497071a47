/**
 * Chooses the session store for `--sessions`: the realm database (with the bounded LRU in front),
 * Redis/Valkey shared by stateless nodes (no cache: the shared store is the coordination), or
 * process memory (volatile by design).
 */
import type { Kysely } from 'kysely';
import type { Config } from '../config/index.ts';
import type { SessionStore } from '../session/session-store.ts';
import { CachedSessionStore, type CacheObserver, type InvalidationBus } from './cache/index.ts';
import { measuredStore, type StoreObserver } from './measured-session-store.ts';
import { MemorySessionStore } from './memory/index.ts';
import { RedisSessionStore } from './redis/index.ts';
import type { Database } from './sql/schema.ts';
import { SqlSessionStore } from './sql/index.ts';
import { unavailableOnFailure } from './unavailable-on-failure.ts';

export interface SessionStores {
  /** What requests use. */
  store: SessionStore;
  /** The durable store underneath (for counts and metrics). */
  durable: SessionStore;
}

export function openSessionStore(
  config: Config,
  db: Kysely<Database>,
  bus: InvalidationBus,
  observer: CacheObserver,
  measure: StoreObserver,
): SessionStores {
  if (config.sessions === 'redis') {
    const redis = new RedisSessionStore({ url: config.sessionsUrl!, keyPrefix: config.sessionsKeyPrefix, waitReplicas: config.sessionsWaitReplicas, waitTimeoutMs: config.sessionsWaitTimeoutMs });
    const durable = measuredStore(unavailableOnFailure(redis), measure);
    return { store: durable, durable };
  }
  if (config.sessions === 'memory') {
    const durable = measuredStore(new MemorySessionStore(), measure);
    return { store: durable, durable };
  }
  const durable = measuredStore(new SqlSessionStore(db), measure);
  return { store: new CachedSessionStore(durable, bus, config.cacheSize, observer), durable };
}
