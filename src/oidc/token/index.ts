/**
 * The token endpoint (`POST …/protocol/openid-connect/token`), in Keycloak's processing order:
 * no-store headers, realm, `grant_type`, client authentication, duplicate parameters, DPoP
 * proof, grant.
 */
import type { FastifyInstance } from 'fastify';
import type { Context } from '../../context.ts';
import { invalidRequest, unsupportedGrantType } from '../../errors/index.ts';
import { readParams } from '../../http/form.ts';
import { resolveRealm } from '../../http/realm-route.ts';
import { allowCors, registerPreflight } from '../../http/cors.ts';
import { authenticateClientFor } from '../client-auth/index.ts';
import { GRANT_EVENTS, recordFailure } from '../../events/index.ts';
import { GRANTS, REPEATABLE_PARAMETERS } from './grants/index.ts';
import { tokenRequestProof } from '../dpop/index.ts';

const NO_REPEATS: ReadonlySet<string> = new Set();

function repeatableFor(params: URLSearchParams): ReadonlySet<string> {
  const grantType = params.get('grant_type') ?? '';
  return Object.hasOwn(REPEATABLE_PARAMETERS, grantType) ? REPEATABLE_PARAMETERS[grantType] : NO_REPEATS;
}

export const TOKEN_PATH = '/realms/:realm/protocol/openid-connect/token';

export async function tokenRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  registerPreflight(app, TOKEN_PATH, 'POST, OPTIONS');
  app.post(TOKEN_PATH, { config: { endpoint: 'token' } }, async (request, reply) => {
    reply.headers({ 'cache-control': 'no-store', pragma: 'no-cache' });
    const { realm, issuer } = await resolveRealm(ctx, request, 'oauth');
    const form = readParams(request, 'body', repeatableFor);
    const grantType = form.get('grant_type');
    if (grantType === undefined || grantType === '') throw invalidRequest('Missing form parameter: grant_type');
    const grant = Object.hasOwn(GRANTS, grantType) ? GRANTS[grantType] : undefined;
    if (!grant) throw unsupportedGrantType();
    const event = ctx.events.recorder.user(realm, GRANT_EVENTS[grantType] ?? 'OAUTH2_EXTENSION_GRANT', request).detail('grant_type', grantType);
    const client = await authenticateClientFor(event, { ctx, realm, issuer }, request, form);
    allowCors(request, reply, client);
    try {
      const dpop = await tokenRequestProof(ctx, request, client, event);
      return await grant({ ctx, realm, issuer, client, form, request, event, dpop });
    } catch (error) {
      recordFailure(event, error);
      throw error;
    }
  });
}
