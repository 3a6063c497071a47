/**
 * Keycloak's partial import (`POST /admin/realms/{realm}/partialImport`): clients, realm and
 * client roles, groups and users laid over an existing realm. A resource that exists already
 * (a clientId, a role name, a top-level group name, a username or e-mail) fails the request
 * (`FAIL`, 409 with Keycloak's message), is left as it is (`SKIP`) or is replaced (`OVERWRITE`).
 * Everything is planned in memory with the realm file's own checks and the caller's admin power,
 * refused when lossy as a realm file is, then written in one transaction.
 */
import { newId } from '../../crypto/index.ts';
import { adminConflict } from '../../errors/index.ts';
import { subtree, type Client, type Group, type LoadedRealm, type NewUserRecord, type RealmModel, type RealmRepository, type Role, type User } from '../../realm/index.ts';
import { forbidden, type AdminIdentity } from '../admin-auth.ts';
import { field, index, list, object, oneOf, parseShape, record, ShapeError, type Checked } from '../json-shape.ts';
import { mayGrant, requireCreateRoleIn, requireGroupPower, requireManageRole } from '../role-grants.ts';
import { clientRepresentation, newClientFromRepresentation, type ClientRepresentation } from '../representations/client.ts';
import { checkClientScopeNames, fileProblem, withNewClientScopes } from '../representations/client-scope.ts';
import { groupRepresentation, type GroupRepresentation } from '../representations/group.ts';
import { indexRoles, roleRepresentation, type RoleRepresentation } from '../representations/role.ts';
import { userFileRepresentation, type UserFileRepresentation } from '../representations/user.ts';
import { ImportConflict } from './import-conflict.ts';
import { hashPlainPasswords } from './import-realm.ts';
import { LossyImport, lossyParts, type Finding } from './lossy-parts.ts';
import { withoutUnsupportedMappers } from './unsupported-mappers.ts';
import { planGroups } from './plan-groups.ts';
import { planUsers, type UsersContext } from './plan-users.ts';
import { parsePasswordPolicy } from '../../authn/index.ts';
import { syncServiceAccount } from '../service-accounts.ts';

const policy = oneOf('FAIL', 'SKIP', 'OVERWRITE');

export const partialImportRepresentation = object({
  ifResourceExists: policy,
  // Its name before Keycloak 4.
  policy,
  users: list(userFileRepresentation),
  clients: list(clientRepresentation),
  groups: list(groupRepresentation),
  roles: object({ realm: list(roleRepresentation), client: record(list(roleRepresentation)) }),
});
type PartialImportRepresentation = Checked<typeof partialImportRepresentation>;

export interface PartialImportResult {
  action: 'ADDED' | 'SKIPPED' | 'OVERWRITTEN';
  resourceType: 'CLIENT' | 'REALM_ROLE' | 'CLIENT_ROLE' | 'GROUP' | 'USER';
  resourceName: string;
  id: string;
}

export interface PartialImportOutcome {
  overwritten: number;
  added: number;
  skipped: number;
  results: PartialImportResult[];
  notHonoured: Finding[];
  ignored: Finding[];
  /** Users replaced: their sessions end once the import is committed. */
  replacedUserIds: string[];
}

export interface PartialImportOptions {
  nowMs: number;
  allowLossy: boolean;
  /** Acting on an existing user or client needs the power they hold (role-grants). */
  mayActOnUser: (user: User) => Promise<void>;
  mayActOnClient: (client: Client) => Promise<void>;
}

/** The parts of a partial import body that are not resources (and so not judged as realm content). */
const CONTROL_FIELDS = ['ifResourceExists', 'policy'];

type Action = PartialImportResult['action'];

/** What to do with one resource: add it, leave the existing one, or replace it. Throws for FAIL. */
function decide(ifExists: 'FAIL' | 'SKIP' | 'OVERWRITE', exists: boolean, conflict: string): Action {
  if (!exists) return 'ADDED';
  if (ifExists === 'FAIL') throw adminConflict(conflict);
  return ifExists === 'SKIP' ? 'SKIPPED' : 'OVERWRITTEN';
}

