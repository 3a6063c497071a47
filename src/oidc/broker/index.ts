/**
 * The broker endpoints of a realm: `/realms/{r}/broker/{alias}/login` (the login page's
 * "Sign in with …" link: checks the login in progress and its `session_code`, then sends the
 * browser upstream) and `/realms/{r}/broker/{alias}/endpoint` (the upstream's callback: takes the
 * single-use state, exchanges the code, checks the ID token, reads user info, and hands the
 * identity to the first broker login); `/broker/{alias}/token` (stored-token-route.ts), the
 * upstream logout's return (logout-response.ts) and the upstream's back-channel logout
 * (backchannel-logout-route.ts) sit beside them. Every failure is Keycloak's error page with an
 * IDENTITY_PROVIDER_LOGIN_ERROR event; nothing is created or linked before every check passed.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Context } from '../../context.ts';
import { constantTimeEqual } from '../../crypto/index.ts';
import { AdminError, ErrorPage } from '../../errors/index.ts';
import { readParams, type Form } from '../../http/form.ts';
import { resolveRealm } from '../../http/realm-route.ts';
import { BROKER_TEXTS, BrokerFailure, checkHostedDomain, checkIdToken, exchangeCode, hasUpstreamLogout, identityFromClaims, mappersNotRun, preprocessIdentity, readUserInfo, requestFailure, sealUpstreamToken, upstreamFailure, upstreamOf, type BrokeredIdentity, type UpstreamCall } from '../../broker/index.ts';
import type { IdentityProvider, LoadedRealm } from '../../realm/index.ts';
import { continueBrokeredLogin, finishAccountLink, type LoginRun } from '../../authn/index.ts';
import { linkAliasOf } from '../../authn/required-actions/idp-link.ts';
import { authSessionIdFromCookie, loadAuthSession } from '../login/auth-session.ts';
import { sendLoginPage } from '../login/login-page.ts';
import { clearStateNote, takeState } from './broker-state.ts';
import { brokerEndpointUrl, redirectToUpstream } from './upstream-redirect.ts';
import { storedTokenRoutes } from './stored-token-route.ts';
import { logoutResponseRoutes } from './logout-response.ts';
import { backchannelLogoutRoutes } from './backchannel-logout-route.ts';

export { brokerLoginUrl, loginPageProviders, redirectToUpstream, upstreamAuthorizationUrl } from './upstream-redirect.ts';
export { startUpstreamLogout } from './logout-response.ts';

/** Longest `code` or `state` taken from the upstream's redirect. */
const MAX_PARAM_CHARS = 4096;

function failureEvent(ctx: Context, request: FastifyRequest, realm: LoadedRealm, alias: string, failure: BrokerFailure, clientId?: string): void {
  ctx.events.recorder
    .user(realm, 'IDENTITY_PROVIDER_LOGIN', request)
    .client(clientId)
    .detail('identity_provider', alias)
    .detail('reason', failure.reason)
    .error(failure.error);
  request.log.info({ identityProvider: alias, reason: failure.reason }, 'brokered login failed');
}

function params(request: FastifyRequest, source: 'query' | 'either'): Form {
  try {
    return readParams(request, source);
  } catch {
    throw new ErrorPage(400, 'Invalid Request');
  }
}

function enabledProvider(realm: LoadedRealm, alias: string): IdentityProvider {
  const provider = realm.identityProviders.get(alias);
  if (!provider || !provider.enabled) throw requestFailure(BROKER_TEXTS.notFound, 'identity_provider_not_found', `no enabled identity provider ${alias}`);
  return provider;
}

/** The callback of a provider the realm does not have: Keycloak 26.7 answers JSON 404 there, not a page. */
function callbackProvider(realm: LoadedRealm, alias: string): IdentityProvider {
  const provider = realm.identityProviders.get(alias);
  if (!provider || !provider.enabled) throw new UnknownCallback(alias);
  return provider;
}

class UnknownCallback extends Error {
  constructor(readonly alias: string) {
    super(`no enabled identity provider ${alias}`);
  }
}

