/**
 * Removes a test's own keys from the shared Redis (127.0.0.1:6379): every key under its
 * throwaway prefix. SCAN is fine here: a test's keys, on a test server.
 */
import { Redis } from 'ioredis';

export async function deleteKeysWithPrefix(redis: Redis, prefix: string): Promise<void> {
  for (let cursor = '0', first = true; first || cursor !== '0'; first = false) {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  }
}

/** The same through a connection of its own, for tests that hold none. */
export async function deleteRedisKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    await deleteKeysWithPrefix(redis, prefix);
  } finally {
    await redis.quit();
  }
}