export async function partialImport(repository: RealmRepository, realm: LoadedRealm, identity: AdminIdentity, input: unknown, options: PartialImportOptions): Promise<PartialImportOutcome> {
  const parsed: PartialImportRepresentation = parseShape(partialImportRepresentation, input);
  const ifExists = parsed.ifResourceExists ?? parsed.policy ?? 'FAIL';
  const raw = Object.fromEntries(Object.entries(input as Record<string, unknown>).filter(([name]) => !CONTROL_FIELDS.includes(name)));
  const parts = lossyParts(raw);
  if (Object.hasOwn(raw, 'clientScopes')) parts.ignored.push({ path: 'clientScopes', reason: 'a partial import takes no client scopes, as in Keycloak: use the client-scopes endpoints' });
  if (parts.refused.length > 0 && !options.allowLossy) throw new LossyImport(parts);
  const rep = options.allowLossy ? withoutUnsupportedMappers(parsed) : parsed;

  const realmId = realm.realm.id;
  const nowSeconds = Math.floor(options.nowMs / 1000);
  const results: PartialImportResult[] = [];
  const model: RealmModel = {
    realm: realm.realm,
    clientsById: new Map(realm.clientsById),
    clientsByClientId: new Map(realm.clientsByClientId),
    rolesById: new Map(realm.rolesById),
    groupsById: new Map(realm.groupsById),
    clientScopesById: realm.clientScopesById,
  };

  // Clients first: client roles and service accounts name them.
  const clients: Array<{ client: Client; action: Action }> = [];
  const seenClients = new Set<string>();
  for (const [i, clientRep] of (rep.clients ?? []).entries()) {
    const path = index('clients', i);
    const clientId = clientRep.clientId;
    if (clientId === undefined || clientId === '') throw new ShapeError(field(path, 'clientId'), 'required');
    if (seenClients.has(clientId)) throw new ImportConflict(field(path, 'clientId'), `duplicate client '${clientId}'`);
    seenClients.add(clientId);
    const existing = realm.clientsByClientId.get(clientId);
    const action = decide(ifExists, existing !== undefined, `Client id '${clientId}' already exists`);
    if (action === 'SKIPPED') {
      results.push({ action, resourceType: 'CLIENT', resourceName: clientId, id: existing!.id });
      continue;
    }
    if (existing) await options.mayActOnClient(existing);
    const client = newClient(model, existing?.id ?? clientRep.id ?? newId(), clientId, clientRep, realm, nowSeconds, path);
    model.clientsById.set(client.id, client);
    model.clientsByClientId.set(clientId, client);
    clients.push({ client, action });
    results.push({ action, resourceType: 'CLIENT', resourceName: clientId, id: client.id });
  }

  const roles = planRoles(rep, model, realm, identity, ifExists, results);

  const roleIndex = indexRoles(model.rolesById.values());
  const topLevel = new Map([...realm.groupsById.values()].filter((g) => g.parentId === undefined).map((g) => [g.name, g]));
  const groupReps: GroupRepresentation[] = [];
  const replacedGroups: Group[] = [];
  for (const groupRep of rep.groups ?? []) {
    const existing = groupRep.name === undefined ? undefined : topLevel.get(groupRep.name);
    const action = decide(ifExists, existing !== undefined, `Group '/${groupRep.name}' already exists`);
    if (action === 'SKIPPED') {
      results.push({ action, resourceType: 'GROUP', resourceName: existing!.name, id: existing!.id });
      continue;
    }
    if (existing) {
      requireGroupPower(identity, realm, [existing.id]);
      for (const group of subtree(realm, existing)) {
        replacedGroups.push(group);
        model.groupsById.delete(group.id);
      }
    }
    groupReps.push(existing && groupRep.id === undefined ? { ...groupRep, id: existing.id } : groupRep);
  }
  const groups = planGroups(groupReps, [], model, roleIndex);
  for (const group of groups.groups) {
    requireGrantable(identity, realm, group.roleIds);
    if (group.parentId === undefined) results.push({ action: replacedGroups.some((g) => g.id === group.id || g.name === group.name) ? 'OVERWRITTEN' : 'ADDED', resourceType: 'GROUP', resourceName: group.name, id: group.id });
  }

  const users = await planPartialUsers(repository, rep.users ?? [], model, { realm: realm.realm, model, roleIndex, groupsByPath: groups.byPath, sealKey: realm.keys.sealKey }, ifExists, options, results);
  for (const record of users.records) {
    requireGrantable(identity, realm, record.roleIds);
    const joined = (record.groupIds ?? []).filter((id) => realm.groupsById.has(id) && model.groupsById.has(id));
    if (joined.length > 0) requireGroupPower(identity, realm, joined);
  }
  await hashPlainPasswords(users.plain, parsePasswordPolicy(realm.realm.settings.passwordPolicy).hash);

  await repository.transaction(async (tx) => {
    for (const { client, action } of clients) {
      if (action === 'ADDED') await tx.createClient(client);
      else await tx.updateClient(client);
    }
    for (const role of roles.added) await tx.createRole(role);
    for (const role of roles.replaced) await tx.updateRole(role);
    if (replacedGroups.length > 0) await tx.deleteGroups(replacedGroups.map((g) => g.id));
    await tx.createGroups(groups.groups);
    for (const user of users.replaced) await tx.deleteUser(user.id);
    await tx.createUsers(users.records);
    // A client's service account comes with it, unless the import brings it along.
    for (const { client, action } of clients) {
      if (users.records.some((r) => r.user.serviceAccountClientId === client.id)) continue;
      await syncServiceAccount(tx, client, action === 'ADDED' ? undefined : client.clientId, model, options.nowMs);
    }
  });
  const count = (action: Action) => results.filter((r) => r.action === action).length;
  return {
    overwritten: count('OVERWRITTEN'),
    added: count('ADDED'),
    skipped: count('SKIPPED'),
    results,
    notHonoured: parts.refused,
    ignored: parts.ignored,
    replacedUserIds: users.replaced.map((u) => u.id),
  };
}

