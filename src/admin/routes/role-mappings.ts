/**
 * `/users/{id}/role-mappings`: a user's directly mapped roles (realm and per client), adding and
 * removing them, and the `available` and `composite` (effective) views Keycloak offers. Granting
 * an admin role needs the caller to hold it (role-grants.ts).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Context } from '../../context.ts';
import { adminNotFound } from '../../errors/index.ts';
import { effectiveRoles, type LoadedRealm, type Role } from '../../realm/index.ts';
import { forbidden } from '../admin-auth.ts';
import { mayGrant } from '../role-grants.ts';
import { findClient, findUser, rolesOf } from '../admin-lookups.ts';
import { adminScope, readBody } from '../admin-request.ts';
import { list } from '../json-shape.ts';
import { roleRepresentation, toRoleRepresentation, type RoleRepresentation } from '../representations/role.ts';

const roleList = list(roleRepresentation);
/** Roles named in a body, which must belong to the container (realm or client) of the path. */
function resolve(realm: LoadedRealm, clientUuid: string | undefined, reps: RoleRepresentation[]): Role[] {
  return reps.map((rep) => {
    const role =
      rep.id !== undefined ? realm.rolesById.get(rep.id) : rep.name !== undefined ? rolesOf(realm, clientUuid).find((r) => r.name === rep.name) : undefined;
    if (!role || role.clientId !== clientUuid || (rep.name !== undefined && rep.name !== role.name)) throw adminNotFound('Role not found');
    return role;
  });
}

function clientOfPath(request: FastifyRequest, realm: LoadedRealm): string | undefined {
  const { client } = request.params as { client?: string };
  return client === undefined ? undefined : findClient(realm, client, 'Client not found').id;
}

const briefRoles = (roles: Role[]) => roles.map((r) => toRoleRepresentation(r, true));

export async function roleMappingRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  app.get('/admin/realms/:realm/users/:id/role-mappings', async (request) => {
    const { realm } = await adminScope(ctx, request, 'view-users');
    const user = await findUser(ctx, realm, (request.params as { id: string }).id);
    const mapped = (await ctx.realms.repository.roleIdsOfUser(user.id)).flatMap((id) => realm.rolesById.get(id) ?? []);
    const realmMappings = mapped.filter((r) => r.clientId === undefined);
    const clientMappings: Record<string, unknown> = {};
    for (const role of mapped) {
      const client = role.clientId === undefined ? undefined : realm.clientsById.get(role.clientId);
      if (!client) continue;
      const entry = (clientMappings[client.clientId] ??= { id: client.id, client: client.clientId, mappings: [] }) as { mappings: unknown[] };
      entry.mappings.push(toRoleRepresentation(role, true));
    }
    return {
      ...(realmMappings.length > 0 ? { realmMappings: briefRoles(realmMappings) } : {}),
      ...(Object.keys(clientMappings).length > 0 ? { clientMappings } : {}),
    };
  });

  for (const base of ['/admin/realms/:realm/users/:id/role-mappings/realm', '/admin/realms/:realm/users/:id/role-mappings/clients/:client']) {
    app.get(base, async (request) => {
      const { realm } = await adminScope(ctx, request, 'view-users');
      const clientUuid = clientOfPath(request, realm);
      const user = await findUser(ctx, realm, (request.params as { id: string }).id);
      const mapped = new Set(await ctx.realms.repository.roleIdsOfUser(user.id));
      return briefRoles(rolesOf(realm, clientUuid).filter((r) => mapped.has(r.id)));
    });

    app.get(`${base}/available`, async (request) => {
      const { realm } = await adminScope(ctx, request, 'view-users');
      const clientUuid = clientOfPath(request, realm);
      const user = await findUser(ctx, realm, (request.params as { id: string }).id);
      const mapped = new Set(await ctx.realms.repository.roleIdsOfUser(user.id));
      return briefRoles(rolesOf(realm, clientUuid).filter((r) => !mapped.has(r.id)));
    });

    app.get(`${base}/composite`, async (request) => {
      const { realm } = await adminScope(ctx, request, 'view-users');
      const clientUuid = clientOfPath(request, realm);
      const user = await findUser(ctx, realm, (request.params as { id: string }).id);
      const effective = effectiveRoles(realm, await ctx.realms.repository.roleIdsOfUser(user.id));
      const names = clientUuid === undefined ? effective.realmRoles : (effective.clientRoles[realm.clientsById.get(clientUuid)!.clientId] ?? []);
      return briefRoles(rolesOf(realm, clientUuid).filter((r) => names.includes(r.name)));
    });

    for (const method of ['POST', 'DELETE'] as const) {
      app.route({
        method,
        url: base,
        handler: async (request, reply) => {
          const { identity, realm } = await adminScope(ctx, request, 'manage-users');
          const clientUuid = clientOfPath(request, realm);
          const user = await findUser(ctx, realm, (request.params as { id: string }).id);
          const roles = resolve(realm, clientUuid, readBody(request, roleList));
          if (roles.some((role) => !mayGrant(identity, realm, role))) throw forbidden();
          const ids = roles.map((r) => r.id);
          if (method === 'POST') await ctx.realms.repository.addUserRoles(user.id, ids);
          else await ctx.realms.repository.removeUserRoles(user.id, ids);
          await ctx.realms.userChanged(user.id);
          return reply.code(204).send();
        },
      });
    }
  }
}