/** What the upstream says about the user, every check passed. */
async function upstreamIdentity(ctx: Context, realm: LoadedRealm, issuer: string, provider: IdentityProvider, code: string, nonce: string, codeVerifier: string | undefined): Promise<BrokeredIdentity> {
  const upstream = upstreamOf(provider, realm.keys.sealKey);
  const context: UpstreamCall = { addresses: ctx.config.outboundAddresses, keySetAt: (url, kid) => ctx.clientKeys.keySetAt(url, kid), realmKeys: realm.keys, nowSeconds: ctx.sessions.now() };
  const tokens = await exchangeCode(upstream, code, brokerEndpointUrl(issuer, provider.alias), codeVerifier, context);
  let claims: Record<string, unknown> = {};
  if (upstream.openIdConnect) {
    if (!tokens.idToken) throw upstreamFailure(BROKER_TEXTS.invalidResponse, 'invalid_token', 'token response has no id_token');
    claims = await checkIdToken(tokens.idToken, { validateSignature: provider.config.validateSignature === 'true', issuer: upstream.issuer, clientId: upstream.clientId, nonce, jwksUrl: upstream.jwksUrl }, context);
    checkHostedDomain(provider, claims);
  }
  if (upstream.userInfoUrl && provider.config.disableUserInfo !== 'true') {
    const info = await readUserInfo(upstream.userInfoUrl, tokens.accessToken, context);
    if (upstream.openIdConnect && info.sub !== claims.sub) throw upstreamFailure(BROKER_TEXTS.invalidResponse, 'invalid_token', 'user info sub differs from the ID token');
    claims = { ...info, ...claims };
  }
  const found = identityFromClaims(provider.alias, claims, upstream.claims);
  if (!found) throw upstreamFailure(BROKER_TEXTS.invalidResponse, 'invalid_token', 'the upstream named no user id');
  const identity = preprocessIdentity(realm.identityProviderMappers, provider, found);
  return {
    ...identity,
    ...(hasUpstreamLogout(provider) && tokens.idToken ? { idToken: tokens.idToken } : {}),
    ...(provider.storeToken ? { token: sealUpstreamToken(realm.keys.sealKey, provider, tokens.raw) } : {}),
  };
}

