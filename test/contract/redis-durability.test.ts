/**
 * What the Redis session store promises beyond the contract, shown against a real, throwaway
 * `redis-server` (AOF, `appendfsync always`, no RDB) that the tests stop and start: every session
 * whose creation was acknowledged is still there after the server restarts mid-load, and while the
 * server is away calls fail within two seconds instead of hanging, then succeed again on the same
 * store instance once it is back. Skipped when redis-server is not installed (failed under CI).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { UserSession } from '../../src/session/index.ts';
import { RedisSessionStore } from '../../src/store/redis/index.ts';
import { REDIS_SERVER, ThrowawayRedis, sleep, until } from '../support/redis-server.ts';
import { freePort } from '../support/process.ts';

function userSession(): UserSession {
  const t = Math.floor(Date.now() / 1000);
  return {
    id: crypto.randomUUID(),
    offline: false,
    realmId: 'realm-durability',
    userId: crypto.randomUUID(),
    started: t,
    lastRefresh: t,
    rememberMe: false,
    ipAddress: '198.51.100.4',
    authTime: t,
    expiresAt: t + 3600,
    clientSessions: new Map([['client-a', { clientUuid: 'client-a', started: t, timestamp: t, scope: 'openid', refreshTokenUses: 0 }]]),
  };
}

const unavailable = fs.existsSync(REDIS_SERVER) ? undefined : `${REDIS_SERVER} not installed`;

describe('Redis session store: durability and failure', { skip: unavailable !== undefined && !process.env.CI ? `skipped: ${unavailable}` : false }, () => {
  let redis: ThrowawayRedis;
  let store: RedisSessionStore;

  before(async () => {
    if (unavailable) throw new Error(`must run under CI: ${unavailable}`);
    redis = new ThrowawayRedis(await freePort(), fs.mkdtempSync(path.join(os.tmpdir(), 'holdfast-redis-')));
    await redis.start();
    store = new RedisSessionStore({ url: `redis://127.0.0.1:${redis.port}`, keyPrefix: 'durability:' });
  });

  after(async () => {
    await store?.close();
    await redis?.dispose();
  });

  // SIGTERM is the restart asked for; SIGKILL shows `appendfsync always` needs no clean shutdown.
  for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
    it(`keeps every acknowledged session when the server is stopped by ${signal} under load`, async () => {
      const acknowledged: UserSession[] = [];
      let stopping = false;
      let failures = 0;
      const deadline = Date.now() + 15_000;
      const worker = async (): Promise<void> => {
        while (!stopping && acknowledged.length < 5000 && Date.now() < deadline) {
          const session = userSession();
          try {
            await store.createUserSession(session);
            acknowledged.push(session);
          } catch {
            failures += 1;
            await sleep(10);
          }
        }
      };
      const workers = Array.from({ length: 16 }, worker);

      const target = acknowledged.length + 300;
      await until('300 sessions acknowledged', async () => acknowledged.length >= target, 10_000);
      await redis.stop(signal);
      await sleep(200);
      stopping = true;
      await Promise.all(workers);
      assert.ok(failures > 0, 'creations in flight or after the stop failed');

      await redis.start();
      await until('store reconnected', () => store.ping().then(() => true, () => false), 10_000);
      const reads = await Promise.all(acknowledged.map((s) => store.getUserSession(s.id, false)));
      const lost = acknowledged.filter((_, i) => reads[i]?.clientSessions.get('client-a')?.scope !== 'openid').map((s) => s.id);
      assert.deepEqual(lost, [], `${lost.length} of ${acknowledged.length} acknowledged sessions lost`);
      assert.ok((await store.countUserSessions()) >= acknowledged.length);
    });
  }

  it('fails within 2 s while Redis is down, and works again on the same instance once it is back', async () => {
    const session = userSession();
    await store.createUserSession(session);
    await redis.stop();

    let started = Date.now();
    await assert.rejects(store.ping());
    assert.ok(Date.now() - started < 2000, `ping took ${Date.now() - started} ms to fail`);
    started = Date.now();
    const reads = await Promise.allSettled(Array.from({ length: 100 }, () => store.getUserSession(session.id, false)));
    assert.ok(
      reads.every((r) => r.status === 'rejected'),
      'every read fails while the server is down',
    );
    assert.ok(Date.now() - started < 2000, `reads took ${Date.now() - started} ms to fail`);

    await redis.start();
    await until('store reconnected', () => store.ping().then(() => true, () => false), 10_000);
    assert.equal((await store.getUserSession(session.id, false))?.id, session.id);
  });
});
