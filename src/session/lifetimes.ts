/**
 * When sessions and tokens end: Keycloak 26's expiration arithmetic (keycloak-compat.md §8.4),
 * pure functions of realm settings, client attributes, the session and the current time.
 */
import type { Client, RealmSettings } from '../realm/types.ts';
import type { ClientSession, UserSession } from './types.ts';

const positive = (value: number | undefined, fallback: number): number => (value !== undefined && value > 0 ? value : fallback);

/** A client attribute holding seconds, read as Keycloak does (`Long.parseLong`); undefined when absent or not an integer. */
const attribute = (client: Client | undefined, name: string): number | undefined => {
  const raw = client?.attributes[name];
  return raw !== undefined && /^[+-]?\d+$/.test(raw) ? Number(raw) : undefined;
};

/** The per-client value if positive, else the realm's if positive, else the base (SessionExpirationUtils). */
const override = (perClient: number | undefined, realmWide: number, base: number): number =>
  perClient !== undefined && perClient > 0 ? perClient : realmWide > 0 ? realmWide : base;

/** SSO idle timeout; with remember-me the longer of the two settings (Keycloak 26's RealmExpiration). */
export function ssoIdle(realm: RealmSettings, rememberMe: boolean): number {
  const idle = positive(realm.ssoSessionIdleTimeout, 1800);
  return rememberMe ? Math.max(idle, realm.ssoSessionIdleTimeoutRememberMe) : idle;
}

/** SSO max lifespan; with remember-me the longer of the two settings. */
export function ssoMax(realm: RealmSettings, rememberMe: boolean): number {
  const max = positive(realm.ssoSessionMaxLifespan, 36000);
  return rememberMe ? Math.max(max, realm.ssoSessionMaxLifespanRememberMe) : max;
}

/**
 * How long the SSO cookies last from a login: the identity token's `exp`, and with remember-me
 * their Max-Age (Keycloak: the remember-me max when set, else the SSO max; session cookies otherwise).
 */
export function ssoCookieLifespan(realm: RealmSettings, rememberMe: boolean): number {
  return rememberMe && realm.ssoSessionMaxLifespanRememberMe > 0 ? realm.ssoSessionMaxLifespanRememberMe : positive(realm.ssoSessionMaxLifespan, 36000);
}

const offlineIdle = (realm: RealmSettings): number => positive(realm.offlineSessionIdleTimeout, 2592000);
const offlineMax = (realm: RealmSettings): number => positive(realm.offlineSessionMaxLifespan, 5184000);

/** Deadline of the user session's max lifespan; undefined for offline sessions without a max. */
export function userSessionMaxTimestamp(realm: RealmSettings, session: UserSession): number | undefined {
  if (session.offline) return realm.offlineSessionMaxLifespanEnabled ? session.started + offlineMax(realm) : undefined;
  return session.started + ssoMax(realm, session.rememberMe);
}

export function userSessionIdleTimestamp(realm: RealmSettings, session: UserSession, lastRefresh = session.lastRefresh): number {
  return lastRefresh + (session.offline ? offlineIdle(realm) : ssoIdle(realm, session.rememberMe));
}

/** The moment after which the session is over unless refreshed again. */
export function userSessionDeadline(realm: RealmSettings, session: UserSession, lastRefresh = session.lastRefresh): number {
  const idle = userSessionIdleTimestamp(realm, session, lastRefresh);
  const max = userSessionMaxTimestamp(realm, session);
  return max === undefined ? idle : Math.min(idle, max);
}

export function isUserSessionValid(realm: RealmSettings, session: UserSession, now: number): boolean {
  return now < userSessionDeadline(realm, session);
}

export function clientSessionIdleTimestamp(realm: RealmSettings, client: Client, session: UserSession, clientSession: ClientSession): number {
  const base = session.offline
    ? override(attribute(client, 'client.offline.session.idle.timeout'), realm.clientOfflineSessionIdleTimeout, offlineIdle(realm))
    : override(attribute(client, 'client.session.idle.timeout'), realm.clientSessionIdleTimeout, ssoIdle(realm, session.rememberMe));
  return clientSession.timestamp + base;
}

