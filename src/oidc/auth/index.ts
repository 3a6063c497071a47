/**
 * The authorization endpoint (`…/protocol/openid-connect/auth`, GET or POST). A valid request
 * either completes at once from the browser's SSO session, fails under `prompt=none` with
 * Keycloak's `login_required` or `interaction_required`, goes from the SSO session straight to
 * the consent screen, or opens a login tab and shows the form.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Context } from '../../context.ts';
import { ErrorPage, OAuthError } from '../../errors/index.ts';
import { readParams, type Form } from '../../http/form.ts';
import { resolveRealm } from '../../http/realm-route.ts';
import { openTab, tabFromRequest } from '../login/auth-session.ts';
import { sendLoginPage } from '../login/login-page.ts';
import { AUTHORIZATION_PARAMS, REQUEST_PARAM_BOUNDS, checkClient, parseAuthorizationRequest, type AuthorizationRequest } from './authorization-request.ts';
import { resolveRequestParameters } from './request-parameters.ts';
import { RequestObjectRefused } from './request-object.ts';
import { checkParamLengths } from '../param-lengths.ts';
import { AuthorizationError, sendAuthorizationResponse } from './authorization-response.ts';
import { completeLogin } from './complete-login.ts';
import { readSsoSession } from './sso-cookies.ts';
import { requestedLevel } from './acr.ts';
import { consentToAsk, continueSsoLogin } from '../../authn/index.ts';

export { AuthorizationError, sendAuthorizationResponse } from './authorization-response.ts';
export { setSsoCookies, clearSsoCookies, readSsoSession } from './sso-cookies.ts';
export { completeLogin } from './complete-login.ts';
export { parseLoaMap } from './acr.ts';
export { AUTHORIZATION_PARAMS, REQUEST_PARAM_BOUNDS, parseAuthorizationRequest } from './authorization-request.ts';
export { formOf, resolvePushedParameters } from './request-parameters.ts';
export { RequestObjectRefused } from './request-object.ts';
export { storePushedRequest } from './pushed-requests.ts';

function params(request: FastifyRequest): Form {
  try {
    return readParams(request, 'either');
  } catch (error) {
    if (error instanceof OAuthError) throw new ErrorPage(400, 'Invalid Request');
    throw error;
  }
}

export async function authRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    const { realm, issuer } = await resolveRealm(ctx, request, 'page');
    const query = params(request);
    checkParamLengths(query, REQUEST_PARAM_BOUNDS);
    const client = checkClient(realm, query);
    let authRequest: AuthorizationRequest;
    try {
      const resolved = await resolveRequestParameters(ctx, realm, client, query, AUTHORIZATION_PARAMS);
      authRequest = parseAuthorizationRequest(realm, resolved.params, { client, pushed: resolved.pushedRequest !== undefined, pushedRequest: resolved.pushedRequest, invalidRequestMessage: resolved.invalidRequestMessage });
    } catch (error) {
      if (error instanceof RequestObjectRefused) {
        request.log.info({ reason: error.message, clientId: client.clientId }, 'authorization request refused');
        throw new ErrorPage(400, 'Invalid Request');
      }
      if (!(error instanceof AuthorizationError)) throw error;
      return sendAuthorizationResponse(reply, error.target, { error: error.error, error_description: error.description, state: error.target.state, iss: issuer });
    }
    // Keycloak's registration entry (OIDC prompt=create); holdfast has no registration page.
    if (authRequest.prompt === 'create') throw new ErrorPage(400, 'Registration not allowed');
    const prompts = (authRequest.prompt ?? '').split(' ');
    const noPrompt = prompts.includes('none');
    const promptError = (error: string) => sendAuthorizationResponse(reply, authRequest, { error, state: authRequest.state, iss: issuer });
    const now = ctx.sessions.now();
    // The SSO cookie proves no level of authentication (acr.ts): a request naming one logs in again.
    const acrLevel = requestedLevel(authRequest.acr, realm, client);
    const reuse = !prompts.includes('login') && (acrLevel === undefined || acrLevel < 0);
    const sso = reuse ? await readSsoSession(ctx, request, realm, issuer) : undefined;
    const fresh = sso && (authRequest.maxAge === undefined || now - sso.authTime <= authRequest.maxAge);
    const tab = tabFromRequest(authRequest, now);
    if (sso && fresh) {
      const user = await ctx.realms.getUserView(realm, sso.userId);
      if (user?.user.enabled) {
        // Pending required actions or consent need a page: prompt=none cannot show one (Keycloak's
        // answer for missing consent is interaction_required too, not consent_required).
        const pending = user.user.requiredActions.length > 0;
        const consent = pending ? [] : await consentToAsk({ ctx, realm, client, tab, user: user.user });
        if (!pending && consent.length === 0) return completeLogin(ctx, reply, realm, issuer, client, tab, sso, '0');
        if (noPrompt) return promptError('interaction_required');
        if (!pending) {
          // Signed in already: straight to the consent screen, ending in the same SSO session.
          const ssoTab = { ...tab, userId: user.user.id, ssoSessionId: sso.id };
          const opened = await openTab(ctx, request, reply, realm, issuer, ssoTab);
          return continueSsoLogin({ ctx, request, reply, realm, issuer, client, tab: ssoTab, tabId: opened.tabId, authSession: opened.session, user: user.user });
        }
      }
    }
    if (noPrompt) return promptError('login_required');
    const { tabId } = await openTab(ctx, request, reply, realm, issuer, tab);
    return sendLoginPage(reply, realm, issuer, tabId, tab);
  };
  const path = '/realms/:realm/protocol/openid-connect/auth';
  app.get(path, { config: { endpoint: 'auth' } }, handler);
  app.post(path, { config: { endpoint: 'auth' } }, handler);
}
