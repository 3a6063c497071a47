/**
 * A bounded LRU in front of any SessionStore (DESIGN rule 1): reads hit memory, misses load from
 * the store, and every write goes to the store first. The cache is never the only copy; it can
 * be dropped at any moment (and is, entry by entry, when the invalidation bus says so).
 */
import { LRUCache } from 'lru-cache';
import type { SessionStore } from '../../session/session-store.ts';
import type { AuthSession, AuthSessionLimits, AuthorizationCode, ClientSession, ClientSessionCounts, CodeConsumption, RealmSessionQuery, FailedLogin, LoginAttemptClaim, LoginFailure, LoginLockout, RefreshTokenUse, RefreshTokenUseOutcome, SessionTouch, UserSession } from '../../session/types.ts';
import type { Invalidation, InvalidationBus } from './invalidation-bus.ts';

export interface CacheObserver {
  hit(kind: string): void;
  miss(kind: string): void;
}

const key = (id: string, offline: boolean): string => (offline ? 'of:' : 'on:') + id;

/** A store read in progress; `stale` when an invalidation for its key arrived meanwhile. */
interface Load {
  promise: Promise<UserSession | undefined>;
  stale: boolean;
}

export class CachedSessionStore implements SessionStore {
  private readonly sessions: LRUCache<string, UserSession>;
  /**
   * Reads in flight, shared by concurrent callers. A read that started before another node's
   * delete committed can finish after that node's invalidation arrived: its result must not be
   * cached, or the deleted session would be served from memory until it ages out.
   */
  private readonly loads = new Map<string, Load>();

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
    if (event.kind === 'userSession') this.forget(key(event.id, event.offline));
    else if (event.kind === 'all') {
      this.sessions.clear();
      for (const load of this.loads.values()) load.stale = true;
      this.loads.clear();
    }
  }

  private forget(k: string): void {
    this.sessions.delete(k);
    const load = this.loads.get(k);
    if (load) {
      load.stale = true;
      this.loads.delete(k);
    }
  }

  /** Drops a cached entry here and on every other node. */
  private invalidate(id: string, offline: boolean): Promise<void> {
    return this.bus.publish({ kind: 'userSession', id, offline });
  }

  /** Forgets a cached copy on this node only, e.g. to re-read a session that looks expired. */
  evictLocal(id: string, offline: boolean): void {
    this.forget(key(id, offline));
  }

  async createUserSession(session: UserSession): Promise<void> {
    await this.inner.createUserSession(session);
    if (this.bus.listening) this.sessions.set(key(session.id, session.offline), session);
  }

  async putUserSessions(sessions: readonly UserSession[]): Promise<void> {
    await this.inner.putUserSessions(sessions);
    for (const session of sessions) await this.invalidate(session.id, session.offline);
  }

  async getUserSession(id: string, offline: boolean): Promise<UserSession | undefined> {
    // Deaf to other nodes' logouts for now: only the store knows whether the session still exists.
    if (!this.bus.listening) return this.inner.getUserSession(id, offline);
    const cached = this.sessions.get(key(id, offline));
    if (cached) {
      this.observer.hit('userSession');
      return cached;
    }
    this.observer.miss('userSession');
    const k = key(id, offline);
    let load = this.loads.get(k);
    if (!load) {
      const started: Load = { stale: false, promise: this.inner.getUserSession(id, offline) };
      load = started;
      this.loads.set(k, started);
      started.promise.then(
        (loaded) => {
          if (this.loads.get(k) === started) this.loads.delete(k);
          if (loaded && !started.stale) this.sessions.set(k, loaded);
        },
        () => {
          if (this.loads.get(k) === started) this.loads.delete(k);
        },
      );
    }
    return load.promise;
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
  countUserSessionsPerClient(realmId: string, clientUuids: readonly string[]): Promise<Map<string, ClientSessionCounts>> {
    return this.inner.countUserSessionsPerClient(realmId, clientUuids);
  }
  countUserSessions(): Promise<number> {
    return this.inner.countUserSessions();
  }
  listUserSessionsOfRealm(realmId: string, query: RealmSessionQuery): Promise<UserSession[]> {
    return this.inner.listUserSessionsOfRealm(realmId, query);
  }
  countUserSessionsOfRealm(realmId: string, offline: boolean): Promise<number> {
    return this.inner.countUserSessionsOfRealm(realmId, offline);
  }

  useRefreshToken(userSessionId: string, offline: boolean, clientUuid: string, use: RefreshTokenUse): Promise<RefreshTokenUseOutcome> {
    return this.inner.useRefreshToken(userSessionId, offline, clientUuid, use);
  }

  createAuthSession(session: AuthSession, limits: AuthSessionLimits): Promise<number> {
    return this.inner.createAuthSession(session, limits);
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

  claimOnce(key: string, expiresAt: number, nowSeconds: number): Promise<boolean> {
    return this.inner.claimOnce(key, expiresAt, nowSeconds);
  }

  // Ephemeral records are read once or twice in their life: not worth caching, always the store's.
  putEphemeral(key: string, value: string, expiresAt: number, nowSeconds: number): Promise<boolean> {
    return this.inner.putEphemeral(key, value, expiresAt, nowSeconds);
  }
  getEphemeral(key: string, nowSeconds: number): Promise<string | undefined> {
    return this.inner.getEphemeral(key, nowSeconds);
  }
  replaceEphemeral(key: string, expected: string, value: string, expiresAt: number, nowSeconds: number): Promise<boolean> {
    return this.inner.replaceEphemeral(key, expected, value, expiresAt, nowSeconds);
  }
  takeEphemeral(key: string, nowSeconds: number): Promise<string | undefined> {
    return this.inner.takeEphemeral(key, nowSeconds);
  }
  deleteEphemeral(key: string): Promise<void> {
    return this.inner.deleteEphemeral(key);
  }

  getLoginFailure(realmId: string, userId: string): Promise<LoginFailure | undefined> {
    return this.inner.getLoginFailure(realmId, userId);
  }
  recordLoginFailure(realmId: string, userId: string, failure: FailedLogin): Promise<{ failure: LoginFailure; previousFailure: number }> {
    return this.inner.recordLoginFailure(realmId, userId, failure);
  }
  lockLoginFailure(realmId: string, userId: string, lockout: LoginLockout): Promise<LoginFailure | undefined> {
    return this.inner.lockLoginFailure(realmId, userId, lockout);
  }
  deleteLoginFailures(realmId: string, userId?: string): Promise<void> {
    return this.inner.deleteLoginFailures(realmId, userId);
  }
  claimLoginAttempt(realmId: string, userId: string, claim: LoginAttemptClaim): Promise<boolean> {
    return this.inner.claimLoginAttempt(realmId, userId, claim);
  }
  releaseLoginAttempt(realmId: string, userId: string, holder: string): Promise<void> {
    return this.inner.releaseLoginAttempt(realmId, userId, holder);
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
