/**
 * The realm's group tree as Keycloak has it: paths (`/staff/ops`), parents and subgroups, lookup
 * by path the way Keycloak resolves one (a name may itself contain `/`), and the roles a member
 * gets through a group: the group's own and those of every group above it.
 */
import type { Group, RealmModel } from './types.ts';

export const byName = (a: { name: string }, b: { name: string }): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/**
 * The group and the groups above it, nearest first. A missing parent or a repeated id ends the
 * walk, so even a tree broken by hand in the database cannot make it loop.
 */
export function lineage(model: RealmModel, group: Group): Group[] {
  const chain: Group[] = [];
  const seen = new Set<string>();
  let current: Group | undefined = group;
  while (current && !seen.has(current.id)) {
    seen.add(current.id);
    chain.push(current);
    current = current.parentId === undefined ? undefined : model.groupsById.get(current.parentId);
  }
  return chain;
}

export function groupPath(model: RealmModel, group: Group): string {
  return `/${lineage(model, group)
    .reverse()
    .map((g) => g.name)
    .join('/')}`;
}

/** The direct subgroups of `parentId` (top-level groups for undefined), by name. */
export function subGroupsOf(model: RealmModel, parentId: string | undefined): Group[] {
  return [...model.groupsById.values()].filter((g) => g.parentId === parentId).sort(byName);
}

/** Subgroups by parent id ('' for the top level), each list by name: built once for whole-tree walks. */
export function childrenByParent(model: RealmModel): Map<string, Group[]> {
  const children = new Map<string, Group[]>();
  for (const g of model.groupsById.values()) {
    const key = g.parentId ?? '';
    const list = children.get(key);
    if (list) list.push(g);
    else children.set(key, [g]);
  }
  for (const list of children.values()) list.sort(byName);
  return children;
}

/** The group and everything below it, parents before their subgroups. */
export function subtree(model: RealmModel, group: Group): Group[] {
  const children = childrenByParent(model);
  const out: Group[] = [];
  const seen = new Set<string>();
  const pending = [group];
  while (pending.length > 0) {
    const next = pending.shift()!;
    if (seen.has(next.id)) continue;
    seen.add(next.id);
    out.push(next);
    pending.push(...(children.get(next.id) ?? []));
  }
  return out;
}

/** Ids of the roles that membership of these groups gives: each group's own and its ancestors'. */
export function groupRoleIds(model: RealmModel, groupIds: Iterable<string>): string[] {
  const ids = new Set<string>();
  for (const id of groupIds) {
    const group = model.groupsById.get(id);
    if (!group) continue;
    for (const g of lineage(model, group)) for (const roleId of g.roleIds) ids.add(roleId);
  }
  return [...ids];
}

export function defaultGroupIds(model: RealmModel): string[] {
  return [...model.groupsById.values()].filter((g) => g.defaultGroup).map((g) => g.id);
}

/** The subgroup of `parentId` (or top-level group) with exactly this name. */
export function childNamed(model: RealmModel, parentId: string | undefined, name: string): Group | undefined {
  for (const g of model.groupsById.values()) if (g.parentId === parentId && g.name === name) return g;
  return undefined;
}

/**
 * Resolves `/a/b/c` as Keycloak does: leading and trailing `/` are ignored, and at each level the
 * shortest run of segments that names a subgroup wins, so a group named `b/c` is found too.
 */
export function findGroupByPath(model: RealmModel, path: string): Group | undefined {
  const trimmed = path.replace(/^\//, '').replace(/\/$/, '');
  if (trimmed === '') return undefined;
  const segments = trimmed.split('/');
  const walk = (parentId: string | undefined, start: number): Group | undefined => {
    let name = '';
    for (let i = start; i < segments.length; i++) {
      name = i === start ? segments[i] : `${name}/${segments[i]}`;
      const found = childNamed(model, parentId, name);
      if (found) return i < segments.length - 1 ? walk(found.id, i + 1) : found;
    }
    return undefined;
  };
  return walk(undefined, 0);
}
