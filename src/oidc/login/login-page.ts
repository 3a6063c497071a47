/**
 * The login form (the theme's `login` template), with the element ids and input names of
 * Keycloak's login theme (`kc-form-login`, `username`, `password`, `rememberMe`, `kc-login`) so
 * that scripts and tests written against Keycloak find their way. The form's action carries the
 * per-render `session_code`.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Context } from '../../context.ts';
import type { LoadedRealm } from '../../realm/realm-service.ts';
import type { AuthTab } from '../../session/types.ts';
import { registrationUrl } from '../../authn/steps/registration-page.ts';
import { sendPage, type ThemePage } from '../../theme/index.ts';
import { resetCredentialsUrl } from './reset-credentials.ts';
import { brokerLoginUrl, loginPageProviders } from '../broker/upstream-redirect.ts';

export const LOGIN_EXECUTION = 'auth-username-password-form';

export interface LoginPageMessage {
  /** A message key or text (invalidUserMessage), shown under the password. */
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

/** The login page shown again in another language: the login in progress, at the step it is at. */
export function loginLocaleLink(issuer: string, tabId: string, tab: AuthTab, execution = LOGIN_EXECUTION): (tag: string) => string {
  const query = new URLSearchParams({ client_id: tab.clientId, tab_id: tabId, execution });
  return (tag) => `${issuer}/login-actions/authenticate?${query}&kc_locale=${encodeURIComponent(tag)}`;
}

/**
 * The login form's page for the form action given; `resetUrl`: where "Forgot Password?" leads, when
 * the realm allows resets; `registerUrl`: "Register", when it allows registration.
 */
/** A "Sign in with …" link of the login page (Keycloak's `social.providers`). */
export interface ProviderLink {
  alias: string;
  displayName: string;
  loginUrl: string;
}

/** The login page's provider links for this tab, in guiOrder. */
export function providerLinks(realm: LoadedRealm, issuer: string, tabId: string, tab: AuthTab): ProviderLink[] {
  return loginPageProviders(realm).map((p) => ({ alias: p.alias, displayName: p.displayName || p.alias, loginUrl: brokerLoginUrl(issuer, p.alias, tabId, tab) }));
}

export function loginFormPage(realm: LoadedRealm, action: string, tab: AuthTab, message: LoginPageMessage = {}, resetUrl?: string, registerUrl?: string, providers: ProviderLink[] = []): ThemePage {
  const settings = realm.realm.settings;
  return {
    template: 'login',
    title: { key: 'loginTitle', params: [settings.displayName || realm.realm.name] },
    data: {
      action,
      username: message.username ?? tab.loginHint ?? '',
      loginWithEmail: settings.loginWithEmailAllowed,
      rememberMe: settings.rememberMe,
      resetUrl: settings.resetPasswordAllowed ? resetUrl : undefined,
      registerUrl: settings.registrationAllowed ? registerUrl : undefined,
      providers,
    },
    // The error belongs to both inputs: the template shows it under the password (`input-error`).
    message: { error: message.error, field: message.error ? 'password' : undefined, info: message.info },
    status: message.status,
  };
}

export function sendLoginPage(ctx: Context, request: FastifyRequest, reply: FastifyReply, realm: LoadedRealm, issuer: string, tabId: string, tab: AuthTab, message: LoginPageMessage = {}): Promise<FastifyReply> {
  const page = loginFormPage(realm, loginActionUrl(issuer, tabId, tab), tab, message, resetCredentialsUrl(issuer, tabId, tab), registrationUrl(issuer, tabId, tab), providerLinks(realm, issuer, tabId, tab));
  return sendPage(ctx, reply, { request, realm, tab, localeLink: loginLocaleLink(issuer, tabId, tab) }, page);
}
