/**
 * The authorization endpoint (`…/protocol/openid-connect/auth`, GET or POST). A valid request
 * either completes at once from the browser's SSO session, fails under `prompt=none` with
 * Keycloak's `login_required` or `interaction_required`, continues the SSO session through the
 * required actions and consent screen it still needs, or opens a login tab and shows the form.
 * `prompt=create`, and Keycloak's `…/protocol/openid-connect/registrations` (keycloak-js
 * `register()`), open the tab at the registration form instead, after ending the browser's SSO
 * cookie as Keycloak does; both answer "Registration not allowed" unless the realm allows it.
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
import { clearSsoCookies } from './sso-cookies.ts';
import { REGISTRATION_EXECUTION, REGISTRATION_TEXTS, backToLoginUrl, registrationPage } from '../../authn/steps/registration-page.ts';
import type { LoadedRealm } from '../../realm/realm-service.ts';
import type { AuthTab } from '../../session/types.ts';
import { continueLogin, stepNeeded } from '../../authn/index.ts';
import { sendPage, takeLocaleParam } from '../../theme/index.ts';
import { authBaseUrlOf } from '../../http/base-url.ts';
import { redirectToUpstream } from '../broker/upstream-redirect.ts';

export { AuthorizationError, sendAuthorizationResponse } from './authorization-response.ts';
export { setSsoCookies, clearSsoCookies, readSsoSession } from './sso-cookies.ts';
export { completeLogin } from './complete-login.ts';
export { parseLoaMap } from './acr.ts';
export { AUTHORIZATION_PARAMS, REQUEST_PARAM_BOUNDS, parseAuthorizationRequest } from './authorization-request.ts';
export { formOf, resolvePushedParameters } from './request-parameters.ts';
export { RequestObjectRefused } from './request-object.ts';
export { storePushedRequest } from './pushed-requests.ts';

/**
 * An application-initiated action needs a recent login (Keycloak's default `max_auth_age` of 300 s;
 * UPDATE_EMAIL always asks for the password again): an older SSO session logs in again first.
 */
function aiaMaxAuthAge(kcAction: string): number {
  return kcAction === 'UPDATE_EMAIL' ? -1 : 300;
}

function params(request: FastifyRequest): Form {
  try {
    return readParams(request, 'either');
  } catch (error) {
    if (error instanceof OAuthError) throw new ErrorPage(400, 'Invalid Request');
    throw error;
  }
}

/** The registration form of a new tab (the engine's `registration` step renders the same page). */
function sendRegistrationPage(ctx: Context, request: FastifyRequest, reply: FastifyReply, realm: LoadedRealm, issuer: string, tabId: string, tab: AuthTab): Promise<FastifyReply> {
  const query = new URLSearchParams({ session_code: tab.sessionCode, execution: REGISTRATION_EXECUTION, client_id: tab.clientId, tab_id: tabId });
  const shown = registrationPage(realm, tab, `${issuer}/login-actions/registration?${query}`, backToLoginUrl(issuer, tabId, tab), {});
  return sendPage(ctx, reply, { request, realm, tab }, shown);
}

