/**
 * The life of user and client sessions: create, find-if-valid, slide, end. Validity is decided
 * here from realm settings and the injected clock; the store only keeps what is decided.
 */
import { nowSeconds, type Clock } from '../clock/index.ts';
import type { Client, RealmSettings } from '../realm/types.ts';
import { newId } from '../crypto/index.ts';
import type { SessionStore } from './session-store.ts';
import { USER_AGENT_MAX_LENGTH, type ClientSession, type UserSession } from './types.ts';
import { isUserSessionValid, touchBound, userSessionDeadline } from './lifetimes.ts';
import { TouchWriter } from './touch-writer.ts';
import { indexBrokerSession } from './broker-session-index.ts';

export interface NewUserSession {
  realmId: string;
  userId: string;
  rememberMe: boolean;
  ipAddress: string;
  authTime?: number;
  offline?: boolean;
  id?: string;
  /** The request's User-Agent header; kept only when within USER_AGENT_MAX_LENGTH. */
  userAgent?: string;
  /** Keycloak's user session notes (a brokered login's `identity_provider`, …). */
  notes?: Record<string, string>;
}

/** A cache that can forget one entry on this node (CachedSessionStore), so a stale copy is re-read. */
interface LocalEviction {
  evictLocal(id: string, offline: boolean): void;
}

export class SessionService {
  /** The lastRefresh each in-memory session object had when it was last written to the store. */
  private readonly stored = new WeakMap<UserSession, number>();
  private readonly storedClient = new WeakMap<ClientSession, number>();
  readonly writer: TouchWriter;

  constructor(
    readonly store: SessionStore & Partial<LocalEviction>,
    private readonly clock: Clock,
    private readonly touchIntervalSeconds: number,
    flushMs: number,
    onWriteError: (error: unknown) => void,
  ) {
    this.writer = new TouchWriter(store, flushMs, onWriteError);
  }

  now(): number {
    return nowSeconds(this.clock);
  }

  async create(realm: RealmSettings, fields: NewUserSession): Promise<UserSession> {
    const session = this.newUserSession(realm, fields);
    // Before the session, so that every acknowledged brokered session can be found by its broker session id.
    await indexBrokerSession(this.store, realm, session, session.started);
    await this.store.createUserSession(session);
    return session;
  }

  /**
   * A session that is never stored (Keycloak's transient persistence): it names the tokens
   * issued with it, and nothing finds it afterwards, so refresh and session-bound checks fail.
   */
  transient(realm: RealmSettings, fields: NewUserSession, client: Client, scope: string): { session: UserSession; clientSession: ClientSession } {
    const session = this.newUserSession(realm, fields);
    const clientSession: ClientSession = { clientUuid: client.id, started: session.started, timestamp: session.started, scope, refreshTokenUses: 0 };
    session.clientSessions.set(client.id, clientSession);
    return { session, clientSession };
  }

  private newUserSession(realm: RealmSettings, fields: NewUserSession): UserSession {
    const now = this.now();
    const session: UserSession = {
      id: fields.id ?? newId(),
      offline: fields.offline ?? false,
      realmId: fields.realmId,
      userId: fields.userId,
      started: now,
      lastRefresh: now,
      rememberMe: fields.rememberMe,
      ipAddress: fields.ipAddress,
      authTime: fields.authTime ?? now,
      expiresAt: 0,
      ...(fields.userAgent !== undefined && fields.userAgent.length <= USER_AGENT_MAX_LENGTH ? { userAgent: fields.userAgent } : {}),
      ...(fields.notes !== undefined && Object.keys(fields.notes).length > 0 ? { notes: fields.notes } : {}),
      clientSessions: new Map(),
    };
    session.expiresAt = userSessionDeadline(realm, session);
    return session;
  }

