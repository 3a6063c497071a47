/**
 * `/groups`: Keycloak's group tree over the admin API. The collection: list (top-level groups,
 * `search` by name with `exact`, `q` by attributes, `first`/`max`, `briefRepresentation`,
 * `populateHierarchy`, `subGroupsCount`), `count`, create a top-level group or move one to the
 * top. One group: read, update, delete (with its subgroups), its `children` (list, create or move
 * one under it, never under itself) and `members`; and `/group-by-path/{path}`. Listing needs
 * query-groups, reading view-users, changing manage-users, as in Keycloak.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Context } from '../../context.ts';
import { newId } from '../../crypto/index.ts';
import { adminBadRequest, adminNotFound } from '../../errors/index.ts';
import { byName, childNamed, childrenByParent, findGroupByPath, lineage, subGroupsOf, subtree, type Group, type LoadedRealm, type RealmModel } from '../../realm/index.ts';
import { findGroup } from '../admin-lookups.ts';
import { adminScope, attributeQuery, collectionPaths, location, paging, queryBoolean, queryString, readBody } from '../admin-request.ts';
import { groupAccess, groupName, refuseEditInMove, refuseParentChange, refuseUnappliedFields, siblingExists, topLevelExists, writeGroups } from '../group-writes.ts';
import { groupRepresentation, toGroupRepresentation } from '../representations/group.ts';
import { toBriefUserRepresentation, toUserRepresentation } from '../representations/user.ts';
import { requireGroupPower } from '../role-grants.ts';

const UNLIMITED = Number.MAX_SAFE_INTEGER;
const DEFAULT_CHILDREN_MAX = 10;
const DEFAULT_MEMBERS_MAX = 100;

type View = (group: Group) => Record<string, unknown>;

/** Keycloak's name search: `exact` compares whole names, otherwise a case-insensitive infix. */
export function nameMatcher(search: string | undefined, exact: boolean): (group: Group) => boolean {
  if (search === undefined) return () => true;
  const lower = search.toLowerCase();
  return exact ? (g) => g.name === search : (g) => g.name.toLowerCase().includes(lower);
}

const page = <T>(items: T[], first: number, max: number): T[] => items.slice(first, first + max);

/** The matches inside their ancestors, from the top-level groups down, with no other siblings. */
function hierarchy(model: RealmModel, matches: Group[], view: View): Record<string, unknown>[] {
  const reps = new Map<string, Record<string, unknown>>();
  const repOf = (group: Group) => {
    let rep = reps.get(group.id);
    if (!rep) reps.set(group.id, (rep = view(group)));
    return rep;
  };
  const roots = new Map<string, Group>();
  for (const match of matches) {
    const chain = lineage(model, match);
    for (let i = 1; i < chain.length; i++) {
      const subGroups = repOf(chain[i]).subGroups as Record<string, unknown>[];
      const child = repOf(chain[i - 1]);
      if (!subGroups.includes(child)) subGroups.push(child);
    }
    const root = chain[chain.length - 1];
    roots.set(root.id, root);
  }
  const sortTree = (rep: Record<string, unknown>): Record<string, unknown> => {
    (rep.subGroups as Record<string, unknown>[]).sort((a, b) => byName(a as { name: string }, b as { name: string })).forEach(sortTree);
    return rep;
  };
  return [...roots.values()].sort(byName).map((root) => sortTree(repOf(root)));
}

/** `subGroupCount` for many groups at once (the tree indexed once), or nothing when not asked for. */
function subGroupCounter(model: RealmModel, wanted: boolean): (group: Group) => number | undefined {
  if (!wanted) return () => undefined;
  const children = childrenByParent(model);
  return (group) => children.get(group.id)?.length ?? 0;
}

/** A group can never go under itself or one of its own subgroups. */
function refuseCycle(model: RealmModel, child: Group, parent: Group): void {
  if (lineage(model, parent).some((g) => g.id === child.id)) throw adminBadRequest(`Cannot move group '${child.name}' under itself or one of its subgroups`);
}

const groupOfPath = (request: FastifyRequest, realm: LoadedRealm) => findGroup(realm, (request.params as { id: string }).id);

