/**
 * The durable store of every session kind. One interface, several backends (SQL today; Redis and
 * memory plug in behind it), all held to the same contract tests. Every method that returns means
 * the change is committed ("durable before acknowledged", DESIGN rule 2).
 */
import type { AuthSession, AuthorizationCode, ClientSession, CodeConsumption, SessionTouch, UserSession } from './types.ts';

export interface SessionStore {
  createUserSession(session: UserSession): Promise<void>;
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
  countUserSessions(): Promise<number>;

  /**
   * Records one use of a refresh token under rotation, as a single compare-and-set:
   * a newer jti replaces the stored one with a count of 1; the same jti increments the count while
   * it is ≤ maxReuse. Returns the outcome without ever losing a concurrent update.
   */
  useRefreshToken(userSessionId: string, offline: boolean, clientUuid: string, jti: string, maxReuse: number): Promise<'ok' | 'exceeded' | 'missing'>;

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

  /** Deletes at most `limit` expired rows of every kind; returns how many went. */
  removeExpired(nowSeconds: number, limit: number): Promise<number>;
  /** Throws when the store cannot answer. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
