/**
 * The durable store of every session kind. One interface, several backends (SQL today; Redis and
 * memory plug in behind it), all held to the same contract tests. Every method that returns means
 * the change is committed ("durable before acknowledged", DESIGN rule 2).
 */
import type { AuthSession, AuthSessionLimits, AuthorizationCode, ClientSession, ClientSessionCounts, CodeConsumption, RealmSessionQuery, FailedLogin, LoginAttemptClaim, LoginFailure, LoginLockout, RefreshTokenUse, RefreshTokenUseOutcome, SessionTouch, UserSession } from './types.ts';

export interface SessionStore {
  createUserSession(session: UserSession): Promise<void>;
  /**
   * Writes many user sessions with their client sessions, each replacing a stored session of the
   * same id and kind (and all of that one's client sessions): an import's write, so a re-run
   * updates instead of adding, and the SQL stores do a batch in one transaction.
   */
  putUserSessions(sessions: readonly UserSession[]): Promise<void>;
  getUserSession(id: string, offline: boolean): Promise<UserSession | undefined>;
  /** Adds or replaces one client session of an existing user session; false if the user session is gone. */
  putClientSession(userSessionId: string, offline: boolean, clientSession: ClientSession, expiresAt: number): Promise<boolean>;
  removeClientSession(userSessionId: string, offline: boolean, clientUuid: string): Promise<boolean>;
  /** Removes a user session and its client sessions. */
  deleteUserSession(id: string, offline: boolean): Promise<boolean>;
  /** Removes every session of a user; returns the removed ids. */
  deleteUserSessionsOfUser(realmId: string, userId: string, offline: boolean): Promise<string[]>;
  /** Writes sliding times; a time never moves backwards, whatever order batches land in. */
  touch(touches: SessionTouch[]): Promise<void>;
  listUserSessionsOfUser(realmId: string, userId: string, offline: boolean): Promise<UserSession[]>;
  listUserSessionsOfClient(realmId: string, clientUuid: string, offline: boolean, first: number, max: number): Promise<UserSession[]>;
  countUserSessionsOfClient(realmId: string, clientUuid: string, offline: boolean): Promise<number>;
  /**
   * The kept online and offline counts of every one of the realm's clients named in `clientUuids`
   * (`client-session-stats`), in one query (one round trip on Redis, whose counts live per
   * client); clients with no session of either kind are left out.
   */
  countUserSessionsPerClient(realmId: string, clientUuids: readonly string[]): Promise<Map<string, ClientSessionCounts>>;
  /** Every stored session, of every realm and kind: from the kept counts too (countUserSessionsOfRealm). */
  countUserSessions(): Promise<number>;
  /** A page of a realm's sessions (RealmSessionQuery), with their client sessions. */
  listUserSessionsOfRealm(realmId: string, query: RealmSessionQuery): Promise<UserSession[]>;
  /**
   * How many sessions of a kind the realm has stored, answered from a kept count, never by
   * scanning the sessions (each store's README entry says how exact it is).
   */
  countUserSessionsOfRealm(realmId: string, offline: boolean): Promise<number>;

  /**
   * Records one use of a refresh token under rotation, as a single compare-and-set on the client
   * session (Keycloak's reuse rules, keycloak-compat.md §2.5):
   * - a jti other than the stored one, issued before the client session's `timestamp` (its last
   *   refresh), while a jti is stored: `stale`, nothing changes;
   * - any other new jti replaces the stored one with a count of 1;
   * - the stored jti is counted again while its count is ≤ `maxReuse`, else `exceeded` (the count
   *   still grows: it counts presentations);
   * - every accepted use moves `timestamp` forward to `now`.
   * Never loses a concurrent update; `missing` when there is no such client session.
   */
  useRefreshToken(userSessionId: string, offline: boolean, clientUuid: string, use: RefreshTokenUse): Promise<RefreshTokenUseOutcome>;

  /**
   * Stores a new authentication session, then evicts the oldest ones (by creation) beyond
   * `limits.perOrigin` of its origin and beyond `limits.total` in the store, so that no stream of
   * new logins can grow the store without bound. Returns how many were evicted. Under concurrent
   * creations the bounds hold once each creation has returned.
   */
  createAuthSession(session: AuthSession, limits: AuthSessionLimits): Promise<number>;
  /** Replaces a stored authentication session (new tab, new form token). */
  putAuthSession(session: AuthSession): Promise<void>;
  getAuthSession(id: string): Promise<AuthSession | undefined>;
  deleteAuthSession(id: string): Promise<void>;

