/**
 * The login pages' targets (`/realms/{realm}/login-actions/authenticate` for the password and
 * one-time-code forms, `…/required-action` for required actions, `…/consent` for the consent
 * screen), `…/registration` for the registration form. A GET of `registration` (the login page's
 * "Register" link) turns the login into a registration, a GET of `authenticate` ("Back to Login")
 * back, as long as nobody has been identified yet. A form is accepted only with
 * the browser's AUTH_SESSION_ID cookie and the `session_code` of the page it came from, which an
 * attacker's cross-site form cannot know (CSRF protection); each render gets a new code, so a
 * page cannot be replayed. What each page does is src/authn's business; a GET shows the page
 * the login is at (a reload).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Context } from '../../context.ts';
import { ErrorPage } from '../../errors/index.ts';
import { readParams } from '../../http/form.ts';
import { resolveRealm } from '../../http/realm-route.ts';
import type { LoadedRealm } from '../../realm/realm-service.ts';
import { continueLogin, STEP_KINDS, submitStep, type LoginRun } from '../../authn/index.ts';
import { REGISTRATION_TEXTS } from '../../authn/steps/registration-page.ts';
import { authSessionIdFromCookie, loadAuthSession, openTab, restartTab } from './auth-session.ts';
import { sendLoginPage } from './login-page.ts';
import { takeLocaleParam } from '../../theme/index.ts';
import { resetCredentialsRoutes } from './reset-credentials.ts';

const LOGIN_TIMEOUT = 'loginTimeout';
const PAGE_EXPIRED = 'pageExpiredMessage';

async function restart(ctx: Context, request: FastifyRequest, reply: FastifyReply, realm: LoadedRealm, issuer: string): Promise<FastifyReply> {
  const tab = await restartTab(ctx, request, realm);
  if (!tab) throw new ErrorPage(400, 'Your login attempt timed out. Login will start from the beginning.');
  const opened = await openTab(ctx, request, reply, realm, issuer, tab);
  return sendLoginPage(ctx, request, reply, realm, issuer, opened.tabId, tab, { info: LOGIN_TIMEOUT });
}

export async function loginRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  await app.register(resetCredentialsRoutes, { ctx });
  /** The login this request belongs to, or a reply that restarts it. */
  const loginOf = async (request: FastifyRequest, reply: FastifyReply): Promise<LoginRun | FastifyReply> => {
    const { realm, issuer } = await resolveRealm(ctx, request, 'page');
    const query = readParams(request, 'query');
    const authSessionId = authSessionIdFromCookie(request);
    if (!authSessionId) throw new ErrorPage(400, 'Cookie not found. Please make sure cookies are enabled in your browser.');

    const authSession = await loadAuthSession(ctx, realm, authSessionId);
    const tabId = query.get('tab_id') ?? '';
    const tab = authSession && Object.hasOwn(authSession.tabs, tabId) ? authSession.tabs[tabId] : undefined;
    if (!authSession || !tab) return restart(ctx, request, reply, realm, issuer);
    if (query.get('client_id') !== tab.clientId) throw new ErrorPage(400, 'Invalid Request');
    takeLocaleParam(request, reply, realm, issuer, tab);
    const client = realm.clientsByClientId.get(tab.clientId);
    if (!client || !client.enabled) throw new ErrorPage(400, 'Client not found.');
    let user;
    if (tab.userId !== undefined) {
      // Read fresh, not from the cache: the steps act on what is stored now.
      user = await ctx.realms.repository.findUserById(tab.userId);
      if (!user || user.realmId !== realm.realm.id || !user.enabled) {
        delete authSession.tabs[tabId];
        await ctx.store.putAuthSession(authSession);
        return restart(ctx, request, reply, realm, issuer);
      }
    }
    return { ctx, request, reply, realm, issuer, client, tab, tabId, authSession, user };
  };

  const submit = async (request: FastifyRequest, reply: FastifyReply) => {
    const run = await loginOf(request, reply);
    if (!('authSession' in run)) return run;
    const query = readParams(request, 'query');
    const form = readParams(request);
    // The consent form also carries the code in its `code` field, as Keycloak's does.
    if ((query.get('session_code') ?? form.get('code')) !== run.tab.sessionCode) return continueLogin(run, { info: PAGE_EXPIRED });
    return submitStep(run, query.get('execution') ?? '', form);
  };

  const show = (kind: string) => async (request: FastifyRequest, reply: FastifyReply) => {
    const run = await loginOf(request, reply);
    if (!('authSession' in run)) return run;
    if (run.user === undefined && kind !== 'required-action') run.tab.registering = kind === 'registration' ? true : undefined;
    return continueLogin(run);
  };

  /** Registration pages answer Keycloak's error page while the realm does not allow registration. */
  const registrationAllowed = async (request: FastifyRequest) => {
    const { realm } = await resolveRealm(ctx, request, 'page');
    if (!realm.realm.settings.registrationAllowed) throw new ErrorPage(400, REGISTRATION_TEXTS.registrationNotAllowedMessage);
  };

  for (const kind of STEP_KINDS) {
    const preHandler = kind === 'registration' ? registrationAllowed : undefined;
    app.post(`/realms/:realm/login-actions/${kind}`, { config: { endpoint: 'login' }, ...(preHandler ? { preHandler } : {}) }, submit);
    app.get(`/realms/:realm/login-actions/${kind}`, { config: { endpoint: 'login' }, ...(preHandler ? { preHandler } : {}) }, show(kind));
  }
}
