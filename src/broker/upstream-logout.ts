/**
 * Logging out of the upstream when a brokered user session ends, as Keycloak's OpenID Connect
 * provider does when it has a `logoutUrl`: with `backchannelSupported` the server calls the
 * upstream's end-session endpoint itself (GET with `state` = the session id and `id_token_hint`,
 * the ID token the upstream issued at login); without it the browser is sent there (RP-initiated
 * logout with `state`, `id_token_hint` unless `sendIdTokenOnLogout` is false, `client_id` when
 * `sendClientIdOnLogout`, and `post_logout_redirect_uri` back to the broker's `logout_response`).
 * The upstream ID token is kept as the session's `FEDERATED_ID_TOKEN` note, Keycloak's name,
 * only for providers that have a logout URL.
 */
import type { IdentityProvider } from '../realm/index.ts';
import type { UserSession } from '../session/types.ts';

/** Keycloak's session note with the upstream ID token. */
export const FEDERATED_ID_TOKEN = 'FEDERATED_ID_TOKEN';

export interface UpstreamLogout {
  provider: IdentityProvider;
  logoutUrl: string;
  idToken?: string;
}

/** Whether the provider logs its users out upstream at all (it has a logout URL). */
export function hasUpstreamLogout(provider: IdentityProvider): boolean {
  return (provider.config.logoutUrl ?? '').trim() !== '';
}

function isHttpUrl(text: string): boolean {
  try {
    return /^https?:$/.test(new URL(text).protocol);
  } catch {
    return false;
  }
}

/** The upstream logout a session's end calls for, when it came through an enabled provider with a logout URL. */
export function upstreamLogoutOf(providers: ReadonlyMap<string, IdentityProvider>, session: Pick<UserSession, 'notes'>): UpstreamLogout | undefined {
  const alias = session.notes?.identity_provider;
  const provider = alias === undefined ? undefined : providers.get(alias);
  if (!provider || !provider.enabled || !hasUpstreamLogout(provider)) return undefined;
  const logoutUrl = provider.config.logoutUrl.trim();
  // A logout URL that is no http(s) URL cannot be called; the local logout stands alone.
  if (!isHttpUrl(logoutUrl)) return undefined;
  return { provider, logoutUrl, idToken: session.notes?.[FEDERATED_ID_TOKEN] };
}

/** The server calls the upstream itself: `backchannelSupported` and an ID token to name the session with. */
export function isBackchannelLogout(logout: UpstreamLogout): boolean {
  return logout.provider.config.backchannelSupported === 'true' && logout.idToken !== undefined;
}

function withParams(url: string, params: Record<string, string | undefined>): string {
  const target = new URL(url);
  for (const [name, value] of Object.entries(params)) if (value !== undefined) target.searchParams.append(name, value);
  return target.href;
}

/** The URL the server GETs for a back-channel upstream logout. */
export function backchannelLogoutRequestUrl(logout: UpstreamLogout, sessionId: string): string {
  return withParams(logout.logoutUrl, { state: sessionId, id_token_hint: logout.idToken });
}

/** Where the browser goes for a front-channel upstream logout; the upstream sends it back to `returnUrl` with `state`. */
export function frontchannelLogoutRedirect(logout: UpstreamLogout, state: string, returnUrl: string): string {
  const config = logout.provider.config;
  return withParams(logout.logoutUrl, {
    state,
    id_token_hint: config.sendIdTokenOnLogout !== 'false' ? logout.idToken : undefined,
    client_id: config.sendClientIdOnLogout === 'true' ? config.clientId : undefined,
    post_logout_redirect_uri: returnUrl,
  });
}
