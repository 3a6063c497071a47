/**
 * SessionStore in process memory, for the `--sessions memory` mode (development, benchmarks): it
 * loses everything on restart by design. It keeps the SQL store's semantics exactly (single-use
 * codes, compare-and-set rotation, times that only move forward, expired rows kept until
 * `removeExpired`), so code that passes the contract suite here behaves the same on a durable
 * backend. Everything is deep-copied on the way in and out: a caller holding a returned object
 * must not be able to change what the store holds, as it could not with a database.
 */
import type { SessionStore } from '../../session/session-store.ts';
import type { AuthSession, AuthorizationCode, ClientSession, CodeConsumption, SessionTouch, UserSession } from '../../session/types.ts';

const key = (id: string, offline: boolean): string => (offline ? 'of:' : 'on:') + id;

const byStartThenId = (a: UserSession, b: UserSession): number => a.started - b.started || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export class MemorySessionStore implements SessionStore {
  private readonly userSessions = new Map<string, UserSession>();
  private readonly authSessions = new Map<string, AuthSession>();
  private readonly codes = new Map<string, { code: AuthorizationCode; used: boolean; expiresAt: number }>();
  private readonly revokedTokens = new Map<string, { expiresAt: number }>();
  private closed = false;

  async createUserSession(session: UserSession): Promise<void> {
    const k = key(session.id, session.offline);
    if (this.userSessions.has(k)) throw new Error(`user session ${session.id} already exists`);
    this.userSessions.set(k, structuredClone(session));
  }

  async getUserSession(id: string, offline: boolean): Promise<UserSession | undefined> {
    const session = this.userSessions.get(key(id, offline));
    return session && structuredClone(session);
  }

  async putClientSession(userSessionId: string, offline: boolean, clientSession: ClientSession, expiresAt: number): Promise<boolean> {
    const parent = this.userSessions.get(key(userSessionId, offline));
    if (!parent) return false;
    parent.expiresAt = Math.max(parent.expiresAt, expiresAt);
    parent.clientSessions.set(clientSession.clientUuid, structuredClone(clientSession));
    return true;
  }

  async removeClientSession(userSessionId: string, offline: boolean, clientUuid: string): Promise<boolean> {
    return this.userSessions.get(key(userSessionId, offline))?.clientSessions.delete(clientUuid) ?? false;
  }

  async deleteUserSession(id: string, offline: boolean): Promise<boolean> {
    return this.userSessions.delete(key(id, offline));
  }

  async deleteUserSessionsOfUser(realmId: string, userId: string, offline: boolean): Promise<string[]> {
    const doomed = this.matching((s) => s.realmId === realmId && s.userId === userId && s.offline === offline);
    for (const s of doomed) this.userSessions.delete(key(s.id, offline));
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
    return this.matching((s) => s.realmId === realmId && s.offline === offline && s.clientSessions.has(clientUuid)).length;
  }

  async countUserSessions(): Promise<number> {
    return this.userSessions.size;
  }

  async useRefreshToken(userSessionId: string, offline: boolean, clientUuid: string, jti: string, maxReuse: number): Promise<'ok' | 'exceeded' | 'missing'> {
    const clientSession = this.userSessions.get(key(userSessionId, offline))?.clientSessions.get(clientUuid);
    if (!clientSession) return 'missing';
    if (clientSession.refreshTokenJti !== jti) {
      clientSession.refreshTokenJti = jti;
      clientSession.refreshTokenUses = 1;
      return 'ok';
    }
    if (clientSession.refreshTokenUses > maxReuse) return 'exceeded';
    clientSession.refreshTokenUses += 1;
    return 'ok';
  }

  async putAuthSession(session: AuthSession): Promise<void> {
    this.authSessions.set(session.id, structuredClone(session));
  }

  async getAuthSession(id: string): Promise<AuthSession | undefined> {
    const session = this.authSessions.get(id);
    return session && structuredClone(session);
  }

  async deleteAuthSession(id: string): Promise<void> {
    this.authSessions.delete(id);
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

  async removeExpired(nowSeconds: number, limit: number): Promise<number> {
    const reap = <T extends { expiresAt: number }>(rows: Map<string, T>): number => {
      let removed = 0;
      for (const [k, row] of rows) {
        if (removed >= limit) break;
        if (row.expiresAt < nowSeconds && rows.delete(k)) removed += 1;
      }
      return removed;
    };
    return reap(this.userSessions) + reap(this.authSessions) + reap(this.codes) + reap(this.revokedTokens);
  }

  async ping(): Promise<void> {
    if (this.closed) throw new Error('memory session store is closed');
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private matching(predicate: (session: UserSession) => boolean): UserSession[] {
    return [...this.userSessions.values()].filter(predicate).sort(byStartThenId);
  }
}
