/**
 * Writing the group tree safely: every change runs in one transaction that first locks the realm
 * and re-reads its groups, so that checks (sibling names, cycles, the parent still existing) are
 * made against what is committed, not against a cache another node may have outdated; then every
 * node is told the realm changed. Also the checks a group body gets before anything is written.
 */
import type { Context } from '../context.ts';
import { adminBadRequest, adminConflict } from '../errors/index.ts';
import type { Group, LoadedRealm, RealmModel, RealmRepository } from '../realm/index.ts';
import { isAllowed, type AdminIdentity } from './admin-auth.ts';
import { isUniqueViolation } from './realm-file/import-conflict.ts';
import { mappedRoleNames, type GroupAccess, type GroupRepresentation } from './representations/group.ts';

const MAX_NAME = 255;

export const topLevelExists = (name: string) => adminConflict(`Top level group named '${name}' already exists.`);
export const siblingExists = (name: string) => adminConflict(`Sibling group named '${name}' already exists.`);

/** Keycloak's `access` block: groups are viewed with view-users and managed with manage-users. */
export function groupAccess(identity: AdminIdentity, realm: LoadedRealm): GroupAccess {
  const view = isAllowed(identity, realm, 'view-users');
  const manage = isAllowed(identity, realm, 'manage-users');
  return { view, viewMembers: view, manageMembers: manage, manage, manageMembership: manage };
}

/** The name a body gives, which must be present (Keycloak's "Group name is missing") and fit. */
export function groupName(rep: GroupRepresentation): string {
  if (rep.name === undefined || rep.name.trim() === '') throw adminBadRequest('Group name is missing');
  if (rep.name.length > MAX_NAME) throw adminBadRequest(`name: longer than ${MAX_NAME} characters`, 'name');
  return rep.name;
}

const sameList = (a: string[], b: string[]) => a.length === b.length && [...a].sort().every((v, i) => v === [...b].sort()[i]);

/**
 * Keycloak silently ignores role mappings, subgroups and a new parent in a group body; holdfast
 * refuses them (they have their own endpoints), but lets a representation read from the API be
 * sent back unchanged.
 */
export function refuseUnappliedFields(rep: GroupRepresentation, model: RealmModel, current: Group | undefined): void {
  const mapped = current ? mappedRoleNames(model, current) : { realmRoles: [], clientRoles: {} as Record<string, string[]> };
  if (rep.realmRoles !== undefined && !sameList(rep.realmRoles, mapped.realmRoles)) {
    throw adminBadRequest('realmRoles: roles are mapped to a group through /groups/{id}/role-mappings', 'realmRoles');
  }
  if (rep.clientRoles !== undefined) {
    const given = Object.entries(rep.clientRoles).filter(([, names]) => names.length > 0);
    const same = given.length === Object.keys(mapped.clientRoles).length && given.every(([client, names]) => sameList(names, mapped.clientRoles[client] ?? []));
    if (!same) throw adminBadRequest('clientRoles: roles are mapped to a group through /groups/{id}/role-mappings', 'clientRoles');
  }
  if (rep.subGroups !== undefined && rep.subGroups.length > 0) throw adminBadRequest('subGroups: subgroups are created through /groups/{id}/children', 'subGroups');
}

/** A create or update that names another parent than the one the group gets. */
export function refuseParentChange(rep: GroupRepresentation, parentId: string | undefined): void {
  if (rep.parentId !== undefined && rep.parentId !== parentId) throw adminBadRequest('parentId: a group is moved through POST /groups/{parentId}/children', 'parentId');
}

const canonical = (attributes: Record<string, string[]>) => JSON.stringify(Object.entries(attributes).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

/** A move changes only the parent: a body that also renames or edits the group is refused. */
export function refuseEditInMove(rep: GroupRepresentation, child: Group): void {
  if (rep.name !== child.name) throw adminBadRequest("name: moving a group keeps its name; rename it with PUT /groups/{id}", 'name');
  if (rep.attributes !== undefined && canonical(rep.attributes) !== canonical(child.attributes)) {
    throw adminBadRequest('attributes: moving a group keeps its attributes; change them with PUT /groups/{id}', 'attributes');
  }
}

/**
 * Runs `work` in one transaction holding the realm's lock, with the groups as committed; a
 * unique violation (a sibling of the same name created meanwhile) becomes `conflict`, if given.
 */
export async function writeGroups<T>(
  ctx: Context,
  realm: LoadedRealm,
  conflict: (() => Error) | undefined,
  work: (tx: RealmRepository, fresh: LoadedRealm) => Promise<T>,
): Promise<T> {
  let result: T;
  try {
    result = await ctx.realms.repository.transaction(async (tx) => {
      await tx.lockRealm(realm.realm.id);
      const groups = await tx.listGroups(realm.realm.id);
      return work(tx, { ...realm, groupsById: new Map(groups.map((g) => [g.id, g])) });
    });
  } catch (error) {
    if (conflict && isUniqueViolation(error)) throw conflict();
    throw error;
  }
  await ctx.realms.realmChanged(realm.realm.id);
  return result;
}
