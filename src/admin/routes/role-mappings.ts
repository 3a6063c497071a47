/**
 * `/users/{id}/role-mappings` and `/groups/{id}/role-mappings`: the roles mapped directly to a
 * user or a group (realm and per client), adding and removing them, and the `available` and
 * `composite` (effective) views Keycloak offers. A user's effective roles include those of their
 * groups, a group's those of its parents. Granting or removing an admin role needs the caller to
 * hold it (role-grants.ts). Both are managed with manage-users, as in Keycloak.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Context } from '../../context.ts';
import { adminNotFound } from '../../errors/index.ts';
import { effectiveRoles, groupRoleIds, type LoadedRealm, type Role } from '../../realm/index.ts';
import { forbidden } from '../admin-auth.ts';
import { mayGrant } from '../role-grants.ts';
import { findClient, findGroup, findUser, rolesOf } from '../admin-lookups.ts';
import { adminScope, readBody } from '../admin-request.ts';
import { list } from '../json-shape.ts';
import { roleRepresentation, toRoleRepresentation, type RoleRepresentation } from '../representations/role.ts';
import { isForeignKeyViolation } from '../realm-file/import-conflict.ts';

export const roleList = list(roleRepresentation);
/** Roles named in a body, which must belong to the container (realm or client) of the path. */
export function resolveRoles(realm: LoadedRealm, clientUuid: string | undefined, reps: RoleRepresentation[]): Role[] {
  return reps.map((rep) => {
    const role =
      rep.id !== undefined ? realm.rolesById.get(rep.id) : rep.name !== undefined ? rolesOf(realm, clientUuid).find((r) => r.name === rep.name) : undefined;
    if (!role || role.clientId !== clientUuid || (rep.name !== undefined && rep.name !== role.name)) throw adminNotFound('Role not found');
    return role;
  });
}

export function clientOfPath(request: FastifyRequest, realm: LoadedRealm): string | undefined {
  const { client } = request.params as { client?: string };
  return client === undefined ? undefined : findClient(realm, client, 'Client not found').id;
}

export const briefRoles = (roles: Role[]) => roles.map((r) => toRoleRepresentation(r, true));

/** What holds role mappings: a user or a group. */
interface RoleHolder {
  /** Ids of the roles mapped to the holder itself. */
  mapped(): Promise<string[]>;
  /** Those plus the roles reached through groups (a user's groups, a group's parents), before composites. */
  reached(): Promise<string[]>;
  add(roleIds: string[]): Promise<void>;
  remove(roleIds: string[]): Promise<void>;
  /** Tells every node the holder's roles changed. */
  changed(): Promise<void>;
  /** Keycloak's 404 text for the holder, when it is deleted during the request. */
  gone: string;
}

export type HolderLookup = (ctx: Context, realm: LoadedRealm, id: string) => Promise<RoleHolder>;

export const userHolder: HolderLookup = async (ctx, realm, id) => {
  const user = await findUser(ctx, realm, id);
  const repository = ctx.realms.repository;
  const mapped = () => repository.roleIdsOfUser(user.id);
  return {
    mapped,
    reached: async () => {
      const [direct, groupIds] = await Promise.all([mapped(), repository.groupIdsOfUser(user.id)]);
      return [...direct, ...groupRoleIds(realm, groupIds)];
    },
    add: (ids) => repository.addUserRoles(user.id, ids),
    remove: (ids) => repository.removeUserRoles(user.id, ids),
    changed: () => ctx.realms.userChanged(user.id),
    gone: 'User not found',
  };
};

export const groupHolder: HolderLookup = async (ctx, realm, id) => {
  const group = findGroup(realm, id);
  const repository = ctx.realms.repository;
  return {
    mapped: async () => group.roleIds,
    reached: async () => groupRoleIds(realm, [group.id]),
    add: (ids) => repository.addGroupRoles(group.id, ids),
    remove: (ids) => repository.removeGroupRoles(group.id, ids),
    // Group roles are part of the realm model, and every member's cached roles depend on them.
    changed: () => ctx.realms.realmChanged(realm.realm.id),
    gone: 'Could not find group by id',
  };
};

export async function roleMappingRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  for (const [kind, lookup] of [
    ['users', userHolder],
    ['groups', groupHolder],
  ] as const) {
    const holderOf = (request: FastifyRequest, realm: LoadedRealm) => lookup(ctx, realm, (request.params as { id: string }).id);
    const root = `/admin/realms/:realm/${kind}/:id/role-mappings`;

    app.get(root, async (request) => {
      const { realm } = await adminScope(ctx, request, 'view-users');
      const holder = await holderOf(request, realm);
      const mapped = (await holder.mapped()).flatMap((id) => realm.rolesById.get(id) ?? []);
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

    for (const base of [`${root}/realm`, `${root}/clients/:client`]) {
      app.get(base, async (request) => {
        const { realm } = await adminScope(ctx, request, 'view-users');
        const clientUuid = clientOfPath(request, realm);
        const mapped = new Set(await (await holderOf(request, realm)).mapped());
        return briefRoles(rolesOf(realm, clientUuid).filter((r) => mapped.has(r.id)));
      });

      app.get(`${base}/available`, async (request) => {
        const { realm } = await adminScope(ctx, request, 'view-users');
        const clientUuid = clientOfPath(request, realm);
        const mapped = new Set(await (await holderOf(request, realm)).mapped());
        return briefRoles(rolesOf(realm, clientUuid).filter((r) => !mapped.has(r.id)));
      });

      app.get(`${base}/composite`, async (request) => {
        const { realm } = await adminScope(ctx, request, 'view-users');
        const clientUuid = clientOfPath(request, realm);
        const effective = effectiveRoles(realm, await (await holderOf(request, realm)).reached());
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
            const holder = await holderOf(request, realm);
            const roles = resolveRoles(realm, clientUuid, readBody(request, roleList));
            if (roles.some((role) => !mayGrant(identity, realm, role))) throw forbidden();
            const ids = roles.map((r) => r.id);
            try {
              if (method === 'POST') await holder.add(ids);
              else await holder.remove(ids);
            } catch (error) {
              // The user, group or a role was deleted between the lookup and the write.
              if (isForeignKeyViolation(error)) throw adminNotFound(holder.gone);
              throw error;
            }
            await holder.changed();
            return reply.code(204).send();
          },
        });
      }
    }
  }
}
