/**
 * SessionStore in process memory, for the `--sessions memory` mode (development, benchmarks): it
 * loses everything on restart by design. It keeps the SQL store's semantics exactly (single-use
 * codes, compare-and-set rotation, times that only move forward, expired rows kept until
 * `removeExpired`), so code that passes the contract suite here behaves the same on a durable
 * backend. Everything is deep-copied on the way in and out: a caller holding a returned object
 * must not be able to change what the store holds, as it could not with a database.
 */
import type { SessionStore } from '../../session/session-store.ts';
import type { AuthSession, AuthSessionLimits, AuthorizationCode, ClientSession, ClientSessionCounts, CodeConsumption, RealmSessionQuery, FailedLogin, LoginAttemptClaim, LoginFailure, LoginLockout, RefreshTokenUse, RefreshTokenUseOutcome, SessionTouch, UserSession } from '../../session/types.ts';

const key = (id: string, offline: boolean): string => (offline ? 'of:' : 'on:') + id;
const realmCountKey = (realmId: string, offline: boolean): string => `${realmId}\u0000${offline}`;
const clientCountKey = (realmId: string, clientUuid: string, offline: boolean): string => `${realmId}\u0000${clientUuid}\u0000${offline}`;
const failureKey = (realmId: string, userId: string): string => `${realmId}/${userId}`;