function newClient(model: RealmModel, id: string, clientId: string, rep: ClientRepresentation, realm: LoadedRealm, nowSeconds: number, path: string): Client {
  const client = withNewClientScopes(model, newClientFromRepresentation(realm.realm.id, id, clientId, rep, realm.keys.sealKey, nowSeconds), rep);
  checkClientScopeNames(model, client, fileProblem, path);
  return client;
}

/** Mapping these roles to an imported user or group needs the admin power they confer. */
function requireGrantable(identity: AdminIdentity, realm: LoadedRealm, roleIds: string[]): void {
  for (const id of roleIds) {
    const role = realm.rolesById.get(id);
    if (role && !mayGrant(identity, realm, role)) throw forbidden();
  }
}

function planRoles(rep: PartialImportRepresentation, model: RealmModel, realm: LoadedRealm, identity: AdminIdentity, ifExists: 'FAIL' | 'SKIP' | 'OVERWRITE', results: PartialImportResult[]) {
  const added: Role[] = [];
  const replaced: Role[] = [];
  const pending: Array<{ role: Role; rep: RoleRepresentation; path: string }> = [];
  const existingIndex = indexRoles(realm.rolesById.values());
  const take = (roleRep: RoleRepresentation, owner: Client | undefined, path: string) => {
    const name = roleRep.name;
    if (name === undefined || name === '') throw new ShapeError(field(path, 'name'), 'required');
    const existing = owner === undefined ? existingIndex.realm.get(name) : existingIndex.client.get(owner.id)?.get(name);
    const type = owner === undefined ? 'REALM_ROLE' : 'CLIENT_ROLE';
    const resourceName = owner === undefined ? name : `${owner.clientId}-->${name}`;
    const conflict = owner === undefined ? `Realm role '${name}' already exists.` : `Client role '${name}' for client '${owner.clientId}' already exists.`;
    const action = decide(ifExists, existing !== undefined, conflict);
    if (action === 'SKIPPED') {
      results.push({ action, resourceType: type, resourceName, id: existing!.id });
      return;
    }
    if (existing) requireManageRole(identity, realm, existing);
    else requireCreateRoleIn(identity, realm, owner?.id, name);
    const role: Role = existing
      ? { ...existing, description: roleRep.description, attributes: roleRep.attributes ?? {}, composites: [] }
      : { id: roleRep.id ?? newId(), realmId: realm.realm.id, clientId: owner?.id, name, description: roleRep.description, composites: [], attributes: roleRep.attributes ?? {} };
    if (pending.some((p) => p.role.clientId === role.clientId && p.role.name === name)) throw new ImportConflict(field(path, 'name'), `duplicate role '${name}'`);
    model.rolesById.set(role.id, role);
    (existing ? replaced : added).push(role);
    pending.push({ role, rep: roleRep, path });
    results.push({ action, resourceType: type, resourceName, id: role.id });
  };
  (rep.roles?.realm ?? []).forEach((roleRep, i) => take(roleRep, undefined, index('roles.realm', i)));
  for (const [clientId, roleReps] of Object.entries(rep.roles?.client ?? {})) {
    const owner = model.clientsByClientId.get(clientId);
    const path = field('roles.client', clientId);
    if (!owner) throw new ShapeError(path, `unknown client '${clientId}'`);
    roleReps.forEach((roleRep, i) => take(roleRep, owner, index(path, i)));
  }
  // Composites by name, among the realm's roles and the imported ones; each must be grantable.
  const byName = indexRoles(model.rolesById.values());
  for (const { role, rep: roleRep, path } of pending) {
    const ids: string[] = [];
    (roleRep.composites?.realm ?? []).forEach((name, j) => {
      const found = byName.realm.get(name);
      if (!found) throw new ShapeError(index(field(path, 'composites.realm'), j), `unknown realm role '${name}'`);
      ids.push(found.id);
    });
    for (const [clientId, names] of Object.entries(roleRep.composites?.client ?? {})) {
      const owner = model.clientsByClientId.get(clientId);
      names.forEach((name, j) => {
        const found = owner && byName.client.get(owner.id)?.get(name);
        if (!found) throw new ShapeError(index(field(field(path, 'composites.client'), clientId), j), `unknown role '${name}' of client '${clientId}'`);
        ids.push(found.id);
      });
    }
    requireGrantable(identity, realm, ids);
    role.composites = [...new Set(ids)];
  }
  return { added, replaced };
}

