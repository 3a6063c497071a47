/**
 * `GET /realms/{r}/broker/{alias}/token`: the upstream token response a user's link keeps
 * (`storeToken`), for an application that calls the upstream's APIs on the user's behalf, as
 * Keycloak's IdentityBrokerService answers it. The caller's bearer token must be valid and carry
 * the `broker` client's `read-token` role; the answers and their order are Keycloak's, checked
 * against a real one: no or bad token 400, no role 403 (whatever the alias), unknown alias the
 * 502 error page, provider without `storeToken` 400, user not linked 400, nothing stored 404.
 * Every answer gets the calling client's CORS headers.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Context } from '../../context.ts';
import { AdminError, ErrorPage } from '../../errors/index.ts';
import { allowCors, registerPreflight } from '../../http/cors.ts';
import { resolveRealm } from '../../http/realm-route.ts';
import { BROKER_TEXTS, openUpstreamToken } from '../../broker/index.ts';

import { checkAccessToken } from '../tokens/index.ts';

const PATH = '/realms/:realm/broker/:alias/token';
/** Keycloak's `Constants.BROKER_SERVICE_CLIENT_ID` and `READ_TOKEN_ROLE`. */
const BROKER_CLIENT = 'broker';
const READ_TOKEN_ROLE = 'read-token';
/** Longer bearer headers are refused before any signature work. */
const MAX_TOKEN_LENGTH = 16 * 1024;

const refusal = (status: number, errorMessage: string) => new AdminError(status, { errorMessage });

function bearerOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header || !/^bearer /i.test(header)) return undefined;
  const token = header.slice(7).trim();
  return token === '' || token.length > MAX_TOKEN_LENGTH ? undefined : token;
}

function canReadToken(claims: Record<string, unknown>): boolean {
  const access = claims.resource_access as Record<string, { roles?: unknown }> | undefined;
  const roles = access && typeof access === 'object' ? access[BROKER_CLIENT]?.roles : undefined;
  return Array.isArray(roles) && roles.includes(READ_TOKEN_ROLE);
}

export async function storedTokenRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  registerPreflight(app, PATH, 'GET, HEAD, OPTIONS');
  app.get(PATH, { config: { endpoint: 'userinfo' } }, async (request, reply) => {
    const { realm, issuer } = await resolveRealm(ctx, request);
    const alias = (request.params as { alias: string }).alias;
    const event = ctx.events.recorder.user(realm, 'IDENTITY_PROVIDER_RETRIEVE_TOKEN', request).detail('identity_provider', alias);
    const fail = (error: Error, reason: string) => {
      event.detail('reason', reason).error('invalid_request');
      return error;
    };
    const token = bearerOf(request);
    const check = token === undefined ? undefined : await checkAccessToken(ctx, realm, issuer, token);
    if (!check?.valid) throw fail(refusal(400, 'Invalid token.'), check?.reason ?? 'no bearer token');
    const client = realm.clientsByClientId.get(check.claims.azp);
    allowCors(request, reply, client);
    event.client(check.claims.azp).user(check.user.user.id);
    if (!realm.clientsByClientId.has(BROKER_CLIENT)) throw fail(refusal(403, 'Realm has not broker client.'), 'no broker client');
    if (!canReadToken(check.claims)) throw fail(refusal(403, `Client [${check.claims.azp}] not authorized to retrieve tokens from identity provider [${alias}].`), 'no read-token role');
    const provider = realm.identityProviders.get(alias);
    if (!provider || !provider.enabled) throw fail(new ErrorPage(502, BROKER_TEXTS.noToken), 'unknown identity provider');
    if (!provider.storeToken) throw fail(refusal(400, `Identity Provider [${alias}] does not support this operation.`), 'storeToken is off');
    const userId = check.user.user.id;
    const link = (await ctx.realms.repository.listFederatedIdentities(userId)).find((l) => l.identityProvider === alias);
    if (!link) throw fail(refusal(400, `User [${userId}] is not associated with identity provider [${alias}].`), 'user not linked');
    const stored = link.token === undefined ? undefined : openUpstreamToken(realm.keys.sealKey, provider, link.token);
    if (link.token !== undefined && stored === undefined) request.log.warn({ identityProvider: alias, userId }, 'a stored upstream token does not open with the realm key: answered as none stored');
    if (stored === undefined) throw fail(refusal(404, `No token stored for user [${userId}] with associated identity provider [${alias}].`), 'no token stored');
    event.success();
    return sendToken(reply, stored);
  });
}

function sendToken(reply: FastifyReply, tokenResponse: string): FastifyReply {
  return reply.header('cache-control', 'no-cache').type('application/json').send(tokenResponse);
}