export async function authRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  const handler = (registrations: boolean) => async (request: FastifyRequest, reply: FastifyReply) => {
    const { realm, issuer } = await resolveRealm(ctx, request, 'page');
    const query = params(request);
    checkParamLengths(query, REQUEST_PARAM_BOUNDS);
    const client = checkClient(realm, query);
    let authRequest: AuthorizationRequest;
    try {
      const resolved = await resolveRequestParameters(ctx, realm, client, query, AUTHORIZATION_PARAMS);
      authRequest = parseAuthorizationRequest(realm, resolved.params, { client, pushed: resolved.pushedRequest !== undefined, pushedRequest: resolved.pushedRequest, invalidRequestMessage: resolved.invalidRequestMessage, authBaseUrl: authBaseUrlOf(issuer) });
    } catch (error) {
      if (error instanceof RequestObjectRefused) {
        request.log.info({ reason: error.message, clientId: client.clientId }, 'authorization request refused');
        throw new ErrorPage(400, 'Invalid Request');
      }
      if (!(error instanceof AuthorizationError)) throw error;
      return sendAuthorizationResponse(reply, error.target, { error: error.error, error_description: error.description, state: error.target.state, iss: issuer });
    }
    const prompts = (authRequest.prompt ?? '').split(' ');
    if (registrations || prompts.includes('create')) {
      if (!realm.realm.settings.registrationAllowed) throw new ErrorPage(400, REGISTRATION_TEXTS.registrationNotAllowedMessage);
      clearSsoCookies(request, reply, issuer);
      const tab = { ...tabFromRequest(authRequest, ctx.sessions.now()), registering: true };
      takeLocaleParam(request, reply, realm, issuer, tab);
      const { tabId } = await openTab(ctx, request, reply, realm, issuer, tab);
      return sendRegistrationPage(ctx, request, reply, realm, issuer, tabId, tab);
    }
    const noPrompt = prompts.includes('none');
    const promptError = (error: string) => sendAuthorizationResponse(reply, authRequest, { error, state: authRequest.state, iss: issuer });
    const now = ctx.sessions.now();
    // The SSO cookie proves no level of authentication (acr.ts): a request naming one logs in again.
    const acrLevel = requestedLevel(authRequest.acr, realm, client);
    const reuse = !prompts.includes('login') && (acrLevel === undefined || acrLevel < 0);
    const sso = reuse ? await readSsoSession(ctx, request, realm, issuer) : undefined;
    const fresh = sso && (authRequest.maxAge === undefined || now - sso.authTime <= authRequest.maxAge) && (authRequest.kcAction === undefined || now - sso.authTime <= aiaMaxAuthAge(authRequest.kcAction));
    const tab = tabFromRequest(authRequest, now);
    takeLocaleParam(request, reply, realm, issuer, tab);
    if (sso && fresh) {
      const user = await ctx.realms.getUserView(realm, sso.userId);
      if (user?.user.enabled) {
        // Required actions (pending, or due: an unverified address, an expired password) or consent
        // need a page: prompt=none cannot show one (Keycloak's answer for missing consent is
        // interaction_required too, not consent_required).
        const ssoTab: AuthTab = { ...tab, userId: user.user.id, ssoSessionId: sso.id };
        if (!(await stepNeeded({ ctx, request, realm, issuer, client, tab: ssoTab, user: user.user }))) return completeLogin(ctx, reply, realm, issuer, client, tab, sso, '0');
        if (noPrompt) return promptError('interaction_required');
        {
          // Signed in already: the remaining steps, ending in the same SSO session.
          const { session, tabId } = await openTab(ctx, request, reply, realm, issuer, ssoTab);
          return continueLogin({ ctx, request, reply, realm, issuer, client, tab: ssoTab, tabId, authSession: session, user: user.user });
        }
      }
    }
    if (noPrompt) return promptError('login_required');
    const { session: authSession, tabId } = await openTab(ctx, request, reply, realm, issuer, tab);
    // kc_idp_hint naming an enabled provider skips the login page, as Keycloak's Identity Provider Redirector does; another name is ignored.
    const hinted = authRequest.idpHint === undefined ? undefined : realm.identityProviders.get(authRequest.idpHint);
    if (hinted?.enabled) return redirectToUpstream(ctx, reply, realm, issuer, hinted, authSession, tabId);
    return sendLoginPage(ctx, request, reply, realm, issuer, tabId, tab);
  };
  const path = '/realms/:realm/protocol/openid-connect/auth';
  app.get(path, { config: { endpoint: 'auth' } }, handler(false));
  app.post(path, { config: { endpoint: 'auth' } }, handler(false));
  const registrationsPath = '/realms/:realm/protocol/openid-connect/registrations';
  app.get(registrationsPath, { config: { endpoint: 'auth' } }, handler(true));
  app.post(registrationsPath, { config: { endpoint: 'auth' } }, handler(true));
}
export { acrLoaMap } from './acr.ts';