async function planPartialUsers(
  repository: RealmRepository,
  reps: UserFileRepresentation[],
  model: RealmModel,
  plan: UsersContext,
  ifExists: 'FAIL' | 'SKIP' | 'OVERWRITE',
  options: PartialImportOptions,
  results: PartialImportResult[],
): Promise<{ records: NewUserRecord[]; plain: ReturnType<typeof planUsers>['plain']; replaced: User[] }> {
  const toCreate: UserFileRepresentation[] = [];
  const replaced: User[] = [];
  for (const userRep of reps) {
    const username = userRep.username?.toLowerCase();
    const byName = username === undefined ? undefined : await repository.findUserByUsername(model.realm.id, username);
    const email = userRep.email === undefined || userRep.email === '' || model.realm.settings.duplicateEmailsAllowed ? undefined : userRep.email.toLowerCase();
    const byEmail = byName || email === undefined ? undefined : (await repository.findUserByEmail(model.realm.id, email))[0];
    const existing = byName ?? byEmail;
    const action = decide(ifExists, existing !== undefined, byName ? `User with user name ${username} already exists.` : `User with email ${email} already exists.`);
    if (action === 'SKIPPED') {
      results.push({ action, resourceType: 'USER', resourceName: existing!.username, id: existing!.id });
      continue;
    }
    if (existing) {
      await options.mayActOnUser(existing);
      replaced.push(existing);
    }
    toCreate.push(existing && userRep.id === undefined ? { ...userRep, id: existing.id } : userRep);
  }
  const providerAliases = new Set((await repository.listIdentityProviders(model.realm.id)).map((p) => p.alias));
  const planned = planUsers(toCreate, plan, options.nowMs, providerAliases);
  for (const record of planned.records) {
    results.push({ action: replaced.some((u) => u.id === record.user.id || u.username === record.user.username) ? 'OVERWRITTEN' : 'ADDED', resourceType: 'USER', resourceName: record.user.username, id: record.user.id });
  }
  return { records: planned.records, plain: planned.plain, replaced };
}