  putCode(code: AuthorizationCode): Promise<void>;
  /** Marks a code used, atomically: exactly one caller ever gets `consumed`. */
  consumeCode(codeHash: string): Promise<CodeConsumption>;

  /** Records a revoked access token (by jti) until it would have expired anyway. */
  revokeToken(jti: string, expiresAt: number): Promise<void>;
  /** Revoked jtis that have not expired yet, for the in-memory revocation list. */
  listRevokedTokens(nowSeconds: number): Promise<Array<{ jti: string; expiresAt: number }>>;

  /**
   * Claims a single-use key (a client assertion's or DPoP proof's `jti`, a PAR request URI)
   * until `expiresAt` (seconds), atomically across every node: true for the first claim, false
   * while an unexpired claim of the key exists. A lapsed claim is taken over; the sweeper removes
   * lapsed ones. Callers namespace their keys and keep them within 255 characters (hash what they do not bound).
   */
  claimOnce(key: string, expiresAt: number, nowSeconds: number): Promise<boolean>;

  /**
   * Short-lived records (device codes, pushed authorization requests): durable, shared by every
   * node, expiring at `expiresAt` (seconds; live through that second, like claimOnce). Callers
   * namespace keys ("device-code:<hash>"), keep them within 255 characters and values within
   * 64 KiB, and bound how many they create. A lapsed record reads as absent on every backend.
   */
  /** Stores a record under a new key; false while an unexpired record holds the key (a lapsed one is replaced). */
  putEphemeral(key: string, value: string, expiresAt: number, nowSeconds: number): Promise<boolean>;
  /** The unexpired record's value, or undefined. */
  getEphemeral(key: string, nowSeconds: number): Promise<string | undefined>;
  /** Compare-and-set: replaces value and expiry only while the unexpired record's value is `expected`. */
  replaceEphemeral(key: string, expected: string, value: string, expiresAt: number, nowSeconds: number): Promise<boolean>;
  /** Removes and returns the unexpired record atomically: of concurrent callers exactly one gets it. */
  takeEphemeral(key: string, nowSeconds: number): Promise<string | undefined>;
  /** Removes the record if there is one. */
  deleteEphemeral(key: string): Promise<void>;

  /** Brute-force counters of a user; undefined when there is no failure on record. */
  getLoginFailure(realmId: string, userId: string): Promise<LoginFailure | undefined>;
  /**
   * Counts one failed login, atomically (concurrent failures are all counted): the failure count
   * grows by one, or starts over at one (lockouts cleared too) when the previous failure is older
   * than `resetAfterMs`. Returns the counters after, and when the previous failure was (ms, 0 if none).
   */
  recordLoginFailure(realmId: string, userId: string, failure: FailedLogin): Promise<{ failure: LoginFailure; previousFailure: number }>;
  /** Applies a temporary lockout atomically; returns the counters after, undefined when there is no record. */
  lockLoginFailure(realmId: string, userId: string, lockout: LoginLockout): Promise<LoginFailure | undefined>;
  /** Clears one user's counters, or every user's of the realm when `userId` is omitted. */
  deleteLoginFailures(realmId: string, userId?: string): Promise<void>;
  /**
   * Claims the check of one user's password, atomically across every node: true when nobody
   * else holds an unexpired claim (a lapsed one is taken over), false otherwise. Brute-force
   * detection holds it from reading the counters to counting the failure, so concurrent guesses
   * cannot all pass the lock check before the first is counted.
   */
  claimLoginAttempt(realmId: string, userId: string, claim: LoginAttemptClaim): Promise<boolean>;
  /** Gives a claim back; one that has lapsed and passed to another holder is left alone. */
  releaseLoginAttempt(realmId: string, userId: string, holder: string): Promise<void>;

  /** Deletes at most `limit` expired rows of every kind (lapsed login-attempt claims too); returns how many went. */
  removeExpired(nowSeconds: number, limit: number): Promise<number>;
  /** Throws when the store cannot answer. */
  ping(): Promise<void>;
  /**
   * For a store whose writes are confirmed on replicas in another site (Redis `WAIT`): how many
   * must confirm and how many are online now, so readiness can say when writes stand alone.
   * Absent where writes are not confirmed that way.
   */
  replicaConfirmation?(): Promise<{ required: number; online: number }>;
  close(): Promise<void>;
}
