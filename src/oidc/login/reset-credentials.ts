/**
 * "Forgot Password?" (`resetPasswordAllowed`): `/realms/{realm}/login-actions/reset-credentials`
 * inside a login in progress (the browser's AUTH_SESSION_ID and the tab's per-render
 * `session_code`, as the login form: a cross-site form cannot trigger it). Whatever was typed, the
 * answer is the same page, so the form does not reveal which users exist; a known, enabled user
 * with an address gets a reset-credentials link (src/action-tokens), which leads to the
 * new-password form.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Context } from '../../context.ts';
import { actionTokenLifespan, issueActionToken, actionTokenLink } from '../../action-tokens/index.ts';
import { newSecret } from '../../crypto/index.ts';
import { ErrorPage } from '../../errors/index.ts';
import { readParams } from '../../http/form.ts';
import { resolveRealm } from '../../http/realm-route.ts';
import { linkExpiration, renderMail, smtpConfig } from '../../mail/index.ts';
import type { LoadedRealm } from '../../realm/realm-service.ts';
import type { AuthSession, AuthTab } from '../../session/types.ts';
import { authSessionIdFromCookie, loadAuthSession } from './auth-session.ts';
import { selectLocale, sendPage, takeLocaleParam } from '../../theme/index.ts';

const NOT_ALLOWED = 'Reset Credential not allowed';
const MISSING_USERNAME = 'missingUsernameMessage';
const NO_COOKIE = 'Cookie not found. Please make sure cookies are enabled in your browser.';
const TIMED_OUT = 'Your login attempt timed out. Login will start from the beginning.';

export function resetCredentialsUrl(issuer: string, tabId: string, tab: AuthTab): string {
  return `${issuer}/login-actions/reset-credentials?${new URLSearchParams({ client_id: tab.clientId, tab_id: tabId })}`;
}

interface ResetPage {
  ctx: Context;
  request: FastifyRequest;
  reply: FastifyReply;
  realm: LoadedRealm;
  issuer: string;
  tabId: string;
  tab: AuthTab;
}

/** The form (`kc-reset-password-form`), or with `sent` the answer every submitted name gets. */
function sendResetPage({ ctx, request, reply, realm, issuer, tabId, tab }: ResetPage, options: { error?: string; sent?: boolean } = {}): Promise<FastifyReply> {
  const action = `${issuer}/login-actions/reset-credentials?${new URLSearchParams({ session_code: tab.sessionCode, client_id: tab.clientId, tab_id: tabId })}`;
  const again = new URLSearchParams({ client_id: tab.clientId, tab_id: tabId });
  return sendPage(ctx, reply, { request, realm, tab, localeLink: (tag) => `${issuer}/login-actions/reset-credentials?${again}&kc_locale=${encodeURIComponent(tag)}` }, {
    template: 'login-reset-password',
    title: 'emailForgotTitle',
    data: {
      action,
      sent: options.sent === true,
      loginWithEmail: realm.realm.settings.loginWithEmailAllowed,
      loginUrl: `${issuer}/login-actions/authenticate?${new URLSearchParams({ client_id: tab.clientId, tab_id: tabId })}`,
    },
    message: options.error ? { error: options.error, field: 'username' } : {},
    status: options.error ? 400 : 200,
  });
}

export async function resetCredentialsRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  /** The login in progress this page belongs to, with a fresh `session_code` for the next render. */
  async function loginInProgress(realm: LoadedRealm, cookie: string | undefined, tabId: string, clientId: string | undefined): Promise<{ authSession: AuthSession; tab: AuthTab }> {
    if (!realm.realm.settings.resetPasswordAllowed) throw new ErrorPage(400, NOT_ALLOWED);
    if (!cookie) throw new ErrorPage(400, NO_COOKIE);
    const authSession = await loadAuthSession(ctx, realm, cookie);
    const tab = authSession && Object.hasOwn(authSession.tabs, tabId) ? authSession.tabs[tabId] : undefined;
    if (!authSession || !tab || tab.clientId !== clientId) throw new ErrorPage(400, TIMED_OUT);
    return { authSession, tab };
  }

  async function renew(authSession: AuthSession, tab: AuthTab): Promise<void> {
    tab.sessionCode = newSecret(16);
    await ctx.store.putAuthSession(authSession);
  }

  app.get('/realms/:realm/login-actions/reset-credentials', { config: { endpoint: 'login' } }, async (request, reply) => {
    const { realm, issuer } = await resolveRealm(ctx, request, 'page');
    const query = readParams(request, 'query');
    const tabId = query.get('tab_id') ?? '';
    const { authSession, tab } = await loginInProgress(realm, authSessionIdFromCookie(request), tabId, query.get('client_id'));
    takeLocaleParam(request, reply, realm, issuer, tab);
    await renew(authSession, tab);
    return sendResetPage({ ctx, request, reply, realm, issuer, tabId, tab });
  });

  app.post('/realms/:realm/login-actions/reset-credentials', { config: { endpoint: 'login' } }, async (request, reply) => {
    const { realm, issuer } = await resolveRealm(ctx, request, 'page');
    const query = readParams(request, 'query');
    const tabId = query.get('tab_id') ?? '';
    const { authSession, tab } = await loginInProgress(realm, authSessionIdFromCookie(request), tabId, query.get('client_id'));
    const expected = tab.sessionCode;
    await renew(authSession, tab);
    const page = { ctx, request, reply, realm, issuer, tabId, tab };
    if (query.get('session_code') !== expected) return sendResetPage(page);
    const login = (readParams(request).get('username') ?? '').trim();
    if (login === '') return sendResetPage(page, { error: MISSING_USERNAME });

    const event = ctx.events.recorder.user(realm, 'SEND_RESET_PASSWORD', request).client(tab.clientId).detail('username', login).detail('auth_method', 'openid-connect');
    const user = login.length <= 255 ? await ctx.realms.findUserForLogin(realm, login) : undefined;
    const smtp = smtpConfig(realm.realm.settings.smtpServer, realm.keys.sealKey, realm.realm.id);
    if (!user || !user.enabled || !user.email || user.serviceAccountClientId) event.user(user?.id).error(!user ? 'user_not_found' : !user.enabled ? 'user_disabled' : 'invalid_email');
    else if (!smtp) event.user(user.id).error('email_send_failed');
    else {
      const lifespan = actionTokenLifespan(realm.realm.settings, 'reset-credentials', false);
      const { token } = await issueActionToken(ctx, realm, issuer, { typ: 'reset-credentials', sub: user.id, azp: tab.clientId, rdu: tab.redirectUri }, lifespan);
      const link = actionTokenLink(issuer, token, { clientId: tab.clientId });
      const locale = selectLocale(realm, { request, tab, user });
      const sent = ctx.mail.send(realm.realm.name, smtp, renderMail('passwordReset', user.email, [link, linkExpiration(lifespan, locale), realm.realm.settings.displayName ?? realm.realm.name], locale));
      if (sent) event.user(user.id).detail('email', user.email).success();
      else event.user(user.id).error('email_send_failed');
    }
    return sendResetPage(page, { sent: true });
  });
}
