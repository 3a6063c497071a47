/**
 * Turns the `users` of a realm representation into rows to write: user, role mappings by id,
 * groups (given by path) by id, credentials as stored. Runs in memory before anything is written, rejecting duplicates and
 * unknown roles or clients with the JSON path at fault. Hashed credentials are kept as they are;
 * clear-text passwords are listed for the caller to hash, outside any transaction.
 */
import { newId } from '../../crypto/index.ts';
import { sealCredential } from '../../authn/index.ts';
import { clientScopeByName, type FederatedIdentity, type NewUserRecord, type User, type UserConsent } from '../../realm/index.ts';
import { field, index, ShapeError } from '../json-shape.ts';
import { parseCredential, type PlainPassword } from '../representations/credential.ts';
import type { UserFileRepresentation } from '../representations/user.ts';
import { ImportConflict } from './import-conflict.ts';
import { resolveGroupPath } from './plan-groups.ts';
import type { RealmPlan } from './plan-realm.ts';
import { resolveRoleNames } from './resolve-role-names.ts';

export interface UsersPlan {
  records: NewUserRecord[];
  /** Clear-text passwords still to hash, each belonging to one record. */
  plain: Array<{ record: NewUserRecord; password: PlainPassword }>;
}

const UPDATE_PASSWORD = 'UPDATE_PASSWORD';

/** What users are resolved against: the realm, its roles by name and its groups by path (a whole file's, or a realm's plus a partial import's). */
export type UsersContext = Pick<RealmPlan, 'realm' | 'model' | 'roleIndex' | 'groupsByPath' | 'sealKey'>;

/** `providerAliases`: the identity providers users' `federatedIdentities` may link to. */
export function planUsers(reps: UserFileRepresentation[], plan: UsersContext, nowMs: number, providerAliases: ReadonlySet<string> = new Set()): UsersPlan {
  const upstreamAccounts = new Set<string>();
  const { realm, model } = plan;
  const usernames = new Set<string>();
  const emails = new Set<string>();
  const ids = new Set<string>();
  const records: NewUserRecord[] = new Array(reps.length);
  const plain: UsersPlan['plain'] = [];

  for (let i = 0; i < reps.length; i++) {
    const rep = reps[i];
    const path = index('users', i);
    if (rep.username === undefined || rep.username.trim() === '') throw new ShapeError(field(path, 'username'), 'required');
    if (rep.username.length > 255) throw new ShapeError(field(path, 'username'), 'longer than 255 characters');
    const username = rep.username.toLowerCase();
    if (usernames.has(username)) throw new ImportConflict(field(path, 'username'), `duplicate username '${username}'`);
    usernames.add(username);
    const email = rep.email === undefined || rep.email === '' ? undefined : rep.email.toLowerCase();
    if (email !== undefined && !realm.settings.duplicateEmailsAllowed) {
      if (emails.has(email)) throw new ImportConflict(field(path, 'email'), `duplicate email '${email}'`);
      emails.add(email);
    }
    const id = rep.id ?? newId();
    if (ids.has(id)) throw new ImportConflict(field(path, 'id'), `duplicate user id '${id}'`);
    ids.add(id);

    let serviceAccountClientId: string | undefined;
    if (rep.serviceAccountClientId !== undefined) {
      const client = model.clientsByClientId.get(rep.serviceAccountClientId);
      if (!client) throw new ShapeError(field(path, 'serviceAccountClientId'), `unknown client '${rep.serviceAccountClientId}'`);
      serviceAccountClientId = client.id;
    }

    const user: User = {
      id,
      realmId: realm.id,
      username,
      email,
      firstName: rep.firstName,
      lastName: rep.lastName,
      // Keycloak's import leaves a user without `enabled` disabled; so does holdfast.
      enabled: rep.enabled === true,
      emailVerified: rep.emailVerified === true,
      createdTimestamp: rep.createdTimestamp ?? nowMs,
      attributes: rep.attributes ?? {},
      requiredActions: rep.requiredActions ?? [],
      notBefore: rep.notBefore ?? 0,
      serviceAccountClientId,
    };
    const record: NewUserRecord = {
      user,
      roleIds: resolveRoleNames(rep, model, plan.roleIndex, path),
      credentials: [],
      groupIds: userGroupIds(rep, plan, path),
      consents: userConsents(rep, plan, user.id, path, nowMs),
      federatedIdentities: federatedIdentities(rep, user, providerAliases, upstreamAccounts, path),
    };
    (rep.credentials ?? []).forEach((credentialRep, j) => {
      const parsed = parseCredential(credentialRep, index(field(path, 'credentials'), j), j, nowMs);
      if (parsed.kind === 'stored') record.credentials.push(sealCredential(parsed.credential, plan.sealKey));
      else {
        plain.push({ record, password: parsed.password });
        if (parsed.password.temporary && !user.requiredActions.includes(UPDATE_PASSWORD)) user.requiredActions = [...user.requiredActions, UPDATE_PASSWORD];
      }
    });
    records[i] = record;
  }
  return { records, plain };
}

