/**
 * Turns the `groups` (nested through `subGroups`) and `defaultGroups` of a realm representation
 * into groups to write, in memory and before anything is written: ids kept from the file, role
 * mappings resolved by name, parents before subgroups. Sibling names must differ, as in Keycloak;
 * `path`, `parentId` and `subGroupCount` are derived from the nesting and not read.
 */
import { newId } from '../../crypto/index.ts';
import { findGroupByPath, groupPath, type Group, type RealmModel } from '../../realm/index.ts';
import { field, index, ShapeError } from '../json-shape.ts';
import type { GroupRepresentation } from '../representations/group.ts';
import type { RoleIndex } from '../representations/role.ts';
import { ImportConflict } from './import-conflict.ts';
import { resolveRoleNames } from './resolve-role-names.ts';

export interface GroupsPlan {
  /** Parents before their subgroups, the order they must be inserted in. */
  groups: Group[];
  /** Group ids by canonical path (`/staff/ops`), for users' `groups`. */
  byPath: Map<string, string>;
}

const MAX_NAME = 255;

/** Fills `model.groupsById` and returns the groups to write. */
export function planGroups(reps: GroupRepresentation[], defaultGroups: string[], model: RealmModel, roleIndex: RoleIndex): GroupsPlan {
  const groups: Group[] = [];
  const ids = new Set<string>();
  const byPath = new Map<string, string>();

  const add = (rep: GroupRepresentation, parent: Group | undefined, path: string, siblings: Set<string>) => {
    const name = rep.name;
    if (name === undefined || name.trim() === '') throw new ShapeError(field(path, 'name'), 'required');
    if (name.length > MAX_NAME) throw new ShapeError(field(path, 'name'), `longer than ${MAX_NAME} characters`);
    if (siblings.has(name)) throw new ImportConflict(field(path, 'name'), `duplicate group '${name}' in '${parent ? groupPath(model, parent) : '/'}'`);
    siblings.add(name);
    const id = rep.id ?? newId();
    if (ids.has(id)) throw new ImportConflict(field(path, 'id'), `duplicate group id '${id}'`);
    ids.add(id);
    const group: Group = {
      id,
      realmId: model.realm.id,
      parentId: parent?.id,
      name,
      description: rep.description,
      attributes: rep.attributes ?? {},
      roleIds: [...new Set(resolveRoleNames(rep, model, roleIndex, path))],
      defaultGroup: false,
    };
    groups.push(group);
    model.groupsById.set(id, group);
    byPath.set(groupPath(model, group), id);
    const children = new Set<string>();
    (rep.subGroups ?? []).forEach((child, i) => add(child, group, index(field(path, 'subGroups'), i), children));
  };
  const topLevel = new Set<string>();
  reps.forEach((rep, i) => add(rep, undefined, index('groups', i), topLevel));

  defaultGroups.forEach((groupPathText, i) => {
    const id = resolveGroupPath(model, byPath, groupPathText);
    if (id === undefined) throw new ShapeError(index('defaultGroups', i), `unknown group '${groupPathText}'`);
    model.groupsById.get(id)!.defaultGroup = true;
  });
  return { groups, byPath };
}

/** A group path as users' `groups` and `defaultGroups` give it: canonical first, then Keycloak's lenient lookup. */
export function resolveGroupPath(model: RealmModel, byPath: Map<string, string>, path: string): string | undefined {
  return byPath.get(path) ?? findGroupByPath(model, path)?.id;
}
