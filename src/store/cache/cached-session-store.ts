/**
 * A bounded LRU in front of any SessionStore (DESIGN rule 1): reads hit memory, misses load from
 * the store, and every write goes to the store first. The cache is never the only copy; it can
 * be dropped at any moment (and is, entry by entry, when the invalidation bus says so).
 */
import { LRUCache } from 'lru-cache';
import type { SessionStore } from '../../session/session-store.ts';
import type { AuthSession, AuthorizationCode, ClientSession, CodeConsumption, SessionTouch, UserSession } from '../../session/types.ts';
import type { Invalidation, InvalidationBus } from './invalidation-bus.ts';

export interface CacheObserver {
  hit(kind: string): void;
  miss(kind: string): void;
}

const key = (id: string, offline: boolean): string => (offline ? 'of:' : 'on:') + id;

export class CachedSessionStore implements SessionStore {
  private readonly sessions: LRUCache<string, UserSession>;

  constructor(
    private readonly inner: SessionStore,
    private readonly bus: InvalidationBus,
    maxEntries: number,
    private readonly observer: CacheObserver,
  ) {
    this.sessions = new LRUCache({ max: maxEntries });
    bus.subscribe((event) => this.onInvalidation(event));
  }

  private onInvalidation(event: Invalidation): void {
    if (event.kind === 'userSession') this.sessions.delete(key(event.id, event.offline));
    else if (event.kind === 'all') this.sessions.clear();
  }

  /** Drops a cached entry here and on every other node. */
  private invalidate(id: string, offline: boolean): Promise<void> {
    return this.bus.publish({ kind: 'userSession', id, offline });
  }

  /** Forgets a cached copy on this node only, e.g. to re-read a session that looks expired. */
  evictLocal(id: string, offline: boolean): void {
    this.sessions.delete(key(id, offline));
  }

  async createUserSession(session: UserSession): Promise<void> {
    await this.inner.createUserSession(session);
    this.sessions.set(key(session.id, session.offline), session);
  }

  async getUserSession(id: string, offline: boolean): Promise<UserSession | undefined> {
    const cached = this.sessions.get(key(id, offline));
    if (cached) {
      this.observer.hit('userSession');
      return cached;
    }
    this.observer.miss('userSession');
    const loaded = await this.inner.getUserSession(id, offline);
    if (loaded) this.sessions.set(key(id, offline), loaded);
    return loaded;
  }

  async putClientSession(userSessionId: string, offline: boolean, clientSession: ClientSession, expiresAt: number): Promise<boolean> {
    const ok = await this.inner.putClientSession(userSessionId, offline, clientSession, expiresAt);
    // Every node (this one included) reloads the session with its new client on next use.
    await this.invalidate(userSessionId, offline);
    return ok;
  }

  async removeClientSession(userSessionId: string, offline: boolean, clientUuid: string): Promise<boolean> {
    const removed = await this.inner.removeClientSession(userSessionId, offline, clientUuid);
    await this.invalidate(userSessionId, offline);
    return removed;
  }

  async deleteUserSession(id: string, offline: boolean): Promise<boolean> {
    const removed = await this.inner.deleteUserSession(id, offline);
    await this.invalidate(id, offline);
    return removed;
  }

  async deleteUserSessionsOfUser(realmId: string, userId: string, offline: boolean): Promise<string[]> {
    const ids = await this.inner.deleteUserSessionsOfUser(realmId, userId, offline);
    for (const id of ids) await this.invalidate(id, offline);
    return ids;
  }

  touch(touches: SessionTouch[]): Promise<void> {
    // Cached copies were updated in memory by the caller; this is the (batched) durable write.
    return this.inner.touch(touches);
  }

  listUserSessionsOfUser(realmId: string, userId: string, offline: boolean): Promise<UserSession[]> {
    return this.inner.listUserSessionsOfUser(realmId, userId, offline);
  }
  listUserSessionsOfClient(realmId: string, clientUuid: string, offline: boolean, first: number, max: number): Promise<UserSession[]> {
    return this.inner.listUserSessionsOfClient(realmId, clientUuid, offline, first, max);
  }
  countUserSessionsOfClient(realmId: string, clientUuid: string, offline: boolean): Promise<number> {
    return this.inner.countUserSessionsOfClient(realmId, clientUuid, offline);
  }
  countUserSessions(): Promise<number> {
    return this.inner.countUserSessions();
  }

  async useRefreshToken(userSessionId: string, offline: boolean, clientUuid: string, jti: string, maxReuse: number): Promise<'ok' | 'exceeded' | 'missing'> {
    return this.inner.useRefreshToken(userSessionId, offline, clientUuid, jti, maxReuse);
  }

  putAuthSession(session: AuthSession): Promise<void> {
    return this.inner.putAuthSession(session);
  }
  getAuthSession(id: string): Promise<AuthSession | undefined> {
    return this.inner.getAuthSession(id);
  }
  deleteAuthSession(id: string): Promise<void> {
    return this.inner.deleteAuthSession(id);
  }
  putCode(code: AuthorizationCode): Promise<void> {
    return this.inner.putCode(code);
  }
  consumeCode(codeHash: string): Promise<CodeConsumption> {
    return this.inner.consumeCode(codeHash);
  }

  revokeToken(jti: string, expiresAt: number): Promise<void> {
    return this.inner.revokeToken(jti, expiresAt);
  }
  listRevokedTokens(nowSeconds: number): Promise<Array<{ jti: string; expiresAt: number }>> {
    return this.inner.listRevokedTokens(nowSeconds);
  }

  async removeExpired(nowSeconds: number, limit: number): Promise<number> {
    // Expired entries in the cache are refused on read anyway; they age out of the LRU.
    return this.inner.removeExpired(nowSeconds, limit);
  }
  ping(): Promise<void> {
    return this.inner.ping();
  }
  close(): Promise<void> {
    return this.inner.close();
  }

  get size(): number {
    return this.sessions.size;
  }
}