/**
 * The file's `clientConsents`, resolved as Keycloak resolves them: the client by clientId, each
 * granted scope by name (or a client by its clientId, for a client shown as its own scope).
 * Unknown names refuse the file, as Keycloak's import does.
 */
function userConsents(rep: UserFileRepresentation, plan: UsersContext, userId: string, path: string, nowMs: number): UserConsent[] {
  const seen = new Set<string>();
  return (rep.clientConsents ?? []).map((consent, j) => {
    const at = index(field(path, 'clientConsents'), j);
    const client = consent.clientId === undefined ? undefined : plan.model.clientsByClientId.get(consent.clientId);
    if (!client) throw new ShapeError(field(at, 'clientId'), `unknown client '${consent.clientId ?? ''}'`);
    if (seen.has(client.id)) throw new ImportConflict(field(at, 'clientId'), `duplicate consent to client '${client.clientId}'`);
    seen.add(client.id);
    const grantedScopeIds = (consent.grantedClientScopes ?? []).map((name, k) => {
      const id = clientScopeByName(plan.model, name)?.id ?? plan.model.clientsByClientId.get(name)?.id;
      if (id === undefined) throw new ShapeError(index(field(at, 'grantedClientScopes'), k), `unknown client scope '${name}'`);
      return id;
    });
    const createdDate = consent.createdDate ?? nowMs;
    return { userId, clientUuid: client.id, grantedScopeIds: [...new Set(grantedScopeIds)], createdDate, lastUpdatedDate: consent.lastUpdatedDate ?? createdDate };
  });
}

/** The file's `federatedIdentities`: one link per provider and user, one user per upstream account. */
function federatedIdentities(rep: UserFileRepresentation, user: User, aliases: ReadonlySet<string>, upstreamAccounts: Set<string>, path: string): FederatedIdentity[] {
  const seen = new Set<string>();
  return (rep.federatedIdentities ?? []).map((link, j) => {
    const at = index(field(path, 'federatedIdentities'), j);
    const alias = link.identityProvider;
    if (alias === undefined || !aliases.has(alias)) throw new ShapeError(field(at, 'identityProvider'), `unknown identity provider '${alias ?? ''}'`);
    if (link.userId === undefined || link.userId === '') throw new ShapeError(field(at, 'userId'), 'required');
    if (seen.has(alias)) throw new ImportConflict(field(at, 'identityProvider'), `duplicate link to identity provider '${alias}'`);
    seen.add(alias);
    const account = `${alias}\u0000${link.userId}`;
    if (upstreamAccounts.has(account)) throw new ImportConflict(field(at, 'userId'), `account '${link.userId}' of identity provider '${alias}' is linked to two users`);
    upstreamAccounts.add(account);
    return { userId: user.id, realmId: user.realmId, identityProvider: alias, federatedUserId: link.userId, federatedUsername: link.userName ?? link.userId };
  });
}

function userGroupIds(rep: UserFileRepresentation, plan: UsersContext, path: string): string[] {
  const ids = (rep.groups ?? []).map((groupPath, j) => {
    const id = resolveGroupPath(plan.model, plan.groupsByPath, groupPath);
    if (id === undefined) throw new ShapeError(index(field(path, 'groups'), j), `unknown group '${groupPath}'`);
    return id;
  });
  return [...new Set(ids)];
}
