/**
 * Logout (`…/logout`), in Keycloak's two forms:
 * - POST with `refresh_token` (adapters, server-side apps): ends that session, answers 204.
 * - RP-initiated (GET or POST form): `id_token_hint`, `post_logout_redirect_uri`, `client_id`,
 *   `state`. A request that cannot prove which session it means gets a confirmation page, so a
 *   third-party page cannot log a user out silently; the confirmation carries a signed code
 *   bound to the browser's session.
 * A brokered session is also logged out at its upstream when the provider has a logout URL
 * (src/broker/upstream-logout.ts): by the server with `backchannelSupported`, else by sending the
 * browser there before the application's redirect.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Context } from '../../context.ts';
import { ErrorPage, invalidRequest } from '../../errors/index.ts';
import { signHmac, verifyJwt } from '../../crypto/index.ts';
import { readParams, type Form } from '../../http/form.ts';
import { resolveRealm, type RealmRequest } from '../../http/realm-route.ts';
import { checkSsl } from '../../http/ssl-required.ts';
import { allowCors, registerPreflight } from '../../http/cors.ts';
import { postLogoutRedirectUris, verifyRedirectUri, withQuery } from '../../realm/redirect-uri.ts';
import type { Client } from '../../realm/types.ts';
import type { LoadedRealm } from '../../realm/realm-service.ts';
import { authenticateClientFor } from '../client-auth/index.ts';
import { recordFailure } from '../../events/index.ts';
import { clearSsoCookies, readSsoSession } from '../auth/index.ts';
import { decodeAccessToken, validateRefreshToken } from '../tokens/index.ts';
import { checkParamLengths, MAX_PARAM_LENGTH, MAX_TOKEN_PARAM_LENGTH } from '../param-lengths.ts';
import { sendConfirmation, sendLoggedOut } from './logout-pages.ts';
import { frontchannelLogouts, sendFrontchannelLogout } from './frontchannel-logout.ts';
import { authBaseUrlOf } from '../../http/base-url.ts';
import { isBackchannelLogout, upstreamLogoutOf, type UpstreamLogout } from '../../broker/index.ts';
import { startUpstreamLogout } from '../broker/index.ts';

const PATH = '/realms/:realm/protocol/openid-connect/logout';
const CONFIRM_LIFESPAN = 300;
/** `state` and the redirect come back in the confirmation code and the redirect: bounded like the authorization request's. */
const PARAM_BOUNDS = {
  id_token_hint: MAX_TOKEN_PARAM_LENGTH,
  post_logout_redirect_uri: MAX_PARAM_LENGTH,
  client_id: MAX_PARAM_LENGTH,
  state: MAX_PARAM_LENGTH,
  ui_locales: MAX_PARAM_LENGTH,
};

/** What ending a browser's session leaves to the page: front-channel logouts of clients, and the upstream's. */
interface EndedSession {
  frontchannel: string[];
  upstream?: UpstreamLogout;
}

interface LogoutTarget {
  redirectUri?: string;
  state?: string;
}

