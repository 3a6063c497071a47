/**
 * The one place the login pages validate a user's profile (UPDATE_PROFILE, UPDATE_EMAIL): for
 * now the admin API's checks of Keycloak's default user profile (src/admin/user-profile.ts);
 * the declarative user profile replaces them here, in one call. Answers Keycloak's login-page
 * texts rather than admin error bodies.
 */
import { AdminError } from '../errors/index.ts';
import { assertUnique, checkProfile } from '../admin/user-profile.ts';
import type { RealmRepository, RealmSettings, User } from '../realm/index.ts';

export interface ProfileProblem {
  field: string;
  error: string;
}

const TEXTS: Record<string, string> = {
  invalidEmailMessage: 'Invalid email address.',
  'error-invalid-length': 'Invalid length.',
  'error-username-invalid-character': 'Username contains invalid character.',
};

/** The first problem of the profile as it would be saved, or undefined. */
export function profileProblem(user: User): ProfileProblem | undefined {
  try {
    checkProfile(user);
    return undefined;
  } catch (error) {
    if (!(error instanceof AdminError)) throw error;
    const field = typeof error.body.field === 'string' ? error.body.field : 'username';
    const key = String(error.body.errorMessage ?? '');
    return { field, error: TEXTS[key] ?? (field === 'username' ? 'Please specify username.' : 'Invalid value.') };
  }
}

/** Inside the write's transaction: another user already has this username or email. */
export async function uniquenessProblem(tx: RealmRepository, settings: RealmSettings, user: User): Promise<ProfileProblem | undefined> {
  try {
    await assertUnique(tx, settings, user);
    return undefined;
  } catch (error) {
    if (!(error instanceof AdminError)) throw error;
    return /email/.test(error.message) ? { field: 'email', error: 'Email already exists.' } : { field: 'username', error: 'Username already exists.' };
  }
}
