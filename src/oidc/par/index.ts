/**
 * The pushed authorization request endpoint (RFC 9126, `POST …/protocol/openid-connect/ext/par/request`),
 * as Keycloak 26 answers it: the client authenticates as at the token endpoint (secret, signed
 * JWT, or `client_id` alone for a public client), pushes the parameters it would have put in the
 * authorization URL (or a request object in `request`), and they are checked as the
 * authorization endpoint would check them (redirect URI, response type, scope, nonce, PKCE).
 * The answer is 201 `{request_uri, expires_in}`; the browser then goes to the authorization
 * endpoint with only `client_id` and that `request_uri`, which works once, for that client,
 * within `parRequestUriLifespan` (pushed-requests.ts).
 *
 * Bounded like the token endpoint: the form body (64 KiB), the parameters (Keycloak's lengths),
 * the stored record (64 KiB), its lifetime, and the request rate (the token endpoint's limits).
 */
import type { FastifyInstance } from 'fastify';
import type { Context } from '../../context.ts';
import { ErrorPage, OAuthError, invalidRequest } from '../../errors/index.ts';
import { readParams } from '../../http/form.ts';
import { resolveRealm } from '../../http/realm-route.ts';
import { allowCors, registerPreflight } from '../../http/cors.ts';
import { authenticateClientFor } from '../client-auth/index.ts';
import { recordFailure } from '../../events/index.ts';
import { checkParamLengths } from '../param-lengths.ts';
import { AUTHORIZATION_PARAMS, AuthorizationError, REQUEST_PARAM_BOUNDS, RequestObjectRefused, formOf, parseAuthorizationRequest, resolvePushedParameters, storePushedRequest } from '../auth/index.ts';
import { authBaseUrlOf } from '../../http/base-url.ts';

export const PAR_PATH = '/realms/:realm/protocol/openid-connect/ext/par/request';

/**
 * What Keycloak's PAR endpoint answers when a parameter fails the authorization endpoint's
 * checks: JSON errors, with a few renamed (an unsupported response type or an invalid scope is
 * `invalid_request` there), and a disabled flow with 401.
 */
function asOAuthError(error: unknown): unknown {
  if (error instanceof ErrorPage) return invalidRequest(error.text, error.status === 429 ? 429 : 400);
  if (!(error instanceof AuthorizationError)) return error;
  if (error.error === 'unsupported_response_type') return invalidRequest('Unsupported response type');
  if (error.error === 'invalid_scope') return invalidRequest(error.description ?? '');
  return new OAuthError(error.error === 'unauthorized_client' ? 401 : 400, error.error, error.description ?? '');
}

export async function parRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  registerPreflight(app, PAR_PATH, 'POST, OPTIONS');
  app.post(PAR_PATH, { config: { endpoint: 'par' } }, async (request, reply) => {
    reply.headers({ 'cache-control': 'no-store', pragma: 'no-cache' });
    const { realm, issuer } = await resolveRealm(ctx, request, 'oauth');
    const form = readParams(request);
    const event = ctx.events.recorder.user(realm, 'PUSHED_AUTHORIZATION_REQUEST', request);
    let client;
    try {
      client = await authenticateClientFor(event, { ctx, realm, issuer }, request, form);
    } catch (error) {
      // Keycloak's PAR endpoint hides why client authentication failed.
      if (error instanceof OAuthError) throw invalidRequest('Authentication failed.', 401);
      throw error;
    }
    allowCors(request, reply, client);
    try {
      if (form.has('request_uri')) throw invalidRequest('It is not allowed to include request_uri to PAR.');
      checkParamLengths(form, REQUEST_PARAM_BOUNDS);
      let pushed;
      try {
        pushed = await resolvePushedParameters(ctx, realm, client, form, AUTHORIZATION_PARAMS);
      } catch (error) {
        if (!(error instanceof RequestObjectRefused)) throw error;
        request.log.info({ reason: error.message, clientId: client.clientId }, 'pushed authorization request refused');
        event.detail('reason', error.message);
        throw new OAuthError(400, form.has('request') ? 'invalid_request_object' : 'invalid_request', 'invalidRequestMessage');
      }
      parseAuthorizationRequest(realm, formOf(pushed.params), { client, pushed: true, authBaseUrl: authBaseUrlOf(issuer) });
      const { requestUri, expiresIn } = await storePushedRequest(ctx, realm, client, pushed);
      // Keycloak records only failures of this endpoint (PUSHED_AUTHORIZATION_REQUEST_ERROR).
      return reply.code(201).send({ request_uri: requestUri, expires_in: expiresIn });
    } catch (error) {
      const answer = asOAuthError(error);
      recordFailure(event, answer);
      throw answer;
    }
  });
}