export async function logoutRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  async function redirectAfterLogout(request: FastifyRequest, reply: FastifyReply, { realm, issuer }: RealmRequest, target: LogoutTarget, ended: EndedSession = { frontchannel: [] }): Promise<FastifyReply> {
    const query = target.state !== undefined ? `state=${encodeURIComponent(target.state)}` : '';
    let redirectTo = target.redirectUri && withQuery(target.redirectUri, query);
    // A brokered session without back-channel upstream logout: the browser logs out upstream next, and comes back to go on.
    if (ended.upstream && !isBackchannelLogout(ended.upstream)) redirectTo = await startUpstreamLogout(ctx, issuer, realm.realm.id, ended.upstream, redirectTo);
    const frontchannelUrls = ended.frontchannel;
    if (frontchannelUrls.length > 0) return sendFrontchannelLogout(ctx, request, reply, realm, frontchannelUrls, redirectTo);
    if (!redirectTo) return sendLoggedOut(ctx, request, reply, realm);
    return reply.redirect(redirectTo, 302);
  }

  async function refreshTokenLogout(request: FastifyRequest, reply: FastifyReply, { realm, issuer }: RealmRequest, form: Form) {
    const event = ctx.events.recorder.user(realm, 'LOGOUT', request);
    const client = await authenticateClientFor(event, { ctx, realm, issuer }, request, form);
    allowCors(request, reply, client);
    try {
      const token = form.get('refresh_token');
      if (!token) throw invalidRequest('No refresh token');
      // As in Keycloak 26.7, this endpoint reads no proof: a DPoP-bound refresh token cannot log out here (revocation can).
      const { session } = await validateRefreshToken(ctx, realm, issuer, client, token, { checkExpiry: false, dpop: { proof: undefined } });
      if (await ctx.sessions.end(session)) ctx.logoutNotifier.sessionEnded(realm, issuer, session);
      event.user(session.userId).session(session.id).success();
    } catch (error) {
      recordFailure(event, error);
      throw error;
    }
    return reply.code(204).send();
  }

  /**
   * Ends the browser's session and notifies its back-channel clients; answers the front-channel
   * URLs for the page and, for a brokered session, the upstream logout still to do.
   */
  async function endBrowserSession(request: FastifyRequest, reply: FastifyReply, { realm, issuer }: RealmRequest, sessionId: string | undefined): Promise<EndedSession> {
    const ended: EndedSession = { frontchannel: [] };
    if (sessionId) {
      const session = await ctx.store.getUserSession(sessionId, false);
      if (session && session.realmId === realm.realm.id && (await ctx.sessions.end(session))) {
        const { clients, urls } = frontchannelLogouts(realm, issuer, session);
        ctx.logoutNotifier.sessionEnded(realm, issuer, session, clients);
        ended.frontchannel = urls;
        ended.upstream = upstreamLogoutOf(realm.identityProviders, session);
        ctx.events.recorder.user(realm, 'LOGOUT', request).user(session.userId).session(session.id).success();
      }
    }
    clearSsoCookies(request, reply, issuer);
    return ended;
  }

  async function browserLogout(request: FastifyRequest, reply: FastifyReply, target: RealmRequest, params: Form) {
    const { realm, issuer } = target;
    if (params.get('redirect_uri') !== undefined) throw new ErrorPage(400, 'Invalid parameter: redirect_uri');
    checkParamLengths(params, PARAM_BOUNDS);
    const hintToken = params.get('id_token_hint');
    const clientId = params.get('client_id');
    const requestedRedirect = params.get('post_logout_redirect_uri');
    if (requestedRedirect !== undefined && !hintToken && !clientId) throw new ErrorPage(400, 'Missing parameter: id_token_hint');

    let hint: { sid?: string; azp: string } | undefined;
    if (hintToken) {
      const claims = await decodeAccessToken(realm, hintToken);
      if (!claims || claims.typ !== 'ID' || claims.iss !== issuer) throw new ErrorPage(400, 'Invalid parameter: id_token_hint');
      if (clientId !== undefined && clientId !== claims.azp) throw new ErrorPage(400, 'Invalid parameter: id_token_hint');
      hint = { sid: claims.sid, azp: claims.azp };
    }
    const client: Client | undefined = realm.clientsByClientId.get(hint?.azp ?? clientId ?? '');
    if (clientId !== undefined && !client) throw new ErrorPage(400, 'Invalid parameter: client_id');
    let redirectUri: string | undefined;
    if (requestedRedirect !== undefined) {
      redirectUri = client && verifyRedirectUri(client, requestedRedirect, postLogoutRedirectUris(client), authBaseUrlOf(issuer));
      if (redirectUri === undefined) throw new ErrorPage(400, 'Invalid redirect uri');
    }
    const logoutTarget = { redirectUri, state: params.get('state') };
    const browser = await readSsoSession(ctx, request, realm, issuer);

    if (hint && (!browser || browser.id === hint.sid)) {
      return redirectAfterLogout(request, reply, target, logoutTarget, await endBrowserSession(request, reply, target, hint.sid));
    }
    if (!browser) {
      clearSsoCookies(request, reply, issuer);
      return redirectAfterLogout(request, reply, target, logoutTarget);
    }
    const now = ctx.sessions.now();
    const code = await signHmac({ typ: 'logout-confirm', sid: browser.id, exp: now + CONFIRM_LIFESPAN, ...logoutTarget }, realm.keys);
    return sendConfirmation(ctx, request, reply, realm, `${issuer}/login-actions/logout-confirm`, code);
  }

  registerPreflight(app, PATH, 'GET, POST, OPTIONS');
  app.get(PATH, { config: { endpoint: 'logout' } }, async (request, reply) => {
    const target = await resolveRealm(ctx, request);
    return browserLogout(request, reply, target, readParams(request, 'query'));
  });
  app.post(PATH, { config: { endpoint: 'logout' } }, async (request, reply) => {
    const target = await resolveRealm(ctx, request);
    const form = readParams(request);
    if (form.has('refresh_token')) {
      checkSsl(target.realm.realm.settings.sslRequired, target.issuer, request, 'oauth');
      return refreshTokenLogout(request, reply, target, form);
    }
    return browserLogout(request, reply, target, form);
  });

  app.post('/realms/:realm/login-actions/logout-confirm', { config: { endpoint: 'logout' } }, async (request, reply) => {
    const target = await resolveRealm(ctx, request);
    const { realm, issuer } = target;
    const code = readParams(request).get('session_code');
    let claims;
    try {
      claims = code ? await verifyJwt(code, realm.keys, 'hmac') : undefined;
    } catch {
      claims = undefined;
    }
    if (!claims || claims.typ !== 'logout-confirm' || typeof claims.exp !== 'number' || ctx.sessions.now() > claims.exp) {
      throw new ErrorPage(400, 'Logout failed');
    }
    const browser = await readSsoSession(ctx, request, realm, issuer);
    // The code is bound to the session it was shown for: another page cannot reuse it on this browser.
    if (browser && browser.id !== claims.sid) throw new ErrorPage(400, 'Logout failed');
    const ended = await endBrowserSession(request, reply, target, browser?.id);
    return redirectAfterLogout(request, reply, target, {
      redirectUri: typeof claims.redirectUri === 'string' ? claims.redirectUri : undefined,
      state: typeof claims.state === 'string' ? claims.state : undefined,
    }, ended);
  });
}
