/**
 * What a brokered login writes: a new local user made from the upstream's profile (with the
 * realm's default roles, groups and required actions; `trustEmail` marks the email verified;
 * `addReadTokenRoleOnCreate` grants `broker`/`read-token`) and
 * linked to the upstream account in the same transaction, a link added to an existing user, and
 * on later logins the profile synced when the provider's `syncMode` is FORCE. The user session
 * notes Keycloak keeps for a brokered login are set on the tab for the session to come.
 */
import { newId } from '../../crypto/index.ts';
import { FEDERATED_ID_TOKEN, mappedChanges, type BrokeredIdentity, type MappedChanges } from '../../broker/index.ts';
import { defaultActionAliases, defaultGroupIds, findGroupByPath, newUser, roleFromString, type FederatedIdentity, type IdentityProvider, type RealmRepository, type User } from '../../realm/index.ts';
import type { LoginFlow } from '../login-step.ts';

export function linkOf(user: User, identity: BrokeredIdentity): FederatedIdentity {
  return { userId: user.id, realmId: user.realmId, identityProvider: identity.alias, federatedUserId: identity.id, federatedUsername: identity.username, ...(identity.token ? { token: identity.token } : {}) };
}

/** The user with the mappers' profile fields and attributes applied. */
function withChanges(user: User, changes: MappedChanges): User {
  const attributes = { ...user.attributes };
  for (const [name, values] of Object.entries(changes.attributes)) {
    if (values === null) delete attributes[name];
    else attributes[name] = values;
  }
  const { email, firstName, lastName } = changes.fields;
  return { ...user, attributes, ...(email !== undefined ? { email: email.toLowerCase() } : {}), ...(firstName !== undefined ? { firstName } : {}), ...(lastName !== undefined ? { lastName } : {}) };
}

/** The ids of the roles the mappers name that exist (an unknown name grants nothing, as in Keycloak). */
function mappedRoleIds(flow: LoginFlow, changes: MappedChanges, names = changes.roles): string[] {
  return names.flatMap((name) => {
    const role = roleFromString(flow.realm, name);
    return role ? [role.id] : [];
  });
}

/** The ids of the groups the mappers name by path that exist (an unknown path joins nothing). */
function mappedGroupIds(flow: LoginFlow, paths: string[]): string[] {
  return paths.flatMap((path) => {
    const group = findGroupByPath(flow.realm, path);
    return group ? [group.id] : [];
  });
}

/** A later login's mappers (FORCE, or LEGACY grants) applied to a linked user and stored, roles and groups too; answers the user as now stored. */
export async function remapUser(flow: LoginFlow, provider: IdentityProvider, user: User, identity: BrokeredIdentity): Promise<User> {
  const changes = mappedChanges(flow.realm.identityProviderMappers, provider, identity, false);
  const repository = flow.ctx.realms.repository;
  const mapped = withChanges(user, changes);
  const roleIds = mappedRoleIds(flow, changes);
  const revokedRoleIds = mappedRoleIds(flow, changes, changes.revokedRoles).filter((id) => !roleIds.includes(id));
  const groupIds = mappedGroupIds(flow, changes.groups);
  const leftGroupIds = mappedGroupIds(flow, changes.leftGroups).filter((id) => !groupIds.includes(id));
  const heldRoles = new Set(roleIds.length + revokedRoleIds.length > 0 ? await repository.roleIdsOfUser(user.id) : []);
  const heldGroups = new Set(groupIds.length + leftGroupIds.length > 0 ? await repository.groupIdsOfUser(user.id) : []);
  const missing = roleIds.filter((id) => !heldRoles.has(id));
  const revoked = revokedRoleIds.filter((id) => heldRoles.has(id));
  const joined = groupIds.filter((id) => !heldGroups.has(id));
  const left = leftGroupIds.filter((id) => heldGroups.has(id));
  const changed = JSON.stringify(mapped) !== JSON.stringify(user);
  if (changed) await repository.updateUser(mapped);
  if (missing.length > 0) await repository.addUserRoles(user.id, missing);
  if (revoked.length > 0) await repository.removeUserRoles(user.id, revoked);
  if (joined.length > 0) await repository.addGroupMembers(joined.map((groupId) => ({ userId: user.id, groupId })));
  for (const groupId of left) await repository.removeGroupMember({ userId: user.id, groupId });
  if (changed || missing.length + revoked.length + joined.length + left.length > 0) await flow.ctx.realms.userChanged(user.id);
  return mapped;
}

