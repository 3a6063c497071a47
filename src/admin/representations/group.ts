/**
 * Keycloak's GroupRepresentation: what the admin API returns for a group (brief: id, name, path,
 * parent; full: also attributes and the roles mapped to it by name), what it accepts to create or
 * update one, and the realm-file form with `subGroups` nested all the way down.
 */
import { childrenByParent, groupPath, roleNames, type Group, type RealmModel } from '../../realm/index.ts';
import { list, multiValuedMap, object, record, string, stringList, type Check } from '../json-shape.ts';

export interface GroupRepresentation {
  id?: string;
  name?: string;
  description?: string;
  path?: string;
  parentId?: string;
  attributes?: Record<string, string[]>;
  realmRoles?: string[];
  clientRoles?: Record<string, string[]>;
  subGroups?: GroupRepresentation[];
}

const groupFields = object({
  id: string,
  name: string,
  description: string,
  path: string,
  parentId: string,
  attributes: multiValuedMap,
  realmRoles: stringList,
  clientRoles: record(stringList),
  subGroups: list((value, path) => groupRepresentation(value, path)),
});
export const groupRepresentation: Check<GroupRepresentation> = (value, path) => groupFields(value, path);

/** Keycloak's `access` block of a group: what the caller may do with it. */
export interface GroupAccess {
  view: boolean;
  viewMembers: boolean;
  manageMembers: boolean;
  manage: boolean;
  manageMembership: boolean;
}

export interface GroupViewOptions {
  full: boolean;
  /** How many direct subgroups it has, where Keycloak shows `subGroupCount`. */
  subGroupCount?: number;
  access?: GroupAccess;
}

/** Role names mapped to the group itself, as GroupRepresentation carries them. */
export function mappedRoleNames(model: RealmModel, group: Group): { realmRoles: string[]; clientRoles: Record<string, string[]> } {
  const names = roleNames(model, group.roleIds);
  return { realmRoles: names.realm, clientRoles: names.client };
}

export function toGroupRepresentation(model: RealmModel, group: Group, options: GroupViewOptions): Record<string, unknown> {
  return {
    id: group.id,
    name: group.name,
    ...(group.description !== undefined ? { description: group.description } : {}),
    path: groupPath(model, group),
    ...(group.parentId !== undefined ? { parentId: group.parentId } : {}),
    ...(options.subGroupCount !== undefined ? { subGroupCount: options.subGroupCount } : {}),
    subGroups: [],
    ...(options.full ? { attributes: group.attributes, ...mappedRoleNames(model, group) } : {}),
    ...(options.access ? { access: options.access } : {}),
  };
}

/** The realm file's `groups`: top-level groups with every subgroup nested, each level by name. */
export function toGroupsExport(model: RealmModel): Record<string, unknown>[] {
  const children = childrenByParent(model);
  const exportGroup = (group: Group): Record<string, unknown> => ({
    ...toGroupRepresentation(model, group, { full: true }),
    subGroups: (children.get(group.id) ?? []).map(exportGroup),
  });
  return (children.get('') ?? []).map(exportGroup);
}
