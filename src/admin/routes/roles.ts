/**
 * Realm roles (`/roles`, `/roles-by-id`) and client roles (`/clients/{id}/roles`): list, create,
 * read, update, delete, their users, the groups that carry them, and their composites. Realm
 * roles are realm configuration (`manage-realm`); client roles belong to the client
 * (`manage-clients`). Anyone with an admin role may read them, since assigning roles needs them
 * listed.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Context } from '../../context.ts';
import { newId } from '../../crypto/index.ts';
import { adminBadRequest, adminConflict, adminNotFound } from '../../errors/index.ts';
import { byName, type LoadedRealm, type Role } from '../../realm/index.ts';
import { forbidden, hasAnyAdminRole, isAllowed, requirePermission } from '../admin-auth.ts';
import { checkRoleDeletable, checkRoleRename, mayGrant, requireCreateRoleIn, requireManageRole } from '../role-grants.ts';
import { findClient, findRoleByName, rolesOf } from '../admin-lookups.ts';
import { adminScope, location, paging, queryBoolean, queryString, readBody, type AdminScope } from '../admin-request.ts';
import { list } from '../json-shape.ts';
import { roleRepresentation, toRoleRepresentation, type RoleRepresentation } from '../representations/role.ts';
import { toGroupRepresentation } from '../representations/group.ts';
import { toUserRepresentation } from '../representations/user.ts';

const roleList = list(roleRepresentation);
const notFound = () => adminNotFound('Could not find role');

async function readScope(ctx: Context, request: FastifyRequest): Promise<AdminScope> {
  const scope = await adminScope(ctx, request);
  if (!hasAnyAdminRole(scope.identity, scope.realm)) throw forbidden();
  return scope;
}

function requireManageContainer(scope: AdminScope, clientId: string | undefined): void {
  requirePermission(scope.identity, scope.realm, clientId === undefined ? 'manage-realm' : 'manage-clients');
}

/** The container's manage permission, and the admin power the role confers. */
function requireManage(scope: AdminScope, role: Role): void {
  requireManageContainer(scope, role.clientId);
  requireManageRole(scope.identity, scope.realm, role);
}

/** The container a path names: the realm (no client) or one client, by UUID. */
function containerOf(request: FastifyRequest, realm: LoadedRealm): string | undefined {
  const { id } = request.params as { id?: string };
  return id === undefined ? undefined : findClient(realm, id).id;
}

function namedRole(request: FastifyRequest, realm: LoadedRealm): Role {
  const { name } = request.params as { name: string };
  const role = findRoleByName(realm, name, containerOf(request, realm));
  if (!role) throw notFound();
  return role;
}

function roleById(request: FastifyRequest, realm: LoadedRealm): Role {
  const role = realm.rolesById.get((request.params as { roleId: string }).roleId);
  if (!role) throw notFound();
  return role;
}

/** Role representations in a body (composites) resolved to roles of this realm, by id or by name. */
function resolveRoles(realm: LoadedRealm, reps: RoleRepresentation[]): Role[] {
  return reps.map((rep) => {
    const role = rep.id !== undefined ? realm.rolesById.get(rep.id) : rep.name !== undefined ? findRoleByName(realm, rep.name) : undefined;
    if (!role || (rep.name !== undefined && role.name !== rep.name)) throw adminNotFound('Could not find composite role');
    return role;
  });
}

async function writeRoles(ctx: Context, realm: LoadedRealm, work: (tx: Context['realms']['repository']) => Promise<void>): Promise<void> {
  await ctx.realms.repository.transaction(work);
  await ctx.realms.realmChanged(realm.realm.id);
}

function checkName(rep: RoleRepresentation): string {
  if (rep.name === undefined || rep.name.trim() === '') throw adminBadRequest('name: required', 'name');
  return rep.name;
}

/** Deletes a role and its places in other roles' composites; user mappings go by cascade. */
async function deleteRole(ctx: Context, realm: LoadedRealm, role: Role): Promise<void> {
  checkRoleDeletable(realm, role);
  await writeRoles(ctx, realm, async (tx) => {
    for (const other of realm.rolesById.values()) {
      if (other.composites.includes(role.id)) await tx.updateRole({ ...other, composites: other.composites.filter((id) => id !== role.id) });
    }
    await tx.deleteRole(role.id);
  });
}

