/**
 * `/admin/realms/{realm}/users`: find and count as Keycloak searches (search terms, per-field
 * filters, exact, enabled, emailVerified, attributes by `q`, paging), create (with credentials),
 * read (with the profile's metadata when asked), update, delete, and reset-password. Bodies are
 * checked against the realm's user profile. Clear-text passwords are hashed before the
 * transaction; every write is one transaction.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Context } from '../../context.ts';
import { newId } from '../../crypto/index.ts';
import { AdminError, adminBadRequest, adminConflict } from '../../errors/index.ts';
import { passwordPolicyViolation, preparePasswordChange, realmPasswordPolicy, sealCredential, type PolicyViolation } from '../../authn/index.ts';
import { defaultActionAliases, defaultGroupIds, findGroupByPath, newPasswordCredential, newUser, profileMetadata, effectiveUserProfile, type LoadedRealm, type StoredCredential, type User, type UserQuery } from '../../realm/index.ts';
import { DISABLED_REASON } from '../../session/index.ts';
import { isAllowed, type AdminIdentity } from '../admin-auth.ts';
import { findUser } from '../admin-lookups.ts';
import { requireActOnUser, requireGroupPower } from '../role-grants.ts';
import { adminScope, collectionPaths, location, queryBoolean, readBody, refuseUnknownQuery, shapeToAdminError } from '../admin-request.ts';
import { index, ShapeError } from '../json-shape.ts';
import { isUniqueViolation } from '../realm-file/import-conflict.ts';
import { credentialRepresentation, HASH_FIELDS, hashPlainPassword, parseCredential, toPasswordCredential, type CredentialRepresentation } from '../representations/credential.ts';
import { applyUserRepresentation, toBriefUserRepresentation, toUserRepresentation, userRepresentation } from '../representations/user.ts';
import { assertUnique, checkProfile, profileAttributes, withRootAttributes } from '../user-profile.ts';
import { userSearch, type UserSearch } from '../user-search.ts';

const UPDATE_PASSWORD = 'UPDATE_PASSWORD';
function access(identity: AdminIdentity, realm: LoadedRealm) {
  return { view: isAllowed(identity, realm, 'view-users'), manage: isAllowed(identity, realm, 'manage-users'), impersonate: isAllowed(identity, realm, 'impersonation') };
}

/** Keycloak's answer to a password the realm's policy refuses. */
function policyRefusal(violation: PolicyViolation): AdminError {
  return new AdminError(400, { error: violation.error, error_description: violation.description });
}

/**
 * Credentials of a body, with clear-text passwords checked against the realm's policy and
 * hashed, and OTP secrets sealed. Throws 400 naming the bad one.
 */
async function credentialsOf(ctx: Context, realm: LoadedRealm, reps: CredentialRepresentation[] | undefined, user: User, nowMs: number): Promise<StoredCredential[]> {
  const stored: StoredCredential[] = [];
  for (const [i, rep] of (reps ?? []).entries()) {
    let parsed;
    try {
      parsed = parseCredential(rep, index('credentials', i), i, nowMs);
    } catch (error) {
      if (error instanceof ShapeError) throw shapeToAdminError(error);
      throw error;
    }
    if (parsed.kind === 'stored') stored.push(sealCredential(parsed.credential, realm.keys.sealKey));
    else {
      const violation = await passwordPolicyViolation(ctx, realm, user, parsed.password.value);
      if (violation) throw policyRefusal(violation);
      stored.push(await hashPlainPassword(parsed.password, realmPasswordPolicy(realm).hash));
      if (parsed.password.temporary && !user.requiredActions.includes(UPDATE_PASSWORD)) user.requiredActions = [...user.requiredActions, UPDATE_PASSWORD];
    }
  }
  return stored;
}

/**
 * The groups a new user joins by `groups` (paths, the leading slash optional as in Keycloak),
 * added to the realm's default groups. An unknown path is refused (Keycloak fails it with a 500).
 */
