/**
 * Turns a realm representation into the realm, keys, clients and roles to write, entirely in
 * memory, so a bad file is rejected before anything is written. Keycloak's built-in clients and
 * roles come from the realm blueprint; whatever the file says about them wins, ids included, so
 * an exported realm imports back with the same ids.
 */
import { newId, type StoredKey } from '../../crypto/index.ts';
import { fallbackKeys, type Client, type ClientScope, type Group, type Realm, type RealmModel, type RequiredActionProvider, type Role } from '../../realm/index.ts';
import { parsePasswordPolicy, PasswordPolicyError } from '../../authn/index.ts';
import { requiredActionFromFile } from '../representations/required-action.ts';
import { field, index, ShapeError } from '../json-shape.ts';
import { newClientFromRepresentation } from '../representations/client.ts';
import { planScopeMappings } from './plan-scope-mappings.ts';
import { newProtocolMappers } from '../representations/protocol-mapper.ts';
import { checkClientScopeNames, fileProblem, withNewClientScopes } from '../representations/client-scope.ts';
import { applyRealmSettings } from '../representations/realm.ts';
import { indexRoles, type RoleIndex, type RoleRepresentation } from '../representations/role.ts';
import { fileConflict, ImportConflict } from './import-conflict.ts';
import { storedSmtpServer } from '../../mail/index.ts';
import { planClientScopes } from './plan-client-scopes.ts';
import { planGroups } from './plan-groups.ts';
import { planKeyComponents } from './plan-key-components.ts';
import { realmBlueprint } from './realm-blueprint.ts';
import type { RealmFileRepresentation } from './realm-file-shape.ts';

export interface RealmPlan {
  realm: Realm;
  keys: StoredKey[];
  sealKey: Buffer;
  clientScopes: ClientScope[];
  clients: Client[];
  roles: Role[];
  /** Parents before their subgroups. */
  groups: Group[];
  /** Group ids by path, for users' `groups`. */
  groupsByPath: Map<string, string>;
  model: RealmModel;
  roleIndex: RoleIndex;
}

/** Realm names end up in URLs and file names: no slashes, nothing empty, nothing huge. */
export function checkRealmName(name: string | undefined, path: string): string {
  if (name === undefined || name.trim() === '') throw new ShapeError(path, 'required');
  if (name.length > 255 || /[/\\]/.test(name) || name !== name.trim()) throw new ShapeError(path, `invalid realm name '${name}'`);
  return name;
}

/** The policy a login will enforce must parse now, or the file is refused at `passwordPolicy`. */
function checkPolicyText(text: string | undefined): void {
  try {
    parsePasswordPolicy(text);
  } catch (error) {
    if (error instanceof PasswordPolicyError) throw new ShapeError('passwordPolicy', `${error.errorMessage} (${error.rule})`);
    throw error;
  }
}

/** The file's registered actions replace the defaults, as Keycloak's import does; aliases are unique. */
function planRequiredActions(reps: NonNullable<RealmFileRepresentation['requiredActions']>): RequiredActionProvider[] {
  const seen = new Set<string>();
  return reps.map((rep, i) => {
    const action = requiredActionFromFile(rep, index('requiredActions', i), i);
    if (seen.has(action.alias)) throw new ImportConflict(field(index('requiredActions', i), 'alias'), `duplicate required action '${action.alias}'`);
    seen.add(action.alias);
    return action;
  });
}

const roleKey = (clientId: string | undefined, name: string): string => `${clientId ?? ''}\u0000${name}`;

interface PendingComposites {
  role: Role;
  path: string;
  composites: NonNullable<RoleRepresentation['composites']>;
}

