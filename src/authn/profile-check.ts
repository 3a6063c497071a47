/**
 * The one place the login pages validate a user's profile (registration, UPDATE_PROFILE,
 * UPDATE_EMAIL): the realm's declarative user profile, and uniqueness of username and email.
 * The required actions go through the admin API's check (src/admin/user-profile.ts; it should move
 * to `validateProfile` with role `user` when the account API lands); registration uses role
 * `user` directly, as Keycloak's registration context does. Answers Keycloak's login-page texts
 * (messages_en.properties) rather than admin error bodies.
 */
import { AdminError } from '../errors/index.ts';
import { assertUnique, checkProfile, profileAttributes } from '../admin/user-profile.ts';
import { userProfileOf, validateProfile, type ProfileError, type RealmRepository, type RealmSettings, type User } from '../realm/index.ts';
import type { LoginFlow, StepOutcome } from './login-step.ts';

export interface ProfileProblem {
  field: string;
  error: string;
}

/** Keycloak's login-page texts for the user profile's message keys; `{1}`, `{2}` are the validator's bounds. */
const TEXTS: Record<string, string> = {
  invalidEmailMessage: 'Invalid email address.',
  'error-invalid-email': 'Invalid email address.',
  'error-invalid-value': 'Invalid value.',
  'error-invalid-blank': 'Please specify value.',
  'error-empty': 'Please specify value.',
  'error-invalid-length': 'Length must be between {1} and {2}.',
  'error-invalid-length-too-short': 'Minimal length is {1}.',
  'error-invalid-length-too-long': 'Maximal length is {2}.',
  'error-invalid-number': 'Invalid number.',
  'error-number-out-of-range': 'Number must be between {1} and {2}.',
  'error-number-out-of-range-too-small': 'Number must have minimal value of {1}.',
  'error-number-out-of-range-too-big': 'Number must have maximal value of {2}.',
  'error-pattern-no-match': 'Invalid value.',
  'error-invalid-uri': 'Invalid URL.',
  'error-invalid-uri-scheme': 'Invalid URL scheme.',
  'error-invalid-uri-fragment': 'Invalid URL fragment.',
  'error-user-attribute-required': 'Please specify this field.',
  'error-invalid-date': 'Invalid date.',
  'error-user-attribute-read-only': 'This field is read only.',
  'error-username-invalid-character': 'Value contains invalid character.',
  'error-person-name-invalid-character': 'Value contains invalid character.',
};

/** Keycloak names a missing username or email by its own message (missingUsernameMessage, missingEmailMessage). */
const MISSING: Record<string, string> = {
  username: 'Please specify username.',
  email: 'Please specify email.',
};

export const USERNAME_EXISTS = 'Username already exists.';
export const EMAIL_EXISTS = 'Email already exists.';

/** The page text of one profile error. */
export function profileErrorText(error: ProfileError): string {
  if (error.errorMessage === 'error-user-attribute-required' && MISSING[error.field]) return MISSING[error.field];
  const text = TEXTS[error.errorMessage] ?? 'Invalid value.';
  return text.replace(/\{(\d)\}/g, (_, i: string) => String(error.params?.[Number(i)] ?? ''));
}

/** The first problem of the profile as it would be saved, or undefined. */
function profileProblem(flow: LoginFlow, user: User): ProfileProblem | undefined {
  try {
    checkProfile(flow.realm, flow.user, user, undefined);
    return undefined;
  } catch (error) {
    if (!(error instanceof AdminError)) throw error;
    // One problem comes as {field, errorMessage}, several as {errors: [...]}: the page shows the first.
    const first = (Array.isArray(error.body.errors) ? error.body.errors[0] : error.body) as ProfileError;
    return { field: typeof first.field === 'string' ? first.field : 'username', error: profileErrorText(first) };
  }
}

/**
 * Every problem of a new user's profile as registration sees it (role `user`, the login's
 * scopes), one per field, in profile order.
 */
export function registrationProblems(flow: LoginFlow, user: User): ProfileProblem[] {
  const settings = flow.realm.realm.settings;
  const context = { role: 'user' as const, scopes: flow.tab.scope.split(' ').filter((s) => s !== ''), editUsernameAllowed: settings.editUsernameAllowed };
  const problems: ProfileProblem[] = [];
  for (const error of validateProfile(userProfileOf(flow.realm), profileAttributes(user), context)) {
    if (!problems.some((p) => p.field === error.field)) problems.push({ field: error.field, error: profileErrorText(error) });
  }
  return problems;
}

/** Another user already has this username or email: the problems, by field (read-only; run it inside the write's transaction too). */
export async function uniquenessProblems(repository: RealmRepository, settings: RealmSettings, user: User): Promise<ProfileProblem[]> {
  const problems: ProfileProblem[] = [];
  const sameName = await repository.findUserByUsername(user.realmId, user.username);
  if (sameName && sameName.id !== user.id) problems.push({ field: 'username', error: USERNAME_EXISTS });
  if (user.email !== undefined && !settings.duplicateEmailsAllowed) {
    const sameEmail = await repository.findUserByEmail(user.realmId, user.email);
    if (sameEmail.some((other) => other.id !== user.id)) problems.push({ field: 'email', error: EMAIL_EXISTS });
  }
  return problems;
}

/** Inside the write's transaction: another user already has this username or email. */
async function uniquenessProblem(tx: RealmRepository, settings: RealmSettings, user: User): Promise<ProfileProblem | undefined> {
  try {
    await assertUnique(tx, settings, user);
    return undefined;
  } catch (error) {
    if (!(error instanceof AdminError)) throw error;
    return /email/.test(error.message) ? { field: 'email', error: EMAIL_EXISTS } : { field: 'username', error: USERNAME_EXISTS };
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

/** The problem of a changed profile, uniqueness left to the write. */
export function changedProfileProblem(flow: LoginFlow, updated: User): ProfileProblem | undefined {
  return profileProblem(flow, updated);
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
