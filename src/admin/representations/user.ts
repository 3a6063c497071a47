/**
 * Keycloak's UserRepresentation: the admin API's view of a user, the export form (with
 * credentials and role mappings), and applying a body to a user. Usernames and emails are stored
 * lower-case, as Keycloak stores them. Updates are partial: absent fields keep their value.
 */
import type { FederatedIdentity, RealmModel, StoredCredential, User, UserConsent } from '../../realm/index.ts';
import { boolean, integer, list, multiValuedMap, object, record, string, stringList, type Checked } from '../json-shape.ts';
import { credentialRepresentation, toCredentialExport } from './credential.ts';
import { effectiveUserProfile, roleNames, visibleAttributes } from '../../realm/index.ts';

const userFields = {
  id: string,
  username: string,
  email: string,
  firstName: string,
  lastName: string,
  enabled: boolean,
  emailVerified: boolean,
  createdTimestamp: integer,
  attributes: multiValuedMap,
  requiredActions: stringList,
  notBefore: integer,
  serviceAccountClientId: string,
  credentials: list(credentialRepresentation),
  realmRoles: stringList,
  clientRoles: record(stringList),
  groups: stringList,
  totp: boolean,
  disableableCredentialTypes: stringList,
};
export const userRepresentation = object(userFields);
export type UserRepresentation = Checked<typeof userRepresentation>;

/** A consent in a realm file (Keycloak's UserConsentRepresentation): the client and the scopes granted, by name. */
export const userConsentRepresentation = object({
  clientId: string,
  grantedClientScopes: stringList,
  createdDate: integer,
  lastUpdatedDate: integer,
});

/** A link to an identity provider (Keycloak's FederatedIdentityRepresentation). */
export const federatedIdentityRepresentation = object({ identityProvider: string, userId: string, userName: string });

/** A user in a realm file or partial import: the admin representation plus the consents given and the links to identity providers. */
export const userFileRepresentation = object({ ...userFields, clientConsents: list(userConsentRepresentation), federatedIdentities: list(federatedIdentityRepresentation) });
export type UserFileRepresentation = Checked<typeof userFileRepresentation>;

/** What the caller may do with users: Keycloak's `access` block, from the caller's roles. */
export interface UserAccess {
  view: boolean;
  manage: boolean;
  impersonate?: boolean;
}

/** The admin view: attributes the realm's user profile lets an admin see (Keycloak hides the others). */
export function toUserRepresentation(model: RealmModel, user: User, access?: UserAccess): Record<string, unknown> {
  return userRepresentationWith(model, { ...user, attributes: visibleAttributes(effectiveUserProfile(model), user.attributes, 'admin') }, access);
}

/** Keycloak's brief representation (`briefRepresentation=true`). */
export function toBriefUserRepresentation(model: RealmModel, user: User): Record<string, unknown> {
  const { id, username, firstName, lastName, email, emailVerified, createdTimestamp, enabled } = toUserRepresentation(model, user);
  return { id, username, firstName, lastName, email, emailVerified, createdTimestamp, enabled };
}

function userRepresentationWith(model: RealmModel, user: User, access?: UserAccess): Record<string, unknown> {
  const serviceClient = user.serviceAccountClientId ? model.clientsById.get(user.serviceAccountClientId) : undefined;
  return {
    id: user.id,
    username: user.username,
    ...(user.firstName !== undefined ? { firstName: user.firstName } : {}),
    ...(user.lastName !== undefined ? { lastName: user.lastName } : {}),
    ...(user.email !== undefined ? { email: user.email } : {}),
    emailVerified: user.emailVerified,
    ...(Object.keys(user.attributes).length > 0 ? { attributes: user.attributes } : {}),
    createdTimestamp: user.createdTimestamp,
    enabled: user.enabled,
    totp: false,
    ...(serviceClient ? { serviceAccountClientId: serviceClient.clientId } : {}),
    disableableCredentialTypes: [],
    requiredActions: user.requiredActions,
    notBefore: user.notBefore,
    ...(access
      ? { access: { manageGroupMembership: access.manage, view: access.view, mapRoles: access.manage, impersonate: access.impersonate === true, manage: access.manage } }
      : {}),
  };
}

/**
 * The realm-file form: the representation with every attribute (a file is a backup, whatever the
 * profile shows), credentials, role mappings by name and groups by path.
 */
export function toUserExport(
  model: RealmModel,
  user: User,
  credentials: StoredCredential[],
  roleIds: string[],
  groupPaths: string[],
  consents: UserConsent[] = [],
  links: FederatedIdentity[] = [],
): Record<string, unknown> {
  const roles = roleNames(model, roleIds);
  const clientConsents = consents.flatMap((c) => {
    const client = model.clientsById.get(c.clientUuid);
    if (!client) return [];
    const scopes = c.grantedScopeIds.flatMap((id) => model.clientScopesById.get(id)?.name ?? model.clientsById.get(id)?.clientId ?? []);
    return [{ clientId: client.clientId, grantedClientScopes: scopes, createdDate: c.createdDate, lastUpdatedDate: c.lastUpdatedDate }];
  });
  return {
    ...userRepresentationWith(model, user),
    credentials: credentials.map(toCredentialExport),
    realmRoles: roles.realm,
    ...(Object.keys(roles.client).length > 0 ? { clientRoles: roles.client } : {}),
    ...(clientConsents.length > 0 ? { clientConsents } : {}),
    ...(links.length > 0 ? { federatedIdentities: links.map((l) => ({ identityProvider: l.identityProvider, userId: l.federatedUserId, userName: l.federatedUsername ?? l.federatedUserId })) } : {}),
    groups: groupPaths,
  };
}

const lower = (value: string | undefined): string | undefined => (value === undefined || value === '' ? undefined : value.toLowerCase());

/** Applies the profile fields of a body to a user; credentials and roles are handled by the caller. */
export function applyUserRepresentation(user: User, rep: UserRepresentation): User {
  const next: User = { ...user };
  if (rep.username !== undefined) next.username = rep.username.toLowerCase();
  if (rep.email !== undefined) next.email = lower(rep.email);
  if (rep.firstName !== undefined) next.firstName = rep.firstName === '' ? undefined : rep.firstName;
  if (rep.lastName !== undefined) next.lastName = rep.lastName === '' ? undefined : rep.lastName;
  if (rep.enabled !== undefined) next.enabled = rep.enabled;
  if (rep.emailVerified !== undefined) next.emailVerified = rep.emailVerified;
  if (rep.attributes !== undefined) next.attributes = rep.attributes;
  if (rep.requiredActions !== undefined) next.requiredActions = [...new Set(rep.requiredActions)];
  return next;
}
