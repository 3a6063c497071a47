/**
 * The realm's user profile applied to users created, changed and shown through the admin API:
 * a body is checked as a whole against the profile (Keycloak's 400 bodies: one error as
 * `{field, errorMessage, params}`, several as `{errors: [...]}`), attributes the admin may not
 * change are kept when not sent and refused when changed, and a user is shown with the attributes
 * an admin may see. Realm imports skip the profile checks, as Keycloak's do, but not uniqueness.
 */
import { AdminError, adminBadRequest, adminConflict } from '../errors/index.ts';
import {
  isRootAttribute,
  MAX_ATTRIBUTE_NAME,
  mergeAttributes,
  effectiveUserProfile,
  validateProfile,
  type ProfileAttributes,
  type ProfileContext,
  type ProfileError,
  type RealmModel,
  type RealmRepository,
  type RealmSettings,
  type User,
} from '../realm/index.ts';
import type { UserRepresentation } from './representations/user.ts';

/** Keycloak's body for failed profile checks. */
export function profileError(errors: ProfileError[]): AdminError {
  return new AdminError(400, errors.length === 1 ? { ...errors[0] } : { errors });
}

/** A user as the profile sees it: root attributes and the attribute map in one. */
export function profileAttributes(user: User): ProfileAttributes {
  const root = { username: user.username, email: user.email, firstName: user.firstName, lastName: user.lastName };
  const attributes: ProfileAttributes = Object.fromEntries(Object.entries(user.attributes));
  for (const [name, value] of Object.entries(root)) attributes[name] = value === undefined ? [] : [value];
  return attributes;
}

/**
 * Keycloak reads root attributes from `attributes` too when the top-level field is absent
 * (`attributes.firstName`); they are moved there, so the attribute map keeps only the others.
 */
export function withRootAttributes(rep: UserRepresentation): UserRepresentation {
  if (rep.attributes === undefined) return rep;
  const next: UserRepresentation = { ...rep, attributes: {} };
  for (const [name, values] of Object.entries(rep.attributes)) {
    if (!isRootAttribute(name)) {
      if (name.length > MAX_ATTRIBUTE_NAME) throw adminBadRequest(`attributes: the name '${name.slice(0, 40)}…' is longer than ${MAX_ATTRIBUTE_NAME} characters`, 'attributes');
      next.attributes![name] = values;
    } else if (next[name] === undefined) {
      next[name] = values[0] ?? '';
    }
  }
  return next;
}

/**
 * Checks `next` (a new user, or `current` with a body applied) against the realm's profile; its
 * attribute map becomes the body's (`given`, when the body had one) plus what the admin may not
 * change. Throws Keycloak's 400 when the profile refuses it.
 */
export function checkProfile(model: RealmModel, current: User | undefined, next: User, given: Record<string, string[]> | undefined): User {
  const config = effectiveUserProfile(model);
  const context: ProfileContext = {
    role: 'admin',
    current: current && profileAttributes(current),
    editUsernameAllowed: model.realm.settings.editUsernameAllowed,
    serviceAccount: next.serviceAccountClientId !== undefined,
  };
  const attributes = given === undefined ? next.attributes : mergeAttributes(config, given, context);
  const checked: User = { ...next, attributes };
  const errors = validateProfile(config, profileAttributes(checked), context);
  if (errors.length > 0) throw profileError(errors);
  return checked;
}

/** 409 when another user of the realm has this username, or this email unless duplicates are allowed. */
export async function assertUnique(repository: RealmRepository, settings: RealmSettings, user: User): Promise<void> {
  const sameName = await repository.findUserByUsername(user.realmId, user.username);
  if (sameName && sameName.id !== user.id) throw adminConflict('User exists with same username');
  if (user.email === undefined || settings.duplicateEmailsAllowed) return;
  const sameEmail = await repository.findUserByEmail(user.realmId, user.email);
  if (sameEmail.some((other) => other.id !== user.id)) throw adminConflict('User exists with same email');
}