  /** Adds (or renews) a client's session inside a user session; durable when it returns. */
  async attachClient(realm: RealmSettings, session: UserSession, client: Client, scope: string, redirectUri?: string): Promise<ClientSession | undefined> {
    const now = this.now();
    // A client that logs in again within the same SSO session keeps its client session's start,
    // and its refresh-token rotation state as the store has it (memory does not follow the
    // compare-and-set): writing back a cached copy would let rotated-out tokens in again.
    const existing = session.clientSessions.has(client.id) ? (await this.reload(session))?.clientSessions.get(client.id) : undefined;
    const clientSession: ClientSession = existing
      ? { ...existing, timestamp: now, scope, redirectUri }
      : { clientUuid: client.id, started: now, timestamp: now, scope, redirectUri, refreshTokenUses: 0 };
    const ok = await this.store.putClientSession(session.id, session.offline, clientSession, userSessionDeadline(realm, session));
    if (!ok) return undefined;
    session.clientSessions.set(client.id, clientSession);
    return clientSession;
  }

  /**
   * The session if it exists and is still valid. Expired sessions are refused on read, before any
   * sweeper has run. A cached copy that looks expired is re-read once: another node may have
   * slid it since this node cached it. `fresh` skips this node's cache altogether.
   */
  async findValid(realm: RealmSettings, id: string, offline: boolean, options: { fresh?: boolean } = {}): Promise<UserSession | undefined> {
    const now = this.now();
    let session = options.fresh ? await this.reload({ id, offline }) : await this.store.getUserSession(id, offline);
    if (session && !options.fresh && !isUserSessionValid(realm, session, now)) session = await this.reload(session);
    if (!session || !isUserSessionValid(realm, session, now)) return undefined;
    return session;
  }

  /**
   * The store's copy of a session this node holds in memory. A cached copy can lag behind
   * what other nodes did since (slid it, added a client); whoever is about to refuse a session
   * because of its cached copy asks again here first.
   */
  async reload(session: Pick<UserSession, 'id' | 'offline'>): Promise<UserSession | undefined> {
    if (!this.store.evictLocal) return this.store.getUserSession(session.id, session.offline);
    this.store.evictLocal(session.id, session.offline);
    return this.store.getUserSession(session.id, session.offline);
  }

  /**
   * Slides the session (and one client session) to now. Memory always; the store only when its
   * copy is older than the bound, and then in the next batch, not on this request.
   */
  touch(realm: RealmSettings, session: UserSession, clientSession?: ClientSession): void {
    const now = this.now();
    const storedAt = this.stored.get(session) ?? session.lastRefresh;
    const clientStoredAt = clientSession ? (this.storedClient.get(clientSession) ?? clientSession.timestamp) : now;
    session.lastRefresh = Math.max(session.lastRefresh, now);
    if (clientSession) clientSession.timestamp = Math.max(clientSession.timestamp, now);
    session.expiresAt = Math.max(session.expiresAt, userSessionDeadline(realm, session));
    const bound = touchBound(realm, session, this.touchIntervalSeconds);
    if (now - storedAt < bound && now - clientStoredAt < bound) {
      this.stored.set(session, storedAt);
      if (clientSession) this.storedClient.set(clientSession, clientStoredAt);
      return;
    }
    this.stored.set(session, now);
    if (clientSession) this.storedClient.set(clientSession, now);
    this.writer.schedule({
      userSessionId: session.id,
      offline: session.offline,
      lastRefresh: session.lastRefresh,
      expiresAt: session.expiresAt,
      clientUuid: clientSession?.clientUuid,
      clientTimestamp: clientSession?.timestamp,
    });
  }

  async end(session: Pick<UserSession, 'id' | 'offline'>): Promise<boolean> {
    return this.store.deleteUserSession(session.id, session.offline);
  }

  async detachClient(session: UserSession, clientUuid: string): Promise<void> {
    await this.store.removeClientSession(session.id, session.offline, clientUuid);
    session.clientSessions.delete(clientUuid);
  }

  close(): Promise<void> {
    return this.writer.flush();
  }
}
