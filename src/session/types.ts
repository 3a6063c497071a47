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
  /**
   * The browser's User-Agent at login (at most USER_AGENT_MAX_LENGTH characters; longer ones are
   * not kept, as Keycloak keeps no device then): the account API's device activity reads it.
   */
  userAgent?: string;
  /**
   * Keycloak's user session notes that holdfast keeps: a brokered login's `identity_provider`,
   * `identity_provider_identity`, `broker_session_id` and `broker_user_id`.
   */
  notes?: Record<string, string>;
  clientSessions: Map<string, ClientSession>;
}

/**
 * A page of a realm's user sessions for the admin console, in id order (online ones first when
 * both kinds are asked for).
 */
export interface RealmSessionQuery {
  /** Only online or only offline sessions; both when absent. */
  offline?: boolean;
  /** Only sessions of one of these users, or whose IP address starts with `ipPrefix`. */
  search?: { userIds: string[]; ipPrefix: string };
  first: number;
  max: number;
}

/** A client's kept session counts per kind (`client-session-stats`). */
export interface ClientSessionCounts {
  online: number;
  offline: number;
}

/** Keycloak's bound on a User-Agent it attaches to a session (DeviceActivityManager). */
export const USER_AGENT_MAX_LENGTH = 512;

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
  /** `dpop_jkt` (RFC 9449 §10): the code may only be redeemed with a DPoP proof of this key. */
  dpopJkt?: string;
  prompt?: string;
  maxAge?: number;
  loginHint?: string;
  /** `kc_action`: an application-initiated action asked for with the login (a required action's alias). */
  kcAction?: string;
  /** How the application-initiated action ended: done, or declined with its Cancel button. */
  kcActionStatus?: 'success' | 'cancelled';
  /** Requested acr values (`acr_values`, `claims`), essential ones apart. */
  acr?: { essential: string[]; values: string[] };
  /** The pushed authorization request (PAR) the tab came from: its store key, spent when the login completes. */
  pushedRequest?: { key: string; expiresAt: number };
  /** Per-render form token (Keycloak's `session_code`): must come back with the login POST. */
  sessionCode: string;
  createdAt: number;
  /** The login registers a new user (the "Register" link, `prompt=create`) instead of asking for a password. */
  registering?: boolean;
  /** The user the login has identified (set by the password step); the later steps act on them. */
  userId?: string;
  /**
   * The SSO session that identified the user (the browser's cookie): the login runs only the
   * required actions and consent it still needs, then ends in that session instead of a new one,
   * and only while the browser's SSO cookie still names it.
   */
  ssoSessionId?: string;
  /** Steps of the login flow already satisfied in this tab (src/authn). */
  completedSteps?: string[];
  rememberMe?: boolean;
  /** Notes the user session gets when this login creates it (a brokered login's `identity_provider`, …). */
  userSessionNotes?: Record<string, string>;
  /** Per-step state kept between a page and its form (e.g. a sealed OTP secret being set up). */
  notes?: Record<string, string>;
  /**
   * Set when the login authorizes a device (src/oidc/device): the store key of the user code
   * that was entered. Such a login ends with the device's approval page, not a redirect.
   */
  device?: { userCodeKey: string };
  /** The application's `ui_locales` (Keycloak's client note): preferred languages, space-separated. */
  uiLocales?: string;
  /** The language picked on a page of this login (`kc_locale`); it wins over every other source. */
  locale?: string;
}

/** A login in progress: one per browser (AUTH_SESSION_ID cookie), tabs inside. */
export interface AuthSession {
  id: string;
  realmId: string;
  /**
   * Who opened it: a hash of realm, client and client network (auth-session-origin.ts). The store
   * keeps a bounded number of logins in progress per origin.
   */
  origin: string;
  createdAt: number;
  expiresAt: number;
  tabs: Record<string, AuthTab>;
}

/** How many logins in progress the store keeps; beyond either bound the oldest are evicted. */
export interface AuthSessionLimits {
  /** Per origin (realm, client and client network). */
  perOrigin: number;
  /** In the whole store. */
  total: number;
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
  dpopJkt?: string;
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

/** One presentation of a refresh token while rotation (`revokeRefreshToken`) is on. */
export interface RefreshTokenUse {
  jti: string;
  /** The token's `iat`: older than the client session's last refresh and not the newest token = stale. */
  issuedAt: number;
  /** Becomes the client session's `timestamp` (its last refresh) when the use is accepted. */
  now: number;
  /** `refreshTokenMaxReuse`: how many times more than once the same token may be used. */
  maxReuse: number;
}

/**
 * What one compare-and-set on the rotation state decided: accepted; the same token used more than
 * `maxReuse` + 1 times; an older token used after a newer one was (`Stale token`); or no such
 * client session.
 */
export type RefreshTokenUseOutcome = 'ok' | 'exceeded' | 'stale' | 'missing';

/** Brute-force counters of one user, as Keycloak keeps them. `lastFailure` in ms, `failedLoginNotBefore` in s. */
export interface LoginFailure {
  numFailures: number;
  numTemporaryLockouts: number;
  lastFailure: number;
  lastIpFailure?: string;
  failedLoginNotBefore: number;
}

/** One failed login to count. */
export interface FailedLogin {
  atMs: number;
  ipAddress: string;
  /** Counters start over when the previous failure is older than this (`maxDeltaTimeSeconds`); never when absent. */
  resetAfterMs?: number;
}

/** A temporary lockout to apply after a failure. */
export interface LoginLockout {
  /** Epoch seconds; an existing later lock is kept. */
  notBefore: number;
  /** Whether this lockout counts towards `maxTemporaryLockouts` (quick-login waits do not). */
  countLockout: boolean;
  /** Apply the lock only while the count (after this lockout) is at most this; no limit when absent. */
  maxLockouts?: number;
}

/** A claim on checking one user's password (session/login-attempts.ts): a lease, in ms. */
export interface LoginAttemptClaim {
  /** Unique to the attempt: only the holder releases it. */
  holder: string;
  nowMs: number;
  /** The claim lapses by itself then, so a node that dies mid-check blocks nobody for long. */
  untilMs: number;
}
