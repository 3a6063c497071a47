/**
 * What a brokered login writes: a new local user made from the upstream's profile (with the
 * realm's default roles, groups and required actions; `trustEmail` marks the email verified) and
 * linked to the upstream account in the same transaction, a link added to an existing user, and
 * on later logins the profile synced when the provider's `syncMode` is FORCE. The user session
 * notes Keycloak keeps for a brokered login are set on the tab for the session to come.
 */
import { newId } from '../../crypto/index.ts';
import type { BrokeredIdentity } from '../../broker/index.ts';
import { defaultActionAliases, defaultGroupIds, newUser, type FederatedIdentity, type IdentityProvider, type RealmRepository, type User } from '../../realm/index.ts';
import type { LoginFlow } from '../login-step.ts';

export function linkOf(user: User, identity: BrokeredIdentity): FederatedIdentity {
  return { userId: user.id, realmId: user.realmId, identityProvider: identity.alias, federatedUserId: identity.id, federatedUsername: identity.username, ...(identity.token ? { token: identity.token } : {}) };
}

export function userFromIdentity(flow: LoginFlow, provider: IdentityProvider, identity: BrokeredIdentity): User {
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
export async function createLinkedUser(flow: LoginFlow, user: User, identity: BrokeredIdentity): Promise<{ created: User } | { existing: User }> {
  const settings = flow.realm.realm.settings;
  return flow.ctx.realms.repository.transaction(async (tx) => {
    const existing = await existingUserFor(tx, flow, user);
    if (existing) return { existing };
    await tx.createUser(user, [settings.attributes.defaultRoleId]);
    const groupIds = defaultGroupIds(flow.realm);
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

/** Keycloak's notes of a brokered user session: the provider, the upstream username, session and user. */
export function brokerSessionNotes(identity: BrokeredIdentity): Record<string, string> {
  return {
    identity_provider: identity.alias,
    ...(identity.username ? { identity_provider_identity: identity.username } : {}),
    ...(identity.sessionId ? { broker_session_id: `${identity.alias}.${identity.sessionId}` } : {}),
    broker_user_id: `${identity.alias}.${identity.id}`,
  };
}