export function userFromIdentity(flow: LoginFlow, provider: IdentityProvider, identity: BrokeredIdentity): User {
  return withChanges(plainUserFromIdentity(flow, provider, identity), mappedChanges(flow.realm.identityProviderMappers, provider, identity, true));
}

/**
 * The user the upstream's profile alone describes: what the review-profile page checks against the
 * realm's user profile (attributes the mappers add are the administrator's, not the user's to fix).
 */
export function plainUserFromIdentity(flow: LoginFlow, provider: IdentityProvider, identity: BrokeredIdentity): User {
  const settings = flow.realm.realm.settings;
  const username = settings.registrationEmailAsUsername && identity.email ? identity.email : (identity.username ?? '');
  return newUser(
    flow.realm.realm.id,
    {
      id: newId(),
      username,
      email: identity.email,
      emailVerified: provider.trustEmail === true && identity.email !== undefined,
      firstName: identity.firstName,
      lastName: identity.lastName,
      attributes: {},
      requiredActions: defaultActionAliases(settings.requiredActions),
    },
    flow.ctx.clock.nowMs(),
  );
}

/** Another user that holds this identity's username or email (Keycloak's "account already exists"). */
export async function existingUserFor(repository: RealmRepository, flow: LoginFlow, user: User): Promise<User | undefined> {
  const sameName = await repository.findUserByUsername(user.realmId, user.username);
  if (sameName) return sameName;
  if (user.email === undefined || flow.realm.realm.settings.duplicateEmailsAllowed) return undefined;
  return (await repository.findUserByEmail(user.realmId, user.email))[0];
}

/** Creates the user and the link unless someone holds the name or email by now; returns that someone then. */
export async function createLinkedUser(flow: LoginFlow, provider: IdentityProvider, user: User, identity: BrokeredIdentity): Promise<{ created: User } | { existing: User }> {
  const settings = flow.realm.realm.settings;
  const changes = mappedChanges(flow.realm.identityProviderMappers, provider, identity, true);
  const roleIds = mappedRoleIds(flow, changes);
  // addReadTokenRoleOnCreate: the new user may read the upstream tokens stored for them (/broker/{alias}/token).
  const readToken = provider.addReadTokenRoleOnCreate ? roleFromString(flow.realm, 'broker.read-token') : undefined;
  if (readToken) roleIds.push(readToken.id);
  return flow.ctx.realms.repository.transaction(async (tx) => {
    const existing = await existingUserFor(tx, flow, user);
    if (existing) return { existing };
    await tx.createUser(user, [...new Set([settings.attributes.defaultRoleId, ...roleIds])]);
    const groupIds = [...new Set([...defaultGroupIds(flow.realm), ...mappedGroupIds(flow, changes.groups)])];
    if (groupIds.length > 0) await tx.addGroupMembers(groupIds.map((groupId) => ({ userId: user.id, groupId })));
    if (!(await tx.addFederatedIdentity(linkOf(user, identity)))) throw new Error('upstream account linked meanwhile');
    return { created: user };
  });
}

/** FORCE: the upstream's profile wins on every login; IMPORT and LEGACY leave the local user alone. */
export function syncedUser(provider: IdentityProvider, user: User, identity: BrokeredIdentity): User | undefined {
  if (provider.config.syncMode !== 'FORCE') return undefined;
  const updated: User = {
    ...user,
    email: identity.email ?? user.email,
    emailVerified: identity.email !== undefined && identity.email !== user.email ? provider.trustEmail === true : user.emailVerified || (provider.trustEmail === true && identity.email !== undefined),
    firstName: identity.firstName ?? user.firstName,
    lastName: identity.lastName ?? user.lastName,
  };
  const same = updated.email === user.email && updated.emailVerified === user.emailVerified && updated.firstName === user.firstName && updated.lastName === user.lastName;
  return same ? undefined : updated;
}

/** Keycloak's notes of a brokered user session: the provider, the upstream username, session and user, and the ID token its logout needs. */
export function brokerSessionNotes(identity: BrokeredIdentity): Record<string, string> {
  return {
    identity_provider: identity.alias,
    ...(identity.username ? { identity_provider_identity: identity.username } : {}),
    ...(identity.sessionId ? { broker_session_id: `${identity.alias}.${identity.sessionId}` } : {}),
    broker_user_id: `${identity.alias}.${identity.id}`,
    ...(identity.idToken ? { [FEDERATED_ID_TOKEN]: identity.idToken } : {}),
  };
}