export async function groupRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  /** Moves `child` under `parent` (the top level when undefined), checked again inside the transaction. */
  async function move(realm: LoadedRealm, child: Group, parent: Group | undefined, conflict: () => Error): Promise<void> {
    await writeGroups(ctx, realm, conflict, async (tx, fresh) => {
      const current = fresh.groupsById.get(child.id);
      const newParent = parent && fresh.groupsById.get(parent.id);
      if (!current) throw adminNotFound('Could not find child by id');
      if (parent && !newParent) throw adminNotFound('Could not find group by id');
      if (newParent) refuseCycle(fresh, current, newParent);
      if (childNamed(fresh, newParent?.id, current.name)) throw conflict();
      await tx.updateGroup({ ...current, parentId: newParent?.id });
    });
  }

  for (const url of collectionPaths('/admin/realms/:realm/groups')) {
    app.get(url, async (request) => {
      const { identity, realm } = await adminScope(ctx, request, 'query-groups');
      const search = queryString(request, 'search')?.trim();
      const q = queryString(request, 'q');
      const exact = queryBoolean(request, 'exact') === true;
      const brief = queryBoolean(request, 'briefRepresentation') !== false;
      const populateHierarchy = queryBoolean(request, 'populateHierarchy') !== false;
      const subGroupCount = queryBoolean(request, 'subGroupsCount') !== false;
      const { first, max } = paging(request, UNLIMITED);
      let matches: Group[];
      if (q !== undefined) {
        const pairs = attributeQuery(q);
        matches = [...realm.groupsById.values()].filter((g) => pairs.every(([key, value]) => g.attributes[key]?.includes(value) === true));
      } else if (search !== undefined) {
        matches = [...realm.groupsById.values()].filter(nameMatcher(search, exact));
      } else {
        matches = subGroupsOf(realm, undefined);
      }
      matches = page(matches.sort(byName), first, max);
      const access = groupAccess(identity, realm);
      const count = subGroupCounter(realm, subGroupCount);
      const view: View = (g) => toGroupRepresentation(realm, g, { full: !brief, subGroupCount: count(g), access });
      return populateHierarchy ? hierarchy(realm, matches, view) : matches.map(view);
    });

    app.post(url, async (request, reply) => {
      const { realm } = await adminScope(ctx, request, 'manage-users');
      const rep = readBody(request, groupRepresentation);
      const name = groupName(rep);
      if (rep.id !== undefined) {
        const child = findGroup(realm, rep.id, 'Could not find child by id');
        refuseEditInMove(rep, child);
        if (child.parentId !== undefined) await move(realm, child, undefined, () => topLevelExists(name));
        return reply.code(204).send();
      }
      refuseUnappliedFields(rep, realm, undefined);
      refuseParentChange(rep, undefined);
      if (childNamed(realm, undefined, name)) throw topLevelExists(name);
      const group: Group = { id: newId(), realmId: realm.realm.id, name, description: rep.description, attributes: rep.attributes ?? {}, roleIds: [], defaultGroup: false };
      await writeGroups(ctx, realm, () => topLevelExists(name), async (tx, fresh) => {
        if (childNamed(fresh, undefined, name)) throw topLevelExists(name);
        await tx.createGroups([group]);
      });
      return reply.code(201).header('location', location(ctx, request, realm.realm.name, 'groups', group.id)).send();
    });
  }

  app.get('/admin/realms/:realm/groups/count', async (request) => {
    const { realm } = await adminScope(ctx, request, 'query-groups');
    const search = queryString(request, 'search');
    const top = queryBoolean(request, 'top') === true;
    const groups = [...realm.groupsById.values()];
    const count = search !== undefined ? groups.filter(nameMatcher(search, false)).length : top ? groups.filter((g) => g.parentId === undefined).length : groups.length;
    return { count };
  });

  app.get('/admin/realms/:realm/groups/:id', async (request) => {
    const { identity, realm } = await adminScope(ctx, request, 'view-users');
    const group = groupOfPath(request, realm);
    return toGroupRepresentation(realm, group, { full: true, subGroupCount: subGroupsOf(realm, group.id).length, access: groupAccess(identity, realm) });
  });

  app.put('/admin/realms/:realm/groups/:id', async (request, reply) => {
    const { realm } = await adminScope(ctx, request, 'manage-users');
    const group = groupOfPath(request, realm);
    const rep = readBody(request, groupRepresentation);
    const name = groupName(rep);
    if (rep.id !== undefined && rep.id !== group.id) throw adminBadRequest('Invalid group id');
    refuseUnappliedFields(rep, realm, group);
    refuseParentChange(rep, group.parentId);
    await writeGroups(ctx, realm, () => siblingExists(name), async (tx, fresh) => {
      const current = fresh.groupsById.get(group.id);
      if (!current) throw adminNotFound('Could not find group by id');
      const sibling = childNamed(fresh, current.parentId, name);
      if (sibling && sibling.id !== current.id) throw siblingExists(name);
      // As in Keycloak, an absent description clears it; absent attributes are kept.
      await tx.updateGroup({ ...current, name, description: rep.description, attributes: rep.attributes ?? current.attributes });
    });
    return reply.code(204).send();
  });

  app.delete('/admin/realms/:realm/groups/:id', async (request, reply) => {
    const { identity, realm } = await adminScope(ctx, request, 'manage-users');
    const group = groupOfPath(request, realm);
    await writeGroups(ctx, realm, undefined, async (tx, fresh) => {
      const current = fresh.groupsById.get(group.id);
      if (!current) throw adminNotFound('Could not find group by id');
      // Deleting takes away what the group and its subgroups gave their members.
      const ids = subtree(fresh, current).map((g) => g.id);
      requireGroupPower(identity, fresh, ids);
      await tx.deleteGroups(ids);
    });
    return reply.code(204).send();
  });

  app.get('/admin/realms/:realm/groups/:id/children', async (request) => {
    const { identity, realm } = await adminScope(ctx, request, 'view-users');
    const group = groupOfPath(request, realm);
    const search = queryString(request, 'search');
    const exact = queryBoolean(request, 'exact') === true;
    const brief = queryBoolean(request, 'briefRepresentation') === true;
    const subGroupCount = queryBoolean(request, 'subGroupsCount') !== false;
    const { first, max } = paging(request, DEFAULT_CHILDREN_MAX);
    const access = groupAccess(identity, realm);
    const count = subGroupCounter(realm, subGroupCount);
    return page(subGroupsOf(realm, group.id).filter(nameMatcher(search, exact)), first, max).map((g) =>
      toGroupRepresentation(realm, g, { full: !brief, subGroupCount: count(g), access }),
    );
  });

  app.post('/admin/realms/:realm/groups/:id/children', async (request, reply) => {
    const { identity, realm } = await adminScope(ctx, request, 'manage-users');
    const parent = groupOfPath(request, realm);
    const rep = readBody(request, groupRepresentation);
    const name = groupName(rep);
    if (rep.id !== undefined) {
      const child = findGroup(realm, rep.id, 'Could not find child by id');
      refuseEditInMove(rep, child);
      if (child.parentId !== parent.id) {
        refuseCycle(realm, child, parent);
        // Members of the moved group (and of its subgroups) get the new parents' roles.
        requireGroupPower(identity, realm, [parent.id]);
        await move(realm, child, parent, () => siblingExists(name));
      }
      return reply.code(204).send();
    }
    refuseUnappliedFields(rep, realm, undefined);
    refuseParentChange(rep, parent.id);
    if (childNamed(realm, parent.id, name)) throw siblingExists(name);
    const child: Group = { id: newId(), realmId: realm.realm.id, parentId: parent.id, name, description: rep.description, attributes: rep.attributes ?? {}, roleIds: [], defaultGroup: false };
    const model = await writeGroups(ctx, realm, () => siblingExists(name), async (tx, fresh) => {
      if (!fresh.groupsById.has(parent.id)) throw adminNotFound('Could not find group by id');
      if (childNamed(fresh, parent.id, name)) throw siblingExists(name);
      await tx.createGroups([child]);
      fresh.groupsById.set(child.id, child);
      return fresh;
    });
    return reply
      .code(201)
      .header('location', location(ctx, request, realm.realm.name, 'groups', child.id))
      .send(toGroupRepresentation(model, child, { full: true, access: groupAccess(identity, realm) }));
  });

  app.get('/admin/realms/:realm/groups/:id/members', async (request) => {
    const { realm } = await adminScope(ctx, request, 'view-users');
    const group = groupOfPath(request, realm);
    const brief = queryBoolean(request, 'briefRepresentation') === true;
    const { first, max } = paging(request, DEFAULT_MEMBERS_MAX);
    const members = await ctx.realms.repository.listGroupMembers(group.id, first, max);
    return members.map((user) => (brief ? toBriefUserRepresentation(realm, user) : toUserRepresentation(realm, user)));
  });

  app.get('/admin/realms/:realm/group-by-path/*', async (request) => {
    const { realm } = await adminScope(ctx, request, 'view-users');
    const found = findGroupByPath(realm, (request.params as { '*': string })['*']);
    if (!found) throw adminNotFound('Group path does not exist');
    return toGroupRepresentation(realm, found, { full: true, subGroupCount: subGroupsOf(realm, found.id).length });
  });
}
