/**
 * "Forgot Password?" (`resetPasswordAllowed`): `/realms/{realm}/login-actions/reset-credentials`
 * inside a login in progress (the browser's AUTH_SESSION_ID and the tab's per-render
 * `session_code`, as the login form: a cross-site form cannot trigger it). Whatever was typed, the
 * answer is the same page, so the form does not reveal which users exist; a known, enabled user
 * with an address gets a reset-credentials link (src/action-tokens), which leads to the
 * new-password form.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Context } from '../../context.ts';
import { actionTokenLifespan, issueActionToken } from '../../action-tokens/index.ts';
import { newSecret } from '../../crypto/index.ts';
import { ErrorPage } from '../../errors/index.ts';
import { readParams } from '../../http/form.ts';
import { PAGE_HEADERS, escapeHtml, page } from '../../http/html.ts';
import { resolveRealm } from '../../http/realm-route.ts';
import { linkExpiration, renderMail, smtpConfig } from '../../mail/index.ts';
import type { LoadedRealm } from '../../realm/realm-service.ts';
import type { AuthSession, AuthTab } from '../../session/types.ts';
import { authSessionIdFromCookie, loadAuthSession } from './auth-session.ts';

const NOT_ALLOWED = 'Reset Credential not allowed';
const EMAIL_SENT = 'You should receive an email shortly with further instructions.';
const MISSING_USERNAME = 'Please specify username.';
const NO_COOKIE = 'Cookie not found. Please make sure cookies are enabled in your browser.';
const TIMED_OUT = 'Your login attempt timed out. Login will start from the beginning.';

export function resetCredentialsUrl(issuer: string, tabId: string, tab: AuthTab): string {
  return `${issuer}/login-actions/reset-credentials?${new URLSearchParams({ client_id: tab.clientId, tab_id: tabId })}`;
}

function sendResetPage(reply: FastifyReply, issuer: string, tabId: string, tab: AuthTab, error?: string): FastifyReply {
  const action = `${issuer}/login-actions/reset-credentials?${new URLSearchParams({ session_code: tab.sessionCode, client_id: tab.clientId, tab_id: tabId })}`;
  const body = `
<h1 id="kc-page-title">Forgot Your Password?</h1>
<form id="kc-reset-password-form" method="post" action="${escapeHtml(action)}">
  <label for="username">Username or email</label>
  <input id="username" name="username" type="text" autocomplete="username" autofocus${error ? ' aria-invalid="true"' : ''}>
  ${error ? `<span id="input-error-username" class="alert-error" aria-live="polite">${escapeHtml(error)}</span>` : ''}
  <p class="instruction">Enter your username or email address and we will send you instructions on how to create a new password.</p>
  <input class="kc-login" id="kc-submit" type="submit" value="Submit">
</form>`;
  return reply.code(error ? 400 : 200).headers(PAGE_HEADERS).send(page('Forgot Your Password?', body));
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
    await renew(authSession, tab);
    return sendResetPage(reply, issuer, tabId, tab);
  });

  app.post('/realms/:realm/login-actions/reset-credentials', { config: { endpoint: 'login' } }, async (request, reply) => {
    const { realm, issuer } = await resolveRealm(ctx, request, 'page');
    const query = readParams(request, 'query');
    const tabId = query.get('tab_id') ?? '';
    const { authSession, tab } = await loginInProgress(realm, authSessionIdFromCookie(request), tabId, query.get('client_id'));
    const expected = tab.sessionCode;
    await renew(authSession, tab);
    if (query.get('session_code') !== expected) return sendResetPage(reply, issuer, tabId, tab);
    const login = (readParams(request).get('username') ?? '').trim();
    if (login === '') return sendResetPage(reply, issuer, tabId, tab, MISSING_USERNAME);

    const event = ctx.events.recorder.user(realm, 'SEND_RESET_PASSWORD', request.clientConnection.address).client(tab.clientId).detail('username', login).detail('auth_method', 'openid-connect');
    const user = login.length <= 255 ? await ctx.realms.findUserForLogin(realm, login) : undefined;
    const smtp = smtpConfig(realm.realm.settings.smtpServer, realm.keys.sealKey, realm.realm.id);
    if (!user || !user.enabled || !user.email || user.serviceAccountClientId) event.user(user?.id).error(!user ? 'user_not_found' : !user.enabled ? 'user_disabled' : 'invalid_email');
    else if (!smtp) event.user(user.id).error('email_send_failed');
    else {
      const lifespan = actionTokenLifespan(realm.realm.settings, 'reset-credentials', false);
      const { token } = await issueActionToken(ctx, realm, issuer, { typ: 'reset-credentials', sub: user.id, azp: tab.clientId, rdu: tab.redirectUri }, lifespan);
      const link = `${issuer}/login-actions/action-token?${new URLSearchParams({ key: token, client_id: tab.clientId })}`;
      const locale = user.attributes.locale?.[0];
      const sent = ctx.mail.send(realm.realm.name, smtp, renderMail('passwordReset', user.email, [link, linkExpiration(lifespan, locale), realm.realm.settings.displayName ?? realm.realm.name], locale));
      if (sent) event.user(user.id).detail('email', user.email).success();
      else event.user(user.id).error('email_send_failed');
    }
    return reply.code(200).headers(PAGE_HEADERS).send(page(EMAIL_SENT, `<h1 id="kc-page-title">Forgot Your Password?</h1><p id="kc-info-message" class="instruction">${escapeHtml(EMAIL_SENT)}</p>`));
  });
}
