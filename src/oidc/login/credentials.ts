/**
 * Checking a username and password, for the login form and the password grant alike. Unknown
 * users cost the same hashing work as known ones, so timing does not reveal which names exist.
 */
import type { Context } from '../../context.ts';
import { hashPassword, verifyPassword, type PasswordHash } from '../../crypto/index.ts';
import type { LoadedRealm } from '../../realm/realm-service.ts';
import type { User } from '../../realm/types.ts';

export type CredentialCheck = { result: 'ok'; user: User } | { result: 'invalid'; user?: User } | { result: 'disabled'; user: User };

let decoy: Promise<PasswordHash> | undefined;

export async function checkCredentials(ctx: Context, realm: LoadedRealm, login: string, password: string, _ipAddress: string): Promise<CredentialCheck> {
  const user = login.length <= 255 ? await ctx.realms.findUserForLogin(realm, login) : undefined;
  const stored = user && !user.serviceAccountClientId ? await ctx.realms.repository.getPassword(user.id) : undefined;
  if (!user || !stored) {
    decoy ??= hashPassword('decoy password');
    await verifyPassword(password, await decoy);
    return { result: 'invalid' };
  }
  const valid = await verifyPassword(password, stored);
  if (!valid) return { result: 'invalid', user };
  if (!user.enabled) return { result: 'disabled', user };
  return { result: 'ok', user };
}
