/**
 * `/clients/{id}/scope-mappings` and `/client-scopes/{id}/scope-mappings`, as Keycloak's
 * ScopeMappedResource has them: the roles in the scope of a client or client scope (all, realm,
 * per client), `available` (not in it) and `composite` (in it through composites; for a client
 * with `fullScopeAllowed`, every role, as Keycloak's hasScope says), adding and removing. These
 * decide which roles a client without full scope may carry in its tokens (claim-plan.ts), so
 * writing one needs manage-clients and the power to grant the role (role-grants.ts).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Context } from '../../context.ts';
import { adminNotFound } from '../../errors/index.ts';
import { effectiveRoles, type LoadedRealm, type Role, type ScopeOwner } from '../../realm/index.ts';
import { forbidden } from '../admin-auth.ts';
import { findClient, rolesOf } from '../admin-lookups.ts';
import { adminScope, readBody } from '../admin-request.ts';
import { isForeignKeyViolation } from '../realm-file/import-conflict.ts';
import { toRoleRepresentation } from '../representations/role.ts';
import { mayGrant } from '../role-grants.ts';
import { briefRoles, clientOfPath, resolveRoles, roleList } from './role-mappings.ts';
import { findClientScope } from './client-scopes.ts';

/** A client or client scope, with the roles in its scope. */
interface ScopeHolder {
  owner: ScopeOwner;
  roleIds: string[];
  /** Every role counts as in scope (a client with `fullScopeAllowed`). */
  full: boolean;
  gone: string;
}

type HolderLookup = (realm: LoadedRealm, id: string) => ScopeHolder;

const clientHolder: HolderLookup = (realm, id) => {
  const client = findClient(realm, id);
  return { owner: { client: client.id }, roleIds: client.scopeMappings, full: client.fullScopeAllowed, gone: 'Could not find client' };
};

const scopeHolder: HolderLookup = (realm, id) => {
  const scope = findClientScope(realm, id);
  return { owner: { clientScope: scope.id }, roleIds: scope.scopeMappings, full: false, gone: 'Could not find client scope' };
};

/** Role ids in scope through composites of the mapped ones (or every role of the realm). */
function compositeIds(realm: LoadedRealm, holder: ScopeHolder): Set<string> {
  if (holder.full) return new Set(realm.rolesById.keys());
  const effective = effectiveRoles(realm, holder.roleIds);
  const ids = new Set<string>();
  for (const role of realm.rolesById.values()) {
    const clientId = role.clientId === undefined ? undefined : realm.clientsById.get(role.clientId)?.clientId;
    const names = clientId === undefined ? (role.clientId === undefined ? effective.realmRoles : []) : (effective.clientRoles[clientId] ?? []);
    if (names.includes(role.name)) ids.add(role.id);
  }
  return ids;
}

export async function scopeMappingRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  for (const [kind, lookup] of [
    ['clients', clientHolder],
    ['client-scopes', scopeHolder],
  ] as const) {
    const root = `/admin/realms/:realm/${kind}/:id/scope-mappings`;
    const holderOf = (request: FastifyRequest, realm: LoadedRealm) => lookup(realm, (request.params as { id: string }).id);

    app.get(root, async (request) => {
      const { realm } = await adminScope(ctx, request, 'view-clients');
      const mapped = holderOf(request, realm).roleIds.flatMap((id) => realm.rolesById.get(id) ?? []);
      const realmMappings = mapped.filter((r) => r.clientId === undefined);
      const clientMappings: Record<string, { id: string; client: string; mappings: unknown[] }> = {};
      for (const role of mapped) {
        const client = role.clientId === undefined ? undefined : realm.clientsById.get(role.clientId);
        if (!client) continue;
        (clientMappings[client.clientId] ??= { id: client.id, client: client.clientId, mappings: [] }).mappings.push(toRoleRepresentation(role, true));
      }
      return {
        ...(realmMappings.length > 0 ? { realmMappings: briefRoles(realmMappings) } : {}),
        ...(Object.keys(clientMappings).length > 0 ? { clientMappings } : {}),
      };
    });

    for (const base of [`${root}/realm`, `${root}/clients/:client`]) {
      const view = (filter: (realm: LoadedRealm, holder: ScopeHolder, role: Role) => boolean) => async (request: FastifyRequest) => {
        const { realm } = await adminScope(ctx, request, 'view-clients');
        const clientUuid = clientOfPath(request, realm);
        const holder = holderOf(request, realm);
        return briefRoles(rolesOf(realm, clientUuid).filter((r) => filter(realm, holder, r)));
      };
      app.get(base, view((_realm, holder, role) => holder.roleIds.includes(role.id)));
      app.get(`${base}/available`, view((_realm, holder, role) => !holder.roleIds.includes(role.id)));
      app.get(`${base}/composite`, async (request) => {
        const { realm } = await adminScope(ctx, request, 'view-clients');
        const clientUuid = clientOfPath(request, realm);
        const ids = compositeIds(realm, holderOf(request, realm));
        return briefRoles(rolesOf(realm, clientUuid).filter((r) => ids.has(r.id)));
      });

      for (const method of ['POST', 'DELETE'] as const) {
        app.route({
          method,
          url: base,
          handler: async (request, reply) => {
            const { identity, realm } = await adminScope(ctx, request, 'manage-clients');
            const clientUuid = clientOfPath(request, realm);
            const holder = holderOf(request, realm);
            const roles = resolveRoles(realm, clientUuid, readBody(request, roleList));
            if (roles.some((role) => !mayGrant(identity, realm, role))) throw forbidden();
            const ids = roles.map((r) => r.id);
            try {
              if (method === 'POST') await ctx.realms.repository.addScopeMappings(holder.owner, ids);
              else await ctx.realms.repository.removeScopeMappings(holder.owner, ids);
            } catch (error) {
              // The client, scope or a role was deleted between the lookup and the write.
              if (isForeignKeyViolation(error)) throw adminNotFound(holder.gone);
              throw error;
            }
            await ctx.realms.realmChanged(realm.realm.id);
            return reply.code(204).send();
          },
        });
      }
    }
  }
}
