/**
 * The checks Keycloak 26's default user profile applies to users created or edited through the
 * admin API, with its error bodies: username present (3–255 characters, no markup or spaces),
 * email well-formed, names at most 255 characters, username and email unique in the realm.
 * Realm imports skip the profile checks, as Keycloak's do, but not uniqueness.
 */
import { AdminError, adminBadRequest, adminConflict } from '../errors/index.ts';
import type { RealmRepository, RealmSettings, User } from '../realm/index.ts';

const PROHIBITED_IN_USERNAME = /[\s<>&"'\\/$%!#?§;*~|^=[\]{}()]|\p{Cc}/u;
const EMAIL = /^[^\s@]+@[^\s@]+\.?[^\s@]*$/;

const fieldError = (field: string, errorMessage: string, params: unknown[]) => new AdminError(400, { field, errorMessage, params });

export function checkProfile(user: User): void {
  if (user.username === '') throw adminBadRequest('User name is missing');
  if (user.username.length < 3 || user.username.length > 255) throw fieldError('username', 'error-invalid-length', ['username', 3, 255]);
  // Service accounts are named by holdfast from the clientId and escape the character rule.
  if (!user.serviceAccountClientId && PROHIBITED_IN_USERNAME.test(user.username)) throw fieldError('username', 'error-username-invalid-character', ['username']);
  if (user.email !== undefined && (user.email.length > 255 || !EMAIL.test(user.email))) throw fieldError('email', 'invalidEmailMessage', ['email']);
  for (const field of ['firstName', 'lastName'] as const) {
    const value = user[field];
    if (value !== undefined && value.length > 255) throw fieldError(field, 'error-invalid-length', [field, undefined, 255]);
  }
}

/** 409 when another user of the realm has this username, or this email unless duplicates are allowed. */
export async function assertUnique(repository: RealmRepository, settings: RealmSettings, user: User): Promise<void> {
  const sameName = await repository.findUserByUsername(user.realmId, user.username);
  if (sameName && sameName.id !== user.id) throw adminConflict('User exists with same username');
  if (user.email === undefined || settings.duplicateEmailsAllowed) return;
  const sameEmail = await repository.findUserByEmail(user.realmId, user.email);
  if (sameEmail.some((other) => other.id !== user.id)) throw adminConflict('User exists with same email');
}
