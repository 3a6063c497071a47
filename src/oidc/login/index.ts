/**
 * The login form's target (`/realms/{realm}/login-actions/authenticate`). The form is accepted
 * only with the browser's AUTH_SESSION_ID cookie and the `session_code` of the page it came
 * from, which an attacker's cross-site form cannot know (CSRF protection); each render gets a
 * new code, so a page cannot be replayed.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Context } from '../../context.ts';
import { ErrorPage } from '../../errors/index.ts';
import { newSecret } from '../../crypto/index.ts';
import { readParams } from '../../http/form.ts';
import { resolveRealm } from '../../http/realm-route.ts';
import type { LoadedRealm } from '../../realm/realm-service.ts';
import { completeLogin, setSsoCookies } from '../auth/index.ts';
import { checkCredentials, loginFailure } from './credentials.ts';
import { authSessionIdFromCookie, finishAuthSession, loadAuthSession, openTab, restartTab } from './auth-session.ts';
import { sendLoginPage, type LoginPageMessage } from './login-page.ts';
import { resetCredentialsRoutes } from './reset-credentials.ts';

const INVALID_CREDENTIALS = 'Invalid username or password.';
const ACCOUNT_DISABLED = 'Account is disabled, contact your administrator.';
const LOGIN_BUSY = 'Too many logins in progress. Please try again in a moment.';
const LOGIN_TIMEOUT = 'Your login attempt timed out. Login will start from the beginning.';
const PAGE_EXPIRED = 'Page has expired. Please sign in again.';

async function restart(ctx: Context, request: FastifyRequest, reply: FastifyReply, realm: LoadedRealm, issuer: string): Promise<FastifyReply> {
  const tab = await restartTab(ctx, request, realm);
  if (!tab) throw new ErrorPage(400, LOGIN_TIMEOUT);
  const opened = await openTab(ctx, request, reply, realm, issuer, tab);
  return sendLoginPage(reply, realm, issuer, opened.tabId, tab, { info: LOGIN_TIMEOUT });
}

export async function loginRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  await app.register(resetCredentialsRoutes, { ctx });
  app.post('/realms/:realm/login-actions/authenticate', { config: { endpoint: 'login' } }, async (request, reply) => {
    const { realm, issuer } = await resolveRealm(ctx, request, 'page');
    const query = readParams(request, 'query');
    const form = readParams(request);
    const authSessionId = authSessionIdFromCookie(request);
    if (!authSessionId) throw new ErrorPage(400, 'Cookie not found. Please make sure cookies are enabled in your browser.');

    const authSession = await loadAuthSession(ctx, realm, authSessionId);
    const tabId = query.get('tab_id') ?? '';
    const tab = authSession && Object.hasOwn(authSession.tabs, tabId) ? authSession.tabs[tabId] : undefined;
    if (!authSession || !tab) return restart(ctx, request, reply, realm, issuer);
    if (query.get('client_id') !== tab.clientId) throw new ErrorPage(400, 'Invalid Request');
    const client = realm.clientsByClientId.get(tab.clientId);
    if (!client || !client.enabled) throw new ErrorPage(400, 'Client not found.');

    const renew = async (message: LoginPageMessage) => {
      tab.sessionCode = newSecret(16);
      await ctx.store.putAuthSession(authSession);
      return sendLoginPage(reply, realm, issuer, tabId, tab, message);
    };
    if (query.get('session_code') !== tab.sessionCode) return renew({ info: PAGE_EXPIRED });

    const username = (form.get('username') ?? '').trim();
    const password = form.get('password') ?? '';
    const failed = (error: string, userId?: string) =>
      ctx.events.recorder
        .user(realm, 'LOGIN', request.clientConnection.address)
        .client(client.clientId)
        .user(userId)
        .detail('auth_method', 'openid-connect')
        .detail('auth_type', 'code')
        .detail('redirect_uri', tab.redirectUri)
        .detail('username', username === '' ? undefined : username)
        .error(error);
    if (username === '' || password === '') {
      failed(username === '' ? 'user_not_found' : 'invalid_user_credentials');
      return renew({ error: INVALID_CREDENTIALS, username });
    }
    const outcome = await checkCredentials(ctx, realm, username, password, request.clientConnection.address);
    if (outcome.result === 'busy') return renew({ error: LOGIN_BUSY, username, status: 503 });
    if (outcome.result === 'invalid') {
      failed(loginFailure(outcome), outcome.user?.id);
      return renew({ error: INVALID_CREDENTIALS, username });
    }
    if (outcome.result === 'disabled') {
      failed('user_disabled', outcome.user.id);
      return renew({ error: ACCOUNT_DISABLED, username });
    }
    if (outcome.user.requiredActions.length > 0) {
      failed('resolve_required_actions', outcome.user.id);
      throw new ErrorPage(400, 'Account is not fully set up. Contact your administrator.');
    }

    const settings = realm.realm.settings;
    const rememberMe = settings.rememberMe && form.get('rememberMe') === 'on';
    const session = await ctx.sessions.create(settings, { realmId: realm.realm.id, userId: outcome.user.id, rememberMe, ipAddress: request.clientConnection.address });
    await setSsoCookies(ctx, request, reply, realm, issuer, session);
    await finishAuthSession(ctx, request, reply, issuer, authSession);
    return completeLogin(ctx, reply, realm, issuer, client, tab, session, '1');
  });
}
