/**
 * A node whose invalidation listener is cut may miss other nodes' logouts: while the bus is not
 * listening, the session cache neither serves nor keeps entries, so a session deleted elsewhere
 * meanwhile is refused at once; once listening again the cache works as before.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CachedSessionStore, type Invalidation, type InvalidationBus } from '../../src/store/cache/index.ts';
import { MemorySessionStore } from '../../src/store/memory/index.ts';
import type { UserSession } from '../../src/session/index.ts';

class SwitchableBus implements InvalidationBus {
  listening = true;
  async publish(_event: Invalidation): Promise<void> {}
  subscribe(): void {}
  async close(): Promise<void> {}
}

function session(id: string): UserSession {
  const t = Math.floor(Date.now() / 1000);
  return { id, offline: false, realmId: 'r', userId: 'u', started: t, lastRefresh: t, rememberMe: false, ipAddress: '192.0.2.1', authTime: t, expiresAt: t + 3600, clientSessions: new Map() };
}

const quiet = { hit() {}, miss() {} };

describe('session cache while the invalidation listener is cut', () => {
  it('reads the store instead of the cache, and caches nothing, until it listens again', async () => {
    const durable = new MemorySessionStore();
    const bus = new SwitchableBus();
    const cache = new CachedSessionStore(durable, bus, 100, quiet);
    await cache.createUserSession(session('a'));
    assert.equal((await cache.getUserSession('a', false))?.id, 'a');

    bus.listening = false;
    // Another node logs the session out; its notification never arrives.
    await durable.deleteUserSession('a', false);
    assert.equal(await cache.getUserSession('a', false), undefined);
    await cache.createUserSession(session('b'));
    assert.equal(cache.size, 1, 'nothing new is cached while deaf');

    bus.listening = true;
    assert.equal((await cache.getUserSession('b', false))?.id, 'b');
    assert.equal(cache.size, 2);
  });
});
