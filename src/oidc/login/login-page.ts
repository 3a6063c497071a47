/**
 * The login form, with the element ids and input names of Keycloak's login theme (`kc-form-login`,
 * `username`, `password`, `rememberMe`, `kc-login`) so that scripts and tests written against
 * Keycloak find their way. The form's action carries the per-render `session_code`.
 */
import type { FastifyReply } from 'fastify';
import { PAGE_HEADERS, escapeHtml, page } from '../../http/html.ts';
import type { LoadedRealm } from '../../realm/realm-service.ts';
import type { AuthTab } from '../../session/types.ts';
import { registrationLink, registrationUrl } from '../../authn/steps/registration-page.ts';
import { resetCredentialsUrl } from './reset-credentials.ts';

export const LOGIN_EXECUTION = 'auth-username-password-form';

export interface LoginPageMessage {
  error?: string;
  info?: string;
  username?: string;
  /** 200 unless the page answers a request that could not be served (503 with Retry-After). */
  status?: number;
}

export function loginActionUrl(issuer: string, tabId: string, tab: AuthTab): string {
  const query = new URLSearchParams({ session_code: tab.sessionCode, execution: LOGIN_EXECUTION, client_id: tab.clientId, tab_id: tabId });
  return `${issuer}/login-actions/authenticate?${query}`;
}

/** The login form's page: title and body, for the form action given. */
/** `resetUrl`: where "Forgot Password?" leads, when the realm allows resets; `registerUrl`: "Register", when it allows registration. */
export function loginFormPage(realm: LoadedRealm, action: string, tab: AuthTab, message: LoginPageMessage = {}, resetUrl?: string, registerUrl?: string): { title: string; body: string } {
  const settings = realm.realm.settings;
  const title = settings.displayName ?? realm.realm.name;
  const usernameLabel = settings.loginWithEmailAllowed ? 'Username or email' : 'Username';
  const invalid = message.error ? ' aria-invalid="true"' : '';
  const body = `
<h1 id="kc-page-title">Sign in to ${escapeHtml(title)}</h1>
${message.info ? `<div class="alert-info"><span id="kc-info-message" class="kc-feedback-text">${escapeHtml(message.info)}</span></div>` : ''}
<form id="kc-form-login" method="post" action="${escapeHtml(action)}">
  <label for="username">${usernameLabel}</label>
  <input id="username" name="username" type="text" autocomplete="username" autofocus value="${escapeHtml(message.username ?? tab.loginHint ?? '')}"${invalid}>
  <label for="password">Password</label>
  <input id="password" name="password" type="password" autocomplete="current-password"${invalid}>
  ${message.error ? `<span id="input-error" class="alert-error" aria-live="polite">${escapeHtml(message.error)}</span>` : ''}
  ${settings.rememberMe ? '<label><input id="rememberMe" name="rememberMe" type="checkbox"> Remember me</label>' : ''}
  ${settings.resetPasswordAllowed && resetUrl ? `<div id="kc-form-options"><a id="kc-forgot-password" href="${escapeHtml(resetUrl)}">Forgot Password?</a></div>` : ''}
  <input type="hidden" id="id-hidden-input" name="credentialId">
  <input class="kc-login" name="login" id="kc-login" type="submit" value="Sign In">
</form>${settings.registrationAllowed && registerUrl ? `\n${registrationLink(registerUrl)}` : ''}`;
  return { title: `Sign in to ${title}`, body };
}

export function sendLoginPage(reply: FastifyReply, realm: LoadedRealm, issuer: string, tabId: string, tab: AuthTab, message: LoginPageMessage = {}): FastifyReply {
  const { title, body } = loginFormPage(realm, loginActionUrl(issuer, tabId, tab), tab, message, resetCredentialsUrl(issuer, tabId, tab), registrationUrl(issuer, tabId, tab));
  if (message.status === 503) reply.header('retry-after', '1');
  return reply.code(message.status ?? 200).headers(PAGE_HEADERS).send(page(title, body));
}