async function updateRole(ctx: Context, realm: LoadedRealm, role: Role, rep: RoleRepresentation): Promise<void> {
  const name = rep.name ?? role.name;
  if (name.trim() === '') throw adminBadRequest('name: must not be empty', 'name');
  checkRoleRename(realm, role, name);
  const clash = name !== role.name ? findRoleByName(realm, name, role.clientId) : undefined;
  if (clash) throw adminConflict(`Role with name ${name} already exists`);
  const updated: Role = { ...role, name, description: rep.description ?? role.description, attributes: rep.attributes ?? role.attributes };
  await writeRoles(ctx, realm, (tx) => tx.updateRole(updated));
}

export async function roleRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  for (const base of ['/admin/realms/:realm/roles', '/admin/realms/:realm/clients/:id/roles']) {
    app.get(base, async (request) => {
      const { realm } = await readScope(ctx, request);
      const search = queryString(request, 'search')?.toLowerCase();
      const brief = queryBoolean(request, 'briefRepresentation') !== false;
      const { first, max } = paging(request, Number.MAX_SAFE_INTEGER);
      const roles = rolesOf(realm, containerOf(request, realm)).filter((r) => search === undefined || r.name.toLowerCase().includes(search));
      return roles.slice(first, first + max).map((r) => toRoleRepresentation(r, brief));
    });

    app.post(base, async (request, reply) => {
      const scope = await adminScope(ctx, request);
      const { realm } = scope;
      const clientId = containerOf(request, realm);
      requireManageContainer(scope, clientId);
      const rep = readBody(request, roleRepresentation);
      const name = checkName(rep);
      requireCreateRoleIn(scope.identity, realm, clientId, name);
      if (findRoleByName(realm, name, clientId)) throw adminConflict(`Role with name ${name} already exists`);
      const composites = rep.composite && rep.composites ? compositeIds(realm, rep.composites) : [];
      if (composites.some((id) => !mayGrant(scope.identity, realm, realm.rolesById.get(id)!))) throw forbidden();
      const role: Role = { id: newId(), realmId: realm.realm.id, clientId, name, description: rep.description, composites, attributes: rep.attributes ?? {} };
      await writeRoles(ctx, realm, (tx) => tx.createRole(role));
      const segments = clientId === undefined ? ['roles', name] : ['clients', clientId, 'roles', name];
      return reply.code(201).header('location', location(ctx, request, realm.realm.name, ...segments)).send();
    });

    app.get(`${base}/:name`, async (request) => {
      const { realm } = await readScope(ctx, request);
      return toRoleRepresentation(namedRole(request, realm));
    });

    app.put(`${base}/:name`, async (request, reply) => {
      const scope = await adminScope(ctx, request);
      const role = namedRole(request, scope.realm);
      requireManage(scope, role);
      await updateRole(ctx, scope.realm, role, readBody(request, roleRepresentation));
      return reply.code(204).send();
    });

    app.delete(`${base}/:name`, async (request, reply) => {
      const scope = await adminScope(ctx, request);
      const role = namedRole(request, scope.realm);
      requireManage(scope, role);
      await deleteRole(ctx, scope.realm, role);
      return reply.code(204).send();
    });

    app.get(`${base}/:name/users`, async (request) => {
      const { identity, realm } = await adminScope(ctx, request, 'query-users');
      const role = namedRole(request, realm);
      const { first, max } = paging(request, 100);
      const rights = { view: isAllowed(identity, realm, 'view-users'), manage: isAllowed(identity, realm, 'manage-users') };
      return (await ctx.realms.repository.listUsersWithRole(role.id, first, max)).map((u) => toUserRepresentation(realm, u, rights));
    });

    // As in Keycloak, `users` lists only direct mappings; groups that carry the role are listed here.
    app.get(`${base}/:name/groups`, async (request) => {
      const { realm } = await adminScope(ctx, request, 'query-groups');
      const role = namedRole(request, realm);
      const { first, max } = paging(request, 100);
      const brief = queryBoolean(request, 'briefRepresentation') !== false;
      const groups = [...realm.groupsById.values()].filter((g) => g.roleIds.includes(role.id)).sort(byName);
      return groups.slice(first, first + max).map((g) => toGroupRepresentation(realm, g, { full: !brief }));
    });
  }

  app.get('/admin/realms/:realm/roles-by-id/:roleId', async (request) => {
    const { realm } = await readScope(ctx, request);
    return toRoleRepresentation(roleById(request, realm));
  });

  app.put('/admin/realms/:realm/roles-by-id/:roleId', async (request, reply) => {
    const scope = await adminScope(ctx, request);
    const role = roleById(request, scope.realm);
    requireManage(scope, role);
    await updateRole(ctx, scope.realm, role, readBody(request, roleRepresentation));
    return reply.code(204).send();
  });

  app.delete('/admin/realms/:realm/roles-by-id/:roleId', async (request, reply) => {
    const scope = await adminScope(ctx, request);
    const role = roleById(request, scope.realm);
    requireManage(scope, role);
    await deleteRole(ctx, scope.realm, role);
    return reply.code(204).send();
  });

  // Only `roles-by-id/{id}/composites` pages and searches, as in Keycloak; the other listings ignore both there.
  app.get('/admin/realms/:realm/roles-by-id/:roleId/composites', async (request) => {
    const { realm } = await readScope(ctx, request);
    const search = queryString(request, 'search')?.toLowerCase();
    const { first, max } = paging(request, Number.MAX_SAFE_INTEGER);
    const composites = compositesOf(realm, roleById(request, realm)).filter((r) => search === undefined || r.name.toLowerCase().includes(search));
    return composites.slice(first, first + max).map((r) => toRoleRepresentation(r, true));
  });

  for (const [base, find] of [
    ['/admin/realms/:realm/roles-by-id/:roleId', roleById],
    ['/admin/realms/:realm/roles/:name', namedRole],
    ['/admin/realms/:realm/clients/:id/roles/:name', namedRole],
  ] as const) {
    if (find === namedRole) {
      app.get(`${base}/composites`, async (request) => {
        const { realm } = await readScope(ctx, request);
        return compositesOf(realm, find(request, realm)).map((r) => toRoleRepresentation(r, true));
      });
    }
    app.get(`${base}/composites/realm`, async (request) => {
      const { realm } = await readScope(ctx, request);
      return compositesOf(realm, find(request, realm), undefined).map((r) => toRoleRepresentation(r, true));
    });
    app.get(`${base}/composites/clients/:clientUuid`, async (request) => {
      const { realm } = await readScope(ctx, request);
      const role = find(request, realm);
      const client = findClient(realm, (request.params as { clientUuid: string }).clientUuid, 'Could not find client');
      return compositesOf(realm, role, client.id).map((r) => toRoleRepresentation(r, true));
    });
  }

  for (const method of ['POST', 'DELETE'] as const) for (const [url, find] of [
    ['/admin/realms/:realm/roles-by-id/:roleId/composites', roleById],
    ['/admin/realms/:realm/roles/:name/composites', namedRole],
    ['/admin/realms/:realm/clients/:id/roles/:name/composites', namedRole],
  ] as const) {
    app.route({
      method,
      url,
      handler: async (request, reply) => {
        const scope = await adminScope(ctx, request);
        const role = find(request, scope.realm);
        requireManage(scope, role);
        const givenRoles = resolveRoles(scope.realm, readBody(request, roleList));
        if (method === 'POST' && givenRoles.some((r) => !mayGrant(scope.identity, scope.realm, r))) throw forbidden();
        const given = givenRoles.map((r) => r.id);
        const composites = method === 'POST' ? [...new Set([...role.composites, ...given])] : role.composites.filter((id) => !given.includes(id));
        await writeRoles(ctx, scope.realm, (tx) => tx.updateRole({ ...role, composites }));
        return reply.code(204).send();
      },
    });
  }
}

/**
 * The roles a composite directly contains, in the order they were added; with `clientUuid`, only
 * those of that client (undefined as the argument: realm roles only).
 */
function compositesOf(realm: LoadedRealm, role: Role, ...container: [] | [string | undefined]): Role[] {
  const roles = role.composites.flatMap((id) => realm.rolesById.get(id) ?? []);
  return container.length === 0 ? roles : roles.filter((r) => r.clientId === container[0]);
}

/** Composites of a new role, given by name as in RoleRepresentation.composites. */
function compositeIds(realm: LoadedRealm, composites: NonNullable<RoleRepresentation['composites']>): string[] {
  const ids: string[] = [];
  for (const name of composites.realm ?? []) {
    const role = findRoleByName(realm, name);
    if (!role) throw adminNotFound('Could not find composite role');
    ids.push(role.id);
  }
  for (const [clientId, names] of Object.entries(composites.client ?? {})) {
    const client = realm.clientsByClientId.get(clientId);
    for (const name of names) {
      const role = client ? findRoleByName(realm, name, client.id) : undefined;
      if (!role) throw adminNotFound('Could not find composite role');
      ids.push(role.id);
    }
  }
  return ids;
}
