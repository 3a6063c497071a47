/**
 * Checking a username and password, for the login form and the password grant alike. Unknown
 * users cost the same hashing work as known ones, so timing does not reveal which names exist.
 * With brute-force detection on, a locked-out user is refused before the password counts, with
 * the same answer and the same work as a wrong password (Keycloak does not reveal the lock).
 * Hashing is scheduled per realm (PasswordWork); when the realm's queue is full the answer is `busy`.
 */
import type { Context } from '../../context.ts';
import { BUSY, hashPassword, type PasswordHash } from '../../crypto/index.ts';
import type { LoadedRealm } from '../../realm/realm-service.ts';
import type { User } from '../../realm/types.ts';
import { DISABLED_BY_PERMANENT_LOCKOUT, DISABLED_REASON, lockoutOf, recordFailedLogin, type Lockout } from '../../session/index.ts';

export type CredentialCheck =
  | { result: 'ok'; user: User }
  /** Unknown user, wrong password, or (`lockout`) a brute-force lock: all answered alike. */
  | { result: 'invalid'; user?: User; lockout?: Lockout }
  | { result: 'disabled'; user: User }
  /** Too many password checks of this realm already waiting: nothing was checked. */
  | { result: 'busy' };

let decoy: Promise<PasswordHash> | undefined;

export async function checkCredentials(ctx: Context, realm: LoadedRealm, login: string, password: string, ipAddress: string): Promise<CredentialCheck> {
  const user = login.length <= 255 ? await ctx.realms.findUserForLogin(realm, login) : undefined;
  const stored = user && !user.serviceAccountClientId ? await ctx.realms.repository.getPassword(user.id) : undefined;
  if (!user || !stored) {
    decoy ??= hashPassword('decoy password');
    return (await ctx.passwords.verify(realm.realm.id, password, await decoy)) === BUSY ? { result: 'busy' } : { result: 'invalid' };
  }
  const settings = realm.realm.settings;
  const failure = settings.bruteForceProtected ? await ctx.store.getLoginFailure(realm.realm.id, user.id) : undefined;
  const lockout = lockoutOf(settings, user, failure, ctx.clock.nowMs());
  if (lockout) {
    // Hashed all the same, so the answer's timing does not tell a lock from a wrong password.
    await ctx.passwords.verify(realm.realm.id, password, stored);
    return { result: 'invalid', user, lockout };
  }
  const valid = await ctx.passwords.verify(realm.realm.id, password, stored);
  if (valid === BUSY) return { result: 'busy' };
  if (!valid) {
    if (settings.bruteForceProtected) await countFailure(ctx, realm, user, ipAddress);
    return { result: 'invalid', user };
  }
  if (!user.enabled) return { result: 'disabled', user };
  if (failure) await ctx.store.deleteLoginFailures(realm.realm.id, user.id);
  return { result: 'ok', user };
}

/** Records the failure durably before the answer goes out; a permanent lockout disables the user. */
async function countFailure(ctx: Context, realm: LoadedRealm, user: User, ipAddress: string): Promise<void> {
  const { disableUser } = await recordFailedLogin(ctx.store, realm.realm, user.id, ipAddress, ctx.clock.nowMs());
  if (!disableUser || !user.enabled) return;
  await ctx.realms.repository.updateUser({ ...user, enabled: false, attributes: { ...user.attributes, [DISABLED_REASON]: [DISABLED_BY_PERMANENT_LOCKOUT] } });
  await ctx.realms.userChanged(user.id);
}
