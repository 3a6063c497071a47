/**
 * Checking a username and password, for the login form and the password grant alike. Unknown
 * users cost the same hashing work as known ones, so timing does not reveal which names exist.
 * With brute-force detection on, the lock check, the password check and the failure count run
 * as one step per user, cluster-wide (LoginAttempts), so concurrent guesses cannot outrun
 * `failureFactor`; a locked-out user is refused before the password counts, with the same answer
 * and the same work as a wrong password (Keycloak does not reveal the lock). Hashing is
 * scheduled per realm (PasswordWork); when the realm's queue is full the answer is `busy`.
 */
import type { Context } from '../../context.ts';
import { BUSY, hashPassword, type PasswordHash } from '../../crypto/index.ts';
import type { LoadedRealm } from '../../realm/realm-service.ts';
import type { User } from '../../realm/types.ts';
import { ATTEMPT_BUSY, DISABLED_BY_PERMANENT_LOCKOUT, DISABLED_REASON, lockoutOf, recordFailedLogin, type Lockout } from '../../session/index.ts';

export type CredentialCheck =
  | { result: 'ok'; user: User }
  /** Unknown user, wrong password, or (`lockout`) a brute-force lock: all answered alike. */
  | { result: 'invalid'; user?: User; lockout?: Lockout }
  | { result: 'disabled'; user: User }
  /** Too many password checks already waiting (this realm's hashing, or this user's line): nothing was checked. */
  | { result: 'busy' };

let decoy: Promise<PasswordHash> | undefined;

/** Keycloak's event error for a refused login (never shown to the user, who sees one message for all). */
export function loginFailure(outcome: Extract<CredentialCheck, { result: 'invalid' }>): string {
  if (!outcome.user) return 'user_not_found';
  if (outcome.lockout === 'temporary') return 'user_temporarily_disabled';
  if (outcome.lockout === 'permanent') return 'user_disabled';
  return 'invalid_user_credentials';
}

export async function checkCredentials(ctx: Context, realm: LoadedRealm, login: string, password: string, ipAddress: string): Promise<CredentialCheck> {
  const realmId = realm.realm.id;
  const user = login.length <= 255 ? await ctx.realms.findUserForLogin(realm, login) : undefined;
  const stored = user && !user.serviceAccountClientId ? await ctx.realms.repository.getPassword(user.id) : undefined;
  if (!user || !stored) {
    decoy ??= hashPassword('decoy password');
    return (await ctx.passwords.verify(realmId, password, await decoy)) === BUSY ? { result: 'busy' } : { result: 'invalid' };
  }
  if (!realm.realm.settings.bruteForceProtected) return judge(ctx, realm, user, stored, password, () => Promise.resolve());

  const outcome = await ctx.loginAttempts.exclusive(realmId, user.id, async (): Promise<CredentialCheck> => {
    const failure = await ctx.store.getLoginFailure(realmId, user.id);
    const lockout = lockoutOf(realm.realm.settings, user, failure, ctx.clock.nowMs());
    if (lockout) return { result: 'invalid', user, lockout };
    return judge(ctx, realm, user, stored, password, () => countFailure(ctx, realm, user, ipAddress), failure !== undefined);
  });
  if (outcome === ATTEMPT_BUSY) return { result: 'busy' };
  if (outcome.result === 'invalid' && outcome.lockout) {
    // Hashed all the same (outside the user's claim), so timing does not tell a lock from a wrong password.
    await ctx.passwords.verify(realmId, password, stored);
  }
  return outcome;
}

/** Verifies the password and decides; `onFailure` counts a wrong one before the answer goes out. */
async function judge(
  ctx: Context,
  realm: LoadedRealm,
  user: User,
  stored: PasswordHash,
  password: string,
  onFailure: () => Promise<void>,
  failuresOnRecord = false,
): Promise<CredentialCheck> {
  const valid = await ctx.passwords.verify(realm.realm.id, password, stored);
  if (valid === BUSY) return { result: 'busy' };
  if (!valid) {
    await onFailure();
    return { result: 'invalid', user };
  }
  if (!user.enabled) return { result: 'disabled', user };
  if (failuresOnRecord) await ctx.store.deleteLoginFailures(realm.realm.id, user.id);
  return { result: 'ok', user };
}

/**
 * A second factor checked under the same brute-force rules as the password (Keycloak counts
 * OTP failures in the same counters): refused without checking while locked out, a failure
 * counted durably before the answer, the counters cleared on success.
 */
export async function checkSecondFactor(ctx: Context, realm: LoadedRealm, user: User, ipAddress: string, check: () => Promise<boolean>): Promise<'ok' | 'invalid' | 'busy'> {
  const realmId = realm.realm.id;
  if (!realm.realm.settings.bruteForceProtected) return (await check()) ? 'ok' : 'invalid';
  const outcome = await ctx.loginAttempts.exclusive(realmId, user.id, async () => {
    const failure = await ctx.store.getLoginFailure(realmId, user.id);
    if (lockoutOf(realm.realm.settings, user, failure, ctx.clock.nowMs())) return 'invalid' as const;
    if (!(await check())) {
      await countFailure(ctx, realm, user, ipAddress);
      return 'invalid' as const;
    }
    if (failure) await ctx.store.deleteLoginFailures(realmId, user.id);
    return 'ok' as const;
  });
  return outcome === ATTEMPT_BUSY ? 'busy' : outcome;
}

/** Records the failure durably before the answer goes out; a permanent lockout disables the user. */
async function countFailure(ctx: Context, realm: LoadedRealm, user: User, ipAddress: string): Promise<void> {
  const nowMs = ctx.clock.nowMs();
  const { failure, disableUser } = await recordFailedLogin(ctx.store, realm.realm, user.id, ipAddress, nowMs);
  if (!disableUser && lockoutOf(realm.realm.settings, user, failure, nowMs) === 'temporary') {
    ctx.events.recorder.user(realm, 'USER_DISABLED_BY_TEMPORARY_LOCKOUT', ipAddress).user(user.id).success();
  }
  if (!disableUser || !user.enabled) return;
  ctx.events.recorder.user(realm, 'USER_DISABLED_BY_PERMANENT_LOCKOUT', ipAddress).user(user.id).success();
  await ctx.realms.repository.updateUser({ ...user, enabled: false, attributes: { ...user.attributes, [DISABLED_REASON]: [DISABLED_BY_PERMANENT_LOCKOUT] } });
  await ctx.realms.userChanged(user.id);
}