export async function planRealm(rep: RealmFileRepresentation, nowMs: number): Promise<RealmPlan> {
  const name = checkRealmName(rep.realm, 'realm');
  const blueprint = await realmBlueprint(name, {}, Math.floor(nowMs / 1000));
  const realmId = rep.id ?? blueprint.realm.id;
  const realm: Realm = { id: realmId, name, settings: applyRealmSettings(blueprint.realm.settings, rep) };
  checkPolicyText(rep.passwordPolicy);
  if (rep.requiredActions !== undefined) realm.settings.requiredActions = planRequiredActions(rep.requiredActions);
  realm.settings.smtpServer = storedSmtpServer(realm.settings.smtpServer, {}, blueprint.sealKey, realmId);

  const clientScopes = planClientScopes(rep, realmId, blueprint.clientScopes);
  // Enough of the realm for the clients' scope lists to be resolved against.
  const scopeModel: RealmModel = {
    realm,
    clientsById: new Map(),
    clientsByClientId: new Map(),
    rolesById: new Map(),
    groupsById: new Map(),
    clientScopesById: new Map(clientScopes.map((s) => [s.id, s])),
  };
  const clients = new Map<string, Client>();
  const clientUuids = new Set<string>();
  (rep.clients ?? []).forEach((clientRep, i) => {
    const path = index('clients', i);
    if (clientRep.clientId === undefined || clientRep.clientId === '') throw new ShapeError(field(path, 'clientId'), 'required');
    if (clients.has(clientRep.clientId)) throw new ImportConflict(field(path, 'clientId'), `duplicate client '${clientRep.clientId}'`);
    const id = clientRep.id ?? newId();
    if (clientUuids.has(id)) throw new ImportConflict(field(path, 'id'), `duplicate client id '${id}'`);
    clientUuids.add(id);
    const created = newClientFromRepresentation(realmId, id, clientRep.clientId, clientRep, blueprint.sealKey);
    const protocolMappers = newProtocolMappers(clientRep.protocolMappers ?? [], created.protocol, [], fileProblem, fileConflict, field(path, 'protocolMappers'));
    const client = withNewClientScopes(scopeModel, { ...created, protocolMappers }, clientRep);
    checkClientScopeNames(scopeModel, client, fileProblem, path);
    clients.set(clientRep.clientId, client);
  });
  const blueprintClientIds = new Map(blueprint.clients.map((c) => [c.id, c.clientId]));
  const builtInsLeftOut: Array<{ client: Client; source: Client }> = [];
  for (const source of blueprint.clients) {
    if (clients.has(source.clientId)) continue;
    // A built-in client the file leaves out gets the file's realm default scopes, as a new client would.
    const client = withNewClientScopes(scopeModel, { ...source, realmId, scopeMappings: [] }, {});
    clients.set(source.clientId, client);
    builtInsLeftOut.push({ client, source });
  }

  const roles = new Map<string, Role>();
  const roleIds = new Set<string>();
  const pending: PendingComposites[] = [];
  const addRole = (roleRep: RoleRepresentation, owner: Client | undefined, path: string) => {
    if (roleRep.name === undefined || roleRep.name === '') throw new ShapeError(field(path, 'name'), 'required');
    const key = roleKey(owner?.clientId, roleRep.name);
    if (roles.has(key)) throw new ImportConflict(field(path, 'name'), `duplicate role '${roleRep.name}'`);
    const role: Role = {
      id: roleRep.id ?? newId(),
      realmId,
      clientId: owner?.id,
      name: roleRep.name,
      description: roleRep.description,
      composites: [],
      attributes: roleRep.attributes ?? {},
    };
    if (roleIds.has(role.id)) throw new ImportConflict(field(path, 'id'), `duplicate role id '${role.id}'`);
    roleIds.add(role.id);
    roles.set(key, role);
    if (roleRep.composites) pending.push({ role, path, composites: roleRep.composites });
  };
  (rep.roles?.realm ?? []).forEach((roleRep, i) => addRole(roleRep, undefined, index('roles.realm', i)));
  for (const [clientId, list] of Object.entries(rep.roles?.client ?? {})) {
    const owner = clients.get(clientId);
    const path = field('roles.client', clientId);
    if (!owner) throw new ShapeError(path, `unknown client '${clientId}'`);
    list.forEach((roleRep, i) => addRole(roleRep, owner, index(path, i)));
  }

  // Built-in roles the file does not mention keep the blueprint's composites, re-pointed by name.
  const blueprintKey = (role: Role) => roleKey(role.clientId === undefined ? undefined : blueprintClientIds.get(role.clientId), role.name);
  const blueprintById = new Map(blueprint.roles.map((r) => [r.id, r]));
  const fromBlueprint: Array<{ role: Role; source: Role }> = [];
  for (const source of blueprint.roles) {
    const key = blueprintKey(source);
    if (roles.has(key)) continue;
    const ownerClientId = source.clientId === undefined ? undefined : blueprintClientIds.get(source.clientId);
    const role: Role = { ...source, realmId, clientId: ownerClientId === undefined ? undefined : clients.get(ownerClientId)!.id, composites: [] };
    roles.set(key, role);
    fromBlueprint.push({ role, source });
  }
  for (const { role, source } of fromBlueprint) {
    role.composites = source.composites.map((id) => roles.get(blueprintKey(blueprintById.get(id)!))!.id);
  }
  for (const { role, path, composites } of pending) {
    const ids: string[] = [];
    (composites.realm ?? []).forEach((name, j) => {
      const found = roles.get(roleKey(undefined, name));
      if (!found) throw new ShapeError(index(field(path, 'composites.realm'), j), `unknown realm role '${name}'`);
      ids.push(found.id);
    });
    for (const [clientId, names] of Object.entries(composites.client ?? {})) {
      names.forEach((name, j) => {
        const found = roles.get(roleKey(clientId, name));
        if (!found) throw new ShapeError(index(field(field(path, 'composites.client'), clientId), j), `unknown role '${name}' of client '${clientId}'`);
        ids.push(found.id);
      });
    }
    role.composites = [...new Set(ids)];
  }

  // Their scope mappings (account-console's account roles) name the blueprint's roles: re-pointed by name.
  for (const { client, source } of builtInsLeftOut) {
    client.scopeMappings = source.scopeMappings.flatMap((id) => {
      const role = blueprintById.get(id);
      const planned = role && roles.get(blueprintKey(role));
      return planned ? [planned.id] : [];
    });
  }

  const defaultRole = planDefaultRole(rep, blueprint.roles, blueprint.realm, roles);
  realm.settings.attributes = { ...realm.settings.attributes, defaultRoleId: defaultRole.id };

  planScopeMappings(rep, clients, clientScopes, (clientId, name) => roles.get(roleKey(clientId, name)));

  const clientList = [...clients.values()];
  const roleList = [...roles.values()];
  const model: RealmModel = {
    realm,
    clientsById: new Map(clientList.map((c) => [c.id, c])),
    clientsByClientId: clients,
    rolesById: new Map(roleList.map((r) => [r.id, r])),
    groupsById: new Map(),
    clientScopesById: scopeModel.clientScopesById,
  };
  const roleIndex = indexRoles(roleList);
  const groups = planGroups(rep.groups ?? [], rep.defaultGroups ?? [], model, roleIndex);
  const blueprintKeys = blueprint.keys.map((k) => ({ ...k, realmId }));
  // The data key is the new realm's own; the file's key providers, if any, replace the generated ones.
  const fileKeys = await planKeyComponents(rep.components, realm, nowMs);
  const keys = fileKeys ? [...blueprintKeys.filter((k) => k.component === undefined), ...fileKeys] : blueprintKeys;
  // Algorithms the file's providers leave uncovered get Keycloak's fallback keys now, not at the first login.
  keys.push(...(await fallbackKeys(realm, clients.values(), keys, nowMs)));
  return { realm, keys, sealKey: blueprint.sealKey, clientScopes, clients: clientList, roles: roleList, groups: groups.groups, groupsByPath: groups.byPath, model, roleIndex };
}

/** The realm's default role: the one the file names, else Keycloak's `default-roles-<realm>`. */
function planDefaultRole(rep: RealmFileRepresentation, blueprintRoles: Role[], blueprintRealm: Realm, roles: Map<string, Role>): Role {
  const blueprintDefault = blueprintRoles.find((r) => r.id === blueprintRealm.settings.attributes.defaultRoleId)!;
  const name = rep.defaultRole?.name ?? blueprintDefault.name;
  const role = roles.get(roleKey(undefined, name));
  if (!role) throw new ShapeError('defaultRole.name', `unknown realm role '${name}'`);
  if (rep.defaultRole === undefined && rep.defaultRoles) {
    rep.defaultRoles.forEach((legacyName, i) => {
      const legacy = roles.get(roleKey(undefined, legacyName));
      if (!legacy) throw new ShapeError(index('defaultRoles', i), `unknown realm role '${legacyName}'`);
      if (!role.composites.includes(legacy.id)) role.composites.push(legacy.id);
    });
  }
  return role;
}