function groupIdsOf(realm: LoadedRealm, paths: string[] | undefined): string[] {
  return (paths ?? []).map((path) => {
    const group = findGroupByPath(realm, path);
    if (!group) throw adminBadRequest(`Group ${path} not found`, 'groups');
    return group.id;
  });
}

/** A concurrent insert can still win the race the pre-check lost: the database has the last word. */
async function conflictOnRace<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isUniqueViolation(error)) throw adminConflict('User exists with same username or email');
    throw error;
  }
}

export async function userRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  /** The users a search names; a search by id finds service accounts too, as in Keycloak. */
  const searchUsers = async (realm: LoadedRealm, search: UserSearch): Promise<User[]> => {
    if (search.kind === 'query') return ctx.realms.repository.findUsers(realm.realm.id, search.query);
    const user = await ctx.realms.repository.findUserById(search.id);
    return user && user.realmId === realm.realm.id ? [user] : [];
  };

  const findUsers = async (request: FastifyRequest) => {
    const { identity, realm } = await adminScope(ctx, request, 'query-users');
    const search = userSearch(request, 'list');
    const brief = queryBoolean(request, 'briefRepresentation') === true;
    const users = await searchUsers(realm, search);
    const rights = access(identity, realm);
    return users.map((user) => (brief ? toBriefUserRepresentation(realm, user) : toUserRepresentation(realm, user, rights)));
  };

  app.get('/admin/realms/:realm/users/count', async (request) => {
    const { realm } = await adminScope(ctx, request, 'query-users');
    const search = userSearch(request, 'count');
    if (search.kind === 'query') return ctx.realms.repository.countUsers(realm.realm.id, search.query);
    return (await searchUsers(realm, search)).length;
  });

  const createUser = async (request: FastifyRequest, reply: FastifyReply) => {
    const { identity, realm } = await adminScope(ctx, request, 'manage-users');
    const rep = withRootAttributes(readBody(request, userRepresentation));
    const nowMs = ctx.clock.nowMs();
    // Keycloak's admin API ignores ids, timestamps and role lists in the body: the server owns them.
    const applied = applyUserRepresentation(newUser(realm.realm.id, { id: newId(), username: '', enabled: false }, nowMs), { ...rep, username: rep.username ?? '' });
    if (applied.username === '') throw adminBadRequest('User name is missing');
    // The realm's default actions come first, as Keycloak adds them when the user is created.
    applied.requiredActions = [...new Set([...defaultActionAliases(realm.realm.settings.requiredActions), ...applied.requiredActions])];
    const user = checkProfile(realm, undefined, applied, rep.attributes);
    const joined = groupIdsOf(realm, rep.groups);
    // Joining a group that confers admin power needs that power, as joining it later would.
    requireGroupPower(identity, realm, joined);
    const groupIds = [...new Set([...defaultGroupIds(realm), ...joined])];
    const credentials = await credentialsOf(ctx, realm, rep.credentials, user, nowMs);
    await conflictOnRace(() =>
      ctx.realms.repository.transaction(async (tx) => {
        await assertUnique(tx, realm.realm.settings, user);
        await tx.createUsers([{ user, roleIds: [realm.realm.settings.attributes.defaultRoleId], credentials, groupIds }]);
      }),
    );
    return reply.code(201).header('location', location(ctx, request, realm.realm.name, 'users', user.id)).send();
  };

  for (const url of collectionPaths('/admin/realms/:realm/users')) {
    app.get(url, findUsers);
    app.post(url, createUser);
  }

  app.get('/admin/realms/:realm/users/:id', async (request) => {
    const { identity, realm } = await adminScope(ctx, request, 'view-users');
    refuseUnknownQuery(request, ['userProfileMetadata']);
    const user = await findUser(ctx, realm, (request.params as { id: string }).id);
    const rep = toUserRepresentation(realm, user, access(identity, realm));
    if (queryBoolean(request, 'userProfileMetadata') !== true) return rep;
    const context = { role: 'admin' as const, current: profileAttributes(user), editUsernameAllowed: realm.realm.settings.editUsernameAllowed };
    return { ...rep, userProfileMetadata: profileMetadata(effectiveUserProfile(realm), context) };
  });

  app.put('/admin/realms/:realm/users/:id', async (request, reply) => {
    const { identity, realm } = await adminScope(ctx, request, 'manage-users');
    const user = await findUser(ctx, realm, (request.params as { id: string }).id);
    await requireActOnUser(ctx, identity, realm, user);
    const rep = withRootAttributes(readBody(request, userRepresentation));
    const updated = checkProfile(realm, user, applyUserRepresentation(user, rep), rep.attributes);
    // Enabling a user lifts a permanent lockout, whose mark no profile shows (Keycloak removes it too).
    if (rep.enabled === true) updated.attributes = Object.fromEntries(Object.entries(updated.attributes).filter(([name]) => name !== DISABLED_REASON));
    const credentials = await credentialsOf(ctx, realm, rep.credentials, updated, ctx.clock.nowMs());
    await conflictOnRace(() =>
      ctx.realms.repository.transaction(async (tx) => {
        await assertUnique(tx, realm.realm.settings, updated);
        await tx.updateUser(updated);
        for (const credential of credentials) {
          if (credential.type === 'password') await tx.setPassword(user.id, toPasswordCredential(credential), realmPasswordPolicy(realm).historyLength);
          else await tx.addCredential(user.id, credential);
        }
      }),
    );
    // Enabling a user again also lifts a brute-force lockout, as in Keycloak.
    if (rep.enabled === true) await ctx.store.deleteLoginFailures(realm.realm.id, user.id);
    await ctx.realms.userChanged(user.id);
    return reply.code(204).send();
  });

  app.delete('/admin/realms/:realm/users/:id', async (request, reply) => {
    const { identity, realm } = await adminScope(ctx, request, 'manage-users');
    const user = await findUser(ctx, realm, (request.params as { id: string }).id);
    await requireActOnUser(ctx, identity, realm, user);
    for (const offline of [false, true]) await ctx.store.deleteUserSessionsOfUser(realm.realm.id, user.id, offline);
    await ctx.realms.repository.deleteUser(user.id);
    await ctx.store.deleteLoginFailures(realm.realm.id, user.id);
    await ctx.realms.userChanged(user.id);
    return reply.code(204).send();
  });

  app.put('/admin/realms/:realm/users/:id/reset-password', async (request, reply) => {
    const { identity, realm } = await adminScope(ctx, request, 'manage-users');
    const user = await findUser(ctx, realm, (request.params as { id: string }).id);
    await requireActOnUser(ctx, identity, realm, user);
    const rep = readBody(request, credentialRepresentation);
    // Hash fields would be ignored here (Keycloak ignores them): refused instead, so nobody believes they took.
    const hashField = HASH_FIELDS.find((name) => rep[name] !== undefined);
    if (hashField) throw adminBadRequest(`${hashField}: not accepted by reset-password (it sets a clear-text value)`, hashField);
    if (rep.value === undefined) throw new AdminError(400, { error: 'No password provided' });
    if (rep.value.trim() === '') throw new AdminError(400, { error: 'Empty password not allowed' });
    const change = await preparePasswordChange(ctx, realm, user, rep.value);
    if ('violation' in change) throw policyRefusal(change.violation);
    const others = user.requiredActions.filter((a) => a !== UPDATE_PASSWORD);
    const requiredActions = rep.temporary === true ? [...others, UPDATE_PASSWORD] : others;
    await ctx.realms.repository.transaction(async (tx) => {
      await tx.setPassword(user.id, change.credential, change.historyLength);
      await tx.updateUser({ ...user, requiredActions });
    });
    await ctx.realms.userChanged(user.id);
    return reply.code(204).send();
  });
}
