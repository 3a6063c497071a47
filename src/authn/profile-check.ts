/**
 * The one place the login pages validate a user's profile (UPDATE_PROFILE, UPDATE_EMAIL): the
 * realm's declarative user profile, through the admin API's check (src/admin/user-profile.ts);
 * it should move to `validateProfile` with role `user` when the account API lands. Answers
 * Keycloak's login-page texts rather than admin error bodies.
 */
import { AdminError } from '../errors/index.ts';
import { assertUnique, checkProfile } from '../admin/user-profile.ts';
import type { RealmRepository, RealmSettings, User } from '../realm/index.ts';
import type { LoginFlow, StepOutcome } from './login-step.ts';

export interface ProfileProblem {
  field: string;
  error: string;
}

/** Keycloak's login-page texts for the user profile's message keys. */
const TEXTS: Record<string, string> = {
  invalidEmailMessage: 'Invalid email address.',
  'error-invalid-email': 'Invalid email address.',
  'error-invalid-length': 'Invalid length.',
  'error-invalid-length-too-short': 'Invalid length.',
  'error-invalid-length-too-long': 'Invalid length.',
  'error-username-invalid-character': 'Username contains invalid character.',
  'error-person-name-invalid-character': 'Invalid value.',
};

/** The first problem of the profile as it would be saved, or undefined. */
function profileProblem(flow: LoginFlow, user: User): ProfileProblem | undefined {
  try {
    checkProfile(flow.realm, flow.user, user, undefined);
    return undefined;
  } catch (error) {
    if (!(error instanceof AdminError)) throw error;
    // One problem comes as {field, errorMessage}, several as {errors: [...]}: the page shows the first.
    const first = (Array.isArray(error.body.errors) ? error.body.errors[0] : error.body) as { field?: unknown; errorMessage?: unknown };
    const field = typeof first.field === 'string' ? first.field : 'username';
    const key = String(first.errorMessage ?? '');
    return { field, error: TEXTS[key] ?? (field === 'username' ? 'Please specify username.' : 'Invalid value.') };
  }
}

/** Inside the write's transaction: another user already has this username or email. */
async function uniquenessProblem(tx: RealmRepository, settings: RealmSettings, user: User): Promise<ProfileProblem | undefined> {
  try {
    await assertUnique(tx, settings, user);
    return undefined;
  } catch (error) {
    if (!(error instanceof AdminError)) throw error;
    return /email/.test(error.message) ? { field: 'email', error: 'Email already exists.' } : { field: 'username', error: 'Username already exists.' };
  }
}

/** Thrown inside the transaction so that nothing is written; the engine shows the page again with it. */
export class ProfileConflict extends Error {
  constructor(
    readonly field: string,
    readonly text: string,
  ) {
    super(text);
  }
}

/**
 * The outcome of a page that changes the profile: checked here, then saved by the engine with
 * uniqueness checked inside its transaction.
 */
export function profileChange(flow: LoginFlow, updated: User, values: Record<string, string>): StepOutcome {
  const problem = profileProblem(flow, updated);
  if (problem) return { kind: 'again', message: { ...problem, values } };
  return {
    kind: 'done',
    user: updated,
    write: async (tx) => {
      const clash = await uniquenessProblem(tx, flow.realm.realm.settings, updated);
      if (clash) throw new ProfileConflict(clash.field, clash.error);
    },
  };
}