/** Deadline of the client session's max lifespan, capped by the user session's; undefined = none. */
export function clientSessionMaxTimestamp(realm: RealmSettings, client: Client, session: UserSession, clientSession: ClientSession): number | undefined {
  const userMax = userSessionMaxTimestamp(realm, session);
  let base: number;
  if (session.offline) {
    const perClient = attribute(client, 'client.offline.session.max.lifespan');
    if (!realm.offlineSessionMaxLifespanEnabled && !(perClient !== undefined && perClient > 0)) return undefined;
    base = override(perClient, realm.clientOfflineSessionMaxLifespan, offlineMax(realm));
  } else {
    base = override(attribute(client, 'client.session.max.lifespan'), realm.clientSessionMaxLifespan, ssoMax(realm, session.rememberMe));
  }
  const own = clientSession.started + base;
  return userMax === undefined ? own : Math.min(own, userMax);
}

/** Refresh token `exp`: min(client idle, client max). Offline tokens without a max have none. */
export function refreshTokenExpiry(realm: RealmSettings, client: Client, session: UserSession, clientSession: ClientSession): number | undefined {
  const max = clientSessionMaxTimestamp(realm, client, session, clientSession);
  if (session.offline && max === undefined) return undefined;
  const idle = clientSessionIdleTimestamp(realm, client, session, clientSession);
  return max === undefined ? idle : Math.min(idle, max);
}

export function isClientSessionValid(realm: RealmSettings, client: Client, session: UserSession, clientSession: ClientSession, now: number): boolean {
  const exp = refreshTokenExpiry(realm, client, session, clientSession);
  return exp === undefined ? now < clientSessionIdleTimestamp(realm, client, session, clientSession) : now < exp;
}

/**
 * Access token `exp`: now + lifespan (the client's `access.token.lifespan` when set, else the
 * realm's), capped by the client session's max. A lifespan of -1 means "until the SSO session's
 * max" (Keycloak: started + the remember-me max when set, else the SSO max).
 */
export function accessTokenExpiry(
  realm: RealmSettings,
  client: Client,
  session: UserSession | undefined,
  clientSession: ClientSession | undefined,
  now: number,
  implicitFlow = false,
): number {
  // As in Keycloak, the implicit flow's lifespan is the realm's alone: no client override.
  const lifespan = implicitFlow ? realm.accessTokenLifespanForImplicitFlow : (attribute(client, 'access.token.lifespan') ?? realm.accessTokenLifespan);
  const max = session && clientSession ? clientSessionMaxTimestamp(realm, client, session, clientSession) : undefined;
  let exp: number;
  if (lifespan === -1) {
    const started = session?.started ?? now;
    const rememberMeMax = session?.rememberMe && realm.ssoSessionMaxLifespanRememberMe > 0 ? realm.ssoSessionMaxLifespanRememberMe : undefined;
    exp = started + (rememberMeMax ?? positive(realm.ssoSessionMaxLifespan, 36000));
  } else {
    exp = now + positive(lifespan, positive(realm.accessTokenLifespan, 300));
  }
  return max === undefined ? exp : Math.min(exp, max);
}

/**
 * How stale the stored `lastRefresh` may be (DESIGN rule 3): the configured bound, but never more
 * than a tenth of the idle timeout. A crash shortens a session's idle window by at most this plus
 * one touch-writer flush (README, "Session lifetimes").
 */
export function touchBound(realm: RealmSettings, session: UserSession, configuredSeconds: number): number {
  const idle = session.offline ? offlineIdle(realm) : ssoIdle(realm, session.rememberMe);
  return Math.max(0, Math.min(configuredSeconds, Math.floor(idle / 10)));
}
