/**
 * What a realm update must satisfy about its session and token lifespans, checked on the settings
 * as they would be after the update (a partial PUT is judged with the stored values it leaves).
 *
 * Keycloak refuses a client session idle (or max) above the SSO session's, with these messages;
 * it accepts negative lifespans, which mean nothing in its expiry arithmetic (≤ 0 falls back to a
 * default, or makes tokens already expired). holdfast refuses a negative value (and 0 where 0 means
 * "already expired"), but only when the update changes that setting: a GET body of a realm
 * imported from Keycloak with such a value still goes back unchanged.
 */
import { AdminError } from '../../errors/index.ts';
import type { RealmSettings } from '../../realm/index.ts';

/** Java's int, the type of these fields in Keycloak's representation. */
const MAX_SECONDS = 2_147_483_647;

/** 0 means "follow the realm-wide or default value" for these. */
const ZERO_MEANS_DEFAULT = [
  'ssoSessionIdleTimeout',
  'ssoSessionMaxLifespan',
  'ssoSessionIdleTimeoutRememberMe',
  'ssoSessionMaxLifespanRememberMe',
  'offlineSessionIdleTimeout',
  'offlineSessionMaxLifespan',
  'clientSessionIdleTimeout',
  'clientSessionMaxLifespan',
  'clientOfflineSessionIdleTimeout',
  'clientOfflineSessionMaxLifespan',
  'refreshTokenMaxReuse',
] as const;

/** A token or code that lives 0 seconds could never be used. */
const MUST_BE_POSITIVE = [
  'accessTokenLifespan',
  'accessTokenLifespanForImplicitFlow',
  'accessCodeLifespan',
  'accessCodeLifespanUserAction',
  'accessCodeLifespanLogin',
  'actionTokenGeneratedByUserLifespan',
  'actionTokenGeneratedByAdminLifespan',
] as const;

type LifespanName = (typeof ZERO_MEANS_DEFAULT)[number] | (typeof MUST_BE_POSITIVE)[number];

function refuse(field: string, errorMessage: string): never {
  throw new AdminError(400, { errorMessage, field });
}

function checkRange(before: RealmSettings, after: RealmSettings, name: LifespanName, min: number): void {
  const value = after[name];
  if (value === before[name]) return;
  if (value < min || value > MAX_SECONDS) refuse(name, `${name} must be ${min === 0 ? 'zero or more' : 'at least 1'} and at most ${MAX_SECONDS}.`);
}

export function checkRealmLifespans(before: RealmSettings, after: RealmSettings): void {
  for (const name of ZERO_MEANS_DEFAULT) checkRange(before, after, name, 0);
  for (const name of MUST_BE_POSITIVE) checkRange(before, after, name, 1);
  // Keycloak's own checks and words, on the raw numbers as Keycloak compares them.
  if (after.clientSessionIdleTimeout > after.ssoSessionIdleTimeout) {
    refuse('clientSessionIdleTimeout', 'Client Session Idle Timeout cannot be greater than Realm SSO Idle Timeout.');
  }
  if (after.clientSessionMaxLifespan > after.ssoSessionMaxLifespan) {
    refuse('clientSessionMaxLifespan', 'Client session max lifespan cannot exceed realm SSO session max lifespan.');
  }
}
