/**
 * Login through holdfast's own OIDC flow with keycloak-js (the adapter Keycloak's console uses):
 * authorization code with PKCE S256 as the public client `security-admin-console` of the login
 * realm. Tokens stay in keycloak-js's memory; nothing is written to storage by the console itself.
 */
import Keycloak from 'keycloak-js';
import { environment } from './environment.ts';

export const keycloak = new Keycloak({ url: environment.authServerUrl, realm: environment.loginRealm, clientId: environment.clientId });

export async function signIn(): Promise<void> {
  // The login-status iframe would need third-party cookies and adds nothing here: the console
  // refreshes its token before each call and signs out when that fails.
  await keycloak.init({ onLoad: 'login-required', pkceMethod: 'S256', checkLoginIframe: false, responseMode: 'query' });
}

/** A token valid for at least 20 more seconds; a refresh that fails sends the admin to the login. */
export async function accessToken(): Promise<string> {
  try {
    await keycloak.updateToken(20);
  } catch {
    await keycloak.login();
  }
  return keycloak.token!;
}

export function signOut(): Promise<void> {
  return keycloak.logout({ redirectUri: `${location.origin}${location.pathname}` });
}
