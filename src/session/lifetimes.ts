/**
 * When sessions and tokens end: Keycloak 26's expiration arithmetic (keycloak-compat.md §8.4),
 * pure functions of realm settings, client attributes, the session and the current time.
 */
import type { Client, RealmSettings } from '../realm/types.ts';
import type { ClientSession, UserSession } from './types.ts';

const positive = (value: number | undefined, fallback: number): number => (value !== undefined && value > 0 ? value : fallback);
const attribute = (client: Client | undefined, name: string): number => {
  const raw = client?.attributes[name];
  const value = raw === undefined ? NaN : Number(raw);
  return Number.isFinite(value) ? value : 0;
};

export function ssoIdle(realm: RealmSettings, rememberMe: boolean): number {
  const idle = positive(realm.ssoSessionIdleTimeout, 1800);
  return rememberMe && realm.ssoSessionIdleTimeoutRememberMe > 0 ? realm.ssoSessionIdleTimeoutRememberMe : idle;
}

export function ssoMax(realm: RealmSettings, rememberMe: boolean): number {
  const max = positive(realm.ssoSessionMaxLifespan, 36000);
  return rememberMe && realm.ssoSessionMaxLifespanRememberMe > 0 ? realm.ssoSessionMaxLifespanRememberMe : max;
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
  let base: number;
  if (session.offline) {
    base = offlineIdle(realm);
    const override = attribute(client, 'client.offline.session.idle.timeout') || realm.clientOfflineSessionIdleTimeout;
    if (override > 0) base = override;
  } else {
    base = positive(realm.ssoSessionIdleTimeout, 1800);
    if (session.rememberMe) base = Math.max(base, realm.ssoSessionIdleTimeoutRememberMe);
    const override = attribute(client, 'client.session.idle.timeout') || realm.clientSessionIdleTimeout;
    if (override > 0) base = override;
  }
  return clientSession.timestamp + base;
}

/** Deadline of the client session's max lifespan, capped by the user session's; undefined = none. */
export function clientSessionMaxTimestamp(realm: RealmSettings, client: Client, session: UserSession, clientSession: ClientSession): number | undefined {
  const userMax = userSessionMaxTimestamp(realm, session);
  let base: number;
  if (session.offline) {
    const clientOverride = attribute(client, 'client.offline.session.max.lifespan');
    if (!realm.offlineSessionMaxLifespanEnabled && clientOverride <= 0) return undefined;
    base = clientOverride > 0 ? clientOverride : realm.clientOfflineSessionMaxLifespan > 0 ? realm.clientOfflineSessionMaxLifespan : offlineMax(realm);
  } else {
    base = positive(realm.ssoSessionMaxLifespan, 36000);
    if (session.rememberMe) base = Math.max(base, realm.ssoSessionMaxLifespanRememberMe);
    const override = attribute(client, 'client.session.max.lifespan') || realm.clientSessionMaxLifespan;
    if (override > 0) base = override;
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

/** Access token `exp`: now + lifespan (client override first), capped by the client session's max. */
export function accessTokenExpiry(realm: RealmSettings, client: Client, session: UserSession | undefined, clientSession: ClientSession | undefined, now: number): number {
  const override = attribute(client, 'access.token.lifespan');
  const lifespan = override !== 0 ? override : realm.accessTokenLifespan;
  const max = session && clientSession ? clientSessionMaxTimestamp(realm, client, session, clientSession) : undefined;
  if (lifespan === -1) return max ?? now + positive(realm.ssoSessionMaxLifespan, 36000);
  const exp = now + positive(lifespan, 300);
  return max === undefined ? exp : Math.min(exp, max);
}

/**
 * How stale the stored `lastRefresh` may be (DESIGN rule 3): the configured bound, but never more
 * than a tenth of the idle timeout, so a crash shortens a session's idle window by at most that.
 */
export function touchBound(realm: RealmSettings, session: UserSession, configuredSeconds: number): number {
  const idle = session.offline ? offlineIdle(realm) : ssoIdle(realm, session.rememberMe);
  return Math.max(0, Math.min(configuredSeconds, Math.floor(idle / 10)));
}