export async function brokerRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  /** The broker's failures become the error page, with their event. */
  const guarded = (handler: (request: FastifyRequest, reply: FastifyReply, realm: LoadedRealm, issuer: string, alias: string) => Promise<FastifyReply>) => async (request: FastifyRequest, reply: FastifyReply) => {
    const { realm, issuer } = await resolveRealm(ctx, request, 'page');
    const alias = (request.params as { alias: string }).alias;
    try {
      return await handler(request, reply, realm, issuer, alias);
    } catch (error) {
      if (error instanceof UnknownCallback) {
        failureEvent(ctx, request, realm, alias, requestFailure('', 'identity_provider_not_found', error.message));
        throw new AdminError(404, { error: `Identity Provider [${alias}] not found.` });
      }
      if (!(error instanceof BrokerFailure)) throw error;
      failureEvent(ctx, request, realm, alias, error);
      throw new ErrorPage(error.status, error.text);
    }
  };

  app.get(
    '/realms/:realm/broker/:alias/login',
    { config: { endpoint: 'login' } },
    guarded(async (request, reply, realm, issuer, alias) => {
      const query = params(request, 'query');
      const provider = enabledProvider(realm, alias);
      const session = await loadAuthSession(ctx, realm, authSessionIdFromCookie(request));
      const tabId = query.get('tab_id') ?? '';
      const tab = session && Object.hasOwn(session.tabs, tabId) ? session.tabs[tabId] : undefined;
      if (!session || !tab) throw requestFailure(BROKER_TEXTS.expired, 'invalid_code', 'no login in progress');
      if (query.get('client_id') !== tab.clientId || !constantTimeEqual(query.get('session_code') ?? '', tab.sessionCode)) throw requestFailure('Invalid Request', 'invalid_code', 'stale login page');
      return redirectToUpstream(ctx, reply, realm, issuer, provider, session, tabId);
    }),
  );

  const callback = guarded(async (request, reply, realm, issuer, alias) => {
    const query = params(request, 'either');
    const provider = callbackProvider(realm, alias);
    const state = query.get('state');
    if (!state) throw requestFailure(BROKER_TEXTS.missingState, 'identity_provider_login_failure', 'no state');
    if (state.length > MAX_PARAM_CHARS || (query.get('code') ?? '').length > MAX_PARAM_CHARS) throw requestFailure('Invalid Request', 'invalid_request', 'oversized parameter');
    const pending = await takeState(ctx, state);
    const cookieSession = authSessionIdFromCookie(request);
    if (!pending || pending.realmId !== realm.realm.id || pending.alias !== provider.alias || cookieSession === undefined || !constantTimeEqual(pending.authSessionId, cookieSession)) {
      throw requestFailure(BROKER_TEXTS.expired, 'invalid_code', pending ? 'state of another login' : 'unknown or spent state');
    }
    const session = await loadAuthSession(ctx, realm, pending.authSessionId);
    const tab = session && Object.hasOwn(session.tabs, pending.tabId) ? session.tabs[pending.tabId] : undefined;
    if (!session || !tab) throw requestFailure(BROKER_TEXTS.expired, 'invalid_code', 'login expired');
    clearStateNote(tab);
    const client = realm.clientsByClientId.get(tab.clientId);
    if (!client || !client.enabled) throw new ErrorPage(400, 'Client not found.');
    const upstreamError = query.get('error');
    if (pending.linkUserId !== undefined) {
      // kc_action=idp_link: the upstream account becomes the signed-in user's link, nobody logs in with it.
      if (tab.userId !== pending.linkUserId || linkAliasOf(tab.kcAction) !== provider.alias) throw requestFailure(BROKER_TEXTS.expired, 'invalid_code', 'link state of another login');
      const user = await ctx.realms.repository.findUserById(pending.linkUserId);
      if (!user || user.realmId !== realm.realm.id || !user.enabled) throw requestFailure(BROKER_TEXTS.expired, 'invalid_code', 'the linking user is gone');
      const run: LoginRun = { ctx, request, reply, realm, issuer, client, tab, tabId: pending.tabId, authSession: session, user };
      if (upstreamError !== undefined) return finishAccountLink(run, provider, { upstreamError });
      const code = query.get('code');
      if (!code) throw requestFailure(BROKER_TEXTS.missingCode, 'identity_provider_login_failure', 'neither code nor error');
      return finishAccountLink(run, provider, { identity: await upstreamIdentity(ctx, realm, issuer, provider, code, pending.nonce, pending.codeVerifier) });
    }
    if (upstreamError !== undefined) {
      const denied = upstreamError === 'access_denied';
      failureEvent(ctx, request, realm, alias, requestFailure('', denied ? 'consent_denied' : 'identity_provider_error', `upstream answered ${upstreamError.slice(0, 64)}`), tab.clientId);
      // Keycloak's answer to an upstream error (a real 26.7's): the login page again, with what went wrong, where another way can be chosen.
      await ctx.store.putAuthSession(session);
      const error = denied ? `Access denied when authenticating with ${provider.displayName || provider.alias}` : BROKER_TEXTS.unexpected;
      return sendLoginPage(ctx, request, reply, realm, issuer, pending.tabId, tab, { error });
    }
    const code = query.get('code');
    if (!code) throw requestFailure(BROKER_TEXTS.missingCode, 'identity_provider_login_failure', 'neither code nor error');
    const identity = await upstreamIdentity(ctx, realm, issuer, provider, code, pending.nonce, pending.codeVerifier);
    const ignored = mappersNotRun(realm.identityProviderMappers, provider);
    if (ignored.length > 0) request.log.warn({ identityProvider: alias, mappers: ignored }, 'identity provider mappers of these types are not run at login yet: ignored');
    return continueBrokeredLogin({ ctx, request, reply, realm, issuer, client, tab, tabId: pending.tabId, authSession: session }, provider, identity);
  });
  app.get('/realms/:realm/broker/:alias/endpoint', { config: { endpoint: 'login' } }, callback);
  app.post('/realms/:realm/broker/:alias/endpoint', { config: { endpoint: 'login' } }, callback);
  await storedTokenRoutes(app, { ctx });
  await logoutResponseRoutes(app, { ctx });
  await backchannelLogoutRoutes(app, { ctx });
}
