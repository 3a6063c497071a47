/**
 * `/clients/{id}/evaluate-scopes/…`, as Keycloak's ClientScopeEvaluateResource has them: which
 * mappers apply for a `scope` parameter (`protocol-mappers`), which roles of a realm or client the
 * client's tokens may carry (`scope-mappings/{roleContainerId}/granted` and `not-granted`), and
 * example access token, ID token and userinfo for a user (`generate-example-*?userId=`). All of it
 * comes from the claim plan and the claim builders that issue real tokens, so what is shown is
 * what is issued. Reading needs view-clients; examples show a user's data, so also view-users.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Context } from '../../context.ts';
import { adminBadRequest, adminNotFound, OAuthError } from '../../errors/index.ts';
import { realmUrl } from '../../http/base-url.ts';
import { claimPlanOf, scopeGrantOf, type Client, type LoadedRealm } from '../../realm/index.ts';
import { exampleClaims, grantScopes, type GrantedScopes } from '../../oidc/tokens/index.ts';
import { requirePermission } from '../admin-auth.ts';
import { findClient, rolesOf } from '../admin-lookups.ts';
import { adminScope, queryString } from '../admin-request.ts';
import { toRoleRepresentation } from '../representations/role.ts';

/** The scopes a request with this `scope` parameter gets (`openid` always, as Keycloak's evaluation assumes). */
function evaluatedScopes(client: Client, realm: LoadedRealm, request: FastifyRequest): GrantedScopes {
  const scope = queryString(request, 'scope') ?? '';
  try {
    return grantScopes(scopeGrantOf(realm, client), `openid ${scope}`);
  } catch (error) {
    if (error instanceof OAuthError) throw adminBadRequest(error.description, 'scope');
    throw error;
  }
}

export async function evaluateScopeRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  const base = '/admin/realms/:realm/clients/:id/evaluate-scopes';
  const clientOf = (request: FastifyRequest, realm: LoadedRealm) => findClient(realm, (request.params as { id: string }).id);

  app.get(`${base}/protocol-mappers`, async (request) => {
    const { realm } = await adminScope(ctx, request, 'view-clients');
    const client = clientOf(request, realm);
    const plan = claimPlanOf(realm, client, evaluatedScopes(client, realm, request).names);
    return plan.mappers.map(({ mapper, source }) => ({
      mapperId: mapper.id,
      mapperName: mapper.name,
      containerId: source.id,
      containerName: 'clientId' in source ? source.clientId : source.name,
      containerType: 'clientId' in source ? 'client' : 'client-scope',
      protocolMapper: mapper.protocolMapper,
    }));
  });

  app.get(`${base}/scope-mappings/:container/:which`, async (request) => {
    const { realm } = await adminScope(ctx, request, 'view-clients');
    const client = clientOf(request, realm);
    const { container, which } = request.params as { container: string; which: string };
    if (which !== 'granted' && which !== 'not-granted') throw adminNotFound('HTTP 404 Not Found');
    const isRealm = container === realm.realm.id || container === realm.realm.name;
    const owner = isRealm ? undefined : findClient(realm, container, 'No client or realm found');
    const plan = claimPlanOf(realm, client, evaluatedScopes(client, realm, request).names);
    return rolesOf(realm, owner?.id)
      .filter((role) => plan.allows(owner?.clientId, role.name) === (which === 'granted'))
      .map((role) => toRoleRepresentation(role, true));
  });

  for (const [segment, kind] of [
    ['generate-example-access-token', 'access'],
    ['generate-example-id-token', 'id'],
    ['generate-example-userinfo', 'userinfo'],
  ] as const) {
    app.get(`${base}/${segment}`, async (request) => {
      const { identity, realm } = await adminScope(ctx, request, 'view-clients');
      requirePermission(identity, realm, 'view-users');
      const client = clientOf(request, realm);
      const userId = queryString(request, 'userId');
      if (userId === undefined) throw adminBadRequest('No userId provided', 'userId');
      const user = await ctx.realms.getUserView(realm, userId);
      if (!user) throw adminNotFound('No user found');
      const claims = exampleClaims({
        realm,
        issuer: realmUrl(request, ctx.config, realm.realm.name),
        client,
        user,
        scopes: evaluatedScopes(client, realm, request),
        grant: 'ac',
        acr: '1',
        now: ctx.sessions.now(),
      });
      return claims[kind];
    });
  }
}
