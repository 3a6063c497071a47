/**
 * Brute-force detection as Keycloak 26's DefaultBruteForceProtector (keycloak-compat.md §2.6,
 * §8.1): failures of a known user are counted in the store (durable, atomic, shared by every
 * node), a temporary lockout follows from `failureFactor`, `waitIncrementSeconds`,
 * `bruteForceStrategy`, `maxFailureWaitSeconds` and the quick-login rule, and `permanentLockout`
 * disables the user (after `maxTemporaryLockouts` temporary ones). The lock is checked before the
 * password, and callers answer a locked user exactly like a wrong password.
 */
import type { Realm, RealmSettings, User } from '../realm/types.ts';
import type { SessionStore } from './session-store.ts';
import type { LoginFailure } from './types.ts';

/** Keycloak's user attribute naming why a user is disabled, and its value for a permanent lockout. */
export const DISABLED_REASON = 'disabledReason';
export const DISABLED_BY_PERMANENT_LOCKOUT = 'permanentLockout';

export type Lockout = 'temporary' | 'permanent';

/** Permanent lockout only (no temporary lockouts first): failures never expire then. */
const permanentOnly = (settings: RealmSettings): boolean => settings.permanentLockout && settings.maxTemporaryLockouts === 0;

/** Whether the user is locked out now, and how (permanent first, as Keycloak reports it). */
export function lockoutOf(settings: RealmSettings, user: User, failure: LoginFailure | undefined, nowMs: number): Lockout | undefined {
  if (!settings.bruteForceProtected) return undefined;
  if (!user.enabled && user.attributes[DISABLED_REASON]?.[0] === DISABLED_BY_PERMANENT_LOCKOUT) return 'permanent';
  // The counters may have crossed the limit before this request's copy of the user was disabled.
  if (settings.permanentLockout && failure && failure.numTemporaryLockouts > settings.maxTemporaryLockouts) return 'permanent';
  if (permanentOnly(settings) && failure && failure.numFailures >= settings.failureFactor) return 'permanent';
  if (failure && Math.floor(nowMs / 1000) < failure.failedLoginNotBefore) return 'temporary';
  return undefined;
}

/** The wait a failure earns (seconds, 0 for none) and whether it is only a quick-login wait. */
export function waitAfterFailure(settings: RealmSettings, failure: LoginFailure, previousFailure: number, nowMs: number): { seconds: number; quick: boolean } {
  const factor = Math.max(1, settings.failureFactor);
  let seconds = 0;
  if (!permanentOnly(settings)) {
    seconds =
      settings.bruteForceStrategy === 'LINEAR'
        ? settings.waitIncrementSeconds * (1 + failure.numFailures - factor)
        : settings.waitIncrementSeconds * Math.floor(failure.numFailures / factor);
  }
  let quick = false;
  if (seconds <= 0 && previousFailure > 0 && nowMs - previousFailure < settings.quickLoginCheckMilliSeconds) {
    seconds = settings.minimumQuickLoginWaitSeconds;
    quick = true;
  }
  if (seconds <= 0) return { seconds: 0, quick: false };
  if (!settings.permanentLockout || settings.maxTemporaryLockouts > 0) seconds = Math.min(settings.maxFailureWaitSeconds, seconds);
  return { seconds, quick };
}

/** Whether the counters now call for disabling the user for good. */
export function locksPermanently(settings: RealmSettings, failure: LoginFailure): boolean {
  if (!settings.permanentLockout) return false;
  return failure.numTemporaryLockouts > settings.maxTemporaryLockouts || (settings.maxTemporaryLockouts === 0 && failure.numFailures >= settings.failureFactor);
}

/**
 * Counts a failed login of a known user and applies the lockout it earns. Returns the counters
 * after, and whether the user must now be disabled (permanent lockout), which the caller does.
 */
export async function recordFailedLogin(
  store: SessionStore,
  realm: Realm,
  userId: string,
  ipAddress: string,
  nowMs: number,
): Promise<{ failure: LoginFailure; disableUser: boolean }> {
  const settings = realm.settings;
  const resetAfterMs = permanentOnly(settings) ? undefined : settings.maxDeltaTimeSeconds * 1000;
  const recorded = await store.recordLoginFailure(realm.id, userId, { atMs: nowMs, ipAddress, resetAfterMs });
  let failure = recorded.failure;
  const wait = waitAfterFailure(settings, failure, recorded.previousFailure, nowMs);
  if (wait.seconds > 0) {
    const limited = !wait.quick && settings.permanentLockout;
    failure =
      (await store.lockLoginFailure(realm.id, userId, {
        notBefore: Math.floor(nowMs / 1000) + wait.seconds,
        countLockout: !wait.quick,
        maxLockouts: limited ? settings.maxTemporaryLockouts : undefined,
      })) ?? failure;
  }
  return { failure, disableUser: locksPermanently(settings, failure) };
}
