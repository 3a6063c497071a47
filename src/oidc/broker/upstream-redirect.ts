/**
 * The first leg of a brokered login: the browser is sent to the upstream's authorization
 * endpoint with a `state` bound to its login (broker-state.ts), a `nonce`, PKCE S256 when the
 * provider has `pkceEnabled`, and the provider's `prompt`, `defaultScope` and (with `loginHint`)
 * the application's `login_hint`, and Google's `hd` for a `hostedDomain`. Reached from the login page's "Sign in with …" links and from
 * `kc_idp_hint` on the authorization request.
 */
import type { FastifyReply } from 'fastify';
import type { Context } from '../../context.ts';
import { newSecret, sha256Base64Url } from '../../crypto/index.ts';
import { hostedDomainParameter, upstreamOf } from '../../broker/index.ts';
import type { IdentityProvider, LoadedRealm } from '../../realm/index.ts';
import type { AuthSession, AuthTab } from '../../session/types.ts';
import { issueState } from './broker-state.ts';

export function brokerEndpointUrl(issuer: string, alias: string): string {
  return `${issuer}/broker/${encodeURIComponent(alias)}/endpoint`;
}

/** The "Sign in with …" link of the login page for this tab (Keycloak's `/broker/{alias}/login`). */
export function brokerLoginUrl(issuer: string, alias: string, tabId: string, tab: AuthTab): string {
  const query = new URLSearchParams({ client_id: tab.clientId, tab_id: tabId, session_code: tab.sessionCode });
  return `${issuer}/broker/${encodeURIComponent(alias)}/login?${query}`;
}

/** Providers a user may pick on the login page: enabled, not hidden, not link-only; in guiOrder. */
export function loginPageProviders(realm: LoadedRealm): IdentityProvider[] {
  return [...realm.identityProviders.values()].filter((p) => p.enabled && !p.linkOnly && !p.hideOnLogin && p.config.hideOnLoginPage !== 'true');
}

export async function redirectToUpstream(ctx: Context, reply: FastifyReply, realm: LoadedRealm, issuer: string, provider: IdentityProvider, session: AuthSession, tabId: string): Promise<FastifyReply> {
  const url = await upstreamAuthorizationUrl(ctx, realm, issuer, provider, session, tabId);
  await ctx.store.putAuthSession(session);
  return reply.header('cache-control', 'no-store').redirect(url, 302);
}

/**
 * The upstream's authorization URL for this tab, its state issued (the tab notes it: the caller
 * stores the authentication session). `linkUserId`: the state is for linking the upstream account
 * to that signed-in user (`kc_action=idp_link:{alias}`), not for logging in with it.
 */
export async function upstreamAuthorizationUrl(ctx: Context, realm: LoadedRealm, issuer: string, provider: IdentityProvider, session: AuthSession, tabId: string, linkUserId?: string): Promise<string> {
  const upstream = upstreamOf(provider, realm.keys.sealKey);
  const tab = session.tabs[tabId];
  const nonce = newSecret(16);
  const codeVerifier = provider.config.pkceEnabled === 'true' ? newSecret(32) : undefined;
  const state = await issueState(ctx, session, tab, { realmId: realm.realm.id, authSessionId: session.id, tabId, alias: provider.alias, nonce, codeVerifier, ...(linkUserId !== undefined ? { linkUserId } : {}) });
  const query = new URLSearchParams({ response_type: 'code', client_id: upstream.clientId, redirect_uri: brokerEndpointUrl(issuer, provider.alias), scope: upstream.scope, state });
  if (upstream.openIdConnect) query.set('nonce', nonce);
  if (codeVerifier) {
    // Keycloak's pkceMethod: S256 unless plain was chosen.
    const plain = provider.config.pkceMethod === 'plain';
    query.set('code_challenge', plain ? codeVerifier : sha256Base64Url(codeVerifier));
    query.set('code_challenge_method', plain ? 'plain' : 'S256');
  }
  if (provider.config.prompt) query.set('prompt', provider.config.prompt);
  if (provider.config.loginHint === 'true' && tab.loginHint) query.set('login_hint', tab.loginHint);
  const hd = hostedDomainParameter(provider);
  if (hd !== undefined) query.set('hd', hd);
  const separator = upstream.authorizationUrl.includes('?') ? '&' : '?';
  return `${upstream.authorizationUrl}${separator}${query}`;
}
