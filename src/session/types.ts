/**
 * The session kinds of DESIGN.md, as stored. Times are epoch seconds, like Keycloak's.
 */

/** A client's share of a user session: what it was granted and when it last refreshed. */
export interface ClientSession {
  /** The client's UUID (not its `clientId`). */
  clientUuid: string;
  started: number;
  /** Last refresh; the client session's idle window slides from here. */
  timestamp: number;
  scope: string;
  redirectUri?: string;
  /** Rotation (`revokeRefreshToken`): the jti of the newest refresh token and how often it was used. */
  refreshTokenJti?: string;
  refreshTokenUses: number;
}

/** An SSO session (online) or an offline session, with its client sessions. */
export interface UserSession {
  id: string;
  offline: boolean;
  realmId: string;
  userId: string;
  started: number;
  lastRefresh: number;
  rememberMe: boolean;
  ipAddress: string;
  /** Time of the last real (non-SSO) authentication: `auth_time`. */
  authTime: number;
  /** The stored deadline after which the session is certainly over; lets expiry run on an index. */
  expiresAt: number;
  clientSessions: Map<string, ClientSession>;
}

/** One tab of a login in progress: the authorization request waiting for the user. */
export interface AuthTab {
  clientId: string;
  redirectUri: string;
  responseType: string;
  responseMode: 'query' | 'fragment' | 'form_post';
  scope: string;
  state?: string;
  nonce?: string;
  codeChallenge?: string;
  codeChallengeMethod?: 'plain' | 'S256';
  prompt?: string;
  maxAge?: number;
  loginHint?: string;
  /** Per-render form token (Keycloak's `session_code`): must come back with the login POST. */
  sessionCode: string;
  createdAt: number;
}

/** A login in progress: one per browser (AUTH_SESSION_ID cookie), tabs inside. */
export interface AuthSession {
  id: string;
  realmId: string;
  createdAt: number;
  expiresAt: number;
  tabs: Record<string, AuthTab>;
}

/** An issued authorization code. The store keys it by the SHA-256 of the code, never the code. */
export interface AuthorizationCode {
  codeHash: string;
  realmId: string;
  clientUuid: string;
  userSessionId: string;
  redirectUri: string;
  scope: string;
  nonce?: string;
  codeChallenge?: string;
  codeChallengeMethod?: 'plain' | 'S256';
  authTime: number;
  /** `acr`: "1" after a real login, "0" after SSO re-authentication. */
  acr: string;
  expiresAt: number;
}

/** Result of an atomic single-use consumption of a code. */
export type CodeConsumption =
  | { outcome: 'consumed'; code: AuthorizationCode }
  | { outcome: 'reused'; code: AuthorizationCode }
  | { outcome: 'unknown' };

/** A pending write of a session's sliding times, coalesced by the touch writer. */
export interface SessionTouch {
  userSessionId: string;
  offline: boolean;
  lastRefresh: number;
  expiresAt: number;
  clientUuid?: string;
  clientTimestamp?: number;
}
