/**
 * The authorization endpoint (`…/protocol/openid-connect/auth`, GET or POST). A valid request
 * either completes at once from the browser's SSO session, fails under `prompt=none` with
 * Keycloak's `login_required` or `interaction_required`, or opens a login tab and shows the form.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Context } from '../../context.ts';
import { ErrorPage, OAuthError } from '../../errors/index.ts';
import { readParams, type Form } from '../../http/form.ts';
import { resolveRealm } from '../../http/realm-route.ts';
import { openTab, tabFromRequest } from '../login/auth-session.ts';
import { sendLoginPage } from '../login/login-page.ts';
import { parseAuthorizationRequest, type AuthorizationRequest } from './authorization-request.ts';
import { AuthorizationError, sendAuthorizationResponse } from './authorization-response.ts';
import { completeLogin } from './complete-login.ts';
import { readSsoSession } from './sso-cookies.ts';
import { requestedLevel } from './acr.ts';
import { takeLocaleParam } from '../../theme/index.ts';

export { AuthorizationError, sendAuthorizationResponse } from './authorization-response.ts';
export { setSsoCookies, clearSsoCookies, readSsoSession } from './sso-cookies.ts';
export { completeLogin } from './complete-login.ts';
export { parseLoaMap } from './acr.ts';

/** holdfast has no consent page yet; logging in without the consent the client asks for would skip it silently. */
const CONSENT_UNSUPPORTED = 'This client requires user consent, which this server cannot ask for yet.';

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
    let authRequest: AuthorizationRequest;
    try {
      authRequest = parseAuthorizationRequest(realm, params(request));
    } catch (error) {
      if (!(error instanceof AuthorizationError)) throw error;
      return sendAuthorizationResponse(reply, error.target, { error: error.error, error_description: error.description, state: error.target.state, iss: issuer });
    }
    const client = authRequest.client;
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
    if (sso && fresh) {
      const user = await ctx.realms.getUserView(realm, sso.userId);
      if (user?.user.enabled) {
        // Pending required actions or consent need a page: prompt=none cannot show one.
        const needsInteraction = user.user.requiredActions.length > 0 || client.consentRequired;
        if (!needsInteraction) return completeLogin(ctx, reply, realm, issuer, client, tabFromRequest(authRequest, now), sso, '0');
        if (noPrompt) return promptError('interaction_required');
      }
    }
    if (noPrompt) return promptError('login_required');
    if (client.consentRequired) throw new ErrorPage(400, CONSENT_UNSUPPORTED);
    const tab = tabFromRequest(authRequest, now);
    takeLocaleParam(request, reply, realm, issuer, tab);
    const { tabId } = await openTab(ctx, request, reply, realm, issuer, tab);
    return sendLoginPage(ctx, request, reply, realm, issuer, tabId, tab);
  };
  const path = '/realms/:realm/protocol/openid-connect/auth';
  app.get(path, { config: { endpoint: 'auth' } }, handler);
  app.post(path, { config: { endpoint: 'auth' } }, handler);
}
