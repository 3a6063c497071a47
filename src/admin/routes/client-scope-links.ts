/**
 * `/clients/{id}/default-client-scopes` and `/optional-client-scopes`, as Keycloak's
 * ClientResource has them: list (view-clients: the scopes that exist and speak the client's
 * protocol), add one by id (manage-clients; a scope the client has either way is left as it is),
 * remove one (from whichever list holds it). manage-clients is what it takes, as in Keycloak; a
 * scope whose mappers put roles into tokens also needs the caller to hold those roles, since
 * linking it puts them into this client's tokens too.
 */
import type { FastifyInstance } from 'fastify';
import type { Context } from '../../context.ts';
import { adminBadRequest } from '../../errors/index.ts';
import { OIDC_PROTOCOL, scopeGrantOf } from '../../realm/index.ts';
import { findClient } from '../admin-lookups.ts';
import { adminScope } from '../admin-request.ts';
import { toScopeReference } from '../representations/client-scope.ts';
import { requireMayGrantMappers } from '../representations/protocol-mapper.ts';
import { findClientScope } from './client-scopes.ts';

interface LinkParams {
  id: string;
  scopeId: string;
}

export async function clientScopeLinkRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  for (const [segment, list] of [
    ['default-client-scopes', 'defaultClientScopes'],
    ['optional-client-scopes', 'optionalClientScopes'],
  ] as const) {
    app.get(`/admin/realms/:realm/clients/:id/${segment}`, async (request) => {
      const { realm } = await adminScope(ctx, request, 'view-clients');
      const grant = scopeGrantOf(realm, findClient(realm, (request.params as LinkParams).id));
      return (list === 'defaultClientScopes' ? grant.defaults : [...grant.optional.values()]).map(toScopeReference);
    });

    app.put(`/admin/realms/:realm/clients/:id/${segment}/:scopeId`, async (request, reply) => {
      const { identity, realm } = await adminScope(ctx, request, 'manage-clients');
      const params = request.params as LinkParams;
      const client = findClient(realm, params.id);
      const scope = findClientScope(realm, params.scopeId, 'Client scope not found');
      const protocol = client.protocol || OIDC_PROTOCOL;
      // Keycloak skips such a scope without a word; saying so is kinder to the caller.
      if (scope.protocol !== protocol) throw adminBadRequest(`Client scope '${scope.name}' is for protocol '${scope.protocol}', the client uses '${protocol}'`);
      if (client.defaultClientScopes.includes(scope.name) || client.optionalClientScopes.includes(scope.name)) return reply.code(204).send();
      requireMayGrantMappers(identity, realm, scope.protocolMappers);
      await ctx.realms.repository.updateClient({ ...client, [list]: [...client[list], scope.name] });
      await ctx.realms.realmChanged(realm.realm.id);
      return reply.code(204).send();
    });

    app.delete(`/admin/realms/:realm/clients/:id/${segment}/:scopeId`, async (request, reply) => {
      const { realm } = await adminScope(ctx, request, 'manage-clients');
      const params = request.params as LinkParams;
      const client = findClient(realm, params.id);
      const scope = findClientScope(realm, params.scopeId, 'Client scope not found');
      if (!client.defaultClientScopes.includes(scope.name) && !client.optionalClientScopes.includes(scope.name)) return reply.code(204).send();
      const without = (names: string[]) => names.filter((n) => n !== scope.name);
      await ctx.realms.repository.updateClient({ ...client, defaultClientScopes: without(client.defaultClientScopes), optionalClientScopes: without(client.optionalClientScopes) });
      await ctx.realms.realmChanged(realm.realm.id);
      return reply.code(204).send();
    });
  }
}
