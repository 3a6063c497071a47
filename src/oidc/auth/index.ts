/**
 * The authorization endpoint (`…/protocol/openid-connect/auth`, GET or POST). A valid request
 * either completes at once from the browser's SSO session, fails with `login_required` under
 * `prompt=none`, or opens a login tab and shows the form.
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

export { AuthorizationError, sendAuthorizationResponse } from './authorization-response.ts';
export { setSsoCookies, clearSsoCookies, readSsoSession } from './sso-cookies.ts';
export { completeLogin } from './complete-login.ts';

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
    const prompts = (authRequest.prompt ?? '').split(' ');
    const now = ctx.sessions.now();
    const sso = prompts.includes('login') ? undefined : await readSsoSession(ctx, request, realm, issuer);
    const fresh = sso && (authRequest.maxAge === undefined || now - sso.authTime <= authRequest.maxAge);
    if (sso && fresh) {
      const user = await ctx.realms.getUserView(realm, sso.userId);
      if (user?.user.enabled) {
        return completeLogin(ctx, reply, realm, issuer, authRequest.client, tabFromRequest(authRequest, now), sso, '0');
      }
    }
    if (prompts.includes('none')) {
      return sendAuthorizationResponse(reply, authRequest, { error: 'login_required', state: authRequest.state, iss: issuer });
    }
    const tab = tabFromRequest(authRequest, now);
    const { tabId } = await openTab(ctx, request, reply, realm, issuer, tab);
    return sendLoginPage(reply, realm, issuer, tabId, tab);
  };
  const path = '/realms/:realm/protocol/openid-connect/auth';
  app.get(path, { config: { endpoint: 'auth' } }, handler);
  app.post(path, { config: { endpoint: 'auth' } }, handler);
}
