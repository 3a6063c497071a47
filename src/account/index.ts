/**
 * Keycloak's account REST API under `/realms/{realm}/account` (AccountRestService), as one
 * encapsulated Fastify plugin: requests that ask for JSON (`Accept: application/json`, or a JSON
 * body) are authenticated by the user's bearer token before anything else runs (account-auth.ts);
 * preflight requests are answered for any origin, as Keycloak's CorsPreflightService does, since
 * the real request is then judged against the token. Other requests are a browser opening the
 * account console: a GET gets its page (src/console), anything else 404.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Context } from '../context.ts';
import { CANNOT_PARSE_JSON, registerAdminJsonParser } from '../admin/index.ts';
import { authenticateAccountCaller, notFound } from './account-auth.ts';
import { ACCOUNT_PATH } from './account-request.ts';
import { realmUrl } from '../http/base-url.ts';
import { applicationRoutes } from './application-routes.ts';
import { credentialRoutes } from './credential-routes.ts';
import { membershipRoutes } from './membership-routes.ts';
import { linkedAccountRoutes } from './linked-account-routes.ts';
import { profileRoutes } from './profile-routes.ts';
import { sessionRoutes } from './session-routes.ts';
import { noConsents, type ApplicationConsents } from './application-consents.ts';
import type { AccountConsole } from '../console/account-console.ts';

export { noConsents, type ApplicationConsents, type Consent, type ConsentScope } from './application-consents.ts';

/** Keycloak's preflight answer (its header lists in its order). */
const PREFLIGHT_HEADERS = {
  'access-control-allow-methods': 'HEAD, DELETE, POST, GET, OPTIONS, PUT',
  'access-control-allow-credentials': 'true',
  'access-control-allow-headers': 'Origin, X-Requested-With, Access-Control-Request-Method, Accept, Access-Control-Request-Headers, DPoP, Content-Type, Authorization',
  'access-control-max-age': '3600',
};

const isJson = (type: string) => type.split(';')[0].trim().toLowerCase() === 'application/json';

/** As Keycloak's AccountLoader: JSON is wanted when `Accept` lists it or the body is JSON. */
function wantsJson(request: FastifyRequest): boolean {
  const accept = request.headers.accept ?? '';
  return accept.split(',').some(isJson) || isJson(request.headers['content-type'] ?? '');
}

export interface AccountOptions {
  ctx: Context;
  /** Where consents are kept (stored-consents.ts); none when not given. */
  consents?: ApplicationConsents;
  /** Serves the console page to browsers; without it they get 404. */
  console?: AccountConsole;
}

export async function accountRoutes(app: FastifyInstance, { ctx, consents = noConsents, console }: AccountOptions): Promise<void> {
  app.decorateRequest('accountCaller', null);
  registerAdminJsonParser(app, { error: 'invalid_request', error_description: CANNOT_PARSE_JSON });
  for (const path of [ACCOUNT_PATH, `${ACCOUNT_PATH}/`, `${ACCOUNT_PATH}/*`]) {
    app.options(path, async (request, reply) => {
      const origin = request.headers.origin;
      if (origin) reply.header('access-control-allow-origin', origin).headers(PREFLIGHT_HEADERS);
      return reply.code(200).send();
    });
  }
  app.addHook('onRequest', async (request, reply) => {
    if (request.method === 'OPTIONS') return;
    if (!wantsJson(request)) {
      if (request.method !== 'GET' || !console) throw notFound();
      const { realm } = request.params as { realm: string };
      // The app's base path ends with a slash, so its router matches only below it.
      if (/\/account$/.test(request.url.split('?')[0])) return reply.redirect(`${realmUrl(request, ctx.config, realm)}/account/`, 302);
      return console.page(request, reply, realm);
    }
    request.accountCaller = await authenticateAccountCaller(ctx, request, reply);
    reply.header('cache-control', 'no-cache');
  });
  // Paths the API does not have answer as JAX-RS does, once the caller is known.
  app.route({
    method: ['GET', 'POST', 'PUT', 'DELETE'],
    url: `${ACCOUNT_PATH}/*`,
    handler: async () => {
      throw notFound();
    },
  });
  for (const routes of [profileRoutes, sessionRoutes, credentialRoutes, membershipRoutes, linkedAccountRoutes]) await app.register(routes, { ctx });
  await app.register(applicationRoutes, { ctx, consents });
}