const byStartThenId = (a: UserSession, b: UserSession): number => a.started - b.started || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** The realm listing's order: online before offline, then by id (code units, as SQL's binary order). */
const byKindThenId = (a: UserSession, b: UserSession): number => Number(a.offline) - Number(b.offline) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export class MemorySessionStore implements SessionStore {
  private readonly userSessions = new Map<string, UserSession>();
  /**
   * Kept counts of the sessions above, per realm and kind and per client and kind, so a count
   * never walks every session (a benchmark may hold a million). Every change to `userSessions`
   * and to a session's client sessions goes through the methods that keep them.
   */
  private readonly realmCounts = new Map<string, number>();
  private readonly clientCounts = new Map<string, number>();
  /** In creation order (a Map keeps insertion order, and replacing a value keeps its place). */
  private readonly authSessions = new Map<string, AuthSession>();
  /** Ids of the authentication sessions of each origin, in creation order. */
  private readonly authSessionsOfOrigin = new Map<string, Set<string>>();
  private readonly codes = new Map<string, { code: AuthorizationCode; used: boolean; expiresAt: number }>();
  private readonly revokedTokens = new Map<string, { expiresAt: number }>();
  private readonly singleUse = new Map<string, { expiresAt: number }>();
  private readonly ephemeral = new Map<string, { value: string; expiresAt: number }>();
  private readonly loginFailures = new Map<string, { realmId: string; counters: LoginFailure }>();
  private readonly loginAttempts = new Map<string, { holder: string; untilMs: number; expiresAt: number }>();
  private closed = false;

  async createUserSession(session: UserSession): Promise<void> {
    const k = key(session.id, session.offline);
    if (this.userSessions.has(k)) throw new Error(`user session ${session.id} already exists`);
    this.userSessions.set(k, structuredClone(session));
    this.count(session, 1);
  }

  async putUserSessions(sessions: readonly UserSession[]): Promise<void> {
    for (const session of sessions) {
      this.dropUserSession(key(session.id, session.offline));
      await this.createUserSession(session);
    }
  }

  async getUserSession(id: string, offline: boolean): Promise<UserSession | undefined> {
    const session = this.userSessions.get(key(id, offline));
    return session && structuredClone(session);
  }

  async putClientSession(userSessionId: string, offline: boolean, clientSession: ClientSession, expiresAt: number): Promise<boolean> {
    const parent = this.userSessions.get(key(userSessionId, offline));
    if (!parent) return false;
    parent.expiresAt = Math.max(parent.expiresAt, expiresAt);
    if (!parent.clientSessions.has(clientSession.clientUuid)) this.add(this.clientCounts, clientCountKey(parent.realmId, clientSession.clientUuid, offline), 1);
    parent.clientSessions.set(clientSession.clientUuid, structuredClone(clientSession));
    return true;
  }

  async removeClientSession(userSessionId: string, offline: boolean, clientUuid: string): Promise<boolean> {
    const parent = this.userSessions.get(key(userSessionId, offline));
    if (!parent?.clientSessions.delete(clientUuid)) return false;
    this.add(this.clientCounts, clientCountKey(parent.realmId, clientUuid, offline), -1);
    return true;
  }

  async deleteUserSession(id: string, offline: boolean): Promise<boolean> {
    return this.dropUserSession(key(id, offline));
  }

  async deleteUserSessionsOfUser(realmId: string, userId: string, offline: boolean): Promise<string[]> {
    const doomed = this.matching((s) => s.realmId === realmId && s.userId === userId && s.offline === offline);
    for (const s of doomed) this.dropUserSession(key(s.id, offline));
    return doomed.map((s) => s.id);
  }

  async touch(touches: SessionTouch[]): Promise<void> {
    for (const t of touches) {
      const session = this.userSessions.get(key(t.userSessionId, t.offline));
      if (!session) continue;
      session.lastRefresh = Math.max(session.lastRefresh, t.lastRefresh);
      session.expiresAt = Math.max(session.expiresAt, t.expiresAt);
      if (t.clientUuid === undefined || t.clientTimestamp === undefined) continue;
      const clientSession = session.clientSessions.get(t.clientUuid);
      if (clientSession) clientSession.timestamp = Math.max(clientSession.timestamp, t.clientTimestamp);
    }
  }

  async listUserSessionsOfUser(realmId: string, userId: string, offline: boolean): Promise<UserSession[]> {
    return structuredClone(this.matching((s) => s.realmId === realmId && s.userId === userId && s.offline === offline));
  }

  async listUserSessionsOfClient(realmId: string, clientUuid: string, offline: boolean, first: number, max: number): Promise<UserSession[]> {
    const sessions = this.matching((s) => s.realmId === realmId && s.offline === offline && s.clientSessions.has(clientUuid));
    return structuredClone(sessions.slice(first, first + Math.max(0, max)));
  }

  async countUserSessionsOfClient(realmId: string, clientUuid: string, offline: boolean): Promise<number> {
    return this.clientCounts.get(clientCountKey(realmId, clientUuid, offline)) ?? 0;
  }

  async countUserSessionsPerClient(realmId: string, clientUuids: readonly string[]): Promise<Map<string, ClientSessionCounts>> {
    const counts = new Map<string, ClientSessionCounts>();
    for (const clientUuid of clientUuids) {
      const [online, offline] = [false, true].map((kind) => this.clientCounts.get(clientCountKey(realmId, clientUuid, kind)) ?? 0);
      if (online > 0 || offline > 0) counts.set(clientUuid, { online, offline });
    }
    return counts;
  }

  async countUserSessions(): Promise<number> {
    return this.userSessions.size;
  }

  async listUserSessionsOfRealm(realmId: string, query: RealmSessionQuery): Promise<UserSession[]> {
    const { search } = query;
    const found = (s: UserSession): boolean => !search || search.userIds.includes(s.userId) || (search.ipPrefix !== '' && s.ipAddress.startsWith(search.ipPrefix));
    const sessions = [...this.userSessions.values()]
      .filter((s) => s.realmId === realmId && (query.offline === undefined || s.offline === query.offline) && found(s))
      .sort(byKindThenId);
    return structuredClone(sessions.slice(query.first, query.first + Math.max(0, query.max)));
  }

  async countUserSessionsOfRealm(realmId: string, offline: boolean): Promise<number> {
    return this.realmCounts.get(realmCountKey(realmId, offline)) ?? 0;
  }

  async useRefreshToken(userSessionId: string, offline: boolean, clientUuid: string, use: RefreshTokenUse): Promise<RefreshTokenUseOutcome> {
    const clientSession = this.userSessions.get(key(userSessionId, offline))?.clientSessions.get(clientUuid);
    if (!clientSession) return 'missing';
    const { jti, issuedAt, now, maxReuse } = use;
    const stored = clientSession.refreshTokenJti;
    if (stored !== undefined && stored !== jti && issuedAt < clientSession.timestamp) return 'stale';
    if (stored !== jti) {
      clientSession.refreshTokenJti = jti;
      clientSession.refreshTokenUses = 0;
    }
    clientSession.refreshTokenUses += 1;
    if (clientSession.refreshTokenUses > maxReuse + 1) return 'exceeded';
    clientSession.timestamp = Math.max(clientSession.timestamp, now);
    return 'ok';
  }

  async createAuthSession(session: AuthSession, limits: AuthSessionLimits): Promise<number> {
    this.authSessions.set(session.id, structuredClone(session));
    const ofOrigin = this.authSessionsOfOrigin.get(session.origin) ?? new Set<string>();
    this.authSessionsOfOrigin.set(session.origin, ofOrigin.add(session.id));
    let evicted = 0;
    // Oldest first; deleting while iterating a Map or Set is safe and visits each entry once.
    for (const id of ofOrigin) {
      if (ofOrigin.size <= limits.perOrigin) break;
      if (this.dropAuthSession(id)) evicted += 1;
    }
    for (const id of this.authSessions.keys()) {
      if (this.authSessions.size <= limits.total) break;
      if (this.dropAuthSession(id)) evicted += 1;
    }
    return evicted;
  }

  async putAuthSession(session: AuthSession): Promise<void> {
    if (!this.authSessions.has(session.id)) {
      const ofOrigin = this.authSessionsOfOrigin.get(session.origin) ?? new Set<string>();
      this.authSessionsOfOrigin.set(session.origin, ofOrigin.add(session.id));
    }
    this.authSessions.set(session.id, structuredClone(session));
  }

  async getAuthSession(id: string): Promise<AuthSession | undefined> {
    const session = this.authSessions.get(id);
    return session && structuredClone(session);
  }

  async deleteAuthSession(id: string): Promise<void> {
    this.dropAuthSession(id);
  }

  private dropAuthSession(id: string): boolean {
    const session = this.authSessions.get(id);
    if (!session) return false;
    this.authSessions.delete(id);
    const ofOrigin = this.authSessionsOfOrigin.get(session.origin);
    ofOrigin?.delete(id);
    if (ofOrigin?.size === 0) this.authSessionsOfOrigin.delete(session.origin);
    return true;
  }

  async putCode(code: AuthorizationCode): Promise<void> {
    if (this.codes.has(code.codeHash)) throw new Error('authorization code already stored');
    this.codes.set(code.codeHash, { code: structuredClone(code), used: false, expiresAt: code.expiresAt });
  }

  async consumeCode(codeHash: string): Promise<CodeConsumption> {
    const entry = this.codes.get(codeHash);
    if (!entry) return { outcome: 'unknown' };
    const outcome = entry.used ? 'reused' : 'consumed';
    entry.used = true;
    return { outcome, code: structuredClone(entry.code) };
  }

  async revokeToken(jti: string, expiresAt: number): Promise<void> {
    if (!this.revokedTokens.has(jti)) this.revokedTokens.set(jti, { expiresAt });
  }

  async listRevokedTokens(nowSeconds: number): Promise<Array<{ jti: string; expiresAt: number }>> {
    return [...this.revokedTokens].filter(([, r]) => r.expiresAt >= nowSeconds).map(([jti, r]) => ({ jti, expiresAt: r.expiresAt }));
  }

  async claimOnce(key: string, expiresAt: number, nowSeconds: number): Promise<boolean> {
    const held = this.singleUse.get(key);
    if (held && held.expiresAt >= nowSeconds) return false;
    this.singleUse.set(key, { expiresAt });
    return true;
  }

  async putEphemeral(key: string, value: string, expiresAt: number, nowSeconds: number): Promise<boolean> {
    if (this.liveEphemeral(key, nowSeconds)) return false;
    this.ephemeral.set(key, { value, expiresAt });
    return true;
  }

  async getEphemeral(key: string, nowSeconds: number): Promise<string | undefined> {
    return this.liveEphemeral(key, nowSeconds)?.value;
  }

  async replaceEphemeral(key: string, expected: string, value: string, expiresAt: number, nowSeconds: number): Promise<boolean> {
    if (this.liveEphemeral(key, nowSeconds)?.value !== expected) return false;
    this.ephemeral.set(key, { value, expiresAt });
    return true;
  }

  async takeEphemeral(key: string, nowSeconds: number): Promise<string | undefined> {
    const record = this.liveEphemeral(key, nowSeconds);
    this.ephemeral.delete(key);
    return record?.value;
  }

  async deleteEphemeral(key: string): Promise<void> {
    this.ephemeral.delete(key);
  }

  private liveEphemeral(key: string, nowSeconds: number): { value: string; expiresAt: number } | undefined {
    const record = this.ephemeral.get(key);
    return record && record.expiresAt >= nowSeconds ? record : undefined;
  }

  async getLoginFailure(realmId: string, userId: string): Promise<LoginFailure | undefined> {
    const failure = this.loginFailures.get(failureKey(realmId, userId));
    return failure && { ...failure.counters };
  }

  async recordLoginFailure(realmId: string, userId: string, failure: FailedLogin): Promise<{ failure: LoginFailure; previousFailure: number }> {
    const k = failureKey(realmId, userId);
    const record = this.loginFailures.get(k) ?? { realmId, counters: { numFailures: 0, numTemporaryLockouts: 0, lastFailure: 0, failedLoginNotBefore: 0 } };
    const counters = record.counters;
    const previousFailure = counters.lastFailure;
    if (failure.resetAfterMs !== undefined && previousFailure > 0 && failure.atMs - previousFailure > failure.resetAfterMs) {
      // Keycloak clears every counter (the failure times too) when the previous failure is too old.
      record.counters = { numFailures: 1, numTemporaryLockouts: 0, lastFailure: 0, failedLoginNotBefore: 0 };
    } else {
      counters.numFailures += 1;
      counters.lastFailure = failure.atMs;
      counters.lastIpFailure = failure.ipAddress;
    }
    this.loginFailures.set(k, record);
    return { failure: { ...record.counters }, previousFailure };
  }

  async lockLoginFailure(realmId: string, userId: string, lockout: LoginLockout): Promise<LoginFailure | undefined> {
    const record = this.loginFailures.get(failureKey(realmId, userId));
    if (!record) return undefined;
    const counters = record.counters;
    if (lockout.countLockout) counters.numTemporaryLockouts += 1;
    if (lockout.maxLockouts === undefined || counters.numTemporaryLockouts <= lockout.maxLockouts) {
      counters.failedLoginNotBefore = Math.max(counters.failedLoginNotBefore, lockout.notBefore);
    }
    return { ...counters };
  }

  async deleteLoginFailures(realmId: string, userId?: string): Promise<void> {
    if (userId !== undefined) {
      this.loginFailures.delete(failureKey(realmId, userId));
      return;
    }
    for (const [k, record] of this.loginFailures) if (record.realmId === realmId) this.loginFailures.delete(k);
  }

  async claimLoginAttempt(realmId: string, userId: string, claim: LoginAttemptClaim): Promise<boolean> {
    const k = failureKey(realmId, userId);
    const current = this.loginAttempts.get(k);
    if (current && current.untilMs > claim.nowMs) return false;
    this.loginAttempts.set(k, { holder: claim.holder, untilMs: claim.untilMs, expiresAt: Math.floor(claim.untilMs / 1000) });
    return true;
  }

  async releaseLoginAttempt(realmId: string, userId: string, holder: string): Promise<void> {
    const k = failureKey(realmId, userId);
    if (this.loginAttempts.get(k)?.holder === holder) this.loginAttempts.delete(k);
  }

  async removeExpired(nowSeconds: number, limit: number): Promise<number> {
    const reap = <T extends { expiresAt: number }>(rows: Map<string, T>): number => {
      let removed = 0;
      for (const [k, row] of rows) {
        if (removed >= limit) break;
        if (row.expiresAt < nowSeconds && rows.delete(k)) removed += 1;
      }
      return removed;
    };
    let userSessionsRemoved = 0;
    for (const [k, session] of this.userSessions) {
      if (userSessionsRemoved >= limit) break;
      if (session.expiresAt < nowSeconds && this.dropUserSession(k)) userSessionsRemoved += 1;
    }
    let authSessionsRemoved = 0;
    for (const [id, session] of this.authSessions) {
      if (authSessionsRemoved >= limit) break;
      if (session.expiresAt < nowSeconds && this.dropAuthSession(id)) authSessionsRemoved += 1;
    }
    return userSessionsRemoved + authSessionsRemoved + reap(this.codes) + reap(this.revokedTokens) + reap(this.singleUse) + reap(this.ephemeral) + reap(this.loginAttempts);
  }

  async ping(): Promise<void> {
    if (this.closed) throw new Error('memory session store is closed');
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  /** Removes a user session and takes it and its client sessions off the counts. */
  private dropUserSession(k: string): boolean {
    const session = this.userSessions.get(k);
    if (!session) return false;
    this.userSessions.delete(k);
    this.count(session, -1);
    return true;
  }

  /** Adds a user session (+1) or takes it off (-1) the counts of its realm and of each of its clients. */
  private count(session: UserSession, delta: number): void {
    this.add(this.realmCounts, realmCountKey(session.realmId, session.offline), delta);
    for (const clientUuid of session.clientSessions.keys()) this.add(this.clientCounts, clientCountKey(session.realmId, clientUuid, session.offline), delta);
  }

  /** A count that comes back to zero is dropped, so counts of ended realms and clients do not pile up. */
  private add(counts: Map<string, number>, k: string, delta: number): void {
    const next = (counts.get(k) ?? 0) + delta;
    if (next === 0) counts.delete(k);
    else counts.set(k, next);
  }

  private matching(predicate: (session: UserSession) => boolean): UserSession[] {
    return [...this.userSessions.values()].filter(predicate).sort(byStartThenId);
  }
}
