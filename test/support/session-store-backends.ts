/**
 * The session store backends the contract suites run against (SQLite, PostgreSQL, Redis,
 * memory), each on a throwaway database or key prefix of its own. A backend whose server is
 * unreachable says why in `unavailable`; the suites skip it, or fail under CI.
 */
import crypto from 'node:crypto';
import { Redis } from 'ioredis';
import type { SessionStore } from '../../src/session/index.ts';
import { openSqlDatabase, SqlSessionStore } from '../../src/store/sql/index.ts';
import { MemorySessionStore } from '../../src/store/memory/index.ts';
import { RedisSessionStore } from '../../src/store/redis/index.ts';
import { freshDatabase, type FreshDatabase } from './postgres.ts';
import { deleteKeysWithPrefix } from './redis-keys.ts';

export interface Backend {
  name: string;
  /** Why the backend cannot run here; undefined when it can. */
  unavailable?: string;
  open(): Promise<SessionStore>;
  dispose(): Promise<void>;
}

const REDIS_URL = 'redis://127.0.0.1:6379';

function sqliteBackend(): Backend {
  let close = async (): Promise<void> => {};
  return {
    name: 'sqlite',
    async open() {
      const database = await openSqlDatabase({ dialect: 'sqlite', dataDir: ':memory:' });
      close = database.close;
      return new SqlSessionStore(database.db);
    },
    dispose: () => close(),
  };
}

/** A database of our own on the machine's PostgreSQL: other suites may share the server. */
async function postgresBackend(): Promise<Backend> {
  let fresh: FreshDatabase;
  try {
    fresh = await freshDatabase();
  } catch (error) {
    return { name: 'postgres', unavailable: (error as Error).message, open: () => Promise.reject(), dispose: async () => {} };
  }
  let close = async (): Promise<void> => {};
  return {
    name: 'postgres',
    async open() {
      const database = await openSqlDatabase({ dialect: 'postgres', url: fresh.url, poolSize: 10 });
      close = database.close;
      return new SqlSessionStore(database.db);
    },
    async dispose() {
      await close();
      await fresh.drop();
    },
  };
}

async function redisBackend(): Promise<Backend> {
  const admin = new Redis(REDIS_URL, { lazyConnect: true, connectTimeout: 1000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  admin.on('error', () => {});
  try {
    await admin.connect();
    await admin.ping();
  } catch (error) {
    admin.disconnect();
    return { name: 'redis', unavailable: `Redis not reachable at ${REDIS_URL} (${(error as Error).message})`, open: () => Promise.reject(), dispose: async () => {} };
  }
  const keyPrefix = `holdfast-test:${crypto.randomBytes(6).toString('hex')}:`;
  let store: RedisSessionStore | undefined;
  return {
    name: 'redis',
    async open() {
      store = new RedisSessionStore({ url: REDIS_URL, keyPrefix });
      return store;
    },
    async dispose() {
      await store?.close();
      await deleteKeysWithPrefix(admin, keyPrefix);
      await admin.quit();
    },
  };
}

function memoryBackend(): Backend {
  return { name: 'memory', open: async () => new MemorySessionStore(), dispose: async () => {} };
}

/** Every backend, in the order the suites run them. */
export async function sessionStoreBackends(): Promise<Backend[]> {
  return [sqliteBackend(), await postgresBackend(), await redisBackend(), memoryBackend()];
}
